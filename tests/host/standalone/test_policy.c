/*
 * tests/host/test_policy.c - the page replacement policies (mm/policy*.c)
 * against a simulated MMU.
 *
 * The test is the policies' environment: policy_test_and_clear_accessed()
 * reads and clears a per-page accessed bit the test sets (as an MMU would
 * on a reference), and policy_random() replays numbers the test chooses,
 * then an xorshift sequence. So this program links only the policies,
 * libk and the shim's panic (tests/host/vmsim.mk), not the reverse map.
 *
 * Each test starts with every policy empty; counters are cumulative, so
 * tests compare them before and after.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libk/list.h"
#include "mm/page.h"
#include "mm/policy.h"
#include "tests/host/shim/host_shim.h"

/* HOST_EXPECT_PANIC's flag lives across setjmp; it is only read after. */
#pragma GCC diagnostic ignored "-Wclobbered"

#define NPAGES 64

/* Flags of a user page as the allocator leaves them (order 0). */
#define USER_FLAGS (PG_HEAD | PG_USER)
/* Every bit a policy must not touch, to catch a stray write. */
#define FOREIGN_FLAGS (~PG_POLICY_MASK)

static struct page pages[NPAGES];
static bool accessed[NPAGES];
static unsigned int accessed_calls;

/* Numbers policy_random() returns first, then xorshift32. */
static uint32_t script[64];
static unsigned int script_len, script_pos;
static uint32_t rng_state = 12345;

static unsigned int idx(const struct page *pg)
{
	assert_true(pg >= pages && pg < pages + NPAGES);
	return (unsigned int)(pg - pages);
}

/* The simulated MMU: the one PTE of the page, read and cleared. */
bool policy_test_and_clear_accessed(struct page *pg)
{
	unsigned int i = idx(pg);
	bool was = accessed[i];

	assert_true(policy_page_tracked(pg));
	accessed[i] = false;
	accessed_calls++;
	return was;
}

uint32_t policy_random(void)
{
	if (script_pos < script_len)
		return script[script_pos++];
	return policy_xorshift32(&rng_state);
}

static const struct vm_policy *const kernel_policies[] = {
	&vm_policy_fifo,
	&vm_policy_clock,
	&vm_policy_aging,
	&vm_policy_random,
	&vm_policy_clockpro,
};
#define NPOLICIES (sizeof(kernel_policies) / sizeof(kernel_policies[0]))

static int setup(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < NPOLICIES; i++)
		kernel_policies[i]->reset();
	for (unsigned int i = 0; i < NPAGES; i++) {
		pages[i].flags = (i % 2) ? FOREIGN_FLAGS : USER_FLAGS;
		pages[i].refcount = 1;
		list_init(&pages[i].list);
		accessed[i] = false;
	}
	accessed_calls = 0;
	script_len = script_pos = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < NPOLICIES; i++)
		kernel_policies[i]->reset();
	return 0;
}

/* The flags pages[i] had before any policy touched it. */
static uint32_t base_flags(unsigned int i)
{
	return (i % 2) ? FOREIGN_FLAGS : USER_FLAGS;
}

static void add_range(const struct vm_policy *p, unsigned int from,
		      unsigned int to)
{
	for (unsigned int i = from; i < to; i++)
		p->add(&pages[i]);
}

/* Chooses, checks the victim is pages[want], removes it. */
static void evict_expect(const struct vm_policy *p, unsigned int want)
{
	struct page *pg = p->choose();

	assert_non_null(pg);
	if (idx(pg) != want)
		fail_msg("%s chose page %u, expected page %u%s", p->name,
			 idx(pg), want,
			 p == &vm_policy_clock
				 ? " (no second chance? a page whose accessed "
				   "bit is set is spared: clear the bit, move on)"
				 : "");
	p->remove(pg);
	assert_false(policy_page_tracked(pg));
	assert_int_equal(pg->flags, base_flags(want));
}

/* vm_policies[] and vm_policy_find(). */
static void test_find(void **state)
{
	(void)state;
	unsigned int n = 0;

	assert_ptr_equal(vm_policies[0], &vm_policy_clock);
	for (const struct vm_policy *const *p = vm_policies; *p; p++, n++) {
		assert_ptr_equal(vm_policy_find((*p)->name), *p);
		assert_non_null((*p)->description);
		assert_true(strlen((*p)->description) > 10);
		assert_non_null((*p)->reset);
		assert_non_null((*p)->add);
		assert_non_null((*p)->remove);
		assert_non_null((*p)->choose);
		assert_non_null((*p)->tick);
		assert_non_null((*p)->oldest);
		assert_null((*p)->access);
		/* The history hooks come as a pair, or not at all. */
		assert_true(!(*p)->evicted == !(*p)->refault);
		assert_ptr_equal(vm_policy_stats(*p), (*p)->stats);
		for (const struct vm_policy *const *q = vm_policies; q != p;
		     q++)
			assert_true(strcmp((*p)->name, (*q)->name) != 0);
	}
	/* Every policy known here is listed; a new one (a lab's own policy)
	 * is checked by the loop above without changing this test. */
	assert_true(n >= NPOLICIES);
	for (unsigned int i = 0; i < NPOLICIES; i++)
		assert_non_null(vm_policy_find(kernel_policies[i]->name));
	assert_null(vm_policy_find("lru"));
	assert_null(vm_policy_find(""));
	assert_null(vm_policy_find("CLOCK"));
	assert_null(vm_policy_find(NULL));
}

/* With no page tracked, there is nothing to choose. */
static void test_empty(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < NPOLICIES; i++) {
		const struct vm_policy *p = kernel_policies[i];

		assert_null(p->choose());
		assert_null(p->oldest());
		p->tick();
		assert_int_equal(vm_policy_stats(p)->tracked, 0);
		p->add(&pages[3]);
		assert_ptr_equal(p->oldest(), &pages[3]);
		evict_expect(p, 3);
		assert_null(p->choose());
	}
}

/* FIFO evicts in arrival order and never looks at accessed bits. */
static void test_fifo_order(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_fifo;
	uint64_t chosen = vm_policy_stats(p)->chosen;

	add_range(p, 0, 5);
	for (unsigned int i = 0; i < NPAGES; i++)
		accessed[i] = true;
	assert_int_equal(vm_policy_stats(p)->tracked, 5);
	for (unsigned int i = 0; i < 5; i++)
		evict_expect(p, i);
	assert_int_equal(accessed_calls, 0);
	assert_int_equal(vm_policy_stats(p)->chosen - chosen, 5);
	assert_int_equal(vm_policy_stats(p)->tracked, 0);
}

/* A victim that is not removed goes to the back: the next choice differs. */
static void test_failed_eviction_moves_on(void **state)
{
	(void)state;
	for (unsigned int k = 0; k < NPOLICIES; k++) {
		const struct vm_policy *p = kernel_policies[k];

		if (p == &vm_policy_random)
			continue;
		add_range(p, 0, 4);
		for (unsigned int round = 0; round < 8; round++) {
			struct page *pg = p->choose();
			assert_non_null(pg);
			assert_int_equal(idx(pg), round % 4);
		}
		p->reset();
	}
}

/* Clock spares (and clears) accessed pages and takes the first that is not. */
static void test_clock_second_chance(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_clock;
	struct vm_policy_stats before = *vm_policy_stats(p);

	add_range(p, 0, 4);
	accessed[0] = accessed[2] = true;
	evict_expect(p, 1);
	assert_false(accessed[0]); /* spared: its bit is cleared */
	assert_true(accessed[2]);  /* the hand has not reached it yet */
	assert_int_equal(vm_policy_stats(p)->second - before.second, 1);
	assert_int_equal(vm_policy_stats(p)->scanned - before.scanned, 2);

	/* A new page goes behind the hand: the circle is now 2, 3, 0, 4. */
	p->add(&pages[4]);
	accessed[4] = true;
	evict_expect(p, 3); /* 2 is spared */
	assert_false(accessed[2]);
	evict_expect(p, 0);
	evict_expect(p, 2); /* 4 is spared */
	evict_expect(p, 4);
}

/* If every page was accessed, one turn clears them all: FIFO order. */
static void test_clock_full_turn(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_clock;
	struct vm_policy_stats before = *vm_policy_stats(p);

	add_range(p, 0, 4);
	for (unsigned int i = 0; i < 4; i++)
		accessed[i] = true;
	evict_expect(p, 0);
	for (unsigned int i = 0; i < 4; i++)
		assert_false(accessed[i]);
	assert_int_equal(vm_policy_stats(p)->second - before.second, 4);
	assert_int_equal(vm_policy_stats(p)->scanned - before.scanned, 5);
	evict_expect(p, 1);
}

/* Removing the page under the hand leaves the hand on the next one. */
static void test_clock_remove_under_hand(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_clock;

	add_range(p, 0, 3);
	struct page *pg = p->choose(); /* 0; the hand moves to 1 */
	assert_ptr_equal(pg, &pages[0]);
	assert_ptr_equal(p->oldest(), &pages[1]);
	p->remove(&pages[1]);
	assert_ptr_equal(p->oldest(), &pages[2]);
	evict_expect(p, 2);
	evict_expect(p, 0);
	assert_null(p->choose());
}

/* Aging evicts the page used least recently, tick by tick. */
static void test_aging_prefers_lru(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_aging;

	add_range(p, 0, 4);
	/* tick 1: all used; tick 2: 1, 2, 3; tick 3: 2, 3, 0. */
	for (unsigned int i = 0; i < 4; i++)
		accessed[i] = true;
	p->tick();
	accessed[1] = accessed[2] = accessed[3] = true;
	p->tick();
	accessed[2] = accessed[3] = accessed[0] = true;
	p->tick();
	for (unsigned int i = 0; i < 4; i++)
		assert_false(accessed[i]); /* sampled and cleared */
	evict_expect(p, 1);		   /* last used at tick 2 */
	evict_expect(p, 0); /* used at tick 3 but not at tick 2 */
}

/* Equal ages go to the page resident longest. */
static void test_aging_ties_oldest(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_aging;

	add_range(p, 5, 9);
	/* No tick yet: every page has the same "just used" age. */
	evict_expect(p, 5);
	p->add(&pages[5]);
	for (unsigned int t = 0; t < 10; t++)
		p->tick(); /* nothing used: every age decays to 0 */
	evict_expect(p, 6);
	accessed[7] = true;
	p->tick();
	evict_expect(p, 8);
	evict_expect(p, 5);
	evict_expect(p, 7);
}

/*
 * Random accesses over many ticks: the victim is always a page whose last
 * use is the oldest, whenever that use lies within the 8 ticks of
 * history; beyond that, aging cannot tell (age 0).
 */
static void test_aging_matches_lru_within_history(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_aging;
	const unsigned int n = 8;
	int last[NPAGES]; /* tick of the last use of each page */
	uint64_t sampled = vm_policy_stats(p)->sampled;
	int now = 0;
	unsigned int checked = 0;

	add_range(p, 0, n);
	for (unsigned int i = 0; i < n; i++)
		last[i] = 0;
	srand(7);
	for (unsigned int round = 0; round < 3000; round++) {
		/* Use a few pages, then a tick samples them. */
		unsigned int uses = (unsigned int)rand() % 3;
		for (unsigned int u = 0; u < uses; u++) {
			unsigned int i = (unsigned int)rand() % n;
			accessed[i] = true;
			last[i] = now + 1;
		}
		p->tick();
		now++;
		if (rand() % 4)
			continue;
		struct page *v = p->choose();
		assert_non_null(v);
		unsigned int vi = idx(v);
		if (last[vi] > now - 8) {
			for (unsigned int i = 0; i < n; i++)
				assert_true(last[i] >= last[vi]);
			checked++;
		}
		/* Not removed: it now counts as used in the last tick. */
		last[vi] = now;
	}
	assert_true(checked > 100);
	assert_int_equal(vm_policy_stats(p)->sampled - sampled, 3000 * n);
}

/* The random policy only ever returns tracked pages, each of them. */
static void test_random_only_tracked(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_random;
	bool in[NPAGES] = { false };
	unsigned int hits[NPAGES] = { 0 };
	uint32_t n = 0;

	add_range(p, 0, 32);
	for (unsigned int i = 0; i < 32; i++) {
		if (i % 3 == 1) {
			p->remove(&pages[i]);
		} else {
			in[i] = true;
			n++;
		}
	}
	assert_int_equal(vm_policy_stats(p)->tracked, n);
	/* Awkward numbers first: 0, the largest, multiples of n, n - 1. */
	const uint32_t awkward[] = { 0,	    1,	       UINT32_MAX,
				     n,	    n - 1,     2 * n - 1,
				     n / 2, n / 2 - 1, UINT32_MAX - n };
	for (unsigned int i = 0; i < sizeof(awkward) / sizeof(awkward[0]); i++)
		script[script_len++] = awkward[i];
	for (unsigned int round = 0; round < 2000; round++) {
		struct page *pg = p->choose();
		assert_non_null(pg);
		assert_true(in[idx(pg)]);
		assert_true(policy_page_tracked(pg));
		hits[idx(pg)]++;
	}
	for (unsigned int i = 0; i < 32; i++)
		assert_true(in[i] ? hits[i] > 0 : hits[i] == 0);
	assert_int_equal(accessed_calls, 0);
}

/* Number k picks the k-th tracked page, walking from either end. */
static void test_random_index(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_random;
	const unsigned int n = 7;

	add_range(p, 10, 10 + n);
	for (unsigned int k = 0; k < 2 * n; k++)
		script[script_len++] = k;
	for (unsigned int k = 0; k < 2 * n; k++) {
		struct page *pg = p->choose();
		assert_ptr_equal(pg, &pages[10 + k % n]);
	}
}

/*
 * Adds, removes of arbitrary pages, choices and ticks in random order,
 * against a model set: each policy keeps exactly the model's pages, leaves
 * every flag outside its bits alone, and drains to exactly that set.
 */
static void test_remove_keeps_consistent(void **state)
{
	(void)state;
	srand(11);
	for (unsigned int k = 0; k < NPOLICIES; k++) {
		const struct vm_policy *p = kernel_policies[k];
		bool in[NPAGES] = { false };
		unsigned int count = 0;

		for (unsigned int step = 0; step < 5000; step++) {
			unsigned int i = (unsigned int)rand() % NPAGES;
			unsigned int op = (unsigned int)rand() % 10;

			if (op < 4 && !in[i]) {
				p->add(&pages[i]);
				in[i] = true;
				count++;
			} else if (op < 7 && in[i]) {
				p->remove(&pages[i]);
				in[i] = false;
				count--;
			} else if (op == 7) {
				struct page *pg = p->choose();
				assert_true(count ? pg && in[idx(pg)] : !pg);
			} else if (op == 8) {
				accessed[i] = true;
			} else {
				p->tick();
			}
			assert_int_equal(vm_policy_stats(p)->tracked, count);
			struct page *old = p->oldest();
			assert_true(count ? old && in[idx(old)] : !old);
		}
		for (unsigned int i = 0; i < NPAGES; i++) {
			assert_int_equal(policy_page_tracked(&pages[i]), in[i]);
			assert_int_equal(pages[i].flags & ~PG_POLICY_MASK,
					 base_flags(i) & ~PG_POLICY_MASK);
		}
		/* Drain: every page once, then nothing. */
		struct page *pg;
		while ((pg = p->choose()) != NULL) {
			assert_true(in[idx(pg)]);
			in[idx(pg)] = false;
			count--;
			p->remove(pg);
			assert_int_equal(pg->flags, base_flags(idx(pg)));
		}
		assert_int_equal(count, 0);
		assert_int_equal(vm_policy_stats(p)->tracked, 0);
	}
}

/*
 * A small machine for the loop tests: pages[i] is virtual page i, resident
 * or not, `frames` of them at most; a reference to a page that is not
 * resident evicts the policy's victim (telling it the victim's key, i) and
 * adds the page, telling the policy it comes back if it was seen before.
 * The accessed bit is set on every reference, as an MMU does; a tick
 * every `tick` references. Returns the faults.
 */
static unsigned int run_refs(const struct vm_policy *p, const unsigned int *ref,
			     unsigned int n, unsigned int frames,
			     unsigned int tick)
{
	bool resident[NPAGES] = { false }, seen[NPAGES] = { false };
	unsigned int count = 0, faults = 0;

	for (unsigned int r = 0; r < n; r++) {
		unsigned int i = ref[r];

		assert_true(i < NPAGES);
		if (!resident[i]) {
			faults++;
			if (count == frames) {
				struct page *v = p->choose();
				assert_non_null(v);
				assert_true(resident[idx(v)]);
				if (p->evicted)
					p->evicted(v, idx(v));
				p->remove(v);
				resident[idx(v)] = false;
				count--;
			}
			p->add(&pages[i]);
			if (seen[i] && p->refault)
				p->refault(&pages[i], i);
			resident[i] = seen[i] = true;
			count++;
		}
		accessed[i] = true;
		if (tick && (r + 1) % tick == 0)
			p->tick();
	}
	p->reset();
	return faults;
}

/*
 * A loop over one page more than memory holds: clock (like LRU) evicts
 * each page just before its next use and faults on every reference;
 * clockpro keeps the hot pages resident and faults in its few cold frames.
 * A working set used over and over with a scan of pages used once in
 * between: the scan goes through the cold frames and the working set
 * stays.
 */
static void test_clockpro_scan_resistance(void **state)
{
	(void)state;
	enum { FRAMES = 16, LOOP = FRAMES + 1, ROUNDS = 30 };
	unsigned int ref[LOOP * ROUNDS];

	for (unsigned int r = 0; r < LOOP * ROUNDS; r++)
		ref[r] = r % LOOP;
	unsigned int clock = run_refs(&vm_policy_clock, ref, LOOP * ROUNDS,
				      FRAMES, 4);
	unsigned int pro = run_refs(&vm_policy_clockpro, ref, LOOP * ROUNDS,
				    FRAMES, 4);
	assert_int_equal(clock, LOOP * ROUNDS);
	assert_true(pro * 2 < LOOP * ROUNDS);

	enum { HOT = 8, SCAN = NPAGES - HOT, STEPS = 3 * SCAN };
	unsigned int mix[STEPS];
	for (unsigned int r = 0; r < STEPS; r++)
		mix[r] = r % 3 ? r % HOT : HOT + r / 3;
	clock = run_refs(&vm_policy_clock, mix, STEPS, 12, 4);
	pro = run_refs(&vm_policy_clockpro, mix, STEPS, 12, 4);
	/* Each scan page faults once, each hot page about once. */
	assert_true(pro <= SCAN + 2 * HOT);
	assert_true(pro <= clock);
}

/*
 * The refault path: a cold page evicted in its test period whose key is
 * remembered comes back hot, so other pages go before it; a key never
 * evicted, or one already used, changes nothing.
 */
static void test_clockpro_refault(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_clockpro;

	for (int with_key = 0; with_key < 3; with_key++) {
		/* Memory fills with hot pages 0-3; 0 is demoted and goes. */
		add_range(p, 0, 4);
		evict_expect(p, 0);
		/* 4 comes in cold, in its test period, and goes. */
		p->add(&pages[4]);
		struct page *v = p->choose();
		assert_ptr_equal(v, &pages[4]);
		p->evicted(v, 1000);
		p->remove(v);
		p->add(&pages[4]);
		if (with_key == 0) {
			p->refault(&pages[4], 1000); /* hot again */
		} else if (with_key == 1) {
			p->refault(&pages[4], 1001); /* not a ghost */
		} else {
			p->refault(&pages[4], 1000); /* hot again */
			p->remove(&pages[4]);	     /* freed */
			p->add(&pages[4]);
			p->refault(&pages[4], 1000); /* used up: cold */
		}
		p->add(&pages[5]);
		/* The cold pages go first: 4 unless it came back hot. */
		v = p->choose();
		if (with_key == 0) {
			assert_ptr_not_equal(v, &pages[4]);
		} else {
			assert_ptr_equal(v, &pages[4]);
		}
		p->reset();
	}
}

/*
 * A small memory: with 5 frames a quarter is 1, yet m_c grows (up to
 * memory - 2) when a cold page refaults in its test period, so the cold
 * clock gets room for two pages: the hot hand demotes an unused hot page
 * to make it, and that page, not the one that just came in, goes next.
 */
static void test_clockpro_small_memory(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_clockpro;

	/* Hot pages 0-4 fill the 5 frames; the hand demotes 0, it goes. */
	add_range(p, 0, 5);
	evict_expect(p, 0);
	/* 5 comes in cold, goes in its test period and refaults: m_c 2. */
	p->add(&pages[5]);
	struct page *v = p->choose();
	assert_ptr_equal(v, &pages[5]);
	p->evicted(v, 1000);
	p->remove(v);
	p->add(&pages[5]);
	p->refault(&pages[5], 1000);
	assert_int_equal(vm_policy_stats(p)->tracked, 5);
	/* Two cold frames: the hand demotes 1 and 2, and 1 goes. */
	evict_expect(p, 1);
	/*
	 * 6 comes in cold beside 2; 2 goes first. (With m_c stuck at 1,
	 * 2 would still be hot and 6, the only cold page, would go.)
	 */
	p->add(&pages[6]);
	evict_expect(p, 2);
}

/*
 * The hot hand's use count: a hot page found accessed on one turn of
 * hand_hot is spared on its next turn even though it was not used again,
 * and a page behind it with a count of 0 goes cold first. (With only an
 * accessed bit, the hand would take the page under it.)
 */
static void test_clockpro_use_count(void **state)
{
	(void)state;
	const struct vm_policy *p = &vm_policy_clockpro;

	/*
	 * Memory fills with hot pages 0-3, the hand at 0; 0 was used: it
	 * is spared with a count of 1, and 1 goes.
	 */
	add_range(p, 0, 4);
	accessed[0] = true;
	evict_expect(p, 1);
	assert_false(accessed[0]);
	/*
	 * 4 comes in cold, is evicted in its test period and comes back
	 * hot, behind the others, with a count of 0.
	 */
	p->add(&pages[4]);
	struct page *v = p->choose();
	assert_ptr_equal(v, &pages[4]);
	p->evicted(v, 1000);
	p->remove(v);
	p->add(&pages[4]);
	p->refault(&pages[4], 1000);
	/* The hand demotes 2 and 3, unused, and they go. */
	evict_expect(p, 2);
	evict_expect(p, 3);
	/*
	 * Left: 0 under the hand, then 4, neither accessed since: 0's count
	 * spares it once (down to 0), 4 goes; then 0 goes.
	 */
	evict_expect(p, 4);
	evict_expect(p, 0);
}

/* reset() forgets every page and clears its bits. */
static void test_reset(void **state)
{
	(void)state;
	for (unsigned int k = 0; k < NPOLICIES; k++) {
		const struct vm_policy *p = kernel_policies[k];

		add_range(p, 0, 20);
		p->tick();
		p->reset();
		assert_int_equal(vm_policy_stats(p)->tracked, 0);
		assert_null(p->choose());
		for (unsigned int i = 0; i < 20; i++)
			assert_int_equal(pages[i].flags, base_flags(i));
		add_range(p, 0, 3);
		assert_int_equal(vm_policy_stats(p)->tracked, 3);
		p->reset();
	}
}

/* A switch of policy keeps the pages, oldest first. */
static void test_transfer(void **state)
{
	(void)state;
	add_range(&vm_policy_fifo, 0, 5);
	assert_ptr_equal(vm_policy_fifo.choose(), &pages[0]); /* to the back */
	vm_policy_transfer(&vm_policy_fifo, &vm_policy_clock);
	assert_int_equal(vm_policy_stats(&vm_policy_fifo)->tracked, 0);
	assert_null(vm_policy_fifo.choose());
	assert_int_equal(vm_policy_stats(&vm_policy_clock)->tracked, 5);
	evict_expect(&vm_policy_clock, 1);
	evict_expect(&vm_policy_clock, 2);
	vm_policy_transfer(&vm_policy_clock, &vm_policy_aging);
	evict_expect(&vm_policy_aging, 3);
	evict_expect(&vm_policy_aging, 4);
	evict_expect(&vm_policy_aging, 0);
}

/* Tracking a page twice, or removing an untracked one, is a bug. */
static void test_misuse_panics(void **state)
{
	(void)state;
	vm_policy_clock.add(&pages[0]);
	assert_true(HOST_EXPECT_PANIC(vm_policy_clock.add(&pages[0])));
	assert_true(HOST_EXPECT_PANIC(vm_policy_fifo.add(&pages[0])));
	assert_true(HOST_EXPECT_PANIC(vm_policy_clock.remove(&pages[1])));
	assert_int_equal(vm_policy_stats(&vm_policy_clock)->tracked, 1);
	evict_expect(&vm_policy_clock, 0);
}

/* The policy bits sit where nothing else in struct page's flags is. */
static void test_flag_layout(void **state)
{
	(void)state;
	uint32_t others = PG_RESERVED | PG_BUDDY | PG_SLAB | PG_HIGHMEM |
			  PG_USER | PG_PGTABLE | PG_KERNEL | PG_HEAD | PG_PCP |
			  PG_BOOTMEM | PG_ORDER_MASK;

	assert_int_equal(PG_POLICY_MASK & others, 0);
	assert_true(PG_POLICY_TRACKED & PG_POLICY_MASK);
	/* Aging's 8-bit age fits beside the tracked bit. */
	assert_true((PG_POLICY_MASK >> PG_POLICY_SHIFT) >= 0x1FF);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_find),
		T(test_empty),
		T(test_fifo_order),
		T(test_failed_eviction_moves_on),
		T(test_clock_second_chance),
		T(test_clock_full_turn),
		T(test_clock_remove_under_hand),
		T(test_aging_prefers_lru),
		T(test_aging_ties_oldest),
		T(test_aging_matches_lru_within_history),
		T(test_random_only_tracked),
		T(test_random_index),
		T(test_remove_keeps_consistent),
		T(test_clockpro_scan_resistance),
		T(test_clockpro_refault),
		T(test_clockpro_use_count),
		T(test_clockpro_small_memory),
		T(test_reset),
		T(test_transfer),
		T(test_misuse_panics),
		T(test_flag_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
