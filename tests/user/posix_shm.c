/*
 * tests/user/posix_shm.c - POSIX shared memory (shm_open, shm_unlink),
 * compared with Linux.
 *
 * glibc's shm_open(NAME) opens /dev/shm/NAME, so this is tmpfs at work:
 * a segment is created, sized with ftruncate, mapped shared by a parent
 * and by an unrelated process (a child that opens it by name again), and
 * what one stores the other reads. shm_unlink removes the name while the
 * mapping lives on; opening it again without O_CREAT is then ENOENT, and
 * O_CREAT|O_EXCL on an existing name EEXIST. The segment is a regular
 * file of /dev/shm, visible to stat.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/stat.h>

#define NAME "/posix_shm_test"
#define SIZE (3 * UT_PAGE)

static int err_of(long r)
{
	return r < 0 ? errno : 0;
}

/* The other process: opens the segment by name and writes through it. */
static int writer(void *arg)
{
	(void)arg;
	int fd = shm_open(NAME, O_RDWR, 0);
	if (fd < 0)
		return 1;
	char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 2;
	if (strcmp(p, "from the parent"))
		return 3;
	strcpy(p + 2 * UT_PAGE, "from the child");
	return 0;
}

int main(int argc, char **argv)
{
	struct stat st;
	ut_begin(argc, argv);
	shm_unlink(NAME);
	int fd = shm_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600);
	ut_check(fd >= 0, "shm_open O_CREAT|O_EXCL");
	ut_check(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			 st.st_size == 0 && (st.st_mode & 0777) == 0600,
		 "a new segment: an empty regular file, mode 0600");
	ut_check(stat("/dev/shm" NAME, &st) == 0, "it is /dev/shm" NAME);
	int err = err_of(shm_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600));
	ut_check(err == EEXIST, "O_CREAT|O_EXCL again: %s", ut_errname(err));
	ut_check(ftruncate(fd, SIZE) == 0 && fstat(fd, &st) == 0 &&
			 st.st_size == SIZE,
		 "ftruncate to three pages");
	char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ut_check(p != MAP_FAILED, "mmap it shared");
	close(fd);
	ut_check(p[UT_PAGE] == 0 && p[SIZE - 1] == 0, "it reads as zeros");
	strcpy(p, "from the parent");
	int status = ut_in_child(writer, NULL);
	ut_check(ut_exited(status, 0), "another process maps it by name: %s",
		 ut_status(status));
	ut_check(!strcmp(p + 2 * UT_PAGE, "from the child"),
		 "the parent sees its store: \"%s\"", p + 2 * UT_PAGE);

	ut_check(shm_unlink(NAME) == 0, "shm_unlink");
	err = err_of(shm_open(NAME, O_RDWR, 0));
	ut_check(err == ENOENT, "shm_open after unlink: %s", ut_errname(err));
	err = err_of(shm_unlink(NAME));
	ut_check(err == ENOENT, "shm_unlink again: %s", ut_errname(err));
	strcpy(p + UT_PAGE, "still mapped");
	ut_check(!strcmp(p + UT_PAGE, "still mapped"),
		 "the mapping outlives the name");
	ut_check(munmap(p, SIZE) == 0, "munmap");
	return ut_end();
}
