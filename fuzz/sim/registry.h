/* SPDX-License-Identifier: MIT */
/*
 * registry.h - the fuzz targets of fuzz/registry.txt in C: each target's
 * name, input format and, for the world's targets, its profile (struct
 * fz_profile: the operation and interrupt tables the decoder indexes).
 * The build turns the table into fuzz_registry.h (cmake/FuzzRegistry.cmake);
 * the targets, the world and uprb-script all read it from here, so they
 * decode and encode with exactly the same tables.
 */
#ifndef FZ_REGISTRY_H
#define FZ_REGISTRY_H

#include <stdbool.h>

#include "fuzz_registry.h"
#include "input.h"

/* How a target reads its bytes. */
enum fz_input {
	FZ_INPUT_WORLD,  /* the world's program (input.h) */
	FZ_INPUT_READER, /* fuzz_reader_corrupt's layout (rinput.h) */
	FZ_INPUT_READERS, /* fuzz_readers' layout (rdinput.h) */
	FZ_INPUT_RING_OPTS, /* fuzz_ring_opts' layout (roinput.h) */
	FZ_INPUT_RAW,    /* its own bytes, no text form */
};

struct fz_target {
	const char *name;
	enum fz_input input;
	bool world_writer;  /* drives the world's writer (backend.h) */
	const char *what;   /* what it drives */
};

/* fz_profile_<short>, e.g. fz_profile_writer_nest of fuzz_writer_nest. */
#define FZ_REGISTRY_DECLARE_(name, short, ...) \
	extern const struct fz_profile fz_profile_##short;
FZ_REGISTRY_PROFILES(FZ_REGISTRY_DECLARE_)
#undef FZ_REGISTRY_DECLARE_

/* Every target, in the table's order. */
extern const struct fz_target fz_targets[];
extern const unsigned fz_ntargets;

/* Return: the target called @name, or NULL. */
const struct fz_target *fz_target_find(const char *name);

/* Return: the profile of the world target @name, or NULL. */
const struct fz_profile *fz_profile_find(const char *name);

#endif /* FZ_REGISTRY_H */
