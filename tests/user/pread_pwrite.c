/*
 * tests/user/pread_pwrite.c - reading and writing at an offset.
 *
 * pread64 reads at an offset without moving the file position; both calls
 * refuse files that cannot seek (pipes: ESPIPE), negative offsets
 * (EINVAL) and the wrong access mode (EBADF). The file read is the test
 * program itself (an i386 ELF file on the host and on Pagoda alike).
 */
#include "utest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char buf[8];
	int p[2], err;

	ut_begin(argc, argv);
	int fd = open(ut_argv0, O_RDONLY);
	ut_check(fd >= 0, "open the program itself read-only");

	ut_check(pread(fd, buf, 4, 0) == 4 && !memcmp(buf, "\177ELF", 4),
		 "pread at 0 reads the ELF magic");
	ut_check(pread(fd, buf, 1, 4) == 1 && buf[0] == 1,
		 "pread at 4 reads ELFCLASS32");
	ut_check(lseek(fd, 0, SEEK_CUR) == 0,
		 "pread leaves the file position at 0");
	err = pread(fd, buf, 1, -1) == -1 ? errno : 0;
	ut_check(err == EINVAL, "pread at a negative offset: %s",
		 ut_errname(err));
	err = pwrite(fd, "x", 1, 0) == -1 ? errno : 0;
	ut_check(err == EBADF, "pwrite on a read-only descriptor: %s",
		 ut_errname(err));

	ut_check(pipe(p) == 0, "pipe");
	err = pread(p[0], buf, 1, 0) == -1 ? errno : 0;
	ut_check(err == ESPIPE, "pread on a pipe: %s",
		 ut_errname(err));
	err = pwrite(p[1], "x", 1, 0) == -1 ? errno : 0;
	ut_check(err == ESPIPE, "pwrite on a pipe: %s",
		 ut_errname(err));
	err = pread(-1, buf, 1, 0) == -1 ? errno : 0;
	ut_check(err == EBADF, "pread on descriptor -1: %s",
		 ut_errname(err));
	return ut_end();
}
