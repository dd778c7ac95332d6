/*
 * trap.h - the exception frame boot/isr.S builds, and the IDT/exception entry points.
 * Field order is the reverse of the pushes in isr_common; keep the two in step.
 */
#ifndef TRAP_H
#define TRAP_H

#include <stdint.h>
#include <stdbool.h>

struct percpu;

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "isr_common pushes 22 quadwords");

void idt_init(void);		/* builds the shared IDT */
void idt_load(void);		/* loads it on this CPU */
void trap_dispatch(struct trap_frame *tf);
/*
 * A test that sends CPU p NMIs on purpose declares them first: while on, an NMI on p with no
 * backtrace request, before the run ends, is counted and resumed instead of being a fault.
 * Turning it on resets the counts; trap_nmi_expected_taken reads how many were taken, and
 * trap_nmi_expected_framed how many of them interrupted code whose RBP was on p's stack (a
 * frame pointer the watchdog's backtrace can walk: svm_vmrun's NMI at stgi must see one).
 */
void trap_nmi_expect(struct percpu *p, bool on);
unsigned trap_nmi_expected_taken(const struct percpu *p);
unsigned trap_nmi_expected_framed(const struct percpu *p);

#endif
