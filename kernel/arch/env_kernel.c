/*
 * kernel/arch/env_kernel.c - the kernel's implementation of env.h, the portable interface of
 * kernel/mmu and kernel/rmap: one-line forwards to the platform (cpu_id, page_alloc and
 * page_free, report_violation, panic). Owns no state; violations are counted by report.c.
 */
#include <stdarg.h>
#include "env.h"
#include "arch/x86.h"
#include "format.h"
#include "panic.h"
#include "percpu.h"
#include "pmm.h"
#include "report.h"

unsigned env_cpu_id(void)
{
	return cpu_id();
}

void env_cpu_relax(void)
{
	cpu_pause();
}

void *env_page_alloc(void)
{
	return page_alloc();
}

void env_page_free(void *page)
{
	page_free(page);
}

void env_violation(const char *inv, uint64_t gfn, int level, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	report_violation(inv, "gfn=%llx level=%d detail=\"%s\"", (unsigned long long)gfn,
			 level, detail);
}

void env_assert_fail(const char *expr, const char *file, int line)
{
	panic("assertion failed: %s at %s:%d", expr, file, line);
}
