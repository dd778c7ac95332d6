/*
 * barrier.h - meeting points for the CPUs of a run (kernel/smp/barrier.c): a sense-reversing
 * barrier, and the stop-the-world rendezvous the BSP uses to audit while the APs are parked.
 */
#ifndef BARRIER_H
#define BARRIER_H

#include <stdint.h>
#include <stdbool.h>

struct smp_barrier {
	const char *name;
	unsigned n;				/* participants */
	unsigned count __attribute__((aligned(64)));	/* arrivals in this episode */
	unsigned sense __attribute__((aligned(64)));	/* episode number; bit 0 is the sense */
};

void barrier_init(struct smp_barrier *b, const char *name, unsigned n);
void barrier_wait(struct smp_barrier *b);

/* Stop the world. The BSP arms it for the APs that will poll (stw_arm), then brackets each
 * audit with stw_begin/stw_end; the APs call stw_poll() in their loops, which parks them
 * while a stop is requested. */
void stw_arm(unsigned participants);
void stw_begin(void);			/* returns when every participant is parked */
void stw_end(void);
bool stw_poll_slow(void);
extern uint64_t stw_requested;		/* nonzero while a stop is requested */

static inline bool stw_poll(void)
{
	/* relaxed: a cheap test in the hot loop; stw_poll_slow re-reads with acquire */
	if (__builtin_expect(__atomic_load_n(&stw_requested, __ATOMIC_RELAXED) == 0, 1))
		return false;
	return stw_poll_slow();
}

#endif
