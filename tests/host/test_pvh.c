/*
 * test_pvh.c: the PVH start info parser (kernel/lib/pvh.c) on blocks built here, laid out as
 * QEMU's PVH option ROM lays them out (start info, memory map and command line apart from
 * each other), then broken one field at a time. Each case says which error it must return
 * and a fragment of its message; the good blocks check every field of the struct mb2_info.
 * The blocks live below 4 GiB (mmap MAP_32BIT), as the kernel requires of them, and each
 * command line ends at a page followed by an inaccessible one: a read past its bound faults.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "pvh.h"

static unsigned number, failures;

static void report(bool ok, const char *what, const char *detail)
{
	printf("%sok %u - %s%s%s\n", ok ? "" : "not ", ++number, what, *detail ? ": " : "", detail);
	failures += !ok;
}

/* A block as QEMU gives it: three RAM/reserved entries, a command line, an RSDP. */
struct block {
	struct hvm_start_info si;
	struct hvm_memmap_table_entry map[3];
	struct hvm_modlist_entry mods[MB2_MAX_MODULES + 1];
	uint8_t rsdp[36];
	char *cmdline;			/* ends where an inaccessible page begins */
};

/* Three pages below 4 GiB: the block, the command line's page, a guard page. */
static uint8_t *low;

static struct block *build(const char *cmdline)
{
	struct block *b = (struct block *)low;
	size_t n = strlen(cmdline) + 1;

	memset(low, 0, 2 * 4096);
	b->map[0] = (struct hvm_memmap_table_entry){ 0, 0x9fc00, 1, 0 };
	b->map[1] = (struct hvm_memmap_table_entry){ 0xf0000, 0x10000, 2, 0 };
	b->map[2] = (struct hvm_memmap_table_entry){ 0x100000, 0x1ff00000, 1, 0 };
	memcpy(b->rsdp, "RSD PTR ", 8);
	b->rsdp[15] = 2;
	b->cmdline = (char *)low + 2 * 4096 - n;
	memcpy(b->cmdline, cmdline, n);
	b->si = (struct hvm_start_info){
		.magic = PVH_START_MAGIC, .version = 1,
		.cmdline_paddr = (uint64_t)(uintptr_t)b->cmdline,
		.rsdp_paddr = (uint64_t)(uintptr_t)b->rsdp,
		.memmap_paddr = (uint64_t)(uintptr_t)b->map, .memmap_entries = 3,
	};
	return b;
}

static void good(void)
{
	struct block *bp = build("test=boot seed=7");
	struct mb2_info mi;
	struct mb2_mmap_entry e;
	char err[160] = "";
	int rc;

	rc = pvh_parse(&bp->si, &mi, err, sizeof(err));
	report(rc == MB2_OK, "a block as QEMU builds it parses", err);
	report(mi.boot_mode == MB2_BOOT_DIRECT, "boot mode is direct", "");
	report(mi.cmdline == bp->cmdline && mi.cmdline_len == 16, "the command line, 16 bytes", "");
	report(mi.mmap_count == 3 && mi.mmap_entry_size == 24 && mb2_mmap_entry(&mi, 2, &e) &&
	       e.base == 0x100000 && e.len == 0x1ff00000 && e.type == 1,
	       "the memory map read as multiboot2's", "");
	report(mi.rsdp_new == bp->rsdp && mi.rsdp_new_len == 36 && !mi.rsdp_old,
	       "an ACPI 2.0 RSDP is the new one", "");
	report(!mi.has_fb && mi.module_count == 0, "no framebuffer, no module", "");
	{
		uint64_t lo = (uint64_t)(uintptr_t)mi.base, hi = lo + mi.total_size;
		uint64_t c = (uint64_t)(uintptr_t)bp->cmdline, m = (uint64_t)(uintptr_t)bp->map;

		report(lo <= (uint64_t)(uintptr_t)&bp->si && hi >= (uint64_t)(uintptr_t)(&bp->si + 1) &&
		       lo <= c && hi >= c + 17 && lo <= m && hi >= m + sizeof(bp->map),
		       "base/total_size cover the start info, the command line and the map", "");
	}
	bp->rsdp[15] = 0;
	pvh_parse(&bp->si, &mi, err, sizeof(err));
	report(mi.rsdp_old == bp->rsdp && mi.rsdp_old_len == 20 && !mi.rsdp_new,
	       "an ACPI 1.0 RSDP is the old one", "");
	bp->si.cmdline_paddr = 0;
	bp->si.rsdp_paddr = 0;
	rc = pvh_parse(&bp->si, &mi, err, sizeof(err));
	report(rc == MB2_OK && !mi.cmdline && !mi.rsdp_old && !mi.rsdp_new,
	       "no command line and no RSDP (microvm with acpi=off) is fine", err);
	for (unsigned i = 0; i <= MB2_MAX_MODULES; i++)
		bp->mods[i] = (struct hvm_modlist_entry){ 0x1000000 + i * 0x1000, 0x800, 0, 0 };
	bp->si.modlist_paddr = (uint64_t)(uintptr_t)bp->mods;
	bp->si.nr_modules = MB2_MAX_MODULES + 1;
	rc = pvh_parse(&bp->si, &mi, err, sizeof(err));
	report(rc == MB2_OK && mi.module_count == MB2_MAX_MODULES && mi.modules_dropped == 1 &&
	       mi.modules[1].start == 0x1001000 && mi.modules[1].end == 0x1001800,
	       "modules kept, the one past the table counted as dropped", err);
}

/* bad: one field broken; the parser must return rc with frag in its message */
struct bad_case {
	const char *name;
	void (*breakit)(struct block *b);
	int rc;
	const char *frag;
};

static void bad_magic(struct block *b) { b->si.magic = 0x2badb002; }
static void bad_version(struct block *b) { b->si.version = 0; }
static void bad_nomap(struct block *b) { b->si.memmap_paddr = 0; }
static void bad_empty(struct block *b) { b->si.memmap_entries = 0; }
static void bad_huge(struct block *b) { b->si.memmap_entries = PVH_MAX_MEMMAP + 1; }
static void bad_module(struct block *b)
{
	b->mods[0] = (struct hvm_modlist_entry){ 0xfffff000, 0x2000, 0, 0 };
	b->si.modlist_paddr = (uint64_t)(uintptr_t)b->mods;
	b->si.nr_modules = 1;
}
static void bad_many(struct block *b)
{
	b->si.modlist_paddr = (uint64_t)(uintptr_t)b->mods;
	b->si.nr_modules = 0xffffffffu;		/* would walk 128 GiB past the list */
}
static void bad_high_cmdline(struct block *b) { b->si.cmdline_paddr = 0x100000000ull; }
static void bad_high_rsdp(struct block *b) { b->si.rsdp_paddr = 0xffffffffull; }
static void bad_high_map(struct block *b) { b->si.memmap_paddr = 0xfffffff0ull; }
static void bad_high_modlist(struct block *b)
{
	b->si.modlist_paddr = 0x7ffffffff000ull;
	b->si.nr_modules = 1;
}
static void bad_cmdline(struct block *b)
{
	/* the whole page before the guard, no NUL: the parser must stop at the bound */
	b->cmdline = (char *)low + 4096;
	memset(b->cmdline, 'x', PVH_CMDLINE_BOUND);
	b->si.cmdline_paddr = (uint64_t)(uintptr_t)b->cmdline;
}

static const struct bad_case bad_cases[] = {
	{ "a wrong magic", bad_magic, MB2_EHEADER, "magic" },
	{ "version 0 (no memory map)", bad_version, MB2_EFIELD, "version 0" },
	{ "no memory map", bad_nomap, MB2_EFIELD, "memory map" },
	{ "an empty memory map", bad_empty, MB2_EFIELD, "memory map" },
	{ "a memory map of 1025 entries", bad_huge, MB2_EFIELD, "too long" },
	{ "a module across 4 GiB", bad_module, MB2_EFIELD, "above 4 GiB" },
	{ "a command line without NUL in 4096 bytes", bad_cmdline, MB2_EFIELD, "no NUL" },
	{ "4294967295 modules (not walked)", bad_many, MB2_EFIELD, "more modules" },
	{ "a command line above 4 GiB (not read)", bad_high_cmdline, MB2_EFIELD, "command line lies above" },
	{ "an RSDP across 4 GiB (not read)", bad_high_rsdp, MB2_EFIELD, "RSDP lies above" },
	{ "a memory map across 4 GiB", bad_high_map, MB2_EFIELD, "memory map lies above" },
	{ "a module list above 4 GiB (not read)", bad_high_modlist, MB2_EFIELD, "module list lies above" },
};

int main(void)
{
	struct mb2_info mi;
	char err[160];

	low = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		   -1, 0);
	if (low == MAP_FAILED || mprotect(low + 2 * 4096, 4096, PROT_NONE)) {
		perror("test_pvh: mmap below 4 GiB");
		return 2;
	}
	good();
	report(pvh_parse(NULL, &mi, err, sizeof(err)) == MB2_EHEADER, "a NULL block is refused", err);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct block *b = build("x=1");
		int rc;

		c->breakit(b);
		err[0] = 0;
		rc = pvh_parse(&b->si, &mi, err, sizeof(err));
		report(rc == c->rc && strstr(err, c->frag), c->name, err);
	}
	printf("%s: %u cases, %u failed\n", failures ? "FAIL" : "PASS", number, failures);
	return failures ? 1 : 0;
}
