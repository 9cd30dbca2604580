/*
 * tests/user/cred_checks.c - what an unprivileged user may not do.
 *
 * The test starts as root and makes the things to protect: a sleeping
 * root process, a System V segment of mode 0600. Children then become
 * user 1000 (group 1000, supplementary group 100) and try: to signal
 * root's processes (EPERM, except SIGCONT within the session, and
 * kill(-1) that reaches nobody yet succeeds), to read the memory of
 * another process through /proc (EACCES, while status and stat stay
 * readable; /proc/PID files belong to root while a process that changed
 * its ids is not dumpable), to open root's files against their modes,
 * to use the segment (shmget, shmat, IPC_STAT: EACCES; IPC_SET, IPC_RMID:
 * EPERM), and to get around RLIMIT_MEMLOCK, RLIMIT_AS and hard limits.
 */
#include "utest.h"

#include <grp.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static const char *res(int r)
{
	return ut_errname(r < 0 ? errno : 0);
}

/* Drops root for good: user 1000, group 1000, also in group 100. */
static void become_user(void)
{
	gid_t g = 100;
	if (setgroups(1, &g) || setgid(1000) || setuid(1000)) {
		printf("cannot become user 1000: %s\n", ut_errname(errno));
		_exit(20);
	}
}

static void in_child(const char *what, int (*fn)(void *), void *arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	int st = ut_wait(pid);
	ut_check(ut_exited(st, 0), "%s: %s", what, ut_status(st));
}

/* A child that sleeps until killed, as user and group uid if not -1, and
 * after running this program again if exec_again. */
static pid_t sleeper(int uid, bool exec_again)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (uid >= 0 &&
		    (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(3);
		if (exec_again) {
			char *argv[] = { (char *)ut_argv0, "--sleep", NULL };
			execv(ut_argv0, argv);
			_exit(4);
		}
		for (;;)
			pause();
	}
	usleep(200000); /* let it change its ids (and exec) */
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	ut_wait(pid);
}

/* --- signals ------------------------------------------------------------- */

static int part_kill(void *arg)
{
	pid_t root_proc = *(pid_t *)arg;
	pid_t mine = sleeper(1000, false);

	become_user();
	ut_fact("kill(root's, 0) = %s", res(kill(root_proc, 0)));
	ut_fact("kill(root's, SIGTERM) = %s", res(kill(root_proc, SIGTERM)));
	ut_fact("kill(parent, SIGKILL) = %s", res(kill(getppid(), SIGKILL)));
	ut_fact("kill(1, 0) = %s", res(kill(1, 0)));
	ut_fact("kill(no such, 0) = %s", res(kill(999999, 0)));
	ut_fact("kill(root's, SIGCONT), same session = %s",
		res(kill(root_proc, SIGCONT)));
	ut_fact("kill(own user's, 0) = %s", res(kill(mine, 0)));
	ut_fact("tgkill(root's) = %s",
		res((int)syscall(SYS_tgkill, root_proc, root_proc, SIGTERM)));
	ut_fact("kill(own user's, SIGKILL) = %s", res(kill(mine, SIGKILL)));
	ut_wait(mine);
	/* Only root's processes are left: none is reached, yet no error. */
	ut_fact("kill(-1, 0) = %s", res(kill(-1, 0)));
	return ut_failures;
}

/* A process whose real uid is the sender's may be signalled, even if its
 * effective uid is root's. */
static int part_kill_split(void *arg)
{
	(void)arg;
	pid_t pid = fork();
	if (pid == 0) {
		if (setresuid(1000, 0, 0))
			_exit(3);
		for (;;)
			pause();
	}
	usleep(200000);
	become_user();
	ut_fact("kill(real uid 1000, euid 0) = %s", res(kill(pid, 0)));
	ut_fact("kill it with SIGKILL = %s", res(kill(pid, SIGKILL)));
	ut_wait(pid);
	return ut_failures;
}

/* --- /proc ---------------------------------------------------------------- */

static const char *open_res(const char *path, int flags)
{
	int fd = open(path, flags);
	if (fd >= 0) {
		close(fd);
		return "0";
	}
	return ut_errname(errno);
}

static void proc_files(const char *who, int pid)
{
	static const char *const files[] = { "maps",	"smaps",  "pagemap",
					     "environ", "status", "stat",
					     "statm",	"cmdline" };
	char path[64];
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, files[i]);
		ut_fact("%s: open %s = %s", who, files[i],
			open_res(path, O_RDONLY));
	}
}

static void owner(const char *who, const char *path)
{
	struct stat st;
	if (stat(path, &st))
		ut_fact("%s: stat %s", who, ut_errname(errno));
	else
		ut_fact("%s: owner %u:%u mode %o", who, st.st_uid, st.st_gid,
			st.st_mode & 07777);
}

extern char **environ;

/* /proc/self/environ holds the strings execve was given, NUL-ended. */
static void check_environ(void)
{
	static char buf[4096];
	int fd = open("/proc/self/environ", O_RDONLY), n = 0, same = 0;
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (!ut_check(len > 0, "read /proc/self/environ"))
		return;
	for (char *s = buf; s < buf + len; s += strlen(s) + 1, n++)
		same += environ[n] && !strcmp(s, environ[n]);
	ut_check(n > 0 && same == n && !environ[n],
		 "/proc/self/environ is the environment");
}

/*
 * The address fields of /proc/PID/stat (26-28, 45-52) as a reader sees
 * them: the values for one who may not look into the memory ("1 1 0" and
 * zeros), "set" for a real address otherwise.
 */
static void stat_fields(const char *who, int pid)
{
	static const int fields[] = { 26, 27, 28, 47, 48, 49, 50, 51, 52 };
	char path[64], buf[1024], out[256] = "";
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (n <= 0) {
		ut_fact("%s: stat unreadable", who);
		return;
	}
	buf[n] = '\0';
	char *tok[64], *s = strrchr(buf, ')');
	int count = 0;
	for (s = strtok(s + 1, " \n"); s && count < 64; s = strtok(NULL, " \n"))
		tok[count++] = s;
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		int k = fields[i] - 3;
		unsigned long v = k < count ? strtoul(tok[k], NULL, 10) : 99;
		char one[24];
		if (v > 1)
			snprintf(one, sizeof(one), " %d=set", fields[i]);
		else
			snprintf(one, sizeof(one), " %d=%lu", fields[i], v);
		strcat(out, one);
	}
	ut_fact("%s: stat%s", who, out);
}

static int part_proc(void *arg)
{
	pid_t root_proc = *(pid_t *)arg;
	/* One of user 1000's processes not dumpable (set its ids), and one
	 * that ran a program since. */
	pid_t plain = sleeper(1000, false);
	pid_t execd = sleeper(1000, true);
	char path[64];

	become_user();
	proc_files("init", 1);
	proc_files("root's", root_proc);
	proc_files("own user's, not dumpable", plain);
	proc_files("own user's, after execve", execd);
	stat_fields("init", 1);
	stat_fields("own user's, after execve", execd);
	ut_fact("self: open maps = %s", open_res("/proc/self/maps", O_RDONLY));
	/* Not dumpable since setuid: even its own 0400 files are root's. */
	ut_fact("self: open environ = %s",
		open_res("/proc/self/environ", O_RDONLY));
	owner("/proc/1/maps", "/proc/1/maps");
	snprintf(path, sizeof(path), "/proc/%d/status", plain);
	owner("not dumpable: status", path);
	snprintf(path, sizeof(path), "/proc/%d/status", execd);
	owner("after execve: status", path);
	snprintf(path, sizeof(path), "/proc/%d", execd);
	owner("after execve: directory", path);
	owner("self after setuid: status", "/proc/self/status");
	reap(plain);
	reap(execd);
	return ut_failures;
}

/* --- files ---------------------------------------------------------------- */

static int part_files(void *arg)
{
	(void)arg;
	ut_fact("root: drop_caches for writing = %s",
		open_res("/proc/sys/vm/drop_caches", O_WRONLY));
	/* access() asks for the real ids, AT_EACCESS for the effective. */
	if (setresuid(1000, 0, 0))
		return 10;
	ut_fact("real uid 1000, euid 0: access(/dev/console, R_OK) = %s",
		res(access("/dev/console", R_OK)));
	ut_fact("real uid 1000, euid 0: the same with AT_EACCESS = %s",
		res(faccessat(AT_FDCWD, "/dev/console", R_OK, AT_EACCESS)));
	ut_fact("real uid 1000, euid 0: open /dev/console = %s",
		open_res("/dev/console", O_RDWR));
	if (setresuid(0, 0, 0))
		return 11;
	become_user();
	ut_fact("user: access(/dev/console, F_OK) = %s",
		res(access("/dev/console", F_OK)));
	ut_fact("user: access(/dev/console, R_OK) = %s",
		res(access("/dev/console", R_OK)));
	ut_fact("user: access(/dev/null, R_OK | W_OK) = %s",
		res(access("/dev/null", R_OK | W_OK)));
	ut_fact("user: access(/proc/self/pagemap, R_OK) = %s",
		res(access("/proc/self/pagemap", R_OK)));
	ut_fact("user: drop_caches for writing = %s",
		open_res("/proc/sys/vm/drop_caches", O_WRONLY));
	ut_fact("user: /proc/sys/kernel/hostname for writing = %s",
		open_res("/proc/sys/kernel/hostname", O_WRONLY));
	ut_fact("user: /proc/sys/kernel/hostname for reading = %s",
		open_res("/proc/sys/kernel/hostname", O_RDONLY));
	ut_fact("user: /dev/console = %s", open_res("/dev/console", O_RDWR));
	ut_fact("user: /dev/null = %s", open_res("/dev/null", O_RDWR));
	ut_fact("user: own program = %s", open_res(ut_argv0, O_RDONLY));
	ut_fact("user: access(own program, X_OK) = %s",
		res(access(ut_argv0, X_OK)));
	return ut_failures;
}

/* --- SysV shared memory ----------------------------------------------------- */

static void shm_show(const char *who, int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds)) {
		ut_fact("%s: IPC_STAT = %s", who, ut_errname(errno));
		return;
	}
	ut_fact("%s: IPC_STAT uid %u gid %u cuid %u cgid %u mode %o", who,
		ds.shm_perm.uid, ds.shm_perm.gid, ds.shm_perm.cuid,
		ds.shm_perm.cgid, ds.shm_perm.mode & 0777);
}

static const char *attach(int id, int flags)
{
	void *p = shmat(id, NULL, flags);
	if (p == (void *)-1)
		return ut_errname(errno);
	shmdt(p);
	return "0";
}

static int shm_set(int id, uid_t uid, gid_t gid, int mode)
{
	struct shmid_ds ds;
	memset(&ds, 0, sizeof(ds));
	ds.shm_perm.uid = uid;
	ds.shm_perm.gid = gid;
	ds.shm_perm.mode = mode;
	return shmctl(id, IPC_SET, &ds);
}

/* Runs as user 1000 against root's segment. */
static int shm_as_user(void *arg)
{
	int id = *(int *)arg;
	key_t key = 0x5eed;

	become_user();
	ut_fact("user: shmget(key, 0) = %s",
		res(shmget(key, 0, 0) < 0 ? -1 : 0));
	ut_fact("user: shmget(key, 0600) = %s",
		res(shmget(key, 0, 0600) < 0 ? -1 : 0));
	ut_fact("user: shmget(key, 0004) = %s",
		res(shmget(key, 0, 0004) < 0 ? -1 : 0));
	ut_fact("user: shmget(key, CREAT|EXCL) = %s",
		res(shmget(key, 0, IPC_CREAT | IPC_EXCL | 0600)));
	ut_fact("user: shmat = %s", attach(id, 0));
	ut_fact("user: shmat SHM_RDONLY = %s", attach(id, SHM_RDONLY));
	shm_show("user", id);
	ut_fact("user: IPC_SET = %s", res(shm_set(id, 1000, 1000, 0666)));
	ut_fact("user: IPC_RMID = %s", res(shmctl(id, IPC_RMID, NULL)));
	/* A segment of its own: owner and creator are the user. */
	int mine = shmget(IPC_PRIVATE, 4096, 0640);
	shm_show("user's own", mine);
	ut_fact("user: IPC_RMID own = %s", res(shmctl(mine, IPC_RMID, NULL)));
	return ut_failures;
}

/* After root gave the segment to group 100 (0640) or to the user. */
static int shm_as_group(void *arg)
{
	int id = *(int *)arg;
	become_user();
	shm_show("group member", id);
	ut_fact("group member: shmat SHM_RDONLY = %s", attach(id, SHM_RDONLY));
	ut_fact("group member: shmat = %s", attach(id, 0));
	ut_fact("group member: IPC_SET = %s",
		res(shm_set(id, 1000, 100, 0666)));
	return ut_failures;
}

static int shm_as_owner(void *arg)
{
	int id = *(int *)arg;
	become_user();
	shm_show("owner", id);
	ut_fact("owner: shmat = %s", attach(id, 0));
	ut_fact("owner: IPC_SET = %s", res(shm_set(id, 1000, 1000, 0600)));
	shm_show("owner", id);
	ut_fact("owner: IPC_SET uid -1 = %s",
		res(shm_set(id, (uid_t)-1, 1000, 0600)));
	ut_fact("owner: IPC_RMID = %s", res(shmctl(id, IPC_RMID, NULL)));
	return ut_failures;
}

static void test_shm(void)
{
	int id = shmget(0x5eed, 4096, IPC_CREAT | IPC_EXCL | 0600);
	if (!ut_check(id >= 0, "root: shmget 0600"))
		return;
	shm_show("root", id);
	in_child("shm as another user", shm_as_user, &id);
	ut_check(shm_set(id, 0, 100, 0640) == 0, "root: IPC_SET gid 100 0640");
	in_child("shm as a group member", shm_as_group, &id);
	ut_check(shm_set(id, 1000, 100, 0600) == 0, "root: IPC_SET uid 1000");
	in_child("shm as its new owner", shm_as_owner, &id);
	errno = 0;
	ut_fact("root: the segment is gone: IPC_STAT = %s",
		res(shmctl(id, IPC_STAT, &(struct shmid_ds){ 0 })));
}

/* --- limits --------------------------------------------------------------- */

static int part_limits(void *arg)
{
	(void)arg;
	struct rlimit lim;
	char *page = mmap(NULL, 4 * UT_PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return 10;

	lim = (struct rlimit){ 0, 0 };
	setrlimit(RLIMIT_MEMLOCK, &lim);
	ut_fact("root, RLIMIT_MEMLOCK 0: mlock = %s",
		res(mlock(page, UT_PAGE)));
	munlock(page, UT_PAGE);
	lim = (struct rlimit){ 2 * UT_PAGE, 2 * UT_PAGE };
	setrlimit(RLIMIT_MEMLOCK, &lim);
	become_user();
	ut_fact("user, 2 pages: mlock 2 = %s", res(mlock(page, 2 * UT_PAGE)));
	ut_fact("user: mlock the same 2 again = %s",
		res(mlock(page, 2 * UT_PAGE)));
	ut_fact("user: mlock 1 more = %s",
		res(mlock(page + 2 * UT_PAGE, UT_PAGE)));
	ut_fact("user: mlockall(MCL_CURRENT) = %s", res(mlockall(MCL_CURRENT)));
	ut_fact("user: munlock = %s", res(munlock(page, 2 * UT_PAGE)));
	lim = (struct rlimit){ 0, 2 * UT_PAGE };
	ut_fact("user: RLIMIT_MEMLOCK soft 0 = %s",
		res(setrlimit(RLIMIT_MEMLOCK, &lim)));
	ut_fact("user, limit 0: mlock = %s", res(mlock(page, UT_PAGE)));
	ut_fact("user, limit 0: mlockall = %s", res(mlockall(MCL_FUTURE)));

	lim = (struct rlimit){ 4 * UT_PAGE, 4 * UT_PAGE };
	ut_fact("user: raise the hard limit = %s",
		res(setrlimit(RLIMIT_MEMLOCK, &lim)));
	lim = (struct rlimit){ 0, UT_PAGE };
	ut_fact("user: lower the hard limit = %s",
		res(setrlimit(RLIMIT_MEMLOCK, &lim)));
	lim = (struct rlimit){ 0, 2 * UT_PAGE };
	ut_fact("user: raise it back = %s",
		res(setrlimit(RLIMIT_MEMLOCK, &lim)));
	ut_fact("user: prlimit of init = %s",
		res(prlimit(1, RLIMIT_NOFILE, NULL, &lim)));

	/* RLIMIT_AS and RLIMIT_DATA bind users as they bind root. */
	lim = (struct rlimit){ 64u << 20, 64u << 20 };
	setrlimit(RLIMIT_AS, &lim);
	void *big = mmap(NULL, 128u << 20, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ut_fact("user, RLIMIT_AS 64 MiB: mmap 128 MiB = %s",
		big == MAP_FAILED ? ut_errname(errno) : "0");
	lim = (struct rlimit){ 1u << 20, 1u << 20 };
	setrlimit(RLIMIT_DATA, &lim);
	big = mmap(NULL, 4u << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ut_fact("user, RLIMIT_DATA 1 MiB: mmap 4 MiB writable = %s",
		big == MAP_FAILED ? ut_errname(errno) : "0");
	ut_fact("user, RLIMIT_DATA 1 MiB: sbrk 4 MiB = %s",
		sbrk(4u << 20) == (void *)-1 ? ut_errname(errno) : "0");
	return ut_failures;
}

/* Prints the owner and permission bits of path. */
static void show_new(const char *what, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		ut_fact("%s: stat = %s", what, ut_errname(errno));
	else
		ut_fact("%s: uid %u gid %u mode %04o", what, (unsigned)st.st_uid,
			(unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
}

/*
 * A user's new files in /tmp belong to the user, with the umask taken
 * off the mode open and mkdir ask for (0022 from boot, as Linux's).
 */
static int part_new_files(void *arg)
{
	(void)arg;
	become_user();
	unlink("/tmp/cred_f");
	unlink("/tmp/cred_g");
	rmdir("/tmp/cred_d");
	mode_t old = umask(0077);
	ut_fact("umask at first: %04o; umask(0777) returns %04o", (unsigned)old,
		(unsigned)umask(0777));
	umask(old);
	int fd = open("/tmp/cred_f", O_CREAT | O_WRONLY | O_EXCL, 0666);
	if (fd >= 0)
		close(fd);
	show_new("user's file, 0666 asked", "/tmp/cred_f");
	mkdir("/tmp/cred_d", 0777);
	show_new("user's directory, 0777 asked", "/tmp/cred_d");
	umask(0);
	fd = open("/tmp/cred_g", O_CREAT | O_WRONLY | O_EXCL, 0666);
	if (fd >= 0)
		close(fd);
	show_new("user's file, umask 0", "/tmp/cred_g");
	unlink("/tmp/cred_f");
	unlink("/tmp/cred_g");
	rmdir("/tmp/cred_d");
	return 0;
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	if (argc > 1 && !strcmp(argv[1], "--sleep")) {
		for (;;)
			pause();
	}
	check_environ();
	pid_t root_proc = sleeper(-1, false);
	in_child("signals", part_kill, &root_proc);
	in_child("signals to a split id", part_kill_split, NULL);
	in_child("/proc", part_proc, &root_proc);
	in_child("files", part_files, NULL);
	in_child("new files", part_new_files, NULL);
	test_shm();
	in_child("limits", part_limits, NULL);
	ut_check(kill(root_proc, 0) == 0, "root's process survived");
	reap(root_proc);
	return ut_end();
}
