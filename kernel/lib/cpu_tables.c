/*
 * kernel/lib/cpu_tables.c - the firmware's lists of CPUs (madt.h): the ACPI MADT's processor
 * entries and the MP configuration table's, into one list of APIC ids to start. Portable and
 * hardware-free; every length is checked before a read, so a corrupt table ends the walk
 * (info->truncated) instead of running off it.
 */
#include "madt.h"

#define MADT_LAPIC		0
#define MADT_LAPIC_OVERRIDE	5
#define MADT_X2APIC		9
#define MADT_ENABLED		(1u << 0)
#define MADT_ONLINE_CAPABLE	(1u << 1)
#define MADT_HEADER		44	/* the SDT header, the local APIC address, flags */
#define MPC_HEADER		44
#define MPC_PROCESSOR		0
#define MPC_CPU_ENABLED		(1u << 0)

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, 4);
	return v;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;

	__builtin_memcpy(&v, p, 2);
	return v;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* One processor entry: started, or counted under the reason it is not. */
static void add_cpu(struct madt_info *info, struct madt_cpu *buf, unsigned max, bool x2apic,
		    uint32_t apic_id, uint32_t uid, bool enabled, bool online_capable, bool x2)
{
	unsigned n = info->enabled < max ? info->enabled : max;

	if (!enabled) {
		if (online_capable)
			info->online_capable++;
		else
			info->disabled++;
		return;
	}
	if ((!x2 && apic_id == 0xff) || (!x2apic && apic_id > 254)) {
		info->invalid_id++;
		return;
	}
	for (unsigned i = 0; i < n; i++)
		if (buf[i].apic_id == apic_id) {
			info->duplicates++;
			return;
		}
	if (info->enabled < max)
		buf[info->enabled] = (struct madt_cpu){ apic_id, uid, x2 };
	info->enabled++;
}

/* One pass over the entries, of type 0 only or of type 9 only (type 0 first: see madt.h). */
static void madt_pass(const uint8_t *t, size_t len, bool x2apic, int type,
		      struct madt_info *info, struct madt_cpu *buf, unsigned max)
{
	for (size_t off = MADT_HEADER; off + 2 <= len; off += t[off + 1]) {
		const uint8_t *p = t + off;
		uint32_t flags;

		if (p[1] < 2 || off + p[1] > len) {
			info->truncated = true;
			return;
		}
		if (p[0] == MADT_LAPIC_OVERRIDE && type == MADT_LAPIC && p[1] >= 12)
			__builtin_memcpy(&info->lapic_base, p + 4, 8);
		if (p[0] != type)
			continue;
		if (type == MADT_LAPIC && p[1] >= 8) {
			flags = rd32(p + 4);
			add_cpu(info, buf, max, x2apic, p[3], p[2], flags & MADT_ENABLED,
				flags & MADT_ONLINE_CAPABLE, false);
		} else if (type == MADT_X2APIC && p[1] >= 16) {
			flags = rd32(p + 8);
			add_cpu(info, buf, max, x2apic, rd32(p + 4), rd32(p + 12),
				flags & MADT_ENABLED, flags & MADT_ONLINE_CAPABLE, true);
		}
	}
}

int madt_parse_table(const void *table, size_t len, bool x2apic, struct madt_info *info,
		     struct madt_cpu *buf, unsigned max)
{
	const uint8_t *t = table;

	*info = (struct madt_info){ .cpus = buf, .source = "madt" };
	if (!t || len < MADT_HEADER)
		return -1;
	info->found = true;
	info->lapic_base = rd32(t + 36);
	madt_pass(t, len, x2apic, MADT_LAPIC, info, buf, max);
	if (!info->truncated)
		madt_pass(t, len, x2apic, MADT_X2APIC, info, buf, max);
	return 0;
}

uint32_t mptable_find(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t off = 0; off + 16 <= len; off += 16) {
		const uint8_t *f = b + off;

		if (f[0] == '_' && f[1] == 'M' && f[2] == 'P' && f[3] == '_' && f[8] == 1 &&
		    sum8(f, 16) == 0 && rd32(f + 4))
			return rd32(f + 4);
	}
	return 0;
}

int mptable_parse(const void *table, size_t avail, struct madt_info *info,
		  struct madt_cpu *buf, unsigned max)
{
	const uint8_t *t = table;
	size_t len, off = MPC_HEADER;
	unsigned n;

	*info = (struct madt_info){ .cpus = buf, .source = "mptable" };
	if (!t || avail < MPC_HEADER || t[0] != 'P' || t[1] != 'C' || t[2] != 'M' || t[3] != 'P')
		return -1;
	len = rd16(t + 4);
	if (len < MPC_HEADER || len > avail || sum8(t, len) != 0)
		return -1;
	info->found = true;
	info->lapic_base = rd32(t + 36);
	/* walked to the base length, as Linux's smp_read_mpc does, not by the entry count: qboot
	 * (QEMU's microvm firmware) leaves the count 0 */
	for (n = 0; off < len; n++) {
		size_t size = t[off] == MPC_PROCESSOR ? 20 : 8;

		if (off + size > len || t[off] > 4) {
			info->truncated = true;	/* past the table, or a type the spec lacks */
			break;
		}
		/* the MP table is xAPIC's: ids 0..254, 0xFF never a CPU */
		if (t[off] == MPC_PROCESSOR)
			add_cpu(info, buf, max, false, t[off + 1], n, t[off + 3] & MPC_CPU_ENABLED,
				false, false);
		off += size;
	}
	return 0;
}
