/*
 * serial.h - the serial console, a polled 16550 at COM1 from boot, then where console= or the
 * ACPI SPCR says (kernel/serial.c).
 */
#ifndef SERIAL_H
#define SERIAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the kinds of console= (the values of enum cmdline_console) */
enum { SERIAL_AUTO, SERIAL_COM1, SERIAL_COM2, SERIAL_IO, SERIAL_MMIO32, SERIAL_NONE };

int serial_init(void);			/* COM1: 0 when a UART answered, -1 when none is there */
/* After ACPI: move the console to kind (addr for io/mmio32, baud 0 = 115200 or the SPCR's).
 * Returns where the choice came from ("console=", "ACPI SPCR", "default") or why none. */
const char *serial_select(int kind, uint64_t addr, unsigned baud);
const char *serial_where(void);		/* "io:0x3f8,115200", "mmio32:0x...", or "none" */
/* '\n' goes out as "\r\n"; caller serialises. True when the UART stopped draining just now
 * and was dropped (the caller says so on the screen). */
bool serial_write(const char *s, size_t n);
#endif
