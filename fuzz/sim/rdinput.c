/* SPDX-License-Identifier: MIT */
/*
 * rdinput.c - the total decoder of fuzz_readers inputs (format in
 * rdinput.h) and its printer, which writes uprb-script's text form.
 */
#include <inttypes.h>
#include <string.h>

#include "input.h"
#include "rdinput.h"

const uint8_t rdi_ops[8] = {
	RDI_WRITE, RDI_WRITE, RDI_WRITE, RDI_READ, RDI_READ, RDI_CORRUPT,
	RDI_HEAD, RDI_TAIL,
};
const uint8_t rdi_inner[4] = {
	RDI_WRITE, RDI_CORRUPT, RDI_HEAD, RDI_WRITE,
};
const uint8_t rdi_corrupts[8] = {
	RDI_ZERO, RDI_SIZE, RDI_SIZE, RDI_TYPE, RDI_RAW, RDI_FLIP,
	RDI_STRADDLE, RDI_SIZE,
};

const uint8_t rdi_head_args[RDI_HEAD_COUNT] = {
	RDI_ARG_U64, RDI_ARG_DISTANCE, RDI_ARG_DISTANCE, RDI_ARG_UNALIGNED,
	RDI_ARG_NONE,
};
const uint8_t rdi_tail_args[RDI_TAIL_COUNT] = {
	RDI_ARG_DISTANCE, RDI_ARG_NONE, RDI_ARG_UNALIGNED, RDI_ARG_U64,
};

const char *const rdi_kind_names[RDI_KIND_COUNT] = {
	"nop", "write", "read", "corrupt", "head", "tail",
};
const char *const rdi_corrupt_names[RDI_CORRUPT_COUNT] = {
	"zero", "size", "type", "raw", "flip", "straddle",
};
const char *const rdi_size_names[RDI_TO_COUNT] = {
	"0", "4", "12", "ring", "ring+8", "huge", "past-head", "value",
};
const char *const rdi_raw_names[RDI_RAW_COUNT] = {
	"record", "past", "huge", "value",
};
const char *const rdi_head_names[RDI_HEAD_COUNT] = {
	"set", "ahead", "behind", "unaligned", "lap",
};
const char *const rdi_tail_names[RDI_TAIL_COUNT] = {
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
	a->how = rdi_corrupts[fz_u8(in) % 8];
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

/* HEAD or TAIL: how, then its argument (rdi_head_args, rdi_tail_args). */
static void decode_move(struct rdi_act *a, struct fz_in *in,
			const uint8_t *args, unsigned n)
{
	a->how = fz_u8(in) % n;
	switch (args[a->how]) {
	case RDI_ARG_U64:
		a->val = fz_u64(in);
		break;
	case RDI_ARG_DISTANCE:
		a->val = 8u * (1u + fz_u16(in) % 512u);
		break;
	case RDI_ARG_UNALIGNED:
		a->val = 1u + fz_u8(in) % 7u;
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
		decode_move(a, in, rdi_head_args, RDI_HEAD_COUNT);
		break;
	case RDI_TAIL:
		decode_move(a, in, rdi_tail_args, RDI_TAIL_COUNT);
		break;
	default:
		break;
	}
}

void rdi_decode(struct rdi_program *p, const uint8_t *data, size_t len)
{
	struct fz_in in = { data, len, 0 };
	uint8_t b = fz_u8(&in);

	p->nr_pages = 1u << (b & 3);
	p->backward = b & 4;
	p->nops = 0;
	while (fz_more(&in) && p->nops < RDI_MAX_OPS) {
		struct rdi_op *o = &p->ops[p->nops++];
		uint8_t kind = rdi_ops[fz_u8(&in) % 8];

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

			decode_act(&o->inner[k], rdi_inner[fz_u8(&in) % 4], &in);
			o->inner[k].nth = nth;
		}
	}
}

/* "corrupt ...": the record first, then what it becomes. */
static void corrupt_print(FILE *f, const struct rdi_act *a)
{
	fprintf(f, "corrupt %s", rdi_corrupt_names[a->how]);
	switch (a->how) {
	case RDI_FLIP:
		fprintf(f, " %" PRIu64 " mask 0x%02x", a->val, a->mask);
		return;
	case RDI_SIZE:
		fprintf(f, " rec %u to %s", a->rec, rdi_size_names[a->to]);
		if (a->to == RDI_TO_VALUE)
			fprintf(f, " %" PRIu64, a->val);
		return;
	case RDI_TYPE:
		fprintf(f, " rec %u to %#" PRIx64, a->rec, a->val);
		return;
	case RDI_RAW:
		fprintf(f, " rec %u to %s", a->rec, rdi_raw_names[a->to]);
		if (a->to == RDI_RAW_VALUE)
			fprintf(f, " %" PRIu64, a->val);
		return;
	default:
		fprintf(f, " rec %u", a->rec);
		return;
	}
}

/* A HEAD or TAIL argument: distances in bytes, absolute values in hex. */
static void move_arg_print(FILE *f, uint8_t arg, uint64_t val)
{
	if (arg == RDI_ARG_U64)
		fprintf(f, " %#" PRIx64, val);
	else if (arg != RDI_ARG_NONE)
		fprintf(f, " %" PRIu64, val);
}

void rdi_act_print(FILE *f, const struct rdi_act *a)
{
	switch (a->kind) {
	case RDI_WRITE:
		fprintf(f, "write size %u", a->size);
		if (a->count > 1)
			fprintf(f, " x%u", a->count);
		break;
	case RDI_CORRUPT:
		corrupt_print(f, a);
		break;
	case RDI_HEAD:
		fprintf(f, "head %s", rdi_head_names[a->how]);
		move_arg_print(f, rdi_head_args[a->how], a->val);
		break;
	case RDI_TAIL:
		fprintf(f, "tail %s", rdi_tail_names[a->how]);
		move_arg_print(f, rdi_tail_args[a->how], a->val);
		break;
	default:
		fprintf(f, "%s", rdi_kind_names[RDI_NOP]);
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
		if (o->a.kind != RDI_READ) {
			rdi_act_print(f, &o->a);
			fputc('\n', f);
			continue;
		}
		if (o->max)
			fprintf(f, "read max %u\n", o->max);
		else
			fprintf(f, "read all\n");
		for (unsigned k = 0; k < o->ninner; k++) {
			fprintf(f, "  at item#%u: ", o->inner[k].nth);
			rdi_act_print(f, &o->inner[k]);
			fputc('\n', f);
		}
	}
}
