/*
 * tsc.h - the time base: the TSC, calibrated once at boot against the best clock the machine
 * has (CPUID 0x15, HPET, ACPI PM timer, PIT, RTC: kernel/tsc.c). seconds= depends on it.
 */
#ifndef TSC_H
#define TSC_H

#include <stdbool.h>
#include <stdint.h>

int tsc_calibrate(void);		/* 0, or -1 when no reference timer worked */
uint64_t tsc_hz(void);
const char *tsc_reference(void);	/* "cpuid15", "hpet", "pmtimer", "pit", "rtc" or "none" */
bool tsc_invariant(void);		/* CPUID 0x80000007 EDX bit 8 */
uint64_t tsc_ns(uint64_t cycles);	/* cycles → nanoseconds */
void tsc_delay_us(uint64_t us);

#endif
