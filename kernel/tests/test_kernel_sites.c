/* SPDX-License-Identifier: MIT */
/*
 * test_kernel_sites - what the kernel backend hands the seam for one
 * write, one write that reports a drop, and a pause: every writer site of
 * the kernel's fast path in the protocol's order (the tree decides whether
 * data_tail or head is loaded first), with its op, order, width, address
 * and value where they matter (the two plain C accesses routed through
 * -fsanitize=thread calls included), and a "ring_buffer.c:LINE (function)"
 * location on each. The same expectations run against the core's sequence
 * must fail (it has no B_wmb and no wakeup_signal): the check can fail.
 * Prints both sequences: the seam accesses a write costs each backend.
 */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "uprb/port.h"
#include "uprb/uprb.h"
#include "uprb/uprb_check.h"

#define MAX_SEEN 256

static struct uprb_sim_access seen[MAX_SEEN];
static unsigned nseen;
static unsigned wakeups;
static int failures;

static uint64_t record(void *ctx, const struct uprb_sim_access *a)
{
	(void)ctx;
	if (nseen < MAX_SEEN)
		seen[nseen++] = *a;
	return uprb_sim_perform(a);
}

static const struct uprb_sim_hooks hooks = { record, NULL };

static void wakeup(struct uprb_ring *rb, void *arg)
{
	(void)rb, (void)arg;
	wakeups++;
}

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);      \
			fprintf(stderr, __VA_ARGS__);                          \
			fputc('\n', stderr);                                   \
			bad++;                                                 \
		}                                                              \
	} while (0)

static void show(const char *who)
{
	printf("%s, %u accesses:", who, nseen);
	for (unsigned i = 0; i < nseen; i++)
		printf(" %s", uprb_site_name(seen[i].site));
	printf("\n");
}

/* Index of the first access at @site from @from on, or -1. */
static int find(enum uprb_site site, unsigned from)
{
	for (unsigned i = from; i < nseen; i++)
		if (seen[i].site == site)
			return (int)i;
	return -1;
}

/*
 * The fast path of one successful write, in order. Either of data_tail
 * and head may come first (6.1 loads the tail first, 6.12 the head).
 */
static const enum uprb_site write_order[] = {
	UPRB_SITE_PAUSED_LOAD, UPRB_SITE_LOST_PEEK, UPRB_SITE_NEST_GET_LOAD,
	UPRB_SITE_NEST_GET_STORE, UPRB_SITE_WAKEUP_SNAPSHOT, UPRB_SITE_HEAD_CAS,
	UPRB_SITE_WAKEUP_LOAD, UPRB_SITE_COPY, UPRB_SITE_EVENTS_ADD,
	UPRB_SITE_NEST_PUT_LOAD, UPRB_SITE_PUT_BARRIER_1, UPRB_SITE_PUT_HEAD_LOAD,
	UPRB_SITE_B_WMB, UPRB_SITE_B_HEAD_STORE, UPRB_SITE_PUT_BARRIER_2,
	UPRB_SITE_NEST_CLEAR, UPRB_SITE_PUT_BARRIER_3, UPRB_SITE_PUT_HEAD_RECHECK,
	UPRB_SITE_WAKEUP_CHECK, UPRB_SITE_WAKEUP_SIGNAL,
};

/* Check the sequence of one write; @a: the writer's addresses. Return: bad. */
static int check_write(const struct fz_writer_addrs *a, const void *data_head,
		       const void *data_tail, bool kernel_locs)
{
	regex_t loc;
	int bad = 0, at = -1;

	regcomp(&loc, "^(ring_buffer\\.c|internal\\.h|core\\.c):[0-9]+ \\([a-z_]+\\)$"
		      "|^perf_output_sample \\(", REG_EXTENDED | REG_NOSUB);
	for (unsigned i = 0; i < sizeof(write_order) / sizeof(write_order[0]); i++) {
		int j = find(write_order[i], at < 0 ? 0 : (unsigned)at);

		CHECK(j >= 0, "no %s after %s", uprb_site_name(write_order[i]),
		      at < 0 ? "the start" : uprb_site_name(seen[at].site));
		if (j >= 0)
			at = j;
	}
	for (unsigned i = 0; i < nseen; i++) {
		const struct uprb_sim_access *x = &seen[i];

		if (kernel_locs)
			CHECK(x->loc && !regexec(&loc, x->loc, 0, NULL, 0),
			      "%s: location '%s'", uprb_site_name(x->site),
			      x->loc ? x->loc : "(none)");
		switch (x->site) {
		case UPRB_SITE_PAUSED_LOAD:
			CHECK(x->op == UPRB_OP_LOAD && x->addr == a->paused &&
			      x->width == 4, "paused_load: op %d addr %p width %u",
			      x->op, x->addr, x->width);
			break;
		case UPRB_SITE_NEST_GET_LOAD:
			CHECK(x->op == UPRB_OP_LOAD && x->addr == a->nest,
			      "nest_get_load: op %d addr %p", x->op, x->addr);
			break;
		case UPRB_SITE_NEST_GET_STORE:
			CHECK(x->op == UPRB_OP_STORE && x->addr == a->nest && x->val == 1,
			      "nest_get_store: op %d addr %p val %llu", x->op, x->addr,
			      (unsigned long long)x->val);
			break;
		case UPRB_SITE_A_TAIL_LOAD:
			CHECK(x->op == UPRB_OP_LOAD && x->addr == data_tail &&
			      x->order == UPRB_ORDER_CTRL && x->width == 8,
			      "A_tail_load: op %d order %d addr %p", x->op, x->order,
			      x->addr);
			break;
		case UPRB_SITE_HEAD_LOAD:
		case UPRB_SITE_PUT_HEAD_LOAD:
		case UPRB_SITE_PUT_HEAD_RECHECK:
			CHECK(x->op == UPRB_OP_LOAD && x->addr == a->head,
			      "%s: op %d addr %p", uprb_site_name(x->site), x->op, x->addr);
			break;
		case UPRB_SITE_HEAD_CAS:
			CHECK(x->op == UPRB_OP_CMPXCHG && x->addr == a->head,
			      "head_cas: op %d addr %p", x->op, x->addr);
			break;
		case UPRB_SITE_B_WMB:
			CHECK(x->op == UPRB_OP_FENCE && x->order == UPRB_ORDER_WMB,
			      "B_wmb: op %d order %d", x->op, x->order);
			break;
		case UPRB_SITE_B_HEAD_STORE:
			CHECK(x->op == UPRB_OP_STORE && x->addr == data_head && x->width == 8,
			      "B_head_store: op %d addr %p", x->op, x->addr);
			break;
		case UPRB_SITE_WAKEUP_SIGNAL:
			/* EPOLLIN (| EPOLLRDNORM from 5.11) */
			CHECK(x->op == UPRB_OP_STORE && x->width == 4 && (x->val & 1),
			      "wakeup_signal: op %d width %u val %#llx (EPOLLIN)",
			      x->op, x->width, (unsigned long long)x->val);
			break;
		default:
			break;
		}
	}
	regfree(&loc);
	return bad;
}

static void run(const char *name, bool kernel)
{
	const struct fz_backend *be = &fz_backend_kernel;
	struct uprb_ring_opts o = { .sz = sizeof(o), .page_size = 64, .nr_pages = 4,
				    .watermark = 8, .wakeup = wakeup };
	struct uprb_ring *rb;
	struct uprb_source src;
	struct fz_writer_addrs a = { 0 };
	void *w = NULL;
	int bad, rc;

	if (uprb_ring_new(&rb, &o))
		abort();
	uprb_source_init(&src, 7, PERF_SAMPLE_TID | PERF_SAMPLE_ID, true);
	src.wakeup_events = 1;
	src.pid = 11;
	src.tid = 12;
	if (kernel) {
		w = be->open(rb, &o, &src, 1);
		if (!w)
			abort();
		be->addrs(w, &a);
	} else {
		a.head = &rb->head;
		a.nest = &rb->nest;
		a.paused = &rb->paused;
	}
	uprb_sim_hooks = &hooks;

	/* one 32-byte write into an empty ring */
	nseen = 0;
	rc = kernel ? be->write(w, 0, 32, 0, 0, 1) :
		      uprb_synth_write(rb, &src, 32, 0, 0, 0, 1);
	show(kernel ? "kernel, a 32-byte write" : "core, a 32-byte write");
	bad = rc != 0;
	bad += check_write(&a, &rb->user_page->data_head, &rb->user_page->data_tail,
			   kernel);

	/* a drop (no space: the tail was not moved), then a write with LOST */
	nseen = 0;
	rc = kernel ? be->write(w, 0, 256, 0, 0, 2) :
		      uprb_synth_write(rb, &src, 256, 0, 0, 0, 2);
	CHECK(rc == -ENOSPC, "a 256-byte write into 256 bytes returned %d", rc);
	/* (trees before 6.0 keep no per-source count: src_lost NULL) */
	CHECK(find(UPRB_SITE_LOST_ADD_FAIL, 0) >= 0 &&
	      (kernel && !a.src_lost[0] ? find(UPRB_SITE_SOURCE_LOST_ADD, 0) < 0 :
	       find(UPRB_SITE_SOURCE_LOST_ADD, 0) > find(UPRB_SITE_LOST_ADD_FAIL, 0)),
	      "a refused write counts lost, then the source's lost_samples");
	rb->user_page->data_tail = rb->user_page->data_head;
	nseen = 0;
	rc = kernel ? be->write(w, 0, 32, 0, 0, 3) :
		      uprb_synth_write(rb, &src, 32, 0, 0, 0, 3);
	CHECK(rc == 0 && find(UPRB_SITE_LOST_XCHG, 0) > find(UPRB_SITE_HEAD_CAS, 0),
	      "the LOST record is taken after the reservation (rc %d)", rc);

	/* pause: one store of 1 to rb->paused, from the consumer */
	nseen = 0;
	rc = kernel ? be->pause(w, true) : uprb_ring_pause(rb, true);
	CHECK(rc == 0 && nseen == 1 && seen[0].site == UPRB_SITE_PAUSE_STORE &&
	      seen[0].op == UPRB_OP_STORE && seen[0].addr == a.paused &&
	      seen[0].val == 1, "pause: rc %d, %u accesses, first %s", rc, nseen,
	      nseen ? uprb_site_name(seen[0].site) : "-");
	if (kernel)
		CHECK(nseen && seen[0].loc && strstr(seen[0].loc, "(rb_toggle_paused)"),
		      "pause_store location '%s'", nseen && seen[0].loc ? seen[0].loc : "");
	uprb_sim_hooks = NULL;

	if (kernel) {
		be->close(w);
		if (bad)
			failures++;
		printf("%s %s\n", bad ? "FAIL" : "ok", name);
	} else {
		/* the negative control: the core lacks kernel-only sites */
		if (!bad)
			failures++;
		printf("%s %s (the core's sequence fails the kernel's checks: %d)\n",
		       bad ? "ok" : "FAIL", name, bad);
	}
	uprb_ring_free(rb);
}

int main(void)
{
	printf("%s\n", fz_backend_kernel.version);
	run("kernel backend: sites, orders, addresses, locations", true);
	run("negative control: the core's sequence", false);
	return failures ? 1 : 0;
}
