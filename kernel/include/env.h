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

/* An impossible state in the core itself (not a protocol violation): report and end the run. */
__attribute__((noreturn)) void env_assert_fail(const char *expr, const char *file, int line);

/*
 * ENV_ASSERT(cond): STYLE §9's assertion. A macro only to capture the expression text and
 * the location; evaluates cond once and returns normally when it holds.
 */
#define ENV_ASSERT(cond)						\
	((cond) ? (void)0 : env_assert_fail(#cond, __FILE__, __LINE__))

#endif /* ENV_H */
