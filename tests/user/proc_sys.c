/*
 * tests/user/proc_sys.c - /proc/sys as files, the way sysctl uses them.
 *
 * The kernel's settings are text files under /proc/sys: their modes, that
 * the modes are enforced even for root (drop_caches is write-only, ostype
 * read-only), a value written is read back (hostname through uname too,
 * the console level in printk), and bad values are refused with EINVAL.
 * The values that differ between the systems (ostype, osrelease) are only
 * checked for their form. Everything changed is put back.
 */
#include "utest.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/utsname.h>

static char buf[512];

/* Reads a file into buf; its length, or -errno. */
static int read_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	int n = (int)read(fd, buf, sizeof(buf) - 1);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	return n;
}

/* Writes s to a file in one write; 0 or the errno name's errno. */
static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	int err = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : errno;
	close(fd);
	return err;
}

/* One line of text ending in a newline. */
static bool one_line(void)
{
	char *nl = strchr(buf, '\n');
	return nl && nl > buf && nl[1] == '\0';
}

static void modes(void)
{
	static const char *const files[] = {
		"/proc/sys/kernel/hostname",  "/proc/sys/kernel/ostype",
		"/proc/sys/kernel/osrelease", "/proc/sys/kernel/version",
		"/proc/sys/kernel/printk",    "/proc/sys/vm/drop_caches",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct stat st;
		int r = stat(files[i], &st);
		ut_fact("%s: %s mode %o", files[i],
			r ? ut_errname(errno) : "ok",
			r ? 0 : (unsigned)st.st_mode);
	}
	struct stat st;
	ut_check(stat("/proc/sys/kernel", &st) == 0 && S_ISDIR(st.st_mode),
		 "/proc/sys/kernel is a directory");
}

static void listing(void)
{
	static const char *const want[] = { "hostname", "ostype", "osrelease",
					    "pid_max",	"printk", "version" };
	int found = 0;
	DIR *d = opendir("/proc/sys/kernel");
	struct dirent *e;
	while (d && (e = readdir(d)))
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (!strcmp(e->d_name, want[i]))
				found++;
	if (d)
		closedir(d);
	ut_check(found == 6, "/proc/sys/kernel lists the six entries");
}

static void values(void)
{
	struct utsname u;
	uname(&u);
	ut_check(read_file("/proc/sys/kernel/ostype") > 0 && one_line() &&
			 !strncmp(buf, u.sysname, strlen(u.sysname)),
		 "ostype is uname's sysname");
	ut_check(read_file("/proc/sys/kernel/osrelease") > 0 && one_line() &&
			 !strncmp(buf, u.release, strlen(u.release)),
		 "osrelease is uname's release");
	ut_check(read_file("/proc/sys/kernel/pid_max") > 0 && one_line() &&
			 atoi(buf) >= 301,
		 "pid_max is a number >= 301");
	ut_check(read_file("/proc/sys/kernel/version") > 0 && one_line(),
		 "version is one line");
}

static void hostname(void)
{
	char old[sizeof(buf)];
	struct utsname u;
	read_file("/proc/sys/kernel/hostname");
	snprintf(old, sizeof(old), "%s", buf);
	ut_check(write_file("/proc/sys/kernel/hostname", "proc-sys-test\n") ==
			 0,
		 "hostname written");
	uname(&u);
	ut_check(!strcmp(u.nodename, "proc-sys-test"), "uname sees it");
	read_file("/proc/sys/kernel/hostname");
	ut_check(!strcmp(buf, "proc-sys-test\n"), "and it reads back");
	write_file("/proc/sys/kernel/hostname", old);
	uname(&u);
	ut_check(!strncmp(old, u.nodename, strlen(u.nodename)),
		 "hostname put back");
}

static void printk_level(void)
{
	int old[4];
	read_file("/proc/sys/kernel/printk");
	ut_check(sscanf(buf, "%d %d %d %d", &old[0], &old[1], &old[2],
			&old[3]) == 4 &&
			 strchr(buf, '\t'),
		 "printk: four tab-separated levels");
	ut_check(write_file("/proc/sys/kernel/printk", "3") == 0,
		 "printk: console level 3 written");
	int now = 0;
	read_file("/proc/sys/kernel/printk");
	sscanf(buf, "%d", &now);
	ut_check(now == 3, "printk: reads back 3");
	ut_fact("printk: write \"x\": %s",
		ut_errname(write_file("/proc/sys/kernel/printk", "x")));
	char back[16];
	snprintf(back, sizeof(back), "%d", old[0]);
	write_file("/proc/sys/kernel/printk", back);
	read_file("/proc/sys/kernel/printk");
	sscanf(buf, "%d", &now);
	ut_check(now == old[0], "printk: level put back");
}

static void enforced_modes(void)
{
	ut_fact("read drop_caches: %s",
		ut_errname(-read_file("/proc/sys/vm/drop_caches")));
	ut_fact("write ostype: %s",
		ut_errname(write_file("/proc/sys/kernel/ostype", "x\n")));
	ut_fact("write drop_caches 3: %s",
		ut_errname(write_file("/proc/sys/vm/drop_caches", "3")));
	ut_fact("write drop_caches x: %s",
		ut_errname(write_file("/proc/sys/vm/drop_caches", "x")));
	ut_fact("write drop_caches 0: %s",
		ut_errname(write_file("/proc/sys/vm/drop_caches", "0")));
	ut_fact("open /proc/sys/kernel/nosuch: %s",
		ut_errname(-read_file("/proc/sys/kernel/nosuch")));
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	modes();
	listing();
	values();
	hostname();
	printk_level();
	enforced_modes();
	return ut_end();
}
