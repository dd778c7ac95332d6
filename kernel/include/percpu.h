/*
 * percpu.h - the per-CPU area, reached through the GS base (IA32_GS_BASE), one per CPU.
 * kernel/percpu.c owns the BSP's area and the dense-number table; kernel/smp/smp.c makes the
 * APs'. Dense CPU numbers (0 = BSP, 1..N-1) are kept apart from APIC ids everywhere.
 * The liveness fields are written by their own CPU only and read by the watchdog.
 */
#ifndef PERCPU_H
#define PERCPU_H

#include <stddef.h>
#include <stdint.h>
#include "arch/x86.h"
#include "irq_torture.h"

enum cpu_wait {
	CPU_WAIT_NONE,		/* running: the heartbeat must move */
	CPU_WAIT_IDLE,		/* parked between tests */
	CPU_WAIT_BARRIER,	/* at a barrier or rendezvous: blocked on others */
	CPU_WAIT_LOCK,		/* spinning on a lock */
};

struct percpu {
	struct percpu *self;		/* %gs:0, so cpu_this() is one load */
	unsigned id;			/* dense CPU number */
	uint32_t apic_id;
	uint64_t stack_lo, stack_hi;	/* bounds for backtraces */
	unsigned in_trap;		/* nesting depth of exception handling on this CPU */
	unsigned nmi_backtrace;		/* watchdog asks for a backtrace by NMI; 2: answered
					 * without one (this CPU waited for the console lock) */
	unsigned console_waiting;	/* in console_write, before it has the console lock */
	unsigned park_deferred;		/* an NMI asked this CPU to stop while it was queued for
					 * the console lock: it stops once its line is out */
	unsigned nmi_expected;		/* a test sends this CPU NMIs on purpose (trap_nmi_expect) */
	unsigned nmi_expected_taken;	/* ... and this CPU's NMI handler counted so many */
	unsigned nmi_expected_framed;	/* ... of them with RBP on this CPU's stack: a frame the
					 * watchdog's backtrace could walk (not a guest's RBP) */
	/* liveness (own CPU writes, watchdog reads; relaxed: a stale read only delays a report) */
	uint64_t heartbeat __attribute__((aligned(64)));
	enum cpu_wait wait;
	const char *wait_what;		/* "mmu_lock", "barrier smoke", ... */
	const void *wait_obj;
	uint64_t wait_since;		/* TSC */
	struct irq_torture irq;		/* irq_hz= (own CPU only) */
	const char *doing;		/* what its test has it do (a harness role), for reports */
} __attribute__((aligned(64)));

/* The running CPU's area; valid from the first line of kmain (BSP) and ap_entry (APs). */
static inline struct percpu *cpu_this(void)
{
	return (struct percpu *)read_gs_qword0();
}

void percpu_init_bsp(void);
void percpu_install(struct percpu *p);	/* sets this CPU's GS base to p */
unsigned cpu_id(void);

/* Progress and waiting, for the watchdog (kernel/smp/watchdog.c). */
static inline void cpu_heartbeat(void)
{
	struct percpu *p = cpu_this();

	__atomic_store_n(&p->heartbeat, p->heartbeat + 1, __ATOMIC_RELAXED);
}

static inline void cpu_wait_begin(enum cpu_wait kind, const char *what, const void *obj)
{
	struct percpu *p = cpu_this();

	p->wait_what = what;
	p->wait_obj = obj;
	p->wait_since = rdtsc();
	__atomic_store_n(&p->wait, kind, __ATOMIC_RELEASE);	/* pairs with the watchdog's acquire */
}

static inline void cpu_wait_end(void)
{
	struct percpu *p = cpu_this();

	__atomic_store_n(&p->wait, CPU_WAIT_NONE, __ATOMIC_RELAXED);
	p->wait_what = NULL;
	__atomic_store_n(&p->heartbeat, p->heartbeat + 1, __ATOMIC_RELAXED);
}

#endif
