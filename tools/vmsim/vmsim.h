/*
 * tools/vmsim/vmsim.h - the page replacement simulator's pieces.
 *
 * vmsim replays a reference string against N simulated frames, using the
 * kernel's own replacement policies (mm/policy*.c, compiled for the host)
 * and two reference policies that only a simulator can have: exact LRU,
 * which sees every reference, and Belady's optimal policy (OPT), which
 * sees the future.
 *
 *   trace.c      reads a trace, numbers its pages densely, and computes
 *                for each reference when its page is used next
 *   mmu.c        the simulated MMU: frames, a struct page per frame,
 *                accessed/dirty bits per frame, the fault path, and the
 *                environment the policies expect
 *                (policy_test_and_clear_accessed, policy_random)
 *   policy_lru.c exact LRU through the policies' access() hook
 *   policy_opt.c Belady's OPT from the next-use times
 *   main.c       command line, tables, sweeps and gnuplot plots
 */
#ifndef TOOLS_VMSIM_H
#define TOOLS_VMSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "mm/page.h"
#include "mm/policy.h"

/* A next-use time meaning "never referenced again". */
#define TRACE_NEVER UINT32_MAX

/* A reference string, pages renumbered 0..npages-1 in order of first use. */
struct trace {
	const char *name; /* file name, or "stdin" */
	uint32_t n;	  /* references */
	uint32_t *page;	  /* page of each reference (dense number) */
	uint8_t *write;	  /* 1 if the reference is a write */
	uint32_t *next;	  /* index of the next reference to the same page */
	uint64_t *number; /* page number as written in the trace, per page */
	uint32_t npages;  /* distinct pages */
	uint32_t nwrites; /* write references */
};

/*
 * Reads a trace from path (stdin if NULL or "-"). One reference per line,
 * or several separated by spaces or commas: a page number (decimal, or hex
 * with 0x), optionally followed by W for a write (R for a read is also
 * accepted). '#' starts a comment. Returns 0, or -1 after printing why.
 */
int trace_read(const char *path, struct trace *t);
void trace_free(struct trace *t);

/* What one replay produced. */
struct sim_result {
	uint64_t faults;     /* references that found their page absent */
	uint64_t cold;	     /* of which first references (compulsory) */
	uint64_t evictions;  /* victims chosen by the policy */
	uint64_t writebacks; /* evictions of dirty pages (written to swap) */
	struct vm_policy_stats stats; /* the policy's counters for this run */
};

/* Settings of one replay. */
struct sim_config {
	uint32_t frames; /* simulated frames, at least 1 */
	uint32_t tick;	 /* references per timer tick, 0 for no ticks */
	uint32_t seed;	 /* seed of policy_random() */
};

/*
 * Replays t against cfg->frames frames with policy p. Returns 0, or -1
 * after printing what the policy did wrong (a victim it does not track,
 * none while pages are tracked, flags it did not restore).
 */
int sim_run(const struct vm_policy *p, const struct trace *t,
	    const struct sim_config *cfg, struct sim_result *res);

/* For the reference policies: when pg's page is referenced next. */
uint32_t sim_next_use(const struct page *pg);
/* For the reference policies: whether pg's frame is dirty. */
bool sim_page_dirty(const struct page *pg);

/* The simulator-only policies. */
extern const struct vm_policy vmsim_policy_lru;
extern const struct vm_policy vmsim_policy_opt;

#endif
