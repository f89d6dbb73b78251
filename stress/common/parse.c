/* SPDX-License-Identifier: MIT */
/*
 * parse.c - command-line values; see parse.h.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

/* Write a reason; always returns false, for "return why_(...)". */
__attribute__((format(printf, 3, 4)))
static bool why_(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return false;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The binary unit at @s (may be ""): its shift, or -1. */
static int unit_shift(const char *s)
{
	static const char units[] = "KMGT";
	const char *u;

	if (!*s)
		return 0;
	u = strchr(units, toupper((unsigned char)*s));
	if (!u || !*u)
		return -1;
	s++;
	if (!*s || !strcasecmp(s, "iB") || !strcasecmp(s, "B"))
		return 10 * (int)(u - units + 1);
	return -1;
}

bool sp_uint(const char *s, bool bytes, uint64_t *v, char *why, size_t len)
{
	const char *p = s;
	uint64_t x = 0;
	int base = 10, d, shift;

	if (!s || !*s)
		return why_(why, len, "empty");
	if (*p == '-')
		return why_(why, len, "negative");
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (hexval((unsigned char)*p) < 0 || hexval((unsigned char)*p) >= base)
		return why_(why, len, "not a whole number");
	for (; (d = hexval((unsigned char)*p)) >= 0 && d < base; p++) {
		if (x > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return why_(why, len, "more than 2^64 - 1");
		x = x * (uint64_t)base + (uint64_t)d;
	}
	shift = bytes ? unit_shift(p) : (*p ? -1 : 0);
	if (shift < 0)
		return why_(why, len, bytes ?
			    "not a whole number of bytes (units: K, M, G, T)" :
			    "not a whole number");
	if (shift && x > UINT64_MAX >> shift)
		return why_(why, len, "more than 2^64 - 1 bytes");
	*v = x << shift;
	return true;
}

/* strtod on the whole of @s, or up to the unit (@end back to the caller). */
static bool real_prefix(const char *s, double *v, const char **end, char *why,
			size_t len)
{
	char *e;

	if (!s || !*s)
		return why_(why, len, "empty");
	/* strtod skips blanks and takes a sign: we take neither. */
	if (isspace((unsigned char)*s) || *s == '+')
		return why_(why, len, "not a number");
	if (*s == '-')
		return why_(why, len, "negative");
	errno = 0;
	*v = strtod(s, &e);
	if (e == s)
		return why_(why, len, "not a number");
	if (isnan(*v))
		return why_(why, len, "not a number (nan)");
	if (isinf(*v) || errno == ERANGE) {
		if (*v != 0)
			return why_(why, len, "not a finite number");
		/* Underflow to 0 of a tiny value: a plain 0 for our uses. */
		*v = 0;
	}
	*end = e;
	return true;
}

bool sp_real(const char *s, double *v, char *why, size_t len)
{
	const char *end;

	if (!real_prefix(s, v, &end, why, len))
		return false;
	if (*end)
		return why_(why, len, "not a number");
	return true;
}

bool sp_duration(const char *s, double *secs, char *why, size_t len)
{
	static const struct {
		const char *unit;
		double secs;
	} units[] = {
		{ "", 1 }, { "s", 1 }, { "ns", 1e-9 }, { "us", 1e-6 },
		{ "ms", 1e-3 }, { "m", 60 }, { "min", 60 }, { "h", 3600 },
		{ "d", 86400 },
	};
	const char *end;
	double v;

	if (!real_prefix(s, &v, &end, why, len))
		return false;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		v *= units[i].secs;
		if (isinf(v))
			return why_(why, len, "not a finite number");
		*secs = v;
		return true;
	}
	return why_(why, len, "not a duration (units: ns, us, ms, s, m, h, d)");
}

int sp_split(const char *s, char *buf, size_t buflen, char **items,
	     unsigned int max, char *why, size_t len)
{
	unsigned int n = 0;
	char *p;

	if (!s || !*s)
		return why_(why, len, "empty list"), -1;
	if (strlen(s) >= buflen)
		return why_(why, len, "list longer than %zu characters",
			    buflen - 1), -1;
	memcpy(buf, s, strlen(s) + 1);
	for (p = buf;;) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = 0;
		if (!*p)
			return why_(why, len, "empty item in the list"), -1;
		if (n == max)
			return why_(why, len, "more than %u items", max), -1;
		items[n++] = p;
		if (!comma)
			return (int)n;
		p = comma + 1;
	}
}

bool sp_names(const char *s, const struct sp_name *names, size_t n,
	      uint64_t *bits, char *why, size_t len)
{
	char buf[1024], *items[64];
	int k = sp_split(s, buf, sizeof(buf), items, 64, why, len);
	uint64_t b = 0;

	if (k < 0)
		return false;
	for (int i = 0; i < k; i++) {
		size_t j;

		for (j = 0; j < n; j++)
			if (!strcmp(items[i], names[j].name))
				break;
		if (j == n) {
			char list[512] = "";
			size_t at = 0;

			for (j = 0; j < n && at < sizeof(list); j++)
				at += (size_t)snprintf(list + at, sizeof(list) - at,
						       "%s%s", j ? " " : "",
						       names[j].name);
			return why_(why, len, "unknown item '%s' (one of: %s)",
				    items[i], list);
		}
		b |= names[j].bits;
	}
	*bits = b;
	return true;
}

const char *sp_fmt_real(double v, char *buf, size_t len)
{
	static const char *const fmts[] = { "%g", "%.15g", "%.17g" };

	for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		snprintf(buf, len, fmts[i], v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

const char *sp_fmt_bytes(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	int u = -1;

	while (u < 3 && v && !(v & 1023) && v >= 1024) {
		v >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu %s", (unsigned long long)v, units[u]);
	return buf;
}

const char *sp_fmt_approx(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB",
					     "EiB" };
	double x = (double)v;
	int u = -1;

	while (x >= 1024 && u < 5) {
		x /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, len, "%.1f %s", x, units[u]);
	return buf;
}

const char *sp_fmt_duration(double secs, char *buf, size_t len)
{
	static const struct {
		const char *unit;
		double secs;
	} units[] = { { "d", 86400 }, { "h", 3600 }, { "min", 60 },
		      { "s", 1 }, { "ms", 1e-3 }, { "us", 1e-6 } };
	char num[40];

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		double q = secs / units[i].secs;

		if (secs >= units[i].secs && q == floor(q) && q < 1e6) {
			snprintf(buf, len, "%.0f %s", q, units[i].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%s s", sp_fmt_real(secs, num, sizeof(num)));
	return buf;
}
