/*
 * gdt.h - per-CPU GDT and TSS (kernel/arch/gdt.c). Selectors are fixed; the TSS carries the
 * IST stacks for NMI and #DF so that a CPU whose stack overflowed still reports.
 */
#ifndef GDT_H
#define GDT_H

#include <stdint.h>

#define GDT_KERNEL_CS	0x08
#define GDT_KERNEL_DS	0x10
#define GDT_TSS		0x18	/* 16-byte system descriptor: slots 3 and 4 */
#define GDT_IST_NMI	1
#define GDT_IST_DF	2
#define GDT_IST_STACK	8192

struct __attribute__((packed)) tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};
_Static_assert(sizeof(struct tss64) == 104, "SDM 3A 8.7: 64-bit TSS is 104 bytes");

struct cpu_gdt {
	uint64_t gdt[5];
	struct tss64 tss;
	uint8_t ist_nmi[GDT_IST_STACK] __attribute__((aligned(16)));
	uint8_t ist_df[GDT_IST_STACK] __attribute__((aligned(16)));
};

/* Fills g and loads it on this CPU: GDT, segment registers, TSS. */
void gdt_load(struct cpu_gdt *g);
extern struct cpu_gdt bsp_gdt;

#endif
