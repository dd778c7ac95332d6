/*
 * string.c: memset, memcpy, memmove, memcmp, strlen, strcmp, strncmp, strchr for the kernel
 * (kstring.h). No state. Byte loops plus an 8-byte loop when both pointers share alignment,
 * which covers the hot callers (page zeroing and poisoning, struct copies).
 *
 * gcc's loop-distribution pass can recognise a byte-store loop as memset and compile memset into
 * a call to itself (gcc 12 holds back under -ffreestanding, other versions and flag sets have
 * not); LIBFUNC turns that pass off here whatever flags build the file. Kernel only: host tests
 * compile it with renamed symbols (tests/host/test_string.c), never in place of libc's.
 */
#include <stdint.h>
#include "kstring.h"

#if defined(__GNUC__) && !defined(__clang__)
#define LIBFUNC __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define LIBFUNC
#endif

/* A u64 that may alias anything, so word loops do not break strict aliasing. */
typedef uint64_t __attribute__((may_alias)) word_t;

static int aligned8(const void *a, const void *b)
{
	return (((uintptr_t)a | (uintptr_t)b) & 7) == 0;
}

LIBFUNC void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	word_t w = 0x0101010101010101ULL * (unsigned char)c;

	if (aligned8(d, d)) {
		for (; n >= 8; n -= 8, d += 8)
			*(word_t *)d = w;
	}
	for (; n > 0; n--)
		*d++ = (unsigned char)c;
	return dst;
}

LIBFUNC void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (aligned8(d, s)) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(word_t *)d = *(const word_t *)s;
	}
	for (; n > 0; n--)
		*d++ = *s++;
	return dst;
}

LIBFUNC void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Copy forwards unless dst starts inside [src, src + n). */
	if ((uintptr_t)d - (uintptr_t)s >= n) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		while (n-- > 0)
			d[n] = s[n];
	}
	return dst;
}

LIBFUNC int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (size_t i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return 0;
}

LIBFUNC size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

LIBFUNC int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
		if (x != y)
			return x < y ? -1 : 1;
		if (!x)
			break;
	}
	return 0;
}

LIBFUNC int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

LIBFUNC char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}
