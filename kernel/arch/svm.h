/*
 * svm.h - AMD SVM for one host CPU (kernel/arch/svm.c, svm_vmrun.S): the VMCB layout (APM
 * Vol. 2 Appendix B; field names as Linux's arch/x86/include/asm/svm.h), detection of SVM and
 * nested paging, EFER.SVME and the host save area (VM_HSAVE_PA) per CPU, a flat 32-bit guest's
 * VMCB, and VMRUN. Owns nothing shared: each VMCB, save area and register block belongs to the
 * one CPU that runs it. What QEMU's TCG really does with all this is docs/svm-under-tcg.md.
 */
#ifndef ARCH_SVM_H
#define ARCH_SVM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define MSR_EFER		0xc0000080
#define EFER_SVME		(1ull << 12)
#define MSR_VM_HSAVE_PA		0xc0010117
#define MSR_VM_CR		0xc0010114	/* bit 4, SVMDIS: firmware turned SVM off */
#define VM_CR_SVMDIS		(1ull << 4)

/* intercept bits: word * 32 + bit of control.intercepts[] (Linux's INTERCEPT_*) */
#define INTERCEPT_INTR		(3 * 32 + 0)
#define INTERCEPT_NMI		(3 * 32 + 1)	/* else a host NMI (the watchdog's) hits the guest */
#define INTERCEPT_HLT		(3 * 32 + 24)
#define INTERCEPT_SHUTDOWN	(3 * 32 + 31)
#define INTERCEPT_VMRUN		(4 * 32 + 0)	/* VMRUN fails (VMEXIT_INVALID) without it */
#define INTERCEPT_VMMCALL	(4 * 32 + 1)

#define SVM_NESTED_CTL_NP_ENABLE	1ull
#define TLB_CONTROL_FLUSH_ALL_ASID	1	/* the only value QEMU's TCG acts on */
#define V_INTR_MASKING_MASK		(1u << 24)

/* exit codes (Linux's SVM_EXIT_*) */
#define SVM_EXIT_INTR		0x060
#define SVM_EXIT_NMI		0x061
#define SVM_EXIT_HLT		0x078
#define SVM_EXIT_SHUTDOWN	0x07f
#define SVM_EXIT_VMMCALL	0x081
#define SVM_EXIT_NPF		0x400
#define SVM_EXIT_ERR		0xffffffffu	/* compare the low 32 bits: QEMU writes 0x00000000ffffffff */

/* NPF exit_info_1: a #PF-style error code, and where the walk was */
#define SVM_NPF_WRITE		(1ull << 1)
#define SVM_NPTEXIT_GPA		(1ull << 32)	/* the final guest-physical access */
#define SVM_NPTEXIT_GPT		(1ull << 33)	/* an access to the guest's own page tables */

struct vmcb_control_area {
	uint32_t intercepts[6];
	uint32_t reserved_1[15 - 6];
	uint16_t pause_filter_thresh;
	uint16_t pause_filter_count;
	uint64_t iopm_base_pa;
	uint64_t msrpm_base_pa;
	uint64_t tsc_offset;
	uint32_t asid;
	uint8_t tlb_ctl;
	uint8_t reserved_2[3];
	uint32_t int_ctl;
	uint32_t int_vector;
	uint32_t int_state;
	uint8_t reserved_3[4];
	uint64_t exit_code;
	uint64_t exit_info_1;
	uint64_t exit_info_2;
	uint32_t exit_int_info;
	uint32_t exit_int_info_err;
	uint64_t nested_ctl;
	uint8_t reserved_4[16];
	uint32_t event_inj;
	uint32_t event_inj_err;
	uint64_t nested_cr3;
	uint64_t virt_ext;
	uint32_t clean;
	uint32_t reserved_5;
	uint64_t next_rip;		/* never written under TCG: no NRIP save */
	uint8_t insn_len;
	uint8_t insn_bytes[15];
	uint8_t reserved_6[800];
} __attribute__((packed));

struct vmcb_seg {
	uint16_t selector;
	uint16_t attrib;
	uint32_t limit;
	uint64_t base;
} __attribute__((packed));

struct vmcb_save_area {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;
	uint8_t reserved_1[43];
	uint8_t cpl;
	uint8_t reserved_2[4];
	uint64_t efer;
	uint8_t reserved_3[112];
	uint64_t cr4, cr3, cr0, dr7, dr6, rflags, rip;
	uint8_t reserved_4[88];
	uint64_t rsp;
	uint8_t reserved_5[24];
	uint64_t rax;
	uint64_t star, lstar, cstar, sfmask, kernel_gs_base;
	uint64_t sysenter_cs, sysenter_esp, sysenter_eip, cr2;
	uint8_t reserved_6[32];
	uint64_t g_pat;
} __attribute__((packed));

struct vmcb {
	struct vmcb_control_area control;
	struct vmcb_save_area save;
} __attribute__((packed));

_Static_assert(offsetof(struct vmcb_control_area, asid) == 0x58 &&
	       offsetof(struct vmcb_control_area, int_ctl) == 0x60 &&
	       offsetof(struct vmcb_control_area, exit_code) == 0x70 &&
	       offsetof(struct vmcb_control_area, nested_ctl) == 0x90 &&
	       offsetof(struct vmcb_control_area, nested_cr3) == 0xb0 &&
	       offsetof(struct vmcb_control_area, next_rip) == 0xc8 &&
	       sizeof(struct vmcb_control_area) == 0x400, "VMCB control area, APM Table B-1");
_Static_assert(offsetof(struct vmcb, save.efer) == 0x4d0 && offsetof(struct vmcb, save.cr0) == 0x558 &&
	       offsetof(struct vmcb, save.rflags) == 0x570 && offsetof(struct vmcb, save.rip) == 0x578 &&
	       offsetof(struct vmcb, save.rsp) == 0x5d8 && offsetof(struct vmcb, save.rax) == 0x5f8 &&
	       offsetof(struct vmcb, save.g_pat) == 0x668, "VMCB save area, APM Table B-2");

/*
 * The guest's GPRs VMRUN does not switch (it loads only RAX/RSP/RIP/RFLAGS from the VMCB):
 * svm_vmrun loads these before VMRUN and stores them back after #VMEXIT, as kvm-unit-tests'
 * guest_regs swap does. A 32-bit guest uses the low halves; r8-r15 it cannot reach.
 */
struct svm_gprs {
	uint64_t rbx, rcx, rdx, rsi, rdi, rbp;
};

/* NULL if this CPU has SVM with nested paging, else why not (for a SKIP line). */
const char *svm_unsupported_reason(void);
/* This CPU: EFER.SVME on, VM_HSAVE_PA = hsave (a 4 KiB page of its own). And off again. */
void svm_enable_cpu(void *hsave);
void svm_disable_cpu(void);
/*
 * A zeroed VMCB for a flat 32-bit protected-mode guest with paging off (CR0.PE=1, PG=0), so
 * every guest access is one nested walk of nested_cr3: intercepts VMRUN, VMMCALL, HLT, INTR,
 * NMI, SHUTDOWN; NP_ENABLE, ASID 1, V_INTR_MASKING, guest EFER.SVME. CS, DS and SS start at
 * base (4 GiB limits), ES, FS and GS at 0; rip and rsp are CS- and SS-relative.
 */
void svm_vmcb_init_flat32(struct vmcb *vmcb, uint64_t nested_cr3, uint32_t base, uint32_t rip,
			  uint32_t rsp);
/*
 * svm_vmrun.S: clgi; sti; vmrun; cli; stgi around the guest, its GPRs swapped with *gprs.
 * Returns with interrupts off; an interrupt that caused an INTR exit is still pending (the
 * caller takes it with svm_take_pending_irq), while an NMI that caused an NMI exit has
 * already run the host's NMI handler, at stgi. vmcb_pa: the VMCB's physical address.
 */
void svm_vmrun(uint64_t vmcb_pa, struct svm_gprs *gprs);
/* svm_vmrun.S: sti; nop; cli: the host takes what an INTR exit left pending. */
void svm_take_pending_irq(void);

#endif /* ARCH_SVM_H */
