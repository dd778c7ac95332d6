/*
 * kernel/mmu/mmu_lock.c - the reader/writer spinlock behind mmu_lock (mmu_lock.h). One word:
 * bit 0 the writer, bit 1 a waiting writer, bits 2.. the reader count. Acquisitions are
 * acquire operations and releases are release operations on that word, so a critical section
 * happens-before the next holder's. owner and the write_* counters belong to the write holder.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/mmu_lock.h"

void mmu_lock_init(struct mmu_lock *l)
{
	l->word = 0;
	l->owner = 0;
	l->write_acquires = 0;
	l->write_contended = 0;
	l->write_spins = 0;
}

void mmu_write_lock(struct mmu_lock *l)
{
	unsigned long old = 0;
	uint64_t spins = 0;

	/* acquire: pairs with the release in mmu_write_unlock and mmu_read_unlock */
	if (!atomic_try_cmpxchg(&l->word, &old, MMU_LOCK_WRITER, MO_ACQUIRE)) {
		/* contended: declared to the watchdog, so `liveness` names mmu_lock */
		env_spin_begin(ENV_LOCK_MMU, l);
		do {
			/* relaxed: WAITING only keeps new readers out; it orders no data */
			if (!(old & MMU_LOCK_WAITING))
				atomic_fetch_or(&l->word, MMU_LOCK_WAITING, MO_RELAXED);
			env_cpu_relax();
			spins++;
			/* take it from "no holder, perhaps our WAITING bit": readers then stay out */
			old = atomic_read(&l->word, MO_RELAXED) & MMU_LOCK_WAITING;
			/* acquire: as above */
		} while (!atomic_try_cmpxchg(&l->word, &old, MMU_LOCK_WRITER, MO_ACQUIRE));
		env_spin_end(ENV_LOCK_MMU);
	}
	/* relaxed: owner is read by this CPU (asserts) or by diagnostics only */
	atomic_set(&l->owner, env_cpu_id() + 1, MO_RELAXED);
	l->write_acquires++;
	if (spins) {
		l->write_contended++;
		l->write_spins += spins;
	}
}

void mmu_write_unlock(struct mmu_lock *l)
{
	ENV_ASSERT(mmu_lock_held_write(l));
	atomic_set(&l->owner, 0, MO_RELAXED);
	/*
	 * release: publishes the critical section to the next acquirer (the acquire cmpxchg in
	 * mmu_write_lock or fetch_add in mmu_read_lock). Clears WAITING too: another waiting
	 * writer sets it again on its next spin.
	 */
	atomic_set(&l->word, 0, MO_RELEASE);
}

void mmu_read_lock(struct mmu_lock *l)
{
	for (;;) {
		/* acquire: pairs with the release store in mmu_write_unlock */
		unsigned long old = atomic_fetch_add(&l->word, MMU_LOCK_READER, MO_ACQUIRE);

		if (!(old & (MMU_LOCK_WRITER | MMU_LOCK_WAITING)))
			return;
		/* relaxed: we held nothing; undo our count and wait for the writer to leave */
		atomic_fetch_sub(&l->word, MMU_LOCK_READER, MO_RELAXED);
		env_spin_begin(ENV_LOCK_MMU, l);
		while (atomic_read(&l->word, MO_RELAXED) & (MMU_LOCK_WRITER | MMU_LOCK_WAITING))
			env_cpu_relax();
		env_spin_end(ENV_LOCK_MMU);
	}
}

void mmu_read_unlock(struct mmu_lock *l)
{
	/* release: pairs with the acquire cmpxchg of the next writer */
	atomic_fetch_sub(&l->word, MMU_LOCK_READER, MO_RELEASE);
}

bool mmu_lock_held_write(const struct mmu_lock *l)
{
	return (atomic_read(&l->word, MO_RELAXED) & MMU_LOCK_WRITER) &&
	       atomic_read(&l->owner, MO_RELAXED) == env_cpu_id() + 1;
}

bool mmu_lock_contended(const struct mmu_lock *l)
{
	/* relaxed: a hint to yield; the lock itself orders everything */
	return atomic_read(&l->word, MO_RELAXED) & MMU_LOCK_WAITING;
}
