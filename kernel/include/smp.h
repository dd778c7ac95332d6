/*
 * smp.h - the CPUs of the run (kernel/smp/smp.c): discovery from the MADT, AP start-up, the
 * dense-number table, and running a function on every online CPU at once.
 */
#ifndef SMP_H
#define SMP_H

#include <stdint.h>
#include <stdbool.h>
#include "percpu.h"

struct boot_platform;

/* Starts every AP the MADT lists as usable; returns the number online (BSP included). */
unsigned smp_init(struct boot_platform *bp);
unsigned smp_online(void);		/* CPUs online, BSP included */
/* selftest=ap-no-start, before smp_init: the AP at this MADT index (>= 1) parks unstarted. */
void smp_skip_ap_selftest(unsigned id);
unsigned smp_present(void);		/* CPUs the MADT lists as usable */
struct percpu *smp_cpu(unsigned id);	/* dense id < smp_online() */
uint64_t smp_bringup_us(void);		/* first INIT to last AP online */
void smp_print(void);			/* the CPUs line(s) after the banner */

/* Runs fn(arg) on every online CPU, the BSP included, and returns when all have returned.
 * BSP only. The APs run it from their idle loop. */
void smp_run_all(void (*fn)(void *arg), void *arg);

/* parallelism.c: how many CPUs run at once, measured (a loop alone, then on all; prints a
 * line). BSP only, after smp_init. The overcommit is online CPUs / that, x100, >= 100.
 * nap_mode: enum cmdline_nap (nap= decides whether APs nap, auto by the overcommit). */
void smp_measure_parallelism(int nap_mode);
unsigned smp_overcommit_x100(void);
/* In a wait loop: a pause; on a heavily overcommitted machine, on an AP, a short halt. */
void smp_nap(void);
/* Between two steps of work, on an AP of a heavily overcommitted machine: after running a
 * while since *last (TSC), halt so that only a few CPUs are runnable at once; sets *last. */
void smp_nap_share(uint64_t *last);

/* Stops every other CPU for good (NMI), for the end of a run on real hardware. */
void smp_park_others(void);

#endif
