/*
 * tests/robust/fuzz_report.c - the driver's figures: calls made and
 * covered, the steps between calls, the table of results per system
 * call (made, succeeded, did not return, the most frequent errors), and
 * the slowest calls.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_driver.h"
#include "sysfuzz.h"

/* --- reporting ------------------------------------------------------------- */

static uint32_t total(const struct call_stats *st, uint32_t *returned)
{
	uint32_t n = st->ok;

	for (int e = 0; e < FZ_NERRNO; e++)
		n += st->err[e];
	*returned = n;
	return st->issued;
}

static const char *errno_name(int e)
{
	static char buf[16];
	const char *name = e ? strerrorname_np(e) : NULL;

	if (name)
		return name;
	snprintf(buf, sizeof(buf), e ? "E%d" : "E>133", e);
	return buf;
}

/* One table line per call: made, succeeded, did not return, errors. */
void drv_print_table(void)
{
	printf("  %4s %-24s %9s %9s %7s  %s\n", "nr", "call", "made", "ok",
	       "no-ret", "errors");
	for (unsigned int i = 0; i < fz_kcall_count + 1; i++) {
		const struct call_stats *st = &drv_sh->stats[i];
		uint32_t returned, made = total(st, &returned);
		char errs[512];
		int len = 0;

		uint32_t left[FZ_NERRNO];

		errs[0] = 0;
		memcpy(left, st->err, sizeof(left));
		/* The most frequent errors first, six at most. */
		for (int shown = 0; shown < 6; shown++) {
			int best = -1;
			for (int e = 0; e < FZ_NERRNO; e++)
				if (left[e] &&
				    (best < 0 || left[e] > left[best]))
					best = e;
			if (best < 0)
				break;
			len += snprintf(errs + len, sizeof(errs) - (size_t)len,
					"%s%s %u", shown ? ", " : "",
					errno_name(best), left[best]);
			left[best] = 0;
		}
		if (i < fz_kcall_count)
			printf("  %4u %-24s %9u %9u %7u  %s%s\n",
			       fz_kcalls[i].nr, fz_kcalls[i].name, made, st->ok,
			       made - returned, errs,
			       fz_spec(fz_kcalls[i].name)
				       ? ""
				       : " [generic arguments]");
		else
			printf("  %4s %-24s %9u %9u %7u  %s\n", "-",
			       "(numbers not implemented)", made, st->ok,
			       made - returned, errs);
	}
}

/* The slowest calls that returned, by time-stamp counts. */
void drv_print_slowest(void)
{
	bool shown[512] = { false };

	printf("sysfuzz: slowest calls (millions of time-stamp counts):\n");
	for (int n = 0; n < 5; n++) {
		int best = -1;
		for (unsigned int i = 0; i < fz_kcall_count && i < 512; i++)
			if (!shown[i] &&
			    (best < 0 || drv_sh->stats[i].slowest >
						 drv_sh->stats[best].slowest))
				best = (int)i;
		if (best < 0 || !drv_sh->stats[best].slowest)
			break;
		shown[best] = true;
		const uint32_t *a = drv_sh->stats[best].slowest_args;
		printf("  %8.1f %s(%#x, %#x, %#x, %#x, %#x, %#x)\n",
		       drv_sh->stats[best].slowest * 1024.0 / 1e6,
		       fz_kcalls[best].name, a[0], a[1], a[2], a[3], a[4],
		       a[5]);
	}
}

void drv_print_ops(void)
{
	static const char *const names[OP_COUNT] = {
		"map", "unmap", "protect", "advise",   "remap",	 "touch",
		"shm", "fork",	"exec",	   "selector", "signal", "sigreturn"
	};

	printf("sysfuzz: steps between calls:");
	for (int i = 0; i < OP_COUNT; i++)
		printf(" %s %u%s", names[i], drv_sh->ops[i],
		       i + 1 < OP_COUNT ? "," : "");
	printf("; %u execs of sysfuzz arrived\n", drv_sh->exec_arrivals);
}

/*
 * The shared block is memory the fuzzers can write, and now and then a
 * random read(2) or mremap lands on the counters (check_rows says so).
 * The totals of a long run are therefore kept here, in the driver's own
 * memory, from the increments of each row seen at every sweep: a row
 * that went down or jumped by more than any process could have called
 * since the last look was written over, and its change is not counted.
 * The figure is a lower bound, never inflated by a scribble.
 */
#define ROWS_MAX 512
#define PLAUSIBLE_STEP 100000u /* calls per row between two looks */
static uint32_t rows_seen[ROWS_MAX];
static uint64_t rows_counted[ROWS_MAX];

void drv_count_calls(void)
{
	for (unsigned int i = 0; i < fz_kcall_count + 1 && i < ROWS_MAX; i++) {
		uint32_t now = drv_sh->stats[i].issued;
		if (now >= rows_seen[i] && now - rows_seen[i] <= PLAUSIBLE_STEP)
			rows_counted[i] += now - rows_seen[i];
		rows_seen[i] = now;
	}
}

/* Calls made, and how many distinct ones (and with success). */
void drv_coverage(uint64_t *calls, unsigned int *covered,
		  unsigned int *succeeded, bool list_missing)
{
	drv_count_calls();
	*calls = 0;
	*covered = *succeeded = 0;
	for (unsigned int i = 0; i < fz_kcall_count + 1 && i < ROWS_MAX; i++) {
		*calls += rows_counted[i];
		if (i >= fz_kcall_count)
			continue;
		if (rows_counted[i])
			++*covered;
		else if (list_missing)
			printf("sysfuzz: never made: %s\n", fz_kcalls[i].name);
		if (drv_sh->stats[i].ok)
			++*succeeded;
	}
}
