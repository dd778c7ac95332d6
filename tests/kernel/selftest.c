/*
 * tests/kernel/selftest.c - deliberate failures for the test suite (selftest=), proving that
 * the exception path reports what it must (a fault of each kind, on purpose, from a function
 * a few frames deep so that the backtrace has something to show) and that the watchdog
 * catches an AP that stops making progress (stall-ap), and that a test whose CPU hangs after
 * the violation that decides it still ends within REPORT_VERDICT_MS (hang-after-violation).
 */
#include <stdint.h>
#include "selftest.h"
#include "cmdline.h"
#include "arch/x86.h"
#include "percpu.h"
#include "smp.h"
#include "report.h"

/* noinline, and called through a chain, so the symbolized backtrace names three frames */
static __attribute__((noinline)) void selftest_fault_now(int which)
{
	volatile uint64_t *p;

	switch (which) {
	case CMDLINE_SELFTEST_FAULT_UD:
		ud2();
		break;
	case CMDLINE_SELFTEST_FAULT_PF:
		p = (volatile uint64_t *)0x0000700000000000ull;	/* canonical, never mapped */
		(void)*p;
		break;
	case CMDLINE_SELFTEST_FAULT_GP:
		p = (volatile uint64_t *)0x8000000000000000ull;	/* non-canonical */
		(void)*p;
		break;
	}
	__asm__ volatile("" ::: "memory");	/* keeps this frame from being a tail call */
}

static __attribute__((noinline)) void selftest_fault_deeper(int which)
{
	selftest_fault_now(which);
	__asm__ volatile("" ::: "memory");
}

/* CPU 1 stops making progress without declaring a wait: the watchdog must name it */
static void selftest_stall_work(void *arg)
{
	(void)arg;
	if (cpu_id() != 1)
		return;
	for (;;)
		cpu_pause();
}

/* As a broken lock leaves a CPU: a violation reported, then spinning for ever on the lock. */
static void selftest_hang_work(void *arg)
{
	(void)arg;
	if (cpu_id() != 1)
		return;
	cpu_this()->doing = "selftest";
	report_violation("mutex", "detail=\"selftest: this CPU now spins for ever, as on a lock a broken protocol left taken\"");
	cpu_wait_begin(CPU_WAIT_LOCK, "selftest lock", &selftest_hang_work);
	for (;;)
		cpu_pause();
}

void selftest_run(int which)
{
	if (which == CMDLINE_SELFTEST_NONE)
		return;
	if (which == CMDLINE_SELFTEST_STALL_AP || which == CMDLINE_SELFTEST_HANG_AFTER_VIOLATION) {
		if (smp_online() < 2) {
			report_error("this selftest needs at least 2 CPUs online, has %u", smp_online());
			return;
		}
		smp_run_all(which == CMDLINE_SELFTEST_STALL_AP ? selftest_stall_work :
			    selftest_hang_work, NULL);
		return;
	}
	selftest_fault_deeper(which);
}
