/* SPDX-License-Identifier: MIT */
/*
 * script.h - the text form of fuzz inputs (uprb-script; format in
 * fuzz/README.md): the encoder from text to the bytes a target's decoder
 * reads, and the dictionary compiler, as a library the command line tool
 * (uprb_script.c) and a fuzz target of the encoder can call.
 *
 * Strict and total: every word of the text is checked (sites, kinds,
 * levels, ... by their labels), anything the target's decoder could not
 * produce is an error "FILE:LINE: message", never a guess and never a
 * crash; every program a decoder prints encodes to bytes that decode to
 * the same program. Not thread-safe: one call at a time.
 */
#ifndef FZ_SCRIPT_H
#define FZ_SCRIPT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "registry.h"

/* Words per line, and the longest message. */
#define SC_MAX_TOK 48
#define SC_MAX_ERR 512
/* Interrupts under one operation: 3 in every layout (input.h, rinput.h,
 * rdinput.h). */
#define SC_MAX_CHILD 3

/* A line of text as words; comments and blank lines are dropped. */
struct sc_line {
	unsigned no;
	unsigned indent;
	int ntok;
	char *tok[SC_MAX_TOK];
};

/* An operation or an interrupt, and the interrupts under it. */
struct sc_node {
	struct sc_line *ln;
	int t;              /* first word of its action */
	char *site;         /* interrupt: SITE of "at SITE#N:" */
	unsigned nth;       /* and N */
	int child[SC_MAX_CHILD]; /* the interrupts under it */
	int nchild;
};

/* The state of one call: the text, its lines and tree, the bytes out. */
struct sc_state {
	const char *file;   /* for messages */
	char *text;
	struct sc_line *lines;
	unsigned nlines, lines_cap;
	struct sc_node *nodes;
	unsigned nnodes;
	int *tops;          /* the operations (unindented lines) */
	unsigned ntops;
	unsigned char *out;
	size_t len, cap;
	jmp_buf fail;       /* sc_die() returns here */
	char err[SC_MAX_ERR];
};

extern struct sc_state sc;

/*
 * Encode @len bytes of @text (from @file, for messages) for @target (NULL:
 * the text's "target NAME" line, else fuzz_writer_nest).
 * Return: 0 and *@out (malloc'd, *@outlen bytes; the caller frees it), or
 * -1 and *@err (static until the next call): "FILE:LINE: message".
 */
int sc_encode(const char *file, const char *text, size_t len,
	      const char *target, unsigned char **out, size_t *outlen,
	      const char **err);

/*
 * Compile a dictionary (libFuzzer / AFL++ format) for @target: each
 * {site:LABEL}, {op:KIND}, {act:KIND} in a value becomes the byte the
 * target's decoder maps to it ("\xNN"). Return: as sc_encode (text out).
 */
int sc_dict(const char *file, const char *text, size_t len,
	    const char *target, unsigned char **out, size_t *outlen,
	    const char **err);

/* --- shared by the encoders (text.c) ------------------------------------ */

/* Report "FILE:LINE: message" (@ln NULL: "FILE: message") and fail the call. */
__attribute__((noreturn, format(printf, 2, 3)))
void sc_die(const struct sc_line *ln, const char *fmt, ...);

void *sc_realloc(void *p, size_t n);
void sc_put(const void *p, size_t n);
void sc_put8(unsigned v);
void sc_put16(unsigned v);
void sc_put32(uint32_t v);
void sc_put64(uint64_t v);

/* Word @i of @ln, or NULL past the end. */
const char *sc_tok(const struct sc_line *ln, int i);
/* Is word @i of @ln @word? */
bool sc_is(const struct sc_line *ln, int i, const char *word);
/* A number (decimal or 0x hex) up to @max, named @what in messages. */
uint64_t sc_num(const struct sc_line *ln, const char *s, uint64_t max,
		const char *what);
/* "KEY VALUE" at word @i: the value, up to @max. */
uint64_t sc_keyed(const struct sc_line *ln, int i, const char *key,
		  uint64_t max);
/* Nothing may follow word @i - 1. */
void sc_eol(const struct sc_line *ln, int i);
/* Index of @s in @names[@n], or -1 (@s NULL: -1). */
int sc_lookup(const char *const *names, unsigned n, const char *s);
/* Index of @word in @names[@n], else fail: "@what: one of ..." */
unsigned sc_choose(const struct sc_line *ln, const char *const *names,
		   unsigned n, const char *word, const char *what);
/* Set bit @bit of *@seen, failing if @word was given before on the line. */
void sc_once(const struct sc_line *ln, unsigned *seen, unsigned bit,
	     const char *word);
/* log2 of a power of two. */
unsigned sc_log2(uint64_t v);
/* First index of @kind in a decoder's @table of @n (0 if absent; every
 * kind an encoder writes is in its table). */
unsigned sc_first(const uint8_t *table, unsigned n, unsigned kind);

/* The reader layouts' "corrupt flip POS mask M" from word @t (POS): a u16
 * and a u8 mask, never 0; nothing may follow. */
void sc_flip(const struct sc_line *ln, int t);
/* "to WHAT" at word *@t, WHAT one of @names[@n] (@what in messages): its
 * index; *@t moves past it. */
unsigned sc_to(const struct sc_line *ln, int *t, const char *const *names,
	       unsigned n, const char *what);

/*
 * The actions under a read @n of a reader layout (rinput.h, rdinput.h):
 * each "at @site#N:" with N 1 to 64 writes N - 1, then @act(child, true).
 */
void sc_window_acts(const struct sc_node *n, const char *site,
		    void (*act)(const struct sc_node *q, bool inner));

/* sc.text into sc.lines. */
void sc_split(void);
/* sc.lines from @from on into operations and their interrupts. */
void sc_tree(unsigned from, unsigned max_children);

/* The layouts (encode_world.c, encode_reader.c, encode_readers.c,
 * encode_ring_opts.c):
 * sc.lines to sc.out. */
void sc_encode_world(const struct fz_profile *prof);
void sc_encode_reader(void);
void sc_encode_readers(void);
void sc_encode_ring_opts(void);

#endif /* FZ_SCRIPT_H */
