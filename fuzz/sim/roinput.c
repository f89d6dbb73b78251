/* SPDX-License-Identifier: MIT */
/*
 * roinput.c - the total decoder of fuzz_ring_opts inputs (format in
 * roinput.h) and its printer, which writes uprb-script's text form.
 */
#include <string.h>

#include "input.h"
#include "roinput.h"

const char *const roi_sz_names[ROI_SZ_COUNT] = { "full", "short", "min", "zero" };
/* The reader's sz code 7 passes no options struct at all. */
const char *const roi_reader_sz_names[ROI_SZ_COUNT] = { "full", "short", "min", "none" };
const char *const roi_fail_names[ROI_FAIL_COUNT] = {
	"none", "struct", "mapping", "page-table", "scratch",
};
const char *const roi_scratch_names[ROI_SCRATCH_COUNT] = {
	"own", "exact", "short", "larger",
};

static uint32_t u32(struct fz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

static uint8_t sz_code(struct fz_in *in)
{
	switch (fz_u8(in) % 8) {
	case 5:
		return ROI_SZ_SHORT;
	case 6:
		return ROI_SZ_MIN;
	case 7:
		return ROI_SZ_ZERO;
	default:
		return ROI_SZ_FULL;
	}
}

/* A power of two or 0 (bits 0-4), plus one (bit 5), or any u32 (bit 6). */
static uint32_t num_code(struct fz_in *in)
{
	uint8_t b = fz_u8(in);
	uint32_t e = b & 31, v = e == 31 ? 0 : 1u << e;

	if (b & 0x40)
		return u32(in);
	return v + !!(b & 0x20);
}

/* The flags byte (and the oversize u32 it may ask for); @reset: bit 4. */
static void flags(struct roi_opts *r, struct fz_in *in, bool reset)
{
	uint8_t b = fz_u8(in);

	r->overwrite = b & 1;
	r->backward = b & 2;
	r->same = reset && (b & 0x10);
	switch (b >> 2 & 3) {
	case 0:
		r->oversize = UPRB_OVERSIZE_WRAP;
		break;
	case 1:
		r->oversize = UPRB_OVERSIZE_DROP;
		break;
	case 2:
		r->oversize = 2;
		break;
	default:
		r->oversize = u32(in);
		break;
	}
}

static void decode_write(struct roi_write *w, struct fz_in *in)
{
	uint8_t b = fz_u8(in);

	switch (b >> 5) {
	case 0:
		w->size = b & 31;
		break;
	case 1:
		w->data = true;
		w->delta = (int8_t)((b & 31) - 16);
		break;
	case 2:
		w->size = 65519u + (b & 31);
		break;
	case 3:
		w->size = u32(in);
		break;
	case 4:
	case 5:
		w->size = 8u + 8u * (b & 31);
		break;
	default:
		w->size = 12u + 8u * (b & 31);
		break;
	}
}

static void decode_reader(struct roi_reader *r, struct fz_in *in)
{
	uint8_t b;

	r->sz = sz_code(in);
	b = fz_u8(in);
	r->overwrite = b & 1;
	r->backward = b & 2;
	r->scratch = b >> 2 & 3;
	r->flush = fz_u16(in);
}

void roi_decode(struct roi_program *p, const uint8_t *data, size_t len)
{
	struct fz_in in = { .p = data, .len = len };
	uint8_t fail;

	memset(p, 0, sizeof(*p));
	p->ring.sz = sz_code(&in);
	p->ring.page_size = num_code(&in);
	p->ring.nr_pages = num_code(&in);
	flags(&p->ring, &in, false);
	p->ring.watermark = fz_u16(&in);
	fail = fz_u8(&in) % 8;
	p->ring.fail = fail < ROI_FAIL_COUNT ? fail : ROI_FAIL_NONE;
	if (!roi_reads_on(&p->ring)) {
		/* No bytes may come as a null pointer: no offset added to it. */
		p->unread = in.pos < len ? data + in.pos : NULL;
		p->nunread = in.pos < len ? len - in.pos : 0;
		return;
	}
	p->has_reset = fz_more(&in);
	p->reset.page_size = num_code(&in);
	p->reset.nr_pages = num_code(&in);
	flags(&p->reset, &in, true);
	p->has_pause = fz_more(&in);
	for (unsigned i = 0; i < 2; i++)
		p->pause[i] = fz_u8(&in) & 1;
	/* The last 4 bytes are the reader's. */
	while (p->nwrites < ROI_MAX_WRITES && in.pos + 4 < in.len)
		decode_write(&p->writes[p->nwrites++], &in);
	p->has_reader = fz_more(&in) || p->nwrites;
	decode_reader(&p->reader, &in);
}

size_t roi_sz_bytes(uint8_t sz, size_t full, size_t last_end)
{
	switch (sz) {
	case ROI_SZ_SHORT:
		return last_end - 1;
	case ROI_SZ_MIN:
		return last_end;
	case ROI_SZ_ZERO:
		return 0;
	default:
		return full;
	}
}

void roi_ring_opts(const struct roi_opts *r, struct uprb_ring_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = roi_sz_bytes(r->sz, sizeof(*o),
			     offsetof(struct uprb_ring_opts, wakeup_arg) +
			     sizeof(void *));
	o->page_size = r->page_size;
	o->nr_pages = r->nr_pages;
	o->overwrite = r->overwrite;
	o->backward = r->backward;
	o->oversize = (enum uprb_oversize)r->oversize;
	o->watermark = r->watermark;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

bool roi_opts_valid(const struct uprb_ring_opts *o)
{
	uint64_t ps = o->page_size ? o->page_size : UPRB_DEFAULT_PAGE_SIZE;

	return o->sz >= offsetof(struct uprb_ring_opts, wakeup_arg) + sizeof(void *) &&
	       is_pow2(ps) && ps >= UPRB_MIN_PAGE_SIZE && ps <= (1u << 24) &&
	       (!o->nr_pages || (is_pow2(o->nr_pages) && o->nr_pages <= (1u << 20))) &&
	       (o->oversize == UPRB_OVERSIZE_WRAP || o->oversize == UPRB_OVERSIZE_DROP) &&
	       ps * o->nr_pages <= (1ull << 32);
}

bool roi_reads_on(const struct roi_opts *r)
{
	struct uprb_ring_opts o;
	uint64_t ps = r->page_size ? r->page_size : UPRB_DEFAULT_PAGE_SIZE;

	roi_ring_opts(r, &o);
	return roi_opts_valid(&o) && ps * r->nr_pages <= ROI_SMALL_RING;
}

/* " backward overwrite oversize X": the modes both option lines print. */
static void print_modes(FILE *f, const struct roi_opts *r)
{
	if (r->backward)
		fprintf(f, " backward");
	if (r->overwrite)
		fprintf(f, " overwrite");
	if (r->oversize == UPRB_OVERSIZE_DROP)
		fprintf(f, " oversize drop");
	else if (r->oversize != UPRB_OVERSIZE_WRAP)
		fprintf(f, " oversize %u", r->oversize);
}

static void print_write(FILE *f, const struct roi_write *w)
{
	if (!w->data)
		fprintf(f, "write size %u\n", w->size);
	else if (w->delta)
		fprintf(f, "write size data%+d\n", w->delta);
	else
		fprintf(f, "write size data\n");
}

static void print_reader(FILE *f, const struct roi_reader *r)
{
	fprintf(f, "reader");
	if (r->sz != ROI_SZ_FULL)
		fprintf(f, " opts %s", roi_reader_sz_names[r->sz]);
	if (r->backward)
		fprintf(f, " backward");
	if (r->overwrite)
		fprintf(f, " overwrite");
	if (r->scratch != ROI_SCRATCH_OWN)
		fprintf(f, " scratch %s", roi_scratch_names[r->scratch]);
	if (r->flush)
		fprintf(f, " flush %u", r->flush);
	fprintf(f, "\n");
}

void roi_print(FILE *f, const struct roi_program *p)
{
	const struct roi_opts *r = &p->ring;

	fprintf(f, "ring page-size %u pages %u", r->page_size, r->nr_pages);
	if (r->sz != ROI_SZ_FULL)
		fprintf(f, " opts %s", roi_sz_names[r->sz]);
	print_modes(f, r);
	if (r->watermark)
		fprintf(f, " watermark %u", r->watermark);
	if (r->fail != ROI_FAIL_NONE)
		fprintf(f, " fail %s", roi_fail_names[r->fail]);
	fprintf(f, "\n");
	for (size_t i = 0; i < p->nunread; i++)
		fprintf(f, "%s0x%02x%s", i % 16 ? " " : "unread ", p->unread[i],
			i % 16 == 15 || i + 1 == p->nunread ? "\n" : "");
	if (p->has_reset) {
		if (p->reset.same)
			fprintf(f, "reset same");
		else
			fprintf(f, "reset page-size %u pages %u",
				p->reset.page_size, p->reset.nr_pages);
		print_modes(f, &p->reset);
		fprintf(f, "\n");
	}
	if (p->has_pause)
		fprintf(f, "pause %s %s\n", p->pause[0] ? "on" : "off",
			p->pause[1] ? "on" : "off");
	for (unsigned i = 0; i < p->nwrites; i++)
		print_write(f, &p->writes[i]);
	if (p->has_reader)
		print_reader(f, &p->reader);
}
