/*
 * cmdline_opts.h: private to kernel/lib/cmdline*.c. The shape of the boot-option table
 * (cmdline_opts.c owns the table itself), the names valid for each option, and the one-line
 * message builder that the parser's errors and the usage text share.
 */
#ifndef CMDLINE_OPTS_H
#define CMDLINE_OPTS_H

#include <stdarg.h>
#include <stddef.h>
#include "cmdline.h"

enum opt_type { T_UINT, T_U64, T_CHOICE, T_LEVELS, T_CONSOLE };
enum opt_list { LIST_NONE, LIST_TESTS, LIST_MUTATIONS };	/* caller names also valid */

struct cmdline_choice {
	const char *name;
	int value;
};

struct cmdline_opt {
	const char *name;			/* also the name of its field in struct cmdline */
	enum opt_type type;
	size_t offset;				/* of the field in struct cmdline */
	unsigned int min;			/* T_UINT */
	unsigned int max;			/* T_UINT; 0: UINT32_MAX */
	const struct cmdline_choice *choices;	/* T_CHOICE, T_LEVELS: the fixed names */
	size_t nchoices;
	enum opt_list list;			/* T_CHOICE */
	const char *def;			/* parsed like a value; NULL: 0, the test decides */
	const char *desc;
};

extern const struct cmdline_opt cmdline_opts[CMDLINE_NR_OPTS];

/* A message being built; appends stop quietly (and stay NUL-terminated) at the end. */
struct cmdline_msg {
	char *buf;
	size_t size;
	size_t pos;
};

void cmdline_msg_add(struct cmdline_msg *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends the valid values of o, space-separated (names) or as a sentence (numbers). */
void cmdline_msg_values(struct cmdline_msg *m, const struct cmdline_opt *o,
			const struct cmdline_lists *l);
/* Appends "valid options: test seconds ...". */
void cmdline_msg_options(struct cmdline_msg *m);
/* The i-th valid name of a T_CHOICE or T_LEVELS option (fixed, then the caller's), or NULL. */
const char *cmdline_choice_name(const struct cmdline_opt *o, const struct cmdline_lists *l,
				size_t i);

#endif /* CMDLINE_OPTS_H */
