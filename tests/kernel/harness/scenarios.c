/*
 * tests/kernel/harness/scenarios.c - the scenarios of DESIGN §3 as one table (STYLE §7), and
 * the catalog's run functions, one per line of it. What each proves:
 *
 * age-vs-zap         the default: the writer faults (4K mostly, some 2M/1G that replace
 *                    tables), zaps single gfns, ranges and now and then everything, and clears
 *                    D for dirty logging, while agers age random ranges without mmu_lock and
 *                    accessors set A/D (under kvm a quarter of the roots run with A/D
 *                    disabled: agers mark their SPTEs for access tracking, accessors restore
 *                    them as KVM's fast page fault does). For 20 ms of every 40 all roles
 *                    focus on one gfn in two roots (writer.c: hot spots). The
 *                    protocol's main race: an ager holding a chain read-only while the writer
 *                    waits to change it, and SPTEs zapped under an ager's read-only lock.
 * rmap-lock-torture  few heads, many lockers: most APs take and drop read-only rmap locks
 *                    (and one the writer's lock under mmu_lock) on the ten heads of 8 gfns
 *                    whose chains (up to 24 SPTEs) the writer keeps changing; each holder
 *                    increments a plain counter beside the head, so two holders at once lose
 *                    increments (`mutex`, counted at every checkpoint) besides tripping the
 *                    holder count. Lockers pause between locks, or the writer (one waiter
 *                    among many on an unfair lock) would hardly ever get a turn.
 * desc-churn         long chains (64 roots, 32 gfns, 4K): SPTEs added to and removed from the
 *                    middle of chains of up to 64 entries (5 descs), head descs pushed and
 *                    freed all the time, while agers walk exactly those chains.
 * pt-audit           half the faults are huge, so tables are replaced and freed constantly,
 *                    and the world stops for the full audit and A/D count every 50 ms. As many
 *                    accessors as agers, so that even at -smp 4 one walks while huge leaves
 *                    and tables replace each other (a lost A there took a 100 s run to show).
 * elided-refill      upstream's re-read window (issue 11): a few rmaps cycle empty, one SPTE,
 *                    many (32 roots: three descs), empty again (zap of the gfn frees the descs;
 *                    2M faults and zaps free the tables under them) while agers age exactly
 *                    those rmaps one gfn at a time, so that many of their read-only locks are
 *                    elided on an rmap that a writer fills and empties moments later. Under
 *                    profile=kvm an ager then walks the refilled chain without holding it;
 *                    window_us= keeps it there. Under strict it must pass like any other.
 * seed-effect        not a test of its own: the writer load of the `seed-effect` benchmark
 *                    (seed_effect.c), which runs it three times: with agers, with locked
 *                    agers, with neither. A plain fault and zap mix (no zap-all, no dirty
 *                    logging, no hot spots) over 16384 gfns in 8 roots; the agers age the
 *                    whole slot pass after pass; no checks on the hot paths (production's
 *                    code, the same in both modes) and no checkpoint inside a run (its stop
 *                    would be timed): the full audit runs at each run's end.
 *
 * Every scenario runs every check: the online ones on each lock (mutex, chain-stable, uaf,
 * spte-owner, unlock-readonly, liveness) and the checkpoint's (audit, ad-conservation, uaf of
 * quarantined objects, mutex counters, stuck rmaps) at least once a second.
 */
#include "harness.h"
#include "report.h"

/* Role shares: how the APs split (2:1 between agers and accessors unless said otherwise). */
const struct scenario scenarios[] = {
	{
		.name = "age-vs-zap", .gfns = 4096, .roots = 32,
		.level_weight = { 890, 100, 10 },
		.wop_weight = { [WOP_FAULT] = 560, [WOP_FAULT_SHARED] = 150, [WOP_ZAP_GFN] = 160,
				[WOP_ZAP_RANGE] = 38, [WOP_ZAP_LEAF] = 50, [WOP_ZAP_ALL] = 2,
				[WOP_CLEAR_DIRTY] = 40 },
		.burst_max = 16, .zap_range_max = 64, .age_range_max = 64, .hot_permille = 500,
		.share = { [ROLE_AGER] = 2, [ROLE_ACCESSOR] = 1 },
		.checkpoint_ms = 250, .hold_every = 64, .ad_disabled_permille = 250,
		.focus_every_ms = 40, .focus_ms = 20,
	},
	{
		.name = "rmap-lock-torture", .gfns = 8, .roots = 24,
		.level_weight = { 900, 80, 20 },
		.wop_weight = { [WOP_FAULT] = 150, [WOP_FAULT_SHARED] = 450, [WOP_ZAP_GFN] = 60,
				[WOP_ZAP_LEAF] = 338, [WOP_ZAP_ALL] = 2 },
		.burst_max = 8, .zap_range_max = 8, .age_range_max = 1, .hot_permille = 300,
		.share = { [ROLE_AGER] = 1, [ROLE_ACCESSOR] = 1, [ROLE_LOCKER] = 4 },
		.locked_agers = 1, .checkpoint_ms = 250, .hold_every = 64, .lock_hold_max = 8,
		.lock_think_max = 64,
	},
	{
		.name = "desc-churn", .gfns = 32, .roots = 64,
		.level_weight = { 1000, 0, 0 },
		.wop_weight = { [WOP_FAULT] = 100, [WOP_FAULT_SHARED] = 400, [WOP_ZAP_GFN] = 60,
				[WOP_ZAP_RANGE] = 20, [WOP_ZAP_LEAF] = 420 },
		.burst_max = 16, .zap_range_max = 8, .age_range_max = 4, .hot_permille = 600,
		.share = { [ROLE_AGER] = 3, [ROLE_ACCESSOR] = 1 },
		.locked_agers = 1, .checkpoint_ms = 250, .hold_every = 32,
	},
	{
		.name = "pt-audit", .gfns = 2048, .roots = 16,
		.level_weight = { 500, 400, 100 },
		.wop_weight = { [WOP_FAULT] = 520, [WOP_FAULT_SHARED] = 100, [WOP_ZAP_GFN] = 150,
				[WOP_ZAP_RANGE] = 100, [WOP_ZAP_LEAF] = 90, [WOP_ZAP_ALL] = 10,
				[WOP_CLEAR_DIRTY] = 30 },
		.burst_max = 16, .zap_range_max = 512, .age_range_max = 256, .hot_permille = 500,
		.share = { [ROLE_AGER] = 1, [ROLE_ACCESSOR] = 1 },
		.locked_agers = 1, .checkpoint_ms = 50, .hold_every = 64, .ad_disabled_permille = 250,
	},
	{
		.name = "elided-refill", .gfns = 8, .roots = 32,
		.level_weight = { 700, 300, 0 },
		.wop_weight = { [WOP_FAULT] = 100, [WOP_FAULT_SHARED] = 400, [WOP_ZAP_GFN] = 300,
				[WOP_ZAP_RANGE] = 50, [WOP_ZAP_LEAF] = 150 },
		.burst_max = 4, .zap_range_max = 8, .age_range_max = 1, .hot_permille = 300,
		.share = { [ROLE_AGER] = 3, [ROLE_ACCESSOR] = 1 },
		.checkpoint_ms = 250, .hold_every = 64,
	},
	{
		.name = "seed-effect", .gfns = 16384, .roots = 8,
		.level_weight = { 950, 50, 0 },
		.wop_weight = { [WOP_FAULT] = 600, [WOP_FAULT_SHARED] = 150, [WOP_ZAP_GFN] = 150,
				[WOP_ZAP_RANGE] = 60, [WOP_ZAP_LEAF] = 40 },
		.burst_max = 16, .zap_range_max = 64, .hot_permille = 500,
		.age_passes = true, .hot_checks_off = true,
	},
};
const unsigned nr_scenarios = sizeof(scenarios) / sizeof(scenarios[0]);

const struct scenario *harness_scenario(const char *name)
{
	for (unsigned i = 0; i < nr_scenarios; i++) {
		const char *a = scenarios[i].name, *b = name;

		while (*a && *a == *b) {
			a++;
			b++;
		}
		if (*a == *b)
			return &scenarios[i];
	}
	return NULL;
}

static void run_named(const char *name, const struct test_run *r)
{
	const struct scenario *sc = harness_scenario(name);

	if (sc) {
		harness_run(sc, r);
		return;
	}
	/* a catalog line without a scenario: the boot test's catalog check names it too */
	report_test_begin(name);
	report_error("no scenario named %s", name);
	report_test_end("%s", "");
}

void test_age_vs_zap_run(const struct test_run *r);
void test_rmap_lock_torture_run(const struct test_run *r);
void test_desc_churn_run(const struct test_run *r);
void test_pt_audit_run(const struct test_run *r);
void test_elided_refill_run(const struct test_run *r);

void test_age_vs_zap_run(const struct test_run *r) { run_named("age-vs-zap", r); }
void test_rmap_lock_torture_run(const struct test_run *r) { run_named("rmap-lock-torture", r); }
void test_desc_churn_run(const struct test_run *r) { run_named("desc-churn", r); }
void test_pt_audit_run(const struct test_run *r) { run_named("pt-audit", r); }
void test_elided_refill_run(const struct test_run *r) { run_named("elided-refill", r); }
