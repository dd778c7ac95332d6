/*
 * tests/kernel/harness/writer.c - the writer role (DESIGN §3), the BSP's: one step is a burst
 * of 1..burst_max ops under mmu_lock held for write, drawn from the scenario's mix by the
 * BSP's seeded PRNG: faults at 4K/2M/1G in one root or in several at once (the gfn's chain
 * grows by one SPTE per root), zaps of a gfn, a range, one root's leaf, or everything, and
 * dirty logging's clear of D. The
 * memory caches are topped up before mmu_lock is taken (kvm_mmu_topup_memory_cache), never
 * under it; a fault that finds them dry ends the burst early (KVM retries the fault), and so
 * does a checkpoint falling due.
 *
 * Owns h->recent[], the ring of leaves it installed lately (written here with relaxed stores,
 * read by every role with relaxed loads: a hint where the action is, nothing is published
 * through it), so that zaps, accessors and agers meet the leaves the writer is working on.
 * Guests' NPF faults add theirs too (guest.c), under mmu_lock like every writer here, and
 * each guest publishes the window it writes (h->guest_spot[], a relaxed hint likewise): a
 * third of every role's picks go there, so that zaps, faults and aging meet the pages a
 * guest's walker is setting A/D in (spread over the working set they hardly would).
 *
 * Also owns h->focus, the hot spot (scenario.focus_every_ms/focus_ms): for focus_ms of every
 * focus_every_ms, every role's picks go to one gfn in two roots (under kvm one with A/D
 * disabled, one with them enabled), new ones each phase, and agers age that gfn alone (under
 * guests=, a guest's root among them gets the writer's faults in another root: fault()).
 * A race a few instructions wide (a broken step with widen=off, as a real bug) needs two CPUs
 * on one SPTE at the same moment; spread over a whole slot they almost never are, on a guest's
 * hot page they are all the time. Relaxed like recent[]: a hint, nothing published through it.
 */
#include "atomic.h"
#include "harness.h"
#include "report.h"
#include "rng.h"
#include "arch/x86.h"

const char *const writer_op_names[NR_WOPS] = {
	[WOP_FAULT] = "fault", [WOP_FAULT_SHARED] = "fault_shared", [WOP_ZAP_GFN] = "zap_gfn",
	[WOP_ZAP_RANGE] = "zap_range", [WOP_ZAP_LEAF] = "zap_leaf", [WOP_ZAP_ALL] = "zap_all",
	[WOP_CLEAR_DIRTY] = "clear_dirty",
};

/* recent[] entries: gfn in bits 0-39, root in 40-55, level in 56-63; 0 = none yet. */
static uint64_t recent_pack(unsigned root, gfn_t gfn, int level)
{
	return gfn | (uint64_t)root << 40 | (uint64_t)level << 56;
}

void harness_remember(struct harness *h, unsigned root, gfn_t gfn, int level)
{
	/* relaxed: a hint for the other roles (see the header) */
	atomic_set(&h->recent[h->recent_pos++ % HARNESS_RECENT], recent_pack(root, gfn, level),
		   MO_RELAXED);
}

/* gfn, or the slot's last gfn if gfn lies beyond it */
static gfn_t slot_gfn(const struct harness *h, gfn_t gfn)
{
	return gfn < h->mmu.slot.base_gfn + h->gfns ? gfn : h->mmu.slot.base_gfn + h->gfns - 1;
}

/* focus: gfn in bits 0-39, the two roots in 40-47 and 48-55, bit 63 set when on */
#define FOCUS_ON	(1ull << 63)

bool harness_focused(struct harness *h)
{
	/* relaxed: a hint (see the header) */
	return atomic_read(&h->focus, MO_RELAXED) != 0;
}

void harness_focus_update(struct harness *h, uint64_t now)
{
	uint64_t every = h->hz / 1000 * h->sc->focus_every_ms, phase, z, gfn;
	unsigned ad = h->ad_disabled_roots, r0, r1;
	bool on;

	if (!every)
		return;
	phase = (now - h->t0) / every;
	on = (now - h->t0) % every < h->hz / 1000 * h->sc->focus_ms;
	if (!on) {
		if (h->focus)
			atomic_set(&h->focus, 0, MO_RELAXED);
		return;
	}
	if (h->focus && phase + 1 == h->focus_phases)
		return;			/* this phase's spot is set */
	h->focus_phases = phase + 1;
	z = rng_seed(h->cl->seed ^ 0xf0c5, (unsigned)phase);
	gfn = z % h->gfns;
	/* one root of each kind when kvm has A/D-disabled roots, else two at random */
	r0 = ad && ad < h->roots ? (unsigned)(z >> 40) % ad : (unsigned)(z >> 40) % h->roots;
	r1 = ad && ad < h->roots ? ad + (unsigned)(z >> 48) % (h->roots - ad) :
				   (unsigned)(z >> 48) % h->roots;
	atomic_set(&h->focus, FOCUS_ON | (uint64_t)r1 << 48 | (uint64_t)r0 << 40 |
		   (h->mmu.slot.base_gfn + gfn), MO_RELAXED);
}

bool harness_guest_window(struct harness *h, struct harness_cpu *c, gfn_t *start, gfn_t *end)
{
	/* relaxed: a hint (see the header) */
	uint64_t spot = atomic_read(&h->guest_spot[rng_below(&c->rng, h->guests)], MO_RELAXED);
	gfn_t last = h->mmu.slot.base_gfn + h->gfns;

	if (!spot)
		return false;
	*start = spot;
	*end = spot + GUEST_WINDOW_PICK < last ? spot + GUEST_WINDOW_PICK : last;
	return true;
}

gfn_t harness_pick_gfn(struct harness *h, struct harness_cpu *c, unsigned *root)
{
	/* relaxed: see the header */
	uint64_t e = atomic_read(&h->focus, MO_RELAXED);

	if (e) {
		*root = (unsigned)(e >> (rng_below(&c->rng, 2) ? 48 : 40) & 0xff);
		return slot_gfn(h, e & ((1ull << 40) - 1));
	}
	/* guests: a third of the picks go to a page a guest is writing now (guest.c) */
	if (h->guests && !rng_below(&c->rng, 3)) {
		unsigned k = (unsigned)rng_below(&c->rng, h->guests);
		/* relaxed: a hint (see the header) */
		uint64_t spot = atomic_read(&h->guest_spot[k], MO_RELAXED);

		if (spot) {
			gfn_t base = h->mmu.slot.base_gfn;
			uint64_t off = rng_below(&c->rng, h->gfns < GUEST_WINDOW_PICK ? h->gfns :
								       GUEST_WINDOW_PICK);

			*root = k;	/* guest k's root */
			return base + (spot - base + off) % h->gfns;
		}
	}
	if (rng_below(&c->rng, 1000) < h->sc->hot_permille)
		/* relaxed: see the header */
		e = atomic_read(&h->recent[rng_below(&c->rng, HARNESS_RECENT)], MO_RELAXED);
	if (!e) {
		*root = (unsigned)rng_below(&c->rng, h->roots);
		return h->mmu.slot.base_gfn + rng_below(&c->rng, h->gfns);
	}
	*root = (unsigned)(e >> 40 & 0xffff);
	/* a gfn the recent leaf maps (the leaf's first, for a 4K one) */
	return slot_gfn(h, (e & ((1ull << 40) - 1)) + rng_below(&c->rng, pages_per_level((int)(e >> 56))));
}

static int pick_level(struct harness *h, struct harness_cpu *c)
{
	return PG_LEVEL_4K + (int)rng_pick(&c->rng, h->level_weight, MMU_MAX_LEAF_LEVEL);
}

/*
 * One fault; false when the caches ran dry (the burst ends). One in four is a write fault,
 * which installs the leaf dirty: most leaves start clean and get Dirty from an accessor later,
 * as a guest's pages do, so that a lost Dirty (ad-conservation) has chances to happen.
 */
static bool fault(struct harness *h, struct harness_cpu *c, unsigned root, gfn_t gfn, int level)
{
	enum mmu_fault_result r;

	/* guests: a guest's root is faulted by its guest alone, as a vCPU's root by the vCPU's
	 * own faults in KVM; the writer maps the gfn in a root no guest runs on (run.c keeps
	 * one), and the walker probe sees each leaf of a guest's root come through its NPFs */
	if (root < h->guests)
		root = h->guests + (unsigned)rng_below(&c->rng, h->roots - h->guests);

	/* guests: a frame poisoned since its zap is checked before it is mapped again */
	harness_guest_before_map(h, gfn, level, "at a writer's fault");
	r = mmu_fault(&h->mmu, &h->caches, root, gfn, level, rng_below(&c->rng, 4) == 0);
	harness_guest_after_op(h, gfn, gfn + 1, false);	/* a leaf it replaced */

	if (r == FAULT_INSTALLED)
		harness_remember(h, root, gfn & ~(pages_per_level(level) - 1), level);
	return r != FAULT_RETRY;
}

static bool wop_fault(struct harness *h, struct harness_cpu *c)
{
	unsigned root;
	gfn_t gfn = harness_pick_gfn(h, c, &root);

	return fault(h, c, root, gfn, pick_level(h, c));
}

static bool wop_fault_shared(struct harness *h, struct harness_cpu *c)
{
	unsigned root, n = 1 + (unsigned)rng_below(&c->rng, h->roots);
	gfn_t gfn = harness_pick_gfn(h, c, &root);
	int level = pick_level(h, c);

	for (unsigned k = 0; k < n; k++)
		if (!fault(h, c, (root + k) % h->roots, gfn, level))
			return false;
	return true;
}

static bool wop_zap_gfn(struct harness *h, struct harness_cpu *c)
{
	unsigned root;
	gfn_t gfn = harness_pick_gfn(h, c, &root);

	h->op_flushes = h->mmu.stats.flushes;	/* guests: did the zap flush? (guest_probe.c) */
	mmu_zap_gfn_range(&h->mmu, gfn, gfn + 1);
	harness_guest_after_op(h, gfn, gfn + 1, true);	/* guests: see guest_probe.c */
	return true;
}

static bool wop_zap_range(struct harness *h, struct harness_cpu *c)
{
	unsigned root;
	gfn_t gfn = harness_pick_gfn(h, c, &root);

	gfn_t end = gfn + 1 + rng_below(&c->rng, h->sc->zap_range_max);

	h->op_flushes = h->mmu.stats.flushes;
	mmu_zap_gfn_range(&h->mmu, gfn, end);
	harness_guest_after_op(h, gfn, end, true);
	return true;
}

static bool wop_zap_leaf(struct harness *h, struct harness_cpu *c)
{
	/* relaxed: see the header; a recent leaf, mostly still there */
	uint64_t e = atomic_read(&h->recent[rng_below(&c->rng, HARNESS_RECENT)], MO_RELAXED);

	gfn_t gfn = e & ((1ull << 40) - 1);
	int level = (int)(e >> 56);

	h->op_flushes = h->mmu.stats.flushes;
	if (e && mmu_zap_leaf(&h->mmu, (unsigned)(e >> 40 & 0xffff), gfn, level)) {
		c->zaps_hit++;
		harness_guest_after_op(h, gfn, gfn + pages_per_level(level), true);
	}
	return true;
}

static bool wop_zap_all(struct harness *h, struct harness_cpu *c)
{
	(void)c;
	h->op_flushes = h->mmu.stats.flushes;
	mmu_zap_all(&h->mmu);
	harness_guest_after_op(h, h->mmu.slot.base_gfn, h->mmu.slot.base_gfn + h->gfns, true);
	return true;
}

/*
 * One word of a dirty bitmap, as KVM_CLEAR_DIRTY_LOG hands kvm_mmu_clear_dirty_pt_masked. On a
 * hot spot, half the time the spot is zapped right after (a memslot change after a dirty-log
 * pass): the accessors writing the spot set D again at once, so the zap meets an SPTE whose D
 * is being set. That is the one window a lost D needs (kvm's contract conserves D only, and a
 * zap may store plainly only when D cannot change: spte_needs_atomic_update); without the
 * pair, a narrow zap-plain-store under kvm took up to four tries at -smp 4.
 */
static bool wop_clear_dirty(struct harness *h, struct harness_cpu *c)
{
	unsigned root;
	gfn_t spot = harness_pick_gfn(h, c, &root), gfn = spot & ~63ull;

	mmu_clear_dirty_gfn_range(&h->mmu, gfn, gfn + 64);
	harness_guest_after_op(h, gfn, gfn + 64, false);
	if (harness_focused(h) && rng_below(&c->rng, 2)) {
		c->wops[WOP_ZAP_GFN]++;
		h->op_flushes = h->mmu.stats.flushes;
		mmu_zap_gfn_range(&h->mmu, spot, spot + 1);
		harness_guest_after_op(h, spot, spot + 1, true);
	}
	return true;
}

static bool (*const writer_ops[NR_WOPS])(struct harness *h, struct harness_cpu *c) = {
	[WOP_FAULT] = wop_fault, [WOP_FAULT_SHARED] = wop_fault_shared,
	[WOP_ZAP_GFN] = wop_zap_gfn, [WOP_ZAP_RANGE] = wop_zap_range,
	[WOP_ZAP_LEAF] = wop_zap_leaf, [WOP_ZAP_ALL] = wop_zap_all,
	[WOP_CLEAR_DIRTY] = wop_clear_dirty,
};

void writer_step(struct harness *h, struct harness_cpu *c)
{
	unsigned len = 1 + (unsigned)rng_below(&c->rng, h->sc->burst_max);
	uint64_t t0, t1;

	/* allocate before mmu_lock, never under it; the pools never run dry in a healthy run */
	if (mmu_topup_memory_caches(&h->mmu, &h->caches)) {
		report_error("writer: out of memory for descs or table pages");
		return;
	}
	t0 = rdtsc();
	mmu_write_lock(&h->mmu.lock);
	t1 = rdtsc();
	hist_add(&c->mmu_wait, t1 - t0);
	c->mmu_wait_cycles += t1 - t0;
	for (unsigned k = 0; k < len; k++) {
		enum writer_op op = (enum writer_op)rng_pick(&c->rng, h->sc->wop_weight, NR_WOPS);

		c->wops[op]++;
		if (!writer_ops[op](h, c))
			break;
		/* a checkpoint is due: end the burst (under TCG one can take 100s of ms) */
		if (rdtsc() >= h->checkpoint_due)
			break;
	}
	hist_add(&c->mmu_hold, rdtsc() - t1);
	mmu_write_unlock(&h->mmu.lock);
	c->bursts++;
	/* guests: a vCPU's NPF waits for mmu_lock; let it in before the next burst, as KVM's
	 * fair rwlock would (the BSP otherwise retakes the lock at once, the guests starve) */
	harness_guests_let_in(h);
}
