/*
 * tests/user/adv_proc.c - /proc read as an attacker would: a byte at a
 * time, at odd offsets, into memory the reader may not write, through
 * descriptors opened before the process they describe went away, with
 * very long command lines and names, and until no descriptor is left.
 *
 * What a /proc file says is the same however it is read: the program
 * checks that reading a byte at a time gives what one read gives, and
 * prints the errors Linux defines for the rest.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define PG UT_PAGE

/* "ok" or the errno name of the last call's result r. */
static const char *err_of(long r)
{
	return r == -1 ? ut_errname(errno) : "ok";
}

/* Reads all of fd from where it is, with reads of `chunk` bytes. */
static size_t slurp(int fd, char *buf, size_t size, size_t chunk)
{
	size_t len = 0;
	ssize_t n;

	while (len < size &&
	       (n = read(fd, buf + len,
			 chunk < size - len ? chunk : size - len)) > 0)
		len += (size_t)n;
	return len;
}

/* The same file read whole and a byte at a time gives the same text. */
static void same_by_bytes(const char *path)
{
	static char whole[1 << 16], bytes[1 << 16];
	/* Touched first, so that reading does not change what is read. */
	memset(whole, 0, sizeof(whole));
	memset(bytes, 0, sizeof(bytes));
	int fd = open(path, O_RDONLY);
	size_t a = slurp(fd, whole, sizeof(whole), sizeof(whole));
	close(fd);
	fd = open(path, O_RDONLY);
	size_t b = slurp(fd, bytes, sizeof(bytes), 1);
	close(fd);
	ut_check(a > 0 && a == b && !memcmp(whole, bytes, a),
		 "%s a byte at a time is the same text", path);
}

/* Offsets: pread in the middle, lseek to odd places. */
static void offsets(void)
{
	static char whole[8192], part[64];
	int fd = open("/proc/self/cmdline", O_RDONLY);
	size_t n = slurp(fd, whole, sizeof(whole), sizeof(whole));
	ssize_t r = pread(fd, part, 5, 3);
	ut_check(r == (n >= 8 ? 5 : (ssize_t)n - 3) &&
			 !memcmp(part, whole + 3, (size_t)r),
		 "pread of cmdline at offset 3");
	ut_fact("pread at offset 1000000: %s",
		(r = pread(fd, part, 5, 1000000)) == 0 ? "0 bytes"
							: err_of(r));
	ut_fact("lseek to -1: %s", err_of(lseek(fd, -1, SEEK_SET)));
	close(fd);

	fd = open("/proc/self/maps", O_RDONLY);
	ut_fact("write to /proc/self/maps: %s", err_of(write(fd, "x", 1)));
	ut_fact("read into PROT_NONE memory: %s",
		err_of(read(fd, mmap(NULL, PG, PROT_NONE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
				16)));
	ut_fact("read into the kernel's half: %s",
		err_of(read(fd, ut_opaque(0xFFFFF000u), 16)));
	ut_fact("read of length 0: %s", err_of(read(fd, part, 0)));
	close(fd);
	fd = open("/proc/self/maps", O_WRONLY);
	ut_fact("open /proc/self/maps for writing: %s", err_of(fd));
	if (fd >= 0)
		close(fd);
	ut_fact("open /proc/self/status as a directory: %s",
		err_of(open("/proc/self/status/x", O_RDONLY)));
}

/* A process that goes away while its files are open. */
static void vanished(void)
{
	char path[64], buf[4096];
	int pfd[2];
	pipe(pfd);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		close(pfd[1]);
		read(pfd[0], &c, 1); /* until the parent lets go */
		_exit(3);
	}
	close(pfd[0]);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	int status_fd = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	int maps_fd = open(path, O_RDONLY);
	ut_check(status_fd >= 0 && maps_fd >= 0, "a child's files are open");

	close(pfd[1]); /* the child exits, and is a zombie */
	siginfo_t si;
	waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);
	ssize_t n = pread(status_fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	char *state = strstr(buf, "State:");
	ut_fact("a zombie's status: %.*s", state ? 16 : 4,
		state ? state : "none");
	n = pread(maps_fd, buf, sizeof(buf), 0);
	ut_fact("a zombie's maps: %s",
		n == 0 ? "empty" : n < 0 ? ut_errname(errno) : "some");

	ut_wait(pid); /* reaped: gone */
	n = pread(status_fd, buf, sizeof(buf), 0);
	ut_fact("status of a reaped process: %s",
		n < 0 ? ut_errname(errno) : n == 0 ? "0 bytes" : "some");
	n = pread(maps_fd, buf, sizeof(buf), 0);
	ut_fact("maps of a reaped process: %s",
		n < 0 ? ut_errname(errno) : n == 0 ? "0 bytes" : "some");
	ut_fact("open of a reaped process's status: %s",
		err_of(open("/proc/999999/status", O_RDONLY)));
	close(status_fd);
	close(maps_fd);
}

/* A child started with a long command line reads it back. */
static int long_cmdline(const char *self)
{
	static char args[100][201];
	char *argv[103];
	argv[0] = (char *)self;
	argv[1] = "--cmdline";
	for (int i = 0; i < 100; i++) {
		memset(args[i], 'a' + i % 26, 200);
		args[i][200] = '\0';
		argv[i + 2] = args[i];
	}
	argv[102] = NULL;
	pid_t pid = fork();
	if (pid == 0) {
		execv(self, argv);
		_exit(127);
	}
	return ut_wait(pid);
}

/* The child's half: its cmdline is its argv, NULs included. */
static int check_cmdline(int argc, char **argv)
{
	static char buf[1 << 16], want[1 << 16];
	size_t w = 0;
	for (int i = 0; i < argc; i++) {
		size_t l = strlen(argv[i]) + 1;
		memcpy(want + w, argv[i], l);
		w += l;
	}
	int fd = open("/proc/self/cmdline", O_RDONLY);
	size_t n = slurp(fd, buf, sizeof(buf), 777);
	close(fd);
	return n == w && !memcmp(buf, want, n) ? 0 : 1;
}

/* Names: comm is 15 bytes at most, whatever is asked. */
static void names(void)
{
	char comm[64] = "";
	prctl(PR_SET_NAME, "a-name-that-is-much-longer-than-fifteen-bytes");
	int fd = open("/proc/self/comm", O_RDONLY);
	ssize_t n = read(fd, comm, sizeof(comm) - 1);
	close(fd);
	comm[n > 0 ? n : 0] = '\0';
	ut_fact("comm after a long PR_SET_NAME: %s", comm);
	prctl(PR_SET_NAME, "adv_proc");
}

/* Descriptors until there are none. */
static void exhaust(void)
{
	struct rlimit old, lim = { 40, 40 };
	getrlimit(RLIMIT_NOFILE, &old);
	setrlimit(RLIMIT_NOFILE, &lim);
	int fds[64], n = 0, fd;
	while (n < 64 && (fd = open("/proc/self/stat", O_RDONLY)) >= 0)
		fds[n++] = fd;
	ut_fact("opening /proc/self/stat until it fails: %s",
		ut_errname(errno));
	ut_check(n == 40 - 3, "it failed when %d were open", n + 3);
	while (n > 0)
		close(fds[--n]);
	setrlimit(RLIMIT_NOFILE, &old);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--cmdline"))
		return check_cmdline(argc, argv);
	ut_begin(argc, argv);
	same_by_bytes("/proc/self/maps");
	same_by_bytes("/proc/self/smaps");
	offsets();
	vanished();
	int st = long_cmdline(argv[0]);
	ut_check(ut_exited(st, 0),
		 "a child with 100 arguments of 200 bytes reads them back: %s",
		 ut_status(st));
	names();
	exhaust();
	return ut_end();
}
