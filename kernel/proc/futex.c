/*
 * kernel/proc/futex.c - futex(2): waiting on and waking a word of user
 * memory, as Linux i386 does (kernel/futex/ there; the numbers are
 * include/uapi/linux/futex.h).
 *
 * The kernel keeps one list of waiters, oldest first; each waiter lives
 * on its own kernel stack while it sleeps in futex_wait. A waiter waits on
 * a key that names the word:
 *
 *   FUTEX_PRIVATE_FLAG   (address space, address): only the threads of
 *                        one process can share the word
 *   shared, in a region  (shm object, offset in it): every process that
 *   of shared memory     maps the object reaches the same word, at
 *                        whatever address
 *   shared, elsewhere    (address space, address), but a key of its own
 *                        kind: a private wait is not woken by a shared
 *                        wake, nor the other way round (Linux's keys
 *                        differ the same way)
 *
 * No wakeup is lost: futex_wait reads the word and queues itself with
 * nothing between that could let another thread run (the kernel is not
 * preempted; reading may fault and sleep, but the comparison is made
 * with the value as it is once the read is complete), and a waker takes
 * waiters off the list with interrupts off.
 *
 * Timeouts are turned into timer ticks (rounded up, saturating), and the
 * sleep ends at that tick, on a wake, or on a signal.
 */
#include "kernel/proc/futex.h"

#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/time.h"
#include "kernel/arch/x86.h"
#include "drivers/pit.h"
#include "libk/errno.h"
#include "libk/list.h"
#include "mm/mm.h"

/* Operations (include/uapi/linux/futex.h). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* FUTEX_WAKE_OP's encoded operation: op, cmp, oparg, cmparg. */
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8 /* oparg is a bit number: 1 << oparg */
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5

enum futex_key_kind {
	KEY_PRIVATE,
	KEY_MM_SHARED,
	KEY_SHM
};

/* What names one futex word (see the top of the file). */
struct futex_key {
	enum futex_key_kind kind;
	const void *object; /* the mm, or the shm object */
	uint32_t offset;    /* the address, or the offset in the object */
};

struct futex_waiter {
	struct list_node node; /* in waiters, while queued */
	struct futex_key key;
	uint32_t bitset; /* FUTEX_WAIT_BITSET's mask */
	struct proc *proc;
	bool woken; /* taken off the list by a wake */
};

static list_head_t waiters = LIST_HEAD_INIT(waiters);
static unsigned int nr_waiters;

static bool key_equal(const struct futex_key *a, const struct futex_key *b)
{
	return a->kind == b->kind && a->object == b->object &&
	       a->offset == b->offset;
}

/* The key of the word at uaddr in mm; 0, -EINVAL (alignment) or -EFAULT. */
static int key_get(struct mm *mm, uint32_t uaddr, bool private,
		   struct futex_key *key)
{
	if (uaddr & 3)
		return -EINVAL;
	if (!user_range_ok(uaddr, sizeof(uint32_t)) || !mm)
		return -EFAULT;
	if (private) {
		*key = (struct futex_key){ KEY_PRIVATE, mm, uaddr };
		return 0;
	}
	struct vma *v = mm_find_vma(mm, uaddr);
	if (!v)
		return -EFAULT;
	if (v->kind == VMA_SHM && v->shm)
		*key = (struct futex_key){ KEY_SHM, v->shm,
					   (v->shm_pgoff << PAGE_SHIFT) +
						   (uaddr - v->start) };
	else
		*key = (struct futex_key){ KEY_MM_SHARED, mm, uaddr };
	return 0;
}

/* Wakes up to n (at least one, as Linux) waiters on key in bitset. */
static int wake_key(const struct futex_key *key, int n, uint32_t bitset)
{
	struct list_node *pos, *tmp;
	int woken = 0;
	bool was = irq_save();

	list_for_each_safe(pos, tmp, &waiters) {
		struct futex_waiter *w =
			list_entry(pos, struct futex_waiter, node);
		if (!key_equal(&w->key, key) || !(w->bitset & bitset))
			continue;
		list_remove(&w->node);
		nr_waiters--;
		w->woken = true;
		sched_make_runnable(w->proc);
		if (++woken >= n)
			break;
	}
	irq_restore(was);
	return woken;
}

int futex_wake_address(struct mm *mm, uint32_t uaddr, int n, bool private)
{
	struct futex_key key;
	int err = key_get(mm, uaddr, private, &key);
	if (err)
		return err;
	return wake_key(&key, n, FUTEX_BITSET_MATCH_ANY);
}

unsigned int futex_waiters(void)
{
	return nr_waiters;
}

/* The timer tick at which a monotonic deadline in ns has passed. */
static uint64_t deadline_tick(int64_t deadline_ns)
{
	int64_t tick_ns = time_tick_ns();
	if (deadline_ns <= 0)
		return 0;
	/* Rounded up, without overflowing for "never" (TIME_NS_MAX). */
	return (uint64_t)(deadline_ns / tick_ns) + (deadline_ns % tick_ns != 0);
}

/*
 * FUTEX_WAIT and FUTEX_WAIT_BITSET: sleeps while the word holds val.
 * deadline_ns is monotonic, or < 0 for none.
 */
static int futex_wait(uint32_t uaddr, bool private, uint32_t val,
		      int64_t deadline_ns, uint32_t bitset)
{
	struct futex_waiter w = { .bitset = bitset, .proc = current };
	uint32_t cur;
	int err;

	if (!bitset)
		return -EINVAL;
	err = key_get(current->mm, uaddr, private, &w.key);
	if (err)
		return err;
	if (copy_from_user(&cur, (const void *)uaddr, sizeof(cur)))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;

	bool timed = deadline_ns >= 0;
	uint64_t tick = timed ? deadline_tick(deadline_ns) : 0;
	bool was = irq_save();
	list_push_back(&waiters, &w.node);
	nr_waiters++;
	for (;;) {
		if (w.woken) {
			err = 0;
			break;
		}
		if (signal_pending(current)) {
			/*
			 * Linux restarts an untimed wait after a handler with
			 * SA_RESTART, and a timed one only if no handler ran.
			 */
			err = timed ? -ERESTARTNOHAND : -ERESTARTSYS;
			break;
		}
		if (timed && pit_ticks() >= tick) {
			err = -ETIMEDOUT;
			break;
		}
		sched_sleep_timeout(&w, tick);
	}
	if (!w.woken) {
		list_remove(&w.node);
		nr_waiters--;
	}
	irq_restore(was);
	return err;
}

/*
 * FUTEX_REQUEUE and FUTEX_CMP_REQUEUE: wakes nr_wake waiters of uaddr and
 * moves up to nr_requeue more to uaddr2; with cmp, only if the word at
 * uaddr still holds cmpval (else -EAGAIN). Returns woken + moved.
 */
static int futex_requeue(uint32_t uaddr, uint32_t uaddr2, bool private,
			 int nr_wake, int nr_requeue, bool cmp, uint32_t cmpval)
{
	struct futex_key k1, k2;
	int err;

	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	if ((err = key_get(current->mm, uaddr, private, &k1)) ||
	    (err = key_get(current->mm, uaddr2, private, &k2)))
		return err;
	if (cmp) {
		uint32_t cur;
		if (copy_from_user(&cur, (const void *)uaddr, sizeof(cur)))
			return -EFAULT;
		if (cur != cmpval)
			return -EAGAIN;
	}

	struct list_node *pos, *tmp;
	int woken = 0, moved = 0;
	bool was = irq_save();
	list_for_each_safe(pos, tmp, &waiters) {
		struct futex_waiter *w =
			list_entry(pos, struct futex_waiter, node);
		if (!key_equal(&w->key, &k1))
			continue;
		if (woken < nr_wake) {
			list_remove(&w->node);
			nr_waiters--;
			w->woken = true;
			sched_make_runnable(w->proc);
			woken++;
		} else if (moved < nr_requeue) {
			w->key = k2;
			moved++;
		} else {
			break;
		}
	}
	irq_restore(was);
	return woken + moved;
}

/* Sign-extends the low 12 bits of x (WAKE_OP's oparg and cmparg). */
static inline int32_t sext12(uint32_t x)
{
	return (int32_t)(x << 20) >> 20;
}

/*
 * FUTEX_WAKE_OP: changes the word at uaddr2 by the encoded operation,
 * wakes nr_wake waiters of uaddr, and nr_wake2 of uaddr2 if the old value
 * of uaddr2 passes the encoded comparison.
 */
static int futex_wake_op(uint32_t uaddr, uint32_t uaddr2, bool private,
			 int nr_wake, int nr_wake2, uint32_t encoded)
{
	struct futex_key k1, k2;
	int err;
	int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int32_t oparg = sext12(encoded >> 12), cmparg = sext12(encoded);

	if ((err = key_get(current->mm, uaddr, private, &k1)) ||
	    (err = key_get(current->mm, uaddr2, private, &k2)))
		return err;
	if ((encoded >> 28) & FUTEX_OP_OPARG_SHIFT) {
		if (oparg < 0 || oparg > 31)
			oparg &= 31; /* as Linux, which warns */
		oparg = (int32_t)(1u << oparg);
	}

	uint32_t old, new;
	if (copy_from_user(&old, (const void *)uaddr2, sizeof(old)))
		return -EFAULT;
	switch (op) {
	case FUTEX_OP_SET:
		new = (uint32_t)oparg;
		break;
	case FUTEX_OP_ADD:
		new = old + (uint32_t)oparg;
		break;
	case FUTEX_OP_OR:
		new = old | (uint32_t)oparg;
		break;
	case FUTEX_OP_ANDN:
		new = old & ~(uint32_t)oparg;
		break;
	case FUTEX_OP_XOR:
		new = old ^ (uint32_t)oparg;
		break;
	default:
		return -ENOSYS;
	}
	if (copy_to_user((void *)uaddr2, &new, sizeof(new)))
		return -EFAULT;

	bool pass;
	int32_t o = (int32_t)old;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ:
		pass = o == cmparg;
		break;
	case FUTEX_OP_CMP_NE:
		pass = o != cmparg;
		break;
	case FUTEX_OP_CMP_LT:
		pass = o < cmparg;
		break;
	case FUTEX_OP_CMP_LE:
		pass = o <= cmparg;
		break;
	case FUTEX_OP_CMP_GT:
		pass = o > cmparg;
		break;
	case FUTEX_OP_CMP_GE:
		pass = o >= cmparg;
		break;
	default:
		return -ENOSYS;
	}
	int woken = wake_key(&k1, nr_wake, FUTEX_BITSET_MATCH_ANY);
	if (pass)
		woken += wake_key(&k2, nr_wake2, FUTEX_BITSET_MATCH_ANY);
	return woken;
}

/* Linux's two timespec layouts on i386. */
struct futex_timespec32 {
	int32_t tv_sec, tv_nsec;
};
struct futex_timespec64 {
	int64_t tv_sec;
	int32_t tv_nsec, pad; /* the nanoseconds are a 32-bit long */
};

/*
 * Reads a timeout as nanoseconds: 0, -EFAULT, or -EINVAL unless
 * tv_sec >= 0 and 0 <= tv_nsec < 10^9. Too large is TIME_NS_MAX.
 */
static int read_timespec(uint32_t uts, bool is64, int64_t *ns)
{
	int64_t sec, nsec;
	if (is64) {
		struct futex_timespec64 ts;
		if (copy_from_user(&ts, (const void *)uts, sizeof(ts)))
			return -EFAULT;
		sec = ts.tv_sec;
		nsec = ts.tv_nsec;
	} else {
		struct futex_timespec32 ts;
		if (copy_from_user(&ts, (const void *)uts, sizeof(ts)))
			return -EFAULT;
		sec = ts.tv_sec;
		nsec = ts.tv_nsec;
	}
	if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
		return -EINVAL;
	*ns = sec >= TIME_NS_MAX / NSEC_PER_SEC ? TIME_NS_MAX
						: sec * NSEC_PER_SEC + nsec;
	return 0;
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3). */
static int32_t do_futex(const struct syscall_args *a, bool is64)
{
	uint32_t uaddr = a->arg[0], op = a->arg[1], val = a->arg[2];
	uint32_t utime = a->arg[3], uaddr2 = a->arg[4], val3 = a->arg[5];
	int cmd = (int)(op & FUTEX_CMD_MASK);
	bool private = op & FUTEX_PRIVATE_FLAG;
	int64_t deadline = -1;

	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET &&
	    cmd != FUTEX_WAIT_REQUEUE_PI && cmd != FUTEX_LOCK_PI2)
		return -ENOSYS;
	if (utime && (cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET)) {
		int64_t ns;
		int err = read_timespec(utime, is64, &ns);
		if (err)
			return err;
		if (cmd == FUTEX_WAIT) {
			/* Relative to now, on the monotonic clock. */
			deadline = time_add_ns(time_monotonic_ns(), ns);
		} else if (op & FUTEX_CLOCK_REALTIME) {
			/* An absolute date: its distance from now. */
			int64_t left = ns - time_realtime_ns();
			deadline = ns == TIME_NS_MAX
					   ? TIME_NS_MAX
					   : time_add_ns(time_monotonic_ns(),
							 left < 0 ? 0 : left);
		} else {
			deadline = ns;
		}
	}

	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(uaddr, private, val, deadline,
				  FUTEX_BITSET_MATCH_ANY);
	case FUTEX_WAIT_BITSET:
		return futex_wait(uaddr, private, val, deadline, val3);
	case FUTEX_WAKE:
		val3 = FUTEX_BITSET_MATCH_ANY;
		/* fall through */
	case FUTEX_WAKE_BITSET: {
		struct futex_key key;
		if (!val3)
			return -EINVAL;
		int err = key_get(current->mm, uaddr, private, &key);
		if (err)
			return err;
		return wake_key(&key, (int)val, val3);
	}
	case FUTEX_REQUEUE:
		return futex_requeue(uaddr, uaddr2, private, (int)val,
				     (int)utime, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(uaddr, uaddr2, private, (int)val,
				     (int)utime, true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(uaddr, uaddr2, private, (int)val,
				     (int)utime, val3);
	default:
		/* FUTEX_FD is gone from Linux; the PI locks are not here. */
		return -ENOSYS;
	}
}

static int32_t sys_futex(const struct syscall_args *a)
{
	return do_futex(a, false);
}
SYSCALL(240, futex, sys_futex);

/* The same with a 64-bit time_t in the timeout (glibc tries it first). */
static int32_t sys_futex_time64(const struct syscall_args *a)
{
	return do_futex(a, true);
}
SYSCALL(422, futex_time64, sys_futex_time64);
