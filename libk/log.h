/*
 * libk/log.h - leveled kernel log.
 *
 * Levels follow Linux's printk levels (0 = emergency .. 7 = debug). A message
 * is printed when its level is below klog_level, which the kernel command
 * line sets with loglevel=N (default 7: everything but debug).
 */
#ifndef LIBK_LOG_H
#define LIBK_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_EMERG = 0,
	LOG_ALERT = 1,
	LOG_CRIT = 2,
	LOG_ERR = 3,
	LOG_WARNING = 4,
	LOG_NOTICE = 5,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

#define LOG_LEVEL_DEFAULT 7

extern int klog_level;

/*
 * The message being printed, for klog_write(): its level (kprintf's text,
 * which has none, counts as LOG_DEFAULT_MESSAGE like Linux's printk
 * without a level) and whether it is only for the kernel log, not the
 * console (its level is at or above klog_level).
 */
#define LOG_DEFAULT_MESSAGE LOG_WARNING
extern int klog_msg_level;
extern bool klog_msg_quiet;

__attribute__((format(printf, 2, 3))) void klog(int level, const char *fmt,
						...);

#define pr_err(...) klog(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) klog(LOG_WARNING, __VA_ARGS__)
#define pr_notice(...) klog(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

#endif
