/*
 * tests/kernel/harness/summary.c - what a harness test prints at its end, after every CPU has
 * returned: information lines ("  <test> ...", two spaces in front, DESIGN §6) with the
 * setup, per-role counts and rates, per-CPU step rates and the histograms (mmu_lock hold and
 * wait, rmap lock spins, lockers' hold and wait, checkpoint cost: TSC cycles in power-of-two
 * buckets), then the one ok/not ok line with the totals, kept short. Reads the records only.
 */
#include "format.h"
#include "harness.h"
#include "irq_torture.h"
#include "console.h"
#include "report.h"
#include "rmap/rmap_ops.h"
#include "tsc.h"

struct totals {
	uint64_t steps[NR_ROLES], cycles[NR_ROLES];
	uint64_t bursts, wops[NR_WOPS], zaps, zaps_hit, max_chain;
	struct age_stats age, lage;
	struct mmu_access_stats access;
	uint64_t lk_acquired, lk_elided, lk_inside;
	struct harness_hist mmu_hold, mmu_wait, rmap_hold, rmap_wait;
	struct env_spin_stats spin[ENV_NR_LOCKS];
};

static void hist_sum(uint64_t *to, const uint64_t *from)
{
	for (unsigned b = 0; b < ENV_HIST_BUCKETS; b++)
		to[b] += from[b];
}

static void age_sum(struct age_stats *to, const struct age_stats *from)
{
	to->rmaps_locked += from->rmaps_locked;
	to->sptes_seen += from->sptes_seen;
	to->nonpresent_skipped += from->nonpresent_skipped;
	to->accessed_cleared += from->accessed_cleared;
	to->young += from->young;
	to->rmaps_elided += from->rmaps_elided;
	to->reread_walks += from->reread_walks;
	to->huge_skipped += from->huge_skipped;
}

static void sum(const struct harness *h, struct totals *t)
{
	__builtin_memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < h->ncpus; i++) {
		const struct harness_cpu *c = &h->cpu[i];

		for (int r = 0; r < NR_ROLES; r++) {
			t->steps[r] += c->steps[r];
			t->cycles[r] += c->cycles[r];
		}
		t->bursts += c->bursts;
		for (int w = 0; w < NR_WOPS; w++)
			t->wops[w] += c->wops[w];
		t->zaps_hit += c->zaps_hit;
		if (c->max_chain > t->max_chain)
			t->max_chain = c->max_chain;
		age_sum(&t->age, &c->age);
		age_sum(&t->lage, &c->lage);
		t->access.walks += c->access.walks;
		t->access.misses += c->access.misses;
		t->access.set_a += c->access.set_a;
		t->access.set_d += c->access.set_d;
		t->access.cmpxchg_failed += c->access.cmpxchg_failed;
		t->access.fast_pf += c->access.fast_pf;
		t->lk_acquired += c->lk_acquired;
		t->lk_elided += c->lk_elided;
		t->lk_inside += c->lk_inside;
		hist_sum(t->mmu_hold.n, c->mmu_hold.n);
		hist_sum(t->mmu_wait.n, c->mmu_wait.n);
		hist_sum(t->rmap_hold.n, c->rmap_hold.n);
		hist_sum(t->rmap_wait.n, c->rmap_wait.n);
		for (int l = 0; l < ENV_NR_LOCKS; l++) {
			t->spin[l].spins += h->spin[i][l].spins;
			t->spin[l].cycles += h->spin[i][l].cycles;
			if (h->spin[i][l].max > t->spin[l].max)
				t->spin[l].max = h->spin[i][l].max;
			hist_sum(t->spin[l].hist, h->spin[i][l].hist);
		}
	}
	t->zaps = t->wops[WOP_ZAP_GFN] + t->wops[WOP_ZAP_RANGE] + t->wops[WOP_ZAP_LEAF] +
		  t->wops[WOP_ZAP_ALL];
}

unsigned long long per_s(uint64_t count, uint64_t ms)
{
	return (unsigned long long)(ms ? count * 1000 / ms : 0);
}

/* "  <test> <what>: 2^b:n ..." for the non-empty buckets, wrapped into lines of ~200 chars. */
static void print_hist(const struct harness *h, const char *what, const uint64_t *n)
{
	char line[256];
	int len = 0;
	bool any = false;

	for (unsigned b = 0; b < ENV_HIST_BUCKETS; b++) {
		if (!n[b])
			continue;
		if (len > 200) {
			kprintf("  %s %s:%s\n", h->sc->name, what, line);
			len = 0;
		}
		len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %s2^%u:%llu",
				 b == ENV_HIST_BUCKETS - 1 ? ">=" : "", b, (unsigned long long)n[b]);
		any = true;
	}
	if (any)
		kprintf("  %s %s:%s\n", h->sc->name, what, line);
}

static void print_setup(const struct harness *h)
{
	static const char *const level_names[] = { "4k", "2m", "1g" };
	char levels[64] = "", also[64] = "";
	int ll = 0, la = 0;

	for (int l = 0; l < MMU_MAX_LEAF_LEVEL; l++)
		if (h->level_weight[l])
			ll += ksnprintf(levels + ll, sizeof(levels) - (size_t)ll, "%s%s:%u",
					ll ? "," : "", level_names[l], h->level_weight[l]);
	for (int r = ROLE_AGER; r < NR_ROLES; r++)
		if (h->bsp_runs[r])
			la += ksnprintf(also + la, sizeof(also) - (size_t)la, "%s%s", la ? "," : "",
					harness_role_names[r]);
	kprintf("  %s: cpus=%u gfns=%llu roots=%u levels=%s seed=%llu mutate=%s profile=%s format=%s reread=%s ad_disabled_roots=%u window_us=%u irq_hz=%u widen=%s focus=%u/%ums checkpoint_ms=%u\n",
		h->sc->name, h->ncpus, (unsigned long long)h->gfns, h->roots, levels,
		(unsigned long long)h->cl->seed, h->ops->inv ? h->ops->name : "none",
		h->mmu.slot.profile == MMU_PROFILE_KVM ? "kvm" : "strict", spte_fmt.name,
		h->mmu.slot.profile == MMU_PROFILE_KVM && !h->mmu.slot.no_reread ? "on" : "off",
		h->ad_disabled_roots,
		h->mmu.slot.torture_window_us, h->cl->irq_hz,
		h->cl->widen == CMDLINE_WIDEN_ON ? "on" : "off", h->sc->focus_ms,
		h->sc->focus_every_ms, h->sc->checkpoint_ms);
	kprintf("  %s roles: writer=1 agers=%u accessors=%u locked_agers=%u lockers=%u guests=%u idle=%u bsp_also=%s\n",
		h->sc->name, h->count[ROLE_AGER], h->count[ROLE_ACCESSOR],
		h->count[ROLE_LOCKED_AGER], h->count[ROLE_LOCKER], h->count[ROLE_GUEST],
		h->ncpus - 1 - h->naps, la ? also : "none");
}

static void print_roles(const struct harness *h, const struct totals *t, uint64_t ms)
{
	const struct mmu_stats *m = &h->mmu.stats;
	const char *n = h->sc->name;

	kprintf("  %s writer: bursts=%llu fault=%llu fault_shared=%llu zap_gfn=%llu zap_range=%llu zap_leaf=%llu zap_all=%llu clear_dirty=%llu faults=%llu installed=%llu present=%llu leaves_zapped=%llu rmaps_zapped=%llu\n",
		n, (unsigned long long)t->bursts, (unsigned long long)t->wops[WOP_FAULT],
		(unsigned long long)t->wops[WOP_FAULT_SHARED], (unsigned long long)t->wops[WOP_ZAP_GFN],
		(unsigned long long)t->wops[WOP_ZAP_RANGE], (unsigned long long)t->wops[WOP_ZAP_LEAF],
		(unsigned long long)t->wops[WOP_ZAP_ALL], (unsigned long long)t->wops[WOP_CLEAR_DIRTY],
		(unsigned long long)m->faults,
		(unsigned long long)m->leaves_installed, (unsigned long long)m->faults_present,
		(unsigned long long)m->leaves_zapped, (unsigned long long)m->rmaps_zapped);
	kprintf("  %s writer: tables_allocated=%llu tables_freed=%llu flushes=%llu flush_waits=%llu harvest_a=%llu harvest_d=%llu d_cleared=%llu bursts_ps=%llu faults_ps=%llu zaps_ps=%llu\n",
		n, (unsigned long long)m->pages_allocated, (unsigned long long)m->pages_freed,
		(unsigned long long)m->flushes, (unsigned long long)m->flush_waits,
		(unsigned long long)m->harvest_a, (unsigned long long)m->harvest_d,
		(unsigned long long)m->cleared_d, per_s(t->bursts, ms), per_s(m->faults, ms),
		per_s(t->zaps, ms));
	if (t->steps[ROLE_AGER])
		kprintf("  %s agers: calls=%llu rmaps=%llu sptes=%llu nonpresent_skipped=%llu a_cleared=%llu young=%llu max_chain=%llu calls_ps=%llu rmaps_ps=%llu sptes_ps=%llu\n",
			n, (unsigned long long)t->steps[ROLE_AGER],
			(unsigned long long)t->age.rmaps_locked, (unsigned long long)t->age.sptes_seen,
			(unsigned long long)t->age.nonpresent_skipped,
			(unsigned long long)t->age.accessed_cleared, (unsigned long long)t->age.young,
			(unsigned long long)t->max_chain, per_s(t->steps[ROLE_AGER], ms),
			per_s(t->age.rmaps_locked, ms), per_s(t->age.sptes_seen, ms));
	if (t->steps[ROLE_AGER])
		kprintf("  %s agers, elided locks: elided=%llu reread_walks=%llu huge_skipped=%llu (kvm profile: walks of a chain re-read after an elided lock, huge heads its gfn stepping missed)\n",
			n, (unsigned long long)t->age.rmaps_elided,
			(unsigned long long)t->age.reread_walks,
			(unsigned long long)t->age.huge_skipped);
	if (t->steps[ROLE_ACCESSOR])
		kprintf("  %s accessors: walks=%llu misses=%llu a_set=%llu d_set=%llu cmpxchg_failed=%llu fast_pf=%llu walks_ps=%llu\n",
			n, (unsigned long long)t->access.walks, (unsigned long long)t->access.misses,
			(unsigned long long)t->access.set_a, (unsigned long long)t->access.set_d,
			(unsigned long long)t->access.cmpxchg_failed,
			(unsigned long long)t->access.fast_pf, per_s(t->access.walks, ms));
	if (t->steps[ROLE_LOCKED_AGER])
		kprintf("  %s locked agers: calls=%llu rmaps=%llu sptes=%llu a_cleared=%llu calls_ps=%llu rmaps_ps=%llu\n",
			n, (unsigned long long)t->steps[ROLE_LOCKED_AGER],
			(unsigned long long)t->lage.rmaps_locked, (unsigned long long)t->lage.sptes_seen,
			(unsigned long long)t->lage.accessed_cleared,
			per_s(t->steps[ROLE_LOCKED_AGER], ms), per_s(t->lage.rmaps_locked, ms));
	if (t->steps[ROLE_LOCKER])
		kprintf("  %s lockers: tries=%llu acquired=%llu elided=%llu increments=%llu lost=%llu acquired_ps=%llu\n",
			n, (unsigned long long)t->steps[ROLE_LOCKER],
			(unsigned long long)t->lk_acquired, (unsigned long long)t->lk_elided,
			(unsigned long long)t->lk_inside, (unsigned long long)h->inside_lost,
			per_s(t->lk_acquired, ms));
	harness_guests_summary(h, ms);
}

/* irq_hz=: the timer interrupts the APs took and the time their handlers burned. */
static void print_irq(const struct harness *h, uint64_t ms)
{
	uint64_t ticks = 0, burned_us = 0, n, us;
	unsigned aps = 0;

	if (!h->cl->irq_hz)
		return;
	for (unsigned i = 1; i < h->ncpus; i++) {
		if (h->cpu[i].role == ROLE_IDLE)
			continue;
		irq_torture_stats(i, &n, &us);
		ticks += n;
		burned_us += us;
		aps++;
	}
	kprintf("  %s irq: hz=%u aps=%u ticks=%llu ticks_ps_per_ap=%llu burned_ms=%llu (timer interrupts on the APs, each burning a seeded 1..%u us)\n",
		h->sc->name, h->cl->irq_hz, aps, (unsigned long long)ticks,
		aps ? per_s(ticks, ms) / aps : 0, (unsigned long long)(burned_us / 1000),
		irq_torture_burn_max_us(h->cl->irq_hz));
}

/* Steps per second of each CPU, "cpu:role-letter:rate", eight to a line. */
static void print_cpus(const struct harness *h, uint64_t ms)
{
	static const char letter[NR_ROLES + 1] = "wacLkI";

	for (unsigned i = 0; i < h->ncpus; i += 8) {
		char line[256];
		int len = 0;

		for (unsigned j = i; j < h->ncpus && j < i + 8; j++) {
			const struct harness_cpu *c = &h->cpu[j];
			uint64_t steps = 0;

			for (int r = 0; r < NR_ROLES; r++)
				steps += c->steps[r];
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %u:%c:%llu", j,
					 letter[c->role], per_s(steps, ms));
		}
		kprintf("  %s steps_ps by cpu (w writer, a ager, c accessor, L locked ager, k locker, I idle):%s\n",
			h->sc->name, line);
	}
}

static void print_locks(const struct harness *h, const struct totals *t)
{
	const struct mmu_lock *l = &h->mmu.lock;
	const char *n = h->sc->name;

	kprintf("  %s mmu_lock: acquired=%llu contended=%llu; spins mmu_lock=%llu rmap=%llu flush=%llu, longest ms mmu_lock=%llu rmap=%llu flush=%llu; histograms in TSC cycles by power of two\n",
		n, (unsigned long long)l->write_acquires, (unsigned long long)l->write_contended,
		(unsigned long long)t->spin[ENV_LOCK_MMU].spins,
		(unsigned long long)t->spin[ENV_LOCK_RMAP].spins,
		(unsigned long long)t->spin[ENV_LOCK_FLUSH].spins,
		(unsigned long long)(tsc_ns(t->spin[ENV_LOCK_MMU].max) / 1000000),
		(unsigned long long)(tsc_ns(t->spin[ENV_LOCK_RMAP].max) / 1000000),
		(unsigned long long)(tsc_ns(t->spin[ENV_LOCK_FLUSH].max) / 1000000));
	print_hist(h, "mmu_lock hold cycles", t->mmu_hold.n);
	print_hist(h, "mmu_lock wait cycles", t->mmu_wait.n);
	for (int k = 0; k < ENV_NR_LOCKS; k++) {
		char what[48];

		ksnprintf(what, sizeof(what), "%s spin cycles", env_lock_names[k]);
		print_hist(h, what, t->spin[k].hist);
	}
	print_hist(h, "rmap lock hold cycles (lockers)", t->rmap_hold.n);
	print_hist(h, "rmap lock wait cycles (lockers)", t->rmap_wait.n);
	kprintf("  %s checkpoints: %llu, longest time between two %llu ms (the interval is %u ms; a writer burst in progress delays one)\n",
		n, (unsigned long long)h->checkpoints,
		(unsigned long long)(tsc_ns(h->checkpoint_gap_max) / 1000000), h->sc->checkpoint_ms);
	print_hist(h, "checkpoint cycles", h->checkpoint_hist.n);
}

/* Where each role's time went: milliseconds spent spinning, per lock, summed over its CPUs. */
static void print_spin_time(const struct harness *h)
{
	for (int r = 0; r < NR_ROLES; r++) {
		uint64_t cyc[ENV_NR_LOCKS] = { 0 }, any = 0, busy = 0;

		for (unsigned i = 0; i < h->ncpus; i++) {
			if (h->cpu[i].role != (enum harness_role)r)
				continue;
			busy += h->cpu[i].cycles[r];
			for (int l = 0; l < ENV_NR_LOCKS; l++)
				any |= cyc[l] += h->spin[i][l].cycles;
		}
		if (!any)
			continue;
		kprintf("  %s %s cpus spent spinning: mmu_lock=%llu ms rmap=%llu ms flush=%llu ms of %llu ms in steps\n",
			h->sc->name, harness_role_names[r],
			(unsigned long long)(tsc_ns(cyc[ENV_LOCK_MMU]) / 1000000),
			(unsigned long long)(tsc_ns(cyc[ENV_LOCK_RMAP]) / 1000000),
			(unsigned long long)(tsc_ns(cyc[ENV_LOCK_FLUSH]) / 1000000),
			(unsigned long long)(tsc_ns(busy) / 1000000));
	}
}

static void print_violations(const struct harness *h)
{
	static const char *const ids[] = {
		"chain-stable", "uaf", "spte-owner", "unlock-readonly", "mutex", "ad-conservation",
		"audit", "liveness", "fault",
	};
	char line[256];
	int len = 0;

	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		if (env_violations_of(ids[i]))
			len += ksnprintf(line + len, sizeof(line) - (size_t)len, " %s=%llu", ids[i],
					 (unsigned long long)env_violations_of(ids[i]));
	if (len)
		kprintf("  %s violations by invariant:%s; stuck rmaps cleared after their report: %llu\n",
			h->sc->name, line, (unsigned long long)h->unstuck);
}

void harness_summary(struct harness *h)
{
	uint64_t ms = tsc_ns(h->t_stop - h->t0) / 1000000;
	uint64_t spins = 0;
	struct totals t;

	sum(h, &t);
	for (int l = 0; l < ENV_NR_LOCKS; l++)
		spins += t.spin[l].spins;
	print_setup(h);
	print_roles(h, &t, ms);
	print_irq(h, ms);
	print_cpus(h, ms);
	print_locks(h, &t);
	print_spin_time(h);
	print_violations(h);
	report_test_end("cpus=%u ms=%llu faults=%llu zaps=%llu rmaps_aged=%llu sptes_seen=%llu a_cleared=%llu a_set=%llu d_set=%llu rmap_locks=%llu mmu_locks=%llu spins=%llu checkpoints=%llu faults_ps=%llu aged_ps=%llu walks_ps=%llu locks_ps=%llu",
			h->ncpus, (unsigned long long)ms, (unsigned long long)h->mmu.stats.faults,
			(unsigned long long)t.zaps,
			(unsigned long long)(t.age.rmaps_locked + t.lage.rmaps_locked),
			(unsigned long long)(t.age.sptes_seen + t.lage.sptes_seen),
			(unsigned long long)(t.age.accessed_cleared + t.lage.accessed_cleared),
			(unsigned long long)t.access.set_a, (unsigned long long)t.access.set_d,
			(unsigned long long)(t.age.rmaps_locked + t.lage.rmaps_locked + t.lk_acquired),
			(unsigned long long)h->mmu.lock.write_acquires, (unsigned long long)spins,
			(unsigned long long)h->checkpoints, per_s(h->mmu.stats.faults, ms),
			per_s(t.age.rmaps_locked + t.lage.rmaps_locked, ms), per_s(t.access.walks, ms),
			per_s(t.age.rmaps_locked + t.lage.rmaps_locked + t.lk_acquired, ms));
}
