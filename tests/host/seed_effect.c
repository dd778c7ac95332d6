/*
 * tests/host/seed_effect.c - the `seed-effect` benchmark's hosted half (issue 13): the same
 * core (kernel/mmu, kernel/rmap against tests/host/env_host.c) in the same three modes as the
 * kernel's tests/kernel/harness/seed_effect.c, with pthreads for CPUs: the writer alone, with
 * N agers aging without mmu_lock, with N agers aging under mmu_lock for write (the pre-v6.15
 * baseline, age_gfn_range_locked), each for --seconds from an empty MMU with the same seed.
 * Agers age the whole memslot pass after pass (age_pass.h, shared with the kernel).
 *
 * The same in both worlds: the core, the three modes, the passes and their chunk, the writer's
 * op mix and page sizes (the seed-effect scenario: faults 60 %, shared faults 15 %, zaps of a
 * gfn 15 %, of a range 6 %, of one leaf 4 %; 4K 95 %, 2M 5 %), working set and roots, no checks
 * on the hot paths, the audit after each mode. Not the same: the writer loop is this file's
 * (gfns uniformly at random; the kernel's writer favours recently faulted ones half the time),
 * and a waiting thread yields to the host scheduler (env_cpu_relax) where a CPU spins.
 *
 * Prints the kernel's row format, then `ok 1 - seed-effect hosted ...` or `not ok` (a
 * violation, or a mode that did no work); exit 0 or 1, 2 for bad usage.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "age_pass.h"
#include "atomic.h"
#include "env_host.h"
#include "mmu/mmu.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"
#include "seed_row.h"

#define MAX_THREADS	16
#define PASSES_TIMED	16384

enum mode { ALONE, LOCKLESS, LOCKED, NR_MODES };
static const char *const mode_names[NR_MODES] = { "writer-alone", "lockless", "locked" };

struct params {
	unsigned threads, accessors, seconds, roots;
	uint64_t gfns, seed;
};

struct thread {
	struct run *run;
	pthread_t tid;
	unsigned cpu;
	uint64_t rng;
	struct age_stats age;
	struct mmu_access_stats access;
	uint64_t rmaps;			/* heads in the chunks this ager aged */
	uint64_t wait_ns;		/* writer: waiting for mmu_lock */
	uint64_t zaps;			/* writer: zap ops */
} __attribute__((aligned(64)));

struct run {
	const struct params *p;
	enum mode mode;
	unsigned agers;
	struct mmu mmu;
	struct mmu_caches caches;
	struct age_pass pass;
	int stop;			/* atomic: the writer's time is up */
	struct thread t[MAX_THREADS];
};

static uint64_t rng_below(uint64_t *x, uint64_t bound)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x % bound;
}

/* One op of the seed-effect scenario's mix, mmu_lock held; false when the caches ran dry. */
static bool writer_op(struct run *r, struct thread *t)
{
	uint64_t pick = rng_below(&t->rng, 1000);
	gfn_t gfn = r->mmu.slot.base_gfn + rng_below(&t->rng, r->p->gfns);
	unsigned root = (unsigned)rng_below(&t->rng, r->p->roots);
	int level = rng_below(&t->rng, 100) < 95 ? PG_LEVEL_4K : PG_LEVEL_2M;
	bool write = rng_below(&t->rng, 2);

	if (pick < 600)
		return mmu_fault(&r->mmu, &r->caches, root, gfn, level, write) != FAULT_RETRY;
	if (pick < 750) {
		unsigned n = 1 + (unsigned)rng_below(&t->rng, r->p->roots);

		for (unsigned k = 0; k < n; k++)
			if (mmu_fault(&r->mmu, &r->caches, (root + k) % r->p->roots, gfn, level,
				      write) == FAULT_RETRY)
				return false;
		return true;
	}
	t->zaps++;
	if (pick < 900)
		mmu_zap_gfn_range(&r->mmu, gfn, gfn + 1);
	else if (pick < 960)
		mmu_zap_gfn_range(&r->mmu, gfn, gfn + 1 + rng_below(&t->rng, 64));
	else
		mmu_zap_leaf(&r->mmu, root, gfn & ~(pages_per_level(level) - 1), level);
	return true;
}

static void writer_main(struct run *r, struct thread *t)
{
	uint64_t end = env_now_ns() + r->p->seconds * 1000000000ull;

	env_host_set_cpu(t->cpu);
	while (env_now_ns() < end) {
		unsigned len = 1 + (unsigned)rng_below(&t->rng, 16);
		uint64_t t0;

		/* kvm_mmu_topup_memory_cache: allocate before mmu_lock, never under it */
		ENV_ASSERT(mmu_topup_memory_caches(&r->mmu, &r->caches) == 0);
		t0 = env_now_ns();
		mmu_write_lock(&r->mmu.lock);
		t->wait_ns += env_now_ns() - t0;
		for (unsigned k = 0; k < len && writer_op(r, t); k++)
			;
		mmu_write_unlock(&r->mmu.lock);
	}
	/* release: our last MMU accesses are done before the others see stop */
	atomic_set(&r->stop, 1, MO_RELEASE);
}

static void *ager_main(void *arg)
{
	struct thread *t = arg;
	struct run *r = t->run;
	gfn_t start, end;

	env_host_set_cpu(t->cpu);
	/* acquire: pairs with the writer's release of stop */
	while (!atomic_read(&r->stop, MO_ACQUIRE)) {
		if (!age_pass_take(&r->pass, &start, &end)) {
			env_cpu_relax();	/* the pass is handed out: wait for its end */
			continue;
		}
		if (r->mode == LOCKED) {
			mmu_write_lock(&r->mmu.lock);
			age_gfn_range_locked(&r->mmu.slot, start, end, &t->age, NULL, NULL);
			mmu_write_unlock(&r->mmu.lock);
		} else {
			age_gfn_range(&r->mmu.slot, start, end, &t->age);
		}
		t->rmaps += age_pass_heads(&r->mmu.slot, start, end);
		age_pass_aged(&r->pass, env_now_ns());
	}
	return NULL;
}

static void *accessor_main(void *arg)
{
	struct thread *t = arg;
	struct run *r = t->run;
	unsigned vcpu = t->cpu - 1 - r->agers;

	env_host_set_cpu(t->cpu);
	/* acquire: pairs with the writer's release of stop */
	while (!atomic_read(&r->stop, MO_ACQUIRE))
		mmu_access(&r->mmu, vcpu, (unsigned)rng_below(&t->rng, r->p->roots),
			   r->mmu.slot.base_gfn + rng_below(&t->rng, r->p->gfns),
			   rng_below(&t->rng, 3) == 0, &t->access);
	return NULL;
}

static uint64_t per_s(uint64_t n, uint64_t ms)
{
	return ms ? n * 1000 / ms : 0;
}

/* One mode from an empty MMU to its audit; false if the MMU could not be set up. */
static bool run_mode(const struct params *p, enum mode m, uint64_t *durations, struct seed_row *row)
{
	struct run *r = calloc(1, sizeof(*r));
	uint64_t t0, ns, a_set = 0, d_set = 0, cleared = 0, rmaps = 0, walks = 0;
	unsigned n;

	if (!r)
		return false;
	r->p = p;
	r->mode = m;
	r->agers = m == ALONE ? 0 : p->threads - 1 - p->accessors;
	n = 1 + r->agers + p->accessors;
	if (mmu_init(&r->mmu, 0, p->gfns, p->roots, p->accessors, &rmap_variants[0], false)) {
		free(r);
		return false;
	}
	t0 = env_now_ns();
	age_pass_init(&r->pass, r->mmu.slot.base_gfn, p->gfns, durations, PASSES_TIMED, t0);
	for (unsigned i = 0; i < n; i++) {
		struct thread *t = &r->t[i];

		t->run = r;
		t->cpu = i;
		t->rng = (p->seed + 1) * 0x9e3779b97f4a7c15ull + i * 0xbf58476d1ce4e5b9ull;
		if (i && pthread_create(&t->tid, NULL, i <= r->agers ? ager_main : accessor_main, t)) {
			perror("pthread_create");
			exit(2);
		}
	}
	writer_main(r, &r->t[0]);
	for (unsigned i = 1; i < n; i++)
		pthread_join(r->t[i].tid, NULL);
	ns = env_now_ns() - t0;
	/* everyone else has stopped: the audit and A/D conservation, then zap all and free */
	for (unsigned i = 1; i < n; i++) {
		a_set += r->t[i].access.set_a;
		d_set += r->t[i].access.set_d;
		cleared += r->t[i].age.accessed_cleared;
		rmaps += r->t[i].rmaps;
		walks += r->t[i].access.walks;
	}
	mmu_audit(&r->mmu);
	mmu_check_ad_conservation(&r->mmu, a_set, d_set, cleared);
	row->agers = r->agers;
	row->ms = ns / 1000000;
	row->faults_ps = per_s(r->mmu.stats.faults, row->ms);
	row->zaps_ps = per_s(r->t[0].zaps, row->ms);
	row->wait_permille = ns ? r->t[0].wait_ns * 1000 / ns : 0;
	row->rmaps_ps = per_s(rmaps, row->ms);
	row->walks_ps = per_s(walks, row->ms);
	row->passes = age_pass_count(&r->pass);
	age_pass_percentiles(&r->pass, &row->p50_us, &row->p99_us, &row->max_us);
	row->p50_us /= 1000;
	row->p99_us /= 1000;
	row->max_us /= 1000;
	mmu_write_lock(&r->mmu.lock);
	mmu_zap_all(&r->mmu);
	mmu_write_unlock(&r->mmu.lock);
	mmu_audit(&r->mmu);
	mmu_free_memory_caches(&r->mmu, &r->caches);
	mmu_destroy(&r->mmu);
	free(r);
	return true;
}

static const char usage[] =
	"usage: seed-effect [--threads=N (2..16, default 4)] [--accessors=N (default threads/4)]\n"
	"                   [--seconds=N (default 5)] [--gfns=N (16384)] [--roots=N (8)] [--seed=N]\n"
	"                   [--format=ept|npt]\n";

int main(int argc, char **argv)
{
	struct params p = { .threads = 4, .seconds = 5, .roots = 8, .gfns = 16384, .seed = 1 };
	bool acc_given = false, ok = true;
	struct seed_row rows[NR_MODES];
	uint64_t *durations = calloc(PASSES_TIMED, sizeof(uint64_t));
	char line[320];

	for (int i = 1; i < argc; i++) {
		uint64_t v;

		if (env_host_num_opt("seed-effect", argv[i], "--threads", &v))
			p.threads = (unsigned)v;
		else if (env_host_num_opt("seed-effect", argv[i], "--accessors", &v))
			p.accessors = (unsigned)v, acc_given = true;
		else if (env_host_num_opt("seed-effect", argv[i], "--seconds", &v))
			p.seconds = (unsigned)v;
		else if (env_host_num_opt("seed-effect", argv[i], "--gfns", &v))
			p.gfns = v;
		else if (env_host_num_opt("seed-effect", argv[i], "--roots", &v))
			p.roots = (unsigned)v;
		else if (env_host_num_opt("seed-effect", argv[i], "--seed", &v))
			p.seed = v;
		else if (env_host_format_opt("seed-effect", argv[i]))
			continue;	/* the SPTE format is set; no MMU exists yet */
		else {
			fprintf(stderr, "seed-effect: unknown option %s\n%s", argv[i], usage);
			return 2;
		}
	}
	if (!acc_given)
		p.accessors = (p.threads - 1) / 4;
	if (p.threads < 2 || p.threads > MAX_THREADS || p.accessors + 2 > p.threads ||
	    !p.seconds || !p.gfns || !p.roots || p.roots > MMU_MAX_ROOTS || !durations) {
		fprintf(stderr, "seed-effect: threads 2..%u with at least one ager besides the writer "
			"and the accessors, seconds/gfns >= 1, roots 1..%u\n%s", MAX_THREADS,
			MMU_MAX_ROOTS, usage);
		return 2;
	}
	env_host_set_test("seed-effect");
	printf("  seed-effect: hosted threads=%u gfns=%llu roots=%u seconds=%u per mode, seed=%llu, accessors=%u, hot-path checks off, audit after each mode\n",
	       p.threads, (unsigned long long)p.gfns, p.roots, p.seconds,
	       (unsigned long long)p.seed, p.accessors);
	for (int m = 0; m < NR_MODES && ok; m++) {
		if (!run_mode(&p, (enum mode)m, durations, &rows[m])) {
			printf("not ok 1 - seed-effect hosted: mmu_init failed (gfns=%llu roots=%u)\n",
			       (unsigned long long)p.gfns, p.roots);
			return 1;
		}
		seed_row_line(line, sizeof(line), mode_names[m], &rows[m]);
		fputs(line, stdout);
		ok = env_host_violations() == 0 && rows[m].faults_ps &&
		     (m == ALONE || rows[m].passes);
	}
	if (!ok) {
		printf("not ok 1 - seed-effect hosted threads=%u: %s\n", p.threads,
		       env_host_violations() ? "violations" : "a mode did no work (no fault or no pass)");
		return 1;
	}
	seed_ratio_line(line, sizeof(line), &rows[LOCKLESS], &rows[LOCKED]);
	fputs(line, stdout);
	printf("ok 1 - seed-effect hosted threads=%u agers=%u accessors=%u seconds=%u faults_ps=%llu/%llu/%llu pass_us_p50=%llu/%llu\n",
	       p.threads, rows[LOCKLESS].agers, p.accessors, p.seconds,
	       (unsigned long long)rows[ALONE].faults_ps, (unsigned long long)rows[LOCKLESS].faults_ps,
	       (unsigned long long)rows[LOCKED].faults_ps, (unsigned long long)rows[LOCKLESS].p50_us,
	       (unsigned long long)rows[LOCKED].p50_us);
	free(durations);
	return 0;
}
