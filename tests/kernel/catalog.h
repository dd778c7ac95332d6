/*
 * catalog.h - the tests and mutations this kernel offers, as tables (STYLE §7). The same file
 * compiles for the host (HOST_CATALOG) so that tools/catalog can list the entries for grub.cfg
 * and the test suite without booting; there the run functions are weak and stay NULL, and
 * the kernel checks at boot that none is missing (catalog_check).
 *
 * The mutations are not a table of their own: they are rmap_variants[] (kernel/rmap/variants.c)
 * without its first entry, the correct protocol "none". A new broken variant is a mutation, a
 * menu entry and a line of the test suite's mutation matrix at once.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>
#include "cmdline.h"

struct rmap_ops;

struct test_run {
	const struct cmdline *cl;	/* the parsed boot options */
	const struct rmap_ops *ops;	/* mutate=: the variant to run, rmap_variants[0] if none */
};

enum catalog_kind {
	CATALOG_TEST,		/* has a verdict; test=all runs it */
	CATALOG_BENCH,		/* prints figures for make bench; only run by name */
};

struct catalog_test {
	const char *name;
	enum catalog_kind kind;
	const char *description;
	void (*run)(const struct test_run *r);	/* begins and ends its own report */
};

extern const struct catalog_test catalog_tests[];
extern const size_t catalog_ntests;

/* Mutation i (0-based, i < catalog_nmutations()): .name, .inv and .description print it. */
size_t catalog_nmutations(void);
const struct rmap_ops *catalog_mutation(size_t i);

/* Name lists in catalog order, for the command-line parser. */
const char *const *catalog_test_names(void);
const char *const *catalog_mutation_names(void);

#endif
