/*
 * cmdline_opts.c: the boot options of DESIGN §6, one line each (name, type, default,
 * description, as locktorture's torture_param), the fixed names each option accepts, and the
 * text that lists an option's valid values. Add an option here, in enum cmdline_opt_id and as
 * a field of struct cmdline named like the option. All const; no state.
 */
#include "cmdline_opts.h"
#include "format.h"

static const struct cmdline_choice test_specials[] = {
	{ "all", CMDLINE_ALL },
};
static const struct cmdline_choice mutate_specials[] = {
	{ "none", CMDLINE_NONE },
	{ "help", CMDLINE_HELP },
};
static const struct cmdline_choice finish_choices[] = {
	{ "auto",      CMDLINE_FINISH_AUTO },
	{ "qemu-exit", CMDLINE_FINISH_QEMU_EXIT },
	{ "halt",      CMDLINE_FINISH_HALT },
	{ "reboot",    CMDLINE_FINISH_REBOOT },
	{ "poweroff",  CMDLINE_FINISH_POWEROFF },
};
static const struct cmdline_choice selftest_choices[] = {
	{ "none",     CMDLINE_SELFTEST_NONE },
	{ "fault-ud", CMDLINE_SELFTEST_FAULT_UD },
	{ "fault-pf", CMDLINE_SELFTEST_FAULT_PF },
	{ "fault-gp", CMDLINE_SELFTEST_FAULT_GP },
	{ "stall-ap", CMDLINE_SELFTEST_STALL_AP },
	{ "hang-after-violation", CMDLINE_SELFTEST_HANG_AFTER_VIOLATION },
	{ "ap-no-start", CMDLINE_SELFTEST_AP_NO_START },
	{ "hang-in-bring-up", CMDLINE_SELFTEST_HANG_IN_BRING_UP },
};
static const struct cmdline_choice nap_choices[] = {
	{ "auto", CMDLINE_NAP_AUTO },
	{ "on",   CMDLINE_NAP_ON },
	{ "off",  CMDLINE_NAP_OFF },
};
static const struct cmdline_choice profile_choices[] = {
	{ "strict", CMDLINE_PROFILE_STRICT },
	{ "kvm",    CMDLINE_PROFILE_KVM },
};
static const struct cmdline_choice format_choices[] = {
	{ "ept", CMDLINE_FORMAT_EPT },
	{ "npt", CMDLINE_FORMAT_NPT },
};
static const struct cmdline_choice svm_leaf_ad_choices[] = {
	{ "clear", CMDLINE_SVM_LEAF_AD_CLEAR },
	{ "set",   CMDLINE_SVM_LEAF_AD_SET },
};
static const struct cmdline_choice widen_choices[] = {
	{ "on",  CMDLINE_WIDEN_ON },
	{ "off", CMDLINE_WIDEN_OFF },
};
static const struct cmdline_choice reread_choices[] = {
	{ "on",  CMDLINE_REREAD_ON },
	{ "off", CMDLINE_REREAD_OFF },
};
static const struct cmdline_choice console_choices[] = {
	{ "auto", CMDLINE_CONSOLE_AUTO },
	{ "com1", CMDLINE_CONSOLE_COM1 },
	{ "com2", CMDLINE_CONSOLE_COM2 },
	{ "none", CMDLINE_CONSOLE_NONE },
};
static const struct cmdline_choice level_choices[] = {
	{ "4k", CMDLINE_LEVEL_4K },
	{ "2m", CMDLINE_LEVEL_2M },
	{ "1g", CMDLINE_LEVEL_1G },
};

#define NCHOICES(a) (sizeof(a) / sizeof((a)[0]))
/* These only fill in a struct cmdline_opt; #field makes the option name the field name. */
#define OPT_UINT(id, field, min, def, desc) OPT_UINT_MAX(id, field, min, 0, def, desc)
#define OPT_UINT_MAX(id, field, min, max, def, desc) \
	[id] = { #field, T_UINT, offsetof(struct cmdline, field), min, max, NULL, 0, LIST_NONE, def, desc }
#define OPT_U64(id, field, def, desc) \
	[id] = { #field, T_U64, offsetof(struct cmdline, field), 0, 0, NULL, 0, LIST_NONE, def, desc }
#define OPT_CHOICE(id, field, ch, list, def, desc) \
	[id] = { #field, T_CHOICE, offsetof(struct cmdline, field), 0, 0, ch, NCHOICES(ch), list, def, desc }
#define OPT_CONSOLE(id, field, def, desc) \
	[id] = { #field, T_CONSOLE, offsetof(struct cmdline, field), 0, 0, console_choices, \
		 NCHOICES(console_choices), LIST_NONE, def, desc }
#define OPT_LEVELS(id, field, def, desc) \
	[id] = { #field, T_LEVELS, offsetof(struct cmdline, field), 0, 0, level_choices, \
		 NCHOICES(level_choices), LIST_NONE, def, desc }

/* A NULL default leaves the field 0 and the choice to the test (see cmdline.given). */
const struct cmdline_opt cmdline_opts[CMDLINE_NR_OPTS] = {
	OPT_CHOICE(CMDLINE_TEST, test, test_specials, LIST_TESTS, NULL, "test to run: one name, or all (default: the first)"),
	OPT_UINT(CMDLINE_SECONDS, seconds, 1, "10", "run time of each test, in seconds"),
	OPT_U64(CMDLINE_SEED, seed, "1", "seed of every PRNG of the run"),
	OPT_CHOICE(CMDLINE_MUTATE, mutate, mutate_specials, LIST_MUTATIONS, "none", "broken variant to run"),
	OPT_UINT(CMDLINE_GFNS, gfns, 1, NULL, "working set, in gfns"),
	OPT_LEVELS(CMDLINE_LEVELS, levels, NULL, "page sizes the writer faults in"),
	OPT_UINT(CMDLINE_AGERS, agers, 0, NULL, "CPUs that age without mmu_lock"),
	OPT_UINT(CMDLINE_ACCESSORS, accessors, 0, NULL, "CPUs that set Accessed/Dirty like a page walker"),
	OPT_UINT(CMDLINE_LOCKED_AGERS, locked_agers, 0, NULL, "CPUs that age under mmu_lock, as before v6.15"),
	OPT_CHOICE(CMDLINE_ON_FINISH, on_finish, finish_choices, LIST_NONE, "auto", "after SUMMARY (auto: qemu-exit under QEMU, else halt)"),
	OPT_UINT(CMDLINE_WATCHDOG, watchdog, 1, "10", "liveness bound in seconds, times the overcommit"),
	OPT_CHOICE(CMDLINE_SELFTEST, selftest, selftest_choices, LIST_NONE, "none", "fault on purpose (test suite)"),
	OPT_CHOICE(CMDLINE_NAP, nap, nap_choices, LIST_NONE, "auto", "APs halt in waits (auto: above 4x overcommit)"),
	OPT_CHOICE(CMDLINE_PROFILE, profile, profile_choices, LIST_NONE, "strict", "protocol: strict, or kvm (Linux v6.15+ shapes)"),
	OPT_UINT(CMDLINE_WINDOW_US, window_us, 0, "0", "agers' delay (us) after an elided lock and per sptep"),
	OPT_UINT_MAX(CMDLINE_IRQ_HZ, irq_hz, 0, CMDLINE_IRQ_HZ_MAX, "0", "timer interrupts/s on each AP in a test, each burning 1-50 us"),
	OPT_CHOICE(CMDLINE_REREAD, reread, reread_choices, LIST_NONE, "on", "kvm: walk the head re-read after an elided lock (off: skip)"),
	OPT_CHOICE(CMDLINE_WIDEN, widen, widen_choices, LIST_NONE, "on", "broken variants widen their race windows (off: as real bugs)"),
	OPT_CONSOLE(CMDLINE_CONSOLE, console, "auto", "serial console: auto (ACPI SPCR, else COM1), a port, or none"),
	OPT_CHOICE(CMDLINE_FORMAT, format, format_choices, LIST_NONE, "ept", "SPTE format: ept (Intel EPT), or npt (AMD nested paging)"),
	OPT_UINT_MAX(CMDLINE_GUESTS, guests, 0, CMDLINE_GUESTS_MAX, "0", "APs that run an SVM guest on the harness's NPT (format=npt)"),
	OPT_CHOICE(CMDLINE_SVM_LEAF_AD, svm_leaf_ad, svm_leaf_ad_choices, LIST_NONE, "clear", "svm-guest: A/D in new NPT leaves (set: the checks must fail)"),
};

void cmdline_msg_add(struct cmdline_msg *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->pos >= m->size)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(m->buf + m->pos, m->size - m->pos, fmt, ap);
	va_end(ap);
	m->pos = n < 0 || m->pos + (size_t)n > m->size ? m->size : m->pos + (size_t)n;
}

const char *cmdline_choice_name(const struct cmdline_opt *o, const struct cmdline_lists *l,
				size_t i)
{
	if (i < o->nchoices)
		return o->choices[i].name;
	i -= o->nchoices;
	if (!l)
		return NULL;
	if (o->list == LIST_TESTS && i < l->ntests)
		return l->tests[i];
	if (o->list == LIST_MUTATIONS && i < l->nmutations)
		return l->mutations[i];
	return NULL;
}

void cmdline_msg_values(struct cmdline_msg *m, const struct cmdline_opt *o,
			const struct cmdline_lists *l)
{
	const char *name;

	switch (o->type) {
	case T_UINT:
		cmdline_msg_add(m, "decimal or 0x hex from %u to %u", o->min, o->max ? o->max : UINT32_MAX);
		return;
	case T_U64:
		cmdline_msg_add(m, "decimal or 0x hex from 0 to 18446744073709551615");
		return;
	case T_LEVELS:
		cmdline_msg_add(m, "comma-separated list of");
		break;
	case T_CHOICE:
		break;
	case T_CONSOLE:
		cmdline_msg_add(m, "auto com1 com2 none io:PORT mmio32:ADDRESS, each with ,BAUD or not "
				"(BAUD 1200..115200 dividing 115200)");
		return;
	}
	for (size_t i = 0; (name = cmdline_choice_name(o, l, i)) != NULL; i++)
		cmdline_msg_add(m, "%s%s", i == 0 && o->type == T_CHOICE ? "" : " ", name);
}

void cmdline_msg_options(struct cmdline_msg *m)
{
	cmdline_msg_add(m, "valid options:");
	for (size_t i = 0; i < CMDLINE_NR_OPTS; i++)
		cmdline_msg_add(m, " %s", cmdline_opts[i].name);
}
