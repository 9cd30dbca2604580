/*
 * user/segv.c - the ways a program can make a bad memory access.
 *
 *   segv                 try every kind, each in a child process
 *   segv KIND            make one bad access in this process
 *
 * A user access the page tables do not allow makes the CPU raise a page
 * fault (vector 14) with the address in CR2 and an error code saying
 * whether the page was present, and whether it was a read, a write or an
 * instruction fetch. The kernel first tries to resolve it (demand-zero,
 * copy-on-write, stack growth...). When the access is an error, it sends
 * the process SIGSEGV, whose default action ends it; the parent's wait4()
 * then sees "killed by signal 11". A few faults are not page faults:
 * privileged instructions raise a general protection fault (also
 * SIGSEGV), a division by zero SIGFPE, an undefined opcode SIGILL, and
 * reading a file mapping past the end of the file SIGBUS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define KERNEL_BASE 0xC0000000u /* the 3G/1G split */

static const char *self_path = "/proc/self/exe";

/* Hides a value from the optimiser so the bad access is compiled as is. */
static void *opaque(uintptr_t v)
{
	__asm__ volatile("" : "+r"(v));
	return (void *)v;
}

/* A depth recursion never reaches; the test keeps GCC from complaining. */
static volatile unsigned never = ~0u;

/* Recurses until the stack limit stops it. */
static unsigned recurse(unsigned depth)
{
	volatile char frame[1024];

	frame[0] = (char)depth;
	if (depth == never)
		return 0;
	return recurse(depth + 1) + frame[0];
}

/* Maps the program file one page past its end and reads there. */
static void past_end_of_file(void)
{
	struct stat st;
	int fd = open(self_path, O_RDONLY);
	size_t len;
	char *p;

	if (fd < 0 || fstat(fd, &st)) {
		printf("   cannot open %s: %s\n", self_path, strerror(errno));
		exit(2);
	}
	len = ((size_t)st.st_size + PAGE - 1) / PAGE * PAGE + PAGE;
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		printf("   mmap of a file: %s\n", strerror(errno));
		exit(2);
	}
	printf("   the file has %ld bytes; reading at offset %zu\n",
	       (long)st.st_size, len - PAGE);
	(void)*(volatile char *)(p + len - PAGE);
}

/* Calls a "ret" instruction placed in memory that is not executable. */
static void exec_data(void)
{
	unsigned char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(2);
	p[0] = 0xc3; /* ret */
	((void (*)(void))p)();
	printf("   the code ran: this CPU mode has no no-execute bit, so "
	       "readable\n   memory is executable (32-bit paging without "
	       "PAE cannot forbid it)\n");
}

struct kind {
	const char *name;
	const char *what;
	int (*run)(void);
};

/* Reads address 0. */
static int k_null_read(void)
{
	return *(volatile int *)opaque(0);
}

/* Writes address 0. */
static int k_null_write(void)
{
	*(volatile int *)opaque(0) = 1;
	return 0;
}

/* Jumps to address 0. */
static int k_null_call(void)
{
	((void (*)(void))opaque(0))();
	return 0;
}

/* Reads the kernel's code. */
static int k_kernel_read(void)
{
	return *(volatile int *)opaque(KERNEL_BASE + 0x100000);
}

/* Writes the first kernel address. */
static int k_kernel_write(void)
{
	*(volatile int *)opaque(KERNEL_BASE) = 1;
	return 0;
}

/* Writes to .rodata. */
static int k_readonly(void)
{
	static const char literal[] = "read-only data";

	*(volatile char *)opaque((uintptr_t)literal) = 'R';
	return 0;
}

/* Writes to .text. */
static int k_text(void)
{
	*(volatile char *)opaque((uintptr_t)k_text) = 0x90;
	return 0;
}

/* Writes to a page after mprotect(PROT_READ). */
static int k_mprotect(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	p[0] = 1;
	mprotect(p, PAGE, PROT_READ);
	printf("   reading works: %d; now writing...\n", p[0]);
	*(volatile char *)p = 2;
	return 0;
}

/* Reads a PROT_NONE page. */
static int k_prot_none(void)
{
	char *p =
		mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return *(volatile char *)p;
}

/* Reads a page after munmap. */
static int k_unmapped(void)
{
	char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	p[0] = 1;
	munmap(p, PAGE);
	return *(volatile char *)p;
}

/* Overflows the stack. */
static int k_stack(void)
{
	return (int)recurse(0);
}

/* Executes a data page. */
static int k_exec_data(void)
{
	exec_data();
	return 0;
}

/* Reads past the end of a mapped file. */
static int k_bus(void)
{
	past_end_of_file();
	return 0;
}

/* Runs a privileged instruction. */
static int k_privileged(void)
{
	__asm__ volatile("cli");
	return 0;
}

/* Divides by zero. */
static int k_div0(void)
{
	volatile int zero = 0;

	return 100 / zero;
}

/* Runs an undefined instruction. */
static int k_ud2(void)
{
	__asm__ volatile("ud2");
	return 0;
}

static const struct kind kinds[] = {
	{ "null-read", "read through a NULL pointer (page 0 is never mapped)",
	  k_null_read },
	{ "null-write", "write through a NULL pointer", k_null_write },
	{ "null-call",
	  "call a NULL function pointer (an instruction fetch at 0)",
	  k_null_call },
	{ "kernel",
	  "read kernel memory at 0xC0100000 (present, but supervisor-only)",
	  k_kernel_read },
	{ "kernel-write", "write to 0xC0000000", k_kernel_write },
	{ "readonly", "write to a string literal (read-only data)",
	  k_readonly },
	{ "text", "write over the program's own code", k_text },
	{ "mprotect", "write to a page made read-only with mprotect",
	  k_mprotect },
	{ "prot-none", "read a PROT_NONE page (mapped, no access at all)",
	  k_prot_none },
	{ "unmapped", "read a page after munmap (use after free)", k_unmapped },
	{ "stack", "recurse forever until the stack reaches its limit (8 MiB)",
	  k_stack },
	{ "exec-data", "run code in a read-write page without PROT_EXEC",
	  k_exec_data },
	{ "bus", "read a file mapping past the end of the file", k_bus },
	{ "privileged", "run cli, an instruction only the kernel may use",
	  k_privileged },
	{ "div0", "divide by zero (not a memory fault: SIGFPE)", k_div0 },
	{ "ud2", "an undefined instruction (SIGILL)", k_ud2 },
	{ NULL, NULL, NULL },
};

/* Prints how a child ended. */
static void describe(int status)
{
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		printf("   -> killed by signal %d (SIG%s: %s)\n", sig,
		       sigabbrev_np(sig) ?: "?", sigdescr_np(sig) ?: "?");
	} else if (WEXITSTATUS(status) == 0) {
		printf("   -> exited normally: no fault happened\n");
	} else {
		printf("   -> exited with status %d: the access could not be "
		       "set up\n",
		       WEXITSTATUS(status));
	}
}

/* Prints the usage message with the list of kinds. */
static void usage(void)
{
	printf("usage: segv [KIND]\n"
	       "Without KIND, tries every kind in a child process.\n"
	       "Kinds:\n");
	for (const struct kind *k = kinds; k->name; k++)
		printf("  %-13s %s\n", k->name, k->what);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argv[0] && strchr(argv[0], '/'))
		self_path = argv[0];
	if (argc > 1) {
		for (const struct kind *k = kinds; k->name; k++) {
			if (!strcmp(argv[1], k->name)) {
				printf("segv %s: %s\n", k->name, k->what);
				return k->run();
			}
		}
		usage();
		return !strcmp(argv[1], "-h") ? 0 : 1;
	}
	printf("Each kind of bad access runs in its own child process; "
	       "the parent reports\nhow the child ended (as wait4() tells "
	       "it).\n\n");
	for (const struct kind *k = kinds; k->name; k++) {
		int status;
		pid_t pid;

		printf("%-12s %s\n", k->name, k->what);
		pid = fork();
		if (pid == 0)
			_exit(k->run());
		if (pid < 0 || waitpid(pid, &status, 0) != pid) {
			printf("   fork/wait failed: %s\n", strerror(errno));
			continue;
		}
		describe(status);
	}
	return 0;
}
