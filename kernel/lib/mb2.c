/*
 * mb2.c: the multiboot2 information parser (mb2.h). One pass over the tags: each header is
 * checked against total_size before it is read, each known tag against its minimum size in
 * mb2_tags[] before its unpacker runs, and every field is read with a bounded memcpy from an
 * offset already proven inside the block. Errors name the tag, its offset and the problem.
 * Layouts: Multiboot2 specification 2.0 §3.6 and GRUB's include/multiboot2.h. No state.
 */
#include "mb2.h"
#include "format.h"

struct mb2_ctx {
	const uint8_t *base;
	uint32_t total;
	struct mb2_info *out;
	char *err;
	size_t errsize;
	uint32_t seen[MB2_TAG_LOAD_BASE + 1];	/* offset + 1 of the first tag of each type */
};

struct mb2_tag_desc {
	const char *name;
	uint32_t min_size;	/* smallest valid tag, header included */
	bool once;		/* a second one is malformed */
	int (*unpack)(struct mb2_ctx *c, uint32_t off, uint32_t size);	/* NULL: skipped */
};

static int unpack_string(struct mb2_ctx *c, uint32_t off, uint32_t size);
static int unpack_module(struct mb2_ctx *c, uint32_t off, uint32_t size);
static int unpack_meminfo(struct mb2_ctx *c, uint32_t off, uint32_t size);
static int unpack_mmap(struct mb2_ctx *c, uint32_t off, uint32_t size);
static int unpack_framebuffer(struct mb2_ctx *c, uint32_t off, uint32_t size);
static int unpack_u64(struct mb2_ctx *c, uint32_t off, uint32_t size);
static int unpack_acpi(struct mb2_ctx *c, uint32_t off, uint32_t size);
static int unpack_efi_mmap(struct mb2_ctx *c, uint32_t off, uint32_t size);
static int unpack_efi_bs(struct mb2_ctx *c, uint32_t off, uint32_t size);
static int unpack_load_base(struct mb2_ctx *c, uint32_t off, uint32_t size);

/* Minimum sizes: 8-byte header + the fixed fields (ACPI: + the RSDP, 20 or 36 bytes). */
static const struct mb2_tag_desc mb2_tags[] = {
	[MB2_TAG_END]          = { "end",              8, true,  NULL },
	[MB2_TAG_CMDLINE]      = { "cmdline",          9, true,  unpack_string },
	[MB2_TAG_BOOTLOADER]   = { "bootloader name",  9, true,  unpack_string },
	[MB2_TAG_MODULE]       = { "module",          17, false, unpack_module },
	[MB2_TAG_MEMINFO]      = { "basic meminfo",   16, true,  unpack_meminfo },
	[MB2_TAG_BOOTDEV]      = { "bootdev",          8, false, NULL },
	[MB2_TAG_MMAP]         = { "mmap",            16, true,  unpack_mmap },
	[MB2_TAG_VBE]          = { "vbe",              8, false, NULL },
	[MB2_TAG_FRAMEBUFFER]  = { "framebuffer",     32, true,  unpack_framebuffer },
	[MB2_TAG_ELF_SECTIONS] = { "elf sections",     8, false, NULL },
	[MB2_TAG_APM]          = { "apm",              8, false, NULL },
	[MB2_TAG_EFI32]        = { "efi32 system table", 8, false, NULL },
	[MB2_TAG_EFI64]        = { "efi64 system table", 16, true, unpack_u64 },
	[MB2_TAG_SMBIOS]       = { "smbios",           8, false, NULL },
	[MB2_TAG_ACPI_OLD]     = { "acpi old rsdp",   28, true,  unpack_acpi },
	[MB2_TAG_ACPI_NEW]     = { "acpi new rsdp",   44, true,  unpack_acpi },
	[MB2_TAG_NETWORK]      = { "network",          8, false, NULL },
	[MB2_TAG_EFI_MMAP]     = { "efi mmap",        16, true,  unpack_efi_mmap },
	[MB2_TAG_EFI_BS]       = { "efi boot services", 8, true, unpack_efi_bs },
	[MB2_TAG_EFI32_IH]     = { "efi32 image handle", 8, false, NULL },
	[MB2_TAG_EFI64_IH]     = { "efi64 image handle", 16, true, unpack_u64 },
	[MB2_TAG_LOAD_BASE]    = { "load base",       12, true,  unpack_load_base },
};

_Static_assert(sizeof(mb2_tags) / sizeof(mb2_tags[0]) == MB2_TAG_LOAD_BASE + 1,
	       "one mb2_tags[] row per tag type");

enum {
	MMAP_ENTRY_MIN = 24,	/* u64 base, u64 length, u32 type, u32 reserved */
	EFI_DESC_MIN = 40,	/* EFI_MEMORY_DESCRIPTOR */
	FB_RGB_MIN = 38,	/* common part + 6 bytes of field positions and sizes */
	FB_INDEXED_MIN = 34,	/* common part + u16 palette size, then 3 bytes a colour */
};

const char *mb2_tag_name(uint32_t type)
{
	return type <= MB2_TAG_LOAD_BASE ? mb2_tags[type].name : "unknown";
}

static uint16_t rd16(const uint8_t *p, uint32_t off)
{
	uint16_t v;

	__builtin_memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t rd32(const uint8_t *p, uint32_t off)
{
	uint32_t v;

	__builtin_memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p, uint32_t off)
{
	uint64_t v;

	__builtin_memcpy(&v, p + off, sizeof(v));
	return v;
}

/* "mb2: tag T (name) at offset 0xO: <what>", the one-line error of a tag. */
static int __attribute__((format(printf, 5, 6)))
tag_error(struct mb2_ctx *c, int rc, uint32_t off, uint32_t type, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = ksnprintf(c->err, c->errsize, "mb2: tag %u (%s) at offset %#x: ", type,
		      mb2_tag_name(type), off);
	if (n >= 0 && (size_t)n < c->errsize) {
		va_start(ap, fmt);
		kvsnprintf(c->err + n, c->errsize - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* The NUL-terminated string at [from, off + size): its length, or -1 without a NUL. */
static int64_t tag_strlen(struct mb2_ctx *c, uint32_t from, uint32_t off, uint32_t size)
{
	for (uint32_t i = from; i < off + size; i++)
		if (c->base[i] == '\0')
			return i - from;
	return -1;
}

static int unpack_string(struct mb2_ctx *c, uint32_t off, uint32_t size)
{
	int64_t n = tag_strlen(c, off + 8, off, size);
	uint32_t type = rd32(c->base, off);
	const char *s = (const char *)c->base + off + 8;

	if (n < 0)
		return tag_error(c, MB2_EFIELD, off, type, "string has no NUL within its %u bytes",
				 size - 8);
	if (type == MB2_TAG_CMDLINE) {
		c->out->cmdline = s;
		c->out->cmdline_len = (size_t)n;
	} else {
		c->out->bootloader = s;
		c->out->bootloader_len = (size_t)n;
	}
	return MB2_OK;
}

static int unpack_module(struct mb2_ctx *c, uint32_t off, uint32_t size)
{
	uint32_t start = rd32(c->base, off + 8), end = rd32(c->base, off + 12);
	struct mb2_info *mi = c->out;

	if (tag_strlen(c, off + 16, off, size) < 0)
		return tag_error(c, MB2_EFIELD, off, MB2_TAG_MODULE,
				 "module string has no NUL within its %u bytes", size - 16);
	if (end < start)
		return tag_error(c, MB2_EFIELD, off, MB2_TAG_MODULE,
				 "mod_end %#x is below mod_start %#x", end, start);
	if (mi->module_count == MB2_MAX_MODULES) {
		mi->modules_dropped++;
		return MB2_OK;
	}
	mi->modules[mi->module_count].start = start;
	mi->modules[mi->module_count].end = end;
	mi->modules[mi->module_count].cmdline = (const char *)c->base + off + 16;
	mi->module_count++;
	return MB2_OK;
}

static int unpack_meminfo(struct mb2_ctx *c, uint32_t off, uint32_t size)
{
	(void)size;
	c->out->has_meminfo = true;
	c->out->mem_lower_kib = rd32(c->base, off + 8);
	c->out->mem_upper_kib = rd32(c->base, off + 12);
	return MB2_OK;
}

static int unpack_mmap(struct mb2_ctx *c, uint32_t off, uint32_t size)
{
	uint32_t esize = rd32(c->base, off + 8);

	if (esize < MMAP_ENTRY_MIN || esize % 8 != 0)
		return tag_error(c, MB2_EFIELD, off, MB2_TAG_MMAP,
				 "entry_size %u is not a multiple of 8 of at least %u", esize,
				 MMAP_ENTRY_MIN);
	c->out->mmap = c->base + off + 16;
	c->out->mmap_entry_size = esize;
	c->out->mmap_entry_version = rd32(c->base, off + 12);
	c->out->mmap_count = (size - 16) / esize;	/* a trailing partial entry is ignored */
	return MB2_OK;
}

static int unpack_framebuffer(struct mb2_ctx *c, uint32_t off, uint32_t size)
{
	struct mb2_framebuffer *fb = &c->out->fb;
	uint32_t need = 32;

	fb->addr = rd64(c->base, off + 8);
	fb->pitch = rd32(c->base, off + 16);
	fb->width = rd32(c->base, off + 20);
	fb->height = rd32(c->base, off + 24);
	fb->bpp = c->base[off + 28];
	fb->type = c->base[off + 29];
	if (fb->type == MB2_FB_RGB)
		need = FB_RGB_MIN;
	if (fb->type == MB2_FB_INDEXED) {
		need = FB_INDEXED_MIN;
		if (size >= need)
			need += 3u * rd16(c->base, off + 32);
	}
	if (size < need)
		return tag_error(c, MB2_ESIZE, off, MB2_TAG_FRAMEBUFFER,
				 "size %u < %u, the minimum for framebuffer type %u", size, need,
				 fb->type);
	if (fb->type == MB2_FB_RGB) {
		fb->red_pos = c->base[off + 32];
		fb->red_size = c->base[off + 33];
		fb->green_pos = c->base[off + 34];
		fb->green_size = c->base[off + 35];
		fb->blue_pos = c->base[off + 36];
		fb->blue_size = c->base[off + 37];
	}
	c->out->has_fb = true;
	return MB2_OK;
}

/* Tags 12 and 20: one u64 after the header. */
static int unpack_u64(struct mb2_ctx *c, uint32_t off, uint32_t size)
{
	(void)size;
	if (rd32(c->base, off) == MB2_TAG_EFI64) {
		c->out->has_efi64_st = true;
		c->out->efi64_st = rd64(c->base, off + 8);
	} else {
		c->out->has_efi64_ih = true;
		c->out->efi64_ih = rd64(c->base, off + 8);
	}
	return MB2_OK;
}

static int unpack_acpi(struct mb2_ctx *c, uint32_t off, uint32_t size)
{
	if (rd32(c->base, off) == MB2_TAG_ACPI_OLD) {
		c->out->rsdp_old = c->base + off + 8;
		c->out->rsdp_old_len = size - 8;
	} else {
		c->out->rsdp_new = c->base + off + 8;
		c->out->rsdp_new_len = size - 8;
	}
	return MB2_OK;
}

static int unpack_efi_mmap(struct mb2_ctx *c, uint32_t off, uint32_t size)
{
	uint32_t dsize = rd32(c->base, off + 8);

	if (dsize < EFI_DESC_MIN)
		return tag_error(c, MB2_EFIELD, off, MB2_TAG_EFI_MMAP,
				 "descriptor size %u < %u", dsize, EFI_DESC_MIN);
	c->out->efi_mmap = c->base + off + 16;
	c->out->efi_desc_size = dsize;
	c->out->efi_desc_version = rd32(c->base, off + 12);
	c->out->efi_mmap_count = (size - 16) / dsize;	/* a trailing partial one is ignored */
	return MB2_OK;
}

static int unpack_efi_bs(struct mb2_ctx *c, uint32_t off, uint32_t size)
{
	(void)off;
	(void)size;
	c->out->efi_bs_active = true;
	return MB2_OK;
}

static int unpack_load_base(struct mb2_ctx *c, uint32_t off, uint32_t size)
{
	(void)size;
	c->out->has_load_base = true;
	c->out->load_base = rd32(c->base, off + 8);
	return MB2_OK;
}

/* One tag whose header and size are already known to lie within total_size. */
static int mb2_tag(struct mb2_ctx *c, uint32_t off, uint32_t type, uint32_t size)
{
	const struct mb2_tag_desc *d;

	if (type > MB2_TAG_LOAD_BASE) {
		c->out->tags_unknown++;
		return MB2_OK;
	}
	d = &mb2_tags[type];
	if (!d->unpack) {
		c->out->tags_ignored++;
		return MB2_OK;
	}
	if (size < d->min_size)
		return tag_error(c, MB2_ESIZE, off, type, "size %u < %u, the minimum for this tag",
				 size, d->min_size);
	if (d->once && c->seen[type])
		return tag_error(c, MB2_EDUP, off, type, "second tag of this type (first at offset %#x)",
				 c->seen[type] - 1);
	c->seen[type] = off + 1;
	return d->unpack(c, off, size);
}

int mb2_parse(const void *info, size_t bound, struct mb2_info *out, char *err, size_t errsize)
{
	struct mb2_ctx c = { .base = info, .out = out, .err = err, .errsize = errsize };
	uint64_t off;
	int rc;

	if (errsize > 0)
		err[0] = '\0';
	__builtin_memset(out, 0, sizeof(*out));
	if (!info) {
		ksnprintf(err, errsize, "mb2: no boot information (NULL pointer)");
		return MB2_EHEADER;
	}
	if ((uintptr_t)info & 7) {
		ksnprintf(err, errsize, "mb2: boot information at %p is not 8-byte aligned", info);
		return MB2_EHEADER;
	}
	if (bound < 8) {
		ksnprintf(err, errsize, "mb2: bound of %zu bytes is smaller than the 8-byte header",
			  bound);
		return MB2_EHEADER;
	}
	c.total = rd32(c.base, 0);
	if (c.total < 16 || c.total > bound) {
		ksnprintf(err, errsize, "mb2: total_size %u is outside [16, %zu] (header + end tag, "
			  "bound)", c.total, bound);
		return MB2_EHEADER;
	}
	out->base = c.base;
	out->total_size = c.total;
	/* Tags start 8-byte aligned because the block is, and each is padded to 8 bytes. */
	for (off = 8;;) {
		uint32_t type, size;

		if (off + 8 > c.total) {
			ksnprintf(err, errsize, "mb2: no end tag: the tag at offset %#llx would pass "
				  "total_size %u", (unsigned long long)off, c.total);
			return MB2_ENOEND;
		}
		type = rd32(c.base, (uint32_t)off);
		size = rd32(c.base, (uint32_t)off + 4);
		if (size < 8 || size > c.total - off)
			return tag_error(&c, MB2_ETAG, (uint32_t)off, type,
					 "size %u is not within [8, %llu] (the rest of total_size %u)",
					 size, (unsigned long long)(c.total - off), c.total);
		if (type == MB2_TAG_END) {
			if (size != 8)
				return tag_error(&c, MB2_ESIZE, (uint32_t)off, type,
						 "end tag size %u, must be 8", size);
			break;
		}
		out->tags++;
		rc = mb2_tag(&c, (uint32_t)off, type, size);
		if (rc != MB2_OK)
			return rc;
		off = (off + size + 7) & ~(uint64_t)7;
	}
	out->boot_mode = c.seen[MB2_TAG_EFI64] || c.seen[MB2_TAG_EFI_MMAP] ? MB2_BOOT_UEFI
									      : MB2_BOOT_BIOS;
	return MB2_OK;
}

bool mb2_mmap_entry(const struct mb2_info *mi, size_t i, struct mb2_mmap_entry *e)
{
	const uint8_t *p;

	if (!mi->mmap || i >= mi->mmap_count)
		return false;
	p = mi->mmap + i * mi->mmap_entry_size;
	e->base = rd64(p, 0);
	e->len = rd64(p, 8);
	e->type = rd32(p, 16);
	return true;
}

bool mb2_efi_desc(const struct mb2_info *mi, size_t i, struct mb2_efi_desc *d)
{
	const uint8_t *p;

	if (!mi->efi_mmap || i >= mi->efi_mmap_count)
		return false;
	p = mi->efi_mmap + i * mi->efi_desc_size;
	d->type = rd32(p, 0);
	d->phys = rd64(p, 8);
	d->virt = rd64(p, 16);
	d->pages = rd64(p, 24);
	d->attr = rd64(p, 32);
	return true;
}
