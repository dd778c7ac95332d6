/*
 * irq_torture.h - irq_hz=: real LAPIC timer interrupts on the APs while a test runs, each
 * handler burning a seeded number of microseconds (kernel/smp/irq_torture.c). A real machine
 * interrupts a CPU anywhere, an ager between its elided lock and its re-read among other
 * places; this puts the harness's CPUs in the same position without touching the code under
 * test. Off (irq_hz=0) by default: then APs run with interrupts off, as before.
 */
#ifndef IRQ_TORTURE_H
#define IRQ_TORTURE_H

#include <stdbool.h>
#include <stdint.h>

/* Own CPU only (the handler and the CPU's own code, interrupts off while they touch it). */
struct irq_torture {
	uint64_t period;	/* TSC ticks between interrupts; 0: off */
	uint64_t next;		/* TSC the next interrupt is due at */
	uint64_t nap_end;	/* TSC a nap ends at while on; 0: not napping */
	uint64_t rng;		/* rng.h state */
	uint32_t burn_max_us;	/* the handler burns 1..burn_max_us */
	uint64_t ticks;		/* interrupts taken */
	uint64_t burned;	/* TSC ticks spent in the handler's burns */
};

/* IRQ_BURN_MAX_US, or a quarter of the period if shorter: the CPU keeps 3/4 of its time. */
#define IRQ_BURN_MAX_US	50
uint32_t irq_torture_burn_max_us(uint32_t hz);	/* the handlers' longest burn at hz (> 0) */

/* This AP: interrupts at hz from a seeded phase, then interrupts on (sti). hz 0: nothing. */
void irq_torture_start(uint32_t hz, uint64_t seed);
/* This AP: interrupts off, timer stopped; ticks and burned stay for irq_torture_stats. */
void irq_torture_stop(void);
/* The handler of LAPIC_VEC_TORTURE (trap.c). */
void irq_torture_tick(void);
/* A nap of us while on: halts until then with the ticks still coming; false when off. */
bool irq_torture_nap_us(uint32_t us);
/* After the CPU stopped: what it took (burned in microseconds). */
void irq_torture_stats(unsigned cpu, uint64_t *ticks, uint64_t *burned_us);

#endif
