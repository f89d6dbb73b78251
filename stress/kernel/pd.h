/* SPDX-License-Identifier: MIT */
/*
 * pd.h - perf's file format (tools/perf/Documentation/perf.data-file-format.txt
 * in a kernel tree), read in two layers:
 *
 *   file layer (pd_file.c): header, sections, attrs and their ids, the
 *     feature sections and the event names, every offset and size checked
 *     against the file without wrapping, every truncation named;
 *   record layer (pd_records.c): the data section record by record, each
 *     copied to an aligned buffer, through the core's checker with the
 *     layout of its attr, the LOST sums and the ordering rules.
 *
 * Both take bytes, not a path: --read-perf-data, the fuzz targets and the
 * tests call the same code. Neither prints unless given a FILE.
 */
#ifndef KS_PD_H
#define KS_PD_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "uprb/uprb_check.h"

#define PD_MAGIC2 0x32454c4946524550ull   /* "PERFILE2" little endian */
#define PD_FEAT_BITS 256
#define PD_FEAT_TRACING_DATA 1
#define PD_FEAT_HOSTNAME 3
#define PD_FEAT_OSRELEASE 4
#define PD_FEAT_VERSION 5
#define PD_FEAT_ARCH 6
#define PD_FEAT_NRCPUS 7
#define PD_FEAT_CMDLINE 11
#define PD_FEAT_EVENT_DESC 12
#define PD_REC_USER_START 64
#define PD_REC_FINISHED_ROUND 68
/* What a file may hold before the reader calls it hostile. */
#define PD_MAX_ATTRS 4096
#define PD_MAX_ATTR_SIZE 1024
#define PD_MAX_IDS (1u << 20)
#define PD_MAX_CPUS 4096

struct pd_section {
	uint64_t offset, size;
};

struct pd_header {
	uint64_t magic;
	uint64_t size;
	uint64_t attr_size;
	struct pd_section attrs, data, event_types;
	uint64_t features[PD_FEAT_BITS / 64];
};

/* One attr of the file, its ids (copied, aligned) and its name. */
struct pd_attr {
	struct perf_event_attr attr;   /* zero-extended to our struct */
	uint64_t *ids;
	uint64_t nids;
	char name[96];
};

struct pd_file {
	struct pd_header h;
	struct pd_attr *attrs;
	uint64_t nattrs;
	const unsigned char *data;     /* the data section, in the caller's bytes */
	uint64_t data_offset, data_size;
	unsigned int nfeatures;
};

/* A little-endian u64/u32 at any alignment. */
uint64_t pd_load64(const unsigned char *p);
uint32_t pd_load32(const unsigned char *p);

/*
 * The file layer: parse the @len bytes at @m. On success @f holds the
 * header, the attrs with their ids and names, and where the data section
 * is; on failure nothing is held and @why says what is wrong and where.
 * Return: 0, -EINVAL (malformed or truncated), -ENOMEM.
 */
int pd_file_parse(struct pd_file *f, const void *m, uint64_t len, char *why,
		  size_t wlen);
void pd_file_fini(struct pd_file *f);

/* Per attr, what the record layer keeps. */
struct pd_acheck {
	struct uprb_layout layout;
	struct uprb_check c;
	bool have_check;
	uint64_t samples;
};

struct pd_id {
	uint64_t id;
	uint32_t attr;
};

/* The record layer's state and results. */
struct pd_walk {
	const struct pd_attr *attrs;
	uint64_t nattrs;
	struct pd_acheck *checks;
	struct pd_id *index;           /* every id, sorted */
	uint64_t nindex;
	FILE *out;                     /* FAIL lines (the first 10); NULL: none */
	FILE *dump;                    /* one line per sample; NULL: none */
	uint64_t records, kernel_records, user_records, rounds;
	uint64_t lost_sum, lost_records, lost_samples_sum, lost_samples_records;
	uint64_t cpu_inversions, round_violations, failures;
	uint64_t round_max[3];         /* max time: this, previous, the one before */
	uint64_t *last_cpu_time;       /* PD_MAX_CPUS of them */
	bool stopped;                  /* a stop was asked: the walk is partial */
	char first[400];
};

/*
 * The record layer over @nattrs attrs (all must share a sample_type, as
 * perf requires; a difference is a failure). Return: 0 or -ENOMEM.
 */
int pd_walk_init(struct pd_walk *w, const struct pd_attr *attrs,
		 uint64_t nattrs, FILE *out, FILE *dump);
/* Every record of the @len bytes at @data; @base is their file offset. */
void pd_walk_data(struct pd_walk *w, const unsigned char *data, uint64_t len,
		  uint64_t base);
/* The verdicts over the whole stream: LOST sums, ordering. */
void pd_walk_end(struct pd_walk *w);
void pd_walk_fini(struct pd_walk *w);

#endif /* KS_PD_H */
