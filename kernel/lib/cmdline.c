/*
 * cmdline.c: the boot-command-line parser (cmdline.h) over the option table of cmdline_opts.c.
 * No state: results go to the caller's struct cmdline, errors to the caller's buffer as one
 * line: the problem, the bad token in quotes, then the valid set (option names, or the valid
 * values of that option).
 */
#include <stdbool.h>
#include "cmdline.h"
#include "cmdline_opts.h"

struct token {
	const char *p;
	size_t n;
};

static bool tok_is(struct token t, const char *name)
{
	size_t n = __builtin_strlen(name);

	return t.n == n && __builtin_memcmp(t.p, name, n) == 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Decimal or 0x hex, no sign, no blanks; CMDLINE_ENUMBER or CMDLINE_ERANGE on failure. */
static int parse_u64(struct token v, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t x = 0;

	if (v.n >= 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X')) {
		base = 16;
		v.p += 2;
		v.n -= 2;
	}
	if (v.n == 0)
		return CMDLINE_ENUMBER;
	/* Syntax first, so that "99999999999999999999x" is malformed rather than out of range. */
	for (size_t i = 0; i < v.n; i++) {
		char c = v.p[i];
		unsigned int d = c >= '0' && c <= '9' ? (unsigned int)(c - '0')
			       : c >= 'a' && c <= 'f' ? (unsigned int)(c - 'a' + 10)
			       : c >= 'A' && c <= 'F' ? (unsigned int)(c - 'A' + 10) : 99;
		if (d >= base)
			return CMDLINE_ENUMBER;
	}
	for (size_t i = 0; i < v.n; i++) {
		char c = v.p[i];
		unsigned int d = c <= '9' ? (unsigned int)(c - '0') : (unsigned int)((c | 0x20) - 'a' + 10);
		if (x > (UINT64_MAX - d) / base)
			return CMDLINE_ERANGE;
		x = x * base + d;
	}
	*out = x;
	return CMDLINE_OK;
}

static int lookup_choice(const struct cmdline_opt *o, const struct cmdline_lists *l,
			 struct token v, int *value)
{
	const char *name;

	for (size_t i = 0; (name = cmdline_choice_name(o, l, i)) != NULL; i++) {
		if (tok_is(v, name)) {
			*value = i < o->nchoices ? o->choices[i].value : (int)(i - o->nchoices);
			return CMDLINE_OK;
		}
	}
	return CMDLINE_EVALUE;
}

static int parse_levels(const struct cmdline_opt *o, struct token v, unsigned int *mask,
			struct token *bad)
{
	const struct cmdline_lists none = { 0 };

	*mask = 0;
	for (size_t start = 0, i = 0; i <= v.n; i++) {
		if (i < v.n && v.p[i] != ',')
			continue;
		struct token piece = { v.p + start, i - start };
		int bit;
		if (lookup_choice(o, &none, piece, &bit) != CMDLINE_OK) {
			*bad = piece;
			return CMDLINE_EVALUE;
		}
		*mask |= (unsigned int)bit;
		start = i + 1;
	}
	return CMDLINE_OK;
}

/* console=KIND[,BAUD], KIND one of the choices or io:PORT or mmio32:ADDRESS (cmdline.h). */
static int parse_console(const struct cmdline_opt *o, struct token v, struct cmdline *out)
{
	const struct cmdline_lists none = { 0 };
	struct token kind = v, baud = { NULL, 0 };
	uint64_t x = 0;

	for (size_t i = 0; i < v.n; i++)
		if (v.p[i] == ',') {
			kind.n = i;
			baud = (struct token){ v.p + i + 1, v.n - i - 1 };
			break;
		}
	out->console_addr = 0;
	out->console_baud = 0;
	if (kind.n > 3 && !__builtin_memcmp(kind.p, "io:", 3)) {
		if (parse_u64((struct token){ kind.p + 3, kind.n - 3 }, &x) || !x || x > 0xfff8)
			return CMDLINE_EVALUE;
		out->console = CMDLINE_CONSOLE_IO;
		out->console_addr = x;
	} else if (kind.n > 7 && !__builtin_memcmp(kind.p, "mmio32:", 7)) {
		if (parse_u64((struct token){ kind.p + 7, kind.n - 7 }, &x) || !x || (x & 3))
			return CMDLINE_EVALUE;
		out->console = CMDLINE_CONSOLE_MMIO32;
		out->console_addr = x;
	} else if (lookup_choice(o, &none, kind, &out->console) != CMDLINE_OK) {
		return CMDLINE_EVALUE;
	}
	if (baud.p) {
		if (parse_u64(baud, &x) || x < 1200 || x > 115200 || 115200 % x ||
		    out->console == CMDLINE_CONSOLE_NONE)
			return CMDLINE_EVALUE;
		out->console_baud = (unsigned int)x;
	}
	return CMDLINE_OK;
}

/* Stores value v of option o; on failure describes the problem with tok in m. */
static int opt_set(const struct cmdline_opt *o, struct token v, struct token tok,
		   const struct cmdline_lists *l, struct cmdline *out, struct cmdline_msg *m)
{
	void *field = (char *)out + o->offset;
	const char *what = o->list == LIST_TESTS ? "test" : o->list == LIST_MUTATIONS ? "mutation" : "value";
	struct token bad;
	uint64_t x = 0;
	unsigned int mask;
	int rc, value;

	switch (o->type) {
	case T_UINT:
	case T_U64:
		rc = parse_u64(v, &x);
		if (rc == CMDLINE_OK && o->type == T_UINT && (x > (o->max ? o->max : UINT32_MAX) || x < o->min))
			rc = CMDLINE_ERANGE;
		if (rc != CMDLINE_OK) {
			cmdline_msg_add(m, "%s \"%.*s\"; valid values for %s: ",
				rc == CMDLINE_ENUMBER ? "malformed number in" : "number out of range in",
				(int)tok.n, tok.p, o->name);
			break;
		}
		if (o->type == T_UINT)
			*(unsigned int *)field = (unsigned int)x;
		else
			*(uint64_t *)field = x;
		return CMDLINE_OK;
	case T_CHOICE:
		rc = lookup_choice(o, l, v, &value);
		if (rc != CMDLINE_OK) {
			cmdline_msg_add(m, "unknown %s in \"%.*s\"; valid values for %s: ", what,
				(int)tok.n, tok.p, o->name);
			break;
		}
		*(int *)field = value;
		return CMDLINE_OK;
	case T_LEVELS:
		rc = parse_levels(o, v, &mask, &bad);
		if (rc != CMDLINE_OK) {
			cmdline_msg_add(m, "unknown level \"%.*s\" in \"%.*s\"; valid values for %s: ",
				(int)bad.n, bad.p, (int)tok.n, tok.p, o->name);
			break;
		}
		*(unsigned int *)field = mask;
		return CMDLINE_OK;
	case T_CONSOLE:
		rc = parse_console(o, v, out);
		if (rc != CMDLINE_OK) {
			cmdline_msg_add(m, "unknown value in \"%.*s\"; valid values for %s: ",
				(int)tok.n, tok.p, o->name);
			break;
		}
		return CMDLINE_OK;
	default:
		return CMDLINE_EVALUE;
	}
	cmdline_msg_values(m, o, l);
	return rc;
}

static int parse_token(struct token tok, const struct cmdline_lists *l, struct cmdline *out,
		       struct cmdline_msg *m)
{
	const struct cmdline_opt *o = NULL;
	struct token name = tok, value = { NULL, 0 };
	size_t eq;

	for (eq = 0; eq < tok.n && tok.p[eq] != '='; eq++)
		;
	name.n = eq;
	for (size_t i = 0; i < CMDLINE_NR_OPTS; i++)
		if (tok_is(name, cmdline_opts[i].name))
			o = &cmdline_opts[i];
	if (eq == tok.n) {
		cmdline_msg_add(m, "missing '=' in \"%.*s\"; ", (int)tok.n, tok.p);
		if (o) {
			cmdline_msg_add(m, "valid values for %s: ", o->name);
			cmdline_msg_values(m, o, l);
		} else {
			cmdline_msg_options(m);
		}
		return CMDLINE_ENOEQ;
	}
	if (!o) {
		cmdline_msg_add(m, "unknown option \"%.*s\"; ", (int)tok.n, tok.p);
		cmdline_msg_options(m);
		return CMDLINE_EUNKNOWN;
	}
	if (cmdline_given(out, (enum cmdline_opt_id)(o - cmdline_opts))) {
		cmdline_msg_add(m, "option given twice in \"%.*s\"; each at most once, ", (int)tok.n, tok.p);
		cmdline_msg_options(m);
		return CMDLINE_EDUP;
	}
	value.p = tok.p + eq + 1;
	value.n = tok.n - eq - 1;
	if (value.n == 0) {
		cmdline_msg_add(m, "empty value in \"%.*s\"; valid values for %s: ", (int)tok.n, tok.p, o->name);
		cmdline_msg_values(m, o, l);
		return CMDLINE_EEMPTY;
	}
	out->given |= 1u << (o - cmdline_opts);
	return opt_set(o, value, tok, l, out, m);
}

int cmdline_parse(const char *s, size_t len, const struct cmdline_lists *lists,
		  struct cmdline *out, char *err, size_t errsize)
{
	struct cmdline_msg m = { err, errsize, 0 };
	bool first = true;
	size_t i = 0;
	int rc;

	if (errsize > 0)
		err[0] = '\0';
	__builtin_memset(out, 0, sizeof(*out));
	for (size_t k = 0; k < CMDLINE_NR_OPTS; k++) {
		const struct cmdline_opt *o = &cmdline_opts[k];
		struct token def = { o->def, o->def ? __builtin_strlen(o->def) : 0 };
		if (o->def && (rc = opt_set(o, def, def, lists, out, &m)) != CMDLINE_OK)
			return rc;	/* a bad default in the table: a harness bug */
	}
	while (i < len && s[i]) {
		struct token tok;
		bool slash = false, eq = false;

		if (is_blank(s[i])) {
			i++;
			continue;
		}
		tok.p = s + i;
		for (; i < len && s[i] && !is_blank(s[i]); i++) {
			slash |= s[i] == '/';
			eq |= s[i] == '=';
		}
		tok.n = (size_t)(s + i - tok.p);
		if (first && slash && !eq) {
			out->image = tok.p;	/* GRUB's kernel path: skip it */
			out->image_len = tok.n;
		} else if ((rc = parse_token(tok, lists, out, &m)) != CMDLINE_OK) {
			return rc;
		}
		first = false;
	}
	return CMDLINE_OK;
}
