/*
 * mm/policy_clockpro.c - a scan-resistant clock with hot and cold pages and
 * a history of evicted ones, after CLOCK-Pro (Jiang, Chen and Zhang,
 * USENIX 2005), itself the clock form of LIRS.
 *
 * Clock and aging rank pages by recency alone: a loop over slightly more
 * pages than memory holds evicts every page just before its next use and
 * faults on every reference, and a long scan of pages used once pushes
 * out everything else. This policy ranks pages by their *reuse distance*
 * instead, as far as accessed bits and a history of evicted pages let it
 * tell:
 *
 *   hot   resident pages that were used again soon after they came in;
 *         a clock ("hand_hot") that raises the use count of the accessed
 *         ones, lowers it on the others, and demotes to cold the first
 *         one found unused with a count of 0
 *   cold  resident pages not (yet) proven hot; a clock ("hand_cold")
 *         whose not-accessed pages are the victims; kept at about m_c
 *         pages, m_c adapting between 1 and a quarter of the frames
 *         (in a small memory up to 3, leaving at least 2 hot)
 *   ghost keys of cold pages evicted during their test period, oldest
 *         first, at most as many as the most pages tracked at once
 *
 * A page that comes in is cold and in its *test period*, which ends when
 * hand_hot has gone once round the hot pages. Used again in its test
 * period, it becomes hot: while resident (hand_cold finds it accessed),
 * or after its eviction (its key is still a ghost when it refaults). A
 * cold page used again after its test period stays cold and starts a new
 * one. Each refault within the test period also tells that cold pages
 * are evicted too early: m_c grows by one; each ghost whose test period
 * ends unused lets m_c shrink by one while it is above an eighth of the
 * frames.
 *
 *   hot  [H A=1 u1] [H A=0 u2] [H A=0 u0]
 *          ^hand_hot                 hand_hot: A=1 -> clear it, u+1 (to 3),
 *                                    A=0 u>0 -> u-1, A=0 u0 -> cold
 *   cold [C test] [C] [C test A=1]   hand_cold: A=1 in test -> hot,
 *          ^hand_cold                          A=0 -> victim (a ghost
 *   ghosts  k17 k4 k9 ...                      if it was in test)
 *
 * Why it resists scans: the pages of a scan are used once, come in cold
 * and leave cold, and only hand_hot can take a hot page's frame, which it
 * does only when hot pages are more than frames - m_c and then only to an
 * unused one. In a loop slightly larger than memory, the first pages fill
 * memory as hot; the loop's reuse distance exceeds a turn of hand_hot,
 * so refaults come after the test period, stay cold, and only the few
 * cold frames fault: the hot pages stay. (Clock and LRU fault on every
 * reference there.)
 *
 * The use count (0 to 3, as in GCLOCK) lets hand_hot tell a page used on
 * every one of its turns from one used once since it last passed: with a
 * single accessed bit both go cold at the first turn that finds them
 * unused. Each turn that found a hot page accessed buys it one more turn
 * unused before it goes cold, so the pages used most steadily stay hot
 * through a lull. A page becomes hot with a count of 0.
 *
 * Time is counted in steps of hand_hot: a ghost remembers the step count
 * at its eviction and is in its test period while fewer steps than there
 * are hot pages have been made since. Before the first eviction memory is
 * not full and every page that comes in is hot, as in LIRS.
 *
 * The key of a page is what identifies its contents across an eviction:
 * the swap slot in the kernel (mm/vmscan.c passes it to evicted() and, on
 * a swap-in, to refault()), the page number in tools/vmsim. Ghosts take no
 * struct page: a fixed table of PRO_GHOSTS keys with a hash for lookup,
 * so the history covers at most PRO_GHOSTS evicted pages. A key whose slot
 * was freed and reused while remembered may give a false hit: one page
 * becomes hot too early.
 *
 * The accessed bit of a page that just came in was set by its own fault,
 * which is not a second use. Such a page is marked fresh, and the first
 * time hand_cold finds it accessed it only clears the bit and gives the
 * page one more pass: a use is a second use only if the bit is set again
 * after that. The policy needs no timer: tick() does nothing.
 *
 * Per-page state, in the policy bits of page->flags: hot, fresh, in test,
 * the use count.
 * Costs: add, remove, evicted and refault O(1) (a hash lookup); choose
 * O(n) at worst, usually a few steps; tick nothing.
 *
 * Invariants: those of mm/policy_internal.h over the two lists together;
 * hot_len + cold_len == stats.tracked; a page is on the hot list iff
 * PRO_HOT; only cold pages are fresh or in test, only hot pages have a
 * use count (at most PRO_USE_MAX); ghost stamps grow from the oldest
 * ghost to the newest.
 * Locking: the caller keeps interrupts off.
 */
#include "libk/list.h"
#include "mm/page.h"
#include "mm/policy.h"
#include "mm/policy_internal.h"

/* Policy bits of a tracked page. */
#define PRO_HOT (1u << 0)   /* on the hot list (else cold) */
#define PRO_FRESH (1u << 1) /* cold, not yet seen by hand_cold */
#define PRO_TEST (1u << 2)  /* cold and in its test period */
#define PRO_USE_SHIFT 3u    /* hot: the use count, in two bits */
#define PRO_USE_MASK (3u << PRO_USE_SHIFT)

/*
 * The largest use count: the most turns of hand_hot a hot page is spared
 * without being used.
 */
#define PRO_USE_MAX 3u

/*
 * m_c grows to at most a quarter of the pages tracked: in a loop longer
 * than memory, every refault looks recent to a hand that barely moves,
 * and an unbounded m_c would hand the whole memory to the cold clock,
 * which then fails on the loop as plain clock does. (Real programs'
 * traces do as well with a half or an eighth; the loop test does best
 * with a small share.) In a small memory a quarter is one or two frames
 * and m_c could hardly adapt (with 5 frames it would stay 1): there it
 * may grow to PRO_COLD_SMALL, or to memory - 2 if that is less, so that
 * two hot pages remain.
 */
#define PRO_COLD_MAX_DIV 4u
#define PRO_COLD_SMALL 3u

/*
 * Expired ghosts shrink m_c only while it is above an eighth of the pages
 * tracked, and no further: a working set that has needed cold room once
 * tends to need it again, and an m_c back at 1 makes every page that
 * becomes useful again earn its way back through a single cold frame. An
 * m_c at or below an eighth (one that never grew much: a loop, a scan)
 * stays where it is.
 */
#define PRO_COLD_FLOOR_DIV 8u

/* Evicted pages remembered at most, and hash buckets. */
#define PRO_GHOSTS 4096u
#define PRO_HASH_BITS 11u
#define PRO_HASH (1u << PRO_HASH_BITS)
/* "No entry"; index PRO_GHOSTS is the head of the ghost list. */
#define PRO_NIL 0xFFFFu
#define PRO_HEAD PRO_GHOSTS

_Static_assert(PRO_GHOSTS + 1 < PRO_NIL, "ghost indices fit in 16 bits");
_Static_assert((PRO_HOT | PRO_FRESH | PRO_TEST | PRO_USE_MASK) <=
		       POLICY_DATA_MAX,
	       "the policy's bits fit in page->flags");

/* One remembered key, on the ghost list or the free list (through next). */
struct pro_ghost {
	uint32_t key;
	uint32_t stamp;	     /* hand_hot's steps when it was evicted */
	uint16_t prev, next; /* ghost list, oldest after the head */
	uint16_t hnext;	     /* next in its hash bucket */
	bool used;	     /* on the ghost list (else free) */
};

static struct {
	list_head_t hot, cold;	      /* fronts under hand_hot, hand_cold */
	uint32_t hot_len, cold_len;   /* pages on each list */
	uint32_t cold_target;	      /* m_c */
	uint32_t hot_steps;	      /* steps of hand_hot, ever */
	bool full;		      /* a page was evicted since reset */
	uint32_t most;		      /* the most pages tracked at once */
	struct page *pending;	      /* the last victim, until removed */
	struct pro_ghost ghost[PRO_GHOSTS + 1];
	uint16_t bucket[PRO_HASH];
	uint16_t free;
	uint32_t ghosts;
	bool ready; /* the ghost table was set up */
} pro = {
	.hot = LIST_HEAD_INIT(pro.hot),
	.cold = LIST_HEAD_INIT(pro.cold),
	.cold_target = 1,
};
static struct vm_policy_stats pro_stats;

/* Hash bucket of a key (Knuth's multiplicative hash). */
static inline uint32_t pro_hash(uint32_t key)
{
	return (key * 2654435761u) >> (32 - PRO_HASH_BITS);
}

/* Forgets every ghost. */
static void ghosts_init(void)
{
	for (uint32_t i = 0; i < PRO_GHOSTS; i++) {
		pro.ghost[i].used = false;
		pro.ghost[i].next = i + 1 < PRO_GHOSTS ? (uint16_t)(i + 1)
						       : PRO_NIL;
	}
	pro.free = 0;
	pro.ghost[PRO_HEAD].prev = pro.ghost[PRO_HEAD].next = PRO_HEAD;
	for (uint32_t b = 0; b < PRO_HASH; b++)
		pro.bucket[b] = PRO_NIL;
	pro.ghosts = 0;
	pro.ready = true;
}

/* The ghost remembering key, or PRO_NIL. */
static uint16_t ghost_find(uint32_t key)
{
	uint16_t i = pro.bucket[pro_hash(key)];
	while (i != PRO_NIL && pro.ghost[i].key != key)
		i = pro.ghost[i].hnext;
	return i;
}

/* Forgets ghost i. */
static void ghost_drop(uint16_t i)
{
	struct pro_ghost *g = &pro.ghost[i];
	uint16_t *link = &pro.bucket[pro_hash(g->key)];

	KASSERT(g->used);
	while (*link != i)
		link = &pro.ghost[*link].hnext;
	*link = g->hnext;
	pro.ghost[g->prev].next = g->next;
	pro.ghost[g->next].prev = g->prev;
	pro.ghosts--;
	g->used = false;
	g->next = pro.free;
	pro.free = i;
}

/* The oldest ghost, or PRO_NIL. */
static inline uint16_t ghost_oldest(void)
{
	uint16_t i = pro.ghost[PRO_HEAD].next;
	return i == PRO_HEAD ? PRO_NIL : i;
}

/* Remembers key as the newest ghost. */
static void ghost_push(uint32_t key)
{
	if (pro.free == PRO_NIL)
		ghost_drop(ghost_oldest());
	uint16_t i = pro.free;
	struct pro_ghost *g = &pro.ghost[i];
	uint32_t b = pro_hash(key);

	pro.free = g->next;
	g->key = key;
	g->stamp = pro.hot_steps;
	g->used = true;
	g->hnext = pro.bucket[b];
	pro.bucket[b] = i;
	g->next = PRO_HEAD;
	g->prev = pro.ghost[PRO_HEAD].prev;
	pro.ghost[g->prev].next = i;
	pro.ghost[PRO_HEAD].prev = i;
	pro.ghosts++;
}

/* Whether a ghost evicted at stamp is still in its test period. */
static inline bool in_test(uint32_t stamp)
{
	uint32_t turn = pro.hot_len ? pro.hot_len : 1;
	return pro.hot_steps - stamp < turn;
}

/*
 * Ends the test periods that hand_hot has passed: each ghost unused in
 * its test period means cold pages need not stay longer, so m_c shrinks.
 */
static void ghosts_expire(void)
{
	uint32_t floor = pro_stats.tracked / PRO_COLD_FLOOR_DIV;
	uint16_t i;

	if (floor < 1)
		floor = 1;
	while ((i = ghost_oldest()) != PRO_NIL &&
	       !in_test(pro.ghost[i].stamp)) {
		ghost_drop(i);
		if (pro.cold_target > floor)
			pro.cold_target--;
	}
}

/* The most m_c may grow to with `tracked` pages. */
static inline uint32_t cold_ceiling(uint32_t tracked)
{
	uint32_t quarter = tracked / PRO_COLD_MAX_DIV;
	uint32_t small = tracked > 2 ? tracked - 2 : 0;

	if (small > PRO_COLD_SMALL)
		small = PRO_COLD_SMALL;
	return quarter > small ? quarter : small;
}

/* Whether pg is hot. */
static inline bool is_hot(const struct page *pg)
{
	return (policy_data(pg) & PRO_HOT) != 0;
}

/* The use count of a hot page. */
static inline uint32_t hot_use(const struct page *pg)
{
	return (policy_data(pg) & PRO_USE_MASK) >> PRO_USE_SHIFT;
}

/* Sets the use count of a hot page. */
static inline void set_hot_use(struct page *pg, uint32_t use)
{
	KASSERT(use <= PRO_USE_MAX);
	policy_set_data(pg, PRO_HOT | (use << PRO_USE_SHIFT));
}

/* Makes a cold page hot (to the back of the hot list), its use count 0. */
static void promote(struct page *pg)
{
	KASSERT(!is_hot(pg));
	policy_requeue(&pro.hot, pg);
	policy_set_data(pg, PRO_HOT);
	pro.cold_len--;
	pro.hot_len++;
}

/* Makes a hot page cold (to the back of the cold list), not in test. */
static void demote(struct page *pg)
{
	KASSERT(is_hot(pg));
	policy_requeue(&pro.cold, pg);
	policy_set_data(pg, 0);
	pro.hot_len--;
	pro.cold_len++;
}

/* The page tracked longest: cold ones first, they go first. */
static struct page *pro_oldest(void)
{
	struct page *pg = policy_first(&pro.cold);
	return pg ? pg : policy_first(&pro.hot);
}

/* Forgets every page and every ghost. */
static void pro_reset(void)
{
	struct page *pg;

	while ((pg = pro_oldest()) != NULL)
		policy_untrack(&pro_stats, pg);
	pro.hot_len = pro.cold_len = 0;
	pro.cold_target = 1;
	pro.hot_steps = 0;
	pro.full = false;
	pro.most = 0;
	pro.pending = NULL;
	ghosts_init();
}

/*
 * A page that comes in is cold and in its test period, fresh; before
 * memory first filled up (no eviction yet) it is hot.
 */
static void pro_add(struct page *pg)
{
	if (!pro.ready)
		ghosts_init();
	if (pro.full) {
		policy_track(&pro.cold, &pro_stats, pg);
		policy_set_data(pg, PRO_FRESH | PRO_TEST);
		pro.cold_len++;
	} else {
		policy_track(&pro.hot, &pro_stats, pg);
		policy_set_data(pg, PRO_HOT);
		pro.hot_len++;
	}
	if (pro_stats.tracked > pro.most)
		pro.most = pro_stats.tracked;
}

/* Forgets one page. */
static void pro_remove(struct page *pg)
{
	if (pg == pro.pending)
		pro.pending = NULL;
	if (is_hot(pg))
		pro.hot_len--;
	else
		pro.cold_len--;
	policy_untrack(&pro_stats, pg);
}

/*
 * A page is being evicted: if it was cold in its test period, its key is
 * remembered until the test period ends (or the table is full), at most
 * as many keys as the most pages tracked at once (the memory's size, as
 * far as the policy can tell: when many pages go at once, their keys
 * stay).
 */
static void pro_evicted(struct page *pg, uint32_t key)
{
	uint16_t old;

	if (!pro.ready)
		ghosts_init();
	old = ghost_find(key);
	if (old != PRO_NIL)
		ghost_drop(old); /* a slot reused: the older contents go */
	if (!(policy_data(pg) & PRO_TEST))
		return;
	ghost_push(key);
	while (pro.ghosts > pro.most)
		ghost_drop(ghost_oldest());
}

/*
 * pg, just added cold, holds the contents of an evicted page. If its key
 * is a ghost in its test period, the page was needed again sooner than
 * the hot pages' turn: it becomes hot, and cold pages deserve more room.
 */
static void pro_refault(struct page *pg, uint32_t key)
{
	uint16_t i;

	if (!pro.ready)
		return;
	i = ghost_find(key);
	if (i == PRO_NIL)
		return;
	bool test = in_test(pro.ghost[i].stamp);
	ghost_drop(i);
	if (!test || is_hot(pg))
		return;
	pro_stats.refaults++;
	if (pro.cold_target < cold_ceiling(pro_stats.tracked))
		pro.cold_target++;
	promote(pg);
}

/*
 * One step of hand_hot: an accessed hot page is spared, its bit cleared
 * and its use count raised; one not accessed is spared too if its count
 * is above 0, which goes down by one; otherwise it becomes cold.
 */
static void hot_step(void)
{
	struct page *pg = policy_first(&pro.hot);
	uint32_t use = hot_use(pg);

	pro.hot_steps++;
	pro_stats.scanned++;
	if (policy_test_and_clear_accessed(pg)) {
		pro_stats.second++;
		set_hot_use(pg, use < PRO_USE_MAX ? use + 1 : use);
		policy_requeue(&pro.hot, pg);
	} else if (use > 0) {
		set_hot_use(pg, use - 1);
		policy_requeue(&pro.hot, pg);
	} else {
		demote(pg);
	}
}

/*
 * Moves the hands until hand_cold finds a cold page not accessed since it
 * was last looked at: the victim. hand_hot first demotes hot pages while
 * they are more than the frames less m_c (or no cold page is left).
 * hand_cold promotes an accessed cold page in its test period, and starts
 * a new test period for one that is not. A victim that was not removed
 * by the next call (its eviction failed: the page is in use) becomes hot,
 * so that the call proposes another page. Bounded: hand_hot demotes a page
 * within PRO_USE_MAX + 1 turns and a step (the first turn clears every
 * bit, each other lowers every count), after which each step demotes
 * one; hand_cold passes a cold page at most twice before it is the
 * victim or hot.
 */
static struct page *pro_choose(void)
{
	uint32_t c = pro_stats.tracked;
	uint32_t limit = (PRO_USE_MAX + 3) * c + 4;
	struct page *victim = NULL;

	if (c == 0)
		return NULL;
	/* The last victim could not go (in use): it counts as used. */
	if (pro.pending && !is_hot(pro.pending))
		promote(pro.pending);
	pro.pending = NULL;
	pro.full = true;
	ghosts_expire();
	uint32_t cold_min = pro.cold_target < c ? pro.cold_target : c - 1;
	if (cold_min == 0)
		cold_min = 1;
	for (uint32_t step = 0; step < limit && !victim; step++) {
		if (pro.hot_len && (pro.cold_len == 0 ||
				    pro.hot_len + cold_min > c)) {
			hot_step();
			continue;
		}
		struct page *pg = policy_first(&pro.cold);
		uint32_t d = policy_data(pg);

		pro_stats.scanned++;
		if (!policy_test_and_clear_accessed(pg)) {
			victim = pg;
			break;
		}
		pro_stats.second++;
		if (d & PRO_FRESH) {
			/* Its fault's own use: once more round. */
			policy_set_data(pg, d & ~PRO_FRESH);
			policy_requeue(&pro.cold, pg);
		} else if (d & PRO_TEST) {
			promote(pg);
		} else {
			policy_set_data(pg, d | PRO_TEST);
			policy_requeue(&pro.cold, pg);
		}
	}
	if (!victim)
		victim = pro_oldest();
	policy_requeue(is_hot(victim) ? &pro.hot : &pro.cold, victim);
	pro.pending = victim;
	pro_stats.chosen++;
	return victim;
}

/* The accessed bits are read by the hands only: nothing to do. */
static void pro_tick(void)
{
}

const struct vm_policy vm_policy_clockpro = {
	.name = "clockpro",
	.description = "CLOCK-Pro: hot and cold pages on two clocks, evicted "
		       "cold pages remembered for a test period (scan "
		       "resistant)",
	.reset = pro_reset,
	.add = pro_add,
	.remove = pro_remove,
	.choose = pro_choose,
	.tick = pro_tick,
	.access = NULL,
	.oldest = pro_oldest,
	.evicted = pro_evicted,
	.refault = pro_refault,
	.stats = &pro_stats,
};
