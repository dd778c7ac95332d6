/*
 * kernel/report.c - owns the run's verdict: the current test, its violation count and first
 * invariant, and the pass/fail/skip tallies. Violations may come from any CPU at any time
 * (atomic counters); test begin/end and the summary come from the BSP only.
 */
#include <stdarg.h>
#include "report.h"
#include "console.h"
#include "format.h"
#include "kstring.h"
#include "percpu.h"
#include "power.h"
#include "smp.h"
#include "tsc.h"
#include "arch/x86.h"

static struct {
	const char *test;	/* BSP writes between tests; read by any CPU */
	unsigned number;
	unsigned passed, failed, skipped;
	uint64_t violations;	/* atomic: any CPU */
	const char *first_inv;	/* atomic: first violation's id, set once per test */
	const char *error;	/* atomic: first harness error, set once per test */
	const char *inv_name[REPORT_MAX_INVS];	/* atomic: invariants seen in this test */
	uint64_t inv_count[REPORT_MAX_INVS];	/* atomic: their violations so far */
	uint64_t unprinted;	/* atomic: violations counted, not printed */
	const char *deciding;	/* BSP between tests: the invariant that decides, NULL: any */
	uint64_t verdict_due;	/* atomic: TSC of the verdict deadline, 0: none */
	char error_text[160];
	int finishing;		/* atomic: one CPU ends the run */
	/* the verdict block (report_finish): each test's ok/not ok line, the run's first
	 * VIOLATION line, shortened, reprinted after the long tables so they stay in sight */
	char verdict[REPORT_VERDICT_TESTS][REPORT_VERDICT_CHARS];	/* BSP */
	unsigned nverdicts;
	int first_taken;	/* atomic: a CPU is writing first_violation */
	int first_ready;	/* atomic: it is written */
	char first_violation[REPORT_VERDICT_CHARS];
} rep = { .test = "init" };

/* keep the first REPORT_VERDICT_CHARS - 1 characters of s in dst (the line break dropped) */
static void keep_short(char *dst, const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != '\n' && n + 1 < REPORT_VERDICT_CHARS) {
		dst[n] = s[n];
		n++;
	}
	dst[n] = 0;
}

void report_test_begin(const char *name)
{
	rep.test = name;
	rep.number++;
	__atomic_store_n(&rep.violations, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&rep.first_inv, NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&rep.error, NULL, __ATOMIC_RELAXED);
	__atomic_store_n(&rep.unprinted, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&rep.verdict_due, 0, __ATOMIC_RELAXED);
	rep.deciding = NULL;
	for (unsigned i = 0; i < REPORT_MAX_INVS; i++) {
		__atomic_store_n(&rep.inv_name[i], NULL, __ATOMIC_RELAXED);
		__atomic_store_n(&rep.inv_count[i], 0, __ATOMIC_RELAXED);
	}
}

const char *report_current_test(void)
{
	return rep.test;
}

uint64_t report_violations(void)
{
	return __atomic_load_n(&rep.violations, __ATOMIC_RELAXED);
}

/* The invariant's line count in this test; NULL when the table is full (then counted alone). */
static uint64_t *inv_lines(const char *inv)
{
	for (unsigned i = 0; i < REPORT_MAX_INVS; i++) {
		const char *name = __atomic_load_n(&rep.inv_name[i], __ATOMIC_ACQUIRE);

		if (!name) {
			const char *none = NULL;

			/* acq_rel: the name is read by others that then use its slot */
			if (__atomic_compare_exchange_n(&rep.inv_name[i], &none, inv, false,
							__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				return &rep.inv_count[i];
			name = none;
		}
		if (name == inv || strcmp(name, inv) == 0)
			return &rep.inv_count[i];
	}
	return NULL;
}

uint64_t report_violations_of(const char *inv)
{
	for (unsigned i = 0; i < REPORT_MAX_INVS; i++) {
		/* acquire: pairs with inv_lines' claim of the slot */
		const char *name = __atomic_load_n(&rep.inv_name[i], __ATOMIC_ACQUIRE);

		if (!name)
			break;
		if (name == inv || strcmp(name, inv) == 0)
			/* relaxed: a count, read by the BSP to decide when a test is over */
			return __atomic_load_n(&rep.inv_count[i], __ATOMIC_RELAXED);
	}
	return 0;
}

void report_deciding_inv(const char *inv)
{
	rep.deciding = inv;
}

void report_verdict_disarm(void)
{
	/* ~0: disarmed for the rest of the test (0 would let the next violation arm it) */
	__atomic_store_n(&rep.verdict_due, ~0ull, __ATOMIC_RELAXED);
}

void report_verdict_rearm(void)
{
	/* a test made of several runs (seed-effect): the next run may arm it again */
	__atomic_store_n(&rep.verdict_due, 0, __ATOMIC_RELAXED);
}

uint64_t report_verdict_due(void)
{
	uint64_t due = __atomic_load_n(&rep.verdict_due, __ATOMIC_RELAXED);

	return due == ~0ull ? 0 : due;
}

/*
 * The run is ending (report_finish or report_abort has begun on another CPU, which prints the
 * verdict and SUMMARY and then parks the others): a CPU still racing on in a broken protocol
 * would print after SUMMARY (DESIGN §6 forbids it; seen once when the BSP faulted in a
 * mutated run and two APs went on reporting). It stops here instead, as the park would stop
 * it; the verdict is decided already.
 */
static void stop_if_finishing(void)
{
	if (report_finishing())
		machine_park();
}

bool report_violation_counted(const char *inv)
{
	const char *none = NULL;
	uint64_t *lines = inv_lines(inv), n, zero = 0;

	stop_if_finishing();
	/* relaxed: the watchdog reads it on the BSP at its next tick; a tick late is harmless */
	if (!rep.deciding || strcmp(rep.deciding, inv) == 0)
		__atomic_compare_exchange_n(&rep.verdict_due, &zero,
					    rdtsc() + tsc_hz() / 1000 * REPORT_VERDICT_MS, false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED);

	/* relaxed: counts; the lines themselves are ordered by the console lock */
	__atomic_add_fetch(&rep.violations, 1, __ATOMIC_RELAXED);
	__atomic_compare_exchange_n(&rep.first_inv, &none, inv, false,
				    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	n = lines ? __atomic_add_fetch(lines, 1, __ATOMIC_RELAXED) : REPORT_LINES_PER_INV + 2;
	/* a fault ends the run: its line is printed however many came before it */
	if (n <= REPORT_LINES_PER_INV || strcmp(inv, "fault") == 0)
		return true;
	__atomic_add_fetch(&rep.unprinted, 1, __ATOMIC_RELAXED);
	if (n == REPORT_LINES_PER_INV + 1)
		kprintf("  (further %s violations in test %s are counted, not printed)\n", inv, rep.test);
	return false;
}

static void violation_line(const char *inv, const char *fmt, va_list ap)
{
	char line[KPRINTF_MAX];
	int len;

	stop_if_finishing();
	len = ksnprintf(line, sizeof(line), "VIOLATION inv=%s test=%s cpu=%u ", inv, rep.test,
			cpu_id());

	if (len < 0 || (size_t)len >= sizeof(line))
		len = 0;
	kvsnprintf(line + len, sizeof(line) - (size_t)len, fmt, ap);
	kprintf("%s\n", line);
	if (!__atomic_exchange_n(&rep.first_taken, 1, __ATOMIC_ACQ_REL)) {
		keep_short(rep.first_violation, line);
		/* release: the text is in place before report_finish reads it */
		__atomic_store_n(&rep.first_ready, 1, __ATOMIC_RELEASE);
	}
}

void report_violation_line(const char *inv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	violation_line(inv, fmt, ap);
	va_end(ap);
}

void report_violation(const char *inv, const char *fmt, ...)
{
	va_list ap;

	if (!report_violation_counted(inv))
		return;
	va_start(ap, fmt);
	violation_line(inv, fmt, ap);
	va_end(ap);
}

void report_error(const char *fmt, ...)
{
	const char *none = NULL;
	va_list ap;

	if (!__atomic_compare_exchange_n(&rep.error, &none, rep.error_text, false,
					 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		return;
	va_start(ap, fmt);
	kvsnprintf(rep.error_text, sizeof(rep.error_text), fmt, ap);
	va_end(ap);
	kprintf("ERROR test=%s cpu=%u: %s\n", rep.test, cpu_id(), rep.error_text);
}

/* a usage error, like a malformed option (exit 2), not a test that found a bug (exit 1): the
 * test never ran, so no ok/not ok line and no SUMMARY */
__attribute__((noreturn)) static void usage_error(const char *msg, const char *why)
{
	kprintf("error: test=%s: %s: %s\n", rep.test, msg, why);
	machine_finish(EXIT_USAGE);
}

void report_usage_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	usage_error(msg, "the options ask for more than this machine has");
}

void report_usage_conflict(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	usage_error(msg, "the options contradict each other");
}

static void keep_verdict(const char *fmt, ...)
{
	char line[REPORT_VERDICT_CHARS];
	va_list ap;

	if (rep.nverdicts >= REPORT_VERDICT_TESTS)
		return;
	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	keep_short(rep.verdict[rep.nverdicts++], line);
}

static bool end_line(const char *stats)
{
	uint64_t v = report_violations();
	const char *first = __atomic_load_n(&rep.first_inv, __ATOMIC_RELAXED);
	const char *err = __atomic_load_n(&rep.error, __ATOMIC_RELAXED);

	report_verdict_disarm();
	if (v == 0 && !err) {
		rep.passed++;
		kprintf("ok %u - %s%s%s\n", rep.number, rep.test, stats[0] ? " " : "", stats);
		keep_verdict("ok %u - %s", rep.number, rep.test);
		return true;
	}
	rep.failed++;
	if (__atomic_load_n(&rep.unprinted, __ATOMIC_RELAXED))
		kprintf("  %s: %llu of %llu violations counted, not printed (%u per invariant are)\n",
			rep.test, (unsigned long long)__atomic_load_n(&rep.unprinted, __ATOMIC_RELAXED),
			(unsigned long long)v, REPORT_LINES_PER_INV);
	if (err)
		kprintf("not ok %u - %s violations=%llu first=%s error=\"%s\"\n", rep.number,
			rep.test, (unsigned long long)v, first ? first : "none", err);
	else
		kprintf("not ok %u - %s violations=%llu first=%s\n", rep.number, rep.test,
			(unsigned long long)v, first);
	keep_verdict("not ok %u - %s violations=%llu first=%s%s", rep.number, rep.test,
		     (unsigned long long)v, first ? first : "none", err ? " (error)" : "");
	return false;
}

bool report_test_end(const char *fmt, ...)
{
	char stats[KPRINTF_MAX - 64];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(stats, sizeof(stats), fmt, ap);
	va_end(ap);
	return end_line(stats);
}

void report_skip(const char *name, const char *reason)
{
	rep.number++;
	rep.skipped++;
	kprintf("ok %u - %s # SKIP %s\n", rep.number, name, reason);
}

bool report_finishing(void)
{
	return __atomic_load_n(&rep.finishing, __ATOMIC_ACQUIRE);
}

static __attribute__((noreturn)) void summary_and_exit(void)
{
	/* the verdict again, short, after whatever long tables came before it: on a real
	 * machine's screen (on_finish=auto halts there) it is what stays in sight */
	kprintf("  verdict:\n");
	for (unsigned i = 0; i < rep.nverdicts; i++)
		kprintf("  verdict: %s\n", rep.verdict[i]);
	/* acquire: pairs with the release in violation_line */
	if (__atomic_load_n(&rep.first_ready, __ATOMIC_ACQUIRE))
		kprintf("  verdict: first %s\n", rep.first_violation);
	if (rep.skipped)
		kprintf("SUMMARY: %u passed, %u failed, %u skipped\n", rep.passed, rep.failed,
			rep.skipped);
	else
		kprintf("SUMMARY: %u passed, %u failed\n", rep.passed, rep.failed);
	smp_park_others();	/* real hardware halts with the verdict, not with CPUs racing on */
	machine_finish(rep.failed ? EXIT_FAIL : EXIT_PASS);
}

void report_finish(void)
{
	if (__atomic_exchange_n(&rep.finishing, 1, __ATOMIC_ACQ_REL))
		machine_park();
	summary_and_exit();
}

void report_abort(void)
{
	if (__atomic_exchange_n(&rep.finishing, 1, __ATOMIC_ACQ_REL))
		machine_park();
	if (rep.number == 0)
		rep.number = 1;		/* died before the first test began: name the phase */
	end_line("");
	summary_and_exit();
}
