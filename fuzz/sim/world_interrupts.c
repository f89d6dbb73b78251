/* SPDX-License-Identifier: MIT */
/*
 * world_interrupts.c - interrupt and NMI injection (world_state.h): at
 * every seam access of a running writer, the actions its plan names for
 * that access (a nested write at a higher level, a write on another CPU,
 * a consumer step, pause/resume, a hostile store, a flush) run first, as
 * an interrupt arriving before that access would; each is told to the
 * differential record (diff.h) and to schedule coverage (schedcov.h).
 */
#include <stdio.h>

#include "diff.h"
#include "schedcov.h"
#include "world_state.h"

/* The top-level operation running (1-based), as the models know it. */
static unsigned c_step(const struct fz_world *w)
{
	return w->cur->model.where.step;
}

/*
 * Schedule coverage (schedcov.h): action @act injected before @f's access
 * at @site, with where it runs and (FZ_SC_STATE) the ring's state then.
 */
static void sc_inject(struct fz_world *w, struct fz_cpu *c,
		      const struct fz_frame *f, enum uprb_site site,
		      const struct fz_action *act)
{
	unsigned to_cpu = c->index, to_level = FZ_SC_NONE;
	struct fz_writer_state ws;
	struct fz_sc_state st = { 0 };

	if (act->kind == FZ_WRITE) {
		to_cpu = w->prog.writes[act->write].cpu;
		to_level = w->prog.writes[act->write].level;
	} else if (act->kind == FZ_CONSUME || act->kind == FZ_PAUSE) {
		to_level = FZ_SC_USER;
	}
	if (w->schedcov & FZ_SC_STATE) {
		w->be->state(c->wr, &ws);
		st = (struct fz_sc_state){
			.head = ws.head, .data_head = c->rb->user_page->data_head,
			.tail = c->rb->user_page->data_tail,
			.size = c->rb->nr_pages ? c->rb->data_size : 0,
			.backward = c->rb->backward, .paused = ws.paused,
		};
	}
	fz_schedcov_inject(c->index, f->id, f->level, c->depth, site,
			   f->count[site], act->kind, to_cpu, to_level, &st);
}

/* The plan of the running writer @f: actions due at this access, in order. */
void fz_world_interrupts(struct fz_world *w, struct fz_frame *f,
			 const struct uprb_sim_access *a)
{
	enum uprb_site site = a->site;
	const struct fz_write *wr = f->w;

	for (unsigned i = 0; i < wr->nirq; i++) {
		const struct fz_irq *q = &w->prog.irqs[wr->irq + i];
		bool due = q->site == FZ_SITE_ANY ?
			q->nth == f->total :
			q->site == site && q->nth == f->count[site];

		if (!due)
			continue;
		if (w->second)
			fz_diff_irq(c_step(w), (unsigned)(wr - w->prog.writes),
				    wr->irq + i,
				    model_position(&w->cur->model, f->id) ^
				    w->cur->index);
		w->st.irqs++;
		if (w->verbose > 1) {
			fprintf(stderr, "  %*s%s at %s#%u of the %s writer",
				2 * (int)f->level, "", fz_kind_name(q->act.kind),
				uprb_site_name(site), q->nth,
				fz_level_name(f->level));
			if (w->prog.cfg.cpu_bytes)
				fprintf(stderr, " on cpu %u", w->cur->index);
			if (a->loc)
				fprintf(stderr, " [%s]", a->loc);
			fputc('\n', stderr);
		}
		if (w->schedcov)
			sc_inject(w, w->cur, f, site, &q->act);
		fz_world_act(w, &q->act);
	}
}
