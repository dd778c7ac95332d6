/*
 * kernel/smp/watchdog.c - owns `wd`: the last heartbeat seen of each CPU and when it moved.
 * Runs in the BSP's LAPIC timer interrupt (WATCHDOG_HZ), so it fires even while the BSP
 * itself spins (its loops run with interrupts on). Rules, per online CPU:
 *   spinning on a lock longer than the bound             → liveness violation
 *   running (no declared wait), heartbeat still too long → liveness violation
 *   idle, or at a barrier: waiting on others, who are judged instead; but when every busy CPU
 *   has been at a barrier longer than the bound, nobody can release it → violation for each.
 * A stuck CPU is asked for its backtrace by NMI, then the run ends (exit code 1). The bound
 * is watchdog= seconds times the measured overcommit (parallelism.c).
 */
#include "watchdog.h"
#include "smp.h"
#include "lapic.h"
#include "tsc.h"
#include "pmm.h"
#include "report.h"
#include "console.h"
#include "arch/x86.h"

#define WATCHDOG_HZ 10

static struct {
	unsigned bound_ms;
	uint64_t bound_cycles;
	unsigned ncpus;
	uint64_t *seen;		/* heartbeat last seen, per CPU */
	uint64_t *moved;	/* TSC when it last moved */
	int running;
} wd;

unsigned watchdog_bound_ms(void)
{
	return wd.bound_ms;
}

/*
 * bound_ms is the bound on a machine whose CPUs all run at once; the wall-clock bound is that
 * times the measured overcommit (parallelism.c): a CPU that runs 1/144 of the time, or waits
 * for a lock holder that the host has descheduled, needs 144 times as long.
 */
void watchdog_start(unsigned bound_ms)
{
	uint64_t now = rdtsc();
	unsigned ovc = smp_overcommit_x100();
	uint64_t scaled = (uint64_t)bound_ms * ovc / 100;

	wd.bound_ms = scaled > UINT32_MAX ? UINT32_MAX : (unsigned)scaled;
	wd.bound_cycles = tsc_hz() / 1000 * wd.bound_ms;
	if (ovc > 100)
		kprintf("  watchdog: liveness bound %u ms x overcommit %u.%02u = %u ms\n", bound_ms,
			ovc / 100, ovc % 100, wd.bound_ms);
	wd.ncpus = smp_online();
	if (!wd.seen) {
		wd.seen = pmm_alloc_contig((unsigned)((wd.ncpus * 16 + PAGE_SIZE - 1) / PAGE_SIZE));
		wd.moved = wd.seen + wd.ncpus;
	}
	for (unsigned i = 0; i < wd.ncpus; i++) {
		wd.seen[i] = __atomic_load_n(&smp_cpu(i)->heartbeat, __ATOMIC_RELAXED);
		wd.moved[i] = now;
	}
	wd.running = 1;
	lapic_timer_calibrate();
	lapic_timer_periodic(WATCHDOG_HZ);
	sti();
}

void watchdog_stop(void)
{
	cli();
	wd.running = 0;
}

/* NMI backtraces at one tick: each costs up to 1 s, and at 288 CPUs many may be stuck at once */
#define WATCHDOG_MAX_BACKTRACES	4
/* with more CPUs than this, the state table leaves out those running with a recent heartbeat */
#define WATCHDOG_FULL_TABLE	32

/* p's backtrace, printed by its own NMI handler, for the first few CPUs of a tick */
static void ask_backtrace(struct percpu *p, unsigned *backtraces)
{
	if (p->id != cpu_id() && (*backtraces)++ < WATCHDOG_MAX_BACKTRACES) {
		/* its backtrace, printed by its own NMI handler; give it a moment */
		__atomic_store_n(&p->nmi_backtrace, 1, __ATOMIC_RELEASE);
		lapic_send_ipi(p->apic_id, LAPIC_DM_NMI, 0);
		for (int i = 0; i < 100 && __atomic_load_n(&p->nmi_backtrace, __ATOMIC_ACQUIRE) == 1;
		     i++)
			tsc_delay_us(10000);
		if (__atomic_load_n(&p->nmi_backtrace, __ATOMIC_ACQUIRE) == 2)
			kprintf("  cpu %u: no backtrace, it was queued for the console lock\n", p->id);
	}
}

static void stuck(struct percpu *p, const char *why, uint64_t since, unsigned *backtraces)
{
	unsigned ms = (unsigned)(tsc_ns(rdtsc() - since) / 1000000);

	report_violation("liveness", "stuck_cpu=%u apic_id=0x%x ms=%u detail=\"%s %s (object 0x%llx)\"",
			 p->id, p->apic_id, ms, why, p->wait_what ? p->wait_what : "-",
			 (unsigned long long)(uintptr_t)p->wait_obj);
	ask_backtrace(p, backtraces);
}

/*
 * Every CPU's state when the watchdog fires: which wait, on what, since when. On a big machine
 * only the CPUs that wait or whose heartbeat is older than a tenth of the bound, and a count
 * of the others: 288 lines of "running" hide the few that matter.
 */
static void print_states(uint64_t now)
{
	static const char *const kind[] = { "running", "idle", "barrier", "lock" };
	unsigned left_out = 0, idle = 0;

	for (unsigned i = 0; i < wd.ncpus; i++) {
		struct percpu *p = smp_cpu(i);
		enum cpu_wait w = __atomic_load_n(&p->wait, __ATOMIC_ACQUIRE);
		uint64_t since = w == CPU_WAIT_NONE ? wd.moved[i] : p->wait_since;
		uint64_t waited = (int64_t)(now - since) > 0 ? now - since : 0;

		if (wd.ncpus > WATCHDOG_FULL_TABLE && (w == CPU_WAIT_IDLE ||
		    (w == CPU_WAIT_NONE && waited < wd.bound_cycles / 10))) {
			idle += w == CPU_WAIT_IDLE;
			left_out++;
			continue;
		}
		kprintf("  watchdog: cpu %u %s %s for %llu ms, heartbeat %llu\n", i, kind[w],
			w == CPU_WAIT_NONE ? "" : (p->wait_what ? p->wait_what : "?"),
			(unsigned long long)(tsc_ns(waited) / 1000000),
			(unsigned long long)p->heartbeat);
	}
	if (left_out)
		kprintf("  watchdog: %u more CPUs not listed: %u idle, %u running with a heartbeat in the last %u ms\n",
			left_out, idle, left_out - idle, wd.bound_ms / 10);
}

/*
 * The test's deciding violation came REPORT_VERDICT_MS ago and the test has not ended (issue
 * 12): a CPU spins on a lock the broken protocol left taken, or walks a chain that now loops.
 * The watchdog's bound is for runs without a violation; a found bug ends now. Every CPU still
 * in the test (not back to idle) is listed with its role and wait, the first few also with
 * their backtraces, and the test ends not ok.
 */
static void verdict_overdue(uint64_t now)
{
	static const char *const kind[] = { "running", "idle", "at a barrier:", "spinning on" };
	unsigned backtraces = 0, left = 0;

	wd.running = 0;
	kprintf("  watchdog: test %s has no verdict %u ms after the violation that decides it: ending it; CPUs that did not reach its end:\n",
		report_current_test(), REPORT_VERDICT_MS);
	for (unsigned i = 0; i < wd.ncpus; i++) {
		struct percpu *p = smp_cpu(i);
		/* acquire: pairs with cpu_wait_begin's release; wait_what/since are then valid */
		enum cpu_wait w = __atomic_load_n(&p->wait, __ATOMIC_ACQUIRE);
		uint64_t since = w == CPU_WAIT_NONE ? wd.moved[i] : p->wait_since;
		uint64_t waited = (int64_t)(now - since) > 0 ? now - since : 0;

		if (w == CPU_WAIT_IDLE)
			continue;
		left++;
		kprintf("  watchdog: cpu %u (%s) %s %s (object 0x%llx), for %llu ms, heartbeat %llu\n",
			i, p->doing ? p->doing : "-", kind[w],
			w == CPU_WAIT_NONE ? "" : (p->wait_what ? p->wait_what : "?"),
			(unsigned long long)(uintptr_t)p->wait_obj,
			(unsigned long long)(tsc_ns(waited) / 1000000), (unsigned long long)p->heartbeat);
		if (w != CPU_WAIT_BARRIER)
			ask_backtrace(p, &backtraces);
	}
	kprintf("  watchdog: %u CPU(s) did not reach the end of %s\n", left, report_current_test());
	report_abort();
}

void watchdog_tick(void)
{
	uint64_t now = rdtsc();
	unsigned busy = 0, blocked = 0, bad = 0, backtraces = 0;

	/* the BSP was interrupted mid-line, or queued for the console: judge at the next tick
	 * rather than print into it (or take a second ticket behind its own) */
	if (!wd.running || console_held_here() ||
	    __atomic_load_n(&cpu_this()->console_waiting, __ATOMIC_RELAXED))
		return;
	if (report_verdict_due() && now > report_verdict_due())
		verdict_overdue(now);
	for (unsigned i = 0; i < wd.ncpus; i++) {
		struct percpu *p = smp_cpu(i);
		uint64_t hb = __atomic_load_n(&p->heartbeat, __ATOMIC_RELAXED);
		/* acquire: pairs with cpu_wait_begin's release; wait_what/since are then valid */
		enum cpu_wait w = __atomic_load_n(&p->wait, __ATOMIC_ACQUIRE);

		/* a wait begun after `now` was read has waited 0, not now - since < 0 taken as
		 * unsigned (which reported a CPU that had just begun a console wait as stuck, and
		 * its NMI backtrace then deadlocked on the console ticket it was waiting for) */
		uint64_t since = p->wait_since, waited = (int64_t)(now - since) > 0 ? now - since : 0;

		if (hb != wd.seen[i]) {
			wd.seen[i] = hb;
			wd.moved[i] = now;
		}
		if (w == CPU_WAIT_IDLE)
			continue;
		busy++;
		if (w == CPU_WAIT_LOCK && waited > wd.bound_cycles) {
			stuck(p, "spinning on", p->wait_since, &backtraces);
			bad++;
		} else if (w == CPU_WAIT_NONE && now - wd.moved[i] > wd.bound_cycles) {
			stuck(p, "no progress while running, no wait declared:", wd.moved[i],
			      &backtraces);
			bad++;
		} else if (w == CPU_WAIT_BARRIER && waited > wd.bound_cycles) {
			blocked++;
		}
	}
	if (!bad && busy && blocked == busy) {
		for (unsigned i = 0; i < wd.ncpus; i++) {
			struct percpu *p = smp_cpu(i);

			if (__atomic_load_n(&p->wait, __ATOMIC_ACQUIRE) == CPU_WAIT_BARRIER)
				stuck(p, "every busy CPU waits at", p->wait_since, &backtraces);
		}
		bad++;
	}
	if (bad) {
		wd.running = 0;
		print_states(now);
		report_abort();
	}
}
