/*
 * memrange.h: physical-range arithmetic for the page allocator. A struct memrange_list is a
 * sorted list of disjoint, non-adjacent [base, end) ranges in caller-supplied storage of fixed
 * capacity; an operation that would need more room fails with MEMRANGE_EFULL and leaves the
 * list as it was, never dropping a range. No state, no allocation.
 *
 * The boot path:  memrange_build_usable(&l, map...)   RAM the firmware calls available
 *                 memrange_highest(&l)                how far to identity-map
 *                 memrange_reserve(&l, resv, n)       minus kernel image, mb2 info, modules, ...
 *                 memrange_pages(&l)                  what the allocator gets
 */
#ifndef MEMRANGE_H
#define MEMRANGE_H

#include <stddef.h>
#include <stdint.h>

#define MEMRANGE_PAGE_SIZE 4096ull
#define MEMRANGE_AVAILABLE 1u		/* multiboot2 / E820 type of usable RAM */

struct memrange {
	uint64_t base;
	uint64_t end;		/* exclusive; base < end in a list */
};

struct memrange_list {
	struct memrange *r;	/* the caller's storage, cap entries */
	size_t count;
	size_t cap;
};

/* A memory-map entry as multiboot2 (tag 6) and E820 lay it out, read at a caller-given stride. */
struct memrange_map_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
	uint32_t reserved;
};
_Static_assert(sizeof(struct memrange_map_entry) == 24, "the multiboot2 mmap entry layout");

/* What memrange_build_usable() did with the map, for the boot log. */
struct memrange_report {
	size_t entries;		/* entries read */
	size_t available;	/* type-1 entries merged in */
	size_t zero_len;	/* entries of length 0: ignored */
	size_t wrap_dropped;	/* type-1 entries whose base + len passes 2^64: not trusted, dropped */
	size_t wrap_clamped;	/* other entries that pass 2^64: reserved up to the top */
};

enum memrange_err {
	MEMRANGE_OK = 0,
	MEMRANGE_EFULL,		/* the list's capacity is too small; the list is unchanged */
	MEMRANGE_EINVAL,	/* a reservation with end < base, or a map entry_size < 24 */
};

void memrange_init(struct memrange_list *l, struct memrange *storage, size_t cap);

/* Adds [base, end) to the set (merging overlapping and adjacent ranges); no-op if empty. */
int memrange_add(struct memrange_list *l, uint64_t base, uint64_t end);

/* Removes [base, end) from the set; a range split in two needs one free slot. */
int memrange_remove(struct memrange_list *l, uint64_t base, uint64_t end);

/* Rounds every range inward to whole pages (base up, end down) and drops the empty ones. */
void memrange_shrink_to_pages(struct memrange_list *l);

/*
 * Clears l and fills it with the whole pages of RAM that map[0..count) (entries entry_size
 * bytes apart) reports available: the union of the type-1 entries, minus every other entry
 * (where the firmware contradicts itself, reserved wins), rounded inward to pages. A capacity
 * of `count` always suffices. Entries that wrap past 2^64 and empty ones are handled as
 * struct memrange_report says. rep may be NULL.
 */
int memrange_build_usable(struct memrange_list *l, const void *map, size_t entry_size,
			  size_t count, struct memrange_report *rep);

/*
 * Removes each reservation, rounded outward to whole pages, from l. A reservation's end is
 * exclusive; end == UINT64_MAX means "to the top". Needs at most n more slots.
 */
int memrange_reserve(struct memrange_list *l, const struct memrange *resv, size_t n);

/* Whole pages in the list. */
uint64_t memrange_pages(const struct memrange_list *l);

/* The exclusive end of the highest range (0 if empty): identity-map [0, this). */
uint64_t memrange_highest(const struct memrange_list *l);

/* A short name for an enum memrange_err, for panic messages. */
const char *memrange_strerror(int err);

#endif /* MEMRANGE_H */
