/*
 * kernel/acpi.c - finds and validates the ACPI tables and keeps what the platform needs from
 * them in `acpi` (struct acpi_info): written once by the BSP at boot, read-only afterwards.
 * Tables are read through the identity map; paging_map_identity() maps any that lie beyond it.
 * Offsets are from the ACPI 6.x specification, section 5.2.
 */
#include "acpi.h"
#include "console.h"
#include "paging.h"

struct acpi_info acpi;

static bool checksum_ok(const void *p, uint32_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

static const void *map_table(uint64_t pa)
{
	const struct acpi_sdt_header *h;

	if (paging_map_identity(pa, sizeof(*h)))
		return NULL;
	h = (const void *)pa;
	if (h->length < sizeof(*h) || paging_map_identity(pa, h->length))
		return NULL;
	return h;
}

static const void *valid_rsdp_at(uint64_t pa)
{
	const uint8_t *p = (const void *)pa;

	if (__builtin_memcmp(p, "RSD PTR ", 8) || !checksum_ok(p, 20))
		return NULL;
	/* revision >= 2: the 36-byte extended structure has its own checksum */
	if (p[15] >= 2 && !checksum_ok(p, 36))
		return NULL;
	return p;
}

/* ACPI 5.2.5.1: the EBDA's first KiB, then 0xe0000-0xfffff, on 16-byte boundaries */
static const void *scan_bios_rsdp(void)
{
	uint64_t ebda = (uint64_t)(*(const uint16_t *)0x40e) << 4;
	const void *r;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		for (uint64_t a = ebda; a < ebda + 1024; a += 16)
			if ((r = valid_rsdp_at(a)))
				return r;
	for (uint64_t a = 0xe0000; a < 0x100000; a += 16)
		if ((r = valid_rsdp_at(a)))
			return r;
	return NULL;
}

static uint64_t root_entry(unsigned i)
{
	const uint8_t *base = (const uint8_t *)acpi.root + sizeof(struct acpi_sdt_header);

	if (acpi.xsdt) {
		uint64_t v;

		__builtin_memcpy(&v, base + 8 * i, 8);	/* XSDT entries are not 8-aligned */
		return v;
	}
	return *(const uint32_t *)(base + 4 * i);
}

const struct acpi_sdt_header *acpi_find_table(const char sig[4], unsigned index)
{
	for (unsigned i = 0; acpi.present && i < acpi.ntables; i++) {
		const struct acpi_sdt_header *h = map_table(root_entry(i));

		if (!h || __builtin_memcmp(h->signature, sig, 4))
			continue;
		if (!checksum_ok(h, h->length)) {
			kprintf("acpi: table %.4s at 0x%llx has a bad checksum; ignored\n", sig,
				(unsigned long long)root_entry(i));
			continue;
		}
		if (index-- == 0)
			return h;
	}
	return NULL;
}

static uint32_t rd32(const uint8_t *t, unsigned off) { uint32_t v; __builtin_memcpy(&v, t + off, 4); return v; }
static uint64_t rd64(const uint8_t *t, unsigned off) { uint64_t v; __builtin_memcpy(&v, t + off, 8); return v; }

/* \_S5_ in the DSDT's AML: NameOp "_S5_" PackageOp PkgLength NumElements SLP_TYPa SLP_TYPb.
 * A full AML interpreter is out of scope; this is the encoding every firmware seen uses. */
static void find_s5(const uint8_t *dsdt, uint32_t len)
{
	for (uint32_t i = 1; i + 8 < len; i++) {
		const uint8_t *p = dsdt + i;
		uint32_t k;

		if (__builtin_memcmp(p, "_S5_", 4) || p[4] != 0x12)	/* PackageOp */
			continue;
		if (p[-1] != 0x08 && !(i >= 2 && p[-1] == '\\' && p[-2] == 0x08))	/* NameOp */
			continue;
		k = 5 + 1 + ((p[5] >> 6) & 3) + 1;	/* PkgLength bytes, NumElements */
		for (int which = 0; which < 2 && i + k + 1 < len; which++) {
			uint8_t v = p[k];

			if (v == 0x0a) {		/* BytePrefix */
				v = p[k + 1];
				k += 2;
			} else {			/* ZeroOp, OneOp, or a bare byte */
				k += 1;
			}
			if (which == 0)
				acpi.s5_typ_a = v;
			else
				acpi.s5_typ_b = v;
		}
		acpi.s5_found = true;
		return;
	}
}

static void read_fadt(void)
{
	const struct acpi_sdt_header *h = acpi_find_table("FACP", 0);
	const uint8_t *t = (const void *)h;
	uint64_t dsdt = 0;

	if (!h) {
		kprintf("acpi: no FADT: no PM timer, reset register or poweroff\n");
		return;
	}
	if (h->length >= 80)
		acpi.pm_timer_port = (uint16_t)rd32(t, 76);
	/* ACPI 2.0+ X_PM_TMR_BLK, a GAS at 208: used when PM_TMR_BLK is 0, if in I/O space */
	if (!acpi.pm_timer_port && h->length >= 220 && t[208] == 1)
		acpi.pm_timer_port = (uint16_t)rd64(t, 212);
	if (h->length >= 116)
		acpi.pm_timer_32bit = rd32(t, 112) & (1u << 8);		/* TMR_VAL_EXT */
	if (h->length >= 72) {
		acpi.pm1a_cnt = (uint16_t)rd32(t, 64);
		acpi.pm1b_cnt = (uint16_t)rd32(t, 68);
	}
	/* RESET_REG_SUP (flags bit 10), RESET_REG a GAS at 116 in system I/O space (id 1) */
	if (h->length >= 129 && (rd32(t, 112) & (1u << 10)) && t[116] == 1) {
		acpi.reset_supported = true;
		acpi.reset_port = (uint16_t)rd64(t, 120);
		acpi.reset_value = t[128];
	}
	if (h->length >= 148)
		dsdt = rd64(t, 140);		/* X_DSDT */
	if (!dsdt)
		dsdt = rd32(t, 40);
	if (dsdt) {
		const struct acpi_sdt_header *d = map_table(dsdt);

		if (d && !__builtin_memcmp(d->signature, "DSDT", 4) && checksum_ok(d, d->length))
			find_s5((const uint8_t *)d, d->length);
		else
			kprintf("acpi: DSDT at 0x%llx is not valid: no poweroff\n",
				(unsigned long long)dsdt);
	}
}

int acpi_init(const void *rsdp, uint32_t rsdp_len)
{
	const uint8_t *r = rsdp;
	const struct acpi_sdt_header *root;

	if (r && (rsdp_len < 20 || !valid_rsdp_at((uint64_t)r))) {
		kprintf("acpi: the boot loader's RSDP copy is not valid; scanning the BIOS areas\n");
		r = NULL;
	}
	if (!r)
		r = scan_bios_rsdp();
	if (!r) {
		kprintf("acpi: no RSDP found: running without ACPI tables\n");
		return -1;
	}
	acpi.rsdp = (uint64_t)r;
	acpi.rsdp_revision = r[15];
	if (acpi.rsdp_revision >= 2 && rsdp_len != 20 && rd64(r, 24)) {
		acpi.xsdt = true;
		acpi.root = rd64(r, 24);
	} else {
		acpi.root = rd32(r, 16);
	}
	root = map_table(acpi.root);
	if (!root || __builtin_memcmp(root->signature, acpi.xsdt ? "XSDT" : "RSDT", 4) ||
	    !checksum_ok(root, root->length)) {
		kprintf("acpi: %s at 0x%llx is not valid: running without ACPI tables\n",
			acpi.xsdt ? "XSDT" : "RSDT", (unsigned long long)acpi.root);
		return -1;
	}
	acpi.ntables = (root->length - sizeof(*root)) / (acpi.xsdt ? 8 : 4);
	acpi.present = true;
	read_fadt();
	return 0;
}
