/*
 * spinlock.h - a ticket spinlock for platform code (console, page allocator).
 * FIFO, so a CPU that prints a lot cannot starve the others. The holder's CPU id is kept so
 * that the exception path can tell "this CPU already holds it" from contention.
 */
#ifndef SPINLOCK_H
#define SPINLOCK_H

#include <stdint.h>
#include "arch/x86.h"

struct spinlock {
	uint32_t next;		/* ticket dispenser */
	uint32_t owner;		/* ticket now served */
	int32_t holder_cpu;	/* -1 when free; written only by the holder */
};

#define SPINLOCK_INIT { 0, 0, -1 }

static inline void spin_lock(struct spinlock *l, int cpu)
{
	/* relaxed: the ticket only orders us among waiters; acquire comes with the owner load */
	uint32_t t = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	/* acquire: pairs with the release store of owner in spin_unlock */
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != t)
		cpu_pause();
	__atomic_store_n(&l->holder_cpu, cpu, __ATOMIC_RELAXED);
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->holder_cpu, -1, __ATOMIC_RELAXED);
	/* release: publishes the critical section to the next ticket's acquire load */
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
}

/* For the exception path: does this CPU hold the lock? */
static inline int spin_held_by(struct spinlock *l, int cpu)
{
	return __atomic_load_n(&l->holder_cpu, __ATOMIC_RELAXED) == cpu;
}

#endif
