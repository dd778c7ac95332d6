/* serial.h - COM1 (16550) output at 115200 8N1; kernel/serial.c. */
#ifndef SERIAL_H
#define SERIAL_H
#include <stddef.h>
int serial_init(void);			/* 0 when a UART answered, -1 when none is there */
void serial_write(const char *s, size_t n);	/* '\n' goes out as "\r\n"; caller serialises */
#endif
