/*
 * tests/kernel/harness/age_pass.c - the aging passes of age_pass.h: the cursor, the pass
 * boundary, the durations and their percentiles.
 */
#include "atomic.h"
#include "age_pass.h"

void age_pass_init(struct age_pass *p, gfn_t base, uint64_t gfns, uint64_t *durations,
		   uint64_t cap, uint64_t now)
{
	p->next = p->aged = p->passes = 0;
	p->t0 = now;
	p->base = base;
	p->gfns = gfns;
	p->chunks = (gfns + AGE_PASS_CHUNK - 1) / AGE_PASS_CHUNK;
	p->durations = durations;
	p->cap = durations ? cap : 0;
}

bool age_pass_take(struct age_pass *p, gfn_t *start, gfn_t *end)
{
	/* relaxed: a ticket; what it may take is decided by passes (acquire, below) */
	uint64_t k = atomic_read(&p->next, MO_RELAXED);

	for (;;) {
		/* acquire: pairs with the release store of passes by the ager that ended the pass
		 * before; its t0 is in place before anyone ages a chunk of this pass */
		uint64_t open = atomic_read(&p->passes, MO_ACQUIRE);

		if (k >= (open + 1) * p->chunks)
			return false;
		if (atomic_try_cmpxchg(&p->next, &k, k + 1, MO_RELAXED))
			break;
	}
	*start = p->base + (k % p->chunks) * AGE_PASS_CHUNK;
	*end = *start + AGE_PASS_CHUNK;
	if (*end > p->base + p->gfns)
		*end = p->base + p->gfns;
	return true;
}

void age_pass_aged(struct age_pass *p, uint64_t now)
{
	/* acq_rel: every chunk's aging happens-before the ender's time stamp */
	uint64_t d = atomic_fetch_add(&p->aged, 1ull, MO_ACQ_REL) + 1, n;

	if (d % p->chunks)
		return;
	n = d / p->chunks - 1;		/* the pass this chunk ended */
	if (n < p->cap)
		p->durations[n] = now - p->t0;
	p->t0 = now;	/* plain: the next ender reads it after acquiring passes */
	/* release: pairs with age_pass_take's acquire; the next pass opens */
	atomic_set(&p->passes, n + 1, MO_RELEASE);
}

uint64_t age_pass_count(struct age_pass *p)
{
	/* acquire: pairs with the release store of the last pass's ender */
	return atomic_read(&p->passes, MO_ACQUIRE);
}

uint64_t age_pass_heads(const struct memslot *slot, gfn_t start, gfn_t end)
{
	uint64_t n = 0;

	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL; level++)
		n += gfn_to_index(end - 1, slot->base_gfn, level) -
		     gfn_to_index(start, slot->base_gfn, level) + 1;
	return n;
}

/* In-place heap sort of v[0..n). */
static void sift_down(uint64_t *v, uint64_t root, uint64_t n)
{
	for (uint64_t child; (child = 2 * root + 1) < n; root = child) {
		uint64_t t;

		if (child + 1 < n && v[child + 1] > v[child])
			child++;
		if (v[root] >= v[child])
			return;
		t = v[root];
		v[root] = v[child];
		v[child] = t;
	}
}

uint64_t age_pass_percentiles(struct age_pass *p, uint64_t *p50, uint64_t *p99, uint64_t *max)
{
	uint64_t n = age_pass_count(p), *v = p->durations;

	n = n < p->cap ? n : p->cap;
	*p50 = *p99 = *max = 0;
	if (!n)
		return 0;
	for (uint64_t i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (uint64_t end = n; end-- > 1;) {
		uint64_t t = v[0];

		v[0] = v[end];
		v[end] = t;
		sift_down(v, 0, end);
	}
	*p50 = v[(n - 1) * 50 / 100];
	*p99 = v[(n - 1) * 99 / 100];
	*max = v[n - 1];
	return n;
}
