/*
 * kernel/serial.c - the serial console: a 16550-compatible UART, polled, 8N1. Owns `uart`.
 * At boot COM1 (I/O port 0x3f8) at 115200, as GRUB's grub.cfg sets it; once ACPI and the
 * command line are read, serial_select() moves it where console= says, or by default where the
 * ACPI SPCR table says (a server's BMC console may be COM2 or an MMIO UART), else keeps COM1.
 * Registers are I/O ports one byte apart, or 32-bit MMIO registers four bytes apart.
 * A PC without a serial port reads 0xff from the port: the scratch-register test finds that
 * and the console then writes to the framebuffer alone. A UART that stops draining (a BMC
 * nobody reads, flow control held) is dropped after one bounded wait, not waited on per
 * character under the console lock. Locking is the console's job.
 */
#include "serial.h"
#include "acpi.h"
#include "format.h"
#include "paging.h"
#include "arch/x86.h"

#define COM1		0x3f8
#define COM2		0x2f8
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
#define DRAIN_SPINS	1000000	/* a character's wait: ~87 us at 115200, this is far more */

static struct {
	bool present;
	bool mmio;
	uint64_t base;		/* I/O port, or the MMIO registers' physical address */
	unsigned baud;
	bool dropped;
	char where[48];		/* "io:0x3f8,115200" */
} uart;

static uint8_t reg_rd(unsigned r)
{
	if (uart.mmio)
		return (uint8_t)*(volatile uint32_t *)(uart.base + 4 * r);
	return inb((uint16_t)(uart.base + r));
}

static void reg_wr(unsigned r, uint8_t v)
{
	if (uart.mmio)
		*(volatile uint32_t *)(uart.base + 4 * r) = v;
	else
		outb((uint16_t)(uart.base + r), v);
}

static void describe(void)
{
	char baud[16] = "as set";

	if (uart.baud)
		ksnprintf(baud, sizeof(baud), "%u", uart.baud);
	ksnprintf(uart.where, sizeof(uart.where), "%s0x%llx,%s", uart.mmio ? "mmio32:" : "io:",
		  (unsigned long long)uart.base, baud);
}

/* Program the UART at (mmio, base) for baud (0: keep the divisor firmware set, as an SPCR
 * baud code 0 asks); -1 if nothing answers there. */
static int open_uart(bool mmio, uint64_t base, unsigned baud)
{
	uart.present = false;
	uart.mmio = mmio;
	uart.base = base;
	uart.baud = baud;
	uart.dropped = false;
	describe();
	if (mmio && paging_map_identity(base & ~0xfffull, 0x1000))
		return -1;
	reg_wr(UART_SCR, 0xae);
	if (reg_rd(UART_SCR) != 0xae)
		return -1;
	reg_wr(UART_IER, 0x00);			/* polled: no interrupts */
	if (baud) {
		unsigned div = 115200 / baud;

		reg_wr(UART_LCR, LCR_DLAB);
		reg_wr(UART_DLL, (uint8_t)div);	/* 1.8432 MHz / 16 / div */
		reg_wr(UART_DLM, (uint8_t)(div >> 8));
	}
	reg_wr(UART_LCR, LCR_8N1);
	reg_wr(UART_FCR, 0xc7);			/* enable and clear FIFOs, 14-byte threshold */
	reg_wr(UART_MCR, 0x03);			/* DTR, RTS */
	uart.present = true;
	return 0;
}

int serial_init(void)
{
	return open_uart(false, COM1, 115200);
}

/*
 * SPCR (Microsoft's Serial Port Console Redirection table): interface type at 36 (0: full
 * 16550, 1: 16450-compatible subset), the base address as a GAS at 40 (space 0 memory, 1 I/O;
 * register width at 41, access size at 43), the baud rate code at 58 (3 9600, 4 19200, 6 57600,
 * 7 115200, 0 as already set). 1: a UART we drive; 0: no usable table; -1: an MMIO UART whose
 * registers are not 32 bits wide (not driven: the caller says so and keeps COM1).
 */
static int from_spcr(bool *mmio, uint64_t *base, unsigned *baud)
{
	static const unsigned rates[8] = { 0, 0, 0, 9600, 19200, 0, 57600, 115200 };
	const struct acpi_sdt_header *h = acpi_find_table("SPCR", 0);
	const uint8_t *t = (const uint8_t *)h;

	if (!h || h->length < 80 || t[36] > 1 || (t[40] != 0 && t[40] != 1))
		return 0;
	*mmio = t[40] == 0;
	__builtin_memcpy(base, t + 44, 8);
	*baud = t[58] < 8 ? rates[t[58]] : 0;
	if (*mmio && t[43] != 3 && t[41] != 32)
		return -1;
	return *base != 0;
}

const char *serial_select(int kind, uint64_t addr, unsigned baud)
{
	bool mmio = false, keep = false;
	uint64_t base = COM1;
	unsigned spcr_baud = 0;
	const char *src = "default";
	int n;

	switch (kind) {
	case SERIAL_NONE:
		uart.present = false;
		return "none (console=none)";
	case SERIAL_COM2:
		base = COM2;
		src = "console=";
		break;
	case SERIAL_IO:
	case SERIAL_MMIO32:
		mmio = kind == SERIAL_MMIO32;
		base = addr;
		src = "console=";
		break;
	case SERIAL_COM1:
		src = "console=";
		break;
	default:
		n = from_spcr(&mmio, &base, &spcr_baud);
		if (n < 0) {
			mmio = false;
			base = COM1;
			src = "default: the ACPI SPCR names an MMIO UART with registers not 32 bits wide";
		} else if (n > 0) {
			baud = spcr_baud;	/* 0: as firmware set it */
			src = "ACPI SPCR";
			keep = !baud;
		}
		break;
	}
	if (!keep && !baud)
		baud = 115200;
	if (!mmio && base == COM1 && uart.present && !uart.mmio && baud == 115200)
		n = 0;			/* already so since boot */
	else
		n = open_uart(mmio, base, baud);
	if (n)
		return "absent: nothing answers there (the screen only)";
	return src;
}

const char *serial_where(void)
{
	return uart.present ? uart.where : "none";
}

bool serial_write(const char *s, size_t n)
{
	if (!uart.present)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c[2] = { '\r', s[i] };

		for (int k = s[i] == '\n' ? 0 : 1; k < 2; k++) {
			int spins = 0;

			while (!(reg_rd(UART_LSR) & LSR_THRE) && ++spins < DRAIN_SPINS)
				cpu_pause();
			if (spins == DRAIN_SPINS) {
				/* stopped draining: dropped for the rest of the run */
				uart.present = false;
				uart.dropped = true;
				return true;
			}
			reg_wr(UART_THR, (uint8_t)c[k]);
		}
	}
	return false;
}
