/*
 * tests/kernel/catalog.c - the table of tests and the table of mutations. A new scenario is a
 * line here; a new mutation is a line here plus its broken variant. The first test is the
 * default one (the GRUB default entry, test= not given). test=all runs the CATALOG_TEST
 * entries; benchmarks run only by name (make bench).
 */
#include "catalog.h"

#ifdef HOST_CATALOG
#define CATALOG_RUN __attribute__((weak))	/* tools/catalog lists names, runs nothing */
#else
#define CATALOG_RUN
#endif

CATALOG_RUN void test_boot_run(const struct test_run *r);
CATALOG_RUN void test_smp_smoke_run(const struct test_run *r);
CATALOG_RUN void test_smp_bench_run(const struct test_run *r);

const struct catalog_test catalog_tests[] = {
	{ "boot", CATALOG_TEST, "platform self-check: page allocator, poison, TSC, ACPI", test_boot_run },
	{ "smp-smoke", CATALOG_TEST, "every CPU does locked adds on one counter and crosses a barrier",
	  test_smp_smoke_run },
	{ "smp-bench", CATALOG_BENCH, "barrier round trip and stop-the-world latency in cycles",
	  test_smp_bench_run },
};
const size_t catalog_ntests = sizeof(catalog_tests) / sizeof(catalog_tests[0]);

/* Mutations arrive with the harness (DESIGN §5); the table and its consumers exist already. */
const struct catalog_mutation catalog_mutations[] = {
	{ NULL, NULL, NULL },
};
const size_t catalog_nmutations = 0;

#define CATALOG_MAX 64
static const char *test_names[CATALOG_MAX];
static const char *mutation_names[CATALOG_MAX];

const char *const *catalog_test_names(void)
{
	for (size_t i = 0; i < catalog_ntests && i < CATALOG_MAX; i++)
		test_names[i] = catalog_tests[i].name;
	return test_names;
}

const char *const *catalog_mutation_names(void)
{
	for (size_t i = 0; i < catalog_nmutations && i < CATALOG_MAX; i++)
		mutation_names[i] = catalog_mutations[i].name;
	return mutation_names;
}
