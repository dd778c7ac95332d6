/*
 * kernel/percpu.c - the BSP's per-CPU area and the GS-base plumbing every CPU uses.
 * Until percpu_init_bsp() runs, cpu_id() answers 0 (only the BSP runs then), so that kprintf
 * and the exception path work from the first instruction of kmain.
 */
#include "percpu.h"
#include "arch/x86.h"

#define MSR_GS_BASE 0xc0000101

extern char boot_stack_bottom[], boot_stack_top[];

static struct percpu bsp_area;
static int gs_ready;

void percpu_install(struct percpu *p)
{
	p->self = p;
	wrmsr(MSR_GS_BASE, (uint64_t)p);
}

void percpu_init_bsp(void)
{
	bsp_area.id = 0;
	bsp_area.stack_lo = (uint64_t)boot_stack_bottom;
	bsp_area.stack_hi = (uint64_t)boot_stack_top;
	percpu_install(&bsp_area);
	gs_ready = 1;
}

unsigned cpu_id(void)
{
	if (!gs_ready)
		return 0;
	return cpu_this()->id;
}
