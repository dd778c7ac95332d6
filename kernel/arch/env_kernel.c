/*
 * kernel/arch/env_kernel.c - the kernel's implementation of env.h, the portable interface of
 * kernel/mmu and kernel/rmap: one-line forwards to the platform (cpu_id, page_alloc and
 * page_free, report_violation, panic, the watchdog's wait declarations). Owns `env`: the
 * harness's spin statistics array (set while no CPU spins), each CPU's current spin (written
 * by that CPU only), the TSC at the start of the current run of the core and the violation
 * counts per invariant since then (atomics, any CPU). The verdict itself is report.c's.
 *
 * Spins are declared to the watchdog lazily: only once one has lasted half the watchdog's
 * bound (checked in env_cpu_relax, the body of every spin loop), and then with its real start
 * as wait_since. Declaring every short spin at its start would race with the watchdog, which
 * reads the TSC once per tick and then each CPU's wait_since: a wait begun in between has a
 * start after the tick's "now", and now - since underflows into a false liveness report
 * (watchdog.c; seen at -smp 16 under TCG, where rmap spins start thousands of times a second).
 */
#include <stdarg.h>
#include "env.h"
#include "arch/x86.h"
#include "format.h"
#include "panic.h"
#include "percpu.h"
#include "pmm.h"
#include "report.h"
#include "smp.h"
#include "tsc.h"
#include "watchdog.h"

const char *const env_lock_names[ENV_NR_LOCKS] = {
	[ENV_LOCK_MMU] = "mmu_lock",
	[ENV_LOCK_RMAP] = "rmap lock",
	[ENV_LOCK_FLUSH] = "tlb flush",
};

/* A CPU's spin in progress; its own CPU reads and writes it. */
struct env_spin {
	uint64_t start;			/* TSC at env_spin_begin */
	unsigned relaxes;		/* env_cpu_relax calls in this spin */
	const void *obj;
	enum env_lock lock;
	bool active, declared;
} __attribute__((aligned(64)));

static struct {
	struct env_spin_stats (*stats)[ENV_NR_LOCKS];	/* the harness's, or NULL */
	unsigned ncpus;
	struct env_spin *spin;			/* [nspin], allocated once */
	unsigned nspin;
	uint64_t declare_cycles;		/* half the watchdog's bound */
	uint64_t t0;				/* TSC at env_report_start */
} env;

unsigned env_cpu_id(void)
{
	return cpu_id();
}

static struct env_spin *spin_of_this_cpu(void)
{
	unsigned id = cpu_id();

	return id < env.nspin ? &env.spin[id] : NULL;
}

/* The spin has lasted half the bound: declare it, as having begun when it did. */
static void declare_spin(struct env_spin *s)
{
	struct percpu *p = cpu_this();

	p->wait_what = env_lock_names[s->lock];
	p->wait_obj = s->obj;
	p->wait_since = s->start;
	/* release: pairs with the watchdog's acquire load of wait; what/obj/since come with it */
	__atomic_store_n(&p->wait, CPU_WAIT_LOCK, __ATOMIC_RELEASE);
	s->declared = true;
}

/*
 * The clock is read once per 64 relaxes: a pause is ~100 cycles on hardware, so the declaration
 * is late by microseconds; but QEMU's TCG reads its clock under a spinlock, and hundreds of
 * vCPUs reading the TSC on every spin iteration made that lock, not ours, the bottleneck.
 */
void env_cpu_relax(void)
{
	struct env_spin *s;

	cpu_pause();
	s = spin_of_this_cpu();
	if (!s || !s->active || ++s->relaxes % 64)
		return;
	smp_nap();	/* a pause more, or on a heavily overcommitted machine a halt */
	if (!s->declared && rdtsc() - s->start > env.declare_cycles)
		declare_spin(s);
}

uint64_t env_now_ns(void)
{
	return tsc_ns(rdtsc());
}

void env_delay_us(unsigned us)
{
	tsc_delay_us(us);
}

void *env_page_alloc(void)
{
	return page_alloc();
}

void env_page_free(void *page)
{
	page_free(page);
}

void env_spin_begin(enum env_lock lock, const void *obj)
{
	struct env_spin *s = spin_of_this_cpu();

	if (!s)
		return;
	s->start = rdtsc();
	s->relaxes = 0;
	s->obj = obj;
	s->lock = lock;
	s->declared = false;
	s->active = true;
}

void env_spin_end(enum env_lock lock)
{
	struct env_spin *s = spin_of_this_cpu();
	unsigned cpu = cpu_id();
	struct env_spin_stats *st;
	uint64_t cycles;

	if (!s || !s->active)
		return;
	cycles = rdtsc() - s->start;
	s->active = false;
	if (s->declared)
		cpu_wait_end();
	if (!env.stats || cpu >= env.ncpus)
		return;
	st = &env.stats[cpu][lock];
	st->spins++;
	st->cycles += cycles;
	if (cycles > st->max)
		st->max = cycles;
	st->hist[env_hist_bucket(cycles)]++;
}

void env_set_spin_stats(struct env_spin_stats (*stats)[ENV_NR_LOCKS], unsigned ncpus)
{
	env.stats = stats;
	env.ncpus = stats ? ncpus : 0;
}

void env_report_start(void)
{
	unsigned n = smp_online();

	/* BSP, no CPU spinning: the per-CPU spin records, once (pmm_alloc_contig never frees) */
	if (!env.spin) {
		env.spin = pmm_alloc_contig((unsigned)((n * sizeof(*env.spin) + PAGE_SIZE - 1) /
						       PAGE_SIZE));
		env.nspin = env.spin ? n : 0;
	}
	env.declare_cycles = tsc_hz() / 1000 * watchdog_bound_ms() / 2;
	env.t0 = rdtsc();
}

uint64_t env_violations_of(const char *inv)
{
	return report_violations_of(inv);	/* counted per test, by report.c */
}

void env_violation(const char *inv, uint64_t gfn, int level, const char *fmt, ...)
{
	uint64_t ms;
	char detail[320];
	va_list ap;

	if (!report_violation_counted(inv))
		return;		/* past the invariant's printed lines: counted, nothing formatted */
	ms = tsc_ns(rdtsc() - env.t0) / 1000000;
	va_start(ap, fmt);
	kvsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	report_violation_line(inv, "gfn=%llx level=%d t_ms=%llu detail=\"%s\"", (unsigned long long)gfn,
			      level, (unsigned long long)ms, detail);
}

void env_assert_fail(const char *expr, const char *file, int line)
{
	panic("assertion failed: %s at %s:%d", expr, file, line);
}
