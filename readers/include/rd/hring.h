/* SPDX-License-Identifier: MIT */
/*
 * hring.h - the harness ring the readers read: a ring of the core, its
 * control page and data pages moved into a mapping fenced by wide
 * inaccessible zones, and the writer of the records the readers must
 * return.
 *
 *   [zone: RD_HRING_ZONE][control page][data pages][zone: RD_HRING_ZONE]
 *
 * A reader that trusts a record size reads up to 64 KiB past where it
 * starts, and memcpy may touch the far end of a range first: a zone wider
 * than the largest record (65528) plus a page makes every such load fault
 * inside a zone, where guard.h attributes it to the reader.
 *
 * Records are what a BPF program's bpf_perf_event_output() produces (the
 * records libbpf's and bcc's typed readers hand their callers):
 * PERF_RECORD_SAMPLE with sample_type PERF_SAMPLE_RAW, written through the
 * core's writer (uprb_output_begin/copy/end):
 *
 *   header { PERF_RECORD_SAMPLE, misc 0, size }, u32 raw_size, raw bytes
 *
 * with raw_size = size - 12 (so 4 + raw_size keeps the record 8-aligned,
 * as the kernel pads RAW data) and raw byte i of record seq
 * rd_payload_byte(seq, i). Drops are reported as the kernel does, by a
 * PERF_RECORD_LOST (24 bytes: id, lost; no sample_id trailer) in front of
 * the next record that fits.
 *
 * Pages are the system page (4 KiB here): third-party readers take the
 * data offset and the ring size from getpagesize().
 */
#ifndef RD_HRING_H
#define RD_HRING_H

#include <stdbool.h>
#include <stdint.h>

#include "rd/adapter.h"
#include "uprb/uprb.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RD_HRING_ZONE (65536u + 2 * 4096u)
/* Smallest record: header, raw_size, 4 raw bytes. */
#define RD_SAMPLE_MIN 16u
/* Bytes before the RAW payload. */
#define RD_SAMPLE_RAW_OFF 12u
/* The writing event's id (in its LOST records). */
#define RD_HRING_ID 0x5eedu

struct rd_hring {
	struct uprb_ring *rb;     /* writer state; pages point into map */
	struct uprb_source src;   /* the writing event */
	unsigned char *map;
	size_t map_len;
	struct rd_ring ring;      /* what adapters get */
	unsigned char *data;      /* the data area */
	uint64_t data_size;
	struct perf_event_mmap_page *pc;
	uintptr_t zone_lo[2];
	size_t zone_len[2];
};

/* What one write put in the ring. */
struct rd_write {
	int ret;            /* 0, or -ENOSPC (a drop, counted for a LOST) */
	uint64_t pos;       /* the SAMPLE's position */
	uint64_t lost_pos;  /* the LOST in front of it, when lost_count */
	uint64_t lost_count;
};

/*
 * A ring of @nr_pages (1, 2, 4 or 8) system pages, forward non-overwrite
 * or (@backward) backward overwrite, exactly as new: kept between calls
 * (one per geometry) and reset, so use it only until the next call with
 * the same geometry. Aborts when memory cannot be had (a harness fault).
 */
struct rd_hring *rd_hring_get(uint32_t nr_pages, bool backward);

/* Write the SAMPLE of @size bytes (16..65528, a multiple of 8) number @seq. */
struct rd_write rd_hring_write(struct rd_hring *h, unsigned size, uint32_t seq);

/* RAW payload byte @i of record @seq. */
static inline uint8_t rd_payload_byte(uint32_t seq, uint32_t i)
{
	uint64_t x = ((uint64_t)seq << 32 | (i >> 3)) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return (uint8_t)(x >> (8 * (i & 7)));
}

/* Build the SAMPLE @seq of @size bytes into @buf (size bytes). */
void rd_sample_build(void *buf, unsigned size, uint32_t seq);

/* Build the LOST record the writer emits for @count drops into @buf (24 bytes). */
void rd_lost_build(void *buf, uint64_t count);

/* Copy @n ring bytes from position @pos (wrapping) into @dst. */
void rd_hring_peek(const struct rd_hring *h, uint64_t pos, void *dst, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* RD_HRING_H */
