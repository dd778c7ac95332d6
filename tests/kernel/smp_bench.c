/*
 * tests/kernel/smp_bench.c - the `smp-bench` benchmark (make bench): what the meeting points
 * cost on this machine. Barrier round trip: all online CPUs cross one barrier for about
 * BENCH_MS (at most BENCH_CROSSINGS times); the BSP's cycles per crossing. Rendezvous: the APs
 * spin in a loop that polls stw_poll(), the BSP stops the world for about BENCH_MS (at most
 * BENCH_STOPS times); cycles from the request until every AP is parked, and from the release
 * until the BSP is back (which is all it can see). Time-bounded because under TCG a crossing
 * costs a host scheduling slice per vCPU (milliseconds) where hardware takes microseconds.
 * Prints figures; it fails only if the machinery itself fails (a wrong arrival count).
 */
#include <stdint.h>
#include "catalog.h"
#include "report.h"
#include "smp.h"
#include "barrier.h"
#include "tsc.h"
#include "arch/x86.h"

#define BENCH_CROSSINGS	100000u
#define BENCH_STOPS	10000u
#define BENCH_MS	1000u

static struct {
	struct smp_barrier bar;
	unsigned crossings;		/* done, counted by the BSP */
	unsigned stop_after;		/* crossing to stop after: set by the BSP before it arrives */
	uint64_t barrier_cycles;
	uint64_t stop_cycles, release_cycles;
	unsigned stops;
	unsigned done __attribute__((aligned(64)));	/* atomic: BSP tells the APs to leave */
	unsigned parked_total __attribute__((aligned(64)));
} bench;

static void bench_barrier(void *arg)
{
	uint64_t t0, limit = tsc_hz() / 1000 * BENCH_MS;
	unsigned mine = 0;

	(void)arg;
	barrier_wait(&bench.bar);		/* start together */
	t0 = rdtsc();
	for (;;) {
		mine++;
		if (cpu_id() == 0 && (mine == BENCH_CROSSINGS || rdtsc() - t0 > limit)) {
			bench.crossings = mine;
			__atomic_store_n(&bench.stop_after, mine, __ATOMIC_RELAXED);
		}
		/* The barrier orders the BSP's store before every load below. A plain "stop" flag
		 * would be wrong: a CPU still leaving the previous crossing could see it and quit
		 * one crossing early, leaving the rest at the barrier (the watchdog caught that). */
		barrier_wait(&bench.bar);
		if (__atomic_load_n(&bench.stop_after, __ATOMIC_RELAXED) == mine)
			break;
		cpu_heartbeat();
	}
	if (cpu_id() == 0)
		bench.barrier_cycles = (rdtsc() - t0) / bench.crossings;
}

static void bench_rendezvous(void *arg)
{
	(void)arg;
	if (cpu_id() != 0) {
		/* acquire: pairs with the BSP's release store of done */
		while (!__atomic_load_n(&bench.done, __ATOMIC_ACQUIRE)) {
			if (stw_poll())
				__atomic_fetch_add(&bench.parked_total, 1, __ATOMIC_RELAXED);
			cpu_heartbeat();
			cpu_pause();
		}
		return;
	}
	uint64_t start = rdtsc(), limit = tsc_hz() / 1000 * BENCH_MS;

	for (bench.stops = 0; bench.stops < BENCH_STOPS && rdtsc() - start < limit; bench.stops++) {
		uint64_t t0 = rdtsc(), t1, t2;

		stw_begin();
		t1 = rdtsc();
		stw_end();
		t2 = rdtsc();
		bench.stop_cycles += t1 - t0;
		bench.release_cycles += t2 - t1;
		tsc_delay_us(100);		/* let the APs run between stops */
	}
	__atomic_store_n(&bench.done, 1, __ATOMIC_RELEASE);
}

void test_smp_bench_run(const struct test_run *r)
{
	unsigned n = smp_online();

	(void)r;
	report_test_begin("smp-bench");
	bench.crossings = 0;
	bench.stop_after = 0;
	barrier_init(&bench.bar, "barrier smp-bench", n);
	smp_run_all(bench_barrier, NULL);

	bench.done = 0;
	bench.parked_total = 0;
	bench.stop_cycles = bench.release_cycles = 0;
	stw_arm(n - 1);
	smp_run_all(bench_rendezvous, NULL);
	if (bench.parked_total != (n - 1) * bench.stops)
		report_error("rendezvous: %u AP parkings, want %u x %u", bench.parked_total, n - 1,
			     bench.stops);
	report_test_end("cpus=%u barrier_crossings=%u barrier_crossing_cycles=%llu stops=%u rendezvous_stop_cycles=%llu rendezvous_release_cycles=%llu tsc_mhz=%llu",
			n, bench.crossings, (unsigned long long)bench.barrier_cycles, bench.stops,
			(unsigned long long)(bench.stop_cycles / bench.stops),
			(unsigned long long)(bench.release_cycles / bench.stops),
			(unsigned long long)(tsc_hz() / 1000000));
}
