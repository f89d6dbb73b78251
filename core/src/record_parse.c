/* SPDX-License-Identifier: MIT */
/* record_parse.c - the reasons behind the parsers' @why pointers. */
#include <stdarg.h>
#include <stdio.h>

#include "record_parse.h"

static _Thread_local char why_buf[224];

int uprb_reason(const char **why, int err, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		vsnprintf(why_buf, sizeof(why_buf), fmt, ap);
		va_end(ap);
		*why = why_buf;
	}
	return err;
}
