/* SPDX-License-Identifier: MIT */
/*
 * rinput.c - the total decoder of fuzz_reader_corrupt inputs (format in
 * rinput.h) and a printer for the programs it produces.
 */
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "rinput.h"

const char *const fzr_mode_names[FZR_MODE_COUNT] = { "written", "bytes",
						     "raw" };
const char *const fzr_kind_names[FZR_KIND_COUNT] = {
	"nop", "write", "read", "corrupt", "scribble", "resync",
};
const char *const fzr_corrupt_names[FZR_CORRUPT_COUNT] = {
	"flip", "zero", "size", "straddle",
};
const char *const fzr_size_names[FZR_TO_COUNT] = {
	"0", "4", "12", "huge", "ring", "ring+8", "past-head", "value",
};
const char *const fzr_head_names[FZR_HEAD_COUNT] = {
	"set", "ahead", "behind", "unaligned", "mid",
};

static const uint64_t trailer_bits[6] = {
	PERF_SAMPLE_TID, PERF_SAMPLE_TIME, PERF_SAMPLE_ID,
	PERF_SAMPLE_STREAM_ID, PERF_SAMPLE_CPU, PERF_SAMPLE_IDENTIFIER,
};

uint64_t fzr_sys_page(void)
{
	static uint64_t page;

	if (!page)
		page = (uint64_t)sysconf(_SC_PAGESIZE);
	return page;
}

static const uint32_t pages_tab[5] = { 1, 2, 4, 8, 0 };

static void decode_config(struct fzr_config *c, struct fz_in *in)
{
	uint8_t b = fz_u8(in);
	uint64_t d, v;

	memset(c, 0, sizeof(*c));
	c->mode = (b & 3) < 2 ? FZR_WRITTEN : (b & 3) == 2 ? FZR_BYTES : FZR_RAW;
	c->backward = b & 4;
	c->overwrite = b & 8;
	if (c->mode != FZR_RAW) {
		b = fz_u8(in);
		/* Bit 7 is BYTES' legacy flag, not part of the page size. */
		c->page_size = 64u << ((b & 0x7f) % 7);
		c->legacy = c->mode == FZR_BYTES && (b & 0x80);
		c->nr_pages = pages_tab[fz_u8(in) % 5];
		c->data_size = (uint64_t)c->page_size * c->nr_pages;
		/* The core's data_offset: the control struct rounded up. */
		c->data_offset = (1088 + c->page_size - 1) / c->page_size *
				 c->page_size;
		if (c->legacy)
			c->data_offset = fzr_sys_page();
		c->len = c->data_offset + c->data_size;
	}
	if (c->mode == FZR_WRITTEN) {
		c->id = 0x100u + fz_u8(in);
		b = fz_u8(in);
		for (unsigned k = 0; k < 6; k++)
			if (b & (1u << k))
				c->sample_type |= trailer_bits[k];
		c->sample_id_all = b & 0x40;
		return;
	}
	if (c->mode == FZR_RAW) {
		int64_t len;

		c->data_offset = fz_u16(in);
		b = fz_u8(in);
		c->data_size = b < 0x80 ? 1u << (b % 17) :
			(uint32_t)(fz_u16(in) | (uint32_t)fz_u16(in) << 16);
		len = (int64_t)(c->data_offset +
				(c->data_size < FZR_RAW_SIZE_CAP ?
				 c->data_size : FZR_RAW_SIZE_CAP)) +
		      (int16_t)fz_u16(in);
		c->len = len > 0 ? (uint64_t)len : 0;
	}
	switch (fz_u8(in) % 4) {
	case 0:
		c->tail = 0;
		break;
	case 1:
		c->tail = fz_u16(in);
		break;
	case 2:
		c->tail = 0 - (uint64_t)fz_u16(in);
		break;
	default:
		c->tail = fz_u64(in);
		break;
	}
	b = fz_u8(in) % 4;
	switch (b) {
	case 0:
		d = 8u * fz_u8(in);
		break;
	case 1:
		d = fz_u16(in);
		break;
	case 2:
		d = c->data_size + 8u * fz_u8(in);
		break;
	default:
		d = 0;
		break;
	}
	v = b == 3 ? fz_u64(in) : c->backward ? c->tail - d : c->tail + d;
	c->head = v;
	c->nfill = (uint16_t)(fz_u16(in) % (FZR_MAX_FILL + 1));
	for (unsigned i = 0; i < c->nfill; i++)
		c->fill[i] = fz_u8(in);
}

static void decode_act(struct fz_in *in, struct fzr_act *a, unsigned kind,
		       const struct fzr_config *c)
{
	unsigned b;

	a->kind = (uint8_t)kind;
	switch (kind) {
	case FZR_WRITE:
		/* Nothing writes a ring made of raw bytes. */
		if (c->mode != FZR_WRITTEN) {
			a->kind = FZR_NOP;
			break;
		}
		b = fz_u8(in);
		a->size = (uint16_t)(b < 0xf0 ? 16u + 8u * b :
				     16u + 8u * (fz_u16(in) % 8189u));
		break;
	case FZR_CORRUPT:
		a->how = (uint8_t)(fz_u8(in) % FZR_CORRUPT_COUNT);
		if (a->how == FZR_FLIP) {
			a->val = fz_u16(in);
			a->mask = fz_u8(in);
			if (!a->mask)
				a->mask = 0xff;
			break;
		}
		a->rec = fz_u8(in);
		if (a->how == FZR_SIZE) {
			a->to = (uint8_t)(fz_u8(in) % FZR_TO_COUNT);
			if (a->to == FZR_TO_VALUE)
				a->val = fz_u16(in);
		}
		break;
	case FZR_SCRIBBLE:
		a->how = (uint8_t)(fz_u8(in) % FZR_HEAD_COUNT);
		switch (a->how) {
		case FZR_SET:
			a->val = fz_u64(in);
			break;
		case FZR_AHEAD:
		case FZR_BEHIND:
			a->val = fz_u16(in);
			break;
		case FZR_UNALIGNED:
			a->val = fz_u8(in);
			break;
		default:
			a->rec = fz_u8(in);
			break;
		}
		break;
	default:
		break;
	}
}

const uint8_t fzr_ops[8] = {
	FZR_WRITE, FZR_WRITE, FZR_WRITE, FZR_READ, FZR_READ,
	FZR_CORRUPT, FZR_SCRIBBLE, FZR_RESYNC,
};

const uint8_t fzr_inner[4] = {
	FZR_SCRIBBLE, FZR_CORRUPT, FZR_WRITE, FZR_CORRUPT,
};

void fzr_decode(struct fzr_program *p, const uint8_t *data, size_t len)
{
	struct fz_in in = { .p = data, .len = len };

	decode_config(&p->cfg, &in);
	p->nops = 0;
	while (fz_more(&in) && p->nops < FZR_MAX_OPS) {
		struct fzr_op *o = &p->ops[p->nops++];

		memset(o, 0, sizeof(*o));
		decode_act(&in, &o->a, fzr_ops[fz_u8(&in) % 8], &p->cfg);
		if (o->a.kind != FZR_READ)
			continue;
		o->flags = fz_u8(&in);
		o->ninner = fz_u8(&in) % (FZR_MAX_INNER + 1);
		for (unsigned i = 0; i < o->ninner; i++) {
			struct fzr_act *a = &o->inner[i];

			a->nth = (uint8_t)(1 + fz_u8(&in) % 64);
			decode_act(&in, a, fzr_inner[fz_u8(&in) % 4], &p->cfg);
		}
	}
}

static void print_act(FILE *f, const struct fzr_act *a)
{
	switch (a->kind) {
	case FZR_WRITE:
		fprintf(f, "write size %u\n", a->size);
		break;
	case FZR_CORRUPT:
		fprintf(f, "corrupt %s", fzr_corrupt_names[a->how]);
		if (a->how == FZR_FLIP)
			fprintf(f, " %#" PRIx64 " mask %#x", a->val, a->mask);
		else
			fprintf(f, " rec %u", a->rec);
		if (a->how == FZR_SIZE) {
			fprintf(f, " to %s", fzr_size_names[a->to]);
			if (a->to == FZR_TO_VALUE)
				fprintf(f, " %#" PRIx64, a->val);
		}
		fprintf(f, "\n");
		break;
	case FZR_SCRIBBLE:
		fprintf(f, "scribble %s", fzr_head_names[a->how]);
		if (a->how == FZR_MID)
			fprintf(f, " rec %u\n", a->rec);
		else
			fprintf(f, " %#" PRIx64 "\n", a->val);
		break;
	case FZR_RESYNC:
		fprintf(f, "resync\n");
		break;
	default:
		fprintf(f, "nop\n");
		break;
	}
}

void fzr_program_print(FILE *f, const struct fzr_program *p)
{
	const struct fzr_config *c = &p->cfg;
	const char *dir = c->backward ? "backward" : "forward";
	const char *ow = c->overwrite ? "overwrite" : "non-overwrite";

	switch (c->mode) {
	case FZR_WRITTEN:
		fprintf(f, "ring written page %u pages %u %s %s id %#" PRIx64
			" sample_type %#" PRIx64 "%s\n", c->page_size,
			c->nr_pages, dir, ow, c->id, c->sample_type,
			c->sample_id_all ? " sample_id_all" : "");
		break;
	case FZR_BYTES:
		fprintf(f, "ring bytes page %u pages %u%s %s %s tail %#" PRIx64
			" head %#" PRIx64 "\n", c->page_size, c->nr_pages,
			c->legacy ? " legacy" : "", dir, ow, c->tail, c->head);
		break;
	default:
		fprintf(f, "ring raw data_offset %#" PRIx64 " data_size %#"
			PRIx64 " len %#" PRIx64 " %s %s tail %#" PRIx64
			" head %#" PRIx64 "\n", c->data_offset, c->data_size,
			c->len, dir, ow, c->tail, c->head);
		break;
	}
	if (c->mode != FZR_WRITTEN && c->nfill) {
		unsigned n = c->nfill;

		/* Trailing zeros are left out: a cut input reads as zeros. */
		while (n && !c->fill[n - 1])
			n--;
		fprintf(f, "fill %u%s", c->nfill, n ? " " : "");
		for (unsigned i = 0; i < n; i++)
			fprintf(f, "%02x", c->fill[i]);
		fprintf(f, "\n");
	}
	for (unsigned i = 0; i < p->nops; i++) {
		const struct fzr_op *o = &p->ops[i];

		fprintf(f, "%u: ", i + 1);
		if (o->a.kind != FZR_READ) {
			print_act(f, &o->a);
			continue;
		}
		if (o->flags & FZR_READ_MAX)
			fprintf(f, "read max %u", o->flags & FZR_READ_MAX);
		else
			fprintf(f, "read all");
		fprintf(f, "%s%s\n", o->flags & FZR_READ_RESYNC ? " resync" : "",
			o->flags & FZR_READ_KEEP ? " keep" : "");
		for (unsigned k = 0; k < o->ninner; k++) {
			fprintf(f, "  at event#%u: ", o->inner[k].nth);
			print_act(f, &o->inner[k]);
		}
	}
}
