/*
 * acpi.h - the ACPI tables the platform reads (kernel/acpi.c): RSDP → RSDT/XSDT → tables,
 * every checksum validated; from the FADT the PM timer, the reset register and the PM1
 * control blocks; from the DSDT the \_S5 sleep type for poweroff. kernel/smp/ reads the MADT
 * through acpi_find_table().
 */
#ifndef ACPI_H
#define ACPI_H

#include <stdint.h>
#include <stdbool.h>

struct acpi_sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct acpi_sdt_header) == 36, "ACPI 5.2.6 table header");

struct acpi_info {
	bool present;			/* a valid RSDP and root table were found */
	uint64_t rsdp;
	unsigned rsdp_revision;
	bool xsdt;			/* root table is the XSDT (64-bit entries) */
	uint64_t root;
	unsigned ntables;
	uint16_t pm_timer_port;		/* 0: none */
	bool pm_timer_32bit;
	bool reset_supported;		/* FADT RESET_REG in I/O space */
	uint16_t reset_port;
	uint8_t reset_value;
	uint16_t pm1a_cnt, pm1b_cnt;	/* I/O ports; 0: none */
	bool s5_found;
	uint8_t s5_typ_a, s5_typ_b;
};

extern struct acpi_info acpi;

/* rsdp: from the multiboot2 new or old RSDP tag, or NULL to scan the BIOS areas.
 * Returns 0, or -1 with the reason printed (the run goes on without ACPI). */
int acpi_init(const void *rsdp, uint32_t rsdp_len);
/* The index-th table with this signature, checksum-validated, or NULL. */
const struct acpi_sdt_header *acpi_find_table(const char sig[4], unsigned index);

#endif
