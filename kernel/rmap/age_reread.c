/*
 * kernel/rmap/age_reread.c - profile=kvm's walk after an elided read-only lock, as Linux
 * v6.15+ kvm_rmap_age_gfn_range does it: kvm_rmap_lock_readonly() returned 0 (the rmap was
 * empty, nothing is held), and for_each_rmap_spte_lockless() then calls rmap_get_first(),
 * which re-reads rmap_head->val (kvm_rmap_get) and walks whatever a writer put there in the
 * meantime: descs and table pages that the writer may change and free under the walk, since
 * it holds no rmap lock that the writer would wait for. The strict profile walks nothing here
 * (age.c). The iterator is upstream's: rmap_get_next moves to desc->more at the first NULL
 * entry or at PTE_LIST_EXT, not by spte_count.
 *
 * With slot->checks every pointer is validated just before it is followed (the desc before
 * each read of its fields, each sptep before its SPTE is read), so a stale one becomes a
 * `uaf` (freed desc or table page) or `spte-owner` (reused for another rmap) report instead of
 * a wild read; the report tells the interleaving: when this CPU found the rmap empty, by when
 * it had re-read which chain, by when it found which pointer stale (desc N entry M, N counted
 * from 1; desc 0: the head's single sptep), and which CPU freed it when, in which step (the
 * pool's free record). Times are microseconds from the elided lock on the shared clock; each
 * of ours is read just after its event, and a vCPU may be descheduled in between, hence "by".
 * Without checks the walk is upstream's, unguarded.
 */
#include "atomic.h"
#include "env.h"
#include "mmu/pool.h"
#include "rmap/age.h"
#include "rmap/check.h"
#include "rmap/rmap_ops.h"

/* The walk so far, for the report. */
struct reread_walk {
	struct memslot *slot;
	struct rmap_head *head;
	gfn_t gfn;
	int level;
	unsigned long val;		/* the chain re-read from the head */
	uint64_t t_elided, t_reread;	/* env_now_ns */
	unsigned ndesc, pos;		/* where in the chain: desc number (from 1), entry */
};

static long long us_since(uint64_t t0, uint64_t t)
{
	return ((long long)t - (long long)t0) / 1000;
}

/* A stale pointer met: one violation line with the whole interleaving. */
static void report_stale(const struct reread_walk *w, enum rmap_ptr_state st, const char *what,
			 const void *ptr, struct pool *pool)
{
	long long at = us_since(w->t_elided, env_now_ns()), reread = us_since(w->t_elided, w->t_reread);
	const char *inv = rmap_ptr_state_inv(st);
	struct pool_freed f;

	if (pool && pool_find_freed(pool, ptr, &f))
		env_violation(inv, w->gfn, w->level,
			      "kvm re-read: lock of rmap %p elided at 0us; re-read val=%#lx by %+lldus, walked unheld; by %+lldus %s %p (desc %u entry %u) was %s: freed by cpu %u in %s at %+lldus",
			      (void *)w->head, w->val, reread, at, what, ptr, w->ndesc, w->pos,
			      rmap_ptr_state_text(st), f.cpu, f.why, us_since(w->t_elided, f.t_ns));
	else
		env_violation(inv, w->gfn, w->level,
			      "kvm re-read: lock of rmap %p elided at 0us; re-read val=%#lx by %+lldus, walked unheld; by %+lldus %s %p (desc %u entry %u) was %s: no free of it is in quarantine",
			      (void *)w->head, w->val, reread, at, what, ptr, w->ndesc, w->pos,
			      rmap_ptr_state_text(st));
}

/* Validate desc, after reading a field of it (checks only); false after reporting it stale. */
static bool desc_ok(const struct reread_walk *w, const struct pte_list_desc *desc)
{
	enum rmap_ptr_state st;

	if (!w->slot->checks)
		return true;
	st = rmap_desc_state(w->slot, desc);
	if (st == RMAP_PTR_OK)
		return true;
	report_stale(w, st, "desc", desc, w->slot->desc_pool);
	return false;
}

/* The step on one sptep read from the chain: window, validation, age. */
static bool reread_spte(struct reread_walk *w, const struct rmap_ops *ops, uint64_t *sptep,
			bool test_only, struct age_stats *st, bool *stale)
{
	enum rmap_ptr_state state;
	uint64_t spte;

	age_window(w->slot);
	if (w->slot->checks) {
		state = rmap_sptep_state(w->slot, sptep, w->gfn, w->level, &spte);
		if (state != RMAP_PTR_OK) {
			report_stale(w, state, "sptep", sptep,
				     state == RMAP_PTR_FREED ? w->slot->pt_pool : NULL);
			*stale = true;
			return false;
		}
	}
	if (!age_one_spte(ops, sptep, test_only, st))
		return false;
	if (!test_only && w->slot->young)
		w->slot->young(w->slot->young_arg, sptep, w->gfn, w->level);
	return true;
}

bool age_rmap_reread(struct memslot *slot, const struct rmap_ops *ops, struct rmap_head *head,
		     gfn_t gfn, int level, bool test_only, uint64_t t_elided, struct age_stats *st)
{
	/* kvm_rmap_get(): READ_ONCE(rmap_head->val) & ~KVM_RMAP_LOCKED, with nothing held */
	struct reread_walk w = { slot, head, gfn, level, rmap_op_get(ops, head), t_elided, 0, 0, 0 };
	const struct pte_list_desc *desc;
	bool young = false, stale = false;

	if (!w.val)
		return false;		/* still empty: the walk is empty, as the lock promised */
	w.t_reread = env_now_ns();
	st->reread_walks++;
	if (!(w.val & RMAP_MANY))
		return reread_spte(&w, ops, (uint64_t *)w.val, test_only, st, &stale);
	/*
	 * Each field is read first and the desc validated after (checks): poison read from a desc
	 * freed before or during the read then shows as the freed desc, not as a wild sptep.
	 * Plain loads, as upstream's iterator does them.
	 */
	for (desc = (const struct pte_list_desc *)(w.val & ~RMAP_MANY); desc;) {
		const struct pte_list_desc *next;

		w.ndesc++;
		for (w.pos = 0; w.pos < PTE_LIST_EXT; w.pos++) {
			uint64_t *sptep = desc->sptes[w.pos];

			if (!desc_ok(&w, desc))
				return young;
			if (!sptep)
				break;		/* rmap_get_next: a NULL entry ends this desc */
			young |= reread_spte(&w, ops, sptep, test_only, st, &stale);
			if (stale || (young && test_only))
				return young;
		}
		next = desc->more;
		if (!desc_ok(&w, desc))
			return young;
		desc = next;
	}
	return young;
}
