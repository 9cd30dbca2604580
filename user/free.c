/*
 * user/free.c - how much memory is used and free, from /proc/meminfo.
 *
 *   free [-b|-k|-m|-g|-h] [-t] [-e]
 *
 * Prints the same table as procps's free(1):
 *
 *   total       MemTotal: the RAM the kernel manages
 *   used        total - available: memory that cannot be had right now
 *   free        MemFree: frames nobody uses
 *   shared      Shmem: shared memory (SysV shm, MAP_SHARED anonymous)
 *   buff/cache  Buffers + Cached + SReclaimable: caches the kernel can
 *               drop when memory runs short
 *   available   MemAvailable: an estimate of what a new program can get
 *               without swapping (free plus the caches it could drop)
 *
 * and the same for swap. Sizes are in KiB unless an option says otherwise.
 * -t adds a line of totals, -e explains the columns.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct meminfo {
	long total, free, available, buffers, cached, sreclaimable, shmem;
	long swap_total, swap_free;
	bool has_available;
};

/* Reads the fields free needs; returns false if the file is missing. */
static bool read_meminfo(struct meminfo *m)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];

	memset(m, 0, sizeof(*m));
	if (!f) {
		perror("free: /proc/meminfo");
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		long kb;

		if (sscanf(line, "%63[^:]: %ld", name, &kb) != 2)
			continue;
		if (!strcmp(name, "MemTotal"))
			m->total = kb;
		else if (!strcmp(name, "MemFree"))
			m->free = kb;
		else if (!strcmp(name, "MemAvailable")) {
			m->available = kb;
			m->has_available = true;
		} else if (!strcmp(name, "Buffers"))
			m->buffers = kb;
		else if (!strcmp(name, "Cached"))
			m->cached = kb;
		else if (!strcmp(name, "SReclaimable"))
			m->sreclaimable = kb;
		else if (!strcmp(name, "Shmem"))
			m->shmem = kb;
		else if (!strcmp(name, "SwapTotal"))
			m->swap_total = kb;
		else if (!strcmp(name, "SwapFree"))
			m->swap_free = kb;
	}
	fclose(f);
	return true;
}

static char unit = 'k'; /* b, k, m, g, or h for human-readable */

/* Formats a size given in KiB in the chosen unit, right-aligned. */
static const char *fmt(long kb)
{
	static char bufs[8][32];
	static int next;
	char *b = bufs[next++ % 8];
	const char *suffix = "KMGT";
	double v = (double)kb;

	switch (unit) {
	case 'b':
		snprintf(b, 32, "%ld", kb * 1024);
		break;
	case 'm':
		snprintf(b, 32, "%ld", kb / 1024);
		break;
	case 'g':
		snprintf(b, 32, "%ld", kb / (1024 * 1024));
		break;
	case 'h':
		if (kb == 0) {
			snprintf(b, 32, "0B");
			break;
		}
		while (v >= 1024 && suffix[1]) {
			v /= 1024;
			suffix++;
		}
		snprintf(b, 32, v < 10 ? "%.1f%ci" : "%.0f%ci", v, *suffix);
		break;
	default:
		snprintf(b, 32, "%ld", kb);
	}
	return b;
}

/* What the columns mean, one output line each. */
static const char *const explanation[] = {
	"total       RAM the kernel manages (MemTotal)",
	"used        total - available: in use by programs and the kernel",
	"free        frames nobody uses at all (MemFree)",
	"shared      SysV shm and MAP_SHARED anonymous memory (Shmem)",
	"buff/cache  caches the kernel may drop when memory runs short",
	"available   what a new program could get without swapping",
	"Swap        the swap area: pages moved out of RAM to make room",
};

/* Prints what the columns mean. */
static void explain(void)
{
	putchar('\n');
	for (size_t i = 0; i < sizeof(explanation) / sizeof(*explanation); i++)
		puts(explanation[i]);
}

/* Prints the usage message. */
static void usage(void)
{
	printf("usage: free [-b|-k|-m|-g|-h] [-t] [-e]\n"
	       "  -b -k -m -g  sizes in bytes, KiB (default), MiB, GiB\n"
	       "  -h           human-readable sizes\n"
	       "  -t           add a line of totals (RAM + swap)\n"
	       "  -e           explain the columns\n");
}

int main(int argc, char **argv)
{
	bool totals = false, explained = false;
	struct meminfo m;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || a[0] != '-' || !a[1]) {
			usage();
			return a[0] == '-' ? 0 : 1;
		}
		for (a++; *a; a++) {
			if (strchr("bkmgh", *a))
				unit = *a;
			else if (*a == 't')
				totals = true;
			else if (*a == 'e')
				explained = true;
			else {
				usage();
				return 1;
			}
		}
	}
	if (!read_meminfo(&m))
		return 1;

	long cache = m.buffers + m.cached + m.sreclaimable;
	long available = m.has_available ? m.available : m.free + cache;
	long used = m.total - available;
	long swap_used = m.swap_total - m.swap_free;

	printf("%-8s%12s%12s%12s%12s%12s%12s\n", "", "total", "used", "free",
	       "shared", "buff/cache", "available");
	printf("%-8s%12s%12s%12s%12s%12s%12s\n", "Mem:", fmt(m.total),
	       fmt(used), fmt(m.free), fmt(m.shmem), fmt(cache),
	       fmt(available));
	printf("%-8s%12s%12s%12s\n", "Swap:", fmt(m.swap_total), fmt(swap_used),
	       fmt(m.swap_free));
	if (totals)
		printf("%-8s%12s%12s%12s\n",
		       "Total:", fmt(m.total + m.swap_total),
		       fmt(used + swap_used), fmt(m.free + m.swap_free));
	if (explained)
		explain();
	return 0;
}
