/*
 * libk/errno.h - error numbers.
 *
 * The values are Linux's (include/uapi/asm-generic/errno-base.h and
 * errno.h), because Pagoda's system calls return them to Linux programs as
 * negative numbers.
 */
#ifndef LIBK_ERRNO_H
#define LIBK_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EPIPE 32
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define EIDRM 43
#define EOVERFLOW 75
#define EOPNOTSUPP 95
#define ETIMEDOUT 110
#define EALREADY 114

/*
 * Kernel-internal results of a system call a signal interrupted (Linux
 * include/linux/errno.h); never seen by a program. On the way back to
 * user mode (kernel/proc/signal.c) each becomes -EINTR or a restart of the
 * call, depending on whether a handler runs and its SA_RESTART flag.
 */
#define ERESTARTSYS 512    /* restart if SA_RESTART or no handler, else EINTR */
#define ERESTARTNOINTR 513 /* always restart */
#define ERESTARTNOHAND 514 /* restart only if no handler runs */

#endif
