/*
 * tests/kernel/harness/guest_probe.c - what checks the real walker's work under guests=
 * (guest.c): two checks the software accessors' counted ad-conservation cannot make, since
 * nobody counts the A/D a CPU's walker sets.
 *
 * Poisoned frames (`uaf`, "stale-tlb:"). After a zap has committed (and so flushed: every
 * guest that could cache the zapped leaves was kicked out and re-enters with a flushed
 * nested TLB), a working-set gfn that no leaf of any root maps any more has a frame nobody may
 * touch: the writer fills it with GUEST_POISON and quarantines it, as KVM's host would reuse
 * the page. Before any fault maps the gfn again (the writer's or a guest's NPF), and at every
 * checkpoint, the poison must be whole; a word that is not is a guest write through a
 * translation that outlived its zap and the flush (zap-no-flush). A guest read through one
 * finds the poison, which no guest stores: the guest counts it in its mailbox, and guest.c
 * reports it at the exit (a host page leaking into the guest). Released (before the map), the
 * frame gets CLEAN_FILL, so that no read finds the poison legitimately. At most
 * QUARANTINE_MAX frames are quarantined at once (each costs 8 KiB of stores under mmu_lock);
 * the rest of a large zap is not poisoned, and the counts say how many were.
 *
 * The walker's D and A probe (`ad-conservation`, "walker D lost:", "walker A lost:"). Each
 * guest writes a window of up to 64 working-set pages (the first eighth only read) for
 * GUEST_SWEEPS sweeps, reads and writes alternating, a read first (but in the set-up window),
 * and moves it at its VMMCALL (guest.c). Without a lock (in guest mode, as the walker walks),
 * the move first checks the window just done: every written page's leaf in the guest's root
 * must have D, and under strict every page's leaf A, or the MMU must have taken that bit
 * after the access: D stamped per frame from d_seq by each op's end (a zap found it,
 * dirty logging cleared it: FRAME_D_SEEN; a 2 MiB leaf's stands for its 512 frames) and by
 * the guests' own window clears, since the window began; A stamped per frame and guest root
 * by memslot.young (an ager cleared it, a strict zap found it: harness_guest_young) and by the
 * window clears, since the VMRUN of the run that made the page's last access (run_seq_of). A
 * page whose leaf is there without the bit is a suspect the next checkpoint decides, when
 * every stamp is in; a page whose leaf is gone is decided at once, under mmu_lock
 * (lost_a_now). Then the new window's leaves get A and D cleared (stamped), and the VMRUN
 * after it flushes the nested TLB, so the guest's first read of each page walks to set A and
 * its first write walks again to set D in a leaf that has A: the moment an ager's
 * read-modify-write of the SPTE loses D (age-plain-rmw), as does a zap's plain store
 * (zap-plain-store). Later accesses hit the TLB until an exit. A guest's NPF checks the same
 * at once for each page of its window the new leaf covers (harness_guest_refault): a bit the
 * guest is about to set again in a new leaf must have been taken from the old one
 * (zap-ignores-accessed, which loses only A, is caught there). Also counted: how many of the
 * window's leaves have A at its end, after its clear and a VM round trip (the
 * accessed-after-clear probe).
 *
 * Runs under mmu_lock for write (the writer's zaps and faults, a guest's NPF), with the world
 * stopped (checkpoints), or on a guest's AP in guest mode (its window's probe and clear).
 */
#include "atomic.h"
#include "harness.h"
#include "arch/svm_guest.h"
#include "rmap/rmap.h"

#define CLEAN_FILL	0x5ab0c1eau	/* every word of a frame released from quarantine */
#define QUARANTINE_MAX	64
#define LOST_REPORTS	4		/* walker probe's violation lines per guest and run */

/*
 * d_seq values and the guest's access counts compared as wrapping sequences (a long run on
 * hardware draws 2^32 of either): a after b when less than 2^31 ahead. A stamp so old that it
 * wrapped reads as after, which only lets a removal account for a bit, never invents a loss.
 */
static bool seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static uint32_t *frame_words(struct harness *h, gfn_t gfn)
{
	return (uint32_t *)(h->backing + (gfn - h->mmu.slot.base_gfn) * ENV_PAGE_SIZE);
}

static bool quarantined(const struct harness *h, uint64_t i)
{
	return h->quarantined[i / 64] >> (i % 64) & 1;
}

/* Does any leaf of any root map gfn (at any level)? mmu_lock held for write. */
static bool gfn_mapped(struct harness *h, gfn_t gfn)
{
	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL; level++) {
		struct rmap_head *head = gfn_to_rmap(&h->mmu.slot, gfn, level);

		/* relaxed: only holders of mmu_lock for write, as we are, change chains; an
		 * ager's read-only lock sets LOCKED only on a non-empty head */
		if (atomic_read(&head->val, MO_RELAXED) & ~RMAP_LOCKED)
			return true;
	}
	return false;
}

static void fill(struct harness *h, gfn_t gfn, uint32_t v)
{
	uint32_t *w = frame_words(h, gfn);

	for (unsigned k = 0; k < ENV_PAGE_SIZE / 4; k++)
		w[k] = v;
}

static bool fill_whole(struct harness *h, gfn_t gfn, uint32_t v)
{
	const uint32_t *w = frame_words(h, gfn);

	for (unsigned k = 0; k < ENV_PAGE_SIZE / 4; k++)
		if (w[k] != v)
			return false;
	return true;
}

/*
 * A frame mapped clean and written, whose leaves all went without D. If the op that zapped
 * them flushed (it must have: a zapped leaf of a backed MMU makes the commit flush), every
 * write came before the zap, through a leaf whose D the walker set: lost. If it did not flush,
 * a guest may have written after the zap through its stale TLB entry (no walk, no D): that is
 * the stale translation, `uaf` as the poison's check reports it.
 */
static void clean_written(struct harness *h, gfn_t gfn, uint64_t i)
{
	h->clean_lost++;
	if (h->mmu.stats.flushes == h->op_flushes)
		env_violation("uaf", gfn, PG_LEVEL_4K,
			      "stale-tlb: gfn 0x%llx was mapped clean (at d_seq %u) and is written, its leaves are zapped without D, and the zap did not flush: a write through a translation the flush should have ended",
			      (unsigned long long)gfn, h->clean_seq[i]);
	else
		env_violation("ad-conservation", gfn, PG_LEVEL_4K,
			      "walker D lost: gfn 0x%llx was mapped clean (at d_seq %u) and written since, but its last leaf is gone and the MMU took D from none of its leaves (stamp %u): the host would drop the page as clean",
			      (unsigned long long)gfn, h->clean_seq[i],
			      atomic_read(&h->d_stamp[i], MO_RELAXED));
}

/*
 * A frame mapped clean (its poison checked whole at its release, then CLEAN_FILL, clean_seq[]
 * set) and now unmapped everywhere: if the MMU took D from none of its leaves since (no stamp after
 * clean_seq) but its contents changed, a guest wrote it and the D its walker set was lost on
 * the way: the host would now drop the page as clean (a zap's plain store, an ager's
 * read-modify-write). Then the frame is quarantined anew, as far as there is room.
 */
static void quarantine_zapped(struct harness *h, gfn_t start, gfn_t end)
{
	gfn_t base = h->mmu.slot.base_gfn;

	if (start < base)
		start = base;
	if (end > base + h->gfns)
		end = base + h->gfns;
	for (gfn_t gfn = start; gfn < end; gfn++) {
		uint64_t i = gfn - base;

		if (quarantined(h, i) || gfn_mapped(h, gfn))
			continue;
		if (h->clean_seq[i]) {
			h->clean_checked++;
			/* relaxed: stamps of ops before ours are ours (mmu_lock) or a guest's
			 * window clear's, stored before our zap's commit flush stopped waiting
			 * for that guest (harness_guest_clear_window) */
			if (!seq_after(atomic_read(&h->d_stamp[i], MO_RELAXED), h->clean_seq[i]) &&
			    !fill_whole(h, gfn, CLEAN_FILL))
				clean_written(h, gfn, i);
			h->clean_seq[i] = 0;
		}
		if (h->nr_quarantined == QUARANTINE_MAX)
			continue;
		fill(h, gfn, GUEST_POISON);
		h->quarantined[i / 64] |= 1ull << (i % 64);
		h->nr_quarantined++;
		h->poisoned++;
	}
}

/* The poison of a quarantined frame; false (and the VIOLATION) if a word was written. */
static bool check_poison(struct harness *h, gfn_t gfn, const char *when)
{
	const uint32_t *w = frame_words(h, gfn);
	unsigned bad = 0, first = 0;

	for (unsigned k = 0; k < ENV_PAGE_SIZE / 4; k++)
		if (w[k] != GUEST_POISON && !bad++)
			first = k;
	if (!bad)
		return true;
	h->stale++;
	env_violation("uaf", gfn, PG_LEVEL_4K,
		      "stale-tlb: %u words of gfn 0x%llx written after its zap and the flush (word %u = 0x%x, not the poison 0x%x), found %s",
		      bad, (unsigned long long)gfn, first, w[first], GUEST_POISON, when);
	return false;
}

/* Out of quarantine, before any map: the poison goes, so that only a stale read finds it */
static void release(struct harness *h, uint64_t i)
{
	fill(h, h->mmu.slot.base_gfn + i, CLEAN_FILL);
	h->quarantined[i / 64] &= ~(1ull << (i % 64));
	h->nr_quarantined--;
}

void harness_guest_before_map(struct harness *h, gfn_t gfn, int level, const char *when)
{
	gfn_t base = h->mmu.slot.base_gfn, start = gfn & ~(pages_per_level(level) - 1);

	if (!h->guests || !h->nr_quarantined)
		return;
	for (gfn_t g = start < base ? base : start; g < start + pages_per_level(level) &&
						       g < base + h->gfns; g++) {
		if (!quarantined(h, g - base))
			continue;
		/* whole: the frame is mapped clean from here (quarantine_zapped) */
		if (check_poison(h, g, when))
			h->clean_seq[g - base] = atomic_read(&h->d_seq, MO_RELAXED);
		release(h, g - base);
		h->released++;
	}
}

static void quarantine_check_all(struct harness *h, const char *when)
{
	for (uint64_t i = 0; i < h->gfns && h->nr_quarantined; i++)
		if (quarantined(h, i) && !check_poison(h, h->mmu.slot.base_gfn + i, when))
			release(h, i);		/* reported once */
}

/*
 * The leaf of gfn in the guest's root, found as a walker finds it, without a lock: in guest
 * mode (the flush waits for us before a table we may be in is freed), as mmu_access walks.
 * NULL if none. level: the leaf's.
 */
static uint64_t *leaf_ptr(struct harness *h, unsigned root, gfn_t gfn, int *level)
{
	uint64_t *spt = h->mmu.roots[root]->spt;

	for (int l = MMU_ROOT_LEVEL; l >= PG_LEVEL_4K; l--) {
		uint64_t *sptep = &spt[spte_index_of(gfn, l)];
		/* seq_cst: the handshake with the writer's unlinks, and an acquire (access.c) */
		uint64_t spte = atomic_read(sptep, MO_SEQ_CST);

		if (!is_shadow_present_pte(spte))
			return NULL;
		*level = l;
		if (is_last_spte(spte, l))
			return sptep;
		spt = spte_to_child_spt(spte);
	}
	return NULL;
}

/*
 * The next d_seq (writers under mmu_lock and the guests' lockless window clears both take
 * them). release: the removals made before it are visible to whoever reads the new value (a
 * guest's window that reads it at its start began after them), acquire for symmetry.
 */
static uint32_t stamp_next(struct harness *h)
{
	return atomic_fetch_add(&h->d_seq, 1u, MO_ACQ_REL) + 1;
}

/* The stamp of bit b of gfn's frame: D's per frame, A's per frame and guest root */
static uint32_t *stamp_of(struct harness *h, enum probe_bit b, unsigned root, gfn_t gfn)
{
	uint64_t i = gfn - h->mmu.slot.base_gfn;

	return b == PROBE_D ? &h->d_stamp[i] : &h->a_stamp[root * h->gfns + i];
}

/*
 * n frames from gfn (those in the working set) had bit b taken out (A: of root's leaves)
 * before seq was drawn.
 */
static void stamp(struct harness *h, enum probe_bit b, unsigned root, gfn_t gfn, gfn_t n,
		  uint32_t seq)
{
	gfn_t base = h->mmu.slot.base_gfn;

	for (gfn_t g = gfn; g < gfn + n && g < base + h->gfns; g++) {
		uint32_t *st = stamp_of(h, b, root, g);
		/* relaxed: readers compare with a window's start (see harness_guest_young); a
		 * stamp only grows: a guest's clear that drew its number before another's may
		 * store it after, and a smaller stamp would unaccount a later removal */
		uint32_t old = atomic_read(st, MO_RELAXED);

		while (seq_after(seq, old) && !atomic_try_cmpxchg(st, &old, seq, MO_RELAXED))
			;
	}
}

/*
 * After an op: each frame the MMU took D from (FRAME_D_SEEN) gets a stamp from d_seq. A 2 MiB
 * leaf's D is recorded at its first frame, and stands for all 512. (A is stamped at once, by
 * memslot.young: harness_guest_young.)
 */
static void stamp_seen(struct harness *h, gfn_t start, gfn_t end)
{
	gfn_t base = h->mmu.slot.base_gfn, region = pages_per_level(PG_LEVEL_2M);
	gfn_t from = start & ~(region - 1), to = (end + region - 1) & ~(region - 1);
	uint32_t seq = 0;

	if (from < base)
		from = base;
	if (to > base + h->gfns)
		to = base + h->gfns;
	for (gfn_t gfn = from; gfn < to; gfn++) {
		uint8_t *f = mmu_frame(&h->mmu, gfn);

		if (!(*f & FRAME_D_SEEN))
			continue;
		if (!seq)
			seq = stamp_next(h);
		stamp(h, PROBE_D, 0, gfn, gfn % region ? 1 : region, seq);
		*f &= (uint8_t)~FRAME_D_SEEN;
	}
}

void harness_guest_after_op(struct harness *h, gfn_t start, gfn_t end, bool zap)
{
	if (!h->guests)
		return;
	stamp_seen(h, start, end);
	if (zap)
		quarantine_zapped(h, start, end);
}

/*
 * memslot.young: A left the SPTE at sptep, of gfn's rmap at level: an ager cleared it (on its
 * CPU, holding the rmap lock) or a strict zap found it (the writer's or a guest's CPU, under
 * mmu_lock). Only the guests' roots are stamped, each on its own: which root's leaf lost A is
 * what the probe asks (the agers clear the other roots' leaves of a frame all the time). The
 * value needs no order of its own: it is read after A left, so it is at least the d_seq of any
 * window or run that began before the walker set that A, plus one (one begun after may see it
 * too, which only hides a loss, never invents one). When it is visible: before the rmap
 * unlock (an ager), before mmu_unlock (a zap); a zap of the leaf takes that rmap lock to
 * remove it, so by a refault of the page (under mmu_lock, after the zap) every stamp of the
 * leaf's A is in (harness_guest_refault).
 */
void harness_guest_young(void *arg, uint64_t *sptep, gfn_t gfn, int level)
{
	struct harness *h = arg;
	const struct mmu_page *sp = sptep_to_sp(&h->mmu, sptep);
	/* acquire: as a window's start reads it */
	uint32_t seq = atomic_read(&h->d_seq, MO_ACQUIRE) + 1;

	if (!sp || sp->root >= h->guests)
		return;
	stamp(h, PROBE_A, sp->root, gfn & ~(pages_per_level(level) - 1), pages_per_level(level),
	      seq);
}

/*
 * In guest mode (mmu_guest_enter) on purpose, as is the window's check: a zap's commit flush
 * waits for us, so the stamps of our removals are stored before any zap after them commits
 * and looks at the frames (quarantine_zapped); without it, a zap right after our AND could
 * find a written frame with no stamp yet and take it for a lost D.
 */
void harness_guest_clear_window(struct harness *h, struct harness_cpu *c)
{
	struct harness_guest *g = &c->guest;
	uint64_t ad = spte_fmt.accessed_mask | spte_fmt.dirty_mask;
	uint32_t seq = 0;

	mmu_guest_enter(&h->mmu, c->vcpu);
	for (gfn_t gfn = g->win_start; gfn < g->win_start + g->win; gfn++) {
		int level;
		uint64_t *sptep = leaf_ptr(h, g->root, gfn, &level), old;
		gfn_t n = pages_per_level(level);

		if (!sptep)
			continue;
		/* relaxed: atomicity is what counts, as for every A/D update (dirty.c) */
		old = atomic_fetch_and(sptep, ~ad, MO_RELAXED);
		if (!(old & ad))
			continue;
		/* removals like dirty logging's and an ager's: stamped, not taken for lost */
		if (!seq)
			seq = stamp_next(h);
		if (is_dirty_spte(old))
			stamp(h, PROBE_D, 0, gfn & ~(n - 1), n, seq);
		if (is_accessed_spte(old))
			stamp(h, PROBE_A, g->root, gfn & ~(n - 1), n, seq);
	}
	mmu_guest_exit(&h->mmu, c->vcpu);
}

/* The bit in the leaf, or a removal of it (A: from root's leaf) stamped after since */
static bool accounted(struct harness *h, enum probe_bit b, unsigned root, gfn_t gfn,
		      uint64_t spte, uint32_t since)
{
	bool set = b == PROBE_D ? is_dirty_spte(spte) : is_accessed_spte(spte);

	/* relaxed: a stamp we miss now the checkpoint sees (under mmu_lock, see lost_a_now) */
	return (spte && set) || seq_after(atomic_read(stamp_of(h, b, root, gfn), MO_RELAXED), since);
}

/*
 * A bit the walker set is gone, and the MMU took it from nobody (after `since`): counted, and
 * the first LOST_REPORTS per guest and run reported. refault: found at a refault of the page,
 * else at the window's end. spte: the leaf then, 0 if none.
 */
static void lost(struct harness *h, struct harness_guest *g, enum probe_bit b, gfn_t gfn,
		 uint32_t since, uint64_t spte, bool refault)
{
	const char *bit = b == PROBE_D ? "D" : "A";

	if (b == PROBE_A)
		g->a_lost++;
	if (b == PROBE_A && refault)
		g->a_refault_lost++;
	if (b == PROBE_D)
		g->d_lost++;
	if (g->a_lost + g->d_lost > LOST_REPORTS)
		return;
	env_violation("ad-conservation", gfn, PG_LEVEL_4K,
		      "walker %s lost: guest %u %s gfn 0x%llx through root %u after d_seq %u; %s (%#llx) had no %s, and the MMU took %s from none of %s since (stamp %u)",
		      bit, g->index, b == PROBE_D ? "wrote" : "accessed", (unsigned long long)gfn,
		      g->root, since,
		      refault ? "at the guest's next fault on it (its leaf gone) the leaf" :
				"at the window's end its leaf",
		      (unsigned long long)spte, bit, bit,
		      b == PROBE_D ? "the frame's leaves" : "the root's leaf of the frame",
		      atomic_read(stamp_of(h, b, g->root, gfn), MO_RELAXED));
}

static void suspect(struct harness_guest *g, enum probe_bit b, gfn_t gfn, uint64_t spte,
		    uint32_t since, bool refault)
{
	if (g->nr_suspects == GUEST_SUSPECTS) {
		g->suspects_dropped++;
		return;
	}
	g->suspect[g->nr_suspects].gfn = gfn;
	g->suspect[g->nr_suspects].since = since;
	g->suspect[g->nr_suspects].spte = spte;
	g->suspect[g->nr_suspects].bit = b;
	g->suspect[g->nr_suspects].refault = refault;
	g->nr_suspects++;
}

/*
 * Suspects whose stamp has come meanwhile are settled: most are a zap the writer was still
 * in when the window ended (its stamps come at the op's end), and they would fill the list.
 */
static void settle_suspects(struct harness *h, struct harness_guest *g)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < g->nr_suspects; i++)
		if (!accounted(h, g->suspect[i].bit, g->root, g->suspect[i].gfn, 0,
			       g->suspect[i].since))
			g->suspect[kept++] = g->suspect[i];
	g->nr_suspects = kept;
}

/*
 * A run's own number, drawn: an ager's clear after the run's walks reads d_seq at least this
 * and stamps one more, while a clear before the VMRUN stamps at most this. Reading d_seq would
 * not do: every run begun before the next draw would share the number, and an ager's clear
 * before a run would account for a loss in it.
 */
void harness_guest_vmrun(struct harness *h, struct harness_guest *g)
{
	unsigned i = g->nr_runs++ % GUEST_RUNS;

	g->run[i].start_n = (uint32_t)g->gprs.rsi;
	/* VMRUN orders the draw before the guest's accesses */
	g->run[i].seq = stamp_next(h);
}

/*
 * d_seq at (or before) the VMRUN of the run that made access n of the window: the latest run
 * remembered that began at a count s < n (an exit may come between an access and its count's
 * increment, so access s itself may be the run before's), else the window's start. Earlier
 * is always safe: it only lets more removals account for the bit.
 *
 * Why the run: the walk access n made (or the earlier one of the same run whose translation
 * it used: each VMRUN flushes the nested TLB) set A in the root's leaf, or found it set, after
 * that run's VMRUN; A stays there until the MMU takes it, stamped by memslot.young with a
 * d_seq read after it took it. The window's start would do too, but every A an ager took
 * from the leaf earlier in the window would then account for the one lost.
 */
static uint32_t run_seq_of(const struct harness_guest *g, uint32_t n)
{
	unsigned kept = g->nr_runs < GUEST_RUNS ? g->nr_runs : GUEST_RUNS;

	for (unsigned back = 1; back <= kept; back++) {
		unsigned i = (g->nr_runs - back) % GUEST_RUNS;

		if (seq_after(n, g->run[i].start_n))
			return g->run[i].seq;
	}
	return g->win_seq;
}

/*
 * The A of gfn's leaf in the guest's root, gone, decided at once: mmu_lock held for write.
 * Every taking of that leaf's A is stamped by now: a zap's under mmu_lock, which we hold, and
 * an ager's before its rmap unlock, which the zap's removal of the leaf from that rmap waited
 * for (harness_guest_young). Waiting for a checkpoint would not do: the agers clearing A in
 * the page's next leaf stamp the same (root, frame), and would settle the loss. A leaf there
 * now is the one the NPF just installed (only the guest faults its root), born without A; an
 * A in it would only hide.
 */
static void lost_a_now(struct harness *h, struct harness_guest *g, gfn_t gfn, uint32_t since,
		       bool refault)
{
	int level;
	uint64_t *sptep = leaf_ptr(h, g->root, gfn, &level);
	/* relaxed: mmu_lock orders the leaf; its A only hides */
	uint64_t spte = sptep ? atomic_read(sptep, MO_RELAXED) : 0;

	if (!accounted(h, PROBE_A, g->root, gfn, spte, since))
		lost(h, g, PROBE_A, gfn, since, spte, refault);
}

/*
 * At the window's end, on the guest's AP. Access n of the window touched page n mod win (the
 * count is a multiple of win at each window's start: move_window), so page p was last touched
 * by the last n < now with that remainder.
 */
static uint32_t last_access(const struct harness_guest *g, uint32_t now, unsigned p)
{
	return now - 1 - ((now - 1 - p) & (g->win - 1));
}

void harness_guest_check_window(struct harness *h, struct harness_cpu *c)
{
	struct harness_guest *g = &c->guest;
	/* kvm's contract conserves D only: its plain stores may drop an A (spte.h) */
	bool check_a = h->mmu.slot.profile == MMU_PROFILE_STRICT;
	uint32_t now = (uint32_t)g->gprs.rsi, gone_since[GUEST_WINDOW_MAX];
	uint64_t gone = 0;		/* pages whose leaf went with an A not yet accounted */

	settle_suspects(h, g);
	mmu_guest_enter(&h->mmu, c->vcpu);
	for (gfn_t gfn = g->win_start; gfn < g->win_start + g->win; gfn++) {
		unsigned p = (unsigned)(gfn - g->win_start);
		uint32_t since = run_seq_of(g, last_access(g, now, p));
		int level;
		uint64_t *sptep = leaf_ptr(h, g->root, gfn, &level);
		/* relaxed: a snapshot of the bits; what races it is decided later */
		uint64_t spte = sptep ? atomic_read(sptep, MO_RELAXED) : 0;

		/* every page of the window was accessed after its VMRUN: A, counted and checked */
		if (spte) {
			g->a_checked++;
			g->a_again += is_accessed_spte(spte);
		}
		if (check_a && !accounted(h, PROBE_A, g->root, gfn, spte, since)) {
			/* a leaf without A: an ager may be between its clear and its stamp, the
			 * checkpoint decides; no leaf: decided under mmu_lock below */
			if (spte) {
				suspect(g, PROBE_A, gfn, spte, since, false);
			} else {
				gone |= 1ull << p;
				gone_since[p] = since;
			}
		}
		if (gfn < g->win_start + g->win_nread)
			continue;	/* only read: no D */
		g->d_checked++;
		/* no D now: a loss, unless the writer is taking the leaf this moment (its stamp
		 * comes at its op's end): the checkpoint decides */
		if (!accounted(h, PROBE_D, g->root, gfn, spte, g->win_seq))
			suspect(g, PROBE_D, gfn, spte, g->win_seq, false);
	}
	mmu_guest_exit(&h->mmu, c->vcpu);
	if (!gone)
		return;
	harness_guest_lock(h);
	for (unsigned p = 0; p < g->win; p++)
		if (gone >> p & 1)
			lost_a_now(h, g, g->win_start + p, gone_since[p], false);
	harness_guest_unlock(h);
}

/*
 * Page q of the window at a guest's NPF, after its fault (mmu_lock held for write): if the
 * window accessed q before, that access walked a leaf of the guest's root and set A (and D,
 * if it was a write), and that leaf is gone now (the NPF's page had none; the others of a huge
 * leaf the NPF installed had theirs replaced by it): the MMU must have taken those bits from
 * it, else they were lost with the leaf. This catches what the window's end cannot see: a loss
 * the refault would hide there, as the guest's next access sets the bit again in the new leaf
 * (a zap's plain store: zap-plain-store, zap-ignores-accessed). Only the guest faults its root
 * (writer.c), so every leaf of it that went and had been walked comes back through here or
 * is seen gone at the window's end. A is decided at once (lost_a_now), D is a suspect, as at
 * the window's end (its stamps are per frame, and sure by the checkpoint).
 */
static void refault_page(struct harness *h, struct harness_guest *g, unsigned q, uint32_t now)
{
	gfn_t gfn = g->win_start + q;
	uint32_t last = last_access(g, now, q);
	bool written = false;

	if (seq_after(g->win_start_n, last))
		return;		/* not accessed in this window yet */
	g->refaults_checked++;
	if (h->mmu.slot.profile == MMU_PROFILE_STRICT)
		lost_a_now(h, g, gfn, run_seq_of(g, last), true);
	if (q < g->win_nread)
		return;
	/* the window's accesses of q, back from the last: a write when n & win is 0 */
	for (uint32_t n = last; !seq_after(g->win_start_n, n) && !written; n -= g->win)
		written = !(n & g->win);
	if (written && !accounted(h, PROBE_D, g->root, gfn, 0, g->win_seq))
		suspect(g, PROBE_D, gfn, 0, g->win_seq, true);
}

/*
 * Access n of the guest touches page n mod win of its window and writes it when n & win is 0
 * (svm_guest.S); the faulting access is n = its count now, not made yet.
 */
void harness_guest_refault(struct harness *h, struct harness_cpu *c, gfn_t gfn, int level)
{
	struct harness_guest *g = &c->guest;
	gfn_t n = pages_per_level(level), start = gfn & ~(n - 1), end = start + n;

	if (!g->win_seq)
		return;		/* no window yet */
	if (start < g->win_start)
		start = g->win_start;
	if (end > g->win_start + g->win)
		end = g->win_start + g->win;
	for (gfn_t q = start; q < end; q++)
		refault_page(h, g, (unsigned)(q - g->win_start), (uint32_t)g->gprs.rsi);
}

/*
 * World stopped: each suspect whose frame has had no removal of its bit stamped since its
 * window began (A: since the run of its last access) lost the walker's bit (every op's stamps
 * are in now; the agers are parked).
 */
static void decide_suspects(struct harness *h, struct harness_guest *g)
{
	for (unsigned i = 0; i < g->nr_suspects; i++)
		if (!accounted(h, g->suspect[i].bit, g->root, g->suspect[i].gfn, 0,
			       g->suspect[i].since))
			lost(h, g, g->suspect[i].bit, g->suspect[i].gfn, g->suspect[i].since,
			     g->suspect[i].spte, g->suspect[i].refault);
	g->nr_suspects = 0;
}

void harness_guest_checkpoint(struct harness *h)
{
	if (!h->guests)
		return;
	quarantine_check_all(h, "at a checkpoint");
	for (unsigned k = 0; k < h->guests; k++)
		decide_suspects(h, &h->cpu[h->guest_cpu0 + k].guest);
}
