/*
 * tools/catalog.c - prints the kernel's catalog for host-side tools (grub.cfg generator, test
 * suite): one line per entry, "test <name> - <description>" (or "bench ..."), then
 * "mutation <name> inv=<id> - <description>", ending " (strict only)" or " (kvm only)" for
 * a mutation one profile refuses, then " (ept only)" for one that format=npt refuses. Links tests/kernel/catalog.c as the kernel does,
 * and the portable core for the mutations (rmap_variants[]), against the host env.
 */
#include <stdio.h>
#include "../tests/kernel/catalog.h"
#include "rmap/rmap_ops.h"

int main(void)
{
	for (size_t i = 0; i < catalog_ntests; i++)
		printf("%s %s - %s\n", catalog_tests[i].kind == CATALOG_BENCH ? "bench" : "test",
		       catalog_tests[i].name, catalog_tests[i].description);
	if (rmap_nr_variants == 0 || rmap_variants[0].inv) {
		fprintf(stderr, "catalog: rmap_variants[0] must be the correct protocol, none\n");
		return 1;
	}
	for (size_t i = 0; i < catalog_nmutations(); i++)
		printf("mutation %s inv=%s - %s%s%s\n", catalog_mutation(i)->name,
		       catalog_mutation(i)->inv, catalog_mutation(i)->description,
		       rmap_ops_profile_note(catalog_mutation(i)),
		       rmap_ops_format_note(catalog_mutation(i)));
	return 0;
}
