/*
 * test_cmdline.c: the boot-command-line parser on tables of good and bad lines.
 *
 * good_cases[] proves the parsed values (defaults, decimal/hex numbers at their limits, level
 * lists, names from the caller's lists, GRUB's leading kernel path, runs of blanks, an explicit
 * length) and the `given` bits. bad_cases[] proves each error code and that the message names
 * the bad token and lists the valid set: an unknown option lists every option name, a bad value
 * lists that option's valid values. Every error buffer is malloc'ed to its exact size (ASan),
 * and each bad line is also parsed into a 12-byte buffer to prove truncation stays in bounds.
 * Last, the usage text must carry every option, its default and the caller's names.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmdline.h"

static const char *const tests[] = { "age-vs-zap", "rmap-lock-torture", "desc-churn", "pt-audit" };
static const char *const mutations[] = { "unlock-ro-elided", "no-recheck", "ager-plain-rmw" };
static const struct cmdline_lists lists = { tests, 4, mutations, 3 };

#define B(id) (1u << (id))
#define ALL_LEVELS (CMDLINE_LEVEL_4K | CMDLINE_LEVEL_2M | CMDLINE_LEVEL_1G)

struct good_case {
	const char *line;
	size_t len;		/* 0: strlen(line) */
	struct cmdline want;	/* image_len unused: want.image is compared as a string */
};

/* The defaults, as the table declares them: a row's `want` holds only the options it gives. */
static const struct cmdline defaults = {
	.test = 0, .seconds = 10, .seed = 1, .mutate = CMDLINE_NONE,
	.on_finish = CMDLINE_FINISH_AUTO, .selftest = CMDLINE_SELFTEST_NONE, .watchdog = 10,
};

static const struct good_case good_cases[] = {
	{ "", 0, { 0 } },
	{ "   \t  ", 0, { 0 } },
	{ "test=age-vs-zap", 0, { .test = 0, .given = B(CMDLINE_TEST) } },
	{ "test=pt-audit seconds=30 seed=0xDEADbeef", 0,
	  { .test = 3, .seconds = 30, .seed = 0xdeadbeef,
	    .given = B(CMDLINE_TEST) | B(CMDLINE_SECONDS) | B(CMDLINE_SEED) } },
	{ "/boot/rmap-harness.elf test=desc-churn", 0,
	  { .test = 2, .given = B(CMDLINE_TEST), .image = "/boot/rmap-harness.elf" } },
	{ "  (hd0,msdos1)/kernel   seconds=5\t agers=3  \n", 0,
	  { .seconds = 5, .agers = 3, .given = B(CMDLINE_SECONDS) | B(CMDLINE_AGERS),
	    .image = "(hd0,msdos1)/kernel" } },
	{ "seed=18446744073709551615", 0, { .seed = UINT64_MAX, .given = B(CMDLINE_SEED) } },
	{ "seed=0XFFFFFFFFFFFFFFFF", 0, { .seed = UINT64_MAX, .given = B(CMDLINE_SEED) } },
	{ "seed=0", 0, { .seed = 0, .given = B(CMDLINE_SEED) } },
	{ "seconds=4294967295", 0, { .seconds = 4294967295u, .given = B(CMDLINE_SECONDS) } },
	{ "seconds=007", 0, { .seconds = 7, .given = B(CMDLINE_SECONDS) } },
	{ "levels=4k,2m,1g", 0, { .levels = ALL_LEVELS, .given = B(CMDLINE_LEVELS) } },
	{ "levels=1g", 0, { .levels = CMDLINE_LEVEL_1G, .given = B(CMDLINE_LEVELS) } },
	{ "levels=2m,2m,4k", 0, { .levels = CMDLINE_LEVEL_2M | CMDLINE_LEVEL_4K,
				  .given = B(CMDLINE_LEVELS) } },
	{ "mutate=help", 0, { .mutate = CMDLINE_HELP, .given = B(CMDLINE_MUTATE) } },
	{ "mutate=none", 0, { .mutate = CMDLINE_NONE, .given = B(CMDLINE_MUTATE) } },
	{ "mutate=ager-plain-rmw test=all", 0,
	  { .mutate = 2, .test = CMDLINE_ALL, .given = B(CMDLINE_MUTATE) | B(CMDLINE_TEST) } },
	{ "on_finish=poweroff selftest=fault-pf", 0,
	  { .on_finish = CMDLINE_FINISH_POWEROFF, .selftest = CMDLINE_SELFTEST_FAULT_PF,
	    .given = B(CMDLINE_ON_FINISH) | B(CMDLINE_SELFTEST) } },
	{ "on_finish=halt selftest=fault-gp", 0,
	  { .on_finish = CMDLINE_FINISH_HALT, .selftest = CMDLINE_SELFTEST_FAULT_GP,
	    .given = B(CMDLINE_ON_FINISH) | B(CMDLINE_SELFTEST) } },
	{ "gfns=0x100 agers=0 accessors=0", 0,
	  { .gfns = 256, .given = B(CMDLINE_GFNS) | B(CMDLINE_AGERS) | B(CMDLINE_ACCESSORS) } },
	{ "seconds=5 bogus", 9, { .seconds = 5, .given = B(CMDLINE_SECONDS) } },
	{ "seconds=6\0bogus", 15, { .seconds = 6, .given = B(CMDLINE_SECONDS) } },
	{ "test=age-vs-zap seconds=1 seed=2 mutate=no-recheck gfns=3 levels=2m agers=4 accessors=5 "
	  "locked_agers=2 on_finish=reboot selftest=fault-ud watchdog=3 nap=off profile=kvm window_us=25 irq_hz=20000 "
	  "reread=off widen=off console=io:0x2f8,9600 format=npt svm_leaf_ad=set guests=3", 0,
	  { .test = 0, .seconds = 1, .seed = 2, .mutate = 1, .gfns = 3, .levels = CMDLINE_LEVEL_2M,
	    .agers = 4, .accessors = 5, .locked_agers = 2, .on_finish = CMDLINE_FINISH_REBOOT,
	    .selftest = CMDLINE_SELFTEST_FAULT_UD, .watchdog = 3, .nap = CMDLINE_NAP_OFF,
	    .profile = CMDLINE_PROFILE_KVM, .window_us = 25, .irq_hz = 20000,
	    .reread = CMDLINE_REREAD_OFF, .widen = CMDLINE_WIDEN_OFF,
	    .console = CMDLINE_CONSOLE_IO, .console_addr = 0x2f8, .console_baud = 9600,
	    .format = CMDLINE_FORMAT_NPT, .svm_leaf_ad = CMDLINE_SVM_LEAF_AD_SET, .guests = 3,
	    .given = (1u << CMDLINE_NR_OPTS) - 1 } },
	{ "window_us=0 profile=strict", 0,
	  { .given = B(CMDLINE_WINDOW_US) | B(CMDLINE_PROFILE) } },
	{ "irq_hz=0 widen=on", 0, { .given = B(CMDLINE_IRQ_HZ) | B(CMDLINE_WIDEN) } },
	{ "irq_hz=0x3e8", 0, { .irq_hz = 1000, .given = B(CMDLINE_IRQ_HZ) } },
	{ "reread=on", 0, { .given = B(CMDLINE_REREAD) } },
	{ "console=com2", 0, { .console = CMDLINE_CONSOLE_COM2, .given = B(CMDLINE_CONSOLE) } },
	{ "console=none", 0, { .console = CMDLINE_CONSOLE_NONE, .given = B(CMDLINE_CONSOLE) } },
	{ "console=com1,57600", 0,
	  { .console = CMDLINE_CONSOLE_COM1, .console_baud = 57600, .given = B(CMDLINE_CONSOLE) } },
	{ "console=mmio32:0xfe001000", 0,
	  { .console = CMDLINE_CONSOLE_MMIO32, .console_addr = 0xfe001000, .given = B(CMDLINE_CONSOLE) } },
	{ "console=auto", 0, { .given = B(CMDLINE_CONSOLE) } },
	{ "format=ept", 0, { .given = B(CMDLINE_FORMAT) } },
	{ "format=npt", 0, { .format = CMDLINE_FORMAT_NPT, .given = B(CMDLINE_FORMAT) } },
	{ "svm_leaf_ad=clear", 0, { .given = B(CMDLINE_SVM_LEAF_AD) } },
	{ "svm_leaf_ad=set", 0, { .svm_leaf_ad = CMDLINE_SVM_LEAF_AD_SET, .given = B(CMDLINE_SVM_LEAF_AD) } },
	{ "guests=0", 0, { .given = B(CMDLINE_GUESTS) } },
	{ "guests=64", 0, { .guests = 64, .given = B(CMDLINE_GUESTS) } },
};

struct bad_case {
	const char *line;
	int rc;
	const char *frag[3];	/* each must appear in the message */
};

static const char all_opts[] =
	"valid options: test seconds seed mutate gfns levels agers accessors locked_agers on_finish "
	"selftest";

static const struct bad_case bad_cases[] = {
	{ "foo=1", CMDLINE_EUNKNOWN, { "unknown option \"foo=1\"", all_opts } },
	{ "seconds=5 Seconds=5", CMDLINE_EUNKNOWN, { "\"Seconds=5\"", all_opts } },
	{ "=5", CMDLINE_EUNKNOWN, { "unknown option \"=5\"", all_opts } },
	{ "a/b=c", CMDLINE_EUNKNOWN, { "unknown option \"a/b=c\"", all_opts } },
	{ "verbose", CMDLINE_ENOEQ, { "missing '=' in \"verbose\"", all_opts } },
	{ "kernel.elf test=all", CMDLINE_ENOEQ, { "missing '=' in \"kernel.elf\"", all_opts } },
	{ "/boot/k seconds=1 /boot/k", CMDLINE_ENOEQ, { "missing '=' in \"/boot/k\"", all_opts } },
	{ "seconds", CMDLINE_ENOEQ,
	  { "missing '=' in \"seconds\"", "valid values for seconds: decimal or 0x hex from 1 to 4294967295" } },
	{ "seconds=", CMDLINE_EEMPTY, { "empty value in \"seconds=\"", "valid values for seconds:" } },
	{ "test=", CMDLINE_EEMPTY,
	  { "empty value in \"test=\"", "valid values for test: all age-vs-zap rmap-lock-torture desc-churn pt-audit" } },
	{ "seconds=abc", CMDLINE_ENUMBER, { "malformed number in \"seconds=abc\"", "from 1 to 4294967295" } },
	{ "seconds=-1", CMDLINE_ENUMBER, { "malformed number in \"seconds=-1\"" } },
	{ "seconds=+1", CMDLINE_ENUMBER, { "malformed number in \"seconds=+1\"" } },
	{ "seconds=1.5", CMDLINE_ENUMBER, { "malformed number in \"seconds=1.5\"" } },
	{ "seed=0x", CMDLINE_ENUMBER, { "malformed number in \"seed=0x\"", "valid values for seed: decimal or 0x hex" } },
	{ "seed=0xg1", CMDLINE_ENUMBER, { "malformed number in \"seed=0xg1\"" } },
	{ "seed=12a", CMDLINE_ENUMBER, { "malformed number in \"seed=12a\"" } },
	{ "seed=99999999999999999999999x", CMDLINE_ENUMBER, { "malformed number" } },
	{ "seconds=0", CMDLINE_ERANGE, { "number out of range in \"seconds=0\"", "from 1 to 4294967295" } },
	{ "gfns=0", CMDLINE_ERANGE, { "number out of range in \"gfns=0\"" } },
	{ "seconds=4294967296", CMDLINE_ERANGE, { "number out of range in \"seconds=4294967296\"" } },
	{ "agers=0x100000000", CMDLINE_ERANGE, { "number out of range in \"agers=0x100000000\"", "from 0 to" } },
	{ "seed=18446744073709551616", CMDLINE_ERANGE,
	  { "number out of range in \"seed=18446744073709551616\"", "from 0 to 18446744073709551615" } },
	{ "seed=0x10000000000000000", CMDLINE_ERANGE, { "number out of range" } },
	{ "test=bogus", CMDLINE_EVALUE,
	  { "unknown test in \"test=bogus\"", "valid values for test: all age-vs-zap rmap-lock-torture desc-churn pt-audit" } },
	{ "test=AGE-VS-ZAP", CMDLINE_EVALUE, { "unknown test in \"test=AGE-VS-ZAP\"" } },
	{ "test=age-vs-zap2", CMDLINE_EVALUE, { "unknown test in \"test=age-vs-zap2\"" } },
	{ "test=all=x", CMDLINE_EVALUE, { "unknown test in \"test=all=x\"" } },
	{ "mutate=bogus", CMDLINE_EVALUE,
	  { "unknown mutation in \"mutate=bogus\"", "valid values for mutate: none help unlock-ro-elided no-recheck ager-plain-rmw" } },
	{ "profile=linux", CMDLINE_EVALUE,
	  { "unknown value in \"profile=linux\"", "valid values for profile: strict kvm" } },
	{ "window_us=5us", CMDLINE_ENUMBER, { "malformed number in \"window_us=5us\"" } },
	{ "irq_hz=20001", CMDLINE_ERANGE,
	  { "number out of range in \"irq_hz=20001\"", "valid values for irq_hz: decimal or 0x hex from 0 to 20000" } },
	{ "irq_hz=-1", CMDLINE_ENUMBER, { "malformed number in \"irq_hz=-1\"", "from 0 to 20000" } },
	{ "reread=sometimes", CMDLINE_EVALUE,
	  { "unknown value in \"reread=sometimes\"", "valid values for reread: on off" } },
	{ "format=svm", CMDLINE_EVALUE,
	  { "unknown value in \"format=svm\"", "valid values for format: ept npt" } },
	{ "guests=65", CMDLINE_ERANGE,
	  { "number out of range in \"guests=65\"", "valid values for guests: decimal or 0x hex from 0 to 64" } },
	{ "svm_leaf_ad=young", CMDLINE_EVALUE,
	  { "unknown value in \"svm_leaf_ad=young\"", "valid values for svm_leaf_ad: clear set" } },
	{ "console=com3", CMDLINE_EVALUE,
	  { "unknown value in \"console=com3\"", "valid values for console: auto com1 com2 none io:PORT mmio32:ADDRESS" } },
	{ "console=io:0", CMDLINE_EVALUE, { "unknown value in \"console=io:0\"", "io:PORT" } },
	{ "console=io:0x2f8,1000", CMDLINE_EVALUE, { "\"console=io:0x2f8,1000\"", "BAUD 1200..115200" } },
	{ "console=com1,56000", CMDLINE_EVALUE, { "\"console=com1,56000\"", "dividing 115200" } },
	{ "console=none,9600", CMDLINE_EVALUE, { "\"console=none,9600\"", "valid values for console" } },
	{ "console=mmio32:0x3", CMDLINE_EVALUE, { "\"console=mmio32:0x3\"", "mmio32:ADDRESS" } },
	{ "widen=maybe", CMDLINE_EVALUE,
	  { "unknown value in \"widen=maybe\"", "valid values for widen: on off" } },
	{ "nap=sometimes", CMDLINE_EVALUE,
	  { "unknown value in \"nap=sometimes\"", "valid values for nap: auto on off" } },
	{ "on_finish=explode", CMDLINE_EVALUE,
	  { "unknown value in \"on_finish=explode\"", "valid values for on_finish: auto qemu-exit halt reboot poweroff" } },
	{ "selftest=fault-xx", CMDLINE_EVALUE,
	  { "unknown value in \"selftest=fault-xx\"", "valid values for selftest: none fault-ud fault-pf fault-gp" } },
	{ "levels=4k,3m", CMDLINE_EVALUE,
	  { "unknown level \"3m\" in \"levels=4k,3m\"", "valid values for levels: comma-separated list of 4k 2m 1g" } },
	{ "levels=4k,", CMDLINE_EVALUE, { "unknown level \"\" in \"levels=4k,\"" } },
	{ "levels=,", CMDLINE_EVALUE, { "unknown level \"\" in \"levels=,\"" } },
	{ "levels=4K", CMDLINE_EVALUE, { "unknown level \"4K\"" } },
	{ "seed=1 seed=2", CMDLINE_EDUP, { "option given twice in \"seed=2\"", all_opts } },
	{ "test=all seconds=3 test=pt-audit", CMDLINE_EDUP, { "given twice in \"test=pt-audit\"" } },
};

static int failures, case_no;

static void report(bool ok, const char *what, const char *line, const char *detail)
{
	char shown[256];
	size_t n = 0;

	/* Show tabs and newlines of the input as \t and \n so each case stays on one line. */
	for (const char *p = line; *p && n + 3 < sizeof(shown); p++) {
		if (*p == '\t' || *p == '\n') {
			shown[n++] = '\\';
			shown[n++] = *p == '\t' ? 't' : 'n';
		} else {
			shown[n++] = *p;
		}
	}
	shown[n] = '\0';
	case_no++;
	if (!ok)
		failures++;
	printf("%s %d - %s \"%s\"%s%s\n", ok ? "ok" : "not ok", case_no, what, shown,
	       detail[0] ? ": " : "", detail);
}

/* The expected result: the defaults, overlaid with the options the row gives. */
static struct cmdline expected(const struct cmdline *w)
{
	struct cmdline e = defaults;

	if (w->given & B(CMDLINE_TEST))      e.test = w->test;
	if (w->given & B(CMDLINE_SECONDS))   e.seconds = w->seconds;
	if (w->given & B(CMDLINE_SEED))      e.seed = w->seed;
	if (w->given & B(CMDLINE_MUTATE))    e.mutate = w->mutate;
	if (w->given & B(CMDLINE_GFNS))      e.gfns = w->gfns;
	if (w->given & B(CMDLINE_LEVELS))    e.levels = w->levels;
	if (w->given & B(CMDLINE_AGERS))     e.agers = w->agers;
	if (w->given & B(CMDLINE_ACCESSORS)) e.accessors = w->accessors;
	if (w->given & B(CMDLINE_LOCKED_AGERS)) e.locked_agers = w->locked_agers;
	if (w->given & B(CMDLINE_ON_FINISH)) e.on_finish = w->on_finish;
	if (w->given & B(CMDLINE_SELFTEST))  e.selftest = w->selftest;
	if (w->given & B(CMDLINE_WATCHDOG))  e.watchdog = w->watchdog;
	if (w->given & B(CMDLINE_NAP))       e.nap = w->nap;
	if (w->given & B(CMDLINE_PROFILE))   e.profile = w->profile;
	if (w->given & B(CMDLINE_WINDOW_US)) e.window_us = w->window_us;
	if (w->given & B(CMDLINE_IRQ_HZ))    e.irq_hz = w->irq_hz;
	if (w->given & B(CMDLINE_REREAD))    e.reread = w->reread;
	if (w->given & B(CMDLINE_WIDEN))     e.widen = w->widen;
	if (w->given & B(CMDLINE_FORMAT))    e.format = w->format;
	if (w->given & B(CMDLINE_SVM_LEAF_AD)) e.svm_leaf_ad = w->svm_leaf_ad;
	if (w->given & B(CMDLINE_GUESTS))    e.guests = w->guests;
	if (w->given & B(CMDLINE_CONSOLE)) {
		e.console = w->console;
		e.console_addr = w->console_addr;
		e.console_baud = w->console_baud;
	}
	e.given = w->given;
	e.image = w->image;
	return e;
}

static bool same(const struct cmdline *got, const struct cmdline *w, char *why, size_t n)
{
	struct cmdline e = expected(w);
	const struct cmdline *want = &e;
	const char *img = want->image ? want->image : "";
	size_t ilen = want->image ? strlen(want->image) : 0;

	snprintf(why, n, "got test=%d seconds=%u seed=%llu mutate=%d gfns=%u levels=%#x agers=%u "
		 "accessors=%u on_finish=%d selftest=%d given=%#x image=\"%.*s\"", got->test,
		 got->seconds, (unsigned long long)got->seed, got->mutate, got->gfns, got->levels,
		 got->agers, got->accessors, got->on_finish, got->selftest, got->given,
		 (int)got->image_len, got->image ? got->image : "");
	return got->test == want->test && got->seconds == want->seconds &&
	       got->seed == want->seed && got->mutate == want->mutate &&
	       got->gfns == want->gfns && got->levels == want->levels &&
	       got->on_finish == want->on_finish && got->selftest == want->selftest &&
	       got->given == want->given && got->agers == want->agers &&
	       got->accessors == want->accessors && got->locked_agers == want->locked_agers &&
	       got->watchdog == want->watchdog &&
	       got->nap == want->nap && got->profile == want->profile &&
	       got->window_us == want->window_us && got->irq_hz == want->irq_hz &&
	       got->widen == want->widen && got->reread == want->reread &&
	       got->console == want->console && got->console_addr == want->console_addr &&
	       got->console_baud == want->console_baud && got->format == want->format &&
	       got->svm_leaf_ad == want->svm_leaf_ad && got->guests == want->guests &&
	       got->image_len == ilen && (ilen == 0 || memcmp(got->image, img, ilen) == 0);
}

static void run_good(const struct good_case *c)
{
	size_t len = c->len ? c->len : strlen(c->line);
	char *line = malloc(len + 1);	/* exactly len bytes of text: ASan sees a read past len */
	char err[256], why[512] = "";
	struct cmdline got;
	int rc;

	memcpy(line, c->line, len);
	line[len] = 'X';	/* not a NUL: the parser must stop at len */
	rc = cmdline_parse(line, len, &lists, &got, err, sizeof(err));
	if (rc != CMDLINE_OK)
		snprintf(why, sizeof(why), "rc %d: %s", rc, err);
	report(rc == CMDLINE_OK && same(&got, &c->want, why, sizeof(why)) && err[0] == '\0',
	       "good", c->line, rc == CMDLINE_OK && same(&got, &c->want, why, sizeof(why)) ? "" : why);
	free(line);
}

static void run_bad(const struct bad_case *c)
{
	size_t len = strlen(c->line);
	char *line = malloc(len);
	char *err = malloc(512);
	char *tiny = malloc(12);
	char why[700] = "";
	struct cmdline got;
	bool ok;
	int rc, rc2;

	memcpy(line, c->line, len);
	rc = cmdline_parse(line, len, &lists, &got, err, 512);
	ok = rc == c->rc;
	for (int i = 0; i < 3 && c->frag[i]; i++)
		ok = ok && strstr(err, c->frag[i]) != NULL;
	ok = ok && strchr(err, '\n') == NULL;
	rc2 = cmdline_parse(line, len, &lists, &got, tiny, 12);
	ok = ok && rc2 == rc && strlen(tiny) == 11 && strncmp(tiny, err, 11) == 0;
	if (!ok)
		snprintf(why, sizeof(why), "rc %d (want %d), tiny rc %d \"%s\", message: %s",
			 rc, c->rc, rc2, tiny, err);
	else
		snprintf(why, sizeof(why), "%s", err);
	report(ok, "bad", c->line, why);
	free(line);
	free(err);
	free(tiny);
}

struct usage_capture {
	char text[8192];
	size_t len;
	size_t widest;
};

static void capture(void *ctx, const char *line)
{
	struct usage_capture *u = ctx;
	size_t n = strlen(line);

	if (n > u->widest)
		u->widest = n;
	u->len += (size_t)snprintf(u->text + u->len, sizeof(u->text) - u->len, "%s\n", line);
	printf("# %s\n", line);
}

static void run_usage(void)
{
	static const char *const want[] = {
		"test=age-vs-zap", "seconds=10", "seed=1", "mutate=none", "gfns=<test's>", "levels=<test's>",
		"agers=<test's>", "accessors=<test's>", "locked_agers=<test's>", "on_finish=auto", "selftest=none", "watchdog=10",
		"nap=auto", "auto on off", "profile=strict", "strict kvm", "window_us=0", "irq_hz=0",
		"widen=on", "reread=on", "console=auto", "mmio32:ADDRESS", "format=ept", "ept npt",
		"svm_leaf_ad=clear", "clear set", "age-vs-zap", "ager-plain-rmw", "auto qemu-exit halt reboot poweroff",
		"comma-separated list of 4k 2m 1g", "test40",
	};
	static char names[40][16];
	const char *many[40];
	struct cmdline_lists big = { many, 40, mutations, 3 };
	struct usage_capture *u = calloc(1, sizeof(*u));
	char missing[128] = "";
	bool ok;

	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof(names[i]), i == 0 ? "age-vs-zap" : "test%d", i + 1);
		many[i] = names[i];
	}
	cmdline_usage(&big, capture, u);
	ok = u->widest <= 90;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!strstr(u->text, want[i])) {
			snprintf(missing, sizeof(missing), "missing \"%s\"", want[i]);
			ok = false;
		}
	}
	if (u->widest > 90)
		snprintf(missing, sizeof(missing), "a line of %zu columns", u->widest);
	report(ok, "usage", "(40 tests)", missing);
	free(u);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++)
		run_good(&good_cases[i]);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		run_bad(&bad_cases[i]);
	run_usage();
	printf("%s: %d cases, %d failed\n", failures ? "FAIL" : "PASS", case_no, failures);
	return failures ? 1 : 0;
}
