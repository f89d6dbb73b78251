/* SPDX-License-Identifier: MIT */
/*
 * events.c - which events, with which attr, on which rings.
 *
 * A spec is an event kind the user named (a hardware counter, a software
 * event, a tracepoint). Per CPU, the first spec that opens owns the ring
 * (the mmap) and every other one, plus a software dummy that carries COMM
 * records (and so can flush a pending loss count at the end), is
 * redirected into it with PERF_EVENT_IOC_SET_OUTPUT. All events of a run
 * share one sample_type with PERF_SAMPLE_IDENTIFIER, so any reader (ours,
 * perf's) can attribute every record of a shared ring.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kstress.h"
#include "parse.h"

const char *ks_spec_name(const struct ks_world *w, int spec)
{
	if (spec < 0 || (unsigned int)spec >= w->nspecs)
		return "dummy";
	return w->specs[spec].name;
}

bool ks_is_obstacle(int err)
{
	return err == -EACCES || err == -EPERM || err == -ENOENT ||
	       err == -EOPNOTSUPP || err == -ENODEV || err == -ENOSYS;
}

/* The tracefs root that has events/, or NULL. */
static const char *tracefs_root(void)
{
	if (access("/sys/kernel/tracing/events", F_OK) == 0)
		return "/sys/kernel/tracing";
	if (access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return "/sys/kernel/debug/tracing";
	return NULL;
}

int ks_ensure_tracefs(char *msg, size_t len)
{
	msg[0] = 0;
	if (tracefs_root())
		return 0;
	/* Root may mount it; say so either way. */
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0) {
		snprintf(msg, len,
			 "tracefs was not mounted: mounted it at /sys/kernel/tracing (mount -t tracefs nodev /sys/kernel/tracing)");
		return 0;
	}
	snprintf(msg, len,
		 "tracepoints unavailable: tracefs is not mounted and mounting it failed (%s); run as root: mount -t tracefs nodev /sys/kernel/tracing",
		 strerror(errno));
	return -ENOENT;
}

int ks_resolve_tracepoint(const char *name, uint64_t *id, char *why,
			  size_t whylen)
{
	char path[512], sys[128], ev[128];
	const char *root, *colon = strchr(name, ':');
	FILE *f;
	int ok;

	if (!colon || colon == name || !colon[1] ||
	    (size_t)(colon - name) >= sizeof(sys) || strlen(colon + 1) >= sizeof(ev)) {
		snprintf(why, whylen, "%s: a tracepoint is <subsystem>:<name>", name);
		return -EINVAL;
	}
	memcpy(sys, name, (size_t)(colon - name));
	sys[colon - name] = 0;
	snprintf(ev, sizeof(ev), "%s", colon + 1);
	if (ks_ensure_tracefs(why, whylen))
		return -ENOENT;
	if (why[0]) {
		/* It mounted tracefs: say so once. */
		printf("%s: %s\n", KS_NAME, why);
		why[0] = 0;
	}
	root = tracefs_root();
	snprintf(path, sizeof(path), "%s/events/%s/%s/id", root, sys, ev);
	f = fopen(path, "r");
	if (!f) {
		int err = errno;
		char what[700];

		/* The explanation names the tracepoint and the file. */
		if (snprintf(what, sizeof(what), "tracepoint %s (%s)", name,
			     path) < 0)
			what[0] = 0;
		uprb_kring_explain(-err, what, why, whylen);
		return -err;
	}
	ok = fscanf(f, "%" SCNu64, id) == 1;
	fclose(f);
	if (!ok) {
		snprintf(why, whylen, "%s: unreadable id in %s", name, path);
		return -EINVAL;
	}
	return 0;
}

/* One source into the world's specs (a known one, or a tracepoint). */
static int add_spec(struct ks_world *w, const char *tok)
{
	const struct ks_source *k;
	char name[96], why[512];
	struct ks_spec *s;
	uint64_t period;

	if (!ks_event_item(tok, name, sizeof(name), &period, why, sizeof(why))) {
		sopt_fail(&w->prog, "events", "%s", why);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < w->nspecs; i++)
		if (!strcmp(w->specs[i].name, name))
			return 0;
	if (w->nspecs == KS_MAX_EVENTS) {
		sopt_fail(&w->prog, "events", "more than %d events (the groups count each of theirs)",
			  KS_MAX_EVENTS);
		return -E2BIG;
	}
	s = &w->specs[w->nspecs];
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	k = ks_source_named(name);
	if (k) {
		s->type = k->type;
		s->config = k->config;
		s->period = k->period;
		s->period1 = k->period1;
		s->hw = s->type == PERF_TYPE_HARDWARE;
	}
	if (!k || k->type == PERF_TYPE_TRACEPOINT) {
		int err = ks_resolve_tracepoint(name, &s->config, why, sizeof(why));

		if (err) {
			fprintf(stderr, KS_NAME ": %s\n", why);
			ks_note(w, "not used: %s", why);
			return w->o.require_all ? err : 0;
		}
		s->type = PERF_TYPE_TRACEPOINT;
		s->tracepoint = true;
		s->period = 1;
		s->period1 = true;
	}
	if (w->o.freq && !s->period1) {
		s->freq = true;
		s->period = w->o.freq;
	} else if (w->o.period) {
		s->period = w->o.period;
		s->period1 = s->period1 && w->o.period == 1;
	}
	if (period) {
		s->freq = false;
		s->period = period;
		s->period1 = s->period1 && period == 1;
	}
	w->nspecs++;
	return 0;
}

/* Every source of @group, in table order. */
static int add_group(struct ks_world *w, const char *group)
{
	const struct ks_source *k;

	for (unsigned int i = 0; (k = ks_source_at(i)); i++)
		if (ks_in_group(k, group)) {
			int err = add_spec(w, k->name);

			if (err)
				return err;
		}
	return 0;
}

int ks_parse_events(struct ks_world *w, const char *list)
{
	char buf[2048], *tok, *save = NULL;
	int err;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (ks_is_group(tok))
			err = add_group(w, tok);
		else if (!strcmp(tok, "bpf-output") || !strcmp(tok, "bpf")) {
			ks_note(w, "bpf-output is not used: this harness loads no BPF program (no libbpf/clang BPF target in its dependencies); tracepoints are the fastest source here");
			err = 0;
		} else
			err = add_spec(w, tok);
		if (err)
			return err;
	}
	return 0;
}

static uint64_t regs_mask(void)
{
#if defined(__x86_64__)
	/* PERF_REG_X86_SP (7) and PERF_REG_X86_IP (8) */
	return 1ull << 7 | 1ull << 8;
#else
	return 1;
#endif
}

unsigned int ks_pages(const struct ks_world *w, bool backward)
{
	return backward && w->o.backward_pages ? w->o.backward_pages : w->o.pages;
}

static void common_attr(const struct ks_world *w, bool backward,
			struct perf_event_attr *a)
{
	const struct ks_opts *o = &w->o;
	uint64_t ring = (uint64_t)ks_pages(w, backward) *
			(uint64_t)sysconf(_SC_PAGESIZE);

	a->size = sizeof(*a);
	a->sample_type = o->sample_type;
	a->read_format = PERF_FORMAT_ID | PERF_FORMAT_LOST;
	a->sample_id_all = 1;
	a->disabled = 1;
	a->watermark = 1;
	a->wakeup_watermark = (uint32_t)(o->watermark ? o->watermark : ring / 4);
	a->write_backward = backward;
	a->inherit = o->inherit;
	a->exclude_kernel = o->user_only;
	a->exclude_hv = o->user_only;
	if (o->sample_type & PERF_SAMPLE_REGS_USER)
		a->sample_regs_user = regs_mask();
	if (o->sample_type & PERF_SAMPLE_STACK_USER)
		a->sample_stack_user = o->stack_user;
	if (o->sample_type & PERF_SAMPLE_CALLCHAIN)
		a->sample_max_stack = 32;
}

void ks_attr_for(const struct ks_world *w, const struct ks_spec *s,
		 bool backward, struct perf_event_attr *a)
{
	memset(a, 0, sizeof(*a));
	common_attr(w, backward, a);
	a->type = s->type;
	a->config = s->config;
	a->freq = s->freq;
	a->sample_period = s->period;
}

void ks_dummy_attr(const struct ks_world *w, bool backward,
		   struct perf_event_attr *a)
{
	memset(a, 0, sizeof(*a));
	common_attr(w, backward, a);
	a->type = PERF_TYPE_SOFTWARE;
	a->config = PERF_COUNT_SW_DUMMY;
	a->sample_period = 1;
	a->comm = 1;
	a->task = 1;
}

static int open_one(struct ks_phase *p, struct ks_ring *r, int spec,
		    pid_t pid, char *why, size_t len)
{
	struct ks_world *w = p->w;
	struct perf_event_attr a;
	struct ks_event *e = &r->ev[r->nev];
	char buf[512];
	int fd, err;

	if (spec >= 0)
		ks_attr_for(w, &w->specs[spec], p->backward, &a);
	else
		ks_dummy_attr(w, p->backward, &a);
	/*
	 * The dummy is CPU-wide even when the others follow a command: the
	 * end-of-phase flush (a COMM from a thread bound to this CPU) must
	 * reach it after the command's tasks are gone.
	 */
	if (spec < 0)
		a.inherit = 0;
	fd = uprb_perf_event_open(&a, spec < 0 ? -1 : pid, r->cpu, -1,
				  PERF_FLAG_FD_CLOEXEC);
	if (spec < 0 && pid > 0 && (fd == -EACCES || fd == -EPERM)) {
		/* Unprivileged: the command's own; drops pending at its exit stay pending. */
		a.inherit = w->o.inherit;
		fd = uprb_perf_event_open(&a, pid, r->cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd >= 0)
			ks_note(w, "the flush dummy follows the command (CPU-wide events need perf_event_paranoid <= 0): drops still pending when it exits cannot be flushed");
	}
	if (fd < 0) {
		snprintf(why, len, "%s",
			 uprb_kring_explain(fd, "perf_event_open", buf, sizeof(buf)));
		snprintf(buf, sizeof(buf), "%s on cpu %d: %s",
			 ks_spec_name(w, spec), r->cpu, why);
		snprintf(why, len, "%s", buf);
		return fd;
	}
	memset(e, 0, sizeof(*e));
	e->fd = fd;
	e->spec = spec;
	if (ioctl(fd, PERF_EVENT_IOC_ID, &e->id) < 0) {
		err = -errno;
		close(fd);
		snprintf(why, len, "PERF_EVENT_IOC_ID: %s", strerror(-err));
		return err;
	}
	if (!r->have_k) {
		err = uprb_kring_open(&r->k, fd, ks_pages(w, p->backward),
				      p->backward, p->backward);
		if (err) {
			close(fd);
			snprintf(why, len, "cpu %d: %s", r->cpu,
				 uprb_kring_explain(err, "mmap", buf, sizeof(buf)));
			return err;
		}
		r->have_k = true;
	} else {
		err = uprb_kring_set_output(&r->k, fd);
		if (err) {
			close(fd);
			snprintf(why, len, "cpu %d: %s", r->cpu,
				 uprb_kring_explain(err, "set_output", buf,
						    sizeof(buf)));
			return err;
		}
	}
	r->ids[r->nev] = e->id;
	r->nev++;
	return 0;
}

int ks_phase_open(struct ks_phase *p, pid_t pid, char *why, size_t len)
{
	struct ks_world *w = p->w;
	int err;

	p->nrings = w->ncpus;
	p->rings = calloc(p->nrings, sizeof(*p->rings));
	if (!p->rings)
		return -ENOMEM;
	for (unsigned int i = 0; i < p->nrings; i++) {
		struct ks_ring *r = &p->rings[i];

		r->cpu = w->cpus[i];
		r->backward = p->backward;
		r->validate = w->o.validate;
		r->sleep_ns = w->o.reader_sleep_ns;
		for (unsigned int s = 0; s < w->nspecs; s++) {
			err = open_one(p, r, (int)s, pid, why, len);
			if (err)
				return err;
		}
		err = open_one(p, r, -1, pid, why, len);
		if (err)
			return err;
		r->layout = (struct uprb_layout){
			.sample_type = w->o.sample_type,
			.read_format = PERF_FORMAT_ID | PERF_FORMAT_LOST,
			.sample_regs_user = (w->o.sample_type & PERF_SAMPLE_REGS_USER) ?
					    regs_mask() : 0,
			.sample_id_all = true,
		};
		struct uprb_check_opts co = {
			.sz = sizeof(co),
			.layout = r->layout,
			.order = UPRB_CHECK_ORDER_NONE,
			.lost_ids = r->ids,
			.nlost_ids = r->nev,
		};
		err = uprb_check_init(&r->c, &co);
		if (err)
			return err;
		r->have_check = true;
	}
	return 0;
}

int ks_phase_enable(struct ks_phase *p, bool on)
{
	for (unsigned int i = 0; i < p->nrings; i++)
		for (unsigned int j = 0; j < p->rings[i].nev; j++)
			if (ioctl(p->rings[i].ev[j].fd,
				  on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE,
				  0) < 0)
				return -errno;
	return 0;
}

void ks_phase_close(struct ks_phase *p)
{
	for (unsigned int i = 0; p->rings && i < p->nrings; i++) {
		struct ks_ring *r = &p->rings[i];

		if (r->have_k)
			uprb_kring_close(&r->k);
		for (unsigned int j = 0; j < r->nev; j++)
			close(r->ev[j].fd);
		if (r->have_check)
			uprb_check_fini(&r->c);
		free(r->cap);
	}
	free(p->rings);
	p->rings = NULL;
	p->nrings = 0;
}
