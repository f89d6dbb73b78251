/* SPDX-License-Identifier: MIT */
/*
 * registry.c - the adapters built into this binary (CMake defines
 * RD_HAVE_<READER> for each optional one it could build, and
 * RD_MISSING_<READER> with the reason for each it could not), and where
 * readers' messages go.
 */
#include <stdio.h>
#include <string.h>

#include "rd/adapter.h"
#include "rd/guard.h"

extern const struct rd_adapter rd_adapter_core;
#ifdef RD_HAVE_LIBPERF
extern const struct rd_adapter rd_adapter_libperf;
#endif
#ifdef RD_HAVE_LIBBPF
extern const struct rd_adapter rd_adapter_libbpf_raw;
extern const struct rd_adapter rd_adapter_libbpf;
#endif
#ifdef RD_HAVE_BCC
extern const struct rd_adapter rd_adapter_bcc;
#endif

const struct rd_adapter *const rd_adapters[] = {
	&rd_adapter_core,
#ifdef RD_HAVE_LIBPERF
	&rd_adapter_libperf,
#endif
#ifdef RD_HAVE_LIBBPF
	&rd_adapter_libbpf_raw,
	&rd_adapter_libbpf,
#endif
#ifdef RD_HAVE_BCC
	&rd_adapter_bcc,
#endif
	NULL,
};

const char *const rd_adapters_missing[] = {
#ifdef RD_MISSING_LIBPERF
	"libperf: " RD_MISSING_LIBPERF,
#endif
#ifdef RD_MISSING_LIBBPF
	"libbpf-raw, libbpf: " RD_MISSING_LIBBPF,
#endif
#ifdef RD_MISSING_BCC
	"bcc: " RD_MISSING_BCC,
#endif
	NULL,
};

const struct rd_adapter *rd_adapter_find(const char *name)
{
	for (unsigned i = 0; rd_adapters[i]; i++)
		if (!strcmp(rd_adapters[i]->name, name))
			return rd_adapters[i];
	return NULL;
}

static struct rd_said said;
bool rd_said_echo;

void rd_reader_said(const char *fmt, va_list ap)
{
	va_list copy;

	if (!said.count++) {
		va_copy(copy, ap);
		vsnprintf(said.first, sizeof(said.first), fmt, copy);
		va_end(copy);
		said.first[strcspn(said.first, "\n")] = '\0';
	}
	if (rd_said_echo) {
		va_copy(copy, ap);
		fputs("  reader says: ", stderr);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	rd_guard_step();
}

const struct rd_said *rd_said(void)
{
	return &said;
}

void rd_said_reset(void)
{
	memset(&said, 0, sizeof(said));
}
