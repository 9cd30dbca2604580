/*
 * tests/user/munmap_split.c - munmap and mprotect of part of a mapping.
 *
 * Unmapping or re-protecting pages in the middle of a region splits it in
 * two or three. The test prints the layout of its own 8 pages as
 * /proc/self/maps shows it, normalised: page numbers relative to the
 * mapping, clipped to it, and neighbouring pages with equal permissions
 * joined. That hides what may differ (addresses, neighbours, whether the
 * kernel merges adjacent regions) and keeps what must not (which page has
 * which permissions). Faults are probed in child processes.
 */
#include "utest.h"

#include <sys/mman.h>

enum {
	PAGES = 8
};

static unsigned char *base;

/* Permissions of each of our pages from /proc/self/maps ("none": hole). */
static void read_layout(char perms[PAGES][5])
{
	static char buf[65536];
	ssize_t n, len = 0;
	int fd = open("/proc/self/maps", O_RDONLY);

	for (int i = 0; i < PAGES; i++)
		strcpy(perms[i], "none");
	if (fd < 0)
		return;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	for (char *line = buf; *line;) {
		unsigned long start, end;
		char p[5];

		if (sscanf(line, "%lx-%lx %4s", &start, &end, p) == 3) {
			for (int i = 0; i < PAGES; i++) {
				uintptr_t a = (uintptr_t)base + i * UT_PAGE;

				if (a >= start && a < end)
					strcpy(perms[i], p);
			}
		}
		line = strchr(line, '\n');
		if (!line)
			break;
		line++;
	}
}

/* Prints the normalised layout and checks it against the expected one. */
static void check_layout(const char *step, const char *expected)
{
	char perms[PAGES][5];
	char text[256] = "";
	size_t used = 0;

	read_layout(perms);
	for (int i = 0; i < PAGES;) {
		int j = i;

		while (j + 1 < PAGES && !strcmp(perms[j + 1], perms[i]))
			j++;
		used += snprintf(text + used, sizeof(text) - used, "%s%d",
				 used ? ", " : "", i);
		if (j > i)
			used += snprintf(text + used, sizeof(text) - used,
					 "-%d", j);
		used += snprintf(text + used, sizeof(text) - used, " %s",
				 perms[i]);
		i = j + 1;
	}
	ut_check(!strcmp(text, expected), "%s: %s", step, text);
}

/* True when page i still holds the value it was given. */
static bool page_intact(int i)
{
	return base[i * UT_PAGE] == i + 1 &&
	       base[(i + 1) * UT_PAGE - 1] == i + 1;
}

/* Probes page i in a child: "ok" or the signal. */
static const char *probe(int i, bool write)
{
	uintptr_t a = (uintptr_t)base + i * UT_PAGE + 8;

	return ut_probe_result(write ? ut_probe_write(a) : ut_probe_read(a));
}

int main(int argc, char **argv)
{
	int rw = PROT_READ | PROT_WRITE;
	int r, e;

	ut_begin(argc, argv);
	base = mmap(NULL, PAGES * UT_PAGE, rw, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (base == MAP_FAILED) {
		ut_check(false, "mmap: %s", ut_errname(errno));
		return ut_end();
	}
	for (int i = 0; i < PAGES; i++)
		memset(base + i * UT_PAGE, i + 1, UT_PAGE);
	check_layout("8 pages mapped", "0-7 rw-p");

	ut_check(munmap(base + 3 * UT_PAGE, 2 * UT_PAGE) == 0,
		 "munmap pages 3-4");
	check_layout("after munmap 3-4", "0-2 rw-p, 3-4 none, 5-7 rw-p");
	ut_check(!strcmp(probe(3, false), "SIGSEGV") &&
			 !strcmp(probe(4, true), "SIGSEGV"),
		 "pages 3-4 fault: %s", probe(3, false));
	ut_check(page_intact(2) && page_intact(5),
		 "pages 2 and 5 next to the hole keep their data");

	ut_check(mprotect(base + UT_PAGE, UT_PAGE, PROT_READ) == 0,
		 "mprotect page 1 read-only");
	check_layout("after mprotect 1", "0 rw-p, 1 r--p, 2 rw-p, 3-4 none, "
					 "5-7 rw-p");
	ut_check(!strcmp(probe(1, true), "SIGSEGV"), "write to page 1: %s",
		 probe(1, true));
	ut_check(!strcmp(probe(1, false), "ok"), "read page 1: %s",
		 probe(1, false));
	ut_check(!strcmp(probe(0, true), "ok") && !strcmp(probe(2, true), "ok"),
		 "write to pages 0 and 2: %s", probe(2, true));
	ut_check(page_intact(1), "page 1 keeps its data");

	ut_check(mprotect(base + 6 * UT_PAGE, UT_PAGE, PROT_NONE) == 0,
		 "mprotect page 6 PROT_NONE");
	check_layout("after mprotect 6",
		     "0 rw-p, 1 r--p, 2 rw-p, 3-4 none, 5 rw-p, 6 ---p, "
		     "7 rw-p");
	ut_check(!strcmp(probe(6, false), "SIGSEGV"), "read page 6: %s",
		 probe(6, false));

	r = mprotect(base + 3 * UT_PAGE, 3 * UT_PAGE, PROT_READ);
	e = r ? errno : 0;
	ut_check(e == ENOMEM, "mprotect of 3-5, starting in the hole: %s",
		 ut_errname(e));
	check_layout("after the failed mprotect",
		     "0 rw-p, 1 r--p, 2 rw-p, 3-4 none, 5 rw-p, 6 ---p, "
		     "7 rw-p");

	ut_check(munmap(base + 2 * UT_PAGE, 4 * UT_PAGE) == 0,
		 "munmap 2-5, across the hole");
	check_layout("after munmap 2-5", "0 rw-p, 1 r--p, 2-5 none, 6 ---p, "
					 "7 rw-p");
	ut_check(page_intact(0) && page_intact(7), "pages 0 and 7 intact");

	ut_check(mprotect(base, 2 * UT_PAGE, rw) == 0 &&
			 mprotect(base + 6 * UT_PAGE, 2 * UT_PAGE, rw) == 0,
		 "mprotect the rest read-write");
	check_layout("after restoring", "0-1 rw-p, 2-5 none, 6-7 rw-p");
	ut_check(page_intact(0) && page_intact(1) && page_intact(7),
		 "pages 0, 1 and 7 still hold their data");
	ut_check(base[6 * UT_PAGE] == 7,
		 "page 6 kept its data under PROT_NONE");

	ut_check(munmap(base, PAGES * UT_PAGE) == 0, "munmap all 8 pages");
	check_layout("after munmap all", "0-7 none");
	return ut_end();
}
