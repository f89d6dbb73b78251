/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the profiles and the target table of fuzz/registry.txt,
 * expanded from the build's fuzz_registry.h (registry.h).
 */
#include <string.h>

#include "memory.h"
#include "registry.h"

/* "(a, b, c)" -> "a, b, c": the kind lists come parenthesised. */
#define FZ_REGISTRY_LIST_(...) __VA_ARGS__

#define FZ_REGISTRY_PROFILE_(tname, short, mem, ncpus, psizes, fwd, op, act) \
	const struct fz_profile fz_profile_##short = {                      \
		.name = #tname,                                            \
		.memory = mem,                                             \
		.cpus = ncpus,                                             \
		.page_sizes = psizes,                                      \
		.forward_only = fwd,                                       \
		.ops = { FZ_REGISTRY_LIST_ op },                           \
		.acts = { FZ_REGISTRY_LIST_ act },                         \
	};
FZ_REGISTRY_PROFILES(FZ_REGISTRY_PROFILE_)

/* A world target's profile by its name; NULL for the others. */
#define FZ_REGISTRY_PROFILE_OF_(tname, short, ...) \
	if (!strcmp(name, #tname))                  \
		return &fz_profile_##short;

const struct fz_profile *fz_profile_find(const char *name)
{
	FZ_REGISTRY_PROFILES(FZ_REGISTRY_PROFILE_OF_)
	return NULL;
}

#define FZ_REGISTRY_TARGET_(tname, in, ww, text) \
	{ .name = #tname, .input = in, .world_writer = ww, .what = text },

const struct fz_target fz_targets[] = { FZ_REGISTRY_TARGETS(FZ_REGISTRY_TARGET_) };
const unsigned fz_ntargets = sizeof(fz_targets) / sizeof(fz_targets[0]);

const struct fz_target *fz_target_find(const char *name)
{
	for (unsigned i = 0; name && i < fz_ntargets; i++)
		if (!strcmp(fz_targets[i].name, name))
			return &fz_targets[i];
	return NULL;
}
