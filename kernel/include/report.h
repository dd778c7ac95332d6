/*
 * report.h - the one report API (after kvm-unit-tests lib/report.c), safe from any CPU.
 * A test is begun, collects violations (protocol FAILUREs, DESIGN §4 ids) and harness ERRORs,
 * and ends with one `ok`/`not ok` line; report_finish() prints SUMMARY and ends the run with
 * the exit code the worst result asks for. Line formats are DESIGN §6.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdbool.h>

/* Per invariant, the first REPORT_LINES_PER_INV violations of a test are printed in full;
 * the rest are counted in O(1), unformatted, and the test's end says how many (a fault, which
 * ends the run, is always printed). */
#define REPORT_LINES_PER_INV	10
/* The verdict block before SUMMARY repeats each test's line and the first VIOLATION, cut short. */
#define REPORT_VERDICT_TESTS	32
#define REPORT_VERDICT_CHARS	120
#define REPORT_MAX_INVS		16	/* invariant names one test can tell apart (DESIGN §4 has 9) */

void report_test_begin(const char *name);
/* fmt continues the line after "cpu=<n>": space-separated key=value pairs, e.g.
 * "gfn=0x12 level=1 detail=\"...\"" (keys [a-z_]+, values quoted when they hold spaces) */
void report_violation(const char *inv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The two halves of report_violation, for a caller that formats its own detail: count it,
 * and true if its line is to be printed (then report_violation_line prints it). */
bool report_violation_counted(const char *inv);
void report_violation_line(const char *inv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* a harness or environment problem: the test fails with first=none and the text as error= */
void report_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Options this machine cannot honour (agers=1000 on 4 CPUs): "error: ..." and exit 2, as a
 * malformed option; called before the test runs anything. */
__attribute__((noreturn, format(printf, 1, 2))) void report_usage_error(const char *fmt, ...);
/* The same for options that contradict each other (guests= with accessors=): exit 2. */
__attribute__((noreturn, format(printf, 1, 2))) void report_usage_conflict(const char *fmt, ...);
/* ends the current test; fmt is the stats tail of the ok line */
bool report_test_end(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void report_skip(const char *name, const char *reason);
/*
 * The verdict deadline (issue 12): from the first violation that decides the current test
 * (of inv, or of any invariant when inv is NULL, the default at each test's begin), the test
 * must reach report_verdict_disarm() (its CPUs back under the BSP's control) or its end within
 * REPORT_VERDICT_MS of kernel time; the watchdog ends it otherwise (watchdog.c).
 */
#define REPORT_VERDICT_MS	2000
void report_deciding_inv(const char *inv);
void report_verdict_disarm(void);
void report_verdict_rearm(void);	/* the next run of a multi-run test may arm it again */
uint64_t report_verdict_due(void);	/* TSC of the deadline; 0: none armed */
uint64_t report_violations(void);	/* in the current test so far */
uint64_t report_violations_of(const char *inv);	/* of one invariant, the same */
const char *report_current_test(void);

bool report_finishing(void);		/* some CPU is ending the run */
/* Ends the run: SUMMARY line, then exit code 0 (all passed) or 1 (any failed). */
__attribute__((noreturn)) void report_finish(void);
/* From the exception or panic path on any CPU: ends the current test as not ok, prints
 * SUMMARY and ends the run; a second CPU arriving here halts quietly. */
__attribute__((noreturn)) void report_abort(void);

#endif
