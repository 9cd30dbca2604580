/*
 * tests/user/thread_mm.c - threads sharing one address space, and the
 * ways a multi-threaded process ends.
 *
 * A page one thread faults in holds, for another thread, what the first
 * wrote; an mprotect or munmap by one thread is seen by the others, even
 * by a thread that was asleep holding a pointer into the region (it faults
 * when it wakes). The guard page below a thread's stack gives SIGSEGV.
 * exit_group ends every thread, whether it is blocked in a futex or busy
 * faulting pages in; a fatal signal in one thread ends them all; exit of
 * one thread leaves the others. execve from a thread other than the main
 * one ends the others and the new program keeps the process ID. tgkill
 * reaches one thread, and refuses a thread of another process. clone
 * checks its flags as Linux does, and a vfork child borrows its parent's
 * memory while the parent waits.
 */
#include "utest.h"

#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#define REGION_PAGES 64

static pid_t gettid_raw(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* --- a fault in one thread, seen by another ------------------------------ */

static char *region;
static sem_t written;

static void *writer(void *arg)
{
	(void)arg;
	for (unsigned int i = 0; i < REGION_PAGES; i++)
		region[i * UT_PAGE] = (char)(i + 1);
	sem_post(&written);
	return NULL;
}

static void shared_faults(void)
{
	region = mmap(NULL, REGION_PAGES * UT_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sem_init(&written, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, writer, NULL);
	sem_wait(&written);
	bool ok = true;
	for (unsigned int i = 0; i < REGION_PAGES; i++)
		ok &= region[i * UT_PAGE] == (char)(i + 1);
	pthread_join(t, NULL);
	ut_check(ok, "%d pages faulted in by one thread, read by another",
		 REGION_PAGES);
	munmap(region, REGION_PAGES * UT_PAGE);
}

/* --- mprotect and munmap by one thread, under another ------------------- */

static volatile char *victim;
static sem_t asleep;

/* Sleeps with a pointer into the region, then uses it. */
static void *sleeper(void *arg)
{
	(void)arg;
	char c = victim[0]; /* faulted in and readable before */
	sem_post(&asleep);
	usleep(100000);
	victim[0] = (char)(c + 1); /* the region is gone by now */
	return NULL;
}

static int munmap_under_sleeper(void *arg)
{
	(void)arg;
	victim = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	victim[0] = 1;
	sem_init(&asleep, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, sleeper, NULL);
	sem_wait(&asleep);
	munmap((void *)victim, UT_PAGE);
	pthread_join(t, NULL);
	return 0; /* not reached: the sleeper's write kills the process */
}

static int mprotect_under_sleeper(void *arg)
{
	(void)arg;
	victim = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	victim[0] = 1;
	sem_init(&asleep, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, sleeper, NULL);
	sem_wait(&asleep);
	mprotect((void *)victim, UT_PAGE, PROT_READ);
	pthread_join(t, NULL);
	return 0;
}

/* --- the guard page below a thread's stack ----------------------------- */

static void *touch_guard(void *arg)
{
	(void)arg;
	pthread_attr_t attr;
	void *stack;
	size_t size, guard;
	pthread_getattr_np(pthread_self(), &attr);
	pthread_attr_getstack(&attr, &stack, &size);
	pthread_attr_getguardsize(&attr, &guard);
	printf("thread stack has a guard of %zu bytes\n", guard);
	*(volatile char *)ut_opaque((uintptr_t)stack - 1) = 1;
	return NULL;
}

static int guard_page(void *arg)
{
	(void)arg;
	pthread_t t;
	pthread_create(&t, NULL, touch_guard, NULL);
	pthread_join(t, NULL);
	return 0;
}

/* --- exit_group with threads in a futex and in page faults -------------- */

static pthread_mutex_t never_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_cond = PTHREAD_COND_INITIALIZER;
static sem_t started;

static void *wait_forever(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&never_lock);
	sem_post(&started);
	for (;;)
		pthread_cond_wait(&never_cond, &never_lock);
	return NULL;
}

/* Faults page after page in, over and over (never returns). */
static void *fault_forever(void *arg)
{
	(void)arg;
	size_t len = 256 * UT_PAGE;
	sem_post(&started);
	for (;;) {
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		for (size_t off = 0; off < len; off += UT_PAGE)
			p[off] = 1;
		munmap(p, len);
	}
	return NULL;
}

static void start_busy_threads(void)
{
	pthread_t t;
	sem_init(&started, 0, 0);
	for (int i = 0; i < 2; i++) {
		pthread_create(&t, NULL, wait_forever, NULL);
		pthread_create(&t, NULL, fault_forever, NULL);
	}
	for (int i = 0; i < 4; i++)
		sem_wait(&started);
	usleep(20000); /* let the faulting threads get going */
}

static int exit_group_from_main(void *arg)
{
	(void)arg;
	start_busy_threads();
	return 3; /* exit() is exit_group */
}

static void *exit_from_thread(void *arg)
{
	(void)arg;
	usleep(10000);
	exit(5);
}

static int exit_group_from_thread(void *arg)
{
	(void)arg;
	start_busy_threads();
	pthread_t t;
	pthread_create(&t, NULL, exit_from_thread, NULL);
	for (;;)
		pause();
	return 0;
}

static void *null_write(void *arg)
{
	(void)arg;
	usleep(10000);
	*(volatile int *)ut_opaque(0) = 1;
	return NULL;
}

static int fault_in_thread(void *arg)
{
	(void)arg;
	start_busy_threads();
	pthread_t t;
	pthread_create(&t, NULL, null_write, NULL);
	for (;;)
		pause();
	return 0;
}

/* A thread that ends with the exit system call leaves the others. */
static void *exit_one(void *arg)
{
	(void)arg;
	syscall(SYS_exit, 9);
	return NULL;
}

static int thread_exit_alone(void *arg)
{
	(void)arg;
	pthread_t t;
	pthread_create(&t, NULL, exit_one, NULL);
	pthread_join(t, NULL);
	return 4;
}

/* --- execve from a thread other than the main one ---------------------- */

static char helper[512];
static char pid_env[64];

static void *exec_helper(void *arg)
{
	(void)arg;
	char *const argv[] = { "echoargs", "from", "a", "thread", NULL };
	char *const envp[] = { pid_env, "UT_SUMMARY=1", NULL };
	execve(helper, argv, envp);
	printf("execve: %s\n", ut_errname(errno));
	return NULL;
}

static int exec_from_thread(void *arg)
{
	(void)arg;
	snprintf(pid_env, sizeof(pid_env), "UT_EXPECT_PID=%d", getpid());
	start_busy_threads();
	pthread_t t;
	pthread_create(&t, NULL, exec_helper, NULL);
	pthread_join(t, NULL);
	return 99; /* not reached: the exec ends this thread */
}

/* --- tgkill ------------------------------------------------------------- */

static volatile pid_t usr1_tid;
static sem_t ready;
static volatile bool stop;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_tid = gettid_raw();
}

static volatile pid_t target_tid;

static void *target(void *arg)
{
	(void)arg;
	target_tid = gettid_raw();
	sem_post(&ready);
	while (!stop)
		usleep(1000);
	return NULL;
}

static void tgkill_one(void)
{
	signal(SIGUSR1, on_usr1);
	sem_init(&ready, 0, 0);
	pthread_t t;
	pthread_create(&t, NULL, target, NULL);
	sem_wait(&ready);
	long r = syscall(SYS_tgkill, getpid(), target_tid, SIGUSR1);
	while (!usr1_tid)
		usleep(1000);
	ut_check(r == 0 && usr1_tid == target_tid,
		 "tgkill: the handler ran in the thread named");
	pid_t other = fork();
	if (other == 0) {
		for (;;)
			pause();
	}
	r = syscall(SYS_tgkill, other, target_tid, SIGUSR1);
	ut_check(r == -1 && errno == ESRCH,
		 "tgkill with another process's tgid: %s",
		 ut_errname(r ? errno : 0));
	kill(other, SIGKILL);
	ut_wait(other);
	r = syscall(SYS_tgkill, getpid(), target_tid, 0);
	ut_check(r == 0, "tgkill signal 0 to a live thread: %s",
		 ut_errname(r ? errno : 0));
	stop = true;
	pthread_join(t, NULL);
	signal(SIGUSR1, SIG_DFL);
}

/* --- clone's checks and vfork ------------------------------------------ */

static volatile int borrowed;

static void clone_checks(void)
{
	long r;

	r = syscall(SYS_clone, CLONE_THREAD | CLONE_VM, 0, NULL, 0, NULL);
	ut_check(r == -1 && errno == EINVAL,
		 "clone CLONE_THREAD without CLONE_SIGHAND: %s",
		 ut_errname(r == -1 ? errno : 0));
	r = syscall(SYS_clone, CLONE_SIGHAND, 0, NULL, 0, NULL);
	ut_check(r == -1 && errno == EINVAL,
		 "clone CLONE_SIGHAND without CLONE_VM: %s",
		 ut_errname(r == -1 ? errno : 0));
	r = syscall(SYS_clone, CLONE_THREAD | CLONE_SIGHAND, 0, NULL, 0, NULL);
	ut_check(r == -1 && errno == EINVAL,
		 "clone CLONE_THREAD | CLONE_SIGHAND without CLONE_VM: %s",
		 ut_errname(r == -1 ? errno : 0));

	borrowed = 0;
	pid_t pid = vfork();
	if (pid == 0) {
		borrowed = 42; /* the parent's memory, not a copy */
		_exit(6);
	}
	int st = ut_wait(pid);
	ut_check(borrowed == 42 && ut_exited(st, 6),
		 "vfork: the child's write is in the parent's memory: %s",
		 ut_status(st));
}

int main(int argc, char **argv)
{
	int st;

	ut_begin(argc, argv);
	ut_helper_path("echoargs", helper, sizeof(helper));
	shared_faults();
	st = ut_in_child(munmap_under_sleeper, NULL);
	ut_check(ut_killed_by(st, SIGSEGV),
		 "munmap while another thread sleeps, then it writes: %s",
		 ut_status(st));
	st = ut_in_child(mprotect_under_sleeper, NULL);
	ut_check(ut_killed_by(st, SIGSEGV),
		 "mprotect read-only while another thread sleeps: %s",
		 ut_status(st));
	st = ut_in_child(guard_page, NULL);
	ut_check(ut_killed_by(st, SIGSEGV),
		 "a thread touches its stack's guard page: %s", ut_status(st));
	st = ut_in_child(exit_group_from_main, NULL);
	ut_check(ut_exited(st, 3),
		 "exit in main, threads in futex and page faults: %s",
		 ut_status(st));
	st = ut_in_child(exit_group_from_thread, NULL);
	ut_check(ut_exited(st, 5), "exit in another thread: %s", ut_status(st));
	st = ut_in_child(fault_in_thread, NULL);
	ut_check(ut_killed_by(st, SIGSEGV),
		 "a fault in one thread ends every thread: %s", ut_status(st));
	st = ut_in_child(thread_exit_alone, NULL);
	ut_check(ut_exited(st, 4), "SYS_exit in a thread ends only it: %s",
		 ut_status(st));
	st = ut_in_child(exec_from_thread, NULL);
	ut_check(ut_exited(st, 4),
		 "execve in a thread: the program runs as the process: %s",
		 ut_status(st));
	tgkill_one();
	clone_checks();
	return ut_end();
}
