/*
 * tests/kernel/harness/checkpoint.c - the stop-the-world checkpoint (DESIGN §4) and the checks
 * that need a still MMU. The BSP requests a stop by making h->epoch odd; each AP with a role
 * parks at its next checkpoint_poll (between two steps, or two chunks of a long age: it holds
 * no lock and is in no walk there) and counts itself in h->parked; the BSP runs
 * harness_checks and makes the epoch even again.
 *
 * Why not barrier.c's stw_begin: its wait cannot do anything else, and a broken variant
 * (no-recheck) can leave an rmap stuck LOCKED with nobody to unlock it, and an AP spinning on
 * it for ever. Here the BSP, while it waits, looks for such rmaps as the APs do between
 * steps (harness_scan_stuck): each one found is reported (`liveness`) and then cleared, so
 * that its spinners go on, park, and the test ends with its report; the watchdog remains the
 * backstop for any other hang. The correct protocol never leaves an rmap LOCKED alone, so a
 * passing run never clears anything.
 *
 * Checks at a checkpoint: the audit (tables, rmaps, counts, no LOCKED bit), A/D conservation
 * over every role's counts (with guests=, whose walker nobody counts, guest_probe.c's walker
 * probe and poisoned frames instead), the poison of every quarantined desc and table page
 * (`uaf`: a store after free), and the lock holders' lost increments (`mutex`).
 */
#include "atomic.h"
#include "arch/x86.h"
#include "harness.h"
#include "percpu.h"
#include "rmap/check.h"
#include "smp.h"
#include "tsc.h"

void checkpoint_park(struct harness *h, unsigned long epoch)
{
	cpu_wait_begin(CPU_WAIT_BARRIER, "harness checkpoint", &h->epoch);
	/* release: our steps (MMU accesses, statistics) happen-before the BSP's checks, whose
	 * acquire load of parked pairs with it */
	atomic_fetch_add(&h->parked, 1u, MO_RELEASE);
	/* acquire: pairs with the BSP's release increment that ends the stop */
	while (atomic_read(&h->epoch, MO_ACQUIRE) == epoch)
		smp_nap();	/* a pause; a halt on a heavily overcommitted machine */
	cpu_wait_end();
}

static void world_resume(struct harness *h)
{
	/* release: the checks' reads are done before the APs go on */
	atomic_fetch_add(&h->epoch, 1ul, MO_RELEASE);
}

bool harness_scan_stuck(struct harness *h)
{
	/* relaxed: a time to claim; the scan itself reads each head once, as it may */
	uint64_t due = atomic_read(&h->next_scan, MO_RELAXED), now = rdtsc();

	if (now < due || !atomic_try_cmpxchg(&h->next_scan, &due, now + h->hz / 50, MO_RELAXED))
		return false;
	if (!rmap_check_stuck(&h->mmu.slot))
		return false;
	atomic_fetch_add(&h->unstuck, harness_unstick(h), MO_RELAXED);
	return true;
}

void harness_wait_aps(struct harness *h, unsigned *count, const char *what)
{
	cpu_wait_begin(CPU_WAIT_BARRIER, what, count);
	/* acquire: pairs with each AP's release increment of *count */
	while (atomic_read(count, MO_ACQUIRE) < h->naps) {
		cpu_pause();
		/* a report took the console lock, whose wait replaced ours: declare it again */
		if (harness_scan_stuck(h))
			cpu_wait_begin(CPU_WAIT_BARRIER, what, count);
	}
	cpu_wait_end();
}

static void world_stop(struct harness *h)
{
	/* relaxed: the count is reset while the epoch is even and nobody parks */
	atomic_set(&h->parked, 0u, MO_RELAXED);
	/* release: pairs with checkpoint_poll's acquire; parked's reset is ordered before */
	atomic_fetch_add(&h->epoch, 1ul, MO_RELEASE);
	harness_guests_kick(h);		/* a guest polls only when it exits */
	/* parked: incremented (release) in checkpoint_park */
	harness_wait_aps(h, &h->parked, "harness checkpoint arrivals");
}

/* mutex, counted: every increment a holder made beside a head is there, none lost. */
static void check_inside(struct harness *h)
{
	uint64_t made = 0, found = 0;

	for (unsigned i = 0; i < h->ncpus; i++)
		made += h->cpu[i].lk_inside;
	for (unsigned i = 0; i < HARNESS_INSIDE; i++)
		/* relaxed: the holders are parked (their release, our acquire: world_stop) */
		found += atomic_read(&h->inside[i], MO_RELAXED);
	if (made == found + h->inside_lost)
		return;
	env_violation("mutex", 0, 0,
		      "%llu increments made by rmap lock holders beside their heads, %llu found: two holders were inside at once",
		      (unsigned long long)made, (unsigned long long)(found + h->inside_lost));
	h->inside_lost = made - found;	/* report each loss once */
}

void harness_checks(struct harness *h)
{
	uint64_t set_a = 0, set_d = 0, cleared = 0;

	for (unsigned i = 0; i < h->ncpus; i++) {
		const struct harness_cpu *c = &h->cpu[i];

		set_a += c->access.set_a;
		set_d += c->access.set_d;
		cleared += c->age.accessed_cleared + c->lage.accessed_cleared;
	}
	mmu_audit(&h->mmu);
	/* guests: nobody counts the walker's A/D sets; its own checks instead (guest_probe.c) */
	if (!h->guests)
		mmu_check_ad_conservation(&h->mmu, set_a, set_d, cleared);
	harness_guest_checkpoint(h);
	pool_check_quarantine(&h->mmu.desc_pool);
	pool_check_quarantine(&h->mmu.pt_pool);
	check_inside(h);
}

void harness_checkpoint(struct harness *h)
{
	uint64_t t0 = rdtsc(), t1;

	world_stop(h);
	harness_checks(h);
	world_resume(h);
	t1 = rdtsc();
	h->checkpoints++;
	hist_add(&h->checkpoint_hist, t1 - t0);
	if (t1 - h->checkpoint_last > h->checkpoint_gap_max)
		h->checkpoint_gap_max = t1 - h->checkpoint_last;
	h->checkpoint_last = t1;
}

uint64_t harness_unstick(struct harness *h)
{
	struct memslot *slot = &h->mmu.slot;
	uint64_t n = 0;

	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL; level++) {
		for (uint64_t idx = 0; idx < memslot_nheads(slot, level); idx++) {
			struct rmap_head *head = gfn_to_rmap(slot, memslot_index_to_gfn(slot, level, idx),
							     level);
			unsigned long locked = RMAP_LOCKED;

			/* relaxed: LOCKED alone has no holder and guards no chain; its spinners only
			 * need to see it go (they re-read, then cmpxchg with acquire) */
			n += atomic_try_cmpxchg(&head->val, &locked, 0ul, MO_RELAXED);
		}
	}
	return n;
}
