/* SPDX-License-Identifier: MIT */
/*
 * profiles.c - what each world target lets the input choose (input.h:
 * kind = ops[b % 8] for an operation, acts[b % 8] for an interrupt).
 * fuzz/tools/mkseeds.py reads these tables from this file.
 */
#include <string.h>

#include "profiles.h"

const struct fz_profile fz_profile_writer_nest = {
	.name = "fuzz_writer_nest",
	/* Mostly writes; the consumer and pause keep the ring moving. */
	.ops = { FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE,
		 FZ_CONSUME, FZ_CONSUME, FZ_PAUSE },
	/* Mostly nested writes; a consumer step or a pause in between. */
	.acts = { FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE,
		  FZ_CONSUME, FZ_CONSUME, FZ_PAUSE },
};

const struct fz_profile fz_profile_writer_tail = {
	.name = "fuzz_writer_tail",
	.ops = { FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_CONSUME, FZ_TAIL, FZ_TAIL,
		 FZ_SCRIBBLE, FZ_PAUSE },
	/* Tails moved under the writer's feet, and nested writes. */
	.acts = { FZ_WRITE, FZ_WRITE, FZ_TAIL, FZ_TAIL, FZ_TAIL, FZ_CONSUME,
		  FZ_SCRIBBLE, FZ_PAUSE },
};

const struct fz_profile *fz_profile_find(const char *name)
{
	static const struct fz_profile *const all[] = {
		&fz_profile_writer_nest, &fz_profile_writer_tail,
	};

	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
