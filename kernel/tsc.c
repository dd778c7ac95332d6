/*
 * kernel/tsc.c - calibrates the TSC once, on the BSP at boot, and owns the result (`tsc`).
 * Reference: the ACPI PM timer when the FADT gives one (UEFI machines may have no working
 * PIT), else PIT channel 2 gated through port 0x61 (the method Linux's pit_calibrate_tsc
 * uses). Each measures CALIB_MS and the TSC is read at both ends.
 */
#include "tsc.h"
#include "acpi.h"
#include "console.h"
#include "arch/x86.h"

#define CALIB_MS	50
#define PMTMR_HZ	3579545ull
#define PIT_HZ		1193182ull
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PIT_GATE	0x61	/* bit 0: channel 2 gate, bit 1: speaker, bit 5: OUT2 */

static struct {
	uint64_t hz;
	const char *ref;
} tsc = { 0, "none" };

uint64_t tsc_hz(void) { return tsc.hz; }
const char *tsc_reference(void) { return tsc.ref; }

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

static uint64_t calibrate_pmtimer(void)
{
	uint32_t mask = acpi.pm_timer_32bit ? 0xffffffffu : 0xffffffu;
	uint64_t want = PMTMR_HZ * CALIB_MS / 1000, ticks = 0;
	uint32_t prev = inl(acpi.pm_timer_port) & mask;
	uint64_t t0 = rdtsc(), t1;
	uint64_t guard = 0;

	while (ticks < want) {
		uint32_t now = inl(acpi.pm_timer_port) & mask;

		ticks += (now - prev) & mask;	/* the counter wraps at 24 or 32 bits */
		prev = now;
		if (++guard > 100000000ull)
			return 0;		/* a timer that does not count */
	}
	t1 = rdtsc();
	return (t1 - t0) * PMTMR_HZ / ticks;
}

static uint64_t calibrate_pit(void)
{
	uint64_t count = PIT_HZ * CALIB_MS / 1000, t0, t1, guard = 0;
	uint8_t gate = inb(PIT_GATE);

	outb(PIT_GATE, (gate & ~0x02) & ~0x01);		/* gate low, speaker off */
	outb(PIT_CMD, 0xb0);				/* channel 2, lo/hi byte, mode 0 */
	outb(PIT_CH2, count & 0xff);
	outb(PIT_CH2, (count >> 8) & 0xff);
	outb(PIT_GATE, (gate & ~0x02) | 0x01);		/* gate high: counting starts */
	t0 = rdtsc();
	while (!(inb(PIT_GATE) & 0x20))			/* OUT2 goes high at terminal count */
		if (++guard > 100000000ull)
			return 0;
	t1 = rdtsc();
	outb(PIT_GATE, gate);
	return (t1 - t0) * PIT_HZ / count;
}

int tsc_calibrate(void)
{
	if (acpi.pm_timer_port) {
		tsc.hz = calibrate_pmtimer();
		tsc.ref = "pmtimer";
	}
	if (!tsc.hz) {
		tsc.hz = calibrate_pit();
		tsc.ref = "pit";
	}
	if (!tsc.hz) {
		tsc.ref = "none";
		tsc.hz = 1000000000ull;		/* keeps divisions defined; the caller fails the run */
		return -1;
	}
	return 0;
}
