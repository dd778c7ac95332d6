/*
 * kernel/trap.c - what happens when a CPU takes an exception: every one is a `fault`
 * violation (DESIGN §4). The CPU that took it prints the vector, error code, CR2, every
 * register and a symbolized backtrace, then ends the run (exit code 1). No exception is
 * expected or resumed: the harness uses none on purpose outside selftest=. NMIs are the one
 * interrupt here that is not an exception: the watchdog's, the end of a run's, and those a
 * test declared (trap_nmi_expect, counted in the target's percpu) are handled; others fault.
 */
#include "trap.h"
#include "console.h"
#include "report.h"
#include "backtrace.h"
#include "percpu.h"
#include "lapic.h"
#include "mca.h"
#include "pic.h"
#include "watchdog.h"
#include "irq_torture.h"
#include "power.h"
#include "arch/x86.h"

static const char *const exception_names[32] = {
	[0] = "#DE divide error",		[1] = "#DB debug",
	[2] = "NMI",				[3] = "#BP breakpoint",
	[4] = "#OF overflow",			[5] = "#BR bound range",
	[6] = "#UD invalid opcode",		[7] = "#NM device not available",
	[8] = "#DF double fault",		[9] = "coprocessor segment overrun",
	[10] = "#TS invalid TSS",		[11] = "#NP segment not present",
	[12] = "#SS stack fault",		[13] = "#GP general protection",
	[14] = "#PF page fault",		[15] = "reserved 15",
	[16] = "#MF x87 error",			[17] = "#AC alignment check",
	[18] = "#MC machine check",		[19] = "#XM SIMD exception",
	[20] = "#VE virtualization",		[21] = "#CP control protection",
	[22] = "reserved 22",			[23] = "reserved 23",
	[24] = "reserved 24",			[25] = "reserved 25",
	[26] = "reserved 26",			[27] = "reserved 27",
	[28] = "#HV hypervisor injection",	[29] = "#VC VMM communication",
	[30] = "#SX security",			[31] = "reserved 31",
};

static void dump_registers(const struct trap_frame *tf)
{
	kprintf("  RIP=%016llx RSP=%016llx RFLAGS=%016llx CS=%04llx SS=%04llx\n",
		(unsigned long long)tf->rip, (unsigned long long)tf->rsp,
		(unsigned long long)tf->rflags, (unsigned long long)tf->cs,
		(unsigned long long)tf->ss);
	kprintf("  RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n",
		(unsigned long long)tf->rax, (unsigned long long)tf->rbx,
		(unsigned long long)tf->rcx, (unsigned long long)tf->rdx);
	kprintf("  RSI=%016llx RDI=%016llx RBP=%016llx\n", (unsigned long long)tf->rsi,
		(unsigned long long)tf->rdi, (unsigned long long)tf->rbp);
	kprintf("  R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n",
		(unsigned long long)tf->r8, (unsigned long long)tf->r9,
		(unsigned long long)tf->r10, (unsigned long long)tf->r11);
	kprintf("  R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n",
		(unsigned long long)tf->r12, (unsigned long long)tf->r13,
		(unsigned long long)tf->r14, (unsigned long long)tf->r15);
	kprintf("  CR0=%016llx CR2=%016llx CR3=%016llx CR4=%016llx\n",
		(unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		(unsigned long long)read_cr3(), (unsigned long long)read_cr4());
}

/* NMIs are sent by the watchdog (print this CPU's backtrace, then stop), at the end of a run
 * on real hardware (stop), and by a test that declared them (count, resume: svm-guest's NMI
 * exits). Any other NMI is a fault like the rest. */
static bool nmi_requested(struct trap_frame *tf, struct percpu *p)
{
	if ((__atomic_load_n(&p->nmi_backtrace, __ATOMIC_ACQUIRE) || report_finishing()) &&
	    __atomic_load_n(&p->console_waiting, __ATOMIC_RELAXED)) {
		/* interrupted in console_write, queued for or holding the console lock: printing
		 * would take a second ticket behind our own, stopping here would leave ours
		 * unserved; either stops every CPU. Finish the line, then stop (console.c); the
		 * watchdog says why there is no backtrace. */
		if (__atomic_load_n(&p->nmi_backtrace, __ATOMIC_ACQUIRE))
			__atomic_store_n(&p->nmi_backtrace, 2, __ATOMIC_RELEASE);
		__atomic_store_n(&p->park_deferred, 1, __ATOMIC_RELAXED);
		return true;
	}
	if (__atomic_load_n(&p->nmi_backtrace, __ATOMIC_ACQUIRE)) {
		kprintf("  cpu %u was interrupted at:\n", p->id);
		dump_registers(tf);
		backtrace_print(tf->rip, tf->rbp, p->stack_lo, p->stack_hi);
		/* release: the watchdog waits for the dump to be out */
		__atomic_store_n(&p->nmi_backtrace, 0, __ATOMIC_RELEASE);
		machine_park();
	}
	if (report_finishing())
		machine_park();
	/* acquire: pairs with trap_nmi_expect's release, so the count was reset before this */
	if (__atomic_load_n(&p->nmi_expected, __ATOMIC_ACQUIRE)) {
		/* relaxed: counts; the test orders its read by its own handshake with this CPU */
		if (!(tf->rbp & 7) && tf->rbp >= p->stack_lo && tf->rbp + 16 <= p->stack_hi)
			__atomic_fetch_add(&p->nmi_expected_framed, 1, __ATOMIC_RELAXED);
		__atomic_fetch_add(&p->nmi_expected_taken, 1, __ATOMIC_RELAXED);
		return true;
	}
	return false;
}

void trap_nmi_expect(struct percpu *p, bool on)
{
	if (on) {
		__atomic_store_n(&p->nmi_expected_taken, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&p->nmi_expected_framed, 0, __ATOMIC_RELAXED);
	}
	/* release: the reset comes before any NMI that sees the flag (the handler's acquire);
	 * lapic_send_ipi fences the ICR write behind it */
	__atomic_store_n(&p->nmi_expected, on, __ATOMIC_RELEASE);
}

unsigned trap_nmi_expected_taken(const struct percpu *p)
{
	/* relaxed: see the handler's add */
	return __atomic_load_n(&p->nmi_expected_taken, __ATOMIC_RELAXED);
}

unsigned trap_nmi_expected_framed(const struct percpu *p)
{
	/* relaxed: see the handler's add */
	return __atomic_load_n(&p->nmi_expected_framed, __ATOMIC_RELAXED);
}

void trap_dispatch(struct trap_frame *tf)
{
	struct percpu *p = cpu_this();
	unsigned vec = (unsigned)tf->vector & 31;
	uint64_t off = 0;
	const char *where;

	if (tf->vector == LAPIC_VEC_TIMER) {
		lapic_eoi();
		watchdog_tick();
		return;
	}
	if (tf->vector == LAPIC_VEC_TORTURE) {
		irq_torture_tick();	/* EOIs */
		return;
	}
	if (tf->vector == LAPIC_VEC_WAKE) {
		lapic_eoi();		/* the woken AP re-reads its mailbox itself */
		return;
	}
	if (tf->vector == LAPIC_VEC_SPURIOUS || tf->vector == PIC_SPURIOUS_BASE + 7)
		return;			/* spurious: no EOI (SDM 11.9; 8259A datasheet) */
	if (tf->vector == 2 && nmi_requested(tf, p))
		return;
	where = ksym_lookup(tf->rip, &off);

	if (p->in_trap++) {
		/* a fault while reporting a fault: say the least that can still be said */
		kprintf("  nested %s on cpu %u at rip=0x%llx while reporting; stopping\n",
			exception_names[vec], p->id, (unsigned long long)tf->rip);
		report_abort();
	}
	report_violation("fault", "vector=%u error=0x%llx rip=0x%llx fault_addr=0x%llx detail=\"%s at %s+0x%llx\"",
			 vec, (unsigned long long)tf->error, (unsigned long long)tf->rip,
			 (unsigned long long)read_cr2(), exception_names[vec],
			 where ? where : "?", (unsigned long long)off);
	if (vec == 18)
		mca_report(p->id);	/* #MC: which bank saw what, before the registers */
	dump_registers(tf);
	backtrace_print(tf->rip, tf->rbp, p->stack_lo, p->stack_hi);
	report_abort();
}
