/*
 * fs/procfs_trace.c - /proc/pagoda: the memory manager's event
 * trace (mm/trace.h) as text, and its switches.
 *
 *   /proc/pagoda/trace       a header, then every record kept; reading
 *                            consumes nothing; a write empties the ring
 *   /proc/pagoda/trace_pipe  the records kept, without a header; each
 *                            record read is consumed, like Linux's
 *                            trace_pipe (a read at the end returns 0: it
 *                            does not wait for more)
 *   /proc/pagoda/tracing_on  "1" while recording; write 1 or 0
 *   /proc/pagoda/trace_pid   only this process's events ("0": everyone's)
 *
 * The format of a record is in docs/tracing.md. trace and trace_pipe are
 * not snapshots like the other /proc files (fs/procfs.h): a full
 * ring is half a megabyte of text, and a machine under memory pressure,
 * which is when a trace is interesting, may have no such buffer to give.
 * They are formatted one line at a time as they are read, from a cursor
 * kept with the open file: reading goes forwards; seeking back to 0
 * starts again from the oldest record kept (trace only).
 */
#include "fs/file.h"
#include "fs/procfs.h"

#include "libk/errno.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/slab.h"
#include "mm/trace.h"

/* The cursor of an open trace or trace_pipe. */
struct trace_reader {
	bool consume;       /* trace_pipe: records read are consumed */
	bool started;       /* the header (trace) or nothing was produced */
	uint64_t next;      /* the next record to format */
	int64_t pos;        /* the file offset reached */
	size_t len, off;    /* the line in `line`, and how much was read */
	char line[256];     /* the line being read (header: two lines) */
};

/* Formats the header of trace into r->line. */
static void format_header(struct trace_reader *r)
{
	struct mm_trace_stats st;
	mm_trace_get_stats(&st);
	int n = snprintf(r->line, sizeof(r->line),
			 "# pagoda mm trace: tracing %s, pid %d, "
			 "entries-in-buffer/entries-written: %llu/%llu, "
			 "dropped: %llu\n%s",
			 st.on ? "on" : "off", (int)st.pid,
			 (unsigned long long)(st.written - st.first),
			 (unsigned long long)st.written,
			 (unsigned long long)st.dropped, mm_trace_header);
	r->len = (size_t)n < sizeof(r->line) ? (size_t)n : sizeof(r->line) - 1;
	r->next = st.first;
}

/* The next line into r->line; false at the end of the records. */
static bool next_line(struct trace_reader *r)
{
	struct mm_trace_event e;

	r->off = r->len = 0;
	if (!r->started) {
		r->started = true;
		if (!r->consume) {
			format_header(r);
			return true;
		}
	}
	struct mm_trace_stats st;
	mm_trace_get_stats(&st);
	/* Records overwritten since the last line are counted as dropped. */
	if (r->consume || r->next < st.first)
		r->next = st.first;
	if (r->next >= st.written || !mm_trace_get(r->next, &e))
		return false;
	r->next++;
	if (r->consume)
		mm_trace_consume(r->next);
	int n = mm_trace_format(&e, r->line, sizeof(r->line));
	r->len = (size_t)n < sizeof(r->line) ? (size_t)n : sizeof(r->line) - 1;
	return true;
}

static int32_t trace_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	struct trace_reader *r = f->private;
	size_t done = 0;

	if (*pos != r->pos) {
		/* Only a rewind of trace: start again from the header. */
		if (*pos != 0 || r->consume)
			return -EINVAL;
		r->started = false;
		r->off = r->len = 0;
		r->pos = 0;
	}
	while (done < n) {
		if (r->off == r->len && !next_line(r))
			break;
		size_t k = r->len - r->off;
		if (k > n - done)
			k = n - done;
		memcpy(buf + done, r->line + r->off, k);
		r->off += k;
		done += k;
	}
	r->pos += (int64_t)done;
	*pos = r->pos;
	return (int32_t)done;
}

/* A write to trace empties the ring (Linux: `echo > trace`). */
static int32_t trace_write(struct file *f, const char *buf, size_t n,
			   int64_t *pos)
{
	(void)f;
	(void)buf;
	(void)pos;
	mm_trace_clear();
	return (int32_t)n;
}

/* trace_pipe is read only (Linux's procfs answers EIO). */
static int32_t trace_pipe_write(struct file *f, const char *buf, size_t n,
				int64_t *pos)
{
	(void)f;
	(void)buf;
	(void)n;
	(void)pos;
	return -EIO;
}

/* SEEK_SET and SEEK_CUR; the read checks that the offset is a rewind. */
static int64_t trace_lseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_CUR)
		off += f->pos;
	else if (whence != SEEK_SET)
		return -EINVAL;
	if (off < 0)
		return -EINVAL;
	f->pos = off;
	return off;
}

static void trace_release(struct file *f)
{
	kfree(f->private);
}

static const struct file_ops trace_ops = {
	.read = trace_read,
	.write = trace_write,
	.lseek = trace_lseek,
	.release = trace_release,
};

static const struct file_ops trace_pipe_ops = {
	.read = trace_read,
	.write = trace_pipe_write,
	.lseek = trace_lseek,
	.release = trace_release,
};

static int open_reader(struct file *f, bool consume)
{
	struct trace_reader *r = kmalloc(sizeof(*r), 0);
	if (!r)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	r->consume = consume;
	f->private = r;
	f->ops = consume ? &trace_pipe_ops : &trace_ops;
	return 0;
}

int procfs_open_trace(struct file *f)
{
	return open_reader(f, false);
}

int procfs_open_trace_pipe(struct file *f)
{
	return open_reader(f, true);
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
