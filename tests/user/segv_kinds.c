/*
 * tests/user/segv_kinds.c - every way a bad access ends a process.
 *
 * Each case runs in a child, which must be killed by the signal Linux
 * sends: SIGSEGV for page faults on NULL, unmapped and kernel addresses
 * (read, write and execute) and for general protection faults (privileged
 * instructions, an interrupt gate user mode may not use); SIGILL, SIGFPE
 * and SIGTRAP for the other CPU exceptions a program can raise.
 */
#include "utest.h"

#include <sys/mman.h>

static uintptr_t unmapped_page;

/* Reads a byte at an address. */
static int read_at(void *p)
{
	(void)*(volatile unsigned char *)p;
	return 0;
}

/* Writes a byte at an address. */
static int write_at(void *p)
{
	*(volatile unsigned char *)p = 1;
	return 0;
}

/* Calls code at an address. */
static int call_at(void *p)
{
	((void (*)(void))p)();
	return 0;
}

/* Divides by zero: #DE. */
static int divide_by_zero(void *p)
{
	volatile int zero = (int)(uintptr_t)p;

	return 100 / zero;
}

/* An undefined instruction: #UD. */
static int undefined_instruction(void *p)
{
	(void)p;
	__asm__ volatile("ud2");
	return 0;
}

/* A breakpoint: #BP. */
static int breakpoint(void *p)
{
	(void)p;
	__asm__ volatile("int3");
	return 0;
}

/* cli is privileged at IOPL 0: #GP. */
static int privileged_cli(void *p)
{
	(void)p;
	__asm__ volatile("cli");
	return 0;
}

/* Port I/O is privileged at IOPL 0 without an I/O bitmap: #GP. */
static int port_io(void *p)
{
	(void)p;
	__asm__ volatile("outb %%al, $0x80" : : "a"(0));
	return 0;
}

/* An interrupt vector whose gate user mode may not use: #GP. */
static int bad_interrupt(void *p)
{
	(void)p;
	__asm__ volatile("int $0x81");
	return 0;
}

struct fault_case {
	const char *name;
	int (*fn)(void *);
	uintptr_t addr;
	int sig;
};

int main(int argc, char **argv)
{
	void *m = mmap(NULL, UT_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	struct fault_case cases[] = {
		{ "read NULL", read_at, 0, SIGSEGV },
		{ "write NULL", write_at, 0, SIGSEGV },
		{ "call NULL", call_at, 0, SIGSEGV },
		{ "read NULL+4000", read_at, 4000, SIGSEGV },
		{ "read an unmapped page", read_at, 0, SIGSEGV },
		{ "write an unmapped page", write_at, 0, SIGSEGV },
		{ "read 0xC0000000 (kernel)", read_at, UT_KERNEL_ADDR,
		  SIGSEGV },
		{ "write 0xC0000000 (kernel)", write_at, UT_KERNEL_ADDR,
		  SIGSEGV },
		{ "read 0xC0100000 (kernel text)", read_at, 0xC0100000u,
		  SIGSEGV },
		{ "call 0xC0100000 (kernel text)", call_at, 0xC0100000u,
		  SIGSEGV },
		{ "read 0xFFFFF000 (top page)", read_at, 0xFFFFF000u, SIGSEGV },
		{ "divide by zero", divide_by_zero, 0, SIGFPE },
		{ "ud2", undefined_instruction, 0, SIGILL },
		{ "int3", breakpoint, 0, SIGTRAP },
		{ "cli", privileged_cli, 0, SIGSEGV },
		{ "outb", port_io, 0, SIGSEGV },
		{ "int $0x81", bad_interrupt, 0, SIGSEGV },
	};

	ut_begin(argc, argv);
	if (m == MAP_FAILED || munmap(m, UT_PAGE)) {
		ut_check(false, "make an unmapped page");
		return ut_end();
	}
	unmapped_page = (uintptr_t)m;
	cases[4].addr = unmapped_page + 12;
	cases[5].addr = unmapped_page + 12;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int status = ut_in_child(cases[i].fn, ut_opaque(cases[i].addr));

		ut_check(ut_killed_by(status, cases[i].sig), "%s: %s",
			 cases[i].name, ut_status(status));
	}
	return ut_end();
}
