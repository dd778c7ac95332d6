/*
 * kernel/console.c - owns the console lock and fans each piece of text out to COM1 and the
 * framebuffer console. Formatting happens before the lock is taken (format.c), so the lock is
 * held only for the device writes.
 */
#include "console.h"
#include "format.h"
#include "kstring.h"
#include "serial.h"
#include "fbcon.h"
#include "percpu.h"
#include "power.h"
#include "spinlock.h"

static struct {
	struct spinlock lock;	/* serialises device writes; protects fb_on */
	int fb_on;
} con = { SPINLOCK_INIT("console"), 0 };

void console_enable_fb(int on)
{
	con.fb_on = on;
}

void console_phase(const char *what)
{
	static const char pre[] = "rmap-harness: ";

	/* the BSP alone, before any AP runs: no lock needed */
	if (!con.fb_on)
		return;
	fbcon_write(pre, sizeof(pre) - 1);
	fbcon_write(what, strlen(what));
	fbcon_write("\n", 1);
}

void console_write(const char *s, size_t n)
{
	int cpu = (int)cpu_id();
	/* a CPU that faulted inside console_write must still be able to print its dump */
	int nested = spin_held_by(&con.lock, cpu);

	struct percpu *p = cpu_this();

	if (!nested) {
		/*
		 * An NMI that arrives from here until the unlock must neither print (a second
		 * ticket behind our own) nor stop this CPU (our ticket would never be served):
		 * trap.c sees console_waiting and defers the stop to after the unlock. The signal
		 * fences keep the flag's stores on their side of the ticket (same-CPU NMI only).
		 */
		__atomic_store_n(&p->console_waiting, 1, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		spin_lock(&con.lock, cpu);
	}
	if (serial_write(s, n) && con.fb_on) {
		static const char note[] = "serial: the UART stopped draining; dropped (screen only)\n";

		fbcon_write(note, sizeof(note) - 1);
	}
	if (con.fb_on)
		fbcon_write(s, n);
	if (!nested) {
		spin_unlock(&con.lock);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		__atomic_store_n(&p->console_waiting, 0, __ATOMIC_RELAXED);
		__atomic_signal_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&p->park_deferred, __ATOMIC_RELAXED))
			machine_park();
	}
	cpu_heartbeat();	/* printing is progress: a slow framebuffer is not a hang */
}

bool console_held_here(void)
{
	return spin_held_by(&con.lock, (int)cpu_id());
}

int kvprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_MAX];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len;

	if (n < 0)
		return n;
	len = (size_t)n;
	if (len >= sizeof(buf)) {
		/* cut: keep the line a line, and say it was cut */
		__builtin_memcpy(buf + sizeof(buf) - 5, "...\n", 5);
		len = sizeof(buf) - 1;
	}
	console_write(buf, len);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
