/*
 * kernel/tsc.c - calibrates the TSC once, on the BSP at boot, and owns the result (`tsc`).
 *
 * The best clock the machine has, in this order, each tried only if the one before it gave
 * nothing or an implausible result (outside 100 MHz..10 GHz, printed):
 *   cpuid15  CPUID 0x15: the crystal's Hz times the TSC/crystal ratio (no measurement; what
 *            Linux trusts on CPUs that enumerate it), or with the ratio but no crystal,
 *            CPUID 0x16's base MHz;
 *   hpet     the ACPI HPET table's main counter (period in fs from its capabilities);
 *   pmtimer  the FADT's ACPI PM timer (3.579545 MHz, 24 or 32 bits);
 *   pit      i8254 channel 0, reprogrammed to mode 2 and read back by latch commands (not
 *            channel 2 gated through port 0x61: machines without the speaker port, as QEMU's
 *            microvm, read 0xff there and a gated wait ends at once);
 *   rtc      the MC146818 RTC's update cycle: the time between two ends of an update is one
 *            second of its 32.768 kHz crystal (slow: up to 2 s; only when nothing else is).
 * Each measures CALIB_MS (the RTC: one second) with the TSC read at both ends, and every wait
 * is bounded: a clock whose counter stops changing for STALL_READS reads counts as absent.
 * Invariant TSC (CPUID 0x80000007 EDX bit 8) is recorded and printed; without it the TSC may
 * change rate with P-states on old hardware, which the boot line says.
 */
#include "tsc.h"
#include "acpi.h"
#include "console.h"
#include "paging.h"
#include "arch/x86.h"

#define CALIB_MS	20
#define STALL_READS	1000000u	/* reads with no change: the clock is not there */
#define HZ_MIN		100000000ull	/* 100 MHz */
#define HZ_MAX		10000000000ull	/* 10 GHz */
#define PMTMR_HZ	3579545ull
#define PIT_HZ		1193182ull
#define PIT_CH0		0x40
#define PIT_CMD		0x43
#define CMOS_INDEX	0x70
#define CMOS_DATA	0x71
#define HPET_CAP	0x00		/* bits 63:32: counter period in femtoseconds */
#define HPET_CONF	0x10		/* bit 0: the main counter runs */
#define HPET_COUNTER	0xf0

static struct {
	uint64_t hz;
	const char *ref;
	bool invariant;
} tsc = { 0, "none", false };

uint64_t tsc_hz(void) { return tsc.hz; }
const char *tsc_reference(void) { return tsc.ref; }
bool tsc_invariant(void) { return tsc.invariant; }

uint64_t tsc_ns(uint64_t cycles)
{
	/* split to keep cycles * 1e9 from overflowing for runs of hours */
	return cycles / tsc.hz * 1000000000ull + cycles % tsc.hz * 1000000000ull / tsc.hz;
}

void tsc_delay_us(uint64_t us)
{
	uint64_t end = rdtsc() + tsc.hz / 1000000 * us;

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_pause();
}

static uint32_t cpuid_max(uint32_t leaf)
{
	uint32_t a, b, c, d;

	cpuid(leaf, 0, &a, &b, &c, &d);
	return a;
}

static uint64_t from_cpuid(void)
{
	uint32_t den, num, crystal, d, base_mhz, b, c;

	if (cpuid_max(0) < 0x15)
		return 0;
	cpuid(0x15, 0, &den, &num, &crystal, &d);
	if (!den || !num)
		return 0;		/* the ratio is not enumerated */
	if (crystal)
		return (uint64_t)crystal * num / den;
	if (cpuid_max(0) < 0x16)
		return 0;
	cpuid(0x16, 0, &base_mhz, &b, &c, &d);
	return (uint64_t)(base_mhz & 0xffff) * 1000000ull;
}

/* TSC cycles per second over the reference's ticks, each read by read_ref (a counter of
 * `mask` bits at ref_hz); 0 if the counter stops changing. */
static uint64_t measure(uint64_t (*read_ref)(void), uint64_t mask, uint64_t ref_hz)
{
	uint64_t want = ref_hz * CALIB_MS / 1000, ticks = 0, prev = read_ref(), t0 = rdtsc(), t;
	uint32_t still = 0;

	/* each end is a reference read and the TSC read right after it, the same way round */
	for (;;) {
		uint64_t now = read_ref();

		t = rdtsc();
		if (now == prev) {
			if (++still > STALL_READS)
				return 0;	/* a counter that does not count */
			continue;
		}
		still = 0;
		ticks += (now - prev) & mask;	/* the counter wraps at its width */
		prev = now;
		if (ticks >= want)
			return (t - t0) * ref_hz / ticks;
	}
}

static volatile const uint8_t *hpet;

static uint64_t hpet_read(void)
{
	return *(volatile const uint64_t *)(hpet + HPET_COUNTER);
}

static uint64_t from_hpet(void)
{
	const struct acpi_sdt_header *t = acpi_find_table("HPET", 0);
	uint64_t base, cap, period_fs;

	if (!t || t->length < 52)
		return 0;
	__builtin_memcpy(&base, (const uint8_t *)t + 44, 8);	/* the GAS's address */
	if (!base || paging_map_identity(base, 0x1000))
		return 0;
	hpet = (volatile const uint8_t *)base;
	cap = *(volatile const uint64_t *)(hpet + HPET_CAP);
	period_fs = cap >> 32;
	if (!period_fs || period_fs > 100000000ull)	/* the spec's bound: 100 ns */
		return 0;
	*(volatile uint64_t *)(hpet + HPET_CONF) |= 1;	/* run the main counter */
	/* COUNT_SIZE_CAP (bit 13): a 64-bit counter; else it wraps at 32 bits */
	return measure(hpet_read, cap & (1u << 13) ? ~0ull : 0xffffffffull,
		       1000000000000000ull / period_fs);
}

static uint64_t pm_read(void)
{
	return inl(acpi.pm_timer_port);
}

static uint64_t from_pmtimer(void)
{
	if (!acpi.pm_timer_port)
		return 0;
	return measure(pm_read, acpi.pm_timer_32bit ? 0xffffffffull : 0xffffffull, PMTMR_HZ);
}

/* Channel 0 counts down: its complement counts up, as measure() wants. */
static uint64_t pit_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, 0x00);			/* latch channel 0 */
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)~(hi << 8 | lo);
}

static uint64_t from_pit(void)
{
	/* channel 0, lo/hi byte, mode 2 (rate generator: down by one a tick), reload 65536 */
	outb(PIT_CMD, 0x34);
	outb(PIT_CH0, 0);
	outb(PIT_CH0, 0);
	return measure(pit_read, 0xffff, PIT_HZ);
}

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

/* TSC at the next end of an RTC update (register A's UIP falls), or 0 if none comes. */
static uint64_t rtc_update_end(void)
{
	uint64_t n = 0;

	while (!(cmos_read(0x0a) & 0x80))	/* wait for an update to begin */
		if (++n > 20 * (uint64_t)STALL_READS)
			return 0;
	while (cmos_read(0x0a) & 0x80)		/* and end: 244 us later on a real RTC */
		if (++n > 20 * (uint64_t)STALL_READS)
			return 0;
	return rdtsc();
}

static uint64_t from_rtc(void)
{
	uint64_t t0, t1;

	if (cmos_read(0x0a) == 0xff)		/* no RTC: the port floats */
		return 0;
	t0 = rtc_update_end();
	t1 = t0 ? rtc_update_end() : 0;
	return t0 && t1 > t0 ? t1 - t0 : 0;	/* one second apart */
}

static const struct {
	const char *name;
	uint64_t (*hz)(void);
} sources[] = {
	{ "cpuid15", from_cpuid },
	{ "hpet", from_hpet },
	{ "pmtimer", from_pmtimer },
	{ "pit", from_pit },
	{ "rtc", from_rtc },
};

int tsc_calibrate(void)
{
	uint32_t a, b, c, d;

	if (cpuid_max(0x80000000) >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		tsc.invariant = d & (1u << 8);
	}
	for (unsigned i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		uint64_t hz = sources[i].hz();

		if (!hz)
			continue;		/* absent, or does not count */
		if (hz < HZ_MIN || hz > HZ_MAX) {
			kprintf("tsc: %llu Hz against %s is outside 100 MHz..10 GHz: not used\n",
				(unsigned long long)hz, sources[i].name);
			continue;
		}
		tsc.hz = hz;
		tsc.ref = sources[i].name;
		return 0;
	}
	tsc.ref = "none";
	tsc.hz = 1000000000ull;		/* keeps divisions defined; the caller fails the run */
	return -1;
}
