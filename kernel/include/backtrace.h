/*
 * backtrace.h - symbol lookup in the build-time symbol table (.ksyms, made by
 * tools/gen-ksyms.sh from the first link) and frame-pointer backtraces (kernel/backtrace.c).
 */
#ifndef BACKTRACE_H
#define BACKTRACE_H

#include <stdint.h>

/* Name of the function containing addr and the offset into it, or NULL outside .text. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);
/* Prints "  #i 0x... name+0xoff" for rip, then for each frame of the rbp chain that stays
 * inside [stack_lo, stack_hi). Never faults: every frame pointer is checked before use. */
void backtrace_print(uint64_t rip, uint64_t rbp, uint64_t stack_lo, uint64_t stack_hi);
/* The calling CPU's own backtrace from here. */
void backtrace_here(void);

#endif
