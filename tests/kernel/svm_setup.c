/*
 * tests/kernel/svm_setup.c - the set-up and tear-down svm-guest, svm-race and svm-zap share
 * (svm_guest.h): the checks before a guest test may begin (format=, SVM with NPT, CPUs), the
 * guest's memory (SVM_NGFNS contiguous backing frames, VMCB, host save area), the MMU that
 * maps the frames for its NPT, the guest code and data and the mailbox; at the end the NPT
 * audited and zapped inside the test, the memory freed and the SPTE format given back.
 * Owns nothing beyond svm_guest's set-up fields, which the BSP writes before smp_run_all.
 */
#include "svm_guest.h"
#include "catalog.h"
#include "console.h"
#include "env.h"
#include "lapic.h"
#include "power.h"
#include "report.h"
#include "smp.h"
#include "tsc.h"
#include "arch/x86.h"

struct svm_guest_state svm_guest;

void svm_guest_kick(void)
{
	lapic_send_ipi(smp_cpu(SVM_VCPU_CPU)->apic_id, LAPIC_DM_FIXED, LAPIC_VEC_WAKE);
}

/* mmu->kick_vcpu: the MMU's remote TLB flush found the guest in guest mode */
static void kick_vcpu(void *arg, unsigned vcpu)
{
	(void)arg;
	ENV_ASSERT(vcpu == SVM_VCPU_MMU);
	svm_guest_kick();
}

uint32_t svm_guest_fill_word(unsigned p, unsigned w)
{
	/* even, as the guest's stores: never GUEST_POISON (svm-zap counts reads of it) */
	return ((p * 1024u + w) * 2654435761u ^ svm_guest.seed) & ~1u;
}

bool svm_guest_begin(const struct test_run *r, const char *name, unsigned min_cpus,
		     const char *cpus_why)
{
	enum spte_format_id old = spte_fmt.id;
	const char *why = svm_unsupported_reason();

	/* Format: the test takes format=npt for its own MMU (the format is fixed only while an
	 * MMU exists, so other tests of the run keep theirs); an explicit format=ept contradicts
	 * it: a usage error under test=<name>, a SKIP under test=all. */
	if (cmdline_given(r->cl, CMDLINE_FORMAT) && r->cl->format != CMDLINE_FORMAT_NPT) {
		if (r->cl->test != CMDLINE_ALL) {
			/* as main.c's own option checks: a contradiction on the line, exit 2 */
			kprintf("error: test=%s runs a guest on nested page tables: it needs format=npt (or no format=), not format=%s\n",
				name, spte_format_name((enum spte_format_id)r->cl->format));
			machine_finish(EXIT_USAGE);
		}
		report_skip(name, "format=ept given: the guest needs format=npt");
		return false;
	}
	if (why) {
		report_skip(name, why);
		return false;
	}
	if (smp_online() < min_cpus) {
		report_skip(name, cpus_why);
		return false;
	}
	if (spte_set_format(SPTE_FORMAT_NPT)) {
		report_skip(name, "the SPTE format cannot change to npt while another MMU exists");
		return false;
	}
	__builtin_memset(&svm_guest, 0, sizeof(svm_guest));
	svm_guest.name = name;
	svm_guest.old_format = old;
	report_test_begin(name);
	return true;
}

bool svm_guest_setup(const struct test_run *r, uint32_t nread, uint32_t every, uint32_t read_mask)
{
	struct svm_guest_state *g = &svm_guest;
	unsigned blob = (unsigned)(svm_guest_blob_end - svm_guest_blob);

	g->seed = (uint32_t)r->cl->seed;
	g->backing = pmm_alloc_contig(SVM_NGFNS);
	g->vmcb = page_alloc();
	g->hsave = page_alloc();
	if (!g->backing || !g->vmcb || !g->hsave) {
		report_error("%s: no memory for the guest", g->name);
		return false;
	}
	if (mmu_init(&g->mmu, 0, SVM_NGFNS, 1, 1, r->ops, true) ||
	    mmu_set_backing(&g->mmu, (uint64_t)(uintptr_t)g->backing / PAGE_SIZE,
			    r->cl->svm_leaf_ad == CMDLINE_SVM_LEAF_AD_SET ? MMU_LEAF_AD_SET :
								   MMU_LEAF_AD_CLEAR)) {
		report_error("%s: mmu_init failed", g->name);
		return false;
	}
	g->mmu.kick_vcpu = kick_vcpu;
	__builtin_memcpy(g->backing + GUEST_CODE_GPA, svm_guest_blob, blob);
	for (unsigned p = 0; p < SVM_DATA_PAGES; p++)
		for (unsigned w = 0; w < 1024; w++)
			svm_guest_data_page(p)[w] = svm_guest_fill_word(p, w);
	svm_mailbox_write(MB_SEED, g->seed);
	svm_mailbox_write(MB_NPAGES, SVM_DATA_PAGES);
	svm_mailbox_write(MB_NREAD, nread);
	svm_mailbox_write(MB_EVERY, every);
	svm_mailbox_write(MB_READ_MASK, read_mask);
	svm_mailbox_write(MB_DATA_BASE, GUEST_DATA_GPA);
	svm_mailbox_write(MB_POISON_READS, 0);
	return true;
}

static void destroy_mmu(void)
{
	struct svm_guest_state *g = &svm_guest;

	if (!g->mmu.nr_roots)
		return;
	/* the AP is out of the guest for good: the structure as the walker left it, table
	 * entries with its A included (mmu_audit tolerates them in a backed MMU only) */
	mmu_audit(&g->mmu);
	mmu_write_lock(&g->mmu.lock);
	mmu_zap_all(&g->mmu);
	mmu_write_unlock(&g->mmu.lock);
	mmu_free_memory_caches(&g->mmu, &g->mc);
	mmu_destroy(&g->mmu);
}

static void release(void)
{
	struct svm_guest_state *g = &svm_guest;

	if (g->backing)
		for (unsigned i = 0; i < SVM_NGFNS; i++)
			page_free(g->backing + i * PAGE_SIZE);
	if (g->vmcb)
		page_free(g->vmcb);
	if (g->hsave)
		page_free(g->hsave);
	spte_set_format(g->old_format);
}

static void roles_work(void *arg)
{
	const struct svm_roles *roles = arg;

	if (cpu_id() == SVM_VCPU_CPU)
		svm_guest_vcpu_run_until_stop();
	else if (cpu_id() == 0)
		roles->bsp();
	else if (roles->others)
		roles->others();
}

void svm_guest_run_and_release(void (*work)(void *arg), void *arg, void (*check_and_end)(void))
{
	if (work)
		smp_run_all(work, arg);
	destroy_mmu();
	if (work && !svm_guest.failed)
		check_and_end();
	else
		report_test_end("%s", "");	/* the error is reported already */
	release();
}

bool svm_guest_begin_roles(const struct test_run *r, const char *name, unsigned min_cpus,
			   const char *cpus_why, struct svm_roles *roles)
{
	roles->seconds = cmdline_given(r->cl, CMDLINE_SECONDS) ? r->cl->seconds :
								 roles->default_seconds;
	return svm_guest_begin(r, name, min_cpus, cpus_why);
}

void svm_guest_run_roles(struct svm_roles *roles, bool ok)
{
	env_report_start();
	roles->t_end = rdtsc() + tsc_hz() * roles->seconds;
	svm_guest_run_and_release(ok ? roles_work : NULL, roles, roles->check_and_end);
}
