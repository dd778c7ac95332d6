/*
 * tests/kernel/harness/run.c - one harness test from start to verdict: the working set, levels
 * and role counts from the scenario and the boot options; the MMU under test with the chosen
 * variant (mutate=); every CPU in its role until seconds= pass (or, once the test is decided,
 * the next checkpoint); the final checks; the report.
 *
 * Owns `harness`, the BSP's (harness.h says who may touch which part when). Roles by CPU: the
 * BSP writes; the APs split by the scenario's shares into agers, accessors, lockers and
 * locked agers, or as agers= and accessors= say. A role the scenario wants that gets no AP (on
 * 1 or 2 CPUs, say) is interleaved on the BSP between its bursts, in the order its seeded PRNG
 * draws: nothing is skipped for lack of CPUs, only made sequential. APs left over stay idle.
 */
#include "atomic.h"
#include "arch/x86.h"
#include "harness.h"
#include "irq_torture.h"
#include "percpu.h"
#include "pmm.h"
#include "report.h"
#include "rmap/check.h"
#include "rmap/rmap_ops.h"
#include "rng.h"
#include "smp.h"
#include "tsc.h"

static struct harness harness;
static uint64_t quarantine_bits[HARNESS_MAX_GFNS / 64];	/* guests: guest_probe.c */

_Static_assert((int)MMU_PROFILE_STRICT == CMDLINE_PROFILE_STRICT &&
	       (int)MMU_PROFILE_KVM == CMDLINE_PROFILE_KVM, "profile= names mmu/profile.h's order");

/* Per-CPU records, allocated once for the CPUs online (pmm_alloc_contig never frees). */
static bool alloc_records(struct harness *h)
{
	static struct harness_cpu *cpu;
	static struct env_spin_stats (*spin)[ENV_NR_LOCKS];
	static unsigned ncpus;
	unsigned n = smp_online();

	if (!cpu) {
		cpu = pmm_alloc_contig((unsigned)((n * sizeof(*cpu) + PAGE_SIZE - 1) / PAGE_SIZE));
		spin = pmm_alloc_contig((unsigned)((n * sizeof(*spin) + PAGE_SIZE - 1) / PAGE_SIZE));
		ncpus = n;
	}
	if (!cpu || !spin || ncpus != n)
		return false;
	__builtin_memset(cpu, 0, n * sizeof(*cpu));
	__builtin_memset(spin, 0, n * sizeof(*spin));
	h->cpu = cpu;
	h->spin = spin;
	h->ncpus = n;
	return true;
}

/* levels=: the scenario's weights for the levels given; a level it never faults gets 100. */
static bool setup_levels(struct harness *h)
{
	unsigned total = 0;

	for (int l = 0; l < MMU_MAX_LEAF_LEVEL; l++) {
		unsigned w = h->sc->level_weight[l];

		if (cmdline_given(h->cl, CMDLINE_LEVELS))
			w = !(h->cl->levels & (1u << l)) ? 0 : w ? w : 100;
		h->level_weight[l] = w;
		total += w;
	}
	/* guests: real frames, no 1 GiB leaves (guest.c); the scenario's 1G share goes to 2M */
	if (h->guests && h->level_weight[PG_LEVEL_1G - 1]) {
		if (cmdline_given(h->cl, CMDLINE_LEVELS))
			report_usage_conflict("levels= names 1g, but guests= maps real frames and has no 1 GiB leaves (a GiB of aligned memory): give levels=4k and/or 2m");
		h->level_weight[PG_LEVEL_2M - 1] += h->level_weight[PG_LEVEL_1G - 1];
		h->level_weight[PG_LEVEL_1G - 1] = 0;
	}
	if (!total)
		report_error("levels=: no page size to fault in");
	return total != 0;
}

/*
 * Role counts for naps APs. Locked agers first (only with enough APs to spare, unless
 * locked_agers= says how many), then agers= and accessors= if given, the rest by the
 * scenario's shares, the remainder to agers. A role the scenario shares to but that got no AP
 * is interleaved on the BSP, unless its count was given as 0. With forced counts (roles, from
 * harness_run_once) exactly those, nothing interleaved.
 */
static bool assign_roles(struct harness *h, const unsigned *roles)
{
	const struct scenario *sc = h->sc;
	unsigned naps = h->ncpus - 1, rest, shares, given, *n = h->count;
	bool ag = cmdline_given(h->cl, CMDLINE_AGERS), ac = cmdline_given(h->cl, CMDLINE_ACCESSORS);
	bool lg = cmdline_given(h->cl, CMDLINE_LOCKED_AGERS);

	__builtin_memset(h->count, 0, sizeof(h->count));
	__builtin_memset(h->bsp_runs, 0, sizeof(h->bsp_runs));
	n[ROLE_WRITER] = 1;
	if (!roles && h->cl->guests) {
		/* guests first: each is a whole AP; they replace the software accessors, whose
		 * counted A/D conservation cannot hold beside a walker nobody counts */
		if (ac && h->cl->accessors)
			report_usage_conflict("guests=%u with accessors=%u: the guests are the accessors (the walker's A/D sets are not counted, so the software accessors' counted conservation cannot run beside them)",
					   h->cl->guests, h->cl->accessors);
		if (h->cl->guests > naps)
			report_usage_error("guests=%u: %u APs are free (%u CPUs online), one per guest",
					   h->cl->guests, naps, h->ncpus);
		if (h->cl->guests >= h->roots)
			report_usage_conflict("guests=%u: the scenario has %u roots, one per guest and one at least for the writer's faults (a guest's root is its own)",
					      h->cl->guests, h->roots);
		n[ROLE_GUEST] = h->cl->guests;
		naps -= n[ROLE_GUEST];
	}
	if (roles) {
		for (int r = ROLE_AGER, total = 0; r < NR_ROLES; r++) {
			n[r] = roles[r];
			total += (int)n[r];
			if ((unsigned)total > naps)
				report_usage_error("%u APs asked for, %u are free (%u CPUs online)",
						   (unsigned)total, naps, h->ncpus);
		}
		return true;
	}
	if (lg)
		n[ROLE_LOCKED_AGER] = h->cl->locked_agers;
	else
		n[ROLE_LOCKED_AGER] = naps >= sc->locked_agers + 2 ? sc->locked_agers : 0;
	n[ROLE_AGER] = ag ? h->cl->agers : 0;
	n[ROLE_ACCESSOR] = ac ? h->cl->accessors : 0;
	given = n[ROLE_AGER] + n[ROLE_ACCESSOR] + (lg ? n[ROLE_LOCKED_AGER] : 0);
	if (given > naps)
		report_usage_error("agers=%u accessors=%u locked_agers=%u need %u APs, %u are free (%u CPUs online)",
				   n[ROLE_AGER], n[ROLE_ACCESSOR], n[ROLE_LOCKED_AGER],
				   n[ROLE_AGER] + n[ROLE_ACCESSOR] + n[ROLE_LOCKED_AGER], naps, h->ncpus);
	rest = naps - n[ROLE_LOCKED_AGER];
	if (n[ROLE_AGER] + n[ROLE_ACCESSOR] > rest)
		report_usage_error("agers=%u accessors=%u need %u APs, %u are free besides the scenario's %u locked agers (%u CPUs online)",
				   n[ROLE_AGER], n[ROLE_ACCESSOR], n[ROLE_AGER] + n[ROLE_ACCESSOR], rest,
				   n[ROLE_LOCKED_AGER], h->ncpus);
	rest -= n[ROLE_AGER] + n[ROLE_ACCESSOR];
	/* the rest by share among the roles not given; agers take what rounding leaves */
	ac = ac || n[ROLE_GUEST];	/* guests: no software accessor, none interleaved */
	shares = (ag ? 0 : sc->share[ROLE_AGER]) + (ac ? 0 : sc->share[ROLE_ACCESSOR]) +
		 sc->share[ROLE_LOCKER];
	if (shares) {
		if (!ac)
			n[ROLE_ACCESSOR] = rest * sc->share[ROLE_ACCESSOR] / shares;
		n[ROLE_LOCKER] = rest * sc->share[ROLE_LOCKER] / shares;
		if (!ag && sc->share[ROLE_AGER])
			n[ROLE_AGER] = rest - (ac ? 0 : n[ROLE_ACCESSOR]) - n[ROLE_LOCKER];
	}
	for (int r = ROLE_AGER; r < ROLE_GUEST; r++) {
		bool wanted = r == ROLE_LOCKED_AGER ? sc->locked_agers > 0 : sc->share[r] > 0;
		bool given0 = (r == ROLE_AGER && ag) || (r == ROLE_ACCESSOR && ac) ||
			      (r == ROLE_LOCKED_AGER && lg);

		h->bsp_runs[r] = wanted && !n[r] && !given0;
	}
	return true;
}

static void assign_cpus(struct harness *h)
{
	unsigned id = 1, vcpu = 0;

	h->cpu[0].role = ROLE_WRITER;
	for (int r = ROLE_AGER; r < NR_ROLES; r++)
		for (unsigned k = 0; k < h->count[r]; k++, id++) {
			h->cpu[id].role = (enum harness_role)r;
			if (r == ROLE_GUEST && !k) {
				h->guest_cpu0 = id;
				h->guest_vcpu0 = vcpu;
			}
			if (r == ROLE_ACCESSOR || r == ROLE_GUEST)
				h->cpu[id].vcpu = vcpu++;
		}
	h->naps = id - 1;
	for (; id < h->ncpus; id++)
		h->cpu[id].role = ROLE_IDLE;
	h->cpu[0].vcpu = vcpu;		/* the BSP's own accesses, when it interleaves them */
	for (unsigned i = 0; i < h->ncpus; i++)
		h->cpu[i].rng = rng_seed(h->cl->seed, i);
}

static void role_run(struct harness *h, struct harness_cpu *c, enum harness_role r)
{
	uint64_t t0 = rdtsc();

	cpu_this()->doing = harness_role_names[r];
	role_steps[r](h, c);
	c->cycles[r] += rdtsc() - t0;
	c->steps[r]++;
}

/* The BSP's next role: the writer half of the time, else one it interleaves, at random. */
static enum harness_role bsp_pick(struct harness *h, struct harness_cpu *c)
{
	unsigned w[NR_ROLES] = { 0 }, others = 0;

	for (int r = ROLE_AGER; r < NR_ROLES; r++)
		others += w[r] = h->bsp_runs[r];
	if (!others)
		return ROLE_WRITER;
	w[ROLE_WRITER] = others;
	return (enum harness_role)rng_pick(&c->rng, w, NR_ROLES);
}

/* Decided: the mutation's invariant was seen, or (no mutation) any violation. */
static bool decided(struct harness *h)
{
	return h->ops->inv ? env_violations_of(h->ops->inv) > 0 : report_violations() > 0;
}

/* The end: the APs return (one spinning on a stuck rmap once it is reported and cleared). */
static void join_aps(struct harness *h)
{
	/* release: pairs with the APs' acquire load of stop; the epoch is even here */
	atomic_set(&h->stop, 1, MO_RELEASE);
	harness_guests_kick(h);		/* a guest sees stop only when it exits */
	/* done: incremented (release) at the end of ap_main */
	harness_wait_aps(h, &h->done, "harness end");
}

static void bsp_main(struct harness *h, struct harness_cpu *c)
{
	bool periodic = h->sc->checkpoint_ms != 0;

	h->checkpoint_due = periodic ? h->t0 + h->checkpoint_cycles : UINT64_MAX;
	for (;;) {
		uint64_t now;

		role_run(h, c, bsp_pick(h, c));
		cpu_heartbeat();
		now = rdtsc();
		harness_focus_update(h, now);
		if (now >= h->checkpoint_due) {
			harness_checkpoint(h);
			if (decided(h))
				break;
			h->checkpoint_due = rdtsc() + h->checkpoint_cycles;
		}
		/* no checkpoint to end a decided test at: end it at once */
		if (now >= h->t_end || (!periodic && decided(h)))
			break;
	}
	h->t_stop = rdtsc();
	join_aps(h);
	/* every AP is back: what is left (checks, summary) is the BSP's, whatever it prints */
	report_verdict_disarm();
}

static void ap_main(struct harness *h, struct harness_cpu *c)
{
	/* irq_hz=: from here to the end this AP takes timer interrupts (a stream of its own) */
	irq_torture_start(h->cl->irq_hz, rng_seed(h->cl->seed, h->ncpus + cpu_id()));
	/* acquire: pairs with join_aps's release store */
	while (!atomic_read(&h->stop, MO_ACQUIRE)) {
		checkpoint_poll(h);
		role_run(h, c, c->role);
		harness_scan_stuck(h);
		cpu_heartbeat();
		/* on a heavily overcommitted machine, let the host run the others (smp.h) */
		smp_nap_share(&c->nap_last);
	}
	if (c->role == ROLE_GUEST)
		harness_guest_leave(h, c);
	irq_torture_stop();
	/* release: our last steps and statistics happen-before the BSP's final checks */
	atomic_fetch_add(&h->done, 1u, MO_RELEASE);
}

static void harness_cpu_main(void *arg)
{
	struct harness *h = arg;
	unsigned id = cpu_id();

	if (id == 0)
		bsp_main(h, &h->cpu[0]);
	else if (id < h->ncpus && h->cpu[id].role != ROLE_IDLE)
		ap_main(h, &h->cpu[id]);
	cpu_this()->doing = NULL;
}

static bool setup(struct harness *h, const struct scenario *sc, const struct test_run *r,
		  const unsigned *roles)
{
	unsigned vcpus;

	h->sc = sc;
	h->ops = r->ops;
	h->cl = r->cl;
	h->gfns = cmdline_given(r->cl, CMDLINE_GFNS) ? r->cl->gfns : sc->gfns;
	h->roots = sc->roots;
	h->guests = roles ? 0 : r->cl->guests;	/* forced roles (benchmarks): none */
#ifdef RMAP_OPS_DIRECT
	if (h->ops != &rmap_variants[0]) {
		report_error("mutate=%s: this kernel calls the correct steps directly (RMAP_OPS_DIRECT)",
			     h->ops->name);
		return false;
	}
#endif
	if (!alloc_records(h)) {
		report_error("no memory for %u per-CPU records", smp_online());
		return false;
	}
	if (!setup_levels(h) || !assign_roles(h, roles))
		return false;
	assign_cpus(h);
	vcpus = h->count[ROLE_ACCESSOR] + h->bsp_runs[ROLE_ACCESSOR] + h->count[ROLE_GUEST];
	if (vcpus > MMU_MAX_VCPUS)
		report_usage_error("%u accessors: the MMU has room for %u vCPUs", vcpus, MMU_MAX_VCPUS);
	if (h->gfns > HARNESS_MAX_GFNS)
		report_usage_error("gfns=%llu: the harness takes %u at most",
				   (unsigned long long)h->gfns, HARNESS_MAX_GFNS);
	/* guests: the slot also holds the guests' own pages, in whole 2 MiB (guest.c) */
	h->slot_gfns = h->guests ? harness_guest_slot_gfns(h->gfns) : h->gfns;
	if (h->slot_gfns > HARNESS_MAX_GFNS)
		report_usage_error("gfns=%llu with guests=%u: the slot holds the working set in whole 2 MiB and 2 MiB more for the guests' pages, %llu gfns, above %u",
				   (unsigned long long)h->gfns, h->guests,
				   (unsigned long long)h->slot_gfns, HARNESS_MAX_GFNS);
	if (mmu_init(&h->mmu, 0, h->slot_gfns, h->roots, vcpus, h->ops, !sc->hot_checks_off))
		report_usage_error("mmu_init: gfns=%llu roots=%u vcpus=%u does not fit (memory, or more than 131072 gfns)",
				   (unsigned long long)h->gfns, h->roots, vcpus);
	h->mmu.slot.torture_hold_every = sc->hold_every;
	h->mmu.slot.torture_window_us = r->cl->window_us;
	h->mmu.slot.no_reread = r->cl->reread == CMDLINE_REREAD_OFF;
	rmap_variants_widen(r->cl->widen == CMDLINE_WIDEN_ON);
	/* A/D-disabled roots: kvm's, and only in a format that has them (format=npt: none, as
	 * KVM's TDP NPT always runs with A/D enabled; main.c refuses the mutation that needs them) */
	h->ad_disabled_roots = r->cl->profile == CMDLINE_PROFILE_KVM && spte_fmt.ad_disabled_ok ?
			       h->roots * sc->ad_disabled_permille / 1000 : 0;
	if (mmu_set_profile(&h->mmu, (enum mmu_profile)r->cl->profile, h->ad_disabled_roots)) {
		report_error("mmu_set_profile: profile=%d with %u A/D-disabled roots refused",
			     r->cl->profile, h->ad_disabled_roots);
		mmu_destroy(&h->mmu);
		return false;
	}
	if (h->guests && !harness_guests_setup(h)) {
		harness_guests_release(h);
		mmu_destroy(&h->mmu);
		return false;
	}
	return true;
}

/* Everyone has returned: the last checks, then zap everything, audit again, free. */
static void teardown(struct harness *h)
{
	uint64_t still_a, still_d;

	harness_checks(h);
	mmu_write_lock(&h->mmu.lock);
	mmu_zap_all(&h->mmu);
	mmu_write_unlock(&h->mmu.lock);
	harness_checks(h);
	mmu_count_ad(&h->mmu, &still_a, &still_d);
	if (still_a || still_d || h->mmu.slot.descs_live)
		env_violation("audit", 0, 0, "after zap-all: %llu A, %llu D, %llu descs left",
			      (unsigned long long)still_a, (unsigned long long)still_d,
			      (unsigned long long)h->mmu.slot.descs_live);
	mmu_free_memory_caches(&h->mmu, &h->caches);
	harness_guests_release(h);
}

/* age_passes: the duration records, allocated once (pmm_alloc_contig never frees) */
static uint64_t *pass_durations(void)
{
	static uint64_t *cycles;

	if (!cycles)
		cycles = pmm_alloc_contig(HARNESS_PASSES_TIMED * sizeof(*cycles) / PAGE_SIZE);
	if (!cycles)
		report_error("no memory for %u pass durations", HARNESS_PASSES_TIMED);
	return cycles;
}

struct harness *harness_run_once(const struct scenario *sc, const struct test_run *r,
				 const unsigned roles[NR_ROLES])
{
	struct harness *h = &harness;

	report_verdict_rearm();		/* disarmed at the end of a previous run of this test */
	/* the rendezvous words and counters start at 0; the MMU is set up by mmu_init */
	h->epoch = 0;
	h->parked = h->done = 0;
	h->stop = 0;
	h->checkpoints = h->unstuck = h->inside_lost = 0;
	h->next_scan = 0;
	h->recent_pos = 0;
	h->focus = h->focus_phases = 0;
	h->guests_waiting = 0;
	__builtin_memset(&h->checkpoint_hist, 0, sizeof(h->checkpoint_hist));
	__builtin_memset(h->recent, 0, sizeof(h->recent));
	__builtin_memset(h->guest_spot, 0, sizeof(h->guest_spot));
	__builtin_memset(h->inside, 0, sizeof(h->inside));
	__builtin_memset(&h->caches, 0, sizeof(h->caches));
	__builtin_memset(quarantine_bits, 0, sizeof(quarantine_bits));
	h->quarantined = quarantine_bits;
	h->nr_quarantined = 0;
	h->poisoned = h->released = h->stale = 0;
	h->clean_checked = h->clean_lost = 0;
	if (!setup(h, sc, r, roles))
		return NULL;
	if (sc->age_passes && !pass_durations()) {
		mmu_destroy(&h->mmu);
		return NULL;
	}
	h->hz = tsc_hz();
	h->checkpoint_cycles = h->hz / 1000 * sc->checkpoint_ms;
	env_set_spin_stats(h->spin, h->ncpus);
	h->t0 = h->checkpoint_last = rdtsc();
	if (sc->age_passes)
		age_pass_init(&h->pass, h->mmu.slot.base_gfn, h->gfns, pass_durations(),
			      HARNESS_PASSES_TIMED, h->t0);
	h->checkpoint_gap_max = 0;
	h->t_end = h->t0 + h->hz * r->cl->seconds;
	smp_run_all(harness_cpu_main, h);
	env_set_spin_stats(NULL, 0);
	teardown(h);
	return h;
}

void harness_release(struct harness *h)
{
	mmu_destroy(&h->mmu);
}

void harness_run(const struct scenario *sc, const struct test_run *r)
{
	struct harness *h;
	const char *why;

	/* guests= where the CPU has no SVM with nested paging: the test cannot run as asked */
	if (r->cl->guests && (why = svm_unsupported_reason())) {
		report_skip(sc->name, why);
		return;
	}
	report_test_begin(sc->name);
	/* a mutated test is decided by its invariant (decided()), the correct protocol by any */
	report_deciding_inv(r->ops->inv);
	env_report_start();
	h = harness_run_once(sc, r, NULL);
	if (!h) {
		report_test_end("%s", "");
		return;
	}
	harness_summary(h);
	harness_release(h);
}
