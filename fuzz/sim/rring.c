/* SPDX-License-Identifier: MIT */
/* rring.c - fuzz_reader_corrupt's ring memory and verdicts (rring.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rring.h"

int fzr_geometry_ok(uint64_t off, uint64_t size, uint64_t len)
{
	if (off > len || (off & 7) || size > len - off ||
	    (size && (size & (size - 1))))
		return 0;
	/*
	 * Not what a kernel writes, but not described by the contract
	 * either: tiny data areas, and a data area over the control page.
	 */
	if ((size && size < 64) || off < sizeof(struct perf_event_mmap_page))
		return -1;
	return 1;
}

unsigned char *fzr_map_written(struct uprb_ring *rb, size_t *len)
{
	const size_t pc_len = sizeof(struct perf_event_mmap_page);
	struct perf_event_mmap_page *pc;
	unsigned char *map;

	/*
	 * The ring's own memory has guard pages but slack around the control
	 * page: an exact-size copy makes every stray load one ASan sees.
	 */
	*len = uprb_ring_len(rb);
	map = malloc(*len);
	if (!map)
		abort();
	memcpy(map, uprb_ring_base(rb), pc_len);
	memset(map + pc_len, 0, *len - pc_len);
	pc = (struct perf_event_mmap_page *)map;
	rb->user_page = pc;
	for (uint32_t i = 0; i < rb->nr_pages; i++)
		rb->data_pages[i] = map + pc->data_offset +
				    (uint64_t)i * rb->page_size;
	return map;
}

/* @n bytes of @pat repeated over @dst[0, @size), by doubling copies. */
static void fill(unsigned char *dst, uint64_t size, const uint8_t *pat,
		 size_t n)
{
	uint64_t done = n < size ? n : size;

	memcpy(dst, pat, (size_t)done);
	/* [0, done) holds whole periods, so copying it on keeps the pattern. */
	while (done < size) {
		uint64_t k = done < size - done ? done : size - done;

		memcpy(dst + done, dst, (size_t)k);
		done += k;
	}
}

unsigned char *fzr_map_bytes(const struct fzr_config *c)
{
	size_t len = (size_t)c->len;
	struct perf_event_mmap_page *pc;
	unsigned char *map;
	uint64_t off, size;

	/* malloc(0) may give NULL; the reader must refuse a 0-byte map anyway. */
	map = malloc(len ? len : 1);
	if (!map)
		abort();
	if (len < sizeof(struct perf_event_mmap_page))
		return map;
	memset(map, 0, len);
	pc = (struct perf_event_mmap_page *)map;
	if (!c->legacy) {
		pc->data_offset = c->data_offset;
		pc->data_size = c->data_size;
	}
	pc->data_tail = c->tail;
	pc->data_head = c->head;
	off = pc->data_offset ? pc->data_offset : fzr_sys_page();
	size = pc->data_offset ? pc->data_size : len > off ? len - off : 0;
	if (off >= len || !c->nfill)
		return map;
	if (size > len - off)
		size = len - off;
	fill(map + off, size, c->fill, c->nfill);
	return map;
}

/* The header at ring position @pos, bytes taken across the ring's end. */
static struct perf_event_header header_at(const struct fzr_area *a,
					  uint64_t pos)
{
	struct perf_event_header h;
	unsigned char *b = (unsigned char *)&h;

	for (size_t i = 0; i < sizeof(h); i++)
		b[i] = a->data[(pos + i) & (a->size - 1)];
	return h;
}

int fzr_header_verdict(const struct fzr_area *a, uint64_t pos,
		       uint64_t unread, uint16_t *size)
{
	struct perf_event_header h;

	if (unread < sizeof(h))
		return -EPROTO;
	h = header_at(a, pos);
	*size = h.size;
	if (h.size < sizeof(h))
		return -EBADMSG;
	if (h.size & 7)
		return -EILSEQ;
	if (h.size > a->size)
		return -EMSGSIZE;
	if (h.size > unread)
		return -EPROTO;
	return 1;
}

int fzr_find_range_verdict(const struct fzr_area *a, uint64_t head,
			   uint64_t *end)
{
	uint64_t p = head;

	while (p - head < a->size) {
		struct perf_event_header h = header_at(a, p);

		if (!h.size)
			break;
		if (h.size < sizeof(h))
			return -EBADMSG;
		if (h.size & 7)
			return -EILSEQ;
		if (p - head + h.size > a->size)
			break;
		p += h.size;
	}
	*end = p;
	return 0;
}

/* Write @n bytes at ring position @pos of @data, across the ring's end. */
static void poke(unsigned char *data, uint64_t size, uint64_t pos,
		 const void *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		data[(pos + i) & (size - 1)] = ((const unsigned char *)src)[i];
}

void fzr_corrupt(unsigned char *data, uint64_t size, const struct fzr_act *a,
		 uint64_t pos, uint64_t unread)
{
	/* FZR_SIZE: the header's new size, by enum fzr_size_to. */
	const uint16_t to[FZR_TO_COUNT] = {
		[FZR_TO_0] = 0, [FZR_TO_4] = 4, [FZR_TO_12] = 12,
		[FZR_TO_HUGE] = 0xfff8, [FZR_TO_RING] = (uint16_t)size,
		[FZR_TO_RING8] = (uint16_t)(size + 8),
		[FZR_TO_PAST_HEAD] = (uint16_t)(unread + 8),
		[FZR_TO_VALUE] = (uint16_t)a->val,
	};
	uint16_t v;

	switch (a->how) {
	case FZR_FLIP:
		data[a->val & (size - 1)] ^= a->mask;
		return;
	case FZR_ZERO:
		poke(data, size, pos, "\0\0\0\0\0\0\0\0", 8);
		return;
	case FZR_STRADDLE:
		/* A size that carries the record across the ring's end. */
		v = (uint16_t)(size - (pos & (size - 1)) + 8);
		break;
	default:
		v = a->to < FZR_TO_COUNT ? to[a->to] : (uint16_t)a->val;
		break;
	}
	poke(data, size, pos + offsetof(struct perf_event_header, size), &v,
	     sizeof(v));
}

uint64_t fzr_scribble_head(const struct fzr_act *a, uint64_t head,
			   bool backward, uint64_t rec_pos)
{
	uint64_t d = 8 * (1 + a->val % 512);

	switch (a->how) {
	case FZR_SET:
		return a->val;
	case FZR_AHEAD:
		return backward ? head - d : head + d;
	case FZR_BEHIND:
		return backward ? head + d : head - d;
	case FZR_UNALIGNED:
		return head + 1 + a->val % 7;
	default:
		return rec_pos + 8;
	}
}
