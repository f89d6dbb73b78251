/* SPDX-License-Identifier: MIT */
/*
 * The real obstacles of a kernel ring, provoked for real where this machine
 * can, and the one-line explanation each gets: a missing permission
 * (perf_event_paranoid), too many open files (RLIMIT_NOFILE), a page count
 * that is not a power of two, an event the machine does not have, and a
 * mapping past the locked-memory allowance.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "uprb/uprb_kring.h"

static void sw_attr(struct perf_event_attr *a, uint64_t config)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = PERF_TYPE_SOFTWARE;
	a->config = config;
	a->sample_period = 1;
	a->sample_type = PERF_SAMPLE_IP;
	a->disabled = 1;
	a->exclude_kernel = 1;
	a->exclude_hv = 1;
}

static void assert_explains(int err, const char *what, const char *needle)
{
	char buf[512];

	uprb_kring_explain(err, what, buf, sizeof(buf));
	if (!strstr(buf, needle))
		fail_msg("explanation of %d from %s lacks \"%s\": %s", err, what,
			 needle, buf);
	assert_non_null(strstr(buf, what));
}

static void test_every_obstacle_names_its_cause_and_fix(void **state)
{
	(void)state;
	static const struct { int err; const char *what, *needle; } cases[] = {
		{ -EACCES, "perf_event_open", "perf_event_paranoid" },
		{ -ENOENT, "perf_event_open", "not supported on this machine" },
		{ -EOPNOTSUPP, "perf_event_open", "software event" },
		{ -EMFILE, "perf_event_open", "ulimit -n" },
		{ -EPERM, "mmap", "perf_event_mlock_kb" },
		{ -ENOMEM, "mmap", "ulimit -l" },
		{ -EINVAL, "mmap", "power of two" },
		{ -ENOENT, "tracepoint", "tracefs" },
		{ -ENOSYS, "perf_event_open", "CONFIG_PERF_EVENTS" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* As root the permission line blames seccomp or an LSM. */
		if (cases[i].err == -EACCES && geteuid() == 0)
			continue;
		assert_explains(cases[i].err, cases[i].what, cases[i].needle);
	}
}

/* The kernel itself refuses 3 data pages; the reader never sees a ring. */
static void test_page_count_that_is_no_power_of_two_is_refused_by_the_kernel(void **state)
{
	(void)state;
	struct perf_event_attr a;
	struct uprb_kring k;
	int fd, err;

	sw_attr(&a, PERF_COUNT_SW_PAGE_FAULTS);
	fd = uprb_perf_event_open(&a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		print_message("skip reason: perf_event_open: %s\n", strerror(-fd));
		skip();
	}
	err = uprb_kring_open(&k, fd, 3, false, false);
	assert_int_equal(err, -EINVAL);
	assert_int_equal(k.fd, -1);
	assert_explains(err, "mmap", "power of two");
	assert_int_equal(uprb_kring_open(&k, fd, 4, false, false), 0);
	uprb_kring_close(&k);
	close(fd);
}

/* Run @fn in a child, so limits and credentials stay there. */
static int in_child(int (*fn)(char *why, size_t len), char *why, size_t len)
{
	int pipefd[2], status;
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[512] = "";
		int rc = fn(buf, sizeof(buf));

		close(pipefd[0]);
		if (write(pipefd[1], buf, strlen(buf)) < 0)
			rc = 3;
		_exit(rc);
	}
	close(pipefd[1]);
	n = read(pipefd[0], why, len - 1);
	why[n > 0 ? n : 0] = 0;
	close(pipefd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* 0: got EMFILE, explained; 1: never hit the limit. */
static int child_emfile(char *why, size_t len)
{
	struct rlimit rl = { 16, 16 };
	struct perf_event_attr a;
	int fd;

	if (setrlimit(RLIMIT_NOFILE, &rl))
		return 2;
	sw_attr(&a, PERF_COUNT_SW_DUMMY);
	for (int i = 0; i < 64; i++) {
		fd = uprb_perf_event_open(&a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd == -EMFILE) {
			uprb_kring_explain(fd, "perf_event_open", why, len);
			return 0;
		}
		if (fd < 0) {
			snprintf(why, len, "perf_event_open: %s", strerror(-fd));
			return 2;
		}
	}
	return 1;
}

static void test_too_many_open_files_is_explained_with_the_limit(void **state)
{
	(void)state;
	char why[512];
	int rc = in_child(child_emfile, why, sizeof(why));

	if (rc == 2) {
		print_message("skip reason: %s\n", why);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_non_null(strstr(why, "RLIMIT_NOFILE (soft 16, hard 16)"));
}

/* 0: refused and explained; 1: allowed (paranoid <= 0); 2: cannot try. */
static int child_paranoid(char *why, size_t len)
{
	struct perf_event_attr a;
	int fd;

	/* Drop root: paranoid only binds the unprivileged. */
	if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
		return 2;
	sw_attr(&a, PERF_COUNT_SW_CPU_CLOCK);
	fd = uprb_perf_event_open(&a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd >= 0)
		return 1;
	uprb_kring_explain(fd, "perf_event_open", why, len);
	return fd == -EACCES || fd == -EPERM ? 0 : 2;
}

static void test_cpu_wide_event_without_privilege_names_perf_event_paranoid(void **state)
{
	(void)state;
	char why[512];
	long par = 0;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int rc;

	if (!f || fscanf(f, "%ld", &par) != 1 || par <= 0) {
		if (f)
			fclose(f);
		print_message("skip reason: perf_event_paranoid %ld lets anyone open CPU-wide events\n", par);
		skip();
	}
	fclose(f);
	rc = in_child(child_paranoid, why, sizeof(why));
	if (rc == 2) {
		print_message("skip reason: could not run unprivileged: %s\n", why);
		skip();
	}
	assert_int_equal(rc, 0);
	assert_non_null(strstr(why, "perf_event_paranoid"));
	assert_non_null(strstr(why, "sysctl -w kernel.perf_event_paranoid="));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_obstacle_names_its_cause_and_fix),
		cmocka_unit_test(test_page_count_that_is_no_power_of_two_is_refused_by_the_kernel),
		cmocka_unit_test(test_too_many_open_files_is_explained_with_the_limit),
		cmocka_unit_test(test_cpu_wide_event_without_privilege_names_perf_event_paranoid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
