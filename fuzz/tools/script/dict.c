/* SPDX-License-Identifier: MIT */
/*
 * dict.c - dictionaries that name sites and kinds by label (script.h,
 * sc_dict): a token such as an interrupt "site, nth 1, acts[0], on" is
 * written "{site:wakeup_load}\x00{act:pause}\x01" in fuzz/dict/ and
 * compiled into the bytes of the current site list and the target's
 * profile, so it keeps its meaning when either changes.
 *
 * Format (libFuzzer's -dict, AFL++'s -x): one token a line, [name=]"value",
 * value escapes \\ \" \xNN; '#' lines are comments. Every line is checked;
 * a literal '{' in a value is written \x7b.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

static const struct fz_profile *dprof;
static const char *dtarget;

/* The byte of "{what:label}": a writer site, or a kind's first index. */
static unsigned placeholder(const struct sc_line *ln, const char *what,
			    const char *label)
{
	const uint8_t *table;
	unsigned kind;

	if (!strcmp(what, "site")) {
		if (!strcmp(label, "any"))
			return FZ_SITE_ANY;
		kind = uprb_site_lookup(label);
		if (kind >= FZ_WRITER_SITES)
			sc_die(ln, "{site:%s}: not a writer site of port.h", label);
		return kind;
	}
	if (strcmp(what, "op") && strcmp(what, "act"))
		sc_die(ln, "{%s:%s}: a placeholder is {site:LABEL}, {op:KIND} "
		       "or {act:KIND} (a literal '{' is \\x7b)", what, label);
	if (!dprof)
		sc_die(ln, "{%s:%s}: %s has no world profile", what, label, dtarget);
	for (kind = 0; kind < FZ_KIND_COUNT; kind++)
		if (!strcmp(fz_kind_name(kind), label))
			break;
	if (kind == FZ_KIND_COUNT)
		sc_die(ln, "{%s:%s}: no such kind (nop write consume pause tail "
		       "scribble visible)", what, label);
	table = what[0] == 'o' ? dprof->ops : dprof->acts;
	for (unsigned i = 0; i < 8; i++)
		if (table[i] == kind)
			return i;
	sc_die(ln, "{%s:%s}: %s has no '%s' in its %ss (fuzz/registry.txt)",
	       what, label, dtarget, label, what);
}

/* The quoted value of a token line from @p on: escapes checked, each
 * placeholder replaced; the closing quote must end the line. */
static void value(const struct sc_line *ln, const char *p)
{
	sc_put8('"');
	for (p++; *p != '"'; p++) {
		if (!*p)
			sc_die(ln, "the value has no closing '\"'");
		if (*p == '\\') {
			if (p[1] == '\\' || p[1] == '"') {
				sc_put(p, 2);
				p++;
			} else if (p[1] == 'x' && isxdigit((unsigned char)p[2]) &&
				   isxdigit((unsigned char)p[3])) {
				sc_put(p, 4);
				p += 3;
			} else {
				sc_die(ln, "escapes are \\\\, \\\" and \\xNN");
			}
		} else if (*p == '{') {
			char what[8], label[64], hex[8];
			int n = 0;

			if (sscanf(p, "{%7[a-z]:%63[A-Za-z0-9_]}%n", what, label,
				   &n) != 2 || !n)
				sc_die(ln, "a placeholder is {site:LABEL}, {op:KIND} or "
				       "{act:KIND} (a literal '{' is \\x7b)");
			snprintf(hex, sizeof(hex), "\\x%02x",
				 placeholder(ln, what, label));
			sc_put(hex, 4);
			p += n - 1;
		} else if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f) {
			sc_die(ln, "write byte 0x%02x as \\x%02x", (unsigned char)*p,
			       (unsigned char)*p);
		} else {
			sc_put(p, 1);
		}
	}
	sc_put8('"');
	for (p++; *p == ' ' || *p == '\t' || *p == '\r'; p++)
		;
	if (*p)
		sc_die(ln, "nothing may follow the value");
}

/* One line: a comment or blank copied, a token checked and compiled. */
static void dict_line(const struct sc_line *ln, const char *p)
{
	const char *s = p;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '#' || *s == '\r') {
		sc_put(p, strlen(p));
		sc_put8('\n');
		return;
	}
	p = s;
	while (isalnum((unsigned char)*p) || *p == '_')
		p++;
	if (p != s) {
		sc_put(s, (size_t)(p - s));
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p++ != '=')
			sc_die(ln, "a token is NAME=\"VALUE\" or \"VALUE\"");
		sc_put8('=');
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (*p != '"')
		sc_die(ln, "a token is NAME=\"VALUE\" or \"VALUE\"");
	value(ln, p);
	sc_put8('\n');
}

int sc_dict(const char *file, const char *text, size_t len,
	    const char *target, unsigned char **out, size_t *outlen,
	    const char **err)
{
	static const char head[] = "# compiled by uprb-script dict: do not edit\n";
	const struct fz_target *t;
	char *p, *next;
	unsigned no = 0;

	memset(&sc, 0, offsetof(struct sc_state, fail));
	sc.file = file;
	if (setjmp(sc.fail)) {
		*err = sc.err;
		free(sc.text);
		free(sc.out);
		memset(&sc, 0, offsetof(struct sc_state, fail));
		return -1;
	}
	t = fz_target_find(target);
	if (!t)
		sc_die(NULL, "no target '%s' (fuzz/registry.txt)",
		       target ? target : "");
	dtarget = t->name;
	dprof = fz_profile_find(t->name);
	if (memchr(text, 0, len))
		sc_die(NULL, "not a text file (NUL byte)");
	sc.text = sc_realloc(NULL, len + 1);
	memcpy(sc.text, text, len);
	sc.text[len] = 0;
	sc_put(head, sizeof(head) - 1);
	for (p = sc.text; *p; p = next) {
		struct sc_line ln = { .no = ++no };

		next = strchr(p, '\n');
		if (next)
			*next++ = 0;
		else
			next = p + strlen(p);
		dict_line(&ln, p);
	}
	*out = sc.out;
	*outlen = sc.len;
	free(sc.text);
	memset(&sc, 0, offsetof(struct sc_state, fail));
	return 0;
}
