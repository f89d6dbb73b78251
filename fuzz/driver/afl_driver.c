/* SPDX-License-Identifier: MIT */
/*
 * afl_driver.c - AFL++ persistent-mode main for a fuzz target: test cases
 * arrive in shared memory (__AFL_FUZZ_TESTCASE_BUF), the fork server is
 * deferred until after start-up (__AFL_INIT) and one process runs many
 * inputs (__AFL_LOOP), each through the target's LLVMFuzzerTestOneInput.
 *
 *   afl-fuzz -i SEEDS -o OUT -- <target>-afl     fuzz (no @@: shared memory)
 *   <target>-afl < FILE                          one input from stdin
 *   <target>-afl FILE...                         each file once, then exit
 *
 * Outside afl-fuzz the loop runs once on stdin (AFL++'s runtime falls back
 * to it), so afl-tmin, afl-cmin and afl-showmap work without @@. Built
 * with a compiler other than afl-clang-fast, the AFL macros below make it
 * a plain stdin/file runner.
 * Exit status: 0; a failing input aborts with its story line (a crash for
 * afl-fuzz).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"

#ifndef __AFL_FUZZ_TESTCASE_LEN
/* Not built by afl-clang-fast: one input from stdin. */
static unsigned char fz_afl_buf[1 << 20];
static ssize_t fz_afl_len;
#define __AFL_FUZZ_INIT() extern int fz_afl_unused
#define __AFL_INIT() ((void)0)
#define __AFL_FUZZ_TESTCASE_BUF fz_afl_buf
#define __AFL_FUZZ_TESTCASE_LEN                                                \
	((fz_afl_len = read(0, fz_afl_buf, sizeof(fz_afl_buf))) < 0 ? 0 : fz_afl_len)
#define __AFL_LOOP(n) (fz_afl_once++ == 0)
static int fz_afl_once;
#endif

__AFL_FUZZ_INIT();

/* Largest input one run takes; longer test cases are cut (as libFuzzer's
 * -max_len would): the decoders read at most a few KiB anyway. */
#define FZ_AFL_MAX_LEN (1u << 20)

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	size_t len;

	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(FZ_AFL_MAX_LEN);
	if (!buf) {
		fclose(f);
		fprintf(stderr, "%s: out of memory\n", path);
		return -1;
	}
	len = fread(buf, 1, FZ_AFL_MAX_LEN, f);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	printf("%s: ok (%zu bytes)\n", path, len);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char *buf;
	int err = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			err |= run_file(argv[i]);
		return err ? 2 : 0;
	}

	/* Everything above runs once; the fork server starts here. */
	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(100000)) {
		size_t len = (size_t)__AFL_FUZZ_TESTCASE_LEN;

		LLVMFuzzerTestOneInput(buf, len);
	}
	return 0;
}
