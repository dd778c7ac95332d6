/*
 * kernel/smp/parallelism.c - how many of the online CPUs really run at once, measured rather
 * than assumed; owns `par`. The same register-only loop runs for PARALLEL_MS on the BSP alone
 * (the APs halted), then on every CPU at once (from when all have checked in); the
 * parallelism is the sum of the loop counts over the solo count. On hardware it is about the
 * number of CPUs (less with SMT siblings sharing a core, or a solo core in turbo). Under a
 * hypervisor that runs N vCPUs on fewer host CPUs (QEMU TCG: one host thread per vCPU) it is
 * the host CPUs the machine really gets: -smp 288 on a 2-core host measures about 2.
 *
 * The overcommit, online CPUs over parallelism (at least 1), is how much longer than on
 * hardware a CPU here needs, in wall time, for the same work: a vCPU running 1/144 of the time,
 * and a lock holder the host has descheduled, take 144 times as long. The watchdog multiplies
 * its bound by it (watchdog.c), so that a default run at -smp 288 under TCG is judged by the
 * same standard as one on a 288-thread server.
 *
 * Beyond NAP_OVERCOMMIT spinning is worse than slow: an rmap lock holder that the host
 * descheduled waits for a whole round of the runnable vCPU threads, most of them spinning for
 * it or for others like it (at -smp 288 on 2 cores the writer once spun 75 s on one rmap; at
 * -smp 16 it faulted 2.2k pages/s against 42k/s with naps). There the APs nap instead: smp_nap
 * halts for NAP_US on a one-shot LAPIC timer, so the host thread sleeps and the host runs the
 * vCPUs that have work, the holders among them. It is called in place of a pause in the waits
 * of env_cpu_relax, barriers and the harness; between harness steps smp_nap_share keeps a
 * duty cycle. The BSP never naps (its timer is the watchdog's). On hardware (about 1x, up to
 * 2x with SMT siblings) and below the threshold it is a pause and nothing else changes.
 * nap=on and nap=off (the boot option) override the threshold either way.
 */
#include "arch/x86.h"
#include "cmdline.h"
#include "console.h"
#include "irq_torture.h"
#include "lapic.h"
#include "percpu.h"
#include "smp.h"
#include "tsc.h"

#define PARALLEL_MS	100
#define NAP_OVERCOMMIT	400	/* x100: nap=auto naps above 4x */
#define NAP_US		500

static struct {
	unsigned arrived;	/* atomic: CPUs in measure_cpu */
	int go;			/* atomic: the BSP has set the deadline */
	uint64_t deadline;	/* TSC at which every loop stops */
	uint64_t total;		/* atomic: iterations summed over the CPUs */
	unsigned overcommit_x100;
	unsigned parallel_x100;
	bool nap;		/* overcommit above NAP_OVERCOMMIT: APs nap in waits */
} par = { .overcommit_x100 = 100 };

/*
 * Iterations of a loop that touches no memory, until the deadline. The TSC is read once per
 * 64 K iterations (tens of microseconds): QEMU's TCG reads its clock under a spinlock
 * (cpu_get_ticks, timers_state.vm_clock_lock), and 288 vCPUs reading the TSC in a tight loop
 * measured that lock's convoy instead (0.20 CPUs at once, against 2.1 now).
 */
static uint64_t spin_until(uint64_t deadline)
{
	uint64_t n = 0;

	do {
		for (unsigned i = 0; i < 65536; i++) {
			n++;
			/* keep n in a register and the loop from being folded */
			__asm__ volatile("" : "+r"(n));
		}
	} while (rdtsc() < deadline);
	return n;
}

/*
 * Every CPU checks in first and the clock starts once all have: waking hundreds of halted
 * vCPUs takes a host long enough to be mistaken for missing parallelism.
 */
static void measure_cpu(void *arg)
{
	unsigned n = *(unsigned *)arg;

	/* relaxed: a count; the BSP's go (release/acquire) is what orders the deadline */
	__atomic_fetch_add(&par.arrived, 1, __ATOMIC_RELAXED);
	if (cpu_id() == 0) {
		while (__atomic_load_n(&par.arrived, __ATOMIC_RELAXED) < n)
			cpu_pause();
		par.deadline = rdtsc() + tsc_hz() / 1000 * PARALLEL_MS;
		/* release: the deadline before go; pairs with the acquire below */
		__atomic_store_n(&par.go, 1, __ATOMIC_RELEASE);
	}
	while (!__atomic_load_n(&par.go, __ATOMIC_ACQUIRE))
		cpu_pause();
	/* relaxed: a sum; smp_run_all's completion count orders it before the BSP reads it */
	__atomic_fetch_add(&par.total, spin_until(par.deadline), __ATOMIC_RELAXED);
}

/* smp_nap_share's halt: NAP_US x (overcommit / 2 - 1), at most 100 ms; 0 up to 2x */
static uint32_t nap_share_us(void)
{
	uint64_t n;

	if (par.overcommit_x100 <= 200)
		return 0;
	n = (uint64_t)NAP_US * (par.overcommit_x100 / 2 - 100) / 100;
	return n > 100000 ? 100000 : (uint32_t)n;
}

void smp_measure_parallelism(int nap_mode)
{
	uint64_t cycles = tsc_hz() / 1000 * PARALLEL_MS, solo;
	unsigned n = smp_online();

	if (n < 2)
		return;
	solo = spin_until(rdtsc() + cycles);
	if (!solo)
		return;
	par.total = 0;
	par.arrived = 0;
	par.go = 0;
	smp_run_all(measure_cpu, &n);
	par.parallel_x100 = (unsigned)(par.total * 100 / solo);
	if (par.parallel_x100 < 1)
		par.parallel_x100 = 1;
	par.overcommit_x100 = (unsigned)((uint64_t)n * 10000 / par.parallel_x100);
	if (par.overcommit_x100 < 100)
		par.overcommit_x100 = 100;
	kprintf("  smp: %u CPUs ran like %u.%02u at once (a loop, %u ms alone then %u ms all), overcommit %u.%02ux\n",
		n, par.parallel_x100 / 100, par.parallel_x100 % 100, PARALLEL_MS, PARALLEL_MS,
		par.overcommit_x100 / 100, par.overcommit_x100 % 100);
	/* no hypervisor (CPUID.1:ECX bit 31 clear): every CPU is a core or an SMT sibling of its
	 * own, and a loop that runs slower on all of them at once measures turbo and shared
	 * cores, not CPUs waiting for a host: that must not stretch the watchdog or start naps */
	if (!cpu_has_hypervisor() && par.overcommit_x100 > 100) {
		kprintf("  smp: no hypervisor: overcommit taken as 1.00x (the slowdown is turbo and SMT), naps only with nap=on\n");
		par.overcommit_x100 = 100;
	}
	par.nap = nap_mode == CMDLINE_NAP_ON ||
		  (nap_mode == CMDLINE_NAP_AUTO && par.overcommit_x100 > NAP_OVERCOMMIT);
	if (par.nap && nap_share_us())
		kprintf("  smp: %s: APs halt %u us in their waits instead of spinning, and run %u us then halt %u us between harness steps\n",
			nap_mode == CMDLINE_NAP_ON ? "nap=on" : "overcommit above 4x",
			NAP_US, NAP_US, nap_share_us());
	else if (par.nap)
		kprintf("  smp: nap=on: APs halt %u us in their waits instead of spinning (no halts between harness steps up to 2x overcommit)\n",
			NAP_US);
	else if (par.overcommit_x100 > NAP_OVERCOMMIT)
		kprintf("  smp: nap=off: APs spin in their waits even at this overcommit\n");
}

static void nap_us(uint32_t us)
{
	/* APs run with interrupts off: the timer (or any IPI) ends the halt; its handler EOIs.
	 * A nap cut short by another interrupt leaves the timer armed: it ends a later one.
	 * Under irq_hz= the timer is shared with the ticks and interrupts stay on. */
	if (irq_torture_nap_us(us))
		return;
	lapic_timer_oneshot_us(us, LAPIC_VEC_WAKE);
	sti_hlt();
	cli();
}

void smp_nap(void)
{
	if (!par.nap || cpu_id() == 0) {
		cpu_pause();
		return;
	}
	nap_us(NAP_US);
}

/*
 * Between two steps of work: after NAP_US of running since *last, nap long enough that about
 * twice the measured parallelism of the CPUs are runnable at once (run NAP_US, nap NAP_US x
 * (overcommit / 2 - 1)): enough to keep the host busy, few enough that a descheduled lock
 * holder or the BSP waits for a handful of threads, not hundreds. A duty cycle rather than a
 * nap per step, so a role with short steps (an accessor's walk) does as much per nap as one
 * with long ones (an ager's range).
 */
void smp_nap_share(uint64_t *last)
{
	if (!par.nap || cpu_id() == 0 || rdtsc() - *last < tsc_hz() / 1000000 * NAP_US ||
	    !nap_share_us())
		return;	/* on hardware: one predictable branch per harness step */
	nap_us(nap_share_us());
	*last = rdtsc();
}

unsigned smp_overcommit_x100(void)
{
	return par.overcommit_x100;
}
