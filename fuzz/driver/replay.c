/* SPDX-License-Identifier: MIT */
/*
 * replay.c - runs fuzz inputs through a target without any fuzzer runtime
 * (gcc or clang): the CI corpus replay and the way to reproduce a crash.
 *
 *   <target>-replay [-v | -vv] FILE|DIR...
 *
 * Directories are walked recursively in name order, skipping dot files.
 * Each input prints "<path>: ok (<bytes> bytes)"; a failing one prints its
 * story line instead and aborts, so the last path printed is the culprit.
 * Each input runs twice (once with -vv): the second run must say what the
 * first said, since a run may not depend on earlier ones in the process
 * (the targets keep rings and tables between runs; libFuzzer reproduces a
 * crash in a fresh process).
 * -v adds what each run did; -vv also prints the decoded program and a
 * trace of the steps and interrupts.
 * At exit the rings kept between runs (rings.h) are freed, so that
 * LeakSanitizer (on in the ASan builds) sees a free the core leaves out,
 * and a ring's mapping must be gone (munmap).
 * Exit status: 0 when every input passed, 1 when a ring's mapping outlived
 * it, 2 on usage errors or when no input was found (an empty corpus is a
 * mistake, not a pass).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "driver.h"
#include "rings.h"

/* The world's account of a run (world.c); weak: targets without the world. */
const char *fz_world_summary(void) __attribute__((weak));

static unsigned long ran;
static int verbose;

/* What the last run did: the target's own account, or the world's. */
static const char *summary(void)
{
	if (fz_target_summary)
		return fz_target_summary();
	return fz_world_summary ? fz_world_summary() : "";
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			unsigned char *nb;

			cap = cap ? 2 * cap : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);

	printf("%s: ", path);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, len);
	if (verbose < 2) {
		char *first = strdup(summary());

		LLVMFuzzerTestOneInput(buf, len);
		if (!first || strcmp(first, summary())) {
			printf("\nreplay: %s: a second run in this process differs:\n%s\n%s\n",
			       path, first ? first : "(out of memory)", summary());
			fflush(stdout);
			abort();
		}
		free(first);
	}
	printf("ok (%zu bytes)\n", len);
	if (verbose)
		printf("%s\n", summary());
	fflush(stdout);
	free(buf);
	ran++;
	return 0;
}

static int run_path(const char *path);

static int run_dir(const char *path)
{
	struct dirent **names;
	int n, err = 0;

	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *sub;

		if (names[i]->d_name[0] != '.' &&
		    asprintf(&sub, "%s/%s", path, names[i]->d_name) >= 0) {
			err |= run_path(sub);
			free(sub);
		}
		free(names[i]);
	}
	free(names);
	return err;
}

static int run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return S_ISDIR(st.st_mode) ? run_dir(path) : run_file(path);
}

int main(int argc, char **argv)
{
	int i = 1, err = 0;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[i], "-vv")) {
			verbose = 2;
		} else {
			fprintf(stderr, "usage: %s [-v|-vv] FILE|DIR...\n", argv[0]);
			return 2;
		}
	}
	if (i == argc) {
		fprintf(stderr, "usage: %s [-v|-vv] FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (verbose > 1)
		setenv("UPRB_FUZZ_VERBOSE", "2", 1);
	for (; i < argc; i++)
		err |= run_path(argv[i]);
	if (fz_rings_free_all()) {
		printf("replay: a ring's memory outlived uprb_ring_free()\n");
		return 1;
	}
	printf("replay: %lu inputs ok\n", ran);
	if (err)
		return 2;
	if (!ran) {
		fprintf(stderr, "replay: no inputs found\n");
		return 2;
	}
	return 0;
}
