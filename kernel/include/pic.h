/* pic.h - the legacy 8259A pair, remapped and masked (kernel/arch/pic.c). */
#ifndef PIC_H
#define PIC_H
#define PIC_SPURIOUS_BASE 0xf0		/* IRQ7 arrives at 0xf7, IRQ15 at 0xff */
void pic_disable(void);
#endif
