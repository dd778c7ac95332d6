/*
 * mmu_lock.h - KVM's mmu_lock: a reader/writer spinlock built on atomics (kernel/mmu/mmu_lock.c).
 * The shadow MMU's writer (faults, zaps, chain changes) holds it for write; lockless agers hold
 * nothing. Writers are preferred: a waiting writer stops new readers. The counters are
 * statistics, written only by the holder they describe.
 */
#ifndef MMU_LOCK_H
#define MMU_LOCK_H

#include <stdint.h>
#include <stdbool.h>

#define MMU_LOCK_WRITER		1ul	/* held for write */
#define MMU_LOCK_WAITING	2ul	/* a writer waits: readers stay out */
#define MMU_LOCK_READER		4ul	/* one reader; the count lives in bits 2.. */

struct mmu_lock {
	unsigned long word;		/* atomic: WRITER | WAITING | readers * READER */
	unsigned owner;			/* cpu id + 1 of the write holder, 0 = none */
	uint64_t write_acquires;	/* under the lock for write */
	uint64_t write_contended;	/* write acquisitions that had to wait */
	uint64_t write_spins;		/* relax iterations those waits took */
};

void mmu_lock_init(struct mmu_lock *l);
void mmu_write_lock(struct mmu_lock *l);
void mmu_write_unlock(struct mmu_lock *l);
void mmu_read_lock(struct mmu_lock *l);
void mmu_read_unlock(struct mmu_lock *l);

/* lockdep_assert_held_write: true when this CPU holds l for write. */
bool mmu_lock_held_write(const struct mmu_lock *l);

/* rwlock_needbreak: a writer waits for l (for a holder that may drop it between chunks). */
bool mmu_lock_contended(const struct mmu_lock *l);

#endif /* MMU_LOCK_H */
