/* SPDX-License-Identifier: MIT */
/*
 * out.h - the files a run writes (--json, --perf-data, --dump-samples),
 * opened before the run starts, so that an unwritable path costs nothing;
 * every write error up to the close is caught, so that a lost output never
 * ends in "result: ok".
 */
#ifndef STRESS_OUT_H
#define STRESS_OUT_H

#include <stdio.h>

#include "opt.h"

struct stress_out {
	const char *opt;       /* the option that named it, without -- */
	const char *path;      /* NULL: not asked for */
	FILE *f;
};

/*
 * Open each asked-for output of @outs for writing (truncating it). Two
 * options naming one file are refused. Return: 0, or STRESS_EXIT_USAGE
 * with "option --<opt>: '<path>': <why>" printed (nothing left open).
 */
int stress_outs_open(const struct sopt_prog *p, struct stress_out *outs,
		     unsigned int n);

/*
 * Flush and close @o. Return: 0 (or nothing open), or -errno of the first
 * failed write or the close, with "<prog>: option --<opt>: '<path>':
 * writing: <why>" printed on @err.
 */
int stress_out_close(struct stress_out *o, const char *prog, FILE *err);

#endif /* STRESS_OUT_H */
