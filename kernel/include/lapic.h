/*
 * lapic.h - the local APIC in xAPIC (MMIO) or x2APIC (MSR) mode, chosen once on the BSP and
 * followed by every AP (kernel/smp/lapic.c). IPIs take 32-bit destination APIC ids; in xAPIC
 * mode only ids up to 254 can be reached, and smp.c never asks for more.
 */
#ifndef LAPIC_H
#define LAPIC_H

#include <stdint.h>
#include <stdbool.h>

#define LAPIC_VEC_TIMER		0x20
#define LAPIC_VEC_WAKE		0x21	/* wakes idle APs; the handler only EOIs */
#define LAPIC_VEC_TORTURE	0x22	/* irq_hz= on an AP (kernel/smp/irq_torture.c) */
#define LAPIC_VEC_SPURIOUS	0xff

enum lapic_delivery {
	LAPIC_DM_FIXED = 0,
	LAPIC_DM_NMI = 4,
	LAPIC_DM_INIT = 5,
	LAPIC_DM_STARTUP = 6,
};

/* BSP: picks the mode (x2APIC when CPUID offers it or firmware left it on) and enables. */
int lapic_init_bsp(uint64_t mmio_base);
/* The mode lapic_init_bsp will choose: x2APIC if offered or already on (before it runs). */
bool lapic_will_use_x2apic(void);
void lapic_init_ap(void);		/* the same mode on this AP */
bool lapic_x2apic(void);
uint32_t lapic_id(void);		/* this CPU's APIC id, from the APIC itself */
uint32_t cpuid_apic_id(void);		/* this CPU's APIC id from CPUID (works before enable) */
/* Sends an IPI and, in xAPIC mode, waits for the ICR to accept it; false on a timeout. */
bool lapic_send_ipi(uint32_t apic_id, enum lapic_delivery dm, uint8_t vector);
/* The same to every CPU but this one (destination shorthand 11b, SDM 11.6.1). */
bool lapic_send_ipi_others(enum lapic_delivery dm, uint8_t vector);
void lapic_eoi(void);
/* LAPIC timer: calibrated against the TSC; periodic interrupts at hz on this CPU. */
uint64_t lapic_timer_calibrate(void);	/* timer ticks per second (divide by 1) */
void lapic_timer_periodic(uint32_t hz);
/* One interrupt at vector after us microseconds, on this CPU (calibrated on the BSP). */
void lapic_timer_oneshot_us(uint32_t us, uint8_t vector);
void lapic_timer_stop(void);		/* this CPU's timer: no further interrupt */

/* The local vector table's entries; every one is masked when a CPU enables its APIC. */
enum lapic_lvt {
	LAPIC_LVT_TIMER, LAPIC_LVT_LINT0, LAPIC_LVT_LINT1, LAPIC_LVT_ERROR,
	LAPIC_LVT_PMC, LAPIC_LVT_THERMAL, LAPIC_LVT_CMCI, NR_LAPIC_LVT
};
const char *lapic_lvt_name(enum lapic_lvt lvt);
/* This CPU's entries that are not masked (bit 1 << enum lapic_lvt), those it has only. */
uint32_t lapic_lvt_unmasked(void);
uint32_t lapic_tpr(void);		/* this CPU's task priority (0: no vector held back) */

#endif
