/*
 * kernel/rmap/pte_list.c - changing a chain: pte_list_add, pte_list_remove (through
 * pte_list_desc_remove_entry), zap_all_rmap_sptes, as in Linux v6.15+ mmu.c. Every function
 * runs with mmu_lock held for write and takes the rmap lock itself; the new chain becomes
 * visible with the unlock's release store. Descs come from the caller's memory cache (topped
 * up before mmu_lock) and go back to slot->desc_pool, poisoned. slot->descs_live counts the
 * descs in chains, for the audit.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/pool.h"
#include "rmap/memslot.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

static struct pte_list_desc *desc_of(unsigned long rmap_val)
{
	return (struct pte_list_desc *)(rmap_val & ~RMAP_MANY);
}

/* why: the step freeing it, kept with the poisoned desc for `uaf` reports (pool.h) */
static void free_pte_list_desc(struct memslot *slot, struct pte_list_desc *desc, const char *why)
{
	slot->descs_live--;
	pool_free(slot->desc_pool, desc, why);
}

/* Returns the number of entries in the chain before the new one. */
int pte_list_add(struct memslot *slot, struct mmu_memory_cache *cache, uint64_t *sptep,
		 struct rmap_head *head)
{
	unsigned long old_val, new_val;
	struct pte_list_desc *desc;
	int count = 0;

	old_val = rmap_lock(slot, head);
	if (!old_val) {
		new_val = (unsigned long)sptep;
	} else if (!(old_val & RMAP_MANY)) {
		desc = mmu_memory_cache_alloc(cache);	/* zeroed */
		slot->descs_live++;
		desc->sptes[0] = (uint64_t *)old_val;
		desc->sptes[1] = sptep;
		desc->spte_count = 2;
		desc->tail_count = 0;
		new_val = (unsigned long)desc | RMAP_MANY;
		count = 1;
	} else {
		desc = desc_of(old_val);
		count = (int)(desc->tail_count + desc->spte_count);
		/* A full head gets a new head in front: tail descs stay full. */
		if (desc->spte_count == PTE_LIST_EXT) {
			desc = mmu_memory_cache_alloc(cache);
			slot->descs_live++;
			desc->more = desc_of(old_val);
			desc->spte_count = 0;
			desc->tail_count = (uint32_t)count;
			new_val = (unsigned long)desc | RMAP_MANY;
		} else {
			new_val = old_val;
		}
		desc->sptes[desc->spte_count++] = sptep;
	}
	rmap_unlock(slot, head, old_val, new_val);
	return count;
}

/*
 * Publish new_val after freeing descs that old_val, the value the caller locked, still names.
 * Correct because no walker can read old_val's descs between the free and this store: the rmap
 * lock has been held since old_val was read. The desc-free-early variant breaks exactly that
 * (ops->desc_freed, NULL otherwise: the correct path pays one test, on frees only).
 */
static void rmap_unlock_after_free(struct memslot *slot, struct rmap_head *head,
				   unsigned long old_val, unsigned long new_val)
{
	const struct rmap_ops *ops = rmap_slot_ops(slot);

	if (ops->desc_freed)
		old_val = ops->desc_freed(slot, head, old_val);
	rmap_unlock(slot, head, old_val, new_val);
}

/*
 * Fill the hole at desc->sptes[i] with the head desc's last entry, so tails stay full and
 * their tail_count stays true; free the head desc when it empties. Updates *rmap_val, the
 * value the caller's unlock will publish; true when it freed the head desc.
 */
static bool pte_list_desc_remove_entry(struct memslot *slot, unsigned long *rmap_val,
				       struct pte_list_desc *desc, unsigned i)
{
	struct pte_list_desc *head_desc = desc_of(*rmap_val);
	int j = (int)head_desc->spte_count - 1;

	/* A head desc is never empty: it is pushed with one entry and freed at zero. */
	ENV_ASSERT(j >= 0);
	desc->sptes[i] = head_desc->sptes[j];
	head_desc->sptes[j] = NULL;
	head_desc->spte_count--;
	if (head_desc->spte_count)
		return false;
	/* Empty head: the next desc (full) becomes the head, or the rmap empties. */
	if (!head_desc->more)
		*rmap_val = 0;
	else
		*rmap_val = (unsigned long)head_desc->more | RMAP_MANY;
	free_pte_list_desc(slot, head_desc, "pte_list_remove");
	return true;
}

void pte_list_remove(struct memslot *slot, uint64_t *sptep, struct rmap_head *head)
{
	unsigned long old_val, rmap_val;
	struct pte_list_desc *desc;
	gfn_t gfn = 0;
	int level = 0;

	old_val = rmap_val = rmap_lock(slot, head);
	if (!(rmap_val & RMAP_MANY)) {
		if ((uint64_t *)rmap_val == sptep) {
			rmap_unlock(slot, head, old_val, 0);
			return;
		}
	} else {
		for (desc = desc_of(rmap_val); desc; desc = desc->more) {
			for (unsigned i = 0; i < desc->spte_count; i++) {
				if (desc->sptes[i] != sptep)
					continue;
				if (pte_list_desc_remove_entry(slot, &rmap_val, desc, i))
					rmap_unlock_after_free(slot, head, old_val, rmap_val);
				else
					rmap_unlock(slot, head, old_val, rmap_val);
				return;
			}
		}
	}
	rmap_unlock(slot, head, old_val, old_val);
	/* KVM_BUG_ON_DATA_CORRUPTION: the chain lost an entry it should hold. */
	memslot_head_to_gfn(slot, head, &gfn, &level);
	env_violation("audit", gfn, level, "pte_list_remove: sptep %p not in its rmap (val=%#lx)",
		      (void *)sptep, old_val);
}

bool zap_all_rmap_sptes(struct memslot *slot, struct rmap_head *head, rmap_zap_fn zap_spte,
			void *ctx)
{
	struct pte_list_desc *desc, *next;
	unsigned long rmap_val;

	rmap_val = rmap_lock(slot, head);
	if (!rmap_val)
		return false;
	if (!(rmap_val & RMAP_MANY)) {
		zap_spte(ctx, (uint64_t *)rmap_val);
		rmap_unlock(slot, head, rmap_val, 0);
		return true;
	}
	/* Descs are freed while still linked: the rmap stays locked until the unlock to 0. */
	for (desc = desc_of(rmap_val); desc; desc = next) {
		for (unsigned i = 0; i < desc->spte_count; i++)
			zap_spte(ctx, desc->sptes[i]);
		next = desc->more;
		free_pte_list_desc(slot, desc, "zap_all_rmap_sptes");
	}
	rmap_unlock_after_free(slot, head, rmap_val, 0);
	return true;
}

unsigned pte_list_count(unsigned long rmap_val)
{
	struct pte_list_desc *desc;

	if (!rmap_val)
		return 0;
	if (!(rmap_val & RMAP_MANY))
		return 1;
	desc = desc_of(rmap_val);
	return desc->tail_count + desc->spte_count;
}
