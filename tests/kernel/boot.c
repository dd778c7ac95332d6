/*
 * tests/kernel/boot.c - the `boot` test: the platform the harness stands on works.
 * Proves: the page allocator hands out distinct zeroed pages and takes them back; a freed
 * page holds poison; the TSC was calibrated to a plausible rate and advances across a delay
 * measured by the reference timer; every catalog entry has an implementation. Each check
 * that fails is a harness ERROR (the platform, not the protocol, is broken).
 */
#include <stdint.h>
#include "catalog.h"
#include "report.h"
#include "pmm.h"
#include "tsc.h"
#include "acpi.h"
#include "arch/x86.h"

#define BOOT_TEST_PAGES 64

static void check_pages(void)
{
	uint8_t *pages[BOOT_TEST_PAGES];

	for (unsigned i = 0; i < BOOT_TEST_PAGES; i++) {
		pages[i] = page_alloc();
		if (!pages[i]) {
			report_error("page_alloc failed after %u pages", i);
			return;
		}
		for (unsigned b = 0; b < PAGE_SIZE; b++) {
			if (pages[i][b]) {
				report_error("page 0x%llx not zeroed at byte %u",
					     (unsigned long long)(uintptr_t)pages[i], b);
				return;
			}
		}
		for (unsigned j = 0; j < i; j++)
			if (pages[j] == pages[i])
				report_error("page 0x%llx handed out twice",
					     (unsigned long long)(uintptr_t)pages[i]);
		pages[i][0] = (uint8_t)i;	/* the page is writable */
	}
	for (unsigned i = 0; i < BOOT_TEST_PAGES; i++)
		page_free(pages[i]);
	/* a freed page is poisoned past its link word */
	if (pages[0][8] != PMM_POISON || pages[0][PAGE_SIZE - 1] != PMM_POISON)
		report_error("freed page 0x%llx holds 0x%02x, not the poison 0x%02x",
			     (unsigned long long)(uintptr_t)pages[0], pages[0][8], PMM_POISON);
}

static uint64_t check_tsc(void)
{
	uint64_t hz = tsc_hz(), t0, elapsed;

	if (hz < 100000000ull || hz > 20000000000ull)
		report_error("TSC calibrated to %llu Hz against %s: implausible",
			     (unsigned long long)hz, tsc_reference());
	t0 = rdtsc();
	tsc_delay_us(1000);
	elapsed = rdtsc() - t0;
	if (elapsed < hz / 1000)
		report_error("TSC advanced %llu cycles over a 1 ms delay at %llu Hz",
			     (unsigned long long)elapsed, (unsigned long long)hz);
	return hz;
}

static void check_catalog(void)
{
	for (size_t i = 0; i < catalog_ntests; i++)
		if (!catalog_tests[i].run)
			report_error("test %s has no implementation", catalog_tests[i].name);
}

void test_boot_run(const struct test_run *r)
{
	uint64_t hz;

	(void)r;
	report_test_begin("boot");
	check_catalog();
	check_pages();
	hz = check_tsc();
	report_test_end("tsc_mhz=%llu tsc_ref=%s ram_pages=%llu free_pages=%llu acpi=%s",
			(unsigned long long)(hz / 1000000), tsc_reference(),
			(unsigned long long)pmm_total_pages(), (unsigned long long)pmm_free_pages(),
			acpi.present ? "yes" : "no");
}
