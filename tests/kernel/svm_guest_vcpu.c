/*
 * tests/kernel/svm_guest_vcpu.c - the svm-guest test's vCPU: on one AP, enable SVM, run the
 * guest (kernel/arch/svm_guest.S) under the NPT of svm_guest.mmu and handle its exits: NPF
 * faults the gfn in through the MMU's own fault path under mmu_lock, VMMCALL lets the host
 * look at the mailbox (and stop the guest), INTR takes the BSP's IPI, NMI is only counted (the
 * host's handler took the NMI at svm_vmrun's stgi), HLT ends a phase; any other exit is an
 * error with its exit code and EXITINFO. Between the phases: snapshots of the leaves and the
 * lockless ager's A clear. The checks are svm_guest.c's, on the BSP.
 */
#include "svm_guest.h"
#include "percpu.h"
#include "report.h"
#include "tsc.h"
#include "arch/x86.h"
#include "rmap/rmap.h"

/* NPF: map the gfn the guest touched, as a KVM vCPU's page fault would (kvm_tdp_page_fault) */
static bool handle_npf(struct vmcb *vmcb, struct svm_exits *ex)
{
	struct svm_guest_state *g = &svm_guest;
	uint64_t gpa = vmcb->control.exit_info_2, info = vmcb->control.exit_info_1;
	gfn_t gfn = gpa >> 12;
	enum mmu_fault_result r;

	bool refault = false;

	if ((info & SVM_NPTEXIT_GPA) && gfn < SVM_NGFNS && g->npf_count[gfn] && g->refault) {
		/* the gfn is not mapped now, so only a zap (whose hook marks it) took it away;
		 * after this lock nobody but us touches its frame until the fault below maps it */
		mmu_write_lock(&g->mmu.lock);
		refault = g->refault(gfn);
		mmu_write_unlock(&g->mmu.lock);
	}
	if (!(info & SVM_NPTEXIT_GPA) || gfn >= SVM_NGFNS || (g->npf_count[gfn] && !refault)) {
		report_error("%s: NPF at gpa 0x%llx exit_info_1=0x%llx rip=0x%llx: %s",
			     g->name, (unsigned long long)gpa, (unsigned long long)info,
			     (unsigned long long)vmcb->save.rip,
			     gfn >= SVM_NGFNS ? "outside the memslot" :
			     g->npf_count[gfn] ? "a second fault on a mapped gfn" : "not a data access");
		return false;
	}
	do {
		if (mmu_topup_memory_caches(&g->mmu, &g->mc)) {
			report_error("%s: no memory for the NPT", g->name);
			return false;
		}
		mmu_write_lock(&g->mmu.lock);
		r = mmu_fault(&g->mmu, &g->mc, 0, gfn, PG_LEVEL_4K, info & SVM_NPF_WRITE);
		mmu_write_unlock(&g->mmu.lock);
	} while (r == FAULT_RETRY);
	g->npf_count[gfn]++;
	ex->npf++;
	return true;
}

/*
 * svm-guest's stop: at a VMMCALL past the phase's accesses (and in phase 1 past an INTR and an
 * NMI exit, or SVM_INTR_WAIT_MS).
 */
static bool guest_stop(unsigned phase, const struct svm_exits *ex, uint64_t t0)
{
	uint32_t accesses = phase ? SVM_PHASE2_ACCESSES : SVM_MIN_ACCESSES;

	return svm_mailbox_read(MB_ACCESSES) >= accesses &&
	       (phase || (ex->intr && ex->nmi) ||
		rdtsc() - t0 > tsc_hz() / 1000 * SVM_INTR_WAIT_MS);
}

/*
 * One phase: VMRUN until the guest's HLT. At a VMMCALL where stop() says so the host sets
 * stop and the guest halts after it. False on an error (reported). The guest's access count
 * (its ESI) is published at each VMRUN and #VMEXIT, for svm-race's dirty logger; at an exit
 * between an access and its count it is one short, which only makes the logger wait longer.
 */
bool svm_guest_run_phase(unsigned phase, svm_stop_fn *stop)
{
	struct svm_guest_state *g = &svm_guest;
	struct vmcb *vmcb = g->vmcb;
	struct svm_exits *ex = &g->exits[phase];
	uint64_t t0 = rdtsc();

	for (;;) {
		uint32_t code;

		/* relaxed: entry_accesses is read after the acquire of vmruns, which this release
		 * publishes; both before the VMRUN, so that the VMRUN counted follows the count */
		__atomic_store_n(&g->entry_accesses, (uint32_t)g->gprs.rsi, __ATOMIC_RELAXED);
		__atomic_fetch_add(&g->vmruns, 1, __ATOMIC_RELEASE);
		/* a vCPU of the MMU's remote TLB flush (access.c), as KVM's vcpu->mode: in guest
		 * mode across the VMRUN, so that a flush kicks us and waits for the #VMEXIT; the
		 * next VMRUN flushes the nested TLB (under TCG always; TLB_CONTROL on hardware) */
		mmu_guest_enter(&g->mmu, SVM_VCPU_MMU);
		svm_vmrun((uint64_t)(uintptr_t)vmcb, &g->gprs);
		mmu_guest_exit(&g->mmu, SVM_VCPU_MMU);
		/* release: pairs with the logger's acquire of exit_accesses */
		__atomic_store_n(&g->exit_accesses, (uint32_t)g->gprs.rsi, __ATOMIC_RELEASE);
		cpu_heartbeat();
		code = (uint32_t)vmcb->control.exit_code;	/* QEMU: 0x00000000ffffffff for ERR */
		if (code == SVM_EXIT_NPF) {
			if (!handle_npf(vmcb, ex))
				return false;
		} else if (code == SVM_EXIT_VMMCALL) {
			vmcb->save.rip += 3;	/* 0f 01 d9; no NRIP save under TCG: next_rip is 0 */
			ex->vmmcall++;
			if (stop(phase, ex, t0))
				svm_mailbox_write(MB_STOP, 1);
		} else if (code == SVM_EXIT_INTR) {
			ex->intr++;
			svm_take_pending_irq();	/* the IPI is still pending: its handler EOIs */
		} else if (code == SVM_EXIT_NMI) {
			/* nothing to do: the NMI stayed pending through the #VMEXIT and the
			 * host's handler took it at stgi (svm_vmrun.S), before we got here */
			ex->nmi++;
		} else if (code == SVM_EXIT_HLT) {
			ex->hlt++;
			g->accesses[phase] = svm_mailbox_read(MB_ACCESSES);
			g->read_sum[phase] = svm_mailbox_read(MB_READ_SUM);
			return true;
		} else {
			report_error("%s: phase %u: unexpected exit 0x%llx%s exit_info_1=0x%llx exit_info_2=0x%llx rip=0x%llx",
				     g->name, phase + 1, (unsigned long long)vmcb->control.exit_code,
				     code == SVM_EXIT_ERR ? " (VMEXIT_INVALID)" : "",
				     (unsigned long long)vmcb->control.exit_info_1,
				     (unsigned long long)vmcb->control.exit_info_2,
				     (unsigned long long)vmcb->save.rip);
			return false;
		}
	}
}

struct snapshot {
	uint64_t *sptes;		/* per gfn */
	uint64_t nonleaf_accessed;
};

static void snap_entry(void *ctx, struct mmu_page *sp, unsigned i, uint64_t spte)
{
	struct snapshot *s = ctx;

	if (!is_shadow_present_pte(spte))
		svm_guest.nonpresent_ad++;	/* the walker wrote A/D where nothing is mapped */
	else if (sp->level == PG_LEVEL_4K && sp_gfn_at(sp, i) < SVM_NGFNS)
		s->sptes[sp_gfn_at(sp, i)] = spte;
	else if (!is_last_spte(spte, sp->level) && is_accessed_spte(spte))
		s->nonleaf_accessed++;
}

uint64_t svm_guest_snapshot(uint64_t *sptes)
{
	static const struct mmu_walk_ops ops = { NULL, snap_entry };
	struct snapshot s = { sptes, 0 };

	mmu_walk(&svm_guest.mmu, &ops, &s);
	return s.nonleaf_accessed;
}

void svm_guest_prepare_phase(void)
{
	struct svm_guest_state *g = &svm_guest;

	svm_vmcb_init_flat32(g->vmcb, (uint64_t)(uintptr_t)g->mmu.roots[0]->spt, 0, GUEST_CODE_GPA,
			     GUEST_STACK_TOP);
	__builtin_memset(&g->gprs, 0, sizeof(g->gprs));
	svm_mailbox_write(MB_STOP, 0);
	svm_mailbox_write(MB_ACCESSES, 0);
}

static bool stop_flag(unsigned phase, const struct svm_exits *ex, uint64_t t0)
{
	(void)phase, (void)ex, (void)t0;
	/* acquire: pairs with the stopping CPU's release; nothing after it is read, a hint */
	return __atomic_load_n(&svm_guest.stop, __ATOMIC_ACQUIRE);
}

void svm_guest_vcpu_run_until_stop(void)
{
	struct svm_guest_state *g = &svm_guest;
	bool ok;

	svm_enable_cpu(g->hsave);
	svm_guest_prepare_phase();
	ok = svm_guest_run_phase(0, stop_flag);
	if (ok)
		g->nonleaf_accessed = svm_guest_snapshot(g->spte_run);
	svm_disable_cpu();
	g->failed = !ok;
	/* release: everything above before the BSP's acquire load of done */
	__atomic_store_n(&g->done, 1, __ATOMIC_RELEASE);
}

void svm_guest_vcpu_run(void)
{
	struct svm_guest_state *g = &svm_guest;
	struct age_stats st = { 0 };
	bool ok;

	svm_enable_cpu(g->hsave);
	svm_guest_prepare_phase();
	/* relaxed: a hint to the BSP's IPI loop; an IPI outside the guest is harmless (pending) */
	__atomic_store_n(&g->in_guest, 1, __ATOMIC_RELAXED);
	ok = svm_guest_run_phase(0, guest_stop);
	__atomic_store_n(&g->in_guest, 0, __ATOMIC_RELAXED);
	if (ok) {
		g->nonleaf_accessed = svm_guest_snapshot(g->spte_run);
		/* the core's lockless ager, as the APs of the harness run it: clears A in the leaves */
		age_gfn_range(&g->mmu.slot, 0, SVM_NGFNS, &st);
		g->aged_cleared = st.accessed_cleared;
		svm_guest_snapshot(g->spte_aged);
		/* VMRUN flushes the nested TLB under TCG (and TLB_CONTROL asks it of hardware) */
		svm_guest_prepare_phase();
		ok = svm_guest_run_phase(1, guest_stop);
		svm_guest_snapshot(g->spte_again);
	}
	svm_disable_cpu();
	g->failed = !ok;
	/* release: everything above before the BSP's acquire load of done */
	__atomic_store_n(&g->done, 1, __ATOMIC_RELEASE);
}
