/*
 * test_cpu_tables.c: the firmware's CPU lists (kernel/lib/cpu_tables.c) on synthetic tables
 * built here: MADTs as QEMU and as real firmware write them (CPUs listed in both type 0 and
 * type 9, Online Capable hot-plug slots, APIC id 0xFF placeholders, x2APIC-only ids above 254,
 * a local APIC address override, entries that run past the table or have length 0), and MP
 * configuration tables (qboot's with an entry count of 0, bad checksums and signatures, a
 * disabled processor, an unknown entry type), and the MP floating pointer scan. Each case
 * gives the APIC ids to start, in order, and the counts of what is left out and why.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "madt.h"

static unsigned number, failures;

static void report(bool ok, const char *what, const char *detail)
{
	printf("%sok %u - %s%s%s\n", ok ? "" : "not ", ++number, what, *detail ? ": " : "", detail);
	failures += !ok;
}

/* A table under construction: bytes and a length. */
struct tb {
	uint8_t b[1024];
	size_t n;
};

static void put(struct tb *t, const void *p, size_t n)
{
	memcpy(t->b + t->n, p, n);
	t->n += n;
}

static void put8(struct tb *t, uint8_t v) { put(t, &v, 1); }
static void put16(struct tb *t, uint16_t v) { put(t, &v, 2); }
static void put32(struct tb *t, uint32_t v) { put(t, &v, 4); }
static void put64(struct tb *t, uint64_t v) { put(t, &v, 8); }

static void madt_begin(struct tb *t)
{
	t->n = 0;
	put(t, "APIC", 4);
	put32(t, 0);		/* length, set by madt_end */
	put(t, "\1\0OEMID OEMTABLE", 16);
	put(t, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);	/* the rest of the SDT header */
	put32(t, 0xfee00000);	/* local APIC address */
	put32(t, 1);		/* flags: PCAT_COMPAT */
}

static void lapic(struct tb *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	put8(t, 0); put8(t, 8); put8(t, uid); put8(t, id); put32(t, flags);
}

static void x2apic(struct tb *t, uint32_t id, uint32_t flags, uint32_t uid)
{
	put8(t, 9); put8(t, 16); put16(t, 0); put32(t, id); put32(t, flags); put32(t, uid);
}

static size_t madt_end(struct tb *t)
{
	uint32_t len = (uint32_t)t->n;

	memcpy(t->b + 4, &len, 4);
	return t->n;
}

/* "ids" as "0,1,2" from the parse result */
static void ids(const struct madt_info *mi, char *s, size_t n)
{
	size_t len = 0;

	s[0] = 0;
	for (unsigned i = 0; i < mi->enabled && i < 16; i++)
		len += (size_t)snprintf(s + len, n - len, "%s%u%s", i ? "," : "", mi->cpus[i].apic_id,
					mi->cpus[i].x2apic_entry ? "x" : "");
}

static void check(const char *what, const struct madt_info *mi, const char *want_ids,
		  unsigned disabled, unsigned oc, unsigned invalid, unsigned dups, bool trunc)
{
	char got[256], detail[512];
	bool ok;

	ids(mi, got, sizeof(got));
	ok = !strcmp(got, want_ids) && mi->disabled == disabled && mi->online_capable == oc &&
	     mi->invalid_id == invalid && mi->duplicates == dups && mi->truncated == trunc;
	snprintf(detail, sizeof(detail), "ids %s (want %s) disabled %u oc %u invalid %u dups %u trunc %d",
		 got, want_ids, mi->disabled, mi->online_capable, mi->invalid_id, mi->duplicates,
		 mi->truncated);
	report(ok, what, ok ? "" : detail);
}

static void madt_cases(void)
{
	struct madt_cpu buf[16];
	struct madt_info mi;
	struct tb t;

	madt_begin(&t);
	for (int i = 0; i < 4; i++)
		lapic(&t, (uint8_t)i, (uint8_t)i, 1);
	madt_parse_table(t.b, madt_end(&t), false, &mi, buf, 16);
	check("QEMU's MADT: four enabled type-0 entries", &mi, "0,1,2,3", 0, 0, 0, 0, false);

	madt_begin(&t);
	for (int i = 0; i < 4; i++)
		x2apic(&t, (uint32_t)i, 1, (uint32_t)i);	/* type 9 first in the table */
	for (int i = 0; i < 4; i++)
		lapic(&t, (uint8_t)i, (uint8_t)i, 1);
	madt_parse_table(t.b, madt_end(&t), true, &mi, buf, 16);
	check("every CPU in both type 0 and type 9: once each, type 0 kept", &mi, "0,1,2,3", 0, 0, 0,
	      4, false);

	madt_begin(&t);
	lapic(&t, 0, 0, 1);
	lapic(&t, 1, 1, 2);	/* Online Capable, not Enabled */
	lapic(&t, 2, 2, 0);	/* neither */
	lapic(&t, 3, 0xff, 1);	/* a placeholder */
	lapic(&t, 4, 4, 3);	/* both: Enabled wins */
	madt_parse_table(t.b, madt_end(&t), false, &mi, buf, 16);
	check("Online Capable, disabled and 0xFF entries are not started", &mi, "0,4", 1, 1, 1, 0,
	      false);

	madt_begin(&t);
	lapic(&t, 0, 0, 1);
	x2apic(&t, 300, 1, 1);
	x2apic(&t, 301, 1, 2);
	madt_parse_table(t.b, madt_end(&t), true, &mi, buf, 16);
	check("x2APIC mode: ids above 254 from type 9", &mi, "0,300x,301x", 0, 0, 0, 0, false);
	madt_parse_table(t.b, t.n, false, &mi, buf, 16);
	check("xAPIC mode: ids above 254 cannot be reached", &mi, "0", 0, 0, 2, 0, false);

	madt_begin(&t);
	lapic(&t, 0, 0, 1);
	put8(&t, 5); put8(&t, 12); put16(&t, 0); put64(&t, 0xfed00000ull);
	lapic(&t, 1, 1, 1);
	madt_parse_table(t.b, madt_end(&t), false, &mi, buf, 16);
	report(mi.lapic_base == 0xfed00000ull && mi.enabled == 2, "a type-5 override moves the local APIC",
	       "");

	madt_begin(&t);
	lapic(&t, 0, 0, 1);
	put8(&t, 0); put8(&t, 0);	/* length 0: would loop for ever */
	lapic(&t, 1, 1, 1);
	madt_parse_table(t.b, madt_end(&t), false, &mi, buf, 16);
	check("an entry of length 0 ends the walk", &mi, "0", 0, 0, 0, 0, true);

	madt_begin(&t);
	lapic(&t, 0, 0, 1);
	lapic(&t, 1, 1, 1);
	madt_parse_table(t.b, madt_end(&t) - 3, false, &mi, buf, 16);
	check("an entry running past the table's length ends the walk", &mi, "0", 0, 0, 0, 0, true);

	madt_begin(&t);
	for (int i = 0; i < 6; i++)
		lapic(&t, (uint8_t)i, (uint8_t)i, 1);
	madt_parse_table(t.b, madt_end(&t), false, &mi, buf, 4);
	report(mi.enabled == 6 && buf[3].apic_id == 3, "more CPUs than the buffer: counted, first ones kept",
	       "");
	report(madt_parse_table(t.b, 40, false, &mi, buf, 4) == -1, "a table shorter than its header",
	       "");
}

/* An MP configuration table: the header, then the entries given, checksummed. */
static size_t mpc_build(struct tb *t, const uint8_t *entries, size_t n, uint16_t count)
{
	uint16_t len = (uint16_t)(44 + n);
	uint8_t sum = 0;

	t->n = 0;
	put(t, "PCMP", 4);
	put16(t, len);
	put8(t, 4);
	put8(t, 0);		/* checksum, below */
	put(t, "QBOOT   000000000000", 20);
	put32(t, 0); put16(t, 0); put16(t, count);
	put32(t, 0xfee00000); put16(t, 0); put8(t, 0); put8(t, 0);
	put(t, entries, n);
	for (size_t i = 0; i < t->n; i++)
		sum += t->b[i];
	t->b[7] = (uint8_t)-sum;
	return t->n;
}

static void mptable_cases(void)
{
	static const uint8_t cpu_bp[20] = { 0, 0, 0x14, 3 }, cpu1[20] = { 0, 1, 0x14, 1 },
			     cpu2_off[20] = { 0, 2, 0x14, 0 }, cpu3[20] = { 0, 3, 0x14, 1 };
	static const uint8_t bus[8] = { 1, 0, 'I', 'S', 'A' }, ioapic[8] = { 2, 4, 0x11, 1 };
	uint8_t e[128];
	struct madt_cpu buf[16];
	struct madt_info mi;
	struct tb t;
	size_t n = 0, len;

	memcpy(e + n, cpu_bp, 20); n += 20;
	memcpy(e + n, cpu1, 20); n += 20;
	memcpy(e + n, cpu2_off, 20); n += 20;
	memcpy(e + n, cpu3, 20); n += 20;
	memcpy(e + n, bus, 8); n += 8;
	memcpy(e + n, ioapic, 8); n += 8;
	len = mpc_build(&t, e, n, 0);
	report(mptable_parse(t.b, len, &mi, buf, 16) == 0, "qboot's table (entry count 0) parses", "");
	check("its processors by base length, the disabled one left out", &mi, "0,1,3", 1, 0, 0, 0,
	      false);
	report(mi.lapic_base == 0xfee00000ull && !strcmp(mi.source, "mptable"), "its local APIC address",
	       "");
	t.b[7]++;
	report(mptable_parse(t.b, len, &mi, buf, 16) == -1, "a bad checksum is refused", "");
	t.b[7]--;
	report(mptable_parse(t.b, len - 1, &mi, buf, 16) == -1, "a base length past what may be read",
	       "");
	t.b[0] = 'X';
	report(mptable_parse(t.b, len, &mi, buf, 16) == -1, "a wrong signature is refused", "");
	e[n] = 7;		/* a type the specification lacks */
	len = mpc_build(&t, e, n + 8, 7);
	mptable_parse(t.b, len, &mi, buf, 16);
	check("an unknown entry type ends the walk", &mi, "0,1,3", 1, 0, 0, 0, true);
}

static void pointer_cases(void)
{
	uint8_t area[256] = { 0 }, *f = area + 0x30, sum = 0;
	uint32_t at = 0x9fc10;

	memcpy(f, "_MP_", 4);
	memcpy(f + 4, &at, 4);
	f[8] = 1;
	f[9] = 4;
	for (int i = 0; i < 16; i++)
		sum += f[i];
	f[10] = (uint8_t)-sum;
	report(mptable_find(area, sizeof(area)) == at, "the floating pointer is found", "");
	report(mptable_find(area, 0x30) == 0, "not past the area given", "");
	f[10]++;
	report(mptable_find(area, sizeof(area)) == 0, "not with a bad checksum", "");
	f[10]--;
	memmove(area + 0x38, f, 16);
	memset(f, 0, 8);
	report(mptable_find(area, sizeof(area)) == 0, "not off a 16-byte boundary", "");
}

int main(void)
{
	madt_cases();
	mptable_cases();
	pointer_cases();
	printf("%s: %u cases, %u failed\n", failures ? "FAIL" : "PASS", number, failures);
	return failures ? 1 : 0;
}
