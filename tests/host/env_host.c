/*
 * tests/host/env_host.c - env.h for Linux programs: pthreads are the CPUs (a thread-local
 * dense id), relax yields (threads outnumber the two cores CI has), pages come from
 * aligned_alloc and are poisoned on free, violations are counted per invariant id (atomic
 * counts, names added under a mutex) and the first few of each printed as the kernel prints
 * them; past those a violation costs two atomic adds.
 * The counters are the verdict of the host tests (env_host.h).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "env_host.h"
#include "mmu/spte_format.h"

#define MAX_INVS 32

static __thread unsigned this_cpu;
static int64_t pages_in_use;			/* atomic */
static uint64_t relax_calls;			/* atomic */

/* Names are added under the mutex; counts are atomics, readable without it (crash path). */
static struct {
	pthread_mutex_t lock;
	const char *test;
	unsigned print_limit;
	uint64_t total;				/* atomic */
	unsigned ninv;				/* atomic: names published with release */
	const char *inv[MAX_INVS];		/* string literals from the core */
	uint64_t count[MAX_INVS];		/* atomic */
} viol = { PTHREAD_MUTEX_INITIALIZER, "host", 10, 0, 0, { 0 }, { 0 } };

void env_host_set_cpu(unsigned cpu)
{
	this_cpu = cpu;
}

unsigned env_cpu_id(void)
{
	return this_cpu;
}

void env_cpu_relax(void)
{
	__atomic_fetch_add(&relax_calls, 1, __ATOMIC_RELAXED);
	sched_yield();
}

uint64_t env_host_relax_calls(void)
{
	return __atomic_load_n(&relax_calls, __ATOMIC_RELAXED);
}

uint64_t env_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void env_delay_us(unsigned us)
{
	uint64_t end = env_now_ns() + us * 1000ull;

	while (env_now_ns() < end)
		;	/* busy, no yield: the delay keeps its window open (env.h) */
}

void *env_page_alloc(void)
{
	void *p = aligned_alloc(ENV_PAGE_SIZE, ENV_PAGE_SIZE);

	if (!p)
		return NULL;
	memset(p, 0, ENV_PAGE_SIZE);
	__atomic_fetch_add(&pages_in_use, 1, __ATOMIC_RELAXED);
	return p;
}

void env_page_free(void *page)
{
	memset(page, 0x6b, ENV_PAGE_SIZE);
	free(page);
	__atomic_fetch_sub(&pages_in_use, 1, __ATOMIC_RELAXED);
}

int64_t env_host_pages_in_use(void)
{
	return __atomic_load_n(&pages_in_use, __ATOMIC_RELAXED);
}

/*
 * The slot of invariant @inv: found without the mutex among the names published so far, added
 * under it when new. Past the first lookup of each name this is a short scan of string
 * literals, no lock.
 */
static unsigned viol_slot(const char *inv)
{
	/* acquire: pairs with the release store of ninv; names below it are in place */
	unsigned n = __atomic_load_n(&viol.ninv, __ATOMIC_ACQUIRE), i;

	for (i = 0; i < n; i++)
		if (!strcmp(viol.inv[i], inv))
			return i;
	pthread_mutex_lock(&viol.lock);
	for (i = 0; i < viol.ninv && strcmp(viol.inv[i], inv); i++)
		;
	if (i == viol.ninv && i < MAX_INVS) {
		viol.inv[i] = inv;
		/* release: the name is in place before a lock-free reader sees the new ninv */
		__atomic_store_n(&viol.ninv, i + 1, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&viol.lock);
	return i;
}

/*
 * Like the kernel's report.c: every violation is counted, the first print_limit of each
 * invariant are formatted and printed, the rest cost two atomic adds (issue 12: a broken lock
 * can report millions).
 */
void env_violation(const char *inv, uint64_t gfn, int level, const char *fmt, ...)
{
	char detail[256];
	uint64_t nth = 1;
	unsigned i = viol_slot(inv);
	va_list ap;

	if (i < MAX_INVS)
		nth = __atomic_add_fetch(&viol.count[i], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&viol.total, 1, __ATOMIC_RELAXED);
	if (nth > __atomic_load_n(&viol.print_limit, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&viol.lock);		/* one line at a time, with the test's name */
	printf("VIOLATION inv=%s test=%s cpu=%u gfn=%llx level=%d detail=\"%s\"\n", inv,
	       viol.test, this_cpu, (unsigned long long)gfn, level, detail);
	fflush(stdout);
	pthread_mutex_unlock(&viol.lock);
}

/* Violations counted but not printed (past the limit of their invariant), for summaries. */
uint64_t env_host_violations_unprinted(void)
{
	unsigned n = __atomic_load_n(&viol.ninv, __ATOMIC_ACQUIRE);
	uint64_t limit = __atomic_load_n(&viol.print_limit, __ATOMIC_RELAXED), un = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t c = __atomic_load_n(&viol.count[i], __ATOMIC_RELAXED);

		un += c > limit ? c - limit : 0;
	}
	return un;
}

const char *const env_lock_names[ENV_NR_LOCKS] = {
	[ENV_LOCK_MMU] = "mmu_lock",
	[ENV_LOCK_RMAP] = "rmap lock",
	[ENV_LOCK_FLUSH] = "tlb flush",
};

/* Spins: counted into the caller's array (env.h) when one is set; the host has no watchdog
 * that would want the wait declared. */
static struct env_spin_stats (*spin_stats)[ENV_NR_LOCKS];
static unsigned spin_ncpus;
static __thread struct timespec spin_t0;

void env_spin_begin(enum env_lock lock, const void *obj)
{
	(void)lock;
	(void)obj;
	clock_gettime(CLOCK_MONOTONIC, &spin_t0);
}

void env_spin_end(enum env_lock lock)
{
	struct timespec t1;
	struct env_spin_stats *s;
	uint64_t ns;

	if (!spin_stats || this_cpu >= spin_ncpus)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (uint64_t)(t1.tv_sec - spin_t0.tv_sec) * 1000000000ull +
	     (uint64_t)(t1.tv_nsec - spin_t0.tv_nsec);
	s = &spin_stats[this_cpu][lock];
	s->spins++;
	s->cycles += ns;
	if (ns > s->max)
		s->max = ns;
	s->hist[env_hist_bucket(ns)]++;
}

void env_set_spin_stats(struct env_spin_stats (*stats)[ENV_NR_LOCKS], unsigned ncpus)
{
	spin_stats = stats;
	spin_ncpus = stats ? ncpus : 0;
}

void env_report_start(void)
{
	env_host_reset();
}

uint64_t env_violations_of(const char *inv)
{
	return env_host_violations_of(inv);
}

void env_assert_fail(const char *expr, const char *file, int line)
{
	fprintf(stderr, "assertion failed: %s at %s:%d (cpu %u)\n", expr, file, line, this_cpu);
	abort();
}

void env_host_set_test(const char *name)
{
	pthread_mutex_lock(&viol.lock);
	viol.test = name;
	pthread_mutex_unlock(&viol.lock);
}

void env_host_set_print_limit(unsigned n)
{
	__atomic_store_n(&viol.print_limit, n, __ATOMIC_RELAXED);
}

void env_host_reset(void)
{
	pthread_mutex_lock(&viol.lock);
	for (unsigned i = 0; i < MAX_INVS; i++)
		__atomic_store_n(&viol.count[i], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&viol.ninv, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&viol.total, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&viol.lock);
}

uint64_t env_host_violations(void)
{
	return __atomic_load_n(&viol.total, __ATOMIC_RELAXED);
}

uint64_t env_host_violations_of(const char *inv)
{
	/* acquire: pairs with the release store of ninv; names below it are in place */
	unsigned n = __atomic_load_n(&viol.ninv, __ATOMIC_ACQUIRE);

	for (unsigned i = 0; i < n; i++)
		if (!strcmp(viol.inv[i], inv))
			return __atomic_load_n(&viol.count[i], __ATOMIC_RELAXED);
	return 0;
}

void env_host_violation_summary(char *buf, unsigned size)
{
	unsigned n = __atomic_load_n(&viol.ninv, __ATOMIC_ACQUIRE), len = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < n && len < size; i++)
		len += (unsigned)snprintf(buf + len, size - len, "%s%s=%llu", i ? " " : "",
					  viol.inv[i],
					  (unsigned long long)__atomic_load_n(&viol.count[i],
									      __ATOMIC_RELAXED));
}

bool env_host_format_opt(const char *prog, const char *arg)
{
	if (strncmp(arg, "--format=", 9))
		return false;
	for (unsigned f = 0; f < SPTE_NR_FORMATS; f++)
		if (!strcmp(arg + 9, spte_format_name((enum spte_format_id)f)) &&
		    !spte_set_format((enum spte_format_id)f))
			return true;
	fprintf(stderr, "%s: unknown format in %s: valid values for --format:", prog, arg);
	for (unsigned f = 0; f < SPTE_NR_FORMATS; f++)
		fprintf(stderr, " %s", spte_format_name((enum spte_format_id)f));
	fprintf(stderr, "\n");
	exit(2);
}

bool env_host_num_opt(const char *prog, const char *arg, const char *name, uint64_t *out)
{
	size_t n = strlen(name);
	char *end;

	if (strncmp(arg, name, n) || arg[n] != '=')
		return false;
	*out = strtoull(arg + n + 1, &end, 0);
	if (*end || end == arg + n + 1) {
		fprintf(stderr, "%s: bad number in %s\n", prog, arg);
		exit(2);
	}
	return true;
}
