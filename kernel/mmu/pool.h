/*
 * pool.h - where descs and table pages come from and go to (kernel/mmu/pool.c), and KVM's
 * per-CPU memory caches (kvm_mmu_memory_cache) that a writer tops up before taking mmu_lock.
 *
 * A pool carves fixed-size objects from env pages and never gives a page back before
 * pool_destroy, so a stale pointer always reads mapped memory. A freed object is poisoned
 * (POOL_POISON) and waits in a FIFO quarantine of the last `quarantine` frees before it can be
 * handed out again: a walker that follows a stale pointer reads poison (invariant `uaf`), and
 * a store into a freed object is found when it leaves quarantine (also `uaf`). Each object in
 * quarantine remembers who freed it, when and in which step, so that a `uaf` report can name
 * the free it raced with (pool_find_freed). The pool's own
 * spinlock covers its free list and quarantine; objects in a memory cache belong to the cache's
 * owner only.
 */
#ifndef MMU_POOL_H
#define MMU_POOL_H

#include <stdbool.h>
#include <stdint.h>

#define POOL_POISON		0x6b		/* the byte (the kernel's page_free uses it too) */
#define POOL_POISON64		0x6b6b6b6b6b6b6b6bull
#define POOL_QUARANTINE_MAX	512

struct pool;
/* Called (pool lock held) for each page the pool takes from the environment. */
typedef bool (*pool_new_page_fn)(struct pool *p, void *page);

struct pool_chunk;

/* One quarantined object and its free: by which CPU, when (env_now_ns), in which step. */
struct pool_freed {
	void *obj;
	const char *why;		/* a string literal naming the caller's step */
	uint64_t t_ns;
	unsigned cpu;
};

struct pool {
	const char *name;
	unsigned obj_size;		/* divides 4096 */
	unsigned quarantine;		/* frees held back, <= POOL_QUARANTINE_MAX */
	pool_new_page_fn new_page;	/* may be NULL */
	void *ctx;			/* for new_page */
	unsigned long lock;		/* atomic: 1 = held */
	void *free_list;		/* linked through each free object's first word */
	struct pool_freed q[POOL_QUARANTINE_MAX];	/* ring of poisoned objects, oldest at q_head */
	unsigned q_head, q_len;
	struct pool_chunk *chunks;	/* every env page taken, for pool_destroy */
	/* statistics, under lock */
	uint64_t pages, allocs, frees, poison_broken;
};

void pool_init(struct pool *p, const char *name, unsigned obj_size, unsigned quarantine,
	       pool_new_page_fn new_page, void *ctx);
void pool_destroy(struct pool *p);
/* One zeroed object, or NULL when the environment is out of pages. */
void *pool_alloc(struct pool *p);
/* Poison obj and put it in quarantine, recording why (the step freeing it, a literal); the
 * oldest object leaves it (checked) if full. */
void pool_free(struct pool *p, void *obj, const char *why);
/* If the object holding addr is in quarantine, its free record (true); takes the pool lock,
 * for reports only. */
bool pool_find_freed(struct pool *p, const void *addr, struct pool_freed *out);
/* Objects allocated and not freed (including those sitting in memory caches). */
uint64_t pool_in_use(struct pool *p);
/* uaf: every object now in quarantine still holds its poison; reports each one that does not
 * (written after its free) and returns how many. For checkpoints: takes the pool lock. */
uint64_t pool_check_quarantine(struct pool *p);

#define MMU_CACHE_CAPACITY	40

/* kvm_mmu_memory_cache: objects taken ahead, so that allocation under mmu_lock cannot fail. */
struct mmu_memory_cache {
	int nobjs;
	void *objects[MMU_CACHE_CAPACITY];
};

/* Fill mc from p to capacity if it holds fewer than min. Call without mmu_lock. 0 or -1. */
int mmu_topup_memory_cache(struct pool *p, struct mmu_memory_cache *mc, int min);
/* Take one object; the caller checked there is one (fault's "can I finish?" test). */
void *mmu_memory_cache_alloc(struct mmu_memory_cache *mc);
/* Give every unused object back to p (they were never used: no quarantine). */
void mmu_free_memory_cache(struct pool *p, struct mmu_memory_cache *mc);

#endif /* MMU_POOL_H */
