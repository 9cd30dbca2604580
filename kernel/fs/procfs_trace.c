/*
 * kernel/fs/procfs_trace.c - /proc/pagoda: the memory manager's event
 * trace (mm/trace.h) as text, and its switches.
 *
 *   /proc/pagoda/trace       every record kept, after a header; reading
 *                            consumes nothing; a write empties the ring
 *   /proc/pagoda/trace_pipe  the records kept, without a header; the ones
 *                            read are consumed (the next open starts
 *                            after them), like Linux's trace_pipe
 *   /proc/pagoda/tracing_on  "1" while recording; write 1 or 0
 *   /proc/pagoda/trace_pid   only this process's events ("0": everyone's)
 *
 * The format of a record is in docs/tracing.md. Like every /proc file the
 * text is a snapshot taken at open (kernel/fs/procfs.h).
 */
#include "kernel/fs/procfs.h"

#include "libk/errno.h"
#include "mm/trace.h"

/* Prints the records [from, to) until the buffer is full. */
static uint64_t show_records(struct seqbuf *sb, uint64_t from, uint64_t to)
{
	struct mm_trace_event e;
	char line[128];
	uint64_t seq;

	for (seq = from; seq < to && !sb->overflow; seq++) {
		if (!mm_trace_get(seq, &e))
			continue; /* overwritten meanwhile: counted as dropped */
		mm_trace_format(&e, line, sizeof(line));
		seq_printf(sb, "%s", line);
	}
	return seq;
}

void procfs_show_trace(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	struct mm_trace_stats st;
	mm_trace_get_stats(&st);
	seq_printf(sb,
		   "# pagoda mm trace: tracing %s, pid %d, "
		   "entries-in-buffer/entries-written: %llu/%llu, "
		   "dropped: %llu\n",
		   st.on ? "on" : "off", (int)st.pid,
		   (unsigned long long)(st.written - st.first),
		   (unsigned long long)st.written,
		   (unsigned long long)st.dropped);
	seq_printf(sb, "%s", mm_trace_header);
	show_records(sb, st.first, st.written);
}

void procfs_show_trace_pipe(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	struct mm_trace_stats st;
	mm_trace_get_stats(&st);
	uint64_t end = show_records(sb, st.first, st.written);
	/* A snapshot that did not fit is taken again, larger: keep them. */
	if (!sb->overflow)
		mm_trace_consume(end);
}

int procfs_write_trace(const char *buf, size_t n)
{
	(void)buf;
	mm_trace_clear();
	return n ? (int)n : 0;
}

void procfs_show_tracing_on(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	seq_printf(sb, "%d\n", mm_trace_on ? 1 : 0);
}

int procfs_write_tracing_on(const char *buf, size_t n)
{
	if (n == 0 || (buf[0] != '0' && buf[0] != '1'))
		return -EINVAL;
	int err = mm_trace_set_on(buf[0] == '1');
	return err ? err : (int)n;
}

void procfs_show_trace_pid(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	struct mm_trace_stats st;
	mm_trace_get_stats(&st);
	seq_printf(sb, "%d\n", (int)st.pid);
}

int procfs_write_trace_pid(const char *buf, size_t n)
{
	int32_t pid = 0;
	size_t i = 0;

	if (n == 0)
		return -EINVAL;
	for (; i < n && buf[i] >= '0' && buf[i] <= '9'; i++) {
		if (pid > (INT32_MAX - 9) / 10)
			return -EINVAL;
		pid = pid * 10 + (buf[i] - '0');
	}
	/* Digits, then at most a newline (echo adds one). */
	if (i == 0 || (i < n && !(buf[i] == '\n' && i + 1 == n)))
		return -EINVAL;
	mm_trace_set_pid(pid);
	return (int)n;
}
