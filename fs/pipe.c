/*
 * fs/pipe.c - pipes: pipe(2) and pipe2(2).
 *
 * A pipe is a 4 KiB ring buffer shared by a read end and a write end (two
 * open files). Readers sleep while it is empty and writers while it is
 * full; a read of an empty pipe with no writers left returns 0 (end of
 * file), a write with no readers left raises SIGPIPE and fails with -EPIPE,
 * as on Linux (pipe(7)). Writes of at most PIPE_BUF bytes are atomic.
 */
#include "fs/file.h"
#include "fs/poll.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/slab.h"

#define PIPE_SIZE 4096
#define PIPE_BUF 4096  /* atomic write size (limits.h) */

struct pipe {
	char buf[PIPE_SIZE];
	uint32_t head;      /* next byte to read */
	uint32_t count;     /* bytes in the buffer */
	int readers;        /* open read ends */
	int writers;        /* open write ends */
	uint32_t ino;       /* for fstat */
};

static uint32_t next_ino = 1;

static void pipe_getattr(const struct vnode *v, struct kstat *st)
{
	st->mode = v->mode;
	st->ino = v->ino;
	st->nlink = 1;
	st->blksize = PAGE_SIZE;
	st->dev_minor = 12;  /* like Linux's pipefs, an anonymous device */
}

static const struct fs_ops pipefs = {
	.name = "pipefs",
	.getattr = pipe_getattr,
};

static int32_t pipe_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	struct pipe *p = f->private;
	bool was = irq_save();
	int32_t done = 0;

	(void)pos;
	while (p->count == 0) {
		if (p->writers == 0 || n == 0)
			goto out;
		if (f->flags & O_NONBLOCK) {
			done = -EAGAIN;
			goto out;
		}
		if (signal_pending(current)) {
			done = -ERESTARTSYS;  /* -EINTR or a restart */
			goto out;
		}
		sched_sleep(p);
	}
	while ((size_t)done < n && p->count) {
		buf[done++] = p->buf[p->head];
		p->head = (p->head + 1) % PIPE_SIZE;
		p->count--;
	}
	sched_wakeup(p);
	poll_notify();
out:
	irq_restore(was);
	return done;
}

static int32_t pipe_write(struct file *f, const char *buf, size_t n,
			  int64_t *pos)
{
	struct pipe *p = f->private;
	bool was = irq_save();
	size_t done = 0;
	int32_t ret;

	(void)pos;
	while (done < n) {
		if (p->readers == 0) {
			/* To the writing thread itself (Linux's send_sig). */
			struct ksiginfo info = { .code = SI_USER,
						 .pid = current->tgid };
			signal_send(current, SIGPIPE, &info);
			ret = done ? (int32_t)done : -EPIPE;
			goto out;
		}
		size_t room = PIPE_SIZE - p->count;
		/* Small writes go in whole or wait (PIPE_BUF atomicity). */
		bool fits = n - done <= PIPE_BUF ? room >= n - done : room > 0;
		if (!fits) {
			if (f->flags & O_NONBLOCK) {
				ret = done ? (int32_t)done : -EAGAIN;
				goto out;
			}
			if (signal_pending(current)) {
				ret = done ? (int32_t)done : -ERESTARTSYS;
				goto out;
			}
			sched_sleep(p);
			continue;
		}
		while (done < n && p->count < PIPE_SIZE) {
			p->buf[(p->head + p->count) % PIPE_SIZE] = buf[done++];
			p->count++;
		}
		sched_wakeup(p);
	poll_notify();
	}
	ret = (int32_t)done;
out:
	irq_restore(was);
	return ret;
}

/* poll: readable with data or no writer left (POLLHUP), writable with
 * room, POLLERR with no reader left (Linux's pipe_poll). */
static uint32_t pipe_poll(struct file *f)
{
	struct pipe *p = f->private;
	uint32_t mask = 0;
	bool was = irq_save();

	if ((f->flags & O_ACCMODE) == O_RDONLY) {
		if (p->count)
			mask |= POLLIN | POLLRDNORM;
		if (p->writers == 0)
			mask |= POLLHUP;
	} else {
		if (p->count < PIPE_SIZE)
			mask |= POLLOUT | POLLWRNORM;
		if (p->readers == 0)
			mask |= POLLERR;
	}
	irq_restore(was);
	return mask;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->private;
	bool was = irq_save();
	if ((f->flags & O_ACCMODE) == O_RDONLY)
		p->readers--;
	else
		p->writers--;
	sched_wakeup(p);
	poll_notify();
	bool last = p->readers == 0 && p->writers == 0;
	irq_restore(was);
	if (last)
		kfree(p);
}

static const struct file_ops pipe_ops = {
	.read = pipe_read,
	.write = pipe_write,
	.release = pipe_release,
	.poll = pipe_poll,
};

static int do_pipe2(uint32_t ufds, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	struct pipe *p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	p->ino = next_ino++;
	struct vnode vn = { .fs = &pipefs, .mode = S_IFIFO | 0600,
			    .ino = p->ino };
	struct file *r = file_alloc(&vn, O_RDONLY | (flags & O_NONBLOCK));
	struct file *w = file_alloc(&vn, O_WRONLY | (flags & O_NONBLOCK));
	int fds[2] = { -1, -1 };
	int err = -ENOMEM;

	if (!r || !w)
		goto out_files;
	r->ops = w->ops = &pipe_ops;
	r->private = w->private = p;
	p->readers = p->writers = 1;
	fds[0] = fd_alloc(current, r, 0, flags & O_CLOEXEC);
	if (fds[0] < 0) {
		err = fds[0];
		goto out_files;
	}
	fds[1] = fd_alloc(current, w, 0, flags & O_CLOEXEC);
	if (fds[1] < 0) {
		err = fds[1];
		fd_close(current, fds[0]);  /* releases r and its count */
		file_put(w);
		return err;
	}
	if (copy_to_user((void *)ufds, fds, sizeof(fds))) {
		fd_close(current, fds[0]);
		fd_close(current, fds[1]);
		return -EFAULT;
	}
	return 0;

out_files:
	/* Once both ends exist, releasing them frees the pipe. */
	if (r && w) {
		file_put(r);
		file_put(w);
		return err;
	}
	if (r)
		file_put(r);
	if (w)
		file_put(w);
	kfree(p);
	return err;
}

static int32_t sys_pipe(const struct syscall_args *a)
{
	return do_pipe2(a->arg[0], 0);
}
SYSCALL(42, pipe, sys_pipe);

static int32_t sys_pipe2(const struct syscall_args *a)
{
	return do_pipe2(a->arg[0], (int)a->arg[1]);
}
SYSCALL(331, pipe2, sys_pipe2);
