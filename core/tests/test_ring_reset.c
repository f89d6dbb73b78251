/* SPDX-License-Identifier: MIT */
/*
 * uprb_ring_reset(): a used ring, reset, is indistinguishable from a new
 * one of the same options: every byte between the guard pages (and, under
 * ASan, which of them are poisoned), the guards themselves, every field of
 * struct uprb_ring, after writes, wraps, drops, LOST records, pause, a
 * consumer, user space scribbles and a writer left inside a nest.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "testutil.h"

#if defined(__SANITIZE_ADDRESS__)
#define T_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define T_ASAN 1
#endif
#endif
#ifdef T_ASAN
#include <sanitizer/asan_interface.h>
#endif

static size_t sys_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* A byte of the mapping, read past ASan: the pads are poisoned on purpose. */
#ifdef T_ASAN
__attribute__((no_sanitize("address")))
#endif
static unsigned char raw_byte(const struct uprb_ring *rb, size_t off)
{
	return ((const volatile unsigned char *)rb->map)[off];
}

static bool poisoned(const struct uprb_ring *rb, size_t off)
{
#ifdef T_ASAN
	return __asan_address_is_poisoned((const unsigned char *)rb->map + off);
#else
	(void)rb;
	(void)off;
	return false;
#endif
}

/* The protection of the page at @p, from /proc/self/maps ("rw-s", "---s"). */
static void page_prot(const void *p, char prot[5])
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi, a = (unsigned long)p;
	char line[512];

	assert_non_null(f);
	strcpy(prot, "?");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, prot) == 3 &&
		    a >= lo && a < hi)
			break;
	fclose(f);
}

static size_t mapped(const struct uprb_ring *rb, const void *p)
{
	return (size_t)((const unsigned char *)p - (const unsigned char *)rb->map);
}

/* @rb must be what uprb_ring_new(@o) makes, but for its addresses. */
static void assert_as_new(const struct uprb_ring *rb, const struct uprb_ring_opts *o)
{
	struct uprb_ring *n = NULL;
	size_t page = sys_page();
	char prot[5], nprot[5];

	assert_int_equal(uprb_ring_new(&n, o), 0);
	/* writer state */
	assert_int_equal(rb->head, n->head);
	assert_int_equal(rb->nest, n->nest);
	assert_int_equal(rb->paused, n->paused);
	assert_int_equal(rb->events, n->events);
	assert_int_equal(rb->wakeup, n->wakeup);
	assert_int_equal(rb->lost, n->lost);
	/* configuration */
	assert_int_equal(rb->watermark, n->watermark);
	assert_int_equal(rb->overwrite, n->overwrite);
	assert_int_equal(rb->backward, n->backward);
	assert_int_equal(rb->oversize, n->oversize);
	assert_ptr_equal(rb->wakeup_fn, n->wakeup_fn);
	assert_ptr_equal(rb->wakeup_arg, n->wakeup_arg);
	/* geometry, addresses relative to the mapping */
	assert_int_equal(rb->page_size, n->page_size);
	assert_int_equal(rb->page_shift, n->page_shift);
	assert_int_equal(rb->nr_pages, n->nr_pages);
	assert_int_equal(rb->data_size, n->data_size);
	assert_int_equal(rb->map_len, n->map_len);
	assert_int_equal(rb->base_off, n->base_off);
	assert_int_equal(mapped(rb, rb->user_page), mapped(n, n->user_page));
	for (uint32_t i = 0; i < n->nr_pages; i++)
		assert_int_equal(mapped(rb, rb->data_pages[i]),
				 mapped(n, n->data_pages[i]));
	/* every byte between the guards, and its poisoning */
	for (size_t off = page; off < n->map_len - page; off++) {
		if (raw_byte(rb, off) != raw_byte(n, off) ||
		    poisoned(rb, off) != poisoned(n, off))
			fail_msg("mapping byte %#zx: %#x%s, new %#x%s", off,
				 raw_byte(rb, off), poisoned(rb, off) ? " poisoned" : "",
				 raw_byte(n, off), poisoned(n, off) ? " poisoned" : "");
	}
	/* the guards are still guards */
	page_prot(rb->map, prot);
	page_prot(n->map, nprot);
	assert_string_equal(prot, nprot);
	page_prot((const unsigned char *)rb->map + rb->map_len - page, prot);
	page_prot((const unsigned char *)n->map + n->map_len - page, nprot);
	assert_string_equal(prot, nprot);
	uprb_ring_free(n);
}

static unsigned wakeups;

static void count_wakeup(struct uprb_ring *rb, void *arg)
{
	(void)rb;
	(void)arg;
	wakeups++;
}

/* Use @rb every way a run can: records, wraps, drops, pause, a nest left open. */
static void use(struct uprb_ring *rb)
{
	struct perf_event_mmap_page *pc = rb->user_page;
	struct uprb_source src;
	struct uprb_handle outer, inner;
	unsigned char junk[16];

	uprb_source_init(&src, 7, PERF_SAMPLE_TID | PERF_SAMPLE_ID, true);
	src.wakeup_events = 2;
	/* Fill the ring past its end: wraps, then drops for want of space. */
	for (uint32_t seq = 0; seq < 64; seq++)
		t_write(rb, &src, 40, 0, seq);
	/* A consumer gives space back; the next write carries a LOST record. */
	if (!rb->overwrite)
		pc->data_tail = pc->data_head;
	t_write(rb, &src, 16, 0, 100);
	/* Paused drops, and the ring left paused. */
	assert_int_equal(uprb_ring_pause(rb, true), 0);
	assert_int_equal(t_write(rb, &src, 16, 0, 101), -ENOSPC);
	/*
	 * Nesting: the outer writer (with the LOST record of the paused drop
	 * in front) left inside begin..end, the inner one done or dropped.
	 */
	assert_int_equal(uprb_ring_pause(rb, false), 0);
	if (!rb->overwrite)
		pc->data_tail = pc->data_head;
	memset(junk, 0xa5, sizeof(junk));
	if (uprb_output_begin(&outer, rb, &src, 8) == 0) {
		uprb_output_copy(&outer, junk, 8);
		if (uprb_output_begin(&inner, rb, &src, 16) == 0) {
			uprb_output_copy(&inner, junk, 16);
			uprb_output_end(&inner);
		}
	}
	/* User space scribbles on its page and the data area. */
	pc->data_head ^= 0x55;
	pc->lock = 3;
	pc->time_enabled = 0x1234;
	memset(rb->data_pages[0], 0x5a, rb->page_size);
	memset(rb->data_pages[rb->nr_pages - 1], 0xc3, 8);
}

static void test_a_used_ring_resets_to_new(void **state)
{
	(void)state;
	static const struct { uint32_t page_size, nr_pages; bool ow, bw; } g[] = {
		{ 64, 1, false, false }, { 64, 4, false, false },
		{ 128, 2, false, true }, { 256, 8, true, true },
		{ 4096, 2, false, false }, { 4096, 8, false, true },
	};
	for (size_t i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		struct uprb_ring_opts o = {
			.sz = sizeof(o), .page_size = g[i].page_size,
			.nr_pages = g[i].nr_pages, .overwrite = g[i].ow,
			.backward = g[i].bw, .watermark = 64,
			.wakeup = count_wakeup,
		};
		struct uprb_ring *rb = NULL;

		assert_int_equal(uprb_ring_new(&rb, &o), 0);
		for (int round = 0; round < 2; round++) {
			use(rb);
			assert_int_not_equal(rb->nest, 0);
			assert_int_not_equal(rb->lost + rb->head, 0);
			assert_int_equal(uprb_ring_reset(rb, &o), 0);
			assert_as_new(rb, &o);
		}
		uprb_ring_free(rb);
	}
	assert_int_not_equal(wakeups, 0);
}

static void test_reset_takes_the_new_options_of_the_same_geometry(void **state)
{
	(void)state;
	struct uprb_ring_opts a = { .sz = sizeof(a), .page_size = 128, .nr_pages = 4 };
	struct uprb_ring_opts b = {
		.sz = sizeof(b), .page_size = 128, .nr_pages = 4,
		.overwrite = true, .backward = true,
		.oversize = UPRB_OVERSIZE_DROP, .watermark = 1000,
		.wakeup = count_wakeup, .wakeup_arg = &wakeups,
	};
	struct uprb_ring *rb = NULL;

	assert_int_equal(uprb_ring_new(&rb, &a), 0);
	use(rb);
	assert_int_equal(uprb_ring_reset(rb, &b), 0);
	assert_as_new(rb, &b);
	use(rb);
	assert_int_equal(uprb_ring_reset(rb, &a), 0);
	assert_as_new(rb, &a);
	uprb_ring_free(rb);
}

static void test_reset_refuses_another_geometry_and_bad_options(void **state)
{
	(void)state;
	struct uprb_ring_opts o = { .sz = sizeof(o), .page_size = 64, .nr_pages = 2 };
	struct uprb_ring_opts bad[] = {
		{ .sz = sizeof(o), .page_size = 128, .nr_pages = 2 },
		{ .sz = sizeof(o), .page_size = 64, .nr_pages = 4 },
		{ .sz = sizeof(o), .page_size = 64, .nr_pages = 3 },
		{ .sz = sizeof(o), .nr_pages = 2 }, /* the default 4096 */
		{ .sz = 1, .page_size = 64, .nr_pages = 2 },
		{ .sz = sizeof(o), .page_size = 64, .nr_pages = 2, .oversize = 7 },
	};
	struct uprb_ring *rb = NULL;
	struct uprb_source src;

	assert_int_equal(uprb_ring_new(&rb, &o), 0);
	uprb_source_init(&src, 1, 0, false);
	assert_int_equal(t_write(rb, &src, 32, 0, 0), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(uprb_ring_reset(rb, &bad[i]), -EINVAL);
		/* Unchanged: the record is still there. */
		assert_int_equal(rb->head, 32);
		assert_int_equal(rb->user_page->data_head, 32);
		assert_int_equal(rb->page_size, 64);
	}
	assert_int_equal(uprb_ring_reset(rb, &o), 0);
	assert_as_new(rb, &o);
	uprb_ring_free(rb);
}

static void test_a_ring_without_pages_and_redirected_pointers_reset(void **state)
{
	(void)state;
	struct uprb_ring_opts none = { .sz = sizeof(none), .nr_pages = 0 };
	struct uprb_ring_opts o = { .sz = sizeof(o), .page_size = 64, .nr_pages = 2 };
	static unsigned char elsewhere[1088 + 128];
	struct uprb_ring *rb = NULL;

	assert_int_equal(uprb_ring_new(&rb, &none), 0);
	assert_int_equal(uprb_ring_pause(rb, false), -EINVAL);
	assert_int_equal(uprb_ring_reset(rb, &none), 0);
	assert_as_new(rb, &none);
	uprb_ring_free(rb);

	/* A harness may point the writer at memory of its own (fuzz_reader_corrupt). */
	assert_int_equal(uprb_ring_new(&rb, &o), 0);
	rb->user_page = (struct perf_event_mmap_page *)elsewhere;
	rb->data_pages[0] = elsewhere + 1088;
	rb->data_pages[1] = elsewhere + 1088 + 64;
	use(rb);
	assert_int_equal(uprb_ring_reset(rb, &o), 0);
	assert_ptr_equal(rb->user_page, uprb_ring_base(rb));
	assert_as_new(rb, &o);
	uprb_ring_free(rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_used_ring_resets_to_new),
		cmocka_unit_test(test_reset_takes_the_new_options_of_the_same_geometry),
		cmocka_unit_test(test_reset_refuses_another_geometry_and_bad_options),
		cmocka_unit_test(test_a_ring_without_pages_and_redirected_pointers_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
