/* SPDX-License-Identifier: MIT */
/*
 * opts.c - the command line of uprb-stress-kernel, and the line that
 * replays a run.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kstress.h"

static const char usage_text[] =
"usage: " KS_NAME " [options] [-- command [args]]\n"
"  Opens sampling events on every CPU (several per CPU sharing one ring via\n"
"  PERF_EVENT_IOC_SET_OUTPUT), runs a load (or the command), reads every ring\n"
"  with the core's reader and validates every record with its checker.\n"
"run:\n"
"  --duration S          seconds to run (default 10)\n"
"  --mode M              forward (non-overwrite, watermark wake-ups, poll),\n"
"                        backward (overwrite, pause-read-resume cycles), or\n"
"                        alternate (both, switching every --alternate S)\n"
"  --alternate S         seconds per phase in alternate mode (default 30)\n"
"  --pages N             data pages per ring, a power of two (default 64)\n"
"  --backward-pages N    data pages of backward rings (default --pages): an\n"
"                        overwrite ring must not lap between two windows\n"
"  --watermark B         wake-up watermark in bytes (default ring/4)\n"
"  --events LIST         comma list: hw (default: cycles,instructions,\n"
"                        branches,branch-misses,cache-misses), sw (every\n"
"                        software source), tp (tracepoints), or names:\n"
"                        cycles instructions branches branch-misses\n"
"                        cache-misses cpu-clock task-clock page-faults\n"
"                        minor-faults major-faults context-switches\n"
"                        cpu-migrations alignment-faults emulation-faults\n"
"                        <subsys>:<tracepoint>; name/N sets its period\n"
"  --period N            sample period of every event (default per event)\n"
"  --freq F              sample at F Hz instead of a period (clocks, hw)\n"
"  --sample-type LIST    ip,tid,time,addr,id,stream_id,cpu,period,callchain,\n"
"                        raw,regs_user,stack_user,phys_addr,data_page_size,\n"
"                        code_page_size (identifier is always on; default\n"
"                        ip,tid,time,id,stream_id,cpu,period)\n"
"  --stack-user N        bytes of user stack per sample with stack_user\n"
"  --load LIST           spin,faults,syscalls,switches,comm,all,none\n"
"                        (default all; ignored with a command)\n"
"  --load-threads N      threads per load kind (default 1)\n"
"  --inherit             with a command: follow its children (attr.inherit)\n"
"  --cpus LIST           CPUs to open rings on (default all online)\n"
"  --no-validate         bare reader: count records, check nothing\n"
"  --no-rt               readers at normal priority (default SCHED_FIFO\n"
"                        when permitted)\n"
"  --no-fallback         exit instead of falling back to software events\n"
"  --user-only           exclude_kernel + exclude_hv (what perf_event_paranoid\n"
"                        2 allows an unprivileged user, with a command)\n"
"  --reader-sleep US     a slow reader: sleep US microseconds after each\n"
"                        drain (forces drops)\n"
"  --expect-lost         fail unless some ring dropped records (so that a\n"
"                        test exercises the loss accounting)\n"
"  --require-all         fail if any named event cannot be opened\n"
"  --seed N              seed of the load mix and the equivalence schedules\n"
"  --progress S          seconds between progress lines (default 1)\n"
"output:\n"
"  --json FILE           write the summary as JSON\n"
"  --perf-data FILE      write what was captured as a perf.data file\n"
"  --perf-data-max MIB   capture at most this much (default 256)\n"
"  --read-perf-data FILE validate a perf.data file (from perf record or us)\n"
"  --dump-samples FILE   with --read-perf-data: one line per sample\n"
"                        (event tid cpu time period) for comparison\n"
"other modes:\n"
"  --bench               validated vs bare reader, same source, same run\n"
"  --bench-rounds N      alternating phases per pair (default 5)\n"
"  --bench-phase S       seconds per phase (default 1)\n"
"  --equivalence         kernel ring vs core, byte for byte\n"
"  --schedules N         random schedules (default 50)\n"
"  --steps N             steps per schedule (default 200)\n"
"  --schedule K          only schedule K of the seed (a replay)\n"
"  --stack0              equivalence: include a sample_stack_user 0 event\n"
"                        (the kernel overruns its reservation: README)\n"
"  -v, --verbose\n"
"exit status: 0 ok, 1 a failure, 2 usage, 77 cannot run here (the reason\n"
"is printed).\n";

enum {
	O_DURATION = 256, O_MODE, O_ALTERNATE, O_PAGES, O_WATERMARK, O_EVENTS,
	O_PERIOD, O_FREQ, O_SAMPLE_TYPE, O_STACK_USER, O_LOAD, O_LOAD_THREADS,
	O_INHERIT, O_NO_VALIDATE, O_NO_RT, O_SEED, O_JSON, O_PERF_DATA,
	O_PERF_DATA_MAX, O_PROGRESS, O_BENCH, O_BENCH_ROUNDS, O_BENCH_PHASE,
	O_EQUIV, O_SCHEDULES, O_STEPS, O_SCHEDULE, O_READ_PD, O_DUMP, O_CPUS,
	O_NO_FALLBACK, O_REQUIRE_ALL, O_STACK0, O_USER_ONLY, O_EXPECT_LOST,
	O_READER_SLEEP, O_BACKWARD_PAGES,
};

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	if (!s || !*s || *s == '-')
		return false;
	*v = strtoull(s, &end, 0);
	return !errno && !*end;
}

static bool parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return s && *s && !errno && !*end;
}

static const struct {
	const char *name;
	uint64_t bit;
} sample_bits[] = {
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

static bool parse_sample_type(const char *arg, uint64_t *out)
{
	char buf[512], *tok, *save = NULL;
	uint64_t t = PERF_SAMPLE_IDENTIFIER;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(sample_bits) / sizeof(sample_bits[0]); i++)
			if (!strcmp(tok, sample_bits[i].name))
				break;
		if (i == sizeof(sample_bits) / sizeof(sample_bits[0])) {
			fprintf(stderr, KS_NAME ": unknown sample_type field '%s'\n",
				tok);
			return false;
		}
		t |= sample_bits[i].bit;
	}
	*out = t;
	return true;
}

static bool parse_loads(const char *arg, uint32_t *out)
{
	char buf[256], *tok, *save = NULL;
	uint32_t l = 0;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "spin"))
			l |= KS_LOAD_SPIN;
		else if (!strcmp(tok, "faults"))
			l |= KS_LOAD_FAULTS;
		else if (!strcmp(tok, "syscalls"))
			l |= KS_LOAD_SYSCALLS;
		else if (!strcmp(tok, "switches"))
			l |= KS_LOAD_SWITCHES;
		else if (!strcmp(tok, "comm"))
			l |= KS_LOAD_COMM;
		else if (!strcmp(tok, "all"))
			l |= KS_LOAD_SPIN | KS_LOAD_FAULTS | KS_LOAD_SYSCALLS |
			     KS_LOAD_SWITCHES | KS_LOAD_COMM;
		else if (!strcmp(tok, "none"))
			l = 0;
		else {
			fprintf(stderr, KS_NAME ": unknown load '%s'\n", tok);
			return false;
		}
	}
	*out = l;
	return true;
}

int ks_parse_opts(int argc, char **argv, struct ks_opts *o)
{
	static const struct option longopts[] = {
		{ "duration", required_argument, NULL, O_DURATION },
		{ "mode", required_argument, NULL, O_MODE },
		{ "alternate", required_argument, NULL, O_ALTERNATE },
		{ "pages", required_argument, NULL, O_PAGES },
		{ "watermark", required_argument, NULL, O_WATERMARK },
		{ "events", required_argument, NULL, O_EVENTS },
		{ "period", required_argument, NULL, O_PERIOD },
		{ "freq", required_argument, NULL, O_FREQ },
		{ "sample-type", required_argument, NULL, O_SAMPLE_TYPE },
		{ "stack-user", required_argument, NULL, O_STACK_USER },
		{ "load", required_argument, NULL, O_LOAD },
		{ "load-threads", required_argument, NULL, O_LOAD_THREADS },
		{ "inherit", no_argument, NULL, O_INHERIT },
		{ "no-validate", no_argument, NULL, O_NO_VALIDATE },
		{ "no-rt", no_argument, NULL, O_NO_RT },
		{ "seed", required_argument, NULL, O_SEED },
		{ "json", required_argument, NULL, O_JSON },
		{ "perf-data", required_argument, NULL, O_PERF_DATA },
		{ "perf-data-max", required_argument, NULL, O_PERF_DATA_MAX },
		{ "progress", required_argument, NULL, O_PROGRESS },
		{ "bench", no_argument, NULL, O_BENCH },
		{ "bench-rounds", required_argument, NULL, O_BENCH_ROUNDS },
		{ "bench-phase", required_argument, NULL, O_BENCH_PHASE },
		{ "equivalence", no_argument, NULL, O_EQUIV },
		{ "schedules", required_argument, NULL, O_SCHEDULES },
		{ "steps", required_argument, NULL, O_STEPS },
		{ "schedule", required_argument, NULL, O_SCHEDULE },
		{ "read-perf-data", required_argument, NULL, O_READ_PD },
		{ "dump-samples", required_argument, NULL, O_DUMP },
		{ "cpus", required_argument, NULL, O_CPUS },
		{ "no-fallback", no_argument, NULL, O_NO_FALLBACK },
		{ "require-all", no_argument, NULL, O_REQUIRE_ALL },
		{ "stack0", no_argument, NULL, O_STACK0 },
		{ "user-only", no_argument, NULL, O_USER_ONLY },
		{ "expect-lost", no_argument, NULL, O_EXPECT_LOST },
		{ "reader-sleep", required_argument, NULL, O_READER_SLEEP },
		{ "backward-pages", required_argument, NULL, O_BACKWARD_PAGES },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool seeded = false;
	uint64_t v;
	double d;
	int ch;

	*o = (struct ks_opts){
		.duration = 10,
		.mode = KS_FORWARD,
		.alternate = 30,
		.pages = 64,
		.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP |
			       PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
			       PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID |
			       PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD,
		.stack_user = 256,
		.loads = KS_LOAD_SPIN | KS_LOAD_FAULTS | KS_LOAD_SYSCALLS |
			 KS_LOAD_SWITCHES | KS_LOAD_COMM,
		.load_threads = 1,
		.validate = true,
		.rt = true,
		.perf_data_max = 256ull << 20,
		.progress = 1,
		.bench_rounds = 5,
		.bench_phase = 1,
		.schedules = 50,
		.steps = 200,
		.equiv_only_schedule = -1,
	};
	snprintf(o->events_arg, sizeof(o->events_arg), "hw");
	while ((ch = getopt_long(argc, argv, "hv", longopts, NULL)) != -1) {
		switch (ch) {
		case O_DURATION:
			if (!parse_double(optarg, &o->duration) || o->duration <= 0)
				goto bad;
			break;
		case O_MODE:
			if (!strcmp(optarg, "forward"))
				o->mode = KS_FORWARD;
			else if (!strcmp(optarg, "backward"))
				o->mode = KS_BACKWARD;
			else if (!strcmp(optarg, "alternate"))
				o->mode = KS_ALTERNATE;
			else
				goto bad;
			break;
		case O_ALTERNATE:
			if (!parse_double(optarg, &o->alternate) || o->alternate <= 0)
				goto bad;
			break;
		case O_PAGES:
			if (!parse_u64(optarg, &v) || !v || v > 1u << 16 ||
			    (v & (v - 1)))
				goto bad;
			o->pages = (unsigned int)v;
			break;
		case O_BACKWARD_PAGES:
			if (!parse_u64(optarg, &v) || !v || v > 1u << 16 ||
			    (v & (v - 1)))
				goto bad;
			o->backward_pages = (unsigned int)v;
			break;
		case O_WATERMARK:
			if (!parse_u64(optarg, &v) || v > UINT32_MAX)
				goto bad;
			o->watermark = v;
			break;
		case O_EVENTS:
			snprintf(o->events_arg, sizeof(o->events_arg), "%s", optarg);
			break;
		case O_PERIOD:
			if (!parse_u64(optarg, &o->period) || !o->period)
				goto bad;
			break;
		case O_FREQ:
			if (!parse_u64(optarg, &o->freq) || !o->freq)
				goto bad;
			break;
		case O_SAMPLE_TYPE:
			if (!parse_sample_type(optarg, &o->sample_type))
				goto bad;
			break;
		case O_STACK_USER:
			if (!parse_u64(optarg, &v) || v > 65000 || (v & 7))
				goto bad;
			o->stack_user = (uint32_t)v;
			break;
		case O_LOAD:
			if (!parse_loads(optarg, &o->loads))
				goto bad;
			break;
		case O_LOAD_THREADS:
			if (!parse_u64(optarg, &v) || !v || v > 16)
				goto bad;
			o->load_threads = (unsigned int)v;
			break;
		case O_INHERIT:
			o->inherit = true;
			break;
		case O_NO_VALIDATE:
			o->validate = false;
			break;
		case O_NO_RT:
			o->rt = false;
			break;
		case O_SEED:
			if (!parse_u64(optarg, &o->seed))
				goto bad;
			seeded = true;
			break;
		case O_JSON:
			o->json = optarg;
			break;
		case O_PERF_DATA:
			o->perf_data = optarg;
			break;
		case O_PERF_DATA_MAX:
			if (!parse_u64(optarg, &v) || !v || v > 1u << 20)
				goto bad;
			o->perf_data_max = v << 20;
			break;
		case O_PROGRESS:
			if (!parse_double(optarg, &o->progress) || o->progress <= 0)
				goto bad;
			break;
		case O_BENCH:
			o->bench = true;
			break;
		case O_BENCH_ROUNDS:
			if (!parse_u64(optarg, &v) || !v || v > 1000)
				goto bad;
			o->bench_rounds = (unsigned int)v;
			break;
		case O_BENCH_PHASE:
			if (!parse_double(optarg, &d) || d <= 0)
				goto bad;
			o->bench_phase = d;
			break;
		case O_EQUIV:
			o->equiv = true;
			break;
		case O_SCHEDULES:
			if (!parse_u64(optarg, &v) || !v || v > 100000000)
				goto bad;
			o->schedules = (unsigned int)v;
			break;
		case O_STEPS:
			if (!parse_u64(optarg, &v) || !v || v > 10000000)
				goto bad;
			o->steps = (unsigned int)v;
			break;
		case O_SCHEDULE:
			if (!parse_u64(optarg, &v) || v > 100000000)
				goto bad;
			o->equiv_only_schedule = (int)v;
			break;
		case O_READ_PD:
			o->read_perf_data = optarg;
			break;
		case O_DUMP:
			o->dump_samples = optarg;
			break;
		case O_CPUS:
			o->cpus_arg = optarg;
			break;
		case O_NO_FALLBACK:
			o->no_hw_fallback = true;
			break;
		case O_REQUIRE_ALL:
			o->require_all = true;
			break;
		case O_STACK0:
			o->stack0 = true;
			break;
		case O_USER_ONLY:
			o->user_only = true;
			break;
		case O_EXPECT_LOST:
			o->expect_lost = true;
			break;
		case O_READER_SLEEP:
			if (!parse_u64(optarg, &v) || v > 10000000)
				goto bad;
			o->reader_sleep_ns = v * 1000;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			goto bad;
		}
	}
	if (optind < argc)
		o->cmd = &argv[optind];
	if (o->inherit && !o->cmd) {
		fprintf(stderr, KS_NAME ": --inherit follows the children of a command: give one after --\n");
		return -1;
	}
	if (!seeded)
		o->seed = ks_splitmix64((uint64_t)time(NULL) ^
					(uint64_t)getpid() << 32);
	return 0;
bad:
	fputs(usage_text, stderr);
	return -1;
}

void ks_print_replay(FILE *f, const struct ks_opts *o, const char *extra)
{
	fprintf(f, "replay: " KS_NAME " --seed %" PRIu64 " %s\n", o->seed,
		extra ? extra : "(same options)");
}
