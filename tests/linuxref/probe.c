/*
 * tests/linuxref/probe.c - can this machine run i386 programs itself?
 *
 * tools/linux-ref runs this static i386 program on the build machine
 * before choosing where the reference Linux runs. If the kernel refuses
 * it (a 64-bit kernel without IA32 emulation says "Exec format error"),
 * the reference is booted under QEMU instead. The probe waits for its
 * standard input to end, so that the runner has time to look at
 * /proc/PID/exe: an emulator started through binfmt_misc shows there
 * instead of this file. Then it prints one line, "probe: i386 ok".
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	char buf[64];

	while (read(0, buf, sizeof(buf)) > 0)
		;
	/* Built with -m32: a long is 4 bytes only in an i386 program. */
	printf("probe: i%d ok\n", sizeof(long) == 4 ? 386 : 0);
	return 0;
}
