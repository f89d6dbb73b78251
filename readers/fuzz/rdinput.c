/* SPDX-License-Identifier: MIT */
/*
 * rdinput.c - the total decoder of fuzz_readers inputs (format in
 * rdinput.h) and its printer.
 */
#include <inttypes.h>
#include <string.h>

#include "input.h"
#include "rdinput.h"

static const char *const size_names[RDI_TO_COUNT] = {
	"0", "4", "12", "ring", "ring+8", "huge", "past-head", "value",
};
static const char *const raw_names[RDI_RAW_COUNT] = {
	"record", "past", "huge", "value",
};
static const char *const head_names[RDI_HEAD_COUNT] = {
	"set", "ahead", "behind", "unaligned", "lap",
};
static const char *const tail_names[RDI_TAIL_COUNT] = {
	"ahead", "behind", "unaligned", "set",
};

static uint32_t u32(struct fz_in *in)
{
	return fz_u16(in) | (uint32_t)fz_u16(in) << 16;
}

static void decode_write(struct rdi_act *a, struct fz_in *in)
{
	uint8_t b = fz_u8(in);

	a->size = b < 0xf0 ? (uint16_t)(16u + 8u * b) :
			     (uint16_t)(16u + 8u * (fz_u16(in) % 8189u));
	a->count = (uint8_t)(1u + fz_u8(in) % 8u);
}

static void decode_corrupt(struct rdi_act *a, struct fz_in *in)
{
	static const uint8_t hows[8] = {
		RDI_ZERO, RDI_SIZE, RDI_SIZE, RDI_TYPE, RDI_RAW, RDI_FLIP,
		RDI_STRADDLE, RDI_SIZE,
	};

	a->how = hows[fz_u8(in) % 8];
	if (a->how == RDI_FLIP) {
		a->val = fz_u16(in);
		a->mask = fz_u8(in);
		if (!a->mask)
			a->mask = 0xff;
		return;
	}
	a->rec = fz_u8(in);
	switch (a->how) {
	case RDI_SIZE:
		a->to = fz_u8(in) % RDI_TO_COUNT;
		if (a->to == RDI_TO_VALUE)
			a->val = fz_u16(in);
		break;
	case RDI_TYPE:
		a->val = u32(in);
		break;
	case RDI_RAW:
		a->to = fz_u8(in) % RDI_RAW_COUNT;
		if (a->to == RDI_RAW_VALUE)
			a->val = u32(in);
		break;
	default:
		break;
	}
}

static void decode_head(struct rdi_act *a, struct fz_in *in)
{
	a->how = fz_u8(in) % RDI_HEAD_COUNT;
	switch (a->how) {
	case RDI_H_SET:
		a->val = fz_u64(in);
		break;
	case RDI_H_AHEAD:
	case RDI_H_BEHIND:
		a->val = 8u * (1u + fz_u16(in) % 512u);
		break;
	case RDI_H_UNALIGNED:
		a->val = 1u + fz_u8(in) % 7u;
		break;
	default:
		break;
	}
}

static void decode_tail(struct rdi_act *a, struct fz_in *in)
{
	a->how = fz_u8(in) % RDI_TAIL_COUNT;
	switch (a->how) {
	case RDI_T_AHEAD:
		a->val = 8u * (1u + fz_u16(in) % 512u);
		break;
	case RDI_T_UNALIGNED:
		a->val = 1u + fz_u8(in) % 7u;
		break;
	case RDI_T_SET:
		a->val = fz_u64(in);
		break;
	default:
		break;
	}
}

static void decode_act(struct rdi_act *a, uint8_t kind, struct fz_in *in)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	switch (kind) {
	case RDI_WRITE:
		decode_write(a, in);
		break;
	case RDI_CORRUPT:
		decode_corrupt(a, in);
		break;
	case RDI_HEAD:
		decode_head(a, in);
		break;
	case RDI_TAIL:
		decode_tail(a, in);
		break;
	default:
		break;
	}
}

void rdi_decode(struct rdi_program *p, const uint8_t *data, size_t len)
{
	static const uint8_t kinds[8] = {
		RDI_WRITE, RDI_WRITE, RDI_WRITE, RDI_READ, RDI_READ, RDI_CORRUPT,
		RDI_HEAD, RDI_TAIL,
	};
	static const uint8_t inner_kinds[4] = {
		RDI_WRITE, RDI_CORRUPT, RDI_HEAD, RDI_WRITE,
	};
	struct fz_in in = { data, len, 0 };
	uint8_t b = fz_u8(&in);

	p->nr_pages = 1u << (b & 3);
	p->backward = b & 4;
	p->nops = 0;
	while (fz_more(&in) && p->nops < RDI_MAX_OPS) {
		struct rdi_op *o = &p->ops[p->nops++];
		uint8_t kind = kinds[fz_u8(&in) % 8];

		o->max = 0;
		o->ninner = 0;
		if (kind != RDI_READ) {
			decode_act(&o->a, kind, &in);
			continue;
		}
		memset(&o->a, 0, sizeof(o->a));
		o->a.kind = RDI_READ;
		b = fz_u8(&in);
		o->max = b & 0x3f;
		o->ninner = b >> 6;
		for (unsigned k = 0; k < o->ninner; k++) {
			uint8_t nth = (uint8_t)(1u + fz_u8(&in) % 64u);

			decode_act(&o->inner[k], inner_kinds[fz_u8(&in) % 4], &in);
			o->inner[k].nth = nth;
		}
	}
}

void rdi_act_print(FILE *f, const struct rdi_act *a)
{
	switch (a->kind) {
	case RDI_WRITE:
		fprintf(f, "write size %u count %u", a->size, a->count);
		break;
	case RDI_CORRUPT:
		switch (a->how) {
		case RDI_ZERO:
			fprintf(f, "corrupt zero rec %u", a->rec);
			break;
		case RDI_SIZE:
			fprintf(f, "corrupt size rec %u to %s", a->rec, size_names[a->to]);
			if (a->to == RDI_TO_VALUE)
				fprintf(f, " %" PRIu64, a->val);
			break;
		case RDI_TYPE:
			fprintf(f, "corrupt type rec %u to %" PRIu64, a->rec, a->val);
			break;
		case RDI_RAW:
			fprintf(f, "corrupt raw rec %u to %s", a->rec, raw_names[a->to]);
			if (a->to == RDI_RAW_VALUE)
				fprintf(f, " %" PRIu64, a->val);
			break;
		case RDI_FLIP:
			fprintf(f, "corrupt flip %" PRIu64 " mask 0x%02x", a->val, a->mask);
			break;
		default:
			fprintf(f, "corrupt straddle rec %u", a->rec);
			break;
		}
		break;
	case RDI_HEAD:
		fprintf(f, "head %s", head_names[a->how]);
		if (a->how != RDI_H_LAP)
			fprintf(f, " %#" PRIx64, a->val);
		break;
	case RDI_TAIL:
		fprintf(f, "tail %s", tail_names[a->how]);
		if (a->how != RDI_T_BEHIND)
			fprintf(f, " %#" PRIx64, a->val);
		break;
	default:
		fprintf(f, "nop");
		break;
	}
}

void rdi_print(FILE *f, const struct rdi_program *p)
{
	fprintf(f, "ring pages %u %s\n", p->nr_pages,
		p->backward ? "backward overwrite" : "forward non-overwrite");
	for (unsigned i = 0; i < p->nops; i++) {
		const struct rdi_op *o = &p->ops[i];

		fprintf(f, "%u: ", i + 1);
		if (o->a.kind == RDI_READ) {
			if (o->max)
				fprintf(f, "read max %u\n", o->max);
			else
				fprintf(f, "read all\n");
			for (unsigned k = 0; k < o->ninner; k++) {
				fprintf(f, "  after item %u: ", o->inner[k].nth);
				rdi_act_print(f, &o->inner[k]);
				fputc('\n', f);
			}
			continue;
		}
		rdi_act_print(f, &o->a);
		fputc('\n', f);
	}
}
