/*
 * test_mb2.c: the multiboot2 parser on crafted blocks.
 *
 * good_cases[] builds BIOS-like and UEFI-like blocks the way GRUB lays them out (plus corner
 * cases: a block of only the end tag, more modules than fit, wide mmap entries, every
 * framebuffer type, unknown tags) and checks every unpacked field. bad_cases[] builds one
 * malformed block each and checks the error code and the message (tag, offset, problem).
 * Every block is copied into a malloc'ed buffer of exactly the size under test and parsed with
 * bound = that size, so under ASan a read past the block fails the run. Last, the good blocks
 * are parsed at every truncation and with seeded random byte corruption: the parser must
 * return, never read out of bounds, and reject every truncated block.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mb2.h"
#include "mb2_blob.h"

/* ---- expectations ---- */

static char first_miss[200];

/* Records the first unmet expectation of a case; EXPECT only adds the text of the condition. */
static bool expect(bool cond, const char *what)
{
	if (!cond && !first_miss[0])
		snprintf(first_miss, sizeof(first_miss), "expected %s", what);
	return cond;
}
#define EXPECT(cond) expect((cond), #cond)

static bool str_is(const char *p, size_t n, const char *want)
{
	return p && n == strlen(want) && memcmp(p, want, n) == 0 && p[n] == '\0';
}

static bool mmap_matches(const struct mb2_info *mi, const uint64_t (*e)[3], size_t n)
{
	struct mb2_mmap_entry got;

	if (mi->mmap_count != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!mb2_mmap_entry(mi, i, &got) || got.base != e[i][0] || got.len != e[i][1] ||
		    got.type != e[i][2])
			return false;
	}
	return !mb2_mmap_entry(mi, n, &got);
}

static void check_bios(const struct mb2_info *mi)
{
	const uint8_t *rsdp = mi->rsdp_old;

	EXPECT(mi->boot_mode == MB2_BOOT_BIOS);
	EXPECT(str_is(mi->cmdline, mi->cmdline_len, "test=age-vs-zap seconds=3"));
	EXPECT(str_is(mi->bootloader, mi->bootloader_len, "GRUB 2.06-13+deb12u1"));
	EXPECT(mi->module_count == 1 && mi->modules_dropped == 0);
	EXPECT(mi->modules[0].start == 0x200000 && mi->modules[0].end == 0x201000);
	EXPECT(strcmp(mi->modules[0].cmdline, "initrd.img") == 0);
	EXPECT(mi->has_meminfo && mi->mem_lower_kib == 639 && mi->mem_upper_kib == 130048);
	EXPECT(mi->mmap_entry_size == 24 && mmap_matches(mi, bios_e820, 6));
	EXPECT(mi->has_fb && mi->fb.addr == 0xfd000000 && mi->fb.pitch == 4096);
	EXPECT(mi->fb.width == 1024 && mi->fb.height == 768 && mi->fb.bpp == 32);
	EXPECT(mi->fb.type == MB2_FB_RGB && mi->fb.red_pos == 16 && mi->fb.red_size == 8);
	EXPECT(mi->fb.green_pos == 8 && mi->fb.green_size == 8);
	EXPECT(mi->fb.blue_pos == 0 && mi->fb.blue_size == 8);
	EXPECT(rsdp && mi->rsdp_old_len == 20 && memcmp(rsdp, "RSD PTR ", 8) == 0);
	EXPECT(!mi->rsdp_new && mi->rsdp_new_len == 0);
	EXPECT(mi->has_load_base && mi->load_base == 0x100000);
	EXPECT(!mi->has_efi64_st && !mi->efi_mmap && !mi->efi_bs_active && !mi->has_efi64_ih);
	EXPECT(mi->tags == 10 && mi->tags_ignored == 2 && mi->tags_unknown == 0);
}

static void check_uefi(const struct mb2_info *mi)
{
	struct mb2_efi_desc d;

	EXPECT(mi->boot_mode == MB2_BOOT_UEFI);
	EXPECT(str_is(mi->cmdline, mi->cmdline_len, "/boot/rmap-harness.elf test=all"));
	EXPECT(mi->has_efi64_st && mi->efi64_st == 0x7fbee018);
	EXPECT(mmap_matches(mi, bios_e820, 4));
	EXPECT(mi->has_fb && mi->fb.width == 800 && mi->fb.height == 600);
	EXPECT(mi->rsdp_old_len == 20 && mi->rsdp_new_len == 36);
	EXPECT(mi->rsdp_new && memcmp(mi->rsdp_new, "RSD PTR ", 8) == 0);
	EXPECT(mi->efi_mmap && mi->efi_desc_size == 48 && mi->efi_desc_version == 1);
	EXPECT(mi->efi_mmap_count == 3);
	EXPECT(mb2_efi_desc(mi, 2, &d) && d.type == 7 && d.phys == 0x300000 && d.pages == 48);
	EXPECT(d.attr == 0xf && !mb2_efi_desc(mi, 3, &d));
	EXPECT(mi->has_efi64_ih && mi->efi64_ih == 0x7e4e3a98);
	EXPECT(mi->has_load_base && mi->load_base == 0x200000);
	EXPECT(!mi->efi_bs_active && mi->module_count == 0 && !mi->has_meminfo);
	EXPECT(mi->tags == 11 && mi->tags_unknown == 1 && mi->tags_ignored == 0);
}

static void check_minimal(const struct mb2_info *mi)
{
	struct mb2_mmap_entry e;

	EXPECT(mi->boot_mode == MB2_BOOT_BIOS && mi->total_size == 16 && mi->tags == 0);
	EXPECT(!mi->cmdline && !mi->bootloader && !mi->mmap && mi->mmap_count == 0);
	EXPECT(!mi->has_fb && !mi->rsdp_old && !mi->rsdp_new && !mb2_mmap_entry(mi, 0, &e));
}

static void check_many_modules(const struct mb2_info *mi)
{
	EXPECT(mi->module_count == MB2_MAX_MODULES && mi->modules_dropped == 20 - MB2_MAX_MODULES);
	EXPECT(mi->modules[15].start == 0x100f000 && mi->modules[15].end == 0x100f800);
	EXPECT(strcmp(mi->modules[15].cmdline, "") == 0 && strcmp(mi->modules[14].cmdline, "m") == 0);
}

static void check_wide_mmap(const struct mb2_info *mi)
{
	EXPECT(mi->mmap_entry_size == 40 && mmap_matches(mi, bios_e820, 6));
	EXPECT(mi->efi_bs_active && mi->boot_mode == MB2_BOOT_BIOS);
}

static void check_fb_indexed(const struct mb2_info *mi)
{
	EXPECT(mi->has_fb && mi->fb.type == MB2_FB_INDEXED && mi->fb.bpp == 8);
	EXPECT(mi->fb.width == 320 && mi->fb.height == 200 && mi->fb.addr == 0xa0000);
}

static void check_fb_text(const struct mb2_info *mi)
{
	EXPECT(mi->has_fb && mi->fb.type == MB2_FB_EGA_TEXT && mi->fb.width == 80);
	EXPECT(mi->fb.height == 25 && mi->fb.pitch == 160);
}

struct good_case {
	const char *name;
	void (*build)(struct blob *x);
	void (*check)(const struct mb2_info *mi);
};

static const struct good_case good_cases[] = {
	{ "bios: GRUB on SeaBIOS",                   build_bios,         check_bios },
	{ "uefi: GRUB on OVMF, unknown tag 99",      build_uefi,         check_uefi },
	{ "minimal: only the end tag",               build_minimal,      check_minimal },
	{ "20 modules: 16 kept, 4 counted dropped",  build_many_modules, check_many_modules },
	{ "40-byte mmap entries, efi bs, slack",     build_wide_mmap,    check_wide_mmap },
	{ "indexed framebuffer with palette",        build_fb_indexed,   check_fb_indexed },
	{ "EGA text framebuffer",                    build_fb_text,      check_fb_text },
};

struct bad_case {
	const char *name;
	void (*build)(struct blob *x);
	int rc;
	const char *frag;	/* must appear in the message, besides "at offset <mark>" */
	bool at_mark;		/* the message names the tag at x->mark */
	uint32_t cut;		/* allocate and bound x->len - cut bytes */
	uint32_t shift;		/* place the block this many bytes past an 8-byte boundary */
	bool null;		/* pass a NULL block */
};

static const struct bad_case bad_cases[] = {
	{ "NULL block", build_minimal, MB2_EHEADER, "NULL pointer", .null = true },
	{ "block not 8-byte aligned", build_minimal, MB2_EHEADER, "not 8-byte aligned", .shift = 4 },
	{ "bound below the header", build_minimal, MB2_EHEADER, "smaller than the 8-byte header", .cut = 12 },
	{ "total_size 8 < 16", b_header_only, MB2_EHEADER, "total_size 8 is outside [16, 8]", .at_mark = false },
	{ "total_size past the bound", b_total_huge, MB2_EHEADER, "total_size 4096 is outside [16, 16]", .at_mark = false },
	{ "block truncated by 24 bytes", build_bios, MB2_EHEADER, "is outside [16, " , .cut = 24 },
	{ "total_size cuts a tag", b_cut_in_tag, MB2_ETAG, "size 34 is not within [8, 32]", .at_mark = true },
	{ "tag size past total_size", b_size_past, MB2_ETAG, "tag 4 (basic meminfo)", .at_mark = true },
	{ "zero-size tag", b_size_zero, MB2_ETAG, "size 0 is not within [8,", .at_mark = true },
	{ "tag size 4", b_size_four, MB2_ETAG, "size 4 is not within [8,", .at_mark = true },
	{ "tag size 0xfffffff8", b_size_huge, MB2_ETAG, "size 4294967288 is not within", .at_mark = true },
	{ "unknown tag past the end", b_unknown_past, MB2_ETAG, "tag 99 (unknown)", .at_mark = true },
	{ "tag not padded to 8", b_unpadded, MB2_ENOEND, "no end tag: the tag at offset 0x18 would pass total_size 29", .at_mark = false },
	{ "no end tag", b_no_end, MB2_ENOEND, "no end tag", .at_mark = false },
	{ "end tag of size 16", b_end_16, MB2_ESIZE, "end tag size 16, must be 8", .at_mark = true },
	{ "mmap entry_size 16", b_mmap_es16, MB2_EFIELD, "tag 6 (mmap) at offset 0x8: entry_size 16", .at_mark = true },
	{ "mmap entry_size 28", b_mmap_es28, MB2_EFIELD, "entry_size 28 is not a multiple of 8", .at_mark = true },
	{ "meminfo of 12 bytes", b_meminfo_short, MB2_ESIZE, "size 12 < 16, the minimum", .at_mark = true },
	{ "cmdline without NUL", b_cmdline_nonul, MB2_EFIELD, "string has no NUL within its 8 bytes", .at_mark = true },
	{ "module end below start", b_module_backwards, MB2_EFIELD, "mod_end 0x2ff000 is below mod_start 0x300000", .at_mark = true },
	{ "module without string", b_module_nostring, MB2_ESIZE, "size 16 < 17", .at_mark = true },
	{ "framebuffer of 24 bytes", b_fb_tiny, MB2_ESIZE, "tag 8 (framebuffer)", .at_mark = true },
	{ "RGB framebuffer without fields", b_fb_rgb_short, MB2_ESIZE, "size 32 < 38, the minimum for framebuffer type 1", .at_mark = true },
	{ "palette past the tag", b_fb_palette_over, MB2_ESIZE, "size 40 < 334", .at_mark = true },
	{ "old RSDP of 12 bytes", b_acpi_old_short, MB2_ESIZE, "tag 14 (acpi old rsdp) at offset 0x8: size 20 < 28", .at_mark = true },
	{ "new RSDP of 20 bytes", b_acpi_new_short, MB2_ESIZE, "size 28 < 44", .at_mark = true },
	{ "EFI descriptors of 24 bytes", b_efi_desc_small, MB2_EFIELD, "descriptor size 24 < 40", .at_mark = true },
	{ "EFI64 system table of 12 bytes", b_efi64_short, MB2_ESIZE, "size 12 < 16", .at_mark = true },
	{ "load base of 8 bytes", b_load_base_short, MB2_ESIZE, "size 8 < 12", .at_mark = true },
	{ "second mmap", b_dup_mmap, MB2_EDUP, "second tag of this type (first at offset 0x8)", .at_mark = true },
	{ "second cmdline", b_dup_cmdline, MB2_EDUP, "tag 1 (cmdline)", .at_mark = true },
};

/* ---- runners ---- */

static int failures, case_no;

static void report(bool ok, const char *kind, const char *name, const char *detail)
{
	case_no++;
	if (!ok)
		failures++;
	printf("%s %d - %s: %s%s%s\n", ok ? "ok" : "not ok", case_no, kind, name,
	       detail[0] ? ": " : "", detail);
}

/* A heap copy of the first size bytes at shift past malloc's alignment; NULL if size is 0. */
static uint8_t *exact_copy(const struct blob *x, uint32_t size, uint32_t shift, void **to_free)
{
	uint8_t *p = malloc(size + shift);

	memcpy(p + shift, x->b, size);
	*to_free = p;
	return p + shift;
}

/* Reads everything a caller may read after a successful parse (ASan checks the bounds). */
static void touch_all(const struct mb2_info *mi)
{
	struct mb2_mmap_entry e;
	struct mb2_efi_desc d;
	volatile uint64_t sink = 0;

	for (size_t i = 0; mb2_mmap_entry(mi, i, &e); i++)
		sink += e.base + e.len + e.type;
	for (size_t i = 0; mb2_efi_desc(mi, i, &d); i++)
		sink += d.phys + d.pages;
	if (mi->cmdline)
		sink += strlen(mi->cmdline);
	if (mi->bootloader)
		sink += strlen(mi->bootloader);
	for (size_t i = 0; i < mi->module_count; i++)
		sink += strlen(mi->modules[i].cmdline);
	for (size_t i = 0; i < mi->rsdp_old_len; i++)
		sink += ((const uint8_t *)mi->rsdp_old)[i];
	for (size_t i = 0; i < mi->rsdp_new_len; i++)
		sink += ((const uint8_t *)mi->rsdp_new)[i];
	(void)sink;
}

static void run_good(const struct good_case *c)
{
	struct blob x;
	struct mb2_info mi;
	char err[256], detail[300];
	void *mem;
	uint8_t *p;
	int rc;

	c->build(&x);
	p = exact_copy(&x, x.len, 0, &mem);
	rc = mb2_parse(p, x.len, &mi, err, sizeof(err));
	first_miss[0] = '\0';
	if (rc == MB2_OK) {
		c->check(&mi);
		touch_all(&mi);
	}
	snprintf(detail, sizeof(detail), "%s", rc != MB2_OK ? err : first_miss);
	report(rc == MB2_OK && !first_miss[0] && !err[0], "good", c->name, detail);
	free(mem);
}

static void run_bad(const struct bad_case *c)
{
	struct blob x;
	struct mb2_info mi;
	char err[256], want_at[40] = "", detail[400];
	uint32_t size;
	void *mem = NULL;
	uint8_t *p = NULL;
	bool ok;
	int rc;

	c->build(&x);
	size = x.len - c->cut;
	if (!c->null)
		p = exact_copy(&x, size, c->shift, &mem);
	rc = mb2_parse(p, size, &mi, err, sizeof(err));
	if (c->at_mark)
		snprintf(want_at, sizeof(want_at), "at offset %#x:", x.mark);
	ok = rc == c->rc && strstr(err, c->frag) && strstr(err, want_at) && strncmp(err, "mb2: ", 5) == 0;
	if (ok)
		snprintf(detail, sizeof(detail), "%s", err);
	else
		snprintf(detail, sizeof(detail), "rc %d (want %d), message: %s", rc, c->rc, err);
	report(ok, "bad", c->name, detail);
	free(mem);
}

/* Every truncation of every good block: rejected, and read only within the bytes given. */
static void run_truncations(void)
{
	char detail[200] = "";
	size_t tried = 0;
	bool ok = true;

	for (size_t k = 0; k < sizeof(good_cases) / sizeof(good_cases[0]); k++) {
		struct blob x;

		good_cases[k].build(&x);
		for (uint32_t n = 0; n < x.len; n++) {
			struct mb2_info mi;
			char err[200];
			void *mem;
			uint8_t *p = exact_copy(&x, n, 0, &mem);
			int rc = mb2_parse(n ? p : NULL, n, &mi, err, sizeof(err));

			tried++;
			if (rc == MB2_OK && ok) {
				ok = false;
				snprintf(detail, sizeof(detail), "%s cut to %u bytes was accepted",
					 good_cases[k].name, n);
			}
			/* the same cut with total_size claiming it: may parse, must stay inside */
			if (n >= 8) {
				memcpy(p, &n, 4);
				if (mb2_parse(p, n, &mi, err, sizeof(err)) == MB2_OK)
					touch_all(&mi);
			}
			free(mem);
		}
	}
	if (ok)
		snprintf(detail, sizeof(detail), "%zu cuts rejected", tried);
	report(ok, "truncate", "every good block at every length", detail);
}

/* Seeded random corruption of the good blocks: the parser returns and stays in bounds. */
static void run_corruption(void)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	size_t accepted = 0, rejected = 0;
	char detail[100];

	for (int iter = 0; iter < 20000; iter++) {
		const struct good_case *c = &good_cases[iter % (sizeof(good_cases) / sizeof(good_cases[0]))];
		struct blob x;
		struct mb2_info mi;
		char err[200];
		void *mem;
		uint8_t *p;

		c->build(&x);
		for (int flips = 1 + iter % 4; flips > 0; flips--) {
			rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
			x.b[(rng >> 8) % x.len] = (uint8_t)rng;
		}
		p = exact_copy(&x, x.len, 0, &mem);
		if (mb2_parse(p, x.len, &mi, err, sizeof(err)) == MB2_OK) {
			touch_all(&mi);
			accepted++;
		} else {
			rejected++;
		}
		free(mem);
	}
	snprintf(detail, sizeof(detail), "20000 corrupted blocks: %zu accepted, %zu rejected",
		 accepted, rejected);
	report(true, "corrupt", "random byte corruption stays in bounds", detail);
}

int main(void)
{
	for (size_t i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++)
		run_good(&good_cases[i]);
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		run_bad(&bad_cases[i]);
	run_truncations();
	run_corruption();
	printf("%s: %d cases, %d failed\n", failures ? "FAIL" : "PASS", case_no, failures);
	return failures ? 1 : 0;
}
