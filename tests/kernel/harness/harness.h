/*
 * harness.h - the in-kernel harness (DESIGN §3-§4): one MMU under test, the roles that race on
 * it from every CPU, the stop-the-world checkpoint that audits it, and the scenario table
 * (scenarios.c) that sets each test's roles, working set, levels and writer mix.
 *
 * Ownership: `struct harness` (run.c) belongs to the BSP, which fills it before the CPUs start
 * and reads the per-CPU records only while their owners are parked at a checkpoint or have
 * returned. Each struct harness_cpu is written by its own CPU only (a cache line apart). The
 * shared words are atomics with their orders at each use: epoch/parked/stop/done (checkpoint.c,
 * run.c), recent[] (writer.c), inside[] (roles.c), and under guests= guest_spot[] (writer.c),
 * guests_waiting (guest.c), d_seq and the stamps (guest_probe.c). The guests' quarantine and
 * clean_seq[] are written under mmu_lock for write, by the writer and by guests' NPFs.
 */
#ifndef HARNESS_H
#define HARNESS_H

#include <stdbool.h>
#include <stdint.h>
#include "age_pass.h"
#include "arch/svm.h"
#include "atomic.h"
#include "catalog.h"
#include "env.h"
#include "mmu/mmu.h"
#include "rmap/rmap.h"

enum harness_role {
	ROLE_WRITER,		/* the BSP: faults and zaps in bursts under mmu_lock for write */
	ROLE_AGER,		/* age / test_age of random ranges, no mmu_lock, read-only rmap lock */
	ROLE_ACCESSOR,		/* the page walker: A (and D on a write) into present leaves */
	ROLE_LOCKED_AGER,	/* ages under mmu_lock for write, with the writer's rmap lock */
	ROLE_LOCKER,		/* read-only lock/unlock of a few heads, overlaps counted */
	ROLE_GUEST,		/* guests=: an SVM guest on one root, the CPU's walker sets A/D */
	NR_ROLES,
	ROLE_IDLE = NR_ROLES,	/* an AP the test does not use */
};
extern const char *const harness_role_names[NR_ROLES];

enum writer_op {
	WOP_FAULT,		/* one gfn in one root */
	WOP_FAULT_SHARED,	/* one gfn in several roots: its chain grows */
	WOP_ZAP_GFN,		/* every SPTE of a gfn, through its rmaps */
	WOP_ZAP_RANGE,		/* every SPTE of a gfn range */
	WOP_ZAP_LEAF,		/* one root's SPTE of a gfn: leaves the middle of its chain */
	WOP_ZAP_ALL,		/* every root, through the tables */
	WOP_CLEAR_DIRTY,	/* dirty logging: D cleared in the 4K SPTEs of 64 gfns */
	NR_WOPS,
};
extern const char *const writer_op_names[NR_WOPS];

/* One test: a line of scenarios[] (STYLE §7). Weights are per mille of their group. */
struct scenario {
	const char *name;
	uint64_t gfns;			/* working set (gfns= overrides) */
	unsigned roots;			/* EPT roots of the MMU: more roots, longer chains */
	unsigned level_weight[MMU_MAX_LEAF_LEVEL];	/* faults at 4K, 2M, 1G (levels= keeps some) */
	unsigned wop_weight[NR_WOPS];	/* the writer's op mix */
	unsigned burst_max;		/* writer ops per mmu_lock hold, 1..burst_max */
	unsigned zap_range_max;		/* gfns of a range zap, 1..zap_range_max */
	unsigned age_range_max;		/* gfns of an ager's range (1 in 32 ages the whole slot) */
	unsigned hot_permille;		/* gfn picks that take a recently faulted gfn */
	unsigned share[NR_ROLES];	/* how the APs split into roles (agers=, accessors= override) */
	unsigned locked_agers;		/* APs taken for locked aging, given locked_agers + 2 APs */
	unsigned checkpoint_ms;		/* stop the world for the audit this often (<= 1000);
					 * 0: only at the end (benchmarks: a stop would be timed) */
	unsigned hold_every;		/* memslot.torture_hold_every: linger in 1 of N holds */
	unsigned lock_hold_max;		/* lockers: pauses inside the lock, 0..lock_hold_max */
	unsigned lock_think_max;	/* lockers: pauses between two locks, 0..lock_think_max */
	unsigned ad_disabled_permille;	/* profile=kvm: roots whose A/D are disabled (access tracking) */
	unsigned focus_every_ms;	/* hot spots: a focus phase starts this often (0: none) */
	unsigned focus_ms;		/* and lasts this long (writer.c, harness_focus_update) */
	bool age_passes;		/* agers and locked agers age the whole slot in passes
					 * (age_pass.h), not random ranges */
	bool hot_checks_off;		/* no checks on the hot paths (mmu_init's checks), as in
					 * production; the audits at checkpoints and the end stay */
};

/* Power-of-two buckets of TSC cycles, as env.h's spin statistics. */
struct harness_hist {
	uint64_t n[ENV_HIST_BUCKETS];
};

static inline void hist_add(struct harness_hist *h, uint64_t cycles)
{
	h->n[env_hist_bucket(cycles)]++;
}

#define GUEST_SUSPECTS		64	/* per guest, undecided at once (guest_probe.c) */
#define GUEST_RUNS		64	/* per guest, VMRUNs of its window remembered (the same) */
#define GUEST_WINDOW_MAX	64	/* pages in a guest's window (guest.c: GUEST_WINDOW) */

enum probe_bit { PROBE_D, PROBE_A };	/* what the walker probe checks (guest_probe.c) */

/*
 * A guest AP's own state (guest.c): its VMCB and host save area, the guest's registers
 * between runs, its memory caches for the faults its NPFs ask for, and its counts. The probe
 * fields are the checkpoint's (guest_probe.c), which the BSP reads and resets while the AP
 * is parked out of the guest.
 */
struct harness_guest {
	struct vmcb *vmcb;
	void *hsave;
	struct svm_gprs gprs;
	struct mmu_caches mc;
	unsigned index, root;		/* guest k of guests=, on root k */
	gfn_t private_gfn;		/* its code, stack and mailbox pages: 3 from here */
	bool entered, failed;		/* SVM on; an error reported (the AP then only waits) */
	uint64_t vmruns, npf, npf_present, intr, vmmcall, nmi;
	uint64_t windows;		/* windows moved (at VMMCALLs) */
	uint64_t refaults_checked;	/* pages an NPF's leaf covers its window had accessed */
	/* the window the guest writes: win gfns from win_start, the first win_nread only read;
	 * win_start_n: the guest's access count when it began */
	gfn_t win_start;
	unsigned win, win_nread;
	uint32_t win_start_n;
	/* the walker probe (guest_probe.c): h->d_seq when the window was set (0: none yet);
	 * suspects: pages found without D (or with a leaf without A) at a window's end or a
	 * refault, which the checkpoint decides (the AP's until it parks, the BSP's while it
	 * is parked) */
	uint32_t win_seq;
	uint64_t d_checked, d_lost, a_checked, a_again, a_lost, suspects_dropped;
	unsigned nr_suspects;
	struct { gfn_t gfn; uint32_t since; uint64_t spte; enum probe_bit bit; bool refault; }
		suspect[GUEST_SUSPECTS];
	/* the window's VMRUNs (the last GUEST_RUNS of them): the guest's access count at each
	 * and the d_seq it drew, which the probe dates an access by (refaults, window's end) */
	struct { uint32_t start_n, seq; } run[GUEST_RUNS];
	unsigned nr_runs;
	uint64_t a_refault_lost;	/* of a_lost: found at a refault */
	uint32_t poison_reads;		/* the guest's reads of GUEST_POISON, reported (guest.c) */
};

/* One CPU's record: its role, PRNG and statistics. Written by that CPU only. */
struct harness_cpu {
	enum harness_role role;
	unsigned vcpu;			/* accessor: its vCPU in the MMU (guest-mode flag) */
	uint64_t rng;
	uint64_t steps[NR_ROLES], cycles[NR_ROLES];	/* role steps taken, TSC spent in them */
	/* writer */
	uint64_t bursts, wops[NR_WOPS], zaps_hit;
	struct harness_hist mmu_hold, mmu_wait;		/* mmu_lock: writer and locked agers */
	uint64_t mmu_wait_cycles;			/* the same waits, summed */
	/* agers (lockless) and locked agers */
	struct age_stats age, lage;
	uint64_t max_chain;		/* longest chain one aged rmap held */
	uint64_t pass_chunks, pass_rmaps;	/* age_passes: chunks aged, rmap heads in them */
	/* accessors */
	struct mmu_access_stats access;
	/* lockers and locked agers: rmap locks taken, elided, increments made inside */
	uint64_t lk_acquired, lk_elided, lk_inside;
	struct harness_hist rmap_hold, rmap_wait;	/* lockers' read-only rmap lock */
	uint64_t nap_last;		/* TSC of this AP's last nap between steps (smp.h) */
	struct harness_guest guest;	/* guests: the guest this AP runs */
} __attribute__((aligned(64)));

#define GUEST_WINDOW_PICK	64	/* picks in a guest's window: its first gfns (guest.c) */
#define HARNESS_MAX_GFNS	131072	/* working set: mmu_init's rmap arrays hold no more */
#define HARNESS_RECENT	16		/* ring of recently installed leaves (hot gfns) */
#define HARNESS_INSIDE	1024		/* heads with a lost-update counter beside them */

struct harness {
	const struct scenario *sc;
	const struct rmap_ops *ops;
	const struct cmdline *cl;
	struct mmu mmu;
	struct mmu_caches caches;	/* the BSP's: only the writer adds to chains */
	unsigned ncpus, naps;		/* online; APs with a role (the checkpoint's participants) */
	unsigned count[NR_ROLES];	/* CPUs per role (the BSP counted as writer only) */
	bool bsp_runs[NR_ROLES];	/* roles the BSP interleaves with its bursts */
	unsigned level_weight[MMU_MAX_LEAF_LEVEL];	/* after levels= */
	uint64_t gfns;
	unsigned roots;
	unsigned ad_disabled_roots;	/* kvm: roots 0..n-1 run with A/D disabled */
	uint64_t hz, t0, t_end, t_stop, checkpoint_cycles;
	uint64_t checkpoint_due;	/* BSP: TSC of the next checkpoint (a burst ends early then) */
	struct harness_cpu *cpu;	/* [ncpus] */
	struct env_spin_stats (*spin)[ENV_NR_LOCKS];	/* [ncpus], filled by env_spin_end */
	/* the checkpoint rendezvous (checkpoint.c) and the end (run.c) */
	unsigned long epoch __attribute__((aligned(64)));	/* atomic: odd = stop requested */
	unsigned parked __attribute__((aligned(64)));		/* atomic: APs parked this stop */
	int stop __attribute__((aligned(64)));			/* atomic: APs return */
	unsigned done __attribute__((aligned(64)));		/* atomic: APs returned */
	uint64_t next_scan __attribute__((aligned(64)));	/* atomic: next stuck-rmap scan (TSC) */
	uint64_t unstuck;		/* atomic: stuck rmaps cleared after their report */
	/* BSP only */
	uint64_t checkpoints, inside_lost;
	uint64_t checkpoint_last, checkpoint_gap_max;	/* TSC: the longest time between checks */
	struct harness_hist checkpoint_hist;
	/* shared: written by the writer, read by any role */
	uint64_t recent[HARNESS_RECENT] __attribute__((aligned(64)));	/* atomic */
	uint64_t recent_pos;		/* the writer's */
	uint64_t focus;			/* atomic: the focus phase's spot (writer.c), 0: none */
	uint64_t focus_phases;		/* the writer's: phases begun */
	/* guests: each guest's window (its first gfn; 0: none yet), a hint like recent[] */
	uint64_t guest_spot[CMDLINE_GUESTS_MAX] __attribute__((aligned(64)));	/* atomic */
	uint64_t inside[HARNESS_INSIDE] __attribute__((aligned(64)));	/* atomic */
	struct age_pass pass;		/* age_passes: the slot aged in passes (age_pass.h) */
	/* guests= (guest.c, guest_probe.c): real frames under the MMU, set up by the BSP */
	unsigned guests;		/* APs in ROLE_GUEST */
	unsigned guest_cpu0, guest_vcpu0;	/* guest k runs on CPU guest_cpu0 + k, vCPU + k */
	unsigned guests_waiting;	/* atomic: guests waiting for mmu_lock (guest.c) */
	uint8_t *backing;		/* the slot's frames, 2 MiB-aligned (NULL once freed) */
	uint64_t backing_pa;		/* ... its address, for the summary */
	void *backing_alloc;		/* what pmm_alloc_contig gave, backing_pages pages */
	unsigned backing_pages;
	uint64_t slot_gfns;		/* gfns, rounded up to 2 MiB, plus the guests' 2 MiB */
	/* under mmu_lock for write (the writer, guests' NPFs) or the world stopped (checkpoints):
	 * frames poisoned after their zap */
	uint64_t *quarantined;		/* bitmap over the working set */
	unsigned nr_quarantined;
	uint64_t poisoned, released, stale;	/* quarantined, checked at a fault, broken */
	/* the walker probe (guest_probe.c), under mmu_lock: d_stamp[gfn - base]: d_seq when the
	 * MMU last took D out of a leaf of the frame (FRAME_D_SEEN, read after each op) */
	uint32_t d_seq;			/* atomic */
	uint32_t *d_stamp;		/* atomic each */
	/* a_stamp[root * gfns + gfn - base], for the guests' roots: the same for A taken out of
	 * that root's leaf of the frame (agers and strict zaps through memslot.young, the guest's
	 * own window clears) */
	uint32_t *a_stamp;
	unsigned d_stamp_pages;		/* behind d_stamp, clean_seq and a_stamp */
	uint32_t *clean_seq;		/* d_seq when the frame was mapped clean, 0: unknown */
	uint64_t clean_checked, clean_lost;
	uint64_t op_flushes;		/* the writer's: mmu.stats.flushes before its latest zap */

};

#define HARNESS_PASSES_TIMED	16384	/* passes whose durations are kept (the first ones) */

/* scenarios.c */
extern const struct scenario scenarios[];
extern const unsigned nr_scenarios;

/* run.c: one test of scenario sc, from report_test_begin to report_test_end. */
void harness_run(const struct scenario *sc, const struct test_run *r);
/*
 * run.c, for tests made of several runs (seed_effect.c): one run of sc inside the caller's
 * test, from an empty MMU to its final checks, with exactly roles[r] APs in role r (the
 * writer on the BSP; nothing interleaved) for r->cl->seconds. NULL if it could not be set up
 * (reported). The records stay readable until harness_release.
 */
struct harness *harness_run_once(const struct scenario *sc, const struct test_run *r,
				 const unsigned roles[NR_ROLES]);
void harness_release(struct harness *h);
const struct scenario *harness_scenario(const char *name);	/* scenarios.c; NULL: none */

/* writer.c */
void writer_step(struct harness *h, struct harness_cpu *c);
gfn_t harness_pick_gfn(struct harness *h, struct harness_cpu *c, unsigned *root);
/* guests: a guest's current window, the pages it writes ([start, end)); false: none yet */
bool harness_guest_window(struct harness *h, struct harness_cpu *c, gfn_t *start, gfn_t *end);
/* mmu_lock held for write: a leaf just installed goes into recent[] (hot picks) */
void harness_remember(struct harness *h, unsigned root, gfn_t gfn, int level);
/* BSP, between its steps: begin or end a focus phase by the clock (now: TSC). */
void harness_focus_update(struct harness *h, uint64_t now);
/* Is a focus phase on? (Agers then age one gfn at a time.) */
bool harness_focused(struct harness *h);

/* roles.c: one step of each role; role_steps[] indexes them by enum harness_role. */
extern void (*const role_steps[NR_ROLES])(struct harness *h, struct harness_cpu *c);
void guest_step(struct harness *h, struct harness_cpu *c);	/* guest.c */
uint64_t *harness_inside(struct harness *h, gfn_t gfn, int level);

/* checkpoint.c */
void harness_checkpoint(struct harness *h);	/* BSP, APs running: stop, check, resume */
void harness_checks(struct harness *h);		/* the checks; nobody else touches the MMU */
void checkpoint_park(struct harness *h, unsigned long epoch);
/* Any CPU, every 20 ms at most: report (liveness) and clear rmaps stuck LOCKED alone; true
 * when it found (and printed) some. */
bool harness_scan_stuck(struct harness *h);
/* BSP: wait (declared, scanning for stuck rmaps) until *count, atomic, reaches h->naps. */
void harness_wait_aps(struct harness *h, unsigned *count, const char *what);
uint64_t harness_unstick(struct harness *h);	/* clears rmaps stuck LOCKED; how many */

/* APs: park here while the BSP runs a checkpoint. */
static inline void checkpoint_poll(struct harness *h)
{
	/* acquire: pairs with the BSP's release increment of epoch in checkpoint.c */
	unsigned long e = atomic_read(&h->epoch, MO_ACQUIRE);

	if (e & 1)
		checkpoint_park(h, e);
}

/*
 * guest.c: the guest role (where SVM is missing, run.c skips it: svm_unsupported_reason).
 * harness_guest_slot_gfns: the slot for a working set of gfns with guests. setup (BSP, before the CPUs start, after mmu_init): the frames, the
 * guests' VMCBs, code and mailboxes; false if it failed (reported). kick: an IPI to every
 * guest AP (a checkpoint or the end wants them out). leave: the AP's last act (SVM off).
 * release: the BSP's, after the end.
 */
uint64_t harness_guest_slot_gfns(uint64_t gfns);
bool harness_guests_setup(struct harness *h);
void harness_guests_kick(struct harness *h);
/* The writer, after dropping mmu_lock: a guest waiting for it gets it first (bounded). */
void harness_guests_let_in(struct harness *h);
void harness_guest_leave(struct harness *h, struct harness_cpu *c);
void harness_guests_release(struct harness *h);
void harness_guests_summary(const struct harness *h, uint64_t ms);	/* info lines */

/* guest_probe.c, mmu_lock held for write or the world stopped */
/* before a fault maps gfn at level: the quarantined frames it covers are checked, released */
void harness_guest_before_map(struct harness *h, gfn_t gfn, int level, const char *when);
/* after an MMU op on [start, end): D taken out of leaves is stamped; after a zap, frames no
 * leaf maps any more are poisoned and quarantined */
void harness_guest_after_op(struct harness *h, gfn_t start, gfn_t end, bool zap);
/* a guest's AP, no lock: a window's end (the probe of its pages), a new window's start */
void harness_guest_check_window(struct harness *h, struct harness_cpu *c);
void harness_guest_clear_window(struct harness *h, struct harness_cpu *c);
/* mmu_lock for write, as a guest's AP takes it (the writer hands it over: let_in) */
void harness_guest_lock(struct harness *h);
void harness_guest_unlock(struct harness *h);
/* a guest's AP before each VMRUN: the run is remembered (its count, d_seq) */
void harness_guest_vmrun(struct harness *h, struct harness_guest *g);
/* a guest's NPF on gfn, mmu_lock held for write, after its fault: the walker probe of the
 * leaves that went, for the pages of the leaf it installed at level (4K: none installed) */
void harness_guest_refault(struct harness *h, struct harness_cpu *c, gfn_t gfn, int level);
/* world stopped (a checkpoint, the end): the quarantined frames' poison */
void harness_guest_checkpoint(struct harness *h);
/* memslot.young: an ager or a strict zap took A from the SPTE at sptep (stamped) */
void harness_guest_young(void *arg, uint64_t *sptep, gfn_t gfn, int level);

/* summary.c: the info lines and the ok/not ok line. */
void harness_summary(struct harness *h);
unsigned long long per_s(uint64_t count, uint64_t ms);	/* count per second over ms ms */

#endif /* HARNESS_H */
