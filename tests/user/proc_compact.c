/*
 * tests/user/proc_compact.c - compaction through Linux's interface.
 *
 * /proc/sys/vm/compact_memory is a write-only file (mode 0200, enforced
 * for root too); writing 1 compacts memory, and so does writing anything
 * else (Linux 6.1 does not look at the value). /proc/vmstat names the compaction and migration
 * counters, which never go down; /proc/buddyinfo has a "Node 0, zone"
 * line per zone with one count per order. Memory of the test written
 * before, made copy-on-write shared with a child and with holes dropped
 * out of it (MADV_DONTNEED), reads back word by word after compaction,
 * in the parent and in the child. Counts that depend on the machine are
 * only checked, never printed.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/stat.h>

#define COMPACT "/proc/sys/vm/compact_memory"
#define PAGES 1024u

/* Writes s to a file in one write; 0 or errno. */
static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return errno;
	int err = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : errno;
	close(fd);
	return err;
}

/* The value of word j of page i. */
static uint32_t word(uint32_t i, uint32_t j)
{
	return 0x5EED0000u ^ (i * 2654435761u) ^ (j * 40503u);
}

/* Words of the kept (even) pages that differ from what was written. */
static uint32_t bad_words(const uint32_t *mem)
{
	uint32_t bad = 0;
	for (uint32_t i = 0; i < PAGES; i += 2)
		for (uint32_t j = 0; j < UT_PAGE / 4; j++)
			bad += mem[i * (UT_PAGE / 4) + j] != word(i, j);
	return bad;
}

static void the_file(void)
{
	struct stat st;
	ut_check(stat(COMPACT, &st) == 0 && S_ISREG(st.st_mode) &&
			 (st.st_mode & 07777) == 0200,
		 "compact_memory is a regular file of mode 0200");
	errno = 0;
	int fd = open(COMPACT, O_RDONLY);
	ut_fact("open for reading: %s", fd < 0 ? ut_errname(errno) : "0");
	if (fd >= 0)
		close(fd);
	static const char *const values[] = { "1", "1\n", " 1 \n", "0",
					      "2", "-1",  "abc",   "1x" };
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		char shown[16];
		size_t k = 0;
		for (const char *c = values[i]; *c && k < sizeof(shown) - 1;
		     c++)
			shown[k++] = *c == '\n' ? '|' : *c;
		shown[k] = '\0';
		ut_fact("write \"%s\": %s", shown,
			ut_errname(write_file(COMPACT, values[i])));
	}
}

static const char *const counters[] = {
	"pgmigrate_success",	"pgmigrate_fail",   "compact_migrate_scanned",
	"compact_free_scanned", "compact_isolated", "compact_stall",
	"compact_fail",		"compact_success",
};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

static void read_counters(long v[NCOUNTERS])
{
	for (size_t i = 0; i < NCOUNTERS; i++)
		v[i] = ut_proc_field("/proc/vmstat", counters[i]);
}

static void buddyinfo(void)
{
	char buf[2048];
	int fd = open("/proc/buddyinfo", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (fd >= 0)
		close(fd);
	if (!ut_check(n > 0, "/proc/buddyinfo reads"))
		return;
	buf[n] = '\0';
	int lines = 0, good = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char zone[32];
		int used = 0, fields = 0;
		lines++;
		if (sscanf(line, "Node 0, zone %31s%n", zone, &used) != 1)
			continue;
		for (char *p = line + used;;) {
			char *end;
			strtoul(p, &end, 10);
			if (end == p)
				break;
			fields++;
			p = end;
		}
		good += fields == 11;
	}
	ut_check(lines > 0 && good == lines,
		 "every buddyinfo line is \"Node 0, zone NAME\" and 11 counts");
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	the_file();

	long before[NCOUNTERS], after[NCOUNTERS];
	read_counters(before);
	for (size_t i = 0; i < NCOUNTERS; i++)
		ut_check(before[i] >= 0, "/proc/vmstat has %s", counters[i]);
	buddyinfo();

	uint32_t *mem = mmap(NULL, PAGES * UT_PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!ut_check(mem != MAP_FAILED, "mmap of %u pages", PAGES))
		return ut_end();
	for (uint32_t i = 0; i < PAGES; i++)
		for (uint32_t j = 0; j < UT_PAGE / 4; j++)
			mem[i * (UT_PAGE / 4) + j] = word(i, j);
	for (uint32_t i = 1; i < PAGES; i += 2)
		madvise((char *)mem + i * UT_PAGE, UT_PAGE, MADV_DONTNEED);

	/* A child shares the pages copy-on-write and checks them after. */
	int go[2], done[2];
	if (pipe(go) || pipe(done))
		return ut_end();
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(bad_words(mem) == 0 ? 0 : 1);
	}
	ut_check(write_file(COMPACT, "1") == 0, "compaction with children");
	ut_check(bad_words(mem) == 0, "the parent's pages are intact");
	if (write(go[1], "x", 1) != 1)
		return ut_end();
	ut_fact("child: %s", ut_status(ut_wait(pid)));
	/* A write in the parent now copies: the child's view was checked. */
	mem[0] = 1;
	ut_check(mem[1] == word(0, 1), "a write after compaction");

	read_counters(after);
	bool monotonic = true;
	for (size_t i = 0; i < NCOUNTERS; i++)
		monotonic &= after[i] >= before[i];
	ut_check(monotonic, "no counter went down");
	buddyinfo();
	munmap(mem, PAGES * UT_PAGE);
	return ut_end();
}
