/*
 * kernel/mmu/access.c - the accessors, which play the CPU's EPT page walker (DESIGN §3): walk
 * one root to gfn's leaf without any lock and set Accessed (and Dirty on a write) with a
 * locked cmpxchg, never in a non-present SPTE (under kvm, for A/D-disabled SPTEs, play KVM's
 * fast page fault instead, which restores an access-tracked SPTE the same way); and the
 * writer's remote TLB flush, which waits until no accessor can still be inside a table the
 * writer unlinked (kvm_flush_remote_tlbs: a vCPU leaves guest mode before KVM frees the
 * tables it may have walked).
 *
 * vcpus[v].seq is odd while accessor v walks ("guest mode"); only v writes it.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/mmu.h"

/*
 * The handshake is Dekker's: the accessor stores an odd seq then loads table entries; the
 * writer stores unlinks then loads every seq. All four are seq_cst, so in their single total
 * order either the writer's seq load comes after our odd store (it waits for our exit), or
 * our entry loads come after its unlink (we cannot reach the unlinked table).
 */
void mmu_guest_enter(struct mmu *mmu, unsigned vcpu)
{
	/* seq_cst: see above; the odd seq is ordered before every entry load of this walk */
	atomic_fetch_add(&mmu->vcpus[vcpu].seq, 1ul, MO_SEQ_CST);
}

void mmu_guest_exit(struct mmu *mmu, unsigned vcpu)
{
	struct mmu_vcpu *vc = &mmu->vcpus[vcpu];

	/*
	 * release: every table read and A/D cmpxchg of the walk completes before seq turns even;
	 * pairs with the loads in mmu_flush_remote_tlbs. (The relaxed read: seq is ours alone.)
	 */
	atomic_set(&vc->seq, atomic_read(&vc->seq, MO_RELAXED) + 1, MO_RELEASE);
}

void mmu_flush_remote_tlbs(struct mmu *mmu)
{
	/*
	 * seq_cst, a locked add: a full barrier. A backed MMU's zapped leaves are cleared before
	 * the flush, and under kvm some by a plain store (spte_needs_atomic_update false), which
	 * the seq_cst loads below would not keep before them on x86 (the store buffer): a load
	 * could see a vCPU out of guest mode while its walker, entering, still reads the leaf.
	 * The locked instruction drains the store buffer first, as Linux's smp_mb() (itself a
	 * locked add on x86-64) in kvm_make_all_cpus_request orders the request before reading
	 * vcpu->mode. (atomic.h has no standalone fence; C11 alone orders only the seq_cst
	 * accesses.) No run here has shown the reordering: under TCG a store passing a later
	 * load is possible (x86 allows it) but rare, so nothing in the suite can fail without it.
	 */
	atomic_fetch_add(&mmu->stats.flushes, 1ull, MO_SEQ_CST);
	for (unsigned v = 0; v < mmu->nr_vcpus; v++) {
		/*
		 * seq_cst: ordered after our seq_cst unlink stores (the handshake above); also an
		 * acquire, pairing with mmu_guest_exit's release: a walk seen over is done reading.
		 */
		unsigned long seq = atomic_read(&mmu->vcpus[v].seq, MO_SEQ_CST);

		if (!(seq & 1))
			continue;
		mmu->stats.flush_waits++;
		if (mmu->kick_vcpu) {
			/*
			 * a real vCPU stays in guest mode until something makes it exit: KVM's
			 * kvm_flush_remote_tlbs -> kvm_make_all_cpus_request kicks each vCPU in
			 * guest mode with an IPI and waits for it to ack; here the kick is the
			 * IPI and the wait below is the ack
			 */
			mmu->kick_vcpu(mmu->kick_arg, v);
			mmu->stats.flush_kicks++;
		}
		env_spin_begin(ENV_LOCK_FLUSH, &mmu->vcpus[v].seq);
		/* acquire: pairs with mmu_guest_exit's release, as above */
		while (atomic_read(&mmu->vcpus[v].seq, MO_ACQUIRE) == seq)
			env_cpu_relax();
		env_spin_end(ENV_LOCK_FLUSH);
	}
}

/*
 * What an access to a present leaf makes of it. A/D enabled (always under strict): the CPU's
 * walker sets A, and D on a write to a writable SPTE. A/D disabled (kvm): the CPU sets
 * nothing; an access to an access-tracked SPTE (RWX clear), or a write to a write-protected
 * MMU-writable one, is an EPT violation that KVM's fast_page_fault fixes without mmu_lock:
 * restore_acc_track_spte with A set, and W on a write. spte itself: nothing to do.
 * Differs from upstream on purpose: fast_page_fault restores access-tracked SPTEs only when A/D
 * are off for the whole VM (!kvm_ad_enabled, eptad=0); a nested MMU's A/D-disabled SPTEs are
 * fixed by the slow path under mmu_lock. The harness mixes A/D-disabled and enabled roots in
 * one memslot (so both kinds share chains, as nested MMUs make them) and restores all of them
 * locklessly: the harder case for the agers' cmpxchg and the zap.
 */
static uint64_t accessed_spte(uint64_t spte, bool write)
{
	uint64_t new_spte = spte;

	if (spte_ad_enabled(spte)) {
		new_spte |= spte_fmt.accessed_mask;
		if (write && is_writable_pte(spte))
			new_spte |= spte_fmt.dirty_mask;
		return new_spte;
	}
	if (is_access_track_spte(spte))
		new_spte = restore_acc_track_spte(spte) | spte_fmt.accessed_mask;
	if (write && !is_writable_pte(new_spte) && is_mmu_writable_spte(spte))
		new_spte |= SPTE_WRITABLE;
	return new_spte;
}

/*
 * Set A (and D) in a present leaf, as the CPU does (or KVM's fast page fault): a locked
 * cmpxchg, retried while the entry is still a present leaf at this level. Not otherwise: a
 * 2M/1G leaf replaced by a table since we read it leaves a present non-leaf in the slot, and
 * A/D set there escape every count (the harness's ad-conservation and audit caught that
 * after 100 s of age-vs-zap at -smp 16).
 */
static void set_ad(uint64_t *sptep, uint64_t spte, int level, bool write,
		   struct mmu_access_stats *st)
{
	for (;;) {
		uint64_t new_spte = accessed_spte(spte, write);

		if (new_spte == spte)
			return;
		/*
		 * relaxed: the bits order nothing; atomicity makes each 0->1 ours exactly once. On
		 * failure spte is reloaded: an ager cleared A, a zap took the SPTE, or a refault.
		 */
		if (atomic_try_cmpxchg(sptep, &spte, new_spte, MO_RELAXED)) {
			st->set_a += !is_accessed_spte(spte) && is_accessed_spte(new_spte);
			st->set_d += is_dirty_spte(new_spte) && !is_dirty_spte(spte);
			st->fast_pf += !spte_ad_enabled(spte);
			return;
		}
		st->cmpxchg_failed++;
		if (!is_shadow_present_pte(spte) || !is_last_spte(spte, level))
			return;
	}
}

/*
 * With the hot-path checks on: may this walk go on from spte (read at level), and into the
 * table it names? A walk in guest mode must never meet a table the writer has freed: the
 * writer's flush (mmu_commit_zap) waits for every walk that could still hold a pointer to an
 * unlinked table before it frees one. So the poison of a freed table (pool.h) in an entry, a
 * pointer to a page that is no table page, or a table whose state is SP_FREE is a stale
 * translation used after the flush that should have ended it: KVM's stale TLB entry. Reported
 * as `uaf` with "stale-tlb:" first in the detail (DESIGN §6's invariant names are fixed; the
 * issue calls this check stale-tlb). It reads the table's own state rather than relying on
 * the poison alone, so it fires whether or not freed tables are poisoned; an entry read while
 * the free's poison was half written may look like any pointer, which the page index refuses.
 */
static bool walk_may_descend(struct mmu *mmu, uint64_t spte, gfn_t gfn, int level)
{
	const struct mmu_page *child;

	if (spte == POOL_POISON64) {
		env_violation("uaf", gfn, level, "stale-tlb: a walk in guest mode read a freed table's poison at level %d",
			      level);
		return false;
	}
	if (is_last_spte(spte, level))
		return true;
	child = sptep_to_sp(mmu, spte_to_child_spt(spte));
	if (!child) {
		env_violation("uaf", gfn, level, "stale-tlb: entry %#llx at level %d names no table page",
			      (unsigned long long)spte, level);
		return false;
	}
	/*
	 * acquire: pairs with nothing the correct protocol needs (the flush's handshake keeps us
	 * out of freed tables); it keeps this read before our reads of the child's entries. The
	 * writer marks a table SP_FREE before pool_free poisons it, and x86 keeps stores in order,
	 * so a walk that reads the poison also finds the state; the poison check covers the rest.
	 */
	if (atomic_read(&child->state, MO_ACQUIRE) == SP_FREE) {
		env_violation("uaf", gfn, level - 1,
			      "stale-tlb: a walk in guest mode descends into table %p, freed before its flush ended the walk",
			      (void *)child->spt);
		return false;
	}
	return true;
}

bool mmu_access(struct mmu *mmu, unsigned vcpu, unsigned root, gfn_t gfn, bool write,
		struct mmu_access_stats *st)
{
	uint64_t *spt = mmu->roots[root]->spt;
	bool hit = false;

	mmu_guest_enter(mmu, vcpu);
	st->walks++;
	for (int level = MMU_ROOT_LEVEL; level >= PG_LEVEL_4K; level--) {
		uint64_t *sptep = &spt[spte_index_of(gfn, level)];
		/*
		 * seq_cst: the handshake with the writer's unlinks (above); also an acquire, pairing
		 * with link_new_sp's release: a child table we descend into is initialised.
		 */
		uint64_t spte = atomic_read(sptep, MO_SEQ_CST);

		if (!is_shadow_present_pte(spte))
			break;
		if (mmu->slot.checks && !walk_may_descend(mmu, spte, gfn, level))
			break;
		if (is_last_spte(spte, level)) {
			set_ad(sptep, spte, level, write, st);
			hit = true;
			break;
		}
		spt = spte_to_child_spt(spte);
	}
	st->misses += !hit;
	mmu_guest_exit(mmu, vcpu);
	return hit;
}
