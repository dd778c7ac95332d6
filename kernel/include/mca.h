/*
 * mca.h - machine-check architecture: banks enabled on each CPU at start, the report of a #MC
 * (kernel/arch/mca.c).
 */
#ifndef MCA_H
#define MCA_H

void mca_init_this_cpu(void);	/* BSP at boot, each AP as it comes online */
void mca_report(unsigned cpu);	/* from the #MC handler, before the register dump */

#endif
