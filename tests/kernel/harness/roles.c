/*
 * tests/kernel/harness/roles.c - one step of each role but the writer's (DESIGN §3), on the
 * CPU that owns the struct harness_cpu it is given:
 *   ager         age_gfn_range or test_age_gfn_range over a random range, no mmu_lock: each
 *                rmap locked read-only, its chain checked, A cleared by one atomic AND;
 *   accessor     the page walker: mmu_access sets A (and D on a write) in a present leaf;
 *   locked ager  the same aging under mmu_lock held for write, through the writer's rmap lock
 *                (rmap_lock/rmap_unlock storing the same chain back);
 *   locker       rmap-lock-torture: read-only lock of one of a few heads, hold, unlock;
 *   guest        guests=: one VMRUN of an SVM guest and its exit (guest.c).
 * In a scenario with age_passes, agers and locked agers instead age the whole slot pass after
 * pass, together, a chunk at a time (age_pass.h): a pass's time is the time the agers together
 * took to age every rmap of the slot once.
 * Lockers and locked agers increment a plain counter beside the head they hold (h->inside[],
 * a relaxed load and a relaxed store, never an atomic add): with mutual exclusion no increment
 * is lost; the checkpoint compares the counters with the increments made (`mutex`).
 */
#include "atomic.h"
#include "percpu.h"
#include "harness.h"
#include "rmap/check.h"
#include "rmap/memslot.h"
#include "rmap/rmap_ops.h"
#include "rng.h"
#include "arch/x86.h"

const char *const harness_role_names[NR_ROLES] = {
	[ROLE_WRITER] = "writer", [ROLE_AGER] = "ager", [ROLE_ACCESSOR] = "accessor",
	[ROLE_LOCKED_AGER] = "locked-ager", [ROLE_LOCKER] = "locker", [ROLE_GUEST] = "guest",
};

uint64_t *harness_inside(struct harness *h, gfn_t gfn, int level)
{
	const struct memslot *slot = &h->mmu.slot;
	uint64_t i = gfn_to_index(gfn, slot->base_gfn, level);

	for (int l = PG_LEVEL_4K; l < level; l++)
		i += memslot_nheads(slot, l);
	return i < HARNESS_INSIDE ? &h->inside[i] : NULL;
}

/* A holder's increment beside the head it holds (see the header). */
static void count_inside(struct harness *h, struct harness_cpu *c, gfn_t gfn, int level)
{
	uint64_t *in = harness_inside(h, gfn, level);

	if (!in)
		return;
	/* relaxed, and not a read-modify-write on purpose: the rmap lock is what orders us */
	atomic_set(in, atomic_read(in, MO_RELAXED) + 1, MO_RELAXED);
	c->lk_inside++;
}

/* An ager's range: around a hot gfn or anywhere, 1..age_range_max gfns; 1 in 32 the slot. */
static void pick_range(struct harness *h, struct harness_cpu *c, gfn_t *start, gfn_t *end)
{
	unsigned root;

	/* guests: half the ranges are a window a guest is writing (its walker's A/D) */
	if (h->guests && rng_below(&c->rng, 2) && harness_guest_window(h, c, start, end))
		return;
	if (harness_focused(h)) {
		*start = harness_pick_gfn(h, c, &root);
		*end = *start + 1;
		return;
	}
	if (!rng_below(&c->rng, 32)) {
		*start = h->mmu.slot.base_gfn;
		*end = *start + h->gfns;
		return;
	}
	*start = harness_pick_gfn(h, c, &root);
	*end = *start + 1 + rng_below(&c->rng, h->sc->age_range_max);
}

/*
 * A long range is aged AGE_CHUNK gfns at a time, with a heartbeat and a checkpoint poll in
 * between (nothing is held there): under TCG with many vCPUs per host core a whole-slot age
 * took seconds, long enough to hold up a checkpoint for most of the watchdog's bound.
 */
#define AGE_CHUNK	256

/* age_passes: a chunk of the open pass is aged (age_pass.h) */
static void pass_aged(struct harness *h, struct harness_cpu *c, gfn_t start, gfn_t end)
{
	c->pass_chunks++;
	c->pass_rmaps += age_pass_heads(&h->mmu.slot, start, end);
	age_pass_aged(&h->pass, rdtsc());
}

static void ager_pass_step(struct harness *h, struct harness_cpu *c)
{
	gfn_t start, end;

	if (!age_pass_take(&h->pass, &start, &end)) {
		cpu_pause();
		return;
	}
	age_gfn_range(&h->mmu.slot, start, end, &c->age);
	pass_aged(h, c, start, end);
}

static void ager_step(struct harness *h, struct harness_cpu *c)
{
	uint64_t seen = c->age.sptes_seen, locked = c->age.rmaps_locked;
	bool test_only = rng_below(&c->rng, 2);
	gfn_t start, end;

	if (h->sc->age_passes) {
		ager_pass_step(h, c);
		return;
	}
	pick_range(h, c, &start, &end);
	for (gfn_t s = start, e; s < end; s = e) {
		e = end - s > AGE_CHUNK ? s + AGE_CHUNK : end;
		if (!test_only)
			age_gfn_range(&h->mmu.slot, s, e, &c->age);
		else if (test_age_gfn_range(&h->mmu.slot, s, e, &c->age))
			break;		/* test_age stops at the first young SPTE */
		if (e < end) {
			cpu_heartbeat();
			checkpoint_poll(h);
		}
	}
	if (c->age.rmaps_locked - locked == 1 && c->age.sptes_seen - seen > c->max_chain)
		c->max_chain = c->age.sptes_seen - seen;
}

static void accessor_step(struct harness *h, struct harness_cpu *c)
{
	unsigned root;
	gfn_t gfn = harness_pick_gfn(h, c, &root);

	mmu_access(&h->mmu, c->vcpu, root, gfn, rng_below(&c->rng, 3) == 0, &c->access);
}

/* age_gfn_range_locked's callback: a locked ager holds this rmap (see the header). */
static void locked_ager_held(void *arg, gfn_t gfn, int level)
{
	struct harness *h = arg;

	count_inside(h, &h->cpu[cpu_id()], gfn, level);
}

/*
 * After dropping mmu_lock: if a writer waits for it, let it in before taking the lock again
 * (KVM's rwlock_needbreak). The lock orders no writer before another, and a holder that drops
 * and retakes it at once starved the BSP's writer for seconds under TCG. Bounded: the waiter
 * may itself be descheduled.
 */
#define YIELD_PAUSES	4096

static void yield_mmu_lock(struct harness *h)
{
	for (unsigned n = 0; n < YIELD_PAUSES && mmu_lock_contended(&h->mmu.lock); n++)
		cpu_pause();
}

/* Every rmap of [s, e) at every level, in one mmu_lock hold; then let a waiting writer in. */
static void locked_age_chunk(struct harness *h, struct harness_cpu *c, gfn_t s, gfn_t e)
{
	uint64_t t0, t1;

	t0 = rdtsc();
	mmu_write_lock(&h->mmu.lock);
	t1 = rdtsc();
	hist_add(&c->mmu_wait, t1 - t0);
	c->mmu_wait_cycles += t1 - t0;
	age_gfn_range_locked(&h->mmu.slot, s, e, &c->lage, locked_ager_held, h);
	hist_add(&c->mmu_hold, rdtsc() - t1);
	mmu_write_unlock(&h->mmu.lock);
	yield_mmu_lock(h);
}

static void locked_ager_step(struct harness *h, struct harness_cpu *c)
{
	const struct memslot *slot = &h->mmu.slot;
	gfn_t start, end;

	if (h->sc->age_passes) {
		if (!age_pass_take(&h->pass, &start, &end)) {
			cpu_pause();
			return;
		}
		locked_age_chunk(h, c, start, end);
		pass_aged(h, c, start, end);
		return;
	}
	pick_range(h, c, &start, &end);
	if (end > slot->base_gfn + h->gfns)
		end = slot->base_gfn + h->gfns;
	/* AGE_CHUNK gfns per mmu_lock hold, as KVM drops it in long walks (cond_resched) */
	for (gfn_t s = start, e; s < end; s = e) {
		e = end - s > AGE_CHUNK ? s + AGE_CHUNK : end;
		locked_age_chunk(h, c, s, e);
		if (e < end) {
			cpu_heartbeat();
			checkpoint_poll(h);
		}
	}
}

/* A head of the few rmap-lock-torture shares: level 1..3 by the scenario's weights. */
static void pick_head(struct harness *h, struct harness_cpu *c, gfn_t *gfn, int *level)
{
	const struct memslot *slot = &h->mmu.slot;
	unsigned root;

	*level = PG_LEVEL_4K + (int)rng_below(&c->rng, MMU_MAX_LEAF_LEVEL);
	*gfn = harness_pick_gfn(h, c, &root) & ~(pages_per_level(*level) - 1);
	if (*gfn < slot->base_gfn)
		*gfn = slot->base_gfn;
}

static void locker_step(struct harness *h, struct harness_cpu *c)
{
	struct memslot *slot = &h->mmu.slot;
	struct rmap_head *head;
	unsigned long val;
	uint64_t t0, t1, fp, ndesc;
	gfn_t gfn;
	int level;

	pick_head(h, c, &gfn, &level);
	head = gfn_to_rmap(slot, gfn, level);
	t0 = rdtsc();
	val = rmap_lock_readonly(slot, head);
	t1 = rdtsc();
	hist_add(&c->rmap_wait, t1 - t0);
	if (!val) {
		c->lk_elided++;
		rmap_unlock_readonly(slot, head, val);
		for (uint64_t n = rng_below(&c->rng, h->sc->lock_think_max + 1); n; n--)
			cpu_pause();
		return;
	}
	c->lk_acquired++;
	count_inside(h, c, gfn, level);
	if (rmap_check_chain(slot, gfn, level, rmap_op_get(rmap_slot_ops(slot), head), &fp, &ndesc)) {
		for (uint64_t n = rng_below(&c->rng, h->sc->lock_hold_max + 1); n; n--)
			cpu_pause();
		rmap_check_stable(slot, head, gfn, level, val, fp);
	}
	hist_add(&c->rmap_hold, rdtsc() - t1);
	rmap_unlock_readonly(slot, head, val);
	/* think before the next lock: nine lockers on ten heads would otherwise leave the writer,
	 * whose chain changes they are there to meet, hardly a turn (unfair test-and-set lock) */
	for (uint64_t n = rng_below(&c->rng, h->sc->lock_think_max + 1); n; n--)
		cpu_pause();
}

void (*const role_steps[NR_ROLES])(struct harness *h, struct harness_cpu *c) = {
	[ROLE_WRITER] = writer_step, [ROLE_AGER] = ager_step, [ROLE_ACCESSOR] = accessor_step,
	[ROLE_LOCKED_AGER] = locked_ager_step, [ROLE_LOCKER] = locker_step,
	[ROLE_GUEST] = guest_step,
};
