/*
 * tests/user/cred_ids.c - user and group ids: the set*id rules of Linux.
 *
 * The test starts as root. Each part runs in a child that changes its
 * ids and checks what getres[ug]id, getgroups and /proc/self/status say
 * after each call: what root may do (anything), what an unprivileged
 * process may do (switch between its real, effective and saved ids only),
 * how the saved id follows (setreuid's rule), setfsuid, the old 16-bit
 * calls, what execve does to the saved ids and the auxiliary vector
 * (AT_UID ... AT_SECURE), and RLIMIT_NPROC, counted per real user.
 */
#include "utest.h"

#include <grp.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>

/* "r e s" of getresuid, or "error". */
static const char *resuid(void)
{
	static char buf[64];
	uid_t r, e, s;
	if (getresuid(&r, &e, &s))
		return "error";
	snprintf(buf, sizeof(buf), "%u %u %u", r, e, s);
	return buf;
}

static const char *resgid(void)
{
	static char buf[64];
	gid_t r, e, s;
	if (getresgid(&r, &e, &s))
		return "error";
	snprintf(buf, sizeof(buf), "%u %u %u", r, e, s);
	return buf;
}

/* The errno name of a call's result (0 if it succeeded). */
static const char *res(int r)
{
	return ut_errname(r < 0 ? errno : 0);
}

/* Makes a call, then prints its result and the ids after it. */
#define TRY_U(label, call)                                                     \
	do {                                                                   \
		const char *r_ = res(call);                                    \
		ut_fact("%s = %s -> %s", label, r_, resuid());                 \
	} while (0)
#define TRY_G(label, call)                                                     \
	do {                                                                   \
		const char *r_ = res(call);                                    \
		ut_fact("%s = %s -> %s", label, r_, resgid());                 \
	} while (0)
/* setfsuid/setfsgid return the old id; a second call with -1 reads it. */
#define TRY_FS(fn, id)                                                         \
	do {                                                                   \
		int old_ = fn(id);                                             \
		ut_fact(#fn "(" #id ") = %d, then %d", old_, fn(-1));          \
	} while (0)

/* Prints the lines of /proc/self/status that start with one of the keys. */
static void status_lines(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");
	if (!ut_check(f != NULL, "open /proc/self/status"))
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4) ||
		    !strncmp(line, "Groups:", 7)) {
			/* Show the tabs and the trailing blank. */
			line[strcspn(line, "\n")] = '\0';
			for (char *t = line; *t; t++)
				if (*t == '\t')
					*t = '|';
			ut_fact("status: [%s]", line);
		}
	}
	fclose(f);
}

/* Runs fn in a child and checks that it ended with exit 0. */
static void in_child(const char *what, int (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	int st = ut_wait(pid);
	ut_check(ut_exited(st, 0), "%s: %s", what, ut_status(st));
}

static int part_root(void)
{
	gid_t g[8];
	ut_fact("root: uid %u euid %u gid %u egid %u", getuid(), geteuid(),
		getgid(), getegid());
	ut_fact("root: resuid %s resgid %s", resuid(), resgid());
	ut_fact("root: getgroups(0) = %d", getgroups(0, NULL));
	status_lines();

	gid_t set[3] = { 1001, 100, 5 };
	ut_check(setgroups(3, set) == 0, "setgroups 1001 100 5");
	int n = getgroups(8, g);
	ut_fact("getgroups = %d: %u %u %u (sorted)", n, g[0], g[1], g[2]);
	errno = 0;
	n = getgroups(2, g);
	ut_fact("getgroups(2) = %d %s", n, ut_errname(errno));
	errno = 0;
	ut_fact("setgroups(-1) = %s",
		res((int)syscall(SYS_setgroups32, -1, set)));
	status_lines();
	ut_check(setgroups(0, NULL) == 0 && getgroups(0, NULL) == 0,
		 "setgroups(0) empties the list");
	return ut_failures;
}

/* From root down to an unprivileged user and back through the saved id. */
static int part_uid_moves(void)
{
	TRY_U("setresuid(1000, 1000, 0)", setresuid(1000, 1000, 0));
	status_lines();
	TRY_U("setuid(0)", setuid(0));
	TRY_U("seteuid(1000)", seteuid(1000));
	TRY_U("setreuid(-1, 0)", setreuid(-1, 0));
	TRY_U("setreuid(2000, -1)", setreuid(2000, -1));
	TRY_U("setreuid(-1, 3000)", setreuid(-1, 3000));
	TRY_U("setuid(0)", setuid(0));
	TRY_U("setresuid(1000, 1000, 1000)", setresuid(1000, 1000, 1000));
	/* Unprivileged from here on. */
	TRY_U("setuid(0)", setuid(0));
	TRY_U("setuid(1000)", setuid(1000));
	ut_fact("setuid(-1) = %s", res(setuid((uid_t)-1)));
	ut_fact("setreuid(1001, -1) = %s", res(setreuid(1001, -1)));
	ut_fact("setreuid(-1, 1001) = %s", res(setreuid(-1, 1001)));
	TRY_U("setresuid(-1, -1, -1)", setresuid(-1, -1, -1));
	ut_fact("setresuid(-1, -1, 0) = %s", res(setresuid(-1, -1, 0)));
	ut_fact("setgid(0) = %s", res(setgid(0)));
	ut_fact("setgroups(0) = %s", res(setgroups(0, NULL)));
	TRY_FS(setfsuid, 0);
	TRY_FS(setfsuid, 1000);
	status_lines();
	return ut_failures;
}

/* A real id apart from the effective one, and the saved id following. */
static int part_uid_split(void)
{
	TRY_U("setresuid(1000, 0, 500)", setresuid(1000, 0, 500));
	TRY_U("setreuid(1000, -1)", setreuid(1000, -1));
	TRY_U("setresuid(0, 1000, 0)", setresuid(0, 1000, 0));
	TRY_U("setreuid(-1, 0)", setreuid(-1, 0));
	TRY_FS(setfsuid, 77);
	status_lines();
	TRY_U("seteuid(5)", seteuid(5));
	ut_fact("fsuid follows: %d", setfsuid(-1));
	TRY_FS(setfsuid, 1000);
	TRY_FS(setfsuid, 0);
	return ut_failures;
}

static int part_gid_moves(void)
{
	TRY_G("setresgid(1000, 1000, 0)", setresgid(1000, 1000, 0));
	TRY_G("setgid(0)", setgid(0));
	TRY_G("setregid(7, 8)", setregid(7, 8));
	TRY_G("setegid(9)", setegid(9));
	ut_fact("setresuid(1000, 1000, 1000) = %s",
		res(setresuid(1000, 1000, 1000)));
	TRY_G("setgid(0)", setgid(0));
	TRY_G("setgid(8)", setgid(8));
	TRY_G("setregid(9, -1)", setregid(9, -1));
	TRY_G("setregid(-1, 7)", setregid(-1, 7));
	TRY_G("setresgid(8, 8, 8)", setresgid(8, 8, 8));
	TRY_FS(setfsgid, 3);
	status_lines();
	return ut_failures;
}

/* The old calls with 16-bit ids: 0xFFFF is -1, big ids read as 65534. */
static int part_16bit(void)
{
	uint16_t r, e, s;
	ut_fact("setresuid(70000, 70000, 0) = %s",
		res(setresuid(70000, 70000, 0)));
	ut_fact("getuid16 = %ld, geteuid16 = %ld", syscall(SYS_getuid),
		syscall(SYS_geteuid));
	long rc = syscall(SYS_getresuid, &r, &e, &s);
	ut_fact("getresuid16 = %ld: %u %u %u", rc, r, e, s);
	ut_fact("setuid16(0xffff) = %s", res((int)syscall(SYS_setuid, 0xffff)));
	TRY_U("setreuid16(0xffff, 0)", (int)syscall(SYS_setreuid, 0xffff, 0));
	TRY_U("setuid16(0x10005)", (int)syscall(SYS_setuid, 0x10005));
	uint16_t g16[4] = { 0 };
	gid_t set[2] = { 70001, 12 };
	ut_fact("setgroups32(70001 12) = %s", res(setgroups(2, set)));
	rc = syscall(SYS_getgroups, 4, g16);
	ut_fact("getgroups16 = %ld: %u %u", rc, g16[0], g16[1]);
	return ut_failures;
}

/* What execve does: the saved ids follow the effective ones. */
static int part_exec(void)
{
	char *argv[] = { (char *)ut_argv0, "--aux", NULL };
	if (setresgid(1000, 0, 1000) || setresuid(1000, 0, 1000))
		return 10;
	execv(ut_argv0, argv);
	return 11;
}

static int show_aux(void)
{
	ut_fact("after execve: resuid %s resgid %s", resuid(), resgid());
	ut_fact("auxv: AT_UID %lu AT_EUID %lu AT_GID %lu AT_EGID %lu "
		"AT_SECURE %lu",
		getauxval(AT_UID), getauxval(AT_EUID), getauxval(AT_GID),
		getauxval(AT_EGID), getauxval(AT_SECURE));
	return 0;
}

/* A child that waits to be killed, as user uid. */
static pid_t sleeper(uid_t uid)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setuid(uid))
			_exit(3);
		for (;;)
			pause();
	}
	return pid;
}

/* RLIMIT_NPROC counts the tasks of the real user. */
static int part_nproc(void)
{
	struct rlimit lim = { 3, 3 };
	pid_t kids[4];
	int n = 0;

	if (setrlimit(RLIMIT_NPROC, &lim) || setuid(1000))
		return 10;
	/* This process is one of the user's 3. */
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid > 0)
			kids[n++] = pid;
		ut_fact("fork %d as uid 1000 with RLIMIT_NPROC 3: %s", i + 1,
			pid > 0 ? "0" : ut_errname(errno));
	}
	kill(kids[0], SIGKILL);
	ut_fact("a killed child counts until reaped: fork %s",
		fork() < 0 ? ut_errname(errno) : "0");
	ut_wait(kids[0]);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	ut_fact("after reaping one: fork %s",
		pid > 0 ? "0" : ut_errname(errno));
	if (pid > 0)
		ut_wait(pid);
	for (int i = 1; i < n; i++) {
		kill(kids[i], SIGKILL);
		ut_wait(kids[i]);
	}
	return ut_failures;
}

/* Root is not limited by RLIMIT_NPROC. */
static int part_nproc_root(void)
{
	struct rlimit lim = { 0, 0 };
	if (setrlimit(RLIMIT_NPROC, &lim))
		return 10;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	ut_fact("root with RLIMIT_NPROC 0: fork %s",
		pid > 0 ? "0" : ut_errname(errno));
	if (pid > 0)
		ut_wait(pid);
	return ut_failures;
}

/* setuid to a user already over the limit: execve fails, once. */
static int part_nproc_exec(void)
{
	struct rlimit lim = { 0, 0 };
	pid_t other = sleeper(1000);
	usleep(100000);
	if (setrlimit(RLIMIT_NPROC, &lim))
		return 10;
	ut_fact("setuid(1000) over the limit = %s", res(setuid(1000)));
	char *argv[] = { (char *)ut_argv0, "--true", NULL };
	execv(ut_argv0, argv);
	ut_fact("execve = %s", ut_errname(errno));
	kill(other, SIGKILL);
	ut_wait(other);
	return ut_failures;
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--aux"))
		return show_aux();
	if (argc > 1 && !strcmp(argv[1], "--true"))
		return 0;
	in_child("root", part_root);
	in_child("uid moves", part_uid_moves);
	in_child("uid split", part_uid_split);
	in_child("gid moves", part_gid_moves);
	in_child("16-bit calls", part_16bit);
	in_child("execve", part_exec);
	in_child("RLIMIT_NPROC", part_nproc);
	in_child("RLIMIT_NPROC and root", part_nproc_root);
	in_child("RLIMIT_NPROC at execve", part_nproc_exec);
	return ut_end();
}
