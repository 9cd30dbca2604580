/*
 * tests/robust/fuzz_internal.h - what the files of a fuzzing process
 * share beyond sysfuzz.h: the argument drawers of fuzz_args.c and
 * fuzz_data.c, and the calls and steps of fuzz_proc.c and fuzz_steps.c.
 * None of it is for the driver.
 */
#ifndef TESTS_ROBUST_FUZZ_INTERNAL_H
#define TESTS_ROBUST_FUZZ_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "sysfuzz.h"

/* Picks one of the values given, at random. */
#define PICK(...)                                                              \
	({                                                                     \
		static const uint32_t v_[] = { __VA_ARGS__ };                  \
		v_[fz_below(sizeof(v_) / sizeof(v_[0]))];                      \
	})

/* --- fuzz_args.c: numbers, pointers, descriptors ---------------------------- */

#define SCRATCH_PAGES 16u
extern uint8_t *fz_scratch;
/* n bytes of read-write memory for this call's structures. */
void *fz_scratch_alloc(uint32_t n);
/* The end of the edge's read-write page: PROT_NONE follows. */
uint32_t fz_edge_end(void);
uint32_t fz_draw_int(void);
uint32_t fz_draw_len(void);
/* Some of the known bits, sometimes with others. */
uint32_t fz_draw_flags(uint32_t known);
/* Memory the kernel reads (out false) or writes, len bytes (0: unknown). */
uint32_t fz_draw_ptr(bool out, uint32_t len);
uint32_t fz_draw_addr(void);
uint32_t fz_draw_mlen(void);
uint32_t fz_draw_fd(void);
uint32_t fz_draw_prot(void);
uint32_t fz_draw_mapflags(void);
/* Another fuzzing process, from the driver's register. */
int32_t fz_sibling(struct fuzz_shared *sh);

/* --- fuzz_data.c: what pointers point to ----------------------------------- */

uint32_t fz_draw_path(void);
uint32_t fz_draw_argv(void);
uint32_t fz_draw_timespec(void);
uint32_t fz_draw_itimerval(void);
uint32_t fz_draw_handler(void);
uint32_t fz_draw_sigaction(void);
uint32_t fz_draw_stack_t(void);
uint32_t fz_draw_sigset(void);
uint32_t fz_draw_udesc(void);
uint32_t fz_draw_rlimit(void);
uint32_t fz_draw_mmapargs(void);
uint32_t fz_draw_iovec(uint32_t count);

/* --- fuzz_proc.c: calls and processes -------------------------------------- */

/* The children of the driver's children get this many calls at most. */
#define FZ_CHILD_CALLS 64

extern const struct fuzz_params *fz_params;
extern int fz_left; /* calls this process still makes */
/* A call on a row, counted there (a row of -1 makes no call). */
int32_t fz_call(int row, uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2,
		uint32_t a3, uint32_t a4, uint32_t a5);
#define FZ_CALL(row, name, ...) fz_call(row, SYS_##name, __VA_ARGS__)
/* The two halves of fz_call, for calls that return twice or never. */
void fz_issue(int row, uint32_t nr, const uint32_t a[6]);
void fz_record(int row, int32_t ret);
void fz_op_count(enum fz_op op);
/* fork, counted in the parent: 0 in the child, else PID or -errno. */
int32_t fz_fork(void);
/* In a new child: its own numbers, budget and registration. */
void fz_become_child(void);
/* exit or exit_group of a random status. */
__attribute__((noreturn)) void fz_finish(void);
/* A System V segment made: to be removed by the driver. */
void fz_remember_shm(int32_t id);
/* Gives up the shared block. */
void fz_detach(void);

/* --- fuzz_steps.c: between calls ------------------------------------------- */

void fz_steps_init(void);
/* One step, at random. */
void fz_step(void);
/* execve or sigreturn in a throw-away child. */
void fz_throw_away(int row, const uint32_t a[6], uint8_t how);
/* A handler that returns, and restorers like glibc's. */
void fz_handler(int sig);
void fz_restorer(void);
void fz_rt_restorer(void);

#endif
