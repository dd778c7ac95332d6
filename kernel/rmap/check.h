/*
 * check.h - the DESIGN §4 checks that run on the rmap's own paths (kernel/rmap/check.c):
 * `mutex` (a holder count beside each head), `chain-stable` (a fingerprint of the chain taken
 * after the lock and compared before the unlock), `uaf` (a walker about to follow a pointer
 * that is not a live desc, or reading a SPTE from a freed table page), `spte-owner` (each
 * SPTE pointer lies in a live shadow page of the right level, at the slot for its gfn) and
 * the chain's structure (`audit`: counts, full tails, tail_count). Each reports through
 * env_violation and returns false, so the caller stops before following a bad pointer.
 * Portable: the kernel harness and the host tests call the same functions.
 */
#ifndef RMAP_CHECK_H
#define RMAP_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include "rmap/memslot.h"

/*
 * mutex: count the caller in as a holder of head (after its lock returned val, not 0), and out
 * again. Also checks val itself: a lock never returns LOCKED (the value goes back into the
 * head at unlock, which would leave the rmap locked for ever: `liveness`); returns val
 * without it, so that the caller's chain arithmetic stays on real pointers.
 */
unsigned long rmap_check_hold(struct memslot *slot, struct rmap_head *head, unsigned long val);
void rmap_check_release(struct rmap_head *head);

/* The CPU that last took head's lock (recorded by rmap_check_hold), or -1: for reports. */
static inline int rmap_last_holder(struct rmap_head *head)
{
	/* relaxed: a diagnostic */
	return (int)__atomic_load_n(&rmap_cell_of(head)->holder_cpu, __ATOMIC_RELAXED) - 1;
}

/*
 * What a pointer read from a chain turns out to be, before anything reports it: the
 * classifiers below return it, the rmap_check_* functions turn it into their violation, and a
 * walker that holds no lock (age.c, profile=kvm) into one that tells its own interleaving.
 */
enum rmap_ptr_state {
	RMAP_PTR_OK,
	RMAP_PTR_NOT_DESC,	/* uaf: not a pte_list_desc of this slot (misaligned, elsewhere) */
	RMAP_PTR_FREED,		/* uaf: a freed (poisoned) desc, or an entry of a freed table */
	RMAP_PTR_NOT_SPTEP,	/* spte-owner: NULL or misaligned */
	RMAP_PTR_NOT_TABLE,	/* spte-owner: not in a table page */
	RMAP_PTR_WRONG_SLOT,	/* spte-owner: a table entry of another (gfn, level) */
};
enum rmap_ptr_state rmap_desc_state(const struct memslot *slot, const struct pte_list_desc *desc);
/* Also returns the SPTE read (relaxed) through sptep when it lies in a table page, else 0. */
enum rmap_ptr_state rmap_sptep_state(const struct memslot *slot, const uint64_t *sptep,
				     gfn_t gfn, int level, uint64_t *spte);
/* "uaf" or "spte-owner" for a state other than RMAP_PTR_OK; a few words saying what it is. */
const char *rmap_ptr_state_inv(enum rmap_ptr_state st);
const char *rmap_ptr_state_text(enum rmap_ptr_state st);

/* uaf: is desc a live pte_list_desc of this slot's pool (aligned, in a desc page, not poison)? */
bool rmap_check_desc(const struct memslot *slot, const struct pte_list_desc *desc, gfn_t gfn,
		     int level);

/* spte-owner (and uaf for a poisoned table page): may sptep be in the rmap of (gfn, level)? */
bool rmap_check_sptep(const struct memslot *slot, const uint64_t *sptep, gfn_t gfn, int level);

/*
 * Walk the chain val of the rmap (gfn, level) checking every desc and sptep and the counts;
 * on success store a fingerprint of the whole chain in *fp. The caller holds the rmap lock or
 * mmu_lock for write (only its holders change chains), or every other CPU is stopped. val must be a chain (LOCKED masked): one with LOCKED would send
 * an iterator to a pointer off by two (`spte-owner`).
 */
bool rmap_check_chain(const struct memslot *slot, gfn_t gfn, int level, unsigned long val,
		      uint64_t *fp, uint64_t *nr_descs);

/*
 * rmap_get_first/next for a walk of a chain its walker holds (checks only), for the case the
 * hold is broken (a mutation, a bug under test) and a writer frees descs and tables under the
 * walk: each desc is validated before a field of it is read and again after (a desc freed in
 * between reads as poison), and each sptep returned has passed rmap_check_sptep. A stale
 * pointer is reported (uaf, spte-owner) and ends the walk (NULL), never followed. Pool memory
 * stays mapped while in quarantine, so a read of a just-freed desc does not fault.
 */
uint64_t *rmap_check_get_first(const struct memslot *slot, unsigned long val,
			       struct rmap_iterator *iter, gfn_t gfn, int level);
uint64_t *rmap_check_get_next(const struct memslot *slot, struct rmap_iterator *iter, gfn_t gfn,
			      int level);

/* chain-stable: compare head's chain now with the value the lock returned and the fingerprint
 * taken after it. */
void rmap_check_stable(const struct memslot *slot, struct rmap_head *head, gfn_t gfn, int level,
		       unsigned long locked_val, uint64_t fp);

/*
 * liveness, for a watchdog: rmaps whose val is exactly RMAP_LOCKED, locked with no chain.
 * No lock ever returns such an rmap to its caller as held (the value it returns is 0, which
 * means "elided"), so nobody will unlock it and its next locker spins for ever. Safe to run
 * concurrently with everything (reads each head once). Returns how many it reported.
 */
uint64_t rmap_check_stuck(const struct memslot *slot);

#endif /* RMAP_CHECK_H */
