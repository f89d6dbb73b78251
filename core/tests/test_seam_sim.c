/* SPDX-License-Identifier: MIT */
/*
 * The sim seam interposes on every shared access: a hook table counts each
 * site, and injects complete nested writes (up to three levels, as
 * softirq/hardirq/NMI would) at each writer site in turn. After every
 * scenario: data_head never moved backwards, everything is published once
 * all writers are done, nest is balanced, the records read back are intact
 * and tile the ring, and loss is conserved.
 */
#include <errno.h>
#include <stdio.h>

#include "testutil.h"
#include "uprb/port.h"

struct harness {
	unsigned counts[UPRB_SITE_COUNT];
	unsigned injected_at[UPRB_SITE_COUNT];
	/* plan */
	enum uprb_site at;
	unsigned nth, seen;
	unsigned depth_max;
	bool writing;
	bool force_again, forced;
	bool armed[UPRB_LEVEL_COUNT];
	/* world */
	struct uprb_ring *rb;
	struct uprb_source src[UPRB_LEVEL_COUNT];
	uint32_t seq[UPRB_LEVEL_COUNT];
	unsigned size;
	unsigned depth;
	uint64_t attempted, injected, wakeups;
	/* observations */
	bool published;
	uint64_t last_pub;
	unsigned backwards, nest_max, nest_bad;
};

static void write_at(struct harness *h, unsigned level)
{
	h->attempted++;
	uprb_synth_write(h->rb, &h->src[level], h->size + 8 * level,
			 (uint16_t)level, (uint8_t)level, 0, h->seq[level]++);
}

static void nested(struct harness *h)
{
	h->depth++;
	h->injected++;
	write_at(h, h->depth);
	h->depth--;
}

static uint64_t hook(void *ctx, const struct uprb_sim_access *a)
{
	struct harness *h = ctx;

	h->counts[a->site]++;
	if (h->writing) {
		if (h->force_again && !h->forced && h->depth == 0 &&
		    a->site == UPRB_SITE_PUT_BARRIER_2) {
			/* An inner write after our head load: forces "again". */
			h->forced = true;
			unsigned save = h->depth_max;
			h->depth_max = 0;
			nested(h);
			h->depth_max = save;
		}
		/*
		 * Only inner writers reach nest_put_dec: the outermost one
		 * carries the plan there by nesting at its copy first.
		 */
		enum uprb_site at = h->depth == 0 && h->at == UPRB_SITE_NEST_PUT_DEC ?
			UPRB_SITE_COPY : h->at;

		if (a->site == at && h->depth < h->depth_max &&
		    h->armed[h->depth] && (h->depth > 0 || ++h->seen == h->nth)) {
			h->armed[h->depth] = false;
			if (a->site == h->at)
				h->injected_at[a->site]++;
			nested(h);
		}
	}
	if (a->site == UPRB_SITE_B_HEAD_STORE) {
		int64_t step = (int64_t)(a->val - h->last_pub);

		if (h->published && (h->rb->backward ? step > 0 : step < 0))
			h->backwards++;
		h->published = true;
		h->last_pub = a->val;
	}
	if (a->site == UPRB_SITE_NEST_GET_STORE && a->val > h->nest_max)
		h->nest_max = (unsigned)a->val;
	if ((a->site == UPRB_SITE_NEST_GET_STORE ||
	     a->site == UPRB_SITE_NEST_PUT_DEC) && a->val > UPRB_LEVEL_COUNT + 1)
		h->nest_bad++;
	return uprb_sim_perform(a);
}

static void count_wakeup(struct uprb_ring *rb, void *arg)
{
	(void)rb;
	((struct harness *)arg)->wakeups++;
}

enum config { CFG_ROOM, CFG_PENDING_LOST, CFG_FULL, CFG_PAUSED, CFG_BACKWARD,
	      CFG_COUNT };
static const char *const config_names[] = { "room", "pending-lost", "full",
					    "paused", "backward-overwrite" };

static void run_scenario(struct harness *h, enum config cfg, enum uprb_site at,
			 unsigned nth, unsigned depth, bool force_again)
{
	struct uprb_sim_hooks hooks = { .access = hook, .ctx = h };
	bool backward = cfg == CFG_BACKWARD;
	struct uprb_ring_opts o = { .sz = sizeof(o), .page_size = 64,
				    .nr_pages = 8, .overwrite = backward,
				    .backward = backward, .watermark = 8,
				    .wakeup = count_wakeup, .wakeup_arg = h };
	struct t_reader t;
	char where[160];

	memset(h, 0, sizeof(*h));
	h->at = at;
	h->nth = nth;
	h->depth_max = depth;
	h->force_again = force_again;
	for (unsigned l = 0; l < UPRB_LEVEL_COUNT; l++) {
		h->armed[l] = true;
		uprb_source_init(&h->src[l], 100 + l, PERF_SAMPLE_TID, true);
		h->src[l].wakeup_events = 1;
	}
	h->size = 40;
	assert_int_equal(uprb_ring_new(&h->rb, &o), 0);
	snprintf(where, sizeof(where), "config %s, nested at %s #%u, depth %u%s",
		 config_names[cfg], uprb_site_name(at), nth, depth,
		 force_again ? ", forced again" : "");

	uprb_sim_hooks = &hooks;
	if (cfg == CFG_PENDING_LOST || cfg == CFG_PAUSED) {
		uprb_ring_pause(h->rb, true);
		write_at(h, 0);
		write_at(h, 0);
		if (cfg == CFG_PENDING_LOST)
			uprb_ring_pause(h->rb, false);
	}
	if (cfg == CFG_FULL) {
		h->size = 200;
		write_at(h, 0);
		write_at(h, 0); /* 400 of 511 used: the next 200 fails */
	}

	h->writing = true;
	write_at(h, 0);
	h->writing = false;

	/* Eventual publication and nest balance, with all writers idle. */
	if (uprb_ring_check(h->rb))
		fail_msg("%s: quiescent ring: nest %u, data_head %#llx, head %#llx",
			 where, h->rb->nest,
			 (unsigned long long)h->rb->user_page->data_head,
			 (unsigned long long)h->rb->head);
	if (h->backwards)
		fail_msg("%s: data_head moved backwards %u times", where,
			 h->backwards);
	if (h->nest_bad)
		fail_msg("%s: nest underflowed or ran past the depth", where);
	if (h->wakeups > 1 + h->injected + 2)
		fail_msg("%s: %llu wake-ups for %llu writers", where,
			 (unsigned long long)h->wakeups,
			 (unsigned long long)(1 + h->injected));

	/* Everything written reads back intact and tiles exactly. */
	t_reader_open(&t, h->rb, UPRB_LEVEL_COUNT);
	t_reader_layout(&t, PERF_SAMPLE_TID, true);
	if (cfg != CFG_PAUSED)
		t_drain(&t);
	if (!backward &&
	    uprb_check_conservation(&t.c, h->attempted, h->rb->lost))
		fail_msg("%s: %s", where, t.c.what);
	if (cfg == CFG_ROOM && t.synth != 1 + h->injected)
		fail_msg("%s: read %llu records, wrote %llu", where,
			 (unsigned long long)t.synth,
			 (unsigned long long)(1 + h->injected));
	t_reader_close(&t);
	uprb_sim_hooks = NULL;
	uprb_ring_free(h->rb);
}

static bool is_writer_site(enum uprb_site s)
{
	return s <= UPRB_SITE_WAKEUP_CHECK;
}

static void test_sim_build_counts_every_access_of_a_write_and_a_read(void **state)
{
	(void)state;
	struct harness h;
	static const enum uprb_site expected[] = {
		UPRB_SITE_PAUSED_LOAD, UPRB_SITE_LOST_PEEK, UPRB_SITE_NEST_GET_LOAD,
		UPRB_SITE_NEST_GET_STORE, UPRB_SITE_WAKEUP_SNAPSHOT,
		UPRB_SITE_HEAD_LOAD, UPRB_SITE_A_TAIL_LOAD, UPRB_SITE_HEAD_CAS,
		UPRB_SITE_WAKEUP_LOAD, UPRB_SITE_WAKEUP_STEP, UPRB_SITE_LOST_XCHG,
		UPRB_SITE_COPY, UPRB_SITE_EVENTS_ADD, UPRB_SITE_EVENTS_SUB,
		UPRB_SITE_WAKEUP_BUMP, UPRB_SITE_NEST_PUT_LOAD,
		UPRB_SITE_PUT_BARRIER_1, UPRB_SITE_PUT_HEAD_LOAD,
		UPRB_SITE_B_HEAD_STORE, UPRB_SITE_PUT_BARRIER_2,
		UPRB_SITE_NEST_CLEAR, UPRB_SITE_PUT_BARRIER_3,
		UPRB_SITE_PUT_HEAD_RECHECK, UPRB_SITE_WAKEUP_CHECK,
		UPRB_SITE_C_HEAD_LOAD, UPRB_SITE_READ_HEADER, UPRB_SITE_READ_DATA,
		UPRB_SITE_D_TAIL_STORE, UPRB_SITE_PAUSE_STORE,
		UPRB_SITE_LOST_ADD_PAUSED, UPRB_SITE_SOURCE_LOST_ADD,
	};

	/* No injection (depth 0): the hooks only count. */
	run_scenario(&h, CFG_PENDING_LOST, UPRB_SITE_COUNT, 1, 0, false);
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
		if (!h.counts[expected[i]])
			fail_msg("site %s was never seen", uprb_site_name(expected[i]));
	/* The write that reported the two drops copied LOST, trailer, record. */
	assert_true(h.counts[UPRB_SITE_COPY] >= 3);
	assert_int_equal(h.counts[UPRB_SITE_HEAD_CAS], 1);
}

static void test_nested_writes_at_every_writer_site_keep_the_invariants(void **state)
{
	(void)state;
	unsigned injected_at[UPRB_SITE_COUNT] = { 0 };
	struct harness h;

	for (int cfg = 0; cfg < CFG_COUNT; cfg++)
		for (int s = 0; s < UPRB_SITE_COUNT; s++) {
			if (!is_writer_site((enum uprb_site)s))
				continue;
			for (unsigned nth = 1; nth <= 2; nth++)
				for (unsigned depth = 1; depth <= 3; depth += 2)
					for (int again = 0; again < 2; again++) {
						run_scenario(&h, (enum config)cfg,
							     (enum uprb_site)s, nth,
							     depth, again);
						for (int k = 0; k < UPRB_SITE_COUNT; k++)
							injected_at[k] += h.injected_at[k];
					}
		}
	/* Every writer site had a nested write injected at it at least once. */
	for (int s = 0; s < UPRB_SITE_COUNT; s++)
		if (is_writer_site((enum uprb_site)s) && !injected_at[s])
			fail_msg("no nested write was ever injected at %s",
				 uprb_site_name((enum uprb_site)s));
}

/* The again-loop: an inner write finished after the head load is published. */
static void test_inner_write_after_head_load_is_published_by_the_outer(void **state)
{
	(void)state;
	struct harness h;

	run_scenario(&h, CFG_ROOM, UPRB_SITE_B_HEAD_STORE, 1, 1, false);
	assert_int_equal(h.injected, 1);
	assert_true(h.counts[UPRB_SITE_NEST_AGAIN] >= 1);
	assert_int_equal(h.nest_max, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sim_build_counts_every_access_of_a_write_and_a_read),
		cmocka_unit_test(test_nested_writes_at_every_writer_site_keep_the_invariants),
		cmocka_unit_test(test_inner_write_after_head_load_is_published_by_the_outer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
