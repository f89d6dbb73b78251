/* SPDX-License-Identifier: MIT */
/*
 * opts.c - the command line of uprb-stress-kernel: one table from which the
 * parser, --help and the replay line are made (stress/common/opt.h), the
 * rules between options, and the options each mode takes.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kstress.h"
#include "mem.h"
#include "parse.h"
#include "rng.h"

static const struct sp_name sample_bits[] = {
	{ "ip", PERF_SAMPLE_IP },
	{ "tid", PERF_SAMPLE_TID },
	{ "time", PERF_SAMPLE_TIME },
	{ "addr", PERF_SAMPLE_ADDR },
	{ "id", PERF_SAMPLE_ID },
	{ "stream_id", PERF_SAMPLE_STREAM_ID },
	{ "cpu", PERF_SAMPLE_CPU },
	{ "period", PERF_SAMPLE_PERIOD },
	{ "callchain", PERF_SAMPLE_CALLCHAIN },
	{ "raw", PERF_SAMPLE_RAW },
	{ "regs_user", PERF_SAMPLE_REGS_USER },
	{ "stack_user", PERF_SAMPLE_STACK_USER },
	{ "phys_addr", PERF_SAMPLE_PHYS_ADDR },
	{ "data_page_size", PERF_SAMPLE_DATA_PAGE_SIZE },
	{ "code_page_size", PERF_SAMPLE_CODE_PAGE_SIZE },
	{ "identifier", PERF_SAMPLE_IDENTIFIER },
};

static const struct sp_name load_kinds[] = {
	{ "spin", KS_LOAD_SPIN },
	{ "faults", KS_LOAD_FAULTS },
	{ "syscalls", KS_LOAD_SYSCALLS },
	{ "switches", KS_LOAD_SWITCHES },
	{ "comm", KS_LOAD_COMM },
	{ "all", KS_LOAD_ALL },
	{ "none", 0 },
};

static bool parse_sample_type(const char *arg, void *dst, char *why, size_t len)
{
	uint64_t bits;

	if (!sp_names(arg, sample_bits, sizeof(sample_bits) / sizeof(sample_bits[0]),
		      &bits, why, len))
		return false;
	/* Every record of a shared ring must say whose it is. */
	*(uint64_t *)dst = bits | PERF_SAMPLE_IDENTIFIER;
	return true;
}

static bool parse_loads(const char *arg, void *dst, char *why, size_t len)
{
	uint64_t bits;

	if (!sp_names(arg, load_kinds, sizeof(load_kinds) / sizeof(load_kinds[0]),
		      &bits, why, len))
		return false;
	if (strstr(arg, "none") && bits) {
		snprintf(why, len, "'none' with other loads");
		return false;
	}
	*(uint32_t *)dst = (uint32_t)bits;
	return true;
}

static const struct sopt_choice modes[] = {
	{ "forward", KS_FORWARD }, { "backward", KS_BACKWARD },
	{ "alternate", KS_ALTERNATE }, { NULL, 0 },
};

static const struct sopt_rule rules[] = {
	{ SOPT_EXCLUDES, "period", "freq", "a period and a frequency say the same thing two ways" },
	{ SOPT_EXCLUDES, "bench", "equivalence", "two modes: run them one after the other" },
	{ SOPT_EXCLUDES, "bench", "read-perf-data", "two modes: run them one after the other" },
	{ SOPT_EXCLUDES, "equivalence", "read-perf-data", "two modes: run them one after the other" },
	{ SOPT_EXCLUDES, "schedule", "schedules", "--schedule replays one schedule of the seed" },
	{ SOPT_NEEDS, "dump-samples", "read-perf-data", "it lists the samples of that file" },
	{ SOPT_NEEDS, "schedules", "equivalence", "schedules are the equivalence run's" },
	{ SOPT_NEEDS, "schedule", "equivalence", "schedules are the equivalence run's" },
	{ SOPT_NEEDS, "steps", "equivalence", "steps are the equivalence run's" },
	{ SOPT_NEEDS, "stack0", "equivalence", "it adds an event to the equivalence run" },
	{ SOPT_NEEDS, "bench-rounds", "bench", "rounds of the --bench run" },
	{ SOPT_NEEDS, "bench-phase", "bench", "phases of the --bench run" },
	{ SOPT_NEEDS, "perf-data-max", "perf-data", "it bounds that file" },
};

/* What each mode other than a stress run takes; the rest would do nothing. */
static const char *const read_takes[] = { "read-perf-data", "dump-samples",
					  "verbose", NULL };
static const char *const equiv_takes[] = { "equivalence", "seed", "schedules",
					   "schedule", "steps", "stack0",
					   "verbose", "json", NULL };
static const char *const bench_takes[] = {
	"bench", "bench-rounds", "bench-phase", "events", "pages", "watermark",
	"period", "freq", "sample-type", "stack-user", "load", "load-threads",
	"cpus", "no-rt", "no-fallback", "require-all", "user-only",
	"reader-sleep", "seed", "json", "progress", "verbose", NULL,
};

#define SECTION_RUN "run:"
#define SECTION_OUT "output:"
#define SECTION_MODES "other modes:"

static struct sopt table[38];

/* The option table: one entry per option (a table, not logic: hence its length). */
static void fill_table(struct ks_opts *o)
{
	const struct sopt t[] = {
		{ .name = "duration", .kind = SOPT_SECONDS, .dst = &o->duration,
		  .meta = "S", .rmin = 0.001, .rmax = 7 * 86400,
		  .section = SECTION_RUN, .help = "how long to run" },
		{ .name = "mode", .kind = SOPT_CHOICE, .dst = &o->mode, .meta = "M",
		  .choices = modes,
		  .help = "forward (non-overwrite, watermark wake-ups, poll), "
			  "backward (overwrite, pause-read-resume cycles), or "
			  "alternate (both, switching every --alternate)" },
		{ .name = "alternate", .kind = SOPT_SECONDS, .dst = &o->alternate,
		  .meta = "S", .rmin = 0.1, .rmax = 86400,
		  .help = "length of a phase in alternate mode" },
		{ .name = "pages", .kind = SOPT_UINT, .dst = &o->pages, .meta = "N",
		  .min = 1, .max = 1u << 16, .flags = SOPT_POW2,
		  .help = "data pages per ring" },
		{ .name = "backward-pages", .kind = SOPT_UINT,
		  .dst = &o->backward_pages, .meta = "N", .min = 1,
		  .max = 1u << 16, .flags = SOPT_POW2, .def = "--pages",
		  .help = "data pages of backward rings: an overwrite ring must "
			  "not lap between two windows" },
		{ .name = "watermark", .kind = SOPT_BYTES, .dst = &o->watermark,
		  .meta = "B", .max = UINT32_MAX, .def = "a quarter of the ring",
		  .help = "wake-up watermark" },
		{ .name = "events", .kind = SOPT_TEXT, .dst = &o->events,
		  .meta = "LIST", .check = ks_events_check, .help = ks_events_help() },
		{ .name = "period", .kind = SOPT_U64, .dst = &o->period, .meta = "N",
		  .min = 1, .max = KS_MAX_PERIOD, .def = "per event",
		  .help = "sample period of every event" },
		{ .name = "freq", .kind = SOPT_U64, .dst = &o->freq, .meta = "F",
		  .min = 1, .max = 1000000, .def = "periods",
		  .help = "sample at F Hz instead (clocks and hardware counters; "
			  "at most kernel.perf_event_max_sample_rate)" },
		{ .name = "sample-type", .kind = SOPT_TEXT, .dst = &o->sample_type,
		  .meta = "LIST", .check = parse_sample_type,
		  .def = "ip,tid,time,id,stream_id,cpu,period",
		  .help = "ip tid time addr id stream_id cpu period callchain raw "
			  "regs_user stack_user phys_addr data_page_size "
			  "code_page_size (identifier is always on)" },
		{ .name = "stack-user", .kind = SOPT_UINT, .dst = &o->stack_user,
		  .meta = "N", .max = 65000,
		  .help = "bytes of user stack per sample with stack_user, a "
			  "multiple of 8" },
		{ .name = "load", .kind = SOPT_TEXT, .dst = &o->loads, .meta = "LIST",
		  .check = parse_loads, .def = "all",
		  .help = "spin,faults,syscalls,switches,comm, all or none (a "
			  "command replaces the load)" },
		{ .name = "load-threads", .kind = SOPT_UINT, .dst = &o->load_threads,
		  .meta = "N", .min = 1, .max = 16, .help = "threads per load kind" },
		{ .name = "inherit", .kind = SOPT_FLAG, .dst = &o->inherit,
		  .help = "with a command: follow its children (attr.inherit)" },
		{ .name = "cpus", .kind = SOPT_TEXT, .dst = &o->cpus, .meta = "LIST",
		  .check = stress_cpus_parse, .def = "every online CPU",
		  .help = "CPUs to open rings on (0,2-3): each once, online" },
		{ .name = "no-validate", .kind = SOPT_FLAG, .dst = &o->validate,
		  .flags = SOPT_CLEAR, .help = "bare reader: count records, check nothing" },
		{ .name = "no-rt", .kind = SOPT_FLAG, .dst = &o->rt, .flags = SOPT_CLEAR,
		  .help = "readers at normal priority (default SCHED_FIFO when permitted)" },
		{ .name = "no-fallback", .kind = SOPT_FLAG, .dst = &o->no_hw_fallback,
		  .help = "exit (77) instead of falling back to software events" },
		{ .name = "user-only", .kind = SOPT_FLAG, .dst = &o->user_only,
		  .help = "exclude_kernel + exclude_hv (what perf_event_paranoid 2 "
			  "allows an unprivileged user, with a command)" },
		{ .name = "reader-sleep", .kind = SOPT_SECONDS, .dst = &o->reader_sleep,
		  .meta = "T", .rmin = 0, .rmax = 10, .def = "0",
		  .help = "a slow reader: sleep T after each drain (forces drops)" },
		{ .name = "expect-lost", .kind = SOPT_FLAG, .dst = &o->expect_lost,
		  .help = "fail unless some ring dropped records (so that a test "
			  "exercises the loss accounting)" },
		{ .name = "require-all", .kind = SOPT_FLAG, .dst = &o->require_all,
		  .help = "fail if any named event cannot be opened" },
		{ .name = "seed", .kind = SOPT_U64, .dst = &o->seed, .meta = "N",
		  .max = UINT64_MAX, .def = "from the clock, printed",
		  .help = "seed of the load mix and the equivalence schedules" },
		{ .name = "progress", .kind = SOPT_SECONDS, .dst = &o->progress,
		  .meta = "S", .rmin = 0.01, .rmax = 3600, .flags = SOPT_NO_REPLAY,
		  .help = "time between progress lines" },
		{ .name = "json", .kind = SOPT_PATH, .dst = &o->json, .meta = "FILE",
		  .flags = SOPT_NO_REPLAY, .section = SECTION_OUT,
		  .help = "write the summary as JSON (opened before the run)" },
		{ .name = "perf-data", .kind = SOPT_PATH, .dst = &o->perf_data,
		  .meta = "FILE", .flags = SOPT_NO_REPLAY,
		  .help = "write the first phase's records as a perf.data file "
			  "(opened before the run)" },
		{ .name = "perf-data-max", .kind = SOPT_BYTES, .dst = &o->perf_data_max,
		  .meta = "B", .min = 64 * 1024, .max = 64ull << 30,
		  .flags = SOPT_NO_REPLAY, .help = "capture at most this much" },
		{ .name = "read-perf-data", .kind = SOPT_PATH, .dst = &o->read_perf_data,
		  .meta = "FILE", .help = "validate a perf.data file (from perf "
		  "record or from us) and nothing else" },
		{ .name = "dump-samples", .kind = SOPT_PATH, .dst = &o->dump_samples,
		  .meta = "FILE", .flags = SOPT_NO_REPLAY,
		  .help = "with --read-perf-data: one line per sample (event tid "
			  "cpu time period)" },
		{ .name = "bench", .kind = SOPT_FLAG, .dst = &o->bench,
		  .section = SECTION_MODES,
		  .help = "validated vs bare reader, same source, same run" },
		{ .name = "bench-rounds", .kind = SOPT_UINT, .dst = &o->bench_rounds,
		  .meta = "N", .min = 1, .max = 1000,
		  .help = "alternating phases per pair" },
		{ .name = "bench-phase", .kind = SOPT_SECONDS, .dst = &o->bench_phase,
		  .meta = "S", .rmin = 0.01, .rmax = 600, .help = "length of a bench phase" },
		{ .name = "equivalence", .kind = SOPT_FLAG, .dst = &o->equiv,
		  .help = "kernel ring vs core, byte for byte" },
		{ .name = "schedules", .kind = SOPT_UINT, .dst = &o->schedules,
		  .meta = "N", .min = 1, .max = 100000000, .help = "random schedules" },
		{ .name = "steps", .kind = SOPT_UINT, .dst = &o->steps, .meta = "N",
		  .min = 1, .max = 10000000, .help = "steps per schedule" },
		{ .name = "schedule", .kind = SOPT_UINT, .dst = &o->schedule,
		  .meta = "K", .max = 100000000, .def = "all",
		  .help = "only schedule K of the seed (a replay)" },
		{ .name = "stack0", .kind = SOPT_FLAG, .dst = &o->stack0,
		  .help = "include a sample_stack_user 0 event (the kernel overruns "
			  "its reservation: findings/stack-user-zero)" },
		{ .name = "verbose", .short_name = 'v', .kind = SOPT_FLAG,
		  .dst = &o->verbose, .help = "say more" },
	};

	_Static_assert(sizeof(t) == sizeof(table), "the table's size");
	memcpy(table, t, sizeof(t));
}

void ks_prog_init(struct sopt_prog *p, struct ks_opts *o)
{
	*o = (struct ks_opts){
		.duration = 10,
		.mode = KS_FORWARD,
		.alternate = 30,
		.pages = 64,
		.events = "hw",
		.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP |
			       PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			       PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID |
			       PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD,
		.stack_user = 256,
		.loads = KS_LOAD_ALL,
		.load_threads = 1,
		.validate = true,
		.rt = true,
		.perf_data_max = 256ull << 20,
		.progress = 1,
		.bench_rounds = 5,
		.bench_phase = 1,
		.schedules = 50,
		.steps = 200,
	};
	fill_table(o);
	*p = (struct sopt_prog){
		.name = KS_NAME,
		.synopsis = "[options] [[--] command [args]]",
		.about = "  Opens sampling events on every CPU (several per CPU sharing one ring via\n"
			 "  PERF_EVENT_IOC_SET_OUTPUT), runs a load (or the command), reads every ring\n"
			 "  with the core's reader and validates every record with its checker.\n",
		.epilogue = "exit status: 0 ok; 1 a check failed (the finding is printed); 2 bad\n"
			    "usage or input, or the run could not do what was asked (an output not\n"
			    "written, the command did not start, nothing sampled); 77 cannot run on\n"
			    "this machine (the reason is printed); 128+N stopped by signal N\n"
			    "(SIGINT, SIGTERM: summary and replay line first; a second aborts).\n",
		.opts = table,
		.nopts = sizeof(table) / sizeof(table[0]),
		.rules = rules,
		.nrules = sizeof(rules) / sizeof(rules[0]),
		.command = true,
		.out = stdout,
		.err = stderr,
	};
}

/* The command's first word: an executable file, directly or on PATH. */
static int check_command(const struct sopt_prog *p, const char *cmd)
{
	char path[4096];
	const char *dirs = getenv("PATH");
	struct stat st;

	if (strchr(cmd, '/')) {
		if (stat(cmd, &st) || !S_ISREG(st.st_mode) || access(cmd, X_OK))
			return sopt_error(p, "command '%s': %s", cmd,
					  stat(cmd, &st) ? strerror(errno) :
					  !S_ISREG(st.st_mode) ? "not a file" :
					  "not executable");
		return 0;
	}
	for (const char *d = dirs ? dirs : "/usr/bin:/bin"; d;) {
		const char *colon = strchr(d, ':');
		int n = (int)(colon ? (size_t)(colon - d) : strlen(d));

		snprintf(path, sizeof(path), "%.*s/%s", n, n ? d : ".", cmd);
		if (!stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK))
			return 0;
		d = colon ? colon + 1 : NULL;
	}
	return sopt_error(p, "command '%s': not found in PATH (a typo, or give its path)",
			  cmd);
}

/* Options that only mean something in one mode. */
static int mode_checks(const struct sopt_prog *p, const struct ks_opts *o)
{
	const char *mode = o->read_perf_data ? "read-perf-data" :
			   o->equiv ? "equivalence" : o->bench ? "bench" : NULL;

	if (mode && p->cmd)
		return sopt_error(p, "a command runs only under a stress run, not with --%s",
				  mode);
	if (o->read_perf_data)
		return sopt_only(p, mode, read_takes);
	if (o->equiv)
		return sopt_only(p, mode, equiv_takes);
	if (o->bench)
		return sopt_only(p, mode, bench_takes);
	if (o->inherit && !p->cmd)
		return sopt_fail(p, "inherit", "follows the children of a command: give one after --");
	if (sopt_given(p, "alternate") && o->mode != KS_ALTERNATE)
		return sopt_fail(p, "alternate", "only with --mode alternate");
	if (sopt_given(p, "backward-pages") && o->mode == KS_FORWARD)
		return sopt_fail(p, "backward-pages", "does nothing with --mode forward");
	return 0;
}

/* A sampling rate the kernel takes (perf_event_max_sample_rate). */
static int check_freq(const struct sopt_prog *p, const struct ks_opts *o)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "r");
	unsigned long long max = 0;
	bool known;

	if (!o->freq || !f) {
		if (f)
			fclose(f);
		return 0;
	}
	known = fscanf(f, "%llu", &max) == 1;
	fclose(f);
	if (known && o->freq > max)
		return sopt_fail(p, "freq", "above kernel.perf_event_max_sample_rate (%llu; sysctl -w kernel.perf_event_max_sample_rate=N to raise it)",
				 max);
	return 0;
}

/* The rings and the capture, against the machine's memory. */
static int check_memory(const struct sopt_prog *p, const struct ks_opts *o)
{
	struct stress_cpus online;
	unsigned int ncpus = o->cpus.n;
	uint64_t pg = (uint64_t)sysconf(_SC_PAGESIZE);
	unsigned int pages = o->pages > o->backward_pages ? o->pages :
			     o->backward_pages;
	char why[96];
	int rc;

	if (!ncpus)
		ncpus = stress_cpus_online(&online) ? 1 : online.n;
	snprintf(why, sizeof(why), "%u ring%s of %u pages", ncpus,
		 ncpus == 1 ? "" : "s", pages + 1);
	rc = stress_mem_check(p, o->pages >= o->backward_pages ? "pages" :
			      "backward-pages", (uint64_t)ncpus * (pages + 1) * pg,
			      why);
	if (!rc && o->perf_data)
		rc = stress_mem_check(p, "perf-data-max", o->perf_data_max,
				      "the perf.data capture");
	return rc;
}

int ks_parse_opts(struct sopt_prog *p, struct ks_opts *o, int argc,
		  char **argv)
{
	char seed[24];
	int rc = sopt_parse(p, argc, argv);

	if (rc)
		return rc;
	o->cmd = p->cmd;
	rc = mode_checks(p, o);
	if (!rc && sopt_given(p, "stack-user") &&
	    !(o->sample_type & PERF_SAMPLE_STACK_USER))
		rc = sopt_fail(p, "stack-user", "only with stack_user in --sample-type");
	if (!rc && (o->stack_user & 7))
		rc = sopt_fail(p, "stack-user", "not a multiple of 8");
	if (!rc)
		rc = check_freq(p, o);
	if (!rc && !o->read_perf_data && !o->equiv)
		rc = check_memory(p, o);
	if (!rc && o->cmd)
		rc = check_command(p, o->cmd[0]);
	if (rc)
		return rc;
	o->reader_sleep_ns = (uint64_t)(o->reader_sleep * 1e9);
	if (!sopt_given(p, "seed")) {
		o->seed = stress_splitmix64(stress_clock_seed());
		snprintf(seed, sizeof(seed), "%" PRIu64, o->seed);
		sopt_set_made(p, "seed", seed);
	}
	return 0;
}
