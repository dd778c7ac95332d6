/*
 * tsc.h - the time base: the TSC, calibrated at boot against the ACPI PM timer (3.579545 MHz)
 * or, without one, PIT channel 2 (1.193182 MHz). kernel/tsc.c; seconds= depends on it.
 */
#ifndef TSC_H
#define TSC_H

#include <stdint.h>

int tsc_calibrate(void);		/* 0, or -1 when no reference timer worked */
uint64_t tsc_hz(void);
const char *tsc_reference(void);	/* "pmtimer" or "pit" */
uint64_t tsc_ns(uint64_t cycles);	/* cycles → nanoseconds */
void tsc_delay_us(uint64_t us);

#endif
