/*
 * mb2_blob.h: the multiboot2 block builder shared by test_mb2.c, mb2_blob.c (builder and the
 * well-formed blocks) and mb2_bad_blobs.c (the malformed ones). Host test code only.
 */
#ifndef MB2_BLOB_H
#define MB2_BLOB_H

#include <stdint.h>

struct blob {
	uint8_t b[4096];
	uint32_t len;
	uint32_t mark;		/* offset of the tag a bad case is about */
};

/* Builder: tag_begin() opens a tag, tag_end() sets its size and pads to 8 bytes. */
void put(struct blob *x, const void *p, uint32_t n);
void put8(struct blob *x, uint8_t v);
void put16(struct blob *x, uint16_t v);
void put32(struct blob *x, uint32_t v);
void put64(struct blob *x, uint64_t v);
void putstr(struct blob *x, const char *s);
void blob_init(struct blob *x);
uint32_t tag_begin(struct blob *x, uint32_t type);
void tag_end_size(struct blob *x, uint32_t off, uint32_t size);
void tag_end(struct blob *x, uint32_t off);
void end_tag(struct blob *x);
void blob_done(struct blob *x);
void tag_string(struct blob *x, uint32_t type, const char *s);
void tag_mmap(struct blob *x, uint32_t esize, const uint64_t (*e)[3], int n);
void tag_fb_rgb(struct blob *x, uint32_t w, uint32_t h);
void tag_u32(struct blob *x, uint32_t type, uint32_t v);
void tag_u64(struct blob *x, uint32_t type, uint64_t v);
void tag_rsdp(struct blob *x, uint32_t type, uint32_t rsdp_len);
void tag_module(struct blob *x, uint32_t start, uint32_t end, const char *s);
void tag_efi_mmap(struct blob *x, uint32_t dsize, int n);

/* The E820-like map the good blocks carry: base, length, type. */
extern const uint64_t bios_e820[6][3];

/* Well-formed blocks. */
void build_bios(struct blob *x);
void build_uefi(struct blob *x);
void build_minimal(struct blob *x);
void build_many_modules(struct blob *x);
void build_wide_mmap(struct blob *x);
void build_fb_indexed(struct blob *x);
void build_fb_text(struct blob *x);

/* Malformed blocks. */
void b_header_only(struct blob *x);
void b_total_huge(struct blob *x);
void b_cut_in_tag(struct blob *x);
void b_size_past(struct blob *x);
void b_size_zero(struct blob *x);
void b_size_four(struct blob *x);
void b_size_huge(struct blob *x);
void b_unknown_past(struct blob *x);
void b_efi64_short(struct blob *x);
void b_load_base_short(struct blob *x);
void b_meminfo_short(struct blob *x);
void b_unpadded(struct blob *x);
void b_no_end(struct blob *x);
void b_end_16(struct blob *x);
void b_mmap_es16(struct blob *x);
void b_mmap_es28(struct blob *x);
void b_cmdline_nonul(struct blob *x);
void b_module_backwards(struct blob *x);
void b_module_nostring(struct blob *x);
void b_fb_tiny(struct blob *x);
void b_fb_rgb_short(struct blob *x);
void b_fb_palette_over(struct blob *x);
void b_acpi_old_short(struct blob *x);
void b_acpi_new_short(struct blob *x);
void b_efi_desc_small(struct blob *x);
void b_dup_mmap(struct blob *x);
void b_dup_cmdline(struct blob *x);

#endif /* MB2_BLOB_H */
