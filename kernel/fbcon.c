/*
 * fbcon.c: the framebuffer text console (direct RGB at 15/16/24/32 bpp, or EGA text) that shows
 * the serial console's text on screen. Owns `fbcon`: the mode, the cursor, the colour of the
 * current line, and `cells`, a shadow of every character cell. Invariant: the screen shows
 * exactly `cells`, so scrolling redraws from the shadow (only the cells that change) and never
 * reads the framebuffer back, which is slow uncached or write-combined memory on real machines.
 * No lock: the caller (kprintf) serialises whole lines. The caller maps the framebuffer.
 */
#include <stdbool.h>

#include "fbcon.h"

enum {
	FBCON_GREY = 7,          /* VGA colour numbers, also EGA text attributes */
	FBCON_GREEN = 10,
	FBCON_RED = 12,
	FBCON_WHITE = 15,
	FBCON_BOLD = 0x10,       /* in a cell's attr: draw each glyph row OR-ed with itself >> 1 */
	FBCON_PREFIX_MAX = 16,   /* line-start characters kept to choose the line's colour */
	FBCON_TAB = 8,
	FBCON_SCALE_MAX = 4,
};

struct fbcon_cell {
	uint8_t ch;     /* Latin-1 byte */
	uint8_t attr;   /* VGA colour | FBCON_BOLD */
};

_Static_assert(sizeof(struct fbcon_cell) == 2, "the shadow is 2 bytes a cell (64 KiB of .bss)");

static const struct fbcon_cell fbcon_blank = { ' ', FBCON_GREY };

/* The VGA text palette, as RGB, indexed by colour number. */
static const uint8_t fbcon_rgb[16][3] = {
	{ 0x00, 0x00, 0x00 }, { 0x00, 0x00, 0xaa }, { 0x00, 0xaa, 0x00 }, { 0x00, 0xaa, 0xaa },
	{ 0xaa, 0x00, 0x00 }, { 0xaa, 0x00, 0xaa }, { 0xaa, 0x55, 0x00 }, { 0xaa, 0xaa, 0xaa },
	{ 0x55, 0x55, 0x55 }, { 0x55, 0x55, 0xff }, { 0x55, 0xff, 0x55 }, { 0x55, 0xff, 0xff },
	{ 0xff, 0x55, 0x55 }, { 0xff, 0x55, 0xff }, { 0xff, 0xff, 0x55 }, { 0xff, 0xff, 0xff },
};

/* A line whose first characters are `prefix` is drawn in `attr` (DESIGN §6 output lines). */
static const struct fbcon_rule {
	const char *prefix;
	uint8_t len, attr;
} fbcon_rules[] = {
	{ "VIOLATION ", 10, FBCON_RED },
	{ "not ok ", 7, FBCON_RED },
	{ "ok ", 3, FBCON_GREEN },
	{ "SUMMARY:", 8, FBCON_WHITE | FBCON_BOLD },
};

static const char *const fbcon_errors[] = {
	[-FBCON_OK] = "ok",
	[-FBCON_E_INDEXED] = "indexed-colour framebuffer not supported",
	[-FBCON_E_TYPE] = "unknown framebuffer type",
	[-FBCON_E_BPP] = "unsupported bits per pixel or colour fields",
	[-FBCON_E_GEOMETRY] = "bad framebuffer address, pitch or size",
	[-FBCON_E_SCALE] = "font scale above 4",
};

static struct {
	bool on;
	bool text;                  /* EGA text mode: a cell is a uint16_t char | attr << 8 */
	uint8_t *fb;
	uint32_t pitch, bypp, scale, cell_w, cell_h;
	uint32_t cols, rows;
	uint32_t pixel[16];         /* fbcon_rgb packed into the framebuffer's pixel format */
	uint32_t row, col;          /* cursor; col == cols means a wrap is due */
	uint32_t pending_nl;        /* newlines not yet applied (the lazy cursor) */
	int64_t line_start;         /* cell index (row * cols + col) of the line's first char, or -1 */
	uint32_t prefix_len;
	char prefix[FBCON_PREFIX_MAX];
	uint8_t line_attr;
	struct fbcon_cell cells[FBCON_MAX_ROWS][FBCON_MAX_COLS];
} fbcon;

const char *fbcon_strerror(int err)
{
	if (err > 0 || -err >= (int)(sizeof(fbcon_errors) / sizeof(fbcon_errors[0])))
		return "unknown fbcon error";
	return fbcon_errors[-err];
}

void fbcon_size(uint32_t *cols, uint32_t *rows)
{
	*cols = fbcon.on ? fbcon.cols : 0;
	*rows = fbcon.on ? fbcon.rows : 0;
}

/* An 8-bit channel value scaled to a `size`-bit field at `pos`. */
static uint32_t fbcon_field(uint32_t v, uint8_t pos, uint8_t size)
{
	v = size <= 8 ? v >> (8 - size) : v << (size - 8);
	return v << pos;
}

static void fbcon_put(uint8_t *p, uint32_t v)
{
	if (fbcon.bypp == 4) {
		__builtin_memcpy(p, &v, 4);
	} else if (fbcon.bypp == 3) {
		p[0] = v;
		p[1] = v >> 8;
		p[2] = v >> 16;
	} else {
		uint16_t v16 = v;
		__builtin_memcpy(p, &v16, 2);
	}
}

static void fbcon_draw(uint32_t row, uint32_t col)
{
	const struct fbcon_cell *c = &fbcon.cells[row][col];
	const struct fbcon_font *f = &fbcon_font;
	uint32_t fg = fbcon.pixel[c->attr & 15], bg = fbcon.pixel[0];
	uint32_t mask = ~0u << (32 - f->width), x, y, i, sx, sy;
	const uint8_t *g;
	uint8_t *line;

	if (fbcon.text) {
		uint16_t v = (c->ch >= 0x20 && c->ch < 0x7f ? c->ch : '?') | (c->attr & 15) << 8;
		__builtin_memcpy(fbcon.fb + row * fbcon.pitch + col * 2, &v, 2);
		return;
	}
	g = f->glyphs + (size_t)f->map[c->ch] * f->height * f->bytes_per_row;
	line = fbcon.fb + (size_t)row * fbcon.cell_h * fbcon.pitch + (size_t)col * fbcon.cell_w * fbcon.bypp;
	for (y = 0; y < f->height; y++) {
		uint32_t bits = 0;

		for (i = 0; i < f->bytes_per_row; i++)
			bits = bits << 8 | *g++;
		bits <<= 32 - 8 * f->bytes_per_row;   /* leftmost pixel in bit 31 */
		if (c->attr & FBCON_BOLD)
			bits |= bits >> 1;
		bits &= mask;
		for (sy = 0; sy < fbcon.scale; sy++, line += fbcon.pitch) {
			uint8_t *p = line;

			for (x = 0; x < f->width; x++) {
				uint32_t v = (bits << x) & 0x80000000u ? fg : bg;

				for (sx = 0; sx < fbcon.scale; sx++, p += fbcon.bypp)
					fbcon_put(p, v);
			}
		}
	}
}

static void fbcon_set(uint32_t row, uint32_t col, struct fbcon_cell c)
{
	struct fbcon_cell *old = &fbcon.cells[row][col];

	if (old->ch != c.ch || old->attr != c.attr) {
		*old = c;
		fbcon_draw(row, col);
	}
}

/* Moves every line up one row: the shadow says what is on screen, so only cells whose
 * character or colour differs from the line below are drawn. */
static void fbcon_scroll(void)
{
	uint32_t r, c;

	for (r = 0; r + 1 < fbcon.rows; r++)
		for (c = 0; c < fbcon.cols; c++)
			fbcon_set(r, c, fbcon.cells[r + 1][c]);
	for (c = 0; c < fbcon.cols; c++)
		fbcon_set(fbcon.rows - 1, c, fbcon_blank);
	if (fbcon.line_start >= 0)
		fbcon.line_start -= fbcon.cols;
}

static void fbcon_newline(void)
{
	fbcon.col = 0;
	if (fbcon.row + 1 < fbcon.rows)
		fbcon.row++;
	else
		fbcon_scroll();
}

/* Applies the newlines and the wrap that the lazy cursor has put off, before drawing. */
static void fbcon_advance(void)
{
	for (; fbcon.pending_nl > 0; fbcon.pending_nl--)
		fbcon_newline();
	if (fbcon.col >= fbcon.cols)
		fbcon_newline();
}

static void fbcon_line_begin(void)
{
	fbcon.line_start = -1;
	fbcon.prefix_len = 0;
	fbcon.line_attr = FBCON_GREY;
}

static bool fbcon_prefix_is(const char *p)
{
	uint32_t i;

	for (i = 0; i < fbcon.prefix_len; i++)
		if (fbcon.prefix[i] != p[i])
			return false;
	return true;
}

/* Called with each of the line's first characters: when they spell a rule's prefix, the
 * line takes its colour, and the cells already drawn are repainted (kprintf may hand a
 * line over in pieces). */
static void fbcon_classify(char ch)
{
	const struct fbcon_rule *rule;
	int64_t i, end = (int64_t)fbcon.row * fbcon.cols + fbcon.col;

	fbcon.prefix[fbcon.prefix_len++] = ch;
	for (rule = fbcon_rules; rule < fbcon_rules + sizeof(fbcon_rules) / sizeof(*rule); rule++) {
		if (rule->len != fbcon.prefix_len || !fbcon_prefix_is(rule->prefix))
			continue;
		fbcon.line_attr = rule->attr;
		for (i = fbcon.line_start < 0 ? 0 : fbcon.line_start; i < end; i++) {
			struct fbcon_cell c = fbcon.cells[i / fbcon.cols][i % fbcon.cols];

			c.attr = rule->attr;
			fbcon_set(i / fbcon.cols, i % fbcon.cols, c);
		}
	}
}

static void fbcon_putc(uint8_t ch)
{
	fbcon_advance();
	if (fbcon.line_start < 0 && fbcon.prefix_len == 0)
		fbcon.line_start = (int64_t)fbcon.row * fbcon.cols + fbcon.col;
	if (fbcon.prefix_len < FBCON_PREFIX_MAX)
		fbcon_classify(ch);
	fbcon_set(fbcon.row, fbcon.col, (struct fbcon_cell){ ch, fbcon.line_attr });
	fbcon.col++;
}

void fbcon_write(const char *s, size_t n)
{
	size_t i;

	if (!fbcon.on)
		return;
	for (i = 0; i < n; i++) {
		uint8_t ch = s[i];

		if (ch == '\n') {
			if (fbcon.pending_nl < fbcon.rows)
				fbcon.pending_nl++;
			fbcon_line_begin();
		} else if (ch == '\r') {
			fbcon.col = 0;
			fbcon_line_begin();
		} else if (ch == '\t') {
			fbcon_advance();
			fbcon.col = (fbcon.col / FBCON_TAB + 1) * FBCON_TAB;
			if (fbcon.col > fbcon.cols)
				fbcon.col = fbcon.cols;
		} else if (ch == '\b') {
			if (fbcon.col > 0)
				fbcon.col--;
		} else if (ch >= 0x20 && ch != 0x7f) {
			fbcon_putc(ch);
		}
	}
}

/* Checks an RGB mode and packs the palette; returns FBCON_OK or an fbcon_err. */
static int fbcon_init_rgb(const struct fbcon_mode *m)
{
	const uint8_t pos[3] = { m->red_pos, m->green_pos, m->blue_pos };
	const uint8_t size[3] = { m->red_size, m->green_size, m->blue_size };
	const struct fbcon_font *f = &fbcon_font;
	uint32_t i, k, s;

	if (m->bpp != 15 && m->bpp != 16 && m->bpp != 24 && m->bpp != 32)
		return FBCON_E_BPP;
	for (k = 0; k < 3; k++)
		if (size[k] == 0 || size[k] > 16 || pos[k] + size[k] > m->bpp)
			return FBCON_E_BPP;
	fbcon.bypp = (m->bpp + 7) / 8;
	for (i = 0; i < 16; i++)
		for (fbcon.pixel[i] = 0, k = 0; k < 3; k++)
			fbcon.pixel[i] |= fbcon_field(fbcon_rgb[i][k], pos[k], size[k]);
	/* Auto scale: the largest that still leaves a 100 x 30 console (1080p gets 2x). */
	fbcon.scale = m->scale;
	for (s = 1; m->scale == 0 && s <= FBCON_SCALE_MAX; s++)
		if (s == 1 || (m->width / (f->width * s) >= 100 && m->height / (f->height * s) >= 30))
			fbcon.scale = s;
	if (fbcon.scale > FBCON_SCALE_MAX)
		return FBCON_E_SCALE;
	fbcon.cell_w = f->width * fbcon.scale;
	fbcon.cell_h = f->height * fbcon.scale;
	if (m->pitch < (uint64_t)m->width * fbcon.bypp)
		return FBCON_E_GEOMETRY;
	fbcon.cols = m->width / fbcon.cell_w;
	fbcon.rows = m->height / fbcon.cell_h;
	return FBCON_OK;
}

int fbcon_init(const struct fbcon_mode *m)
{
	uint32_t r, c;
	int err;

	fbcon.on = false;
	fbcon.fb = (uint8_t *)(uintptr_t)m->addr;
	fbcon.pitch = m->pitch;
	fbcon.text = m->type == FBCON_TYPE_EGA_TEXT;
	if (m->type == FBCON_TYPE_INDEXED)
		return FBCON_E_INDEXED;
	if (m->type != FBCON_TYPE_RGB && !fbcon.text)
		return FBCON_E_TYPE;
	if (fbcon.text) {
		fbcon.pitch = m->pitch ? m->pitch : m->width * 2;
		fbcon.cols = m->width;
		fbcon.rows = m->height;
		if (fbcon.pitch < (uint64_t)m->width * 2)
			return FBCON_E_GEOMETRY;
	} else if ((err = fbcon_init_rgb(m)) != FBCON_OK) {
		return err;
	}
	if (m->addr == 0 || fbcon.cols == 0 || fbcon.rows == 0)
		return FBCON_E_GEOMETRY;
	if (fbcon.cols > FBCON_MAX_COLS)
		fbcon.cols = FBCON_MAX_COLS;
	if (fbcon.rows > FBCON_MAX_ROWS)
		fbcon.rows = FBCON_MAX_ROWS;

	/* Clear the whole visible screen (GRUB's menu may still be there), never the pitch's
	 * padding beyond the width; then the shadow, which now matches it. */
	for (r = 0; !fbcon.text && r < m->height; r++)
		__builtin_memset(fbcon.fb + (size_t)r * fbcon.pitch, 0, (size_t)m->width * fbcon.bypp);
	for (r = 0; r < fbcon.rows; r++) {
		for (c = 0; c < fbcon.cols; c++) {
			fbcon.cells[r][c] = fbcon_blank;
			if (fbcon.text)
				fbcon_draw(r, c);
		}
	}
	fbcon.row = fbcon.col = fbcon.pending_nl = 0;
	fbcon_line_begin();
	fbcon.on = true;
	return FBCON_OK;
}
