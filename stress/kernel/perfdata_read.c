/* SPDX-License-Identifier: MIT */
/*
 * perfdata_read.c - --read-perf-data FILE [--dump-samples OUT]: validate a
 * perf.data file from perf record or from us (pd.h: the file layer, then
 * the record layer) and say what it holds. A file that cannot be opened is
 * a usage error (2); a file that is malformed, truncated or fails a check
 * is a finding (1); an --dump-samples that could not be written is 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kstress.h"
#include "pd.h"

/* Map @path read-only. Return: 0, or an exit status (printed). */
static int map_file(const char *path, const unsigned char **m, uint64_t *len)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0 || fstat(fd, &sb)) {
		fprintf(stderr, "%s: option --read-perf-data: '%s': %s\n",
			KS_NAME, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return KS_EXIT_USAGE;
	}
	if (!S_ISREG(sb.st_mode)) {
		fprintf(stderr, "%s: option --read-perf-data: '%s': not a regular file (perf.data is read in place)\n",
			KS_NAME, path);
		close(fd);
		return KS_EXIT_USAGE;
	}
	*len = (uint64_t)sb.st_size;
	*m = NULL;
	if (*len) {
		p = mmap(NULL, (size_t)*len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "%s: option --read-perf-data: '%s': mmap: %s\n",
				KS_NAME, path, strerror(errno));
			close(fd);
			return KS_EXIT_USAGE;
		}
		*m = p;
	}
	close(fd);
	return 0;
}

static void print_walk(const char *path, const struct pd_file *f,
		       const struct pd_walk *w, bool verbose)
{
	printf("%s: %s: %" PRIu64 " attr%s, %" PRIu64 " kernel records, %" PRIu64
	       " perf records (%" PRIu64 " FINISHED_ROUND)\n", KS_NAME, path,
	       f->nattrs, f->nattrs == 1 ? "" : "s", w->kernel_records,
	       w->user_records, w->rounds);
	for (uint64_t i = 0; i < f->nattrs; i++) {
		const struct pd_acheck *k = &w->checks[i];

		printf("  %-32s %10" PRIu64 " samples  %" PRIu64 " records checked, %" PRIu64
		       " failures\n", f->attrs[i].name, k->samples, k->c.records,
		       k->c.failures);
		if (verbose && k->c.failures)
			printf("    first: %s\n", k->c.first);
	}
	printf("  lost: %" PRIu64 " in %" PRIu64 " PERF_RECORD_LOST; kernel counts (LOST_SAMPLES) %" PRIu64
	       " in %" PRIu64 " records: %s\n", w->lost_sum, w->lost_records,
	       w->lost_samples_sum, w->lost_samples_records,
	       !w->lost_samples_records ? "no kernel counts in the file" :
	       w->lost_sum == w->lost_samples_sum ? "exact" :
	       w->lost_sum < w->lost_samples_sum ?
	       "fewer reported than dropped (drops still pending in the ring when recording stopped)" :
	       "MORE REPORTED THAN DROPPED");
	printf("  ordering: %" PRIu64 " samples older than perf's FINISHED_ROUND rule allows, %" PRIu64
	       " per-CPU time inversions\n", w->round_violations,
	       w->cpu_inversions);
}

int ks_perfdata_read(const char *path, struct stress_out *dump, bool verbose)
{
	struct stress_end e = { 0 };
	const unsigned char *m;
	struct pd_file f;
	struct pd_walk w;
	char why[512];
	uint64_t len;
	int rc = map_file(path, &m, &len);

	if (rc)
		return rc;
	if (pd_file_parse(&f, m, len, why, sizeof(why))) {
		printf("%s: %s: %s\n", KS_NAME, path, why);
		e.failures = 1;
		e.first = why;
		rc = stress_result(stdout, &e);
		goto unmap;
	}
	if (pd_walk_init(&w, f.attrs, f.nattrs, stdout, dump->f)) {
		fprintf(stderr, "%s: %s: out of memory\n", KS_NAME, path);
		rc = KS_EXIT_USAGE;
		goto fini;
	}
	pd_walk_data(&w, f.data, f.data_size, f.data_offset);
	pd_walk_end(&w);
	print_walk(path, &f, &w, verbose);
	if (stress_out_close(dump, KS_NAME, stderr))
		e.unfinished = "the --dump-samples file was not written";
	e.failures = w.failures;
	e.first = w.first;
	e.signal = w.stopped ? stress_stop_signal() : 0;
	rc = stress_result(stdout, &e);
	pd_walk_fini(&w);
fini:
	pd_file_fini(&f);
unmap:
	if (m)
		munmap((void *)m, (size_t)len);
	return rc;
}
