/* SPDX-License-Identifier: MIT */
/*
 * opt.h - one way to read a command line, for every stress program and the
 * bench: a table of options from which the parser (getopt_long underneath),
 * the --help text (with every bound and default), the checks between
 * options and the replay line are all made.
 *
 * Every rejected value is one line on stderr,
 *     <program>: option --<name>: '<value>': <why>
 * and the parse returns STRESS_EXIT_USAGE (2). Every count and duration has
 * an upper bound, which --help states.
 */
#ifndef STRESS_OPT_H
#define STRESS_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum sopt_kind {
	SOPT_FLAG,      /* bool *: true (false with SOPT_CLEAR); no value */
	SOPT_UINT,      /* unsigned int *: a whole number in [min, max] */
	SOPT_U64,       /* uint64_t *: a whole number in [min, max] */
	SOPT_BYTES,     /* uint64_t *: bytes, units K M G T, in [min, max] */
	SOPT_REAL,      /* double *: finite, in [rmin, rmax] */
	SOPT_SECONDS,   /* double *: a duration, units ns..d, in [rmin, rmax] */
	SOPT_CHOICE,    /* int *: the value of one of .choices */
	SOPT_TEXT,      /* const char **: the value, checked by .check */
	SOPT_PATH,      /* const char **: a file (outputs: opened by out.c) */
};

#define SOPT_POW2       (1u << 0)   /* numbers: a power of two */
#define SOPT_CLEAR      (1u << 1)   /* flags: store false */
#define SOPT_NO_REPLAY  (1u << 2)   /* not in the replay line (outputs) */

struct sopt_choice {
	const char *name;
	int value;
};

struct sopt {
	const char *name;              /* long name, without -- */
	char short_name;               /* 0: none */
	enum sopt_kind kind;
	void *dst;                     /* where the value goes */
	const char *meta;              /* the value in --help: "N", "S" */
	const char *help;              /* '\n' starts a new help line */
	uint64_t min, max;             /* UINT, U64, BYTES */
	double rmin, rmax;             /* REAL, SECONDS */
	unsigned int flags;
	const struct sopt_choice *choices;  /* CHOICE: ends with { NULL } */
	/* TEXT: check @arg, store what it means; false with @why. */
	bool (*check)(const char *arg, void *dst, char *why, size_t len);
	const char *def;               /* default in --help; NULL: from *dst */
	const char *section;           /* a heading printed before it */
	/* Filled by the parser. */
	const char *arg;               /* the last value given; flags: "" */
	char made[48];                 /* a value the program chose (a seed) */
};

enum sopt_rule_kind {
	SOPT_EXCLUDES,                 /* a and b may not both be given */
	SOPT_NEEDS,                    /* a only with b */
};

struct sopt_rule {
	enum sopt_rule_kind kind;
	const char *a, *b;
	const char *why;               /* said after the rule */
};

struct sopt_prog {
	const char *name;              /* in messages */
	const char *synopsis;          /* after "usage: <name> " */
	const char *about;             /* what the program does, before options */
	const char *epilogue;          /* after the options: exit statuses */
	struct sopt *opts;
	size_t nopts;
	const struct sopt_rule *rules;
	size_t nrules;
	bool command;                  /* [--] command [args] allowed */
	FILE *out, *err;               /* --help, errors; NULL: silent */
	/* Filled by the parser. */
	char **cmd;                    /* the command, NULL-terminated; or NULL */
	const char *argv0;
};

/* sopt_parse()'s return when --help was printed: exit 0. */
#define SOPT_HELP (-1)

/*
 * Parse @argv with @p's table: values into their dst, rules checked. Each
 * dst must hold its default before the call (--help prints it).
 * Return: 0, SOPT_HELP, or STRESS_EXIT_USAGE (the one line printed).
 */
int sopt_parse(struct sopt_prog *p, int argc, char **argv);

/* The option called @name (it must exist: a program's own table). */
struct sopt *sopt_find(const struct sopt_prog *p, const char *name);
bool sopt_given(const struct sopt_prog *p, const char *name);

/* Say that @name's value was chosen by the program (for the replay line). */
void sopt_set_made(const struct sopt_prog *p, const char *name,
		   const char *value);

/*
 * Refuse option @name: "<prog>: option --<name>: '<value>': <why>" (no
 * value for flags). Return: STRESS_EXIT_USAGE.
 */
int sopt_fail(const struct sopt_prog *p, const char *name, const char *fmt,
	      ...) __attribute__((format(printf, 3, 4)));

/*
 * Refuse the command line as a whole: "<prog>: <why>".
 * Return: STRESS_EXIT_USAGE.
 */
int sopt_error(const struct sopt_prog *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Refuse every given option of @p that is not in @allowed (NULL-ended):
 * "option --x: does nothing with --<mode>". Return: 0 or STRESS_EXIT_USAGE.
 */
int sopt_only(const struct sopt_prog *p, const char *mode,
	      const char *const *allowed);

void sopt_usage(const struct sopt_prog *p, FILE *f);

/*
 * "replay: <argv0> <every option given or made, in table order> [-- cmd]",
 * values shell-quoted where needed.
 */
void sopt_replay(const struct sopt_prog *p, FILE *f);

#endif /* STRESS_OPT_H */
