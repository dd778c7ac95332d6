/*
 * format.c: the printf engine behind format.h. It owns no state: each conversion spec is parsed
 * into a struct fmt_spec, looked up in fmt_convs[] and emitted through a struct fmt_out, which
 * counts every character and stores only those that fit. Integers become digits first and are
 * then laid out as [pad][sign][prefix][zeros][digits][pad], the order of C11 7.21.6.1.
 */
#include <stdbool.h>
#include <stdint.h>
#include "format.h"

enum fmt_flag {
	FMT_LEFT  = 1u << 0,	/* '-': pad on the right */
	FMT_ZERO  = 1u << 1,	/* '0': pad numbers with zeros (ignored with '-' or a precision) */
	FMT_SPACE = 1u << 2,	/* ' ': a space where a '+' would go */
	FMT_PLUS  = 1u << 3,	/* '+': always a sign on signed conversions */
	FMT_ALT   = 1u << 4,	/* '#': 0x/0X on non-zero hex, a leading 0 on octal */
};

static const struct { char c; unsigned int flag; } fmt_flags[] = {
	{ '-', FMT_LEFT },
	{ '0', FMT_ZERO },
	{ ' ', FMT_SPACE },
	{ '+', FMT_PLUS },
	{ '#', FMT_ALT },
};

enum fmt_len { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

/* Longest first: "hh" must be tried before "h". */
static const struct { const char *s; unsigned char n; enum fmt_len len; } fmt_lens[] = {
	{ "hh", 2, LEN_HH },
	{ "ll", 2, LEN_LL },
	{ "h",  1, LEN_H },
	{ "l",  1, LEN_L },
	{ "z",  1, LEN_Z },
	{ "j",  1, LEN_J },
	{ "t",  1, LEN_T },
};

enum fmt_kind { KIND_SIGNED, KIND_UNSIGNED, KIND_CHAR, KIND_STRING, KIND_POINTER, KIND_PERCENT };

static const struct fmt_conv {
	char c;
	enum fmt_kind kind;
	unsigned char base;
	bool upper;
} fmt_convs[] = {
	{ 'd', KIND_SIGNED,   10, false },
	{ 'i', KIND_SIGNED,   10, false },
	{ 'u', KIND_UNSIGNED, 10, false },
	{ 'x', KIND_UNSIGNED, 16, false },
	{ 'X', KIND_UNSIGNED, 16, true },
	{ 'o', KIND_UNSIGNED,  8, false },
	{ 'c', KIND_CHAR,      0, false },
	{ 's', KIND_STRING,    0, false },
	{ 'p', KIND_POINTER,  16, false },
	{ '%', KIND_PERCENT,   0, false },
};

struct fmt_spec {
	unsigned int flags;	/* enum fmt_flag */
	int width;		/* 0 = none */
	int prec;		/* -1 = none */
	enum fmt_len len;
};

struct fmt_out {
	char *buf;
	size_t size;
	size_t pos;		/* characters produced so far, stored or not */
};

static void out_char(struct fmt_out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_repeat(struct fmt_out *o, char c, int n)
{
	for (int i = 0; i < n; i++)
		out_char(o, c);
}

static void out_mem(struct fmt_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
}

static const struct fmt_conv *fmt_find_conv(char c)
{
	for (size_t i = 0; i < sizeof(fmt_convs) / sizeof(fmt_convs[0]); i++)
		if (fmt_convs[i].c == c)
			return &fmt_convs[i];
	return NULL;
}

/* A string (or %c, or %p's digits) in its field: precision already applied by the caller. */
static void fmt_field(struct fmt_out *o, const struct fmt_spec *s, const char *str, size_t n)
{
	int pad = (size_t)s->width > n ? s->width - (int)n : 0;

	if (!(s->flags & FMT_LEFT))
		out_repeat(o, ' ', pad);
	out_mem(o, str, n);
	if (s->flags & FMT_LEFT)
		out_repeat(o, ' ', pad);
}

static void fmt_integer(struct fmt_out *o, const struct fmt_spec *s, const struct fmt_conv *cv,
			uint64_t mag, bool neg)
{
	const char *set = cv->upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24];	/* 2^64 needs 22 octal digits */
	int n = 0, zeros = 0, pad, len, plen = 0;
	char sign = 0;
	const char *prefix = "";
	bool zero = mag == 0;

	/* C11: a zero value with precision 0 prints no digits. */
	if (!(zero && s->prec == 0)) {
		do {
			digits[n++] = set[mag % cv->base];
			mag /= cv->base;
		} while (mag);
	}
	if (s->prec > n)
		zeros = s->prec - n;
	if (cv->kind == KIND_SIGNED) {
		if (neg)
			sign = '-';
		else if (s->flags & FMT_PLUS)
			sign = '+';
		else if (s->flags & FMT_SPACE)
			sign = ' ';
	}
	if (s->flags & FMT_ALT) {
		if (cv->base == 16 && !zero) {
			prefix = cv->upper ? "0X" : "0x";
			plen = 2;
		}
		/* '#' on octal raises the precision so that the first digit is a 0. */
		if (cv->base == 8 && zeros == 0 && !(n > 0 && digits[n - 1] == '0'))
			zeros = 1;
	}
	len = (sign ? 1 : 0) + plen + zeros + n;
	pad = s->width > len ? s->width - len : 0;
	if ((s->flags & FMT_ZERO) && !(s->flags & FMT_LEFT) && s->prec < 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(s->flags & FMT_LEFT))
		out_repeat(o, ' ', pad);
	if (sign)
		out_char(o, sign);
	out_mem(o, prefix, (size_t)plen);
	out_repeat(o, '0', zeros);
	while (n > 0)
		out_char(o, digits[--n]);
	if (s->flags & FMT_LEFT)
		out_repeat(o, ' ', pad);
}

static uint64_t fmt_arg_unsigned(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:  return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:  return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_Z:  return va_arg(*ap, size_t);
	case LEN_J:  return va_arg(*ap, uintmax_t);
	case LEN_T:  return (uint64_t)va_arg(*ap, ptrdiff_t);
	case LEN_NONE: break;
	}
	return va_arg(*ap, unsigned int);
}

static int64_t fmt_arg_signed(enum fmt_len len, va_list *ap)
{
	switch (len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H:  return (short)va_arg(*ap, int);
	case LEN_L:  return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_Z:  return (int64_t)va_arg(*ap, size_t);	/* the signed type of size_t */
	case LEN_J:  return va_arg(*ap, intmax_t);
	case LEN_T:  return va_arg(*ap, ptrdiff_t);
	case LEN_NONE: break;
	}
	return va_arg(*ap, int);
}

static void fmt_convert(struct fmt_out *o, const struct fmt_spec *s, const struct fmt_conv *cv,
			va_list *ap)
{
	char c, pbuf[18];
	const char *str;
	size_t n;
	int64_t v;
	uintptr_t p;

	switch (cv->kind) {
	case KIND_SIGNED:
		v = fmt_arg_signed(s->len, ap);
		/* 0 - (uint64_t)v is the magnitude even for INT64_MIN. */
		fmt_integer(o, s, cv, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
		break;
	case KIND_UNSIGNED:
		fmt_integer(o, s, cv, fmt_arg_unsigned(s->len, ap), false);
		break;
	case KIND_CHAR:
		c = (char)va_arg(*ap, int);
		fmt_field(o, s, &c, 1);
		break;
	case KIND_STRING:
		str = va_arg(*ap, const char *);
		if (!str)
			str = "(null)";
		/* Never read past the precision: the string need not be terminated within it. */
		for (n = 0; (s->prec < 0 || n < (size_t)s->prec) && str[n]; n++)
			;
		fmt_field(o, s, str, n);
		break;
	case KIND_POINTER:
		p = (uintptr_t)va_arg(*ap, void *);
		pbuf[0] = '0';
		pbuf[1] = 'x';
		for (int i = 17; i >= 2; i--, p >>= 4)
			pbuf[i] = "0123456789abcdef"[p & 0xf];
		fmt_field(o, s, pbuf, sizeof(pbuf));
		break;
	case KIND_PERCENT:
		out_char(o, '%');
		break;
	}
}

/* Width or precision digits; saturates at INT32_MAX instead of overflowing. */
static int fmt_parse_num(const char **fmt)
{
	int v = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		int d = **fmt - '0';
		v = v > (INT32_MAX - d) / 10 ? INT32_MAX : v * 10 + d;
		(*fmt)++;
	}
	return v;
}

/* Does s start with p? Stops at the first mismatch, so never reads past s's terminator. */
static bool fmt_starts_with(const char *s, const char *p)
{
	for (; *p; s++, p++)
		if (*s != *p)
			return false;
	return true;
}

/* Parses flags, width, precision and length after a '%'; leaves *fmt on the conversion. */
static void fmt_parse_spec(const char **fmt, struct fmt_spec *s, va_list *ap)
{
	bool more = true;

	s->flags = 0;
	s->width = 0;
	s->prec = -1;
	s->len = LEN_NONE;
	while (more) {
		more = false;
		for (size_t i = 0; i < sizeof(fmt_flags) / sizeof(fmt_flags[0]); i++) {
			if (**fmt == fmt_flags[i].c) {
				s->flags |= fmt_flags[i].flag;
				(*fmt)++;
				more = true;
				break;
			}
		}
	}
	if (**fmt == '*') {
		int w = va_arg(*ap, int);
		(*fmt)++;
		/* A negative '*' width is a '-' flag and a positive width. */
		if (w < 0) {
			s->flags |= FMT_LEFT;
			w = w == INT32_MIN ? INT32_MAX : -w;
		}
		s->width = w;
	} else {
		s->width = fmt_parse_num(fmt);
	}
	if (**fmt == '.') {
		(*fmt)++;
		if (**fmt == '*') {
			int p = va_arg(*ap, int);
			(*fmt)++;
			s->prec = p < 0 ? -1 : p;	/* negative: as if omitted */
		} else {
			s->prec = fmt_parse_num(fmt);
		}
	}
	for (size_t i = 0; i < sizeof(fmt_lens) / sizeof(fmt_lens[0]); i++) {
		if (fmt_starts_with(*fmt, fmt_lens[i].s)) {
			s->len = fmt_lens[i].len;
			*fmt += fmt_lens[i].n;
			break;
		}
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = { .buf = buf, .size = size, .pos = 0 };
	struct fmt_spec spec;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		const char *start = fmt;
		const struct fmt_conv *cv;

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt++;
		fmt_parse_spec(&fmt, &spec, &args);
		if (!*fmt)
			break;		/* a truncated spec at the end prints nothing */
		cv = fmt_find_conv(*fmt);
		if (cv)
			fmt_convert(&o, &spec, cv, &args);
		else
			out_mem(&o, start, (size_t)(fmt - start) + 1);	/* unknown: verbatim */
		fmt++;
	}
	va_end(args);
	if (size > 0)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return o.pos > INT32_MAX ? -1 : (int)o.pos;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
