/*
 * fbcon.h: the framebuffer text console's interface (kernel/fbcon.c) and the font layout that
 * tools/psf2c generates into build/gen/font.c. The console carries the same text as the serial
 * console; it keeps no lock of its own: the caller (kprintf) serialises whole lines under its
 * console lock. Compiles in the kernel and in host tests (tests/host/test_fbcon.c).
 */
#ifndef FBCON_H
#define FBCON_H

#include <stdint.h>
#include <stddef.h>

/* A bitmap font: glyph g's row y is bytes_per_row bytes at glyphs + (g * height + y) *
 * bytes_per_row, most significant bit = leftmost pixel. map[] takes a Latin-1 byte to a glyph
 * index (always < count). */
struct fbcon_font {
	const uint8_t *glyphs;
	const uint16_t *map;
	uint32_t count, width, height, bytes_per_row;
	const char *name;   /* the font file it was made from */
};

extern const struct fbcon_font fbcon_font;   /* build/gen/font.c */

/* Multiboot2 framebuffer tag type field (multiboot2 spec 3.6.12). */
enum fbcon_type {
	FBCON_TYPE_INDEXED = 0,
	FBCON_TYPE_RGB = 1,
	FBCON_TYPE_EGA_TEXT = 2,
};

/* Filled by the caller from the multiboot2 framebuffer tag. addr must already be mapped. For
 * EGA text, width and height count characters and pitch is bytes per character row. scale is
 * not in the tag: 0 lets fbcon choose (2x-4x glyphs on big screens), n forces n (1..4). */
struct fbcon_mode {
	uint64_t addr;
	uint32_t pitch, width, height;
	uint8_t bpp, type;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
	uint8_t scale;
};

/* fbcon_init's errors; fbcon_strerror() names each for the caller's log line. */
enum fbcon_err {
	FBCON_OK = 0,
	FBCON_E_INDEXED = -1,   /* type 0 (palette) framebuffers are not supported */
	FBCON_E_TYPE = -2,      /* type is not 0, 1 or 2 */
	FBCON_E_BPP = -3,       /* RGB bpp not 15, 16, 24 or 32, or a colour field out of range */
	FBCON_E_GEOMETRY = -4,  /* zero address, pitch too small, or not even one character cell */
	FBCON_E_SCALE = -5,     /* scale above 4 */
};

/* The shadow of the character cells is static, so the text area is clipped to this size. */
#define FBCON_MAX_COLS 256
#define FBCON_MAX_ROWS 128

/*
 * Colours (RGB on black): ordinary text 0xaaaaaa; a line starting "VIOLATION " or "not ok "
 * 0xff5555; "ok " 0x55ff55; "SUMMARY:" 0xffffff and bold. EGA text uses the same VGA colour
 * numbers as attributes (7, 12, 10, 15).
 */

/* Clears the text area and starts writing at its top left. Returns FBCON_OK or an fbcon_err;
 * on error the console stays off (fbcon_write does nothing). May be called again. */
int fbcon_init(const struct fbcon_mode *m);
const char *fbcon_strerror(int err);

/* Writes n bytes: '\n', '\r', '\t' (to a multiple of 8), '\b' (moves back); other control
 * bytes are dropped; bytes >= 0x80 are Latin-1. Long lines wrap; the screen scrolls by a line.
 * The cursor advances lazily, so the last line written stays on the bottom row. */
void fbcon_write(const char *s, size_t n);

/* The text area in characters; 0 x 0 while the console is off. */
void fbcon_size(uint32_t *cols, uint32_t *rows);

#endif
