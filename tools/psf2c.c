/*
 * psf2c: host tool that turns a PSF1 or PSF2 console font into C source for kernel/fbcon.c.
 * Owns the PSF parsing only: it reads one uncompressed font (a path, or stdin; the Makefile
 * runs `gzip -dcf` into it), checks every length against the input size before reading, and
 * prints a `const struct fbcon_font` (kernel/include/fbcon.h): glyph bitmaps, count, width,
 * height, bytes per row, and a 256-entry map from Latin-1 code points to glyph indices, taken
 * from the font's unicode table (a code point the table lacks gets the glyph of '?'), or the
 * identity when the font has no table. Exit 0 on success, 1 on a malformed font, 2 on usage.
 *
 * Usage: psf2c [-n SYMBOL] [-s SOURCE-NAME] [FILE|-] > font.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PSF1_MODE512    0x01
#define PSF1_MODEHASTAB 0x02
#define PSF1_MODESEQ    0x04
#define PSF2_HAS_UNICODE_TABLE 0x01
#define MAP_SIZE 256
#define NO_GLYPH 0xffffffffu

struct psf {
	const uint8_t *glyphs;
	uint32_t count, width, height, bytes_per_row, bytes_per_glyph;
	const uint8_t *table, *table_end;   /* unicode table, or NULL */
	int version;
	uint32_t map[MAP_SIZE];
};

static const char *prog = "psf2c";

static void die(const char *msg)
{
	fprintf(stderr, "%s: %s\n", prog, msg);
	exit(1);
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *read_all(FILE *f, size_t *len)
{
	size_t cap = 1 << 16, n = 0, got;
	uint8_t *buf = malloc(cap);

	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf || ferror(f))
		die("cannot read the font");
	*len = n;
	return buf;
}

static void parse_header(struct psf *psf, const uint8_t *buf, size_t len)
{
	size_t off, glyph_bytes;

	if (len >= 4 && le32(buf) == 0x864ab572) {
		if (len < 32)
			die("PSF2 header cut short");
		off = le32(buf + 8);
		psf->version = 2;
		psf->count = le32(buf + 16);
		psf->bytes_per_glyph = le32(buf + 20);
		psf->height = le32(buf + 24);
		psf->width = le32(buf + 28);
		if (le32(buf + 12) & PSF2_HAS_UNICODE_TABLE)
			psf->table = buf;   /* position fixed below */
	} else if (len >= 4 && buf[0] == 0x36 && buf[1] == 0x04) {
		off = 4;
		psf->version = 1;
		psf->count = (buf[2] & PSF1_MODE512) ? 512 : 256;
		psf->bytes_per_glyph = buf[3];
		psf->height = buf[3];
		psf->width = 8;
		if (buf[2] & (PSF1_MODEHASTAB | PSF1_MODESEQ))
			psf->table = buf;
	} else {
		die("not a PSF1 or PSF2 font (is it still gzip-compressed?)");
	}
	if (psf->width == 0 || psf->width > 32 || psf->height == 0 || psf->height > 64)
		die("glyph size out of range (width 1..32, height 1..64)");
	if (psf->count == 0 || psf->count > 65535)
		die("glyph count out of range (1..65535)");
	psf->bytes_per_row = (psf->width + 7) / 8;
	if (psf->bytes_per_glyph != psf->bytes_per_row * psf->height)
		die("glyph size does not match width and height");
	glyph_bytes = (size_t)psf->count * psf->bytes_per_glyph;
	if (off > len || glyph_bytes > len - off)
		die("glyph data runs past the end of the file");
	psf->glyphs = buf + off;
	if (psf->table) {
		psf->table = buf + off + glyph_bytes;
		psf->table_end = buf + len;
	}
}

static void map_add(struct psf *psf, uint32_t cp, uint32_t glyph)
{
	if (cp < MAP_SIZE && psf->map[cp] == NO_GLYPH)
		psf->map[cp] = glyph;
}

/* PSF1 table: per glyph, u16 code points; 0xfffe starts sequences (skipped), 0xffff ends. */
static const uint8_t *table1_glyph(struct psf *psf, const uint8_t *p, uint32_t glyph)
{
	int in_seq = 0;

	for (; p + 2 <= psf->table_end; p += 2) {
		uint32_t v = p[0] | p[1] << 8;

		if (v == 0xffff)
			return p + 2;
		if (v == 0xfffe)
			in_seq = 1;
		else if (!in_seq)
			map_add(psf, v, glyph);
	}
	die("PSF1 unicode table cut short");
	return NULL;
}

/* PSF2 table: per glyph, UTF-8 code points; 0xfe starts sequences (skipped), 0xff ends. */
static const uint8_t *table2_glyph(struct psf *psf, const uint8_t *p, uint32_t glyph)
{
	int in_seq = 0;

	while (p < psf->table_end) {
		uint32_t cp = *p, extra = 0;

		if (cp == 0xff)
			return p + 1;
		if (cp == 0xfe) {
			in_seq = 1;
			p++;
			continue;
		}
		if (cp >= 0xf0)
			cp &= 0x07, extra = 3;
		else if (cp >= 0xe0)
			cp &= 0x0f, extra = 2;
		else if (cp >= 0xc0)
			cp &= 0x1f, extra = 1;
		if ((size_t)(psf->table_end - p) <= extra)
			break;
		for (p++; extra > 0; extra--, p++)
			cp = cp << 6 | (*p & 0x3f);
		if (!in_seq)
			map_add(psf, cp, glyph);
	}
	die("PSF2 unicode table cut short");
	return NULL;
}

static void build_map(struct psf *psf)
{
	const uint8_t *p = psf->table;
	uint32_t cp, glyph, question;

	for (cp = 0; cp < MAP_SIZE; cp++)
		psf->map[cp] = psf->table ? NO_GLYPH : (cp < psf->count ? cp : 0);
	if (!psf->table)
		return;
	for (glyph = 0; glyph < psf->count; glyph++)
		p = psf->version == 1 ? table1_glyph(psf, p, glyph) : table2_glyph(psf, p, glyph);
	question = psf->map['?'] != NO_GLYPH ? psf->map['?'] : ('?' < psf->count ? '?' : 0);
	for (cp = 0; cp < MAP_SIZE; cp++)
		if (psf->map[cp] == NO_GLYPH)
			psf->map[cp] = question;
}

static void emit(const struct psf *psf, const char *sym, const char *source)
{
	size_t i, total = (size_t)psf->count * psf->bytes_per_glyph;

	printf("/* Generated by tools/psf2c from %s: do not edit. */\n", source);
	printf("#include \"fbcon.h\"\n\n");
	printf("static const uint8_t %s_glyphs[%zu] = {", sym, total);
	for (i = 0; i < total; i++)
		printf("%s0x%02x,", i % 16 ? " " : "\n\t", psf->glyphs[i]);
	printf("\n};\n\nstatic const uint16_t %s_map[256] = {", sym);
	for (i = 0; i < MAP_SIZE; i++)
		printf("%s%u,", i % 16 ? " " : "\n\t", (unsigned)psf->map[i]);
	printf("\n};\n\nconst struct fbcon_font %s = {\n", sym);
	printf("\t.glyphs = %s_glyphs,\n\t.map = %s_map,\n", sym, sym);
	printf("\t.count = %u,\n\t.width = %u,\n\t.height = %u,\n\t.bytes_per_row = %u,\n",
	       psf->count, psf->width, psf->height, psf->bytes_per_row);
	printf("\t.name = \"%s\",\n};\n", source);
}

int main(int argc, char **argv)
{
	const char *sym = "fbcon_font", *source = NULL, *path = NULL;
	static struct psf psf;
	uint8_t *buf;
	size_t len;
	FILE *f = stdin;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			sym = argv[++i];
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			source = argv[++i];
		else if (argv[i][0] != '-' || !strcmp(argv[i], "-"))
			path = argv[i];
		else {
			fprintf(stderr, "usage: %s [-n SYMBOL] [-s SOURCE-NAME] [FILE|-] > font.c\n", prog);
			return 2;
		}
	}
	if (path && strcmp(path, "-") && !(f = fopen(path, "rb"))) {
		perror(path);
		return 1;
	}
	if (!source)
		source = path ? path : "stdin";
	if (strpbrk(source, "\"\\*"))
		die("the source name may not contain '\"', '\\' or '*'");
	buf = read_all(f, &len);
	parse_header(&psf, buf, len);
	build_map(&psf);
	emit(&psf, sym, source);
	if (fflush(stdout) || ferror(stdout))
		die("cannot write the output");
	free(buf);
	return 0;
}
