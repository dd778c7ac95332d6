/*
 * mb2_blob.c: builds multiboot2 information blocks for test_mb2.c, tag by tag, laid out as
 * GRUB lays them out (8-byte header, tags padded to 8 bytes, end tag), and the well-formed
 * blocks of the good cases: GRUB on SeaBIOS, GRUB on OVMF, and corner cases.
 */
#include <string.h>
#include "mb2.h"
#include "mb2_blob.h"

void put(struct blob *x, const void *p, uint32_t n)
{
	memcpy(x->b + x->len, p, n);
	x->len += n;
}
void put8(struct blob *x, uint8_t v)   { put(x, &v, 1); }
void put16(struct blob *x, uint16_t v) { put(x, &v, 2); }
void put32(struct blob *x, uint32_t v) { put(x, &v, 4); }
void put64(struct blob *x, uint64_t v) { put(x, &v, 8); }
void putstr(struct blob *x, const char *s) { put(x, s, (uint32_t)strlen(s) + 1); }

void blob_init(struct blob *x)
{
	memset(x, 0, sizeof(*x));
	x->len = 8;		/* total_size and reserved, written by blob_done() */
}

/* Starts a tag of the given type; tag_end() fills in its size. */
uint32_t tag_begin(struct blob *x, uint32_t type)
{
	uint32_t off = x->len;

	put32(x, type);
	put32(x, 0);
	return off;
}

/* Sets the tag's size (the bytes written since tag_begin) unless forced, then pads to 8. */
void tag_end_size(struct blob *x, uint32_t off, uint32_t size)
{
	memcpy(x->b + off + 4, &size, 4);
	while (x->len % 8)
		put8(x, 0);
}
void tag_end(struct blob *x, uint32_t off) { tag_end_size(x, off, x->len - off); }

void end_tag(struct blob *x)
{
	put32(x, MB2_TAG_END);
	put32(x, 8);
}

void blob_done(struct blob *x)
{
	memcpy(x->b, &x->len, 4);
}

void tag_string(struct blob *x, uint32_t type, const char *s)
{
	uint32_t off = tag_begin(x, type);
	putstr(x, s);
	tag_end(x, off);
}

void tag_mmap(struct blob *x, uint32_t esize, const uint64_t (*e)[3], int n)
{
	uint32_t off = tag_begin(x, MB2_TAG_MMAP);

	put32(x, esize);
	put32(x, 0);
	for (int i = 0; i < n; i++) {
		put64(x, e[i][0]);
		put64(x, e[i][1]);
		put32(x, (uint32_t)e[i][2]);
		for (uint32_t pad = 20; pad < esize; pad++)
			put8(x, 0);
	}
	tag_end(x, off);
}

const uint64_t bios_e820[][3] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7ee0000, 1 },
	{ 0x7fe0000, 0x20000, 2 },
	{ 0xfffc0000, 0x40000, 2 },
};

void tag_fb_rgb(struct blob *x, uint32_t w, uint32_t h)
{
	uint32_t off = tag_begin(x, MB2_TAG_FRAMEBUFFER);

	put64(x, 0xfd000000);
	put32(x, w * 4);
	put32(x, w);
	put32(x, h);
	put8(x, 32);
	put8(x, MB2_FB_RGB);
	put16(x, 0);
	put8(x, 16); put8(x, 8); put8(x, 8); put8(x, 8); put8(x, 0); put8(x, 8);
	tag_end(x, off);
}

void tag_u32(struct blob *x, uint32_t type, uint32_t v)
{
	uint32_t off = tag_begin(x, type);
	put32(x, v);
	tag_end(x, off);
}

void tag_u64(struct blob *x, uint32_t type, uint64_t v)
{
	uint32_t off = tag_begin(x, type);
	put64(x, v);
	tag_end(x, off);
}

void tag_rsdp(struct blob *x, uint32_t type, uint32_t rsdp_len)
{
	uint32_t off = tag_begin(x, type);

	put(x, "RSD PTR ", 8);
	for (uint32_t i = 8; i < rsdp_len; i++)
		put8(x, (uint8_t)i);
	tag_end(x, off);
}

void tag_module(struct blob *x, uint32_t start, uint32_t end, const char *s)
{
	uint32_t off = tag_begin(x, MB2_TAG_MODULE);

	put32(x, start);
	put32(x, end);
	if (s)
		putstr(x, s);
	tag_end(x, off);
}

void tag_efi_mmap(struct blob *x, uint32_t dsize, int n)
{
	uint32_t off = tag_begin(x, MB2_TAG_EFI_MMAP);

	put32(x, dsize);
	put32(x, 1);
	for (int i = 0; i < n; i++) {
		uint32_t start = x->len;
		put32(x, 7);			/* EfiConventionalMemory */
		put32(x, 0);
		put64(x, 0x100000ull * (uint64_t)(i + 1));
		put64(x, 0);
		put64(x, 16u * (uint32_t)(i + 1));
		put64(x, 0xf);
		while (x->len - start < dsize)
			put8(x, 0);
	}
	tag_end(x, off);
}

/* Tags GRUB gives on SeaBIOS, in GRUB's order. */
void build_bios(struct blob *x)
{
	uint32_t off;

	blob_init(x);
	tag_string(x, MB2_TAG_CMDLINE, "test=age-vs-zap seconds=3");
	tag_string(x, MB2_TAG_BOOTLOADER, "GRUB 2.06-13+deb12u1");
	tag_module(x, 0x200000, 0x201000, "initrd.img");
	off = tag_begin(x, MB2_TAG_MEMINFO);
	put32(x, 639);
	put32(x, 130048);
	tag_end(x, off);
	off = tag_begin(x, MB2_TAG_BOOTDEV);
	put32(x, 0xe0); put32(x, 0xffffffff); put32(x, 0xffffffff);
	tag_end(x, off);
	tag_mmap(x, 24, bios_e820, 6);
	tag_fb_rgb(x, 1024, 768);
	off = tag_begin(x, MB2_TAG_ELF_SECTIONS);
	put32(x, 0); put32(x, 64); put32(x, 0);
	tag_end(x, off);
	tag_rsdp(x, MB2_TAG_ACPI_OLD, 20);
	tag_u32(x, MB2_TAG_LOAD_BASE, 0x100000);
	end_tag(x);
	blob_done(x);
}

/* Tags GRUB gives on OVMF, plus an unknown type a newer GRUB might add. */
void build_uefi(struct blob *x)
{
	uint32_t off;

	blob_init(x);
	tag_string(x, MB2_TAG_CMDLINE, "/boot/rmap-harness.elf test=all");
	tag_string(x, MB2_TAG_BOOTLOADER, "GRUB 2.06");
	tag_u64(x, MB2_TAG_EFI64, 0x7fbee018);
	tag_mmap(x, 24, bios_e820, 4);
	tag_fb_rgb(x, 800, 600);
	tag_rsdp(x, MB2_TAG_ACPI_OLD, 20);
	tag_rsdp(x, MB2_TAG_ACPI_NEW, 36);
	tag_efi_mmap(x, 48, 3);
	tag_u64(x, MB2_TAG_EFI64_IH, 0x7e4e3a98);
	off = tag_begin(x, 99);
	put32(x, 0xdead);
	tag_end(x, off);
	tag_u32(x, MB2_TAG_LOAD_BASE, 0x200000);
	end_tag(x);
	blob_done(x);
}

void build_minimal(struct blob *x)
{
	blob_init(x);
	end_tag(x);
	blob_done(x);
}

void build_many_modules(struct blob *x)
{
	blob_init(x);
	for (uint32_t i = 0; i < 20; i++)
		tag_module(x, 0x1000000 + i * 0x1000, 0x1000000 + i * 0x1000 + 0x800, i % 2 ? "" : "m");
	end_tag(x);
	blob_done(x);
}

void build_wide_mmap(struct blob *x)
{
	blob_init(x);
	tag_mmap(x, 40, bios_e820, 6);
	tag_u32(x, MB2_TAG_EFI_BS, 0);	/* a u32 of padding: the tag is 12 bytes */
	end_tag(x);
	put64(x, 0);			/* bytes after the end tag, inside total_size */
	blob_done(x);
}

void build_fb_indexed(struct blob *x)
{
	uint32_t off;

	blob_init(x);
	off = tag_begin(x, MB2_TAG_FRAMEBUFFER);
	put64(x, 0xa0000); put32(x, 320); put32(x, 320); put32(x, 200);
	put8(x, 8); put8(x, MB2_FB_INDEXED); put16(x, 0);
	put16(x, 2);
	put8(x, 0); put8(x, 0); put8(x, 0); put8(x, 255); put8(x, 255); put8(x, 255);
	tag_end(x, off);
	end_tag(x);
	blob_done(x);
}

void build_fb_text(struct blob *x)
{
	uint32_t off;

	blob_init(x);
	off = tag_begin(x, MB2_TAG_FRAMEBUFFER);
	put64(x, 0xb8000); put32(x, 160); put32(x, 80); put32(x, 25);
	put8(x, 16); put8(x, MB2_FB_EGA_TEXT); put16(x, 0);
	tag_end(x, off);
	end_tag(x);
	blob_done(x);
}
