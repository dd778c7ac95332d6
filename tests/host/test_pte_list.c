/*
 * test_pte_list.c - pte_list_add / pte_list_remove / zap_all_rmap_sptes (kernel/rmap/
 * pte_list.c) at chain lengths 1, 2, 14, 15, 28, 29 and 100, removing newest-first,
 * oldest-first, middle-out and in three seeded random orders. After EVERY operation an
 * independent walker (written here, not the core's checker) verifies the head word (encoding,
 * LOCKED clear, no holder), the head desc (1..14 entries), full tails, each tail_count, NULL
 * beyond each count, every expected sptep exactly once, pte_list_count, the return value of
 * pte_list_add and the slot's live-desc count. One deliberate corruption per check proves the
 * walker can fail.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core_tap.h"
#include "env_host.h"
#include "mmu/mmu.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

#define MAX_N 100

static uint64_t fake_sptes[MAX_N] __attribute__((aligned(8)));
static char why[256];

/* Is head's chain exactly the set present[] (n entries)? Explains the first mismatch in why. */
static bool verify(struct memslot *slot, struct rmap_head *head, const bool *present, unsigned n)
{
	unsigned long val = head->val;
	unsigned seen[MAX_N] = { 0 }, total = 0, ndesc = 0;
	const struct pte_list_desc *d;

	if (val & RMAP_LOCKED || rmap_cell_of(head)->holders)
		return snprintf(why, sizeof(why), "locked after the op: val=%#lx", val), false;
	if (pte_list_count(val) != n)
		return snprintf(why, sizeof(why), "pte_list_count %u != %u", pte_list_count(val), n), false;
	if (!val) {
		snprintf(why, sizeof(why), "empty head with %u expected", n);
		return n == 0 && slot->descs_live == 0;
	}
	if (!(val & RMAP_MANY)) {
		uint64_t *s = (uint64_t *)val;

		snprintf(why, sizeof(why), "single %p", (void *)s);
		return n == 1 && s >= fake_sptes && s < fake_sptes + MAX_N && present[s - fake_sptes] &&
		       slot->descs_live == 0;
	}
	for (d = (const struct pte_list_desc *)(val & ~RMAP_MANY); d; d = d->more, ndesc++) {
		unsigned behind = 0;

		if (d->spte_count < 1 || d->spte_count > PTE_LIST_EXT ||
		    (ndesc > 0 && d->spte_count != PTE_LIST_EXT))
			return snprintf(why, sizeof(why), "desc %u holds %u", ndesc, d->spte_count), false;
		for (const struct pte_list_desc *t = d->more; t; t = t->more)
			behind += t->spte_count;
		if (d->tail_count != behind)
			return snprintf(why, sizeof(why), "desc %u tail_count %u, %u behind", ndesc,
					d->tail_count, behind), false;
		for (unsigned i = 0; i < PTE_LIST_EXT; i++) {
			uint64_t *s = d->sptes[i];

			if (i >= d->spte_count) {
				if (s)
					return snprintf(why, sizeof(why), "desc %u slot %u set past count",
							ndesc, i), false;
				continue;
			}
			if (s < fake_sptes || s >= fake_sptes + MAX_N || !present[s - fake_sptes] ||
			    seen[s - fake_sptes]++)
				return snprintf(why, sizeof(why), "desc %u slot %u: unexpected %p", ndesc,
						i, (void *)s), false;
			total++;
		}
	}
	if (total != n || slot->descs_live != ndesc)
		return snprintf(why, sizeof(why), "%u entries in %u descs, %u expected, %llu live",
				total, ndesc, n, (unsigned long long)slot->descs_live), false;
	return true;
}

static uint64_t rng_state;

static unsigned rng(unsigned bound)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % bound);
}

enum order { NEWEST_FIRST, OLDEST_FIRST, MIDDLE_OUT, RANDOM };
static const char *const order_names[] = { "newest-first", "oldest-first", "middle-out", "random" };

static void removal_order(enum order o, unsigned n, unsigned *out)
{
	for (unsigned i = 0; i < n; i++)
		out[i] = o == NEWEST_FIRST ? n - 1 - i : i;
	if (o == MIDDLE_OUT) {
		unsigned lo = n / 2, hi = n / 2 + 1, k = 0;

		out[k++] = lo;
		while (k < n) {
			if (lo > 0)
				out[k++] = --lo;
			if (k < n && hi < n)
				out[k++] = hi++;
		}
	}
	if (o == RANDOM)
		for (unsigned i = n - 1; i > 0; i--) {
			unsigned j = rng(i + 1), t = out[i];

			out[i] = out[j];
			out[j] = t;
		}
}

/* Build a chain of n, verifying after each add, then remove all in order o. */
static bool run_case(struct mmu *mmu, struct mmu_caches *mc, unsigned n, enum order o)
{
	struct memslot *slot = &mmu->slot;
	struct rmap_head *head = gfn_to_rmap(slot, slot->base_gfn, PG_LEVEL_4K);
	bool present[MAX_N] = { false };
	unsigned order[MAX_N];

	for (unsigned i = 0; i < n; i++) {
		int before;

		mmu_topup_memory_caches(mmu, mc);
		mmu_write_lock(&mmu->lock);
		before = pte_list_add(slot, &mc->descs, &fake_sptes[i], head);
		mmu_write_unlock(&mmu->lock);
		present[i] = true;
		if (before != (int)i) {
			snprintf(why, sizeof(why), "add #%u returned %d", i, before);
			return false;
		}
		if (!verify(slot, head, present, i + 1))
			return false;
	}
	removal_order(o, n, order);
	for (unsigned k = 0; k < n; k++) {
		mmu_write_lock(&mmu->lock);
		pte_list_remove(slot, &fake_sptes[order[k]], head);
		mmu_write_unlock(&mmu->lock);
		present[order[k]] = false;
		if (!verify(slot, head, present, n - 1 - k)) {
			char tmp[sizeof(why)];

			memcpy(tmp, why, sizeof(tmp));
			snprintf(why, sizeof(why), "after removing #%u (%u left): %.200s", order[k],
				 n - 1 - k, tmp);
			return false;
		}
	}
	return env_host_violations() == 0;
}

static unsigned zapped;

static void count_zap(void *ctx, uint64_t *sptep)
{
	(void)ctx;
	(void)sptep;
	zapped++;
}

static void test_zap_all(struct mmu *mmu, struct mmu_caches *mc, unsigned n)
{
	struct memslot *slot = &mmu->slot;
	struct rmap_head *head = gfn_to_rmap(slot, slot->base_gfn, PG_LEVEL_4K);
	bool none[MAX_N] = { false };

	for (unsigned i = 0; i < n; i++) {
		mmu_topup_memory_caches(mmu, mc);
		mmu_write_lock(&mmu->lock);
		pte_list_add(slot, &mc->descs, &fake_sptes[i], head);
		mmu_write_unlock(&mmu->lock);
	}
	zapped = 0;
	mmu_write_lock(&mmu->lock);
	zap_all_rmap_sptes(slot, head, count_zap, NULL);
	mmu_write_unlock(&mmu->lock);
	tap_check(zapped == n && verify(slot, head, none, 0),
		  "zap_all_rmap_sptes of %u: %u zapped, chain empty, descs freed", n, zapped);
}

/* The verifier must be able to fail: corrupt one field of a 29-entry chain at a time. */
static void test_verify_can_fail(struct mmu *mmu, struct mmu_caches *mc)
{
	struct memslot *slot = &mmu->slot;
	struct rmap_head *head = gfn_to_rmap(slot, slot->base_gfn, PG_LEVEL_4K);
	bool present[MAX_N] = { false };
	struct pte_list_desc *d;
	bool caught[4];

	for (unsigned i = 0; i < 29; i++) {
		mmu_topup_memory_caches(mmu, mc);
		mmu_write_lock(&mmu->lock);
		pte_list_add(slot, &mc->descs, &fake_sptes[i], head);
		mmu_write_unlock(&mmu->lock);
		present[i] = true;
	}
	d = (struct pte_list_desc *)(head->val & ~RMAP_MANY);
	d->more->tail_count++;
	caught[0] = !verify(slot, head, present, 29);
	d->more->tail_count--;
	head->val |= RMAP_LOCKED;
	caught[1] = !verify(slot, head, present, 29);
	head->val &= ~RMAP_LOCKED;
	present[3] = false;
	caught[2] = !verify(slot, head, present, 28);
	present[3] = true;
	d->more->spte_count--;
	caught[3] = !verify(slot, head, present, 29);
	d->more->spte_count++;
	tap_check(caught[0] && caught[1] && caught[2] && caught[3] && verify(slot, head, present, 29),
		  "verifier catches a wrong tail_count, a LOCKED bit, an extra entry, a short tail");
	mmu_write_lock(&mmu->lock);
	zap_all_rmap_sptes(slot, head, count_zap, NULL);
	mmu_write_unlock(&mmu->lock);
}

static void test_remove_missing(struct mmu *mmu, struct mmu_caches *mc)
{
	struct memslot *slot = &mmu->slot;
	struct rmap_head *head = gfn_to_rmap(slot, slot->base_gfn, PG_LEVEL_4K);

	env_host_set_print_limit(0);
	for (unsigned i = 0; i < 3; i++) {
		mmu_topup_memory_caches(mmu, mc);
		mmu_write_lock(&mmu->lock);
		pte_list_add(slot, &mc->descs, &fake_sptes[i], head);
		mmu_write_unlock(&mmu->lock);
	}
	mmu_write_lock(&mmu->lock);
	pte_list_remove(slot, &fake_sptes[50], head);
	zap_all_rmap_sptes(slot, head, count_zap, NULL);
	mmu_write_unlock(&mmu->lock);
	tap_check(env_host_violations_of("audit") == 1 && head->val == 0,
		  "removing an sptep the chain lacks is reported (audit) and leaves the chain intact");
	env_host_reset();
	env_host_set_print_limit(10);
}

int main(void)
{
	static const unsigned lengths[] = { 1, 2, 14, 15, 28, 29, 100 };
	static struct mmu mmu;
	struct mmu_caches mc = { 0 };

	env_host_set_test("pte-list");
	if (mmu_init(&mmu, 0, 1024, 1, 0, rmap_ops_find("none"), true)) {
		printf("not ok 1 - mmu_init\n");
		return 1;
	}
	for (unsigned l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
		for (int o = NEWEST_FIRST; o <= RANDOM; o++) {
			unsigned runs = o == RANDOM ? 3 : 1;

			for (unsigned r = 0; r < runs; r++) {
				bool ok;

				rng_state = 0x9e3779b97f4a7c15ull * (lengths[l] * 4 + r + 1);
				ok = run_case(&mmu, &mc, lengths[l], (enum order)o);
				if (runs > 1)
					tap_check(ok, "chain of %u, remove in random order, seed %u",
						  lengths[l], r);
				else
					tap_check(ok, "chain of %u, remove %s", lengths[l], order_names[o]);
				if (!ok)
					printf("# %s\n", why);
			}
		}
	}
	for (unsigned l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++)
		test_zap_all(&mmu, &mc, lengths[l]);
	test_verify_can_fail(&mmu, &mc);
	test_remove_missing(&mmu, &mc);
	mmu_free_memory_caches(&mmu, &mc);
	mmu_destroy(&mmu);
	tap_check(env_host_pages_in_use() == 0, "every env page returned (%lld in use)",
		  (long long)env_host_pages_in_use());
	return tap_finish();
}
