/*
 * memrange.c: range-list arithmetic for the page allocator (memrange.h). The invariant of a
 * struct memrange_list, kept by every function here: r[0..count) sorted by base, each
 * base < end, and r[i].end < r[i + 1].base (disjoint and not even adjacent). Every operation
 * checks its capacity before it changes anything. No state.
 */
#include <stdbool.h>
#include "memrange.h"

#define PAGE_MASK (MEMRANGE_PAGE_SIZE - 1)

void memrange_init(struct memrange_list *l, struct memrange *storage, size_t cap)
{
	l->r = storage;
	l->count = 0;
	l->cap = cap;
}

/* Moves r[from..count) to start at r[to]; count is the caller's to fix. */
static void shift(struct memrange_list *l, size_t from, size_t to)
{
	__builtin_memmove(&l->r[to], &l->r[from], (l->count - from) * sizeof(l->r[0]));
}

int memrange_add(struct memrange_list *l, uint64_t base, uint64_t end)
{
	size_t i = 0, j;

	if (base >= end)
		return MEMRANGE_OK;
	/* r[i..j) overlap or touch [base, end): they merge with it into one range. */
	while (i < l->count && l->r[i].end < base)
		i++;
	for (j = i; j < l->count && l->r[j].base <= end; j++)
		;
	if (i == j) {
		if (l->count == l->cap)
			return MEMRANGE_EFULL;
		shift(l, i, i + 1);
		l->count++;
		l->r[i].base = base;
		l->r[i].end = end;
		return MEMRANGE_OK;
	}
	l->r[i].base = l->r[i].base < base ? l->r[i].base : base;
	l->r[i].end = l->r[j - 1].end > end ? l->r[j - 1].end : end;
	shift(l, j, i + 1);
	l->count -= j - i - 1;
	return MEMRANGE_OK;
}

int memrange_remove(struct memrange_list *l, uint64_t base, uint64_t end)
{
	size_t i, n = 0;

	if (base >= end)
		return MEMRANGE_OK;
	/* Strictly inside one range: the only case that needs a new slot. */
	for (i = 0; i < l->count; i++) {
		if (l->r[i].base < base && l->r[i].end > end) {
			if (l->count == l->cap)
				return MEMRANGE_EFULL;
			shift(l, i + 1, i + 2);
			l->count++;
			l->r[i + 1].base = end;
			l->r[i + 1].end = l->r[i].end;
			l->r[i].end = base;
			return MEMRANGE_OK;
		}
	}
	/* Otherwise trim the ranges it overlaps and drop those it covers, compacting as we go. */
	for (i = 0; i < l->count; i++) {
		struct memrange r = l->r[i];

		if (r.base < end && r.end > base) {
			if (r.base < base)
				r.end = base;
			else if (r.end > end)
				r.base = end;
			else
				continue;	/* covered: dropped */
		}
		l->r[n++] = r;
	}
	l->count = n;
	return MEMRANGE_OK;
}

void memrange_shrink_to_pages(struct memrange_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->count; i++) {
		uint64_t end = l->r[i].end & ~PAGE_MASK;
		uint64_t base = l->r[i].base;

		/* Round base up; a base in the last page rounds past 2^64: nothing left. */
		if (base > UINT64_MAX - PAGE_MASK)
			continue;
		base = (base + PAGE_MASK) & ~PAGE_MASK;
		if (base < end) {
			l->r[n].base = base;
			l->r[n].end = end;
			n++;
		}
	}
	l->count = n;
}

static struct memrange_map_entry read_entry(const void *map, size_t entry_size, size_t i)
{
	struct memrange_map_entry e;

	__builtin_memcpy(&e, (const uint8_t *)map + i * entry_size, sizeof(e));
	return e;
}

int memrange_build_usable(struct memrange_list *l, const void *map, size_t entry_size,
			  size_t count, struct memrange_report *rep)
{
	struct memrange_report dummy;
	int rc;

	if (!rep)
		rep = &dummy;
	__builtin_memset(rep, 0, sizeof(*rep));
	l->count = 0;
	if (entry_size < sizeof(struct memrange_map_entry))
		return MEMRANGE_EINVAL;
	rep->entries = count;
	/* Pass 1: the union of available RAM. An available entry that wraps is garbage. */
	for (size_t i = 0; i < count; i++) {
		struct memrange_map_entry e = read_entry(map, entry_size, i);

		if (e.len == 0) {
			rep->zero_len++;
			continue;
		}
		if (e.type != MEMRANGE_AVAILABLE)
			continue;
		if (e.base + e.len < e.base || e.base + e.len == 0) {
			rep->wrap_dropped++;
			continue;
		}
		rep->available++;
		rc = memrange_add(l, e.base, e.base + e.len);
		if (rc != MEMRANGE_OK)
			return rc;
	}
	/* Pass 2: anything else the map lists wins over available; one that wraps runs to the top. */
	for (size_t i = 0; i < count; i++) {
		struct memrange_map_entry e = read_entry(map, entry_size, i);
		uint64_t end = e.base + e.len;

		if (e.len == 0 || e.type == MEMRANGE_AVAILABLE)
			continue;
		if (end < e.base || end == 0) {
			rep->wrap_clamped++;
			end = UINT64_MAX;
		}
		rc = memrange_remove(l, e.base, end);
		if (rc != MEMRANGE_OK)
			return rc;
	}
	memrange_shrink_to_pages(l);
	return MEMRANGE_OK;
}

int memrange_reserve(struct memrange_list *l, const struct memrange *resv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (resv[i].end < resv[i].base)
			return MEMRANGE_EINVAL;
	for (size_t i = 0; i < n; i++) {
		uint64_t base = resv[i].base & ~PAGE_MASK;
		uint64_t end = resv[i].end;
		int rc;

		if (resv[i].base == resv[i].end)
			continue;
		/* Round end up; past the last page it means the top (list ends are page-aligned). */
		end = end > UINT64_MAX - PAGE_MASK ? UINT64_MAX : (end + PAGE_MASK) & ~PAGE_MASK;
		rc = memrange_remove(l, base, end);
		if (rc != MEMRANGE_OK)
			return rc;
	}
	return MEMRANGE_OK;
}

uint64_t memrange_pages(const struct memrange_list *l)
{
	uint64_t pages = 0;

	for (size_t i = 0; i < l->count; i++)
		pages += (l->r[i].end - l->r[i].base) / MEMRANGE_PAGE_SIZE;
	return pages;
}

uint64_t memrange_highest(const struct memrange_list *l)
{
	return l->count ? l->r[l->count - 1].end : 0;
}

const char *memrange_strerror(int err)
{
	static const char *const names[] = {
		[MEMRANGE_OK] = "ok",
		[MEMRANGE_EFULL] = "range list full",
		[MEMRANGE_EINVAL] = "invalid range or entry size",
	};

	if (err < 0 || (size_t)err >= sizeof(names) / sizeof(names[0]))
		return "unknown memrange error";
	return names[err];
}
