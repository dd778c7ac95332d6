/*
 * svm_guest.h - the svm-guest test's shared state: what the BSP (svm_guest.c: set-up, IPIs,
 * checks) and the AP that runs the guest (svm_guest_vcpu.c: VMRUN and the exits) hand each
 * other. The BSP writes the set-up before smp_run_all (its release publishes it); the AP owns
 * everything else until it stores `done` with release, which the BSP's acquire load pairs with.
 * in_guest, ipis_sent, nmis_sent, vmruns, entry_accesses, exit_accesses and stop are the only
 * fields other CPUs read or write while the AP runs (atomics), besides what the refault hook
 * and the writer share under mmu_lock, and the AP's NMI count in its percpu (trap.h).
 * svm-race and svm-zap (svm_race.c, svm_zap.c) run the same guest on the same state:
 * svm_setup.c is the set-up and tear-down the tests share.
 */
#ifndef TESTS_SVM_GUEST_H
#define TESTS_SVM_GUEST_H

#include <stdint.h>
#include <stdbool.h>
#include "arch/svm.h"
#include "arch/svm_guest.h"
#include "mmu/mmu.h"
#include "mmu/spte_format.h"
#include "pmm.h"

struct test_run;

#define SVM_DATA_PAGES	24		/* the guest's data pages ... */
#define SVM_READ_PAGES	12		/* ... of which the first are only read */
#define SVM_TOUCHED	(GUEST_DATA_GFN + SVM_DATA_PAGES)	/* code, stack, mailbox, data */
#define SVM_SPARE_GFNS	5		/* in the memslot, never touched: must stay non-present */
#define SVM_NGFNS	(SVM_TOUCHED + SVM_SPARE_GFNS)
#define SVM_EVERY	256		/* guest accesses between VMMCALLs */
#define SVM_MIN_ACCESSES 100000u	/* phase 1 runs at least this long ... */
#define SVM_INTR_WAIT_MS 5000		/* ... and until an INTR and an NMI exit, or this long */
#define SVM_PHASE2_ACCESSES (4 * SVM_DATA_PAGES)	/* enough to touch every page again */
#define SVM_VCPU_CPU	1		/* the AP that runs the guest ... */
#define SVM_VCPU_MMU	0		/* ... and its vCPU number in the MMU's flush handshake */

struct svm_exits {			/* per phase, by the AP */
	uint64_t vmmcall, npf, intr, nmi, hlt;
};

struct svm_guest_state {
	/* set-up, BSP before smp_run_all */
	const char *name;		/* the test's, for its messages */
	enum spte_format_id old_format;	/* restored at the end */
	struct mmu mmu;
	uint8_t *backing;		/* SVM_NGFNS contiguous frames: gfn g is backing + g pages */
	struct vmcb *vmcb;
	void *hsave;
	uint32_t seed;
	/* svm-zap: under mmu_lock, an NPF on a gfn that was mapped before; true if the writer
	 * zapped it (the hook checks and restores its frame), false: an error. NULL: an error. */
	bool (*refault)(gfn_t gfn);
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
	unsigned in_guest;		/* atomic: phase 1 is under way: the BSP may send IPIs, NMIs */
	unsigned ipis_sent;		/* atomic: by the BSP */
	unsigned nmis_sent;		/* atomic: by the BSP, one in flight at a time */
	unsigned nmis_taken;		/* the AP's NMI handler's count, by the BSP at the end */
	unsigned nmis_framed;		/* ... of them that found the host's RBP (trap.h) */
	unsigned done;			/* atomic: the AP is finished */
	unsigned stop;			/* atomic: svm_guest_vcpu_run_until_stop's guest halts */
	/* the AP's, for other CPUs to know what the guest did after a VMRUN (svm-race) */
	unsigned vmruns;		/* atomic: VMRUNs so far, each one a nested-TLB flush */
	uint32_t entry_accesses;	/* atomic: the guest's access count at the latest VMRUN */
	uint32_t exit_accesses;		/* atomic: ... and at its latest #VMEXIT */
};

extern struct svm_guest_state svm_guest;

/* svm_guest_vcpu.c: the AP's whole part (smp_run_all's fn on SVM_VCPU_CPU). */
void svm_guest_vcpu_run(void);
/* svm-race's and svm-zap's AP: one phase until another CPU stores stop (release), the
 * guest's VMMCALL after it ending the phase; then the leaves into spte_run, and done. */
void svm_guest_vcpu_run_until_stop(void);
/* ... and its pieces, for svm-race's AP: a phase runs until the guest's HLT, which it does
 * after the VMMCALL at which stop() first says true; false on an error (reported). */
typedef bool svm_stop_fn(unsigned phase, const struct svm_exits *ex, uint64_t t0);
void svm_guest_prepare_phase(void);
bool svm_guest_run_phase(unsigned phase, svm_stop_fn *stop);
/* Every leaf of the NPT into sptes[gfn]; counts A/D on non-present entries in nonpresent_ad;
 * returns the table entries with A. The caller keeps the tables still (mmu_lock for write, or
 * the only user of the MMU). */
uint64_t svm_guest_snapshot(uint64_t *sptes);

/*
 * svm_setup.c: what every SVM test does first and last. begin: the checks (format=, SVM and
 * NPT, at least min_cpus CPUs: else a SKIP or a usage error), the state zeroed, format=npt
 * taken, the test begun; false if it did not begin (reported). setup: memory, the MMU with
 * real backing, the guest code and data, the mailbox (false: reported).
 */
bool svm_guest_begin(const struct test_run *r, const char *name, unsigned min_cpus,
		     const char *cpus_why);
bool svm_guest_setup(const struct test_run *r, uint32_t nread, uint32_t every, uint32_t read_mask);
/* The rest of a test after its setup: work(arg) on every CPU (NULL: the setup failed), the
 * NPT audited and zapped inside the test, check_and_end unless the AP failed (else the test
 * ends not ok), the memory freed and the SPTE format given back. */
void svm_guest_run_and_release(void (*work)(void *arg), void *arg, void (*check_and_end)(void));
/*
 * svm-race's and svm-zap's run, for seconds (seconds=, else the test's default): from
 * env_report_start (the VIOLATION lines' t_ms), the vCPU runs the guest until stop
 * (svm_guest_vcpu_run_until_stop), the BSP bsp, which ends by t_end and stores stop, every
 * other AP others (NULL: nothing); then check_and_end as above. ok: the setup's result.
 */
struct svm_roles {
	void (*bsp)(void);
	void (*others)(void);
	void (*check_and_end)(void);
	unsigned default_seconds;
	unsigned seconds;		/* set by svm_guest_begin_roles */
	uint64_t t_end;			/* TSC: set by svm_guest_run_roles */
};
/* svm_guest_begin, and roles->seconds. */
bool svm_guest_begin_roles(const struct test_run *r, const char *name, unsigned min_cpus,
			   const char *cpus_why, struct svm_roles *roles);
void svm_guest_run_roles(struct svm_roles *roles, bool ok);
/* An IPI to the vCPU's AP: a guest running takes an INTR exit (it is pending otherwise). */
void svm_guest_kick(void);
/* What the host puts in word w of data page p before the run. */
uint32_t svm_guest_fill_word(unsigned p, unsigned w);
static inline uint32_t *svm_guest_data_page(unsigned p)
{
	return (uint32_t *)(svm_guest.backing + (GUEST_DATA_GFN + p) * PAGE_SIZE);
}
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
