/* SPDX-License-Identifier: MIT */
/*
 * perfdata_write.c - what one phase captured, as a perf.data file that perf
 * report and perf script read (the layout of
 * tools/perf/Documentation/perf.data-file-format.txt in a kernel tree,
 * written from that description):
 *
 *   header      "PERFILE2", header size, attr entry size, attrs, data,
 *               event_types (empty), 256-bit feature bitmap
 *   attrs       per event kind: struct perf_event_attr + section of its ids
 *   ids         u64 arrays, one per attr (every CPU's instance of it)
 *   data        the records exactly as the rings held them, ring after
 *               ring, then one PERF_RECORD_LOST_SAMPLES per event instance
 *               with the kernel's PERF_FORMAT_LOST count (as perf record
 *               writes since 6.0)
 *   features    a perf_file_section per set bit, then their contents:
 *               HOSTNAME, OSRELEASE, VERSION, ARCH, NRCPUS, EVENT_DESC
 *               (names: perf names tracepoints from it), CMDLINE
 *
 * The reader is pd.h's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kstress.h"
#include "pd.h"

/* An attr entry of the attrs section: the attr, then its ids section. */
struct file_attr {
	struct perf_event_attr attr;
	struct pd_section ids;
};

/* A growable byte buffer. */
struct buf {
	unsigned char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const void *src, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		unsigned char *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void put_u32(struct buf *b, uint32_t v)
{
	put(b, &v, 4);
}

static void put_u64(struct buf *b, uint64_t v)
{
	put(b, &v, 8);
}

/* perf's header string: u32 length (padded to 64), the string, zeros. */
static void put_string(struct buf *b, const char *s)
{
	static const unsigned char zeros[64];
	size_t n = strlen(s) + 1, padded = (n + 63) & ~(size_t)63;

	put_u32(b, (uint32_t)padded);
	put(b, s, n);
	put(b, zeros, padded - n);
}

/* One kind's attr and instances. */
struct wkind {
	struct perf_event_attr attr;
	const char *name;
	uint64_t ids[KS_MAX_CPUS];
	unsigned int nids;
};

/* The sample_id trailer of a synthesized record for event @e on @r. */
static void put_trailer(struct buf *b, uint64_t st, const struct ks_ring *r,
			uint64_t id)
{
	if (st & PERF_SAMPLE_TID) {
		put_u32(b, 0);
		put_u32(b, 0);
	}
	if (st & PERF_SAMPLE_TIME)
		put_u64(b, 0);
	if (st & PERF_SAMPLE_ID)
		put_u64(b, id);
	if (st & PERF_SAMPLE_STREAM_ID)
		put_u64(b, id);
	if (st & PERF_SAMPLE_CPU) {
		put_u32(b, (uint32_t)r->cpu);
		put_u32(b, 0);
	}
	if (st & PERF_SAMPLE_IDENTIFIER)
		put_u64(b, id);
}

/* Append the whole of a tracefs file (their size reads as 0) to @b. */
static int put_file(struct buf *b, const char *path, size_t size_bytes)
{
	unsigned char chunk[4096];
	size_t at = b->len, n;
	uint64_t size = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -errno;
	put(b, &size, size_bytes);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		put(b, chunk, n);
		size += n;
	}
	fclose(f);
	if (!b->oom)
		memcpy(b->p + at, &size, size_bytes);
	return 0;
}

static const char *tracefs_dir(void)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0)
		return "/sys/kernel/tracing";
	return "/sys/kernel/debug/tracing";
}

/*
 * HEADER_TRACING_DATA: what perf needs to decode tracepoint samples (the
 * "tracing data" of perf's trace-event-info: a magic, version 0.6, byte
 * order, long and page size, the ring-buffer header formats, no ftrace
 * formats, the format file of every tracepoint used, grouped by
 * subsystem, then empty kallsyms, printk formats and saved cmdlines).
 */
static int put_tracing_data(struct buf *b, const struct ks_world *w)
{
	static const unsigned char magic[10] = { 23, 8, 68, 't', 'r', 'a',
						 'c', 'i', 'n', 'g' };
	const char *root = tracefs_dir();
	char path[512], sys[KS_MAX_EVENTS][96];
	unsigned int nsys = 0;
	uint32_t page = (uint32_t)sysconf(_SC_PAGESIZE), zero32 = 0;
	uint64_t zero64 = 0;
	unsigned char c;
	int err;

	put(b, magic, sizeof(magic));
	put(b, "0.6", 4);
	c = 0;                      /* little endian (x86-64, arm64) */
	put(b, &c, 1);
	c = (unsigned char)sizeof(long);
	put(b, &c, 1);
	put_u32(b, page);
	put(b, "header_page", 12);
	snprintf(path, sizeof(path), "%s/events/header_page", root);
	if ((err = put_file(b, path, 8)))
		return err;
	put(b, "header_event", 13);
	snprintf(path, sizeof(path), "%s/events/header_event", root);
	if ((err = put_file(b, path, 8)))
		return err;
	put_u32(b, 0);              /* ftrace formats */
	for (unsigned int i = 0; i < w->nspecs; i++) {
		const char *n = w->specs[i].name, *colon = strchr(n, ':');
		unsigned int j;

		if (!w->specs[i].tracepoint || !colon)
			continue;
		for (j = 0; j < nsys; j++)
			if (strlen(sys[j]) == (size_t)(colon - n) &&
			    !strncmp(sys[j], n, (size_t)(colon - n)))
				break;
		if (j == nsys)
			snprintf(sys[nsys++], sizeof(sys[0]), "%.*s",
				 (int)(colon - n), n);
	}
	put_u32(b, nsys);
	for (unsigned int j = 0; j < nsys; j++) {
		uint32_t count = 0;

		put(b, sys[j], strlen(sys[j]) + 1);
		for (unsigned int i = 0; i < w->nspecs; i++)
			if (w->specs[i].tracepoint &&
			    !strncmp(w->specs[i].name, sys[j], strlen(sys[j])) &&
			    w->specs[i].name[strlen(sys[j])] == ':')
				count++;
		put_u32(b, count);
		for (unsigned int i = 0; i < w->nspecs; i++) {
			const char *n = w->specs[i].name;

			if (!w->specs[i].tracepoint ||
			    strncmp(n, sys[j], strlen(sys[j])) ||
			    n[strlen(sys[j])] != ':')
				continue;
			snprintf(path, sizeof(path), "%s/events/%s/%s/format",
				 root, sys[j], n + strlen(sys[j]) + 1);
			if ((err = put_file(b, path, 8)))
				return err;
		}
	}
	put(b, &zero32, 4);         /* kallsyms */
	put(b, &zero32, 4);         /* printk formats */
	put(b, &zero64, 8);         /* saved cmdlines */
	return 0;
}

/* The kinds of one phase (each spec, then the dummy) and their ids. */
static struct wkind *build_kinds(const struct ks_world *w,
				 const struct ks_phase *p, unsigned int nk)
{
	struct wkind *kinds = calloc(nk, sizeof(*kinds));

	if (!kinds)
		return NULL;
	for (unsigned int k = 0; k < nk; k++) {
		if (k < w->nspecs) {
			ks_attr_for(w, &w->specs[k], p->backward, &kinds[k].attr);
			kinds[k].name = w->specs[k].name;
		} else {
			ks_dummy_attr(w, p->backward, &kinds[k].attr);
			kinds[k].name = "dummy:u";
		}
		kinds[k].attr.disabled = 0;
	}
	for (unsigned int i = 0; i < p->nrings; i++)
		for (unsigned int j = 0; j < p->rings[i].nev; j++) {
			const struct ks_event *e = &p->rings[i].ev[j];
			struct wkind *k = &kinds[e->spec < 0 ? (int)w->nspecs : e->spec];

			if (k->nids < KS_MAX_CPUS)
				k->ids[k->nids++] = e->id;
		}
	return kinds;
}

/* The header (rewritten at the end), the attrs and their ids. */
static void put_attrs(struct buf *b, struct pd_header *h,
		      const struct wkind *kinds, unsigned int nk)
{
	uint64_t ids_off;

	h->magic = PD_MAGIC2;
	h->size = sizeof(*h);
	h->attr_size = sizeof(struct file_attr);
	h->attrs.offset = sizeof(*h);
	h->attrs.size = nk * sizeof(struct file_attr);
	put(b, h, sizeof(*h));
	ids_off = h->attrs.offset + h->attrs.size;
	for (unsigned int k = 0; k < nk; k++) {
		struct file_attr fa = { .attr = kinds[k].attr };

		fa.ids.offset = ids_off;
		fa.ids.size = kinds[k].nids * 8ull;
		ids_off += fa.ids.size;
		put(b, &fa, sizeof(fa));
	}
	for (unsigned int k = 0; k < nk; k++)
		put(b, kinds[k].ids, kinds[k].nids * 8ull);
}

/* The data section: the rings' records, then the kernel's loss counts. */
static void put_data(struct buf *b, struct pd_header *h,
		     const struct ks_world *w, const struct ks_phase *p)
{
	uint64_t st = w->o.sample_type;

	h->data.offset = b->len;
	for (unsigned int i = 0; i < p->nrings; i++)
		put(b, p->rings[i].cap, p->rings[i].cap_len);
	for (unsigned int i = 0; i < p->nrings; i++)
		for (unsigned int j = 0; j < p->rings[i].nev; j++) {
			const struct ks_event *e = &p->rings[i].ev[j];
			struct perf_event_header eh = {
				.type = PERF_RECORD_LOST_SAMPLES,
				.size = (uint16_t)(8 + 8 + uprb_id_header_size(st)),
			};

			put(b, &eh, sizeof(eh));
			put_u64(b, e->lost_kernel);
			put_trailer(b, st, &p->rings[i], e->id);
		}
	h->data.size = b->len - h->data.offset;
}

/* The contents of feature @bit. Return: 0 or -errno. */
static int put_feature(struct buf *feat, int bit, const struct ks_world *w,
		       const struct wkind *kinds, unsigned int nk)
{
	struct utsname u;
	char host[256];
	long on, conf;

	if (uname(&u))
		memset(&u, 0, sizeof(u));
	switch (bit) {
	case PD_FEAT_TRACING_DATA:
		return put_tracing_data(feat, w);
	case PD_FEAT_HOSTNAME:
		if (gethostname(host, sizeof(host)))
			snprintf(host, sizeof(host), "?");
		host[sizeof(host) - 1] = 0;
		put_string(feat, host);
		break;
	case PD_FEAT_OSRELEASE:
		put_string(feat, u.release);
		break;
	case PD_FEAT_VERSION:
		put_string(feat, "6.1 (" KS_NAME ")");
		break;
	case PD_FEAT_ARCH:
		put_string(feat, u.machine);
		break;
	case PD_FEAT_NRCPUS:
		on = sysconf(_SC_NPROCESSORS_ONLN);
		conf = sysconf(_SC_NPROCESSORS_CONF);
		put_u32(feat, (uint32_t)(conf > 0 ? conf : on));
		put_u32(feat, (uint32_t)on);
		break;
	case PD_FEAT_CMDLINE:
		put_u32(feat, 1);
		put_string(feat, KS_NAME);
		break;
	case PD_FEAT_EVENT_DESC:
		put_u32(feat, nk);
		put_u32(feat, sizeof(struct perf_event_attr));
		for (unsigned int k = 0; k < nk; k++) {
			put(feat, &kinds[k].attr, sizeof(kinds[k].attr));
			put_u32(feat, kinds[k].nids);
			put_string(feat, kinds[k].name);
			put(feat, kinds[k].ids, kinds[k].nids * 8ull);
		}
		break;
	}
	return 0;
}

/* The feature table and contents, in bit order, after the data. */
static int put_features(struct buf *b, struct pd_header *h,
			const struct ks_world *w, const struct wkind *kinds,
			unsigned int nk)
{
	static const int bits[] = { PD_FEAT_TRACING_DATA, PD_FEAT_HOSTNAME,
				    PD_FEAT_OSRELEASE, PD_FEAT_VERSION, PD_FEAT_ARCH,
				    PD_FEAT_NRCPUS, PD_FEAT_CMDLINE, PD_FEAT_EVENT_DESC };
	struct pd_section fs[sizeof(bits) / sizeof(bits[0])];
	struct buf feat = { 0 };
	unsigned int nfs = 0;
	bool tp = false;
	int err = 0;

	for (unsigned int i = 0; i < w->nspecs; i++)
		tp |= w->specs[i].tracepoint;
	for (unsigned int i = 0; i < sizeof(bits) / sizeof(bits[0]) && !err; i++) {
		size_t start = feat.len;

		if (bits[i] == PD_FEAT_TRACING_DATA && !tp)
			continue;
		err = put_feature(&feat, bits[i], w, kinds, nk);
		fs[nfs].offset = start;    /* made absolute below */
		fs[nfs].size = feat.len - start;
		nfs++;
		h->features[bits[i] / 64] |= 1ull << (bits[i] % 64);
	}
	for (unsigned int i = 0; i < nfs; i++)
		fs[i].offset += b->len + nfs * sizeof(fs[0]);
	put(b, fs, sizeof(fs[0]) * nfs);
	put(b, feat.p, feat.len);
	if (feat.oom && !err)
		err = -ENOMEM;
	free(feat.p);
	return err;
}

int ks_perfdata_write(const struct ks_world *w, struct ks_phase *p, FILE *f)
{
	unsigned int nk = w->nspecs + 1;
	struct wkind *kinds = build_kinds(w, p, nk);
	struct pd_header h = { 0 };
	struct buf b = { 0 };
	int err;

	if (!kinds)
		return -ENOMEM;
	put_attrs(&b, &h, kinds, nk);
	put_data(&b, &h, w, p);
	err = put_features(&b, &h, w, kinds, nk);
	if (!err && b.oom)
		err = -ENOMEM;
	if (!err) {
		memcpy(b.p, &h, sizeof(h));
		if (fwrite(b.p, 1, b.len, f) != b.len)
			err = errno ? -errno : -EIO;
	}
	free(b.p);
	free(kinds);
	return err;
}
