/* SPDX-License-Identifier: MIT */
/*
 * hring.c - the harness ring (hring.h): kept per page count, reset as new
 * for every use, its writer's memory moved into a zone-fenced mapping.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rd/hring.h"

/* Page counts: 1, 2, 4, 8. */
#define NR_GEOMETRIES 4u
#define MAX_PAGES 8u

static struct rd_hring rings[NR_GEOMETRIES];

static __attribute__((noreturn)) void fatal(const char *what)
{
	fprintf(stderr, "readers: harness ring: %s\n", what);
	abort();
}

static int pause_ring(void *arg, bool on)
{
	return uprb_ring_pause(((struct rd_hring *)arg)->rb, on);
}

static void make(struct rd_hring *h, uint32_t nr_pages,
		 const struct uprb_ring_opts *o)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t len = page + (size_t)nr_pages * page;

	if (uprb_ring_new(&h->rb, o))
		fatal("uprb_ring_new failed");
	h->map_len = RD_HRING_ZONE + len + RD_HRING_ZONE;
	h->map = mmap(NULL, h->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (h->map == MAP_FAILED)
		fatal("no memory for the zones");
	if (mprotect(h->map + RD_HRING_ZONE, len, PROT_READ | PROT_WRITE))
		fatal("mprotect failed");
	h->zone_lo[0] = (uintptr_t)h->map;
	h->zone_len[0] = RD_HRING_ZONE;
	h->zone_lo[1] = (uintptr_t)h->map + RD_HRING_ZONE + len;
	h->zone_len[1] = RD_HRING_ZONE;
	h->pc = (struct perf_event_mmap_page *)(h->map + RD_HRING_ZONE);
	h->data = h->map + RD_HRING_ZONE + page;
	h->data_size = (uint64_t)nr_pages * page;
	h->ring = (struct rd_ring){
		.base = h->pc, .len = len, .page_size = (uint32_t)page,
		.nr_pages = nr_pages, .pause = pause_ring, .pause_arg = h,
	};
}

struct rd_hring *rd_hring_get(uint32_t nr_pages, bool backward)
{
	struct uprb_ring_opts o = {
		.sz = sizeof(o), .page_size = (uint32_t)sysconf(_SC_PAGESIZE),
		.nr_pages = nr_pages, .overwrite = backward, .backward = backward,
	};
	struct rd_hring *h;
	unsigned g = 0;

	while (g < NR_GEOMETRIES && (1u << g) != nr_pages)
		g++;
	if (g == NR_GEOMETRIES)
		fatal("page count not 1, 2, 4 or 8");
	h = &rings[g];
	if (!h->rb)
		make(h, nr_pages, &o);
	else if (uprb_ring_reset(h->rb, &o))
		fatal("uprb_ring_reset failed");
	/* The writer's control page and pages, moved into the fenced mapping. */
	memcpy(h->pc, h->rb->user_page, sizeof(*h->pc));
	memset(h->data, 0, h->data_size);
	h->rb->user_page = h->pc;
	for (uint32_t i = 0; i < nr_pages; i++)
		h->rb->data_pages[i] = h->data + (uint64_t)i * h->rb->page_size;
	h->ring.backward = backward;
	uprb_source_init(&h->src, RD_HRING_ID, PERF_SAMPLE_RAW, false);
	return h;
}

void rd_sample_build(void *buf, unsigned size, uint32_t seq)
{
	struct perf_event_header hd = { PERF_RECORD_SAMPLE, 0, (uint16_t)size };
	uint32_t raw = size - RD_SAMPLE_RAW_OFF;
	unsigned char *p = buf;

	memcpy(p, &hd, sizeof(hd));
	memcpy(p + sizeof(hd), &raw, sizeof(raw));
	for (uint32_t i = 0; i < raw; i++)
		p[RD_SAMPLE_RAW_OFF + i] = rd_payload_byte(seq, i);
}

void rd_lost_build(void *buf, uint64_t count)
{
	struct {
		struct perf_event_header header;
		uint64_t id, lost;
	} l = { { PERF_RECORD_LOST, 0, UPRB_LOST_RECORD_SIZE }, RD_HRING_ID, count };

	memcpy(buf, &l, sizeof(l));
}

struct rd_write rd_hring_write(struct rd_hring *h, unsigned size, uint32_t seq)
{
	static unsigned char rec[UPRB_MAX_RECORD];
	struct rd_write w = { 0 };
	struct uprb_handle hd;
	uint64_t old = h->rb->head, lost = h->rb->lost, total, lo;

	if (size < RD_SAMPLE_MIN || size > UPRB_MAX_RECORD || (size & 7))
		fatal("record size out of range");
	w.ret = uprb_output_begin(&hd, h->rb, &h->src, size);
	if (w.ret)
		return w;
	rd_sample_build(rec, size, seq);
	uprb_output_copy(&hd, rec, size);
	uprb_output_sample_done(&hd);
	uprb_output_end(&hd);
	/* The reservation: [lo, lo + total), a LOST first when drops were pending. */
	total = h->ring.backward ? old - h->rb->head : h->rb->head - old;
	lo = h->ring.backward ? h->rb->head : old;
	if (total != size) {
		if (total != size + UPRB_LOST_RECORD_SIZE || !lost)
			fatal("the writer reserved an unexpected size");
		w.lost_pos = lo;
		w.lost_count = lost;
		lo += UPRB_LOST_RECORD_SIZE;
	}
	w.pos = lo;
	return w;
}

void rd_hring_peek(const struct rd_hring *h, uint64_t pos, void *dst, size_t n)
{
	unsigned char *d = dst;

	while (n) {
		size_t at = (size_t)(pos & (h->data_size - 1));
		size_t k = h->data_size - at < n ? h->data_size - at : n;

		memcpy(d, h->data + at, k);
		d += k;
		pos += k;
		n -= k;
	}
}
