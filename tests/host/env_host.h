/*
 * env_host.h - what the host tests add to env.h (tests/host/env_host.c): numbering threads as
 * CPUs, naming the current test for VIOLATION lines, and reading the violation counts that
 * env_violation keeps per invariant id.
 */
#ifndef ENV_HOST_H
#define ENV_HOST_H

#include <stdint.h>
#include "env.h"

void env_host_set_cpu(unsigned cpu);		/* the calling thread's env_cpu_id() */
void env_host_set_test(const char *name);
void env_host_set_print_limit(unsigned n);	/* VIOLATION lines per invariant (default 10) */
uint64_t env_host_violations_unprinted(void);	/* counted past that limit */
void env_host_reset(void);			/* forget all counts */
uint64_t env_host_violations(void);		/* all invariants */
uint64_t env_host_violations_of(const char *inv);
/* "inv=count ..." of every invariant seen, in order of first sighting, into buf. */
void env_host_violation_summary(char *buf, unsigned size);
int64_t env_host_pages_in_use(void);		/* env pages allocated and not freed */
uint64_t env_host_relax_calls(void);		/* env_cpu_relax calls so far, all threads */

/* A --name=N option of a host program: true and *out set if arg is one; a bad number
 * exits 2 with prog's name. */
bool env_host_num_opt(const char *prog, const char *arg, const char *name, uint64_t *out);

/* --format=ept|npt (the kernel's format=): true if arg is one, and the SPTE format is set
 * (spte_set_format, before any MMU exists); another value exits 2 listing the valid ones. */
bool env_host_format_opt(const char *prog, const char *arg);

#endif /* ENV_HOST_H */
