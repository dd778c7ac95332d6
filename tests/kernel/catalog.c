/*
 * tests/kernel/catalog.c - the table of tests, and the mutations as a view of rmap_variants[].
 * A new scenario is a line here (and one in tests/kernel/harness/scenarios.c); a new mutation
 * is a broken variant in kernel/rmap/variants.c. The first test is the default one (the GRUB
 * default entry, test= not given). test=all runs the CATALOG_TEST entries in this order;
 * benchmarks run only by name (make bench).
 */
#include "catalog.h"
#include "rmap/rmap_ops.h"

#ifdef HOST_CATALOG
#define CATALOG_RUN __attribute__((weak))	/* tools/catalog lists names, runs nothing */
#else
#define CATALOG_RUN
#endif

CATALOG_RUN void test_age_vs_zap_run(const struct test_run *r);
CATALOG_RUN void test_boot_run(const struct test_run *r);
CATALOG_RUN void test_smp_smoke_run(const struct test_run *r);
CATALOG_RUN void test_rmap_lock_torture_run(const struct test_run *r);
CATALOG_RUN void test_desc_churn_run(const struct test_run *r);
CATALOG_RUN void test_pt_audit_run(const struct test_run *r);
CATALOG_RUN void test_elided_refill_run(const struct test_run *r);
CATALOG_RUN void test_svm_guest_run(const struct test_run *r);
CATALOG_RUN void test_svm_race_run(const struct test_run *r);
CATALOG_RUN void test_svm_zap_run(const struct test_run *r);
CATALOG_RUN void test_smp_bench_run(const struct test_run *r);
CATALOG_RUN void test_ops_bench_run(const struct test_run *r);
CATALOG_RUN void test_seed_effect_run(const struct test_run *r);

const struct catalog_test catalog_tests[] = {
	{ "age-vs-zap", CATALOG_TEST,
	  "the BSP faults and zaps under mmu_lock while the APs age locklessly and set A/D",
	  test_age_vs_zap_run },
	{ "boot", CATALOG_TEST, "platform self-check: page allocator, poison, TSC, ACPI", test_boot_run },
	{ "smp-smoke", CATALOG_TEST, "every CPU does locked adds on one counter and crosses a barrier",
	  test_smp_smoke_run },
	{ "rmap-lock-torture", CATALOG_TEST,
	  "many CPUs lock and unlock a few rmaps, read-only and under mmu_lock; overlaps counted",
	  test_rmap_lock_torture_run },
	{ "desc-churn", CATALOG_TEST,
	  "long chains on a few gfns: SPTEs added and removed mid-chain while agers walk them",
	  test_desc_churn_run },
	{ "pt-audit", CATALOG_TEST,
	  "huge pages replace tables and back while the world stops for an audit every 50 ms",
	  test_pt_audit_run },
	{ "elided-refill", CATALOG_TEST,
	  "rmaps cycle empty-one-many-empty under agers: upstream's re-read after an elided lock",
	  test_elided_refill_run },
	{ "svm-guest", CATALOG_TEST,
	  "one AMD SVM guest on our NPT (format=npt, -cpu max): the CPU's walker sets A/D where expected",
	  test_svm_guest_run },
	{ "svm-race", CATALOG_TEST,
	  "an SVM guest writes while lockless agers age its NPT and dirty logging clears D: no D lost",
	  test_svm_race_run },
	{ "svm-zap", CATALOG_TEST,
	  "the writer zaps an SVM guest's data gfns while it runs; the flush kicks it: no stale-tlb write",
	  test_svm_zap_run },
	{ "smp-bench", CATALOG_BENCH, "barrier round trip and stop-the-world latency in cycles",
	  test_smp_bench_run },
	{ "ops-bench", CATALOG_BENCH,
	  "cycles per rmap aged and per SPTE zapped and refaulted on one CPU (ops-vector cost)",
	  test_ops_bench_run },
	{ "seed-effect", CATALOG_BENCH,
	  "the writer alone, with lockless agers, with agers under mmu_lock: the protocol's effect",
	  test_seed_effect_run },
};
const size_t catalog_ntests = sizeof(catalog_tests) / sizeof(catalog_tests[0]);

size_t catalog_nmutations(void)
{
	return rmap_nr_variants - 1;
}

const struct rmap_ops *catalog_mutation(size_t i)
{
	return &rmap_variants[i + 1];
}

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
	for (size_t i = 0; i < catalog_nmutations() && i < CATALOG_MAX; i++)
		mutation_names[i] = catalog_mutation(i)->name;
	return mutation_names;
}
