/*
 * kernel/rmap/check.c - the online invariant checks of check.h. They read the chain and the
 * shadow-page metadata with the same rights as the caller (rmap lock held, or the world
 * stopped) and never write anything but the holder counts. Pointers are validated before they
 * are followed, so a broken variant produces a violation rather than a wild read.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/mmu.h"
#include "mmu/page_index.h"
#include "mmu/pool.h"
#include "rmap/check.h"

#define CHAIN_MAX_DESCS	(1u << 16)	/* longer means a cycle */
#define FP_PRIME	0x100000001b3ull

static uint64_t fp_mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * FP_PRIME;
}

unsigned long rmap_check_hold(struct memslot *slot, struct rmap_head *head, unsigned long val)
{
	struct rmap_cell *cell = rmap_cell_of(head);
	/*
	 * relaxed: the count orders nothing. With a working lock the holders' increments and
	 * decrements are already ordered by its acquire/release; with a broken one two holders
	 * overlap and the atomic add shows it.
	 */
	uint32_t before = atomic_fetch_add(&cell->holders, 1u, MO_RELAXED);
	int last = rmap_last_holder(head);
	gfn_t gfn = 0;
	int level = 0;

	/* relaxed: a diagnostic for reports */
	atomic_set(&cell->holder_cpu, env_cpu_id() + 1, MO_RELAXED);
	if (!before && !(val & RMAP_LOCKED))
		return val;
	memslot_head_to_gfn(slot, head, &gfn, &level);
	if (before)
		env_violation("mutex", gfn, level,
			      "rmap lock taken (val=%#lx) while %u other holder(s) hold it, last cpu %d",
			      val, before, last);
	if (val & RMAP_LOCKED)
		env_violation("liveness", gfn, level,
			      "rmap lock returned val=%#lx with LOCKED set: unlocking with it leaves the rmap locked for ever",
			      val);
	return val & ~RMAP_LOCKED;
}

void rmap_check_release(struct rmap_head *head)
{
	/* relaxed: see rmap_check_hold */
	atomic_fetch_sub(&rmap_cell_of(head)->holders, 1ul, MO_RELAXED);
}

enum rmap_ptr_state rmap_desc_state(const struct memslot *slot, const struct pte_list_desc *desc)
{
	if ((uintptr_t)desc % sizeof(struct pte_list_desc) || !page_index_get(slot->desc_index, desc))
		return RMAP_PTR_NOT_DESC;
	if ((uint64_t)(uintptr_t)desc->more == POOL_POISON64 ||
	    desc->spte_count == (uint32_t)POOL_POISON64)
		return RMAP_PTR_FREED;
	return RMAP_PTR_OK;
}

bool rmap_check_desc(const struct memslot *slot, const struct pte_list_desc *desc, gfn_t gfn,
		     int level)
{
	enum rmap_ptr_state st = rmap_desc_state(slot, desc);

	if (st != RMAP_PTR_OK)
		env_violation("uaf", gfn, level, "desc %p is %s", (const void *)desc,
			      rmap_ptr_state_text(st));
	return st == RMAP_PTR_OK;
}

enum rmap_ptr_state rmap_sptep_state(const struct memslot *slot, const uint64_t *sptep,
				     gfn_t gfn, int level, uint64_t *spte)
{
	const struct mmu_page *sp;
	unsigned i;

	*spte = 0;
	if (!sptep || (uintptr_t)sptep % sizeof(uint64_t))
		return RMAP_PTR_NOT_SPTEP;
	sp = page_index_get(slot->sp_index, sptep);
	if (!sp)
		return RMAP_PTR_NOT_TABLE;
	/*
	 * relaxed: a lockless peek; a freed page reads as poison, a live one as an SPTE. An
	 * unlinked page (SP_ZAPPED) is still allocated: its leaves leave their rmaps before the
	 * writer frees it, and that needs the rmap lock a locked caller holds.
	 */
	*spte = atomic_read(sptep, MO_RELAXED);
	if (*spte == POOL_POISON64 || atomic_read(&sp->state, MO_RELAXED) == SP_FREE)
		return RMAP_PTR_FREED;
	i = (unsigned)(sptep - sp->spt);
	if (sp->level != level || sp_gfn_at(sp, i) != (gfn & ~(pages_per_level(level) - 1)))
		return RMAP_PTR_WRONG_SLOT;
	return RMAP_PTR_OK;
}

const char *rmap_ptr_state_inv(enum rmap_ptr_state st)
{
	return st == RMAP_PTR_NOT_DESC || st == RMAP_PTR_FREED ? "uaf" : "spte-owner";
}

const char *rmap_ptr_state_text(enum rmap_ptr_state st)
{
	static const char *const text[] = {
		[RMAP_PTR_OK] = "valid", [RMAP_PTR_NOT_DESC] = "not a pte_list_desc",
		[RMAP_PTR_FREED] = "freed (poisoned)", [RMAP_PTR_NOT_SPTEP] = "not an SPTE pointer",
		[RMAP_PTR_NOT_TABLE] = "not in a table page",
		[RMAP_PTR_WRONG_SLOT] = "an entry of another rmap (freed, reused?)",
	};

	return text[st];
}

bool rmap_check_sptep(const struct memslot *slot, const uint64_t *sptep, gfn_t gfn, int level)
{
	uint64_t spte;
	enum rmap_ptr_state st = rmap_sptep_state(slot, sptep, gfn, level, &spte);
	const struct mmu_page *sp;
	unsigned i;

	if (st == RMAP_PTR_OK)
		return true;
	if (st != RMAP_PTR_WRONG_SLOT) {
		env_violation(rmap_ptr_state_inv(st), gfn, level, "sptep %p is %s (spte=%#llx)",
			      (const void *)sptep, rmap_ptr_state_text(st), (unsigned long long)spte);
		return false;
	}
	sp = page_index_get(slot->sp_index, sptep);
	i = (unsigned)(sptep - sp->spt);
	env_violation("spte-owner", gfn, level, "sptep %p is entry %u of a level-%d page for gfn %llx",
		      (const void *)sptep, i, sp->level, (unsigned long long)sp_gfn_at(sp, i));
	return false;
}

/* The sptep at iter's position, read from the validated desc; NULL after a report. */
static uint64_t *checked_entry(const struct memslot *slot, const struct rmap_iterator *iter,
			       gfn_t gfn, int level)
{
	uint64_t *sptep;

	if (!rmap_check_desc(slot, iter->desc, gfn, level))
		return NULL;
	sptep = iter->desc->sptes[iter->pos];
	if (!rmap_check_desc(slot, iter->desc, gfn, level) || !rmap_check_sptep(slot, sptep, gfn, level))
		return NULL;
	return sptep;
}

uint64_t *rmap_check_get_first(const struct memslot *slot, unsigned long val,
			       struct rmap_iterator *iter, gfn_t gfn, int level)
{
	if (!val)
		return NULL;
	iter->pos = 0;
	if (!(val & RMAP_MANY)) {
		iter->desc = NULL;
		return rmap_check_sptep(slot, (uint64_t *)val, gfn, level) ? (uint64_t *)val : NULL;
	}
	iter->desc = (struct pte_list_desc *)(val & ~RMAP_MANY);
	return checked_entry(slot, iter, gfn, level);
}

uint64_t *rmap_check_get_next(const struct memslot *slot, struct rmap_iterator *iter, gfn_t gfn,
			      int level)
{
	struct pte_list_desc *next;
	uint32_t count;

	if (!iter->desc)
		return NULL;
	count = iter->desc->spte_count;
	next = iter->desc->more;
	if (!rmap_check_desc(slot, iter->desc, gfn, level))
		return NULL;
	if (++iter->pos < count)
		return checked_entry(slot, iter, gfn, level);
	iter->desc = next;
	iter->pos = 0;
	return next ? checked_entry(slot, iter, gfn, level) : NULL;
}

/* One desc of a chain: its counts and entries; mixes it into *h. */
static bool check_one_desc(const struct memslot *slot, gfn_t gfn, int level,
			   const struct pte_list_desc *d, bool is_head, uint32_t tail, uint64_t *h)
{
	if (!rmap_check_desc(slot, d, gfn, level))
		return false;
	if (d->spte_count < 1 || d->spte_count > PTE_LIST_EXT ||
	    (!is_head && d->spte_count != PTE_LIST_EXT) || d->tail_count != tail) {
		env_violation("audit", gfn, level,
			      "desc %p: spte_count=%u tail_count=%u (%s desc, %u entries behind it)",
			      (const void *)d, d->spte_count, d->tail_count, is_head ? "head" : "tail",
			      tail);
		return false;
	}
	*h = fp_mix(fp_mix(fp_mix(*h, (uintptr_t)d), (uintptr_t)d->more), d->tail_count);
	for (unsigned i = 0; i < PTE_LIST_EXT; i++) {
		if (i >= d->spte_count) {
			if (d->sptes[i]) {
				env_violation("audit", gfn, level, "desc %p: sptes[%u] set beyond count %u",
					      (const void *)d, i, d->spte_count);
				return false;
			}
			continue;
		}
		if (!rmap_check_sptep(slot, d->sptes[i], gfn, level))
			return false;
		*h = fp_mix(*h, (uintptr_t)d->sptes[i]);
	}
	return true;
}

bool rmap_check_chain(const struct memslot *slot, gfn_t gfn, int level, unsigned long val,
		      uint64_t *fp, uint64_t *nr_descs)
{
	const struct pte_list_desc *d;
	uint64_t h = fp_mix(0xcbf29ce484222325ull, val);
	uint32_t total = 0, ndesc = 0;

	*nr_descs = 0;
	if (val & RMAP_LOCKED) {
		env_violation("spte-owner", gfn, level,
			      "chain value %#lx has LOCKED set: its first pointer is off by two", val);
		return false;
	}
	if (val && !(val & RMAP_MANY)) {
		if (!rmap_check_sptep(slot, (const uint64_t *)val, gfn, level))
			return false;
	} else if (val) {
		/* first pass: pointers and totals, bounded against cycles */
		for (d = (const struct pte_list_desc *)(val & ~RMAP_MANY); d; d = d->more) {
			if (!rmap_check_desc(slot, d, gfn, level))
				return false;
			if (++ndesc > CHAIN_MAX_DESCS) {
				env_violation("audit", gfn, level, "chain longer than %u descs (a cycle?)",
					      CHAIN_MAX_DESCS);
				return false;
			}
			total += d->spte_count;
		}
		/* second pass: counts against what lies behind each desc, entries, fingerprint */
		d = (const struct pte_list_desc *)(val & ~RMAP_MANY);
		for (bool head = true; d; d = d->more, head = false) {
			/* validated before its first read: a broken hold may have freed it since */
			if (!rmap_check_desc(slot, d, gfn, level))
				return false;
			total -= d->spte_count;
			if (!check_one_desc(slot, gfn, level, d, head, total, &h))
				return false;
		}
	}
	*fp = h;
	*nr_descs = ndesc;
	return true;
}

void rmap_check_stable(const struct memslot *slot, struct rmap_head *head, gfn_t gfn, int level,
		       unsigned long locked_val, uint64_t fp)
{
	unsigned long now = __rmap_get(head);
	uint64_t fp_now = fp, ndesc;

	/* the head first (cheap), then every desc, then the head again: the window to the
	 * unlock stays as short as it can be */
	if (now == locked_val && rmap_check_chain(slot, gfn, level, now, &fp_now, &ndesc) &&
	    fp_now == fp && (now = __rmap_get(head)) == locked_val)
		return;
	env_violation("chain-stable", gfn, level,
		      "chain changed while the rmap was locked (locked %#lx, now %#lx%s; last locker cpu %d)",
		      locked_val, now, fp_now == fp ? "" : ", descs differ", rmap_last_holder(head));
}

uint64_t rmap_check_stuck(const struct memslot *slot)
{
	uint64_t stuck = 0;

	for (int level = PG_LEVEL_4K; level <= MMU_MAX_LEAF_LEVEL; level++) {
		for (uint64_t idx = 0; idx < memslot_nheads(slot, level); idx++) {
			gfn_t gfn = memslot_index_to_gfn(slot, level, idx);
			/* relaxed: a snapshot; LOCKED alone is never a transient state */
			unsigned long val = atomic_read(&gfn_to_rmap(slot, gfn, level)->val, MO_RELAXED);

			if (val != RMAP_LOCKED)
				continue;
			stuck++;
			env_violation("liveness", gfn, level,
				      "rmap is LOCKED with no chain: its locker got 0 and will never unlock");
		}
	}
	return stuck;
}
