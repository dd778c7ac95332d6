/*
 * kernel/smp/smp.c - owns `smp`: the table of CPUs (dense id → per-CPU area, APIC id), AP
 * start-up and the work mailbox the idle APs poll. AP start-up follows SDM 3A 9.4.4
 * ("MP initialization example"): INIT, 10 ms, SIPI, 200 us, SIPI; it is done for all APs at
 * once (Linux's parallel bring-up since 6.5 is the model): every INIT is sent, one wait (10
 * ms, or none on processors that need none: init_delay_us), then every SIPI twice, so
 * start-up costs the same for 2 or 1000 CPUs. Each AP
 * takes a stack slot in the trampoline and finds its dense id by its APIC id. An AP that
 * does not come online within the bound is named and left out; a late one parks itself.
 */
#include "smp.h"
#include "lapic.h"
#include "mca.h"
#include "madt.h"
#include "bootinfo.h"
#include "pmm.h"
#include "gdt.h"
#include "trap.h"
#include "tsc.h"
#include "console.h"
#include "format.h"
#include "panic.h"
#include "power.h"
#include "arch/x86.h"

#define AP_STACK_PAGES	4
#define MAX_CPUS	4096	/* MADT entries read; no fixed limit below it */

/* An AP's claim on its slot in the run (smp_cpu.state): the AP and the BSP race for it with
 * one compare-exchange each, so an AP either runs and is counted, or is left out and parks. */
enum { AP_NEW, AP_JOINED, AP_READY, AP_LEFT_OUT };

struct smp_cpu {
	struct percpu pc;
	struct cpu_gdt gdt;
	unsigned state;			/* atomic: enum above */
};

extern const char trampoline_start[], trampoline_end[];
extern char tr_gdt[], tr_gdt_desc[], tr_far32[], tr_far64[], tr_cr3[], tr_stacks[], tr_entry[],
	tr_slot[], tr_protected[], tr_long[];
extern uint64_t boot_pml4[];

static struct {
	unsigned present;		/* usable CPUs in the MADT */
	unsigned online;		/* atomic: CPUs in dense[] (written once, at bring-up's end) */
	unsigned arrived;		/* atomic: APs that are ready (the bring-up's wait) */
	int closed;			/* atomic: bring-up over, late APs park */
	struct madt_cpu *madt;		/* present entries; [0] is moved to be the BSP */
	struct smp_cpu **cpu;		/* MADT index → area; never rewritten (ap_entry reads it) */
	struct smp_cpu **dense;		/* dense id → area of a CPU that runs */
	uint64_t *stack_tops;		/* trampoline slot → stack top */
	uint8_t *low;			/* the trampoline copy below 1 MiB */
	unsigned skip_id;		/* selftest=ap-no-start: the AP of this MADT index parks */
	uint64_t bringup_us;
	unsigned init_delay_us;		/* the wait after INIT (start_aps) */
	/* the work mailbox: BSP writes fn/arg then bumps gen (release); APs acquire gen */
	void (*work_fn)(void *);
	void *work_arg;
	uint64_t work_gen __attribute__((aligned(64)));
	unsigned work_done __attribute__((aligned(64)));
} smp;

unsigned smp_online(void) { return __atomic_load_n(&smp.online, __ATOMIC_ACQUIRE); }
unsigned smp_present(void) { return smp.present; }
uint64_t smp_bringup_us(void) { return smp.bringup_us; }

struct percpu *smp_cpu(unsigned id)
{
	return id < smp_online() && smp.dense[id] ? &smp.dense[id]->pc : NULL;
}

static void *alloc_pages(unsigned n)
{
	void *p = pmm_alloc_contig(n);

	if (!p)
		panic("smp: out of memory for per-CPU data (%u pages)", n);
	return p;
}

static __attribute__((noreturn)) void ap_idle(struct percpu *p)
{
	uint64_t seen = 0;

	for (;;) {
		uint64_t gen;

		cpu_wait_begin(CPU_WAIT_IDLE, "work", &smp.work_gen);
		/* acquire: pairs with the release increment in smp_run_all; fn/arg are then visible.
		 * Idle APs halt rather than spin: under TCG a spinning vCPU takes host time from
		 * the ones that work (288 vCPUs share 2 host cores in CI). */
		while ((gen = __atomic_load_n(&smp.work_gen, __ATOMIC_ACQUIRE)) == seen) {
			sti_hlt();
			cli();
		}
		cpu_wait_end();
		seen = gen;
		smp.work_fn(smp.work_arg);
		/* release: the work's effects are visible to the BSP once it counts us */
		__atomic_add_fetch(&smp.work_done, 1, __ATOMIC_RELEASE);
		(void)p;
	}
}

/* Called by boot/trampoline.S in long mode, on the slot's stack, with interrupts off. */
void ap_entry(unsigned slot);
void ap_entry(unsigned slot)
{
	uint32_t apic_id = cpuid_apic_id();
	struct smp_cpu *c = NULL;
	unsigned id;

	/* acquire: pairs with the BSP's release store of closed; a late AP stays out */
	if (__atomic_load_n(&smp.closed, __ATOMIC_ACQUIRE))
		machine_park();
	for (id = 1; id < smp.present; id++)
		if (smp.madt[id].apic_id == apic_id) {
			c = smp.cpu[id];
			break;
		}
	if (!c || id == smp.skip_id)
		machine_park();		/* not a CPU we started (or selftest=ap-no-start's): the
					 * BSP reports the missing one */
	/* the claim, before this CPU touches its area: lost to the BSP's close, it parks
	 * (acq_rel: pairs with the BSP's compare-exchange in close_bringup) */
	{
		unsigned want = AP_NEW;

		if (!__atomic_compare_exchange_n(&c->state, &want, AP_JOINED, false, __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			machine_park();
	}
	c->pc.stack_hi = smp.stack_tops[slot];
	c->pc.stack_lo = c->pc.stack_hi - AP_STACK_PAGES * PAGE_SIZE;
	percpu_install(&c->pc);
	gdt_load(&c->gdt);
	idt_load();
	lapic_init_ap();
	mca_init_this_cpu();
	/* release: this CPU's setup is done before the BSP sees it ready */
	__atomic_store_n(&c->state, AP_READY, __ATOMIC_RELEASE);
	__atomic_add_fetch(&smp.arrived, 1, __ATOMIC_RELEASE);
	ap_idle(&c->pc);
}

/* The trampoline page: free below 1 MiB per the memory map, and not the boot info. */
static void place_trampoline(uint64_t page)
{
	uint64_t base = page, sz = (uint64_t)(trampoline_end - trampoline_start);
	uint8_t *t = (uint8_t *)page;

	__builtin_memcpy(t, trampoline_start, sz);
#define TR_OFF(sym) ((uint64_t)((sym) - trampoline_start))
	*(uint32_t *)(t + TR_OFF(tr_gdt_desc) + 2) = (uint32_t)(base + TR_OFF(tr_gdt));
	*(uint32_t *)(t + TR_OFF(tr_far32)) = (uint32_t)(base + TR_OFF(tr_protected));
	*(uint32_t *)(t + TR_OFF(tr_far64)) = (uint32_t)(base + TR_OFF(tr_long));
	*(uint64_t *)(t + TR_OFF(tr_cr3)) = (uint64_t)boot_pml4;
	*(uint64_t *)(t + TR_OFF(tr_stacks)) = (uint64_t)smp.stack_tops;
	*(uint64_t *)(t + TR_OFF(tr_entry)) = (uint64_t)ap_entry;
	*(uint32_t *)(t + TR_OFF(tr_slot)) = 0;
#undef TR_OFF
	smp.low = t;
}

static unsigned reachable_aps(void)
{
	unsigned n = 0;

	for (unsigned id = 1; id < smp.present; id++) {
		if (!lapic_x2apic() && smp.madt[id].apic_id > 254) {
			kprintf("smp: cpu %u has APIC id 0x%x, beyond xAPIC's reach (no x2APIC); left out\n",
				id, smp.madt[id].apic_id);
			continue;
		}
		n++;
	}
	return n;
}

/*
 * The wait after INIT: the MP specification's 10 ms, which modern processors do not need
 * (Linux's smp_quirk_init_udelay skips it on Intel from family 6, AMD from 0xF, Hygon from
 * 0x18; so do we, and under any hypervisor, whose INIT is a state reset).
 */
static unsigned init_delay_us(void)
{
	uint32_t a, b, c, d, fam;
	char vendor[13];

	cpuid(0, 0, &a, &b, &c, &d);
	__builtin_memcpy(vendor, &b, 4);
	__builtin_memcpy(vendor + 4, &d, 4);
	__builtin_memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	cpuid(1, 0, &a, &b, &c, &d);
	fam = (a >> 8 & 0xf) == 0xf ? 0xf + (a >> 20 & 0xff) : a >> 8 & 0xf;
	if (cpu_has_hypervisor())
		return 0;
	if ((!__builtin_strcmp(vendor, "GenuineIntel") && fam >= 6) ||
	    (!__builtin_strcmp(vendor, "AuthenticAMD") && fam >= 0xf) ||
	    (!__builtin_strcmp(vendor, "HygonGenuine") && fam >= 0x18))
		return 0;
	return 10000;
}

static void start_aps(void)
{
	uint8_t vector = (uint8_t)((uint64_t)smp.low >> 12);
	uint64_t t0 = rdtsc(), deadline;

	smp.init_delay_us = init_delay_us();
	for (unsigned id = 1; id < smp.present; id++)
		if (lapic_x2apic() || smp.madt[id].apic_id <= 254)
			if (!lapic_send_ipi(smp.madt[id].apic_id, LAPIC_DM_INIT, 0))
				kprintf("smp: INIT to APIC id 0x%x not accepted\n", smp.madt[id].apic_id);
	tsc_delay_us(smp.init_delay_us);
	for (int round = 0; round < 2; round++) {
		for (unsigned id = 1; id < smp.present; id++)
			if (lapic_x2apic() || smp.madt[id].apic_id <= 254)
				lapic_send_ipi(smp.madt[id].apic_id, LAPIC_DM_STARTUP, vector);
		tsc_delay_us(200);
	}
	/* bound: 2 s plus 20 ms per AP (TCG runs many vCPUs on few host cores) */
	deadline = t0 + tsc_hz() * 2 + tsc_hz() / 50 * smp.present;
	/* acquire: pairs with each AP's release increment of arrived */
	while (__atomic_load_n(&smp.arrived, __ATOMIC_ACQUIRE) < reachable_aps() &&
	       (int64_t)(rdtsc() - deadline) < 0)
		cpu_pause();
	/* release: APs that have not looked yet see it and park */
	__atomic_store_n(&smp.closed, 1, __ATOMIC_RELEASE);
	smp.bringup_us = tsc_ns(rdtsc() - t0) / 1000;
}

/*
 * Dense ids 0..online-1 for the CPUs that run: one that did not start must leave no hole for
 * the watchdog, the roles and smp-smoke to wait on (a false `liveness` on a real machine). Each
 * AP's slot is closed with a compare-exchange that races the AP's own claim (ap_entry): an AP
 * that claimed first runs, and its setup is waited for (it is already executing it); one that
 * did not is left out, named, and parks when it looks. The CPUs that run are numbered in
 * dense[] (smp.cpu[], which late APs still read, is not touched); the ones after a hole move
 * down while they sit in ap_idle, before any work is handed out.
 */
static void close_bringup(void)
{
	unsigned n = 1;

	smp.dense[0] = smp.cpu[0];
	for (unsigned id = 1; id < smp.present; id++) {
		struct smp_cpu *c = smp.cpu[id];
		unsigned want = AP_NEW;
		uint64_t until = rdtsc() + tsc_hz();

		/* acq_rel: pairs with the AP's compare-exchange of its claim */
		if (__atomic_compare_exchange_n(&c->state, &want, AP_LEFT_OUT, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			kprintf("smp: cpu %u (APIC id 0x%x) did not come online; left out, the CPUs after it renumbered\n",
				id, smp.madt[id].apic_id);
			continue;
		}
		/* claimed: its setup takes microseconds (acquire: pairs with its READY store) */
		while (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != AP_READY &&
		       (int64_t)(rdtsc() - until) < 0)
			cpu_pause();
		if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) != AP_READY)
			panic("smp: cpu %u (APIC id 0x%x) joined but did not finish its setup in 1 s",
			      id, smp.madt[id].apic_id);
		c->pc.id = n;
		smp.dense[n++] = c;
	}
	/* release: the dense table and every moved id are in place before anyone counts */
	__atomic_store_n(&smp.online, n, __ATOMIC_RELEASE);
}

void smp_skip_ap_selftest(unsigned id)
{
	smp.skip_id = id;
}

unsigned smp_init(struct boot_platform *bp)
{
	static struct madt_cpu madt_buf[MAX_CPUS];
	struct madt_info mi;
	uint32_t bsp_apic = cpuid_apic_id();
	struct percpu *bsp = cpu_this();

	static struct smp_cpu *bsp_only[1];

	smp.online = 1;
	smp.present = 1;
	smp.cpu = smp.dense = bsp_only;
	bsp_only[0] = (struct smp_cpu *)bsp;	/* only .pc is used for the BSP */
	bsp->apic_id = bsp_apic;
	if (madt_parse(&mi, madt_buf, MAX_CPUS, lapic_will_use_x2apic()) || mi.enabled == 0) {
		kprintf("smp: no usable MADT or MP table: running on the BSP alone\n");
		if (lapic_init_bsp(0))
			panic("smp: cannot map the local APIC");
		return 1;
	}
	smp.madt = madt_buf;
	smp.present = mi.enabled < MAX_CPUS ? mi.enabled : MAX_CPUS;
	/* dense id 0 is the BSP: swap its entry to the front */
	for (unsigned i = 0; i < smp.present; i++)
		if (madt_buf[i].apic_id == bsp_apic) {
			struct madt_cpu t = madt_buf[0];

			madt_buf[0] = madt_buf[i];
			madt_buf[i] = t;
			break;
		}
	if (madt_buf[0].apic_id != bsp_apic)
		panic("smp: the BSP (APIC id 0x%x) is not in the MADT", bsp_apic);
	if (lapic_init_bsp(mi.lapic_base))
		panic("smp: cannot map the local APIC at 0x%llx", (unsigned long long)mi.lapic_base);

	smp.cpu = alloc_pages((unsigned)((smp.present * sizeof(void *) + PAGE_SIZE - 1) / PAGE_SIZE));
	smp.dense = alloc_pages((unsigned)((smp.present * sizeof(void *) + PAGE_SIZE - 1) / PAGE_SIZE));
	smp.stack_tops = alloc_pages((unsigned)((smp.present * 8 + PAGE_SIZE - 1) / PAGE_SIZE));
	smp.cpu[0] = smp.dense[0] = (struct smp_cpu *)bsp;	/* only .pc is used for the BSP */
	for (unsigned id = 1; id < smp.present; id++) {
		struct smp_cpu *c = alloc_pages((sizeof(*c) + PAGE_SIZE - 1) / PAGE_SIZE);

		c->pc.id = id;
		c->pc.apic_id = smp.madt[id].apic_id;
		smp.cpu[id] = c;
		smp.stack_tops[id - 1] = (uint64_t)alloc_pages(AP_STACK_PAGES) + AP_STACK_PAGES * PAGE_SIZE;
	}
	if (smp.present > 1) {
		if (!bp->trampoline_page) {
			kprintf("smp: no free page below 1 MiB for the AP trampoline: BSP alone\n");
			smp.present = 1;
			return 1;
		}
		place_trampoline(bp->trampoline_page);
		start_aps();
	}
	close_bringup();
	return smp_online();
}

/* "  smp: ..." then the APIC ids by dense number, consecutive runs as ranges */
void smp_print(void)
{
	char line[200];
	int n = 0;

	kprintf("  smp: %u/%u CPUs online, %s, bring-up %llu us (INIT wait %u us)\n", smp_online(),
		smp.present, lapic_x2apic() ? "x2apic" : "xapic", (unsigned long long)smp.bringup_us,
		smp.init_delay_us);
	for (unsigned i = 0; i < smp.present; i++) {
		unsigned j = i;

		if (!smp_cpu(i) || !smp_cpu(i)->self)
			continue;
		while (j + 1 < smp.present && smp_cpu(j + 1) && smp_cpu(j + 1)->self &&
		       smp_cpu(j + 1)->apic_id == smp_cpu(j)->apic_id + 1)
			j++;
		if (n > (int)sizeof(line) - 40) {
			kprintf("  smp: apic ids%s\n", line);
			n = 0;
		}
		if (j == i)
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %u", smp_cpu(i)->apic_id);
		else
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %u-%u", smp_cpu(i)->apic_id,
				       smp_cpu(j)->apic_id);
		i = j;
	}
	if (n)
		kprintf("  smp: apic ids%s\n", line);
}

void smp_run_all(void (*fn)(void *arg), void *arg)
{
	unsigned others = smp_online() - 1;

	smp.work_fn = fn;
	smp.work_arg = arg;
	__atomic_store_n(&smp.work_done, 0, __ATOMIC_RELAXED);
	/* release: fn, arg and the reset count before the APs see the new generation */
	__atomic_add_fetch(&smp.work_gen, 1, __ATOMIC_RELEASE);
	if (others)
		lapic_send_ipi_others(LAPIC_DM_FIXED, LAPIC_VEC_WAKE);
	fn(arg);
	cpu_wait_begin(CPU_WAIT_BARRIER, "work done", &smp.work_done);
	/* acquire: pairs with each AP's release increment */
	while (__atomic_load_n(&smp.work_done, __ATOMIC_ACQUIRE) < others)
		cpu_pause();
	cpu_wait_end();
}

void smp_park_others(void)
{
	unsigned me = cpu_id();

	for (unsigned id = 0; id < smp.present; id++)
		if (id != me && smp_cpu(id) && smp_cpu(id)->self)
			lapic_send_ipi(smp_cpu(id)->apic_id, LAPIC_DM_NMI, 0);
}
