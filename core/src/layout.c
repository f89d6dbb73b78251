/* SPDX-License-Identifier: MIT */
/*
 * layout.c - ring memory: a perf-mmap-compatible control page and data pages,
 * fenced by inaccessible guard pages, and the sample_id trailer of a source.
 *
 * Memory of a ring (one anonymous mapping, zero-filled like the kernel's
 * __GFP_ZERO pages, which backward readers rely on):
 *
 *   [guard][unused pad][control page][data page 0]...[data page n-1][guard]
 *                      ^ base                                      ^ ends at
 *                                                                    the guard
 *
 * data_offset is the page size as in the kernel, except that the control
 * page cannot be smaller than struct perf_event_mmap_page (1088 bytes): with
 * small fuzzing pages data_offset is rounded up to the next page multiple.
 * The data area ends exactly at the trailing guard, so a write past it
 * faults at once; under ASan the pads (the slack before the control page and
 * between struct perf_event_mmap_page and data_offset) are poisoned as well.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "uprb/port.h"
#include "uprb/uprb.h"

#if defined(__SANITIZE_ADDRESS__)
#define UPRB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UPRB_ASAN 1
#endif
#endif
#ifdef UPRB_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

static uint64_t round_up(uint64_t x, uint64_t to)
{
	return (x + to - 1) / to * to;
}

/* Where the data area starts for a page size (perf's data_offset). */
static uint64_t data_offset_for(uint32_t page_size)
{
	return round_up(sizeof(struct perf_event_mmap_page), page_size);
}

/* Validate @o. Return: 0 and the page size it asks for, or -EINVAL. */
static int check_opts(const struct uprb_ring_opts *o, uint64_t *page_size)
{
	uint64_t ps = o->page_size ? o->page_size : UPRB_DEFAULT_PAGE_SIZE;

	if (o->sz < offsetof(struct uprb_ring_opts, wakeup_arg) + sizeof(void *))
		return -EINVAL;
	if (!is_pow2(ps) || ps < UPRB_MIN_PAGE_SIZE || ps > (1u << 24))
		return -EINVAL;
	if (o->nr_pages && (!is_pow2(o->nr_pages) || o->nr_pages > (1u << 20)))
		return -EINVAL;
	if (o->oversize != UPRB_OVERSIZE_WRAP && o->oversize != UPRB_OVERSIZE_DROP)
		return -EINVAL;
	if (ps * o->nr_pages > (1ull << 32))
		return -EINVAL;
	*page_size = ps;
	return 0;
}

/* Bytes between the leading guard and the trailing one. */
static uint64_t body_len(uint64_t page_size, uint64_t data_size,
			 uint64_t sys_page)
{
	return round_up(data_offset_for((uint32_t)page_size) + data_size,
			sys_page);
}

/*
 * Everything of a new ring but its allocations (rb, map, data_pages):
 * memory, ASan's pads, geometry, configuration, writer state, control page.
 * uprb_ring_new() and uprb_ring_reset() both end here, so a reset ring is
 * a new one by construction. @dirty: the memory was used (a fresh mapping
 * is zero already, and may be far larger than a reset would touch).
 */
static void ring_fill(struct uprb_ring *rb, const struct uprb_ring_opts *o,
		      uint64_t page_size, bool dirty)
{
	uint64_t sys_page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t data_size = page_size * o->nr_pages;
	uint64_t data_off = data_offset_for((uint32_t)page_size);
	uint64_t total = data_off + data_size;
	uint64_t body = body_len(page_size, data_size, sys_page);
	unsigned char *map = rb->map, **pages = rb->data_pages, *base;
	size_t map_len = rb->map_len;

	if (dirty) {
		UNPOISON(map + sys_page, body);
		memset(map + sys_page, 0, body);
	}
	/* Every field as calloc() left it, then what new sets. */
	memset(rb, 0, sizeof(*rb));
	rb->map = map;
	rb->map_len = map_len;
	rb->data_pages = pages;
	rb->base_off = sys_page + (body - total);
	base = map + rb->base_off;
	POISON(map + sys_page, body - total);
	POISON(base + sizeof(struct perf_event_mmap_page),
	       data_off - sizeof(struct perf_event_mmap_page));

	rb->page_size = (uint32_t)page_size;
	rb->page_shift = (uint32_t)__builtin_ctzll(page_size);
	rb->nr_pages = o->nr_pages;
	rb->data_size = data_size;
	rb->user_page = (struct perf_event_mmap_page *)base;
	for (uint32_t i = 0; i < o->nr_pages; i++)
		rb->data_pages[i] = base + data_off + (uint64_t)i * page_size;

	rb->overwrite = o->overwrite;
	rb->backward = o->backward;
	rb->oversize = o->oversize;
	rb->wakeup_fn = o->wakeup;
	rb->wakeup_arg = o->wakeup_arg;
	rb->watermark = o->watermark < data_size ? o->watermark : data_size;
	if (!rb->watermark)
		rb->watermark = data_size / 2;
	rb->paused = o->nr_pages == 0; /* no pages: permanently paused */

	/* What perf_event_init_userpage() fills in. */
	rb->user_page->cap_bit0_is_deprecated = 1;
	rb->user_page->size = offsetof(struct perf_event_mmap_page, __reserved);
	rb->user_page->data_offset = data_off;
	rb->user_page->data_size = data_size;
}

int uprb_ring_new(struct uprb_ring **out, const struct uprb_ring_opts *o)
{
	uint64_t sys_page = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t page_size, body;
	struct uprb_ring *rb;
	unsigned char *map;
	size_t map_len;

	*out = NULL;
	if (check_opts(o, &page_size))
		return -EINVAL;
	rb = calloc(1, sizeof(*rb));
	if (!rb)
		return -ENOMEM;
	body = body_len(page_size, page_size * o->nr_pages, sys_page);
	map_len = body + 2 * sys_page;
	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED) {
		free(rb);
		return -ENOMEM;
	}
	rb->data_pages = calloc(o->nr_pages ? o->nr_pages : 1, sizeof(*rb->data_pages));
	if (!rb->data_pages) {
		munmap(map, map_len);
		free(rb);
		return -ENOMEM;
	}
	/* Guards: a stray store before or after the ring faults. */
	mprotect(map, sys_page, PROT_NONE);
	mprotect(map + sys_page + body, sys_page, PROT_NONE);
	rb->map = map;
	rb->map_len = map_len;
	ring_fill(rb, o, page_size, false);
	*out = rb;
	return 0;
}

int uprb_ring_reset(struct uprb_ring *rb, const struct uprb_ring_opts *o)
{
	uint64_t page_size;

	if (check_opts(o, &page_size) || page_size != rb->page_size ||
	    o->nr_pages != rb->nr_pages)
		return -EINVAL;
	ring_fill(rb, o, page_size, true);
	return 0;
}

void uprb_ring_free(struct uprb_ring *rb)
{
	if (!rb)
		return;
	UNPOISON(rb->map, rb->map_len);
	munmap(rb->map, rb->map_len);
	free(rb->data_pages);
	free(rb);
}

void *uprb_ring_base(const struct uprb_ring *rb)
{
	return (unsigned char *)rb->map + rb->base_off;
}

size_t uprb_ring_len(const struct uprb_ring *rb)
{
	return (size_t)(data_offset_for(rb->page_size) + rb->data_size);
}

int uprb_ring_pause(struct uprb_ring *rb, bool pause)
{
	/* P, matches the writer's paused load: see output.c. */
	uprb_store_release32(UPRB_SITE_PAUSE_STORE, &rb->paused,
			     pause || !rb->nr_pages);
	return rb->nr_pages ? 0 : -EINVAL;
}

int uprb_ring_check(const struct uprb_ring *rb)
{
	if (rb->nest != 0)
		return -EPROTO;
	if (rb->user_page->data_head != rb->head)
		return -EPROTO;
	if (rb->head & 7)
		return -EPROTO;
	return 0;
}

uint16_t uprb_id_header_size(uint64_t sample_type)
{
	uint16_t n = 0;

	n += sample_type & PERF_SAMPLE_TID ? 8 : 0;
	n += sample_type & PERF_SAMPLE_TIME ? 8 : 0;
	n += sample_type & PERF_SAMPLE_ID ? 8 : 0;
	n += sample_type & PERF_SAMPLE_STREAM_ID ? 8 : 0;
	n += sample_type & PERF_SAMPLE_CPU ? 8 : 0;
	n += sample_type & PERF_SAMPLE_IDENTIFIER ? 8 : 0;
	return n;
}

void uprb_source_init(struct uprb_source *src, uint64_t id,
		      uint64_t sample_type, bool sample_id_all)
{
	memset(src, 0, sizeof(*src));
	src->id = id;
	src->stream_id = id;
	src->sample_type = sample_type;
	src->sample_id_all = sample_id_all;
	src->id_header_size = uprb_id_header_size(sample_type);
}

size_t uprb_source_sample_id(const struct uprb_source *src, void *buf)
{
	uint64_t t = src->sample_type;
	unsigned char *p = buf;
	uint32_t u32[2];
	uint64_t u64;

	/* Order of perf's struct sample_id: IDENTIFIER last, fixed from the end. */
	if (t & PERF_SAMPLE_TID) {
		u32[0] = src->pid;
		u32[1] = src->tid;
		memcpy(p, u32, 8);
		p += 8;
	}
	if (t & PERF_SAMPLE_TIME) {
		u64 = src->clock ? src->clock(src->clock_arg) : 0;
		memcpy(p, &u64, 8);
		p += 8;
	}
	if (t & PERF_SAMPLE_ID) {
		memcpy(p, &src->id, 8);
		p += 8;
	}
	if (t & PERF_SAMPLE_STREAM_ID) {
		memcpy(p, &src->stream_id, 8);
		p += 8;
	}
	if (t & PERF_SAMPLE_CPU) {
		u32[0] = src->cpu;
		u32[1] = 0;
		memcpy(p, u32, 8);
		p += 8;
	}
	if (t & PERF_SAMPLE_IDENTIFIER) {
		memcpy(p, &src->id, 8);
		p += 8;
	}
	return (size_t)(p - (unsigned char *)buf);
}
