/*
 * tests/kernel/harness/seed_effect.c - the `seed-effect` benchmark (issue 13): what aging
 * without mmu_lock buys, on this machine, in one table from one boot.
 *
 * The seed-effect scenario's writer load (scenarios.c) runs three times from an empty MMU, for
 * seconds= each, with the same seed (so the writer draws the same ops): the writer alone, then
 * with N agers aging without mmu_lock (the read-only rmap lock of v6.15's kvm_age_gfn), then
 * with N locked agers taking mmu_lock for write as kvm_age_gfn did before v6.15. The agers age
 * the whole memslot pass after pass (roles.c, age_passes), the way an MGLRU aging walk asks
 * for every page of a VM; accessors set A/D all along in every mode. N is every AP that is not
 * an accessor (a quarter of the APs, rounded down, unless accessors= says); agers= sets N,
 * locked_agers= the locked mode's own count.
 *
 * Per mode: the writer's faults/s and zaps/s and its share of time spent waiting for
 * mmu_lock; rmap heads aged/s; the aging pass's duration (median, p99, max over the passes of
 * the run: the time the agers together took to age every rmap of the slot once); accessor
 * walks/s. Then lockless/locked for each. Hot-path checks are off in every mode (the code
 * production runs); each run ends with the full audit, and the test fails on any violation or
 * if a mode did no work (no fault, or no aging pass completed). Figures are not judged: a
 * benchmark prints them (make bench).
 */
#include "arch/x86.h"
#include "console.h"
#include "format.h"
#include "harness.h"
#include "report.h"
#include "seed_row.h"
#include "smp.h"
#include "tsc.h"

enum se_mode { SE_ALONE, SE_LOCKLESS, SE_LOCKED, NR_SE_MODES };

static const char *const se_mode_names[NR_SE_MODES] = {
	[SE_ALONE] = "writer-alone", [SE_LOCKLESS] = "lockless", [SE_LOCKED] = "locked",
};

static uint64_t to_us(const struct harness *h, uint64_t cycles)
{
	return h->hz >= 1000000 ? cycles / (h->hz / 1000000) : 0;
}

/* The figures of the run just ended, from the records (every AP has returned). */
static void collect(struct harness *h, struct seed_row *row)
{
	const struct harness_cpu *w = &h->cpu[0];
	uint64_t elapsed = h->t_stop - h->t0, zaps = 0, rmaps = 0, walks = 0;

	row->ms = elapsed / (h->hz / 1000);
	for (int op = WOP_ZAP_GFN; op <= WOP_ZAP_ALL; op++)
		zaps += w->wops[op];
	for (unsigned i = 0; i < h->ncpus; i++) {
		rmaps += h->cpu[i].pass_rmaps;
		walks += h->cpu[i].access.walks;
	}
	row->faults_ps = per_s(h->mmu.stats.faults, row->ms);
	row->zaps_ps = per_s(zaps, row->ms);
	row->wait_permille = elapsed ? w->mmu_wait_cycles * 1000 / elapsed : 0;
	row->rmaps_ps = per_s(rmaps, row->ms);
	row->walks_ps = per_s(walks, row->ms);
	row->passes = age_pass_count(&h->pass);
	age_pass_percentiles(&h->pass, &row->p50_us, &row->p99_us, &row->max_us);
	row->p50_us = to_us(h, row->p50_us);
	row->p99_us = to_us(h, row->p99_us);
	row->max_us = to_us(h, row->max_us);
}

static void print_row(enum se_mode m, const struct seed_row *r)
{
	char line[320];

	seed_row_line(line, sizeof(line), se_mode_names[m], r);
	kprintf("%s", line);
}

/* The role counts of each mode; false (reported) if the CPUs cannot hold them. */
static bool plan(const struct test_run *r, unsigned naps, unsigned roles[NR_SE_MODES][NR_ROLES])
{
	const struct cmdline *cl = r->cl;
	unsigned acc = cmdline_given(cl, CMDLINE_ACCESSORS) ? cl->accessors : naps / 4;
	unsigned n, nl;

	if (acc > naps)
		report_usage_error("seed-effect: accessors=%u, %u APs online", acc, naps);
	n = cmdline_given(cl, CMDLINE_AGERS) ? cl->agers : naps - acc;
	nl = cmdline_given(cl, CMDLINE_LOCKED_AGERS) ? cl->locked_agers : n;
	if (!n || !nl || n + acc > naps || nl + acc > naps)
		report_usage_error("seed-effect: agers=%u locked_agers=%u accessors=%u: each mode needs 1..%u agers besides the accessors (%u APs)",
				   n, nl, acc, naps - acc, naps);
	__builtin_memset(roles, 0, sizeof(unsigned) * NR_SE_MODES * NR_ROLES);
	for (int m = 0; m < NR_SE_MODES; m++)
		roles[m][ROLE_ACCESSOR] = acc;
	roles[SE_LOCKLESS][ROLE_AGER] = n;
	roles[SE_LOCKED][ROLE_LOCKED_AGER] = nl;
	return true;
}

void test_seed_effect_run(const struct test_run *r);
void test_seed_effect_run(const struct test_run *r)
{
	const struct scenario *sc = harness_scenario("seed-effect");
	unsigned roles[NR_SE_MODES][NR_ROLES], naps = smp_online() - 1;
	struct seed_row rows[NR_SE_MODES];
	char line[320];
	char why[96] = "";
	int m;

	if (naps < 1) {
		report_skip("seed-effect", "needs an AP to age on (-smp 2 or more)");
		return;
	}
	report_test_begin("seed-effect");
	report_deciding_inv(r->ops->inv);
	env_report_start();
	if (!sc) {
		report_error("no scenario named seed-effect");
		report_test_end("%s", "");
		return;
	}
	if (!plan(r, naps, roles)) {
		report_test_end("%s", "");
		return;
	}
	kprintf("  seed-effect: cpus=%u gfns=%llu roots=%u seconds=%u per mode, seed=%llu, accessors=%u, hot-path checks off, audit after each mode\n",
		smp_online(), (unsigned long long)(cmdline_given(r->cl, CMDLINE_GFNS) ? r->cl->gfns :
						   sc->gfns),
		sc->roots, r->cl->seconds, (unsigned long long)r->cl->seed,
		roles[SE_ALONE][ROLE_ACCESSOR]);
	for (m = 0; m < NR_SE_MODES; m++) {
		struct harness *h = harness_run_once(sc, r, roles[m]);

		if (!h)
			break;
		collect(h, &rows[m]);
		rows[m].agers = roles[m][ROLE_AGER] + roles[m][ROLE_LOCKED_AGER];
		harness_release(h);
		print_row((enum se_mode)m, &rows[m]);
		if (report_violations())
			break;		/* decided: the verdict is in, the rest would only add to it */
		if (!rows[m].faults_ps)
			ksnprintf(why, sizeof(why), "%s: the writer faulted nothing", se_mode_names[m]);
		else if (m != SE_ALONE && !rows[m].passes)
			ksnprintf(why, sizeof(why), "%s: no aging pass completed in %u s",
				  se_mode_names[m], r->cl->seconds);
		if (why[0]) {
			report_error("seed-effect %s", why);
			break;
		}
	}
	if (m < NR_SE_MODES) {
		report_test_end("%s", "");
		return;
	}
	seed_ratio_line(line, sizeof(line), &rows[SE_LOCKLESS], &rows[SE_LOCKED]);
	kprintf("%s", line);
	report_test_end("modes=3 agers=%u locked_agers=%u accessors=%u seconds=%u faults_ps=%llu/%llu/%llu pass_us_p50=%llu/%llu mmu_wait_permille=%llu/%llu/%llu",
			rows[SE_LOCKLESS].agers, rows[SE_LOCKED].agers,
			roles[SE_ALONE][ROLE_ACCESSOR], r->cl->seconds,
			(unsigned long long)rows[SE_ALONE].faults_ps,
			(unsigned long long)rows[SE_LOCKLESS].faults_ps,
			(unsigned long long)rows[SE_LOCKED].faults_ps,
			(unsigned long long)rows[SE_LOCKLESS].p50_us,
			(unsigned long long)rows[SE_LOCKED].p50_us,
			(unsigned long long)rows[SE_ALONE].wait_permille,
			(unsigned long long)rows[SE_LOCKLESS].wait_permille,
			(unsigned long long)rows[SE_LOCKED].wait_permille);
}
