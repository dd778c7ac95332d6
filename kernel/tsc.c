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
 *   rtc      the MC146818 RTC's seconds register: the TSC at three changes of it, and the
 *            seconds it moved by (slow: 2-3 s a try; only when nothing else is).
 * Each measures CALIB_MS (the RTC: two intervals of a second) with the TSC read at both ends,
 * and every wait is bounded: a clock whose counter stops changing for STALL_READS reads
 * counts as absent. A measurement is checked against a second one of the same clock: a CPU
 * held up (a vCPU the host did not run, an SMI) inside a measurement, long enough to miss a
 * wrap of the PIT's 16-bit counter (55 ms) or an RTC update, measures a rate two or three
 * times too high that still looks plausible (6.3 GHz against the RTC was seen, under TCG on a
 * loaded host, on a 2.1 GHz TSC). Two that disagree by more than AGREE_PPM (1 %: a 20 ms
 * measurement held up 100 us at one end is 0.5 % off) are measured again,
 * up to CALIB_TRIES pairs; then the clock is not used (printed).
 * Invariant TSC (CPUID 0x80000007 EDX bit 8) is recorded and printed; without it the TSC may
 * change rate with P-states on old hardware, which the boot line says.
 */
#include "tsc.h"
#include "acpi.h"
#include "console.h"
#include "paging.h"
#include "arch/x86.h"

#define CALIB_MS	20
#define AGREE_PPM	10000		/* two measurements within 1 % of each other */
#define CALIB_TRIES	4
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

/* The RTC's seconds register (0..59) read outside an update (UIP clear), or -1 if UIP
 * stays set; binary or BCD as register B says. */
static int rtc_seconds(void)
{
	uint8_t s;

	for (uint32_t n = 0; cmos_read(0x0a) & 0x80; n++)
		if (n > STALL_READS)
			return -1;
	s = cmos_read(0x00);
	if (!(cmos_read(0x0b) & 0x04))			/* DM clear: BCD */
		s = (uint8_t)((s >> 4) * 10 + (s & 0x0f));
	return s < 60 ? s : -1;
}

/* The TSC when the seconds register next changes, and its new value (sec), or 0. */
static uint64_t rtc_next_second(int *sec)
{
	int s0 = rtc_seconds(), s = s0;

	for (uint64_t n = 0; s == s0 && s0 >= 0; n++) {
		if (n > 20 * (uint64_t)STALL_READS)
			return 0;
		s = rtc_seconds();
	}
	*sec = s;
	return s >= 0 && s0 >= 0 ? rdtsc() : 0;
}

/* Two measurements of one rate within AGREE_PPM of each other? */
static bool agree(uint64_t a, uint64_t b)
{
	return (a > b ? a - b : b - a) <= a / 1000000 * AGREE_PPM;
}

/*
 * Two intervals between changes of the seconds register, each divided by the seconds it
 * moved (more than one if this CPU was held up across a change: counted, not lost), checked
 * against each other (up to CALIB_TRIES times) as tsc_calibrate checks the other clocks.
 */
static uint64_t from_rtc(void)
{
	uint64_t t[3], hz[2] = { 0, 0 };
	int s[3];

	if (cmos_read(0x0a) == 0xff)		/* no RTC: the port floats */
		return 0;
	for (unsigned k = 0; k < CALIB_TRIES; k++) {
		int secs[2];
		bool read_ok = true;

		/* a read that failed (UIP held, a value mid-update) costs this try, not the clock */
		for (int i = 0; i < 3 && read_ok; i++)
			read_ok = (t[i] = rtc_next_second(&s[i])) != 0;
		for (int i = 0; i < 2 && read_ok; i++) {
			secs[i] = (s[i + 1] - s[i] + 60) % 60;
			read_ok = secs[i] && t[i + 1] > t[i];
			if (read_ok)
				hz[i] = (t[i + 1] - t[i]) / (uint64_t)secs[i];
		}
		if (read_ok && agree(hz[0], hz[1]))
			return (t[2] - t[0]) / (uint64_t)(secs[0] + secs[1]);
	}
	kprintf("tsc: rtc measured %llu and %llu Hz, apart by more than 1 %% %u times: not used\n",
		(unsigned long long)hz[0], (unsigned long long)hz[1], CALIB_TRIES);
	return 0;
}

static const struct {
	const char *name;
	uint64_t (*hz)(void);
	bool twice;		/* a measurement: check it against a second one */
} sources[] = {
	{ "cpuid15", from_cpuid, false },	/* enumerated, not measured */
	{ "hpet", from_hpet, true },
	{ "pmtimer", from_pmtimer, true },
	{ "pit", from_pit, true },
	{ "rtc", from_rtc, false },		/* checks its own two intervals */
};

/* The rate against source i: two measurements in a row that agree (the later one), or 0. */
static uint64_t calibrate_against(unsigned i)
{
	uint64_t a = sources[i].hz(), b = 0;

	if (!a || !sources[i].twice)
		return a;
	for (unsigned k = 0; k < CALIB_TRIES; k++) {
		b = sources[i].hz();
		if (!b)
			return 0;
		if (agree(a, b))
			return b;
		a = b;
	}
	kprintf("tsc: %s measured %llu and %llu Hz, apart by more than 1 %% %u times: not used\n",
		sources[i].name, (unsigned long long)a, (unsigned long long)b, CALIB_TRIES);
	return 0;
}

int tsc_calibrate(void)
{
	uint32_t a, b, c, d;

	if (cpuid_max(0x80000000) >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		tsc.invariant = d & (1u << 8);
	}
	for (unsigned i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		uint64_t hz = calibrate_against(i);

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
