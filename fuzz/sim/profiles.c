/* SPDX-License-Identifier: MIT */
/*
 * profiles.c - what each world target lets the input choose (input.h:
 * kind = ops[b % 8] for an operation, acts[b % 8] for an interrupt).
 * fuzz/tools/mkseeds.py reads these tables from this file.
 */
#include <string.h>

#include "memory.h"
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

const struct fz_profile fz_profile_weak_memory = {
	.name = "fuzz_weak_memory",
	.memory = FZ_MEM_WEAK,
	/* Writes and reads, with stores made visible in between. */
	.ops = { FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_CONSUME, FZ_CONSUME,
		 FZ_VISIBLE, FZ_VISIBLE, FZ_PAUSE },
	/* At a writer's access: a reader window, visibility, a nested write. */
	.acts = { FZ_VISIBLE, FZ_VISIBLE, FZ_VISIBLE, FZ_CONSUME, FZ_CONSUME,
		  FZ_WRITE, FZ_WRITE, FZ_PAUSE },
};

const struct fz_profile fz_profile_multi_cpu = {
	.name = "fuzz_multi_cpu",
	/*
	 * Up to four CPUs, a ring each, forward non-overwrite (what perf
	 * record maps); sequentially consistent memory (world.h).
	 */
	.cpus = 4,
	.forward_only = true,
	/* Writes on any CPU, rounds of the merged consumer, pause/resume. */
	.ops = { FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_CONSUME,
		 FZ_CONSUME, FZ_CONSUME, FZ_PAUSE },
	/*
	 * At a writer's access: a write on another CPU (or nested on this
	 * one, by the [cpu] byte), a consumer round while it is in flight.
	 */
	.acts = { FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_CONSUME,
		  FZ_CONSUME, FZ_CONSUME, FZ_PAUSE },
};

const struct fz_profile fz_profile_loss_wakeup = {
	.name = "fuzz_loss_wakeup",
	/* Small rings (pages of 64..256 bytes): writes outgrow the space. */
	.page_sizes = 3,
	/* Writes, drains, and pause/resume as often as writes. */
	.ops = { FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_WRITE, FZ_CONSUME,
		 FZ_CONSUME, FZ_PAUSE, FZ_PAUSE },
	/* Pause/resume inside writers, nested writes, drains. */
	.acts = { FZ_PAUSE, FZ_PAUSE, FZ_PAUSE, FZ_WRITE, FZ_WRITE,
		  FZ_WRITE, FZ_CONSUME, FZ_CONSUME },
};

const struct fz_profile *fz_profile_find(const char *name)
{
	static const struct fz_profile *const all[] = {
		&fz_profile_writer_nest, &fz_profile_writer_tail,
		&fz_profile_weak_memory, &fz_profile_multi_cpu,
		&fz_profile_loss_wakeup,
	};

	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
