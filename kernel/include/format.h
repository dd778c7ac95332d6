/*
 * format.h: kvsnprintf/ksnprintf, the one printf engine of the kernel (kprintf, panic and the
 * report API format into a buffer through it). Portable: no state, no locks, no libc; the same
 * file is unit-tested on the host against libc's snprintf (tests/host/test_format.c).
 *
 * C99 snprintf semantics: the return value is the length the full output would have had; at
 * most size-1 characters are stored and the buffer is always NUL-terminated when size > 0.
 * Conversions: d i u x X o s p c %%; length hh h l ll z j t; flags - 0 space + #; field width
 * and precision, both also as '*'. Differences from glibc, on purpose:
 *   %p always prints "0x" and 16 lower-case hex digits (NULL too), the width of an address;
 *   %s of NULL prints "(null)", cut by the precision like any string;
 *   %n and floating point are not supported: an unknown conversion is copied out verbatim;
 *   an output longer than INT32_MAX characters returns -1 (C says: negative, EOVERFLOW).
 */
#ifndef FORMAT_H
#define FORMAT_H

#include <stdarg.h>
#include <stddef.h>

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* FORMAT_H */
