/*
 * kernel/main.c - the BSP's path from boot/entry.S to the verdict: platform bring-up in
 * dependency order, the banner, the command line, then the selected tests through the
 * catalog, and the summary. Each step that can fail says what failed and ends the run with
 * the DESIGN §6 exit code (2 for boot and usage errors).
 */
#include <stdint.h>
#include "console.h"
#include "serial.h"
#include "percpu.h"
#include "gdt.h"
#include "trap.h"
#include "mb2.h"
#include "mca.h"
#include "pvh.h"
#include "bootinfo.h"
#include "acpi.h"
#include "tsc.h"
#include "power.h"
#include "report.h"
#include "cmdline.h"
#include "catalog.h"
#include "mmu/spte_format.h"
#include "rmap/rmap_ops.h"
#include "selftest.h"
#include "smp.h"
#include "watchdog.h"

_Static_assert((int)SERIAL_COM1 == (int)CMDLINE_CONSOLE_COM1 &&
	       (int)SERIAL_COM2 == (int)CMDLINE_CONSOLE_COM2 &&
	       (int)SERIAL_IO == (int)CMDLINE_CONSOLE_IO &&
	       (int)SERIAL_MMIO32 == (int)CMDLINE_CONSOLE_MMIO32 &&
	       (int)SERIAL_NONE == (int)CMDLINE_CONSOLE_NONE &&
	       (int)SERIAL_AUTO == (int)CMDLINE_CONSOLE_AUTO,
	       "console= names serial.h's kinds in order");
_Static_assert((int)SPTE_FORMAT_EPT == CMDLINE_FORMAT_EPT && (int)SPTE_FORMAT_NPT == CMDLINE_FORMAT_NPT,
	       "format= names mmu/spte_format.h's order");

#define MB2_INFO_BOUND (1u << 20)	/* more than any loader's info block; a bigger one is bad */

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	kprintf("  %s\n", line);
}

static void print_banner(const struct boot_platform *bp)
{
	kprintf("rmap-harness %s boot=%s cpus=%u/%u mem=%llu cmdline=\"%s\"\n", RH_VERSION,
		bp->uefi ? "uefi" : "bios", bp->cpus_online, bp->cpus_present,
		(unsigned long long)bp->mem_mib, bp->cmdline);
}

static __attribute__((noreturn)) void usage_error(const struct cmdline_lists *lists, const char *msg)
{
	kprintf("error: %s\n", msg);
	kprintf("valid options (name=value, separated by spaces):\n");
	cmdline_usage(lists, print_line, NULL);
	machine_finish(EXIT_USAGE);
}

static __attribute__((noreturn)) void list_mutations(void)
{
	for (size_t i = 0; i < catalog_nmutations(); i++)
		kprintf("mutation %s inv=%s - %s%s%s\n", catalog_mutation(i)->name,
			catalog_mutation(i)->inv, catalog_mutation(i)->description,
			rmap_ops_profile_note(catalog_mutation(i)),
			rmap_ops_format_note(catalog_mutation(i)));
	kprintf("SUMMARY: 0 passed, 0 failed\n");
	machine_finish(EXIT_PASS);
}

/* reread= chooses one of kvm's steps: under strict, which never re-reads, it is refused. */
static void check_reread_profile(const struct cmdline *cl)
{
	if (!cmdline_given(cl, CMDLINE_REREAD) || cl->profile == CMDLINE_PROFILE_KVM)
		return;
	kprintf("error: reread= chooses profile=kvm's walk after an elided lock; profile=strict never re-reads: give profile=kvm or drop reread=\n");
	machine_finish(EXIT_USAGE);
}

/* A mutation of a step, or of a contract, that only one profile has is refused by the other. */
static void check_mutation_profile(const struct cmdline *cl)
{
	const struct rmap_ops *ops;
	const char *profile = cl->profile == CMDLINE_PROFILE_KVM ? "kvm" : "strict";

	if (cl->mutate < 0)
		return;
	ops = catalog_mutation((size_t)cl->mutate);
	if (rmap_ops_runs_under(ops, (enum mmu_profile)cl->profile))
		return;
	kprintf("error: mutate=%s breaks a step or a contract only profile=%s has; profile=%s refuses it\n",
		ops->name, ops->profiles == RMAP_KVM_ONLY ? "kvm" : "strict", profile);
	kprintf("mutations that run under profile=%s:", profile);
	for (size_t i = 0; i < catalog_nmutations(); i++)
		if (rmap_ops_runs_under(catalog_mutation(i), (enum mmu_profile)cl->profile))
			kprintf(" %s", catalog_mutation(i)->name);
	kprintf("\n");
	machine_finish(EXIT_USAGE);
}

/*
 * format= before any MMU exists (spte_set_format refuses a change later). A mutation of a step
 * only one format has is refused by the other: age-track-plain breaks kvm's access tracking,
 * which needs A/D-disabled SPTEs, and TDP NPT always has A/D enabled (KVM sets no A/D-disabled
 * roots under NPT), so under format=npt the broken step would never run and never be caught.
 */
static void set_format(struct cmdline *cl)
{
	enum spte_format_id format;
	const struct rmap_ops *ops = cl->mutate >= 0 ? catalog_mutation((size_t)cl->mutate) : NULL;

	/* guests= runs SVM guests on the harness's tables: they are NPT tables, so guests=
	 * without format= means format=npt, and with format=ept it is a contradiction */
	if (cl->guests && cl->format != CMDLINE_FORMAT_NPT) {
		if (cmdline_given(cl, CMDLINE_FORMAT)) {
			kprintf("error: guests=%u runs SVM guests on nested page tables: it needs format=npt (or no format=), not format=%s\n",
				cl->guests, spte_format_name((enum spte_format_id)cl->format));
			machine_finish(EXIT_USAGE);
		}
		cl->format = CMDLINE_FORMAT_NPT;
	}
	format = (enum spte_format_id)cl->format;

	if (ops && !rmap_ops_runs_in_format(ops, format)) {
		kprintf("error: mutate=%s breaks a step or a contract only format=ept has (A/D-disabled SPTEs, access tracking); format=%s refuses it: TDP NPT always has A/D enabled\n",
			ops->name, spte_format_name(format));
		machine_finish(EXIT_USAGE);
	}
	if (spte_set_format(format)) {
		kprintf("error: format=%s: the SPTE format cannot change while an MMU exists\n",
			spte_format_name(format));
		machine_finish(EXIT_USAGE);
	}
}

static enum on_finish finish_from_cmdline(const struct cmdline *cl)
{
	static const enum on_finish map[] = {
		[CMDLINE_FINISH_AUTO] = FINISH_AUTO,
		[CMDLINE_FINISH_QEMU_EXIT] = FINISH_QEMU_EXIT,
		[CMDLINE_FINISH_HALT] = FINISH_HALT,
		[CMDLINE_FINISH_REBOOT] = FINISH_REBOOT,
		[CMDLINE_FINISH_POWEROFF] = FINISH_POWEROFF,
	};

	return map[cl->on_finish];
}

void kmain(uint32_t magic, uint64_t info_pa)
{
	static struct mb2_info mi;
	static struct boot_platform bp;
	static struct cmdline cl;
	struct cmdline_lists lists = {
		catalog_test_names(), catalog_ntests, catalog_mutation_names(), catalog_nmutations(),
	};
	char err[256];
	const char *serial_src;
	int cl_err;

	bp.t_entry = rdtsc();		/* the boot phases' start (bootinfo_print) */
	percpu_init_bsp();
	gdt_load(&bsp_gdt);
	idt_init();
	idt_load();
	mca_init_this_cpu();
	serial_init();

	/* two ways in: GRUB's multiboot2 (boot/header.S), or the PVH entry of QEMU's -kernel
	 * (boot/pvh.S); each hands over a block that becomes the same struct mb2_info */
	if (magic == MB2_BOOTLOADER_MAGIC) {
		if (mb2_parse((const void *)info_pa, MB2_INFO_BOUND, &mi, err, sizeof(err))) {
			kprintf("error: multiboot2 information at 0x%llx is malformed: %s\n",
				(unsigned long long)info_pa, err);
			machine_finish(EXIT_USAGE);
		}
	} else if (magic == PVH_START_MAGIC) {
		if (pvh_parse((const void *)info_pa, &mi, err, sizeof(err))) {
			kprintf("error: PVH start info at 0x%llx is malformed: %s\n",
				(unsigned long long)info_pa, err);
			machine_finish(EXIT_USAGE);
		}
	} else {
		kprintf("error: not started by a multiboot2 loader or a PVH direct boot (eax=0x%x)\n",
			magic);
		machine_finish(EXIT_USAGE);
	}
	bootinfo_init(&mi, &bp);	/* page allocator, identity map, framebuffer, ACPI, TSC */
	/* the options before the APs start (selftest=ap-no-start); errors are reported below */
	cl_err = cmdline_parse(mi.cmdline ? mi.cmdline : "", mi.cmdline_len, &lists, &cl, err,
			       sizeof(err));
	if (!cl_err && cl.selftest == CMDLINE_SELFTEST_AP_NO_START)
		smp_skip_ap_selftest(1);	/* the first AP: a hole before the others */
	if (!bp.fatal) {
		console_phase("starting the other CPUs (INIT, SIPI)");
		if (!cl_err && cl.selftest == CMDLINE_SELFTEST_HANG_IN_BRING_UP)
			machine_park();		/* a bring-up that never returns */
		bp.cpus_online = smp_init(&bp);
		bp.cpus_present = smp_present();
	}
	bp.t_smp = rdtsc();

	if (!cl_err)
		power_set_on_finish(finish_from_cmdline(&cl));
	/* the serial console where console= or the ACPI SPCR says, before the banner */
	serial_src = serial_select(cl_err ? SERIAL_AUTO : cl.console, cl_err ? 0 : cl.console_addr,
				   cl_err ? 0 : cl.console_baud);
	bp.t_banner = rdtsc();
	print_banner(&bp);
	kprintf("  serial: %s (%s)\n", serial_where(), serial_src);
	bootinfo_print(&bp);
	smp_print();
	if (cl_err)
		usage_error(&lists, err);
	if (bp.fatal) {
		kprintf("error: %s\n", bp.fatal);
		machine_finish(EXIT_USAGE);
	}
	if (cl.mutate == CMDLINE_HELP)
		list_mutations();
	check_mutation_profile(&cl);
	check_reread_profile(&cl);
	set_format(&cl);

	smp_measure_parallelism(cl.nap);
	watchdog_start(cl.watchdog * 1000);
	if (cl.selftest != CMDLINE_SELFTEST_NONE && cl.selftest != CMDLINE_SELFTEST_AP_NO_START &&
	    cl.selftest != CMDLINE_SELFTEST_HANG_IN_BRING_UP) {
		report_test_begin("selftest");
		selftest_run(cl.selftest);
		report_error("selftest=%d returned without faulting", cl.selftest);
		report_test_end("%s", "");
		report_finish();
	}

	for (size_t i = 0; i < catalog_ntests; i++) {
		struct test_run run = {
			&cl, cl.mutate >= 0 ? catalog_mutation((size_t)cl.mutate) : &rmap_variants[0],
		};

		if (cl.test == CMDLINE_ALL ? catalog_tests[i].kind != CATALOG_TEST : (size_t)cl.test != i)
			continue;
		catalog_tests[i].run(&run);
	}
	report_finish();
}
