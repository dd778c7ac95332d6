/*
 * tools/catalog.c - prints the kernel's catalog for host-side tools (grub.cfg generator, test
 * suite): one line per entry, "test <name> - <description>" (or "bench ..."), then
 * "mutation <name> inv=<id> - <description>". Links tests/kernel/catalog.c as the kernel does.
 */
#include <stdio.h>
#include "../tests/kernel/catalog.h"

int main(void)
{
	for (size_t i = 0; i < catalog_ntests; i++)
		printf("%s %s - %s\n", catalog_tests[i].kind == CATALOG_BENCH ? "bench" : "test",
		       catalog_tests[i].name, catalog_tests[i].description);
	for (size_t i = 0; i < catalog_nmutations; i++)
		printf("mutation %s inv=%s - %s\n", catalog_mutations[i].name,
		       catalog_mutations[i].inv, catalog_mutations[i].description);
	return 0;
}
