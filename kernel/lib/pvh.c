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

/* [a, b) widened to cover [p, p + len) */
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
	cover(&lo, &hi, si->memmap_paddr,
	      (uint64_t)si->memmap_entries * sizeof(struct hvm_memmap_table_entry));
	out->mmap = (const uint8_t *)(uintptr_t)si->memmap_paddr;
	out->mmap_entry_size = sizeof(struct hvm_memmap_table_entry);
	out->mmap_count = si->memmap_entries;
	if (si->cmdline_paddr) {
		const char *c = (const char *)(uintptr_t)si->cmdline_paddr;
		size_t n = 0;

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
	for (uint32_t i = 0; si->nr_modules && mods && i < si->nr_modules; i++) {
		if (mods[i].paddr + mods[i].size > 1ull << 32 || mods[i].paddr + mods[i].size <
		    mods[i].paddr)
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
	if (hi > 1ull << 32)
		return fail(err, errsize, MB2_EFIELD, "start info, map or command line above 4 GiB",
			    hi);
	out->base = (const uint8_t *)(uintptr_t)lo;
	out->total_size = (uint32_t)(hi - lo);
	out->boot_mode = MB2_BOOT_DIRECT;
	return MB2_OK;
}
