/* SPDX-License-Identifier: MIT */
/*
 * script.c - the encoder's entry point (script.h): one call, one text, its
 * target from the registry (fuzz/registry.txt), bytes or a message out.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"

/* Free what a call made, keeping nothing for the next one. */
static void sc_reset(void)
{
	for (unsigned i = 0; i < sc.nnodes; i++)
		free(sc.nodes[i].site);
	free(sc.text);
	free(sc.lines);
	free(sc.nodes);
	free(sc.tops);
	free(sc.out);
	memset(&sc, 0, offsetof(struct sc_state, fail));
}

/* The targets with a text form, for messages. */
static const char *text_targets(void)
{
	static char list[512];
	size_t used = 0;

	list[0] = 0;
	for (unsigned i = 0; i < fz_ntargets && used < sizeof(list); i++)
		if (fz_targets[i].input != FZ_INPUT_RAW)
			used += (size_t)snprintf(list + used, sizeof(list) - used,
						 "%s%s", used ? ", " : "",
						 fz_targets[i].name);
	return list;
}

/* The target a text is for: --target, its "target NAME" line, or the
 * default; the line is taken out of sc.lines. */
static const struct fz_target *which_target(const char *target)
{
	const struct fz_target *t;

	if (sc.nlines && sc_is(&sc.lines[0], 0, "target")) {
		const struct sc_line *ln = &sc.lines[0];

		t = fz_target_find(sc_tok(ln, 1));
		if (ln->ntok != 2 || !t)
			sc_die(ln, "target: one of %s (fuzz/registry.txt), not '%s'",
			       text_targets(), sc_tok(ln, 1) ? sc_tok(ln, 1) : "");
		if (target && strcmp(target, t->name))
			sc_die(ln, "text is for %s, --target says %s", t->name,
			       target);
		memmove(sc.lines, sc.lines + 1, --sc.nlines * sizeof(*sc.lines));
		target = t->name;
	}
	t = fz_target_find(target ? target : "fuzz_writer_nest");
	if (!t)
		sc_die(NULL, "no target '%s' (targets: %s)", target, text_targets());
	if (t->input == FZ_INPUT_RAW)
		sc_die(NULL, "%s reads raw bytes: it has no text form "
		       "(fuzz/registry.txt)", t->name);
	return t;
}

/* Copy @len bytes of @text for the call; NUL bytes are no text. */
static void take_text(const char *file, const char *text, size_t len)
{
	sc.file = file;
	if (memchr(text, 0, len))
		sc_die(NULL, "not a text file (NUL byte)");
	sc.text = sc_realloc(NULL, len + 1);
	memcpy(sc.text, text, len);
	sc.text[len] = 0;
}

int sc_encode(const char *file, const char *text, size_t len,
	      const char *target, unsigned char **out, size_t *outlen,
	      const char **err)
{
	const struct fz_target *t;

	sc_reset();
	if (setjmp(sc.fail)) {
		*err = sc.err;
		sc_reset();
		return -1;
	}
	take_text(file, text, len);
	sc_split();
	t = which_target(target);
	if (t->input == FZ_INPUT_READER)
		sc_encode_reader();
	else if (t->input == FZ_INPUT_READERS)
		sc_encode_readers();
	else if (t->input == FZ_INPUT_RING_OPTS)
		sc_encode_ring_opts();
	else
		sc_encode_world(fz_profile_find(t->name));
	*out = sc.out;
	*outlen = sc.len;
	sc.out = NULL;
	sc_reset();
	return 0;
}
