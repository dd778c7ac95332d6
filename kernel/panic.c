/*
 * kernel/panic.c - the harness found itself in a state it cannot continue from (not a
 * protocol violation: those go through report_violation). Prints the message and this CPU's
 * backtrace, fails the current test as an ERROR and ends the run with exit code 1.
 */
#include <stdarg.h>
#include "panic.h"
#include "console.h"
#include "format.h"
#include "report.h"
#include "backtrace.h"
#include "percpu.h"

void panic(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("PANIC cpu=%u: %s\n", cpu_id(), msg);
	backtrace_here();
	report_error("panic: %s", msg);
	report_abort();
}
