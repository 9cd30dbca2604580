/*
 * tests/user/reboot_args.c - reboot(2)'s checks, without stopping the
 * machine: wrong magic numbers and unknown commands are EINVAL, the
 * Ctrl-Alt-Del switches are accepted (Linux's include/uapi/linux/reboot.h
 * numbers). Powering off and restarting are tested by booting (they would
 * end the reference machine too).
 */
#include "utest.h"

#include <sys/syscall.h>

#define MAGIC1 0xfee1deadu
#define MAGIC2 672274793u
#define CMD_CAD_ON 0x89ABCDEFu
#define CMD_CAD_OFF 0x00000000u

/* Calls reboot(2) directly; returns its errno name. */
static const char *try_reboot(uint32_t m1, uint32_t m2, uint32_t cmd)
{
	long r = syscall(SYS_reboot, m1, m2, cmd, NULL);
	return ut_errname(r < 0 ? errno : 0);
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	ut_check(!strcmp(try_reboot(0x12345678u, MAGIC2, CMD_CAD_ON), "EINVAL"),
		 "wrong magic1: EINVAL");
	ut_fact("wrong magic2: %s", try_reboot(MAGIC1, 1u, CMD_CAD_ON));
	ut_fact("second magic2 (85072278): %s",
		try_reboot(MAGIC1, 85072278u, CMD_CAD_ON));
	ut_fact("unknown command: %s", try_reboot(MAGIC1, MAGIC2, 0x11111111u));
	ut_fact("CAD_OFF: %s", try_reboot(MAGIC1, MAGIC2, CMD_CAD_OFF));
	ut_check(!strcmp(try_reboot(MAGIC1, MAGIC2, CMD_CAD_ON), "0"),
		 "CAD_ON: accepted");
	return ut_end();
}
