/* SPDX-License-Identifier: MIT */
/*
 * fuzz_perfdata_file.c - the perf.data reader of uprb-stress-kernel
 * (--read-perf-data) on any bytes as a whole file: the file layer (header,
 * sections, attrs, ids, feature table, event names), then, when it takes
 * the file, the record layer over its data section. What must hold:
 * nothing read outside the bytes (ASan), no undefined behaviour (UBSan),
 * no leak, and a parse either fails with a reason or gives sections that
 * lie inside the file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "exact_copy.h"
#include "pd.h"

static char summary[600]; /* a refusal's reason (512) and its prefix */

/* What the last run did, for the replay driver's -v. */
const char *fz_target_summary(void)
{
	return summary;
}

/* A parse that succeeded promises sections inside the file. */
static void check_promises(const struct pd_file *f, const uint8_t *data,
			   size_t size)
{
	if (f->data < data || f->data_offset > size ||
	    f->data_size > size - f->data_offset || !f->nattrs ||
	    f->nattrs > PD_MAX_ATTRS) {
		fprintf(stderr, "fuzz_perfdata_file: a parse that succeeded gave a data section [%llu, +%llu) of a %zu-byte file, %llu attrs\n",
			(unsigned long long)f->data_offset,
			(unsigned long long)f->data_size, size,
			(unsigned long long)f->nattrs);
		abort();
	}
}

/*
 * The bytes in an allocation of exactly their size, so that ASan sees a
 * read one byte past the end in every driver (the replay driver's buffer
 * is larger than the file).
 */
static int run(const uint8_t *data, size_t size)
{
	struct pd_file f;
	struct pd_walk w;
	char why[512];

	if (pd_file_parse(&f, data, size, why, sizeof(why))) {
		snprintf(summary, sizeof(summary), "  file refused: %s", why);
		if (!why[0]) {
			fprintf(stderr, "fuzz_perfdata_file: a refusal without a reason\n");
			abort();
		}
		return 0;
	}
	check_promises(&f, data, size);
	if (!pd_walk_init(&w, f.attrs, f.nattrs, NULL, NULL)) {
		pd_walk_data(&w, f.data, f.data_size, f.data_offset);
		pd_walk_end(&w);
	}
	snprintf(summary, sizeof(summary),
		 "  %llu attrs, %llu records (%llu kernel), %llu failures%s%s",
		 (unsigned long long)f.nattrs, (unsigned long long)w.records,
		 (unsigned long long)w.kernel_records,
		 (unsigned long long)w.failures, w.failures ? ", first: " : "",
		 w.first);
	pd_walk_fini(&w);
	pd_file_fini(&f);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_on_exact_copy(data, size, run);
}
