/*
 * tests/user/adv_segments.c - segment registers loaded with selectors a
 * program has no right to: LDT selectors without an LDT, kernel
 * selectors, selectors past the GDT's end, a null stack segment, and a
 * null data segment used for an access.
 *
 * Each load is made in a child with a SIGSEGV handler that reports the
 * fault's si_code and si_addr through its exit status: the CPU raises a
 * general-protection fault (#GP, Intel SDM vol. 3A, 6.15 "Interrupt 13"),
 * which Linux reports as SIGSEGV with si_code SI_KERNEL and si_addr 0.
 * The handler itself must run with usable data segments: the kernel
 * reloads %ds and %es for it, whatever the program left there. What
 * set_thread_area does to loaded TLS selectors is tls_segments.c's part.
 *
 * A load through a null %ds is a #GP on hardware (SDM vol. 3A, 3.4.2:
 * the null selector may be loaded, not used). QEMU's TCG does not check
 * it, under Linux as under Pagoda, so the test prints what happened
 * rather than requiring the fault.
 */
#include "utest.h"

#include <sys/syscall.h>

/* The exit status a handler gives for a fault: 80 for SI_KERNEL. */
static void report(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	int code = si->si_code == SI_KERNEL ? 80 : si->si_code;
	_exit(si->si_addr ? 90 : code);
}

/* Installs report() for SIGSEGV and SIGBUS. */
static void catch_faults(void)
{
	struct sigaction sa = { .sa_sigaction = report,
				.sa_flags = SA_SIGINFO };
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

#define LOAD(reg)                                                             \
	static int load_##reg(void *arg)                                      \
	{                                                                     \
		uint16_t sel = (uint16_t)(uintptr_t)arg;                      \
		catch_faults();                                               \
		__asm__ volatile("movw %0, %%" #reg : : "r"(sel) : "memory"); \
		return 0;                                                     \
	}
LOAD(ds)
LOAD(es)
LOAD(fs)
LOAD(ss)

/* A null %ds, then a load through it. */
static int null_ds_access(void *arg)
{
	(void)arg;
	static volatile int word = 5;
	int v;
	catch_faults();
	__asm__ volatile("pushl %%ds\n\t"
			 "movw %w1, %%ds\n\t"
			 "movl %2, %0\n\t"
			 "popl %%ds"
			 : "=r"(v)
			 : "r"(0), "m"(word)
			 : "memory");
	return v == 5 ? 0 : 1;
}

/* A null %es and %fs survive a system call. */
static int null_survives(void *arg)
{
	(void)arg;
	uint16_t es, fs;
	__asm__ volatile("movw %w0, %%es\n\t"
			 "movw %w0, %%fs" : : "r"(0));
	syscall(SYS_getpid);
	__asm__ volatile("movw %%es, %0\n\t"
			 "movw %%fs, %1" : "=r"(es), "=r"(fs));
	/* Back to a usable %es before any string instruction runs. */
	__asm__ volatile("pushl %%ds\n\tpopl %%es" : : : "memory");
	return es == 0 && fs == 0 ? 0 : 1;
}

static const struct {
	const char *name;
	uint16_t sel;
} sels[] = {
	{ "LDT entry 0, RPL 3 (no LDT)", 0x0007 },
	{ "LDT entry 5, RPL 3 (no LDT)", 0x002f },
	{ "GDT entry 1, RPL 3", 0x000b },
	{ "GDT entry 2, RPL 3", 0x0013 },
	{ "GDT entry 8191 (past the end)", 0xfffb },
};

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	static const struct {
		const char *reg;
		int (*fn)(void *);
	} regs[] = { { "ds", load_ds }, { "es", load_es }, { "fs", load_fs } };

	for (size_t r = 0; r < sizeof(regs) / sizeof(regs[0]); r++)
		for (size_t i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
			int st = ut_in_child(regs[r].fn,
					     (void *)(uintptr_t)sels[i].sel);
			ut_fact("%%%s <- %s: %s", regs[r].reg, sels[i].name,
				ut_status(st));
		}
	int st = ut_in_child(load_ss, (void *)0);
	ut_fact("%%ss <- null: %s", ut_status(st));
	st = ut_in_child(load_ss, (void *)0x7);
	ut_fact("%%ss <- LDT entry 0: %s", ut_status(st));
	st = ut_in_child(null_ds_access, NULL);
	ut_fact("a load through a null %%ds: %s", ut_status(st));
	st = ut_in_child(null_survives, NULL);
	ut_check(ut_exited(st, 0),
		 "null %%es and %%fs survive a system call: %s",
		 ut_status(st));
	return ut_end();
}
