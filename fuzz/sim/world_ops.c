/* SPDX-License-Identifier: MIT */
/*
 * world_ops.c - the operation dispatcher of the world (world_state.h):
 * what each action of the decoded program (input.h) does, at task level
 * or injected at an access. A write pushes a frame on its CPU's writer
 * stack, opens a model attempt and calls the backend's writer (whose
 * accesses come back through world_access.c); the others are user space
 * (user.c), pause/resume, or a flush of the store buffers (memory.h).
 */
#include <stdio.h>
#include <string.h>

#include "world_state.h"

static void set_where(struct fz_cpu *c)
{
	struct model *m = &c->model;

	if (c->depth) {
		m->where.level = c->stack[c->depth - 1].level;
		m->where.site = c->stack[c->depth - 1].last;
	} else {
		m->where.level = USER_LEVEL;
	}
}

static void do_write(struct fz_world *w, const struct fz_write *wr)
{
	struct fz_cpu *c = w->cur;
	struct fz_frame *f;
	uint32_t seq;
	int ret;

	if (c->depth == UPRB_LEVEL_COUNT)
		model_fail(&c->model, "harness", "writer stack overflow");
	seq = c->seq[wr->src][wr->level]++;
	if (seq < FZ_MAX_WRITES)
		w->time[c->index][wr->src][wr->level][seq] = (uint32_t)++w->clock;
	f = &c->stack[c->depth++];
	memset(f, 0, sizeof(*f));
	f->w = wr;
	f->level = wr->level;
	f->last = UPRB_SITE_COUNT;
	f->id = model_begin(&c->model, wr->src, wr->size, wr->level, seq);
	if (c->depth > w->st.max_depth)
		w->st.max_depth = c->depth;
	w->st.writes++;
	w->st.nested += c->depth > 1;

	ret = w->be->write(c->wr, wr->src, wr->size, (uint8_t)wr->level,
			   (uint8_t)c->index, seq);
	if (f->held != HELD_NONE)
		fz_world_release_held(w, c, f);

	set_where(c);
	if (w->abandoned) {
		c->depth--;
		return;
	}
	model_end(&c->model, f->id, ret, f->wakeups);
	w->st.reserved += ret == 0;
	w->st.lost_records += ret == 0 && c->model.att[f->id].have_lost;
	w->st.paused += c->model.att[f->id].state == MA_PAUSED;
	w->st.nospace += c->model.att[f->id].state == MA_FAILED;
	c->depth--;
	set_where(c);
}

void fz_world_act(struct fz_world *w, const struct fz_action *a)
{
	struct fz_cpu *c = w->cur;

	if (w->abandoned)
		return;
	switch (a->kind) {
	case FZ_WRITE: {
		const struct fz_write *wr = &w->prog.writes[a->write];
		struct fz_cpu *on = &w->cpu[wr->cpu];

		if (on == c) {
			do_write(w, wr);
		} else if (on->depth) {
			/* Its writer is up the chain that led here. */
			w->st.busy++;
			if (w->verbose > 1)
				fprintf(stderr, "  cpu %u is busy: nothing\n", on->index);
		} else {
			/* A write on another CPU, while this one waits. */
			w->st.cross++;
			w->cur = on;
			do_write(w, wr);
			w->cur = c;
		}
		break;
	}
	case FZ_CONSUME:
		if (w->merged)
			fz_user_merged_round(w, a->arg8);
		else
			fz_user_consume(w, a->arg8);
		break;
	case FZ_PAUSE:
		c = &w->cpu[a->cpu];
		c->op_paused = a->arg8;
		fz_cpu_set_paused(c);
		break;
	case FZ_TAIL:
		fz_user_hostile_tail(w, a);
		break;
	case FZ_SCRIBBLE:
		fz_user_scribble(w, a);
		break;
	case FZ_VISIBLE:
		w->sc_flush = true;
		w->st.visible += fz_mem_flush(w->mem, (enum fz_mem_cpu)(a->arg8 & 1),
					      a->arg8 >> 4, 1 + (a->arg8 >> 1 & 7));
		w->sc_flush = false;
		break;
	default:
		break;
	}
}
