/*
 * svm_guest.h - the svm-guest test's shared state: what the BSP (svm_guest.c: set-up, IPIs,
 * checks) and the AP that runs the guest (svm_guest_vcpu.c: VMRUN and the exits) hand each
 * other. The BSP writes the set-up before smp_run_all (its release publishes it); the AP owns
 * everything else until it stores `done` with release, which the BSP's acquire load pairs with.
 * in_guest and ipis_sent are the only fields both touch while the AP runs (atomics).
 */
#ifndef TESTS_SVM_GUEST_H
#define TESTS_SVM_GUEST_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/svm.h"
#include "arch/svm_guest.h"
#include "mmu/mmu.h"

#define SVM_DATA_PAGES	24		/* the guest's data pages ... */
#define SVM_READ_PAGES	12		/* ... of which the first are only read */
#define SVM_TOUCHED	(GUEST_DATA_GFN + SVM_DATA_PAGES)	/* code, stack, mailbox, data */
#define SVM_SPARE_GFNS	5		/* in the memslot, never touched: must stay non-present */
#define SVM_NGFNS	(SVM_TOUCHED + SVM_SPARE_GFNS)
#define SVM_EVERY	256		/* guest accesses between VMMCALLs */
#define SVM_MIN_ACCESSES 100000u	/* phase 1 runs at least this long ... */
#define SVM_INTR_WAIT_MS 5000		/* ... and until an INTR exit, or this long */
#define SVM_PHASE2_ACCESSES (4 * SVM_DATA_PAGES)	/* enough to touch every page again */
#define SVM_VCPU_CPU	1		/* the AP that runs the guest */

struct svm_exits {			/* per phase, by the AP */
	uint64_t vmmcall, npf, intr, hlt;
};

struct svm_guest_state {
	/* set-up, BSP before smp_run_all */
	struct mmu mmu;
	uint8_t *backing;		/* SVM_NGFNS contiguous frames: gfn g is backing + g pages */
	struct vmcb *vmcb;
	void *hsave;
	uint32_t seed;
	/* the AP's, read by the BSP after `done` */
	struct mmu_caches mc;
	struct svm_gprs gprs;
	struct svm_exits exits[2];	/* phase 1: the run; phase 2: after aging */
	unsigned npf_count[SVM_NGFNS];	/* NPF exits per gfn, both phases */
	uint64_t spte_run[SVM_NGFNS];	/* leaves after phase 1 (0: none) */
	uint64_t spte_aged[SVM_NGFNS];	/* after age_gfn_range */
	uint64_t spte_again[SVM_NGFNS];	/* after phase 2 */
	uint64_t nonleaf_accessed;	/* non-leaf entries with A (the walker's too) after phase 1 */
	uint64_t nonpresent_ad;		/* non-present entries that are not 0 (A/D on them), any time */
	uint64_t aged_cleared;		/* age_gfn_range's A clears */
	uint32_t accesses[2], read_sum[2];	/* from the mailbox at each phase's HLT */
	bool failed;			/* the AP reported an error and stopped */
	/* both, while the AP runs */
	unsigned in_guest;		/* atomic: phase 1 is under way: the BSP may send IPIs */
	unsigned ipis_sent;		/* atomic: by the BSP */
	unsigned done;			/* atomic: the AP is finished */
};

extern struct svm_guest_state svm_guest;

/* svm_guest_vcpu.c: the AP's whole part (smp_run_all's fn on SVM_VCPU_CPU). */
void svm_guest_vcpu_run(void);
/*
 * The mailbox, through the host's identity mapping of the backing frame. relaxed: the guest
 * runs on this same CPU and is out whenever the host looks; VMRUN and #VMEXIT order the two
 * sides (a world switch); the atomic access only keeps the compiler from caching a field.
 */
static inline uint32_t svm_mailbox_read(unsigned field)
{
	return __atomic_load_n((uint32_t *)(svm_guest.backing + GUEST_MAILBOX_GPA + field),
			       __ATOMIC_RELAXED);
}

static inline void svm_mailbox_write(unsigned field, uint32_t v)
{
	__atomic_store_n((uint32_t *)(svm_guest.backing + GUEST_MAILBOX_GPA + field), v,
			 __ATOMIC_RELAXED);
}

#endif
