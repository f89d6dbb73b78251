/* SPDX-License-Identifier: MIT */
/*
 * fuzz_stress_options.c - the command lines of uprb-stress-core, uprb-bench
 * and uprb-stress-kernel through their own parsers (the tables, the value
 * parsers, the rules between options, the mode checks), as main() calls
 * them, silenced. The first byte picks the program; the rest, split at NUL
 * bytes, is argv[1..]. Nothing is opened, run or written: parsing has no
 * side effects. What must hold: no crash, no undefined behaviour, no leak,
 * and an answer of 0, --help or 2 (the usage status) - never anything else.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_opts.h"
#include "core_stress.h"
#include "driver.h"
#include "kstress.h"
#include "result.h"

#define MAX_ARGS 64

static char summary[128];

/* What the last run did, for the replay driver's -v. */
const char *fz_target_summary(void)
{
	return summary;
}

/* @data split at NULs into @argv (after argv[0]); copies into @buf. */
static int split(const uint8_t *data, size_t size, char *buf, char **argv)
{
	int argc = 1;

	argv[argc] = NULL;
	if (!size)
		return argc;
	memcpy(buf, data, size);
	buf[size] = 0;
	for (size_t at = 0; at <= size && argc < MAX_ARGS - 1;) {
		argv[argc++] = buf + at;
		at += strlen(buf + at) + 1;
	}
	argv[argc] = NULL;
	return argc;
}

static int parse(unsigned int prog, int argc, char **argv)
{
	struct sopt_prog p;
	int rc;

	switch (prog) {
	case 0: {
		static struct cs_opts o;

		cs_prog_init(&p, &o);
		p.out = p.err = NULL;
		argv[0] = "uprb-stress-core";
		return cs_parse_opts(&p, &o, argc, argv);
	}
	case 1: {
		static struct bench_opts o;

		bench_prog_init(&p, &o);
		p.out = p.err = NULL;
		argv[0] = "uprb-bench";
		return bench_parse_opts(&p, &o, argc, argv);
	}
	default: {
		static struct ks_opts o;

		ks_prog_init(&p, &o);
		p.out = p.err = NULL;
		argv[0] = "uprb-stress-kernel";
		rc = ks_parse_opts(&p, &o, argc, argv);
		return rc;
	}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf, *argv[MAX_ARGS];
	int argc, rc;

	if (!size || size > 4096)
		return 0;
	buf = malloc(size);
	if (!buf)
		return 0;
	argc = split(data + 1, size - 1, buf, argv);
	rc = parse(data[0] % 3, argc, argv);
	snprintf(summary, sizeof(summary), "  %s, %d arguments: %s",
		 argv[0], argc - 1, rc == 0 ? "taken" : rc == SOPT_HELP ?
		 "--help" : "refused (2)");
	free(buf);
	if (rc != 0 && rc != SOPT_HELP && rc != STRESS_EXIT_USAGE) {
		fprintf(stderr, "fuzz_stress_options: the parser answered %d\n", rc);
		abort();
	}
	return 0;
}
