/*
 * tools/vmsim/mmu.c - the simulated MMU and fault path.
 *
 * The machine has N frames, each described by a struct page as in the
 * kernel (flags PG_HEAD | PG_USER, the policy's bits and list node on
 * top), plus the two bits the MMU sets in a PTE: accessed on every
 * reference, dirty on every write. A page is resident in at most one frame
 * and mapped by exactly one PTE, so "the accessed bits of every PTE
 * mapping the page" are just its frame's bit.
 *
 * For each reference:
 *
 *   page resident?  -- yes -------------------------------.
 *        | no (fault; "cold" if never seen before)         |
 *   free frame?     -- yes --.                             |
 *        | no                |                             |
 *   victim = policy->choose()|                             |
 *   dirty? write back        |                             |
 *   policy->evicted(victim, its page number) if it has one |
 *   policy->remove(victim)   |                             |
 *        '------> load the page clean, policy->add()       |
 *                 policy->refault(page number) if seen before
 *                            '-----> set accessed (and dirty on W)
 *                                    policy->access() if it has one
 *                                    every `tick` references: tick()
 *
 * A page read back from swap is clean, so evicting it again without a
 * write in between costs no write-back, as in the kernel, where a clean
 * page whose swap copy is still valid is dropped.
 *
 * The environment a policy expects, policy_test_and_clear_accessed() and
 * policy_random(), is implemented here over these frames; the simulator
 * also checks what the policy does: victims must be tracked, resident
 * pages, and a removed page's flags must come back as they were.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/page.h"
#include "mm/policy.h"
#include "tools/vmsim/vmsim.h"

/* A resident user page's flags in the kernel, before the policy's bits. */
#define SIM_PAGE_FLAGS (PG_HEAD | PG_USER)
/* "No frame" and "no page" in the tables. */
#define SIM_NONE UINT32_MAX

/* The machine during one replay. */
static struct {
	const struct trace *trace;
	uint32_t frames;
	struct page *page;  /* struct page of each frame */
	uint8_t *accessed;  /* per frame: the PTE's accessed bit */
	uint8_t *dirty;	    /* per frame: the PTE's dirty bit */
	uint32_t *resident; /* per frame: the page it holds, or SIM_NONE */
	uint32_t *last_ref; /* per frame: index of its last reference */
	uint32_t *frame_of; /* per page: its frame, or SIM_NONE */
	uint8_t *seen;	    /* per page: referenced before */
	uint32_t rng;	    /* state of policy_random() */
} sim;

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p) {
		fprintf(stderr, "vmsim: out of memory\n");
		exit(1);
	}
	return p;
}

/* The frame number of a struct page, checking it is one of ours. */
static uint32_t frame_index(const struct page *pg)
{
	if (!sim.page || pg < sim.page || pg >= sim.page + sim.frames) {
		fprintf(stderr,
			"vmsim: the policy passed %p, which is not a "
			"simulated frame\n",
			(const void *)pg);
		abort();
	}
	return (uint32_t)(pg - sim.page);
}

/*
 * The MMU side of the policies' interface: reads and clears the accessed
 * bit of the one PTE that maps the page.
 */
bool policy_test_and_clear_accessed(struct page *pg)
{
	uint32_t f = frame_index(pg);
	bool was = sim.accessed[f];

	sim.accessed[f] = 0;
	return was;
}

/* Marsaglia's xorshift32: reproducible for a given --seed. */
uint32_t policy_random(void)
{
	return policy_xorshift32(&sim.rng);
}

/* When the page in pg's frame is referenced next (TRACE_NEVER if not). */
uint32_t sim_next_use(const struct page *pg)
{
	return sim.trace->next[sim.last_ref[frame_index(pg)]];
}

/* Whether pg's frame is dirty. */
bool sim_page_dirty(const struct page *pg)
{
	return sim.dirty[frame_index(pg)] != 0;
}

/* Allocates the machine for trace t and frames frames, all free. */
static void machine_init(const struct trace *t, const struct sim_config *cfg)
{
	sim.trace = t;
	sim.frames = cfg->frames;
	sim.page = xcalloc(cfg->frames, sizeof(*sim.page));
	sim.accessed = xcalloc(cfg->frames, 1);
	sim.dirty = xcalloc(cfg->frames, 1);
	sim.resident = xcalloc(cfg->frames, sizeof(*sim.resident));
	sim.last_ref = xcalloc(cfg->frames, sizeof(*sim.last_ref));
	sim.frame_of = xcalloc(t->npages, sizeof(*sim.frame_of));
	sim.seen = xcalloc(t->npages, 1);
	for (uint32_t f = 0; f < cfg->frames; f++) {
		sim.page[f].flags = SIM_PAGE_FLAGS;
		sim.page[f].refcount = 1;
		list_init(&sim.page[f].list);
		sim.resident[f] = SIM_NONE;
	}
	for (uint32_t p = 0; p < t->npages; p++)
		sim.frame_of[p] = SIM_NONE;
	sim.rng = cfg->seed ? cfg->seed : 1;
}

static void machine_free(void)
{
	free(sim.page);
	free(sim.accessed);
	free(sim.dirty);
	free(sim.resident);
	free(sim.last_ref);
	free(sim.frame_of);
	free(sim.seen);
	memset(&sim, 0, sizeof(sim));
}

/*
 * Frees a frame for a fault: asks the policy for a victim, checks it,
 * writes it back if dirty and unmaps it. Returns the frame or SIM_NONE.
 */
static uint32_t evict(const struct vm_policy *p, struct sim_result *res)
{
	struct page *victim = p->choose();

	if (!victim) {
		fprintf(stderr,
			"vmsim: %s chose no victim while %u pages "
			"are resident\n",
			p->name, sim.frames);
		return SIM_NONE;
	}
	uint32_t f = frame_index(victim);
	if (sim.resident[f] == SIM_NONE || !policy_page_tracked(victim)) {
		fprintf(stderr,
			"vmsim: %s chose frame %u, which it does not "
			"track\n",
			p->name, f);
		return SIM_NONE;
	}
	res->evictions++;
	if (sim.dirty[f])
		res->writebacks++;
	/* The page number is what the page is known by once out. */
	if (p->evicted)
		p->evicted(victim, sim.resident[f]);
	p->remove(victim);
	if (victim->flags != SIM_PAGE_FLAGS || policy_page_tracked(victim)) {
		fprintf(stderr, "vmsim: %s left flags %#x on a removed page\n",
			p->name, (unsigned int)victim->flags);
		return SIM_NONE;
	}
	sim.frame_of[sim.resident[f]] = SIM_NONE;
	sim.resident[f] = SIM_NONE;
	return f;
}

/* Replays the trace with one policy. */
int sim_run(const struct vm_policy *p, const struct trace *t,
	    const struct sim_config *cfg, struct sim_result *res)
{
	const struct vm_policy_stats before = *vm_policy_stats(p);
	uint32_t used = 0;
	int ret = -1;

	memset(res, 0, sizeof(*res));
	if (cfg->frames == 0) {
		fprintf(stderr, "vmsim: at least one frame is needed\n");
		return -1;
	}
	p->reset();
	machine_init(t, cfg);
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t pn = t->page[i];
		uint32_t f = sim.frame_of[pn];

		if (f == SIM_NONE) {
			bool refault = sim.seen[pn];

			res->faults++;
			if (!refault)
				res->cold++;
			sim.seen[pn] = 1;
			f = used < sim.frames ? used++ : evict(p, res);
			if (f == SIM_NONE)
				goto out;
			sim.resident[f] = pn;
			sim.frame_of[pn] = f;
			sim.accessed[f] = 0;
			sim.dirty[f] = 0;
			p->add(&sim.page[f]);
			if (refault && p->refault)
				p->refault(&sim.page[f], pn);
		}
		sim.accessed[f] = 1;
		if (t->write[i])
			sim.dirty[f] = 1;
		sim.last_ref[f] = i;
		if (p->access)
			p->access(&sim.page[f], t->write[i]);
		if (cfg->tick && (i + 1) % cfg->tick == 0)
			p->tick();
	}
	if (vm_policy_stats(p)->tracked != used) {
		fprintf(stderr, "vmsim: %s tracks %u pages, %u are resident\n",
			p->name, vm_policy_stats(p)->tracked, used);
		goto out;
	}
	ret = 0;
out:
	p->reset();
	const struct vm_policy_stats *after = vm_policy_stats(p);
	res->stats.chosen = after->chosen - before.chosen;
	res->stats.scanned = after->scanned - before.scanned;
	res->stats.second = after->second - before.second;
	res->stats.sampled = after->sampled - before.sampled;
	res->stats.refaults = after->refaults - before.refaults;
	machine_free();
	return ret;
}
