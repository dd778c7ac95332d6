/*
 * kernel/lib/pvh.c - the PVH start info (pvh.h) as a struct mb2_info. Portable and
 * hardware-free: every field is checked before it is followed, and tests/host/test_pvh.c
 * feeds it good and broken blocks.
 */
#include "format.h"
#include "pvh.h"

static int fail(char *err, size_t errsize, int code, const char *what, uint64_t value)
{
	ksnprintf(err, errsize, "%s (0x%llx)", what, (unsigned long long)value);
	return code;
}

/* [p, p + len) lies below 4 GiB (the boot map) without wrapping: it may be read */
static bool below_4g(uint64_t p, uint64_t len)
{
	return p + len >= p && p + len <= 1ull << 32;
}

/* [a, b) widened to cover [p, p + len), which below_4g has accepted */
static void cover(uint64_t *a, uint64_t *b, uint64_t p, uint64_t len)
{
	if (p < *a)
		*a = p;
	if (p + len > *b)
		*b = p + len;
}

int pvh_parse(const void *info, struct mb2_info *out, char *err, size_t errsize)
{
	const struct hvm_start_info *si = info;
	const struct hvm_modlist_entry *mods;
	uint64_t lo, hi;

	__builtin_memset(out, 0, sizeof(*out));
	if (!si)
		return fail(err, errsize, MB2_EHEADER, "no start info", 0);
	if (si->magic != PVH_START_MAGIC)
		return fail(err, errsize, MB2_EHEADER, "start info magic is not 0x336ec578",
			    si->magic);
	if (si->version < 1)
		return fail(err, errsize, MB2_EFIELD,
			    "start info version 0 has no memory map (QEMU 4.0 or later gives one)",
			    si->version);
	if (!si->memmap_paddr || !si->memmap_entries || si->memmap_entries > PVH_MAX_MEMMAP)
		return fail(err, errsize, MB2_EFIELD, "memory map empty, absent or too long",
			    si->memmap_entries);
	lo = (uint64_t)(uintptr_t)si;
	hi = lo + sizeof(*si);
	if (!below_4g(si->memmap_paddr,
		      (uint64_t)si->memmap_entries * sizeof(struct hvm_memmap_table_entry)))
		return fail(err, errsize, MB2_EFIELD, "the memory map lies above 4 GiB",
			    si->memmap_paddr);
	cover(&lo, &hi, si->memmap_paddr,
	      (uint64_t)si->memmap_entries * sizeof(struct hvm_memmap_table_entry));
	out->mmap = (const uint8_t *)(uintptr_t)si->memmap_paddr;
	out->mmap_entry_size = sizeof(struct hvm_memmap_table_entry);
	out->mmap_count = si->memmap_entries;
	if (si->cmdline_paddr) {
		const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
		size_t n = 0;

		if (!below_4g(si->cmdline_paddr, PVH_CMDLINE_BOUND))
			return fail(err, errsize, MB2_EFIELD, "the command line lies above 4 GiB",
				    si->cmdline_paddr);
		while (n < PVH_CMDLINE_BOUND && c[n])
			n++;
		if (n == PVH_CMDLINE_BOUND)
			return fail(err, errsize, MB2_EFIELD, "command line has no NUL in 4096 bytes",
				    si->cmdline_paddr);
		out->cmdline = c;
		out->cmdline_len = n;
		cover(&lo, &hi, si->cmdline_paddr, n + 1);
	}
	if (si->rsdp_paddr) {
		const uint8_t *r = (const uint8_t *)(uintptr_t)si->rsdp_paddr;

		if (!below_4g(si->rsdp_paddr, 36))
			return fail(err, errsize, MB2_EFIELD, "the RSDP lies above 4 GiB",
				    si->rsdp_paddr);
		/* the RSDP itself, not a copy: revision 2 and later have the 36-byte form */
		if (r[15] >= 2) {
			out->rsdp_new = r;
			out->rsdp_new_len = 36;
		} else {
			out->rsdp_old = r;
			out->rsdp_old_len = 20;
		}
	}
	mods = (const struct hvm_modlist_entry *)(uintptr_t)si->modlist_paddr;
	if (si->nr_modules > PVH_MAX_MODULES)
		return fail(err, errsize, MB2_EFIELD, "more modules than any loader gives",
			    si->nr_modules);
	if (si->nr_modules && mods &&
	    !below_4g(si->modlist_paddr, (uint64_t)si->nr_modules * sizeof(*mods)))
		return fail(err, errsize, MB2_EFIELD, "the module list lies above 4 GiB",
			    si->modlist_paddr);
	for (uint32_t i = 0; si->nr_modules && mods && i < si->nr_modules; i++) {
		if (!below_4g(mods[i].paddr, mods[i].size))
			return fail(err, errsize, MB2_EFIELD, "a module lies above 4 GiB",
				    mods[i].paddr);
		if (out->module_count == MB2_MAX_MODULES) {
			out->modules_dropped++;
			continue;
		}
		out->modules[out->module_count++] = (struct mb2_module){
			(uint32_t)mods[i].paddr, (uint32_t)(mods[i].paddr + mods[i].size), NULL,
		};
	}
	if (si->nr_modules && mods)
		cover(&lo, &hi, si->modlist_paddr,
		      (uint64_t)si->nr_modules * sizeof(struct hvm_modlist_entry));
	out->base = (const uint8_t *)(uintptr_t)lo;
	out->total_size = (uint32_t)(hi - lo);
	out->boot_mode = MB2_BOOT_DIRECT;
	return MB2_OK;
}
