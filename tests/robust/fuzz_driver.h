/*
 * tests/robust/fuzz_driver.h - what the files of the driver share
 * (sysfuzz.c, fuzz_batch.c, fuzz_report.c); nothing here runs in a
 * fuzzing process.
 */
#ifndef TESTS_ROBUST_FUZZ_DRIVER_H
#define TESTS_ROBUST_FUZZ_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sysfuzz.h"

/* After SIGKILL, a process has this long to be gone. */
#define HANG_MS 5000u
#define MAX_PARALLEL 32

/* The command line. */
struct options {
	int rounds, calls, parallel, warmup, lifetime;
	int seconds; /* 0: run ROUNDS */
	uint32_t seed;
	bool verbose, trace;
	bool keep_policy; /* -k: fuzzers never write the policy */
	const char *selftest;
	const char *self; /* path of this program */
};

/* What happened to the processes of a batch. */
struct batch_result {
	uint32_t started, exited, signaled, deadline_kills, orphans;
	uint32_t sweep_kills, fork_failures;
	uint32_t stalls, longest_stall; /* the driver could not run (ms) */
	uint32_t scribbled;		/* rows written over */
	uint64_t ms;
	int hang_pid; /* > 0: this process would not die */
	char hang_state[64];
};

extern struct fuzz_shared *drv_sh; /* the shared block */
extern int drv_shm_id;		   /* its System V id */
extern int32_t drv_self_pid;
extern char drv_policy[32]; /* replacement policy to restore */

/* fuzz_batch.c: time and /proc. */
uint32_t drv_now_ms(void);
void drv_sleep_ms(int ms);
/* Reads a small file into buf; returns its length or -1. */
int drv_read_file(const char *path, char *buf, size_t size);
void drv_write_file(const char *path, const char *text);
/* The number after name in text, or -1. */
long drv_field(const char *text, const char *name);
/* "state X, (name)" of a process, or "". */
void drv_proc_state(int pid, char *out, size_t size);
/* Calls fn for every process in /proc but the driver; returns how many. */
int drv_for_each_pid(void (*fn)(int pid, void *ctx), void *ctx);

/* fuzz_batch.c: running fuzzing processes, and ending them all. */
/* ROUNDS processes, or as many as SECONDS allow; false on a hang. */
bool drv_run_batch(const struct options *o, uint32_t seed, int rounds,
		   int seconds, struct batch_result *r);
/* Kills and reaps everything, removes segments; false on a hang. */
bool drv_cleanup(void);
extern int drv_remaining;	     /* processes left by drv_cleanup */
extern char drv_remaining_state[96]; /* one of them */
extern int drv_lost_segments;	     /* segments found by the sweep */

/* fuzz_report.c: the figures. */
void drv_print_table(void);
void drv_print_slowest(void);
void drv_print_ops(void);
void drv_coverage(uint64_t *calls, unsigned int *covered,
		  unsigned int *succeeded, bool list_missing);
/*
 * Adds what each row of counts grew by since the last look to the
 * driver's own totals (skipping rows the fuzzers wrote over); called at
 * every sweep and by drv_coverage.
 */
void drv_count_calls(void);

/* Removes every file the fuzzers left in /tmp and /dev/shm. */
void drv_wipe_tmpfs(void);

#endif
