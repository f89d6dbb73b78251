/* SPDX-License-Identifier: MIT */
/*
 * fuzz_perfdata_records.c - the record layer of the perf.data reader alone,
 * without a file to get past: the first 16 bytes choose the attrs (how
 * many, their shared sample_type, read_format, sample_id_all, register
 * masks), the rest is the data section, walked record by record through
 * the checker as --read-perf-data walks it.
 *
 *   byte 0      attrs: 1 + b % 4 (ids 1..4; attr i also has id 100 + i)
 *   bytes 1-8   sample_type (every PERF_SAMPLE_* bit up to WEIGHT_STRUCT)
 *   byte 9      bit 0 sample_id_all, bit 1 PERF_FORMAT_ID, bit 2
 *               PERF_FORMAT_LOST, bit 3 PERF_FORMAT_GROUP, bit 4 freq
 *   bytes 10-11 sample_regs_user (a mask of registers 0..15)
 *   bytes 12-13 sample_regs_intr
 *   bytes 14-15 branch_sample_type
 *   bytes 16-   the data section
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "exact_copy.h"
#include "pd.h"

#define CONFIG_BYTES 16
#define MAX_ATTRS 4

static char summary[512];

/* What the last run did, for the replay driver's -v. */
const char *fz_target_summary(void)
{
	return summary;
}

static int run(const uint8_t *data, size_t size)
{
	static uint64_t ids[MAX_ATTRS][2];
	struct pd_attr attrs[MAX_ATTRS];
	uint64_t sample_type;
	unsigned int n;
	struct pd_walk w;
	uint16_t regs_user, regs_intr, branch;

	summary[0] = 0;
	if (size < CONFIG_BYTES)
		return 0;
	n = 1 + data[0] % MAX_ATTRS;
	memcpy(&sample_type, data + 1, sizeof(sample_type));
	memcpy(&regs_user, data + 10, 2);
	memcpy(&regs_intr, data + 12, 2);
	memcpy(&branch, data + 14, 2);
	memset(attrs, 0, sizeof(attrs));
	for (unsigned int i = 0; i < n; i++) {
		struct perf_event_attr *a = &attrs[i].attr;

		a->size = sizeof(*a);
		a->type = PERF_TYPE_SOFTWARE;
		a->config = i;
		a->sample_period = 1;
		a->sample_type = sample_type & ((PERF_SAMPLE_WEIGHT_STRUCT << 1) - 1);
		a->sample_id_all = data[9] & 1;
		a->read_format = (data[9] & 2 ? PERF_FORMAT_ID : 0) |
				 (data[9] & 4 ? PERF_FORMAT_LOST : 0) |
				 (data[9] & 8 ? PERF_FORMAT_GROUP : 0);
		a->freq = !!(data[9] & 16);
		a->sample_regs_user = regs_user;
		a->sample_regs_intr = regs_intr;
		a->branch_sample_type = branch;
		ids[i][0] = i + 1;
		ids[i][1] = 100 + i;
		attrs[i].ids = ids[i];
		attrs[i].nids = 2;
		strcpy(attrs[i].name, "e");
	}
	if (!pd_walk_init(&w, attrs, n, NULL, NULL)) {
		pd_walk_data(&w, data + CONFIG_BYTES, size - CONFIG_BYTES, 0);
		pd_walk_end(&w);
	}
	snprintf(summary, sizeof(summary),
		 "  %u attrs, sample_type 0x%llx, %llu records (%llu kernel), %llu failures%s%s",
		 n, (unsigned long long)attrs[0].attr.sample_type,
		 (unsigned long long)w.records, (unsigned long long)w.kernel_records,
		 (unsigned long long)w.failures, w.failures ? ", first: " : "",
		 w.first);
	pd_walk_fini(&w);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_on_exact_copy(data, size, run);
}
