/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>

#include "testutil.h"

struct uprb_ring *t_ring(uint32_t page_size, uint32_t nr_pages, bool overwrite,
			 bool backward)
{
	struct uprb_ring_opts o = {
		.sz = sizeof(o),
		.page_size = page_size,
		.nr_pages = nr_pages,
		.overwrite = overwrite,
		.backward = backward,
	};
	struct uprb_ring *rb = NULL;

	assert_int_equal(uprb_ring_new(&rb, &o), 0);
	assert_non_null(rb);
	return rb;
}

unsigned char *t_data(struct uprb_ring *rb, uint64_t pos)
{
	pos &= rb->data_size - 1;
	return rb->data_pages[pos >> rb->page_shift] + (pos & (rb->page_size - 1));
}

static int t_pause(void *arg, bool pause)
{
	return uprb_ring_pause(arg, pause);
}

void t_reader_open(struct t_reader *t, struct uprb_ring *rb, uint32_t nsources)
{
	struct uprb_reader_opts ro = {
		.sz = sizeof(ro),
		.overwrite = rb->overwrite,
		.backward = rb->backward,
		.pause = t_pause,
		.pause_arg = rb,
	};
	struct uprb_check_opts co = {
		.sz = sizeof(co),
		.nsources = nsources,
		.order = rb->backward || rb->overwrite ? UPRB_CHECK_ORDER_NONE :
							UPRB_CHECK_ORDER_ASCENDING,
	};

	memset(t, 0, sizeof(*t));
	t->rb = rb;
	assert_int_equal(uprb_reader_init(&t->r, uprb_ring_base(rb),
					  uprb_ring_len(rb), &ro), 0);
	assert_int_equal(uprb_check_init(&t->c, &co), 0);
}

void t_reader_layout(struct t_reader *t, uint64_t sample_type, bool sample_id_all)
{
	t->c.o.layout.sample_type = sample_type;
	t->c.o.layout.sample_id_all = sample_id_all;
}

void t_reader_close(struct t_reader *t)
{
	uprb_check_fini(&t->c);
	uprb_reader_fini(&t->r);
}

size_t t_drain(struct t_reader *t)
{
	const struct perf_event_header *ev;
	size_t n = 0;
	int err;

	err = uprb_read_init(&t->r);
	if (err == -EAGAIN)
		return 0;
	if (err)
		fail_msg("read_init: %s (%d)", uprb_read_strerror(err), err);
	for (;;) {
		uint64_t pos = t->r.start;

		err = uprb_read_event(&t->r, &ev);
		if (err == 0)
			break;
		if (err < 0)
			fail_msg("read_event at %#llx: %s (%d)",
				 (unsigned long long)pos, uprb_read_strerror(err), err);
		if (uprb_check_record(&t->c, ev, pos))
			fail_msg("checker: %s", t->c.what);
		if (ev->type == PERF_RECORD_LOST) {
			uint64_t v[2];

			memcpy(v, ev + 1, sizeof(v));
			t->lost_records++;
			t->lost_sum += v[1];
			t->last_lost_id = v[0];
		} else if (ev->type == UPRB_RECORD_SYNTH) {
			struct uprb_synth s;

			memcpy(&s, ev, sizeof(s));
			t->synth++;
			t->last_seq = s.seq;
			t->last_source = s.source;
		}
		uprb_consume(&t->r);
		n++;
	}
	uprb_read_done(&t->r);
	return n;
}

int t_write(struct uprb_ring *rb, struct uprb_source *src, unsigned int size,
	    uint16_t source, uint32_t seq)
{
	return uprb_synth_write(rb, src, size, source, UPRB_LEVEL_TASK, 0, seq);
}
