/*
 * spte_format.h - which hardware format the SPTEs are in, chosen once at boot (format=ept|npt)
 * before any MMU exists: Intel EPT (SDM Vol. 3C §29.3.2, Tables 29-1..29-6) or the x86-64
 * page-table format that AMD's nested paging walks (APM Vol. 2 §5.3 and §15.25.5). KVM keeps
 * the difference in the shadow_*_mask globals that kvm_mmu_set_ept_masks (EPT) or
 * kvm_mmu_reset_all_pte_masks (NPT) set at module load; here it is one struct spte_format,
 * spte_fmt, which spte_set_format() copies from one of two const descriptions. Everything in
 * kernel/mmu and kernel/rmap that builds or tests A/D, memtype or the non-present value reads
 * it (spte.h's helpers); nothing else about the core knows which format it runs.
 *
 * Ownership: spte_fmt is written only by spte_set_format(), refused while an MMU exists
 * (mmu_init holds the format until mmu_destroy), so every reader sees one value for the
 * life of every MMU. Not atomic: it is written before the CPUs that use an MMU start.
 */
#ifndef MMU_SPTE_FORMAT_H
#define MMU_SPTE_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

enum spte_format_id {
	SPTE_FORMAT_EPT,	/* the default: nothing that passed before changes */
	SPTE_FORMAT_NPT,
	SPTE_NR_FORMATS
};

/*
 * Bits 0-2 are "present RWX" in both formats, with other names: EPT's Read/Write/eXecute,
 * NPT's Present/Read-Write/User (a nested walk is a user access, so P|RW|US is needed at every
 * level, leaves and non-leaves; NX, bit 63, stays clear: executable). So one mask, 0x7, means
 * "present, writable, usable for everything" in both: SPTE_RWX in spte.h. Bit 1 is W/RW in
 * both (is_writable_pte), bit 7 is "large" (EPT) / PS (NPT) above level 1, bit 11 is ignored
 * by both CPUs (KVM's software present bit), bits 12-51 are the frame in both.
 */
#define EPT_MEMTYPE_WB		(6ull << 3)	/* leaf: memory type bits 3-5, 6 = write-back */
#define EPT_IGNORE_PAT		(1ull << 6)	/* leaf: ignore the guest PAT */
#define EPT_ACCESSED		(1ull << 8)	/* with EPTP bit 6 (A/D enabled) */
#define EPT_DIRTY		(1ull << 9)
#define EPT_SUPPRESS_VE		(1ull << 63)	/* KVM's non-present value and present high bit */

#define NPT_PWT			(1ull << 3)	/* PWT = PCD = 0: PAT entry 0, write-back */
#define NPT_PCD			(1ull << 4)
#define NPT_ACCESSED		(1ull << 5)
#define NPT_DIRTY		(1ull << 6)	/* leaf only (ignored in non-leaf entries) */
#define NPT_GLOBAL		(1ull << 8)	/* G: must stay 0 in a nested table */
#define NPT_NX			(1ull << 63)	/* left clear: every SPTE we make is executable */

_Static_assert(EPT_MEMTYPE_WB == 0x30 && EPT_IGNORE_PAT == 0x40 && EPT_ACCESSED == 0x100 &&
	       EPT_DIRTY == 0x200, "EPT: memtype bits 3-5, ignore-PAT bit 6, A bit 8, D bit 9");
_Static_assert(NPT_PWT == 0x8 && NPT_PCD == 0x10 && NPT_ACCESSED == 0x20 && NPT_DIRTY == 0x40 &&
	       NPT_GLOBAL == 0x100, "NPT: PWT 3, PCD 4, A 5, D 6, G 8");
_Static_assert(!((EPT_ACCESSED | EPT_DIRTY | EPT_MEMTYPE_WB | EPT_IGNORE_PAT |
		  NPT_ACCESSED | NPT_DIRTY | NPT_PWT | NPT_PCD | NPT_GLOBAL) &
		 ((1ull << 7) | (1ull << 11) | 0x7ull)),
	       "no format's A/D or memtype bit is RWX, large/PS or the software present bit");
_Static_assert(!((EPT_ACCESSED | EPT_DIRTY) & (EPT_MEMTYPE_WB | EPT_IGNORE_PAT)) &&
	       !((NPT_ACCESSED | NPT_DIRTY) & (NPT_PWT | NPT_PCD | NPT_GLOBAL)),
	       "A/D overlap no other hardware bit of their own format");
_Static_assert((EPT_MEMTYPE_WB & NPT_ACCESSED) && EPT_IGNORE_PAT == NPT_DIRTY,
	       "why NPT leaves carry no EPT memtype: EPT's WB and ignore-PAT are NPT's A and D");

/* One format: what KVM's shadow_*_mask globals say, for the bits that differ. */
struct spte_format {
	enum spte_format_id id;
	const char *name;		/* "ept" or "npt", as format= spells it */
	uint64_t accessed_mask;		/* shadow_accessed_mask */
	uint64_t dirty_mask;		/* shadow_dirty_mask */
	uint64_t leaf_memtype;		/* in every leaf: EPT WB | ignore-PAT; NPT 0 (PWT=PCD=0) */
	/* profile=kvm: bits beside bit 11 in every present SPTE (shadow_present_mask's high
	 * part: EPT suppress-#VE, NPT none), and what a zapped SPTE holds (SHADOW_NONPRESENT_VALUE) */
	uint64_t kvm_present_mask;
	uint64_t kvm_nonpresent;
	/* may a root run with A/D disabled (kvm's access tracking)? EPT yes (eptad=0, nested
	 * MMUs); TDP NPT always has A/D enabled in KVM */
	bool ad_disabled_ok;
};

/* The format every MMU uses; see the header for who writes it. KVM's shadow_* globals. */
extern struct spte_format spte_fmt;

/*
 * Choose the format; 0 on success. Refused (-1) with an unknown id, or with another format
 * than the current one while an MMU exists (setting the current one again is allowed then).
 */
int spte_set_format(enum spte_format_id id);
/* "ept", "npt", or NULL for an unknown id. */
const char *spte_format_name(enum spte_format_id id);
/* mmu_init / mmu_destroy: an MMU exists, the format may not change until it is gone. */
void spte_format_hold(void);
void spte_format_release(void);

#endif /* MMU_SPTE_FORMAT_H */
