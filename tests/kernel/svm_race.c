/*
 * tests/kernel/svm_race.c - the `svm-race` test (issue 16, "guests racing", first part): the
 * CPU's nested page walker (QEMU's under TCG, the silicon on AMD) against our lockless agers,
 * with dirty logging. It proves that no ager step loses a D the walker sets: KVM's reason for
 * clearing A with an atomic AND (age.c) and never a read-modify-write of the SPTE.
 *
 * Roles, for seconds= (default 2): AP 1 runs svm-guest's guest (the same code, svm_guest.h)
 * writing every one of its 24 data pages, each read first half the time after a flush (the
 * guest's read_mask), so that the walker sets A alone and D on a later walk; every AP from 2
 * up runs the core's lockless ager (age_gfn_range through the slot's rmap_ops: mutate= picks
 * the step) over all the guest's gfns in a loop; the BSP logs dirty pages. Each of its cycles:
 * under mmu_lock for write, check D on the data leaves, then clear it with the writer's own
 * dirty-log clear (mmu_clear_dirty_gfn_range); kick the guest (an IPI: an INTR exit, and the
 * VMRUN after it flushes the nested TLB); wait until the guest has written every data page
 * after that VMRUN (its access count, published at each VMRUN and exit, crosses two spans that
 * each write every page); then the next cycle's check must find D on every data leaf: the
 * walker set it on the first write after the flush, and nothing may take it away.
 * A leaf without D is the `ad-conservation` VIOLATION "walker D lost:" (the run then stops).
 * At the end: D on every data leaf, nothing on non-present entries, one NPF per gfn touched,
 * mmu_audit. mutate=age-plain-rmw must be caught (tests/qemu/svm-race.sh): under TCG at
 * -smp 4 on 2 host cores it was in 10 runs of 10 within 4 s, after 0.2 to 2.7 s.
 */
#include "svm_guest.h"
#include "catalog.h"
#include "console.h"
#include "env.h"
#include "percpu.h"
#include "report.h"
#include "smp.h"
#include "tsc.h"
#include "arch/x86.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

#define RACE_SECONDS	2		/* seconds= not given */
#define RACE_EVERY	(1u << 20)	/* guest accesses between VMMCALLs: the kicks flush most */
#define RACE_READ_MASK	32		/* access n of a page is a read when n & 32 */
/* Any 8 * 24 consecutive accesses write every page: page p's accesses are n = p + 24j, and
 * 24j mod 64 runs through 0, 24, 48, 8, 32, ... with period 8, so n & 32 is 0 in 4 of any 8. */
#define RACE_SPAN	(8 * SVM_DATA_PAGES)
#define RACE_GAP_US	2000		/* the logger's pause between kicks */
#define RACE_WAIT_S	5		/* a kick not answered by a VMRUN within this: an error
					 * (a vCPU thread the host starves for a while is not) */
#define RACE_MIN_CPUS	(SVM_VCPU_CPU + 2)	/* the logger, the vCPU, one ager */

/* The test's own state beside svm_guest's. The BSP writes the set-up before smp_run_all. */
static struct svm_race {
	/* the logger's (BSP), read after smp_run_all */
	uint64_t clears, kicks, checks, d_lost, a_sampled;
	/* the agers' sums, atomic adds as each ager ends */
	uint64_t a_cleared, passes;
} race;

static struct svm_roles roles;		/* defined with its roles at the end */

/* APs 2 and up: the core's lockless aging pass over every gfn of the guest, again and again. */
static void race_ager(void)
{
	struct age_stats st = { 0 };
	uint64_t passes = 0, last = rdtsc();

	/* acquire: pairs with the logger's release of stop */
	while (!__atomic_load_n(&svm_guest.stop, __ATOMIC_ACQUIRE)) {
		age_gfn_range(&svm_guest.mmu.slot, 0, SVM_NGFNS, &st);
		passes++;
		cpu_heartbeat();
		/* heavily overcommitted (TCG on few cores): the harness's duty cycle, so that
		 * the vCPU and the logger get host time and the kicks come often */
		smp_nap_share(&last);
	}
	/* relaxed: sums read by the BSP after smp_run_all's barrier */
	__atomic_fetch_add(&race.a_cleared, st.accessed_cleared, __ATOMIC_RELAXED);
	__atomic_fetch_add(&race.passes, passes, __ATOMIC_RELAXED);
}

/*
 * Under mmu_lock for write: if armed, every data leaf must have D (the guest wrote it after
 * the last clear and a VMRUN); then, if clear, the writer's dirty-log clear of the data gfns.
 */
static void check_and_clear(bool armed, bool clear, uint32_t from, uint32_t to)
{
	struct svm_guest_state *g = &svm_guest;
	uint64_t sptes[SVM_NGFNS] = { 0 };

	mmu_write_lock(&g->mmu.lock);
	svm_guest_snapshot(sptes);
	for (gfn_t gfn = GUEST_DATA_GFN; gfn < SVM_TOUCHED; gfn++) {
		race.a_sampled += is_accessed_spte(sptes[gfn]);
		if (!armed || is_dirty_spte(sptes[gfn]))
			continue;
		race.d_lost++;
		env_violation("ad-conservation", gfn, PG_LEVEL_4K,
			      "walker D lost: the guest wrote gfn 0x%llx after the D clear and a VMRUN (accesses %u to %u), its leaf has no D: 0x%llx",
			      (unsigned long long)gfn, from, to, (unsigned long long)sptes[gfn]);
	}
	race.checks += armed;
	if (clear) {
		mmu_clear_dirty_gfn_range(&g->mmu, GUEST_DATA_GFN, SVM_TOUCHED);
		race.clears++;
	}
	mmu_write_unlock(&g->mmu.lock);
}

/*
 * Kick the guest and wait for the VMRUN after it; false if the guest ended or did not come
 * back (reported). vmruns is read after whatever the caller did before: its increment is a
 * locked add that completes before the VMRUN it counts, so a VMRUN numbered above the value
 * read starts after the read, and so after the caller's clear (x86's locked RMWs are ordered).
 */
static bool kick_and_wait(void)
{
	struct svm_guest_state *g = &svm_guest;
	/* acquire: pairs with the vCPU's release increment; entry/exit_accesses are read after */
	unsigned n = __atomic_load_n(&g->vmruns, __ATOMIC_ACQUIRE);
	uint64_t t0 = rdtsc();

	svm_guest_kick();
	race.kicks++;
	while (__atomic_load_n(&g->vmruns, __ATOMIC_ACQUIRE) == n) {
		/* acquire: pairs with the vCPU's release of done */
		if (__atomic_load_n(&g->done, __ATOMIC_ACQUIRE))
			return false;
		if (rdtsc() - t0 > tsc_hz() * RACE_WAIT_S) {
			report_error("%s: the guest did not re-enter within %u s of a kick", g->name,
				     RACE_WAIT_S);
			return false;
		}
		cpu_heartbeat();
		cpu_pause();
	}
	return true;
}

/* The BSP: dirty logging's cycles until t_end or a D lost, then the final check. */
static void race_logger(void)
{
	struct svm_guest_state *g = &svm_guest;
	uint32_t from = 0, to = 0;
	bool armed = false, live = true;

	while (live && rdtsc() < roles.t_end && !race.d_lost) {
		check_and_clear(armed, true, from, to);
		/* the flush comes later than the clear, as KVM's after a whole memslot's clear:
		 * meanwhile the guest writes through its cached permissions and agers meet leaves
		 * with A set and D clear, the ones whose D a plain read-modify-write can lose */
		tsc_delay_us(RACE_GAP_US);
		live = kick_and_wait();
		/* relaxed: ordered after the acquire of vmruns in kick_and_wait */
		from = __atomic_load_n(&g->entry_accesses, __ATOMIC_RELAXED);
		do {
			tsc_delay_us(RACE_GAP_US);
			live = live && kick_and_wait();
			/* acquire: pairs with the vCPU's release after each exit */
			to = __atomic_load_n(&g->exit_accesses, __ATOMIC_ACQUIRE);
		} while (live && to - from < 2 * RACE_SPAN);
		/* a count one short at either end (svm_guest_run_phase) still leaves a span */
		armed = live;
	}
	if (live && !race.d_lost)
		check_and_clear(armed, false, from, to);
	/* release: the counts above before the vCPU's and agers' acquire */
	__atomic_store_n(&g->stop, 1, __ATOMIC_RELEASE);
}

static void race_check_and_end(void)
{
	struct svm_guest_state *g = &svm_guest;
	uint64_t a_again = race.a_cleared > SVM_TOUCHED ? race.a_cleared - SVM_TOUCHED : 0;
	unsigned d_end = 0;

	for (gfn_t gfn = GUEST_DATA_GFN; gfn < SVM_TOUCHED; gfn++)
		d_end += is_dirty_spte(g->spte_run[gfn]);
	for (gfn_t gfn = SVM_TOUCHED; gfn < SVM_NGFNS; gfn++)
		if (is_shadow_present_pte(g->spte_run[gfn]))
			report_error("svm-race: gfn 0x%llx was never touched but is mapped: 0x%llx",
				     (unsigned long long)gfn, (unsigned long long)g->spte_run[gfn]);
	if (!race.d_lost && race.checks && d_end != SVM_DATA_PAGES)
		env_violation("ad-conservation", 0, 0,
			      "walker D lost: at the end %u of the %u data leaves have D", d_end,
			      SVM_DATA_PAGES);
	if (g->nonpresent_ad)
		report_error("svm-race: %llu non-present NPT entries are not 0 (A/D set where nothing is mapped)",
			     (unsigned long long)g->nonpresent_ad);
	if (g->exits[0].npf != SVM_TOUCHED)
		report_error("svm-race: %llu NPF exits, want %u (one per gfn touched)",
			     (unsigned long long)g->exits[0].npf, SVM_TOUCHED);
	if (!race.d_lost && (!race.checks || !g->exits[0].intr || !race.a_cleared))
		report_error("svm-race: nothing raced: %llu checks, %llu INTR exits, %llu A cleared",
			     (unsigned long long)race.checks, (unsigned long long)g->exits[0].intr,
			     (unsigned long long)race.a_cleared);
	report_test_end("accesses=%u kicks=%llu intr=%llu vmmcalls=%llu clears=%llu d_cleared=%llu checks=%llu agers=%u age_passes=%llu a_cleared=%llu a_again=%llu a_sampled=%llu d_lost=%llu d_end=%u nonleaf_a=%llu",
			g->accesses[0], (unsigned long long)race.kicks,
			(unsigned long long)g->exits[0].intr, (unsigned long long)g->exits[0].vmmcall,
			(unsigned long long)race.clears, (unsigned long long)g->mmu.stats.cleared_d,
			(unsigned long long)race.checks, smp_online() - SVM_VCPU_CPU - 1,
			(unsigned long long)race.passes, (unsigned long long)race.a_cleared,
			(unsigned long long)a_again, (unsigned long long)race.a_sampled,
			(unsigned long long)race.d_lost, d_end, (unsigned long long)g->nonleaf_accessed);
}

static struct svm_roles roles = { race_logger, race_ager, race_check_and_end, RACE_SECONDS, 0, 0 };

void test_svm_race_run(const struct test_run *r)
{
	bool ok;

	if (!svm_guest_begin_roles(r, "svm-race", RACE_MIN_CPUS,
				   "needs 3 CPUs: the dirty logger, the guest's vCPU and an ager",
				   &roles))
		return;
	__builtin_memset(&race, 0, sizeof(race));
	kprintf("  svm-race: format=npt levels=4k data_pages=%u (all written, read first when access & %u) vmmcall_every=%u seconds=%u agers=%u mutate=%s seed=%u\n",
		SVM_DATA_PAGES, RACE_READ_MASK, RACE_EVERY, roles.seconds,
		smp_online() - SVM_VCPU_CPU - 1, r->ops->name, (unsigned)r->cl->seed);
	ok = svm_guest_setup(r, 0, RACE_EVERY, RACE_READ_MASK);
	svm_guest_run_roles(&roles, ok);	/* VIOLATION lines' t_ms: the catch time */
}
