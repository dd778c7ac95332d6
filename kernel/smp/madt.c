/*
 * kernel/smp/madt.c - reads the MADT ("APIC", ACPI 6.x 5.2.12) into struct madt_info.
 * A processor entry counts when its Enabled flag (bit 0) is set, or its Online Capable flag
 * (bit 1, ACPI 6.3+) is: firmware may leave a hot-pluggable CPU disabled but startable.
 * Entries with neither are counted apart and never started. Length fields are checked
 * before every read so a corrupt table ends the walk instead of running off it.
 */
#include "madt.h"
#include "acpi.h"
#include "console.h"

#define MADT_LAPIC		0
#define MADT_LAPIC_OVERRIDE	5
#define MADT_X2APIC		9
#define MADT_ENABLED		(1u << 0)
#define MADT_ONLINE_CAPABLE	(1u << 1)

static void add_cpu(struct madt_info *info, struct madt_cpu *buf, unsigned max,
		    uint32_t apic_id, uint32_t uid, uint32_t flags, bool x2)
{
	if (!(flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE))) {
		info->disabled++;
		return;
	}
	if (info->enabled < max) {
		buf[info->enabled].apic_id = apic_id;
		buf[info->enabled].acpi_uid = uid;
		buf[info->enabled].x2apic_entry = x2;
	}
	info->enabled++;
}

int madt_parse(struct madt_info *info, struct madt_cpu *buf, unsigned max)
{
	const struct acpi_sdt_header *h = acpi_find_table("APIC", 0);
	const uint8_t *t = (const uint8_t *)h, *p, *end;
	uint32_t lapic32;

	*info = (struct madt_info){ .cpus = buf };
	if (!h || h->length < 44)
		return -1;
	__builtin_memcpy(&lapic32, t + 36, 4);
	info->lapic_base = lapic32;
	info->found = true;
	end = t + h->length;
	for (p = t + 44; p + 2 <= end; p += p[1]) {
		uint32_t flags, id, uid;

		if (p[1] < 2 || p + p[1] > end) {
			kprintf("madt: entry at offset %u has length %u: table ends there\n",
				(unsigned)(p - t), p[1]);
			break;
		}
		switch (p[0]) {
		case MADT_LAPIC:
			if (p[1] < 8)
				break;
			__builtin_memcpy(&flags, p + 4, 4);
			add_cpu(info, buf, max, p[3], p[2], flags, false);
			break;
		case MADT_X2APIC:
			if (p[1] < 16)
				break;
			__builtin_memcpy(&id, p + 4, 4);
			__builtin_memcpy(&flags, p + 8, 4);
			__builtin_memcpy(&uid, p + 12, 4);
			add_cpu(info, buf, max, id, uid, flags, true);
			break;
		case MADT_LAPIC_OVERRIDE:
			if (p[1] >= 12)
				__builtin_memcpy(&info->lapic_base, p + 4, 8);
			break;
		default:
			break;
		}
	}
	return 0;
}
