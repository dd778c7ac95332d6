/*
 * cmdline.h: the boot command line (DESIGN §6) parsed into a struct cmdline. The options are
 * the table cmdline_opts[] in kernel/lib/cmdline.c, one line each with name, type, default and
 * description; the names of tests and mutations come from the caller, so the parser knows no
 * scenario. No state: everything lives in the caller's struct cmdline and error buffer.
 *
 * Syntax: tokens name=value separated by one or more blanks (space, tab, CR, LF); the string
 * ends at len or at a NUL. GRUB may put the kernel's path first (multiboot2 with some configs,
 * or a hand-typed line): a FIRST token that contains '/' and no '=' is taken as that path,
 * skipped, and reported in cmdline.image. Numbers are decimal (leading zeros allowed, never
 * octal) or 0x/0X hex, without sign. Each option may appear once.
 */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <stddef.h>
#include <stdint.h>

/* Option ids, in cmdline_opts[] order; bit (1u << id) of cmdline.given says it was on the line. */
enum cmdline_opt_id {
	CMDLINE_TEST,
	CMDLINE_SECONDS,
	CMDLINE_SEED,
	CMDLINE_MUTATE,
	CMDLINE_GFNS,
	CMDLINE_LEVELS,
	CMDLINE_AGERS,
	CMDLINE_ACCESSORS,
	CMDLINE_LOCKED_AGERS,
	CMDLINE_ON_FINISH,
	CMDLINE_SELFTEST,
	CMDLINE_WATCHDOG,
	CMDLINE_NAP,
	CMDLINE_PROFILE,
	CMDLINE_WINDOW_US,
	CMDLINE_IRQ_HZ,
	CMDLINE_REREAD,
	CMDLINE_WIDEN,
	CMDLINE_CONSOLE,
	CMDLINE_FORMAT,
	CMDLINE_SVM_LEAF_AD,
	CMDLINE_GUESTS,
	CMDLINE_NR_OPTS
};

/* console=: where the serial console is (cmdline.console, .console_addr, .console_baud). */
enum cmdline_console {
	CMDLINE_CONSOLE_AUTO,	/* the ACPI SPCR's UART, else COM1 */
	CMDLINE_CONSOLE_COM1,
	CMDLINE_CONSOLE_COM2,
	CMDLINE_CONSOLE_IO,	/* io:PORT */
	CMDLINE_CONSOLE_MMIO32,	/* mmio32:ADDRESS, 32-bit registers 4 bytes apart */
	CMDLINE_CONSOLE_NONE,	/* the screen only */
};

/* Bits of cmdline.levels. */
enum cmdline_level {
	CMDLINE_LEVEL_4K = 1u << 0,
	CMDLINE_LEVEL_2M = 1u << 1,
	CMDLINE_LEVEL_1G = 1u << 2,
};

/* Special values of cmdline.test and cmdline.mutate (otherwise an index into the caller's list). */
enum {
	CMDLINE_ALL  = -1,	/* test=all */
	CMDLINE_NONE = -1,	/* mutate=none */
	CMDLINE_HELP = -2,	/* mutate=help: list the mutations and stop */
};

enum cmdline_finish {
	CMDLINE_FINISH_AUTO,		/* qemu-exit under QEMU, halt on other machines */
	CMDLINE_FINISH_QEMU_EXIT,	/* isa-debug-exit, then halt if still running */
	CMDLINE_FINISH_HALT,
	CMDLINE_FINISH_REBOOT,
	CMDLINE_FINISH_POWEROFF,
};

/* nap=: whether APs halt instead of spinning in waits (kernel/smp/parallelism.c) */
enum cmdline_nap {
	CMDLINE_NAP_AUTO,	/* above 4x measured overcommit */
	CMDLINE_NAP_ON,
	CMDLINE_NAP_OFF,
};

/* profile=: the protocol the core runs (kernel/mmu/profile.h, same order) */
enum cmdline_profile {
	CMDLINE_PROFILE_STRICT,
	CMDLINE_PROFILE_KVM,
};

/* reread=: profile=kvm's walk after an elided lock (kernel/rmap/age.c); strict refuses it */
enum cmdline_reread {
	CMDLINE_REREAD_ON,
	CMDLINE_REREAD_OFF,
};

/* format=: the SPTE format (kernel/mmu/spte_format.h, same order) */
enum cmdline_format {
	CMDLINE_FORMAT_EPT,
	CMDLINE_FORMAT_NPT,
};

/* svm_leaf_ad=: the A/D svm-guest's fault path puts in new leaves (tests/kernel/svm_guest.c) */
enum cmdline_svm_leaf_ad {
	CMDLINE_SVM_LEAF_AD_CLEAR,	/* none: every A/D is the CPU walker's (the test) */
	CMDLINE_SVM_LEAF_AD_SET,	/* A and D at creation: the test's checks must fail */
};

/* widen=: whether the broken variants' steps widen their own race windows (rmap/variants.c) */
enum cmdline_widen {
	CMDLINE_WIDEN_ON,
	CMDLINE_WIDEN_OFF,
};

/* irq_hz= above this would leave an AP little but its handler (kernel/smp/irq_torture.c) */
#define CMDLINE_IRQ_HZ_MAX	20000
#define CMDLINE_GUESTS_MAX	64	/* one root each: the MMU has 64 at most */

/* Reserved for the test suite; new self-tests go here and into cmdline.c's selftest_choices[]. */
enum cmdline_selftest {
	CMDLINE_SELFTEST_NONE,
	CMDLINE_SELFTEST_FAULT_UD,	/* execute ud2 */
	CMDLINE_SELFTEST_FAULT_PF,	/* touch an unmapped address */
	CMDLINE_SELFTEST_FAULT_GP,	/* load a non-canonical address */
	CMDLINE_SELFTEST_STALL_AP,	/* one AP stops making progress: the watchdog must fire */
	CMDLINE_SELFTEST_HANG_AFTER_VIOLATION,	/* an AP reports a violation, then hangs: the
						 * verdict must come REPORT_VERDICT_MS later */
	CMDLINE_SELFTEST_AP_NO_START,	/* one AP parks before it comes online: the others are
					 * renumbered densely and the run goes on without it */
	CMDLINE_SELFTEST_HANG_IN_BRING_UP,	/* the BSP stops for good where bring-up starts,
						 * before any banner: only the screen's boot
						 * phase lines say where (issue 15, item 6) */
};

enum cmdline_err {
	CMDLINE_OK = 0,
	CMDLINE_EUNKNOWN,	/* no such option */
	CMDLINE_ENOEQ,		/* a token without '=' */
	CMDLINE_EEMPTY,		/* name= with no value */
	CMDLINE_ENUMBER,	/* not a decimal or 0x hex number */
	CMDLINE_ERANGE,		/* a number too large for its type, or below the option's minimum */
	CMDLINE_EVALUE,		/* not a valid name: test, mutation, level or enum value */
	CMDLINE_EDUP,		/* the same option twice */
};

/* The caller's names: valid values of test= (besides "all") and mutate= (besides none|help). */
struct cmdline_lists {
	const char *const *tests;
	size_t ntests;
	const char *const *mutations;
	size_t nmutations;
};

struct cmdline {
	int test;		/* index into lists->tests, or CMDLINE_ALL */
	unsigned int seconds;
	uint64_t seed;
	int mutate;		/* index into lists->mutations, CMDLINE_NONE or CMDLINE_HELP */
	unsigned int gfns;	/* 0 when not given: the test's own working set */
	unsigned int levels;	/* CMDLINE_LEVEL_* bits; 0 when not given: the test's levels */
	unsigned int agers;	/* valid only if given; otherwise the test decides */
	unsigned int accessors;	/* valid only if given; otherwise the test decides */
	unsigned int locked_agers;	/* valid only if given; otherwise the test decides */
	unsigned int guests;	/* harness: APs running an SVM guest on the NPT; 0: none */
	int on_finish;		/* enum cmdline_finish */
	int selftest;		/* enum cmdline_selftest */
	unsigned int watchdog;	/* liveness bound in seconds */
	int nap;		/* enum cmdline_nap */
	int profile;		/* enum cmdline_profile */
	unsigned int window_us;	/* agers' torture delay in upstream's re-read window; 0: none */
	unsigned int irq_hz;	/* LAPIC timer interrupts per second on each AP in a test; 0: none */
	int reread;		/* enum cmdline_reread */
	int widen;		/* enum cmdline_widen */
	int console;		/* enum cmdline_console */
	uint64_t console_addr;	/* io: the port, mmio32: the physical address */
	unsigned int console_baud;	/* 0: 115200, or the SPCR's */
	int format;		/* enum cmdline_format */
	int svm_leaf_ad;	/* enum cmdline_svm_leaf_ad */
	uint32_t given;		/* 1u << enum cmdline_opt_id for each option on the line */
	const char *image;	/* the skipped leading path token, or NULL */
	size_t image_len;
};

_Static_assert(CMDLINE_NR_OPTS <= 32, "cmdline.given has one bit per option");

/*
 * Parses s[0..len) (or up to a NUL) into *out, defaults first. On error returns the
 * enum cmdline_err and writes one line (no newline) into err[0..errsize): the bad token in
 * quotes and the valid set (option names, or that option's valid values). *out is then only
 * partly filled and must not be used.
 */
int cmdline_parse(const char *s, size_t len, const struct cmdline_lists *lists,
		  struct cmdline *out, char *err, size_t errsize);

/*
 * Prints the option table: per option "name=default  description", then its valid values
 * (wrapped, indented), one line per print() call, without newlines and without a heading.
 */
void cmdline_usage(const struct cmdline_lists *lists,
		   void (*print)(void *ctx, const char *line), void *ctx);

static inline int cmdline_given(const struct cmdline *c, enum cmdline_opt_id id)
{
	return (c->given >> id) & 1;
}

#endif /* CMDLINE_H */
