/*
 * console.h - the kernel's text output: COM1 and the framebuffer carry the same text.
 * kprintf formats into a buffer first and writes it under the console lock in one piece, so
 * lines from different CPUs never interleave mid-line. Safe from any CPU and from the
 * exception path (a CPU that faults while holding the lock writes without taking it again).
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>

#define KPRINTF_MAX 512		/* longer output is cut and ends with "...\n" */

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void console_write(const char *s, size_t n);
void console_enable_fb(int on);
/* Boot progress on the screen only, "rmap-harness: <what>": on a real machine a hang in ACPI,
 * the TSC calibration or the AP start-up shows where it stopped (the serial console gets the
 * banner and the phase times instead). BSP, before the APs run. */
void console_phase(const char *what);
bool console_held_here(void);	/* this CPU is inside console_write (an interrupt came) */

#endif
