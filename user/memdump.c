/*
 * user/memdump.c - prints one process's address space and the state of every
 * physical frame as text, for tools/memmap to draw (docs/pictures.md).
 *
 *   memdump [PID]    dump process PID (default: memdump itself)
 *   memdump -e       example: first build pages of every kind (resident,
 *                    never touched, shared copy-on-write with a child,
 *                    private copy after a write, in swap, in the swap
 *                    cache, shared memory, read-only), then dump itself
 *
 * It reads /proc/PID/maps, /proc/PID/pagemap, /proc/kpageflags,
 * /proc/kpagecount and /proc/pagoda/kpageorder, and writes, between a
 * "memdump: begin" and a "memdump: end" line:
 *
 *   maps LINE                     each line of /proc/PID/maps
 *   pagemap VA ENTRY              the pagemap entry (hex) of each page of
 *                                 each region, zero entries left out
 *   frames PFN N FLAGS COUNT ORDER  a run of N frames from PFN with the
 *                                 same kpageflags (hex), kpagecount and
 *                                 kpageorder ("-" when not free, else
 *                                 the order, "c" appended when cached)
 *
 * The same program runs on Linux for the process part (Linux has no
 * /proc/pagoda/kpageorder: every frame is then "-").
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
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define CHUNK 512 /* entries read at a time */
/* /proc/pagoda/kpageorder: not in a free block; in a hot-block cache. */
#define ORDER_NONE UINT64_MAX
#define ORDER_CACHED 0x100u

static void usage(FILE *to)
{
	fprintf(to, "usage: memdump [PID]   dump a process (default: itself) "
		    "and the physical frames\n"
		    "       memdump -e      build pages of every kind, then "
		    "dump itself\n"
		    "The text is for tools/memmap (docs/pictures.md).\n");
}

static void die(const char *what)
{
	fprintf(stderr, "memdump: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Reads n entries at entry index first; returns how many were read. */
static size_t read_entries(int fd, uint64_t first, uint64_t *out, size_t n)
{
	ssize_t got = pread(fd, out, n * 8, (off_t)(first * 8));
	if (got < 0)
		return 0;
	return (size_t)got / 8;
}

/* The maps lines and the pagemap entries of each region of pid. */
static void dump_process(const char *pid)
{
	char path[64], line[512];
	static uint64_t pm[CHUNK];

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	FILE *maps = fopen(path, "r");
	if (!maps)
		die(path);
	snprintf(path, sizeof(path), "/proc/%s/pagemap", pid);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		die(path);
	/* Read maps whole first: reading pagemap must not change it. */
	static char lines[64 * 1024];
	size_t len = fread(lines, 1, sizeof(lines) - 1, maps);
	lines[len] = '\0';
	fclose(maps);
	for (char *l = strtok(lines, "\n"); l; l = strtok(NULL, "\n")) {
		unsigned long start, end;
		printf("maps %s\n", l);
		if (sscanf(l, "%lx-%lx", &start, &end) != 2)
			continue;
		/* Linux's [vsyscall] is above the 32-bit pagemap. */
		for (unsigned long va = start; va < end;) {
			size_t want = (end - va) / PAGE;
			if (want > CHUNK)
				want = CHUNK;
			size_t got = read_entries(fd, va / PAGE, pm, want);
			if (got == 0)
				break;
			for (size_t i = 0; i < got; i++)
				if (pm[i])
					printf("pagemap %08lx %016llx\n",
					       va + i * PAGE,
					       (unsigned long long)pm[i]);
			va += got * PAGE;
		}
	}
	(void)line;
	close(fd);
}

/* The physical frames, in runs of equal flags, count and order. */
static void dump_frames(void)
{
	static uint64_t fl[CHUNK], cnt[CHUNK], ord[CHUNK];
	int ffl = open("/proc/kpageflags", O_RDONLY);
	int fcnt = open("/proc/kpagecount", O_RDONLY);
	int ford = open("/proc/pagoda/kpageorder", O_RDONLY);
	if (ffl < 0)
		die("/proc/kpageflags");
	if (fcnt < 0)
		die("/proc/kpagecount");
	uint64_t run_pfn = 0, run_n = 0, rf = 0, rc = 0, ro = 0;
	for (uint64_t pfn = 0;; pfn += CHUNK) {
		size_t n = read_entries(ffl, pfn, fl, CHUNK);
		if (n == 0)
			break;
		if (read_entries(fcnt, pfn, cnt, n) != n)
			die("/proc/kpagecount");
		if (ford < 0 || read_entries(ford, pfn, ord, n) != n)
			for (size_t i = 0; i < n; i++)
				ord[i] = ORDER_NONE;
		for (size_t i = 0; i < n; i++) {
			if (run_n && fl[i] == rf && cnt[i] == rc &&
			    ord[i] == ro) {
				run_n++;
				continue;
			}
			if (run_n) {
				printf("frames %llx %llu %llx %llu ",
				       (unsigned long long)run_pfn,
				       (unsigned long long)run_n,
				       (unsigned long long)rf,
				       (unsigned long long)rc);
				if (ro == ORDER_NONE)
					printf("-\n");
				else
					printf("%llu%s\n",
					       (unsigned long long)(ro & 0xff),
					       (ro & ORDER_CACHED) ? "c" : "");
			}
			run_pfn = pfn + i;
			run_n = 1;
			rf = fl[i];
			rc = cnt[i];
			ro = ord[i];
		}
	}
	if (run_n) {
		printf("frames %llx %llu %llx %llu ",
		       (unsigned long long)run_pfn, (unsigned long long)run_n,
		       (unsigned long long)rf, (unsigned long long)rc);
		if (ro == ORDER_NONE)
			printf("-\n");
		else
			printf("%llu%s\n", (unsigned long long)(ro & 0xff),
			       (ro & ORDER_CACHED) ? "c" : "");
	}
	close(ffl);
	close(fcnt);
	if (ford >= 0)
		close(ford);
}

static char *map(size_t pages, int prot, int flags)
{
	char *p = mmap(NULL, pages * PAGE, prot, flags | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

/* A "Name:   value" number of /proc/self/status, in kB. */
static long status_kb(const char *name)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		die("/proc/self/status");
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, strlen(name)))
			v = strtol(line + strlen(name), NULL, 10);
	fclose(f);
	return v;
}

/*
 * Builds the example's pages; returns the child sharing the
 * copy-on-write pages, which blocks until killed.
 */
static pid_t build_example(void)
{
	/* Swapped: 16 pages under a small RLIMIT_RSS, the rest locked. */
	if (mlockall(MCL_CURRENT) < 0)
		die("mlockall");
	char *swapped = map(16, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	struct rlimit lim = {
		.rlim_cur = (rlim_t)status_kb("VmRSS:") * 1024 + 8 * PAGE,
		.rlim_max = RLIM_INFINITY,
	};
	/* Linux ignores RLIMIT_RSS: nothing goes to swap there. */
	if (setrlimit(RLIMIT_RSS, &lim) < 0)
		die("setrlimit");
	for (int i = 0; i < 16; i++)
		memset(swapped + i * PAGE, 'a' + i, PAGE);
	lim.rlim_cur = RLIM_INFINITY;
	if (setrlimit(RLIMIT_RSS, &lim) < 0 || munlockall() < 0)
		die("setrlimit");
	/* One page read back stays in the swap cache. */
	long swap = status_kb("VmSwap:");
	for (int i = 0; i < 16 && swap > 0; i++) {
		volatile char c = swapped[i * PAGE];
		(void)c;
		if (status_kb("VmSwap:") < swap)
			break;
	}
	map(8, PROT_READ | PROT_WRITE, MAP_PRIVATE); /* never touched */
	char *cow = map(8, PROT_READ, MAP_PRIVATE);
	mprotect(cow, 8 * PAGE, PROT_READ | PROT_WRITE);
	memset(cow, 'c', 8 * PAGE);
	char *rdonly = map(2, PROT_READ, MAP_PRIVATE);
	volatile char r = rdonly[0];
	(void)r;
	char *shared = map(4, PROT_READ | PROT_WRITE, MAP_SHARED);
	memset(shared, 's', 2 * PAGE);

	int pipefd[2];
	if (pipe(pipefd) < 0)
		die("pipe");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		char c;
		close(pipefd[1]);
		while (read(pipefd[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(pipefd[0]);
	/* The parent writes half of cow again: those get private copies. */
	memset(cow, 'C', 4 * PAGE);
	return child;
}

int main(int argc, char **argv)
{
	char pid[16] = "self";
	pid_t child = 0;

	if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") ||
				       !strcmp(argv[1], "--help")))) {
		usage(argc > 2 ? stderr : stdout);
		return argc > 2 ? 2 : 0;
	}
	if (argc == 2 && !strcmp(argv[1], "-e")) {
		child = build_example();
	} else if (argc == 2) {
		char *end;
		long n = strtol(argv[1], &end, 10);
		if (*end || n <= 0) {
			usage(stderr);
			return 2;
		}
		snprintf(pid, sizeof(pid), "%ld", n);
	}
	/* One buffer for everything: the dump does not disturb itself. */
	static char out[1 << 16];
	setvbuf(stdout, out, _IOFBF, sizeof(out));
	printf("memdump: begin pid %d\n",
	       strcmp(pid, "self") ? atoi(pid) : (int)getpid());
	dump_process(pid);
	dump_frames();
	printf("memdump: end\n");
	fflush(stdout);
	if (child) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	return 0;
}
