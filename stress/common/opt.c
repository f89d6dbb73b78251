/* SPDX-License-Identifier: MIT */
/*
 * opt.c - the command line of every stress program; see opt.h.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "parse.h"
#include "result.h"

#define HELP_COL 24
#define HELP_WIDTH 79
/* getopt_long's val of table entry i. */
#define VAL_BASE 1000

struct sopt *sopt_find(const struct sopt_prog *p, const char *name)
{
	for (size_t i = 0; i < p->nopts; i++)
		if (!strcmp(p->opts[i].name, name))
			return &p->opts[i];
	return NULL;
}

bool sopt_given(const struct sopt_prog *p, const char *name)
{
	const struct sopt *o = sopt_find(p, name);

	return o && o->arg;
}

void sopt_set_made(const struct sopt_prog *p, const char *name,
		   const char *value)
{
	struct sopt *o = sopt_find(p, name);

	if (o && !o->arg)
		snprintf(o->made, sizeof(o->made), "%s", value);
}

static bool takes_value(const struct sopt *o)
{
	return o->kind != SOPT_FLAG;
}

int sopt_fail(const struct sopt_prog *p, const char *name, const char *fmt,
	      ...)
{
	const struct sopt *o = sopt_find(p, name);
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!p->err)
		return STRESS_EXIT_USAGE;
	if (o && takes_value(o) && o->arg)
		fprintf(p->err, "%s: option --%s: '%s': %s\n", p->name, name,
			o->arg, why);
	else
		fprintf(p->err, "%s: option --%s: %s\n", p->name, name, why);
	return STRESS_EXIT_USAGE;
}

/* A message about the command line that no one option owns. */
int sopt_error(const struct sopt_prog *p, const char *fmt, ...)
{
	va_list ap;

	if (!p->err)
		return STRESS_EXIT_USAGE;
	fprintf(p->err, "%s: ", p->name);
	va_start(ap, fmt);
	vfprintf(p->err, fmt, ap);
	va_end(ap);
	fputc('\n', p->err);
	return STRESS_EXIT_USAGE;
}

int sopt_only(const struct sopt_prog *p, const char *mode,
	      const char *const *allowed)
{
	for (size_t i = 0; i < p->nopts; i++) {
		const struct sopt *o = &p->opts[i];
		const char *const *a;

		if (!o->arg)
			continue;
		for (a = allowed; *a && strcmp(*a, o->name); a++)
			;
		if (!*a)
			return sopt_fail(p, o->name, "does nothing with --%s",
					 mode);
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                   */
/* ------------------------------------------------------------------------ */

static const char *bound_text(const struct sopt *o, bool upper, char *buf,
			      size_t len)
{
	switch (o->kind) {
	case SOPT_BYTES:
		return sp_fmt_bytes(upper ? o->max : o->min, buf, len);
	case SOPT_REAL:
		return sp_fmt_real(upper ? o->rmax : o->rmin, buf, len);
	case SOPT_SECONDS:
		return sp_fmt_duration(upper ? o->rmax : o->rmin, buf, len);
	default:
		snprintf(buf, len, "%" PRIu64, upper ? o->max : o->min);
		return buf;
	}
}

/* A whole number's range and form. Return: NULL, or why it is refused. */
static const char *check_uint(const struct sopt *o, uint64_t v, char *why,
			      size_t len)
{
	char b[40];

	if (v < o->min)
		snprintf(why, len, "out of range: at least %s",
			 bound_text(o, false, b, sizeof(b)));
	else if (v > o->max)
		snprintf(why, len, "out of range: at most %s",
			 bound_text(o, true, b, sizeof(b)));
	else if ((o->flags & SOPT_POW2) && v && (v & (v - 1)))
		snprintf(why, len, "not a power of two");
	else if ((o->flags & SOPT_POW2) && !v)
		snprintf(why, len, "not a power of two");
	else
		return NULL;
	return why;
}

static bool store_choice(const struct sopt *o, const char *arg, char *why,
			 size_t len)
{
	size_t at = 0;

	for (const struct sopt_choice *c = o->choices; c->name; c++)
		if (!strcmp(c->name, arg)) {
			*(int *)o->dst = c->value;
			return true;
		}
	at += (size_t)snprintf(why, len, "not one of:");
	for (const struct sopt_choice *c = o->choices; c->name && at < len; c++)
		at += (size_t)snprintf(why + at, len - at, " %s", c->name);
	return false;
}

/* Store @arg into @o's dst. Return: true, or false with @why. */
static bool store(const struct sopt *o, const char *arg, char *why, size_t len)
{
	uint64_t v;
	double d;
	char b[40];

	switch (o->kind) {
	case SOPT_FLAG:
		*(bool *)o->dst = !(o->flags & SOPT_CLEAR);
		return true;
	case SOPT_UINT:
	case SOPT_U64:
	case SOPT_BYTES:
		if (!sp_uint(arg, o->kind == SOPT_BYTES, &v, why, len) ||
		    check_uint(o, v, why, len))
			return false;
		if (o->kind == SOPT_UINT)
			*(unsigned int *)o->dst = (unsigned int)v;
		else
			*(uint64_t *)o->dst = v;
		return true;
	case SOPT_REAL:
	case SOPT_SECONDS:
		if (!(o->kind == SOPT_REAL ? sp_real(arg, &d, why, len) :
		      sp_duration(arg, &d, why, len)))
			return false;
		if (d < o->rmin || d > o->rmax) {
			snprintf(why, len, "out of range: at %s %s",
				 d < o->rmin ? "least" : "most",
				 bound_text(o, d > o->rmax, b, sizeof(b)));
			return false;
		}
		*(double *)o->dst = d;
		return true;
	case SOPT_CHOICE:
		return store_choice(o, arg, why, len);
	case SOPT_TEXT:
		if (o->check && !o->check(arg, o->dst, why, len))
			return false;
		if (!o->check)
			*(const char **)o->dst = arg;
		return true;
	case SOPT_PATH:
		if (!*arg) {
			snprintf(why, len, "empty path");
			return false;
		}
		*(const char **)o->dst = arg;
		return true;
	}
	snprintf(why, len, "unknown option kind");
	return false;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */
/* ------------------------------------------------------------------------ */

/* getopt_long's tables for @p; NULL when out of memory. */
static struct option *long_options(const struct sopt_prog *p, char *shorts,
				   size_t slen)
{
	struct option *lo = calloc(p->nopts + 2, sizeof(*lo));
	size_t s = 0;

	if (!lo)
		return NULL;
	s += (size_t)snprintf(shorts, slen, "+:h");
	for (size_t i = 0; i < p->nopts; i++) {
		const struct sopt *o = &p->opts[i];

		lo[i] = (struct option){ o->name,
					 takes_value(o) ? required_argument :
							  no_argument,
					 NULL, VAL_BASE + (int)i };
		if (o->short_name && s + 3 < slen) {
			shorts[s++] = o->short_name;
			if (takes_value(o))
				shorts[s++] = ':';
			shorts[s] = 0;
		}
	}
	lo[p->nopts] = (struct option){ "help", no_argument, NULL, 'h' };
	return lo;
}

/* The table entry for short option @c, or NULL. */
static struct sopt *by_short(const struct sopt_prog *p, int c)
{
	for (size_t i = 0; i < p->nopts; i++)
		if (p->opts[i].short_name && p->opts[i].short_name == c)
			return &p->opts[i];
	return NULL;
}

/* getopt said '?' (unknown) or ':' (no value) about the word before optind. */
static int bad_word(const struct sopt_prog *p, int argc, char **argv, int c)
{
	const struct sopt *o = NULL;
	const char *text, *eq;
	unsigned int matches = 0;
	char name[64];

	/* glibc: optopt is the val of a known option, 0 for an unknown long one. */
	if (optopt >= VAL_BASE && optopt < VAL_BASE + (int)p->nopts)
		o = &p->opts[optopt - VAL_BASE];
	else if (optopt > 0 && optopt != 'h')
		o = by_short(p, optopt);
	if (o && c == ':')
		return sopt_fail(p, o->name, "needs a value (%s)",
				 o->meta ? o->meta : "a value");
	if (o)
		return sopt_fail(p, o->name, "takes no value");
	if (optopt == 'h')
		return sopt_error(p, "option --help: takes no value");
	if (optopt > 0)
		return sopt_error(p, "option -%c: unknown (see --help)", optopt);
	text = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : "";
	text += strspn(text, "-");
	eq = strchr(text, '=');
	snprintf(name, sizeof(name), "%.*s",
		 (int)(eq ? (size_t)(eq - text) : strlen(text)), text);
	for (size_t i = 0; i < p->nopts; i++)
		matches += !strncmp(p->opts[i].name, name, strlen(name));
	if (matches > 1)
		return sopt_error(p, "option --%s: ambiguous: more than one option starts so (see --help)",
				   name);
	return sopt_error(p, "option --%s: unknown (see --help)", name);
}

static int check_rules(const struct sopt_prog *p)
{
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sopt_rule *r = &p->rules[i];
		bool a = sopt_given(p, r->a), b = sopt_given(p, r->b);

		if (r->kind == SOPT_EXCLUDES && a && b)
			return sopt_fail(p, r->a, "cannot be combined with --%s (%s)",
					 r->b, r->why);
		if (r->kind == SOPT_NEEDS && a && !b)
			return sopt_fail(p, r->a, "only with --%s (%s)", r->b,
					 r->why);
	}
	return 0;
}

/* What follows the options: a command, or nothing. */
static int rest(struct sopt_prog *p, int argc, char **argv)
{
	bool dashes = optind > 1 && !strcmp(argv[optind - 1], "--");

	p->cmd = NULL;
	if (optind < argc) {
		if (!p->command)
			return sopt_error(p, "unexpected argument '%s' (this program takes options only; see --help)",
					   argv[optind]);
		if (!argv[optind][0])
			return sopt_error(p, "the command after the options is an empty word");
		p->cmd = &argv[optind];
		return 0;
	}
	if (dashes && p->command)
		return sopt_error(p, "'--' is not followed by a command");
	return 0;
}

int sopt_parse(struct sopt_prog *p, int argc, char **argv)
{
	char shorts[64], why[512];
	struct option *lo;
	int c, rc = 0;

	for (size_t i = 0; i < p->nopts; i++) {
		p->opts[i].arg = NULL;
		p->opts[i].made[0] = 0;
	}
	p->argv0 = argc > 0 ? argv[0] : p->name;
	lo = long_options(p, shorts, sizeof(shorts));
	if (!lo)
		return sopt_error(p, "out of memory");
	/* A fresh scan each call (0 re-initialises glibc's getopt). */
	optind = 0;
	opterr = 0;
	while (!rc && (c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		struct sopt *o;

		if (c == 'h') {
			if (p->out)
				sopt_usage(p, p->out);
			rc = SOPT_HELP;
			break;
		}
		if (c == '?' || c == ':') {
			rc = bad_word(p, argc, argv, c);
			break;
		}
		o = c >= VAL_BASE ? &p->opts[c - VAL_BASE] : by_short(p, c);
		if (!o) {
			rc = sopt_error(p, "option -%c: unknown (see --help)", c);
			break;
		}
		o->arg = takes_value(o) ? optarg : "";
		if (!store(o, o->arg, why, sizeof(why)))
			rc = sopt_fail(p, o->name, "%s", why);
	}
	free(lo);
	if (!rc)
		rc = rest(p, argc, argv);
	if (!rc)
		rc = check_rules(p);
	return rc;
}

/* ------------------------------------------------------------------------ */
/* --help and the replay line                                               */
/* ------------------------------------------------------------------------ */

/* Write @text from column @col, wrapped at HELP_WIDTH, new lines at '\n'. */
static void put_wrapped(FILE *f, int col, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		size_t room = (size_t)(HELP_WIDTH - col);

		if (n > room) {
			size_t cut = room;

			while (cut > 0 && p[cut] != ' ')
				cut--;
			n = cut ? cut : room;
		}
		fprintf(f, "%.*s\n", (int)n, p);
		p += n;
		while (*p == ' ' || *p == '\n')
			p++;
		if (*p)
			fprintf(f, "%*s", col, "");
	}
}

static const char *default_text(const struct sopt *o, char *buf, size_t len)
{
	if (o->def)
		return o->def;
	switch (o->kind) {
	case SOPT_UINT:
		snprintf(buf, len, "%u", *(unsigned int *)o->dst);
		return buf;
	case SOPT_U64:
		snprintf(buf, len, "%" PRIu64, *(uint64_t *)o->dst);
		return buf;
	case SOPT_BYTES:
		return sp_fmt_bytes(*(uint64_t *)o->dst, buf, len);
	case SOPT_REAL:
		return sp_fmt_real(*(double *)o->dst, buf, len);
	case SOPT_SECONDS:
		return sp_fmt_duration(*(double *)o->dst, buf, len);
	case SOPT_CHOICE:
		for (const struct sopt_choice *c = o->choices; c->name; c++)
			if (c->value == *(int *)o->dst)
				return c->name;
		return NULL;
	case SOPT_TEXT:
	case SOPT_PATH:
		return *(const char **)o->dst;
	case SOPT_FLAG:
		break;
	}
	return NULL;
}

/* "(1..64, a power of two; default 4)" for @o, into @buf. */
static void bounds_text(const struct sopt *o, char *buf, size_t len)
{
	char lo[40], hi[40], def[64];
	const char *d = default_text(o, def, sizeof(def));
	size_t at = 0;

	buf[0] = 0;
	if (o->kind == SOPT_UINT || o->kind == SOPT_U64 ||
	    o->kind == SOPT_BYTES || o->kind == SOPT_REAL ||
	    o->kind == SOPT_SECONDS)
		at = (size_t)snprintf(buf, len, "%s..%s%s",
				      bound_text(o, false, lo, sizeof(lo)),
				      bound_text(o, true, hi, sizeof(hi)),
				      o->flags & SOPT_POW2 ?
				      ", a power of two" : "");
	else if (o->kind == SOPT_CHOICE)
		for (const struct sopt_choice *c = o->choices; c->name && at < len; c++)
			at += (size_t)snprintf(buf + at, len - at, "%s%s",
					       c == o->choices ? "" : "|", c->name);
	if (d && *d && at < len)
		at += (size_t)snprintf(buf + at, len - at, "%sdefault %s",
				       at ? "; " : "", d);
}

void sopt_usage(const struct sopt_prog *p, FILE *f)
{
	fprintf(f, "usage: %s %s\n", p->name, p->synopsis);
	if (p->about)
		fputs(p->about, f);
	for (size_t i = 0; i < p->nopts; i++) {
		const struct sopt *o = &p->opts[i];
		char head[64], text[1024], bounds[256];
		int n;

		if (o->section)
			fprintf(f, "%s\n", o->section);
		if (o->short_name)
			n = snprintf(head, sizeof(head), "  -%c, --%s%s%s",
				     o->short_name, o->name,
				     takes_value(o) ? " " : "",
				     takes_value(o) ? o->meta : "");
		else
			n = snprintf(head, sizeof(head), "  --%s%s%s", o->name,
				     takes_value(o) ? " " : "",
				     takes_value(o) ? o->meta : "");
		fputs(head, f);
		if (n >= HELP_COL - 1)
			fprintf(f, "\n%*s", HELP_COL, "");
		else
			fprintf(f, "%*s", HELP_COL - n, "");
		bounds_text(o, bounds, sizeof(bounds));
		snprintf(text, sizeof(text), "%s%s%s%s", o->help,
			 bounds[0] ? " (" : "", bounds, bounds[0] ? ")" : "");
		put_wrapped(f, HELP_COL, text);
	}
	fprintf(f, "%-*s%s\n", HELP_COL, "  -h, --help", "this text");
	if (p->epilogue)
		fputs(p->epilogue, f);
}

/* @s as one shell word. */
static void put_word(FILE *f, const char *s)
{
	bool plain = *s != 0;

	for (const char *c = s; *c && plain; c++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			       "0123456789_,.:/=+-@%^", *c) != NULL;
	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

void sopt_replay(const struct sopt_prog *p, FILE *f)
{
	fputs("replay: ", f);
	put_word(f, p->argv0 ? p->argv0 : p->name);
	for (size_t i = 0; i < p->nopts; i++) {
		const struct sopt *o = &p->opts[i];
		const char *v = o->arg ? o->arg : o->made[0] ? o->made : NULL;

		if (!v || (o->flags & SOPT_NO_REPLAY))
			continue;
		fprintf(f, " --%s", o->name);
		if (takes_value(o)) {
			fputc(' ', f);
			put_word(f, v);
		}
	}
	if (p->cmd) {
		fputs(" --", f);
		for (char **a = p->cmd; *a; a++) {
			fputc(' ', f);
			put_word(f, *a);
		}
	}
	fputc('\n', f);
}
