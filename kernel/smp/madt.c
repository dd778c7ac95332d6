/*
 * kernel/smp/madt.c - finds the firmware's list of CPUs and hands it to the portable parsers
 * (madt.h, kernel/lib/cpu_tables.c): the ACPI MADT, or without one (QEMU's microvm with
 * acpi=off, old machines) the MP specification's floating pointer in the EBDA's first KiB,
 * the last KiB of base memory or the BIOS ROM at 0xF0000, and its configuration table.
 * Prints what it left out and why.
 */
#include "madt.h"
#include "acpi.h"
#include "console.h"

#define MPC_MAX		0x10000		/* the MP table's base length is 16 bits */

static uint32_t find_mp_pointer(void)
{
	uint16_t ebda_seg;
	uint32_t at;

	__builtin_memcpy(&ebda_seg, (const void *)0x40e, 2);	/* BIOS data area */
	if (ebda_seg && (at = mptable_find((const void *)((uint64_t)ebda_seg << 4), 1024)))
		return at;
	if ((at = mptable_find((const void *)0x9fc00, 1024)))
		return at;
	return mptable_find((const void *)0xf0000, 0x10000);
}

static void report(const struct madt_info *info)
{
	if (info->disabled || info->online_capable || info->invalid_id || info->duplicates)
		kprintf("smp: the %s lists %u CPU entries not started: %u disabled, %u online capable (hot-plug), %u with an APIC id this mode cannot reach or 0xff, %u listed twice\n",
			info->source, info->disabled + info->online_capable + info->invalid_id +
			info->duplicates, info->disabled, info->online_capable, info->invalid_id,
			info->duplicates);
	if (info->truncated)
		kprintf("smp: the %s has an entry that runs past its end: read up to there\n",
			info->source);
}

int madt_parse(struct madt_info *info, struct madt_cpu *buf, unsigned max, bool x2apic)
{
	const struct acpi_sdt_header *h = acpi_find_table("APIC", 0);
	uint32_t mpc;

	if (h && !madt_parse_table(h, h->length, x2apic, info, buf, max)) {
		report(info);
		return 0;
	}
	mpc = find_mp_pointer();
	/* the table below 4 GiB is identity-mapped; MPC_MAX bounds what the parser may read */
	if (mpc && !mptable_parse((const void *)(uint64_t)mpc, MPC_MAX, info, buf, max)) {
		kprintf("smp: no MADT; the CPUs from the MP table at 0x%x\n", mpc);
		report(info);
		return 0;
	}
	return -1;
}
