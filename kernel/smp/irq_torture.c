/*
 * kernel/smp/irq_torture.c - irq_hz= (issue 11): the APs' LAPIC timers interrupt them at a fixed
 * rate while a test runs, and each handler busy-waits a seeded 1..burn_max_us microseconds
 * before it returns. Owns struct irq_torture (one per CPU, in struct percpu).
 *
 * An AP has one LAPIC timer, and naps (parallelism.c) use it too: while the torture is on, the
 * timer is always one-shot at LAPIC_VEC_TORTURE for whichever comes first, the next tick or the
 * end of the nap in progress, and the handler re-arms it. A nap then halts with interrupts on
 * until its end has passed, ticks taken on the way (interrupts off between the check and the
 * halt, `sti; hlt` closing the gap, so a wake-up is never lost). Ticks stay periodic from a
 * seeded phase; a CPU that fell behind (a long halt, a descheduled vCPU) takes one late tick,
 * not the backlog. Under QEMU's TCG an interrupt is taken between translation blocks only,
 * i.e. at a jump or call, never inside a straight run of instructions; on hardware, anywhere.
 */
#include "arch/x86.h"
#include "irq_torture.h"
#include "lapic.h"
#include "percpu.h"
#include "rng.h"
#include "smp.h"
#include "tsc.h"

uint32_t irq_torture_burn_max_us(uint32_t hz)
{
	uint32_t quarter = 1000000 / hz / 4;

	return quarter >= IRQ_BURN_MAX_US ? IRQ_BURN_MAX_US : quarter ? quarter : 1;
}

/* Interrupts off: the timer at the earlier of the next tick and the nap's end. */
static void arm(struct irq_torture *t)
{
	uint64_t due = t->nap_end && t->nap_end < t->next ? t->nap_end : t->next;
	uint64_t now = rdtsc(), per_us = tsc_hz() / 1000000;
	uint64_t us = due > now ? (due - now + per_us - 1) / per_us : 1;

	lapic_timer_oneshot_us(us > UINT32_MAX ? UINT32_MAX : (uint32_t)us, LAPIC_VEC_TORTURE);
}

void irq_torture_start(uint32_t hz, uint64_t seed)
{
	struct irq_torture *t = &cpu_this()->irq;

	*t = (struct irq_torture){ 0 };
	if (!hz)
		return;
	t->rng = seed;
	t->burn_max_us = irq_torture_burn_max_us(hz);
	t->period = tsc_hz() / hz;
	t->next = rdtsc() + rng_below(&t->rng, t->period);	/* the CPUs' phases differ */
	arm(t);
	sti();
}

void irq_torture_stop(void)
{
	struct irq_torture *t = &cpu_this()->irq;

	cli();
	if (!t->period)
		return;
	t->period = 0;
	t->nap_end = 0;
	lapic_timer_stop();	/* a tick already pending is taken later and finds period 0 */
}

void irq_torture_tick(void)
{
	struct irq_torture *t = &cpu_this()->irq;
	uint64_t now = rdtsc(), end;

	lapic_eoi();
	if (!t->period)
		return;			/* stopped after this tick was raised */
	if (now >= t->next) {
		end = now + tsc_hz() / 1000000 * (1 + rng_below(&t->rng, t->burn_max_us));
		while (rdtsc() < end)
			cpu_pause();
		t->ticks++;
		t->burned += rdtsc() - now;
		t->next += t->period;
		if (t->next <= rdtsc())
			t->next = rdtsc() + t->period;
	}
	arm(t);
}

bool irq_torture_nap_us(uint32_t us)
{
	struct irq_torture *t = &cpu_this()->irq;
	uint64_t end;

	if (!t->period)
		return false;
	cli();
	end = rdtsc() + tsc_hz() / 1000000 * us;
	t->nap_end = end;
	arm(t);
	while (rdtsc() < end) {
		sti_hlt();	/* the sti shadow: no interrupt between the check and the halt */
		cli();
	}
	t->nap_end = 0;
	arm(t);
	sti();
	return true;
}

void irq_torture_stats(unsigned cpu, uint64_t *ticks, uint64_t *burned_us)
{
	const struct irq_torture *t = &smp_cpu(cpu)->irq;

	*ticks = t->ticks;
	*burned_us = t->burned / (tsc_hz() / 1000000);
}
