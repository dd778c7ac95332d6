/*
 * kernel/arch/pic.c - silences the legacy 8259A pair. BIOS leaves it delivering IRQ0 (the PIT)
 * at vector 8, where it would look like a double fault once the BSP enables interrupts for
 * the watchdog. It is remapped to 0xf0-0xff, clear of the exceptions and of the LAPIC timer,
 * and every line is masked; a masked 8259 can still raise a spurious IRQ7 (0xf7) or IRQ15
 * (0xff), which kernel/trap.c ignores.
 */
#include "pic.h"
#include "arch/x86.h"

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1

void pic_disable(void)
{
	outb(PIC1_CMD, 0x11);		/* ICW1: init, ICW4 follows */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, PIC_SPURIOUS_BASE);	/* ICW2: vector base */
	outb(PIC2_DATA, PIC_SPURIOUS_BASE + 8);
	outb(PIC1_DATA, 0x04);		/* ICW3: slave on IRQ2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01);		/* ICW4: 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xff);		/* mask everything */
	outb(PIC2_DATA, 0xff);
}
