/*
 * kernel/smp/lapic.c - owns the local APIC programming model (`apic`): the mode (xAPIC MMIO
 * or x2APIC MSRs, SDM 3A chapter 11 / 10 in older editions), the MMIO base and the timer rate.
 * Written once by the BSP before any AP starts; read-only afterwards. Register offsets are
 * the xAPIC ones; x2APIC MSR = 0x800 + offset / 16 (SDM 3A 11.12.1.2).
 */
#include "lapic.h"
#include "paging.h"
#include "pic.h"
#include "tsc.h"
#include "console.h"
#include "arch/x86.h"

#define MSR_APIC_BASE	0x1b
#define APIC_BASE_EN	(1ull << 11)
#define APIC_BASE_EXTD	(1ull << 10)	/* x2APIC mode */

#define REG_ID		0x020
#define REG_VERSION	0x030		/* bits 23:16: the highest LVT entry */
#define REG_TPR		0x080
#define REG_EOI		0x0b0
#define REG_SVR		0x0f0
#define REG_ICR_LO	0x300
#define REG_ICR_HI	0x310
#define REG_LVT_CMCI	0x2f0		/* present when the highest LVT entry is 6 or more */
#define REG_LVT_TIMER	0x320
#define REG_LVT_THERMAL	0x330
#define REG_LVT_PMC	0x340
#define REG_LVT_LINT0	0x350
#define REG_LVT_LINT1	0x360
#define REG_LVT_ERROR	0x370
#define REG_TIMER_INIT	0x380
#define REG_TIMER_CUR	0x390
#define REG_TIMER_DIV	0x3e0

#define SVR_ENABLE	(1u << 8)
#define ICR_BUSY	(1u << 12)	/* delivery status, xAPIC only */
#define ICR_ASSERT	(1u << 14)
#define ICR_ALL_BUT_SELF (3u << 18)	/* destination shorthand */
#define LVT_PERIODIC	(1u << 17)
#define LVT_MASKED	(1u << 16)
#define TIMER_DIV_1	0xb

static struct {
	bool x2apic;
	volatile uint32_t *mmio;
	uint64_t timer_hz;
} apic;

static uint32_t rd(uint32_t reg)
{
	if (apic.x2apic)
		return (uint32_t)rdmsr(0x800 + reg / 16);
	return apic.mmio[reg / 4];
}

static void wr(uint32_t reg, uint32_t v)
{
	if (apic.x2apic)
		wrmsr(0x800 + reg / 16, v);
	else
		apic.mmio[reg / 4] = v;
}

bool lapic_x2apic(void)
{
	return apic.x2apic;
}

uint32_t cpuid_apic_id(void)
{
	uint32_t a, b, c, d;

	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 0xb) {
		cpuid(0xb, 0, &a, &b, &c, &d);
		if (b != 0)		/* leaf 0xb valid: EDX is the 32-bit x2APIC id */
			return d;
	}
	cpuid(1, 0, &a, &b, &c, &d);
	return b >> 24;
}

uint32_t lapic_id(void)
{
	return apic.x2apic ? rd(REG_ID) : rd(REG_ID) >> 24;
}

/*
 * The LVT entries, in enum lapic_lvt's order. The optional ones exist only where the version
 * register's highest-entry field reaches them (in x2APIC mode touching a register the APIC
 * lacks is #GP): PMC from the 5th entry (maxlvt 4), thermal from the 6th, CMCI from the 7th.
 */
static const struct {
	uint32_t reg;
	uint32_t min_maxlvt;
	const char *name;
} lvt_table[NR_LAPIC_LVT] = {
	[LAPIC_LVT_TIMER]	= { REG_LVT_TIMER, 0, "timer" },
	[LAPIC_LVT_LINT0]	= { REG_LVT_LINT0, 0, "lint0" },
	[LAPIC_LVT_LINT1]	= { REG_LVT_LINT1, 0, "lint1" },
	[LAPIC_LVT_ERROR]	= { REG_LVT_ERROR, 0, "error" },
	[LAPIC_LVT_PMC]		= { REG_LVT_PMC, 4, "pmc" },
	[LAPIC_LVT_THERMAL]	= { REG_LVT_THERMAL, 5, "thermal" },
	[LAPIC_LVT_CMCI]	= { REG_LVT_CMCI, 6, "cmci" },
};

const char *lapic_lvt_name(enum lapic_lvt lvt)
{
	return lvt < NR_LAPIC_LVT ? lvt_table[lvt].name : "?";
}

uint32_t lapic_lvt_unmasked(void)
{
	uint32_t maxlvt = rd(REG_VERSION) >> 16 & 0xff, unmasked = 0;

	for (unsigned i = 0; i < NR_LAPIC_LVT; i++)
		if (maxlvt >= lvt_table[i].min_maxlvt && !(rd(lvt_table[i].reg) & LVT_MASKED))
			unmasked |= 1u << i;
	return unmasked;
}

uint32_t lapic_tpr(void)
{
	return rd(REG_TPR) & 0xff;
}

static void enable_this_cpu(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	uint32_t maxlvt;

	base |= APIC_BASE_EN;
	if (apic.x2apic)
		base |= APIC_BASE_EXTD;	/* EN then EXTD may be set together (SDM 11.12.5) */
	wrmsr(MSR_APIC_BASE, base);
	wr(REG_SVR, SVR_ENABLE | LAPIC_VEC_SPURIOUS);
	/* every LVT entry masked, whatever firmware left (LINT0 as ExtINT from the 8259s, LINT1
	 * as NMI, a thermal or PMC vector nobody handles): interrupts come by IPI and our own
	 * timer only; TPR 0 so that no vector is held back */
	maxlvt = rd(REG_VERSION) >> 16 & 0xff;
	for (unsigned i = 0; i < NR_LAPIC_LVT; i++)
		if (maxlvt >= lvt_table[i].min_maxlvt)
			wr(lvt_table[i].reg, LVT_MASKED);
	wr(REG_TPR, 0);
}

bool lapic_will_use_x2apic(void)
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	/* x2APIC when offered (CPUID.1:ECX bit 21); forced when firmware already enabled it,
	 * since leaving x2APIC mode needs a full disable (SDM 11.12.5 state diagram) */
	return (c & (1u << 21)) || (rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD);
}

int lapic_init_bsp(uint64_t mmio_base)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	pic_disable();
	apic.x2apic = lapic_will_use_x2apic();
	if (!apic.x2apic) {
		if (!mmio_base)
			mmio_base = base & ~0xfffull;
		if (paging_map_identity(mmio_base, 4096))
			return -1;
		apic.mmio = (volatile uint32_t *)mmio_base;
	}
	enable_this_cpu();
	return 0;
}

void lapic_init_ap(void)
{
	enable_this_cpu();
}

static bool send_icr(uint32_t apic_id, uint32_t lo)
{
	if (apic.x2apic) {
		/*
		 * WRMSR to x2APIC registers is not serializing (SDM 11.12.3): without a fence the
		 * IPI can reach its target before our earlier stores are visible, and callers
		 * rely on that order (a mailbox filled, then the wake-up; a request flag, then
		 * the NMI). mfence orders the stores, lfence keeps the WRMSR behind it, as
		 * Linux's weak_wrmsr_fence.
		 */
		__asm__ volatile("mfence; lfence" ::: "memory");
		/* one 64-bit write, destination in bits 63:32; no busy bit (SDM 11.12.9) */
		wrmsr(0x800 + REG_ICR_LO / 16, ((uint64_t)apic_id << 32) | lo);
		return true;
	}
	wr(REG_ICR_HI, apic_id << 24);
	wr(REG_ICR_LO, lo);		/* the write of the low half sends it */
	for (int i = 0; i < 1000000; i++) {
		if (!(rd(REG_ICR_LO) & ICR_BUSY))
			return true;
		cpu_pause();
	}
	return false;
}

bool lapic_send_ipi(uint32_t apic_id, enum lapic_delivery dm, uint8_t vector)
{
	return send_icr(apic_id, ((uint32_t)dm << 8) | vector | ICR_ASSERT);
}

bool lapic_send_ipi_others(enum lapic_delivery dm, uint8_t vector)
{
	return send_icr(0, ((uint32_t)dm << 8) | vector | ICR_ASSERT | ICR_ALL_BUT_SELF);
}

void lapic_eoi(void)
{
	wr(REG_EOI, 0);
}

uint64_t lapic_timer_calibrate(void)
{
	uint32_t left;

	wr(REG_TIMER_DIV, TIMER_DIV_1);
	wr(REG_LVT_TIMER, LVT_MASKED);
	wr(REG_TIMER_INIT, 0xffffffffu);
	tsc_delay_us(10000);
	left = rd(REG_TIMER_CUR);
	wr(REG_TIMER_INIT, 0);
	apic.timer_hz = (uint64_t)(0xffffffffu - left) * 100;
	return apic.timer_hz;
}

void lapic_timer_oneshot_us(uint32_t us, uint8_t vector)
{
	uint64_t count = apic.timer_hz / 1000000 * us;

	wr(REG_TIMER_DIV, TIMER_DIV_1);
	wr(REG_LVT_TIMER, vector);	/* one-shot: neither periodic nor masked */
	wr(REG_TIMER_INIT, count > 0xffffffffu ? 0xffffffffu : (uint32_t)(count ? count : 1));
}

void lapic_timer_stop(void)
{
	wr(REG_TIMER_INIT, 0);		/* a zero initial count stops the timer (SDM 11.5.4) */
}

void lapic_timer_periodic(uint32_t hz)
{
	uint64_t count = apic.timer_hz / hz;

	wr(REG_TIMER_DIV, TIMER_DIV_1);
	wr(REG_LVT_TIMER, LVT_PERIODIC | LAPIC_VEC_TIMER);
	wr(REG_TIMER_INIT, count > 0xffffffffu ? 0xffffffffu : (uint32_t)(count ? count : 1));
}
