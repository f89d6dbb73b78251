/* SPDX-License-Identifier: MIT */
/*
 * pd_file.c - the file layer of the perf.data reader (pd.h): header,
 * sections, attrs and ids, the feature table, the event names. Every
 * section is checked as offset <= len && size <= len - offset, which cannot
 * wrap; every multi-byte field is loaded with memcpy, at any alignment.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pd.h"

static const char *const feat_names[] = {
	[PD_FEAT_TRACING_DATA] = "TRACING_DATA", [2] = "BUILD_ID",
	[PD_FEAT_HOSTNAME] = "HOSTNAME", [PD_FEAT_OSRELEASE] = "OSRELEASE",
	[PD_FEAT_VERSION] = "VERSION", [PD_FEAT_ARCH] = "ARCH",
	[PD_FEAT_NRCPUS] = "NRCPUS", [8] = "CPUDESC", [9] = "CPUID",
	[10] = "TOTAL_MEM", [PD_FEAT_CMDLINE] = "CMDLINE",
	[PD_FEAT_EVENT_DESC] = "EVENT_DESC", [13] = "CPU_TOPOLOGY",
	[14] = "NUMA_TOPOLOGY", [15] = "BRANCH_STACK", [16] = "PMU_MAPPINGS",
	[17] = "GROUP_DESC",
};

uint64_t pd_load64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

uint32_t pd_load32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Within a file of @len bytes, without wrapping. */
static bool in_file(uint64_t offset, uint64_t size, uint64_t len)
{
	return offset <= len && size <= len - offset;
}

__attribute__((format(printf, 3, 4)))
static int bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static bool feature_set(const struct pd_header *h, unsigned int bit)
{
	return h->features[bit / 64] >> (bit % 64) & 1;
}

/* Magic, sizes, and the attrs and data sections in the file. */
static int check_header(const struct pd_header *h, uint64_t len, char *why,
			size_t wlen)
{
	if (h->magic == __builtin_bswap64(PD_MAGIC2))
		return bad(why, wlen, "written on a machine of the other byte order: not supported");
	if (h->magic != PD_MAGIC2)
		return bad(why, wlen, "not a perf.data file (magic is not PERFILE2)");
	if (h->size == 16)
		return bad(why, wlen, "pipe-mode perf.data is not supported; record to a file");
	if (len < sizeof(*h))
		return bad(why, wlen, "truncated: %" PRIu64 " bytes, less than the %zu-byte header",
			   len, sizeof(*h));
	if (h->size != sizeof(*h))
		return bad(why, wlen, "header size %" PRIu64 ", not %zu", h->size,
			   sizeof(*h));
	if (h->attr_size < PERF_ATTR_SIZE_VER0 + sizeof(struct pd_section) ||
	    h->attr_size > PD_MAX_ATTR_SIZE || h->attr_size % 8)
		return bad(why, wlen, "attr_size %" PRIu64 ": not a multiple of 8 in %zu..%u",
			   h->attr_size, PERF_ATTR_SIZE_VER0 + sizeof(struct pd_section),
			   PD_MAX_ATTR_SIZE);
	if (!in_file(h->attrs.offset, h->attrs.size, len))
		return bad(why, wlen, "attrs section [%" PRIu64 ", +%" PRIu64 ") runs past the end of the file (%" PRIu64 " bytes)%s",
			   h->attrs.offset, h->attrs.size, len,
			   h->attrs.offset <= len ? ": truncated" : "");
	if (!in_file(h->data.offset, h->data.size, len))
		return bad(why, wlen, "data section [%" PRIu64 ", +%" PRIu64 ") runs past the end of the file (%" PRIu64 " bytes)%s",
			   h->data.offset, h->data.size, len,
			   h->data.offset <= len ? ": truncated" : "");
	if (h->attrs.size % h->attr_size || !h->attrs.size)
		return bad(why, wlen, "attrs section of %" PRIu64 " bytes: not a whole number (>= 1) of %" PRIu64 "-byte attrs",
			   h->attrs.size, h->attr_size);
	if (h->attrs.size / h->attr_size > PD_MAX_ATTRS)
		return bad(why, wlen, "%" PRIu64 " attrs: more than %u",
			   h->attrs.size / h->attr_size, PD_MAX_ATTRS);
	return 0;
}

/* Attr @i and a copy of its ids. */
static int read_attr(struct pd_file *f, const unsigned char *m, uint64_t len,
		     uint64_t i, uint64_t *total_ids, char *why, size_t wlen)
{
	const unsigned char *ap = m + f->h.attrs.offset + i * f->h.attr_size;
	size_t asz = (size_t)f->h.attr_size - sizeof(struct pd_section);
	struct pd_attr *a = &f->attrs[i];
	uint64_t off = pd_load64(ap + asz), size = pd_load64(ap + asz + 8);

	memcpy(&a->attr, ap, asz < sizeof(a->attr) ? asz : sizeof(a->attr));
	snprintf(a->name, sizeof(a->name), "type%u/config%" PRIu64,
		 a->attr.type, (uint64_t)a->attr.config);
	if (!in_file(off, size, len) || size % 8)
		return bad(why, wlen, "attr %" PRIu64 ": ids section [%" PRIu64 ", +%" PRIu64 ") %s",
			   i, off, size, size % 8 ? "is not whole u64s" :
			   "runs past the end of the file");
	a->nids = size / 8;
	*total_ids += a->nids;
	if (*total_ids > PD_MAX_IDS)
		return bad(why, wlen, "more than %u ids over the attrs", PD_MAX_IDS);
	if (!a->nids)
		return 0;
	a->ids = malloc(size);
	if (!a->ids)
		return bad(why, wlen, "out of memory for %" PRIu64 " ids", a->nids), -ENOMEM;
	memcpy(a->ids, m + off, size);
	return 0;
}

/*
 * The feature sections: a table of one pd_section per set bit right after
 * the data section, each pointing into the file. A file cut anywhere after
 * its data section fails here.
 */
static int check_features(struct pd_file *f, uint64_t len, const unsigned char *m,
			  char *why, size_t wlen, struct pd_section *desc)
{
	uint64_t table = f->h.data.offset + f->h.data.size;
	unsigned int n = 0;

	for (unsigned int bit = 0; bit < PD_FEAT_BITS; bit++)
		n += feature_set(&f->h, bit);
	f->nfeatures = n;
	if (!in_file(table, (uint64_t)n * sizeof(struct pd_section), len))
		return bad(why, wlen, "truncated: the table of %u feature sections at offset %" PRIu64 " runs past the end of the file (%" PRIu64 " bytes)",
			   n, table, len);
	desc->offset = desc->size = 0;
	for (unsigned int bit = 0, k = 0; bit < PD_FEAT_BITS; bit++) {
		uint64_t at = table + (uint64_t)k * sizeof(struct pd_section);
		struct pd_section s;

		if (!feature_set(&f->h, bit))
			continue;
		/* Inside the table: k < n, checked against the file above. */
		s.offset = pd_load64(m + at);
		s.size = pd_load64(m + at + 8);
		k++;
		if (!in_file(s.offset, s.size, len))
			return bad(why, wlen, "truncated: feature %u (%s) section [%" PRIu64 ", +%" PRIu64 ") runs past the end of the file (%" PRIu64 " bytes)",
				   bit, bit < sizeof(feat_names) / sizeof(feat_names[0]) &&
				   feat_names[bit] ? feat_names[bit] : "?",
				   s.offset, s.size, len);
		if (bit == PD_FEAT_EVENT_DESC)
			*desc = s;
	}
	return 0;
}

/* Give attr @i the name of an EVENT_DESC entry, if it is that one's. */
static void take_name(struct pd_file *f, uint32_t e, uint32_t nr,
		      uint32_t nids, uint64_t id0, const char *name)
{
	for (uint64_t i = 0; i < f->nattrs; i++) {
		struct pd_attr *a = &f->attrs[i];
		bool mine = f->nattrs == nr && i == e && !nids;

		for (uint64_t j = 0; j < a->nids && !mine && nids; j++)
			mine = a->ids[j] == id0;
		if (mine)
			snprintf(a->name, sizeof(a->name), "%s", name);
	}
}

/*
 * EVENT_DESC: u32 count, u32 attr size, then per event the attr, u32 ids,
 * a perf string (u32 length, bytes), the ids. A malformed one names nothing
 * (the names are for the report; the checks do not depend on them).
 */
static void name_attrs(struct pd_file *f, const unsigned char *m,
		       struct pd_section s)
{
	uint64_t p = s.offset, end = s.offset + s.size;
	uint32_t nr, asz;

	if (end - p < 8)
		return;
	nr = pd_load32(m + p);
	asz = pd_load32(m + p + 4);
	p += 8;
	for (uint32_t e = 0; e < nr; e++) {
		uint32_t nids, slen;
		uint64_t id0 = 0;
		char name[96];

		if (asz > end - p || end - p - asz < 8)
			return;
		p += asz;
		nids = pd_load32(m + p);
		slen = pd_load32(m + p + 4);
		p += 8;
		if (slen > end - p || nids > (end - p - slen) / 8)
			return;
		snprintf(name, sizeof(name), "%.*s", (int)(slen < 95 ? slen : 95),
			 (const char *)m + p);
		p += slen;
		if (nids)
			id0 = pd_load64(m + p);
		p += (uint64_t)nids * 8;
		take_name(f, e, nr, nids, id0, name);
	}
}

int pd_file_parse(struct pd_file *f, const void *mem, uint64_t len, char *why,
		  size_t wlen)
{
	const unsigned char *m = mem;
	struct pd_section desc;
	uint64_t total_ids = 0;
	int err;

	memset(f, 0, sizeof(*f));
	if (len < 16)
		return bad(why, wlen, "truncated: %" PRIu64 " bytes, too short for a perf.data header",
			   len);
	memcpy(&f->h, m, len < sizeof(f->h) ? 16 : sizeof(f->h));
	err = check_header(&f->h, len, why, wlen);
	if (err)
		return err;
	f->nattrs = f->h.attrs.size / f->h.attr_size;
	f->attrs = calloc(f->nattrs, sizeof(*f->attrs));
	if (!f->attrs)
		return bad(why, wlen, "out of memory for %" PRIu64 " attrs", f->nattrs), -ENOMEM;
	for (uint64_t i = 0; i < f->nattrs && !err; i++)
		err = read_attr(f, m, len, i, &total_ids, why, wlen);
	if (!err)
		err = check_features(f, len, m, why, wlen, &desc);
	if (err) {
		pd_file_fini(f);
		return err;
	}
	if (desc.size)
		name_attrs(f, m, desc);
	f->data = m + f->h.data.offset;
	f->data_offset = f->h.data.offset;
	f->data_size = f->h.data.size;
	return 0;
}

void pd_file_fini(struct pd_file *f)
{
	for (uint64_t i = 0; f->attrs && i < f->nattrs; i++)
		free(f->attrs[i].ids);
	free(f->attrs);
	f->attrs = NULL;
	f->nattrs = 0;
}
