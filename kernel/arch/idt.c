/*
 * kernel/arch/idt.c - the interrupt descriptor table, shared by all CPUs.
 * Vectors 0-31, the LAPIC timer, wake and irq_hz= vectors and the spurious vectors go to the stubs in boot/isr.S; #DF (8) and NMI (2) run on IST stacks from the
 * CPU's TSS (kernel/arch/gdt.c) so that a blown stack still gets a report.
 */
#include <stdint.h>
#include "trap.h"
#include "gdt.h"
#include "lapic.h"
#include "pic.h"
#include "arch/x86.h"

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "SDM 3A 6.14.1: 16-byte 64-bit gates");

#define GATE_INTERRUPT 0x8e	/* present, DPL 0, 64-bit interrupt gate: IF cleared on entry */

extern const uint64_t isr_stub_table[32];
extern const char isr_32[], isr_33[], isr_34[], isr_247[], isr_255[];

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void set_gate(unsigned vec, uint64_t handler, uint8_t ist)
{
	idt[vec].off_lo = (uint16_t)handler;
	idt[vec].sel = GDT_KERNEL_CS;
	idt[vec].ist = ist;
	idt[vec].type_attr = GATE_INTERRUPT;
	idt[vec].off_mid = (uint16_t)(handler >> 16);
	idt[vec].off_hi = (uint32_t)(handler >> 32);
	idt[vec].zero = 0;
}

void idt_init(void)
{
	for (unsigned v = 0; v < 32; v++)
		set_gate(v, isr_stub_table[v], 0);
	set_gate(2, isr_stub_table[2], GDT_IST_NMI);
	set_gate(8, isr_stub_table[8], GDT_IST_DF);
	set_gate(LAPIC_VEC_TIMER, (uint64_t)isr_32, 0);
	set_gate(LAPIC_VEC_WAKE, (uint64_t)isr_33, 0);
	set_gate(LAPIC_VEC_TORTURE, (uint64_t)isr_34, 0);
	set_gate(LAPIC_VEC_SPURIOUS, (uint64_t)isr_255, 0);
	set_gate(PIC_SPURIOUS_BASE + 7, (uint64_t)isr_247, 0);
}

void idt_load(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)idt };

	lidt(&p);
}
