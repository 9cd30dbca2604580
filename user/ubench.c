/*
 * user/ubench.c - process and memory benchmarks, measured from user space.
 *
 * Run by `make bench` as init, under QEMU's -icount (the time-stamp counter
 * then counts guest instructions). Prints "BENCH name value tsc" lines in
 * the format the kernel's benchmarks use; the kernel printed its floors
 * (trap round trip, zeroing and copying 4 KiB) earlier in the same boot.
 *
 *   proc.getpid             one system-call round trip
 *   proc.yield_switch       sched_yield between two processes: one call
 *                           and one context switch
 *   mm.demand_zero_fault    first touch of an anonymous page
 *   mm.cow_fault            a write to a copy-on-write page after fork
 *   proc.fork_exit_4m       fork + exit + wait of a process with 4 MiB
 *                           touched (the child writes nothing)
 *   proc.fork_exit_4m_copies_per_fork  pages copied per fork: only the
 *                           parent's own stack and data writes, never
 *                           the 4 MiB (1024 pages)
 *   proc.fork_exit_64m      the same with 64 MiB touched (16384 pages)
 *   proc.fork_exec_exit     fork + execve of a small program + wait
 */
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procfile.h"

#define PAGE 4096
#define SAMPLES 15

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return v[n / 2];
}

static void report_unit(const char *name, uint64_t value, const char *unit)
{
	printf("BENCH %s %llu %s\n", name, (unsigned long long)value, unit);
	fflush(stdout);
}

static void report(const char *name, uint64_t value)
{
	report_unit(name, value, "tsc");
}

/* One counter of /proc/vmstat (0 if missing). */
static unsigned long long vmstat(const char *key)
{
	long long v = proc_value("/proc/vmstat", key);
	return v < 0 ? 0 : (unsigned long long)v;
}

static void bench_getpid(void)
{
	uint64_t s[SAMPLES];
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rdtsc();
		for (int j = 0; j < 64; j++)
			syscall(SYS_getpid);
		s[i] = (rdtsc() - t0) / 64;
	}
	report("proc.getpid", median(s, SAMPLES));
}

static void bench_yield(void)
{
	uint64_t s[SAMPLES];
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			sched_yield();
	}
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rdtsc();
		for (int j = 0; j < 32; j++)
			sched_yield();
		/* Each of our yields runs the child's yield too: two each. */
		s[i] = (rdtsc() - t0) / 64;
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	report("proc.yield_switch", median(s, SAMPLES));
}

static void bench_demand_zero(void)
{
	uint64_t s[SAMPLES];
	for (int i = 0; i < SAMPLES; i++) {
		size_t n = 64;
		char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uint64_t t0 = rdtsc();
		for (size_t k = 0; k < n; k++)
			p[k * PAGE] = 1;
		s[i] = (rdtsc() - t0) / n;
		munmap(p, n * PAGE);
	}
	report("mm.demand_zero_fault", median(s, SAMPLES));
}

static void bench_cow(void)
{
	uint64_t s[SAMPLES];
	size_t n = 64;
	char *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd[2];
	if (pipe(fd))
		return;
	for (int i = 0; i < SAMPLES; i++) {
		memset(p, i, n * PAGE);
		pid_t pid = fork();
		if (pid == 0) {
			uint64_t t0 = rdtsc();
			for (size_t k = 0; k < n; k++)
				p[k * PAGE] = 2;
			uint64_t per = (rdtsc() - t0) / n;
			if (write(fd[1], &per, sizeof(per)) != sizeof(per))
				_exit(1);
			_exit(0);
		}
		if (read(fd[0], &s[i], sizeof(s[i])) != sizeof(s[i]))
			s[i] = 0;
		waitpid(pid, NULL, 0);
	}
	munmap(p, n * PAGE);
	report("mm.cow_fault", median(s, SAMPLES));
}

/* fork + exit + wait with mib MiB touched; reported as name. */
static void bench_fork_exit(unsigned int mib, const char *name)
{
	uint64_t s[SAMPLES];
	size_t size = (size_t)mib << 20;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(p, 7, size);
	unsigned long long copies = vmstat("pgcow_copy");
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rdtsc();
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
		s[i] = rdtsc() - t0;
	}
	/* The parent wrote nothing meanwhile; the child nothing at all. */
	unsigned long long copied = vmstat("pgcow_copy") - copies;
	munmap(p, size);
	report(name, median(s, SAMPLES));
	if (mib != 4)
		return;
	/*
	 * The 4 MiB are never copied; what is copied is the few pages the
	 * parent itself writes after each fork (its stack, glibc's data).
	 */
	report_unit("proc.fork_exit_4m_copies_per_fork", copied / SAMPLES,
		    "pages");
}

static void bench_exec(const char *self)
{
	uint64_t s[SAMPLES];
	for (int i = 0; i < SAMPLES; i++) {
		uint64_t t0 = rdtsc();
		pid_t pid = fork();
		if (pid == 0) {
			execl(self, self, "--exit", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
		s[i] = rdtsc() - t0;
	}
	report("proc.fork_exec_exit", median(s, SAMPLES));
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--exit"))
		return 0;
	bench_getpid();
	bench_yield();
	bench_demand_zero();
	bench_cow();
	bench_fork_exit(4, "proc.fork_exit_4m");
	bench_fork_exit(64, "proc.fork_exit_64m");
	bench_exec(argv[0]);
	printf("# ubench done\n");
	return 0;
}
