/*
 * tests/user/sleep_forever.c - sleeps with the largest times a program
 * can ask for.
 *
 * A relative sleep of INT64_MAX seconds (clock_nanosleep_time64), or of
 * INT32_MAX seconds with the old 32-bit timespec (nanosleep,
 * clock_nanosleep), or an absolute one until the end of 64-bit time,
 * does not end before the machine does. Linux turns a time past
 * KTIME_SEC_MAX into KTIME_MAX, "never" (timespec64_to_ktime in
 * include/linux/ktime.h), and adds it to the clock without overflowing
 * (ktime_add_safe in kernel/time/hrtimer.c). A kernel that overflows
 * instead gets a deadline in the past, and the sleep returns 0 at once.
 *
 * Each sleep runs in a child; the parent checks that the child is still
 * asleep a little later, then kills it (SIGKILL) and reports how it
 * ended. The invalid times around the extremes give EINVAL (a negative
 * second, a nanosecond count of 10^9: nanosleep(2)).
 *
 * The overflow needs a clock that has passed a few seconds (the sum
 * exceeds INT64_MAX nanoseconds only then), so the test first waits until
 * CLOCK_MONOTONIC reads at least MIN_UPTIME seconds.
 */
#include "utest.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

/* The clock reading (seconds) before the sleeps start. */
#define MIN_UPTIME 3
/* How long each child must stay asleep, in milliseconds. */
#define ASLEEP_MS 200

/* Linux i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
#define NR_nanosleep 162
#define NR_clock_nanosleep 267
#define NR_clock_nanosleep_time64 407

struct ts32 {
	int32_t tv_sec;
	int32_t tv_nsec;
};

struct ts64 {
	int64_t tv_sec;
	int32_t tv_nsec; /* a long on i386, padded to 64 bits */
	int32_t pad;
};

enum call {
	NANOSLEEP32,
	CLOCK_NANOSLEEP32,
	CLOCK_NANOSLEEP64
};

struct sleep_case {
	const char *name;
	enum call call;
	int clock, flags;
	int64_t sec;
	int32_t nsec;
};

static const struct sleep_case forever[] = {
	{ "nanosleep {INT32_MAX, 999999999}", NANOSLEEP32, 0, 0, INT32_MAX,
	  999999999 },
	{ "clock_nanosleep(MONOTONIC) {INT32_MAX, 999999999}",
	  CLOCK_NANOSLEEP32, CLOCK_MONOTONIC, 0, INT32_MAX, 999999999 },
	{ "clock_nanosleep_time64(MONOTONIC) {INT64_MAX, 999999999}",
	  CLOCK_NANOSLEEP64, CLOCK_MONOTONIC, 0, INT64_MAX, 999999999 },
	{ "clock_nanosleep_time64(REALTIME) {INT64_MAX, 999999999}",
	  CLOCK_NANOSLEEP64, CLOCK_REALTIME, 0, INT64_MAX, 999999999 },
	{ "clock_nanosleep_time64(BOOTTIME) {INT64_MAX, 0}", CLOCK_NANOSLEEP64,
	  CLOCK_BOOTTIME, 0, INT64_MAX, 0 },
	{ "clock_nanosleep_time64(MONOTONIC) {INT64_MAX / 10^9, 0}",
	  CLOCK_NANOSLEEP64, CLOCK_MONOTONIC, 0, INT64_MAX / 1000000000, 0 },
	{ "clock_nanosleep_time64(MONOTONIC, ABSTIME) {INT64_MAX, 999999999}",
	  CLOCK_NANOSLEEP64, CLOCK_MONOTONIC, TIMER_ABSTIME, INT64_MAX,
	  999999999 },
	{ "clock_nanosleep_time64(REALTIME, ABSTIME) {INT64_MAX, 999999999}",
	  CLOCK_NANOSLEEP64, CLOCK_REALTIME, TIMER_ABSTIME, INT64_MAX,
	  999999999 },
	{ "clock_nanosleep(REALTIME, ABSTIME) {INT32_MAX, 999999999}",
	  CLOCK_NANOSLEEP32, CLOCK_REALTIME, TIMER_ABSTIME, INT32_MAX,
	  999999999 },
};

static const struct sleep_case invalid[] = {
	{ "nanosleep {-1, 0}", NANOSLEEP32, 0, 0, -1, 0 },
	{ "nanosleep {INT32_MAX, 10^9}", NANOSLEEP32, 0, 0, INT32_MAX,
	  1000000000 },
	{ "clock_nanosleep_time64(MONOTONIC) {INT64_MIN, 0}", CLOCK_NANOSLEEP64,
	  CLOCK_MONOTONIC, 0, INT64_MIN, 0 },
	{ "clock_nanosleep_time64(MONOTONIC) {INT64_MAX, 10^9}",
	  CLOCK_NANOSLEEP64, CLOCK_MONOTONIC, 0, INT64_MAX, 1000000000 },
	{ "clock_nanosleep_time64(MONOTONIC, ABSTIME) {INT64_MAX, -1}",
	  CLOCK_NANOSLEEP64, CLOCK_MONOTONIC, TIMER_ABSTIME, INT64_MAX, -1 },
};

/* Makes the sleep; returns 0 or -errno. */
static long do_sleep(const struct sleep_case *c)
{
	long r;

	if (c->call == CLOCK_NANOSLEEP64) {
		struct ts64 ts = { c->sec, c->nsec, 0 };

		r = syscall(NR_clock_nanosleep_time64, c->clock, c->flags, &ts,
			    NULL);
	} else {
		struct ts32 ts = { (int32_t)c->sec, c->nsec };

		if (c->call == NANOSLEEP32)
			r = syscall(NR_nanosleep, &ts, NULL);
		else
			r = syscall(NR_clock_nanosleep, c->clock, c->flags, &ts,
				    NULL);
	}
	/* clock_nanosleep returns the error itself, nanosleep sets errno. */
	if (c->call != NANOSLEEP32 && r > 0)
		return -r;
	return r < 0 ? -errno : r;
}

/* Milliseconds of CLOCK_MONOTONIC. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms milliseconds (a short, ordinary sleep). */
static void nap(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A sleep that must last: the child is still asleep, then killed. */
static void check_forever(const struct sleep_case *c)
{
	pid_t pid = fork();

	if (pid < 0) {
		ut_check(false, "%s: fork: %s", c->name, ut_errname(errno));
		return;
	}
	if (pid == 0) {
		long r = do_sleep(c);

		/* Woke up: say how (exit 100 + errno, or 0). */
		_exit(r < 0 ? (int)(100 - r) : 0);
	}
	nap(ASLEEP_MS);
	int status;
	pid_t r = waitpid(pid, &status, WNOHANG);
	bool asleep = r == 0;
	char early[96] = "";

	if (!asleep)
		snprintf(early, sizeof(early), " (ended early: %s)",
			 ut_status(status));
	if (asleep) {
		kill(pid, SIGKILL);
		status = ut_wait(pid);
	}
	ut_check(asleep && ut_killed_by(status, SIGKILL),
		 "%s: %s after %d ms%s", c->name,
		 asleep ? "still asleep" : "awake", ASLEEP_MS, early);
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	int64_t wait = MIN_UPTIME * 1000 - now_ms();

	if (wait > 0)
		nap((int)wait);
	for (size_t i = 0; i < sizeof(forever) / sizeof(forever[0]); i++)
		check_forever(&forever[i]);
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		long r = do_sleep(&invalid[i]);

		ut_check(r == -EINVAL, "%s: %s", invalid[i].name,
			 ut_errname((int)-r));
	}
	return ut_end();
}
