/*
 * kernel/mmu/pool.c - object pools with poison and quarantine, and the per-CPU memory caches
 * (pool.h). pool->lock, a test-and-set spinlock, guards the free list, the quarantine ring,
 * the chunk list and the statistics; it is taken for a few loads and stores only, never
 * around a caller's code.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/pool.h"

/* One env page recording up to CHUNK_PAGES pages the pool took, for pool_destroy. */
#define CHUNK_PAGES	((ENV_PAGE_SIZE - 16) / sizeof(void *))
struct pool_chunk {
	struct pool_chunk *next;
	uint64_t n;
	void *pages[CHUNK_PAGES];
};
_Static_assert(sizeof(struct pool_chunk) <= ENV_PAGE_SIZE, "a chunk fits in a page");

static void pool_lock(struct pool *p)
{
	/* acquire: pairs with the release store in pool_unlock */
	while (atomic_xchg(&p->lock, 1ul, MO_ACQUIRE))
		while (atomic_read(&p->lock, MO_RELAXED))
			env_cpu_relax();
}

static void pool_unlock(struct pool *p)
{
	/* release: the free list and ring as we left them are visible to the next holder */
	atomic_set(&p->lock, 0ul, MO_RELEASE);
}

void pool_init(struct pool *p, const char *name, unsigned obj_size, unsigned quarantine,
	       pool_new_page_fn new_page, void *ctx)
{
	ENV_ASSERT(obj_size >= sizeof(void *) && ENV_PAGE_SIZE % obj_size == 0);
	ENV_ASSERT(quarantine <= POOL_QUARANTINE_MAX);
	__builtin_memset(p, 0, sizeof(*p));
	p->name = name;
	p->obj_size = obj_size;
	p->quarantine = quarantine;
	p->new_page = new_page;
	p->ctx = ctx;
}

/* Take one env page and thread its objects onto the free list. Lock held. */
static bool pool_grow(struct pool *p)
{
	char *page;

	if (!p->chunks || p->chunks->n == CHUNK_PAGES) {
		struct pool_chunk *c = env_page_alloc();

		if (!c)
			return false;
		c->next = p->chunks;
		p->chunks = c;
	}
	page = env_page_alloc();
	if (!page)
		return false;
	if (p->new_page && !p->new_page(p, page)) {
		env_page_free(page);
		return false;
	}
	p->chunks->pages[p->chunks->n++] = page;
	p->pages++;
	for (unsigned off = 0; off < ENV_PAGE_SIZE; off += p->obj_size) {
		*(void **)(page + off) = p->free_list;
		p->free_list = page + off;
	}
	return true;
}

void *pool_alloc(struct pool *p)
{
	void *obj;

	pool_lock(p);
	if (!p->free_list && !pool_grow(p)) {
		pool_unlock(p);
		return NULL;
	}
	obj = p->free_list;
	p->free_list = *(void **)obj;
	p->allocs++;
	pool_unlock(p);
	__builtin_memset(obj, 0, p->obj_size);
	return obj;
}

static bool pool_poison_intact(const struct pool *p, const void *obj)
{
	const uint64_t *w = obj;

	for (unsigned i = 0; i < p->obj_size / sizeof(uint64_t); i++)
		if (w[i] != POOL_POISON64)
			return false;
	return true;
}

void pool_free(struct pool *p, void *obj, const char *why)
{
	struct pool_freed rec = { obj, why, env_now_ns(), env_cpu_id() };
	void *out = NULL;
	bool broken = false;

	__builtin_memset(obj, POOL_POISON, p->obj_size);
	pool_lock(p);
	p->frees++;
	if (p->q_len == p->quarantine) {
		/* the ring is full (or empty with quarantine 0): the oldest object leaves */
		if (p->quarantine) {
			out = p->q[p->q_head].obj;
			p->q[p->q_head] = rec;
			p->q_head = (p->q_head + 1) % p->quarantine;
		} else {
			out = obj;
		}
		broken = p->quarantine && !pool_poison_intact(p, out);
		p->poison_broken += broken;
		*(void **)out = p->free_list;
		p->free_list = out;
	} else {
		p->q[(p->q_head + p->q_len) % p->quarantine] = rec;
		p->q_len++;
	}
	pool_unlock(p);
	if (broken)
		env_violation("uaf", 0, 0, "%s %p was written while freed (poison broken in quarantine)",
			      p->name, out);
}

uint64_t pool_in_use(struct pool *p)
{
	uint64_t n;

	pool_lock(p);
	n = p->allocs - p->frees;
	pool_unlock(p);
	return n;
}

uint64_t pool_check_quarantine(struct pool *p)
{
	void *bad[4];
	uint64_t n = 0;

	pool_lock(p);
	for (unsigned k = 0; k < p->q_len; k++) {
		void *obj = p->q[(p->q_head + k) % p->quarantine].obj;

		if (pool_poison_intact(p, obj))
			continue;
		if (n < sizeof(bad) / sizeof(bad[0]))
			bad[n] = obj;
		n++;
	}
	pool_unlock(p);
	/* reported outside the lock; the first few by address */
	for (uint64_t k = 0; k < n && k < sizeof(bad) / sizeof(bad[0]); k++)
		env_violation("uaf", 0, 0, "%s %p was written while freed (poison broken in quarantine, word 0 %#llx)",
			      p->name, bad[k], (unsigned long long)*(uint64_t *)bad[k]);
	if (n > sizeof(bad) / sizeof(bad[0]))
		env_violation("uaf", 0, 0, "%llu more %s objects written while freed",
			      (unsigned long long)(n - sizeof(bad) / sizeof(bad[0])), p->name);
	return n;
}

bool pool_find_freed(struct pool *p, const void *addr, struct pool_freed *out)
{
	bool found = false;

	pool_lock(p);
	/* newest first: an address freed twice (reused in between) names its last free */
	for (unsigned k = p->q_len; k-- > 0 && !found;) {
		const struct pool_freed *f = &p->q[(p->q_head + k) % p->quarantine];
		const char *o = f->obj;

		if ((const char *)addr >= o && (const char *)addr < o + p->obj_size) {
			*out = *f;
			found = true;
		}
	}
	pool_unlock(p);
	return found;
}

void pool_destroy(struct pool *p)
{
	struct pool_chunk *c = p->chunks;

	while (c) {
		struct pool_chunk *next = c->next;

		for (uint64_t i = 0; i < c->n; i++)
			env_page_free(c->pages[i]);
		env_page_free(c);
		c = next;
	}
	p->chunks = NULL;
	p->free_list = NULL;
	p->q_len = 0;
}

int mmu_topup_memory_cache(struct pool *p, struct mmu_memory_cache *mc, int min)
{
	if (mc->nobjs >= min)
		return 0;
	while (mc->nobjs < MMU_CACHE_CAPACITY) {
		void *obj = pool_alloc(p);

		if (!obj)
			return mc->nobjs >= min ? 0 : -1;
		mc->objects[mc->nobjs++] = obj;
	}
	return 0;
}

void *mmu_memory_cache_alloc(struct mmu_memory_cache *mc)
{
	ENV_ASSERT(mc->nobjs > 0);
	return mc->objects[--mc->nobjs];
}

void mmu_free_memory_cache(struct pool *p, struct mmu_memory_cache *mc)
{
	pool_lock(p);
	while (mc->nobjs) {
		void *obj = mc->objects[--mc->nobjs];

		*(void **)obj = p->free_list;
		p->free_list = obj;
		p->allocs--;
	}
	pool_unlock(p);
}
