/*
 * test_string.c: the kernel's memset/memcpy/memmove/memcmp/strlen/strcmp/strncmp/strchr
 * (kernel/lib/string.c) against libc's.
 *
 * string.c is compiled into this file with every function renamed kstr_*, so it never
 * replaces libc's (or ASan's) versions in the host program. Proves, for every length 0..80
 * and every source/destination misalignment 0..7, that the word loops and byte tails give
 * libc's bytes, that memmove is right for overlap in both directions, and that the compare
 * functions agree with libc in sign, including bytes above 0x7f.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define memset kstr_memset
#define memcpy kstr_memcpy
#define memmove kstr_memmove
#define memcmp kstr_memcmp
#define strlen kstr_strlen
#define strcmp kstr_strcmp
#define strncmp kstr_strncmp
#define strchr kstr_strchr
#include "lib/string.c"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen
#undef strcmp
#undef strncmp
#undef strchr

enum { MAXLEN = 80, SLACK = 16, BUF = MAXLEN + 2 * SLACK };

static int failures, case_no;

static void report(bool ok, const char *what, const char *detail)
{
	case_no++;
	if (!ok)
		failures++;
	printf("%s %d - %s%s%s\n", ok ? "ok" : "not ok", case_no, what, detail[0] ? ": " : "",
	       detail);
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 131 + i * 29 + (i >> 3));
}

/* memset and memcpy at every length and alignment; bytes around the target must not move. */
static void test_set_copy(void)
{
	unsigned char a[BUF], b[BUF], src[BUF];
	char why[120] = "";

	for (size_t len = 0; len <= MAXLEN && !why[0]; len++) {
		for (size_t da = 0; da < 8 && !why[0]; da++) {
			for (size_t sa = 0; sa < 8 && !why[0]; sa++) {
				fill(a, BUF, 1);
				fill(b, BUF, 1);
				fill(src, BUF, 2);
				if (kstr_memcpy(a + SLACK + da, src + sa, len) != a + SLACK + da)
					snprintf(why, sizeof(why), "memcpy return value");
				memcpy(b + SLACK + da, src + sa, len);
				if (memcmp(a, b, BUF) != 0)
					snprintf(why, sizeof(why), "memcpy len %zu dst+%zu src+%zu", len, da, sa);
			}
			fill(a, BUF, 3);
			fill(b, BUF, 3);
			kstr_memset(a + SLACK + da, 0x1a5, len);	/* only the low byte counts */
			memset(b + SLACK + da, 0xa5, len);
			if (memcmp(a, b, BUF) != 0)
				snprintf(why, sizeof(why), "memset len %zu dst+%zu", len, da);
		}
	}
	report(!why[0], "memset, memcpy: lengths 0..80, alignments 0..7", why);
}

/* memmove with every overlap distance, forwards and backwards. */
static void test_move(void)
{
	unsigned char a[BUF], b[BUF];
	char why[120] = "";

	for (size_t len = 0; len <= MAXLEN - SLACK && !why[0]; len++) {
		for (int d = -SLACK; d <= SLACK && !why[0]; d++) {
			fill(a, BUF, 4);
			fill(b, BUF, 4);
			kstr_memmove(a + SLACK + d, a + SLACK, len);
			memmove(b + SLACK + d, b + SLACK, len);
			if (memcmp(a, b, BUF) != 0)
				snprintf(why, sizeof(why), "memmove len %zu shift %d", len, d);
		}
	}
	report(!why[0], "memmove: every overlap within 16 bytes", why);
}

struct cmp_case {
	const char *a, *b;
	size_t n;
};

static const struct cmp_case cmp_cases[] = {
	{ "", "", 0 }, { "", "", 1 }, { "a", "", 2 }, { "", "a", 2 }, { "abc", "abc", 4 },
	{ "abc", "abd", 4 }, { "abd", "abc", 4 }, { "abc", "abd", 2 }, { "ab", "abc", 3 },
	{ "abc", "ab", 3 }, { "\x80", "\x7f", 2 }, { "\x7f", "\xff", 2 }, { "same", "same", 100 },
	{ "seconds=5", "seconds", 7 }, { "seconds=5", "seconds", 8 },
};

static void test_compare(void)
{
	char why[160] = "";

	for (size_t i = 0; i < sizeof(cmp_cases) / sizeof(cmp_cases[0]); i++) {
		const struct cmp_case *c = &cmp_cases[i];
		size_t mlen = strlen(c->a) < strlen(c->b) ? strlen(c->a) + 1 : strlen(c->b) + 1;

		mlen = mlen < c->n ? mlen : c->n;
		if (sign(kstr_strcmp(c->a, c->b)) != sign(strcmp(c->a, c->b)) ||
		    sign(kstr_strncmp(c->a, c->b, c->n)) != sign(strncmp(c->a, c->b, c->n)) ||
		    sign(kstr_memcmp(c->a, c->b, mlen)) != sign(memcmp(c->a, c->b, mlen)) ||
		    kstr_strlen(c->a) != strlen(c->a)) {
			snprintf(why, sizeof(why), "case %zu (\"%s\" vs \"%s\", n %zu)", i, c->a, c->b, c->n);
			break;
		}
	}
	report(!why[0], "strcmp, strncmp, memcmp, strlen: sign agrees with libc", why);
}

static void test_strchr(void)
{
	static const char s[] = "age-vs-zap";
	static const int chars[] = { 'a', 'g', '-', 'p', 'z', 'q', '\0', 'a' + 256 };
	char why[80] = "";

	for (size_t i = 0; i < sizeof(chars) / sizeof(chars[0]); i++)
		if (kstr_strchr(s, chars[i]) != strchr(s, chars[i]))
			snprintf(why, sizeof(why), "strchr(\"%s\", %#x)", s, chars[i]);
	report(!why[0], "strchr: first match, the terminator, no match", why);
}

int main(void)
{
	test_set_copy();
	test_move();
	test_compare();
	test_strchr();
	printf("%s: %d cases, %d failed\n", failures ? "FAIL" : "PASS", case_no, failures);
	return failures ? 1 : 0;
}
