/* SPDX-License-Identifier: MIT */
/*
 * profiles.h - the operation and interrupt tables (struct fz_profile) of
 * the world's targets, in one place so that uprb-script decodes and
 * encodes with exactly the tables the targets use.
 */
#ifndef FZ_PROFILES_H
#define FZ_PROFILES_H

#include "input.h"

extern const struct fz_profile fz_profile_writer_nest;
extern const struct fz_profile fz_profile_writer_tail;
extern const struct fz_profile fz_profile_weak_memory;
extern const struct fz_profile fz_profile_multi_cpu;
extern const struct fz_profile fz_profile_loss_wakeup;

/* Return: the profile of the world target @name, or NULL. */
const struct fz_profile *fz_profile_find(const char *name);

#endif /* FZ_PROFILES_H */
