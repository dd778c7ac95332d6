/*
 * stress.h - the host stress test's shared state (tests/host/stress.c runs it,
 * tests/host/stress_roles.c holds the roles). One writer thread (cpu 0) faults and zaps in
 * bursts under mmu_lock for write; agers age random ranges locklessly; accessors set A/D like
 * the CPU's walker; a watchdog looks for stuck rmaps and stalls. Every checkpoint_every
 * bursts the writer stops the others and runs the audit and the A/D conservation check.
 * Each thread owns its stats; the others read them only while it is paused or joined.
 */
#ifndef STRESS_H
#define STRESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "mmu/mmu.h"

#define STRESS_MAX_THREADS	16

struct stress_params {
	const char *variant;		/* rmap_variants[] name */
	uint64_t seed;
	unsigned bursts;		/* writer bursts, at least: the fixed amount of work */
	unsigned ager_ops, access_ops;	/* per ager and accessor, at least: the writer goes on
					 * until they are done, so that the roles overlap however
					 * the scheduler runs them */
	unsigned burst_len;		/* writer ops per burst, at most */
	unsigned agers, accessors, roots;
	uint64_t gfns;
	unsigned checkpoint_every;	/* bursts between audits */
	unsigned stall_ms;		/* the watchdog's liveness bound */
	unsigned hold_every;		/* memslot.torture_hold_every */
	bool quiet;			/* print at most a few VIOLATION lines */
	unsigned seconds;		/* >0: run for this long instead (make bench), bursts and
					 * quotas ignored */
	unsigned checkpoint_ms;		/* >0: checkpoint by time instead of every N bursts */
	bool no_yield;			/* agers and accessors spin like CPUs (no sched_yield) */
	enum mmu_profile profile;	/* --profile=strict|kvm */
	unsigned window_us;		/* memslot.torture_window_us */
	const char *expect;		/* an invariant the run must report (a finding), or NULL */
};

struct stress_thread {
	struct stress *s;
	pthread_t tid;
	unsigned cpu;			/* env_cpu_id; accessors' vcpu = cpu - 1 - agers */
	uint64_t rng;
	uint64_t progress;		/* atomic: heartbeat for the watchdog */
	uint64_t ops;			/* atomic: calls made (agers, accessors) */
	unsigned long paused_epoch;	/* last checkpoint this thread acknowledged */
	struct age_stats age;
	struct mmu_access_stats access;
	uint64_t max_chain;		/* longest chain an ager saw (entries) */
} __attribute__((aligned(64)));

struct stress {
	struct stress_params p;
	const struct rmap_ops *ops;
	struct mmu mmu;
	struct mmu_caches caches;	/* the writer's */
	unsigned nthreads;		/* writer + agers + accessors */
	struct stress_thread t[STRESS_MAX_THREADS];
	unsigned long epoch;		/* atomic: odd while a checkpoint stops the others */
	unsigned paused;		/* atomic: threads stopped at this checkpoint */
	int stop;			/* atomic: the writer is done */
	int watchdog_stop;		/* atomic: the run is over, before the MMU is destroyed */
	uint64_t writer_ops, zap_ops, checkpoints;
	uint64_t started_ns, last_checkpoint_ns;
};

/* stress_roles.c */
void *stress_writer_main(void *arg);
void *stress_ager_main(void *arg);
void *stress_accessor_main(void *arg);
void *stress_watchdog_main(void *arg);
/* The end of the run, from any thread: print the verdict line, exit the process with it. */
__attribute__((noreturn)) void stress_finish(struct stress *s, const char *why);
/* Stop the others, audit, check conservation, resume them (writer only, or after join). */
void stress_checkpoint(struct stress *s, bool others_running);

#endif /* STRESS_H */
