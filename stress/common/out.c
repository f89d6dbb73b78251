/* SPDX-License-Identifier: MIT */
/*
 * out.c - output files opened up front, closed with every error seen; see
 * out.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "out.h"
#include "result.h"

static void close_all(struct stress_out *outs, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (outs[i].f) {
			fclose(outs[i].f);
			outs[i].f = NULL;
		}
}

int stress_outs_open(const struct sopt_prog *p, struct stress_out *outs,
		     unsigned int n)
{
	struct stat st[8];

	for (unsigned int i = 0; i < n && i < 8; i++) {
		struct stress_out *o = &outs[i];

		o->f = NULL;
		if (!o->path)
			continue;
		o->f = fopen(o->path, "w");
		if (!o->f || fstat(fileno(o->f), &st[i])) {
			int err = errno;

			close_all(outs, n);
			return sopt_fail(p, o->opt, "cannot write: %s",
					 strerror(err));
		}
		for (unsigned int j = 0; j < i; j++)
			if (outs[j].f && S_ISREG(st[i].st_mode) &&
			    st[j].st_dev == st[i].st_dev &&
			    st[j].st_ino == st[i].st_ino) {
				close_all(outs, n);
				return sopt_fail(p, o->opt,
						 "the same file as --%s: give each output its own",
						 outs[j].opt);
			}
	}
	return 0;
}

int stress_out_close(struct stress_out *o, const char *prog, FILE *err)
{
	int e = 0;

	if (!o->f)
		return 0;
	errno = 0;
	if (fflush(o->f) || ferror(o->f))
		e = errno ? errno : EIO;
	if (fclose(o->f) && !e)
		e = errno ? errno : EIO;
	o->f = NULL;
	if (e && err)
		fprintf(err, "%s: option --%s: '%s': writing: %s\n", prog,
			o->opt, o->path, strerror(e));
	return -e;
}
