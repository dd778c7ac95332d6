/*
 * spte.h - the shadow page-table entry (SPTE): the bits both hardware formats share (Intel
 * EPT, SDM Vol. 3C §29.3.2; AMD NPT, the x86-64 page-table format), KVM's software present
 * bit, and the pure helpers on SPTE values. What differs between the formats (A/D positions,
 * the leaf's memtype bits, kvm's non-present value) comes from spte_fmt (spte_format.h),
 * chosen at boot; the helpers keep KVM's names and hide which format runs. No locks: who may
 * change which bits of a live SPTE is written at the top of kernel/rmap/rmap_lock.c.
 *
 * Two profiles (mmu/profile.h) build SPTEs differently. strict: the bits above, A as the fault
 * had it, D on a write fault, non-present = 0, nothing in the high bits. kvm: the values
 * Linux v6.15+ builds (spte.c make_spte / make_nonleaf_spte with kvm_mmu_set_ept_masks' or,
 * under NPT, kvm_mmu_reset_all_pte_masks' masks): the second half of this file.
 *
 * Levels count as KVM's PG_LEVEL_*: 1 = 4 KiB entries (a PT), 2 = 2 MiB (PD), 3 = 1 GiB
 * (PDPT), 4 = the root (PML4). A table page holds 512 SPTEs; a non-leaf SPTE's PFN field is
 * the physical (= identity-mapped) address of the next table page.
 */
#ifndef MMU_SPTE_H
#define MMU_SPTE_H

#include <stdint.h>
#include <stdbool.h>
#include "mmu/profile.h"
#include "mmu/spte_format.h"

typedef uint64_t gfn_t;		/* guest frame number */
typedef uint64_t pfn_t;		/* host frame number */

#define SPTE_ENTRIES		512
#define SPTE_LEVEL_BITS		9
#define PG_LEVEL_4K		1
#define PG_LEVEL_2M		2
#define PG_LEVEL_1G		3
#define MMU_ROOT_LEVEL		4
#define MMU_MAX_LEAF_LEVEL	PG_LEVEL_1G

/*
 * Bits 0-2: EPT's R/W/X, NPT's P/RW/US (spte_format.h). Both formats need all three in every
 * SPTE we make, leaf or not, so "present RWX" is 0x7 in both; only the names differ.
 */
#define SPTE_READABLE		(1ull << 0)	/* EPT R, NPT P */
#define SPTE_WRITABLE		(1ull << 1)	/* EPT W, NPT RW */
#define SPTE_EXECUTABLE		(1ull << 2)	/* EPT X, NPT US (NPT executes unless NX, bit 63) */
#define SPTE_RWX		(SPTE_READABLE | SPTE_WRITABLE | SPTE_EXECUTABLE)
/* Bit 7: in a level-2/3 entry, maps a 2 MiB/1 GiB page instead of pointing to a table (EPT's
 * "large", NPT's PS). In a level-1 entry it is NPT's PAT bit, and stays 0 (write-back). */
#define SPTE_LARGE		(1ull << 7)
/* Bit 11 is ignored by both CPUs: KVM's SPTE_MMU_PRESENT_MASK, "this SPTE is shadow-present". */
#define SPTE_MMU_PRESENT	(1ull << 11)
/* Bits 12-51: the frame (host pfn for a leaf, next table's address for a non-leaf). */
#define SPTE_PFN_SHIFT		12
#define SPTE_PFN_MASK		0x000ffffffffff000ull
/* What a zapped SPTE holds under strict (kvm's is spte_fmt.kvm_nonpresent). */
#define SPTE_NONPRESENT		0ull

_Static_assert(SPTE_RWX == 0x7 && SPTE_LARGE == 0x80, "RWX / P-RW-US bits 0-2, large/PS bit 7");
_Static_assert((SPTE_PFN_MASK & (SPTE_MMU_PRESENT | 0xfffull)) == 0, "PFN field starts at bit 12");
_Static_assert(SPTE_PFN_MASK == (((1ull << 52) - 1) & ~((1ull << 12) - 1)), "PFN field is bits 12-51");
_Static_assert((SPTE_MMU_PRESENT & 0x3ffull) == 0, "the software present bit is not a hardware bit");
_Static_assert(sizeof(uint64_t) * SPTE_ENTRIES == 4096, "a table page holds 512 SPTEs");

/* gfns covered by one entry at this level: 1, 512, 512*512. */
static inline uint64_t pages_per_level(int level)
{
	return 1ull << ((level - 1) * SPTE_LEVEL_BITS);
}

/* Index into a table of this level for gfn (SDM: GPA bits 12-20, 21-29, 30-38, 39-47). */
static inline unsigned spte_index_of(gfn_t gfn, int level)
{
	return (unsigned)(gfn >> ((level - 1) * SPTE_LEVEL_BITS)) & (SPTE_ENTRIES - 1);
}

static inline bool is_shadow_present_pte(uint64_t spte)
{
	return spte & SPTE_MMU_PRESENT;
}

static inline bool is_large_pte(uint64_t spte)
{
	return spte & SPTE_LARGE;
}

/* A leaf maps memory: every present level-1 entry, and large entries at levels 2-3. */
static inline bool is_last_spte(uint64_t spte, int level)
{
	return level == PG_LEVEL_4K || is_large_pte(spte);
}

/* Set by the CPU's page walker (EPT: with EPTP bit 6, A/D enabled); cleared only by software. */
static inline bool is_accessed_spte(uint64_t spte)
{
	return spte & spte_fmt.accessed_mask;
}

static inline bool is_dirty_spte(uint64_t spte)
{
	return spte & spte_fmt.dirty_mask;
}

/* A/D may change under a present leaf without mmu_lock (accessors set, agers clear A). */
static inline uint64_t spte_volatile_mask(void)
{
	return spte_fmt.accessed_mask | spte_fmt.dirty_mask;
}

static inline bool is_writable_pte(uint64_t spte)
{
	return spte & SPTE_WRITABLE;
}

static inline pfn_t spte_to_pfn(uint64_t spte)
{
	return (spte & SPTE_PFN_MASK) >> SPTE_PFN_SHIFT;
}

/* The table page a present non-leaf SPTE points to. */
static inline uint64_t *spte_to_child_spt(uint64_t spte)
{
	return (uint64_t *)(uintptr_t)(spte & SPTE_PFN_MASK);
}

/* A leaf: RWX, write-back, mapping pfn; large at levels 2 and 3; A and D as the fault had them. */
static inline uint64_t make_leaf_spte(pfn_t pfn, int level, bool accessed, bool dirty)
{
	uint64_t spte = SPTE_MMU_PRESENT | SPTE_RWX | spte_fmt.leaf_memtype |
			((pfn << SPTE_PFN_SHIFT) & SPTE_PFN_MASK);

	if (level > PG_LEVEL_4K)
		spte |= SPTE_LARGE;
	if (accessed)
		spte |= spte_fmt.accessed_mask;
	if (dirty)
		spte |= spte_fmt.dirty_mask;
	return spte;
}

/* A non-leaf: RWX (NPT: P|RW|US), pointing to the 4 KiB-aligned table page child_spt (no
 * memtype: EPT ignores it there, NPT's PWT/PCD stay 0). */
static inline uint64_t make_nonleaf_spte(const uint64_t *child_spt)
{
	return SPTE_MMU_PRESENT | SPTE_RWX | ((uint64_t)(uintptr_t)child_spt & SPTE_PFN_MASK);
}

/*
 * May bits of this SPTE change while the writer holds mmu_lock (KVM spte_has_volatile_bits)?
 * KVM: a present A/D leaf whose A is clear, or writable with D clear, since the CPU may set
 * them. Here agers also clear A without mmu_lock (DESIGN §2), so a set A is volatile too:
 * every present leaf is. Non-leaf entries are not: accessors set A/D only in leaves.
 */
static inline bool spte_has_volatile_bits(uint64_t spte, int level)
{
	return is_shadow_present_pte(spte) && is_last_spte(spte, level);
}

/*
 * profile=kvm's format, bit for bit as Linux v6.15+ (arch/x86/kvm/mmu/spte.h, spte.c, and
 * kvm_mmu_set_ept_masks for EPT with A/D bits and without exec-only; for NPT see
 * spte_format.c, which has no suppress-#VE and no A/D-disabled roots):
 * - EPT: bit 63, suppress-#VE, is in the present mask and is the whole non-present value
 *   (SHADOW_NONPRESENT_VALUE): a zapped SPTE or a fresh table entry reads 1ull << 63, not 0;
 *   NPT: the non-present value is 0 (spte_fmt.kvm_present_mask, .kvm_nonpresent);
 * - bits 52-53 say how A/D are tracked: 0 = by the CPU's A/D bits, 1 = A/D disabled (a root
 *   whose EPTP has A/D off: eptad=0, or a nested MMU), where aging "marks the SPTE for access
 *   tracking": R/X are saved in bits 54 and 56, RWX and A cleared, so the next access faults
 *   and KVM's fast page fault restores them with A set (restore_acc_track_spte);
 * - bits 57/58 are host-writable and MMU-writable (the fast path may make an SPTE writable
 *   again only when MMU-writable is set), in both formats (upstream's NPT uses bits 9/10:
 *   the difference is on purpose, spte_format.c says why);
 * - A (EPT bit 8, NPT bit 5) is set by make_spte in every new SPTE, A/D-disabled ones too
 *   (there it is software's: clear means access-tracked), and in every non-leaf A/D-enabled
 *   entry;
 * - D (EPT bit 9, NPT bit 6) is set at creation in every writable SPTE ("always set the dirty bit if created
 *   writable", 6.13): D is gained under us only after dirty logging cleared it.
 */
#define SPTE_TDP_AD_SHIFT	52
#define SPTE_TDP_AD_MASK	(3ull << SPTE_TDP_AD_SHIFT)
#define SPTE_TDP_AD_DISABLED	(1ull << SPTE_TDP_AD_SHIFT)
#define SPTE_ACC_TRACK_SAVED_BITS	(SPTE_READABLE | SPTE_EXECUTABLE)
#define SPTE_ACC_TRACK_SAVED_SHIFT	54
#define SPTE_ACC_TRACK_SAVED_MASK	(SPTE_ACC_TRACK_SAVED_BITS << SPTE_ACC_TRACK_SAVED_SHIFT)
#define SPTE_HOST_WRITABLE	(1ull << 57)
#define SPTE_MMU_WRITABLE	(1ull << 58)

_Static_assert(SPTE_TDP_AD_MASK == 0x0030000000000000ull && SPTE_ACC_TRACK_SAVED_MASK ==
	       0x0140000000000000ull, "A/D type is bits 52-53; R, X are saved in bits 54, 56");
_Static_assert(((SPTE_TDP_AD_MASK | SPTE_ACC_TRACK_SAVED_MASK | SPTE_HOST_WRITABLE |
		 SPTE_MMU_WRITABLE | EPT_SUPPRESS_VE) & (SPTE_PFN_MASK | 0xfffull)) == 0 &&
	       !(SPTE_TDP_AD_MASK & SPTE_ACC_TRACK_SAVED_MASK) &&
	       !((SPTE_HOST_WRITABLE | SPTE_MMU_WRITABLE) & (SPTE_TDP_AD_MASK | SPTE_ACC_TRACK_SAVED_MASK)),
	       "kvm's software bits overlap nothing");
_Static_assert(!(EPT_SUPPRESS_VE & SPTE_MMU_PRESENT) && EPT_SUPPRESS_VE == NPT_NX,
	       "the non-present value is not present; under NPT bit 63 is NX, so kvm leaves it 0");

/* What a zapped SPTE and an unused table entry hold under this profile (and format). */
static inline uint64_t spte_nonpresent_value(enum mmu_profile profile)
{
	return profile == MMU_PROFILE_KVM ? spte_fmt.kvm_nonpresent : SPTE_NONPRESENT;
}

/* spte_ad_enabled: a present SPTE's A/D are the CPU's (always, under strict). */
static inline bool spte_ad_enabled(uint64_t spte)
{
	return (spte & SPTE_TDP_AD_MASK) != SPTE_TDP_AD_DISABLED;
}

/* A/D disabled and RWX clear: the next access faults, and KVM restores it (A set). */
static inline bool is_access_track_spte(uint64_t spte)
{
	return !spte_ad_enabled(spte) && !(spte & SPTE_RWX);
}

static inline bool is_mmu_writable_spte(uint64_t spte)
{
	return spte & SPTE_MMU_WRITABLE;
}

/* kvm's make_spte for our faults: ACC_ALL, host-writable, not prefetched, write-back.
 * ad_disabled only where spte_fmt.ad_disabled_ok (mmu_set_profile refuses it otherwise). */
static inline uint64_t kvm_make_leaf_spte(pfn_t pfn, int level, bool ad_disabled)
{
	uint64_t spte = SPTE_MMU_PRESENT | spte_fmt.kvm_present_mask | SPTE_RWX |
			spte_fmt.leaf_memtype | spte_fmt.accessed_mask | spte_fmt.dirty_mask |
			SPTE_HOST_WRITABLE | SPTE_MMU_WRITABLE |
			((pfn << SPTE_PFN_SHIFT) & SPTE_PFN_MASK);

	if (ad_disabled)
		spte |= SPTE_TDP_AD_DISABLED;
	if (level > PG_LEVEL_4K)
		spte |= SPTE_LARGE;
	return spte;
}

/* kvm's make_nonleaf_spte: RWX and (EPT) suppress-#VE, A set unless the table is A/D-disabled. */
static inline uint64_t kvm_make_nonleaf_spte(const uint64_t *child_spt, bool ad_disabled)
{
	return SPTE_MMU_PRESENT | spte_fmt.kvm_present_mask | SPTE_RWX |
	       ((uint64_t)(uintptr_t)child_spt & SPTE_PFN_MASK) |
	       (ad_disabled ? SPTE_TDP_AD_DISABLED : spte_fmt.accessed_mask);
}

/* mark_spte_for_access_track: A/D enabled: clear A. Disabled: save R/X, clear RWX and A. */
static inline uint64_t mark_spte_for_access_track(uint64_t spte)
{
	if (spte_ad_enabled(spte))
		return spte & ~spte_fmt.accessed_mask;
	if (is_access_track_spte(spte))
		return spte;
	spte |= (spte & SPTE_ACC_TRACK_SAVED_BITS) << SPTE_ACC_TRACK_SAVED_SHIFT;
	return spte & ~(SPTE_RWX | spte_fmt.accessed_mask);
}

/* restore_acc_track_spte: the saved R/X back, the saved bits cleared (W is not restored). */
static inline uint64_t restore_acc_track_spte(uint64_t spte)
{
	uint64_t saved = (spte >> SPTE_ACC_TRACK_SAVED_SHIFT) & SPTE_ACC_TRACK_SAVED_BITS;

	return (spte & ~(SPTE_RWX | SPTE_ACC_TRACK_SAVED_MASK)) | saved;
}

/*
 * kvm's spte_needs_atomic_update (spte.c): may bits change under the writer that KVM must not
 * lose? The fast page fault may make a write-protected MMU-writable SPTE writable; A/D-disabled
 * SPTEs are aged and restored locklessly; the CPU may set D in a writable SPTE with D clear.
 * Accessed is deliberately left out: "KVM tolerates false negatives/positives", so a plain
 * store that loses an A set by the CPU (or undoes an ager's clear) is upstream's contract.
 * The caller checks that the SPTE is a present leaf.
 */
static inline bool spte_needs_atomic_update(uint64_t spte)
{
	if (!is_writable_pte(spte) && is_mmu_writable_spte(spte))
		return true;
	if (!spte_ad_enabled(spte))
		return true;
	return is_writable_pte(spte) && !is_dirty_spte(spte);
}

#endif /* MMU_SPTE_H */
