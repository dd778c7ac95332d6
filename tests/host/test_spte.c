/*
 * test_spte.c - the SPTE formats and helpers of kernel/mmu/spte.h against the Intel SDM's EPT
 * layout and AMD's NPT (x86-64 page-table) layout, written out here bit by bit (formats[], not
 * through the header's masks), so a wrong mask or a helper that tests the wrong bit fails.
 * Every case runs under each format (spte_set_format). Each row of leaf_cases[] builds a leaf
 * with make_leaf_spte and checks its exact value and every predicate; other cases cover
 * non-leaf entries, level geometry and the volatile-bits rule the zap depends on. profile=kvm's
 * format (Linux v6.15+ spte.h: suppress-#VE, A/D type, saved R/X, host/MMU-writable) gets the
 * same treatment, with upstream's atomic-update rule, and access tracking under EPT (the one
 * format with A/D-disabled SPTEs); and spte_set_format's refusals.
 */
#include <stdint.h>
#include <string.h>
#include "core_tap.h"
#include "mmu/spte.h"

/*
 * The two formats, spelled from the manuals, not from spte_format.h. EPT (SDM Vol. 3C §29.3.2):
 * R=bit0 W=bit1 X=bit2, memtype(WB=6)=bits3-5, ignore-PAT=bit6, large=bit7, A=bit8, D=bit9.
 * NPT (APM Vol. 2 §5.3): P=bit0 RW=bit1 US=bit2, PWT=bit3 PCD=bit4 (0: write-back), A=bit5,
 * D=bit6, PS=bit7, G=bit8 (0), NX=bit63 (0). Both: KVM's MMU-present=bit11, PFN=bits 12-51.
 * kvm: host-/MMU-writable bits 57/58 in both (upstream's NPT uses 9/10: spte_format.c), EPT's
 * suppress-#VE bit 63 in present SPTEs and as the non-present value; NPT's non-present is 0.
 */
struct format_bits {
	enum spte_format_id id;
	const char *name;
	uint64_t a, d;
	uint64_t leaf_base;	/* every leaf: RWX / P|RW|US, memtype, bit 11 */
	uint64_t kvm_high;	/* kvm: every present SPTE */
	uint64_t kvm_nonpresent;
	uint64_t must_be_zero;	/* hardware bits no SPTE of this format may set */
};

static const struct format_bits formats[] = {
	{ SPTE_FORMAT_EPT, "ept", 1ull << 8, 1ull << 9, 0x7ull | (6ull << 3) | (1ull << 6) | (1ull << 11),
	  (1ull << 57) | (1ull << 58) | (1ull << 63), 1ull << 63, 1ull << 10 },
	{ SPTE_FORMAT_NPT, "npt", 1ull << 5, 1ull << 6, 0x7ull | (1ull << 11),
	  (1ull << 57) | (1ull << 58), 0,
	  (1ull << 3) | (1ull << 4) | (1ull << 8) | (1ull << 63) },
};

struct leaf_case {
	uint64_t pfn;
	int level;
	bool accessed, dirty;
	uint64_t pfn_bits;	/* bits 12-51 as expected */
};

static const struct leaf_case leaf_cases[] = {
	{ 0x1, 1, false, false, 0x1000 },
	{ 0x12345, 1, true, false, 0x12345000 },
	{ 0x12345, 1, true, true, 0x12345000 },
	{ 0x200, 2, true, false, 0x200000 },
	{ 0x40000, 3, false, true, 0x40000000 },
	{ 0xffffffffffull, 1, false, false, 0x000ffffffffff000ull },
	/* bits above 51 of a pfn must not leak into the SPTE */
	{ 0x1ffffffffffull, 1, false, false, 0x000ffffffffff000ull },
};

static void test_leaves(const struct format_bits *f)
{
	for (unsigned i = 0; i < sizeof(leaf_cases) / sizeof(leaf_cases[0]); i++) {
		const struct leaf_case *c = &leaf_cases[i];
		uint64_t spte = make_leaf_spte(c->pfn, c->level, c->accessed, c->dirty);
		uint64_t expect = f->leaf_base | c->pfn_bits | (c->level > 1 ? 1ull << 7 : 0) |
				  (c->accessed ? f->a : 0) | (c->dirty ? f->d : 0);
		bool ok = spte == expect && !(spte & f->must_be_zero) && is_shadow_present_pte(spte) &&
			  is_last_spte(spte, c->level) && is_large_pte(spte) == (c->level > 1) &&
			  is_accessed_spte(spte) == c->accessed && is_dirty_spte(spte) == c->dirty &&
			  is_writable_pte(spte) &&
			  spte_to_pfn(spte) == (c->pfn & 0xffffffffffull) &&
			  spte_has_volatile_bits(spte, c->level) &&
			  spte_volatile_mask() == (f->a | f->d);

		tap_check(ok, "%s leaf pfn=%#llx level=%d A=%d D=%d: got %#llx expected %#llx",
			  f->name, (unsigned long long)c->pfn, c->level, c->accessed, c->dirty,
			  (unsigned long long)spte, (unsigned long long)expect);
	}
}

static void test_nonleaf(const struct format_bits *f)
{
	static uint64_t table[512] __attribute__((aligned(4096)));
	uint64_t spte = make_nonleaf_spte(table);
	uint64_t expect = 0x7ull | (1ull << 11) | (uint64_t)(uintptr_t)table;

	tap_check(spte == expect && spte_to_child_spt(spte) == table && is_shadow_present_pte(spte),
		  "%s non-leaf: RWX (P|RW|US) + present + table address (%#llx)", f->name,
		  (unsigned long long)spte);
	tap_check(!is_last_spte(spte, 2) && !is_last_spte(spte, 3) && !is_last_spte(spte, 4) &&
		  !is_large_pte(spte) && !spte_has_volatile_bits(spte, 2),
		  "%s non-leaf: not a leaf at levels 2-4, no volatile bits", f->name);
	tap_check(is_last_spte(spte, 1), "%s: every level-1 entry is a leaf", f->name);
}

static void test_nonpresent(const struct format_bits *f)
{
	/* only the software bit makes an SPTE present: a zapped SPTE with stray bits is not */
	uint64_t stray = 0x7ull | f->a | f->d | 0x5000;

	tap_check(!is_shadow_present_pte(SPTE_NONPRESENT) && !is_shadow_present_pte(stray) &&
		  !spte_has_volatile_bits(stray, 1) && !spte_has_volatile_bits(0, 1),
		  "%s non-present: bit 11 clear, no volatile bits whatever else is set", f->name);
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

/* kvm, both formats: A and D set at creation, bits 57/58, and EPT's bit 63 */
static void test_kvm_leaves(const struct format_bits *f)
{
	uint64_t ad = kvm_make_leaf_spte(0x12345, 1, false);
	uint64_t expect = f->leaf_base | f->a | f->d | f->kvm_high | 0x12345000;

	tap_check(ad == expect && !(ad & f->must_be_zero & ~f->kvm_high) && spte_ad_enabled(ad) &&
		  is_accessed_spte(ad) && is_dirty_spte(ad) && !is_access_track_spte(ad) &&
		  is_mmu_writable_spte(ad),
		  "%s kvm leaf, A/D enabled: A and D set at creation, high bits (%#llx, expected %#llx)",
		  f->name, (unsigned long long)ad, (unsigned long long)expect);
	tap_check(mark_spte_for_access_track(ad) == (ad & ~f->a),
		  "%s A/D enabled: marking for access tracking clears A only", f->name);
	tap_check(!spte_needs_atomic_update(ad) && spte_needs_atomic_update(ad & ~f->d) &&
		  spte_needs_atomic_update((ad & ~(1ull << 1)) & ~f->d) &&
		  !spte_needs_atomic_update(ad & ~f->a),
		  "%s spte_needs_atomic_update: writable+D no, writable without D yes, Accessed ignored",
		  f->name);
}

/* kvm, EPT only (NPT has no A/D-disabled SPTEs): bits 52-53 A/D type (1 = disabled), 54/56
 * saved R/X (Linux v6.15+ spte.h, kvm_mmu_set_ept_masks) */
static void test_kvm_access_tracking(const struct format_bits *f)
{
	uint64_t noad = kvm_make_leaf_spte(0x200, 2, true);
	uint64_t tracked = mark_spte_for_access_track(noad);
	uint64_t restored = restore_acc_track_spte(tracked);
	uint64_t leaf = f->leaf_base | f->a | f->d | f->kvm_high;

	tap_check(noad == (leaf | (1ull << 7) | (1ull << 52) | 0x200000) && !spte_ad_enabled(noad) &&
		  spte_needs_atomic_update(noad),
		  "%s kvm 2M leaf, A/D disabled: bit 52 (%#llx), needs atomic updates", f->name,
		  (unsigned long long)noad);
	tap_check(tracked == ((noad & ~(0x7ull | f->a)) | (1ull << 54) | (1ull << 56)) &&
		  is_access_track_spte(tracked) && !is_accessed_spte(tracked) &&
		  is_shadow_present_pte(tracked),
		  "%s access tracking: RWX and A cleared, R saved in bit 54, X in 56 (%#llx)", f->name,
		  (unsigned long long)tracked);
	tap_check(restored == (noad & ~(0x2ull | f->a)) && mark_spte_for_access_track(tracked) == tracked,
		  "%s restore: R/X back, saved bits cleared, W and A not back (%#llx); marking twice is a no-op",
		  f->name, (unsigned long long)restored);
}

static void test_kvm_nonleaf(const struct format_bits *f)
{
	static uint64_t table[512] __attribute__((aligned(4096)));
	uint64_t base = 0x7ull | (1ull << 11) | (f->kvm_high & (1ull << 63)) |
			(uint64_t)(uintptr_t)table;

	tap_check(kvm_make_nonleaf_spte(table, false) == (base | f->a),
		  "%s kvm non-leaf: RWX, present, (EPT) suppress-#VE, A", f->name);
	if (spte_fmt.ad_disabled_ok)
		tap_check(kvm_make_nonleaf_spte(table, true) == (base | (1ull << 52)),
			  "%s kvm non-leaf of an A/D-disabled table: bit 52, no A", f->name);
	tap_check(spte_nonpresent_value(MMU_PROFILE_KVM) == f->kvm_nonpresent &&
		  !is_shadow_present_pte(spte_nonpresent_value(MMU_PROFILE_KVM)) &&
		  spte_nonpresent_value(MMU_PROFILE_STRICT) == 0,
		  "%s non-present value: %#llx under kvm, 0 under strict", f->name,
		  (unsigned long long)f->kvm_nonpresent);
}

/* spte_set_format: the format is fixed while an MMU exists (spte_format_hold) */
static void test_set_format(void)
{
	bool ok = spte_set_format(SPTE_NR_FORMATS) != 0 && spte_set_format(SPTE_FORMAT_NPT) == 0 &&
		  spte_fmt.id == SPTE_FORMAT_NPT;

	spte_format_hold();
	ok = ok && spte_set_format(SPTE_FORMAT_EPT) != 0 && spte_fmt.id == SPTE_FORMAT_NPT &&
	     spte_set_format(SPTE_FORMAT_NPT) == 0;
	spte_format_release();
	ok = ok && spte_set_format(SPTE_FORMAT_EPT) == 0 && spte_fmt.id == SPTE_FORMAT_EPT &&
	     !strcmp(spte_format_name(SPTE_FORMAT_NPT), "npt") && !spte_format_name(SPTE_NR_FORMATS);
	tap_check(ok, "spte_set_format: unknown id refused, a change refused while an MMU exists, "
		  "the same format accepted");
}

int main(void)
{
	test_set_format();
	for (unsigned i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		const struct format_bits *f = &formats[i];

		if (spte_set_format(f->id)) {
			tap_check(false, "spte_set_format(%s)", f->name);
			continue;
		}
		tap_check(spte_fmt.ad_disabled_ok == (f->id == SPTE_FORMAT_EPT),
			  "%s: A/D-disabled roots %s", f->name,
			  f->id == SPTE_FORMAT_EPT ? "allowed" : "refused (TDP NPT always has A/D)");
		test_kvm_leaves(f);
		if (spte_fmt.ad_disabled_ok)
			test_kvm_access_tracking(f);
		test_kvm_nonleaf(f);
		test_leaves(f);
		test_nonleaf(f);
		test_nonpresent(f);
	}
	test_geometry();
	return tap_finish();
}
