/* SPDX-License-Identifier: MIT */
/*
 * load.c - what the events sample: a built-in load generator, or a command.
 *
 * Each kind is a thread (or --load-threads of them), left to the scheduler
 * so that they move between CPUs (cpu-migrations) and compete (switches):
 *   spin      a busy loop (cpu-clock, task-clock, hardware counters)
 *   faults    map, touch and unmap fresh anonymous pages (page faults)
 *   syscalls  getppid(2) in a loop (syscalls:sys_enter_getppid,
 *             raw_syscalls:*)
 *   switches  two threads passing a byte over pipes (context switches,
 *             sched:sched_switch / sched_wakeup)
 *   comm      prctl(PR_SET_NAME) now and then (COMM records)
 * The generator threads run at nice 5 so that the readers keep up.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kstress.h"

#define MAX_LOAD_THREADS 64

static pthread_t g_threads[MAX_LOAD_THREADS];
static unsigned int g_nthreads;
static atomic_bool g_load_stop;
static _Atomic uint64_t g_ops;
static int g_pipes[MAX_LOAD_THREADS][2][2];
static unsigned int g_npipes;

static void be_nice(void)
{
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 5))
		(void)0;
}

static bool stopping(void)
{
	return atomic_load_explicit(&g_load_stop, memory_order_relaxed);
}

static void add_ops(uint64_t n)
{
	atomic_fetch_add_explicit(&g_ops, n, memory_order_relaxed);
}

static void *spin_main(void *arg)
{
	volatile uint64_t x = 0;

	(void)arg;
	be_nice();
	while (!stopping()) {
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005ull + 1;
		add_ops(1);
	}
	return NULL;
}

static void *faults_main(void *arg)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), n = 64;

	(void)arg;
	be_nice();
	while (!stopping()) {
		unsigned char *m = mmap(NULL, n * pg, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED) {
			stress_sleep_ns(1000000);
			continue;
		}
		madvise(m, n * pg, MADV_NOHUGEPAGE);
		for (size_t i = 0; i < n; i++)
			((volatile unsigned char *)m)[i * pg] = 1;
		munmap(m, n * pg);
		add_ops(n);
	}
	return NULL;
}

static void *syscalls_main(void *arg)
{
	(void)arg;
	be_nice();
	while (!stopping()) {
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getppid);
		add_ops(1000);
	}
	return NULL;
}

struct pingpong {
	int in, out;
	bool first;
};

static struct pingpong g_pp[MAX_LOAD_THREADS];

static void *switch_main(void *arg)
{
	struct pingpong *pp = arg;
	char b = 0;

	be_nice();
	if (pp->first && write(pp->out, &b, 1) != 1)
		return NULL;
	while (!stopping()) {
		if (read(pp->in, &b, 1) != 1)
			break;
		if (write(pp->out, &b, 1) != 1)
			break;
		add_ops(1);
	}
	/* Wake the partner, which may wait for the byte we hold. */
	if (write(pp->out, &b, 1) != 1)
		(void)0;
	return NULL;
}

static void *comm_main(void *arg)
{
	char name[16];
	unsigned int i = 0;

	(void)arg;
	be_nice();
	while (!stopping()) {
		/* 1..15 characters: COMM records of every size class. */
		unsigned int len = 1 + i % 15;

		memset(name, 'a' + (char)(i % 26), len);
		name[len] = 0;
		prctl(PR_SET_NAME, name, 0, 0, 0);
		i++;
		add_ops(1);
		stress_sleep_ns(200000);
	}
	prctl(PR_SET_NAME, "ks-comm", 0, 0, 0);
	return NULL;
}

static int spawn(void *(*fn)(void *), void *arg)
{
	int err;

	if (g_nthreads == MAX_LOAD_THREADS)
		return -E2BIG;
	err = pthread_create(&g_threads[g_nthreads], NULL, fn, arg);
	if (err)
		return -err;
	g_nthreads++;
	return 0;
}

int ks_load_start(const struct ks_opts *o, const int *cpus, unsigned int ncpus)
{
	int err = 0;

	(void)cpus;
	(void)ncpus;
	atomic_store(&g_load_stop, false);
	for (unsigned int t = 0; t < o->load_threads && !err; t++) {
		if (o->loads & KS_LOAD_SPIN)
			err = spawn(spin_main, NULL);
		if (!err && (o->loads & KS_LOAD_FAULTS))
			err = spawn(faults_main, NULL);
		if (!err && (o->loads & KS_LOAD_SYSCALLS))
			err = spawn(syscalls_main, NULL);
		if (!err && (o->loads & KS_LOAD_COMM))
			err = spawn(comm_main, NULL);
		if (!err && (o->loads & KS_LOAD_SWITCHES) &&
		    g_npipes + 2 <= MAX_LOAD_THREADS) {
			int (*p)[2] = g_pipes[g_npipes / 2];

			if (pipe(p[0]) || pipe(p[1]))
				return -errno;
			g_pp[g_npipes] = (struct pingpong){ p[0][0], p[1][1], true };
			g_pp[g_npipes + 1] = (struct pingpong){ p[1][0], p[0][1], false };
			err = spawn(switch_main, &g_pp[g_npipes]);
			if (!err)
				err = spawn(switch_main, &g_pp[g_npipes + 1]);
			g_npipes += 2;
		}
	}
	return err;
}

void ks_load_stop(void)
{
	atomic_store(&g_load_stop, true);
	/* Ping-pong threads wake each other on the way out (switch_main). */
	for (unsigned int i = 0; i < g_nthreads; i++)
		pthread_join(g_threads[i], NULL);
	for (unsigned int i = 0; i < g_npipes / 2; i++)
		for (int j = 0; j < 2; j++) {
			close(g_pipes[i][j][0]);
			close(g_pipes[i][j][1]);
		}
	g_nthreads = 0;
	g_npipes = 0;
}

uint64_t ks_load_ops(void)
{
	return atomic_load_explicit(&g_ops, memory_order_relaxed);
}

/*
 * Fork the command, held until ks_cmd_go(): the events must be on it before
 * it runs. A second pipe, closed by a successful exec (O_CLOEXEC), carries
 * exec's errno back when it fails, so a command that never started is
 * known as such.
 */
pid_t ks_cmd_spawn(char **argv, int *go_fd, int *exec_fd)
{
	int go[2], ex[2];
	pid_t pid;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(ex, O_CLOEXEC)) {
		int err = errno;

		close(go[0]);
		close(go[1]);
		return -err;
	}
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(go[0]);
		close(go[1]);
		close(ex[0]);
		close(ex[1]);
		return -err;
	}
	if (pid == 0) {
		char b;
		int err;

		close(go[1]);
		close(ex[0]);
		/* Wait until the events are on us, then become the command. */
		if (read(go[0], &b, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		err = errno;
		if (write(ex[1], &err, sizeof(err)) < 0)
			(void)0;
		_exit(127);
	}
	close(go[0]);
	close(ex[1]);
	*go_fd = go[1];
	*exec_fd = ex[0];
	return pid;
}

int ks_cmd_go(int go_fd, int exec_fd)
{
	char b = 1;
	int err = 0;
	ssize_t n;

	if (write(go_fd, &b, 1) != 1) {
		err = errno;
		close(go_fd);
		close(exec_fd);
		return -err;
	}
	close(go_fd);
	/* EOF: the exec closed the pipe. An int: exec's errno. */
	do
		n = read(exec_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(exec_fd);
	return n == (ssize_t)sizeof(err) ? -err : 0;
}

struct comm_req {
	const char *name;
};

static void *comm_once(void *arg)
{
	struct comm_req *c = arg;

	prctl(PR_SET_NAME, c->name, 0, 0, 0);
	return NULL;
}

/*
 * A COMM record on @cpu, now: a thread bound to it renames itself. The
 * dummy event of that CPU's ring writes it, and with it the LOST record of
 * any drops still pending in the ring.
 */
void ks_set_comm_on_cpu(int cpu, const char *name)
{
	struct comm_req c = { name };
	pthread_attr_t at;
	cpu_set_t set;
	pthread_t th;

	pthread_attr_init(&at);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_setaffinity_np(&at, sizeof(set), &set);
	if (pthread_create(&th, &at, comm_once, &c) == 0)
		pthread_join(th, NULL);
	pthread_attr_destroy(&at);
}
