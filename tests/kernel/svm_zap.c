/*
 * tests/kernel/svm_zap.c - the `svm-zap` test (issue 16, item 3 with a real guest): the writer
 * zaps while the guest runs, and the zap's commit flushes as KVM's does. It proves that the
 * MMU's remote TLB flush, with the guest's AP a vCPU of its handshake, ends every use of a
 * zapped leaf's translation before the writer reuses the frame: kvm_flush_remote_tlbs, which
 * kicks each vCPU in guest mode out (an IPI) and waits for it.
 *
 * Roles, for seconds= (default 2): AP 1 runs svm-guest's guest (svm_guest.h) over its 24
 * data pages in a loop, reading the first ZAP_READ_PAGES and writing the others; it is vCPU
 * SVM_VCPU_MMU of the MMU (svm_guest_run_phase: guest mode across each VMRUN). The BSP is
 * the writer. Each ZAP_GAP_US, under mmu_lock for write, it zaps ZAP_GFNS consecutive data
 * gfns from a seeded start with mmu_zap_gfn_range; the zap of a
 * present leaf in a backed MMU makes mmu_commit_zap flush (struct mmu's flush_pending), and the
 * flush finds the vCPU in guest mode, kicks it (mmu->kick_vcpu: an INTR exit) and waits for its
 * #VMEXIT; the next VMRUN flushes the nested TLB. Then, still under the lock, the writer fills
 * each zapped frame with GUEST_POISON (its reuse) and quarantines the gfn. The guest's next
 * access to it is an NPF; the vCPU's handler, under mmu_lock, first checks the frame (the
 * refault hook): a word that is not the poison was written through a stale translation after
 * the flush: the `uaf` VIOLATION "stale-tlb:" (the form of access.c's check for the software
 * accessors). Then it restores the frame and faults the gfn in. Frames still quarantined at
 * the end are checked too. Code, stack and mailbox gfns are never zapped.
 *
 * mutate=zap-no-flush (mmu_commit_zap frees without the flush, so no kick) must be caught:
 * the guest keeps writing through its nested-TLB entry (TCG flushes nothing on a write to the
 * NPT) into the poisoned frame until its next exit, and reading the poison there: the guest
 * counts those reads (svm_guest.S), a VIOLATION of its own at the end ("the guest read"). At
 * the end: nothing on non-present entries, one NPF per gfn touched plus one per refault,
 * mmu_audit (svm_setup.c).
 */
#include "svm_guest.h"
#include "catalog.h"
#include "console.h"
#include "env.h"
#include "percpu.h"
#include "report.h"
#include "smp.h"
#include "tsc.h"
#include "rmap/rmap_ops.h"

#define ZAP_SECONDS	2		/* seconds= not given */
#define ZAP_EVERY	(1u << 20)	/* guest accesses between VMMCALLs: the kicks exit most */
#define ZAP_GAP_US	2000		/* the writer's pause between zaps */
#define ZAP_GFNS	3		/* consecutive data gfns per zap */
#define ZAP_READ_PAGES	(SVM_DATA_PAGES / 2)	/* only read: a stale read finds the poison */
#define ZAP_MIN_CPUS	(SVM_VCPU_CPU + 1)	/* the writer and the vCPU */

/* The test's own state beside svm_guest's. */
static struct svm_zap {
	/* under mmu_lock for write (the writer and the vCPU's refault hook) */
	uint32_t quarantined;		/* data pages poisoned since their zap, not refaulted */
	uint64_t refaults, checked;
	unsigned stale;			/* atomic: stale-tlb reports (the writer stops) */
	/* the writer's (BSP), read after smp_run_all */
	uint64_t zaps, cycles, flushes, kicks, flush_waits;
} zap;

static struct svm_roles roles;		/* defined with its roles at the end */

/* Under mmu_lock (or with the guest done): data page p's poison must be whole. */
static void check_poison(unsigned p, const char *when)
{
	const uint32_t *w = svm_guest_data_page(p);
	unsigned bad = 0, first = 0;

	for (unsigned i = 0; i < 1024; i++)
		if (w[i] != GUEST_POISON && !bad++)
			first = i;
	zap.checked++;
	if (!bad)
		return;
	__atomic_fetch_add(&zap.stale, 1, __ATOMIC_RELAXED);
	env_violation("uaf", GUEST_DATA_GFN + p, PG_LEVEL_4K,
		      "stale-tlb: %u words of gfn 0x%x written after its zap and the flush (word %u = 0x%x, not the poison 0x%x), found %s",
		      bad, GUEST_DATA_GFN + p, first, w[first], GUEST_POISON, when);
}

/* svm_guest.refault, on the vCPU under mmu_lock: a zapped gfn's NPF; check, restore, map. */
static bool zap_refault(gfn_t gfn)
{
	unsigned p = (unsigned)(gfn - GUEST_DATA_GFN);

	if (gfn < GUEST_DATA_GFN || !(zap.quarantined & 1u << p))
		return false;
	check_poison(p, "at the guest's next NPF");
	for (unsigned w = 0; w < 1024; w++)
		svm_guest_data_page(p)[w] = svm_guest_fill_word(p, w);
	zap.quarantined &= ~(1u << p);
	zap.refaults++;
	return true;
}

/* One zap under mmu_lock for write: the data pages from p0 that are mapped, then poisoned. */
static void zap_and_poison(unsigned p0)
{
	struct svm_guest_state *g = &svm_guest;
	uint64_t sptes[SVM_NGFNS] = { 0 };
	gfn_t start = GUEST_DATA_GFN + p0;

	mmu_write_lock(&g->mmu.lock);
	svm_guest_snapshot(sptes);
	mmu_zap_gfn_range(&g->mmu, start, start + ZAP_GFNS);	/* commits: the flush */
	for (unsigned p = p0; p < p0 + ZAP_GFNS; p++) {
		if (!is_shadow_present_pte(sptes[GUEST_DATA_GFN + p]))
			continue;
		/* the frame's reuse: only a stale translation still reaches it */
		for (unsigned w = 0; w < 1024; w++)
			svm_guest_data_page(p)[w] = GUEST_POISON;
		zap.quarantined |= 1u << p;
		zap.zaps++;
	}
	zap.cycles++;
	mmu_write_unlock(&g->mmu.lock);
}

/* The BSP: zaps until t_end or a stale-tlb report, then stop. */
static void zap_writer(void)
{
	struct svm_guest_state *g = &svm_guest;
	uint32_t lcg = g->seed;

	/* relaxed: a hint to stop early; the report itself is the verdict */
	while (rdtsc() < roles.t_end && !__atomic_load_n(&zap.stale, __ATOMIC_RELAXED)) {
		tsc_delay_us(ZAP_GAP_US);
		lcg = lcg * GUEST_LCG_A + GUEST_LCG_C;
		zap_and_poison((lcg >> 16) % (SVM_DATA_PAGES - ZAP_GFNS + 1));
		cpu_heartbeat();
		/* acquire: pairs with the vCPU's release of done (an error there) */
		if (__atomic_load_n(&g->done, __ATOMIC_ACQUIRE))
			break;
	}
	zap.flushes = g->mmu.stats.flushes;
	zap.kicks = g->mmu.stats.flush_kicks;
	zap.flush_waits = g->mmu.stats.flush_waits;
	/* release: the counts above before the vCPU's acquire */
	__atomic_store_n(&g->stop, 1, __ATOMIC_RELEASE);
}

static void zap_check_and_end(void)
{
	struct svm_guest_state *g = &svm_guest;
	unsigned left = 0, poison_reads;

	for (unsigned p = 0; p < SVM_DATA_PAGES; p++)
		if (zap.quarantined & 1u << p) {
			check_poison(p, "at the end");
			left++;
		}
	poison_reads = svm_mailbox_read(MB_POISON_READS);
	if (poison_reads) {
		__atomic_fetch_add(&zap.stale, 1, __ATOMIC_RELAXED);	/* as check_poison's */
		env_violation("uaf", svm_mailbox_read(MB_POISON_GPA) / PAGE_SIZE, PG_LEVEL_4K,
			      "stale-tlb: the guest read the poison of a zapped frame %u times (the latest at gpa 0x%x): reads through a translation that outlived its zap and the flush",
			      poison_reads, svm_mailbox_read(MB_POISON_GPA));
	}
	for (gfn_t gfn = 0; gfn < GUEST_DATA_GFN; gfn++)
		if (g->npf_count[gfn] != 1)
			report_error("svm-zap: gfn 0x%llx (code, stack or mailbox) faulted %u times, want 1",
				     (unsigned long long)gfn, g->npf_count[gfn]);
	for (gfn_t gfn = SVM_TOUCHED; gfn < SVM_NGFNS; gfn++)
		if (is_shadow_present_pte(g->spte_run[gfn]))
			report_error("svm-zap: gfn 0x%llx was never touched but is mapped: 0x%llx",
				     (unsigned long long)gfn, (unsigned long long)g->spte_run[gfn]);
	if (g->nonpresent_ad)
		report_error("svm-zap: %llu non-present NPT entries are not 0 (A/D set where nothing is mapped)",
			     (unsigned long long)g->nonpresent_ad);
	if (g->exits[0].npf != SVM_TOUCHED + zap.refaults)
		report_error("svm-zap: %llu NPF exits, want %llu (one per gfn touched, one per refault)",
			     (unsigned long long)g->exits[0].npf,
			     (unsigned long long)(SVM_TOUCHED + zap.refaults));
	if (!zap.stale && (!zap.zaps || !zap.flushes || !zap.kicks || !zap.refaults))
		report_error("svm-zap: nothing raced: %llu zaps, %llu flushes, %llu kicks, %llu refaults",
			     (unsigned long long)zap.zaps, (unsigned long long)zap.flushes,
			     (unsigned long long)zap.kicks, (unsigned long long)zap.refaults);
	report_test_end("accesses=%u cycles=%llu zaps=%llu flushes=%llu flush_waits=%llu kicks=%llu intr=%llu vmmcalls=%llu refaults=%llu checked=%llu quarantined_end=%u stale=%u nonleaf_a=%llu",
			g->accesses[0], (unsigned long long)zap.cycles,
			(unsigned long long)zap.zaps, (unsigned long long)zap.flushes,
			(unsigned long long)zap.flush_waits, (unsigned long long)zap.kicks,
			(unsigned long long)g->exits[0].intr, (unsigned long long)g->exits[0].vmmcall,
			(unsigned long long)zap.refaults, (unsigned long long)zap.checked, left,
			zap.stale, (unsigned long long)g->nonleaf_accessed);
}

static struct svm_roles roles = { zap_writer, NULL, zap_check_and_end, ZAP_SECONDS, 0, 0 };

void test_svm_zap_run(const struct test_run *r)
{
	bool ok;

	if (!svm_guest_begin_roles(r, "svm-zap", ZAP_MIN_CPUS,
				   "needs 2 CPUs: the zapping writer and the guest's vCPU", &roles))
		return;
	__builtin_memset(&zap, 0, sizeof(zap));
	kprintf("  svm-zap: format=npt levels=4k data_pages=%u (%u read, the rest written) zap_gfns=%u gap_us=%u vmmcall_every=%u seconds=%u mutate=%s seed=%u\n",
		SVM_DATA_PAGES, ZAP_READ_PAGES, ZAP_GFNS, ZAP_GAP_US, ZAP_EVERY, roles.seconds,
		r->ops->name, (unsigned)r->cl->seed);
	ok = svm_guest_setup(r, ZAP_READ_PAGES, ZAP_EVERY, 0);
	svm_guest.refault = zap_refault;
	svm_guest_run_roles(&roles, ok);	/* VIOLATION lines' t_ms: the catch time */
}
