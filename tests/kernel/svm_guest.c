/*
 * tests/kernel/svm_guest.c - the `svm-guest` test (issue 16, item 2: one guest, no racing
 * writer, no flush protocol yet). It proves that the CPU's nested page walker - QEMU's under
 * TCG, the silicon on AMD - sets Accessed and Dirty in the NPT our MMU builds, where we expect:
 *
 * A 32-bit guest with paging off (every access one nested walk) sweeps 24 data pages, reading
 * the first 12 and writing the rest at LCG-chosen words, and VMMCALLs every 256 accesses. One AP
 * runs it (svm_guest_vcpu.c) on an MMU whose NPT starts empty and maps real frames, with
 * leaves created A/D-clear by the MMU's own fault path; the BSP sends it IPIs and NMIs
 * meanwhile (the NMIs as the watchdog's would come: the guest must exit on them, and the
 * host's NMI handler, not the guest, must take them). Then:
 * one NPF per gfn touched and none elsewhere; A on every touched leaf, D on exactly the
 * written ones (stack, mailbox, written data) and not on the read-only ones (code, read
 * data); nothing on non-present entries; the reads summed what the host put there and the
 * writes landed in the backing frames (the NPT maps the frames we think); at least one INTR
 * exit; at least one NMI exit, and the AP's NMI handler took every NMI sent. Last, the core's
 * lockless ager clears A, the guest runs again, and every touched leaf must have A again.
 * svm_leaf_ad=set makes the fault path create leaves with A and D: the D check must then fail
 * (tests/qemu/svm-guest.sh), so the checks are shown to bite.
 *
 * Format: the test takes format=npt for its own MMU (svm_setup.c: an explicit format=ept is a
 * usage error under test=svm-guest, a SKIP under test=all). Guest leaves are 4 KiB only.
 */
#include "svm_guest.h"
#include "catalog.h"
#include "console.h"
#include "lapic.h"
#include "pmm.h"
#include "power.h"
#include "report.h"
#include "smp.h"
#include "percpu.h"
#include "trap.h"
#include "tsc.h"
#include "arch/x86.h"
#include "mmu/spte_format.h"

#define SVM_IPIS		4	/* IPIs the BSP sends while the guest runs */
#define SVM_NMIS		8	/* NMIs likewise, at most; one in flight at a time */
#define SVM_IPI_GAP_US		2000
#define SVM_NMI_WAIT_MS		1000	/* for the last NMI to reach the AP's handler */

/*
 * The guest's loop in C (svm_guest.S): n accesses from the seed; the sum of the words read,
 * and the writes applied to pages (the written data pages' expected contents), if given.
 */
static uint32_t emulate(uint32_t n, uint32_t *const *pages)
{
	uint32_t x = svm_guest.seed, sum = 0;
	unsigned p = 0;

	for (uint32_t i = 0; i < n; i++) {
		unsigned w;

		x = x * GUEST_LCG_A + GUEST_LCG_C;
		w = x >> GUEST_WORD_SHIFT;
		if (p < SVM_READ_PAGES)
			sum += svm_guest_fill_word(p, w);
		else if (pages)
			pages[p][w] = guest_stored_word(x);
		p = p + 1 == SVM_DATA_PAGES ? 0 : p + 1;
	}
	return sum;
}

static bool is_written(gfn_t gfn)
{
	return gfn == GUEST_STACK_GFN || gfn == GUEST_MAILBOX_GFN ||
	       (gfn >= GUEST_DATA_GFN + SVM_READ_PAGES && gfn < SVM_TOUCHED);
}

/*
 * An NMI to the vCPU's AP, if the one before reached its handler: two NMIs in flight would
 * merge into one (an NMI latch holds one), and then the count could not say whether each
 * NMI the guest exited on was taken by the host.
 */
static void send_nmi(struct percpu *vcpu)
{
	struct svm_guest_state *g = &svm_guest;
	unsigned sent = __atomic_load_n(&g->nmis_sent, __ATOMIC_RELAXED);

	if (sent >= SVM_NMIS || trap_nmi_expected_taken(vcpu) != sent)
		return;
	__atomic_store_n(&g->nmis_sent, sent + 1, __ATOMIC_RELAXED);
	lapic_send_ipi(vcpu->apic_id, LAPIC_DM_NMI, 0);
}

static void svm_guest_work(void *arg)
{
	struct svm_guest_state *g = &svm_guest;
	struct percpu *vcpu;
	unsigned sent;
	uint64_t t0;

	(void)arg;
	if (cpu_id() == SVM_VCPU_CPU) {
		svm_guest_vcpu_run();
		return;
	}
	if (cpu_id() != 0)
		return;
	vcpu = smp_cpu(SVM_VCPU_CPU);
	trap_nmi_expect(vcpu, true);	/* before the first NMI: its handler counts them */
	/* acquire: pairs with the AP's release store of done */
	while (!__atomic_load_n(&g->done, __ATOMIC_ACQUIRE)) {
		cpu_heartbeat();
		/* relaxed: in_guest is a hint; an IPI that lands outside the guest stays pending,
		 * an NMI there goes straight to the handler (counted, but no NMI exit) */
		if (__atomic_load_n(&g->in_guest, __ATOMIC_RELAXED)) {
			if (__atomic_load_n(&g->ipis_sent, __ATOMIC_RELAXED) < SVM_IPIS) {
				svm_guest_kick();
				__atomic_fetch_add(&g->ipis_sent, 1, __ATOMIC_RELAXED);
			}
			send_nmi(vcpu);
		}
		tsc_delay_us(SVM_IPI_GAP_US);
	}
	/* the last NMI may be sent just as the AP finishes: let it reach the handler. relaxed:
	 * only this CPU writes nmis_sent */
	sent = __atomic_load_n(&g->nmis_sent, __ATOMIC_RELAXED);
	t0 = rdtsc();
	while (trap_nmi_expected_taken(vcpu) < sent &&
	       rdtsc() - t0 < tsc_hz() / 1000 * SVM_NMI_WAIT_MS) {
		cpu_heartbeat();
		cpu_pause();
	}
	g->nmis_taken = trap_nmi_expected_taken(vcpu);
	g->nmis_framed = trap_nmi_expected_framed(vcpu);
	/* one still missing may yet come: left declared, it is counted, not a second fault */
	if (g->nmis_taken == sent)
		trap_nmi_expect(vcpu, false);
}

/* The written data pages after both phases, replayed; 0 or the first page that differs + 1. */
static unsigned check_writes(void)
{
	uint32_t *pages[SVM_DATA_PAGES] = { 0 };
	unsigned bad = 0;

	for (unsigned p = SVM_READ_PAGES; p < SVM_DATA_PAGES; p++) {
		pages[p] = page_alloc();
		if (!pages[p]) {
			report_error("svm-guest: no memory to replay the writes");
			bad = SVM_DATA_PAGES + 1;
			goto out;
		}
		for (unsigned w = 0; w < 1024; w++)
			pages[p][w] = svm_guest_fill_word(p, w);
	}
	emulate(svm_guest.accesses[0], pages);
	emulate(svm_guest.accesses[1], pages);
	for (unsigned p = SVM_READ_PAGES; p < SVM_DATA_PAGES && !bad; p++)
		if (__builtin_memcmp(pages[p], svm_guest_data_page(p), PAGE_SIZE))
			bad = p + 1;
out:
	for (unsigned p = SVM_READ_PAGES; p < SVM_DATA_PAGES; p++)
		if (pages[p])
			page_free(pages[p]);
	return bad;
}

/* The checks on the AP's results; the ok line's counts. */
static void check_and_end(void)
{
	struct svm_guest_state *g = &svm_guest;
	unsigned npf_gfns = 0, a_run = 0, d_run = 0, d_wrong = 0, a_aged = 0, a_again = 0;
	unsigned bad_page;
	uint64_t nmi_exits = g->exits[0].nmi + g->exits[1].nmi;

	for (gfn_t gfn = 0; gfn < SVM_NGFNS; gfn++) {
		bool touched = gfn < SVM_TOUCHED;
		uint64_t spte = g->spte_run[gfn];

		npf_gfns += g->npf_count[gfn] == 1;
		if (touched != (g->npf_count[gfn] == 1) || touched != is_shadow_present_pte(spte))
			report_error("svm-guest: gfn 0x%llx %s: %u NPF exits, leaf 0x%llx",
				     (unsigned long long)gfn, touched ? "touched" : "never touched",
				     g->npf_count[gfn], (unsigned long long)spte);
		if (!touched)
			continue;
		a_run += is_accessed_spte(spte);
		d_run += is_dirty_spte(spte);
		if (!is_accessed_spte(spte))
			report_error("svm-guest: gfn 0x%llx: the guest touched it, the walker set no A (leaf 0x%llx)",
				     (unsigned long long)gfn, (unsigned long long)spte);
		if (is_dirty_spte(spte) != is_written(gfn)) {
			d_wrong++;
			if (d_wrong <= 3)
				report_error("svm-guest: gfn 0x%llx: %s, but D is %s (leaf 0x%llx)",
					     (unsigned long long)gfn,
					     is_written(gfn) ? "written" : "only read or fetched",
					     is_dirty_spte(spte) ? "set" : "clear", (unsigned long long)spte);
		}
		a_aged += is_accessed_spte(g->spte_aged[gfn]);
		a_again += is_accessed_spte(g->spte_again[gfn]);
	}
	if (d_wrong > 3)
		report_error("svm-guest: D wrong on %u leaves in all", d_wrong);
	if (g->nonpresent_ad)
		report_error("svm-guest: %llu non-present NPT entries are not 0 (A/D set where nothing is mapped)",
			     (unsigned long long)g->nonpresent_ad);
	if (g->accesses[0] < SVM_MIN_ACCESSES || g->accesses[1] < SVM_PHASE2_ACCESSES)
		report_error("svm-guest: the guest did %u and %u accesses, want at least %u and %u",
			     g->accesses[0], g->accesses[1], SVM_MIN_ACCESSES, SVM_PHASE2_ACCESSES);
	if (g->read_sum[0] != emulate(g->accesses[0], NULL))
		report_error("svm-guest: the guest's reads summed 0x%x, the host's fill sums 0x%x: the NPT maps other frames",
			     g->read_sum[0], emulate(g->accesses[0], NULL));
	bad_page = check_writes();
	if (bad_page && bad_page <= SVM_DATA_PAGES)
		report_error("svm-guest: data page %u's backing frame does not hold the guest's writes",
			     bad_page - 1);
	if (g->exits[0].npf != SVM_TOUCHED || g->exits[1].npf)
		report_error("svm-guest: %llu NPF exits in the run and %llu after aging, want %u (one per gfn touched) and 0",
			     (unsigned long long)g->exits[0].npf, (unsigned long long)g->exits[1].npf,
			     SVM_TOUCHED);
	if (!g->exits[0].intr)
		report_error("svm-guest: no INTR exit for %u IPIs", g->ipis_sent);
	if (!nmi_exits)
		report_error("svm-guest: no NMI exit for %u NMIs (without the NMI intercept the guest takes them)",
			     g->nmis_sent);
	if (g->nmis_taken != g->nmis_sent || nmi_exits > g->nmis_taken)
		report_error("svm-guest: %u NMIs sent to cpu %u, %llu NMI exits, its NMI handler took %u",
			     g->nmis_sent, SVM_VCPU_CPU, (unsigned long long)nmi_exits, g->nmis_taken);
	if (g->nmis_framed != g->nmis_taken)
		report_error("svm-guest: %u of the %u NMIs cpu %u took found an RBP off its stack (the guest's, at svm_vmrun's stgi): the watchdog's backtrace would stop at its first frame",
			     g->nmis_taken - g->nmis_framed, g->nmis_taken, SVM_VCPU_CPU);
	if (g->aged_cleared != a_run || a_aged)
		report_error("svm-guest: the ager cleared %llu A of %u, %u leaves still have A",
			     (unsigned long long)g->aged_cleared, a_run, a_aged);
	if (a_again != SVM_TOUCHED)
		report_error("svm-guest: after aging, A is set again on %u of the %u leaves the guest touched again",
			     a_again, SVM_TOUCHED);
	report_test_end("accesses=%u npf=%llu touched=%u intr=%llu ipis=%u nmi_exits=%llu nmis=%u nmis_taken=%u nmis_framed=%u vmmcalls=%llu a=%u d=%u written=%u nonleaf_a=%llu aged=%llu a_again=%u",
			g->accesses[0], (unsigned long long)g->exits[0].npf, SVM_TOUCHED,
			(unsigned long long)g->exits[0].intr, g->ipis_sent,
			(unsigned long long)nmi_exits, g->nmis_sent, g->nmis_taken, g->nmis_framed,
			(unsigned long long)(g->exits[0].vmmcall + g->exits[1].vmmcall), a_run, d_run,
			2 + SVM_DATA_PAGES - SVM_READ_PAGES, (unsigned long long)g->nonleaf_accessed,
			(unsigned long long)g->aged_cleared, a_again);
}

void test_svm_guest_run(const struct test_run *r)
{
	if (!svm_guest_begin(r, "svm-guest", SVM_VCPU_CPU + 1,
			     "needs 2 CPUs: an AP runs the guest while the BSP sends it IPIs and NMIs"))
		return;
	kprintf("  svm-guest: format=npt levels=4k data_pages=%u (%u read, %u written) vmmcall_every=%u seed=%u leaf_ad=%s\n",
		SVM_DATA_PAGES, SVM_READ_PAGES, SVM_DATA_PAGES - SVM_READ_PAGES, SVM_EVERY,
		(unsigned)r->cl->seed,
		r->cl->svm_leaf_ad == CMDLINE_SVM_LEAF_AD_SET ? "set (checks must fail)" : "clear");
	svm_guest_run_and_release(svm_guest_setup(r, SVM_READ_PAGES, SVM_EVERY, 0) ?
				  svm_guest_work : NULL, NULL, check_and_end);
}
