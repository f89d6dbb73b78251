/* SPDX-License-Identifier: MIT */
/*
 * finish.c - the end of a world's run (world_state.h): with every writer
 * idle, the consumer drains what is left on every CPU, then each CPU's
 * whole account is checked (the model's final state, exact tiling up to
 * data_head, loss conservation) and the merged consumer's last round.
 */
#include "world_state.h"

/* The final drain: the consumer reads whatever is left, everywhere. */
static void drain(struct fz_world *w)
{
	if (w->merged) {
		fz_user_merged_round(w, 0);
	} else {
		w->cur = &w->cpu[0];
		fz_user_consume(w, 0);
	}
}

static void set_phase(struct fz_world *w, const char *phase)
{
	for (unsigned i = 0; i < w->ncpu; i++)
		w->cpu[i].model.where.phase = phase;
}

/* Everything idle and drained: check @c's whole account. */
static void cpu_final(struct fz_world *w, struct fz_cpu *c)
{
	struct model *m = &c->model;
	struct fz_writer_state st;

	model_idle(m, true);
	m->where.phase = "final";
	if (c->reader_ok && fz_user_strict(c) && !c->rb->overwrite) {
		/* Exact tiling: the walk from 0 landed exactly on data_head. */
		if (c->r.prev != m->head)
			model_fail(m, "exact-tiling",
				   "reader stopped at %#llx, data_head %#llx",
				   (unsigned long long)c->r.prev,
				   (unsigned long long)m->head);
		w->be->state(c->wr, &st);
		if (uprb_check_conservation(&c->c, m->attempted, st.lost))
			model_fail(m, "loss-conservation", "%s", c->c.what);
	}
	m->where.phase = NULL;
	w->st.strict = w->st.strict && fz_user_strict(c);
	w->st.bytes += c->rb->backward ? -m->head : m->head;
	w->st.stamp_ahead += m->stamp_ahead;
	w->st.known_hits += m->known_hits;
}

/* Everything idle: read what is left and check the whole account. */
void fz_world_finish(struct fz_world *w)
{
	for (unsigned i = 0; i < w->ncpu; i++)
		w->cpu[i].model.where.level = USER_LEVEL;
	set_phase(w, "final drain");
	fz_world_settle(w);
	drain(w);
	fz_world_settle(w);
	/* A forward reader sees data_head again only at a window's end. */
	drain(w);
	fz_world_settle(w);
	set_phase(w, NULL);
	if (w->abandoned)
		return;
	w->st.strict = true;
	for (unsigned i = 0; i < w->ncpu; i++)
		cpu_final(w, &w->cpu[i]);
	if (w->merged) {
		/*
		 * Completeness only when every ring was honest: after user
		 * space lied or a known defect was looked past (a record
		 * overwritten before it was read), the merge is not judged.
		 */
		fz_merge_final(&w->merge, w->st.strict);
		w->st.rounds = w->merge.st.rounds;
		w->st.merged = w->merge.st.flushed;
		w->st.late = w->merge.st.late;
	}
	w->st.buffered = w->mem->buffered;
	w->st.stale_bytes = w->mem->stale_bytes;
}
