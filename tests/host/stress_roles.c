/*
 * tests/host/stress_roles.c - the roles of the host stress test (stress.h), as DESIGN §3 has
 * them on the CPUs: the writer (faults at 4K/2M/1G in random roots, single-gfn and range zaps,
 * rare zap-all, in bursts under mmu_lock for write, caches topped up before each burst), the
 * agers (lockless age / test_age of random ranges), the accessors (the page walker setting
 * A/D), the checkpoint that stops them for the audit and the A/D conservation check, and the
 * watchdog (stuck rmaps, stalls: `liveness`). All randomness comes from per-thread seeded
 * PRNGs; the interleaving is the scheduler's.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "atomic.h"
#include "env_host.h"
#include "rmap/check.h"
#include "rmap/rmap_ops.h"
#include "stress.h"

static uint64_t rng_below(uint64_t *x, uint64_t bound)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x % bound;
}

static void bump(struct stress_thread *t)
{
	/* relaxed: a heartbeat for the watchdog, orders nothing */
	atomic_set(&t->progress, atomic_read(&t->progress, MO_RELAXED) + 1, MO_RELAXED);
}

/* A role that returned: the watchdog stops watching it. */
static void retire(struct stress_thread *t)
{
	atomic_set(&t->progress, UINT64_MAX, MO_RELAXED);
}

/* Agers and accessors: stop here while the writer runs a checkpoint. */
static void maybe_pause(struct stress_thread *t)
{
	struct stress *s = t->s;
	/* acquire: pairs with the writer's release of the odd epoch */
	unsigned long e = atomic_read(&s->epoch, MO_ACQUIRE);

	if (!(e & 1) || t->paused_epoch == e)
		return;
	t->paused_epoch = e;
	/* release: our stats (and all our MMU accesses) are done before the writer counts us */
	atomic_fetch_add(&s->paused, 1u, MO_RELEASE);
	while (atomic_read(&s->epoch, MO_ACQUIRE) == e) {
		bump(t);
		env_cpu_relax();
	}
}

void stress_checkpoint(struct stress *s, bool others_running)
{
	uint64_t set_a = 0, set_d = 0, cleared = 0;

	if (others_running) {
		atomic_set(&s->paused, 0u, MO_RELAXED);
		/* release: pairs with maybe_pause's acquire */
		atomic_fetch_add(&s->epoch, 1ul, MO_RELEASE);
		/* acquire: pairs with each paused thread's release increment */
		while (atomic_read(&s->paused, MO_ACQUIRE) < s->nthreads - 1) {
			bump(&s->t[0]);
			env_cpu_relax();
		}
	}
	for (unsigned i = 1; i < s->nthreads; i++) {
		set_a += s->t[i].access.set_a;
		set_d += s->t[i].access.set_d;
		cleared += s->t[i].age.accessed_cleared;
	}
	mmu_audit(&s->mmu);
	mmu_check_ad_conservation(&s->mmu, set_a, set_d, cleared);
	s->checkpoints++;
	if (others_running)
		/* release: the audit's reads are done before anyone touches the MMU again */
		atomic_fetch_add(&s->epoch, 1ul, MO_RELEASE);
}

static int pick_level(struct stress_thread *t)
{
	uint64_t lv = rng_below(&t->rng, 100);

	return lv < 89 ? PG_LEVEL_4K : lv < 99 ? PG_LEVEL_2M : PG_LEVEL_1G;
}

/*
 * One writer op under mmu_lock; false when the caches ran dry (end the burst). The mix keeps
 * chains long: a third of the faults map one gfn in many roots at once (a page several guest
 * page tables share), zaps are mostly of single gfns.
 */
static bool writer_op(struct stress *s, struct stress_thread *t)
{
	uint64_t pick = rng_below(&t->rng, 1000);
	gfn_t gfn = s->mmu.slot.base_gfn + rng_below(&t->rng, s->p.gfns);
	unsigned root = (unsigned)rng_below(&t->rng, s->p.roots);
	bool write = rng_below(&t->rng, 2);
	int level = pick_level(t);

	s->writer_ops++;
	if (pick < 600)
		return mmu_fault(&s->mmu, &s->caches, root, gfn, level, write) != FAULT_RETRY;
	if (pick < 750) {
		unsigned n = 1 + (unsigned)rng_below(&t->rng, s->p.roots);

		for (unsigned k = 0; k < n; k++)
			if (mmu_fault(&s->mmu, &s->caches, (root + k) % s->p.roots, gfn, level,
				      write) == FAULT_RETRY)
				return false;
		return true;
	}
	if (pick < 790) {
		/* dirty logging: D cleared in one bitmap word's 4K SPTEs */
		mmu_clear_dirty_gfn_range(&s->mmu, gfn & ~63ull, (gfn & ~63ull) + 64);
		return true;
	}
	s->zap_ops++;
	if (pick < 930)
		mmu_zap_gfn_range(&s->mmu, gfn, gfn + 1);
	else if (pick < 960)
		/* one root's leaf, through the tables: cleared before its rmap is locked */
		mmu_zap_leaf(&s->mmu, root, gfn & ~(pages_per_level(level) - 1), level);
	else if (pick < 998)
		mmu_zap_gfn_range(&s->mmu, gfn, gfn + 1 + rng_below(&t->rng, 64));
	else
		mmu_zap_all(&s->mmu);
	return true;
}

/* Have the agers and accessors done their share? */
static bool quotas_met(struct stress *s)
{
	for (unsigned i = 1; i < s->nthreads; i++) {
		unsigned quota = i <= s->p.agers ? s->p.ager_ops : s->p.access_ops;

		/* relaxed: a count */
		if (atomic_read(&s->t[i].ops, MO_RELAXED) < quota)
			return false;
	}
	return true;
}

/* The run is decided: the variant's invariant was seen (or, for "none", any violation). */
static bool decided(struct stress *s)
{
	return s->ops->inv ? env_host_violations_of(s->ops->inv) > 0 : env_host_violations() > 0;
}

/* Go on? A fixed amount of work (bursts and every role's quota), or a fixed time. */
static bool writer_more(struct stress *s, unsigned b)
{
	if (s->p.seconds)
		return env_now_ns() - s->started_ns < s->p.seconds * 1000000000ull;
	return b < s->p.bursts || !quotas_met(s);
}

/* Checkpoint now? Every checkpoint_every bursts, or every checkpoint_ms. */
static bool checkpoint_due(struct stress *s, unsigned b)
{
	uint64_t now;

	if (!s->p.checkpoint_ms)
		return (b + 1) % s->p.checkpoint_every == 0;
	now = env_now_ns();
	if (now - s->last_checkpoint_ns < s->p.checkpoint_ms * 1000000ull)
		return false;
	s->last_checkpoint_ns = now;
	return true;
}

void *stress_writer_main(void *arg)
{
	struct stress_thread *t = arg;
	struct stress *s = t->s;

	env_host_set_cpu(t->cpu);
	s->last_checkpoint_ns = env_now_ns();
	for (unsigned b = 0; writer_more(s, b); b++) {
		unsigned len = 1 + (unsigned)rng_below(&t->rng, s->p.burst_len);

		/* kvm_mmu_topup_memory_cache: allocate before mmu_lock, never under it */
		ENV_ASSERT(mmu_topup_memory_caches(&s->mmu, &s->caches) == 0);
		mmu_write_lock(&s->mmu.lock);
		for (unsigned k = 0; k < len && writer_op(s, t); k++)
			;
		mmu_write_unlock(&s->mmu.lock);
		bump(t);
		if (checkpoint_due(s, b))
			stress_checkpoint(s, true);
		/* stop early once decided, before a broken variant corrupts its way to a crash */
		if (decided(s))
			break;
	}
	/* release: our last MMU accesses are done before the others see stop */
	atomic_set(&s->stop, 1, MO_RELEASE);
	return NULL;
}

void *stress_ager_main(void *arg)
{
	struct stress_thread *t = arg;
	struct stress *s = t->s;
	struct memslot *slot = &s->mmu.slot;

	env_host_set_cpu(t->cpu);
	/* acquire: pairs with the writer's release of stop */
	while (!atomic_read(&s->stop, MO_ACQUIRE)) {
		gfn_t start = slot->base_gfn + rng_below(&t->rng, s->p.gfns);
		uint64_t len = rng_below(&t->rng, 32) ? 1 + rng_below(&t->rng, 64) : s->p.gfns;
		uint64_t seen = t->age.sptes_seen, locked = t->age.rmaps_locked;

		maybe_pause(t);
		if (rng_below(&t->rng, 2))
			age_gfn_range(slot, start, start + len, &t->age);
		else
			test_age_gfn_range(slot, start, start + len, &t->age);
		if (t->age.rmaps_locked - locked == 1 && t->age.sptes_seen - seen > t->max_chain)
			t->max_chain = t->age.sptes_seen - seen;
		atomic_set(&t->ops, t->ops + 1, MO_RELAXED);
		bump(t);
		if (!s->p.no_yield)
			sched_yield();	/* five threads on two cores: let the writer keep up */
	}
	retire(t);
	return NULL;
}

void *stress_accessor_main(void *arg)
{
	struct stress_thread *t = arg;
	struct stress *s = t->s;
	unsigned vcpu = t->cpu - 1 - s->p.agers;

	env_host_set_cpu(t->cpu);
	/* acquire: pairs with the writer's release of stop */
	while (!atomic_read(&s->stop, MO_ACQUIRE)) {
		gfn_t gfn = s->mmu.slot.base_gfn + rng_below(&t->rng, s->p.gfns);

		maybe_pause(t);
		mmu_access(&s->mmu, vcpu, (unsigned)rng_below(&t->rng, s->p.roots), gfn,
			   rng_below(&t->rng, 3) == 0, &t->access);
		atomic_set(&t->ops, t->ops + 1, MO_RELAXED);
		bump(t);
		if (!s->p.no_yield)
			sched_yield();	/* five threads on two cores: let the writer keep up */
	}
	retire(t);
	return NULL;
}

/*
 * Stuck rmaps at once; a thread without a heartbeat for stall_ms; the run's time limit. A
 * watchdog tick that comes late (the whole process was starved, e.g. on a loaded CI host)
 * does not count against the threads.
 */
void *stress_watchdog_main(void *arg)
{
	struct stress *s = arg;
	uint64_t last[STRESS_MAX_THREADS] = { 0 }, since[STRESS_MAX_THREADS];
	uint64_t limit_ns = (120ull + s->p.seconds) * 1000000000ull, tick = env_now_ns();

	env_host_set_cpu(STRESS_MAX_THREADS);
	for (unsigned i = 0; i < s->nthreads; i++)
		since[i] = tick;
	/* acquire: pairs with run_one's release: then it joins us before destroying the MMU */
	while (!atomic_read(&s->watchdog_stop, MO_ACQUIRE)) {
		uint64_t now, late;

		usleep(20 * 1000);
		if (rmap_check_stuck(&s->mmu.slot))
			stress_finish(s, "watchdog: an rmap is stuck LOCKED");
		now = env_now_ns();
		late = now - tick > 200000000ull ? now - tick : 0;
		tick = now;
		if (now - s->started_ns > limit_ns) {
			env_violation("liveness", 0, 0, "the run took longer than %llu s",
				      (unsigned long long)(limit_ns / 1000000000ull));
			stress_finish(s, "watchdog: time limit");
		}
		for (unsigned i = 0; i < s->nthreads; i++) {
			/* relaxed: a heartbeat */
			uint64_t p = atomic_read(&s->t[i].progress, MO_RELAXED);

			since[i] += late;
			if (p != last[i] || p == UINT64_MAX) {
				last[i] = p;
				since[i] = now;
				continue;
			}
			if (now - since[i] < (uint64_t)s->p.stall_ms * 1000000ull)
				continue;
			env_violation("liveness", 0, 0, "cpu %u made no progress for %u ms", s->t[i].cpu,
				      s->p.stall_ms);
			stress_finish(s, "watchdog: stall");
		}
	}
	return NULL;
}
