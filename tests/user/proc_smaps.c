/*
 * tests/user/proc_smaps.c - /proc/self/maps and /proc/self/smaps lines of
 * a mapping whose path is long.
 *
 * The file mapped is the data file beside this program whose name starts
 * with "long-name-" (210 characters, made by tests/user/user.mk), so its
 * path is over 200 characters long: longer than any fixed line buffer a
 * kernel might be tempted to use. Linux prints the whole path. Both files
 * must be plain text (no NUL byte); every smaps entry starts with exactly
 * its maps line, followed by "Field: value" lines; the entry of the
 * mapping says its size. Path names differ between the host and Pagoda,
 * so the path is compared with the one realpath() gives, not printed.
 */
#include "utest.h"

#include <dirent.h>
#include <limits.h>
#include <sys/mman.h>

#define DATA_PREFIX "long-name-"

static char maps[65536], smaps[262144];
static size_t maps_len, smaps_len;

/* Reads a whole /proc file into buf; returns its length. */
static size_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return 0;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* Finds the data file in the directory of argv[0]; false if missing. */
static bool find_data(char *path, size_t size)
{
	char dir[PATH_MAX];
	struct dirent *e;
	DIR *d;

	ut_helper_path(".", dir, sizeof(dir));
	d = opendir(dir);
	if (!d)
		return false;
	while ((e = readdir(d))) {
		if (!strncmp(e->d_name, DATA_PREFIX, strlen(DATA_PREFIX))) {
			ut_helper_path(e->d_name, path, size);
			closedir(d);
			return true;
		}
	}
	closedir(d);
	return false;
}

/* The line of text starting at p (without its newline), into out. */
static void line_at(const char *p, char *out, size_t size)
{
	size_t n = strcspn(p, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The line of buf that starts with the address range of p, or NULL. */
static const char *line_of(const char *buf, const void *p)
{
	char key[32];

	snprintf(key, sizeof(key), "%08lx-", (unsigned long)p);
	for (const char *l = buf; *l; l = strchr(l, '\n') + 1) {
		if (!strncmp(l, key, strlen(key)))
			return l;
		if (!strchr(l, '\n'))
			break;
	}
	return NULL;
}

/* Whether a line looks like a maps line (a region's header in smaps). */
static bool is_header(const char *l)
{
	unsigned long s, e, off, ino;
	unsigned int maj, min;
	char perms[8];

	return sscanf(l, "%lx-%lx %7s %lx %x:%x %lu", &s, &e, perms, &off, &maj,
		      &min, &ino) == 7;
}

/* Whether a line is a "Field:   value" line of smaps. */
static bool is_field(const char *l)
{
	size_t n = strspn(l, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			     "abcdefghijklmnopqrstuvwxyz_");

	return n > 0 && l[n] == ':';
}

/*
 * Checks the shape of smaps: every line is a header or a field, the
 * headers are the maps lines in order, and each header is followed by at
 * least one field.
 */
static void check_smaps_shape(void)
{
	const char *m = maps, *l = smaps;
	bool shape = true, same = true;
	int headers = 0;
	char want[1024], got[1024];

	while (*l && shape) {
		line_at(l, got, sizeof(got));
		if (is_header(got)) {
			line_at(m, want, sizeof(want));
			same &= *m && !strcmp(want, got);
			m += strcspn(m, "\n");
			m += *m == '\n';
			headers++;
			l += strcspn(l, "\n") + 1;
			line_at(l, got, sizeof(got));
			shape &= is_field(got);
		} else {
			shape &= is_field(got);
		}
		l += strcspn(l, "\n");
		l += *l == '\n';
	}
	ut_check(shape && headers > 0,
		 "smaps: every line is a region's maps line or a field, and "
		 "every region has fields");
	ut_check(same && !*m, "smaps: the regions' lines are the maps lines");
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], real[PATH_MAX], line[PATH_MAX + 128], next[128];
	const char *l, *name;
	unsigned char *p;
	int fd;

	ut_begin(argc, argv);
	if (!ut_check(find_data(path, sizeof(path)) && realpath(path, real),
		      "the data file with a long name is beside the test"))
		return ut_end();
	ut_check(strlen(real) > 200, "its path is over 200 characters long");
	fd = open(real, O_RDONLY);
	p = mmap(NULL, UT_PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (!ut_check(fd >= 0 && p != MAP_FAILED, "mmap a page of it"))
		return ut_end();

	maps_len = read_file("/proc/self/maps", maps, sizeof(maps));
	smaps_len = read_file("/proc/self/smaps", smaps, sizeof(smaps));
	ut_check(maps_len > 0 && strlen(maps) == maps_len,
		 "maps: text without a NUL byte");
	ut_check(smaps_len > 0 && strlen(smaps) == smaps_len,
		 "smaps: text without a NUL byte");

	l = line_of(maps, p);
	line_at(l ? l : "", line, sizeof(line));
	name = strchr(line, '/');
	ut_check(l && !strncmp(line + 18, "r--p 00000000 ", 14),
		 "maps: the mapping's line says r--p at offset 0");
	ut_check(name && !strcmp(name, real),
		 "maps: the line ends with the whole path");
	ut_check(strlen(line) == 73 + strlen(real),
		 "maps: the path starts at column 73");

	l = line_of(smaps, p);
	if (ut_check(l != NULL, "smaps: an entry for the mapping")) {
		char header[PATH_MAX + 128];

		line_at(l, header, sizeof(header));
		ut_check(!strcmp(header, line),
			 "smaps: its first line is the maps line");
		line_at(l + strlen(header) + 1, next, sizeof(next));
		ut_check(!strncmp(next, "Size:", 5) &&
				 strtol(next + 5, NULL, 10) == 4 &&
				 strstr(next, " kB"),
			 "smaps: then \"Size: 4 kB\"");
	}
	check_smaps_shape();
	munmap(p, UT_PAGE);
	close(fd);
	return ut_end();
}
