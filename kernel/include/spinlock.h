/*
 * spinlock.h - the ticket spinlock of platform code (console, page allocator, page tables).
 * FIFO, so a CPU that prints a lot cannot starve the others. The holder's CPU id is kept so
 * the exception path can tell "this CPU already holds it" from contention. A waiter declares
 * its wait to the watchdog (liveness names the lock), and the holder keeps counters:
 * acquisitions, contended acquisitions, cycles spent spinning and cycles held. Counters are
 * written only by the holder, under the lock; readers take a racy snapshot.
 */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include <stdint.h>
#include "arch/x86.h"
#include "percpu.h"

struct spinlock {
	uint32_t next;		/* ticket dispenser */
	uint32_t owner;		/* ticket now served */
	int32_t holder_cpu;	/* -1 when free; written only by the holder */
	const char *name;
	uint64_t acquired, contended, spin_cycles, hold_cycles;
	uint64_t hold_start;
};

#define SPINLOCK_INIT(lock_name) { 0, 0, -1, lock_name, 0, 0, 0, 0, 0 }

static inline void spin_lock(struct spinlock *l, int cpu)
{
	/* relaxed: the ticket only orders us among waiters; acquire comes with the owner load */
	uint32_t t = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
	uint64_t spin = 0;

	/* acquire: pairs with the release store of owner in spin_unlock */
	if (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != t) {
		uint64_t t0 = rdtsc();

		cpu_wait_begin(CPU_WAIT_LOCK, l->name, l);
		while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != t)
			cpu_pause();
		cpu_wait_end();
		spin = rdtsc() - t0;
		l->contended++;
	}
	__atomic_store_n(&l->holder_cpu, cpu, __ATOMIC_RELAXED);
	l->acquired++;
	l->spin_cycles += spin;
	l->hold_start = rdtsc();
}

static inline void spin_unlock(struct spinlock *l)
{
	l->hold_cycles += rdtsc() - l->hold_start;
	__atomic_store_n(&l->holder_cpu, -1, __ATOMIC_RELAXED);
	/* release: publishes the critical section to the next ticket's acquire load; owner is
	 * written only by the holder, so the relaxed read of it is exact */
	__atomic_store_n(&l->owner, __atomic_load_n(&l->owner, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
}

/* For the exception path: does this CPU hold the lock? */
static inline int spin_held_by(struct spinlock *l, int cpu)
{
	return __atomic_load_n(&l->holder_cpu, __ATOMIC_RELAXED) == cpu;
}

#endif
