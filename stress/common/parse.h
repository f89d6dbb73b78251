/* SPDX-License-Identifier: MIT */
/*
 * parse.h - values from the command line: whole numbers, sizes, reals and
 * durations, and comma lists of names. Every parser is total: any string
 * gives either a value or a short reason ("not a number", "not finite",
 * "more than 2^64 - 1", ...) that the caller prints after the option and
 * the value. Nothing here knows an option's range; opt.c checks that.
 */
#ifndef STRESS_PARSE_H
#define STRESS_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A whole number: decimal digits, or 0x and hex digits; nothing before or
 * after (no sign, no blanks; a leading 0 is still decimal, never octal).
 * With @bytes, a binary unit may follow: K, M, G or T (also KiB, KB, k...),
 * times 1024^n. Return: true, or false with the reason in @why.
 */
bool sp_uint(const char *s, bool bytes, uint64_t *v, char *why, size_t len);

/*
 * A finite real, not negative (strtod syntax without blanks: "0.5", "1e3";
 * "inf" and "nan" are refused). Return: true, or false with @why.
 */
bool sp_real(const char *s, double *v, char *why, size_t len);

/*
 * A duration in seconds: a real as sp_real() takes it, then an optional
 * unit: ns, us, ms, s (the default), m, h or d. Return: true, or false.
 */
bool sp_duration(const char *s, double *secs, char *why, size_t len);

/* One name of a list and what it stands for. */
struct sp_name {
	const char *name;
	uint64_t bits;
};

/*
 * A comma list of names from @names (@n of them), ORed into @bits. Empty
 * items ("a,,b", a trailing comma) and unknown names are refused, the
 * reason naming the item and the names allowed. Return: true or false.
 */
bool sp_names(const char *s, const struct sp_name *names, size_t n,
	      uint64_t *bits, char *why, size_t len);

/*
 * Split @s at commas into at most @max items written to @items (pointers
 * into @buf, a copy of @s of @buflen bytes). Empty items are refused.
 * Return: the number of items, or -1 with @why.
 */
int sp_split(const char *s, char *buf, size_t buflen, char **items,
	     unsigned int max, char *why, size_t len);

/*
 * @v as a string that sp_real() reads back to the same double (the
 * shortest of %g, %.15g, %.17g that round-trips). Return: @buf.
 */
const char *sp_fmt_real(double v, char *buf, size_t len);

/* @v bytes for a person: "4096", "64 KiB", "1 GiB" (exact units only). */
const char *sp_fmt_bytes(uint64_t v, char *buf, size_t len);

/* @v bytes, rounded for a person: "812 B", "3.5 MiB", "256.0 GiB". */
const char *sp_fmt_approx(uint64_t v, char *buf, size_t len);

/* @secs for a person: "10 s", "500 ms", "7 d" (exact units only). */
const char *sp_fmt_duration(double secs, char *buf, size_t len);

#endif /* STRESS_PARSE_H */
