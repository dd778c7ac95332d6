/*
 * tests/kernel/harness/ops_bench.c - the `ops-bench` benchmark: what one step of the protocol
 * costs on this CPU, in TSC cycles, on the BSP alone: aging a populated slot (rmap lock and
 * unlock read-only, the iterator's get, the A clear: every ops-vector call of the ager's hot
 * path), and zapping and refaulting it (the writer's rmap lock, unlock and SPTE clear). Each
 * figure is the minimum over BENCH_ROUNDS rounds, which filters out interrupts and, under
 * TCG, the host's scheduling. Checks off (the production hot path) and on.
 *
 * Its purpose is the cost of the mutation switch (rmap_ops.h): run it in the normal kernel and
 * in one built with -DRMAP_OPS_DIRECT, whose hot paths call the correct steps directly, and
 * compare. Prints figures; fails only if the MMU cannot be set up.
 */
#include "arch/x86.h"
#include "harness.h"
#include "percpu.h"
#include "report.h"
#include "rmap/rmap_ops.h"

#define BENCH_GFNS	512
#define BENCH_ROOTS	8		/* 8 SPTEs per rmap: a chain of one desc */
#define BENCH_ROUNDS	200

static struct mmu bench_mmu;
static struct mmu_caches bench_caches;

static bool populate(struct mmu *mmu)
{
	mmu_write_lock(&mmu->lock);
	for (gfn_t g = 0; g < BENCH_GFNS; g++)
		for (unsigned r = 0; r < BENCH_ROOTS; r++) {
			while (mmu_fault(mmu, &bench_caches, r, g, PG_LEVEL_4K, false) == FAULT_RETRY) {
				mmu_write_unlock(&mmu->lock);
				if (mmu_topup_memory_caches(mmu, &bench_caches))
					return false;
				mmu_write_lock(&mmu->lock);
			}
		}
	mmu_write_unlock(&mmu->lock);
	return true;
}

/* Minimum cycles of one aging pass over the slot, and of one zap-all-and-refault. */
static bool measure(const struct rmap_ops *ops, bool checks, uint64_t *age, uint64_t *cycle)
{
	struct mmu *mmu = &bench_mmu;
	struct age_stats st = { 0 };

	*age = *cycle = UINT64_MAX;
	__builtin_memset(&bench_caches, 0, sizeof(bench_caches));
	if (mmu_init(mmu, 0, BENCH_GFNS, BENCH_ROOTS, 0, ops, checks) || !populate(mmu))
		return false;
	for (unsigned k = 0; k < BENCH_ROUNDS; k++) {
		uint64_t t0 = rdtsc(), t1;

		age_gfn_range(&mmu->slot, 0, BENCH_GFNS, &st);
		t1 = rdtsc() - t0;
		*age = t1 < *age ? t1 : *age;
		cpu_heartbeat();
	}
	for (unsigned k = 0; k < BENCH_ROUNDS / 10; k++) {
		uint64_t t0 = rdtsc(), t1;

		mmu_write_lock(&mmu->lock);
		mmu_zap_gfn_range(mmu, 0, BENCH_GFNS);
		mmu_write_unlock(&mmu->lock);
		if (!populate(mmu))
			return false;
		t1 = rdtsc() - t0;
		*cycle = t1 < *cycle ? t1 : *cycle;
		cpu_heartbeat();
	}
	mmu_free_memory_caches(mmu, &bench_caches);
	mmu_destroy(mmu);
	return true;
}

void test_ops_bench_run(const struct test_run *r);
void test_ops_bench_run(const struct test_run *r)
{
	const struct rmap_ops *ops = r->ops;
	uint64_t age[2], cycle[2];
	const unsigned sptes = BENCH_GFNS * BENCH_ROOTS;
#ifdef RMAP_OPS_DIRECT
	const char *how = "direct";
#else
	const char *how = "ops-vector";
#endif

	report_test_begin("ops-bench");
	for (int checks = 0; checks <= 1; checks++)
		if (!measure(ops, checks, &age[checks], &cycle[checks])) {
			report_error("ops-bench: no memory for the MMU");
			report_test_end("%s", "");
			return;
		}
	/* per rmap aged: BENCH_GFNS 4K rmaps plus the 2M and 1G heads, empty (elided) */
	report_test_end("calls=%s variant=%s rmaps=%u sptes=%u age_cycles_per_rmap=%llu zap_refault_cycles_per_spte=%llu checked_age_cycles_per_rmap=%llu checked_zap_refault_cycles_per_spte=%llu",
			how, ops->name, BENCH_GFNS, sptes, (unsigned long long)(age[0] / BENCH_GFNS),
			(unsigned long long)(cycle[0] / sptes), (unsigned long long)(age[1] / BENCH_GFNS),
			(unsigned long long)(cycle[1] / sptes));
}
