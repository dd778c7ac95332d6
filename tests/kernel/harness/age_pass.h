/*
 * age_pass.h - agers that age a whole memslot together, pass after pass (the seed-effect
 * benchmark's aging, as an MGLRU aging walk asks for every page of a VM): each ager takes the
 * next chunk of AGE_PASS_CHUNK gfns from one cursor; no chunk of a pass is handed out before
 * the pass before it has been aged in full, and the ager that ages a pass's last chunk times
 * the pass (from the end of the one before) and opens the next. So a pass's duration is the
 * time the agers together took to age every rmap of the slot once.
 *
 * Portable (atomics only, the clock is the caller's): the kernel's harness (roles.c, in TSC
 * cycles) and the hosted benchmark (tests/host/seed_effect.c, in ns) share it.
 */
#ifndef AGE_PASS_H
#define AGE_PASS_H

#include <stdbool.h>
#include <stdint.h>
#include "rmap/memslot.h"

#define AGE_PASS_CHUNK	64	/* gfns of a chunk: one mmu_lock hold for a locked ager */

struct age_pass {
	uint64_t next __attribute__((aligned(64)));	/* atomic: chunks handed out */
	uint64_t aged __attribute__((aligned(64)));	/* atomic: chunks aged */
	uint64_t passes __attribute__((aligned(64)));	/* atomic: passes completed */
	uint64_t t0;			/* when the open pass began: the last pass's ender's */
	uint64_t chunks;		/* chunks in a pass */
	gfn_t base;
	uint64_t gfns;
	uint64_t *durations;		/* [cap]: the first passes' durations, caller's clock */
	uint64_t cap;
};

/* Before any ager runs; now: the caller's clock at the start of the first pass. */
void age_pass_init(struct age_pass *p, gfn_t base, uint64_t gfns, uint64_t *durations,
		   uint64_t cap, uint64_t now);
/* The next chunk [*start, *end) of the open pass; false if all of its chunks are handed out
 * and some are still being aged (the caller waits a little and asks again). */
bool age_pass_take(struct age_pass *p, gfn_t *start, gfn_t *end);
/* The chunk taken is aged; now: the caller's clock. */
void age_pass_aged(struct age_pass *p, uint64_t now);
/* Passes completed (any thread). */
uint64_t age_pass_count(struct age_pass *p);
/* rmap heads of every level that a chunk [start, end) covers. */
uint64_t age_pass_heads(const struct memslot *slot, gfn_t start, gfn_t end);
/* After the agers have stopped: sorts the durations kept; the median, p99 and max of them
 * (0 if none). Returns how many were kept. */
uint64_t age_pass_percentiles(struct age_pass *p, uint64_t *p50, uint64_t *p99, uint64_t *max);

#endif /* AGE_PASS_H */
