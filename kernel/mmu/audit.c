/*
 * kernel/mmu/audit.c - the stop-the-world checks of DESIGN §4. `audit`: no rmap LOCKED or
 * held, every chain well formed, every rmap entry a present leaf of its (gfn, level), every
 * present leaf in exactly one rmap (marks in struct mmu_page.audit_mark) and in the profile's
 * and the format's layout (spte_fmt: a bit the format does not use is malformed, e.g. NPT's
 * PWT/PCD/G, or EPT's memtype other than WB), every present non-leaf exactly the profile's
 * table entry (no A/D from accessors,
 * which set them in leaves only; a CPU's walker may set A there in a backed MMU) pointing to a live page one level down whose parent link
 * matches, every other entry exactly the profile's non-present value, present counts, page
 * and desc totals. `ad-conservation`: every A/D 0->1 counted exactly once (kvm: D only). The caller
 * guarantees that no other CPU touches the MMU meanwhile (all stopped, or never started).
 */
#include "atomic.h"
#include "env.h"
#include "mmu/mmu.h"
#include "rmap/check.h"

struct audit {
	struct mmu *mmu;
	uint64_t violations;
	uint64_t pages, rmap_entries, descs;
	uint64_t accessed, dirty;	/* mmu_count_ad */
};

static void clear_marks(void *ctx, struct mmu_page *sp)
{
	(void)ctx;
	__builtin_memset(sp->audit_mark, 0, sizeof(sp->audit_mark));
}

/* One rmap entry: must be a present leaf at (gfn, level); mark it, once. */
static void audit_rmap_entry(struct audit *a, gfn_t gfn, int level, uint64_t *sptep)
{
	struct mmu_page *sp = sptep_to_sp(a->mmu, sptep);
	unsigned i = spte_index(sptep);
	/* relaxed: the world is stopped */
	uint64_t spte = atomic_read(sptep, MO_RELAXED);

	a->rmap_entries++;
	if (!is_shadow_present_pte(spte) || !is_last_spte(spte, level)) {
		env_violation("audit", gfn, level, "rmap names sptep %p, not a present leaf (%#llx)",
			      (void *)sptep, (unsigned long long)spte);
		a->violations++;
		return;
	}
	if (sp->audit_mark[i / 64] & (1ull << (i % 64))) {
		env_violation("audit", gfn, level, "sptep %p is named twice by the rmaps", (void *)sptep);
		a->violations++;
		return;
	}
	sp->audit_mark[i / 64] |= 1ull << (i % 64);
}

static void audit_rmaps(struct audit *a)
{
	struct memslot *slot = &a->mmu->slot;

	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL; level++) {
		for (uint64_t idx = 0; idx < memslot_nheads(slot, level); idx++) {
			gfn_t gfn = memslot_index_to_gfn(slot, level, idx);
			struct rmap_head *head = gfn_to_rmap(slot, gfn, level);
			/* relaxed: the world is stopped */
			unsigned long val = atomic_read(&head->val, MO_RELAXED);
			uint32_t holders = atomic_read(&rmap_cell_of(head)->holders, MO_RELAXED);
			struct rmap_iterator iter;
			uint64_t fp, ndesc, *sptep;

			if (!val && !holders)
				continue;
			if ((val & RMAP_LOCKED) || holders) {
				env_violation("audit", gfn, level,
					      "rmap locked at a checkpoint (val=%#lx holders=%u, last holder cpu %d)",
					      val, holders, rmap_last_holder(head));
				a->violations++;
				continue;
			}
			if (!rmap_check_chain(slot, gfn, level, val, &fp, &ndesc)) {
				a->violations++;
				continue;
			}
			a->descs += ndesc;
			for (sptep = rmap_get_first(val, &iter); sptep; sptep = rmap_get_next(&iter))
				audit_rmap_entry(a, gfn, level, sptep);
		}
	}
}

static void audit_page(void *ctx, struct mmu_page *sp)
{
	struct audit *a = ctx;
	unsigned present = 0;

	a->pages++;
	for (unsigned i = 0; i < SPTE_ENTRIES; i++)
		present += is_shadow_present_pte(atomic_read(&sp->spt[i], MO_RELAXED));
	if (atomic_read(&sp->state, MO_RELAXED) != SP_LIVE || present != sp->present_count ||
	    (!sp->parent && sp->level != MMU_ROOT_LEVEL)) {
		env_violation("audit", sp->gfn, sp->level,
			      "table %p: state=%u present=%u present_count=%u parent=%p",
			      (void *)sp->spt, sp->state, present, sp->present_count, (void *)sp->parent);
		a->violations++;
	}
}

/*
 * A present leaf's bits beside its pfn, for the profile and the format. Bits 0-11, both
 * profiles: the software present bit, the format's leaf memtype (EPT WB + ignore-PAT; NPT
 * none: PWT, PCD, G and bits 9-10 clear), large exactly above level 1, all of RWX (P|RW|US)
 * unless A/D are disabled (access tracking clears them, dirty logging clears W), A and D as
 * they may be. Above: strict SPTEs have nothing but the pfn; kvm's have the format's present
 * high bit (EPT suppress-#VE), host- and MMU-writable, the A/D type of their table, and, when
 * A/D are disabled, A clear exactly when RWX are (access-tracked, R/X saved) and saved bits
 * only then.
 */
static bool leaf_format_ok(const struct mmu *mmu, const struct mmu_page *sp, uint64_t spte)
{
	uint64_t high = spte & ~(SPTE_PFN_MASK | 0xfffull);
	uint64_t low = spte & 0xfffull;
	uint64_t fixed_low = SPTE_MMU_PRESENT | spte_fmt.leaf_memtype |
			     (sp->level > PG_LEVEL_4K ? SPTE_LARGE : 0);
	uint64_t kvm_high = spte_fmt.kvm_present_mask | SPTE_HOST_WRITABLE | SPTE_MMU_WRITABLE |
			    (sp->ad_disabled ? SPTE_TDP_AD_DISABLED : 0);

	if ((low & ~(SPTE_RWX | spte_volatile_mask())) != fixed_low ||
	    (!sp->ad_disabled && (low & SPTE_RWX) != SPTE_RWX))
		return false;
	if (mmu->slot.profile == MMU_PROFILE_STRICT)
		return high == 0;
	if ((high & ~SPTE_ACC_TRACK_SAVED_MASK) != kvm_high)
		return false;
	if (!sp->ad_disabled)
		return !(high & SPTE_ACC_TRACK_SAVED_MASK);
	if (is_access_track_spte(spte))
		return !is_accessed_spte(spte) && (high & SPTE_ACC_TRACK_SAVED_MASK);
	return is_accessed_spte(spte) && !(high & SPTE_ACC_TRACK_SAVED_MASK);
}

/* What a present non-leaf entry pointing where spte points must hold, for the profile. */
static uint64_t nonleaf_spte(const struct mmu *mmu, const struct mmu_page *sp, uint64_t spte)
{
	const uint64_t *child_spt = spte_to_child_spt(spte);

	if (mmu->slot.profile == MMU_PROFILE_KVM)
		return kvm_make_nonleaf_spte(child_spt, sp->ad_disabled);
	return make_nonleaf_spte(child_spt);
}

static void audit_entry(void *ctx, struct mmu_page *sp, unsigned i, uint64_t spte)
{
	struct audit *a = ctx;
	gfn_t gfn = sp_gfn_at(sp, i);
	struct mmu_page *child;
	uint64_t expect;

	if (!is_shadow_present_pte(spte)) {
		env_violation("audit", gfn, sp->level, "entry %u of table %p is garbage (%#llx)", i,
			      (void *)sp->spt, (unsigned long long)spte);
		a->violations++;
		return;
	}
	if (is_last_spte(spte, sp->level)) {
		if (sp->level > MMU_MAX_LEAF_LEVEL ||
		    spte_to_pfn(spte) != mmu_gfn_to_pfn(a->mmu, gfn, sp->level) ||
		    !(sp->audit_mark[i / 64] & (1ull << (i % 64)))) {
			env_violation("audit", gfn, sp->level,
				      "leaf %p (%#llx) is not in its rmap or maps the wrong pfn",
				      (void *)&sp->spt[i], (unsigned long long)spte);
			a->violations++;
		} else if (!leaf_format_ok(a->mmu, sp, spte)) {
			env_violation("audit", gfn, sp->level,
				      "leaf %p (%#llx) is not a %s %s SPTE of its table (bits the format does not use, A/D type, access tracking, high bits)",
				      (void *)&sp->spt[i], (unsigned long long)spte,
				      a->mmu->slot.profile == MMU_PROFILE_KVM ? "kvm" : "strict",
				      spte_fmt.name);
			a->violations++;
		}
		return;
	}
	expect = nonleaf_spte(a->mmu, sp, spte);
	/*
	 * A CPU walks a backed MMU's tables (mmu_set_backing: a guest runs on it), and its walker
	 * sets A in every table entry it uses (AMD's nested walk, EPT with A/D on): tolerated
	 * there, A only. The software accessors set A/D in leaves only: in their MMUs any A/D in
	 * a table entry is one that escaped every count, as before.
	 */
	if (a->mmu->backing_pfn && spte == (expect | spte_fmt.accessed_mask))
		expect = spte;
	if (spte != expect) {
		/* accessors set A/D in leaves only; one in a table entry escapes every count */
		env_violation("audit", gfn, sp->level,
			      "non-leaf %p (%#llx) is not a table entry (%#llx): Accessed/Dirty or other bits set",
			      (void *)&sp->spt[i], (unsigned long long)spte, (unsigned long long)expect);
		a->violations++;
	}
	child = sptep_to_sp(a->mmu, spte_to_child_spt(spte));
	if (!child || atomic_read(&child->state, MO_RELAXED) != SP_LIVE ||
	    child->level != sp->level - 1 || child->parent != sp || child->parent_index != i ||
	    child->gfn != gfn || child->root != sp->root) {
		env_violation("audit", gfn, sp->level,
			      "non-leaf %p points to %p, not a live table one level down",
			      (void *)&sp->spt[i], (void *)spte_to_child_spt(spte));
		a->violations++;
	}
}

uint64_t mmu_audit(struct mmu *mmu)
{
	static const struct mmu_walk_ops clear_ops = { .page = clear_marks };
	static const struct mmu_walk_ops check_ops = { .page = audit_page, .entry = audit_entry };
	struct audit a = { .mmu = mmu };
	uint64_t tree_pages = mmu->stats.pages_allocated - mmu->stats.pages_freed;

	mmu_walk(mmu, &clear_ops, &a);
	audit_rmaps(&a);
	a.pages = 0;
	mmu_walk(mmu, &check_ops, &a);
	if (a.pages != tree_pages || a.descs != mmu->slot.descs_live || mmu->free_list ||
	    mmu->prune_list) {
		env_violation("audit", 0, 0,
			      "totals: %llu tables reachable, %llu allocated; %llu descs in chains, %llu live",
			      (unsigned long long)a.pages, (unsigned long long)tree_pages,
			      (unsigned long long)a.descs, (unsigned long long)mmu->slot.descs_live);
		a.violations++;
	}
	return a.violations;
}

static void count_ad(void *ctx, struct mmu_page *sp, unsigned i, uint64_t spte)
{
	struct audit *a = ctx;

	(void)i;
	if (!is_shadow_present_pte(spte) || !is_last_spte(spte, sp->level))
		return;
	a->accessed += is_accessed_spte(spte);
	a->dirty += is_dirty_spte(spte);
}

void mmu_count_ad(struct mmu *mmu, uint64_t *accessed, uint64_t *dirty)
{
	static const struct mmu_walk_ops ops = { .entry = count_ad };
	struct audit a = { .mmu = mmu };

	mmu_walk(mmu, &ops, &a);
	*accessed = a.accessed;
	*dirty = a.dirty;
}

uint64_t mmu_check_ad_conservation(struct mmu *mmu, uint64_t accessor_set_a,
				   uint64_t accessor_set_d, uint64_t ager_cleared_a)
{
	const struct mmu_stats *m = &mmu->stats;
	uint64_t still_a, still_d, set_a, set_d, seen_a, seen_d;
	bool kvm = mmu->slot.profile == MMU_PROFILE_KVM;

	mmu_count_ad(mmu, &still_a, &still_d);
	set_a = m->set_a + accessor_set_a;
	set_d = m->set_d + accessor_set_d;
	seen_a = ager_cleared_a + m->harvest_a + still_a;
	seen_d = m->cleared_d + m->harvest_d + still_d;
	/* kvm: D only. A may be lost by a plain store, or set again by one (see spte.h) */
	if ((kvm || set_a == seen_a) && set_d == seen_d)
		return 0;
	env_violation("ad-conservation", 0, 0,
		      "%sA: %llu set, %llu cleared + %llu zapped + %llu still set; "
		      "D: %llu set, %llu cleared + %llu zapped + %llu still set",
		      kvm ? "kvm conserves D only; " : "",
		      (unsigned long long)set_a, (unsigned long long)ager_cleared_a,
		      (unsigned long long)m->harvest_a, (unsigned long long)still_a,
		      (unsigned long long)set_d, (unsigned long long)m->cleared_d,
		      (unsigned long long)m->harvest_d, (unsigned long long)still_d);
	return 1;
}
