/* SPDX-License-Identifier: MIT */
/*
 * pd_records.c - the record layer of the perf.data reader (pd.h). Every
 * kernel record goes through the checker with the layout of its attr
 * (found by PERF_SAMPLE_IDENTIFIER or ID, or the only attr); perf's own
 * record types (>= 64) are checked for size only. Checks: the data section
 * tiles exactly; LOST sum against the LOST_SAMPLES counts; ordering (no
 * record older than perf's FINISHED_ROUND rule allows; per-CPU time order
 * reported). Each record is copied to an aligned buffer first: the file
 * gives no alignment.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pd.h"
#include "stop.h"

/* How many FAIL lines are printed; the rest are counted. */
#define PD_FAIL_LINES 10

__attribute__((format(printf, 2, 3)))
static void rfail(struct pd_walk *w, const char *fmt, ...)
{
	va_list ap;
	char buf[400];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!w->failures++)
		snprintf(w->first, sizeof(w->first), "%s", buf);
	if (w->out && w->failures <= PD_FAIL_LINES)
		fprintf(w->out, "FAIL  %s\n", buf);
}

static int cmp_id(const void *a, const void *b)
{
	const struct pd_id *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Every id of every attr, sorted: a lookup per record in log time. */
static int build_index(struct pd_walk *w)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < w->nattrs; i++)
		n += w->attrs[i].nids;
	w->index = calloc(n ? n : 1, sizeof(*w->index));
	if (!w->index)
		return -ENOMEM;
	for (uint64_t i = 0; i < w->nattrs; i++)
		for (uint64_t j = 0; j < w->attrs[i].nids; j++)
			w->index[w->nindex++] = (struct pd_id){ w->attrs[i].ids[j],
								(uint32_t)i };
	qsort(w->index, w->nindex, sizeof(*w->index), cmp_id);
	return 0;
}

int pd_walk_init(struct pd_walk *w, const struct pd_attr *attrs,
		 uint64_t nattrs, FILE *out, FILE *dump)
{
	memset(w, 0, sizeof(*w));
	w->attrs = attrs;
	w->nattrs = nattrs;
	w->out = out;
	w->dump = dump;
	w->checks = calloc(nattrs ? nattrs : 1, sizeof(*w->checks));
	w->last_cpu_time = calloc(PD_MAX_CPUS, sizeof(*w->last_cpu_time));
	if (!w->checks || !w->last_cpu_time || build_index(w))
		return -ENOMEM;
	for (uint64_t i = 0; i < nattrs; i++) {
		const struct perf_event_attr *a = &attrs[i].attr;
		struct pd_acheck *k = &w->checks[i];
		struct uprb_check_opts co = { .sz = sizeof(co),
					      .order = UPRB_CHECK_ORDER_NONE };

		k->layout = (struct uprb_layout){
			.sample_type = a->sample_type,
			.read_format = a->read_format,
			.sample_regs_user = a->sample_regs_user,
			.sample_regs_intr = a->sample_regs_intr,
			.branch_sample_type = a->branch_sample_type,
			.sample_id_all = a->sample_id_all,
		};
		co.layout = k->layout;
		if (uprb_check_init(&k->c, &co))
			return -ENOMEM;
		k->have_check = true;
		if (i && a->sample_type != attrs[0].attr.sample_type)
			rfail(w, "attr %" PRIu64 ": sample_type 0x%" PRIx64
			      " differs from attr 0's 0x%" PRIx64
			      " (perf cannot parse such a file)", i,
			      (uint64_t)a->sample_type,
			      (uint64_t)attrs[0].attr.sample_type);
	}
	return 0;
}

void pd_walk_fini(struct pd_walk *w)
{
	for (uint64_t i = 0; w->checks && i < w->nattrs; i++)
		if (w->checks[i].have_check)
			uprb_check_fini(&w->checks[i].c);
	free(w->checks);
	free(w->index);
	free(w->last_cpu_time);
	w->checks = NULL;
	w->index = NULL;
	w->last_cpu_time = NULL;
}

/* Where a record's id is: SAMPLE from the front, others from the back. */
static bool id_offset(uint64_t st, bool id_all, const struct perf_event_header *h,
		      uint64_t *at)
{
	if (h->type == PERF_RECORD_SAMPLE) {
		if (st & PERF_SAMPLE_IDENTIFIER)
			*at = 8;
		else if (st & PERF_SAMPLE_ID)
			*at = 8 + 8 * (!!(st & PERF_SAMPLE_IP) + !!(st & PERF_SAMPLE_TID) +
				       !!(st & PERF_SAMPLE_TIME) + !!(st & PERF_SAMPLE_ADDR));
		else
			return false;
		return true;
	}
	if (!id_all)
		return false;
	if (st & PERF_SAMPLE_IDENTIFIER)
		*at = 8;
	else if (st & PERF_SAMPLE_ID)
		*at = 8 * (1 + !!(st & PERF_SAMPLE_STREAM_ID) + !!(st & PERF_SAMPLE_CPU));
	else
		return false;
	*at = *at > h->size ? UINT64_MAX : h->size - *at;
	return true;
}

/*
 * The attr of @rec. All attrs of a file share sample_type (perf requires
 * it), so the id sits at one place: IDENTIFIER first in a SAMPLE and last
 * in a trailer, else ID after ip/tid/time/addr in a SAMPLE, or before
 * stream_id/cpu/identifier in a trailer. Return: its index, or -1.
 */
static int64_t attr_of(const struct pd_walk *w, const unsigned char *rec,
		       const struct perf_event_header *h)
{
	const struct perf_event_attr *a0 = &w->attrs[0].attr;
	struct pd_id key, *hit;
	uint64_t at;

	if (w->nattrs == 1 ||
	    !id_offset(a0->sample_type, a0->sample_id_all, h, &at))
		return 0;
	if (at == UINT64_MAX || at + 8 > h->size)
		return -1;
	key.id = pd_load64(rec + at);
	/* perf's synthesized side-band records (MMAP, COMM) carry id 0. */
	if (h->type != PERF_RECORD_SAMPLE && (key.id == 0 || key.id == UINT64_MAX))
		return 0;
	hit = bsearch(&key, w->index, w->nindex, sizeof(key), cmp_id);
	return hit ? (int64_t)hit->attr : -1;
}

/* A SAMPLE's times against the round rule and its CPU's last; its dump line. */
static void sample(struct pd_walk *w, const struct pd_attr *pa,
		   struct pd_acheck *k, const struct perf_event_header *h)
{
	uint64_t st = pa->attr.sample_type;
	struct uprb_sample smp;
	const char *why = NULL;

	k->samples++;
	if (uprb_parse_sample(h, &k->layout, &smp, &why))
		return;
	if (st & PERF_SAMPLE_TIME) {
		if (w->rounds >= 2 && smp.time < w->round_max[2])
			w->round_violations++;
		if (smp.time > w->round_max[0])
			w->round_max[0] = smp.time;
		if ((st & PERF_SAMPLE_CPU) && smp.cpu < PD_MAX_CPUS) {
			if (smp.time < w->last_cpu_time[smp.cpu])
				w->cpu_inversions++;
			else
				w->last_cpu_time[smp.cpu] = smp.time;
		}
	}
	if (w->dump)
		/* tid -1: a task already dead (perf_event_tid()) */
		fprintf(w->dump, "%s %" PRId32 " %" PRId32 " %" PRIu64 " %" PRIu64 "\n",
			pa->name, (int32_t)smp.tid,
			(st & PERF_SAMPLE_CPU) ? (int32_t)smp.cpu : -1, smp.time,
			/* as perf script: the attr's period without PERF_SAMPLE_PERIOD */
			(st & PERF_SAMPLE_PERIOD) || pa->attr.freq ?
			smp.period : (uint64_t)pa->attr.sample_period);
}

/* One kernel record (type < 64) at file offset @off. */
static void kernel_record(struct pd_walk *w, const unsigned char *rec,
			  const struct perf_event_header *h, uint64_t off)
{
	int64_t i = attr_of(w, rec, h);
	struct pd_acheck *k;

	w->kernel_records++;
	if (i < 0) {
		rfail(w, "data offset %" PRIu64 ": type %u carries an id of no attr",
		      off, h->type);
		return;
	}
	k = &w->checks[i];
	if (uprb_check_record(&k->c, h, off))
		rfail(w, "data offset %" PRIu64 ": %s", off, k->c.what);
	if (h->type == PERF_RECORD_LOST && h->size >= 24) {
		w->lost_sum += pd_load64(rec + 16);
		w->lost_records++;
	} else if (h->type == PERF_RECORD_LOST_SAMPLES && h->size >= 16) {
		w->lost_samples_sum += pd_load64(rec + 8);
		w->lost_samples_records++;
	} else if (h->type == PERF_RECORD_SAMPLE) {
		sample(w, &w->attrs[i], k, h);
	}
}

void pd_walk_data(struct pd_walk *w, const unsigned char *data, uint64_t len,
		  uint64_t base)
{
	static _Alignas(8) unsigned char rec[65536];
	struct perf_event_header h;
	uint64_t off = 0;

	while (off < len) {
		if (!(w->records & 0xffff) && stress_stopping()) {
			w->stopped = true;
			return;
		}
		if (len - off < sizeof(h)) {
			rfail(w, "data offset %" PRIu64 ": %" PRIu64
			      " bytes left, less than a header", base + off, len - off);
			return;
		}
		memcpy(&h, data + off, sizeof(h));
		if (h.size < sizeof(h) || h.size > len - off) {
			rfail(w, "data offset %" PRIu64 ": record type %u size %u %s",
			      base + off, h.type, h.size,
			      h.size < sizeof(h) ? "below 8" :
			      "runs past the data section");
			return;
		}
		memcpy(rec, data + off, h.size);
		w->records++;
		if (h.type >= PD_REC_USER_START) {
			w->user_records++;
			if (h.type == PD_REC_FINISHED_ROUND) {
				w->rounds++;
				w->round_max[2] = w->round_max[1];
				w->round_max[1] = w->round_max[0];
				w->round_max[0] = 0;
			}
		} else {
			kernel_record(w, rec, (const struct perf_event_header *)(void *)rec,
				      base + off);
		}
		off += h.size;
	}
}

void pd_walk_end(struct pd_walk *w)
{
	if (w->stopped)
		return;
	if (w->lost_samples_records && w->lost_sum > w->lost_samples_sum)
		rfail(w, "PERF_RECORD_LOST sum %" PRIu64 " exceeds the kernel's count %" PRIu64,
		      w->lost_sum, w->lost_samples_sum);
	if (w->round_violations)
		rfail(w, "%" PRIu64 " samples are older than the round before the previous FINISHED_ROUND",
		      w->round_violations);
}
