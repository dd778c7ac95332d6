/*
 * mb2_bad_blobs.c: one malformed multiboot2 block per bad case of test_mb2.c. Each sets
 * x->mark to the offset of the tag the parser's message must name.
 */
#include <string.h>
#include "mb2.h"
#include "mb2_blob.h"

static void set_total(struct blob *x, uint32_t total) { memcpy(x->b, &total, 4); }

void b_header_only(struct blob *x)  { blob_init(x); blob_done(x); }
void b_total_huge(struct blob *x)   { build_minimal(x); set_total(x, 4096); }
void b_cut_in_tag(struct blob *x)   { build_bios(x); set_total(x, 40); x->len = 40; x->mark = 8; }

static void b_size(struct blob *x, uint32_t type, uint32_t size)
{
	uint32_t off;

	blob_init(x);
	tag_string(x, MB2_TAG_CMDLINE, "seconds=1");
	x->mark = off = tag_begin(x, type);
	put64(x, 0x1122334455667788ull);
	tag_end_size(x, off, size);
	end_tag(x);
	blob_done(x);
}
void b_size_past(struct blob *x) { b_size(x, MB2_TAG_MEMINFO, 0x100); }
void b_size_zero(struct blob *x) { b_size(x, MB2_TAG_MEMINFO, 0); }
void b_size_four(struct blob *x) { b_size(x, MB2_TAG_MEMINFO, 4); }
void b_size_huge(struct blob *x) { b_size(x, MB2_TAG_MEMINFO, 0xfffffff8u); }
void b_unknown_past(struct blob *x) { b_size(x, 99, 0x40); }
void b_efi64_short(struct blob *x) { b_size(x, MB2_TAG_EFI64, 12); }
void b_load_base_short(struct blob *x) { b_size(x, MB2_TAG_LOAD_BASE, 8); }
void b_meminfo_short(struct blob *x) { b_size(x, MB2_TAG_MEMINFO, 12); }

/* A producer that forgot the padding: the next tag starts at 21, not 24. */
void b_unpadded(struct blob *x)
{
	uint32_t off;

	blob_init(x);
	off = tag_begin(x, MB2_TAG_CMDLINE);
	putstr(x, "abcd");
	memcpy(x->b + off + 4, &(uint32_t){ 13 }, 4);
	end_tag(x);
	blob_done(x);
	x->mark = 24;
}

void b_no_end(struct blob *x)
{
	blob_init(x);
	tag_string(x, MB2_TAG_CMDLINE, "test=all");
	blob_done(x);
	x->mark = x->len;
}

void b_end_16(struct blob *x)
{
	blob_init(x);
	x->mark = x->len;
	put32(x, MB2_TAG_END);
	put32(x, 16);
	put64(x, 0);
	blob_done(x);
}

static void b_mmap_es(struct blob *x, uint32_t es)
{
	blob_init(x);
	x->mark = x->len;
	tag_mmap(x, 24, bios_e820, 2);
	memcpy(x->b + x->mark + 8, &es, 4);
	end_tag(x);
	blob_done(x);
}
void b_mmap_es16(struct blob *x) { b_mmap_es(x, 16); }
void b_mmap_es28(struct blob *x) { b_mmap_es(x, 28); }

void b_cmdline_nonul(struct blob *x)
{
	uint32_t off;

	blob_init(x);
	x->mark = off = tag_begin(x, MB2_TAG_CMDLINE);
	put(x, "abcdefgh", 8);
	tag_end(x, off);
	end_tag(x);
	blob_done(x);
}

void b_module_backwards(struct blob *x)
{
	blob_init(x);
	x->mark = x->len;
	tag_module(x, 0x300000, 0x2ff000, "m");
	end_tag(x);
	blob_done(x);
}

void b_module_nostring(struct blob *x)
{
	blob_init(x);
	x->mark = x->len;
	tag_module(x, 0x300000, 0x301000, NULL);
	end_tag(x);
	blob_done(x);
}

static void b_fb(struct blob *x, uint8_t type, uint32_t extra, uint16_t colours, uint32_t size)
{
	uint32_t off;

	blob_init(x);
	x->mark = off = tag_begin(x, MB2_TAG_FRAMEBUFFER);
	put64(x, 0xfd000000); put32(x, 4096); put32(x, 1024); put32(x, 768);
	put8(x, 32); put8(x, type); put16(x, 0);
	if (type == MB2_FB_INDEXED)
		put16(x, colours);
	for (uint32_t i = 0; i < extra; i++)
		put8(x, 0);
	tag_end_size(x, off, size ? size : x->len - off);
	end_tag(x);
	blob_done(x);
}
void b_fb_tiny(struct blob *x)        { b_fb(x, MB2_FB_RGB, 0, 0, 24); }
void b_fb_rgb_short(struct blob *x)   { b_fb(x, MB2_FB_RGB, 0, 0, 0); }
void b_fb_palette_over(struct blob *x) { b_fb(x, MB2_FB_INDEXED, 6, 100, 0); }

void b_acpi_old_short(struct blob *x)
{
	blob_init(x);
	x->mark = x->len;
	tag_rsdp(x, MB2_TAG_ACPI_OLD, 12);
	end_tag(x);
	blob_done(x);
}

void b_acpi_new_short(struct blob *x)
{
	blob_init(x);
	tag_rsdp(x, MB2_TAG_ACPI_OLD, 20);
	x->mark = x->len;
	tag_rsdp(x, MB2_TAG_ACPI_NEW, 20);
	end_tag(x);
	blob_done(x);
}

void b_efi_desc_small(struct blob *x)
{
	blob_init(x);
	tag_u64(x, MB2_TAG_EFI64, 0x7fbee018);
	x->mark = x->len;
	tag_efi_mmap(x, 24, 2);
	end_tag(x);
	blob_done(x);
}

void b_dup_mmap(struct blob *x)
{
	blob_init(x);
	tag_mmap(x, 24, bios_e820, 2);
	x->mark = x->len;
	tag_mmap(x, 24, bios_e820, 3);
	end_tag(x);
	blob_done(x);
}

void b_dup_cmdline(struct blob *x)
{
	blob_init(x);
	tag_string(x, MB2_TAG_CMDLINE, "a=1");
	x->mark = x->len;
	tag_string(x, MB2_TAG_CMDLINE, "b=2");
	end_tag(x);
	blob_done(x);
}
