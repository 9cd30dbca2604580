/*
 * tests/user/futex_kinds.c - the futex system call itself, without glibc's
 * locks around it.
 *
 * The errors: EAGAIN when the word no longer holds the value, ETIMEDOUT
 * for relative and absolute timeouts (monotonic and CLOCK_REALTIME),
 * EINVAL for a misaligned word, a bad timespec or an empty bitset, EFAULT
 * for a word outside memory, ENOSYS for an unknown operation. Then
 * waiters in threads: FUTEX_WAKE counts, a shared wake does not wake a
 * private waiter, CMP_REQUEUE moves waiters to another word (and refuses
 * with EAGAIN when the word changed), WAKE_OP changes a word and wakes on
 * both, a bitset wake picks its waiters. A signal ends a wait with EINTR,
 * or restarts it with SA_RESTART. Last, a futex in MAP_SHARED memory is
 * shared with a child process.
 */
#include "utest.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

/* The i386 call with a 32-bit time_t (SYS_futex is 240). */
struct ts32 {
	int32_t tv_sec, tv_nsec;
};

static long futex(void *uaddr, int op, uint32_t val, const void *ts_or_val2,
		  void *uaddr2, uint32_t val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts_or_val2, uaddr2, val3);
}

/* The call's result: its value, or the errno name. */
static const char *res(long r)
{
	static char buf[32];
	if (r < 0)
		return ut_errname(errno);
	snprintf(buf, sizeof(buf), "%ld", r);
	return buf;
}

static void errors(void)
{
	static uint32_t word __attribute__((aligned(8))) = 1;
	struct ts32 t20ms = { 0, 20 * 1000 * 1000 };
	struct ts32 bad_ns = { 0, 1000000000 };
	struct ts32 neg = { -1, 0 };
	long r;

	r = futex(&word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
	ut_check(r < 0 && errno == EAGAIN, "WAIT, value differs: %s", res(r));
	r = futex(&word, FUTEX_WAIT_PRIVATE, 1, &t20ms, NULL, 0);
	ut_check(r < 0 && errno == ETIMEDOUT, "WAIT, 20 ms timeout: %s",
		 res(r));
	r = futex(&word, FUTEX_WAIT, 1, &t20ms, NULL, 0);
	ut_check(r < 0 && errno == ETIMEDOUT, "shared WAIT, timeout: %s",
		 res(r));
	r = futex((char *)&word + 1, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
	ut_check(r < 0 && errno == EINVAL, "WAIT, misaligned: %s", res(r));
	r = futex(ut_opaque(0), FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	ut_check(r < 0 && errno == EFAULT, "WAIT on NULL: %s", res(r));
	r = futex(ut_opaque(0xC0000000u), FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	ut_check(r < 0 && errno == EFAULT, "WAIT on a kernel address: %s",
		 res(r));
	r = futex(ut_opaque(0x1000), FUTEX_WAKE, 1, NULL, NULL, 0);
	ut_check(r < 0 && errno == EFAULT, "shared WAKE, unmapped: %s", res(r));
	r = futex(ut_opaque(0x1000), FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	ut_check(r == 0, "private WAKE, unmapped: %s", res(r));
	r = futex(&word, FUTEX_WAIT_PRIVATE, 1, &bad_ns, NULL, 0);
	ut_check(r < 0 && errno == EINVAL, "WAIT, tv_nsec 10^9: %s", res(r));
	r = futex(&word, FUTEX_WAIT_PRIVATE, 1, &neg, NULL, 0);
	ut_check(r < 0 && errno == EINVAL, "WAIT, negative tv_sec: %s", res(r));
	r = futex(&word, FUTEX_WAIT_PRIVATE, 1, ut_opaque(16), NULL, 0);
	ut_check(r < 0 && errno == EFAULT, "WAIT, timeout at a bad address: %s",
		 res(r));
	r = futex(&word, 99, 0, NULL, NULL, 0);
	ut_check(r < 0 && errno == ENOSYS, "operation 99: %s", res(r));
	r = futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0);
	ut_check(r < 0 && errno == ENOSYS, "WAKE with CLOCK_REALTIME: %s",
		 res(r));
	r = futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	ut_check(r == 0, "WAKE, nobody waits: %s", res(r));
	r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0);
	ut_check(r < 0 && errno == EINVAL, "WAIT_BITSET, bitset 0: %s", res(r));
	r = futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0);
	ut_check(r < 0 && errno == EINVAL, "WAKE_BITSET, bitset 0: %s", res(r));
	r = futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, 1, ut_opaque(1), &word, 7);
	ut_check(r < 0 && errno == EAGAIN, "CMP_REQUEUE, value differs: %s",
		 res(r));
	r = futex(&word, FUTEX_CMP_REQUEUE_PRIVATE, (uint32_t)-1, ut_opaque(1),
		  &word, 1);
	ut_check(r < 0 && errno == EINVAL, "CMP_REQUEUE, nr_wake -1: %s",
		 res(r));

	/* Absolute timeouts (WAIT_BITSET) on both clocks. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	struct ts32 abs = { (int32_t)now.tv_sec, (int32_t)now.tv_nsec };
	abs.tv_nsec += 20 * 1000 * 1000;
	if (abs.tv_nsec >= 1000000000) {
		abs.tv_sec++;
		abs.tv_nsec -= 1000000000;
	}
	r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, &abs, NULL,
		  FUTEX_BITSET_MATCH_ANY);
	struct timespec after;
	clock_gettime(CLOCK_MONOTONIC, &after);
	bool late = after.tv_sec > abs.tv_sec || (after.tv_sec == abs.tv_sec &&
						  after.tv_nsec >= abs.tv_nsec);
	ut_check(r < 0 && errno == ETIMEDOUT && late,
		 "WAIT_BITSET until monotonic now + 20 ms: %s, not early",
		 res(r));
	struct ts32 past = { 1, 0 };
	r = futex(&word, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1,
		  &past, NULL, FUTEX_BITSET_MATCH_ANY);
	ut_check(r < 0 && errno == ETIMEDOUT,
		 "WAIT_BITSET, CLOCK_REALTIME date in 1970: %s", res(r));
}

/* --- waiters in threads ------------------------------------------------ */

static uint32_t word_a __attribute__((aligned(4)));
static uint32_t word_b __attribute__((aligned(4)));

struct waiter {
	uint32_t *word;
	int op;
	uint32_t bitset;
	long result;
	int err;
	pthread_t thread;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	uint32_t val = __atomic_load_n(w->word, __ATOMIC_SEQ_CST);
	w->result = futex(w->word, w->op, val, NULL, NULL, w->bitset);
	w->err = w->result < 0 ? errno : 0;
	return NULL;
}

/* Starts a waiter and gives it time to sleep in the kernel. */
static void start(struct waiter *w, uint32_t *word, int op, uint32_t bitset)
{
	*w = (struct waiter){ .word = word,
			      .op = op,
			      .bitset = bitset,
			      .result = -2 };
	pthread_create(&w->thread, NULL, wait_thread, w);
}

static void settle(void)
{
	usleep(100 * 1000);
}

static int finished(struct waiter *w, int n)
{
	int done = 0;
	for (int i = 0; i < n; i++)
		done += w[i].result != -2;
	return done;
}

static void join_all(struct waiter *w, int n)
{
	for (int i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
}

static void wake_and_requeue(void)
{
	struct waiter w[4];
	long r;

	for (int i = 0; i < 3; i++)
		start(&w[i], &word_a, FUTEX_WAIT_PRIVATE,
		      FUTEX_BITSET_MATCH_ANY);
	settle();
	r = futex(&word_a, FUTEX_WAKE, 3, NULL, NULL, 0);
	ut_check(r == 0, "shared WAKE of private waiters: %s", res(r));
	r = futex(&word_a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	settle();
	ut_check(r == 1 && finished(w, 3) == 1, "WAKE 1 of 3 waiters: %s",
		 res(r));
	/* Two left: wake one, move one to word_b. */
	r = futex(&word_a, FUTEX_CMP_REQUEUE_PRIVATE, 1, ut_opaque(5), &word_b,
		  0);
	settle();
	ut_check(r == 2 && finished(w, 3) == 2,
		 "CMP_REQUEUE wakes 1, moves 1: %s", res(r));
	r = futex(&word_a, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0);
	ut_check(r == 0, "nobody left on the first word: %s", res(r));
	r = futex(&word_b, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0);
	settle();
	ut_check(r == 1 && finished(w, 3) == 3,
		 "the moved waiter is woken on the second word: %s", res(r));
	join_all(w, 3);
	bool zero = true;
	for (int i = 0; i < 3; i++)
		zero &= w[i].result == 0;
	ut_check(zero, "every woken WAIT returned 0");

	/* WAKE_OP: word_b += 3 (was 5: equal, so both words are woken). */
	word_b = 5;
	start(&w[0], &word_a, FUTEX_WAIT_PRIVATE, 0);
	start(&w[1], &word_b, FUTEX_WAIT_PRIVATE, 0);
	start(&w[2], &word_b, FUTEX_WAIT_PRIVATE, 0);
	settle();
	r = futex(&word_a, FUTEX_WAKE_OP_PRIVATE, 1, ut_opaque(1), &word_b,
		  FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_EQ, 5));
	settle();
	ut_check(r == 2 && word_b == 8 && finished(w, 3) == 2,
		 "WAKE_OP add 3, old == 5: woke %s, word now %u", res(r),
		 word_b);
	r = futex(&word_a, FUTEX_WAKE_OP_PRIVATE, 1, ut_opaque(1), &word_b,
		  FUTEX_OP(FUTEX_OP_OR, 4, FUTEX_OP_CMP_GT, 100));
	ut_check(r == 0 && word_b == 12,
		 "WAKE_OP or 4, old > 100 fails: woke %s, word now %u", res(r),
		 word_b);
	r = futex(&word_b, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	join_all(w, 3);
	ut_check(r == 1, "the last waiter: %s", res(r));

	/* Bitsets: a wake for bit 1 leaves the waiter for bit 0. */
	start(&w[0], &word_a, FUTEX_WAIT_BITSET_PRIVATE, 1);
	start(&w[1], &word_a, FUTEX_WAIT_BITSET_PRIVATE, 2);
	settle();
	r = futex(&word_a, FUTEX_WAKE_BITSET_PRIVATE, 5, NULL, NULL, 2);
	settle();
	ut_check(r == 1 && w[1].result == 0 && w[0].result == -2,
		 "WAKE_BITSET 2 wakes only the waiter for bit 2: %s", res(r));
	r = futex(&word_a, FUTEX_WAKE_PRIVATE, 5, NULL, NULL, 0);
	join_all(w, 2);
	ut_check(r == 1, "plain WAKE reaches the bit-1 waiter: %s", res(r));
}

/* --- signals ---------------------------------------------------------- */

static volatile int handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

static void interrupted(bool restart)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
	handled = 0;

	struct waiter w;
	start(&w, &word_a, FUTEX_WAIT_PRIVATE, 0);
	settle();
	pthread_kill(w.thread, SIGUSR1);
	settle();
	if (restart) {
		ut_check(handled == 1 && w.result == -2,
			 "SA_RESTART: the handler ran, the wait goes on");
		long r = futex(&word_a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		pthread_join(w.thread, NULL);
		ut_check(r == 1 && w.result == 0,
			 "then a WAKE ends it with 0: %s", res(w.result));
	} else {
		pthread_join(w.thread, NULL);
		ut_check(handled == 1 && w.result == -1 && w.err == EINTR,
			 "a handler without SA_RESTART: WAIT gives %s",
			 ut_errname(w.err));
	}
	signal(SIGUSR1, SIG_DFL);
}

/* --- between processes ------------------------------------------------- */

static void shared_memory(void)
{
	uint32_t *shared = mmap(NULL, UT_PAGE, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared[0] = 0;
	pid_t pid = fork();
	if (pid == 0) {
		long r = futex(&shared[0], FUTEX_WAIT, 0, NULL, NULL, 0);
		_exit(r == 0 ? 0 : 1);
	}
	settle();
	shared[0] = 1;
	long r = futex(&shared[0], FUTEX_WAKE, 1, NULL, NULL, 0);
	int st = ut_wait(pid);
	ut_check(r == 1 && ut_exited(st, 0),
		 "MAP_SHARED word: the parent wakes its child: %s, %s", res(r),
		 ut_status(st));
	munmap(shared, UT_PAGE);
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	errors();
	wake_and_requeue();
	interrupted(false);
	interrupted(true);
	shared_memory();
	return ut_end();
}
