/*
 * kernel/arch/mca.c - machine-check architecture (SDM 3B chapter 16): every bank enabled on
 * every CPU (MCG_CTL and each MCi_CTL all ones, as an OS does to have errors reported at all;
 * QEMU drops an injected uncorrected error for a bank left 0), stale statuses cleared; and
 * the report of a #MC (CR4.MCE is set in boot/entry.S and the trampoline): MCG_STATUS, then
 * every bank whose status is valid, with its address and misc when they are.
 */
#include "mca.h"
#include "console.h"
#include "arch/x86.h"

#define MSR_MCG_CAP	0x179		/* bits 7:0 bank count; bit 8 MCG_CTL present */
#define MSR_MCG_STATUS	0x17a
#define MSR_MCG_CTL	0x17b
#define MSR_MC0_CTL	0x400		/* bank i: CTL, STATUS, ADDR, MISC at 0x400 + 4i + 0..3 */
#define MCI_VAL		(1ull << 63)
#define MCI_UC		(1ull << 61)
#define MCI_EN		(1ull << 60)
#define MCI_MISCV	(1ull << 59)
#define MCI_ADDRV	(1ull << 58)
#define MCI_PCC		(1ull << 57)

/* CPUID.1:EDX bit 7 (MCE) and bit 14 (MCA): without MCA there are no bank MSRs to touch */
static bool have_mca(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	return (d & (1u << 7)) && (d & (1u << 14));
}

void mca_init_this_cpu(void)
{
	uint64_t cap;

	if (!have_mca())
		return;
	cap = rdmsr(MSR_MCG_CAP);
	if (cap & (1u << 8))
		wrmsr(MSR_MCG_CTL, ~0ull);
	for (unsigned i = 0; i < (cap & 0xff); i++) {
		wrmsr(MSR_MC0_CTL + 4 * i, ~0ull);
		wrmsr(MSR_MC0_CTL + 4 * i + 1, 0);	/* status: nothing left from before us */
	}
}

void mca_report(unsigned cpu)
{
	uint64_t cap, status;

	if (!have_mca()) {
		kprintf("  machine check on cpu %u: no MCA banks to read (CPUID.1:EDX[14] clear)\n", cpu);
		return;
	}
	cap = rdmsr(MSR_MCG_CAP);
	kprintf("  machine check on cpu %u: MCG_STATUS=0x%llx (RIPV %u EIPV %u MCIP %u), %u banks\n",
		cpu, (unsigned long long)rdmsr(MSR_MCG_STATUS),
		(unsigned)(rdmsr(MSR_MCG_STATUS) & 1), (unsigned)(rdmsr(MSR_MCG_STATUS) >> 1 & 1),
		(unsigned)(rdmsr(MSR_MCG_STATUS) >> 2 & 1), (unsigned)(cap & 0xff));
	for (unsigned i = 0; i < (cap & 0xff); i++) {
		status = rdmsr(MSR_MC0_CTL + 4 * i + 1);
		if (!(status & MCI_VAL))
			continue;
		kprintf("  machine check bank %u: status=0x%016llx%s%s%s addr=0x%llx misc=0x%llx\n", i,
			(unsigned long long)status, status & MCI_UC ? " uncorrected" : " corrected",
			status & MCI_EN ? " enabled" : "", status & MCI_PCC ? " context-corrupt" : "",
			(unsigned long long)(status & MCI_ADDRV ? rdmsr(MSR_MC0_CTL + 4 * i + 2) : 0),
			(unsigned long long)(status & MCI_MISCV ? rdmsr(MSR_MC0_CTL + 4 * i + 3) : 0));
	}
}
