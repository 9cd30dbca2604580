/*
 * tests/user/proc_stat.c - the formats of /proc/stat, /proc/uptime,
 * /proc/loadavg, /proc/PID/stat and /proc/PID/statm, and CPU time.
 *
 * What top, ps, uptime and free read must parse the same way on both
 * systems: the test prints the names of the lines and the number and kind
 * of their fields, never the numbers themselves (times, counts and PIDs
 * differ), and checks the relations between the numbers that hold on any
 * Linux: utime grows while a process spins, and /proc/PID/stat agrees
 * with times() and getrusage(); vsize and rss agree with statm; a zombie
 * shows state Z and its wait status; the boot time plus the uptime is
 * now.
 */
#include "utest.h"

#include <ctype.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <time.h>

static char text[16384];

/* Reads a whole /proc file into text; its length or -1. */
static int slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, text + len, sizeof(text) - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	text[len] = '\0';
	return (int)len;
}

/* Whether s is a decimal number (an optional minus sign, then digits). */
static bool is_number(const char *s)
{
	if (*s == '-')
		s++;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	return *s == '\0';
}

/* Splits line (changed in place) at spaces; returns the field count. */
static int split(char *line, char **f, int max)
{
	int n = 0;
	for (char *tok = strtok(line, " \n"); tok && n < max;
	     tok = strtok(NULL, " \n"))
		f[n++] = tok;
	return n;
}

/*
 * /proc/stat: the line names in order, the cpu lines with exactly ten
 * numbers, the others all numbers.
 */
static void check_proc_stat(void)
{
	static char copy[sizeof(text)];
	char *save, *f[4096];
	char names[256] = "";
	bool all_numbers = true;
	long procs_running = -1, btime = -1;

	ut_check(slurp("/proc/stat") > 0, "/proc/stat reads");
	ut_check(!strncmp(text, "cpu  ", 5), "first line starts \"cpu  \"");
	strcpy(copy, text);
	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int n = split(line, f, 4096);
		if (n == 0)
			continue;
		for (int i = 1; i < n; i++)
			all_numbers &= is_number(f[i]);
		if (!strcmp(f[0], "cpu") || !strcmp(f[0], "cpu0"))
			ut_check(n - 1 == 10, "%s: %d times", f[0], n - 1);
		else if (!strcmp(f[0], "intr"))
			ut_check(n - 1 >= 2,
				 "intr: a total and per-line counts");
		else if (!strcmp(f[0], "softirq"))
			ut_check(n - 1 == 11, "softirq: %d numbers", n - 1);
		else
			ut_check(n - 1 == 1, "%s: one number", f[0]);
		if (!strcmp(f[0], "procs_running"))
			procs_running = atol(f[1]);
		if (!strcmp(f[0], "btime"))
			btime = atol(f[1]);
		if (strlen(names) + strlen(f[0]) + 2 < sizeof(names)) {
			strcat(names, " ");
			strcat(names, f[0]);
		}
	}
	ut_fact("/proc/stat lines:%s", names);
	ut_check(all_numbers, "every field after the name is a number");
	ut_check(procs_running >= 1, "procs_running counts this process");

	/* btime + uptime = now, within a second or two of rounding. */
	double up = 0;
	slurp("/proc/uptime");
	sscanf(text, "%lf", &up);
	long now = (long)time(NULL);
	ut_check(labs(btime + (long)up - now) <= 2, "btime + uptime is now");
}

/* /proc/uptime: two numbers with two decimals. */
static void check_uptime(void)
{
	unsigned long a, b, c, d;
	char end;
	ut_check(slurp("/proc/uptime") > 0, "/proc/uptime reads");
	int n = sscanf(text, "%lu.%2lu %lu.%2lu%c", &a, &b, &c, &d, &end);
	ut_check(n == 5 && end == '\n' && strlen(strchr(text, '.')) > 3,
		 "/proc/uptime: \"S.CC S.CC\\n\"");
	ut_check(strchr(text, ' ')[-3] == '.' && text[strlen(text) - 4] == '.',
		 "two decimals each");
}

/* /proc/loadavg: "L.LL L.LL L.LL R/T PID"; last PID at least our child's. */
static void check_loadavg(void)
{
	unsigned a, b, c, d, e, f, running, total;
	int last;
	char end;
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	ut_check(slurp("/proc/loadavg") > 0, "/proc/loadavg reads");
	int n = sscanf(text, "%u.%2u %u.%2u %u.%2u %u/%u %d%c", &a, &b, &c, &d,
		       &e, &f, &running, &total, &last, &end);
	ut_check(n == 10 && end == '\n', "/proc/loadavg: 3 loads, R/T, PID");
	ut_check(running >= 1 && running <= total, "1 <= running <= total");
	ut_check(last >= child, "the last PID is at least our last child's");
	/* sysinfo's loads are the same averages with 16 fraction bits. */
	struct sysinfo si;
	ut_check(sysinfo(&si) == 0 && (si.loads[0] >> 16) <= a + 1,
		 "sysinfo loads agree with /proc/loadavg");
}

/* The fields of /proc/PID/stat (f[1] is the comm without parentheses). */
static int read_pid_stat(pid_t pid, char **f, char *comm, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (slurp(path) <= 0)
		return -1;
	char *open_paren = strchr(text, '(');
	char *close_paren = strrchr(text, ')');
	if (!open_paren || !close_paren)
		return -1;
	snprintf(comm, size, "%.*s", (int)(close_paren - open_paren - 1),
		 open_paren + 1);
	f[0] = text;
	open_paren[-1] = '\0';
	f[1] = comm;
	return 2 + split(close_paren + 2, f + 2, 60);
}

/* Spins in user mode until times() shows n more ticks of user time. */
static void spin_user_ticks(clock_t n)
{
	struct tms t0, t;
	volatile unsigned long x = 0;
	times(&t0);
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i;
		times(&t);
	} while (t.tms_utime - t0.tms_utime < n);
}

static void check_pid_stat(void)
{
	char *f[64], comm[64];
	int n = read_pid_stat(getpid(), f, comm, sizeof(comm));
	ut_check(n == 52, "/proc/self/stat: %d fields", n);
	ut_fact("comm (%s) state %s", comm, f[2]);
	bool numbers = true;
	for (int i = 3; i < n; i++)
		numbers &= is_number(f[i]);
	ut_check(numbers, "fields 4-52 are numbers");
	ut_check(atol(f[3]) == getppid(), "ppid (4) is getppid()");
	ut_check(atol(f[19]) == 1, "num_threads (20) is 1");
	ut_check(atol(f[37]) == SIGCHLD, "exit_signal (38) is SIGCHLD");
	ut_check(atol(f[51]) == 0, "exit_code (52) of a live process is 0");
	unsigned long vsize = strtoul(f[22], NULL, 10);
	long rss = atol(f[23]);
	long ut0 = atol(f[13]); /* f points into text, which is reused */

	/* statm: seven numbers; size and resident agree with stat. */
	unsigned long sz, res, shared, txt, lib, data, dt;
	slurp("/proc/self/statm");
	int m = sscanf(text, "%lu %lu %lu %lu %lu %lu %lu", &sz, &res, &shared,
		       &txt, &lib, &data, &dt);
	ut_check(m == 7, "/proc/self/statm: 7 fields");
	ut_check(sz * UT_PAGE == vsize, "statm size * page = stat vsize");
	ut_check(labs((long)res - rss) <= 2, "statm resident ~ stat rss");
	ut_check(txt > 0 && lib == 0 && dt == 0 && data > 0 && res <= sz,
		 "statm: text > 0, lib 0, data > 0, dt 0");

	/* utime grows while we spin, and stat agrees with times(). */
	spin_user_ticks(20);
	struct tms t;
	times(&t);
	n = read_pid_stat(getpid(), f, comm, sizeof(comm));
	long ut1 = atol(f[13]);
	/*
	 * Linux scales tick counts by the precise run time (cputime_adjust),
	 * so two readings may differ by a tick or two from times()'s view.
	 */
	ut_check(ut1 >= ut0 + 15, "utime (14) grew while spinning");
	ut_check(labs(ut1 - (long)t.tms_utime) <= 2, "stat utime = times()");
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	long ru_ticks = ru.ru_utime.tv_sec * 100 + ru.ru_utime.tv_usec / 10000;
	ut_check(labs(ru_ticks - ut1) <= 2, "getrusage ru_utime = stat utime");
	ut_check(ru.ru_maxrss > 0 && ru.ru_minflt > 0,
		 "getrusage: maxrss and minflt counted");
	ut_check(getrusage(5, &ru) == -1 && errno == EINVAL,
		 "getrusage(5): EINVAL");
}

/*
 * wait4's rusage: a child that spins 10 ticks and touches 1 MiB; its
 * time, faults and peak RSS come back to the parent, and into
 * RUSAGE_CHILDREN and times().
 */
static void check_wait4_rusage(void)
{
	struct rusage before, ru, after;
	struct tms t;
	getrusage(RUSAGE_CHILDREN, &before);
	pid_t child = fork();
	if (child == 0) {
		static char mem[1 << 20];
		for (size_t i = 0; i < sizeof(mem); i += UT_PAGE)
			mem[i] = 1;
		spin_user_ticks(10);
		_exit(mem[4096] - 1);
	}
	int status;
	pid_t got = wait4(child, &status, 0, &ru);
	ut_check(got == child && WIFEXITED(status), "wait4 reaps the child");
	long ticks = ru.ru_utime.tv_sec * 100 + ru.ru_utime.tv_usec / 10000;
	ut_check(ticks >= 10, "wait4 rusage: user time of the spin");
	ut_check(ru.ru_maxrss >= 1024 && ru.ru_minflt >= 256,
		 "wait4 rusage: 1 MiB peak RSS, its page faults");
	getrusage(RUSAGE_CHILDREN, &after);
	long grown = (after.ru_utime.tv_sec - before.ru_utime.tv_sec) * 100 +
		     (after.ru_utime.tv_usec - before.ru_utime.tv_usec) / 10000;
	ut_check(labs(grown - ticks) <= 1 && after.ru_maxrss >= ru.ru_maxrss,
		 "RUSAGE_CHILDREN grew by the same");
	times(&t);
	long cut = after.ru_utime.tv_sec * 100 + after.ru_utime.tv_usec / 10000;
	ut_check(labs((long)t.tms_cutime - cut) <= 2, "times() cutime agrees");
	/* WNOHANG with nothing to reap leaves rusage alone. */
	pid_t idle = fork();
	if (idle == 0) {
		pause();
		_exit(0);
	}
	memset(&ru, 0x5a, sizeof(ru));
	got = wait4(idle, &status, WNOHANG, &ru);
	ut_check(got == 0 && ru.ru_maxrss == 0x5a5a5a5a,
		 "wait4 WNOHANG, nothing reaped: rusage untouched");
	kill(idle, SIGKILL);
	waitpid(idle, NULL, 0);
}

/* Polls /proc/PID/stat until the state letter is want (or 2 s pass). */
static int wait_state(pid_t pid, char **f, char *comm, size_t size,
		      const char *want)
{
	int n = -1;
	for (int i = 0; i < 200; i++) {
		n = read_pid_stat(pid, f, comm, size);
		if (n == 52 && !strcmp(f[2], want))
			break;
		usleep(10000);
	}
	return n;
}

/* A zombie: state Z, its wait status in field 52, no memory. */
static void check_zombie(void)
{
	char *f[64], comm[64];
	pid_t child = fork();
	if (child == 0)
		_exit(3);
	int n = wait_state(child, f, comm, sizeof(comm), "Z");
	ut_check(n == 52, "zombie stat: %d fields", n);
	ut_fact("zombie: state %s exit_code %s vsize %s rss %s", f[2], f[51],
		f[22], f[23]);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)child);
	slurp(path);
	ut_fact("zombie statm: %s", strtok(text, "\n"));
	waitpid(child, NULL, 0);
}

/* A process blocked in pause() is S (sleeping), and a killed one goes. */
static void check_sleeping(void)
{
	char *f[64], comm[64];
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	wait_state(child, f, comm, sizeof(comm), "S");
	ut_fact("sleeping child: comm (%s) state %s", comm, f[2]);
	kill(child, SIGKILL);
	int status;
	waitpid(child, &status, 0);
	ut_fact("then %s", ut_status(status));
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	check_proc_stat();
	check_uptime();
	check_loadavg();
	check_pid_stat();
	check_zombie();
	check_sleeping();
	check_wait4_rusage();
	return ut_end();
}
