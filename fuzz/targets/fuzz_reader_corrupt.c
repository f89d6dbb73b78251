/* SPDX-License-Identifier: MIT */
/*
 * fuzz_reader_corrupt - the core's reader over arbitrary or corrupted ring
 * contents, forward and backward, overwrite or not (input: rinput.h).
 *
 * The ring lives in one exact-size allocation of the length the input
 * decides, so ASan reports any read past it; the seam's hook adds what
 * ASan cannot see: every record byte the reader loads must lie inside the
 * data area the control page describes (not in the control page, not in
 * the slack after it), and it may store nothing but data_tail.
 *
 * The ring is either written through the core's writer (its control page
 * and data pages pointed into the allocation) and then corrupted at input
 * chosen places, or it is raw bytes under a geometry and data_head /
 * data_tail the input chooses, valid or not. Checked, each failure one
 * story line and abort():
 *   init:        uprb_reader_init() refuses what no control page could
 *                hold and accepts every real geometry;
 *   codes:       every call returns a code its documentation lists;
 *   termination: every record returned moves the reader >= 8 bytes, no call
 *                makes more ring accesses than a walk of the ring needs, a
 *                window ends within data_size / 8 + a few calls;
 *   memory-safety: loads inside the data area, the only store data_tail;
 *   sticky:      after an error the window and the next ones return the
 *                same code until uprb_read_resync();
 *   resync:      after it data_tail (the reader's position, overwrite)
 *                equals data_head, the writer is not left paused, and it
 *                returns the bytes it skipped: from the reader's position
 *                to data_head;
 *   window:      read_init's verdict is the control page's: -ERANGE
 *                exactly when data_head moved against the writing
 *                direction, -EAGAIN exactly when nothing is unread,
 *                -EOVERFLOW exactly when more than data_size bytes are
 *                unread on a non-overwrite ring; a window it opens runs
 *                from the reader's position to data_head (backward: from
 *                data_head, cut by find-range on a lapped ring), and
 *                the stats count the window, and each record that wraps
 *                the ring's end;
 *   honest-read: while the written ring is neither corrupted nor
 *                scribbled on, the reader returns exactly the records
 *                written, byte for byte, in order, and all of them;
 *   diagnosis:   a record the reader refuses is refused for the first
 *                reason a plain parse of its header finds (too short for
 *                a header, size < 8, not a multiple of 8, larger than the
 *                data area, past data_head), and one it returns has none.
 *
 * Its parts: this file sets the ring up (init's verdict), runs the
 * program and the final drain, and tears down; the others are in
 * fuzz/sim/, the run's state and what they share in rrun.h. The hook and
 * the reader's bracketed calls are rcalls.c, the acts between them
 * (writes, corruptions, scribbles) racts.c, a READ op judged rread.c, with
 * the error, sticky and resync checks in rerrors.c and the honest-read
 * check in rhonest.c. The input is rinput.h, the ring memory, corruptions
 * and plain parses of the bytes rring.h, the verdicts on windows
 * rwindow.h, the records written rrecords.h; failures are story lines
 * (story.h), the model's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "rings.h"
#include "rrun.h"

static void setup_written(void)
{
	const struct fzr_config *c = &fzr.prog.cfg;
	struct uprb_ring_opts o = {
		.sz = sizeof(o), .page_size = c->page_size,
		.nr_pages = c->nr_pages, .overwrite = c->overwrite,
		.backward = c->backward,
	};

	fzr.rb = fz_ring_get(0, &o);
	/* Poison first: uprb_source_init() must set every field. */
	memset(&fzr.src, 0xa5, sizeof(fzr.src));
	uprb_source_init(&fzr.src, c->id, c->sample_type, c->sample_id_all);
	NEED(fzr.src.id == c->id && fzr.src.stream_id == c->id &&
	     fzr.src.sample_type == c->sample_type &&
	     fzr.src.sample_id_all == c->sample_id_all && !fzr.src.pid &&
	     !fzr.src.tid && !fzr.src.cpu && !fzr.src.clock && !fzr.src.wakeup_events &&
	     !fzr.src.lost_samples, "trailer", "uprb_source_init(%#llx, %#llx, %d) "
	     "left id %#llx stream_id %#llx sample_type %#llx", X64(c->id),
	     X64(c->sample_type), c->sample_id_all, X64(fzr.src.id),
	     X64(fzr.src.stream_id), X64(fzr.src.sample_type));
	fzr.map = fzr_map_written(fzr.rb, &fzr.len);
	fzr.pc = (struct perf_event_mmap_page *)fzr.map;
	fzr.honest = true;
}

static void setup_bytes(void)
{
	fzr.len = (size_t)fzr.prog.cfg.len;
	fzr.map = fzr_map_bytes(&fzr.prog.cfg);
	if (fzr.len >= sizeof(struct perf_event_mmap_page))
		fzr.pc = (struct perf_event_mmap_page *)fzr.map;
}

static void setup(void)
{
	const struct fzr_config *c = &fzr.prog.cfg;
	struct uprb_reader_opts ro = {
		.sz = sizeof(ro), .overwrite = c->overwrite,
		.backward = c->backward, .pause = fzr_on_pause,
		/* The reader's own scratch: its allocation and free are fuzzed too. */
	};
	uint64_t off = 0, size = 0;
	int ok = 0, ret;

	fzr.backward = c->backward;
	fzr.overwrite = c->overwrite;
	/* The table is past the part cleared per run: start it here. */
	fzr.w.n = 0;
	fzr.w.backward = c->backward;
	if (c->mode == FZR_WRITTEN)
		setup_written();
	else
		setup_bytes();
	if (fzr.pc) {
		off = fzr.pc->data_offset;
		size = fzr.pc->data_size;
		if (!off) {
			off = fzr_sys_page();
			size = fzr.len > off ? fzr.len - off : 0;
		}
		ok = fzr_geometry_ok(off, size, fzr.len);
	}
	fzr.where.phase = "init";
	/* init reads the control page directly, not through the seam. */
	ret = uprb_reader_init(&fzr.r, fzr.map, fzr.len, &ro);
	fzr.init_ret = ret;
	NEED(ret == 0 || ret == -EINVAL || ret == -EOPNOTSUPP, "codes",
	     "uprb_reader_init returned %d", ret);
	fzr_check_text(ret);
	if (c->overwrite && !c->backward && fzr.pc) {
		NEED(ret == -EOPNOTSUPP || (ret == -EINVAL && ok == 0), "init",
		     "forward overwrite ring: init returned %d", ret);
	} else if (ok == 1) {
		NEED(ret == 0, "init", "data_offset %#llx data_size %#llx in a "
		     "%zu-byte map refused (%d)", X64(off), X64(size), fzr.len, ret);
	} else if (ok == 0) {
		NEED(ret == -EINVAL, "init", "data_offset %#llx data_size %#llx "
		     "in a %zu-byte map accepted (%d)", X64(off), X64(size),
		     fzr.len, ret);
	}
	fzr.reader_ok = ret == 0;
	/* A written ring has its data area whether or not it can be read. */
	if (fzr.reader_ok || c->mode == FZR_WRITTEN) {
		fzr.data = fzr.map + off;
		fzr.size = size;
		fzr.view = (struct fzr_view){
			.r = &fzr.r, .area = { fzr.data, fzr.size },
			.backward = fzr.backward, .overwrite = fzr.overwrite,
			.where = &fzr.where,
		};
	}
	if (!fzr.reader_ok)
		fzr.honest = false;
	fzr.rpos = fzr.pc ? fzr.pc->data_tail : 0;
}

static void run(const uint8_t *data, size_t len)
{
	static const struct fzr_op drain = { .a = { .kind = FZR_READ } };

	fzr_decode(&fzr.prog, data, len);
	if (fzr.verbose > 1)
		fzr_program_print(stderr, &fzr.prog);
	setup();
	uprb_sim_hooks = &fzr_hooks;
	for (unsigned i = 0; i < fzr.prog.nops; i++) {
		const struct fzr_op *o = &fzr.prog.ops[i];

		fzr.where.step = i + 1;
		fzr.where.phase = fzr_kind_names[o->a.kind];
		if (fzr.verbose > 1)
			fprintf(stderr, "step %u: %s\n", fzr.where.step, fzr.where.phase);
		if (o->a.kind == FZR_READ)
			fzr_read_window(o);
		else
			fzr_run_act(&o->a);
	}
	/* The end: whatever is left is read, an error resynced. */
	fzr.where.phase = "final drain";
	if (fzr.reader_ok) {
		if (fzr.sticky)
			fzr_resync();
		fzr_read_window(&drain);
		if (fzr.sticky)
			fzr_resync();
	}
	uprb_sim_hooks = NULL;
}

static void teardown(void)
{
	if (fzr.reader_ok)
		uprb_reader_fini(&fzr.r);
	/* fzr.rb stays in the cache (rings.h), reset at its next use. */
	free(fzr.map);
}

const char *fz_target_summary(void)
{
	snprintf(fzr.summary, sizeof(fzr.summary),
		 "  %s ring, init %d, %u ops, %llu writes, %llu corruptions, "
		 "%llu windows, %llu records read, %llu errors, %llu resyncs, %s",
		 fzr_mode_names[fzr.prog.cfg.mode], fzr.init_ret, fzr.prog.nops,
		 X64(fzr.writes), X64(fzr.corruptions), X64(fzr.windows),
		 X64(fzr.records), X64(fzr.errors), X64(fzr.resyncs),
		 fzr.honest ? "checked against the records written" :
			    "contents not compared (corrupt or raw)");
	return fzr.summary;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int verbose = -1;

	if (verbose < 0) {
		const char *e = getenv("UPRB_FUZZ_VERBOSE");

		verbose = e ? atoi(e) : 0;
	}
	/* The state starts from zero; program and tables are filled as used. */
	memset(&fzr, 0, offsetof(struct fzr_run, prog));
	fzr.verbose = verbose;
	fzr.where.who = "reader";
	fzr.where.site = UPRB_SITE_COUNT;
	run(data, size);
	teardown();
	return 0;
}
