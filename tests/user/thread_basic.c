/*
 * tests/user/thread_basic.c - POSIX threads from glibc: clone, futex and
 * the thread-group calls underneath.
 *
 * Threads are created and joined (their return values come back), one is
 * detached and signals a semaphore; a mutex guards a counter that 16
 * threads increment; a condition variable passes turns between two
 * threads; __thread variables are each thread's own; getpid is the same
 * in every thread and gettid differs; /proc/self/task lists every thread
 * and /proc/self/status and stat count them; a kill() of the process
 * reaches the one thread that does not block the signal; pthread_exit in
 * the main thread leaves the others running, and the process ends with
 * the last of them. A robust mutex whose owner ended, a thread or a
 * process killed while holding it, is EOWNERDEAD to the next locker.
 */
#include "utest.h"

#include <dirent.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>

#define NTHREADS 16
#define INCREMENTS 2000

static __thread int tls_value = 7;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static pid_t gettid_raw(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Returns its argument doubled, after checking its TLS starts fresh. */
static void *doubler(void *arg)
{
	int fresh = tls_value == 7;
	tls_value = (int)(intptr_t)arg;
	return (void *)(intptr_t)(fresh ? 2 * tls_value : -1);
}

static void *incrementer(void *arg)
{
	(void)arg;
	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&lock);
		long v = counter;
		if (i % 97 == 0)
			sched_yield(); /* give the others a chance to race */
		counter = v + 1;
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static void create_join(void)
{
	pthread_t t[4];
	bool ok = true;

	for (intptr_t i = 0; i < 4; i++)
		ok &= pthread_create(&t[i], NULL, doubler, (void *)(i + 1)) ==
		      0;
	ut_check(ok, "pthread_create of 4 threads");
	ok = true;
	for (intptr_t i = 0; i < 4; i++) {
		void *ret;
		ok &= pthread_join(t[i], &ret) == 0 &&
		      (intptr_t)ret == 2 * (i + 1);
	}
	ut_check(ok, "pthread_join returns each thread's value");
	ut_check(tls_value == 7, "main thread's __thread variable untouched");
}

static void many_threads_mutex(void)
{
	pthread_t t[NTHREADS];
	int created = 0;

	for (int i = 0; i < NTHREADS; i++)
		created += pthread_create(&t[i], NULL, incrementer, NULL) == 0;
	for (int i = 0; i < created; i++)
		pthread_join(t[i], NULL);
	ut_check(created == NTHREADS, "%d threads created", NTHREADS);
	ut_check(counter == (long)NTHREADS * INCREMENTS,
		 "mutex-protected counter is %d", NTHREADS * INCREMENTS);
}

/* Condition variable ping-pong: turn alternates between 0 and 1. */
static pthread_mutex_t turn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_cond = PTHREAD_COND_INITIALIZER;
static int turn, rounds_seen[2];

#define ROUNDS 50

static void *player(void *arg)
{
	int me = (int)(intptr_t)arg;
	for (int r = 0; r < ROUNDS; r++) {
		pthread_mutex_lock(&turn_lock);
		while (turn != me)
			pthread_cond_wait(&turn_cond, &turn_lock);
		rounds_seen[me]++;
		turn = 1 - me;
		pthread_cond_broadcast(&turn_cond);
		pthread_mutex_unlock(&turn_lock);
	}
	return NULL;
}

static void condvar(void)
{
	pthread_t a, b;
	pthread_create(&a, NULL, player, (void *)0);
	pthread_create(&b, NULL, player, (void *)1);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	ut_check(rounds_seen[0] == ROUNDS && rounds_seen[1] == ROUNDS,
		 "condition variable: %d turns each", ROUNDS);

	/* A timed wait nobody signals times out. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&turn_lock);
	int r = pthread_cond_timedwait(&turn_cond, &turn_lock, &ts);
	pthread_mutex_unlock(&turn_lock);
	ut_check(r == ETIMEDOUT, "pthread_cond_timedwait alone: %s",
		 ut_errname(r));
}

/* Identity: same PID, own TID, which is the PID only in the main thread. */
static pid_t seen_pid, seen_tid, seen_self;
static int seen_altstack_flags;

static void *identity(void *arg)
{
	(void)arg;
	seen_pid = getpid();
	seen_tid = gettid_raw();
	char link[32] = "";
	if (readlink("/proc/self", link, sizeof(link) - 1) > 0)
		seen_self = atoi(link);
	stack_t ss;
	sigaltstack(NULL, &ss);
	seen_altstack_flags = ss.ss_flags;
	return NULL;
}

static void ids(void)
{
	/* The main thread has an alternate signal stack; a thread not. */
	static char altstack[16384];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	sigaltstack(&ss, NULL);
	pthread_t t;
	pthread_create(&t, NULL, identity, NULL);
	pthread_join(t, NULL);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
	ut_check(gettid_raw() == getpid(), "main thread: gettid == getpid");
	ut_check(seen_pid == getpid(), "other thread: same getpid");
	ut_check(seen_tid != getpid() && seen_tid > 0,
		 "other thread: its own gettid");
	ut_check(seen_self == getpid(), "other thread: /proc/self is the PID");
	ut_check(seen_altstack_flags == SS_DISABLE,
		 "other thread: no alternate signal stack (SS_DISABLE)");
}

static sem_t detached_done;

static void *detached(void *arg)
{
	(void)arg;
	sem_post(&detached_done);
	return NULL;
}

static void detach(void)
{
	pthread_t t;
	pthread_attr_t attr;
	sem_init(&detached_done, 0, 0);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int r = pthread_create(&t, &attr, detached, NULL);
	ut_check(r == 0 && sem_wait(&detached_done) == 0,
		 "detached thread ran and posted the semaphore");
	pthread_attr_destroy(&attr);
}

/* Threads parked on a barrier while /proc is read. */
static pthread_barrier_t parked;
static pid_t parked_tid[3];

static void *park(void *arg)
{
	parked_tid[(intptr_t)arg] = gettid_raw();
	pthread_barrier_wait(&parked); /* all started */
	pthread_barrier_wait(&parked); /* main has looked */
	return NULL;
}

/* A value from /proc/self/status, or -1. */
static long status_field(const char *name)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)))
			v = strtol(line + strlen(name), NULL, 10);
	fclose(f);
	return v;
}

/* Field 20 of /proc/self/stat: num_threads. */
static long stat_threads(void)
{
	char buf[1024];
	FILE *f = fopen("/proc/self/stat", "r");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	/* Field 3 (state) follows ") "; num_threads is field 20. */
	p += 2;
	for (int field = 3; field < 20 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtol(p, NULL, 10) : -1;
}

static void proc_task(void)
{
	enum {
		EXTRA = 3
	};
	pthread_t t[EXTRA];
	pthread_barrier_init(&parked, NULL, EXTRA + 1);
	for (int i = 0; i < EXTRA; i++)
		pthread_create(&t[i], NULL, park, (void *)(intptr_t)i);
	pthread_barrier_wait(&parked);

	int entries = 0, self_found = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		entries++;
		if (atoi(e->d_name) == getpid())
			self_found = 1;
		char path[320];
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat",
			 e->d_name);
		if (access(path, R_OK) != 0)
			entries = -100;
	}
	if (d)
		closedir(d);
	ut_check(entries == EXTRA + 1, "/proc/self/task lists %d threads",
		 EXTRA + 1);
	ut_check(self_found, "/proc/self/task has the main thread's TID");
	ut_check(status_field("Threads:") == EXTRA + 1,
		 "/proc/self/status Threads: %d", EXTRA + 1);
	ut_check(status_field("Tgid:") == getpid(),
		 "/proc/self/status Tgid: is getpid()");
	ut_check(stat_threads() == EXTRA + 1, "/proc/self/stat num_threads %d",
		 EXTRA + 1);

	/* /proc lists the process once, not each thread. */
	int listed = 0, pid_listed = 0;
	d = opendir("/proc");
	while (d && (e = readdir(d))) {
		for (int i = 0; i < EXTRA; i++)
			listed += atoi(e->d_name) == parked_tid[i];
		pid_listed += atoi(e->d_name) == getpid();
	}
	if (d)
		closedir(d);
	ut_check(pid_listed == 1 && listed == 0,
		 "/proc lists the process, not its threads");
	char tidpath[64];
	snprintf(tidpath, sizeof(tidpath), "/proc/%d/task/%d/status", getpid(),
		 parked_tid[0]);
	ut_check(access(tidpath, R_OK) == 0, "/proc/PID/task/TID/status");
	/* A thread's directory there has the PID directory's files, no task/. */
	snprintf(tidpath, sizeof(tidpath), "/proc/%d/task/%d/task", getpid(),
		 parked_tid[0]);
	ut_check(access(tidpath, F_OK) == -1 && errno == ENOENT,
		 "/proc/PID/task/TID has no task/");
	snprintf(tidpath, sizeof(tidpath), "/proc/%d/task/%d", getpid(),
		 parked_tid[0]);
	int with_task = 0, files = 0;
	d = opendir(tidpath);
	while (d && (e = readdir(d))) {
		files += e->d_name[0] != '.';
		with_task += strcmp(e->d_name, "task") == 0;
	}
	if (d)
		closedir(d);
	ut_check(files > 0 && !with_task,
		 "/proc/PID/task/TID lists its files, not task");

	pthread_barrier_wait(&parked);
	for (int i = 0; i < EXTRA; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&parked);
}

/* kill() of the process goes to the thread that does not block it. */
static volatile pid_t handled_by;

static void on_usr1(int sig)
{
	(void)sig;
	handled_by = gettid_raw();
}

static sem_t usr1_ready;
static volatile pid_t taker_tid;

static void *usr1_taker(void *arg)
{
	(void)arg;
	sigset_t none;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	taker_tid = gettid_raw();
	sem_post(&usr1_ready);
	while (!handled_by)
		usleep(1000);
	return NULL;
}

static void process_signal(void)
{
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	signal(SIGUSR1, on_usr1);
	/* The new thread inherits the mask and unblocks it itself. */
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	sem_init(&usr1_ready, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, usr1_taker, NULL);
	sem_wait(&usr1_ready);
	kill(getpid(), SIGUSR1);
	pthread_join(t, NULL);
	ut_check(handled_by == taker_tid,
		 "kill(getpid()) handled by the thread not blocking it");
	pthread_sigmask(SIG_UNBLOCK, &usr1, NULL);
	signal(SIGUSR1, SIG_DFL);
}

/* CPU time: a thread that spins 300 ms is counted in the process's. */
static void *spin(void *arg)
{
	(void)arg;
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start);
	do
		clock_gettime(CLOCK_MONOTONIC, &now);
	while ((now.tv_sec - start.tv_sec) * 1000 +
		       (now.tv_nsec - start.tv_nsec) / 1000000 <
	       300);
	return NULL;
}

static void cpu_time(void)
{
	struct tms before, after;
	struct rusage self, thread;
	times(&before);
	pthread_t t;
	pthread_create(&t, NULL, spin, NULL);
	pthread_join(t, NULL);
	times(&after);
	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_THREAD, &thread);
	long ticks = (after.tms_utime + after.tms_stime) -
		     (before.tms_utime + before.tms_stime);
	long hz = sysconf(_SC_CLK_TCK);
	ut_check(ticks >= hz / 10,
		 "times() counts another thread's 300 ms of CPU");
	ut_check(self.ru_utime.tv_sec * 1000000 + self.ru_utime.tv_usec +
				 self.ru_stime.tv_sec * 1000000 +
				 self.ru_stime.tv_usec >=
			 100000,
		 "getrusage(RUSAGE_SELF) counts it too");
	ut_check(thread.ru_utime.tv_sec * 1000000 + thread.ru_utime.tv_usec +
				 thread.ru_stime.tv_sec * 1000000 +
				 thread.ru_stime.tv_usec <
			 self.ru_utime.tv_sec * 1000000 +
				 self.ru_utime.tv_usec +
				 self.ru_stime.tv_sec * 1000000 +
				 self.ru_stime.tv_usec,
		 "getrusage(RUSAGE_THREAD) of the main thread is less");
}

/* Robust mutexes: the kernel releases them when their owner ends. */
static pthread_mutex_t *robust;

static void *lock_and_leave(void *arg)
{
	(void)arg;
	pthread_mutex_lock(robust);
	return NULL; /* ends holding it */
}

static void robust_mutexes(void)
{
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	robust = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutex_init(robust, &attr);

	pthread_t t;
	pthread_create(&t, NULL, lock_and_leave, NULL);
	pthread_join(t, NULL);
	int r = pthread_mutex_lock(robust);
	ut_check(r == EOWNERDEAD, "robust mutex of an ended thread: %s",
		 ut_errname(r));
	pthread_mutex_consistent(robust);
	pthread_mutex_unlock(robust);

	pid_t pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(robust);
		raise(SIGKILL);
	}
	int st = ut_wait(pid);
	r = pthread_mutex_lock(robust);
	ut_check(r == EOWNERDEAD && ut_killed_by(st, SIGKILL),
		 "robust mutex of a process killed holding it: %s",
		 ut_errname(r));
	pthread_mutex_consistent(robust);
	pthread_mutex_unlock(robust);
	munmap(robust, UT_PAGE);
	pthread_mutexattr_destroy(&attr);
}

/* SIGPIPE goes to the thread that wrote, not to the process at large. */
static volatile pid_t pipe_tid, writer_tid;
static int broken[2];
static int write_err;

static void on_pipe(int sig)
{
	(void)sig;
	pipe_tid = gettid_raw();
}

static void *pipe_writer(void *arg)
{
	(void)arg;
	writer_tid = gettid_raw();
	write_err = write(broken[1], "x", 1) < 0 ? errno : 0;
	return NULL;
}

static void sigpipe_to_writer(void)
{
	signal(SIGPIPE, on_pipe);
	pipe(broken);
	close(broken[0]);
	pthread_t t;
	pthread_create(&t, NULL, pipe_writer, NULL);
	pthread_join(t, NULL);
	ut_check(write_err == EPIPE && pipe_tid == writer_tid,
		 "write to a broken pipe: %s, SIGPIPE in the writing thread",
		 ut_errname(write_err));
	close(broken[1]);
	signal(SIGPIPE, SIG_DFL);
}

/* The main thread leaves with pthread_exit; the last thread's exit ends it. */
static void *last_one(void *arg)
{
	(void)arg;
	usleep(20000);
	printf("last thread: still running after main's pthread_exit\n");
	return NULL;
}

static int main_exits_first(void *arg)
{
	(void)arg;
	pthread_t t;
	pthread_create(&t, NULL, last_one, NULL);
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	create_join();
	many_threads_mutex();
	condvar();
	ids();
	detach();
	proc_task();
	process_signal();
	cpu_time();
	robust_mutexes();
	sigpipe_to_writer();
	int st = ut_in_child(main_exits_first, NULL);
	ut_check(ut_exited(st, 0), "main thread exits first: %s",
		 ut_status(st));
	return ut_end();
}
