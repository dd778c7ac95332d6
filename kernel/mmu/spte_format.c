/*
 * kernel/mmu/spte_format.c - the two SPTE formats (spte_format.h) and the one in use,
 * spte_fmt, with the count of MMUs that exist (spte_format_users) which keeps it fixed while
 * any does. EPT is the default, so that a core that never calls spte_set_format() runs as
 * before. The values are KVM's (arch/x86/kvm/mmu/spte.c): kvm_mmu_set_ept_masks with A/D
 * bits and without exec-only, and kvm_mmu_reset_all_pte_masks for NPT, except where a
 * comment says otherwise.
 */
#include <stddef.h>
#include "atomic.h"
#include "mmu/spte_format.h"

static const struct spte_format spte_formats[SPTE_NR_FORMATS] = {
	[SPTE_FORMAT_EPT] = {
		.id = SPTE_FORMAT_EPT,
		.name = "ept",
		.accessed_mask = EPT_ACCESSED,
		.dirty_mask = EPT_DIRTY,
		.leaf_memtype = EPT_MEMTYPE_WB | EPT_IGNORE_PAT,
		.kvm_present_mask = EPT_SUPPRESS_VE,
		.kvm_nonpresent = EPT_SUPPRESS_VE,
		.ad_disabled_ok = true,
	},
	/*
	 * kvm_mmu_reset_all_pte_masks: shadow_accessed_mask = PT_ACCESSED_MASK (bit 5),
	 * shadow_dirty_mask = PT_DIRTY_MASK (bit 6), no memtype (shadow_memtype_mask = 0 under
	 * NPT: the host PAT decides, and PWT = PCD = 0 selects write-back), no suppress-#VE, so
	 * SHADOW_NONPRESENT_VALUE is 0. Differs from upstream on purpose: upstream keeps host-
	 * and MMU-writable in bits 9/10 under NPT (DEFAULT_SPTE_{HOST,MMU}_WRITABLE); we keep
	 * them in 57/58 as under EPT (spte.h), which are software-available in a nested entry
	 * too, so that one set of helpers and one audit of the high bits serve both formats.
	 */
	[SPTE_FORMAT_NPT] = {
		.id = SPTE_FORMAT_NPT,
		.name = "npt",
		.accessed_mask = NPT_ACCESSED,
		.dirty_mask = NPT_DIRTY,
		.leaf_memtype = 0,
		.kvm_present_mask = 0,
		.kvm_nonpresent = 0,
		.ad_disabled_ok = false,
	},
};

struct spte_format spte_fmt = spte_formats[SPTE_FORMAT_EPT];

/*
 * MMUs in existence. A count, not a lock: spte_set_format runs before the CPUs that create
 * MMUs start (boot, or a test's main thread), and the count only catches a caller that breaks
 * that order. relaxed everywhere: nothing is published through it.
 */
static unsigned spte_format_users;

int spte_set_format(enum spte_format_id id)
{
	if ((unsigned)id >= SPTE_NR_FORMATS)
		return -1;
	if (id == spte_fmt.id)
		return 0;
	/* relaxed: see spte_format_users */
	if (atomic_read(&spte_format_users, MO_RELAXED))
		return -1;
	spte_fmt = spte_formats[id];
	return 0;
}

const char *spte_format_name(enum spte_format_id id)
{
	return (unsigned)id < SPTE_NR_FORMATS ? spte_formats[id].name : NULL;
}

void spte_format_hold(void)
{
	/* relaxed: see spte_format_users */
	atomic_fetch_add(&spte_format_users, 1u, MO_RELAXED);
}

void spte_format_release(void)
{
	/* relaxed: see spte_format_users */
	atomic_fetch_sub(&spte_format_users, 1u, MO_RELAXED);
}
