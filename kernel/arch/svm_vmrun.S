/*
 * svm_vmrun.S - enter a guest with VMRUN and come back from its #VMEXIT (kernel/arch/svm.h).
 * VMRUN saves the host's RAX/RSP/RIP/RFLAGS and segment state in the VM_HSAVE_PA page and
 * loads the guest's from the VMCB; every other GPR passes through in both directions, so the
 * host's callee-saved ones are pushed here and the guest's are swapped with struct svm_gprs
 * (kvm-unit-tests x86/svm.h ASM_PRE/POST_VMRUN_CMD does the same swap). RSP comes back as it
 * was at VMRUN, so the stack is where the register block's pointer waits.
 *
 * Interrupts: clgi; sti; vmrun; cli; stgi as kvm-unit-tests' test_run. GIF=0 holds interrupts
 * off in the host while IF=1 at VMRUN makes the guest exit on one (V_INTR_MASKING, INTR
 * intercept); after #VMEXIT (GIF=0 again) cli comes before stgi, so the interrupt stays
 * pending until the caller takes it (svm_take_pending_irq).
 *
 * NMIs: GIF=0 holds them too, and the guest exits on one (NMI intercept). The NMI stays
 * pending through the #VMEXIT, and IF does not mask it, so the host's NMI handler takes it
 * at stgi, on this stack, and returns to the instruction after stgi (the APM, Vol. 2,
 * "Global Interrupt Flag, STGI and CLGI Instructions": GIF=0 holds NMIs pending). QEMU's
 * TCG does the same: the intercept's cpu_vmexit longjmps before CPU_INTERRUPT_NMI is
 * cleared (tcg/system/seg_helper.c, x86_cpu_exec_interrupt), do_vmexit clears HF2_GIF_MASK,
 * x86_cpu_pending_interrupt (cpu.c) offers an NMI only with GIF=1, and STGI ends its
 * translation block, so the check runs before the next instruction. GIF=0 spans every moment
 * RBP holds the guest's value (clgi before the guest's registers are loaded, stgi after the
 * host's RBP is back), so an NMI always finds the host's frame pointer: the watchdog's
 * backtrace walks the caller's frames (svm-guest checks it: trap_nmi_expected_framed).
 */
	.text
	.code64

/* struct svm_gprs offsets */
#define GPR_RBX	0
#define GPR_RCX	8
#define GPR_RDX	16
#define GPR_RSI	24
#define GPR_RDI	32
#define GPR_RBP	40

/* void svm_vmrun(uint64_t vmcb_pa (rdi), struct svm_gprs *gprs (rsi)) */
	.globl svm_vmrun
	.type svm_vmrun, @function
svm_vmrun:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	push %rsi			/* gprs: found again at (%rsp) after #VMEXIT */
	mov %rdi, %rax			/* VMRUN takes the VMCB's physical address in RAX */
	clgi				/* before RBP is the guest's: see the header */
	mov GPR_RBX(%rsi), %rbx
	mov GPR_RCX(%rsi), %rcx
	mov GPR_RDX(%rsi), %rdx
	mov GPR_RDI(%rsi), %rdi
	mov GPR_RBP(%rsi), %rbp
	mov GPR_RSI(%rsi), %rsi		/* last: it held the pointer */
	sti				/* HIF=1: pending interrupts exit the guest (INTR) */
	vmrun %rax
	cli				/* before stgi: the host keeps interrupts off */
	xchg %rsi, (%rsp)		/* rsi = gprs; the guest's RSI waits on the stack */
	mov %rbx, GPR_RBX(%rsi)
	mov %rcx, GPR_RCX(%rsi)
	mov %rdx, GPR_RDX(%rsi)
	mov %rdi, GPR_RDI(%rsi)
	mov %rbp, GPR_RBP(%rsi)
	popq GPR_RSI(%rsi)
	mov 32(%rsp), %rbp		/* the host's, pushed second: r15..r12 lie below it */
	stgi				/* an NMI held since #VMEXIT is taken here */
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret
	.size svm_vmrun, . - svm_vmrun

/* void svm_take_pending_irq(void): one instruction with IF=1 after sti's shadow */
	.globl svm_take_pending_irq
	.type svm_take_pending_irq, @function
svm_take_pending_irq:
	sti
	nop				/* sti's shadow: interrupts are taken after this */
	nop
	cli
	ret
	.size svm_take_pending_irq, . - svm_take_pending_irq
