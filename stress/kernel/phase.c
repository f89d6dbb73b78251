/* SPDX-License-Identifier: MIT */
/*
 * phase.c - one phase of a stress run: one set of rings in one mode.
 *
 * A phase opens the events on every CPU (one ring per CPU, the others
 * redirected into it), starts a reader thread per ring, enables the events
 * and the load (or lets the command run), and at its end:
 *   1. stops the load and disables every event;
 *   2. stops the readers and drains every ring one last time;
 *   3. flushes the loss count the kernel still holds (rb->lost is reported
 *      only in front of the next record that fits): the ring's dummy event
 *      is enabled and a thread bound to that CPU renames itself, so the
 *      kernel writes a COMM record, and a LOST record before it if drops
 *      are pending; then drains again;
 *   4. reads every event's PERF_FORMAT_LOST count and compares their sum
 *      per ring with the sum of the PERF_RECORD_LOST counts the reader saw
 *      (a LOST record carries the id of the event that wrote it, not of
 *      the event that dropped, so only the per-ring sums can be equal).
 * In overwrite mode a window that lapped may have lost a LOST record to
 * the overwrite itself; such a ring is reported, not failed (README).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kstress.h"

int ks_start_readers(struct ks_world *w, struct ks_phase *p)
{
	static bool rt_noted;

	for (unsigned int i = 0; i < p->nrings; i++) {
		struct ks_ring *r = &p->rings[i];
		pthread_attr_t at;
		int err = -1;

		if (w->o.rt) {
			struct sched_param sp = { .sched_priority = 10 };

			pthread_attr_init(&at);
			pthread_attr_setinheritsched(&at, PTHREAD_EXPLICIT_SCHED);
			pthread_attr_setschedpolicy(&at, SCHED_FIFO);
			pthread_attr_setschedparam(&at, &sp);
			err = pthread_create(&r->th, &at, ks_reader_main, r);
			pthread_attr_destroy(&at);
			if (err && !rt_noted) {
				rt_noted = true;
				ks_note(w, "readers run at normal priority: SCHED_FIFO refused (%s)",
					strerror(err));
			}
		}
		if (err)
			err = pthread_create(&r->th, NULL, ks_reader_main, r);
		if (err)
			return -err;
		r->have_th = true;
	}
	return 0;
}

void ks_stop_readers(struct ks_phase *p)
{
	atomic_store(&ks_stop, true);
	for (unsigned int i = 0; i < p->nrings; i++)
		if (p->rings[i].have_th) {
			pthread_join(p->rings[i].th, NULL);
			p->rings[i].have_th = false;
		}
	atomic_store(&ks_stop, false);
}

static void flush_pending_loss(struct ks_phase *p)
{
	for (unsigned int i = 0; i < p->nrings; i++) {
		struct ks_ring *r = &p->rings[i];
		int fd = r->ev[r->nev - 1].fd;

		ks_ring_drain(r);
		ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
		ks_set_comm_on_cpu(r->cpu, "ks-flush");
		ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
		ks_ring_drain(r);
	}
}

/* Step 4 of the header: per ring, the LOST sum against the kernel's. */
static void account(struct ks_world *w, struct ks_phase *p)
{
	for (unsigned int i = 0; i < p->nrings; i++) {
		struct ks_ring *r = &p->rings[i];
		uint64_t lk = 0;

		for (unsigned int j = 0; j < r->nev; j++) {
			int err = ks_read_counts(&r->ev[j]);

			if (err)
				ks_ring_fail(r, "cpu %d: read(2) of %s: %s", r->cpu,
					     ks_spec_name(w, r->ev[j].spec),
					     strerror(-err));
			lk += r->ev[j].lost_kernel;
		}
		if (r->validate && r->c.lost_sum != r->lost_sum)
			ks_ring_fail(r, "cpu %d: checker LOST sum %" PRIu64
				     " != reader's %" PRIu64, r->cpu,
				     r->c.lost_sum, r->lost_sum);
		if (r->lost_sum == lk)
			continue;
		if (r->backward && r->lapped && r->lost_sum < lk) {
			ks_note(w, "backward cpu %d: %" PRIu64 " of %" PRIu64
				" drops not seen: their LOST records were overwritten in %" PRIu64
				" lapped windows", r->cpu, lk - r->lost_sum, lk,
				r->lapped);
			continue;
		}
		ks_ring_fail(r, "cpu %d (%s): sum of PERF_RECORD_LOST counts %" PRIu64
			     " != sum of PERF_FORMAT_LOST of its %u events %" PRIu64,
			     r->cpu, r->backward ? "backward" : "forward",
			     r->lost_sum, r->nev, lk);
	}
}

/* The command of a command run: started, held until the phase is ready. */
struct cmd_run {
	pid_t pid;
	int go_fd, exec_fd;
};

/* Stop the command if it still runs; keep its status. */
static void cmd_reap(struct ks_world *w, struct cmd_run *c, bool kill_it)
{
	int status;

	if (c->pid <= 0)
		return;
	if (kill_it)
		kill(c->pid, SIGTERM);
	if (waitpid(c->pid, &status, 0) == c->pid) {
		w->cmd_status = status;
		w->cmd_ran = true;
	}
	c->pid = -1;
}

/*
 * Open the rings, start the readers, enable the events and the load.
 * Return: 0, or an exit status (printed; everything undone).
 */
static int phase_start(struct ks_world *w, struct ks_phase *p,
		       struct cmd_run *c, bool capture)
{
	char why[1024];
	int err;

	if (w->o.cmd) {
		c->pid = ks_cmd_spawn(w->o.cmd, &c->go_fd, &c->exec_fd);
		if (c->pid < 0) {
			printf("%s: cannot start %s: %s\n", KS_NAME, w->o.cmd[0],
			       strerror((int)-c->pid));
			w->unfinished = "the command did not start";
			return KS_EXIT_USAGE;
		}
		p->child = c->pid;
	}
	err = ks_phase_open(p, c->pid, why, sizeof(why));
	if (err) {
		printf("%s: %s\n", KS_NAME, why);
		ks_phase_close(p);
		if (c->pid > 0) {
			close(c->go_fd);
			close(c->exec_fd);
			kill(c->pid, SIGKILL);
			waitpid(c->pid, NULL, 0);
		}
		return ks_is_obstacle(err) || err == -EMFILE || err == -ENOMEM ?
		       KS_EXIT_SKIP : KS_EXIT_FAILED;
	}
	for (unsigned int i = 0; capture && i < p->nrings; i++) {
		p->rings[i].cap_size = w->o.perf_data_max / p->nrings;
		p->rings[i].cap = malloc(p->rings[i].cap_size);
		if (!p->rings[i].cap)
			p->rings[i].cap_size = 0;
	}
	err = ks_start_readers(w, p);
	if (!err)
		err = ks_phase_enable(p, true);
	if (!err && !w->o.cmd && w->o.loads)
		err = ks_load_start(&w->o, w->cpus, w->ncpus);
	if (!err && c->pid > 0) {
		err = ks_cmd_go(c->go_fd, c->exec_fd);
		if (err) {
			printf("%s: command '%s' did not start: %s\n", KS_NAME,
			       w->o.cmd[0], strerror(-err));
			w->unfinished = "the command did not start";
			cmd_reap(w, c, false);
			ks_stop_readers(p);
			ks_phase_close(p);
			return KS_EXIT_USAGE;
		}
	}
	if (err) {
		printf("%s: starting the phase: %s\n", KS_NAME, strerror(-err));
		cmd_reap(w, c, true);
		ks_stop_readers(p);
		ks_phase_close(p);
		return KS_EXIT_FAILED;
	}
	return 0;
}

/* Until @secs have passed, the command ended, or a stop was asked. */
static void phase_wait(struct ks_world *w, struct ks_phase *p,
		       struct cmd_run *c, double secs)
{
	uint64_t t0 = stress_mono_ns(), last_samples = 0, next_progress;
	uint64_t end = t0 + (uint64_t)(secs * 1e9);
	double last_t = 0;

	next_progress = t0 + (uint64_t)(w->o.progress * 1e9);
	for (;;) {
		uint64_t now = stress_mono_ns();
		int status;

		if (now >= end || stress_stopping())
			break;
		if (c->pid > 0 && waitpid(c->pid, &status, WNOHANG) == c->pid) {
			w->cmd_status = status;
			w->cmd_ran = true;
			c->pid = -1;
			break;
		}
		if (now >= next_progress) {
			ks_progress(p, (double)(now - t0) * 1e-9, &last_samples,
				    &last_t);
			next_progress += (uint64_t)(w->o.progress * 1e9);
		}
		stress_sleep_ns(20000000);
	}
	p->secs = (double)(stress_mono_ns() - t0) * 1e-9;
}

/* The first phase's capture, as perf.data, into the file opened up front. */
static void write_capture(struct ks_world *w, struct ks_phase *p)
{
	struct stress_out *o = &w->outs[KS_OUT_PERF_DATA];
	uint64_t dropped = 0;
	int err = ks_perfdata_write(w, p, o->f);

	if (!err)
		err = stress_out_close(o, KS_NAME, stderr);
	if (err) {
		w->unfinished = "the --perf-data file was not written";
		return;
	}
	for (unsigned int i = 0; i < p->nrings; i++)
		dropped += p->rings[i].cap_dropped;
	printf("perf.data: wrote %s (%s phase%s)\n", o->path,
	       p->backward ? "backward" : "forward",
	       dropped ? ", capture limit reached: later records not written" : "");
}

int ks_run_phase(struct ks_world *w, bool backward, double secs, bool capture)
{
	struct ks_phase p = { .w = w, .backward = backward, .child = -1 };
	struct cmd_run c = { .pid = -1 };
	int rc = phase_start(w, &p, &c, capture);

	if (rc)
		return rc;
	phase_wait(w, &p, &c, secs);
	if (!w->o.cmd && w->o.loads)
		ks_load_stop();
	cmd_reap(w, &c, true);
	ks_phase_enable(&p, false);
	ks_stop_readers(&p);
	flush_pending_loss(&p);
	account(w, &p);
	if (capture && w->outs[KS_OUT_PERF_DATA].f)
		write_capture(w, &p);
	ks_add_totals(w, &p);
	for (unsigned int i = 0; i < p.nrings; i++)
		if (p.rings[i].failures)
			ks_fail(w, "%s ring of cpu %d: %" PRIu64 " failure%s, first: %s",
				backward ? "backward" : "forward", p.rings[i].cpu,
				p.rings[i].failures,
				p.rings[i].failures == 1 ? "" : "s", p.rings[i].first);
	ks_phase_close(&p);
	return 0;
}
