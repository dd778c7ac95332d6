/*
 * test_spte.c - the SPTE format and helpers of kernel/mmu/spte.h against the Intel SDM's EPT
 * layout, written out here bit by bit (not through the header's masks), so a wrong mask or a
 * helper that tests the wrong bit fails. Each row of leaf_cases[] builds a leaf with
 * make_leaf_spte and checks its exact value and every predicate; other cases cover
 * non-leaf entries, level geometry and the volatile-bits rule the zap depends on. profile=kvm's
 * format (Linux v6.15+ spte.h: suppress-#VE, A/D type, saved R/X, host/MMU-writable) gets the
 * same treatment, with access tracking and upstream's atomic-update rule.
 */
#include <stdint.h>
#include "core_tap.h"
#include "mmu/spte.h"

struct leaf_case {
	uint64_t pfn;
	int level;
	bool accessed, dirty;
	uint64_t expect;	/* the SPTE, spelled from the SDM */
};

/* R=bit0 W=bit1 X=bit2 memtype(WB=6)=bits3-5 ignore-PAT=bit6 large=bit7 A=bit8 D=bit9,
 * KVM's MMU-present=bit11, PFN=bits 12-51 */
#define EXPECT_BASE	(0x7ull | (6ull << 3) | (1ull << 6) | (1ull << 11))

static const struct leaf_case leaf_cases[] = {
	{ 0x1, 1, false, false, EXPECT_BASE | 0x1000 },
	{ 0x12345, 1, true, false, EXPECT_BASE | (1ull << 8) | 0x12345000 },
	{ 0x12345, 1, true, true, EXPECT_BASE | (1ull << 8) | (1ull << 9) | 0x12345000 },
	{ 0x200, 2, true, false, EXPECT_BASE | (1ull << 7) | (1ull << 8) | 0x200000 },
	{ 0x40000, 3, false, true, EXPECT_BASE | (1ull << 7) | (1ull << 9) | 0x40000000 },
	{ 0xffffffffffull, 1, false, false, EXPECT_BASE | 0x000ffffffffff000ull },
	/* bits above 51 of a pfn must not leak into the SPTE */
	{ 0x1ffffffffffull, 1, false, false, EXPECT_BASE | 0x000ffffffffff000ull },
};

static void test_leaves(void)
{
	for (unsigned i = 0; i < sizeof(leaf_cases) / sizeof(leaf_cases[0]); i++) {
		const struct leaf_case *c = &leaf_cases[i];
		uint64_t spte = make_leaf_spte(c->pfn, c->level, c->accessed, c->dirty);
		bool ok = spte == c->expect && is_shadow_present_pte(spte) &&
			  is_last_spte(spte, c->level) && is_large_pte(spte) == (c->level > 1) &&
			  is_accessed_spte(spte) == c->accessed && is_dirty_spte(spte) == c->dirty &&
			  is_writable_pte(spte) &&
			  spte_to_pfn(spte) == (c->pfn & 0xffffffffffull) &&
			  spte_has_volatile_bits(spte, c->level);

		tap_check(ok, "leaf pfn=%#llx level=%d A=%d D=%d: got %#llx expected %#llx",
			  (unsigned long long)c->pfn, c->level, c->accessed, c->dirty,
			  (unsigned long long)spte, (unsigned long long)c->expect);
	}
}

static void test_nonleaf(void)
{
	static uint64_t table[512] __attribute__((aligned(4096)));
	uint64_t spte = make_nonleaf_spte(table);
	uint64_t expect = 0x7ull | (1ull << 11) | (uint64_t)(uintptr_t)table;

	tap_check(spte == expect && spte_to_child_spt(spte) == table && is_shadow_present_pte(spte),
		  "non-leaf: RWX + present + table address (%#llx)", (unsigned long long)spte);
	tap_check(!is_last_spte(spte, 2) && !is_last_spte(spte, 3) && !is_last_spte(spte, 4) &&
		  !is_large_pte(spte) && !spte_has_volatile_bits(spte, 2),
		  "non-leaf: not a leaf at levels 2-4, no volatile bits");
	tap_check(is_last_spte(spte, 1), "every level-1 entry is a leaf");
}

static void test_nonpresent(void)
{
	/* only the software bit makes an SPTE present: a zapped SPTE with stray bits is not */
	uint64_t stray = SPTE_RWX | SPTE_ACCESSED | SPTE_DIRTY | 0x5000;

	tap_check(!is_shadow_present_pte(SPTE_NONPRESENT) && !is_shadow_present_pte(stray) &&
		  !spte_has_volatile_bits(stray, 1) && !spte_has_volatile_bits(0, 1),
		  "non-present: bit 11 clear, no volatile bits whatever else is set");
}

static void test_geometry(void)
{
	gfn_t gfn = (3ull << 27) | (5ull << 18) | (7ull << 9) | 11;

	tap_check(pages_per_level(1) == 1 && pages_per_level(2) == 512 &&
		  pages_per_level(3) == 512 * 512 && pages_per_level(4) == 512ull * 512 * 512,
		  "pages per level: 1, 512, 512^2, 512^3");
	tap_check(spte_index_of(gfn, 1) == 11 && spte_index_of(gfn, 2) == 7 &&
		  spte_index_of(gfn, 3) == 5 && spte_index_of(gfn, 4) == 3,
		  "table index per level: GPA bits 12-20, 21-29, 30-38, 39-47");
}

/* kvm: bit 63 suppress-#VE, 52-53 A/D type (1 = disabled), 54/56 saved R/X, 57 host-writable,
 * 58 MMU-writable (Linux v6.15+ spte.h, kvm_mmu_set_ept_masks) */
#define KVM_LEAF	(EXPECT_BASE | (1ull << 8) | (1ull << 9) | (1ull << 57) | (1ull << 58) | \
			 (1ull << 63))

static void test_kvm_leaves(void)
{
	uint64_t ad = kvm_make_leaf_spte(0x12345, 1, false);
	uint64_t noad = kvm_make_leaf_spte(0x200, 2, true);
	uint64_t tracked = mark_spte_for_access_track(noad);
	uint64_t restored = restore_acc_track_spte(tracked);

	tap_check(ad == (KVM_LEAF | 0x12345000) && spte_ad_enabled(ad) && is_accessed_spte(ad) &&
		  is_dirty_spte(ad) && !is_access_track_spte(ad) && is_mmu_writable_spte(ad),
		  "kvm leaf, A/D enabled: A and D set at creation, high bits 57/58/63 (%#llx)",
		  (unsigned long long)ad);
	tap_check(noad == (KVM_LEAF | (1ull << 7) | (1ull << 52) | 0x200000) && !spte_ad_enabled(noad),
		  "kvm 2M leaf, A/D disabled: bit 52 (%#llx)", (unsigned long long)noad);
	tap_check(tracked == ((noad & ~0x107ull) | (1ull << 54) | (1ull << 56)) &&
		  is_access_track_spte(tracked) && !is_accessed_spte(tracked) &&
		  is_shadow_present_pte(tracked),
		  "access tracking: RWX and A cleared, R saved in bit 54, X in 56 (%#llx)",
		  (unsigned long long)tracked);
	tap_check(restored == (noad & ~0x102ull) && mark_spte_for_access_track(tracked) == tracked,
		  "restore: R/X back, saved bits cleared, W and A not back (%#llx); marking twice is a no-op",
		  (unsigned long long)restored);
	tap_check(mark_spte_for_access_track(ad) == (ad & ~(1ull << 8)),
		  "A/D enabled: marking for access tracking clears A only");
	tap_check(!spte_needs_atomic_update(ad) && spte_needs_atomic_update(ad & ~(1ull << 9)) &&
		  spte_needs_atomic_update(noad) &&
		  spte_needs_atomic_update((ad & ~(1ull << 1)) & ~(1ull << 9)) &&
		  !spte_needs_atomic_update(ad & ~(1ull << 8)),
		  "spte_needs_atomic_update: writable+D no, writable without D yes, A/D disabled yes, "
		  "Accessed ignored");
}

static void test_kvm_nonleaf(void)
{
	static uint64_t table[512] __attribute__((aligned(4096)));
	uint64_t base = 0x7ull | (1ull << 11) | (1ull << 63) | (uint64_t)(uintptr_t)table;

	tap_check(kvm_make_nonleaf_spte(table, false) == (base | (1ull << 8)) &&
		  kvm_make_nonleaf_spte(table, true) == (base | (1ull << 52)),
		  "kvm non-leaf: RWX, present, suppress-#VE, A (A/D enabled) or bit 52 (disabled)");
	tap_check(spte_nonpresent_value(MMU_PROFILE_KVM) == (1ull << 63) &&
		  !is_shadow_present_pte(spte_nonpresent_value(MMU_PROFILE_KVM)) &&
		  spte_nonpresent_value(MMU_PROFILE_STRICT) == 0,
		  "non-present value: bit 63 under kvm, 0 under strict");
}

int main(void)
{
	test_kvm_leaves();
	test_kvm_nonleaf();
	test_leaves();
	test_nonleaf();
	test_nonpresent();
	test_geometry();
	return tap_finish();
}
