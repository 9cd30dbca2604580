/*
 * kernel/syscall/sys_misc.c - system calls about the system rather than a file.
 *
 * uname (the user and group ids are kernel/proc/sys_cred.c), getrandom,
 * sysinfo, sched_yield, and time: clock_gettime, clock_getres,
 * gettimeofday, time, nanosleep and clock_nanosleep. i386 has two forms
 * of the time calls: the old ones with a 32-bit time_t, and the *_time64
 * ones (403-407) that glibc tries first.
 */
#include "fs/file.h"
#include "kernel/proc/cpustat.h"
#include "kernel/proc/proc.h"
#include "kernel/random.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/syscall.h"
#include "kernel/time.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/version.h"
#include "drivers/pit.h"
#include "kernel/sysctl.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/pmm.h"
#include "mm/swap.h"

/* --- uname ---------------------------------------------------------------- */

#define UTS_LEN 65 /* __NEW_UTS_LEN + 1 (include/uapi/linux/utsname.h) */

struct new_utsname {
	char sysname[UTS_LEN];
	char nodename[UTS_LEN];
	char release[UTS_LEN];
	char version[UTS_LEN];
	char machine[UTS_LEN];
	char domainname[UTS_LEN];
};

/* uname(buf): struct new_utsname. */
static int32_t sys_uname(const struct syscall_args *a)
{
	struct new_utsname u;
	memset(&u, 0, sizeof(u));
	strlcpy(u.sysname, PAGODA_NAME, UTS_LEN);
	strlcpy(u.nodename, sysctl_hostname, UTS_LEN);
	strlcpy(u.release, PAGODA_UTS_RELEASE, UTS_LEN);
	strlcpy(u.version, SYSCTL_UTS_VERSION, UTS_LEN);
	strlcpy(u.machine, "i686", UTS_LEN);
	strlcpy(u.domainname, "(none)", UTS_LEN);
	return copy_to_user((void *)a->arg[0], &u, sizeof(u));
}
SYSCALL(122, uname, sys_uname);

/* --- getrandom ------------------------------------------------------------ */

/* getrandom flags (include/uapi/linux/random.h). */
#define GRND_NONBLOCK 0x1
#define GRND_RANDOM 0x2
#define GRND_INSECURE 0x4
#define GETRANDOM_MAX 0x1ffffff /* Linux returns at most this per call */

static int32_t sys_getrandom(const struct syscall_args *a)
{
	uint32_t ubuf = a->arg[0], n = a->arg[1], flags = a->arg[2];
	uint8_t chunk[256];

	if (flags & ~(uint32_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	if (n > GETRANDOM_MAX)
		n = GETRANDOM_MAX;
	if (!user_range_ok(ubuf, n))
		return -EFAULT;
	for (uint32_t done = 0; done < n;) {
		uint32_t k = n - done < sizeof(chunk) ? n - done
						      : sizeof(chunk);
		random_bytes(chunk, k);
		if (copy_to_user((void *)(ubuf + done), chunk, k))
			return done ? (int32_t)done : -EFAULT;
		done += k;
	}
	/* Output already handed out must not stay in kernel memory. */
	memset(chunk, 0, sizeof(chunk));
	return (int32_t)n;
}
SYSCALL(355, getrandom, sys_getrandom);

/* --- sysinfo ----------------------------------------------------------- */

/* struct sysinfo of Linux i386 (include/uapi/linux/sysinfo.h): 64 bytes. */
struct linux_sysinfo {
	int32_t uptime;
	uint32_t loads[3];
	uint32_t totalram, freeram, sharedram, bufferram;
	uint32_t totalswap, freeswap;
	uint16_t procs;
	uint16_t pad;
	uint32_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[8];
};

STATIC_ASSERT(sizeof(struct linux_sysinfo) == 64, "i386 struct sysinfo");

/*
 * sysinfo(info): memory, swap, uptime and the number of processes.
 * Linux's do_sysinfo() (kernel/sys.c) reports bytes (mem_unit 1) when RAM
 * plus swap fits in 32 bits, else pages (mem_unit PAGE_SIZE).
 */
static int32_t sys_sysinfo(const struct syscall_args *a)
{
	struct linux_sysinfo si;
	struct pmm_stats st;
	struct swap_stats sw;
	uint32_t unit = PAGE_SIZE;

	pmm_get_stats(&st);
	swap_get_stats(&sw);
	memset(&si, 0, sizeof(si));
	si.uptime = (int32_t)(uptime_ms() / 1000);
	if (((uint64_t)st.managed_pages + sw.total) * PAGE_SIZE <= UINT32_MAX)
		unit = 1;
	si.mem_unit = unit;
	si.totalram = st.managed_pages * (PAGE_SIZE / unit);
	si.freeram = st.free_pages * (PAGE_SIZE / unit);
	si.totalswap = sw.total * (PAGE_SIZE / unit);
	si.freeswap = sw.free * (PAGE_SIZE / unit);
	/* As a 32-bit Linux with highmem: its share of totalram, freeram. */
	si.totalhigh = st.highmem_managed_pages * (PAGE_SIZE / unit);
	si.freehigh = st.highmem_free_pages * (PAGE_SIZE / unit);
	si.procs = (uint16_t)proc_count();
	/* Fixed point with SI_LOAD_SHIFT (16) fraction bits, not 11. */
	for (int i = 0; i < 3; i++)
		si.loads[i] = avenrun[i] << (16 - LOADAVG_FSHIFT);
	return copy_to_user((void *)a->arg[0], &si, sizeof(si));
}
SYSCALL(116, sysinfo, sys_sysinfo);

/* sched_yield(): lets another runnable process run first. */
static int32_t sys_sched_yield(const struct syscall_args *a)
{
	(void)a;
	sched_yield();
	return 0;
}
SYSCALL(158, sched_yield, sys_sched_yield);

/* --- time ----------------------------------------------------------------- */

/* struct timespec with a 32-bit time_t, and the 64-bit __kernel_timespec. */
struct timespec32 {
	int32_t tv_sec;
	int32_t tv_nsec;
};

struct timespec64 {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct timeval32 {
	int32_t tv_sec;
	int32_t tv_usec;
};

#define TIMER_ABSTIME 1 /* clock_nanosleep: an absolute time */

/* Writes a time in ns as the 32- or 64-bit timespec to user memory. */
static int put_timespec(uint32_t uts, int64_t ns, bool is64)
{
	if (is64) {
		struct timespec64 ts = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
		return copy_to_user((void *)uts, &ts, sizeof(ts));
	}
	struct timespec32 ts = { (int32_t)(ns / NSEC_PER_SEC),
				 (int32_t)(ns % NSEC_PER_SEC) };
	return copy_to_user((void *)uts, &ts, sizeof(ts));
}

/*
 * Reads a timespec into ns; -EINVAL unless 0 <= tv_nsec < 10^9 and
 * tv_sec >= 0. The 64-bit form's tv_nsec is a 32-bit long on i386: only
 * its low half counts, as on Linux. A time too large for 64 bits of
 * nanoseconds is TIME_NS_MAX, "never" (timespec64_to_ktime on Linux).
 */
static int get_timespec(uint32_t uts, int64_t *ns, bool is64)
{
	int64_t sec, nsec;
	if (is64) {
		struct timespec64 ts;
		if (copy_from_user(&ts, (const void *)uts, sizeof(ts)))
			return -EFAULT;
		sec = ts.tv_sec;
		nsec = (int32_t)ts.tv_nsec;
	} else {
		struct timespec32 ts;
		if (copy_from_user(&ts, (const void *)uts, sizeof(ts)))
			return -EFAULT;
		sec = ts.tv_sec;
		nsec = ts.tv_nsec;
	}
	if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (sec >= TIME_NS_MAX / NSEC_PER_SEC)
		*ns = TIME_NS_MAX;
	else
		*ns = sec * NSEC_PER_SEC + nsec;
	return 0;
}

/* clock_gettime in either timespec layout. */
static int32_t do_clock_gettime(uint32_t clock, uint32_t uts, bool is64)
{
	int64_t ns;
	int err = time_clock_read((int)clock, &ns);
	if (err)
		return err;
	return put_timespec(uts, ns, is64);
}

/* clock_gettime(clock, ts) with a 32-bit time_t. */
static int32_t sys_clock_gettime(const struct syscall_args *a)
{
	return do_clock_gettime(a->arg[0], a->arg[1], false);
}
SYSCALL(265, clock_gettime, sys_clock_gettime);

/* clock_gettime64(clock, ts) with a 64-bit time_t. */
static int32_t sys_clock_gettime64(const struct syscall_args *a)
{
	return do_clock_gettime(a->arg[0], a->arg[1], true);
}
SYSCALL(403, clock_gettime64, sys_clock_gettime64);

/* clock_getres: one timer tick for every clock Pagoda keeps. */
static int32_t do_clock_getres(uint32_t clock, uint32_t uts, bool is64)
{
	int64_t ns;
	int err = time_clock_read((int)clock, &ns);
	if (err)
		return err;
	return uts ? put_timespec(uts, time_tick_ns(), is64) : 0;
}

/* clock_getres(clock, res). */
static int32_t sys_clock_getres(const struct syscall_args *a)
{
	return do_clock_getres(a->arg[0], a->arg[1], false);
}
SYSCALL(266, clock_getres, sys_clock_getres);

/* clock_getres_time64(clock, res). */
static int32_t sys_clock_getres64(const struct syscall_args *a)
{
	return do_clock_getres(a->arg[0], a->arg[1], true);
}
SYSCALL(406, clock_getres_time64, sys_clock_getres64);

/* gettimeofday(tv, tz). */
static int32_t sys_gettimeofday(const struct syscall_args *a)
{
	if (a->arg[0]) {
		int64_t ns = time_realtime_ns();
		struct timeval32 tv = { (int32_t)(ns / NSEC_PER_SEC),
					(int32_t)(ns % NSEC_PER_SEC / 1000) };
		if (copy_to_user((void *)a->arg[0], &tv, sizeof(tv)))
			return -EFAULT;
	}
	/* The time zone is always UTC: minuteswest 0, no DST. */
	if (a->arg[1] && clear_user((void *)a->arg[1], 2 * sizeof(int32_t)))
		return -EFAULT;
	return 0;
}
SYSCALL(78, gettimeofday, sys_gettimeofday);

/* time(tloc): seconds since the epoch. */
static int32_t sys_time(const struct syscall_args *a)
{
	int32_t t = (int32_t)(time_realtime_ns() / NSEC_PER_SEC);
	if (a->arg[0] && copy_to_user((void *)a->arg[0], &t, sizeof(t)))
		return -EFAULT;
	return t;
}
SYSCALL(13, time, sys_time);

/*
 * Sleeps until the monotonic clock reaches deadline_ns. The clock moves in
 * ticks, so the wait ends on the first tick at or after the deadline: a
 * program reading the clock afterwards never sees less time go by than it
 * asked for. A deadline of TIME_NS_MAX is in 292 years: only a signal
 * ends that sleep. A signal ends the sleep early with -EINTR and, when rem
 * is given, the time that was left.
 */
static int32_t sleep_until_ns(int64_t deadline_ns, uint32_t urem, bool is64)
{
	int64_t tick = time_tick_ns();
	if (deadline_ns <= time_monotonic_ns())
		return 0;
	/* Rounded up, without the overflow of deadline_ns + tick - 1. */
	uint64_t wake =
		(uint64_t)(deadline_ns / tick) + (deadline_ns % tick != 0);
	int err = sched_sleep_until(wake);
	if (err != -EINTR)
		return 0;
	if (urem) {
		int64_t left = deadline_ns - time_monotonic_ns();
		if (put_timespec(urem, left > 0 ? left : 0, is64))
			return -EFAULT;
	}
	return -EINTR;
}

/* nanosleep in either timespec layout: a relative sleep. */
static int32_t do_nanosleep(uint32_t ureq, uint32_t urem, bool is64)
{
	int64_t ns;
	int err = get_timespec(ureq, &ns, is64);
	if (err)
		return err;
	return sleep_until_ns(time_add_ns(time_monotonic_ns(), ns), urem, is64);
}

/* nanosleep(req, rem). */
static int32_t sys_nanosleep(const struct syscall_args *a)
{
	return do_nanosleep(a->arg[0], a->arg[1], false);
}
SYSCALL(162, nanosleep, sys_nanosleep);

/* clock_nanosleep(clock, flags, request, remain). */
static int32_t do_clock_nanosleep(const struct syscall_args *a, bool is64)
{
	uint32_t clock = a->arg[0], flags = a->arg[1];
	int64_t ns;

	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
	    clock != CLOCK_BOOTTIME)
		return -EINVAL;
	int err = get_timespec(a->arg[2], &ns, is64);
	if (err)
		return err;
	if (!(flags & TIMER_ABSTIME))
		return sleep_until_ns(time_add_ns(time_monotonic_ns(), ns),
				      a->arg[3], is64);
	/*
	 * An absolute wall-clock time becomes a monotonic deadline ("never"
	 * stays never). The clocks differ by the date of boot, which is
	 * negative only if the CMOS clock is before 1970.
	 */
	if (clock == CLOCK_REALTIME && ns != TIME_NS_MAX) {
		int64_t boot = time_realtime_ns() - time_monotonic_ns();
		ns = boot >= 0 ? ns - boot : time_add_ns(ns, -boot);
	}
	return sleep_until_ns(ns, 0, is64);
}

/* clock_nanosleep(clock, flags, req, rem) with 32-bit times. */
static int32_t sys_clock_nanosleep(const struct syscall_args *a)
{
	return do_clock_nanosleep(a, false);
}
SYSCALL(267, clock_nanosleep, sys_clock_nanosleep);

/* clock_nanosleep_time64(clock, flags, req, rem). */
static int32_t sys_clock_nanosleep64(const struct syscall_args *a)
{
	return do_clock_nanosleep(a, true);
}
SYSCALL(407, clock_nanosleep_time64, sys_clock_nanosleep64);
