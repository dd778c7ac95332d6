/*
 * test_fbcon: host test of kernel/fbcon.c with the generated font (build/gen/font.c).
 *
 * Renders into malloc'd framebuffers of every supported kind (32, 24, 16 and 15 bpp with the
 * colour fields in different places, and EGA text cells) and checks each character cell pixel
 * by pixel against the font's own bitmap, re-deriving the expected pixel independently of
 * fbcon.c (bit order, bold, scale, field packing). It proves: glyphs land where the font says
 * on a black background; colours are packed by field position and size; the line-start colours
 * of DESIGN §6 output lines, even when a line arrives in pieces; the pitch's padding is never
 * written; wrapping, tabs, '\r', '\b'; that scrolling drops the first line and leaves the last
 * one on the bottom row; and that unsupported modes are refused. It also writes the 32 bpp
 * demo screen to fbcon.ppm and fbcon.png beside the executable, for a person to look at.
 * Prints ok / not ok per case; exits 0 only if all pass.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fbcon.h"

#define GREY  0xaaaaaau
#define RED   0xff5555u
#define GREEN 0x55ff55u
#define WHITE 0xffffffu
#define PAD   24      /* bytes of pitch padding after each pixel row */
#define CANARY 0x5a

struct fb {
	struct fbcon_mode m;
	uint8_t *buf;
	size_t size;
	uint32_t bypp, scale;
};

static const char *image_dir = ".";

/* An RGB framebuffer filled with CANARY; layout "rgb" puts red highest, "bgr" lowest. */
static struct fb fb_rgb(uint32_t w, uint32_t h, uint8_t bpp, const char *layout, uint8_t scale)
{
	struct fb fb = { .bypp = (bpp + 7) / 8, .scale = scale ? scale : 1 };
	uint8_t g = bpp == 16 ? 6 : bpp == 15 ? 5 : 8, rb = bpp <= 16 ? 5 : 8;

	fb.m = (struct fbcon_mode){ .pitch = w * fb.bypp + PAD, .width = w, .height = h, .bpp = bpp,
				    .type = FBCON_TYPE_RGB, .red_size = rb, .green_size = g,
				    .blue_size = rb, .green_pos = rb, .scale = scale };
	if (!strcmp(layout, "rgb"))
		fb.m.red_pos = rb + g;
	else
		fb.m.blue_pos = rb + g;
	fb.size = (size_t)fb.m.pitch * h;
	fb.buf = malloc(fb.size);
	memset(fb.buf, CANARY, fb.size);
	fb.m.addr = (uintptr_t)fb.buf;
	return fb;
}

static struct fb fb_text(uint32_t cols, uint32_t rows)
{
	struct fb fb = { .bypp = 2, .scale = 1 };

	fb.m = (struct fbcon_mode){ .pitch = cols * 2 + PAD, .width = cols, .height = rows,
				    .bpp = 16, .type = FBCON_TYPE_EGA_TEXT };
	fb.size = (size_t)fb.m.pitch * rows;
	fb.buf = malloc(fb.size);
	memset(fb.buf, CANARY, fb.size);
	fb.m.addr = (uintptr_t)fb.buf;
	return fb;
}

static uint32_t chan(uint32_t v8, uint8_t pos, uint8_t size)
{
	return (size <= 8 ? v8 >> (8 - size) : v8 << (size - 8)) << pos;
}

static uint32_t pack(const struct fb *fb, uint32_t rgb)
{
	return chan(rgb >> 16 & 0xff, fb->m.red_pos, fb->m.red_size) |
	       chan(rgb >> 8 & 0xff, fb->m.green_pos, fb->m.green_size) |
	       chan(rgb & 0xff, fb->m.blue_pos, fb->m.blue_size);
}

static uint32_t pixel(const struct fb *fb, uint32_t x, uint32_t y)
{
	const uint8_t *p = fb->buf + (size_t)y * fb->m.pitch + (size_t)x * fb->bypp;
	uint32_t v = 0, i;

	for (i = 0; i < fb->bypp; i++)
		v |= (uint32_t)p[i] << 8 * i;
	return v;
}

static bool glyph_bit(uint8_t ch, uint32_t x, uint32_t y)
{
	const struct fbcon_font *f = &fbcon_font;
	const uint8_t *row = f->glyphs + ((size_t)f->map[ch] * f->height + y) * f->bytes_per_row;

	return row[x / 8] >> (7 - x % 8) & 1;
}

/* Does cell (row, col) show ch in colour rgb (bold: each set pixel also sets its right
 * neighbour) on black? Prints the first differing pixel. */
static bool cell_is(const struct fb *fb, uint32_t row, uint32_t col, uint8_t ch, uint32_t rgb, bool bold)
{
	const struct fbcon_font *f = &fbcon_font;
	uint32_t x, y, sx, sy;

	if (fb->m.type == FBCON_TYPE_EGA_TEXT) {
		static const struct { uint32_t rgb; uint8_t attr; } attrs[] = {
			{ GREY, 7 }, { RED, 12 }, { GREEN, 10 }, { WHITE, 15 } };
		uint16_t want = ch, got;

		for (x = 0; x < 4; x++)
			if (attrs[x].rgb == rgb)
				want |= attrs[x].attr << 8;
		memcpy(&got, fb->buf + row * fb->m.pitch + col * 2, 2);
		if (got != want)
			printf("# text cell (%u,%u): want %#06x got %#06x\n", row, col, want, got);
		return got == want;
	}
	for (y = 0; y < f->height; y++) {
		for (x = 0; x < f->width; x++) {
			bool on = glyph_bit(ch, x, y) || (bold && x > 0 && glyph_bit(ch, x - 1, y));
			uint32_t want = on ? pack(fb, rgb) : 0;

			for (sy = 0; sy < fb->scale; sy++) {
				for (sx = 0; sx < fb->scale; sx++) {
					uint32_t px = (col * f->width + x) * fb->scale + sx;
					uint32_t py = (row * f->height + y) * fb->scale + sy;
					uint32_t got = pixel(fb, px, py);

					if (got != want) {
						printf("# cell (%u,%u) '%c' pixel (%u,%u): want %#x got %#x\n",
						       row, col, ch, px, py, want, got);
						return false;
					}
				}
			}
		}
	}
	return true;
}

/* Does the row show text in rgb, then blanks to the end? */
static bool row_is(const struct fb *fb, uint32_t row, const char *text, uint32_t rgb, bool bold)
{
	uint32_t cols, rows, c, n = strlen(text);

	fbcon_size(&cols, &rows);
	for (c = 0; c < cols; c++)
		if (!cell_is(fb, row, c, c < n ? (uint8_t)text[c] : ' ', c < n ? rgb : GREY, c < n && bold))
			return false;
	return true;
}

static void put(const char *s)
{
	fbcon_write(s, strlen(s));
}

static bool init_ok(const struct fb *fb)
{
	int err = fbcon_init(&fb->m);

	if (err != FBCON_OK)
		printf("# fbcon_init: %s\n", fbcon_strerror(err));
	return err == FBCON_OK;
}

/* Every pad byte after each pixel row still holds CANARY. */
static bool padding_untouched(const struct fb *fb)
{
	uint32_t y, i, row_bytes = fb->m.pitch - PAD;

	for (y = 0; y < fb->m.height; y++)
		for (i = row_bytes; i < fb->m.pitch; i++)
			if (fb->buf[(size_t)y * fb->m.pitch + i] != CANARY)
				return false;
	return true;
}

static bool case_rgb32_glyph(void)
{
	struct fb fb = fb_rgb(644, 490, 32, "rgb", 1);   /* 80 x 30 cells and a margin */
	uint32_t cols, rows, x, y, lit = 0;
	bool ok = init_ok(&fb);

	put("A");
	fbcon_size(&cols, &rows);
	for (y = 0; y < fbcon_font.height; y++)
		for (x = 0; x < fbcon_font.width; x++)
			lit += glyph_bit('A', x, y);
	ok = ok && cols == 80 && rows == 30 && lit >= 10 && cell_is(&fb, 0, 0, 'A', GREY, false);
	for (y = 0; ok && y < fb.m.height; y++)   /* black everywhere but cell (0,0) */
		for (x = 0; ok && x < fb.m.width; x++)
			if ((x >= fbcon_font.width || y >= fbcon_font.height) && pixel(&fb, x, y) != 0)
				ok = false, printf("# pixel (%u,%u) is %#x, not black\n", x, y, pixel(&fb, x, y));
	ok = ok && padding_untouched(&fb);
	free(fb.buf);
	return ok;
}

/* The DESIGN §6 lines take their colours; the layout under test is given by name. */
static bool check_colours(uint8_t bpp, const char *layout)
{
	struct fb fb = fb_rgb(480, 128, bpp, layout, 1);
	bool ok = init_ok(&fb);

	put("VIOLATION inv=x\nnot ok 1 - t\nok 2 - t\nSUMMARY: 1 passed\nokay\nplain");
	ok = ok && row_is(&fb, 0, "VIOLATION inv=x", RED, false) && row_is(&fb, 1, "not ok 1 - t", RED, false) &&
	     row_is(&fb, 2, "ok 2 - t", GREEN, false) && row_is(&fb, 3, "SUMMARY: 1 passed", WHITE, true) &&
	     row_is(&fb, 4, "okay", GREY, false) && row_is(&fb, 5, "plain", GREY, false) &&
	     padding_untouched(&fb);
	free(fb.buf);
	return ok;
}

static bool case_rgb32_bgr(void) { return check_colours(32, "bgr"); }
static bool case_rgb24(void) { return check_colours(24, "rgb"); }
static bool case_rgb16_565(void) { return check_colours(16, "rgb"); }
static bool case_rgb15_555(void) { return check_colours(15, "bgr"); }

static bool case_ega_text(void)
{
	struct fb fb = fb_text(80, 25);
	bool ok = init_ok(&fb);

	put("Hi \xe9\nnot ok 3 - t\nSUMMARY: x");
	ok = ok && row_is(&fb, 0, "Hi ?", GREY, false) && row_is(&fb, 1, "not ok 3 - t", RED, false) &&
	     row_is(&fb, 2, "SUMMARY: x", WHITE, false) && row_is(&fb, 24, "", GREY, false) &&
	     padding_untouched(&fb);
	free(fb.buf);
	return ok;
}

static bool case_scroll(void)
{
	struct fb fb = fb_rgb(160, 80, 32, "rgb", 1);   /* 20 x 5 */
	char line[32];
	bool ok = init_ok(&fb);
	int i;

	for (i = 0; i < 10; i++) {
		snprintf(line, sizeof(line), "%sline %d\n", i == 7 ? "ok " : "", i);
		put(line);
	}
	/* The lazy cursor: the last line is on the bottom row, the first five are gone. */
	ok = ok && row_is(&fb, 0, "line 5", GREY, false) && row_is(&fb, 2, "ok line 7", GREEN, false) &&
	     row_is(&fb, 4, "line 9", GREY, false);
	put("x");
	ok = ok && row_is(&fb, 0, "line 6", GREY, false) && row_is(&fb, 1, "ok line 7", GREEN, false) &&
	     row_is(&fb, 3, "line 9", GREY, false) && row_is(&fb, 4, "x", GREY, false) &&
	     padding_untouched(&fb);
	free(fb.buf);
	return ok;
}

static bool case_wrap(void)
{
	struct fb fb = fb_rgb(160, 80, 32, "rgb", 1);   /* 20 x 5 */
	bool ok = init_ok(&fb);

	put("ok ABCDEFGHIJKLMNOPQRSTUVWXY\n");
	put("01234567890123456789\nnext");   /* exactly one row: no blank line after it */
	ok = ok && row_is(&fb, 0, "ok ABCDEFGHIJKLMNOPQ", GREEN, false) &&
	     row_is(&fb, 1, "RSTUVWXY", GREEN, false) &&
	     row_is(&fb, 2, "01234567890123456789", GREY, false) && row_is(&fb, 3, "next", GREY, false);
	free(fb.buf);
	return ok;
}

static bool case_controls(void)
{
	struct fb fb = fb_rgb(160, 80, 32, "rgb", 1);
	bool ok = init_ok(&fb);

	put("a\tb\nabc\b\bX\nabc\rX\n\x01\x1b\x7fq");
	ok = ok && row_is(&fb, 0, "a       b", GREY, false) && row_is(&fb, 1, "aXc", GREY, false) &&
	     row_is(&fb, 2, "Xbc", GREY, false) && row_is(&fb, 3, "q", GREY, false);
	free(fb.buf);
	return ok;
}

/* kprintf may hand a line over in pieces: the colour still covers the whole line. */
static bool case_pieces(void)
{
	struct fb fb = fb_rgb(160, 80, 32, "rgb", 1);
	bool ok = init_ok(&fb);

	put("o");
	put("k");
	put(" 1\nno");
	put("t ok 2\nSUMM");
	put("ARY: 0");
	ok = ok && row_is(&fb, 0, "ok 1", GREEN, false) && row_is(&fb, 1, "not ok 2", RED, false) &&
	     row_is(&fb, 2, "SUMMARY: 0", WHITE, true);
	free(fb.buf);
	return ok;
}

static bool case_latin1(void)
{
	struct fb fb = fb_rgb(160, 80, 32, "rgb", 1);
	bool ok = init_ok(&fb);

	put("\xe9");
	ok = ok && fbcon_font.map[0xe9] != fbcon_font.map['e'] && fbcon_font.map[0xe9] != fbcon_font.map['?'] &&
	     cell_is(&fb, 0, 0, 0xe9, GREY, false);
	free(fb.buf);
	return ok;
}

static bool case_scale(void)
{
	struct fb fb = fb_rgb(320, 160, 32, "rgb", 2);
	struct fb big = fb_rgb(1920, 1080, 32, "rgb", 0);
	uint32_t cols, rows;
	bool ok = init_ok(&fb);

	put("Ab\nok");
	fbcon_size(&cols, &rows);
	ok = ok && cols == 20 && rows == 5 && row_is(&fb, 0, "Ab", GREY, false) && row_is(&fb, 1, "ok", GREY, false);
	ok = ok && init_ok(&big);   /* auto: 1080p gets 2x, a 120 x 33 console */
	fbcon_size(&cols, &rows);
	big.scale = 2;
	put("SUMMARY: big");
	ok = ok && cols == 120 && rows == 33 && row_is(&big, 0, "SUMMARY: big", WHITE, true);
	free(fb.buf);
	free(big.buf);
	return ok;
}

static bool case_refused(void)
{
	static const struct { const char *name; struct fbcon_mode m; int err; } bad[] = {
		{ "indexed", { .pitch = 640, .width = 640, .height = 480, .bpp = 8, .type = 0 }, FBCON_E_INDEXED },
		{ "type 3", { .pitch = 640, .width = 640, .height = 480, .bpp = 8, .type = 3 }, FBCON_E_TYPE },
		{ "rgb 8 bpp", { .pitch = 640, .width = 640, .height = 480, .bpp = 8, .type = 1,
				 .red_size = 3, .green_size = 3, .blue_size = 2 }, FBCON_E_BPP },
		{ "field past bpp", { .pitch = 1280, .width = 640, .height = 480, .bpp = 16, .type = 1,
				      .red_pos = 12, .red_size = 5, .green_size = 6, .blue_size = 5 }, FBCON_E_BPP },
		{ "pitch short", { .pitch = 1000, .width = 640, .height = 480, .bpp = 16, .type = 1,
				   .red_pos = 11, .red_size = 5, .green_pos = 5, .green_size = 6, .blue_size = 5 },
		  FBCON_E_GEOMETRY },
		{ "no cell", { .pitch = 64, .width = 4, .height = 4, .bpp = 32, .type = 1,
			       .red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8, .blue_size = 8 },
		  FBCON_E_GEOMETRY },
		{ "scale 5", { .pitch = 2560, .width = 640, .height = 480, .bpp = 32, .type = 1, .scale = 5,
			       .red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8, .blue_size = 8 },
		  FBCON_E_SCALE },
	};
	static uint8_t buf[2560 * 480];   /* big enough for every mode above */
	uint32_t i, cols, rows;
	bool ok = true;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fbcon_mode m = bad[i].m;
		int err;

		m.addr = (uintptr_t)buf;
		memset(buf, CANARY, sizeof(buf));
		err = fbcon_init(&m);
		put("x\n");
		fbcon_size(&cols, &rows);
		if (err != bad[i].err || cols || rows || buf[0] != CANARY || !*fbcon_strerror(err)) {
			printf("# %s: want %d got %d (%s), size %ux%u\n", bad[i].name, bad[i].err, err,
			       fbcon_strerror(err), cols, rows);
			ok = false;
		}
	}
	return ok;
}

/* zlib/PNG checksums, for a PNG that needs no library (stored deflate blocks). */
static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	int k;

	for (crc = ~crc; n--; p++)
		for (crc ^= *p, k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	return ~crc;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static void png_chunk(FILE *f, const char *type, const uint8_t *data, uint32_t n)
{
	uint8_t hdr[8], crc[4];

	be32(hdr, n);
	memcpy(hdr + 4, type, 4);
	be32(crc, crc32(crc32(0, hdr + 4, 4), data, n));
	fwrite(hdr, 1, 8, f);
	if (n)
		fwrite(data, 1, n, f);
	fwrite(crc, 1, 4, f);
}

static bool write_images(const struct fb *fb)
{
	uint32_t w = fb->m.width, h = fb->m.height, x, y, a = 1, b = 0;
	size_t raw_n = (size_t)(w * 3 + 1) * h, z_n = 2 + raw_n + 5 * (raw_n / 65535 + 1) + 4, i, o = 0;
	uint8_t *raw = malloc(raw_n), *z = malloc(z_n), ihdr[13] = { 0 };
	char path[4096];
	FILE *f;

	for (y = 0; y < h; y++) {
		uint8_t *r = raw + (size_t)y * (w * 3 + 1);

		*r++ = 0;   /* PNG filter: none */
		for (x = 0; x < w; x++) {
			uint32_t v = pixel(fb, x, y);

			*r++ = v >> 16, *r++ = v >> 8, *r++ = v;
		}
	}
	snprintf(path, sizeof(path), "%s/fbcon.ppm", image_dir);
	if (!(f = fopen(path, "wb")))
		return false;
	fprintf(f, "P6\n%u %u\n255\n", w, h);
	for (y = 0; y < h; y++)
		fwrite(raw + (size_t)y * (w * 3 + 1) + 1, 1, w * 3, f);
	if (fclose(f))
		return false;
	z[o++] = 0x78, z[o++] = 0x01;
	for (i = 0; i < raw_n; i += 65535) {
		uint32_t n = raw_n - i < 65535 ? raw_n - i : 65535;

		z[o++] = i + n == raw_n;   /* BFINAL, BTYPE 00: stored */
		z[o++] = n, z[o++] = n >> 8, z[o++] = ~n, z[o++] = ~n >> 8;
		memcpy(z + o, raw + i, n);
		o += n;
	}
	for (i = 0; i < raw_n; i++)
		a = (a + raw[i]) % 65521, b = (b + a) % 65521;
	be32(z + o, b << 16 | a);
	o += 4;
	be32(ihdr, w), be32(ihdr + 4, h), ihdr[8] = 8, ihdr[9] = 2;   /* 8-bit RGB */
	snprintf(path, sizeof(path), "%s/fbcon.png", image_dir);
	if (!(f = fopen(path, "wb")))
		return false;
	fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
	png_chunk(f, "IHDR", ihdr, 13);
	png_chunk(f, "IDAT", z, o);
	png_chunk(f, "IEND", NULL, 0);
	free(raw);
	free(z);
	return fclose(f) == 0;
}

static bool case_image(void)
{
	struct fb fb = fb_rgb(640, 240, 32, "rgb", 1);
	bool ok = init_ok(&fb);

	put("rmap-harness 0.1 boot=bios cpus=16/16 mem=512 cmdline=\"test=all seconds=5\"\n"
	    "ok 1 - basic ops=123456\n"
	    "VIOLATION inv=rmap-complete test=zap cpu=3 gfn=0x1a2b level=1 detail=\"spte missing from rmap\"\n"
	    "not ok 2 - zap violations=1 first=rmap-complete\n"
	    "ok 3 - aging # SKIP needs 4 CPUs\n"
	    "Latin-1: caf\xe9 na\xefve \xb1\xb5\xd7\n"
	    "SUMMARY: 2 passed, 1 failed, 1 skipped\n");
	ok = ok && write_images(&fb);
	printf("# demo screen: %s/fbcon.ppm and %s/fbcon.png\n", image_dir, image_dir);
	free(fb.buf);
	return ok;
}

static const struct {
	const char *name;
	bool (*run)(void);
} cases[] = {
	{ "rgb32 glyph 'A' on black, padding untouched", case_rgb32_glyph },
	{ "rgb32 BGR line colours", case_rgb32_bgr },
	{ "rgb24 line colours", case_rgb24 },
	{ "rgb16 5:6:5 line colours", case_rgb16_565 },
	{ "rgb15 5:5:5 BGR line colours", case_rgb15_555 },
	{ "EGA text cells and attributes", case_ega_text },
	{ "scroll drops the first line, last line on the bottom row", case_scroll },
	{ "wrap of a long line", case_wrap },
	{ "tab, backspace, carriage return, dropped controls", case_controls },
	{ "line colour when the line arrives in pieces", case_pieces },
	{ "Latin-1 byte through the font's unicode map", case_latin1 },
	{ "forced 2x scale and auto scale at 1080p", case_scale },
	{ "unsupported modes refused, console stays off", case_refused },
	{ "demo screen written as PPM and PNG", case_image },
};

int main(int argc, char **argv)
{
	static char dir[4096];
	const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
	unsigned i, failed = 0, n = sizeof(cases) / sizeof(cases[0]);

	if (slash && (size_t)(slash - argv[0]) < sizeof(dir)) {
		memcpy(dir, argv[0], slash - argv[0]);
		image_dir = dir;
	}
	printf("# font %s: %u glyphs, %ux%u\n", fbcon_font.name, fbcon_font.count, fbcon_font.width,
	       fbcon_font.height);
	for (i = 0; i < n; i++) {
		bool ok = cases[i].run();

		printf("%s %u - %s\n", ok ? "ok" : "not ok", i + 1, cases[i].name);
		failed += !ok;
	}
	printf("# %u passed, %u failed\n", n - failed, failed);
	return failed ? 1 : 0;
}
