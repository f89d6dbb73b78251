/* SPDX-License-Identifier: MIT */
/*
 * world.c - the run loop of the simulated world of world.h: the one world
 * instance, the choice of backend (or two, differential: diff.h), and a
 * run of one input: decode it, set up every CPU (world_cpu.c), run its
 * top-level operations (world_ops.c) with the seam hook installed
 * (world_access.c), compare every CPU with its model once all is idle
 * after each, then the end of the run (finish.c); and the run's account
 * as one line of text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "diff.h"
#include "memory.h"
#include "merge.h"
#include "model.h"
#include "schedcov.h"
#include "world.h"
#include "world_state.h"

/* Store buffers and the consumer's view (memory.h): large, so not per CPU. */
static struct fz_mem mem;
static struct fz_world world = { .mem = &mem };

/* Every store made so far becomes visible: they all do, eventually. */
void fz_world_settle(struct fz_world *w)
{
	fz_mem_drain(w->mem, FZ_MEM_WRITER);
	fz_mem_drain(w->mem, FZ_MEM_READER);
}

void fz_world_use(const struct fz_backend *be)
{
	world.be = be;
}

/* After top-level operation @step: compare (or record) every CPU's outcome. */
static void diff_point(struct fz_world *w, unsigned step, const char *what)
{
	for (unsigned k = 0; k < w->ncpu; k++) {
		struct fz_cpu *c = &w->cpu[k];
		struct fz_diff_view v = {
			.data = c->rb->data_pages[0],
			.data_size = c->rb->nr_pages ? c->rb->data_size : 0,
			.data_head = c->rb->user_page->data_head,
			.data_tail = c->rb->user_page->data_tail,
			.nsrc = w->prog.cfg.nsrc,
			.wakeups = c->wakeups,
		};
		const char *why;

		w->be->state(c->wr, &v.st);
		for (unsigned i = 0; i < v.nsrc; i++)
			v.src_lost[i] = w->be->src_lost(c->wr, i);
		why = fz_diff_point(k, step, &v);
		c->model.where.site = UPRB_SITE_COUNT;
		c->model.where.loc = NULL;
		if (why)
			model_fail(&c->model, "differential",
				   "after step %u (%s): %s backend, then %s backend: %s",
				   step, what, w->first->name, w->second->name, why);
	}
}

static void run_once(struct fz_world *w, const struct fz_profile *prof,
		     const uint8_t *data, size_t len)
{
	struct uprb_sim_hooks hooks = { .access = fz_world_access, .ctx = w };
	struct fz_stats *st = &w->st;
	struct model *models[FZ_MAX_CPUS];

	fz_world_settings(w, prof);
	w->abandoned = false;
	memset(&w->st, 0, sizeof(w->st));
	fz_decode(&w->prog, prof, data, len);
	/* A backend without the drop-oversize policy has the kernel's: wrap. */
	if (!w->be->oversize_drop || (w->second && !w->second->oversize_drop))
		w->prog.cfg.oversize_drop = false;
	if (w->verbose > 1)
		fz_program_print(stderr, &w->prog);

	w->ncpu = w->prog.cfg.ncpu;
	w->merged = prof->cpus > 1;
	/* The memory model (memory.h) is one ring's: SC with several CPUs. */
	if (w->ncpu > 1)
		w->memory = FZ_MEM_SC;
	/* Differential mode: the features of both backends' runs. */
	w->schedcov = fz_schedcov_begin(w->memory != FZ_MEM_SC,
					!w->second || w->be == w->first);
	w->clock = 0;
	st->cpus = w->ncpu;
	for (unsigned i = 0; i < w->ncpu; i++) {
		w->cpu[i].index = i;
		w->cpu[i].world = w;
		w->cur = &w->cpu[i];
		fz_cpu_setup(w, &w->cpu[i]);
		models[i] = &w->cpu[i].model;
	}
	w->cur = &w->cpu[0];
	if (w->merged)
		fz_merge_reset(&w->merge, w->ncpu, models, w->verbose);
	uprb_sim_hooks = &hooks;
	for (unsigned i = 0; i < w->prog.nops; i++) {
		const struct fz_action *a = &w->prog.ops[i];

		for (unsigned k = 0; k < w->ncpu; k++)
			w->cpu[k].model.where.step = i + 1;
		/* A top-level operation runs on the CPU it names. */
		w->cur = &w->cpu[a->kind == FZ_WRITE ? w->prog.writes[a->write].cpu :
				 a->kind == FZ_PAUSE ? a->cpu : 0];
		if (w->verbose > 1 && w->prog.cfg.cpu_bytes &&
		    (a->kind == FZ_WRITE || a->kind == FZ_PAUSE))
			fprintf(stderr, "step %u: %s on cpu %u\n", i + 1,
				fz_kind_name(a->kind), w->cur->index);
		else if (w->verbose > 1)
			fprintf(stderr, "step %u: %s\n", i + 1,
				fz_kind_name(a->kind));
		fz_world_act(w, a);
		fz_world_settle(w);
		if (w->abandoned)
			break;
		for (unsigned k = 0; k < w->ncpu; k++) {
			model_idle(&w->cpu[k].model, false);
			fz_cpu_paused_as_asked(&w->cpu[k]);
		}
		if (w->second)
			diff_point(w, i + 1, fz_kind_name(a->kind));
		w->st.ops++;
	}
	for (unsigned k = 0; k < w->ncpu; k++)
		w->cpu[k].model.where.step = w->prog.nops;
	fz_world_finish(w);
	uprb_sim_hooks = NULL;
	for (unsigned k = 0; k < w->ncpu; k++)
		fz_cpu_teardown(w, &w->cpu[k]);
}

void fz_world_run(const struct fz_profile *prof, const uint8_t *data,
		  size_t len)
{
	static int verbose = -1;
	struct fz_world *w = &world;

	if (verbose < 0) {
		const char *e = getenv("UPRB_FUZZ_VERBOSE");

		verbose = e ? atoi(e) : 0;
	}
	w->verbose = verbose;
	w->prof = prof;
	if (!w->second) {
		run_once(w, prof, data, len);
		fz_schedcov_end();
		return;
	}
	/* Differential: the first backend records, the second must agree. */
	fz_diff_begin(0);
	w->be = w->first;
	if (w->verbose > 1)
		fprintf(stderr, "differential: the %s backend\n", w->be->name);
	run_once(w, prof, data, len);
	fz_diff_begin(1);
	w->be = w->second;
	if (w->verbose > 1)
		fprintf(stderr, "differential: the %s backend\n", w->be->name);
	run_once(w, prof, data, len);
	w->st.diff_compared = fz_diff_compared();
	w->st.diff_diverged = fz_diff_diverged();
	fz_schedcov_end();
}

void fz_world_diff(const struct fz_backend *first,
		   const struct fz_backend *second)
{
	world.first = first;
	world.second = second;
}

const char *fz_world_summary(void)
{
	static char buf[800];
	const struct fz_stats *s = &world.st;
	int n;

	n = snprintf(buf, sizeof(buf),
		     "  %llu ops, %llu writes (%llu nested, depth %u, %llu interrupts), "
		     "%llu reserved, %llu paused, %llu no space, %llu LOST, "
		     "%llu wake-ups, %llu records read, %llu hostile, %llu reader errors, "
		     "%llu bytes, %s",
		     (unsigned long long)s->ops, (unsigned long long)s->writes,
		     (unsigned long long)s->nested, s->max_depth,
		     (unsigned long long)s->irqs, (unsigned long long)s->reserved,
		     (unsigned long long)s->paused, (unsigned long long)s->nospace,
		     (unsigned long long)s->lost_records,
		     (unsigned long long)s->wakeups,
		     (unsigned long long)s->records_read,
		     (unsigned long long)s->hostile,
		     (unsigned long long)s->reader_errors,
		     (unsigned long long)s->bytes,
		     s->strict ? "checked against the model" :
				 "consumer unchecked after hostile user space");
	if (s->known_hits && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  known defect looked past %llu times (UPRB_SIM_PAST)",
			      (unsigned long long)s->known_hits);
	if (s->stamp_ahead && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  wake-up stamp ahead of the head at %llu idle points "
			      "(every write then steps it and wakes the reader)",
			      (unsigned long long)s->stamp_ahead);
	if (s->buffered && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  memory %s: %llu stores buffered, %llu made visible by the input, "
			      "%llu stale bytes read%s",
			      fz_mem_model_name(world.memory),
			      (unsigned long long)s->buffered,
			      (unsigned long long)s->visible,
			      (unsigned long long)s->stale_bytes,
			      s->abandoned ? ", cut short: no consistent ending" : "");
	if (world.second && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  differential %s vs %s: %u of %llu steps identical%s",
			      world.first->name, world.second->name,
			      s->diff_compared, (unsigned long long)s->ops,
			      s->diff_diverged ? ", then the schedules diverge (an interrupt "
			      "fired at a different access)" : "");
	else if (world.be && world.be != &fz_backend_core && n > 0 &&
		 (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  backend %s (%s)", world.be->name, world.be->version);
	if ((world.schedcov & FZ_SC_FAMILIES) && n > 0 && (size_t)n < sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "\n  schedule features: %u (digest %016llx; %s)",
			      fz_schedcov_count(),
			      (unsigned long long)fz_schedcov_digest(),
			      fz_schedcov_describe());
	if (world.merged && n > 0 && (size_t)n < sizeof(buf))
		snprintf(buf + n, sizeof(buf) - (size_t)n,
			 "\n  %u CPUs: %llu writes run from another CPU's writer, %llu skipped (CPU busy), "
			 "%llu rounds, %llu records merged in time order, %llu late",
			 s->cpus, (unsigned long long)s->cross,
			 (unsigned long long)s->busy,
			 (unsigned long long)s->rounds,
			 (unsigned long long)s->merged,
			 (unsigned long long)s->late);
	return buf;
}
