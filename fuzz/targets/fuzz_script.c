/* SPDX-License-Identifier: MIT */
/*
 * fuzz_script.c - uprb-script's text form on any bytes: the encoder
 * (fuzz/tools/script/) and the targets' decoders and printers
 * (sim/input.c, sim/rinput.c, sim/rdinput.c, sim/roinput.c), held to what fuzz/README.md
 * promises of them.
 *
 * Byte 0 picks the mode (bit 7) and a target with a text form (the rest,
 * modulo their count); the other bytes are the payload.
 *  - text: the payload is a script. The encoder either takes it or refuses
 *    with "fuzz_script:LINE: message" (or "fuzz_script: message"); never a
 *    crash, a leak or undefined behaviour. A script it takes must round-trip
 *    (below) from the bytes it wrote.
 *  - bytes: the payload is the target's input. Its decoded program, printed,
 *    must encode without error, and the bytes that gives must decode and
 *    print to the same text: decode(encode(decode(x))) == decode(x).
 *
 * UPRB_SCRIPT_PLANT=1 in the environment drops the second half of every
 * re-encoded input before it is decoded again: the round-trip check must
 * then fail (CTest fuzz.fuzz_script.planted).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rdinput.h"
#include "registry.h"
#include "rinput.h"
#include "roinput.h"
#include "script.h"

#define NAME "fuzz_script"

static char summary[160];

/* What the last run did, for the replay driver's -v. */
const char *fz_target_summary(void)
{
	return summary;
}

static bool planted(void)
{
	static int on = -1;

	if (on < 0) {
		const char *e = getenv("UPRB_SCRIPT_PLANT");
		on = e && !strcmp(e, "1");
	}
	return on;
}

/* The targets with a text form, in the registry's order. */
static const struct fz_target *texted(unsigned i)
{
	unsigned n = 0, k;

	for (k = 0; k < fz_ntargets; k++)
		if (fz_targets[k].input != FZ_INPUT_RAW)
			n++;
	i %= n;
	for (k = 0; k < fz_ntargets; k++) {
		if (fz_targets[k].input == FZ_INPUT_RAW)
			continue;
		if (i-- == 0)
			return &fz_targets[k];
	}
	abort(); /* unreachable: n > 0 (fuzz_writer_nest has a text form) */
}

/* The program @data decodes to for @t, as text (malloc'd). */
static char *print_decoded(const struct fz_target *t, const uint8_t *data,
			   size_t len)
{
	static struct fzr_program rp;
	static struct rdi_program rdp;
	static struct roi_program rop;
	static struct fz_program wp;
	char *text = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&text, &tlen);

	if (!f) {
		perror(NAME ": open_memstream");
		abort();
	}
	if (t->input == FZ_INPUT_READER) {
		fzr_decode(&rp, data, len);
		fzr_program_print(f, &rp);
	} else if (t->input == FZ_INPUT_READERS) {
		rdi_decode(&rdp, data, len);
		rdi_print(f, &rdp);
	} else if (t->input == FZ_INPUT_RING_OPTS) {
		roi_decode(&rop, data, len);
		roi_print(f, &rop);
	} else {
		fz_decode(&wp, fz_profile_find(t->name), data, len);
		fz_program_print(f, &wp);
	}
	if (fclose(f)) {
		perror(NAME ": printing a program");
		abort();
	}
	return text;
}

static void fail(const struct fz_target *t, const char *what,
		 const char *text, const char *detail)
{
	fprintf(stderr, NAME ": %s: %s\n--- text (%s) ---\n%s--- end ---\n",
		t->name, what, detail ? detail : "", text);
	abort();
}

/* decode(encode(@text)) must print as @text, @text being a printed program. */
static void round_trip(const struct fz_target *t, const char *text)
{
	unsigned char *bytes;
	size_t blen;
	const char *err;
	char *again;

	if (sc_encode(NAME, text, strlen(text), t->name, &bytes, &blen, &err))
		fail(t, "a printed program does not encode", text, err);
	if (planted())
		blen /= 2; /* the program's second half lost */
	again = print_decoded(t, bytes, blen);
	if (strcmp(again, text)) {
		fprintf(stderr, NAME ": re-encoded, it decodes to:\n%s", again);
		fail(t, "a printed program does not survive encode then decode",
		     text, "printed first");
	}
	free(again);
	free(bytes);
}

static void text_mode(const struct fz_target *t, const uint8_t *data,
		      size_t len)
{
	unsigned char *bytes;
	size_t blen;
	const char *err;
	char *text;

	if (sc_encode(NAME, (const char *)data, len, t->name, &bytes, &blen,
		      &err)) {
		if (strncmp(err, NAME ":", strlen(NAME ":")) || !err[strlen(NAME ":")]) {
			fprintf(stderr, NAME ": %s: a refusal not of the form "
				"'" NAME ":LINE: message': '%s'\n", t->name, err);
			abort();
		}
		snprintf(summary, sizeof(summary), "  %s text refused", t->name);
		return;
	}
	text = print_decoded(t, bytes, blen);
	round_trip(t, text);
	snprintf(summary, sizeof(summary), "  %s text taken, %zu bytes", t->name,
		 blen);
	free(text);
	free(bytes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fz_target *t;
	char *text;

	summary[0] = 0;
	if (size < 1)
		return 0;
	t = texted(data[0] & 0x7f);
	if (data[0] & 0x80) {
		text_mode(t, data + 1, size - 1);
		return 0;
	}
	text = print_decoded(t, data + 1, size - 1);
	round_trip(t, text);
	snprintf(summary, sizeof(summary), "  %s bytes round-trip", t->name);
	free(text);
	return 0;
}
