/*
 * env.h - the portable interface that kernel/mmu and kernel/rmap are built against, and all
 * they may call besides atomic.h and compiler builtins. Two implementations: the kernel's
 * (kernel/arch/env_kernel.c, over cpu_id, page_alloc, report_violation, panic) and the
 * pthreads one (tests/host/env_host.c, threads as CPUs). Every function is safe from any
 * CPU at any time; none takes a lock the core could also hold.
 */
#ifndef ENV_H
#define ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENV_PAGE_SIZE	4096

/* This CPU's dense number: 0 = the BSP (host: the thread the test numbered 0). */
unsigned env_cpu_id(void);

/* The body of every spin loop (kernel: PAUSE; host: sched_yield, threads outnumber cores). */
void env_cpu_relax(void);

/*
 * Time, for torture delays and the timestamps of a violation's interleaving: nanoseconds on a
 * clock that all CPUs share (kernel: the TSC, host: CLOCK_MONOTONIC), and a busy wait of about
 * us microseconds that neither sleeps nor yields (locktorture's udelay: the CPU stays inside
 * whatever window its caller holds open).
 */
uint64_t env_now_ns(void);
void env_delay_us(unsigned us);

/* One zeroed, 4 KiB-aligned page that the core may also use as a page-table page (its
 * address is its physical address: identity-mapped in the kernel), or NULL. */
void *env_page_alloc(void);
void env_page_free(void *page);

/*
 * A protocol violation (DESIGN §4): inv is the invariant id ("chain-stable", "uaf", ...),
 * gfn/level where it was seen (level 0: none), detail a printf-style explanation without
 * double quotes. Counted for the run's verdict; printed as one whole VIOLATION line (the
 * environment may stop printing after the first few but always counts). Returns.
 */
void env_violation(const char *inv, uint64_t gfn, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Spins (contended path only; the uncontended path never calls these): a CPU starts waiting
 * for `lock` (its word at obj) and stops; env_cpu_relax is the body of the loop between. The
 * kernel times each spin into this CPU's statistics below and declares a long one to its
 * watchdog, so that a `liveness` report names the lock; the host only counts. Waits do not
 * nest.
 */
enum env_lock {
	ENV_LOCK_MMU,		/* mmu_lock, either mode */
	ENV_LOCK_RMAP,		/* an rmap lock, either mode */
	ENV_LOCK_FLUSH,		/* the remote TLB flush waiting for an accessor to leave */
	ENV_NR_LOCKS
};
extern const char *const env_lock_names[ENV_NR_LOCKS];
void env_spin_begin(enum env_lock lock, const void *obj);
void env_spin_end(enum env_lock lock);

/* Where spins are counted: per CPU and lock, by duration in power-of-two buckets (kernel: TSC
 * cycles, host: ns; bucket b holds [2^b, 2^(b+1)), the last one everything longer). */
#define ENV_HIST_BUCKETS	32
struct env_spin_stats {
	uint64_t spins, cycles, max;
	uint64_t hist[ENV_HIST_BUCKETS];
};
/* stats[cpu][lock] for cpus 0..ncpus-1, or NULL: the caller owns the array and reads it once
 * the CPUs that spin are stopped. A CPU numbered ncpus or above is not counted. */
void env_set_spin_stats(struct env_spin_stats (*stats)[ENV_NR_LOCKS], unsigned ncpus);

static inline unsigned env_hist_bucket(uint64_t v)
{
	unsigned b = v ? 63u - (unsigned)__builtin_clzll(v) : 0;

	return b < ENV_HIST_BUCKETS ? b : ENV_HIST_BUCKETS - 1;
}

/*
 * A run of the core begins (a harness test): violation counts per invariant start again, and
 * each VIOLATION line then carries t_ms=, the milliseconds since this call. Call it while no
 * other CPU reports.
 */
void env_report_start(void);
/* Violations of inv reported through env_violation since env_report_start; any CPU. */
uint64_t env_violations_of(const char *inv);

/* An impossible state in the core itself (not a protocol violation): report and end the run. */
__attribute__((noreturn)) void env_assert_fail(const char *expr, const char *file, int line);

/*
 * ENV_ASSERT(cond): STYLE §9's assertion. A macro only to capture the expression text and
 * the location; evaluates cond once and returns normally when it holds.
 */
#define ENV_ASSERT(cond)						\
	((cond) ? (void)0 : env_assert_fail(#cond, __FILE__, __LINE__))

#endif /* ENV_H */
