/*
 * tests/user/proc_maps.c - /proc/self/maps describes this program.
 *
 * Every line must parse in Linux's format
 *
 *   start-end perms offset major:minor inode [path]
 *
 * with page-aligned, sorted, non-overlapping ranges. The lines that hold
 * known addresses must say the right things: main() is in an r-xp mapping
 * of the program file at the file offset its address implies, initialised
 * data in an rw-p one, string literals in a read-only one; malloc'd
 * memory is in [heap], a local variable in [stack], an anonymous mmap in
 * an unnamed rw-p region with inode 0. Path names differ between the host
 * and Pagoda, so only their last component is compared with argv[0]'s.
 */
#include "utest.h"

#include <sys/mman.h>

/* Static non-PIE i386 programs are linked here (the ELF file's page 0). */
#define LINK_BASE 0x08048000u

struct map_line {
	unsigned long start, end, offset, inode;
	unsigned major, minor;
	char perms[5];
	char path[256];
};

static struct map_line lines[256];
static int nlines, nbad;

/* Reads and parses /proc/self/maps into lines[]. */
static void read_maps(void)
{
	static char buf[32768];
	ssize_t n, len = 0;
	int fd = open("/proc/self/maps", O_RDONLY);

	nlines = nbad = 0;
	if (fd < 0)
		return;
	while (len < (ssize_t)sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	for (char *line = strtok(buf, "\n"); line && nlines < 256;
	     line = strtok(NULL, "\n")) {
		struct map_line *m = &lines[nlines];
		int used = 0;

		m->path[0] = '\0';
		if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &m->start,
			   &m->end, m->perms, &m->offset, &m->major, &m->minor,
			   &m->inode, &used) != 7) {
			nbad++;
			continue;
		}
		snprintf(m->path, sizeof(m->path), "%s", line + used);
		nlines++;
	}
}

/* The line whose range holds addr, or NULL. */
static struct map_line *line_of(const void *addr)
{
	for (int i = 0; i < nlines; i++) {
		if ((uintptr_t)addr >= lines[i].start &&
		    (uintptr_t)addr < lines[i].end)
			return &lines[i];
	}
	return NULL;
}

/* The part of a path after its last '/'. */
static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* True when a line maps this program's file. */
static bool is_program(const struct map_line *m)
{
	return m && m->path[0] == '/' &&
	       !strcmp(base_name(m->path), base_name(ut_argv0));
}

/* Checks the format facts every line must satisfy. */
static void check_format(void)
{
	bool aligned = true, sorted = true, perms = true;

	for (int i = 0; i < nlines; i++) {
		const struct map_line *m = &lines[i];
		const char *p = m->perms;

		aligned &= (m->start | m->end) % UT_PAGE == 0 &&
			   m->start < m->end;
		if (i > 0)
			sorted &= lines[i - 1].end <= m->start;
		perms &= strlen(p) == 4 && strchr("r-", p[0]) &&
			 strchr("w-", p[1]) && strchr("x-", p[2]) &&
			 strchr("ps", p[3]);
	}
	ut_check(nlines >= 5 && nbad == 0, "every line parses (%s)",
		 nlines >= 5 ? "at least 5 lines" : "too few lines");
	ut_check(aligned, "ranges are page aligned and not empty");
	ut_check(sorted, "ranges are sorted and do not overlap");
	ut_check(perms, "permissions look like rwxp");
}

static int initialised = 1;
static const char literal[] = "a string in read-only data";

int main(int argc, char **argv)
{
	int local = 0;
	void *small = malloc(100);
	unsigned char *anon = mmap(NULL, 3 * UT_PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct map_line *m;

	ut_begin(argc, argv);
	if (!small || anon == MAP_FAILED) {
		ut_check(false, "allocate");
		return ut_end();
	}
	anon[0] = 1;
	read_maps();
	check_format();

	m = line_of((void *)main);
	ut_check(m && !strcmp(m->perms, "r-xp"), "main() is in an r-xp line");
	ut_check(is_program(m), "  which maps the program file");
	ut_check(m && m->offset == m->start - LINK_BASE,
		 "  at the file offset its address implies");
	ut_check(m && m->inode != 0, "  with an inode number");

	m = line_of(&initialised);
	ut_check(m && !strcmp(m->perms, "rw-p") && is_program(m),
		 "initialised data is in an rw-p line of the program");
	m = line_of(literal);
	ut_check(m && m->perms[0] == 'r' && m->perms[1] == '-' && is_program(m),
		 "a string literal is in a read-only line of the program");

	m = line_of(small);
	ut_check(m && !strcmp(m->path, "[heap]") && !strcmp(m->perms, "rw-p"),
		 "malloc(100) is in the rw-p [heap] line");
	m = line_of(&local);
	ut_check(m && !strcmp(m->path, "[stack]") && !strcmp(m->perms, "rw-p"),
		 "a local variable is in the rw-p [stack] line");
	m = line_of(anon + 2 * UT_PAGE);
	ut_check(m && !strcmp(m->perms, "rw-p") && m->path[0] == '\0' &&
			 m->inode == 0 && m->major == 0 && m->minor == 0 &&
			 m->offset == 0 && line_of(anon) == m,
		 "an anonymous mmap is in one unnamed rw-p line, inode 0");

	munmap(anon, 3 * UT_PAGE);
	read_maps();
	ut_check(line_of(anon) == NULL && line_of(anon + 2 * UT_PAGE) == NULL,
		 "after munmap no line covers it");
	free(small);
	return ut_end();
}
