/*
 * kernel/smp/barrier.c - owns the barrier episodes and `stw`, the stop-the-world state.
 * The barrier is sense-reversing with the sense kept as an episode counter (its bit 0 is the
 * classic sense bit), so a CPU needs no local sense and may use any number of barriers: the
 * last arrival resets the count and then publishes the next episode with a release store;
 * the others spin on the episode with acquire loads. Waits are declared to the watchdog.
 */
#include "barrier.h"
#include "smp.h"
#include "percpu.h"
#include "arch/x86.h"

uint64_t stw_requested;

static struct {
	unsigned participants;
	unsigned arrived __attribute__((aligned(64)));
	uint64_t released __attribute__((aligned(64)));	/* episode the APs wait to see */
} stw;

void barrier_init(struct smp_barrier *b, const char *name, unsigned n)
{
	b->name = name;
	b->n = n;
	b->count = 0;
	b->sense = 0;
}

void barrier_wait(struct smp_barrier *b)
{
	/* acquire: nothing after the barrier moves above our reading of the episode */
	unsigned episode = __atomic_load_n(&b->sense, __ATOMIC_ACQUIRE);

	/* acq_rel: our writes before the barrier are published to the last arrival */
	if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == b->n) {
		__atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
		/* release: pairs with the waiters' acquire loads below; count reset first */
		__atomic_store_n(&b->sense, episode + 1, __ATOMIC_RELEASE);
		cpu_heartbeat();
		return;
	}
	cpu_wait_begin(CPU_WAIT_BARRIER, b->name, b);
	while (__atomic_load_n(&b->sense, __ATOMIC_ACQUIRE) == episode)
		smp_nap();	/* a pause; on an AP of a heavily overcommitted machine, a halt */
	cpu_wait_end();
}

void stw_arm(unsigned participants)
{
	stw.participants = participants;
}

void stw_begin(void)
{
	__atomic_store_n(&stw.arrived, 0, __ATOMIC_RELAXED);
	/* release: the reset count is visible before any AP sees the request */
	__atomic_store_n(&stw_requested, 1, __ATOMIC_RELEASE);
	cpu_wait_begin(CPU_WAIT_BARRIER, "stop-the-world arrivals", &stw.arrived);
	/* acquire: pairs with each AP's release increment: their writes are visible to the audit */
	while (__atomic_load_n(&stw.arrived, __ATOMIC_ACQUIRE) < stw.participants)
		cpu_pause();
	cpu_wait_end();
}

void stw_end(void)
{
	__atomic_store_n(&stw_requested, 0, __ATOMIC_RELAXED);
	/* release: the audit's writes are visible to the APs that acquire the new episode */
	__atomic_add_fetch(&stw.released, 1, __ATOMIC_RELEASE);
}

bool stw_poll_slow(void)
{
	/* read the episode before arriving: the BSP cannot release it until we have arrived */
	uint64_t episode = __atomic_load_n(&stw.released, __ATOMIC_ACQUIRE);

	if (!__atomic_load_n(&stw_requested, __ATOMIC_ACQUIRE))
		return false;
	cpu_wait_begin(CPU_WAIT_BARRIER, "stop-the-world release", &stw.released);
	/* release: our writes so far are visible to the auditing BSP */
	__atomic_add_fetch(&stw.arrived, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&stw.released, __ATOMIC_ACQUIRE) == episode)
		smp_nap();	/* a pause; on an AP of a heavily overcommitted machine, a halt */
	cpu_wait_end();
	return true;
}
