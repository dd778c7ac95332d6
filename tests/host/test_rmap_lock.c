/*
 * test_rmap_lock.c - every transition of the rmap head word under the lock steps of an ops
 * vector (kernel/rmap/rmap_lock.c): elision on 0, locking a single entry and a desc pointer
 * (writer and read-only forms), the writer's unlock to a new value, the read-only unlock as a
 * no-op when elided (while a writer fills the rmap), its check of old|LOCKED, waiting out a
 * holder who changes the chain, waiting out a holder who empties it (the recheck for 0), the
 * iterator's masked read, and mutual exclusion under contention. The table runs against the
 * correct protocol ("none"), where every case must pass, and then against each broken variant
 * that replaces a lock step, where at least one case must fail: the cases can go red. The
 * exclusion case is a race, met with a probability per round (lock-plain-store once went
 * unmet for ten rounds on a loaded 2-core host), so a broken variant gets rounds until a case
 * fails or HUNT_SECONDS have passed, and the line says how many rounds and how long it took.
 * On the correct protocol no case can fail by chance: each is run once.
 */
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "atomic.h"
#include "core_tap.h"
#include "env_host.h"
#include "rmap/rmap.h"
#include "rmap/rmap_ops.h"

static const struct rmap_ops *ops;
static struct rmap_head head;
static uint64_t sptes[2] __attribute__((aligned(8)));
static struct pte_list_desc desc __attribute__((aligned(128)));
#define S1 ((unsigned long)&sptes[0])
#define S2 ((unsigned long)&sptes[1])
#define DM ((unsigned long)&desc | RMAP_MANY)

static unsigned long lock_mode(bool readonly)
{
	return readonly ? ops->lock_readonly(&head) : ops->lock(&head);
}

static bool case_elide(bool ro)
{
	head.val = 0;
	return lock_mode(ro) == 0 && head.val == 0;
}

static bool case_lock_single(bool ro)
{
	head.val = S1;
	return lock_mode(ro) == S1 && head.val == (S1 | RMAP_LOCKED);
}

static bool case_lock_many(bool ro)
{
	head.val = DM;
	return lock_mode(ro) == DM && head.val == (DM | RMAP_LOCKED);
}

static bool case_unlock_new(bool ro)
{
	const unsigned long news[] = { 0, S2, DM };

	(void)ro;
	for (unsigned i = 0; i < 3; i++) {
		head.val = S1;
		if (ops->lock(&head) != S1)
			return false;
		ops->unlock(&head, news[i]);
		if (head.val != news[i])
			return false;
	}
	return true;
}

/* Elided read-only lock, then a writer fills the rmap 0 -> 1: the unlock must not undo it. */
static bool case_ro_unlock_elided(bool ro)
{
	unsigned long old;

	(void)ro;
	head.val = 0;
	old = ops->lock_readonly(&head);
	head.val = S1;
	return old == 0 && ops->unlock_readonly(&head, old) && head.val == S1;
}

static bool case_ro_unlock_checks(bool ro)
{
	bool same, changed;

	(void)ro;
	head.val = S1;
	same = ops->lock_readonly(&head) == S1 && ops->unlock_readonly(&head, S1) && head.val == S1;
	head.val = S1;
	ops->lock_readonly(&head);
	head.val = S2 | RMAP_LOCKED;	/* somebody changed the chain under the read-only lock */
	changed = !ops->unlock_readonly(&head, S1);
	return same && changed;
}

static bool case_get_masks(bool ro)
{
	(void)ro;
	head.val = S1 | RMAP_LOCKED;
	return ops->get(&head) == S1;
}

/* A holder owns the lock; a second thread locks and must wait until the holder's unlock. */
struct waiter {
	bool ro;
	unsigned long got;
	int started, done;
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;

	env_host_set_cpu(1);
	atomic_set(&w->started, 1, MO_RELEASE);
	w->got = lock_mode(w->ro);
	atomic_set(&w->done, 1, MO_RELEASE);
	return NULL;
}

/* Lock S1, let a waiter spin on it, unlock to after; returns what the waiter got. */
static unsigned long contend(bool ro, unsigned long after, unsigned long *val_after)
{
	struct waiter w = { .ro = ro };
	pthread_t t;
	uint64_t relaxes;

	head.val = S1;
	ops->lock(&head);
	pthread_create(&t, NULL, waiter_main, &w);
	while (!atomic_read(&w.started, MO_ACQUIRE))
		usleep(100);
	/* the waiter spins through env_cpu_relax: wait until it has done so a few times (a
	 * broken lock may not wait at all) */
	relaxes = env_host_relax_calls();
	for (int i = 0; i < 100000 && env_host_relax_calls() < relaxes + 3 &&
	     !atomic_read(&w.done, MO_ACQUIRE); i++)
		usleep(100);
	ops->unlock(&head, after);
	pthread_join(t, NULL);
	*val_after = head.val;
	return w.got;
}

static bool case_wait_changed(bool ro)
{
	unsigned long val;

	return contend(ro, S2, &val) == S2 && val == (S2 | RMAP_LOCKED);
}

/* The holder empties the rmap: the waiter must return 0 and leave it 0 (recheck for 0). */
static bool case_wait_emptied(bool ro)
{
	unsigned long val;

	return contend(ro, 0, &val) == 0 && val == 0;
}

/*
 * Three threads lock and unlock one head many times, with a short critical section; nobody
 * may be inside with another. Waiters released together by an unlock all see it free: only
 * an atomic test-and-set lets just one of them in.
 */
#define EXCL_THREADS	3
#define EXCL_ROUNDS	20000
static int inside, overlaps;

static void *exclusion_main(void *arg)
{
	bool ro = *(bool *)arg;

	for (int i = 0; i < EXCL_ROUNDS; i++) {
		unsigned long v = lock_mode(ro);

		if (atomic_fetch_add(&inside, 1, MO_RELAXED))
			atomic_fetch_add(&overlaps, 1, MO_RELAXED);
		for (int k = 0; k < 64; k++)
			(void)atomic_read(&head.val, MO_RELAXED);
		atomic_fetch_sub(&inside, 1, MO_RELAXED);
		if (ro)
			ops->unlock_readonly(&head, v);
		else
			ops->unlock(&head, v);
	}
	return NULL;
}

static bool case_exclusion(bool ro)
{
	pthread_t t[EXCL_THREADS];

	head.val = S1;
	overlaps = 0;
	for (int i = 0; i < EXCL_THREADS; i++)
		pthread_create(&t[i], NULL, exclusion_main, &ro);
	for (int i = 0; i < EXCL_THREADS; i++)
		pthread_join(t[i], NULL);
	return overlaps == 0 && head.val == S1;
}

struct lock_case {
	const char *name;
	bool (*run)(bool readonly);
	bool both_modes;	/* run with the writer's and the read-only lock */
};

static const struct lock_case cases[] = {
	{ "lock of 0 is elided, val stays 0", case_elide, true },
	{ "lock of a single sptep returns it, val = S|LOCKED", case_lock_single, true },
	{ "lock of a desc returns D|MANY, val = D|MANY|LOCKED", case_lock_many, true },
	{ "writer unlock stores the new value (0, single, desc)", case_unlock_new, false },
	{ "read-only unlock of an elided lock leaves a writer's 0->1 fill", case_ro_unlock_elided, false },
	{ "read-only unlock restores old, and reports val != old|LOCKED", case_ro_unlock_checks, false },
	{ "iterator's read masks LOCKED", case_get_masks, false },
	{ "waiter gets the holder's new chain, locked", case_wait_changed, true },
	{ "waiter of a holder that empties the rmap gets 0, val stays 0", case_wait_emptied, true },
	{ "no two holders at once (3 threads x 20000)", case_exclusion, true },
};

/* Run every case; print each line when verbose; return failures and the first failure's name. */
static unsigned run_cases(bool verbose, const char **first)
{
	unsigned failed = 0;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int ro = 0; ro <= (int)cases[i].both_modes; ro++) {
			bool ok = cases[i].run(ro);

			if (verbose)
				tap_check(ok, "%s%s", cases[i].name,
					  cases[i].both_modes ? (ro ? " (read-only)" : " (writer)") : "");
			if (!ok && !failed++)
				*first = cases[i].name;
		}
	}
	return failed;
}

#define HUNT_SECONDS	120

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static bool changes_a_lock_step(const struct rmap_ops *v, const struct rmap_ops *none)
{
	return v->lock != none->lock || v->unlock != none->unlock ||
	       v->lock_readonly != none->lock_readonly || v->unlock_readonly != none->unlock_readonly ||
	       v->get != none->get;
}

int main(void)
{
	const struct rmap_ops *none = rmap_ops_find("none");
	const char *first = NULL;

	env_host_set_cpu(0);
	env_host_set_test("rmap-lock");
	ops = none;
	run_cases(true, &first);
	for (unsigned i = 0; i < rmap_nr_variants; i++) {
		const struct rmap_ops *v = &rmap_variants[i];
		unsigned failed = 0, rounds = 0;
		struct timespec t0;

		if (v == none || !changes_a_lock_step(v, none))
			continue;
		ops = v;
		first = "none";
		/* the exclusion case races: rounds until it is met, bounded in time */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (!failed && seconds_since(&t0) < HUNT_SECONDS) {
			rounds++;
			failed = run_cases(false, &first);
		}
		tap_check(failed > 0, "broken variant %s fails %u transition case(s) (round %u, %.1f s%s), first: %s",
			  v->name, failed, rounds, seconds_since(&t0),
			  failed ? "" : ": not met in the time bound", first);
	}
	return tap_finish();
}
