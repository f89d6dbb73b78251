/* SPDX-License-Identifier: MIT */
/* testutil.h - small helpers shared by the core's unit tests. */
#ifndef UPRB_TESTUTIL_H
#define UPRB_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "uprb/uprb.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_reader.h"

/* A ring, asserting success. */
struct uprb_ring *t_ring(uint32_t page_size, uint32_t nr_pages, bool overwrite,
			 bool backward);

/* The data area byte at ring position @pos (masked). */
unsigned char *t_data(struct uprb_ring *rb, uint64_t pos);

/* A reader on @rb (pausing it for backward reading) with a checker. */
struct t_reader {
	struct uprb_ring *rb;
	struct uprb_reader r;
	struct uprb_check c;
	uint64_t lost_records, lost_sum, synth;
	uint32_t last_seq;          /* of the latest synthetic record */
	uint16_t last_source;
	uint64_t last_lost_id;      /* id of the latest LOST record */
};

void t_reader_open(struct t_reader *t, struct uprb_ring *rb, uint32_t nsources);
void t_reader_close(struct t_reader *t);

/* Tell the checker the sources' trailer layout (for LOST record sizes). */
void t_reader_layout(struct t_reader *t, uint64_t sample_type, bool sample_id_all);

/*
 * Read one window to its end through the checker, consuming after each
 * record; fail the test on any reader error or checker failure.
 * Return: records read.
 */
size_t t_drain(struct t_reader *t);

/* Write one synthetic record; return what uprb_output_begin() returned. */
int t_write(struct uprb_ring *rb, struct uprb_source *src, unsigned int size,
	    uint16_t source, uint32_t seq);

#endif
