/*
 * tests/kernel/selftest.c - deliberate failures for the test suite (selftest=), proving that
 * the exception path reports what it must: a fault of each kind, on purpose, from a function
 * a few frames deep so that the backtrace has something to show.
 */
#include <stdint.h>
#include "selftest.h"
#include "cmdline.h"
#include "arch/x86.h"

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

void selftest_run(int which)
{
	if (which == CMDLINE_SELFTEST_NONE)
		return;
	selftest_fault_deeper(which);
}
