/*
 * madt.h - the CPUs the firmware reports, from the ACPI MADT (kernel/smp/madt.c): local APIC
 * (type 0) and local x2APIC (type 9) entries with their enabled and online-capable flags.
 * Dense CPU numbers are assigned here in table order, BSP first; APIC ids stay sparse.
 */
#ifndef MADT_H
#define MADT_H

#include <stdint.h>
#include <stdbool.h>

struct madt_cpu {
	uint32_t apic_id;
	uint32_t acpi_uid;
	bool x2apic_entry;	/* came from a type-9 entry */
};

struct madt_info {
	bool found;
	uint64_t lapic_base;		/* from the MADT header or a type-5 override */
	unsigned enabled;		/* usable CPUs: enabled, or online-capable */
	unsigned disabled;		/* listed but neither enabled nor online-capable */
	struct madt_cpu *cpus;		/* `enabled` entries, from madt_parse's caller buffer */
};

/* Fills info->cpus[0 .. min(enabled, max)) and the counts; returns 0 or -1 without a MADT. */
int madt_parse(struct madt_info *info, struct madt_cpu *buf, unsigned max);

#endif
