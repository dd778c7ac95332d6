/*
 * kernel/arch/gdt.c - builds and loads one CPU's GDT and TSS (struct cpu_gdt owns both).
 * The boot GDT in boot/entry.S has the same code and data selectors, so switching to this one
 * only adds the TSS; boot/segments.S reloads the segment registers all the same.
 */
#include "gdt.h"
#include "arch/x86.h"

struct cpu_gdt bsp_gdt;

void gdt_reload_segments(void);	/* boot/segments.S */

void gdt_load(struct cpu_gdt *g)
{
	uint64_t base = (uint64_t)&g->tss;
	uint64_t limit = sizeof(g->tss) - 1;
	struct desc_ptr p = { sizeof(g->gdt) - 1, (uint64_t)g->gdt };

	g->gdt[0] = 0;
	g->gdt[1] = 0x00af9a000000ffffull;	/* 64-bit code, DPL 0 */
	g->gdt[2] = 0x00cf92000000ffffull;	/* data, DPL 0 */
	/* available 64-bit TSS (type 9), present: SDM 3A 8.2.3 figure 8-4 */
	g->gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		    (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	g->gdt[4] = base >> 32;

	g->tss.ist[GDT_IST_NMI - 1] = (uint64_t)(g->ist_nmi + GDT_IST_STACK);
	g->tss.ist[GDT_IST_DF - 1] = (uint64_t)(g->ist_df + GDT_IST_STACK);
	g->tss.iomap_base = sizeof(g->tss);	/* no I/O bitmap */

	lgdt(&p);
	gdt_reload_segments();
	ltr(GDT_TSS);
}
