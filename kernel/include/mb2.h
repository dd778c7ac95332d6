/*
 * mb2.h: the multiboot2 boot information (GRUB's hand-over block) validated and unpacked into a
 * struct mb2_info. Layouts from the Multiboot2 specification 2.0 and GRUB's multiboot2.h.
 * mb2_parse() reads only [info, info + min(total_size, bound)) and checks every tag before
 * using it; pointers in struct mb2_info point into the block, which the caller keeps mapped
 * and unmodified (reserve it before the page allocator starts). No state, no allocation.
 */
#ifndef MB2_H
#define MB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MB2_BOOTLOADER_MAGIC 0x36d76289u	/* in eax at the kernel's entry */

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_BOOTLOADER = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MEMINFO = 4,
	MB2_TAG_BOOTDEV = 5,
	MB2_TAG_MMAP = 6,
	MB2_TAG_VBE = 7,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ELF_SECTIONS = 9,
	MB2_TAG_APM = 10,
	MB2_TAG_EFI32 = 11,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_SMBIOS = 13,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
	MB2_TAG_NETWORK = 16,
	MB2_TAG_EFI_MMAP = 17,
	MB2_TAG_EFI_BS = 18,
	MB2_TAG_EFI32_IH = 19,
	MB2_TAG_EFI64_IH = 20,
	MB2_TAG_LOAD_BASE = 21,
};

/* Memory-map entry types (tag 6). */
enum mb2_mem_type {
	MB2_MEM_AVAILABLE = 1,
	MB2_MEM_RESERVED = 2,
	MB2_MEM_ACPI_RECLAIMABLE = 3,
	MB2_MEM_NVS = 4,
	MB2_MEM_BADRAM = 5,
};

enum mb2_fb_type { MB2_FB_INDEXED = 0, MB2_FB_RGB = 1, MB2_FB_EGA_TEXT = 2 };

enum mb2_boot_mode {
	MB2_BOOT_BIOS,
	MB2_BOOT_UEFI,
	MB2_BOOT_DIRECT,	/* not multiboot2: the PVH entry (pvh.h), firmware BIOS */
};

enum mb2_err {
	MB2_OK = 0,
	MB2_EHEADER,	/* NULL or misaligned block, total_size < 16 or > bound */
	MB2_ETAG,	/* a tag header or size runs past total_size, or is < 8 */
	MB2_ESIZE,	/* a tag too small for its type's fields */
	MB2_EFIELD,	/* a field out of range: entry size, missing NUL, mod_end < mod_start */
	MB2_EDUP,	/* a tag that may appear once appears twice */
	MB2_ENOEND,	/* no end tag (type 0, size 8) */
};

enum { MB2_MAX_MODULES = 16 };

struct mb2_module {
	uint32_t start;		/* physical, [start, end) */
	uint32_t end;
	const char *cmdline;	/* NUL-terminated, inside the block */
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;		/* enum mb2_mem_type */
};

/* One EFI_MEMORY_DESCRIPTOR (UEFI 2.x, 7.2); descriptors are efi_desc_size apart. */
struct mb2_efi_desc {
	uint32_t type;		/* EfiConventionalMemory = 7, ... */
	uint64_t phys;
	uint64_t virt;
	uint64_t pages;		/* 4 KiB pages */
	uint64_t attr;
};

struct mb2_framebuffer {
	uint64_t addr;		/* physical */
	uint32_t pitch;		/* bytes per line */
	uint32_t width;		/* pixels, or characters for EGA text */
	uint32_t height;
	uint8_t bpp;
	uint8_t type;		/* enum mb2_fb_type */
	/* MB2_FB_RGB only: bit position and width of each colour in a pixel */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct mb2_info {
	const uint8_t *base;		/* the block itself */
	uint32_t total_size;
	enum mb2_boot_mode boot_mode;	/* UEFI if tag 12 or 17 is present */

	const char *cmdline;		/* NUL-terminated; NULL if no tag 1 */
	size_t cmdline_len;
	const char *bootloader;		/* NULL if no tag 2 */
	size_t bootloader_len;

	bool has_meminfo;		/* tag 4, in KiB */
	uint32_t mem_lower_kib;
	uint32_t mem_upper_kib;

	const uint8_t *mmap;		/* tag 6 entries; read them with mb2_mmap_entry() */
	uint32_t mmap_entry_size;
	uint32_t mmap_entry_version;
	size_t mmap_count;

	struct mb2_module modules[MB2_MAX_MODULES];
	size_t module_count;
	size_t modules_dropped;		/* modules beyond MB2_MAX_MODULES (not in modules[]) */

	const void *rsdp_old;		/* tag 14: a copy of the ACPI 1.0 RSDP, >= 20 bytes */
	size_t rsdp_old_len;
	const void *rsdp_new;		/* tag 15: a copy of the ACPI 2.0+ RSDP, >= 36 bytes */
	size_t rsdp_new_len;

	bool has_fb;			/* tag 8 */
	struct mb2_framebuffer fb;

	bool has_efi64_st;		/* tag 12 */
	uint64_t efi64_st;		/* physical address of the EFI system table */
	const uint8_t *efi_mmap;	/* tag 17 descriptors (EFI_MEMORY_DESCRIPTOR layout) */
	uint32_t efi_desc_size;
	uint32_t efi_desc_version;
	size_t efi_mmap_count;
	bool efi_bs_active;		/* tag 18: boot services were not exited */
	bool has_efi64_ih;		/* tag 20 */
	uint64_t efi64_ih;		/* the EFI image handle */
	bool has_load_base;		/* tag 21 */
	uint32_t load_base;		/* physical address the image was loaded at */

	size_t tags;			/* all tags before the end tag */
	size_t tags_ignored;		/* known types this parser does not unpack (5, 7, 9, ...) */
	size_t tags_unknown;		/* types above MB2_TAG_LOAD_BASE */
};

/*
 * Validates and unpacks the block at info; bound is the most bytes the caller allows to be
 * read there (the block's total_size must fit in it). On error returns the enum mb2_err and
 * writes one line (no newline) naming the tag, its offset and the problem into err[0..errsize);
 * *out is then incomplete and must not be used.
 */
int mb2_parse(const void *info, size_t bound, struct mb2_info *out, char *err, size_t errsize);

/* Memory-map entry i (i < mmap_count) into *e; false if there is no such entry. */
bool mb2_mmap_entry(const struct mb2_info *mi, size_t i, struct mb2_mmap_entry *e);

/* EFI memory descriptor i (i < efi_mmap_count) into *d; false if there is no such entry. */
bool mb2_efi_desc(const struct mb2_info *mi, size_t i, struct mb2_efi_desc *d);

/* The name of a tag type ("mmap", "framebuffer", ...), "unknown" past the last. */
const char *mb2_tag_name(uint32_t type);

#endif /* MB2_H */
