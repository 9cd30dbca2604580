/*
 * tests/user/uname_sysinfo.c - what a program learns about the kernel it
 * runs on: uname(2)'s release and sysinfo(2)'s memory and swap figures.
 *
 * glibc refuses to start ("FATAL: kernel too old") when the release that
 * uname reports is older than the oldest kernel it was built for, which
 * for i386 is 3.2 (the NT_GNU_ABI_TAG note of every static program). So
 * the release must parse as a Linux version of at least 3.2; the test
 * prints the check, not the release, which differs between kernels.
 *
 * sysinfo() must agree with /proc/meminfo: MemTotal with totalram and
 * SwapTotal with totalswap (to the kB), in units of mem_unit. Free memory
 * changes from one moment to the next, so it is only checked against the
 * totals.
 */
#include "utest.h"

#include <sys/sysinfo.h>
#include <sys/utsname.h>

/* Parses "MAJOR.MINOR..." of a release; false if it does not start so. */
static bool parse_release(const char *rel, long *major, long *minor)
{
	char *end;

	*major = strtol(rel, &end, 10);
	if (end == rel || *end != '.')
		return false;
	rel = end + 1;
	*minor = strtol(rel, &end, 10);
	return end != rel;
}

/* A sysinfo figure in kB. */
static unsigned long long kb(unsigned long value, unsigned int unit)
{
	return (unsigned long long)value * unit / 1024;
}

int main(int argc, char **argv)
{
	struct utsname u;
	struct sysinfo si;
	long major = 0, minor = 0;
	long mem_total, swap_total;

	ut_begin(argc, argv);
	ut_check(uname(&u) == 0, "uname succeeds");
	ut_check(parse_release(u.release, &major, &minor),
		 "the release starts with MAJOR.MINOR");
	ut_check(major > 3 || (major == 3 && minor >= 2),
		 "the release is at least 3.2, glibc's oldest i386 kernel");
	ut_check(strlen(u.sysname) > 0 && strlen(u.version) > 0,
		 "sysname and version are set");

	ut_check(sysinfo(&si) == 0, "sysinfo succeeds");
	ut_check(si.mem_unit == 1 || si.mem_unit == UT_PAGE,
		 "mem_unit is 1 or the page size");
	mem_total = ut_proc_field("/proc/meminfo", "MemTotal");
	swap_total = ut_proc_field("/proc/meminfo", "SwapTotal");
	ut_check(kb(si.totalram, si.mem_unit) == (unsigned long long)mem_total,
		 "totalram is /proc/meminfo's MemTotal");
	ut_check(kb(si.totalswap, si.mem_unit) ==
			 (unsigned long long)swap_total,
		 "totalswap is /proc/meminfo's SwapTotal");
	ut_check(si.freeram > 0 && si.freeram <= si.totalram,
		 "0 < freeram <= totalram");
	ut_check(si.freeswap <= si.totalswap, "freeswap <= totalswap");
	ut_check(si.procs >= 1, "at least one process");
	return ut_end();
}
