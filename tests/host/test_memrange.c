/*
 * test_memrange.c: the page allocator's range arithmetic on tables of memory maps and
 * reservations, then against a brute-force model.
 *
 * cases[] covers a SeaBIOS-like E820 map with the usual reservations, unsorted, overlapping,
 * adjacent, unaligned, zero-length and wrapping entries, firmware that lists RAM as both
 * available and reserved, reservations at the edges and past the top of memory, wide (40-byte)
 * entries and too-small capacities (MEMRANGE_EFULL, never a silent drop): each row gives the
 * expected free ranges, page count and highest usable address. The model test builds 3000
 * random maps over a small address space and checks, page by page, that a page is free
 * exactly when all its bytes are available, none is listed otherwise, and no reservation
 * touches it; and that the list invariant (sorted, disjoint, non-adjacent, aligned) holds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "memrange.h"

#define MAXN 16

/* The tables below leave trailing fields (reserved, report counters) to zero-initialisation. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct mr_case {
	const char *name;
	struct memrange_map_entry map[MAXN];
	size_t nmap;
	struct memrange resv[MAXN];
	size_t nresv;
	size_t cap;			/* of the result list */
	int rc;				/* of build_usable, else of reserve */
	uint64_t highest;		/* memrange_highest() after build_usable */
	struct memrange want[MAXN];	/* free ranges after reserve */
	size_t nwant;
	size_t zero_len, wrap_dropped, wrap_clamped;
};

static const struct mr_case cases[] = {
	{ "SeaBIOS 128 MiB, low 1 MiB + kernel + unaligned mb2 info reserved",
	  { { 0x0, 0x9fc00, 1 }, { 0x9fc00, 0x400, 2 }, { 0xf0000, 0x10000, 2 },
	    { 0x100000, 0x7ee0000, 1 }, { 0x7fe0000, 0x20000, 2 }, { 0xfffc0000, 0x40000, 2 } }, 6,
	  { { 0, 0x100000 }, { 0x100000, 0x180000 }, { 0x1a0010, 0x1a0450 } }, 3,
	  16, MEMRANGE_OK, 0x7fe0000,
	  { { 0x180000, 0x1a0000 }, { 0x1a1000, 0x7fe0000 } }, 2 },
	{ "unsorted, overlapping and adjacent entries merge",
	  { { 0x200000, 0x100000, 1 }, { 0x100000, 0x180000, 1 }, { 0x400000, 0x1000, 1 },
	    { 0x300000, 0x100000, 1 } }, 4,
	  { { 0 } }, 0, 4, MEMRANGE_OK, 0x401000,
	  { { 0x100000, 0x401000 } }, 1 },
	{ "unaligned entry shrinks to whole pages",
	  { { 0x1234, 0x5000, 1 } }, 1, { { 0 } }, 0, 4, MEMRANGE_OK, 0x6000,
	  { { 0x2000, 0x6000 } }, 1 },
	{ "adjacent unaligned halves merge before rounding",
	  { { 0x1800, 0x1000, 1 }, { 0x2800, 0x1000, 1 } }, 2, { { 0 } }, 0, 4, MEMRANGE_OK, 0x3000,
	  { { 0x2000, 0x3000 } }, 1 },
	{ "zero-length entries are ignored and counted",
	  { { 0x100000, 0, 1 }, { 0x200000, 0x100000, 1 }, { 0x250000, 0, 2 } }, 3,
	  { { 0 } }, 0, 4, MEMRANGE_OK, 0x300000, { { 0x200000, 0x300000 } }, 1, .zero_len = 2 },
	{ "available entry wrapping past 2^64 is dropped",
	  { { 0x100000, 0x100000, 1 }, { 0xfffffffffffff000ull, 0x2000, 1 } }, 2,
	  { { 0 } }, 0, 4, MEMRANGE_OK, 0x200000, { { 0x100000, 0x200000 } }, 1, .wrap_dropped = 1 },
	{ "reserved entry wrapping past 2^64 reserves to the top",
	  { { 0x100000, 0x10000000, 1 }, { 0x8000000, UINT64_MAX, 2 } }, 2,
	  { { 0 } }, 0, 4, MEMRANGE_OK, 0x8000000, { { 0x100000, 0x8000000 } }, 1, .wrap_clamped = 1 },
	{ "RAM listed available and reserved: reserved wins, by whole pages",
	  { { 0x100000, 0xf00000, 1 }, { 0x800000, 0x800, 2 } }, 2, { { 0 } }, 0, 4, MEMRANGE_OK,
	  0x1000000, { { 0x100000, 0x800000 }, { 0x801000, 0x1000000 } }, 2 },
	{ "ACPI and NVS ranges are not usable",
	  { { 0x100000, 0x100000, 1 }, { 0x200000, 0x100000, 3 }, { 0x300000, 0x100000, 4 },
	    { 0x400000, 0x100000, 5 } }, 4, { { 0 } }, 0, 4, MEMRANGE_OK, 0x200000,
	  { { 0x100000, 0x200000 } }, 1 },
	{ "reservation touching the edges trims, beyond all ranges does nothing",
	  { { 0x100000, 0x300000, 1 } }, 1,
	  { { 0x100000, 0x200000 }, { 0x380000, 0x400000 }, { 0x10000000, 0x20000000 } }, 3,
	  4, MEMRANGE_OK, 0x400000, { { 0x200000, 0x380000 } }, 1 },
	{ "reservation covering everything leaves nothing",
	  { { 0x100000, 0x300000, 1 }, { 0x1000000, 0x1000, 1 } }, 2, { { 0, UINT64_MAX } }, 1,
	  4, MEMRANGE_OK, 0x1001000, { { 0 } }, 0 },
	{ "empty reservation is a no-op",
	  { { 0x100000, 0x1000, 1 } }, 1, { { 0x100800, 0x100800 } }, 1, 4, MEMRANGE_OK, 0x101000,
	  { { 0x100000, 0x101000 } }, 1 },
	{ "reservation with end below base is rejected",
	  { { 0x100000, 0x1000, 1 } }, 1, { { 0x200000, 0x100000 } }, 1, 4, MEMRANGE_EINVAL,
	  0x101000, { { 0x100000, 0x101000 } }, 1 },
	{ "top of the address space, reservation rounding past 2^64",
	  { { 0xfffffffffffe0000ull, 0x1f000, 1 } }, 1,
	  { { 0xffffffffffffe800ull, UINT64_MAX - 10 } }, 1, 4, MEMRANGE_OK, 0xfffffffffffff000ull,
	  { { 0xfffffffffffe0000ull, 0xffffffffffffe000ull } }, 1 },
	{ "capacity 1, two disjoint ranges: EFULL",
	  { { 0x100000, 0x1000, 1 }, { 0x300000, 0x1000, 1 } }, 2, { { 0 } }, 0, 1, MEMRANGE_EFULL,
	  0, { { 0 } }, 0 },
	{ "capacity 2, one range split twice by reservations: EFULL",
	  { { 0x100000, 0x100000, 1 } }, 1, { { 0x120000, 0x121000 }, { 0x180000, 0x181000 } }, 2,
	  2, MEMRANGE_EFULL, 0x200000, { { 0 } }, 0 },
	{ "capacity 3, same split: fits",
	  { { 0x100000, 0x100000, 1 } }, 1, { { 0x120000, 0x121000 }, { 0x180000, 0x181000 } }, 2,
	  3, MEMRANGE_OK, 0x200000,
	  { { 0x100000, 0x120000 }, { 0x121000, 0x180000 }, { 0x181000, 0x200000 } }, 3 },
	{ "capacity 0 with an empty map",
	  { { 0 } }, 0, { { 0, 0x100000 } }, 1, 0, MEMRANGE_OK, 0, { { 0 } }, 0 },
};

static int failures, case_no;

static void report(bool ok, const char *name, const char *detail)
{
	case_no++;
	if (!ok)
		failures++;
	printf("%s %d - %s%s%s\n", ok ? "ok" : "not ok", case_no, name, detail[0] ? ": " : "",
	       detail);
}

/* Sorted, disjoint, non-adjacent, page-aligned, non-empty. */
static bool list_ok(const struct memrange_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		if (l->r[i].base >= l->r[i].end || (l->r[i].base | l->r[i].end) % MEMRANGE_PAGE_SIZE)
			return false;
		if (i > 0 && l->r[i - 1].end >= l->r[i].base)
			return false;
	}
	return true;
}

static void describe(char *buf, size_t n, const struct memrange_list *l)
{
	size_t pos = (size_t)snprintf(buf, n, "got %zu:", l->count);

	for (size_t i = 0; i < l->count && pos < n; i++)
		pos += (size_t)snprintf(buf + pos, n - pos, " [%#llx,%#llx)",
					(unsigned long long)l->r[i].base,
					(unsigned long long)l->r[i].end);
}

/* Runs build_usable on a copy of the map placed at the given stride (24 or wider). */
static int build(const struct mr_case *c, size_t stride, struct memrange_list *l,
		 struct memrange_report *rep)
{
	uint8_t *map = malloc(c->nmap * stride + 1);	/* exact: ASan sees reads past the map */
	int rc;

	memset(map, 0xee, c->nmap * stride + 1);
	for (size_t i = 0; i < c->nmap; i++) {
		struct memrange_map_entry e = c->map[i];

		e.reserved = 0xeeeeeeee;	/* must be ignored */
		memcpy(map + i * stride, &e, sizeof(e));
	}
	rc = memrange_build_usable(l, map, stride, c->nmap, rep);
	free(map);
	return rc;
}

static void run_case(const struct mr_case *c, size_t stride)
{
	struct memrange *store = malloc((c->cap ? c->cap : 1) * sizeof(*store));
	struct memrange_list l;
	struct memrange_report rep;
	char name[160], detail[600] = "";
	uint64_t highest = 0, pages = 0;
	bool ok;
	int rc;

	memrange_init(&l, store, c->cap);
	rc = build(c, stride, &l, &rep);
	if (rc == MEMRANGE_OK) {
		highest = memrange_highest(&l);
		rc = memrange_reserve(&l, c->resv, c->nresv);
	}
	ok = rc == c->rc && l.count <= c->cap;
	if (c->rc != MEMRANGE_EFULL) {
		ok = ok && highest == c->highest && list_ok(&l) && l.count == c->nwant &&
		     memcmp(l.r, c->want, c->nwant * sizeof(c->want[0])) == 0;
		ok = ok && rep.zero_len == c->zero_len && rep.wrap_dropped == c->wrap_dropped &&
		     rep.wrap_clamped == c->wrap_clamped;
		for (size_t i = 0; i < c->nwant; i++)
			pages += (c->want[i].end - c->want[i].base) / MEMRANGE_PAGE_SIZE;
		ok = ok && memrange_pages(&l) == pages;
	}
	snprintf(name, sizeof(name), "%s (stride %zu)", c->name, stride);
	if (!ok) {
		describe(detail, sizeof(detail), &l);
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
			 "; rc %d (%s), want %d; highest %#llx", rc, memrange_strerror(rc), c->rc,
			 (unsigned long long)highest);
	} else {
		snprintf(detail, sizeof(detail), "%llu pages, highest %#llx",
			 (unsigned long long)memrange_pages(&l), (unsigned long long)highest);
	}
	report(ok, name, detail);
	free(store);
}

/* ---- brute-force model over 96 pages, in 256-byte units ---- */

/* Entries start in the first 64 pages and end before page 96, so the model sees all of them. */
enum { PAGES = 96, UNIT = 256, UNITS_PER_PAGE = MEMRANGE_PAGE_SIZE / UNIT, UNITS = PAGES * UNITS_PER_PAGE,
       START_UNITS = 64 * UNITS_PER_PAGE };

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rnd(uint64_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n ? rng_state % n : 0;
}

static bool model_run(char *why, size_t whylen)
{
	static const uint32_t types[] = { 1, 1, 1, 2, 3, 4 };
	struct memrange_map_entry map[8];
	struct memrange resv[4], store[12];
	struct memrange_list l;
	bool avail[UNITS] = { 0 }, other[UNITS] = { 0 }, usable[PAGES], want[PAGES], got[PAGES] = { 0 };
	size_t nmap = 1 + rnd(8), nresv = rnd(5);
	uint64_t want_highest = 0, highest;
	int rc;

	for (size_t i = 0; i < nmap; i++) {
		uint64_t b = rnd(START_UNITS), n = rnd(300);
		map[i] = (struct memrange_map_entry){ b * UNIT, n * UNIT, types[rnd(6)], 0 };
		for (uint64_t u = b; u < b + n && u < UNITS; u++) {
			if (map[i].type == 1)
				avail[u] = true;
			else
				other[u] = true;
		}
	}
	for (size_t i = 0; i < nresv; i++) {
		uint64_t b = rnd(64 * MEMRANGE_PAGE_SIZE), n = rnd(3) ? rnd(3 * MEMRANGE_PAGE_SIZE) : 0;
		resv[i] = (struct memrange){ b, b + n };
	}
	for (size_t p = 0; p < PAGES; p++) {
		usable[p] = true;
		for (size_t u = p * UNITS_PER_PAGE; u < (p + 1) * UNITS_PER_PAGE; u++)
			usable[p] = usable[p] && avail[u] && !other[u];
		if (usable[p])
			want_highest = (p + 1) * MEMRANGE_PAGE_SIZE;
		want[p] = usable[p];
		for (size_t i = 0; i < nresv; i++)
			if (resv[i].base < resv[i].end && resv[i].base < (p + 1) * MEMRANGE_PAGE_SIZE &&
			    resv[i].end > p * MEMRANGE_PAGE_SIZE)
				want[p] = false;
	}
	memrange_init(&l, store, nmap + nresv);	/* the capacity memrange.h promises suffices */
	rc = memrange_build_usable(&l, map, sizeof(map[0]), nmap, NULL);
	highest = memrange_highest(&l);
	if (rc == MEMRANGE_OK)
		rc = memrange_reserve(&l, resv, nresv);
	if (rc != MEMRANGE_OK || !list_ok(&l) || highest != want_highest) {
		snprintf(why, whylen, "rc %d, list_ok %d, highest %#llx want %#llx", rc, list_ok(&l),
			 (unsigned long long)highest, (unsigned long long)want_highest);
		return false;
	}
	for (size_t i = 0; i < l.count; i++)
		for (uint64_t a = l.r[i].base; a < l.r[i].end; a += MEMRANGE_PAGE_SIZE)
			if (a / MEMRANGE_PAGE_SIZE < PAGES)
				got[a / MEMRANGE_PAGE_SIZE] = true;
	for (size_t p = 0; p < PAGES; p++) {
		if (got[p] != want[p]) {
			snprintf(why, whylen, "page %zu: free %d, model %d (usable %d)", p, got[p],
				 want[p], usable[p]);
			return false;
		}
	}
	return true;
}

static void run_model(void)
{
	char why[200] = "";
	int i;

	for (i = 0; i < 3000; i++)
		if (!model_run(why, sizeof(why)))
			break;
	if (i == 3000)
		snprintf(why, sizeof(why), "3000 random maps agree page by page");
	report(i == 3000, "model", why);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_case(&cases[i], sizeof(struct memrange_map_entry));
		run_case(&cases[i], 40);
	}
	{
		struct memrange_list l;
		struct memrange s[1];
		struct memrange_map_entry e = { 0x100000, 0x1000, 1, 0 };

		memrange_init(&l, s, 1);
		report(memrange_build_usable(&l, &e, 16, 1, NULL) == MEMRANGE_EINVAL,
		       "entry_size 16 is rejected", "");
	}
	run_model();
	printf("%s: %d cases, %d failed\n", failures ? "FAIL" : "PASS", case_no, failures);
	return failures ? 1 : 0;
}
