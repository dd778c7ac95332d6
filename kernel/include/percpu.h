/*
 * percpu.h - the per-CPU area, reached through the GS base (IA32_GS_BASE), one per CPU.
 * kernel/percpu.c owns the BSP's area and the table of all areas; kernel/smp/ fills the APs'.
 * Dense CPU numbers (0 = BSP, 1..N-1) are kept apart from APIC ids everywhere.
 */
#ifndef PERCPU_H
#define PERCPU_H

#include <stdint.h>
#include "arch/x86.h"

struct percpu {
	struct percpu *self;		/* %gs:0, so cpu_this() is one load */
	unsigned id;			/* dense CPU number */
	uint32_t apic_id;
	uint64_t stack_lo, stack_hi;	/* bounds for backtraces */
	unsigned in_trap;		/* nesting depth of exception handling on this CPU */
};

/* The running CPU's area; before percpu_init_bsp() the GS base is 0 and this returns NULL. */
static inline struct percpu *cpu_this(void)
{
	return (struct percpu *)read_gs_qword0();
}

void percpu_init_bsp(void);
void percpu_install(struct percpu *p);	/* sets this CPU's GS base to p */
unsigned cpu_id(void);

#endif
