/* SPDX-License-Identifier: MIT */
/*
 * uprb_script.c - fuzz inputs as readable text, and text back to inputs.
 *
 *   uprb-script decode [--target NAME] FILE            text on stdout
 *   uprb-script encode [--target NAME] TEXT -o OUT     bytes into OUT
 *   uprb-script dict --target NAME DICT -o OUT         compile a dictionary
 *   uprb-script targets [-v]                           the targets known
 *
 * Decoding runs the targets' own decoders (input.c, rinput.c, rdinput.c,
 * roinput.c) and printers,
 * so the text is what `<target>-replay -vv` shows. Encoding parses that
 * text (format: fuzz/README.md; encoder: script/) and writes the bytes
 * those decoders turn back into the same program:
 * decode(encode(decode(x))) == decode(x). The target is --target, else a
 * "target NAME" line of the text, else fuzz_writer_nest; the targets and
 * their formats come from fuzz/registry.txt. An error in the text is one
 * line "FILE:LINE: message" on stderr and exit status 2, never a crash;
 * nothing is written then.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "rdinput.h"
#include "registry.h"
#include "rinput.h"
#include "roinput.h"
#include "script.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: uprb-script decode [--target NAME] FILE\n"
		"       uprb-script encode [--target NAME] TEXT -o OUT\n"
		"       uprb-script dict --target NAME DICT -o OUT\n"
		"       uprb-script targets [-v]\n");
	return 2;
}

/* The whole of @path, NUL-terminated; NULL after saying why. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *nb;
	size_t n = 0, cap = 0, got;

	if (!f) {
		fprintf(stderr, "uprb-script: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	do {
		if (n + 4096 > cap) {
			cap = 2 * cap + 4096;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				fprintf(stderr, "uprb-script: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f)) {
		fprintf(stderr, "uprb-script: %s: read error\n", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

static int targets(bool verbose)
{
	/* enum fz_input's order */
	static const char *const inputs[] = {
		"world", "reader", "readers", "ring_opts", "raw",
	};

	for (unsigned i = 0; i < fz_ntargets; i++) {
		const struct fz_target *t = &fz_targets[i];

		if (verbose)
			printf("%-22s %-9s %s\n", t->name, inputs[t->input], t->what);
		else
			printf("%s\n", t->name);
	}
	return fflush(stdout) ? 2 : 0;
}

static int decode(const struct fz_target *t, const char *path)
{
	static struct fzr_program rp;
	static struct rdi_program rdp;
	static struct roi_program rop;
	static struct fz_program wp;
	size_t len;
	unsigned char *data = (unsigned char *)read_all(path, &len);

	if (!data)
		return 2;
	printf("target %s\n", t->name);
	if (t->input == FZ_INPUT_READER) {
		fzr_decode(&rp, data, len);
		fzr_program_print(stdout, &rp);
	} else if (t->input == FZ_INPUT_READERS) {
		rdi_decode(&rdp, data, len);
		rdi_print(stdout, &rdp);
	} else if (t->input == FZ_INPUT_RING_OPTS) {
		roi_decode(&rop, data, len);
		roi_print(stdout, &rop);
	} else {
		fz_decode(&wp, fz_profile_find(t->name), data, len);
		fz_program_print(stdout, &wp);
	}
	free(data);
	return fflush(stdout) ? 2 : 0;
}

/* encode or dict: @path's text through @fn into @out. */
static int compile(int (*fn)(const char *, const char *, size_t, const char *,
			     unsigned char **, size_t *, const char **),
		   const char *target, const char *path, const char *out)
{
	size_t len, outlen;
	unsigned char *bytes;
	const char *err;
	char *text = read_all(path, &len);
	FILE *f;
	int rc;

	if (!text)
		return 2;
	rc = fn(path, text, len, target, &bytes, &outlen, &err);
	free(text);
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	f = fopen(out, "wb");
	if (!f || fwrite(bytes, 1, outlen, f) != outlen || fclose(f)) {
		fprintf(stderr, "uprb-script: %s: %s\n", out, strerror(errno));
		free(bytes);
		return 2;
	}
	free(bytes);
	return 0;
}

int main(int argc, char **argv)
{
	const char *target = NULL, *out = NULL, *in = NULL;
	const struct fz_target *t = NULL;
	int i;

	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "targets")) {
		if (argc > 3 || (argc == 3 && strcmp(argv[2], "-v")))
			return usage();
		return targets(argc == 3);
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--target") && i + 1 < argc && !target) {
			target = argv[++i];
			t = fz_target_find(target);
			if (!t) {
				fprintf(stderr, "uprb-script: unknown target %s "
					"(uprb-script targets)\n", target);
				return 2;
			}
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc && !out) {
			out = argv[++i];
		} else if (argv[i][0] == '-' || in) {
			return usage();
		} else {
			in = argv[i];
		}
	}
	if (!in)
		return usage();
	if (!strcmp(argv[1], "decode") && !out) {
		t = t ? t : fz_target_find("fuzz_writer_nest");
		if (!t) {
			fprintf(stderr, "uprb-script: decode needs --target NAME\n");
			return 2;
		}
		if (t->input == FZ_INPUT_RAW) {
			fprintf(stderr, "uprb-script: %s reads raw bytes: it has no "
				"text form\n", t->name);
			return 2;
		}
		return decode(t, in);
	}
	if (!strcmp(argv[1], "encode") && out)
		return compile(sc_encode, target, in, out);
	if (!strcmp(argv[1], "dict") && out && target)
		return compile(sc_dict, target, in, out);
	return usage();
}
