/* SPDX-License-Identifier: MIT */
/*
 * racts.c - fuzz_reader_corrupt's acts between the reader's calls (rrun.h):
 * a write through the core's writer (each record, and the LOST in front
 * of it, kept in the table of records written: rrecords.h), a corruption
 * of a record's bytes and a scribble on data_head (rring.h), both of
 * which end the honest-read check, and a resync.
 */
#include <errno.h>
#include <stdio.h>

#include "rrun.h"

static void add_rec(uint64_t pos, uint16_t size, bool is_lost, uint64_t v)
{
	if (fzr_records_add(&fzr.w, pos, size, is_lost, v))
		fzr_fail("harness", "record table full");
}

static void do_write(const struct fzr_act *a)
{
	uint64_t old, lo, total, lsz;
	int ret;

	if (!fzr.rb)
		return;
	old = fzr.rb->head;
	fzr.in_writer = true;
	ret = uprb_synth_write(fzr.rb, &fzr.src, a->size, 0, 0, 0, fzr.seq);
	fzr.in_writer = false;
	fzr.writes++;
	if (ret == -ENOSPC) {
		fzr.drops += fzr.rb->nr_pages != 0;
		return;
	}
	NEED(ret == 0, "writer", "write of %u returned %d", a->size, ret);
	total = fzr.backward ? old - fzr.rb->head : fzr.rb->head - old;
	lo = fzr.backward ? fzr.rb->head : old;
	lsz = total - a->size;
	NEED(!lsz == !fzr.drops, "writer", "%llu drops, LOST record of %llu bytes",
	     X64(fzr.drops), X64(lsz));
	/* The table is sorted in the writing direction. */
	if (fzr.backward)
		add_rec(lo + lsz, a->size, false, fzr.seq);
	if (lsz)
		add_rec(lo, (uint16_t)lsz, true, fzr.drops);
	if (!fzr.backward)
		add_rec(lo + lsz, a->size, false, fzr.seq);
	fzr.seq++;
	fzr.drops = 0;
	/*
	 * An oversize overwrite record wraps onto its own header
	 * (docs/ring.md#14-sizes-and-the-space-rule).
	 */
	if (fzr.overwrite && total > fzr.size)
		fzr.honest = false;
}

static void corrupt(const struct fzr_act *a)
{
	uint64_t pos = fzr_records_pos(&fzr.w, a->rec), head;

	if (!fzr.reader_ok || !fzr.size)
		return;
	fzr.honest = false;
	fzr.corruptions++;
	head = fzr_load_head();
	fzr_corrupt(fzr.data, fzr.size, a, pos,
		    fzr.backward ? fzr.r.prev - pos : head - pos);
}

static void scribble(const struct fzr_act *a)
{
	uint64_t head;

	if (!fzr.pc)
		return;
	head = fzr_scribble_head(a, fzr_load_head(), fzr.backward,
				 fzr_records_pos(&fzr.w, a->rec));
	__atomic_store_n(&fzr.pc->data_head, head, __ATOMIC_RELEASE);
	fzr.honest = false;
	fzr.corruptions++;
}

void fzr_run_act(const struct fzr_act *a)
{
	if (fzr.verbose > 1)
		fprintf(stderr, "  %s\n", fzr_kind_names[a->kind]);
	switch (a->kind) {
	case FZR_WRITE:
		do_write(a);
		break;
	case FZR_CORRUPT:
		corrupt(a);
		break;
	case FZR_SCRIBBLE:
		scribble(a);
		break;
	case FZR_RESYNC:
		if (fzr.reader_ok)
			fzr_resync();
		break;
	default:
		break;
	}
}
