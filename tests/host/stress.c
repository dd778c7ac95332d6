/*
 * tests/host/stress.c - the host stress test of the rmap protocol: one writer, agers and
 * accessors (stress_roles.c) race on a real MMU for a fixed number of writer bursts, with every
 * DESIGN §4 check on and an audit plus A/D conservation check at checkpoints and at the end.
 *
 * What it proves: with the correct protocol ("none") no check fires, under ThreadSanitizer
 * (stress-tsan) and ASan+UBSan (stress-asan); with each broken variant of rmap_variants[]
 * the invariant that variant names IS reported (stress-mutants, one child process per variant,
 * no sanitizer: the harness's own checks must catch it, as in the kernel). A crash is the
 * `fault` invariant. Exit: 0 pass, 1 fail, 2 usage.
 *
 *   stress [--variant=NAME] [--seed=N] [--bursts=N] [--ager-ops=N] [--access-ops=N]
 *          [--agers=N] [--accessors=N] [--roots=N] [--gfns=N] [--checkpoint=N]
 *          [--stall-ms=N] [--hold-every=N]                 one run, one ok/not ok line
 *          [--seconds=N] [--checkpoint-ms=N] [--no-yield]  ... for a fixed time, with rates
 *                                                          (make bench: tests/bench/harness.sh)
 *          [--profile=strict|kvm] [--window-us=N]          the protocol (mmu/profile.h) and the
 *                                                          agers' delay in upstream's window
 *          [--format=ept|npt]                              the SPTE format (mmu/spte_format.h)
 *          [--expect=INV[,INV...]]                         a finding: pass iff one is reported
 *   stress --all-variants [options]                        every broken variant (default of
 *                                                          the stress-mutants build)
 *   stress --list                                          the variants and their invariants
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "atomic.h"
#include "core_tap.h"
#include "env_host.h"
#include "rmap/rmap_ops.h"
#include "stress.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define STRESS_SANITIZED 1	/* the sanitizer reports crashes itself */
#else
#define STRESS_SANITIZED 0
#endif

static const struct stress_params defaults = {
	.variant = "none", .seed = 1, .bursts = 1000, .ager_ops = 8000, .access_ops = 20000,
	.burst_len = 16, .agers = 2,
	.accessors = 2, .roots = 32, .gfns = 1536, .checkpoint_every = 64, .stall_ms = 10000,
	.hold_every = 64,
};

static bool child_mode;		/* one of --all-variants' children: the parent prints ok lines */
static struct stress *crash_stress;
static int finishing;		/* atomic */

static void stats_line(struct stress *s, char *buf, size_t size)
{
	struct age_stats a = { 0 };
	struct mmu_access_stats c = { 0 };
	uint64_t max_chain = 0;
	const struct mmu_stats *m = &s->mmu.stats;
	double secs;

	for (unsigned i = 1; i < s->nthreads; i++) {
		a.rmaps_locked += s->t[i].age.rmaps_locked;
		a.sptes_seen += s->t[i].age.sptes_seen;
		a.nonpresent_skipped += s->t[i].age.nonpresent_skipped;
		a.accessed_cleared += s->t[i].age.accessed_cleared;
		c.walks += s->t[i].access.walks;
		c.set_a += s->t[i].access.set_a;
		c.set_d += s->t[i].access.set_d;
		c.cmpxchg_failed += s->t[i].access.cmpxchg_failed;
		if (s->t[i].max_chain > max_chain)
			max_chain = s->t[i].max_chain;
	}
	secs = (double)(env_now_ns() - s->started_ns) / 1e9;
	snprintf(buf, size,
		 "writer_ops=%llu faults=%llu zaps=%llu leaves=%llu zapped=%llu pages_freed=%llu "
		 "flushes=%llu aged_rmaps=%llu sptes_seen=%llu max_chain=%llu a_cleared=%llu "
		 "nonpresent_skipped=%llu walks=%llu a_set=%llu d_set=%llu cmpxchg_retries=%llu "
		 "checkpoints=%llu %.2fs faults_ps=%.0f zaps_ps=%.0f rmaps_ps=%.0f sptes_ps=%.0f "
		 "walks_ps=%.0f",
		 (unsigned long long)s->writer_ops, (unsigned long long)m->faults,
		 (unsigned long long)s->zap_ops, (unsigned long long)m->leaves_installed,
		 (unsigned long long)m->leaves_zapped, (unsigned long long)m->pages_freed,
		 (unsigned long long)m->flushes, (unsigned long long)a.rmaps_locked,
		 (unsigned long long)a.sptes_seen, (unsigned long long)max_chain,
		 (unsigned long long)a.accessed_cleared, (unsigned long long)a.nonpresent_skipped,
		 (unsigned long long)c.walks, (unsigned long long)c.set_a,
		 (unsigned long long)c.set_d, (unsigned long long)c.cmpxchg_failed,
		 (unsigned long long)s->checkpoints, secs, m->faults / secs, s->zap_ops / secs,
		 a.rmaps_locked / secs, a.sptes_seen / secs, c.walks / secs);
}

/* Was any invariant of the comma-separated list reported? */
static bool any_reported(const char *list)
{
	char one[32];

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");

		snprintf(one, sizeof(one), "%.*s", (int)n, p);
		if (env_host_violations_of(one) > 0)
			return true;
		p += n + (p[n] == ',');
	}
	return false;
}

/* The verdict, from any thread or the crash handler; written with one write(2). */
void stress_finish(struct stress *s, const char *why)
{
	const char *expect = s->p.expect ? s->p.expect : s->ops->inv;
	char line[1536], sum[256], stats[1024];
	bool ok;
	int n;

	if (atomic_xchg(&finishing, 1, MO_ACQ_REL))
		for (;;)
			pause();	/* another thread is ending the run */
	env_host_violation_summary(sum, sizeof(sum));
	if (env_host_violations_unprinted())
		snprintf(sum + strlen(sum), sizeof(sum) - strlen(sum), "; %llu not printed",
			 (unsigned long long)env_host_violations_unprinted());
	stats_line(s, stats, sizeof(stats));
	if (!expect)
		ok = env_host_violations() == 0 && !strcmp(why, "completed");
	else
		ok = any_reported(expect) ||
		     (!strcmp(expect, "fault") && !strncmp(why, "crashed", 7));
	n = snprintf(line, sizeof(line), "%s%s - stress %s: %s; expected %s, found [%s]; %s\n",
		     child_mode ? "# " : "", ok ? "ok 1" : "not ok 1", s->p.variant, why,
		     expect ? expect : "no violation", sum, stats);
	fflush(stdout);
	if (write(1, line, (size_t)n) < 0)
		_exit(3);
	_exit(ok ? 0 : 1);
}

static void crash_handler(int sig)
{
	char line[200];
	int n = snprintf(line, sizeof(line),
			 "VIOLATION inv=fault test=stress cpu=%u detail=\"signal %d\"\n",
			 env_cpu_id(), sig);

	if (write(1, line, (size_t)n) < 0)
		_exit(3);
	stress_finish(crash_stress, sig == SIGABRT ? "crashed (assertion)" : "crashed (signal)");
}

static void catch_crashes(struct stress *s)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
	struct sigaction sa;

	if (STRESS_SANITIZED)
		return;
	crash_stress = s;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = crash_handler;
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

static void start(struct stress *s, unsigned i, void *(*fn)(void *))
{
	struct stress_thread *t = &s->t[i];

	t->s = s;
	t->cpu = i;
	t->rng = (s->p.seed + 1) * 0x9e3779b97f4a7c15ull + i * 0xbf58476d1ce4e5b9ull;
	if (fn && pthread_create(&t->tid, NULL, fn, t)) {
		perror("pthread_create");
		exit(2);
	}
}

/* One run of one variant; ends the process through stress_finish. */
static __attribute__((noreturn)) void run_one(const struct stress_params *p)
{
	struct stress *s = calloc(1, sizeof(*s));
	pthread_t watchdog;
	uint64_t still_a, still_d;

	if (!s)
		exit(2);
	s->p = *p;
	s->ops = rmap_ops_find(p->variant);
	s->nthreads = 1 + p->agers + p->accessors;
	s->started_ns = env_now_ns();
	env_host_set_cpu(0);
	env_host_set_test(p->variant);
	env_host_set_print_limit(p->quiet ? 3 : 10);
	if (mmu_init(&s->mmu, 0, p->gfns, p->roots, p->accessors, s->ops, true)) {
		fprintf(stderr, "stress: mmu_init failed\n");
		exit(2);
	}
	s->mmu.slot.torture_hold_every = p->hold_every;
	s->mmu.slot.torture_window_us = p->window_us;
	/* kvm: a quarter of the roots with A/D disabled, as the kernel's age-vs-zap (none under
	 * --format=npt: TDP NPT always has A/D enabled) */
	if (mmu_set_profile(&s->mmu, p->profile,
			    p->profile == MMU_PROFILE_KVM && spte_fmt.ad_disabled_ok ? p->roots / 4 : 0)) {
		fprintf(stderr, "stress: mmu_set_profile failed\n");
		exit(2);
	}
	catch_crashes(s);
	start(s, 0, NULL);
	for (unsigned i = 1; i <= p->agers; i++)
		start(s, i, stress_ager_main);
	for (unsigned i = 1 + p->agers; i < s->nthreads; i++)
		start(s, i, stress_accessor_main);
	if (pthread_create(&watchdog, NULL, stress_watchdog_main, s))
		exit(2);

	stress_writer_main(&s->t[0]);
	for (unsigned i = 1; i < s->nthreads; i++)
		pthread_join(s->t[i].tid, NULL);

	/* everyone else has stopped: final audit, then zap everything and audit again */
	stress_checkpoint(s, false);
	mmu_write_lock(&s->mmu.lock);
	mmu_zap_all(&s->mmu);
	mmu_write_unlock(&s->mmu.lock);
	stress_checkpoint(s, false);
	mmu_count_ad(&s->mmu, &still_a, &still_d);
	if (still_a || still_d || s->mmu.slot.descs_live)
		env_violation("audit", 0, 0, "after zap-all: %llu A, %llu D, %llu descs left",
			      (unsigned long long)still_a, (unsigned long long)still_d,
			      (unsigned long long)s->mmu.slot.descs_live);
	/* release: pairs with the watchdog's acquire; it stops reading the MMU, we join it */
	atomic_set(&s->watchdog_stop, 1, MO_RELEASE);
	pthread_join(watchdog, NULL);
	mmu_free_memory_caches(&s->mmu, &s->caches);
	mmu_destroy(&s->mmu);
	if (env_host_pages_in_use())
		env_violation("audit", 0, 0, "%lld env pages leaked",
			      (long long)env_host_pages_in_use());
	stress_finish(s, "completed");
}

/* One child process running variant v; true when it exits 0 (its invariant was reported). */
static bool run_child(const struct stress_params *cp)
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		child_mode = true;
		run_one(cp);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		perror("fork/waitpid");
		exit(2);
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * --all-variants: each broken variant in a child; the child's exit is its verdict. Races are
 * caught with a probability, not surely: a variant gets STRESS_ATTEMPTS runs with different
 * seeds and counts as caught if one catches it (measured: about 1 run in 100 misses). A
 * variant that only one profile has (rmap_ops.profiles) runs under that one; one the SPTE
 * format cannot run (rmap_ops.formats: access tracking under --format=npt) is skipped.
 */
#define STRESS_ATTEMPTS	3

static int run_all_variants(const struct stress_params *p)
{
	for (unsigned i = 0; i < rmap_nr_variants; i++) {
		const struct rmap_ops *v = &rmap_variants[i];
		struct stress_params cp = *p;
		uint64_t t0 = env_now_ns();
		unsigned attempt = 0;
		bool caught = false;

		if (!v->inv)
			continue;
		if (!rmap_ops_runs_in_format(v, spte_fmt.id)) {
			printf("ok %u - broken variant %s # SKIP needs format=ept (%s has no A/D-disabled SPTEs)\n",
			       ++tap_number, v->name, spte_fmt.name);
			continue;
		}
		cp.variant = v->name;
		cp.quiet = true;
		/* a variant of one profile's step or contract runs under that profile */
		if (!rmap_ops_runs_under(v, cp.profile))
			cp.profile = v->profiles == RMAP_KVM_ONLY ? MMU_PROFILE_KVM : MMU_PROFILE_STRICT;
		/* a run ends once its invariant is seen: a larger budget costs only a miss */
		cp.bursts *= 4;
		cp.ager_ops *= 5;
		cp.access_ops *= 5;
		/*
		 * zap-no-flush is caught only by a walk that is preempted between reading a table
		 * pointer and reading the table: accessors that yield after each walk (the default)
		 * are hardly ever preempted inside one, so they run without the yield here (three
		 * misses in three runs with it, caught within a second without)
		 */
		if (!v->zap_flushes)
			cp.no_yield = true;
		while (!caught && attempt++ < STRESS_ATTEMPTS) {
			cp.seed = p->seed + 1000 * (attempt - 1);
			caught = run_child(&cp);
		}
		tap_check(caught, "broken variant %s is caught by %s (run %u of %u, %.2fs)", v->name,
			  v->inv, attempt > STRESS_ATTEMPTS ? STRESS_ATTEMPTS : attempt, STRESS_ATTEMPTS,
			  (double)(env_now_ns() - t0) / 1e9);
	}
	return tap_finish();
}

static const char usage[] =
	"usage: stress [--variant=NAME|--mutate=NAME] [--all-variants] [--list] [--seed=N]\n"
	"              [--bursts=N] [--ager-ops=N] [--access-ops=N] [--agers=N] [--accessors=N]\n"
	"              [--roots=N] [--gfns=N] [--checkpoint=N] [--stall-ms=N] [--hold-every=N]\n"
	"              [--seconds=N] [--checkpoint-ms=N] [--no-yield] [--profile=strict|kvm]\n"
	"              [--window-us=N] [--expect=INV] [--format=ept|npt]\n";

static void list_variants(FILE *f)
{
	fprintf(f, "variants (--variant=NAME):\n");
	for (unsigned i = 0; i < rmap_nr_variants; i++)
		fprintf(f, "  %-20s %-16s %s\n", rmap_variants[i].name,
			rmap_variants[i].inv ? rmap_variants[i].inv : "-", rmap_variants[i].description);
}

int main(int argc, char **argv)
{
	struct stress_params p = defaults;
	bool all = false;

#ifdef STRESS_MUTANTS
	all = true;
#endif
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t v;

		if (!strncmp(a, "--variant=", 10) || !strncmp(a, "--mutate=", 9)) {
			p.variant = strchr(a, '=') + 1;
			all = false;
		} else if (!strcmp(a, "--all-variants")) {
			all = true;
		} else if (!strcmp(a, "--profile=strict")) {
			p.profile = MMU_PROFILE_STRICT;
		} else if (!strcmp(a, "--profile=kvm")) {
			p.profile = MMU_PROFILE_KVM;
		} else if (env_host_format_opt("stress", a)) {
			continue;
		} else if (!strncmp(a, "--expect=", 9) && a[9]) {
			p.expect = a + 9;
		} else if (env_host_num_opt("stress", a, "--window-us", &v)) {
			p.window_us = (unsigned)v;
		} else if (!strcmp(a, "--no-yield")) {
			p.no_yield = true;
		} else if (!strcmp(a, "--list")) {
			list_variants(stdout);
			return 0;
		} else if (env_host_num_opt("stress", a, "--seed", &v)) {
			p.seed = v;
		} else if (env_host_num_opt("stress", a, "--bursts", &v)) {
			p.bursts = (unsigned)v;
		} else if (env_host_num_opt("stress", a, "--ager-ops", &v)) {
			p.ager_ops = (unsigned)v;
		} else if (env_host_num_opt("stress", a, "--access-ops", &v)) {
			p.access_ops = (unsigned)v;
		} else if (env_host_num_opt("stress", a, "--agers", &v)) {
			p.agers = (unsigned)v;
		} else if (env_host_num_opt("stress", a, "--accessors", &v)) {
			p.accessors = (unsigned)v;
		} else if (env_host_num_opt("stress", a, "--roots", &v)) {
			p.roots = (unsigned)v;
		} else if (env_host_num_opt("stress", a, "--gfns", &v)) {
			p.gfns = v;
		} else if (env_host_num_opt("stress", a, "--checkpoint", &v)) {
			p.checkpoint_every = (unsigned)v;
		} else if (env_host_num_opt("stress", a, "--hold-every", &v)) {
			p.hold_every = (unsigned)v;
		} else if (env_host_num_opt("stress", a, "--seconds", &v)) {
			p.seconds = (unsigned)v;
		} else if (env_host_num_opt("stress", a, "--checkpoint-ms", &v)) {
			p.checkpoint_ms = (unsigned)v;
		} else if (env_host_num_opt("stress", a, "--stall-ms", &v)) {
			p.stall_ms = (unsigned)v;
		} else {
			fprintf(stderr, "stress: unknown option %s\n%s", a, usage);
			list_variants(stderr);
			return 2;
		}
	}
	if (!rmap_ops_find(p.variant)) {
		fprintf(stderr, "stress: unknown variant '%s'\n", p.variant);
		list_variants(stderr);
		return 2;
	}
	if (!all && !rmap_ops_runs_under(rmap_ops_find(p.variant), p.profile)) {
		fprintf(stderr, "stress: variant '%s' is%s; not under this --profile\n", p.variant,
			rmap_ops_profile_note(rmap_ops_find(p.variant)));
		return 2;
	}
	if (!all && !rmap_ops_runs_in_format(rmap_ops_find(p.variant), spte_fmt.id)) {
		fprintf(stderr, "stress: variant '%s' is%s; not under --format=%s (TDP NPT always has A/D enabled)\n",
			p.variant, rmap_ops_format_note(rmap_ops_find(p.variant)), spte_fmt.name);
		return 2;
	}
	if (1 + p.agers + p.accessors > STRESS_MAX_THREADS || !p.roots || p.roots > MMU_MAX_ROOTS ||
	    !p.gfns || !p.checkpoint_every || !p.burst_len) {
		fprintf(stderr, "stress: at most %u threads, 1..%u roots, gfns/checkpoint >= 1\n",
			STRESS_MAX_THREADS, MMU_MAX_ROOTS);
		return 2;
	}
	if (all)
		return run_all_variants(&p);
	run_one(&p);
}
