/*
 * test_mmu_audit.c - the MMU on one thread, and its checkers made to fail. First faults at
 * 4K/2M/1G in several roots, huge pages replacing tables and tables replacing huge pages,
 * accessor A/D sets, aging, range and full zaps, each followed by mmu_audit and the A/D
 * conservation check, which must find nothing; chain lengths and page totals are checked
 * against what the operations imply. Then each checker is shown to go red on a deliberate
 * corruption (a LOCKED bit at a checkpoint, a leaf missing from its rmap, a stray leaf, a
 * wrong present count, a wrong tail_count, an rmap entry at the wrong level, an entry into a
 * freed table page, a store into a quarantined desc, a lost A/D set), and to be clean again
 * once the corruption is undone, and a leaf with a bit its format does not use (malformed[]:
 * NPT's PWT/PCD/G/NX, EPT's memtype) to be reported. Last, the same MMU under profile=kvm
 * with A/D disabled in half the roots (EPT; NPT refuses A/D-disabled roots): access tracking
 * and its restore, dirty logging's clear, upstream's contract (D conserved, A not), and the
 * kvm format's own corruptions (the other format's non-present value where this one's
 * belongs, D in a table entry, an access-tracked SPTE with A set or an NPT leaf without
 * P|RW|US, a table freed non-empty). Then a guest's MMU (mmu_set_backing): leaves map the
 * real frames from the backing pfn and are created old (A/D clear), and the setting is refused
 * once a leaf exists. Everything runs once per SPTE format (formats[]).
 */
#include <stdint.h>
#include <string.h>
#include "atomic.h"
#include "core_tap.h"
#include "env_host.h"
#include "mmu/mmu.h"
#include "rmap/check.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

#define NPAGES	(4 * 512)	/* four 2M regions; 1G leaves reach past the slot's end */
#define ROOTS	4

static struct mmu mmu;
static struct mmu_caches mc;
static struct mmu_access_stats acc;
static struct age_stats ages;

static void fault(unsigned root, gfn_t gfn, int level, bool write)
{
	mmu_topup_memory_caches(&mmu, &mc);
	mmu_write_lock(&mmu.lock);
	ENV_ASSERT(mmu_fault(&mmu, &mc, root, gfn, level, write) != FAULT_RETRY);
	mmu_write_unlock(&mmu.lock);
}

static void zap_range(gfn_t start, gfn_t end)
{
	mmu_write_lock(&mmu.lock);
	mmu_zap_gfn_range(&mmu, start, end);
	mmu_write_unlock(&mmu.lock);
}

static unsigned chain_len(gfn_t gfn, int level)
{
	return pte_list_count(gfn_to_rmap(&mmu.slot, gfn, level)->val);
}

/* audit + conservation: how many violations now */
static uint64_t check_all(void)
{
	env_host_reset();
	mmu_audit(&mmu);
	mmu_check_ad_conservation(&mmu, acc.set_a, acc.set_d, ages.accessed_cleared);
	return env_host_violations();
}

static uint64_t live_pages(void)
{
	return mmu.stats.pages_allocated - mmu.stats.pages_freed;
}

static void test_clean_operations(void)
{
	for (unsigned r = 0; r < ROOTS; r++)
		for (gfn_t g = 0; g < 40; g++)
			fault(r, g, PG_LEVEL_4K, g & 1);
	tap_check(check_all() == 0 && chain_len(7, 1) == ROOTS && live_pages() == ROOTS * 4,
		  "4K faults in %u roots: clean audit, chains of %u, 3 tables per root (%llu pages)",
		  ROOTS, chain_len(7, 1), (unsigned long long)live_pages());

	fault(0, 3, PG_LEVEL_2M, false);	/* replaces root 0's PT of region 0 */
	tap_check(check_all() == 0 && chain_len(3, 1) == ROOTS - 1 && chain_len(0, 2) == 1 &&
		  live_pages() == ROOTS * 4 - 1,
		  "2M fault over a table: subtree zapped, 4K chains shrink, table freed");

	fault(0, 5, PG_LEVEL_4K, true);		/* drops root 0's 2M leaf again */
	tap_check(check_all() == 0 && chain_len(0, 2) == 0 && chain_len(5, 1) == ROOTS,
		  "4K fault under a 2M leaf: huge leaf dropped, new table");

	fault(1, 700, PG_LEVEL_1G, true);	/* root 1: whole 1G region, past the 4K tables */
	tap_check(check_all() == 0 && chain_len(0, 3) == 1 && chain_len(5, 1) == ROOTS - 1,
		  "1G fault over a PD: two levels of tables zapped");

	age_gfn_range(&mmu.slot, 0, 300, &ages);	/* faults set A: clear some first */
	for (unsigned r = 0; r < ROOTS; r++)
		for (gfn_t g = 0; g < 600; g += 3)
			mmu_access(&mmu, 0, r, g, !(g & 1), &acc);
	age_gfn_range(&mmu.slot, 0, 300, &ages);
	test_age_gfn_range(&mmu.slot, 0, NPAGES, &ages);
	tap_check(check_all() == 0 && acc.set_a > 0 && acc.set_d > 0 && ages.accessed_cleared > 0,
		  "accessors set A/D (%llu, %llu), agers clear A (%llu): conserved",
		  (unsigned long long)acc.set_a, (unsigned long long)acc.set_d,
		  (unsigned long long)ages.accessed_cleared);

	zap_range(0, 20);
	tap_check(check_all() == 0 && chain_len(5, 1) == 0 && chain_len(0, 3) == 0 &&
		  mmu.stats.harvest_a > 0,
		  "range zap empties the 4K and 1G rmaps it covers, harvests A/D");

	mmu_write_lock(&mmu.lock);
	mmu_zap_all(&mmu);
	mmu_write_unlock(&mmu.lock);
	tap_check(check_all() == 0 && live_pages() == ROOTS && mmu.slot.descs_live == 0 &&
		  chain_len(30, 1) == 0,
		  "zap all: only the roots remain, no desc in use");
}

/* Corrupt, expect inv from the audit (or the given check), undo, expect clean. */
static void expect(const char *inv, const char *what)
{
	uint64_t n = env_host_violations_of(inv);

	tap_check(n > 0, "%s: reported as %s (%llu)", what, inv, (unsigned long long)n);
}

/* Leaves with a bit their format does not use, spelled from the manuals: each must be found. */
struct malformed {
	enum spte_format_id format;
	uint64_t flip;		/* bits XORed into a clean 4K leaf */
	const char *what;
};

static const struct malformed malformed[] = {
	{ SPTE_FORMAT_EPT, 1ull << 10, "an EPT leaf with bit 10 (user-execute) set" },
	{ SPTE_FORMAT_EPT, 1ull << 6, "an EPT leaf without ignore-PAT" },
	{ SPTE_FORMAT_EPT, 1ull << 3, "an EPT leaf with memtype 7 (reserved), not WB" },
	{ SPTE_FORMAT_NPT, 1ull << 3, "an NPT leaf with PWT set" },
	{ SPTE_FORMAT_NPT, 1ull << 4, "an NPT leaf with PCD set" },
	{ SPTE_FORMAT_NPT, 1ull << 8, "an NPT leaf with G set" },
	{ SPTE_FORMAT_NPT, 1ull << 63, "an NPT leaf with NX set" },
	{ SPTE_FORMAT_NPT, 1ull << 2, "an NPT leaf without US (a nested walk is a user access)" },
};

static void test_malformed_leaves(void)
{
	struct rmap_iterator iter;
	uint64_t *sptep = rmap_get_first(gfn_to_rmap(&mmu.slot, 9, 1)->val, &iter);

	for (unsigned i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		if (malformed[i].format != spte_fmt.id)
			continue;
		*sptep ^= malformed[i].flip;
		check_all();
		expect("audit", malformed[i].what);
		*sptep ^= malformed[i].flip;
	}
	tap_check(check_all() == 0, "%s: malformed leaves undone, clean again", spte_fmt.name);
}

static void test_checks_fail(void)
{
	struct rmap_head *h;
	uint64_t *sptep, saved, fp, nd;
	struct mmu_page *sp;

	for (unsigned r = 0; r < ROOTS; r++)
		for (gfn_t g = 0; g < 16; g++)
			fault(r, g, PG_LEVEL_4K, true);
	fault(0, 600, PG_LEVEL_2M, false);
	check_all();
	tap_check(env_host_violations() == 0, "rebuilt tables audit clean");

	h = gfn_to_rmap(&mmu.slot, 3, 1);
	h->val |= RMAP_LOCKED;
	check_all();
	expect("audit", "a LOCKED bit left at a checkpoint");
	h->val &= ~RMAP_LOCKED;

	h = gfn_to_rmap(&mmu.slot, 600, 2);	/* a single-entry rmap */
	saved = h->val;
	h->val = 0;
	check_all();
	expect("audit", "a present leaf missing from its rmap");
	h->val = saved;

	sp = sptep_to_sp(&mmu, (uint64_t *)saved);
	sptep = &sp->spt[spte_index_of(1500, 2)];
	*sptep = make_leaf_spte(mmu_gfn_to_pfn(&mmu, 1500, 2), 2, false, false);
	sp->present_count++;
	check_all();
	expect("audit", "a stray leaf in no rmap");
	*sptep = 0;
	sp->present_count--;

	sp->present_count++;
	check_all();
	expect("audit", "a wrong present count");
	sp->present_count--;

	h = gfn_to_rmap(&mmu.slot, 2, 1);	/* ROOTS entries: one desc */
	((struct pte_list_desc *)(h->val & ~RMAP_MANY))->tail_count = 3;
	check_all();
	expect("audit", "a wrong tail_count");
	((struct pte_list_desc *)(h->val & ~RMAP_MANY))->tail_count = 0;

	env_host_reset();
	rmap_check_chain(&mmu.slot, 4, 1, saved, &fp, &nd);	/* a 2M sptep in a 4K rmap */
	expect("spte-owner", "an rmap entry of the wrong level");

	tap_check(check_all() == 0, "undone corruptions audit clean again");
	test_malformed_leaves();

	/* zap region 0 of root 3: its PT is freed; a chain naming it must read poison */
	sp = sptep_to_sp(&mmu, (uint64_t *)((struct pte_list_desc *)
		(gfn_to_rmap(&mmu.slot, 0, 1)->val & ~RMAP_MANY))->sptes[3]);
	saved = (uint64_t)(uintptr_t)&sp->spt[0];
	zap_range(0, 16);
	env_host_reset();
	rmap_check_chain(&mmu.slot, 0, 1, (unsigned long)saved, &fp, &nd);
	expect("uaf", "an rmap entry into a freed table page");

	{	/* a store into a freed desc is found when it leaves quarantine */
		struct pte_list_desc *d = pool_alloc(&mmu.desc_pool);

		env_host_reset();
		pool_free(&mmu.desc_pool, d, "test");
		d->spte_count = 1;
		for (int i = 0; i < 300; i++)
			pool_free(&mmu.desc_pool, pool_alloc(&mmu.desc_pool), "test");
		expect("uaf", "a store into a quarantined desc");
	}

	env_host_reset();
	mmu_check_ad_conservation(&mmu, acc.set_a + 1, acc.set_d, ages.accessed_cleared);
	expect("ad-conservation", "an A set nobody counted");
	tap_check(check_all() == 0, "and the real counts are conserved");
}

static void clear_dirty(gfn_t start, gfn_t end)
{
	mmu_write_lock(&mmu.lock);
	mmu_clear_dirty_gfn_range(&mmu, start, end);
	mmu_write_unlock(&mmu.lock);
}

static void test_kvm(void)
{
	bool ept = spte_fmt.ad_disabled_ok;	/* EPT: roots 0-1 A/D-disabled; NPT: none */
	uint64_t *sptep, saved;
	struct mmu_page *sp;

	memset(&acc, 0, sizeof(acc));
	memset(&ages, 0, sizeof(ages));
	mmu_free_memory_caches(&mmu, &mc);
	mmu_destroy(&mmu);
	if (ept)
		tap_check(mmu_init(&mmu, 0, NPAGES, ROOTS, 1, rmap_ops_find("none"), true) == 0 &&
			  mmu_set_profile(&mmu, MMU_PROFILE_KVM, ROOTS / 2) == 0 &&
			  mmu_set_profile(&mmu, MMU_PROFILE_STRICT, 1) != 0,
			  "kvm MMU with A/D disabled in roots 0-1 (strict refuses A/D-disabled roots)");
	else
		tap_check(mmu_init(&mmu, 0, NPAGES, ROOTS, 1, rmap_ops_find("none"), true) == 0 &&
			  mmu_set_profile(&mmu, MMU_PROFILE_KVM, ROOTS / 2) != 0 &&
			  mmu_set_profile(&mmu, MMU_PROFILE_KVM, 0) == 0,
			  "npt kvm MMU: A/D-disabled roots refused, A/D enabled everywhere");
	for (unsigned r = 0; r < ROOTS; r++) {
		for (gfn_t g = 0; g < 60; g++)
			fault(r, g, PG_LEVEL_4K, false);
		fault(r, 1024, PG_LEVEL_2M, false);
	}
	sptep = &sptep_to_sp(&mmu, mmu.roots[0]->spt)->spt[1];
	tap_check(check_all() == 0 && mmu.stats.set_d == mmu.stats.leaves_installed &&
		  *sptep == spte_fmt.kvm_nonpresent,
		  "%s kvm faults: every writable leaf born dirty, unused entries hold %#llx; clean",
		  spte_fmt.name, (unsigned long long)spte_fmt.kvm_nonpresent);

	age_gfn_range(&mmu.slot, 0, 64, &ages);
	sp = sptep_to_sp(&mmu, (uint64_t *)(uintptr_t)(mmu.roots[0]->spt[0] & SPTE_PFN_MASK));
	sp = sptep_to_sp(&mmu, (uint64_t *)(uintptr_t)(sp->spt[0] & SPTE_PFN_MASK));
	sp = sptep_to_sp(&mmu, (uint64_t *)(uintptr_t)(sp->spt[0] & SPTE_PFN_MASK));
	sptep = &sp->spt[5];	/* root 0, gfn 5: A/D disabled under EPT */
	tap_check(check_all() == 0 && is_access_track_spte(*sptep) == ept &&
		  !is_accessed_spte(*sptep) && ages.accessed_cleared == 60 * ROOTS,
		  "aging marks A/D-disabled SPTEs for access tracking, clears A in the others");
	mmu_access(&mmu, 0, 0, 5, true, &acc);
	tap_check(check_all() == 0 && !is_access_track_spte(*sptep) && is_accessed_spte(*sptep) &&
		  is_writable_pte(*sptep) && acc.fast_pf == (ept ? 1 : 0),
		  "an access restores it as the fast page fault does (R/X, A; W on a write), or sets A");

	clear_dirty(0, 64);
	mmu_access(&mmu, 0, 2, 7, true, &acc);	/* root 2: A/D enabled, D gained again */
	tap_check(check_all() == 0 && mmu.stats.cleared_d > 0 && acc.set_d == 1,
		  "dirty logging clears D (%llu), an accessor's write sets it again: D conserved",
		  (unsigned long long)mmu.stats.cleared_d);

	env_host_reset();
	mmu_check_ad_conservation(&mmu, acc.set_a + 1, acc.set_d, ages.accessed_cleared);
	tap_check(env_host_violations() == 0, "kvm: an A set nobody counted is no violation");
	mmu_check_ad_conservation(&mmu, acc.set_a, acc.set_d + 1, ages.accessed_cleared);
	expect("ad-conservation", "kvm: a D set nobody counted");

	/* EPT, A/D disabled: RWX clear means access-tracked, and then A must be clear too;
	 * NPT: no access tracking, a leaf without P|RW|US is malformed */
	saved = *sptep;
	*sptep = (saved | spte_fmt.accessed_mask) & ~SPTE_RWX;
	check_all();
	expect("audit", ept ? "kvm: an access-tracked SPTE with A set" :
			      "npt kvm: a leaf without P|RW|US");
	*sptep = saved;

	/* EPT: 0 where bit 63 belongs; NPT: bit 63 (NX, EPT's value) where 0 belongs */
	saved = sp->spt[100];
	sp->spt[100] = spte_fmt.kvm_nonpresent ^ (1ull << 63);
	check_all();
	expect("audit", "kvm: the other format's non-present value where this one's belongs");
	sp->spt[100] = saved;

	sptep = &sptep_to_sp(&mmu, mmu.roots[3]->spt)->spt[0];
	*sptep |= spte_fmt.dirty_mask;
	check_all();
	expect("audit", "kvm: D in a table entry");
	*sptep &= ~spte_fmt.dirty_mask;
	tap_check(check_all() == 0, "kvm: undone corruptions audit clean again");

	/* a leaf stored where no count or rmap knows it (as a store after its zap would leave
	 * it): the table empties by the counts and is freed with the leaf inside */
	env_host_reset();
	sp->spt[100] = kvm_make_leaf_spte(mmu_gfn_to_pfn(&mmu, 100, 1), 1, ept);
	mmu_write_lock(&mmu.lock);
	for (gfn_t g = 0; g < 60; g++)
		mmu_zap_leaf(&mmu, 0, g, PG_LEVEL_4K);
	mmu_write_unlock(&mmu.lock);
	expect("audit", "a table freed with a present entry");

	mmu_write_lock(&mmu.lock);
	mmu_zap_all(&mmu);
	mmu_write_unlock(&mmu.lock);
	tap_check(check_all() == 0 && mmu.slot.descs_live == 0, "kvm: zap all, clean");
}

/* The 4K leaf of gfn in root 0, walked from the top; NULL if a level is not present. */
static uint64_t *leaf_sptep(gfn_t gfn)
{
	uint64_t *spt = mmu.roots[0]->spt;

	for (int level = MMU_ROOT_LEVEL; level > PG_LEVEL_4K; level--) {
		uint64_t spte = spt[spte_index_of(gfn, level)];

		if (!is_shadow_present_pte(spte))
			return NULL;
		spt = spte_to_child_spt(spte);
	}
	return &spt[spte_index_of(gfn, PG_LEVEL_4K)];
}

/* mmu_set_backing: real frames at backing_pfn + gfn, leaves created old (svm-guest's MMU). */
static void test_backing(void)
{
	const pfn_t backing = 0x5000;
	uint64_t *sptep;

	if (mmu_init(&mmu, 0, NPAGES, 1, 1, rmap_ops_find("none"), true)) {
		tap_check(false, "backing: mmu_init");
		return;
	}
	tap_check(mmu_set_backing(&mmu, backing, MMU_LEAF_AD_CLEAR) == 0, "backing: set before any fault");
	fault(0, 7, PG_LEVEL_4K, false);
	fault(0, 9, PG_LEVEL_4K, true);
	sptep = leaf_sptep(7);
	tap_check(sptep && spte_to_pfn(*sptep) == backing + 7 && !is_accessed_spte(*sptep) &&
		  !is_dirty_spte(*sptep), "backing: read fault maps pfn 0x%llx, A/D clear (spte 0x%llx)",
		  (unsigned long long)backing + 7, sptep ? (unsigned long long)*sptep : 0ull);
	sptep = leaf_sptep(9);
	tap_check(sptep && spte_to_pfn(*sptep) == backing + 9 && !is_accessed_spte(*sptep) &&
		  !is_dirty_spte(*sptep) && is_writable_pte(*sptep),
		  "backing: write fault maps pfn 0x%llx writable, A/D clear",
		  (unsigned long long)backing + 9);
	tap_check(mmu.stats.set_a == 0 && mmu.stats.set_d == 0 && check_all() == 0,
		  "backing: no A/D counted as set by the faults, audit and conservation clean");
	tap_check(mmu_set_backing(&mmu, 0, MMU_LEAF_AD_PROFILE) != 0, "backing: refused once a leaf exists");
	tap_check(mmu.backing_max_level == PG_LEVEL_2M,
		  "backing: a 2 MiB-aligned backing of whole 2 MiB regions holds 2 MiB leaves");
	/* the walker's D on a write, then gone with the zap: the frame says the MMU saw it */
	*leaf_sptep(9) |= spte_fmt.dirty_mask;
	env_host_reset();
	mmu_write_lock(&mmu.lock);
	mmu_zap_all(&mmu);
	mmu_write_unlock(&mmu.lock);
	tap_check(env_host_violations() == 0 && mmu.stats.leaves_zapped == 2,
		  "backing: the zap finds both leaves' frames in the slot");
	tap_check((*mmu_frame(&mmu, 9) & FRAME_D_SEEN) && !(*mmu_frame(&mmu, 7) & FRAME_D_SEEN),
		  "backing: the zap records D seen in the written frame only (FRAME_D_SEEN)");
	/* a 2 MiB leaf maps the aligned frame of its first gfn, whatever gfn faulted */
	fault(0, 512 + 77, PG_LEVEL_2M, true);
	mmu_write_lock(&mmu.lock);
	mmu_clear_dirty_gfn_range(&mmu, 512, 1024);	/* 4K SPTEs only: none */
	mmu_write_unlock(&mmu.lock);
	tap_check(mmu_gfn_to_pfn(&mmu, 512 + 77, PG_LEVEL_2M) == backing + 512 &&
		  mmu_pfn_to_gfn(&mmu, backing + 512) == 512,
		  "backing: a 2 MiB leaf maps pfn 0x%llx, aligned", (unsigned long long)backing + 512);
	mmu_write_lock(&mmu.lock);
	mmu_zap_all(&mmu);
	mmu_write_unlock(&mmu.lock);
	mmu_free_memory_caches(&mmu, &mc);
	mmu_destroy(&mmu);
	if (mmu_init(&mmu, 0, NPAGES, 1, 1, rmap_ops_find("none"), true)) {
		tap_check(false, "backing: mmu_init");
		return;
	}
	tap_check(mmu_set_backing(&mmu, backing + 1, MMU_LEAF_AD_CLEAR) == 0 &&
		  mmu.backing_max_level == PG_LEVEL_4K,
		  "backing: an unaligned backing holds 4 KiB leaves only");
	/* dirty logging's clear of a written leaf records D seen too */
	fault(0, 5, PG_LEVEL_4K, true);
	*leaf_sptep(5) |= spte_fmt.dirty_mask;
	mmu_write_lock(&mmu.lock);
	mmu_clear_dirty_gfn_range(&mmu, 0, 64);
	mmu_zap_all(&mmu);
	mmu_write_unlock(&mmu.lock);
	tap_check((*mmu_frame(&mmu, 5) & FRAME_D_SEEN) && mmu.stats.cleared_d == 1,
		  "backing: dirty logging's clear records D seen (FRAME_D_SEEN)");
	mmu_free_memory_caches(&mmu, &mc);
	mmu_destroy(&mmu);
}

static const enum spte_format_id formats[] = { SPTE_FORMAT_EPT, SPTE_FORMAT_NPT };

int main(void)
{
	env_host_set_cpu(0);
	env_host_set_test("mmu-audit");
	env_host_set_print_limit(0);
	for (unsigned i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		memset(&acc, 0, sizeof(acc));
		memset(&ages, 0, sizeof(ages));
		if (spte_set_format(formats[i]) ||
		    mmu_init(&mmu, 0, NPAGES, ROOTS, 1, rmap_ops_find("none"), true)) {
			printf("not ok 1 - spte_set_format(%s), mmu_init\n", spte_format_name(formats[i]));
			return 1;
		}
		tap_check(spte_set_format(SPTE_FORMAT_EPT + SPTE_FORMAT_NPT - formats[i]) != 0,
			  "%s: the format cannot change while an MMU exists", spte_fmt.name);
		test_clean_operations();
		test_checks_fail();
		test_kvm();
		mmu_free_memory_caches(&mmu, &mc);
		mmu_destroy(&mmu);
		memset(&acc, 0, sizeof(acc));
		memset(&ages, 0, sizeof(ages));
		test_backing();
		tap_check(env_host_pages_in_use() == 0, "%s: every env page returned (%lld in use)",
			  spte_format_name(formats[i]), (long long)env_host_pages_in_use());
	}
	return tap_finish();
}
