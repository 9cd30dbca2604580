/*
 * fs/poll.h - waiting for several files at once: poll(2) and
 * select(2) and their variants (fs/poll.c).
 *
 * A file says which events are ready through its file_ops.poll; a file
 * without one is always readable and writable, as a regular file is.
 * Waiters sleep on one channel, woken by poll_notify() whenever a file
 * that can block (the terminal, a pipe) changes.
 */
#ifndef KERNEL_POLL_H
#define KERNEL_POLL_H

/* Event bits (include/uapi/asm-generic/poll.h). */
#define POLLIN 0x0001
#define POLLPRI 0x0002
#define POLLOUT 0x0004
#define POLLERR 0x0008
#define POLLHUP 0x0010
#define POLLNVAL 0x0020
#define POLLRDNORM 0x0040
#define POLLRDBAND 0x0080
#define POLLWRNORM 0x0100
#define POLLWRBAND 0x0200

/* Something a poller may wait for changed; callable from interrupts. */
void poll_notify(void);

#endif
