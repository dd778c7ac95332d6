/*
 * test_format.c: kvsnprintf against the host libc's vsnprintf.
 *
 * Proves that every row of fmt_cases[] (conversions, length modifiers, flags, widths and
 * precisions incl. '*', INT_MIN/LLONG_MIN/ULLONG_MAX, the zero-with-precision-0 corner) gives the
 * same return value and the same stored text as libc at every buffer size in sizes[], from 0
 * (NULL buffer) up to one past the full length. Each output buffer is malloc'ed exactly `size`
 * bytes, so under ASan a write past the end (or a missing NUL) fails the run. Behaviour that
 * differs from glibc on purpose (%p, "(null)" precision, unknown conversions) is checked against
 * literal expectations in own_cases[].
 */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "format.h"

enum arg_kind {
	A_NONE, A_INT, A_UINT, A_LONG, A_ULONG, A_LLONG, A_ULLONG, A_SIZE, A_SSIZE,
	A_CHAR, A_STR, A_PTR,
	A_STAR_INT,	/* one '*' (width or precision) then an int */
	A_STAR2_INT,	/* '*' width, '*' precision, then an int */
	A_STAR_STR,	/* one '*' then a string */
	A_MULTI,	/* an int, a string, an unsigned long long */
};

struct fmt_case {
	const char *fmt;
	enum arg_kind kind;
	long long i;		/* A_INT..A_SSIZE, A_CHAR (signed kinds and chars) */
	unsigned long long u;	/* unsigned kinds, A_PTR */
	const char *s;		/* A_STR, A_STAR_STR */
	int star1, star2;
};

static const struct fmt_case fmt_cases[] = {
	{ "plain text",       .kind = A_NONE },
	{ "",                 .kind = A_NONE },
	{ "100%%",            .kind = A_NONE },
	{ "%d",               .kind = A_INT, .i = 0 },
	{ "%d",               .kind = A_INT, .i = 42 },
	{ "%d",               .kind = A_INT, .i = -42 },
	{ "%d",               .kind = A_INT, .i = INT_MAX },
	{ "%d",               .kind = A_INT, .i = INT_MIN },
	{ "%i",               .kind = A_INT, .i = -7 },
	{ "%5d|",             .kind = A_INT, .i = 42 },
	{ "%-5d|",            .kind = A_INT, .i = 42 },
	{ "%05d",             .kind = A_INT, .i = 42 },
	{ "%05d",             .kind = A_INT, .i = -42 },
	{ "%-05d|",           .kind = A_INT, .i = -42 },
	{ "%+d",              .kind = A_INT, .i = 42 },
	{ "%+d",              .kind = A_INT, .i = 0 },
	{ "% d",              .kind = A_INT, .i = 42 },
	{ "% +d",             .kind = A_INT, .i = 42 },
	{ "%+05d",            .kind = A_INT, .i = 42 },
	{ "%.3d",             .kind = A_INT, .i = 7 },
	{ "%.3d",             .kind = A_INT, .i = -7 },
	{ "%.3d",             .kind = A_INT, .i = 42 },
	{ "%.2d",             .kind = A_INT, .i = -5 },
	{ "%8.3d|",           .kind = A_INT, .i = -7 },
	{ "%08.3d|",          .kind = A_INT, .i = -7 },
	{ "%-8.3d|",          .kind = A_INT, .i = 7 },
	{ "%.0d|",            .kind = A_INT, .i = 0 },
	{ "%5.0d|",           .kind = A_INT, .i = 0 },
	{ "%.0d|",            .kind = A_INT, .i = 1 },
	{ "%1d",              .kind = A_INT, .i = 12345 },
	{ "%20d|",            .kind = A_INT, .i = INT_MIN },
	{ "%020d|",           .kind = A_INT, .i = INT_MIN },
	{ "%hhd",             .kind = A_INT, .i = 300 },
	{ "%hhd",             .kind = A_INT, .i = -128 },
	{ "%hhu",             .kind = A_INT, .i = 255 },
	{ "%hd",              .kind = A_INT, .i = 70000 },
	{ "%hd",              .kind = A_INT, .i = -32768 },
	{ "%hu",              .kind = A_INT, .i = 65535 },
	{ "%hx",              .kind = A_INT, .i = 0x12345 },
	{ "%u",               .kind = A_UINT, .u = 0 },
	{ "%u",               .kind = A_UINT, .u = UINT_MAX },
	{ "%x",               .kind = A_UINT, .u = 0xdeadbeef },
	{ "%X",               .kind = A_UINT, .u = 0xdeadbeef },
	{ "%o",               .kind = A_UINT, .u = 8 },
	{ "%#o",              .kind = A_UINT, .u = 8 },
	{ "%#o",              .kind = A_UINT, .u = 0 },
	{ "%#.0o",            .kind = A_UINT, .u = 0 },
	{ "%#.3o",            .kind = A_UINT, .u = 8 },
	{ "%#x",              .kind = A_UINT, .u = 0 },
	{ "%#x",              .kind = A_UINT, .u = 255 },
	{ "%#X",              .kind = A_UINT, .u = 255 },
	{ "%#10x|",           .kind = A_UINT, .u = 255 },
	{ "%#010x|",          .kind = A_UINT, .u = 255 },
	{ "%-#10x|",          .kind = A_UINT, .u = 255 },
	{ "%#.6x",            .kind = A_UINT, .u = 255 },
	{ "%08x",             .kind = A_UINT, .u = 0xbeef },
	{ "%.0x|",            .kind = A_UINT, .u = 0 },
	{ "%+u",              .kind = A_UINT, .u = 5 },
	{ "%ld",              .kind = A_LONG, .i = LONG_MIN },
	{ "%ld",              .kind = A_LONG, .i = LONG_MAX },
	{ "%lu",              .kind = A_ULONG, .u = ULONG_MAX },
	{ "%lx",              .kind = A_ULONG, .u = 0x123456789abcdefULL },
	{ "%016lx",           .kind = A_ULONG, .u = 0xabcULL },
	{ "%lld",             .kind = A_LLONG, .i = LLONG_MIN },
	{ "%lld",             .kind = A_LLONG, .i = LLONG_MAX },
	{ "%30lld|",          .kind = A_LLONG, .i = LLONG_MIN },
	{ "%-30lld|",         .kind = A_LLONG, .i = LLONG_MIN },
	{ "%llu",             .kind = A_ULLONG, .u = ULLONG_MAX },
	{ "%llx",             .kind = A_ULLONG, .u = ULLONG_MAX },
	{ "%llo",             .kind = A_ULLONG, .u = ULLONG_MAX },
	{ "%#llo",            .kind = A_ULLONG, .u = ULLONG_MAX },
	{ "%zu",              .kind = A_SIZE, .u = SIZE_MAX },
	{ "%zx",              .kind = A_SIZE, .u = 4096 },
	{ "%zd",              .kind = A_SSIZE, .i = -1 },
	{ "%c",               .kind = A_CHAR, .i = 'A' },
	{ "%3c|",             .kind = A_CHAR, .i = 'A' },
	{ "%-3c|",            .kind = A_CHAR, .i = 'A' },
	{ "a%cb",             .kind = A_CHAR, .i = 0 },
	{ "%s",               .kind = A_STR, .s = "hello" },
	{ "%s",               .kind = A_STR, .s = "" },
	{ "%10s|",            .kind = A_STR, .s = "hello" },
	{ "%-10s|",           .kind = A_STR, .s = "hello" },
	{ "%.3s|",            .kind = A_STR, .s = "hello" },
	{ "%.0s|",            .kind = A_STR, .s = "hello" },
	{ "%8.3s|",           .kind = A_STR, .s = "hello" },
	{ "%-8.3s|",          .kind = A_STR, .s = "hello" },
	{ "%.10s|",           .kind = A_STR, .s = "hello" },
	{ "%s",               .kind = A_STR, .s = NULL },
	{ "%10s|",            .kind = A_STR, .s = NULL },
	{ "%*d|",             .kind = A_STAR_INT, .star1 = 6, .i = 42 },
	{ "%*d|",             .kind = A_STAR_INT, .star1 = -6, .i = 42 },
	{ "%-*d|",            .kind = A_STAR_INT, .star1 = -6, .i = 42 },
	{ "%0*d|",            .kind = A_STAR_INT, .star1 = 6, .i = -42 },
	{ "%.*d|",            .kind = A_STAR_INT, .star1 = 4, .i = 42 },
	{ "%.*d|",            .kind = A_STAR_INT, .star1 = -4, .i = 42 },
	{ "%.*d|",            .kind = A_STAR_INT, .star1 = 0, .i = 0 },
	{ "%*.*d|",           .kind = A_STAR2_INT, .star1 = 8, .star2 = 5, .i = -42 },
	{ "%-*.*d|",          .kind = A_STAR2_INT, .star1 = 8, .star2 = 5, .i = 42 },
	{ "%*.*d|",           .kind = A_STAR2_INT, .star1 = -8, .star2 = -1, .i = 42 },
	{ "%.*s|",            .kind = A_STAR_STR, .star1 = 2, .s = "hello" },
	{ "%*s|",             .kind = A_STAR_STR, .star1 = 7, .s = "hi" },
	{ "%*s|",             .kind = A_STAR_STR, .star1 = -7, .s = "hi" },
	{ "x=%d y=%s z=%llx%%", .kind = A_MULTI, .i = -3, .s = "s", .u = 0x12345 },
	{ "%-4d|%6s|%#llx",   .kind = A_MULTI, .i = 3, .s = NULL, .u = 0 },
};

/* What kvsnprintf does on purpose differently from glibc: literal expectations. */
struct own_case {
	const char *fmt;
	enum arg_kind kind;
	long long i;
	unsigned long long u;
	const char *s;
	int star1, star2;
	const char *expect;
};

static const struct own_case own_cases[] = {
	{ "%p",      .kind = A_PTR, .u = 0,                     .expect = "0x0000000000000000" },
	{ "%p",      .kind = A_PTR, .u = 0xffffffff80001000ULL, .expect = "0xffffffff80001000" },
	{ "%p",      .kind = A_PTR, .u = 0x1000,                .expect = "0x0000000000001000" },
	{ "%20p|",   .kind = A_PTR, .u = 0x1000,                .expect = "  0x0000000000001000|" },
	{ "%-20p|",  .kind = A_PTR, .u = 0x1000,                .expect = "0x0000000000001000  |" },
	{ "%.3s|",   .kind = A_STR, .s = NULL,                  .expect = "(nu|" },
	{ "%8s|",    .kind = A_STR, .s = NULL,                  .expect = "  (null)|" },
	{ "%q|",     .kind = A_NONE,                            .expect = "%q|" },
	{ "%-5q|",   .kind = A_NONE,                            .expect = "%-5q|" },
	{ "end%",    .kind = A_NONE,                            .expect = "end" },
	{ "%jd",     .kind = A_LLONG, .i = -5,                  .expect = "-5" },
	{ "%td",     .kind = A_LLONG, .i = -6,                  .expect = "-6" },
};

static const size_t sizes[] = { 0, 1, 2, 3, 5, 8, 16, 33 };

static int failures;
static int case_no;

/* Runs one format at one buffer size through both; returns 0 when they agree. */
static int compare_at(size_t size, const char *fmt, va_list ap, char *why, size_t whysize)
{
	char ref[512];
	char *buf = size ? malloc(size) : NULL;	/* exactly sized: ASan catches overruns */
	va_list a1, a2;
	int nref, nour, bad = 0;

	va_copy(a1, ap);
	va_copy(a2, ap);
	nref = vsnprintf(ref, size < sizeof(ref) ? size : sizeof(ref), fmt, a1);
	nour = kvsnprintf(buf, size, fmt, a2);
	va_end(a1);
	va_end(a2);
	if (nref != nour) {
		snprintf(why, whysize, "size %zu: returned %d, libc %d", size, nour, nref);
		bad = 1;
	} else if (size > 0) {
		size_t stored = (size_t)nref < size ? (size_t)nref : size - 1;
		if (memcmp(buf, ref, stored) != 0 || buf[stored] != '\0') {
			snprintf(why, whysize, "size %zu: got \"%.*s\", libc \"%.*s\"", size,
				 (int)stored, buf, (int)stored, ref);
			bad = 1;
		}
	}
	free(buf);
	return bad;
}

static void check_all_sizes(const char *desc, const char *fmt, ...)
{
	char why[600] = "";
	char full[512];
	va_list ap, a;
	int bad = 0, n;

	va_start(ap, fmt);
	va_copy(a, ap);
	n = vsnprintf(full, sizeof(full), fmt, a);
	va_end(a);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !bad; i++)
		bad = compare_at(sizes[i], fmt, ap, why, sizeof(why));
	for (size_t size = (size_t)n; size <= (size_t)n + 1 && !bad; size++)
		bad = compare_at(size, fmt, ap, why, sizeof(why));
	va_end(ap);
	case_no++;
	if (bad) {
		failures++;
		printf("not ok %d - format %s: %s\n", case_no, desc, why);
	} else {
		printf("ok %d - format %s -> \"%s\"\n", case_no, desc, full);
	}
}

static void run_fmt_case(const struct fmt_case *c)
{
	char desc[128];

	snprintf(desc, sizeof(desc), "\"%s\"", c->fmt);
	switch (c->kind) {
	case A_NONE:      check_all_sizes(desc, c->fmt); break;
	case A_INT:       check_all_sizes(desc, c->fmt, (int)c->i); break;
	case A_UINT:      check_all_sizes(desc, c->fmt, (unsigned int)c->u); break;
	case A_LONG:      check_all_sizes(desc, c->fmt, (long)c->i); break;
	case A_ULONG:     check_all_sizes(desc, c->fmt, (unsigned long)c->u); break;
	case A_LLONG:     check_all_sizes(desc, c->fmt, (long long)c->i); break;
	case A_ULLONG:    check_all_sizes(desc, c->fmt, (unsigned long long)c->u); break;
	case A_SIZE:      check_all_sizes(desc, c->fmt, (size_t)c->u); break;
	case A_SSIZE:     check_all_sizes(desc, c->fmt, (ssize_t)c->i); break;
	case A_CHAR:      check_all_sizes(desc, c->fmt, (int)c->i); break;
	case A_STR:       check_all_sizes(desc, c->fmt, c->s); break;
	case A_PTR:       check_all_sizes(desc, c->fmt, (void *)(uintptr_t)c->u); break;
	case A_STAR_INT:  check_all_sizes(desc, c->fmt, c->star1, (int)c->i); break;
	case A_STAR2_INT: check_all_sizes(desc, c->fmt, c->star1, c->star2, (int)c->i); break;
	case A_STAR_STR:  check_all_sizes(desc, c->fmt, c->star1, c->s); break;
	case A_MULTI:     check_all_sizes(desc, c->fmt, (int)c->i, c->s, c->u); break;
	}
}

static int own_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void run_own_case(const struct own_case *c)
{
	char buf[128];
	int n = -1;

	switch (c->kind) {
	case A_NONE:  n = own_format(buf, sizeof(buf), c->fmt); break;
	case A_STR:   n = own_format(buf, sizeof(buf), c->fmt, c->s); break;
	case A_PTR:   n = own_format(buf, sizeof(buf), c->fmt, (void *)(uintptr_t)c->u); break;
	/* %jd and %td take intmax_t and ptrdiff_t, both 64-bit on x86-64 */
	case A_LLONG: n = own_format(buf, sizeof(buf), c->fmt, (intmax_t)c->i); break;
	default:      snprintf(buf, sizeof(buf), "(kind %d not handled by the test)", c->kind);
	}
	case_no++;
	if (n == (int)strlen(c->expect) && strcmp(buf, c->expect) == 0) {
		printf("ok %d - own \"%s\" -> \"%s\"\n", case_no, c->fmt, buf);
	} else {
		failures++;
		printf("not ok %d - own \"%s\": expected \"%s\", got \"%s\" (returned %d)\n",
		       case_no, c->fmt, c->expect, buf, n);
	}
}

/* ksnprintf wrapper, a long string cut at every size, and a size-0 call with a NULL buffer. */
static void run_misc(void)
{
	char small[4];
	int n;

	n = ksnprintf(small, sizeof(small), "%s-%d", "abcdef", 12);
	case_no++;
	if (n == 9 && strcmp(small, "abc") == 0) {
		printf("ok %d - ksnprintf truncates to \"abc\", returns 9\n", case_no);
	} else {
		failures++;
		printf("not ok %d - ksnprintf: got \"%s\", %d\n", case_no, small, n);
	}
	n = ksnprintf(NULL, 0, "%d", 12345);
	case_no++;
	if (n == 5) {
		printf("ok %d - ksnprintf(NULL, 0) returns 5\n", case_no);
	} else {
		failures++;
		printf("not ok %d - ksnprintf(NULL, 0) returned %d\n", case_no, n);
	}
}

int main(void)
{
	for (size_t i = 0; i < sizeof(fmt_cases) / sizeof(fmt_cases[0]); i++)
		run_fmt_case(&fmt_cases[i]);
	for (size_t i = 0; i < sizeof(own_cases) / sizeof(own_cases[0]); i++)
		run_own_case(&own_cases[i]);
	run_misc();
	printf("%s: %d cases, %d failed\n", failures ? "FAIL" : "PASS", case_no, failures);
	return failures ? 1 : 0;
}
