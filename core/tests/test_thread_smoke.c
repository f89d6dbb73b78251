/* SPDX-License-Identifier: MIT */
/*
 * Two-thread smoke: one producer thread (one "CPU") writes synthetic
 * records, one consumer thread drains with the reader and the checker.
 * Every record must verify, sequence numbers only ascend, and loss is
 * exactly conserved. This is the test the tsan build runs clean.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>

#include "testutil.h"

struct smoke {
	struct uprb_ring *rb;
	struct uprb_source src;
	uint32_t count;
	unsigned sizes[4];
	atomic_bool done;
	uint64_t attempted;
};

static void *producer(void *arg)
{
	struct smoke *s = arg;

	for (uint32_t seq = 0; seq < s->count; seq++) {
		s->attempted++;
		(void)uprb_synth_write(s->rb, &s->src, s->sizes[seq % 4], 0,
				       UPRB_LEVEL_TASK, 0, seq);
	}
	atomic_store(&s->done, true);
	return NULL;
}

static void run(uint32_t page_size, uint32_t nr_pages, uint32_t count)
{
	struct smoke s = { .count = count, .sizes = { 16, 40, 64, 256 } };
	struct t_reader t;
	pthread_t tid;
	uint64_t records = 0;

	s.rb = t_ring(page_size, nr_pages, false, false);
	uprb_source_init(&s.src, 5, 0, false);
	t_reader_open(&t, s.rb, 1);
	assert_int_equal(pthread_create(&tid, NULL, producer, &s), 0);
	for (;;) {
		bool was_done = atomic_load(&s.done);
		size_t n = t_drain(&t);

		records += n;
		if (!n) {
			if (was_done)
				break;
			sched_yield();
		}
	}
	assert_int_equal(pthread_join(tid, NULL), 0);
	/* A last write after the drain may still be pending as a LOST. */
	assert_int_equal(t.c.failures, 0);
	if (uprb_check_conservation(&t.c, s.attempted, s.rb->lost))
		fail_msg("%s", t.c.what);
	printf("# ring %u x %u: %llu records, %llu LOST records (%llu dropped), "
	       "%llu pending\n", page_size, nr_pages,
	       (unsigned long long)records, (unsigned long long)t.lost_records,
	       (unsigned long long)t.lost_sum, (unsigned long long)s.rb->lost);
	t_reader_close(&t);
	uprb_ring_free(s.rb);
}

static void test_producer_and_consumer_threads_conserve_every_record(void **state)
{
	(void)state;
	run(4096, 4, 200000);   /* roomy: few or no drops */
	run(64, 2, 50000);      /* 128 bytes: constant drops and LOST records */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_producer_and_consumer_threads_conserve_every_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
