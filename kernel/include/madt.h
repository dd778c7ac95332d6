/*
 * madt.h - the CPUs the firmware reports: from the ACPI MADT (local APIC type 0 and local
 * x2APIC type 9 entries), or without ACPI from the MP specification's configuration table
 * (processor entries). The parsers are portable (kernel/lib/cpu_tables.c: a table in memory
 * in, a list out, every length checked; tests/host/test_cpu_tables.c); kernel/smp/madt.c
 * finds the tables. Dense CPU numbers are assigned by the caller, BSP first; APIC ids stay
 * sparse.
 *
 * What is started: entries with Enabled set. Not started, and counted apart so the boot can
 * say why: disabled ones; Online Capable ones (ACPI 6.3: hot-pluggable, not present now);
 * APIC id 0xFF in a type-0 entry (ACPI: an unused slot) and, outside x2APIC mode, ids above
 * 254 (xAPIC cannot address them); and a second entry for an APIC id already listed (real
 * firmware lists CPUs below 255 in both type 0 and type 9: the first kept, type 0 first as
 * Linux prefers it).
 */
#ifndef MADT_H
#define MADT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct madt_cpu {
	uint32_t apic_id;
	uint32_t acpi_uid;
	bool x2apic_entry;	/* came from a type-9 entry */
};

struct madt_info {
	bool found;
	const char *source;		/* "madt" or "mptable" */
	uint64_t lapic_base;		/* from the header or a type-5 override */
	unsigned enabled;		/* CPUs to start: in cpus[] up to the caller's max */
	unsigned disabled;		/* Enabled clear, not Online Capable */
	unsigned online_capable;	/* Enabled clear, Online Capable set: not started */
	unsigned invalid_id;		/* 0xFF in a type-0 entry, or > 254 outside x2APIC mode */
	unsigned duplicates;		/* an APIC id listed again */
	bool truncated;			/* an entry ran past the table: the walk stopped there */
	struct madt_cpu *cpus;		/* `enabled` entries, from the caller's buffer */
};

/*
 * The MADT at t (len bytes, the SDT header's length, already checksummed by the caller) into
 * *info and buf[0 .. max). x2apic: the BSP runs in x2APIC mode (ids above 254 reachable).
 * Returns 0, or -1 if it is too short to be a MADT.
 */
int madt_parse_table(const void *t, size_t len, bool x2apic, struct madt_info *info,
		     struct madt_cpu *buf, unsigned max);
/* The MP configuration table ("PCMP") at t, avail bytes readable there: the same, from its
 * processor entries. -1 if the signature, the length or the checksum is wrong. */
int mptable_parse(const void *t, size_t avail, struct madt_info *info, struct madt_cpu *buf,
		  unsigned max);
/* The MP floating pointer ("_MP_") in [p, p + len), 16-byte aligned with a valid checksum:
 * the physical address of its configuration table, or 0. */
uint32_t mptable_find(const void *p, size_t len);

/* kernel/smp/madt.c: the MADT, else the MP table; -1 with neither. */
int madt_parse(struct madt_info *info, struct madt_cpu *buf, unsigned max, bool x2apic);

#endif
