/*
 * kernel/rmap/rmap_lock.c - the rmap lock of Linux v6.15+ (__kvm_rmap_lock, kvm_rmap_lock,
 * kvm_rmap_unlock, kvm_rmap_lock_readonly, kvm_rmap_unlock_readonly) and the wrappers that
 * run the `mutex` and `unlock-readonly` checks around whichever variant the slot uses.
 *
 * WHO MAY CHANGE WHAT, UNDER WHICH LOCK
 *
 * rmap_head.val, chain bits (the pointer and RMAP_MANY): only a writer holding mmu_lock for
 *   write, and only through rmap_unlock's release store after rmap_lock; or, when the rmap
 *   is empty, rmap_lock is elided (returns 0) and the writer stores the first entry the same
 *   way. Two writers never meet: mmu_lock excludes them.
 * rmap_head.val, RMAP_LOCKED: set by any walker with an acquire cmpxchg on a non-zero,
 *   unlocked value; cleared by the same holder's release store: rmap_unlock stores the new
 *   chain, rmap_unlock_readonly stores back the value it locked. A holder that locked 0
 *   (elided) stores nothing: a writer may meanwhile take the rmap 0 -> 1 entry, which a
 *   read-only walker must not undo (Sean Christopherson, lkml 2024-09-03, shared/seed).
 * pte_list_desc fields: written by a writer holding mmu_lock for write and the rmap lock (or
 *   before the desc is reachable); read by any rmap-lock holder, for whom they are stable. A
 *   desc is freed (poisoned, quarantined) only while the writer holds the rmap lock and after
 *   it is unlinked from the chain that the unlock will publish.
 * SPTEs named by a chain are NOT protected by the rmap lock. A present leaf's A/D bits are set
 *   by accessors (cmpxchg, no lock); A is cleared by agers (one atomic AND, rmap locked
 *   read-only) and by zaps (xchg, mmu_lock). Everything else in an SPTE is written only under
 *   mmu_lock for write. A read-only walker may therefore find a SPTE already zapped (the
 *   writer clears it, then takes the rmap lock to remove it): it skips non-present SPTEs.
 * Table pages named by a chain stay allocated while the rmap lock is held: a writer frees one
 *   only after removing every leaf in it from its rmap, which needs that rmap's lock.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/mmu_lock.h"
#include "rmap/check.h"
#include "rmap/memslot.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

unsigned long rmap_wait_unlocked(struct rmap_head *head, unsigned long old_val)
{
	/*
	 * Wait without writing, so the holder's line is not bounced (pause, then re-read).
	 * Declared to the watchdog once it starts: `liveness` then names the rmap lock.
	 */
	if (!(old_val & RMAP_LOCKED))
		return old_val;
	env_spin_begin(ENV_LOCK_RMAP, head);
	while (old_val & RMAP_LOCKED) {
		env_cpu_relax();
		/* relaxed: the caller's cmpxchg (acquire) re-reads the value it takes */
		old_val = atomic_read(&head->val, MO_RELAXED);
	}
	env_spin_end(ENV_LOCK_RMAP);
	return old_val;
}

unsigned long __rmap_lock(struct rmap_head *head)
{
	unsigned long old_val, new_val;

	/*
	 * Elide the lock for an empty rmap: read-only walkers have nothing to walk and must not
	 * add entries; writers hold mmu_lock for write, so no other writer can fill it meanwhile.
	 * relaxed: 0 publishes nothing to read; a non-zero value is re-read by the acquire cmpxchg.
	 */
	old_val = atomic_read(&head->val, MO_RELAXED);
	if (!old_val)
		return 0;

	do {
		old_val = rmap_wait_unlocked(head, old_val);
		/*
		 * Recheck for empty: the holder may have emptied the rmap. Locking 0 would return 0,
		 * which a read-only unlock takes for "elided" and never unlocks: the rmap would stay
		 * LOCKED for ever.
		 */
		if (!old_val)
			return 0;
		new_val = old_val | RMAP_LOCKED;
		/*
		 * acquire: pairs with the release store of the previous holder (__rmap_unlock or
		 * __rmap_unlock_readonly), so its chain stores are visible and our chain reads stay
		 * after the lock. On failure old_val is reloaded and the loop waits again.
		 */
	} while (!atomic_try_cmpxchg(&head->val, &old_val, new_val, MO_ACQUIRE));

	/* The value without LOCKED; never 0, so a read-only unlock cannot mistake it for elided. */
	return old_val;
}

/*
 * KVM_MMU_WARN_ON(val & KVM_RMAP_LOCKED) of both unlocks: storing LOCKED back leaves the rmap
 * locked with no holder, and every later locker spins for ever. Reported (the lock-returns-
 * locked mutation arrives here when the checks are off) and stored without LOCKED, so that
 * the run reaches its verdict instead of a hang. Never taken by the correct protocol. (A raw
 * helper: head need not sit in a memslot, so no gfn and no holder to name.)
 */
static unsigned long unlock_value(struct rmap_head *head, unsigned long val)
{
	if (!(val & RMAP_LOCKED))
		return val;
	env_violation("liveness", 0, 0,
		      "unlock of rmap %p stores val=%#lx with LOCKED set: locked for ever",
		      (void *)head, val);
	return val & ~RMAP_LOCKED;
}

void __rmap_unlock(struct rmap_head *head, unsigned long new_val)
{
	new_val = unlock_value(head, new_val);
	/*
	 * release: every access to the chain (and the new descs' initialisation) completes before
	 * the unlock; pairs with the acquire cmpxchg of the next __rmap_lock.
	 */
	atomic_set(&head->val, new_val, MO_RELEASE);
}

bool __rmap_unlock_readonly(struct rmap_head *head, unsigned long old_val)
{
	bool unchanged;

	/* Elided: nothing was locked, and a writer may have filled the rmap since. */
	if (!old_val)
		return true;
	/* relaxed: we hold the lock, nobody else may change val; this only checks that */
	unchanged = atomic_read(&head->val, MO_RELAXED) == (old_val | RMAP_LOCKED);
	/* release: our chain reads complete before the unlock; pairs with __rmap_lock's acquire */
	atomic_set(&head->val, unlock_value(head, old_val), MO_RELEASE);
	return unchanged;
}

unsigned long __rmap_get(struct rmap_head *head)
{
	/* relaxed: called by a holder of the rmap lock, whose acquire already ordered the chain */
	return atomic_read(&head->val, MO_RELAXED) & ~RMAP_LOCKED;
}

unsigned long rmap_lock(struct memslot *slot, struct rmap_head *head)
{
	unsigned long val;

	if (slot->checks)
		ENV_ASSERT(mmu_lock_held_write(slot->mmu_lock));
	val = rmap_op_lock(rmap_slot_ops(slot), head);
	if (slot->checks && val)
		val = rmap_check_hold(slot, head, val);
	return val;
}

void rmap_unlock(struct memslot *slot, struct rmap_head *head, unsigned long old_val,
		 unsigned long new_val)
{
	/* torture: linger in the critical section now and then, so that walkers spin on it */
	if (old_val && slot->torture_hold_every &&
	    ++slot->writer_holds % slot->torture_hold_every == 0)
		env_cpu_relax();
	if (slot->checks && old_val)
		rmap_check_release(head);
	rmap_op_unlock(rmap_slot_ops(slot), head, new_val);
}

unsigned long rmap_lock_readonly(struct memslot *slot, struct rmap_head *head)
{
	unsigned long val = rmap_op_lock_readonly(rmap_slot_ops(slot), head);

	if (slot->checks && val)
		val = rmap_check_hold(slot, head, val);
	return val;
}

void rmap_unlock_readonly(struct memslot *slot, struct rmap_head *head, unsigned long old_val)
{
	gfn_t gfn = 0;
	int level = 0;

	if (slot->checks && old_val)
		rmap_check_release(head);
	if (rmap_op_unlock_readonly(rmap_slot_ops(slot), head, old_val))
		return;
	memslot_head_to_gfn(slot, head, &gfn, &level);
	env_violation("unlock-readonly", gfn, level,
		      "read-only unlock found val != old|LOCKED (old=%#lx, val now %#lx, last locker cpu %d)",
		      old_val, __rmap_get(head), rmap_last_holder(head));
}
