/*
 * watchdog.h - the `liveness` invariant (kernel/smp/watchdog.c): a LAPIC timer interrupt on
 * the BSP looks at every CPU's heartbeat and declared wait, and reports a CPU that makes no
 * progress, or spins on a lock, longer than the bound, naming what it waits on.
 */
#ifndef WATCHDOG_H
#define WATCHDOG_H

void watchdog_start(unsigned bound_ms);	/* BSP; enables interrupts on the BSP */
void watchdog_stop(void);
void watchdog_tick(void);		/* from the timer interrupt */
unsigned watchdog_bound_ms(void);

#endif
