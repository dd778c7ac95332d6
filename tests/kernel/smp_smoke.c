/*
 * tests/kernel/smp_smoke.c - the `smp-smoke` test: every online CPU takes part.
 * Each CPU does SMOKE_ADDS locked adds on one shared counter, then all meet at a barrier,
 * then the barrier is crossed SMOKE_ROUNDS more times. It proves that every CPU ran the work
 * (the total is CPUs x SMOKE_ADDS, and each CPU's own count is right), that the barrier
 * holds (nobody passes round r before everyone reached it: a per-round arrival count is
 * checked on the far side), and prints each CPU's add rate.
 */
#include <stdint.h>
#include "catalog.h"
#include "report.h"
#include "smp.h"
#include "barrier.h"
#include "tsc.h"
#include "console.h"
#include "pmm.h"

#define SMOKE_ADDS	200000u
#define SMOKE_ROUNDS	64u

struct smoke_cpu {
	uint64_t adds;
	uint64_t cycles;
} __attribute__((aligned(64)));

static struct {
	uint64_t counter __attribute__((aligned(64)));
	unsigned arrived[SMOKE_ROUNDS] __attribute__((aligned(64)));
	struct smp_barrier bar;
	struct smoke_cpu *cpu;		/* one per online CPU */
	unsigned ncpus;
	unsigned early;			/* atomic: crossings seen before the round was full */
} smoke;

static void smoke_work(void *arg)
{
	struct smoke_cpu *me = &smoke.cpu[cpu_id()];
	uint64_t t0 = rdtsc();

	(void)arg;
	for (unsigned i = 0; i < SMOKE_ADDS; i++) {
		/* relaxed: only the total matters, read after the barrier's acquire */
		__atomic_fetch_add(&smoke.counter, 1, __ATOMIC_RELAXED);
		me->adds++;
		if ((i & 1023) == 0)
			cpu_heartbeat();
	}
	me->cycles = rdtsc() - t0;
	barrier_wait(&smoke.bar);
	for (unsigned r = 0; r < SMOKE_ROUNDS; r++) {
		__atomic_fetch_add(&smoke.arrived[r], 1, __ATOMIC_RELAXED);
		barrier_wait(&smoke.bar);
		/* everyone arrived at round r before anyone got past the barrier */
		if (__atomic_load_n(&smoke.arrived[r], __ATOMIC_RELAXED) != smoke.ncpus)
			__atomic_fetch_add(&smoke.early, 1, __ATOMIC_RELAXED);
	}
}

void test_smp_smoke_run(const struct test_run *r)
{
	unsigned n = smp_online();
	uint64_t total_rate = 0;
	unsigned pages = (unsigned)((n * sizeof(struct smoke_cpu) + PAGE_SIZE - 1) / PAGE_SIZE);

	(void)r;
	report_test_begin("smp-smoke");
	smoke.cpu = pmm_alloc_contig(pages);
	if (!smoke.cpu) {
		report_error("no memory for %u per-CPU records", n);
		report_test_end("%s", "");
		return;
	}
	smoke.ncpus = n;
	smoke.counter = 0;
	smoke.early = 0;
	for (unsigned i = 0; i < SMOKE_ROUNDS; i++)
		smoke.arrived[i] = 0;
	barrier_init(&smoke.bar, "barrier smp-smoke", n);
	smp_run_all(smoke_work, NULL);

	if (smoke.counter != (uint64_t)n * SMOKE_ADDS)
		report_error("counter is %llu, want %u CPUs x %u = %llu",
			     (unsigned long long)smoke.counter, n, SMOKE_ADDS,
			     (unsigned long long)n * SMOKE_ADDS);
	if (smoke.early)
		report_error("%u barrier crossings before every CPU had arrived", smoke.early);
	for (unsigned i = 0; i < n; i++) {
		uint64_t rate = smoke.cpu[i].cycles ? smoke.cpu[i].adds * tsc_hz() / smoke.cpu[i].cycles : 0;

		if (smoke.cpu[i].adds != SMOKE_ADDS)
			report_error("cpu %u did %llu adds, want %u", i,
				     (unsigned long long)smoke.cpu[i].adds, SMOKE_ADDS);
		kprintf("  smp-smoke: cpu %u apic_id 0x%x adds %llu rate %llu k/s\n", i,
			smp_cpu(i)->apic_id, (unsigned long long)smoke.cpu[i].adds,
			(unsigned long long)(rate / 1000));
		total_rate += rate;
	}
	report_test_end("cpus=%u adds=%llu barrier_rounds=%u total_rate_kps=%llu", n,
			(unsigned long long)smoke.counter, SMOKE_ROUNDS,
			(unsigned long long)(total_rate / 1000));
}
