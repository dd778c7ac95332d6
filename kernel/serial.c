/*
 * kernel/serial.c - COM1, a 16550 UART at I/O port 0x3f8, polled, 115200 8N1.
 * A PC without a serial port reads 0xff from the port: the scratch-register test finds that
 * and the console then writes to the framebuffer alone. Locking is the console's job.
 */
#include "serial.h"
#include "arch/x86.h"

#define COM1		0x3f8
#define UART_THR	0	/* transmit holding (DLAB=0) */
#define UART_DLL	0	/* divisor low (DLAB=1) */
#define UART_IER	1
#define UART_DLM	1	/* divisor high (DLAB=1) */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5
#define UART_SCR	7
#define LSR_THRE	0x20	/* transmit holding register empty */
#define LCR_DLAB	0x80
#define LCR_8N1		0x03

static int serial_present;

int serial_init(void)
{
	outb(COM1 + UART_SCR, 0xae);
	if (inb(COM1 + UART_SCR) != 0xae)
		return -1;
	outb(COM1 + UART_IER, 0x00);		/* polled: no interrupts */
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, 1);		/* 115200 = 1.8432 MHz / 16 / 1 */
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0xc7);		/* enable and clear FIFOs, 14-byte threshold */
	outb(COM1 + UART_MCR, 0x03);		/* DTR, RTS */
	serial_present = 1;
	return 0;
}

static void serial_putc(char c)
{
	/* bounded wait: a wedged UART must not hang the verdict on the framebuffer */
	for (int spins = 0; spins < 100000; spins++) {
		if (inb(COM1 + UART_LSR) & LSR_THRE)
			break;
		cpu_pause();
	}
	outb(COM1 + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	if (!serial_present)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}
