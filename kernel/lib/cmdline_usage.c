/*
 * cmdline_usage.c: the usage text of the boot options (cmdline_usage() in cmdline.h): for each
 * row of cmdline_opts[], "name=default  description", then its valid values wrapped at
 * USAGE_WIDTH columns. Each line goes to the caller's print callback whole (kprintf is
 * line-atomic), without a trailing newline; the caller prints any heading. No state.
 */
#include <stdbool.h>
#include "cmdline_opts.h"
#include "format.h"

enum {
	USAGE_WIDTH = 78,
	USAGE_VALUES_MAX = 1024,	/* longer value lists are cut (with a '+' at the cut) */
};

static const char usage_first[] = "        values:";
static const char usage_next[]  = "               ";

/* Prints text as words after usage_first, wrapping onto lines that start with usage_next. */
static void usage_wrapped(const char *text, void (*print)(void *ctx, const char *line), void *ctx)
{
	char buf[USAGE_WIDTH + 64];
	struct cmdline_msg line = { buf, sizeof(buf), 0 };
	bool words = false;

	cmdline_msg_add(&line, "%s", usage_first);
	for (const char *p = text; *p;) {
		size_t n = 0;

		if (*p == ' ') {
			p++;
			continue;
		}
		while (p[n] && p[n] != ' ')
			n++;
		if (words && line.pos + 1 + n > USAGE_WIDTH) {
			print(ctx, buf);
			line.pos = 0;
			cmdline_msg_add(&line, "%s", usage_next);
		}
		cmdline_msg_add(&line, " %.*s", (int)n, p);
		words = true;
		p += n;
	}
	print(ctx, buf);
}

void cmdline_usage(const struct cmdline_lists *lists,
		   void (*print)(void *ctx, const char *line), void *ctx)
{
	char values[USAGE_VALUES_MAX];
	char head[USAGE_WIDTH + 64];
	char col[48];

	for (size_t i = 0; i < CMDLINE_NR_OPTS; i++) {
		const struct cmdline_opt *o = &cmdline_opts[i];
		struct cmdline_msg m = { values, sizeof(values), 0 };

		const char *def = o->def ? o->def : "<test's>";

		if (!o->def && o->list == LIST_TESTS && lists && lists->ntests)
			def = lists->tests[0];	/* field 0: the first test is the default */
		ksnprintf(col, sizeof(col), "%s=%s", o->name, def);
		ksnprintf(head, sizeof(head), "  %-22s %s", col, o->desc);
		print(ctx, head);
		cmdline_msg_values(&m, o, lists);
		if (m.pos >= sizeof(values) - 1)
			values[sizeof(values) - 2] = '+';
		usage_wrapped(values, print, ctx);
	}
}
