/*
 * tests/kernel/harness/guest.c - the guest role (guests=N, issue 16): N APs each run an SVM
 * guest whose nested page tables are one root of the MMU under test, while the writer faults
 * and zaps and the agers age that same MMU. The page walker that sets A/D in the leaves (and
 * A in the tables) is then the CPU's (QEMU's under TCG, the silicon on AMD), racing the
 * lockless agers' A clear and the writer's zaps, as KVM's vCPUs race them.
 *
 * Memory: the slot's gfns map real frames (mmu_set_backing), 2 MiB-aligned, so the writer's
 * 2 MiB leaves map frames that exist; no 1 GiB leaves (a GiB of aligned memory per run), so
 * under guests= the writer's 1 GiB share goes to 2 MiB. The working set [0, gfns) is every
 * guest's data (the same frames through different roots); the slot's last 2 MiB holds each
 * guest's code, stack and mailbox (three pages from private_gfn, by its CS/SS/DS base: the
 * guest blob of kernel/arch/svm_guest.S). The writer never picks those, only zap-all zaps them.
 *
 * Guest k runs on root k and is vCPU guest_vcpu0 + k of the MMU's flush handshake: in guest
 * mode across each VMRUN, so a flush kicks it out (mmu->kick_vcpu: an IPI, an INTR exit) and
 * waits, and the next VMRUN flushes its nested TLB (TCG: always; hardware: TLB_CONTROL). Its
 * exits: NPF, the fault KVM's vCPU takes (kvm_tdp_page_fault): under mmu_lock for write, with
 * its own memory caches, the gfn is faulted in at a level drawn from the scenario's weights
 * (only the guest faults its root, writer.c, so a leaf already there is counted and unexpected);
 * INTR, an IPI (a kick, a
 * checkpoint, the end); VMMCALL after every window (GUEST_SWEEPS sweeps of it), where the
 * window moves and the AP polls for checkpoints and beats its heartbeat; NMI (the watchdog's
 * backtrace request, taken by the host at stgi). Anything else is an error, reported, and the
 * AP stops running its guest.
 *
 * What checks the walker's work: guest_probe.c (the A/D probe at each window's end and at
 * refaults, clean frames, poisoned frames); the audit tolerates the walker's A in table
 * entries of a backed MMU.
 */
#include "atomic.h"
#include "harness.h"
#include "console.h"
#include "lapic.h"
#include "percpu.h"
#include "pmm.h"
#include "report.h"
#include "rng.h"
#include "smp.h"
#include "tsc.h"
#include "arch/svm_guest.h"
#include "arch/x86.h"

#define GUEST_SWEEPS	4		/* sweeps of its window a guest makes: R, W, R, W
					 * (the set-up window, from count 0: W, R, W, R) */
#define GUEST_WINDOW	64		/* data pages a guest writes at a time */
_Static_assert(GUEST_WINDOW_PICK <= GUEST_WINDOW, "picks stay in the window");
_Static_assert(GUEST_WINDOW <= GUEST_WINDOW_MAX, "the probe's bitmap holds a window");
#define GUEST_PRIVATE	3		/* code, stack, mailbox */
#define REGION_2M	512ull		/* gfns in 2 MiB */

_Static_assert(GUEST_PRIVATE * CMDLINE_GUESTS_MAX <= REGION_2M, "the guests' pages fit in 2 MiB");

uint64_t harness_guest_slot_gfns(uint64_t gfns)
{
	return (gfns + REGION_2M - 1) / REGION_2M * REGION_2M + REGION_2M;
}

static uint8_t *gfn_frame(struct harness *h, gfn_t gfn)
{
	return h->backing + (gfn - h->mmu.slot.base_gfn) * PAGE_SIZE;
}

static uint32_t *mailbox(struct harness *h, const struct harness_guest *g)
{
	return (uint32_t *)gfn_frame(h, g->private_gfn + GUEST_MAILBOX_GFN);
}

/* relaxed: the guest runs on the reading CPU and is out when the host looks (svm_guest.h) */
static void mailbox_write(struct harness *h, const struct harness_guest *g, unsigned f,
			  uint32_t v)
{
	__atomic_store_n(&mailbox(h, g)[f / 4], v, __ATOMIC_RELAXED);
}

static uint32_t mailbox_read(struct harness *h, const struct harness_guest *g, unsigned f)
{
	return __atomic_load_n(&mailbox(h, g)[f / 4], __ATOMIC_RELAXED);
}

/*
 * After each exit: a read of GUEST_POISON the guest counted went to a quarantined frame
 * (guest_probe.c), through a translation that outlived its zap and the flush: no guest stores
 * the poison, and a frame leaves quarantine refilled before any fault maps it again.
 */
static void check_poison_reads(struct harness *h, struct harness_guest *g)
{
	uint32_t n = mailbox_read(h, g, MB_POISON_READS), gpa;

	if (n == g->poison_reads)
		return;
	gpa = mailbox_read(h, g, MB_POISON_GPA);
	env_violation("uaf", gpa / PAGE_SIZE, PG_LEVEL_4K,
		      "stale-tlb: guest %u read the poison of a quarantined frame at gpa 0x%x (%u such reads in all): a read through a translation that outlived its zap and the flush",
		      g->index, gpa, n);
	g->poison_reads = n;
}

/* mmu->kick_vcpu: the flush found a guest in guest mode */
static void kick_vcpu(void *arg, unsigned vcpu)
{
	struct harness *h = arg;

	ENV_ASSERT(vcpu >= h->guest_vcpu0 && vcpu < h->guest_vcpu0 + h->guests);
	lapic_send_ipi(smp_cpu(h->guest_cpu0 + (vcpu - h->guest_vcpu0))->apic_id, LAPIC_DM_FIXED,
		       LAPIC_VEC_WAKE);
}

/*
 * mmu_lock is a test-and-set lock: a waiter that naps (overcommitted TCG) or whose vCPU the
 * host has descheduled misses the moment it is free, and the writer, back at once, takes it
 * again: at -smp 16 the guests then spent 99 % of their time waiting. So after each burst the
 * writer waits until one of the guests waiting has the lock, at most HANDOFF_US. Only the
 * guests get this: the locked agers yield by themselves (roles.c).
 */
#define HANDOFF_US	2000

void harness_guests_let_in(struct harness *h)
{
	/* relaxed: see harness_guest_lock */
	unsigned waiting = h->guests ? atomic_read(&h->guests_waiting, MO_RELAXED) : 0;
	uint64_t until;

	if (!waiting)
		return;
	until = rdtsc() + tsc_hz() / 1000000 * HANDOFF_US;
	while (atomic_read(&h->guests_waiting, MO_RELAXED) >= waiting && rdtsc() < until)
		cpu_pause();
}

void harness_guest_lock(struct harness *h)
{
	/* relaxed: a count for the writer's handoff, a hint; the lock orders the rest */
	atomic_fetch_add(&h->guests_waiting, 1u, MO_RELAXED);
	mmu_write_lock(&h->mmu.lock);
	atomic_fetch_sub(&h->guests_waiting, 1u, MO_RELAXED);
}

void harness_guest_unlock(struct harness *h)
{
	mmu_write_unlock(&h->mmu.lock);
}

void harness_guests_kick(struct harness *h)
{
	for (unsigned k = 0; k < h->guests; k++)
		lapic_send_ipi(smp_cpu(h->guest_cpu0 + k)->apic_id, LAPIC_DM_FIXED, LAPIC_VEC_WAKE);
}

/*
 * At a VMMCALL (and at set-up), without mmu_lock (the guest would wait for it most of its
 * time: the writer holds it in bursts; the probe takes it only to decide a page whose leaf
 * went): the window the guest just wrote is probed (guest_probe.c); then a new one, at a gfn
 * the writer picks (half the time a hot one: a leaf
 * the writer or a guest installed lately; in a focus phase the spot the agers age), and D is
 * cleared in its leaves of the guest's root, so that the guest's first writes after the VMRUN
 * walk to set it again. The clear is KVM's TDP MMU dirty-log clear in shape (an atomic AND
 * of D in a leaf, as clear_dirty_gfn_range does under mmu_lock for read), done by the vCPU's
 * CPU for the pages it is about to write and without mmu_lock: deviations on purpose, so that
 * every window gives the walker D to set while the agers and the writer race it.
 */
static void move_window(struct harness *h, struct harness_cpu *c)
{
	struct harness_guest *g = &c->guest;
	gfn_t base = h->mmu.slot.base_gfn;
	unsigned root;

	if (g->win_seq)
		harness_guest_check_window(h, c);
	/* the pick is the window's first written page: the read-only ones come before it */
	g->win_start = harness_pick_gfn(h, c, &root);
	g->win_start = g->win_start - base >= g->win_nread ? g->win_start - g->win_nread : base;
	if (g->win_start + g->win > base + h->gfns)
		g->win_start = base + h->gfns - g->win;
	harness_guest_clear_window(h, c);
	/* acquire: a stamp up to this is of a D removal done before the window's writes (our
	 * own clear's among them); any later removal draws a larger one */
	g->win_seq = atomic_read(&h->d_seq, MO_ACQUIRE);
	g->nr_runs = 0;		/* the refault probe dates this window's accesses only */
	/* the window's first sweep reads (access n reads when n & win: svm_guest.S), so that a
	 * page's first write walks for D in a leaf its read walk gave A: the one moment an
	 * ager's read-modify-write of the leaf can lose D. The guest's count is ours to move
	 * between its runs (a window is a whole number of sweep pairs, so this holds after) */
	if (g->windows && !(g->gprs.rsi & g->win))
		g->gprs.rsi += g->win;
	/* the first window (set-up): the guest zeroes its count when it starts */
	g->win_start_n = g->windows ? (uint32_t)g->gprs.rsi : 0;
	mailbox_write(h, g, MB_DATA_BASE, (uint32_t)(g->win_start * PAGE_SIZE));
	/* relaxed: a hint for the other roles' picks (writer.c); the window's first written
	 * page, so that the picks land on pages the guest writes */
	atomic_set(&h->guest_spot[g->index], g->win_start + g->win_nread, MO_RELAXED);
	g->windows++;
}

/*
 * pmm_alloc_contig never frees, and page_free's pages never come back as contiguous runs: the
 * frames and stamps are allocated once, at the largest size a run asked for so far, and reused
 * by later runs (test=all, a mutation matrix's boots run one test each), as alloc_records does.
 */
struct contig {
	void *p;
	unsigned pages;
};
static struct contig backing_mem, stamp_mem;

static void *reuse_contig(struct contig *m, unsigned pages)
{
	if (m->pages < pages) {
		m->p = pmm_alloc_contig(pages);
		m->pages = m->p ? pages : 0;
	}
	return m->p;
}

bool harness_guests_setup(struct harness *h)
{
	unsigned blob = (unsigned)(svm_guest_blob_end - svm_guest_blob);
	uint64_t pages = h->slot_gfns + REGION_2M - 1, addr;

	h->backing_pages = (unsigned)pages;
	h->backing_alloc = reuse_contig(&backing_mem, h->backing_pages);
	if (!h->backing_alloc) {
		report_error("guests=%u: no memory for %llu MiB of guest frames (gfns=%llu)", h->guests,
			     (unsigned long long)(pages * PAGE_SIZE >> 20), (unsigned long long)h->gfns);
		return false;
	}
	addr = ((uint64_t)(uintptr_t)h->backing_alloc + REGION_2M * PAGE_SIZE - 1) &
	       ~(REGION_2M * PAGE_SIZE - 1);
	h->backing = (uint8_t *)(uintptr_t)addr;
	h->backing_pa = addr;
	if (mmu_set_backing(&h->mmu, addr / PAGE_SIZE, MMU_LEAF_AD_CLEAR) ||
	    h->mmu.backing_max_level != PG_LEVEL_2M) {
		report_error("guests=: mmu_set_backing refused the frames at 0x%llx",
			     (unsigned long long)addr);
		return false;
	}
	/* frames reused from an earlier run may hold its poison (guest_probe.c): none may now */
	__builtin_memset(h->backing, 0, h->gfns * PAGE_SIZE);
	h->mmu.kick_vcpu = kick_vcpu;
	h->mmu.kick_arg = h;
	h->mmu.slot.young = harness_guest_young;	/* A the agers, strict zaps took: stamped */
	h->mmu.slot.young_arg = h;
	h->d_seq = 1;		/* a window's win_seq 0 means none yet */
	/* d_stamp and clean_seq per frame, a_stamp per frame and guest root */
	h->d_stamp_pages = (unsigned)((h->gfns * 4 * (2 + h->guests) + PAGE_SIZE - 1) / PAGE_SIZE);
	h->d_stamp = reuse_contig(&stamp_mem, h->d_stamp_pages);
	if (!h->d_stamp) {
		report_error("guests=: no memory for the walker probe's stamps (%u pages)",
			     h->d_stamp_pages);
		return false;
	}
	__builtin_memset(h->d_stamp, 0, (uint64_t)h->d_stamp_pages * PAGE_SIZE);
	h->clean_seq = h->d_stamp + h->gfns;
	h->a_stamp = h->clean_seq + h->gfns;
	for (unsigned k = 0; k < h->guests; k++) {
		struct harness_cpu *c = &h->cpu[h->guest_cpu0 + k];
		struct harness_guest *g = &c->guest;

		__builtin_memset(g, 0, sizeof(*g));
		g->index = k;
		g->root = k;
		g->private_gfn = h->slot_gfns - REGION_2M + GUEST_PRIVATE * k;
		/* a power of two, so that read_mask = win makes every other sweep all writes */
		for (g->win = GUEST_WINDOW; g->win > h->gfns; g->win /= 2)
			;
		g->win_nread = g->win / 8;
		g->vmcb = page_alloc();
		g->hsave = page_alloc();
		if (!g->vmcb || !g->hsave) {
			report_error("guests=: no memory for guest %u's VMCB", k);
			return false;
		}
		__builtin_memcpy(gfn_frame(h, g->private_gfn + GUEST_CODE_GFN), svm_guest_blob, blob);
		mailbox_write(h, g, MB_SEED, (uint32_t)rng_seed(h->cl->seed, 0x9e57 + k));
		mailbox_write(h, g, MB_NPAGES, g->win);
		mailbox_write(h, g, MB_NREAD, g->win_nread);
		mailbox_write(h, g, MB_STOP, 0);
		mailbox_write(h, g, MB_POISON_READS, 0);
		mailbox_write(h, g, MB_EVERY, GUEST_SWEEPS * g->win);	/* one window */
		/* sweeps of the window alternate: all reads, then writes (access n reads when
		 * n & win), so a page's first write walks to set D in a leaf that already has A:
		 * the one moment an ager's read-modify-write of the leaf can lose D (svm_race.c) */
		mailbox_write(h, g, MB_READ_MASK, g->win);
		/* CS, SS, DS at the private pages (svm_guest.S); nested_cr3 = root k */
		svm_vmcb_init_flat32(g->vmcb, (uint64_t)(uintptr_t)h->mmu.roots[g->root]->spt,
				     (uint32_t)(g->private_gfn * PAGE_SIZE), GUEST_CODE_GPA,
				     GUEST_STACK_TOP);
		move_window(h, c);
	}
	return true;
}

void harness_guests_release(struct harness *h)
{
	for (unsigned k = 0; k < h->guests; k++) {
		struct harness_guest *g = &h->cpu[h->guest_cpu0 + k].guest;

		mmu_free_memory_caches(&h->mmu, &g->mc);
		if (g->vmcb)
			page_free(g->vmcb);
		if (g->hsave)
			page_free(g->hsave);
		g->vmcb = g->hsave = NULL;
	}
	/* the frames and stamps stay allocated for the next run (reuse_contig) */
	h->backing_alloc = NULL;
	h->backing = NULL;
	h->d_stamp = h->a_stamp = h->clean_seq = NULL;
}

/* The level of a vCPU's fault: the scenario's weights, at most 2 MiB (see the header). */
static int npf_level(struct harness *h, struct harness_cpu *c)
{
	return PG_LEVEL_4K + (int)rng_pick(&c->rng, h->level_weight, MMU_MAX_LEAF_LEVEL);
}

static bool handle_npf(struct harness *h, struct harness_cpu *c)
{
	struct harness_guest *g = &c->guest;
	uint64_t gpa = g->vmcb->control.exit_info_2, info = g->vmcb->control.exit_info_1;
	gfn_t gfn = gpa / PAGE_SIZE;
	enum mmu_fault_result r;
	int level = npf_level(h, c);

	if (!(info & SVM_NPTEXIT_GPA) || gfn < h->mmu.slot.base_gfn ||
	    gfn - h->mmu.slot.base_gfn >= h->slot_gfns) {
		report_error("guest %u: NPF at gpa 0x%llx exit_info_1=0x%llx rip=0x%llx: %s", g->index,
			     (unsigned long long)gpa, (unsigned long long)info,
			     (unsigned long long)g->vmcb->save.rip,
			     !(info & SVM_NPTEXIT_GPA) ? "not a data access" : "outside the memslot");
		return false;
	}
	do {
		if (mmu_topup_memory_caches(&h->mmu, &g->mc)) {
			report_error("guest %u: no memory for the NPT", g->index);
			return false;
		}
		harness_guest_lock(h);
		harness_guest_before_map(h, gfn, level, "at a guest's NPF");
		r = mmu_fault(&h->mmu, &g->mc, g->root, gfn, level, info & SVM_NPF_WRITE);
		harness_guest_after_op(h, gfn, gfn + 1, false);
		if (r != FAULT_RETRY)
			harness_guest_refault(h, c, gfn, r == FAULT_INSTALLED ? level : PG_LEVEL_4K);
		if (r == FAULT_INSTALLED)
			harness_remember(h, g->root, gfn & ~(pages_per_level(level) - 1), level);
		harness_guest_unlock(h);
	} while (r == FAULT_RETRY);
	g->npf++;
	g->npf_present += r == FAULT_PRESENT;	/* unexpected: only we fault our root */
	return true;
}

static bool handle_exit(struct harness *h, struct harness_cpu *c)
{
	struct harness_guest *g = &c->guest;
	struct vmcb *vmcb = g->vmcb;
	uint32_t code = (uint32_t)vmcb->control.exit_code;	/* QEMU: low 32 bits for ERR */

	switch (code) {
	case SVM_EXIT_NPF:
		return handle_npf(h, c);
	case SVM_EXIT_VMMCALL:
		vmcb->save.rip += 3;	/* 0f 01 d9; no NRIP save under TCG */
		g->vmmcall++;
		move_window(h, c);
		return true;
	case SVM_EXIT_INTR:
		g->intr++;
		svm_take_pending_irq();	/* the IPI is still pending: its handler EOIs */
		return true;
	case SVM_EXIT_NMI:
		g->nmi++;		/* taken by the host's NMI handler at svm_vmrun's stgi */
		return true;
	default:
		report_error("guest %u: unexpected exit 0x%llx%s exit_info_1=0x%llx exit_info_2=0x%llx rip=0x%llx",
			     g->index, (unsigned long long)vmcb->control.exit_code,
			     code == SVM_EXIT_ERR ? " (VMEXIT_INVALID)" : "",
			     (unsigned long long)vmcb->control.exit_info_1,
			     (unsigned long long)vmcb->control.exit_info_2,
			     (unsigned long long)vmcb->save.rip);
		return false;
	}
}

/* One step: a VMRUN and its exit. */
void guest_step(struct harness *h, struct harness_cpu *c)
{
	struct harness_guest *g = &c->guest;

	if (g->failed) {
		cpu_pause();
		return;
	}
	if (!g->entered) {
		svm_enable_cpu(g->hsave);
		g->entered = true;
	}
	g->vmruns++;
	harness_guest_vmrun(h, g);
	/* a vCPU of the MMU's flush handshake, in guest mode across the VMRUN (svm_guest.h) */
	mmu_guest_enter(&h->mmu, c->vcpu);
	svm_vmrun((uint64_t)(uintptr_t)g->vmcb, &g->gprs);
	mmu_guest_exit(&h->mmu, c->vcpu);
	check_poison_reads(h, g);
	if (!handle_exit(h, c))
		g->failed = true;
}

void harness_guest_leave(struct harness *h, struct harness_cpu *c)
{
	(void)h;
	if (c->guest.entered)
		svm_disable_cpu();
	c->guest.entered = false;
}

void harness_guests_summary(const struct harness *h, uint64_t ms)
{
	struct harness_guest sum = { 0 };
	uint64_t accesses = 0;
	unsigned failed = 0;

	if (!h->guests)
		return;
	for (unsigned k = 0; k < h->guests; k++) {
		const struct harness_guest *g = &h->cpu[h->guest_cpu0 + k].guest;

		sum.vmruns += g->vmruns;
		sum.npf += g->npf;
		sum.npf_present += g->npf_present;
		sum.intr += g->intr;
		sum.vmmcall += g->vmmcall;
		sum.nmi += g->nmi;
		sum.windows += g->windows;
		sum.d_checked += g->d_checked;
		sum.d_lost += g->d_lost;
		sum.a_checked += g->a_checked;
		sum.a_again += g->a_again;
		sum.a_lost += g->a_lost;
		sum.a_refault_lost += g->a_refault_lost;
		sum.suspects_dropped += g->suspects_dropped;
		sum.refaults_checked += g->refaults_checked;
		sum.poison_reads += g->poison_reads;
		accesses += (uint32_t)g->gprs.rsi;	/* its count at the last exit (mod 2^32) */
		failed += g->failed;
	}
	kprintf("  %s guests: %u on roots 0-%u, cpus %u-%u, frames at 0x%llx (%llu gfns, the guests' own from gfn 0x%llx), window=%u read_only=%u vmmcall_every=%u windows=%llu vmruns=%llu npf=%llu npf_present=%llu intr=%llu vmmcall=%llu nmi=%llu accesses=%llu accesses_ps=%llu failed=%u\n",
		h->sc->name, h->guests, h->guests - 1, h->guest_cpu0, h->guest_cpu0 + h->guests - 1,
		(unsigned long long)h->backing_pa, (unsigned long long)h->slot_gfns,
		(unsigned long long)(h->slot_gfns - REGION_2M), h->cpu[h->guest_cpu0].guest.win,
		h->cpu[h->guest_cpu0].guest.win_nread, GUEST_SWEEPS * h->cpu[h->guest_cpu0].guest.win,
		(unsigned long long)sum.windows,
		(unsigned long long)sum.vmruns, (unsigned long long)sum.npf,
		(unsigned long long)sum.npf_present, (unsigned long long)sum.intr,
		(unsigned long long)sum.vmmcall, (unsigned long long)sum.nmi,
		(unsigned long long)accesses, per_s(accesses, ms), failed);
	kprintf("  %s walker probe: d_checked=%llu d_lost=%llu a_again=%llu of %llu leaves a_lost=%llu (at refaults %llu)%s suspects_dropped=%llu refaults_probed=%llu clean_checked=%llu clean_lost=%llu; poisoned=%llu released=%llu quarantined_end=%u stale=%llu poison_reads=%llu (ad-conservation: the walker probe, not the counts)\n",
		h->sc->name, (unsigned long long)sum.d_checked, (unsigned long long)sum.d_lost,
		(unsigned long long)sum.a_again, (unsigned long long)sum.a_checked,
		(unsigned long long)sum.a_lost, (unsigned long long)sum.a_refault_lost,
		h->mmu.slot.profile == MMU_PROFILE_STRICT ? "" : " (kvm: A not checked)",
		(unsigned long long)sum.suspects_dropped, (unsigned long long)sum.refaults_checked,
		(unsigned long long)h->clean_checked, (unsigned long long)h->clean_lost,
		(unsigned long long)h->poisoned, (unsigned long long)h->released,
		h->nr_quarantined, (unsigned long long)h->stale,
		(unsigned long long)sum.poison_reads);
	/* a run whose guests never got a sweep checked proved nothing about the walker */
	if (!failed && !sum.d_checked && !report_violations())
		report_error("guests: the walker probe checked no page in %llu ms (%llu accesses): the guests ran too little to prove anything; give seconds= more",
			     (unsigned long long)ms, (unsigned long long)accesses);
}
