/* SPDX-License-Identifier: MIT */
/*
 * perfdata.c - perf's file format, both ways.
 *
 * Writer: what one phase captured, as a perf.data file that perf report
 * and perf script read (the layout of tools/perf/Documentation/
 * perf.data-file-format.txt, written from that description):
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
 * Reader (--read-perf-data): a file from perf record or from us. Every
 * kernel record goes through the checker with the layout of its attr
 * (found by PERF_SAMPLE_IDENTIFIER, or the only attr); perf's own record
 * types (>= 64) are checked for size only. Checks: the data section tiles
 * exactly; LOST sum against the LOST_SAMPLES counts; ordering (no record
 * older than what perf's FINISHED_ROUND rule allows, per-CPU time order
 * reported). --dump-samples writes "event tid cpu time period" per sample.
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

#define PERF_MAGIC2 0x32454c4946524550ull   /* "PERFILE2" little endian */
#define FEAT_BITS 256
#define FEAT_TRACING_DATA 1
#define FEAT_HOSTNAME 3
#define FEAT_OSRELEASE 4
#define FEAT_VERSION 5
#define FEAT_ARCH 6
#define FEAT_NRCPUS 7
#define FEAT_EVENT_DESC 12
#define FEAT_CMDLINE 11
#define REC_USER_START 64
#define REC_FINISHED_ROUND 68

struct file_section {
	uint64_t offset, size;
};

struct file_header {
	uint64_t magic;
	uint64_t size;
	uint64_t attr_size;
	struct file_section attrs, data, event_types;
	uint64_t features[FEAT_BITS / 64];
};

struct file_attr {
	struct perf_event_attr attr;
	struct file_section ids;
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

int ks_perfdata_write(const struct ks_world *w, struct ks_phase *p,
		      const char *path)
{
	struct wkind *kinds = calloc(w->nspecs + 1, sizeof(*kinds));
	unsigned int nk = w->nspecs + 1;
	struct buf b = { 0 }, feat = { 0 };
	struct file_header h = { 0 };
	struct file_section fs[8];
	unsigned int nfs = 0;
	uint64_t st = w->o.sample_type;
	struct utsname u;
	char host[256];
	FILE *f;
	int err = 0;

	if (!kinds)
		return -ENOMEM;
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

	/* header, attrs, ids */
	h.magic = PERF_MAGIC2;
	h.size = sizeof(h);
	h.attr_size = sizeof(struct file_attr);
	h.attrs.offset = sizeof(h);
	h.attrs.size = nk * sizeof(struct file_attr);
	put(&b, &h, sizeof(h));
	{
		uint64_t ids_off = h.attrs.offset + h.attrs.size;

		for (unsigned int k = 0; k < nk; k++) {
			struct file_attr fa = { .attr = kinds[k].attr };

			fa.ids.offset = ids_off;
			fa.ids.size = kinds[k].nids * 8ull;
			ids_off += fa.ids.size;
			put(&b, &fa, sizeof(fa));
		}
		for (unsigned int k = 0; k < nk; k++)
			put(&b, kinds[k].ids, kinds[k].nids * 8ull);
	}

	/* data: the rings' records, then the kernel's loss counts */
	h.data.offset = b.len;
	for (unsigned int i = 0; i < p->nrings; i++)
		put(&b, p->rings[i].cap, p->rings[i].cap_len);
	for (unsigned int i = 0; i < p->nrings; i++)
		for (unsigned int j = 0; j < p->rings[i].nev; j++) {
			const struct ks_event *e = &p->rings[i].ev[j];
			struct perf_event_header eh = {
				.type = PERF_RECORD_LOST_SAMPLES,
				.size = (uint16_t)(8 + 8 + uprb_id_header_size(st)),
			};

			put(&b, &eh, sizeof(eh));
			put_u64(&b, e->lost_kernel);
			put_trailer(&b, st, &p->rings[i], e->id);
		}
	h.data.size = b.len - h.data.offset;

	/* features, in bit order */
	if (gethostname(host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = 0;
	if (uname(&u))
		memset(&u, 0, sizeof(u));
	{
		const int bits[] = { FEAT_TRACING_DATA, FEAT_HOSTNAME,
				     FEAT_OSRELEASE, FEAT_VERSION, FEAT_ARCH,
				     FEAT_NRCPUS, FEAT_CMDLINE, FEAT_EVENT_DESC };
		bool tp = false;

		for (unsigned int i = 0; i < w->nspecs; i++)
			tp |= w->specs[i].tracepoint;

		for (unsigned int i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
			size_t start = feat.len;

			if (bits[i] == FEAT_TRACING_DATA && !tp)
				continue;
			switch (bits[i]) {
			case FEAT_TRACING_DATA:
				err = put_tracing_data(&feat, w);
				if (err)
					goto out;
				break;
			case FEAT_HOSTNAME:
				put_string(&feat, host);
				break;
			case FEAT_OSRELEASE:
				put_string(&feat, u.release);
				break;
			case FEAT_VERSION:
				put_string(&feat, "6.1 (" KS_NAME ")");
				break;
			case FEAT_ARCH:
				put_string(&feat, u.machine);
				break;
			case FEAT_NRCPUS: {
				long on = sysconf(_SC_NPROCESSORS_ONLN);
				long conf = sysconf(_SC_NPROCESSORS_CONF);

				put_u32(&feat, (uint32_t)(conf > 0 ? conf : on));
				put_u32(&feat, (uint32_t)on);
				break;
			}
			case FEAT_CMDLINE:
				put_u32(&feat, 1);
				put_string(&feat, KS_NAME);
				break;
			case FEAT_EVENT_DESC:
				put_u32(&feat, nk);
				put_u32(&feat, sizeof(struct perf_event_attr));
				for (unsigned int k = 0; k < nk; k++) {
					put(&feat, &kinds[k].attr, sizeof(kinds[k].attr));
					put_u32(&feat, kinds[k].nids);
					put_string(&feat, kinds[k].name);
					put(&feat, kinds[k].ids, kinds[k].nids * 8ull);
				}
				break;
			}
			fs[nfs].offset = start;    /* made absolute below */
			fs[nfs].size = feat.len - start;
			nfs++;
			h.features[bits[i] / 64] |= 1ull << (bits[i] % 64);
		}
	}
	for (unsigned int i = 0; i < nfs; i++)
		fs[i].offset += b.len + nfs * sizeof(fs[0]);
	put(&b, fs, sizeof(fs[0]) * nfs);
	put(&b, feat.p, feat.len);
	if (b.oom || feat.oom) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(b.p, &h, sizeof(h));

	f = fopen(path, "w");
	if (!f) {
		err = -errno;
		goto out;
	}
	if (fwrite(b.p, 1, b.len, f) != b.len)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
out:
	free(b.p);
	free(feat.p);
	free(kinds);
	return err;
}

/* ------------------------------------------------------------------------ */
/* Reader                                                                   */
/* ------------------------------------------------------------------------ */

struct rattr {
	struct perf_event_attr attr;
	struct uprb_layout layout;
	struct uprb_check c;
	const uint64_t *ids;
	uint64_t nids;
	char name[96];
	uint64_t samples;
};

struct rstate {
	struct rattr *a;
	uint64_t na;
	uint64_t lost_sum, lost_records, lost_samples_sum, lost_samples_records;
	uint64_t user_records, rounds, kernel_records, failures;
	uint64_t cpu_inversions, round_violations;
	uint64_t round_max[3];          /* max time: this, previous, the one before */
	uint64_t last_cpu_time[KS_MAX_CPUS];
	char first[400];
};

__attribute__((format(printf, 2, 3)))
static void rfail(struct rstate *s, const char *fmt, ...)
{
	va_list ap;
	char buf[400];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!s->failures++)
		snprintf(s->first, sizeof(s->first), "%s", buf);
	if (s->failures <= 10)
		printf("FAIL  %s\n", buf);
}

static struct rattr *attr_of(struct rstate *s, const unsigned char *rec,
			     const struct perf_event_header *h)
{
	uint64_t st = s->a[0].attr.sample_type, id, at;

	if (s->na == 1)
		return &s->a[0];
	/*
	 * All attrs of a file share sample_type (perf requires it), so the
	 * id sits at one place: IDENTIFIER first in a SAMPLE and last in a
	 * trailer, else ID after ip/tid/time/addr in a SAMPLE, or before
	 * stream_id/cpu/identifier in a trailer.
	 */
	if (h->type == PERF_RECORD_SAMPLE) {
		if (st & PERF_SAMPLE_IDENTIFIER)
			at = 8;
		else if (st & PERF_SAMPLE_ID)
			at = 8 + 8 * (!!(st & PERF_SAMPLE_IP) + !!(st & PERF_SAMPLE_TID) +
				      !!(st & PERF_SAMPLE_TIME) + !!(st & PERF_SAMPLE_ADDR));
		else
			return &s->a[0];
	} else {
		uint64_t back;

		if (!s->a[0].attr.sample_id_all)
			return &s->a[0];
		if (st & PERF_SAMPLE_IDENTIFIER)
			back = 8;
		else if (st & PERF_SAMPLE_ID)
			back = 8 * (1 + !!(st & PERF_SAMPLE_STREAM_ID) +
				    !!(st & PERF_SAMPLE_CPU));
		else
			return &s->a[0];
		if (back > h->size)
			return NULL;
		at = h->size - back;
	}
	if (at + 8 > h->size)
		return NULL;
	memcpy(&id, rec + at, 8);
	/* perf's synthesized side-band records (MMAP, COMM) carry id 0. */
	if (h->type != PERF_RECORD_SAMPLE && (id == 0 || id == UINT64_MAX))
		return &s->a[0];
	for (uint64_t i = 0; i < s->na; i++)
		for (uint64_t j = 0; j < s->a[i].nids; j++)
			if (s->a[i].ids[j] == id)
				return &s->a[i];
	return NULL;
}

/* The name perf gives an attr, from EVENT_DESC when present. */
static void name_attrs(struct rstate *s, const unsigned char *m, size_t len,
		       const struct file_header *h)
{
	uint64_t off;
	unsigned int bit, n = 0;

	for (uint64_t i = 0; i < s->na; i++)
		snprintf(s->a[i].name, sizeof(s->a[i].name), "type%u/config%" PRIu64,
			 s->a[i].attr.type, (uint64_t)s->a[i].attr.config);
	if (!(h->features[FEAT_EVENT_DESC / 64] >> (FEAT_EVENT_DESC % 64) & 1))
		return;
	for (bit = 0; bit < FEAT_EVENT_DESC; bit++)
		if (h->features[bit / 64] >> (bit % 64) & 1)
			n++;
	off = h->data.offset + h->data.size + n * sizeof(struct file_section);
	if (off + sizeof(struct file_section) > len)
		return;
	{
		struct file_section fs;
		uint32_t nr, asz;
		uint64_t p;

		memcpy(&fs, m + off, sizeof(fs));
		if (fs.offset + fs.size > len || fs.size < 8)
			return;
		p = fs.offset;
		memcpy(&nr, m + p, 4);
		memcpy(&asz, m + p + 4, 4);
		p += 8;
		for (uint32_t e = 0; e < nr; e++) {
			uint32_t nids, slen;
			uint64_t id0 = 0;
			char name[96];

			if (p + asz + 8 > fs.offset + fs.size)
				return;
			p += asz;
			memcpy(&nids, m + p, 4);
			memcpy(&slen, m + p + 4, 4);
			p += 8;
			if (p + slen + nids * 8ull > fs.offset + fs.size)
				return;
			snprintf(name, sizeof(name), "%.*s", (int)slen,
				 (const char *)m + p);
			p += slen;
			if (nids)
				memcpy(&id0, m + p, 8);
			p += nids * 8ull;
			for (uint64_t i = 0; i < s->na; i++)
				for (uint64_t j = 0; j < s->a[i].nids; j++)
					if (s->a[i].ids[j] == id0 ||
					    (s->na == nr && i == e && !nids))
						snprintf(s->a[i].name,
							 sizeof(s->a[i].name),
							 "%s", name);
		}
	}
}

int ks_perfdata_read(const char *path, const char *dump, bool verbose)
{
	struct rstate s = { 0 };
	struct file_header h;
	struct stat sb;
	unsigned char *m;
	FILE *df = NULL;
	uint64_t off, end;
	int fd, rc = KS_EXIT_OK;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb)) {
		printf("%s: %s: %s\n", KS_NAME, path, strerror(errno));
		return KS_EXIT_USAGE;
	}
	if ((size_t)sb.st_size < 16) {
		printf("%s: %s: too short for a perf.data header\n", KS_NAME, path);
		return KS_EXIT_FAILED;
	}
	m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		printf("%s: mmap %s: %s\n", KS_NAME, path, strerror(errno));
		return KS_EXIT_USAGE;
	}
	memcpy(&h, m, (size_t)sb.st_size < sizeof(h) ? 16 : sizeof(h));
	if (h.magic == __builtin_bswap64(PERF_MAGIC2)) {
		printf("%s: %s: written on a machine of the other byte order: not supported\n",
		       KS_NAME, path);
		return KS_EXIT_FAILED;
	}
	if (h.magic != PERF_MAGIC2) {
		printf("%s: %s: not a perf.data file (magic is not PERFILE2)\n",
		       KS_NAME, path);
		return KS_EXIT_FAILED;
	}
	if (h.size == 16) {
		printf("%s: %s: pipe-mode perf.data is not supported; record to a file\n",
		       KS_NAME, path);
		return KS_EXIT_FAILED;
	}
	if (h.size != sizeof(h) || (size_t)sb.st_size < sizeof(h) ||
	    h.attr_size < PERF_ATTR_SIZE_VER0 + sizeof(struct file_section) ||
	    h.attrs.offset + h.attrs.size > (uint64_t)sb.st_size ||
	    h.data.offset + h.data.size > (uint64_t)sb.st_size ||
	    h.attrs.size % h.attr_size) {
		printf("%s: %s: malformed header (size %" PRIu64 ", attr_size %" PRIu64
		       ", sections past the end of the file)\n", KS_NAME, path,
		       h.size, h.attr_size);
		return KS_EXIT_FAILED;
	}

	s.na = h.attrs.size / h.attr_size;
	s.a = calloc(s.na ? s.na : 1, sizeof(*s.a));
	if (!s.a)
		return KS_EXIT_USAGE;
	for (uint64_t i = 0; i < s.na; i++) {
		const unsigned char *ap = m + h.attrs.offset + i * h.attr_size;
		size_t asz = h.attr_size - sizeof(struct file_section);
		struct file_section ids;
		struct rattr *a = &s.a[i];

		memcpy(&a->attr, ap, asz < sizeof(a->attr) ? asz : sizeof(a->attr));
		memcpy(&ids, ap + asz, sizeof(ids));
		if (ids.offset + ids.size > (uint64_t)sb.st_size || ids.size % 8) {
			printf("%s: %s: attr %" PRIu64 ": ids section out of the file\n",
			       KS_NAME, path, i);
			return KS_EXIT_FAILED;
		}
		a->ids = (const uint64_t *)(const void *)(m + ids.offset);
		a->nids = ids.size / 8;
		a->layout = (struct uprb_layout){
			.sample_type = a->attr.sample_type,
			.read_format = a->attr.read_format,
			.sample_regs_user = a->attr.sample_regs_user,
			.sample_regs_intr = a->attr.sample_regs_intr,
			.branch_sample_type = a->attr.branch_sample_type,
			.sample_id_all = a->attr.sample_id_all,
		};
		struct uprb_check_opts co = {
			.sz = sizeof(co),
			.layout = a->layout,
			.order = UPRB_CHECK_ORDER_NONE,
		};
		if (uprb_check_init(&a->c, &co))
			return KS_EXIT_USAGE;
		if (i && a->attr.sample_type != s.a[0].attr.sample_type)
			rfail(&s, "attr %" PRIu64 ": sample_type 0x%" PRIx64
			      " differs from attr 0's 0x%" PRIx64
			      " (perf cannot parse such a file)", i,
			      (uint64_t)a->attr.sample_type,
			      (uint64_t)s.a[0].attr.sample_type);
	}
	name_attrs(&s, m, (size_t)sb.st_size, &h);
	if (dump) {
		df = fopen(dump, "w");
		if (!df) {
			printf("%s: %s: %s\n", KS_NAME, dump, strerror(errno));
			return KS_EXIT_USAGE;
		}
	}

	off = h.data.offset;
	end = h.data.offset + h.data.size;
	while (off < end) {
		struct perf_event_header eh;
		const unsigned char *rec = m + off;
		struct rattr *a;

		if (end - off < sizeof(eh)) {
			rfail(&s, "data offset %" PRIu64 ": %" PRIu64
			      " bytes left, less than a header", off, end - off);
			break;
		}
		memcpy(&eh, rec, sizeof(eh));
		if (eh.size < sizeof(eh) || eh.size > end - off) {
			rfail(&s, "data offset %" PRIu64 ": record type %u size %u %s",
			      off, eh.type, eh.size,
			      eh.size < sizeof(eh) ? "below 8" :
			      "runs past the data section");
			break;
		}
		if (eh.type >= REC_USER_START) {
			s.user_records++;
			if (eh.type == REC_FINISHED_ROUND) {
				s.rounds++;
				s.round_max[2] = s.round_max[1];
				s.round_max[1] = s.round_max[0];
				s.round_max[0] = 0;
			}
			off += eh.size;
			continue;
		}
		s.kernel_records++;
		a = attr_of(&s, rec, &eh);
		if (!a) {
			rfail(&s, "data offset %" PRIu64 ": type %u carries an id of no attr",
			      off, eh.type);
			off += eh.size;
			continue;
		}
		if (uprb_check_record(&a->c, (const void *)rec, off))
			rfail(&s, "data offset %" PRIu64 ": %s", off, a->c.what);
		if (eh.type == PERF_RECORD_LOST && eh.size >= 24) {
			uint64_t v;

			memcpy(&v, rec + 16, 8);
			s.lost_sum += v;
			s.lost_records++;
		} else if (eh.type == PERF_RECORD_LOST_SAMPLES && eh.size >= 16) {
			uint64_t v;

			memcpy(&v, rec + 8, 8);
			s.lost_samples_sum += v;
			s.lost_samples_records++;
		} else if (eh.type == PERF_RECORD_SAMPLE) {
			struct uprb_sample smp;
			const char *why = NULL;
			uint64_t st = a->attr.sample_type;

			a->samples++;
			if (!uprb_parse_sample((const void *)rec, &a->layout, &smp, &why)) {
				if (st & PERF_SAMPLE_TIME) {
					if (s.rounds >= 2 && smp.time < s.round_max[2])
						s.round_violations++;
					if (smp.time > s.round_max[0])
						s.round_max[0] = smp.time;
					if ((st & PERF_SAMPLE_CPU) && smp.cpu < KS_MAX_CPUS) {
						if (smp.time < s.last_cpu_time[smp.cpu])
							s.cpu_inversions++;
						else
							s.last_cpu_time[smp.cpu] = smp.time;
					}
				}
				if (df)
					/* tid -1: a task already dead (perf_event_tid()) */
					fprintf(df, "%s %" PRId32 " %" PRId32 " %" PRIu64 " %" PRIu64 "\n",
						a->name, (int32_t)smp.tid,
						(st & PERF_SAMPLE_CPU) ? (int32_t)smp.cpu : -1,
						smp.time,
						/* as perf script: the attr's period without PERF_SAMPLE_PERIOD */
						(st & PERF_SAMPLE_PERIOD) || a->attr.freq ?
						smp.period : (uint64_t)a->attr.sample_period);
			}
		}
		off += eh.size;
	}
	if (df)
		fclose(df);

	printf("%s: %s: %" PRIu64 " attr%s, %" PRIu64 " kernel records, %" PRIu64
	       " perf records (%" PRIu64 " FINISHED_ROUND)\n", KS_NAME, path, s.na,
	       s.na == 1 ? "" : "s", s.kernel_records, s.user_records, s.rounds);
	for (uint64_t i = 0; i < s.na; i++) {
		printf("  %-32s %10" PRIu64 " samples  %" PRIu64 " records checked, %" PRIu64
		       " failures\n", s.a[i].name, s.a[i].samples, s.a[i].c.records,
		       s.a[i].c.failures);
		if (verbose && s.a[i].c.failures)
			printf("    first: %s\n", s.a[i].c.first);
	}
	printf("  lost: %" PRIu64 " in %" PRIu64 " PERF_RECORD_LOST; kernel counts (LOST_SAMPLES) %" PRIu64
	       " in %" PRIu64 " records: %s\n", s.lost_sum, s.lost_records,
	       s.lost_samples_sum, s.lost_samples_records,
	       !s.lost_samples_records ? "no kernel counts in the file" :
	       s.lost_sum == s.lost_samples_sum ? "exact" :
	       s.lost_sum < s.lost_samples_sum ?
	       "fewer reported than dropped (drops still pending in the ring when recording stopped)" :
	       "MORE REPORTED THAN DROPPED");
	if (s.lost_samples_records && s.lost_sum > s.lost_samples_sum)
		rfail(&s, "PERF_RECORD_LOST sum %" PRIu64 " exceeds the kernel's count %" PRIu64,
		      s.lost_sum, s.lost_samples_sum);
	printf("  ordering: %" PRIu64 " samples older than perf's FINISHED_ROUND rule allows, %" PRIu64
	       " per-CPU time inversions\n", s.round_violations, s.cpu_inversions);
	if (s.round_violations)
		rfail(&s, "%" PRIu64 " samples are older than the round before the previous FINISHED_ROUND",
		      s.round_violations);
	for (uint64_t i = 0; i < s.na; i++)
		uprb_check_fini(&s.a[i].c);
	free(s.a);
	munmap(m, (size_t)sb.st_size);
	if (s.failures) {
		printf("result: FAIL (%" PRIu64 " failures, first: %s)\n", s.failures,
		       s.first);
		rc = KS_EXIT_FAILED;
	} else {
		printf("result: ok\n");
	}
	return rc;
}
