/*
 * kernel/arch/svm.c - SVM on the calling CPU: is it there (CPUID), EFER.SVME and the host
 * save area, and a VMCB for a flat 32-bit guest with paging off. The VMRUN stub is
 * svm_vmrun.S; the layout and the constants are svm.h. Nothing here is shared between CPUs.
 */
#include "arch/svm.h"
#include "arch/x86.h"

#define CPUID_EXT_FEATURES	0x80000001u
#define CPUID_EXT_ECX_SVM	(1u << 2)
#define CPUID_SVM_FEATURES	0x8000000au
#define CPUID_SVM_EDX_NPT	(1u << 0)

const char *svm_unsupported_reason(void)
{
	uint32_t a, b, c, d;

	cpuid(0x80000000u, 0, &a, &b, &c, &d);
	if (a < CPUID_SVM_FEATURES)
		return "no SVM (CPUID has no leaf 0x8000000a: not an AMD-style CPU; under QEMU use -cpu max)";
	cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
	if (!(c & CPUID_EXT_ECX_SVM))
		return "no SVM (CPUID 0x80000001 ECX bit 2 clear; under QEMU use -cpu max)";
	cpuid(CPUID_SVM_FEATURES, 0, &a, &b, &c, &d);
	/* QEMU honours NP_ENABLE even without the bit (-cpu qemu64), but hardware would not */
	if (!(d & CPUID_SVM_EDX_NPT))
		return "no nested paging (CPUID 0x8000000a EDX bit 0 clear; under QEMU use -cpu max)";
	/*
	 * CPUID says SVM, but firmware may have disabled it (and locked VM_CR): setting
	 * EFER.SVME would then #GP (APM Vol. 2 §15.4; Linux's __kvm_is_svm_supported reads
	 * the same bit). QEMU's TCG reads the MSR as 0.
	 */
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS)
		return "SVM disabled by firmware (VM_CR.SVMDIS set: enable SVM/virtualization in the firmware setup)";
	return NULL;
}

void svm_enable_cpu(void *hsave)
{
	/* SVME first: WRMSR of VM_HSAVE_PA is allowed either way, VMRUN needs both */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	/* QEMU never checks that this was set: VMRUN would save the host state to page 0 */
	wrmsr(MSR_VM_HSAVE_PA, (uint64_t)(uintptr_t)hsave);	/* identity-mapped: virt = phys */
}

void svm_disable_cpu(void)
{
	wrmsr(MSR_VM_HSAVE_PA, 0);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) & ~EFER_SVME);
}

static void set_intercept(struct vmcb *vmcb, unsigned bit)
{
	vmcb->control.intercepts[bit / 32] |= 1u << (bit % 32);
}

static void flat_seg(struct vmcb_seg *seg, uint16_t selector, uint16_t attrib)
{
	seg->selector = selector;
	seg->attrib = attrib;
	seg->limit = 0xffffffffu;
	seg->base = 0;
}

/*
 * Unlike kvm-unit-tests' vmcb_ident (a 64-bit clone of the host sharing its page tables), the
 * guest here is 32-bit with CR0.PG=0: no guest page tables, so the only A/D the walker sets are
 * in our NPT leaves for the guest's own code, stack and data (docs/svm-under-tcg.md, item 9).
 */
void svm_vmcb_init_flat32(struct vmcb *vmcb, uint64_t nested_cr3, uint32_t base, uint32_t rip,
			  uint32_t rsp)
{
	__builtin_memset(vmcb, 0, sizeof(*vmcb));
	set_intercept(vmcb, INTERCEPT_INTR);
	/*
	 * NMI: without it an NMI sent to this CPU (the watchdog asking for a backtrace) is
	 * delivered to the guest, which has no IDT and shuts down. With it the NMI exits 0x61
	 * and stays pending: GIF is 0 after #VMEXIT, and the CPU holds NMIs until stgi in
	 * svm_vmrun, where the host's handler takes it (IF does not mask NMIs). QEMU's TCG
	 * does the same (x86_cpu_exec_interrupt's #VMEXIT leaves CPU_INTERRUPT_NMI set;
	 * x86_cpu_pending_interrupt offers it only with HF2_GIF_MASK).
	 */
	set_intercept(vmcb, INTERCEPT_NMI);
	set_intercept(vmcb, INTERCEPT_HLT);
	set_intercept(vmcb, INTERCEPT_SHUTDOWN);	/* a guest triple fault ends the test */
	set_intercept(vmcb, INTERCEPT_VMRUN);
	set_intercept(vmcb, INTERCEPT_VMMCALL);
	vmcb->control.asid = 1;				/* 0 is VMEXIT_INVALID */
	vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	/* INTR exits with host IF=1 at VMRUN (svm_vmrun's sti), whatever the guest's IF */
	vmcb->control.int_ctl = V_INTR_MASKING_MASK;
	vmcb->control.nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	vmcb->control.nested_cr3 = nested_cr3;

	/* attrib: type | S<<4 | DPL<<5 | P<<7 | AVL<<8 | L<<9 | DB<<10 | G<<11 */
	flat_seg(&vmcb->save.cs, 0x08, 0xc9b);		/* code, read, accessed; 32-bit, 4 KiB gran. */
	flat_seg(&vmcb->save.ds, 0x10, 0xc93);		/* data, write, accessed */
	flat_seg(&vmcb->save.es, 0x10, 0xc93);
	flat_seg(&vmcb->save.ss, 0x10, 0xc93);
	flat_seg(&vmcb->save.fs, 0x10, 0xc93);
	flat_seg(&vmcb->save.gs, 0x10, 0xc93);
	vmcb->save.cs.base = vmcb->save.ds.base = vmcb->save.ss.base = base;
	vmcb->save.tr.attrib = 0x8b;			/* busy 32-bit TSS, present: never used */
	vmcb->save.efer = EFER_SVME;			/* guest SVME=0 is VMEXIT_INVALID */
	vmcb->save.cr0 = 0x11;				/* PE | ET, paging off */
	vmcb->save.dr6 = 0xffff0ff0;
	vmcb->save.dr7 = 0x400;
	vmcb->save.rflags = 2;				/* reserved bit 1; IF=0: the guest takes no IRQs */
	vmcb->save.rip = rip;
	vmcb->save.rsp = rsp;
	vmcb->save.g_pat = 0x0007040600070406ull;	/* the power-on PAT */
}
