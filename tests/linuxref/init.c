/*
 * tests/linuxref/init.c - the first process of the Linux reference boot.
 *
 * When the build machine cannot run i386 programs itself, tools/linux-ref
 * boots a stock Debian kernel under QEMU with an initramfs holding the test
 * programs (in /bin), a manifest (/manifest) and this program as /init.
 * It runs every program of the manifest, one after the other, the way
 * tests/user/run_user.py runs them natively on a host that can:
 *
 *   - environment exactly HOME=/ PATH=/bin TERM=linux, working directory /;
 *   - standard input /dev/null, standard output and error one pipe;
 *   - RLIMIT_STACK 8 MiB (soft), RLIMIT_CORE 0;
 *   - default signal dispositions and an empty signal mask;
 *   - a time limit: after it the program is killed and reported as
 *     "timeout", with the output it had written.
 *
 * Like Python's subprocess.run(), the output is read until end of file (so
 * a child that keeps the pipe open is waited for), then the program is
 * waited for. Whatever the program left running is then killed with
 * kill(-1, SIGKILL), which reaches every process but init, and reaped:
 * orphans are re-parented to init, so init must wait for them too.
 *
 * Results go to the second serial port, /dev/ttyS1, which the host connects
 * to a pipe: kernel messages use the first port (console=ttyS0) and cannot
 * mix in. The stream, all header lines in ASCII:
 *
 *   linux-ref hello RELEASE\n         once, RELEASE from uname -r
 *   result INDEX STATUS NBYTES\n      per program, in manifest order;
 *   <NBYTES bytes of output>\n        STATUS is the wait status in decimal,
 *                                     or "timeout"
 *   linux-ref end COUNT\n             once, after the last program
 *
 * The output is counted, not escaped, so any bytes pass through. Then the
 * machine powers off.
 *
 * The manifest is a sequence of records, one per program:
 *
 *   run TIMEOUT ARGC\n                TIMEOUT in seconds
 *   ARG0\0ARG1\0...                   ARGC strings, each ending in a NUL
 *
 * ARG0 is the program's path. Arguments cannot contain NUL (execve cannot
 * pass one), so any other byte is allowed.
 *
 * This is an ordinary static i386 program built like the tests (same cross
 * compiler and flags), so the reference boot also shows at its first step
 * that the kernel runs i386 programs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST "/manifest"
#define RESULTS_TTY "/dev/ttyS1"
/* The stack limit the native runner sets (run_user.py STACK_LIMIT). */
#define STACK_LIMIT (8ul << 20)
/* Arguments per program, at most. */
#define MAX_ARGS 256

/* The environment the native runner gives each program (run_user.py ENV). */
static char *const program_env[] = { "HOME=/", "PATH=/bin", "TERM=linux",
				     NULL };

/* The results port, in raw mode. */
static int results_fd = -1;

/* A growing byte buffer for one program's output. */
struct buffer {
	char *data;
	size_t len, cap;
};

/* Reports a problem on the console (the kernel log's port, ttyS0). */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("linux-ref init: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* Ends the boot: the host sees QEMU exit (it runs with -no-reboot). */
static void power_off(void)
{
	if (results_fd >= 0)
		tcdrain(results_fd);
	sync();
	reboot(RB_POWER_OFF);
	/* Only reached if power-off failed; init must not exit (panic). */
	for (;;)
		pause();
}

/* Writes all of data to fd, across short writes and interruptions. */
static void write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			say("write to the results port failed: %s",
			    strerror(errno));
			power_off();
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Writes one formatted header line to the results port. */
__attribute__((format(printf, 1, 2))) static void result_line(const char *fmt,
							      ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	write_all(results_fd, line, (size_t)n);
}

/* Appends len bytes to b. */
static void buffer_add(struct buffer *b, const char *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;

		while (cap < b->len + len)
			cap *= 2;
		b->data = realloc(b->data, cap);
		if (!b->data) {
			say("out of memory for program output");
			power_off();
		}
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

/* Mounts a file system, creating the mount point; failure is reported. */
static void mount_fs(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) < 0)
		say("cannot mount %s on %s: %s", type, dir, strerror(errno));
}

/*
 * Makes sure descriptors 0, 1 and 2 are open (the kernel opens
 * /dev/console for init, if it can), so that no pipe of ours is given one
 * of those numbers: the dup2() calls in child_setup() rely on that.
 */
static void ensure_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd < 3)
		;
	if (fd >= 3)
		close(fd);
}

/*
 * Opens the results port and turns off all output processing (raw mode),
 * so that bytes reach the host as they are: no \n to \r\n.
 */
static void open_results_port(void)
{
	struct termios t;

	results_fd = open(RESULTS_TTY, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (results_fd < 0) {
		say("cannot open %s: %s", RESULTS_TTY, strerror(errno));
		power_off();
	}
	if (tcgetattr(results_fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetspeed(&t, B115200);
		tcsetattr(results_fd, TCSANOW, &t);
	}
}

/* Reads the whole file at path; returns its bytes (NUL-terminated). */
static char *read_file(const char *path, size_t *len)
{
	struct buffer b = { 0 };
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buffer_add(&b, chunk, (size_t)n);
	close(fd);
	buffer_add(&b, "", 1);
	*len = b.len - 1;
	return b.data;
}

/* Milliseconds on the monotonic clock. */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * In the child, before execve: the program's starting state. Only
 * async-signal-safe calls here (this is a child of fork()).
 */
static void child_setup(int out_fd)
{
	struct rlimit stack, no_core = { 0, 0 };
	struct sigaction dfl;
	sigset_t none;
	int null_fd;

	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL); /* SIGKILL, SIGSTOP: EINVAL */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	setrlimit(RLIMIT_CORE, &no_core);
	/* Like the native runner: lower the soft limit, keep the hard one. */
	if (getrlimit(RLIMIT_STACK, &stack) == 0 &&
	    (stack.rlim_max == RLIM_INFINITY ||
	     stack.rlim_max >= STACK_LIMIT)) {
		stack.rlim_cur = STACK_LIMIT;
		setrlimit(RLIMIT_STACK, &stack);
	}

	if (chdir("/") < 0)
		_exit(127);
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd < 0 || dup2(null_fd, 0) < 0 || dup2(out_fd, 1) < 0 ||
	    dup2(out_fd, 2) < 0)
		_exit(127);
	/* Everything else is closed: Python's close_fds=True does the same. */
	close_range(3, ~0u, 0);
}

/*
 * Runs one program; puts its output in out and returns its wait status,
 * or -1 on timeout.
 */
static int run_program(char **argv, int timeout_s, struct buffer *out)
{
	long long deadline = now_ms() + timeout_s * 1000LL;
	int pipe_fds[2], status = 0, pidfd;
	bool timed_out = false, eof = false, exited = false;
	pid_t pid;

	if (pipe2(pipe_fds, O_CLOEXEC) < 0) {
		say("pipe: %s", strerror(errno));
		power_off();
	}
	pid = fork();
	if (pid < 0) {
		say("fork: %s", strerror(errno));
		power_off();
	}
	if (pid == 0) {
		child_setup(pipe_fds[1]);
		execve(argv[0], argv, program_env);
		dprintf(2, "linux-ref init: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(pipe_fds[1]);

	/*
	 * A pidfd becomes readable when the process ends: one poll() waits
	 * for output, for the end, and for the deadline at once.
	 */
	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0) {
		say("pidfd_open: %s", strerror(errno));
		power_off();
	}
	while (!eof || !exited) {
		struct pollfd fds[2] = { { pipe_fds[0], POLLIN, 0 },
					 { pidfd, POLLIN, 0 } };
		long long left = deadline - now_ms();
		char chunk[4096];
		int n;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		if (eof)
			fds[0].fd = -1; /* poll ignores negative fds */
		if (exited)
			fds[1].fd = -1;
		n = poll(fds, 2, (int)(left > 60000 ? 60000 : left));
		if (n < 0 && errno != EINTR) {
			say("poll: %s", strerror(errno));
			power_off();
		}
		if (n <= 0)
			continue;
		if (fds[0].revents) {
			ssize_t got = read(pipe_fds[0], chunk, sizeof(chunk));

			if (got > 0)
				buffer_add(out, chunk, (size_t)got);
			else if (got == 0 || errno != EINTR)
				eof = true;
		}
		if (fds[1].revents)
			exited = true;
	}
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(pidfd);
	close(pipe_fds[0]);

	/* Whatever it left behind: every process but init, then reap all. */
	kill(-1, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	return timed_out ? -1 : status;
}

/*
 * Parses one manifest record at *pos; fills argv (NULL-terminated) and
 * *timeout_s. Returns 1 for a record, 0 at the end, -1 if malformed.
 */
static int next_record(char *manifest, size_t len, size_t *pos, char **argv,
		       int *timeout_s)
{
	char *p = manifest + *pos, *end = manifest + len, *nl;
	int argc;

	if (p >= end)
		return 0;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || sscanf(p, "run %d %d", timeout_s, &argc) != 2 || argc < 1 ||
	    argc >= MAX_ARGS)
		return -1;
	p = nl + 1;
	for (int i = 0; i < argc; i++) {
		char *nul = memchr(p, '\0', (size_t)(end - p));

		if (!nul)
			return -1;
		argv[i] = p;
		p = nul + 1;
	}
	argv[argc] = NULL;
	*pos = (size_t)(p - manifest);
	return 1;
}

int main(void)
{
	char *argv[MAX_ARGS + 1];
	struct utsname uts;
	size_t len, pos = 0;
	char *manifest;
	int count = 0, timeout_s, r;

	mount_fs("proc", "/proc");
	mount_fs("sysfs", "/sys");
	mount_fs("devtmpfs", "/dev");
	/* Pagoda has tmpfs at /tmp and /dev/shm, as a distribution does. */
	mount_fs("tmpfs", "/tmp");
	mount_fs("tmpfs", "/dev/shm");
	ensure_std_fds();
	/*
	 * The kernel starts init in session 0, shared with its own threads.
	 * A session of its own makes the programs ordinary members of init's
	 * process group, as they would be of a shell's job on the host.
	 */
	setsid();
	open_results_port();

	uname(&uts);
	result_line("linux-ref hello %s\n", uts.release);
	manifest = read_file(MANIFEST, &len);
	if (!manifest) {
		say("cannot read %s: %s", MANIFEST, strerror(errno));
		power_off();
	}
	while ((r = next_record(manifest, len, &pos, argv, &timeout_s)) > 0) {
		struct buffer out = { 0 };
		int status = run_program(argv, timeout_s, &out);

		if (status < 0)
			result_line("result %d timeout %zu\n", count, out.len);
		else
			result_line("result %d %d %zu\n", count, status,
				    out.len);
		write_all(results_fd, out.data ? out.data : "", out.len);
		write_all(results_fd, "\n", 1);
		free(out.data);
		count++;
	}
	if (r < 0)
		say("malformed manifest at byte %zu", pos);
	result_line("linux-ref end %d\n", count);
	power_off();
	return 0;
}
