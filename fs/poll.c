/*
 * fs/poll.c - poll, ppoll, select, _newselect and pselect6, with
 * Linux i386 numbers and structures (fs/poll.h).
 *
 * One loop serves them all: look at every file; if some event is ready,
 * or the time is up, return; else sleep on `poll_channel` until a file
 * changes (poll_notify), a signal comes, or the time limit. The look and
 * the sleep are done with interrupts off, so a character typed in
 * between is not missed.
 *
 * A signal ends the wait with -ERESTARTNOHAND (-EINTR when a handler
 * runs, the call made again otherwise), as Linux's select; ppoll and
 * pselect6 run with their signal mask and go back to the old one like
 * sigsuspend. select writes back the time left, as Linux does.
 */
#include "fs/poll.h"

#include "drivers/pit.h"
#include "fs/file.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/slab.h"

/* select's fd_set size (include/uapi/linux/posix_types.h __FD_SETSIZE). */
#define FD_SETSIZE 1024
/* The most pollfds one poll takes (Linux's RLIMIT_NOFILE check). */
#define POLL_MAX_FDS PROC_MAX_FILES
#define NSEC_PER_SEC 1000000000ll
#define SIGSET_SIZE 8

static char poll_channel;

void poll_notify(void)
{
	sched_wakeup(&poll_channel);
}

/* struct pollfd (include/uapi/asm-generic/poll.h). */
struct kpollfd {
	int32_t fd;
	int16_t events;
	int16_t revents;
};

/* The events of fd that are ready, among those asked for. */
static uint32_t file_events(int fd, uint32_t asked)
{
	struct file *f = fd_get(current, fd);

	if (!f)
		return POLLNVAL;
	uint32_t ready = f->ops && f->ops->poll
				 ? f->ops->poll(f)
				 : POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return ready & (asked | POLLERR | POLLHUP);
}

/* A time limit in ns (< 0: none) as a timer tick to wake at (0: none). */
static uint64_t deadline_of(int64_t ns)
{
	if (ns < 0)
		return 0;
	uint64_t hz = pit_hz();
	uint64_t ticks = ((uint64_t)ns * hz + NSEC_PER_SEC - 1) / NSEC_PER_SEC;
	return pit_ticks() + ticks + 1;
}

/* The ns left before the deadline tick, 0 if past. */
static int64_t ns_left(uint64_t deadline)
{
	uint64_t now = pit_ticks();
	if (!deadline || now >= deadline)
		return 0;
	return (int64_t)((deadline - now) * NSEC_PER_SEC / pit_hz());
}

/*
 * The poll loop over kernel copies of the pollfds: the number with
 * revents, or -ERESTARTNOHAND. ns < 0 waits without a limit.
 */
static int do_poll(struct kpollfd *fds, uint32_t n, int64_t ns,
		   uint64_t *deadline_out)
{
	uint64_t deadline = deadline_of(ns);
	bool was = irq_save();
	int count;

	for (;;) {
		count = 0;
		for (uint32_t i = 0; i < n; i++) {
			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			fds[i].revents = (int16_t)file_events(
				fds[i].fd, (uint16_t)fds[i].events);
			if (fds[i].revents)
				count++;
		}
		if (count || ns == 0)
			break;
		if (deadline && pit_ticks() >= deadline)
			break;
		if (signal_pending(current)) {
			count = -ERESTARTNOHAND;
			break;
		}
		sched_sleep_timeout(&poll_channel, deadline);
	}
	irq_restore(was);
	if (deadline_out)
		*deadline_out = deadline;
	return count;
}

/* Runs with mask as the signal mask; the old one comes back as after
 * sigsuspend (at once, unless a signal ended the call). */
static void mask_begin(uint64_t mask)
{
	struct proc *p = current;
	bool was = irq_save();
	p->sig_saved_blocked = p->sig_blocked;
	p->sig_blocked = mask & ~SIG_UNBLOCKABLE;
	irq_restore(was);
}

static void mask_end(int ret)
{
	struct proc *p = current;
	if (ret == -ERESTARTNOHAND) {
		p->sig_restore_blocked = true;
		return;
	}
	bool was = irq_save();
	p->sig_blocked = p->sig_saved_blocked;
	irq_restore(was);
}

static int poll_common(uint32_t ufds, uint32_t n, int64_t ns, bool has_mask,
		       uint64_t mask)
{
	if (n > POLL_MAX_FDS)
		return -EINVAL;
	struct kpollfd *fds = NULL;
	if (n) {
		fds = kmalloc(n * sizeof(*fds), GFP_KERNEL);
		if (!fds)
			return -ENOMEM;
		if (copy_from_user(fds, (void *)ufds, n * sizeof(*fds))) {
			kfree(fds);
			return -EFAULT;
		}
	}
	if (has_mask)
		mask_begin(mask);
	int ret = do_poll(fds, n, ns, NULL);
	if (has_mask)
		mask_end(ret);
	/* Only revents is written back, as on Linux. */
	for (uint32_t i = 0; ret >= 0 && i < n; i++) {
		if (copy_to_user((char *)ufds + i * sizeof(*fds) +
					 offsetof(struct kpollfd, revents),
				 &fds[i].revents, sizeof(fds[i].revents))) {
			ret = -EFAULT;
		}
	}
	kfree(fds);
	return ret;
}

/* poll(fds, nfds, timeout in ms; < 0 none). */
static int32_t sys_poll(const struct syscall_args *a)
{
	int32_t ms = (int32_t)a->arg[2];
	return poll_common(a->arg[0], a->arg[1], ms < 0 ? -1 : ms * 1000000ll,
			   false, 0);
}
SYSCALL(168, poll, sys_poll);

/* Reads a timespec (32- or 64-bit) into ns; -EINVAL if malformed. */
static int get_timeout(uint32_t uts, bool is64, int64_t *ns)
{
	int64_t sec, nsec;

	if (!uts) {
		*ns = -1;
		return 0;
	}
	if (is64) {
		int64_t ts[2];
		if (copy_from_user(ts, (void *)uts, sizeof(ts)))
			return -EFAULT;
		sec = ts[0];
		nsec = (int32_t)ts[1];
	} else {
		int32_t ts[2];
		if (copy_from_user(ts, (void *)uts, sizeof(ts)))
			return -EFAULT;
		sec = ts[0];
		nsec = ts[1];
	}
	if (sec < 0 || nsec < 0 || nsec >= NSEC_PER_SEC)
		return -EINVAL;
	/* Beyond a year or so there is no difference from "no limit". */
	*ns = sec > (1ll << 31) ? -1 : sec * NSEC_PER_SEC + nsec;
	return 0;
}

static int put_timeout(uint32_t uts, bool is64, int64_t ns)
{
	if (is64) {
		int64_t ts[2] = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
		return copy_to_user((void *)uts, ts, sizeof(ts));
	}
	int32_t ts[2] = { (int32_t)(ns / NSEC_PER_SEC),
			  (int32_t)(ns % NSEC_PER_SEC) };
	return copy_to_user((void *)uts, ts, sizeof(ts));
}

/* Reads an optional sigset of the given size; *has says if there is one. */
static int get_sigmask(uint32_t uset, uint32_t size, bool *has, uint64_t *mask)
{
	*has = uset != 0;
	if (!uset)
		return 0;
	if (size != SIGSET_SIZE)
		return -EINVAL;
	return copy_from_user(mask, (void *)uset, sizeof(*mask)) ? -EFAULT : 0;
}

/* ppoll(fds, nfds, timespec, sigmask, sigsetsize). */
static int32_t ppoll_common(const struct syscall_args *a, bool is64)
{
	int64_t ns;
	uint64_t mask = 0;
	bool has;
	int err = get_timeout(a->arg[2], is64, &ns);
	if (!err)
		err = get_sigmask(a->arg[3], a->arg[4], &has, &mask);
	if (err)
		return err;
	return poll_common(a->arg[0], a->arg[1], ns, has, mask);
}

static int32_t sys_ppoll(const struct syscall_args *a)
{
	return ppoll_common(a, false);
}
SYSCALL(309, ppoll, sys_ppoll);

static int32_t sys_ppoll_time64(const struct syscall_args *a)
{
	return ppoll_common(a, true);
}
SYSCALL(414, ppoll_time64, sys_ppoll_time64);

/* --- select ------------------------------------------------------------- */

#define SET_WORDS (FD_SETSIZE / 32)

struct fdsets {
	uint32_t in[SET_WORDS], out[SET_WORDS], ex[SET_WORDS];
};

static bool bit(const uint32_t *set, int fd)
{
	return (set[fd / 32] >> (fd % 32)) & 1;
}

static int get_set(uint32_t uset, uint32_t *set, int n)
{
	memset(set, 0, SET_WORDS * 4);
	if (!uset)
		return 0;
	return copy_from_user(set, (void *)uset, ((uint32_t)n + 31) / 32 * 4)
		       ? -EFAULT
		       : 0;
}

static int put_set(uint32_t uset, const uint32_t *set, int n)
{
	if (!uset)
		return 0;
	return copy_to_user((void *)uset, set, ((uint32_t)n + 31) / 32 * 4)
		       ? -EFAULT
		       : 0;
}

/*
 * select over the three sets of fds below n, turned into pollfds:
 * readable = POLLIN|POLLHUP|POLLERR, writable = POLLOUT|POLLERR,
 * exceptional = POLLPRI (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET).
 */
static int do_select(int n, uint32_t uin, uint32_t uout, uint32_t uex,
		     int64_t ns, bool has_mask, uint64_t mask, int64_t *left)
{
	if (n < 0)
		return -EINVAL;
	if (n > FD_SETSIZE)
		n = FD_SETSIZE;
	struct fdsets *s = kmalloc(sizeof(*s), GFP_KERNEL);
	struct kpollfd *fds =
		kmalloc(PROC_MAX_FILES * sizeof(*fds), GFP_KERNEL);
	int ret = -ENOMEM;
	uint32_t count = 0;

	if (!s || !fds)
		goto out;
	ret = get_set(uin, s->in, n);
	if (!ret)
		ret = get_set(uout, s->out, n);
	if (!ret)
		ret = get_set(uex, s->ex, n);
	if (ret)
		goto out;
	for (int fd = 0; fd < n; fd++) {
		int16_t ev = 0;
		if (bit(s->in, fd))
			ev |= POLLIN | POLLRDNORM;
		if (bit(s->out, fd))
			ev |= POLLOUT | POLLWRNORM;
		if (bit(s->ex, fd))
			ev |= POLLPRI;
		if (!ev)
			continue;
		if (fd >= PROC_MAX_FILES || !fd_get(current, fd)) {
			ret = -EBADF;
			goto out;
		}
		fds[count++] = (struct kpollfd){ .fd = fd, .events = ev };
	}
	uint64_t deadline;
	if (has_mask)
		mask_begin(mask);
	ret = do_poll(fds, count, ns, &deadline);
	if (has_mask)
		mask_end(ret);
	*left = ns < 0 ? -1 : ns_left(deadline);
	if (ret < 0)
		goto out;
	memset(s, 0, sizeof(*s));
	ret = 0;
	for (uint32_t i = 0; i < count; i++) {
		int fd = fds[i].fd, re = fds[i].revents, ev = fds[i].events;
		int hits = 0;
		if ((ev & POLLIN) &&
		    (re & (POLLIN | POLLRDNORM | POLLHUP | POLLERR))) {
			s->in[fd / 32] |= 1u << (fd % 32);
			hits++;
		}
		if ((ev & POLLOUT) && (re & (POLLOUT | POLLWRNORM | POLLERR))) {
			s->out[fd / 32] |= 1u << (fd % 32);
			hits++;
		}
		if ((ev & POLLPRI) && (re & POLLPRI)) {
			s->ex[fd / 32] |= 1u << (fd % 32);
			hits++;
		}
		ret += hits;
	}
	if (put_set(uin, s->in, n) || put_set(uout, s->out, n) ||
	    put_set(uex, s->ex, n))
		ret = -EFAULT;
out:
	kfree(fds);
	kfree(s);
	return ret;
}

/* _newselect(n, in, out, ex, struct timeval *): the time left written back. */
static int32_t sys_newselect(const struct syscall_args *a)
{
	int64_t ns = -1, left;
	uint32_t utv = a->arg[4];

	if (utv) {
		int32_t tv[2];
		if (copy_from_user(tv, (void *)utv, sizeof(tv)))
			return -EFAULT;
		if (tv[0] < 0 || tv[1] < 0 || tv[1] >= 1000000)
			return -EINVAL;
		ns = (int64_t)tv[0] * NSEC_PER_SEC + (int64_t)tv[1] * 1000;
	}
	int ret = do_select((int)a->arg[0], a->arg[1], a->arg[2], a->arg[3], ns,
			    false, 0, &left);
	if (utv && ret != -EFAULT && ret != -EINVAL && ret != -EBADF) {
		int32_t tv[2] = { (int32_t)(left / NSEC_PER_SEC),
				  (int32_t)(left % NSEC_PER_SEC / 1000) };
		if (copy_to_user((void *)utv, tv, sizeof(tv)) && ret >= 0)
			ret = -EFAULT;
	}
	return ret;
}
SYSCALL(142, _newselect, sys_newselect);

/* select(struct sel_arg_struct *): the old i386 call, one pointer. */
static int32_t sys_old_select(const struct syscall_args *a)
{
	uint32_t args[5];

	if (copy_from_user(args, (void *)a->arg[0], sizeof(args)))
		return -EFAULT;
	struct syscall_args b = { .tf = a->tf };
	memcpy(b.arg, args, sizeof(args));
	return sys_newselect(&b);
}
SYSCALL(82, select, sys_old_select);

/* pselect6(n, in, out, ex, timespec, {sigset *, size} *). */
static int32_t pselect_common(const struct syscall_args *a, bool is64)
{
	int64_t ns, left;
	uint64_t mask = 0;
	bool has = false;
	int err = get_timeout(a->arg[4], is64, &ns);

	if (err)
		return err;
	if (a->arg[5]) {
		uint32_t ss[2];
		if (copy_from_user(ss, (void *)a->arg[5], sizeof(ss)))
			return -EFAULT;
		err = get_sigmask(ss[0], ss[1], &has, &mask);
		if (err)
			return err;
	}
	int ret = do_select((int)a->arg[0], a->arg[1], a->arg[2], a->arg[3], ns,
			    has, mask, &left);
	if (a->arg[4] && ns >= 0 && ret != -EFAULT && ret != -EINVAL &&
	    ret != -EBADF && put_timeout(a->arg[4], is64, left) && ret >= 0)
		ret = -EFAULT;
	return ret;
}

static int32_t sys_pselect6(const struct syscall_args *a)
{
	return pselect_common(a, false);
}
SYSCALL(308, pselect6, sys_pselect6);

static int32_t sys_pselect6_time64(const struct syscall_args *a)
{
	return pselect_common(a, true);
}
SYSCALL(413, pselect6_time64, sys_pselect6_time64);
