/* SPDX-License-Identifier: MIT */
/*
 * replay.c - runs fuzz inputs through a target without any fuzzer runtime
 * (gcc or clang): the CI corpus replay and the way to reproduce a crash.
 *
 *   <target>-replay [-v | -vv] FILE|DIR...
 *   <target>-replay [-v] -random N [-seed S] [-max-len L]
 *
 * Directories are walked recursively in name order, skipping dot files.
 * Each input prints "<path>: ok (<bytes> bytes)"; a failing one prints its
 * story line instead and aborts, so the last path printed is the culprit.
 * Each input runs twice (once with -vv): the second run must say what the
 * first said, since a run may not depend on earlier ones in the process
 * (the targets keep rings and tables between runs; libFuzzer reproduces a
 * crash in a fresh process).
 * -v adds what each run did; -vv also prints the decoded program and a
 * trace of the steps and interrupts.
 * -random runs N inputs of random bytes (lengths 0..L, default 2048) from
 * seed S (default 1, printed): the differential variants' bulk check. A
 * failing one is saved as random-S-K (K its number) before the story line,
 * to replay as a file.
 * At exit the rings kept between runs (rings.h) are freed, so that
 * LeakSanitizer (on in the ASan builds) sees a free the core leaves out,
 * and a ring's mapping must be gone (munmap).
 * Exit status: 0 when every input passed, 1 when a ring's mapping outlived
 * it, 2 on usage errors or when no input was found (an empty corpus is a
 * mistake, not a pass).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "driver.h"
#include "rings.h"

/* The world's account of a run (world.c); weak: targets without the world. */
const char *fz_world_summary(void) __attribute__((weak));

static unsigned long ran;
static int verbose;

/* What the last run did: the target's own account, or the world's. */
static const char *summary(void)
{
	if (fz_target_summary)
		return fz_target_summary();
	return fz_world_summary ? fz_world_summary() : "";
}

/* Run one input (twice: the second run must say what the first said). */
static void run_input(const char *name, const unsigned char *buf, size_t len)
{
	printf("%s: ", name);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, len);
	if (verbose < 2) {
		char *first = strdup(summary());

		LLVMFuzzerTestOneInput(buf, len);
		if (!first || strcmp(first, summary())) {
			printf("\nreplay: %s: a second run in this process differs:\n%s\n%s\n",
			       name, first ? first : "(out of memory)", summary());
			fflush(stdout);
			abort();
		}
		free(first);
	}
	printf("ok (%zu bytes)\n", len);
	if (verbose)
		printf("%s\n", summary());
	fflush(stdout);
	ran++;
}

/* -random: the input running now, saved by the abort handler. */
static struct {
	const unsigned char *buf;
	size_t len;
	char path[64];
} current;

static void save_current(int sig)
{
	int fd = open(current.path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	static const char msg[] = "replay: the failing random input is saved as ";
	ssize_t n;

	if (fd >= 0) {
		n = write(fd, current.buf, current.len);
		close(fd);
	}
	n = write(2, msg, sizeof(msg) - 1);
	n = write(2, current.path, strlen(current.path));
	n = write(2, "\n", 1);
	(void)n;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* splitmix64: a fixed, portable stream from the seed. */
static uint64_t next_random(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int run_random(unsigned long n, uint64_t seed, size_t max_len)
{
	unsigned char *buf = malloc(max_len + 1);
	uint64_t x = seed;

	if (!buf) {
		fprintf(stderr, "replay: out of memory\n");
		return 2;
	}
	printf("replay: %lu random inputs, seed %llu, lengths 0..%zu "
	       "(a failing one is saved as random-%llu-<k>)\n", n,
	       (unsigned long long)seed, max_len, (unsigned long long)seed);
	signal(SIGABRT, save_current);
	signal(SIGSEGV, save_current);
	for (unsigned long k = 0; k < n; k++) {
		size_t len = next_random(&x) % (max_len + 1);
		char name[64];

		for (size_t i = 0; i < len; i += 8) {
			uint64_t r = next_random(&x);

			memcpy(buf + i, &r, len - i < 8 ? len - i : 8);
		}
		snprintf(name, sizeof(name), "random-%llu-%lu",
			 (unsigned long long)seed, k);
		current.buf = buf;
		current.len = len;
		memcpy(current.path, name, sizeof(current.path));
		if (verbose)
			run_input(name, buf, len);
		else {
			/* One line per input would drown a CI log: quiet. */
			LLVMFuzzerTestOneInput(buf, len);
			ran++;
		}
	}
	free(buf);
	return 0;
}

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	do {
		if (len == cap) {
			unsigned char *nb;

			cap = cap ? 2 * cap : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "replay: %s: out of memory\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	fclose(f);

	run_input(path, buf, len);
	free(buf);
	return 0;
}

static int run_path(const char *path);

static int run_dir(const char *path)
{
	struct dirent **names;
	int n, err = 0;

	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *sub;

		if (names[i]->d_name[0] != '.' &&
		    asprintf(&sub, "%s/%s", path, names[i]->d_name) >= 0) {
			err |= run_path(sub);
			free(sub);
		}
		free(names[i]);
	}
	free(names);
	return err;
}

static int run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st)) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return S_ISDIR(st.st_mode) ? run_dir(path) : run_file(path);
}

/* A number option's value, or exit 2 with what is wrong. */
static unsigned long long number(const char *opt, const char *v, unsigned long long max)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = v ? strtoull(v, &end, 0) : 0;
	if (!v || !*v || *end || errno || n > max || *v == '-') {
		fprintf(stderr, "replay: option %s: '%s': not a number from 0 to %llu\n",
			opt, v ? v : "", max);
		exit(2);
	}
	return n;
}

int main(int argc, char **argv)
{
	int i = 1, err = 0;
	unsigned long random_n = 0;
	uint64_t seed = 1;
	size_t max_len = 2048;
	static const char usage[] =
		"usage: %s [-v|-vv] FILE|DIR...\n"
		"       %s [-v] -random N [-seed S] [-max-len L]\n";

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[i], "-vv")) {
			verbose = 2;
		} else if (!strcmp(argv[i], "-random") && i + 1 < argc) {
			random_n = number(argv[i], argv[i + 1], 100000000);
			i++;
		} else if (!strcmp(argv[i], "-seed") && i + 1 < argc) {
			seed = number(argv[i], argv[i + 1], UINT64_MAX);
			i++;
		} else if (!strcmp(argv[i], "-max-len") && i + 1 < argc) {
			max_len = number(argv[i], argv[i + 1], 1u << 20);
			i++;
		} else {
			fprintf(stderr, usage, argv[0], argv[0]);
			return 2;
		}
	}
	if ((i == argc) == !random_n) {
		fprintf(stderr, usage, argv[0], argv[0]);
		return 2;
	}
	if (verbose > 1)
		setenv("UPRB_FUZZ_VERBOSE", "2", 1);
	if (random_n)
		err = run_random(random_n, seed, max_len);
	for (; i < argc; i++)
		err |= run_path(argv[i]);
	if (fz_rings_free_all()) {
		printf("replay: a ring's memory outlived uprb_ring_free()\n");
		return 1;
	}
	printf("replay: %lu inputs ok\n", ran);
	if (err)
		return 2;
	if (!ran) {
		fprintf(stderr, "replay: no inputs found\n");
		return 2;
	}
	return 0;
}
