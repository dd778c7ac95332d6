/*
 * catalog.h - the tests and mutations this kernel offers, as tables (STYLE §7). The same file
 * compiles for the host (HOST_CATALOG) so that tools/catalog can list the entries for grub.cfg
 * and the test suite without booting; there the run functions are weak and stay NULL, and
 * the kernel checks at boot that none is missing (catalog_check).
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>
#include "cmdline.h"

struct test_run {
	const struct cmdline *cl;	/* the parsed boot options */
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

struct catalog_mutation {
	const char *name;
	const char *inv;		/* the DESIGN §4 invariant it must trip */
	const char *description;
};

extern const struct catalog_test catalog_tests[];
extern const size_t catalog_ntests;
extern const struct catalog_mutation catalog_mutations[];
extern const size_t catalog_nmutations;

/* Name lists in catalog order, for the command-line parser. */
const char *const *catalog_test_names(void);
const char *const *catalog_mutation_names(void);

#endif
