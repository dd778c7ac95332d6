/*
 * kernel/rmap/variants.c - rmap_variants[]: the correct protocol ("none") and the broken
 * variants of DESIGN §5, each a few lines beside the step it breaks and each naming the
 * invariant that must catch it (locktorture's lock_busted). A variant the checks miss is a
 * bug of the harness. Where a race window is a few instructions wide, the broken step widens
 * it (widen_window, locktorture's torture delays); the correct steps have no such delay.
 */
#include "atomic.h"
#include "env.h"
#include "rmap/memslot.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

/*
 * A broken step's race window is a few instructions wide; widen_window keeps the CPU inside it
 * for longer, re-reading the word it is about to overwrite (busy, no yield):
 *   on every call WIDEN_SPINS reads (about 4 us under TCG);
 *   on one call in long_every a relax (on the host a yield, so a short run meets the window)
 *   and WIDEN_LONG reads (about 1 ms under TCG, measured): there the CPUs that could race with
 *   the window run a host time slice at a time (16 vCPUs on 2 cores), and a window only
 *   stays open in real time when its vCPU is descheduled inside it.
 * Long mostly where the race can still change the outcome: an A/D bit that is clear in the
 * value read may be set meanwhile and then lost. Not long on every call: a writer that lingers
 * per SPTE would starve and trip the watchdog instead of the invariant under test. Measured
 * at -smp 16 under TCG: zap-plain-store and age-plain-rmw took 0.4-4 s to be caught with
 * WIDEN_SPINS alone, zap-plain-store 3 s at -smp 4 without any widening.
 */
#define WIDEN_EVERY	16
#define WIDEN_SPINS	1024
#define WIDEN_LONG	262144
static unsigned widen_calls;	/* atomic */
static bool widen_off;		/* widen=off: set before a test starts, read-only while it runs */

void rmap_variants_widen(bool on)
{
	widen_off = !on;
}

static void widen_window(const unsigned long *word, unsigned long_every)
{
	unsigned spins = WIDEN_SPINS;

	if (widen_off)
		return;
	/* relaxed: a statistic deciding when to linger */
	if (atomic_fetch_add(&widen_calls, 1u, MO_RELAXED) % long_every == 0) {
		env_cpu_relax();
		spins = WIDEN_LONG;
	}
	for (unsigned i = 0; i < spins; i++)
		/* relaxed: a delay; the value is not used */
		(void)atomic_read(word, MO_RELAXED);
}

/* ro-unlock-elided: the read-only unlock writes old back even when the lock was elided (0),
 * undoing a writer's 0 -> 1 fill made meanwhile. */
static bool unlock_readonly_always_store(struct rmap_head *head, unsigned long old_val)
{
	bool unchanged = atomic_read(&head->val, MO_RELAXED) == (old_val | RMAP_LOCKED);

	atomic_set(&head->val, old_val, MO_RELEASE);
	return unchanged;
}

/* no-recheck: after waiting out a holder, lock even if it emptied the rmap: the cmpxchg
 * 0 -> LOCKED succeeds, the caller gets 0 ("elided") and never unlocks. */
static unsigned long lock_no_recheck(struct rmap_head *head)
{
	unsigned long old_val = atomic_read(&head->val, MO_RELAXED);

	if (!old_val)
		return 0;
	do {
		old_val = rmap_wait_unlocked(head, old_val);
	} while (!atomic_try_cmpxchg(&head->val, &old_val, old_val | RMAP_LOCKED, MO_ACQUIRE));
	return old_val;
}

/* lock-returns-locked: the lock hands its caller the value with LOCKED still set; the caller
 * then stores it back at unlock (the rmap stays locked for ever) or takes it for a chain. */
static unsigned long lock_returns_locked(struct rmap_head *head)
{
	unsigned long val = __rmap_lock(head);

	return val ? val | RMAP_LOCKED : 0;
}

/* lock-plain-store: test, then set LOCKED with a plain store instead of a cmpxchg: two
 * walkers can both see it unlocked and both "take" it. */
static unsigned long lock_plain_store(struct rmap_head *head)
{
	unsigned long old_val = atomic_read(&head->val, MO_RELAXED);

	if (!old_val)
		return 0;
	old_val = rmap_wait_unlocked(head, old_val);
	if (!old_val)
		return 0;
	/* widen the test-to-set window by a short busy wait (a yield here would mostly let a
	 * whole critical section pass, a lost update rather than two holders at once) */
	for (unsigned i = 0; i < 256 && !widen_off; i++)
		(void)atomic_read(&head->val, MO_RELAXED);
	atomic_set(&head->val, old_val | RMAP_LOCKED, MO_RELAXED);
	return old_val;
}

/* writer-no-rmap-lock / ager-no-lock: "lock" by reading the chain, take nothing; the
 * caller's use of the value (its critical section) starts inside the widened window. */
static unsigned long lock_none(struct rmap_head *head)
{
	unsigned long val = __rmap_get(head);

	widen_window(&head->val, WIDEN_EVERY);
	return val;
}

/* ager-no-lock's: the window (from the read above to the walk) is long on every rmap with a
 * chain, so that a writer's change meets it: at -smp 16 under TCG the writer runs a few
 * hundred ops a second, and overlapping agers (`mutex`) were all a 5 s run saw in 1 try of 2.
 * An empty rmap gets none: a chain appearing there is not walked (age.c). */
static unsigned long lock_none_readonly(struct rmap_head *head)
{
	unsigned long val = __rmap_get(head);

	if (val)
		widen_window(&head->val, 1);
	return val;
}

static bool unlock_readonly_none(struct rmap_head *head, unsigned long old_val)
{
	(void)head;
	(void)old_val;
	return true;
}

/* iter-no-mask: the iterator's read of the head keeps LOCKED, which the holder always sees. */
static unsigned long get_unmasked(struct rmap_head *head)
{
	return atomic_read(&head->val, MO_RELAXED);
}

/* age-plain-rmw: clear Accessed by load, modify, store: loses a Dirty an accessor sets in
 * between, and can resurrect a SPTE a zap just cleared. */
static uint64_t age_spte_plain_rmw(uint64_t *sptep)
{
	uint64_t old = atomic_read(sptep, MO_RELAXED);

	/* long when Dirty is clear: an accessor's write may set it now, and the store loses it */
	widen_window((const unsigned long *)sptep, is_dirty_spte(old) ? WIDEN_EVERY : 2);
	atomic_set(sptep, old & ~spte_fmt.accessed_mask, MO_RELAXED);
	return old;
}

/* zap-plain-store: clear a present leaf with a plain store although A/D are volatile: an A/D
 * set (or an ager's clear) between the read and the store is lost (or counted twice). Under
 * kvm the D lost is one an accessor set after dirty logging cleared it. */
static uint64_t clear_spte_plain_store(const struct memslot *slot, uint64_t *sptep, int level)
{
	uint64_t old = atomic_read(sptep, MO_RELAXED);

	(void)level;
	/* long when A or D is clear: an accessor may set it now, and the store loses it */
	widen_window((const unsigned long *)sptep,
		     (old & spte_volatile_mask()) == spte_volatile_mask() ? WIDEN_EVERY : 2);
	atomic_set(sptep, spte_nonpresent_value(slot->profile), MO_RELAXED);
	return old;
}

/*
 * zap-ignores-accessed (strict only): the zap stores plainly whenever kvm's
 * spte_needs_atomic_update allows it, i.e. whenever only Accessed can change under it. That is
 * upstream's code, and a bug under strict's contract, where every A set is counted: an A an
 * accessor (or the clear an ager) makes between the read and the store is lost.
 */
static uint64_t clear_spte_ignoring_accessed(const struct memslot *slot, uint64_t *sptep,
					     int level)
{
	uint64_t old = atomic_read(sptep, MO_RELAXED);

	if (is_shadow_present_pte(old) && is_last_spte(old, level) &&
	    spte_needs_atomic_update(old))
		return atomic_xchg(sptep, spte_nonpresent_value(slot->profile), MO_RELAXED);
	/* long whenever A is clear: an accessor may set it now, and the store loses it (a
	 * guest's walker sets A in a leaf with D only at its first access after an exit) */
	widen_window((const unsigned long *)sptep, is_accessed_spte(old) ? WIDEN_EVERY : 1);
	atomic_set(sptep, spte_nonpresent_value(slot->profile), MO_RELAXED);
	return old;
}

/*
 * age-track-plain (kvm only, ept only): mark an A/D-disabled SPTE for access tracking with a
 * plain store of the value computed from the one read, not upstream's cmpxchg: a zap that
 * exchanged the SPTE for the non-present value meanwhile is undone, and a present leaf is back
 * in a table (soon freed) that no rmap names. Only kvm has A/D-disabled SPTEs, and only under
 * EPT: TDP NPT always has A/D enabled, so under format=npt the step never runs.
 */
static uint64_t age_spte_track_plain_store(uint64_t *sptep, uint64_t spte)
{
	/* long on every other call: the zap that must meet the window clears one root's leaf */
	widen_window((const unsigned long *)sptep, 2);
	atomic_set(sptep, mark_spte_for_access_track(spte), MO_RELAXED);
	return spte;
}

/*
 * desc-free-early ("desc freed before unlink"): the writer has freed descs (poisoned, in
 * quarantine) that the chain it locked still names, and publishes that chain once more before
 * the one without them: unlock with the old value, a moment's delay, lock again. A walker that
 * locks the rmap in between reads a freed desc. The window is widened on every free (a real
 * bug of this kind has one a few instructions wide).
 */
static unsigned long desc_freed_unlink_late(struct memslot *slot, struct rmap_head *head,
					    unsigned long old_val)
{
	rmap_unlock(slot, head, old_val, old_val);
	widen_window(&head->val, 1);
	return rmap_lock(slot, head);
}

/* Each broken entry is RMAP_CORRECT_STEPS (rmap_ops.h) with the broken step overriding one initialiser. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
const struct rmap_ops rmap_variants[] = {
	{ .name = "none", .inv = NULL, .description = "the protocol, as the profile runs it",
	  RMAP_CORRECT_STEPS },
	{ .name = "ro-unlock-elided", .inv = "unlock-readonly",
	  .description = "read-only unlock stores old even when the lock was elided",
	  RMAP_CORRECT_STEPS, .unlock_readonly = unlock_readonly_always_store },
	{ .name = "no-recheck", .inv = "liveness",
	  .description = "lock does not recheck for 0 after spinning: an empty rmap stays LOCKED",
	  RMAP_CORRECT_STEPS, .lock = lock_no_recheck, .lock_readonly = lock_no_recheck },
	{ .name = "lock-plain-store", .inv = "mutex",
	  .description = "lock sets LOCKED with a plain store after testing, not a cmpxchg",
	  RMAP_CORRECT_STEPS, .lock = lock_plain_store, .lock_readonly = lock_plain_store },
	{ .name = "writer-no-rmap-lock", .inv = "mutex",
	  .description = "writer changes chains under mmu_lock without the rmap lock",
	  RMAP_CORRECT_STEPS, .lock = lock_none },
	{ .name = "ager-no-lock", .inv = "chain-stable",
	  .description = "ager walks chains without the read-only rmap lock",
	  RMAP_CORRECT_STEPS, .lock_readonly = lock_none_readonly,
	  .unlock_readonly = unlock_readonly_none },
	{ .name = "iter-no-mask", .inv = "spte-owner",
	  .description = "iterator does not mask LOCKED off the head value",
	  RMAP_CORRECT_STEPS, .get = get_unmasked },
	{ .name = "age-plain-rmw", .inv = "ad-conservation",
	  .description = "ager clears Accessed by a plain read-modify-write of the SPTE",
	  RMAP_CORRECT_STEPS, .age_spte = age_spte_plain_rmw },
	{ .name = "zap-plain-store", .inv = "ad-conservation",
	  .description = "zap clears a leaf with a plain store though A/D are volatile",
	  RMAP_CORRECT_STEPS, .clear_spte = clear_spte_plain_store },
	{ .name = "pt-free-referenced", .inv = "uaf",
	  .description = "zapping a table frees it with its leaves still in their rmaps",
	  RMAP_CORRECT_STEPS, .zap_drops_rmaps = false },
	{ .name = "desc-free-early", .inv = "uaf",
	  .description = "writer frees a desc before the chain it publishes stops naming it",
	  RMAP_CORRECT_STEPS, .desc_freed = desc_freed_unlink_late },
	{ .name = "lock-returns-locked", .inv = "liveness",
	  .description = "lock returns the rmap value with LOCKED still set",
	  RMAP_CORRECT_STEPS, .lock = lock_returns_locked, .lock_readonly = lock_returns_locked },
	{ .name = "zap-no-flush", .inv = "uaf",
	  .description = "zap frees unlinked tables without the remote TLB flush (stale-tlb)",
	  RMAP_CORRECT_STEPS, .zap_flushes = false },
	{ .name = "zap-ignores-accessed", .inv = "ad-conservation",
	  .description = "zap stores plainly when only Accessed can change (kvm's rule)",
	  RMAP_CORRECT_STEPS, .profiles = RMAP_STRICT_ONLY,
	  .clear_spte = clear_spte_ignoring_accessed },
	{ .name = "age-track-plain", .inv = "audit",
	  .description = "ager marks an A/D-disabled SPTE for access tracking with a plain store",
	  RMAP_CORRECT_STEPS, .profiles = RMAP_KVM_ONLY, .formats = RMAP_EPT_ONLY,
	  .age_spte_track = age_spte_track_plain_store },
};
#pragma GCC diagnostic pop
const unsigned rmap_nr_variants = sizeof(rmap_variants) / sizeof(rmap_variants[0]);

const char *rmap_ops_profile_note(const struct rmap_ops *ops)
{
	if (ops->profiles == RMAP_STRICT_ONLY)
		return " (strict only)";
	if (ops->profiles == RMAP_KVM_ONLY)
		return " (kvm only)";
	return "";
}

const char *rmap_ops_format_note(const struct rmap_ops *ops)
{
	return ops->formats == RMAP_EPT_ONLY ? " (ept only)" : "";
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

const struct rmap_ops *rmap_ops_find(const char *name)
{
	for (unsigned i = 0; i < rmap_nr_variants; i++)
		if (str_eq(rmap_variants[i].name, name))
			return &rmap_variants[i];
	return NULL;
}
