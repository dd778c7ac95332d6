/*
 * kstring.h: the C string and memory functions of the freestanding kernel (kernel/lib/string.c).
 * gcc emits calls to memset/memcpy/memmove/memcmp even under -ffreestanding (struct copies,
 * zeroing loops), so the kernel must define them. Kernel only: host programs get libc's, and
 * portable code (kernel/lib, mmu, rmap) calls __builtin_mem* instead of including this.
 */
#ifndef KSTRING_H
#define KSTRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

#endif /* KSTRING_H */
