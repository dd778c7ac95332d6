/*
 * tests/kernel/smp_smoke.c - the `smp-smoke` test: every online CPU takes part.
 * Each CPU does the same number of locked adds on one shared counter, then all meet at a barrier,
 * then the barrier is crossed up to SMOKE_ROUNDS more times. It proves that every CPU ran the work
 * (the total is CPUs x adds, and each CPU's own count is right), that the barrier
 * holds (nobody passes round r before everyone reached it: a per-round arrival count is
 * checked on the far side), and prints each CPU's add rate. Each CPU also checks its own control
 * registers: CR0 and CR4 exactly as boot/entry.S and the trampoline load them (an AP's CR0
 * after INIT has CD and NW set: caches off, which firmware's value plus PE would keep), and
 * its local APIC: every LVT entry but the timer masked and TPR 0 (firmware leaves the BSP's
 * LINT0 as ExtINT and LINT1 as NMI, unmasked; issue 15, item 4).
 */
#include <stdint.h>
#include "catalog.h"
#include "report.h"
#include "smp.h"
#include "barrier.h"
#include "tsc.h"
#include "console.h"
#include "pmm.h"
#include "format.h"
#include "lapic.h"
#include "arch/x86.h"

/* adds per CPU: a fixed total split over the CPUs, so 288 emulated CPUs on 2 host cores
 * finish in seconds, with at least SMOKE_MIN_ADDS each */
#define SMOKE_TOTAL_ADDS	3200000u
#define SMOKE_MIN_ADDS		10000u
/* barrier crossings after the adds: fewer with many CPUs, since under TCG each crossing
 * waits for every vCPU thread to be scheduled on the host (about 0.5 s at 288 on 2 cores) */
#define SMOKE_ROUNDS		64u
#define SMOKE_MIN_ROUNDS	4u

struct smoke_cpu {
	uint64_t adds;
	uint64_t cycles;
	uint64_t cr0, cr4;
	uint32_t lvt_unmasked;		/* lapic_lvt_unmasked(), the timer left out */
	uint32_t tpr;
} __attribute__((aligned(64)));

/* boot/entry.S's BOOT_CR0 | WP | PG and BOOT_CR4 */
#define SMOKE_CR0	(0x33ull | 1ull << 16 | 1ull << 31)
#define SMOKE_CR4	(1ull << 5 | 1ull << 6)

static struct {
	uint64_t counter __attribute__((aligned(64)));
	unsigned arrived[SMOKE_ROUNDS] __attribute__((aligned(64)));
	struct smp_barrier bar;
	struct smoke_cpu *cpu;		/* one per online CPU */
	unsigned ncpus;
	unsigned adds;			/* per CPU */
	unsigned rounds;
	unsigned early;			/* atomic: crossings seen before the round was full */
} smoke;

static void smoke_work(void *arg)
{
	struct smoke_cpu *me = &smoke.cpu[cpu_id()];
	uint64_t t0 = rdtsc();

	(void)arg;
	me->cr0 = read_cr0();
	me->cr4 = read_cr4();
	/* the timer is ours to use (irq_hz=, the harness): only the others must stay masked */
	me->lvt_unmasked = lapic_lvt_unmasked() & ~(1u << LAPIC_LVT_TIMER);
	me->tpr = lapic_tpr();
	for (unsigned i = 0; i < smoke.adds; i++) {
		/* relaxed: only the total matters, read after the barrier's acquire */
		__atomic_fetch_add(&smoke.counter, 1, __ATOMIC_RELAXED);
		me->adds++;
		if ((i & 1023) == 0)
			cpu_heartbeat();
	}
	me->cycles = rdtsc() - t0;
	barrier_wait(&smoke.bar);
	for (unsigned r = 0; r < smoke.rounds; r++) {
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
	smoke.rounds = 1024 / n > SMOKE_ROUNDS ? SMOKE_ROUNDS :
		       1024 / n < SMOKE_MIN_ROUNDS ? SMOKE_MIN_ROUNDS : 1024 / n;
	smoke.adds = SMOKE_TOTAL_ADDS / n > SMOKE_MIN_ADDS ? SMOKE_TOTAL_ADDS / n : SMOKE_MIN_ADDS;
	smoke.counter = 0;
	smoke.early = 0;
	for (unsigned i = 0; i < SMOKE_ROUNDS; i++)
		smoke.arrived[i] = 0;
	barrier_init(&smoke.bar, "barrier smp-smoke", n);
	smp_run_all(smoke_work, NULL);

	if (smoke.counter != (uint64_t)n * smoke.adds)
		report_error("counter is %llu, want %u CPUs x %u = %llu",
			     (unsigned long long)smoke.counter, n, smoke.adds,
			     (unsigned long long)n * smoke.adds);
	if (smoke.early)
		report_error("%u barrier crossings before every CPU had arrived", smoke.early);
	/* per-CPU add rates in k/s, eight CPUs to a line */
	for (unsigned i = 0; i < n; i += 8) {
		char line[160];
		int len = 0;

		for (unsigned j = i; j < n && j < i + 8; j++) {
			uint64_t c = smoke.cpu[j].cycles;
			uint64_t rate = c ? smoke.cpu[j].adds * tsc_hz() / c : 0;

			if (smoke.cpu[j].adds != smoke.adds)
				report_error("cpu %u did %llu adds, want %u", j,
					     (unsigned long long)smoke.cpu[j].adds, smoke.adds);
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %u:%llu", j,
					 (unsigned long long)(rate / 1000));
			total_rate += rate;
		}
		kprintf("  smp-smoke k/s by cpu:%s\n", line);
	}
	for (unsigned j = 0; j < n; j++)
		if (smoke.cpu[j].cr0 != SMOKE_CR0 || smoke.cpu[j].cr4 != SMOKE_CR4) {
			report_error("cpu %u runs with CR0=0x%llx CR4=0x%llx, want 0x%llx and 0x%llx", j,
				     (unsigned long long)smoke.cpu[j].cr0,
				     (unsigned long long)smoke.cpu[j].cr4,
				     (unsigned long long)SMOKE_CR0, (unsigned long long)SMOKE_CR4);
			break;
		}
	for (unsigned j = 0; j < n; j++)
		if (smoke.cpu[j].lvt_unmasked || smoke.cpu[j].tpr) {
			char names[80];
			int len = 0;

			names[0] = 0;
			for (unsigned l = 0; l < NR_LAPIC_LVT; l++)
				if (smoke.cpu[j].lvt_unmasked & 1u << l)
					len += ksnprintf(names + len, sizeof(names) - (size_t)len, " %s",
							 lapic_lvt_name((enum lapic_lvt)l));
			report_error("cpu %u: LVT entries not masked:%s, TPR %u (want all but the timer masked, TPR 0)", j,
				     len ? names : " none", smoke.cpu[j].tpr);
			break;
		}
	report_test_end("cpus=%u adds=%llu barrier_rounds=%u total_rate_kps=%llu", n,
			(unsigned long long)smoke.counter, smoke.rounds,
			(unsigned long long)(total_rate / 1000));
}
