/*
 * core_tap.h - the ok/not ok lines of the portable core's host tests (test_spte, test_pte_list,
 * test_rmap_lock, test_mmu_audit, stress): one line per case, `# ` lines for detail, and an
 * exit code: 0 all passed, 1 any failed (77, skip, is the caller's to return).
 */
#ifndef CORE_TAP_H
#define CORE_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned tap_number, tap_failures;

static __attribute__((format(printf, 2, 3), unused)) bool tap_check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", ++tap_number);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	tap_failures += !ok;
	return ok;
}

static __attribute__((unused)) int tap_finish(void)
{
	printf("# %u cases, %u failed\n", tap_number, tap_failures);
	return tap_failures ? 1 : 0;
}

#endif /* CORE_TAP_H */
