/* SPDX-License-Identifier: MIT */
/*
 * kstress.h - uprb-stress-kernel: the core's reader and checker on real
 * kernel perf rings. Shared declarations of its parts:
 *
 *   opts.c      command line (one table: parser, --help, replay line)
 *   events.c    the table of event sources, attrs, per-CPU rings,
 *               SET_OUTPUT
 *   probe.c     which events open here; the fallback without a PMU
 *   load.c      built-in load generator, or a given command
 *   phase.c     one phase: rings, readers, load, end-of-phase accounting
 *   rloop.c     the reader loop of one ring (forward + poll, backward +
 *               pause-read-resume), validation, accounting
 *   report.c    progress line, summary table, JSON
 *   bench.c     --bench: validating vs bare reader
 *   equiv.c     kernel equivalence (kernel ring vs core, byte for byte)
 *   perfdata_write.c  the capture as a perf.data file
 *   pd_file.c, pd_records.c, perfdata_read.c  the perf.data reader: file
 *               layer, record layer, the --read-perf-data command
 *   main.c      modes, exit status
 */
#ifndef KSTRESS_H
#define KSTRESS_H

#include <linux/perf_event.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "clock.h"
#include "cpus.h"
#include "opt.h"
#include "out.h"
#include "result.h"
#include "rng.h"
#include "stop.h"
#include "uprb/uprb_check.h"
#include "uprb/uprb_kring.h"

#define KS_NAME "uprb-stress-kernel"
#define KS_MAX_EVENTS 24
#define KS_MAX_CPUS 256
#define KS_MAX_LOADS 8
/* Largest sample period taken (the kernel refuses periods with bit 63). */
#define KS_MAX_PERIOD (1ull << 62)

enum { KS_EXIT_OK = STRESS_EXIT_OK, KS_EXIT_FAILED = STRESS_EXIT_FAILED,
       KS_EXIT_USAGE = STRESS_EXIT_USAGE, KS_EXIT_SKIP = STRESS_EXIT_SKIP };

enum ks_mode { KS_FORWARD, KS_BACKWARD, KS_ALTERNATE };

/* One event kind as the user named it. */
struct ks_spec {
	char name[96];
	uint32_t type;
	uint64_t config;
	uint64_t period;      /* or frequency when freq */
	bool freq;
	bool hw;
	bool tracepoint;
	bool period1;         /* every occurrence is a sample: count = attempts */
};

struct ks_opts {
	double duration;
	int mode;                      /* enum ks_mode */
	double alternate;              /* seconds per phase with KS_ALTERNATE */
	unsigned int pages;
	unsigned int backward_pages;   /* 0: pages */
	uint64_t watermark;            /* 0: a quarter of the ring */
	const char *events;            /* the --events list, checked */
	uint64_t period;               /* 0: per-event default */
	uint64_t freq;                 /* 0: periods */
	uint64_t sample_type;
	unsigned int stack_user;       /* with PERF_SAMPLE_STACK_USER */
	uint32_t loads;                /* bit set of KS_LOAD_* */
	unsigned int load_threads;     /* per kind */
	char **cmd;                    /* [--] command [args] */
	bool inherit;
	bool validate;
	bool rt;                       /* SCHED_FIFO readers */
	uint64_t seed;
	const char *json;
	const char *perf_data;
	uint64_t perf_data_max;        /* bytes captured at most */
	double progress;               /* seconds between progress lines */
	bool bench;
	unsigned int bench_rounds;
	double bench_phase;            /* seconds per bench phase */
	bool equiv;
	unsigned int schedules;
	unsigned int steps;
	unsigned int schedule;         /* with --schedule: only this one */
	bool stack0;                   /* equivalence: a stack_user 0 event */
	bool user_only;                /* exclude_kernel, exclude_hv */
	bool expect_lost;              /* fail unless drops happened */
	double reader_sleep;           /* a slow reader: sleep between windows */
	uint64_t reader_sleep_ns;
	bool verbose;
	const char *read_perf_data;
	const char *dump_samples;      /* with --read-perf-data */
	struct stress_cpus cpus;       /* n = 0: every online CPU */
	bool no_hw_fallback;           /* fail instead of falling back */
	bool require_all;              /* every named event must open */
};

/* Load generator kinds. */
enum {
	KS_LOAD_SPIN = 1u << 0,
	KS_LOAD_FAULTS = 1u << 1,
	KS_LOAD_SYSCALLS = 1u << 2,
	KS_LOAD_SWITCHES = 1u << 3,
	KS_LOAD_COMM = 1u << 4,
	KS_LOAD_ALL = (1u << 5) - 1,
};

/* One opened event on one CPU. */
struct ks_event {
	int fd;
	int spec;            /* index in the spec table; -1: the flush dummy */
	uint64_t id;
	/* reader-side tallies (reader thread only) */
	uint64_t samples;
	uint64_t bytes;
	uint64_t throttles;
	/* from read(2) at the end */
	uint64_t value, lost_kernel;
	bool have_read;
};

/* One per-CPU ring, its events and its reader thread. */
struct ks_ring {
	int cpu;
	struct ks_event ev[KS_MAX_EVENTS + 1];
	unsigned int nev;
	uint64_t ids[KS_MAX_EVENTS + 1];
	struct uprb_kring k;
	bool have_k;
	struct uprb_check c;
	bool have_check;
	struct uprb_layout layout;
	pthread_t th;
	bool have_th;
	bool backward;
	bool validate;
	uint64_t sleep_ns;

	/* reader tallies (reader thread; main reads them after join) */
	uint64_t records, samples, bytes, lost_records, lost_sum, other;
	uint64_t wakeups, windows, lapped, read_errors, resyncs, polls;
	uint64_t foreign_ids, cpu_mismatch, time_inversions, max_inversion_ns;
	uint64_t last_time;
	uint64_t failures;
	char first[320];
	/*
	 * Backward windows: failures are held until the window ends, then
	 * either committed or, when every failing record lies where a writer
	 * still in flight at the pause has written since (findings/pause-in-flight/REPORT.md),
	 * counted as overwritten.
	 */
	bool in_window;
	uint64_t cur_end;                /* end of the record being checked */
	uint64_t win_failures, win_min_end;
	char win_first[320];
	uint64_t inflight_overwritten, inflight_windows;
	uint64_t cpu_ns;                 /* the reader thread's CPU time */
	/* captured stream for perf.data */
	unsigned char *cap;
	size_t cap_len, cap_size;
	uint64_t cap_dropped;
	/* published for the progress line */
	_Atomic uint64_t pub_samples, pub_bytes, pub_lost, pub_failures,
		pub_wakeups;
	int64_t flush_name_seq;
};

struct ks_world;

/* A phase: one set of rings in one mode. */
struct ks_phase {
	struct ks_world *w;
	bool backward;
	struct ks_ring *rings;
	unsigned int nrings;
	pid_t child;             /* command mode */
	double secs;
	uint64_t failures;
};

/* Totals of one mode over all its phases. */
struct ks_totals {
	double secs;
	unsigned int phases;
	uint64_t samples, bytes, records, lost_records, lost_sum, lost_kernel;
	uint64_t wakeups, windows, lapped, failures, foreign_ids, throttles;
	uint64_t time_inversions, other;
	uint64_t inflight_overwritten, inflight_windows, read_errors;
	uint64_t reader_cpu_ns;        /* CPU time of the reader threads */
	uint64_t per_cpu_samples[KS_MAX_CPUS], per_cpu_bytes[KS_MAX_CPUS];
	uint64_t per_cpu_lost[KS_MAX_CPUS], per_cpu_wakeups[KS_MAX_CPUS];
	uint64_t per_spec_samples[KS_MAX_EVENTS];
	uint64_t per_spec_lost[KS_MAX_EVENTS];
	uint64_t per_spec_value[KS_MAX_EVENTS];
	uint64_t per_spec_unaccounted[KS_MAX_EVENTS];
};

/* The files a run writes, opened before it starts. */
enum { KS_OUT_JSON, KS_OUT_PERF_DATA, KS_OUT_DUMP, KS_NOUTS };

struct ks_world {
	struct ks_opts o;
	struct sopt_prog prog;
	struct stress_out outs[KS_NOUTS];
	struct ks_spec specs[KS_MAX_EVENTS];
	unsigned int nspecs;
	int cpus[KS_MAX_CPUS];
	unsigned int ncpus;
	struct ks_totals tot[2];       /* [0] forward, [1] backward */
	uint64_t failures;
	char first[512];
	char notes[8][256];
	unsigned int nnotes;
	bool pmu;                      /* hardware counters open */
	int cmd_status;                 /* the command's wait status, last */
	bool cmd_ran;
	const char *unfinished;         /* why the run did not do what was asked */
	/* bench */
	double bench_ratio_tp, bench_ratio_fast;
	/* equivalence */
	uint64_t equiv_schedules, equiv_steps, equiv_failures;
};

/* opts.c */
void ks_prog_init(struct sopt_prog *p, struct ks_opts *o);
int ks_parse_opts(struct sopt_prog *p, struct ks_opts *o, int argc,
		  char **argv);

/* sources.c: the table of named event sources. */
struct ks_source {
	const char *name;
	const char *group;   /* "hw", "sw" or "tp" */
	uint32_t type;
	uint64_t config;     /* tracepoints: resolved from tracefs */
	uint64_t period;     /* default; clocks: ns */
	bool period1;        /* every occurrence a sample */
};
const struct ks_source *ks_source_at(unsigned int i);   /* NULL past the end */
const struct ks_source *ks_source_named(const char *name);
bool ks_in_group(const struct ks_source *k, const char *group);
bool ks_is_group(const char *word);
/* One --events item: its name and its /N period (0: none). */
bool ks_event_item(const char *item, char *name, size_t nlen,
		   uint64_t *period, char *why, size_t len);
bool ks_events_check(const char *arg, void *dst, char *why, size_t len);
const char *ks_events_help(void);

/* events.c */
int ks_parse_events(struct ks_world *w, const char *list);
int ks_resolve_tracepoint(const char *name, uint64_t *id, char *why,
			  size_t whylen);
int ks_ensure_tracefs(char *msg, size_t len);
void ks_attr_for(const struct ks_world *w, const struct ks_spec *s,
		 bool backward, struct perf_event_attr *a);
void ks_dummy_attr(const struct ks_world *w, bool backward,
		   struct perf_event_attr *a);
int ks_phase_open(struct ks_phase *p, pid_t pid, char *why, size_t len);
void ks_phase_close(struct ks_phase *p);
int ks_phase_enable(struct ks_phase *p, bool on);
bool ks_is_obstacle(int err);
unsigned int ks_pages(const struct ks_world *w, bool backward);
const char *ks_spec_name(const struct ks_world *w, int spec);

/* load.c */
int ks_load_start(const struct ks_opts *o, const int *cpus, unsigned int ncpus);
void ks_load_stop(void);
uint64_t ks_load_ops(void);
pid_t ks_cmd_spawn(char **argv, int *go_fd, int *exec_fd);
/* Let the command run. Return: 0, or -errno when its exec failed. */
int ks_cmd_go(int go_fd, int exec_fd);
void ks_set_comm_on_cpu(int cpu, const char *name);

/* probe.c */
int ks_probe_specs(struct ks_world *w);

/* phase.c */
int ks_start_readers(struct ks_world *w, struct ks_phase *p);
void ks_stop_readers(struct ks_phase *p);
/* Run one phase of @secs. Return: 0, or an exit status (printed). */
int ks_run_phase(struct ks_world *w, bool backward, double secs, bool capture);

/* bench.c */
int ks_run_bench(struct ks_world *w);

/* rloop.c */
extern atomic_bool ks_stop;
void *ks_reader_main(void *arg);
void ks_ring_drain(struct ks_ring *r);
void ks_ring_fail(struct ks_ring *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ks_read_counts(struct ks_event *e);

/* report.c */
void ks_progress(struct ks_phase *p, double t, uint64_t *last_samples,
		 double *last_t);
void ks_add_totals(struct ks_world *w, struct ks_phase *p);
void ks_print_summary(const struct ks_world *w);
/* Write the JSON summary to @f (its errors: stress_out_close()). */
void ks_write_json(const struct ks_world *w, FILE *f);
void ks_note(struct ks_world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ks_fail(struct ks_world *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* equiv.c */
int ks_equiv_run(struct ks_world *w);

/* perfdata.c */
/* perfdata_write.c: @p's capture as perf.data into @f. Return: 0 or -errno. */
int ks_perfdata_write(const struct ks_world *w, struct ks_phase *p, FILE *f);
/* perfdata_read.c: validate @path. Return: the exit status. */
int ks_perfdata_read(const char *path, struct stress_out *dump, bool verbose);

#endif /* KSTRESS_H */
