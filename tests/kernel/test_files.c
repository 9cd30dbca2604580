/*
 * tests/kernel/test_files.c - the file layer, /proc and /dev, and the clocks.
 *
 * Everything here runs without a user process: the /proc formats are fed
 * synthetic numbers, descriptor tables belong to test-made struct procs
 * that are never scheduled, and files are read through the kernel-buffer
 * operations. What needs a running program (the system calls themselves,
 * /proc/PID, /proc/self) is covered by the user-space tests.
 */
#include "drivers/rtc.h"
#include "fs/file.h"
#include "fs/initramfs.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"
#include "fs/procfs.h"
#include "kernel/ktest.h"
#include "kernel/time.h"
#include "libk/errno.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/slab.h"

/* PIDs for the test processes: far above anything the tests run beside. */
#define TEST_PID 32000

static char text[2048];

/* True if needle occurs in hay. */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return true;
	return false;
}

static struct seqbuf fresh_buf(void)
{
	text[0] = '\0';
	return (struct seqbuf){ .buf = text, .size = sizeof(text) };
}

static void meminfo_layout(struct ktest *t)
{
	struct procfs_meminfo m = {
		.total = 16384000,
		.free = 123,
		.available = 123,
		.slab = 4,
		.kernel_stack = 32,
		.page_tables = 8,
		.vmalloc_total = 260096,
		.vmalloc_used = 64,
		.user = 400,
		.kernel = 900,
		.high_total = 3000,
		.high_free = 100,
		.low_total = 16381000,
		.low_free = 23,
		.cached = 20,
		.shmem = 28,
		.mapped = 12,
	};
	struct seqbuf sb = fresh_buf();
	procfs_format_meminfo(&sb, &m);
	KT_ASSERT(t, !sb.overflow);
	/* Linux's columns: name padded to 16, number right-aligned in 8. */
	KT_EXPECT(t, !strncmp(text,
			      "MemTotal:       16384000 kB\n"
			      "MemFree:             123 kB\n"
			      "MemAvailable:        123 kB\n"
			      "Buffers:               0 kB\n",
			      112));
	KT_EXPECT(t, contains(text, "\nCached:               20 kB\n"));
	KT_EXPECT(t, contains(text, "\nSwapTotal:             0 kB\n"));
	KT_EXPECT(t, contains(text, "\nDirty:                 0 kB\n"
				    "Mapped:               12 kB\n"
				    "Shmem:                28 kB\n"));
	KT_EXPECT(t, contains(text, "\nSUnreclaim:            4 kB\n"));
	KT_EXPECT(t, contains(text, "\nKernelStack:          32 kB\n"));
	KT_EXPECT(t, contains(text, "\nPageTables:            8 kB\n"));
	KT_EXPECT(t, contains(text, "\nVmallocTotal:     260096 kB\n"));
	/* A 32-bit Linux's zone lines, just before SwapTotal. */
	KT_EXPECT(t, contains(text, "\nHighTotal:          3000 kB\n"
				    "HighFree:            100 kB\n"
				    "LowTotal:       16381000 kB\n"
				    "LowFree:              23 kB\n"
				    "SwapTotal:"));
	/* Every line has the same shape. */
	size_t lines = 0;
	for (const char *p = text; *p; lines++) {
		const char *nl = strchr(p, '\n');
		KT_ASSERT(t, nl != NULL);
		KT_EXPECT(t, nl - p >= 27 && !memcmp(nl - 3, " kB", 3));
		p = nl + 1;
	}
	KT_EXPECT_EQ(t, lines, 24);
}

static void vmstat_layout(struct ktest *t)
{
	struct pmm_stats st;
	struct vm_events ev;
	memset(&st, 0, sizeof(st));
	memset(&ev, 0, sizeof(ev));
	st.free_pages = 777;
	st.pgtable_pages = 12;
	ev.pgfault = 123456789012ull;
	ev.pgmajfault = 3;
	ev.cow_faults = 42;
	ev.pswpout = 9;
	struct seqbuf sb = fresh_buf();
	procfs_format_vmstat(&sb, &st, &ev, 55);
	KT_ASSERT(t, !sb.overflow);
	KT_EXPECT(t, !strncmp(text, "nr_free_pages 777\n", 18));
	KT_EXPECT(t, contains(text, "\nnr_slab_unreclaimable 55\n"));
	KT_EXPECT(t, contains(text, "\nnr_page_table_pages 12\n"));
	KT_EXPECT(t, contains(text, "\npgfault 123456789012\n"));
	KT_EXPECT(t, contains(text, "\npgmajfault 3\n"));
	KT_EXPECT(t, contains(text, "\npswpout 9\n"));
	KT_EXPECT(t, contains(text, "\npgcow 42\n"));
}

/* A process for the formatting tests; never on any list. */
static void fake_proc(struct proc *p, struct proc *parent)
{
	static struct sighand actions;
	memset(p, 0, sizeof(*p));
	memset(&actions, 0, sizeof(actions));
	p->pid = TEST_PID;
	thread_init_leader(p);
	p->sighand = &actions;
	p->sig_action = actions.action;
	strlcpy(p->name, "memhog", sizeof(p->name));
	p->state = PROC_SLEEPING;
	p->parent = parent;
	p->sig_blocked = 1ull << (SIGINT - 1);
	p->sig_action[SIGTERM].handler = 0x08049000; /* a handler */
	p->sig_action[SIGHUP].handler = SIG_IGN;
	/* RLIMIT_RSS unlimited, as default_limits() leaves it. */
	p->rlim[RLIMIT_RSS].cur = p->rlim[RLIMIT_RSS].max = RLIM64_INFINITY;
	p->exit_signal = SIGCHLD;
}

static void status_layout(struct ktest *t)
{
	static struct proc parent, p;
	fake_proc(&parent, NULL);
	parent.pid = 1;
	thread_init_leader(&parent);
	fake_proc(&p, &parent);
	struct mm_usage u = { .vm_size = 300,
			      .vm_rss = 12,
			      .vm_data = 40,
			      .vm_stk = 33,
			      .vm_exe = 2,
			      .vm_swap = 0 };
	struct seqbuf sb = fresh_buf();
	procfs_format_status(&sb, &p, &u);
	KT_ASSERT(t, !sb.overflow);
	static const char head[] = "Name:\tmemhog\nState:\tS (sleeping)\n"
				   "Tgid:\t32000\nPid:\t32000\nPPid:\t1\n";
	KT_EXPECT(t, !strncmp(text, head, sizeof(head) - 1));
	KT_EXPECT(t, contains(text, "\nVmSize:\t    1200 kB\n"));
	KT_EXPECT(t, contains(text, "\nVmRSS:\t      48 kB\n"));
	KT_EXPECT(t, contains(text, "\nVmData:\t     160 kB\n"));
	KT_EXPECT(t, contains(text, "\nVmStk:\t     132 kB\n"));
	KT_EXPECT(t, contains(text, "\nVmExe:\t       8 kB\n"));
	KT_EXPECT(t, contains(text, "\nVmSwap:\t       0 kB\n"));
	KT_EXPECT(t, contains(text, "\nSigBlk:\t0000000000000002\n"));
	KT_EXPECT(t, contains(text, "\nSigIgn:\t0000000000000001\n"));
	KT_EXPECT(t, contains(text, "\nSigCgt:\t0000000000004000\n"));

	/* A zombie has no Vm lines. */
	p.state = PROC_ZOMBIE;
	sb = fresh_buf();
	procfs_format_status(&sb, &p, NULL);
	KT_EXPECT(t, contains(text, "State:\tZ (zombie)\n"));
	KT_EXPECT(t, !contains(text, "VmSize"));
}

static void stat_layout(struct ktest *t)
{
	static struct proc parent, p;
	fake_proc(&parent, NULL);
	parent.pid = 7;
	thread_init_leader(&parent);
	fake_proc(&p, &parent);
	/* Its group and session; no controlling terminal: tty 0, tpgid -1. */
	p.pgid = 31990;
	p.sid = 31000;
	struct mm_usage u = { .vm_size = 10, .vm_rss = 3 };
	struct seqbuf sb = fresh_buf();
	procfs_format_stat(&sb, &p, &u);
	KT_ASSERT(t, !sb.overflow);
	KT_EXPECT(t,
		  !strncmp(text, "32000 (memhog) S 7 31990 31000 0 -1 ", 36));
	/* A process stopped by job control is T. */
	p.jobctl_stopped = true;
	sb = fresh_buf();
	procfs_format_stat(&sb, &p, &u);
	KT_EXPECT(t, !strncmp(text, "32000 (memhog) T 7 ", 19));
	p.jobctl_stopped = false;
	/* 52 fields, as Linux 5.x prints. */
	size_t fields = 0;
	for (const char *c = text; *c; c++)
		fields += *c == ' ' || *c == '\n';
	KT_EXPECT_EQ(t, fields, 52);
	KT_EXPECT(t, contains(text, " 40960 3 4294967295 "));
	/* rsslim is the RSS limit in bytes when there is one. */
	p.rlim[RLIMIT_RSS].cur = 1 << 20;
	sb = fresh_buf();
	procfs_format_stat(&sb, &p, &u);
	KT_EXPECT(t, contains(text, " 40960 3 1048576 "));
}

static void uptime_layout(struct ktest *t)
{
	struct seqbuf sb = fresh_buf();
	procfs_format_uptime(&sb, 12345, 6078);
	KT_EXPECT(t, !strcmp(text, "12.34 6.07\n"));
	sb = fresh_buf();
	procfs_format_uptime(&sb, 5, 0);
	KT_EXPECT(t, !strcmp(text, "0.00 0.00\n"));
}

static void seqbuf_overflow(struct ktest *t)
{
	char small[8];
	struct seqbuf sb = { .buf = small, .size = sizeof(small) };
	seq_printf(&sb, "abc");
	seq_printf(&sb, "defgh"); /* would need 9 bytes */
	KT_EXPECT(t, sb.overflow);
	KT_EXPECT_EQ(t, sb.len, 3);
	KT_EXPECT(t, !strcmp(small, "abc"));
	seq_printf(&sb, "x"); /* nothing more after an overflow */
	KT_EXPECT_EQ(t, sb.len, 3);
}

static void pid_names(struct ktest *t)
{
	KT_EXPECT_EQ(t, procfs_parse_pid("1", 1), 1);
	KT_EXPECT_EQ(t, procfs_parse_pid("32767", 5), 32767);
	KT_EXPECT_EQ(t, procfs_parse_pid("32768", 5), -1);
	KT_EXPECT_EQ(t, procfs_parse_pid("0", 1), -1);
	KT_EXPECT_EQ(t, procfs_parse_pid("01", 2), -1);
	KT_EXPECT_EQ(t, procfs_parse_pid("12a", 3), -1);
	KT_EXPECT_EQ(t, procfs_parse_pid("self", 4), -1);
	KT_EXPECT_EQ(t, procfs_parse_pid("", 0), -1);
	KT_EXPECT_EQ(t, procfs_parse_pid("99999999999", 11), -1);
}

/* namei from the root, returning the error and the canonical path. */
static int lookup(const char *path, unsigned int flags, struct vnode *vn,
		  char *canon)
{
	return namei("/", path, flags, vn, canon, PATH_MAX);
}

static void paths_under_proc_and_dev(struct ktest *t)
{
	struct vnode vn;
	char *canon = kmalloc(PATH_MAX, 0);
	KT_ASSERT(t, canon);

	KT_EXPECT_EQ(t, lookup("/proc/meminfo", 0, &vn, canon), 0);
	KT_EXPECT(t, s_isreg(vn.mode) && !strcmp(canon, "/proc/meminfo"));
	KT_EXPECT_EQ(t, lookup("//proc/../proc/./meminfo", 0, &vn, canon), 0);
	KT_EXPECT(t, !strcmp(canon, "/proc/meminfo"));
	KT_EXPECT_EQ(t, lookup("/../..//proc/", 0, &vn, canon), 0);
	KT_EXPECT(t, s_isdir(vn.mode) && !strcmp(canon, "/proc"));
	KT_EXPECT_EQ(t, namei("/proc", "vmstat", 0, &vn, canon, PATH_MAX), 0);
	KT_EXPECT(t, !strcmp(canon, "/proc/vmstat"));
	KT_EXPECT_EQ(t, namei("/proc", "../dev/null", 0, &vn, canon, PATH_MAX),
		     0);
	KT_EXPECT(t, s_ischr(vn.mode) && !strcmp(canon, "/dev/null"));
	KT_EXPECT_EQ(t, lookup("/", 0, &vn, canon), 0);
	KT_EXPECT(t, s_isdir(vn.mode) && !strcmp(canon, "/"));

	KT_EXPECT_EQ(t, lookup("/proc/meminfo/", 0, &vn, canon), -ENOTDIR);
	KT_EXPECT_EQ(t, lookup("/proc/meminfo/x", 0, &vn, canon), -ENOTDIR);
	KT_EXPECT_EQ(t, lookup("/dev/null", NAMEI_DIR, &vn, canon), -ENOTDIR);
	KT_EXPECT_EQ(t, lookup("/proc/nothing", 0, &vn, canon), -ENOENT);
	KT_EXPECT_EQ(t, lookup("/proc/32767", 0, &vn, canon), -ENOENT);
	KT_EXPECT_EQ(t, lookup("", 0, &vn, canon), -ENOENT);

	/* /proc/self is a symlink; with no process running it leads nowhere. */
	KT_EXPECT_EQ(t, lookup("/proc/self", 0, &vn, canon), 0);
	KT_EXPECT(t, s_islnk(vn.mode));
	if (!current || current->pid <= 0)
		KT_EXPECT_EQ(t, lookup("/proc/self", NAMEI_FOLLOW, &vn, canon),
			     -ENOENT);

	/* A component longer than NAME_MAX. */
	memset(canon, 'a', NAME_MAX + 2);
	canon[0] = '/';
	canon[NAME_MAX + 2] = '\0';
	KT_EXPECT_EQ(t, lookup(canon, 0, &vn, NULL), -ENAMETOOLONG);
	/* A path of PATH_MAX bytes or more. */
	memset(canon, '/', PATH_MAX);
	canon[PATH_MAX - 1] = '\0';
	KT_EXPECT_EQ(t, lookup(canon, 0, &vn, NULL), 0);
	char *big = kmalloc(PATH_MAX + 1, 0);
	KT_ASSERT(t, big);
	memset(big, '/', PATH_MAX);
	big[PATH_MAX] = '\0';
	KT_EXPECT_EQ(t, lookup(big, 0, &vn, NULL), -ENAMETOOLONG);
	kfree(big);
	kfree(canon);
}

/*
 * Symlinks in the initramfs: the fixture tree (tests/initramfs-fixtures,
 * /test in every initramfs the kernel suites boot with) has a relative
 * link, link-rel -> hello.txt, and an absolute one, hello-link ->
 * /bin/hello. (This test once looked for a link at the top of the
 * archive, where there is none, and so never got past /bin.)
 */
static void paths_in_initramfs(struct ktest *t)
{
	struct vnode vn;
	char canon[128];

	KT_EXPECT_EQ(
		t, namei("/", "/bin", NAMEI_DIR, &vn, canon, sizeof(canon)), 0);
	KT_EXPECT(t, !strcmp(canon, "/bin"));
	KT_EXPECT(t, initramfs_fs_inode(&vn) != NULL);

	/* Not followed: the link itself, at its own canonical path. */
	KT_ASSERT_EQ(t, namei("/", "/test/link-rel", 0, &vn, canon,
			      sizeof(canon)),
		     0);
	KT_EXPECT(t, s_islnk(vn.mode));
	KT_EXPECT(t, !strcmp(canon, "/test/link-rel"));
	/* Followed: the target, named by its own path. */
	KT_EXPECT_EQ(t, namei("/", "/test/link-rel", NAMEI_FOLLOW, &vn, canon,
			      sizeof(canon)),
		     0);
	KT_EXPECT(t, !s_islnk(vn.mode) && !s_isdir(vn.mode));
	KT_EXPECT(t, !strcmp(canon, "/test/hello.txt"));
	/* An absolute target restarts at the root; relative from a dir. */
	KT_EXPECT_EQ(t, namei("/", "/test/hello-link", NAMEI_FOLLOW, &vn,
			      canon, sizeof(canon)),
		     0);
	KT_EXPECT(t, !strcmp(canon, "/bin/hello"));
	KT_EXPECT_EQ(t, namei("/test", "link-rel", NAMEI_FOLLOW, &vn, canon,
			      sizeof(canon)),
		     0);
	KT_EXPECT(t, !strcmp(canon, "/test/hello.txt"));
}

/* A getdents sink that records names into a string, up to `room` each time. */
struct name_list {
	struct dir_ctx ctx;
	char names[1024];
	size_t len;
	int room; /* entries accepted per call, then "full" */
	int taken;
};

static bool list_emit(struct dir_ctx *ctx, const char *name, size_t len,
		      uint64_t ino, unsigned int type)
{
	struct name_list *l = (struct name_list *)ctx;
	(void)ino;
	(void)type;
	if (l->taken == l->room || l->len + len + 2 > sizeof(l->names))
		return false;
	l->taken++;
	memcpy(l->names + l->len, name, len);
	l->len += len;
	l->names[l->len++] = ' ';
	l->names[l->len] = '\0';
	return true;
}

/* Lists a directory, `room` entries per iterate call. */
static int list_dir(const char *path, int room, struct name_list *l)
{
	struct file *f;
	int err = file_open_at("/", path, O_RDONLY | O_DIRECTORY, &f);
	if (err)
		return err;
	memset(l, 0, sizeof(*l));
	l->ctx.emit = list_emit;
	l->room = room;
	for (int calls = 0; calls < 100; calls++) {
		l->taken = 0;
		l->ctx.pos = f->pos;
		err = f->ops->iterate(f, &l->ctx);
		f->pos = l->ctx.pos;
		if (err || l->taken == 0)
			break;
	}
	file_put(f);
	return err;
}

static void directory_listings(struct ktest *t)
{
	static struct name_list all, bytwo;

	KT_ASSERT_EQ(t, list_dir("/dev", 100, &all), 0);
	KT_EXPECT(t, !strncmp(all.names, ". .. ", 5));
	KT_EXPECT(t, contains(all.names, " null ") &&
			     contains(all.names, " console ") &&
			     contains(all.names, " zero "));
	KT_ASSERT_EQ(t, list_dir("/dev", 2, &bytwo), 0);
	KT_EXPECT(t, !strcmp(all.names, bytwo.names));

	KT_ASSERT_EQ(t, list_dir("/proc", 100, &all), 0);
	KT_EXPECT(t, contains(all.names, " meminfo ") &&
			     contains(all.names, " vmstat ") &&
			     contains(all.names, " self ") &&
			     contains(all.names, " uptime "));
	KT_ASSERT_EQ(t, list_dir("/proc", 1, &bytwo), 0);
	KT_EXPECT(t, !strcmp(all.names, bytwo.names));

	/* The root has the mount points and the initramfs's entries. */
	KT_ASSERT_EQ(t, list_dir("/", 100, &all), 0);
	KT_EXPECT(t, contains(all.names, " proc ") &&
			     contains(all.names, " dev "));
	KT_ASSERT_EQ(t, list_dir("/", 3, &bytwo), 0);
	KT_EXPECT(t, !strcmp(all.names, bytwo.names));

	KT_EXPECT_EQ(t, list_dir("/proc/meminfo", 1, &all), -ENOTDIR);
}

static void proc_file_snapshot(struct ktest *t)
{
	struct file *f;
	static char whole[4096], pieces[4096];

	KT_ASSERT_EQ(t, file_open_at("/", "/proc/meminfo", O_RDONLY, &f), 0);
	int32_t n = file_read(f, whole, sizeof(whole));
	KT_ASSERT(t, n > 100 && n < (int32_t)sizeof(whole));
	KT_EXPECT(t, !memcmp(whole, "MemTotal:", 9));
	KT_EXPECT_EQ(t, file_read(f, pieces, sizeof(pieces)), 0); /* EOF */

	/*
	 * Back to the start: the text is made again (nothing has changed
	 * meanwhile, so it is the same), and small reads from there on take
	 * the rest of that one text.
	 */
	KT_EXPECT_EQ(t, file_lseek(f, 0, SEEK_SET), 0);
	int32_t got = 0, r;
	while ((r = file_read(f, pieces + got, 7)) > 0)
		got += r;
	KT_EXPECT_EQ(t, got, n);
	KT_EXPECT(t, !memcmp(whole, pieces, (size_t)n));

	KT_EXPECT_EQ(t, file_lseek(f, 5, SEEK_SET), 5);
	KT_EXPECT_EQ(t, file_lseek(f, 3, SEEK_CUR), 8);
	KT_EXPECT_EQ(t, file_lseek(f, 0, SEEK_END), -EINVAL);
	KT_EXPECT_EQ(t, file_lseek(f, -9, SEEK_CUR), -EINVAL);
	KT_EXPECT_EQ(t, file_lseek(f, 1000000, SEEK_SET), 1000000);
	KT_EXPECT_EQ(t, file_read(f, pieces, 10), 0);
	KT_EXPECT_EQ(t, file_write(f, "x", 1), -EIO);
	struct kstat st;
	file_stat(f, &st);
	KT_EXPECT_EQ(t, st.mode, S_IFREG | 0444);
	KT_EXPECT_EQ(t, st.size, 0);
	file_put(f);
}

static void open_flags(struct ktest *t)
{
	struct file *f;

	KT_EXPECT_EQ(t, file_open_at("/", "/proc", O_WRONLY, &f), -EISDIR);
	KT_EXPECT_EQ(t, file_open_at("/", "/proc", O_CREAT, &f), -EISDIR);
	KT_EXPECT_EQ(t, file_open_at("/", "/dev/null", O_DIRECTORY, &f),
		     -ENOTDIR);
	KT_EXPECT_EQ(t, file_open_at("/", "/dev/new", O_CREAT | O_WRONLY, &f),
		     -EROFS);
	KT_EXPECT_EQ(t, file_open_at("/", "/newfile", O_CREAT | O_WRONLY, &f),
		     -EROFS);
	KT_EXPECT_EQ(t, file_open_at("/", "/proc/new", O_CREAT, &f), -ENOENT);
	KT_EXPECT_EQ(t, file_open_at("/", "/nodir/new", O_CREAT, &f), -ENOENT);
	KT_EXPECT_EQ(t, file_open_at("/", "/dev/null", O_CREAT | O_EXCL, &f),
		     -EEXIST);
	KT_EXPECT_EQ(t, file_open_at("/", "/proc/self", O_NOFOLLOW, &f),
		     -ELOOP);

	/* /dev/zero and /dev/null. */
	char buf[64];
	memset(buf, 0x55, sizeof(buf));
	KT_ASSERT_EQ(t, file_open_at("/", "/dev/zero", O_RDWR, &f), 0);
	KT_EXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 64);
	KT_EXPECT(t, buf[0] == 0 && buf[63] == 0);
	KT_EXPECT_EQ(t, file_write(f, buf, 10), 10);
	file_put(f);
	KT_ASSERT_EQ(t, file_open_at("/", "/dev/null", O_RDWR, &f), 0);
	KT_EXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 0);
	KT_EXPECT_EQ(t, file_lseek(f, 100, SEEK_SET), 0);
	file_put(f);

	/* A regular file of the read-only initramfs. */
	struct vnode vn;
	if (namei("/", "/bin", NAMEI_DIR, &vn, NULL, 0) == 0) {
		const struct inode *bin = initramfs_fs_inode(&vn);
		for (uint32_t i = 0; bin && i < bin->nchildren; i++) {
			const struct inode *ino = bin->children[i];
			if (!inode_is_reg(ino) || ino->size < 16)
				continue;
			char path[80];
			snprintf(path, sizeof(path), "/bin/%s", ino->name);
			KT_EXPECT_EQ(t, file_open_at("/", path, O_RDWR, &f),
				     -EROFS);
			KT_EXPECT_EQ(t,
				     file_open_at("/", path, O_RDONLY | O_TRUNC,
						  &f),
				     -EROFS);
			KT_ASSERT_EQ(t, file_open_at("/", path, O_RDONLY, &f),
				     0);
			/* The bytes are the archive's, from the offset on. */
			KT_EXPECT_EQ(t, file_read(f, buf, 4), 4);
			KT_EXPECT(t, !memcmp(buf, ino->data, 4));
			KT_EXPECT_EQ(t, file_read(f, buf, 8), 8);
			KT_EXPECT(t, !memcmp(buf, ino->data + 4, 8));
			KT_EXPECT_EQ(t, file_lseek(f, -2, SEEK_END),
				     ino->size - 2);
			KT_EXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 2);
			KT_EXPECT_EQ(t, file_read(f, buf, sizeof(buf)), 0);
			KT_EXPECT_EQ(t, file_lseek(f, -1, SEEK_SET), -EINVAL);
			KT_EXPECT_EQ(t, file_lseek(f, 0, SEEK_DATA), 0);
			KT_EXPECT_EQ(t, file_lseek(f, 0, SEEK_HOLE), ino->size);
			KT_EXPECT_EQ(t, file_lseek(f, ino->size, SEEK_DATA),
				     -ENXIO);
			file_put(f);
			break;
		}
	}
}

/* A test process with an empty descriptor table, FD_MAX allowed. */
static struct proc *new_proc(int pid)
{
	struct proc *p = kzalloc(sizeof(*p), 0);
	if (p) {
		p->pid = pid;
		p->fs_id = (uint32_t)pid;
		if (files_alloc(p)) {
			kfree(p);
			return NULL;
		}
		p->rlim[RLIMIT_NOFILE].cur = FD_MAX;
		p->rlim[RLIMIT_NOFILE].max = FD_MAX;
	}
	return p;
}

static void fd_table(struct ktest *t)
{
	struct proc *p = new_proc(TEST_PID), *c = new_proc(TEST_PID + 1);
	struct file *f;
	KT_ASSERT(t, p && c);

	KT_ASSERT_EQ(t, file_open_at("/", "/dev/null", O_RDWR, &f), 0);
	KT_EXPECT_EQ(t, fd_alloc(p, f, 0, false), 0);
	file_get(f);
	KT_EXPECT_EQ(t, fd_alloc(p, f, 0, true), 1);
	file_get(f);
	KT_EXPECT_EQ(t, fd_alloc(p, f, 5, false), 5);
	KT_EXPECT_EQ(t, f->refcount, 3);
	KT_EXPECT(t, fd_get_cloexec(p, 1) && !fd_get_cloexec(p, 0));
	KT_EXPECT(t, fd_get(p, 5) == f && fd_get(p, 2) == NULL);
	KT_EXPECT(t, fd_get(p, -1) == NULL && fd_get(p, FD_MAX) == NULL);

	/* RLIMIT_NOFILE: no new descriptor at or above it. */
	p->rlim[RLIMIT_NOFILE].cur = 6;
	file_get(f);
	KT_EXPECT_EQ(t, fd_alloc(p, f, 0, false), 2);
	file_get(f);
	KT_EXPECT_EQ(t, fd_alloc(p, f, 5, false), -EMFILE);
	file_put(f);
	KT_EXPECT_EQ(t, fd_close(p, 2), 0);
	p->rlim[RLIMIT_NOFILE].cur = FD_MAX;

	/* Closing frees the lowest slot for the next allocation. */
	KT_EXPECT_EQ(t, fd_close(p, 0), 0);
	KT_EXPECT_EQ(t, fd_close(p, 0), -EBADF);
	KT_EXPECT_EQ(t, f->refcount, 2);
	file_get(f);
	KT_EXPECT_EQ(t, fd_alloc(p, f, 0, false), 0);

	/* fork shares the files, exec closes the FD_CLOEXEC ones. */
	KT_EXPECT_EQ(t, fs_set_cwd(p, "/proc"), 0);
	struct fdtable *own = c->fdt;
	c->fdt = NULL;
	KT_EXPECT_EQ(t, files_fork(p, c, 0), 0);
	KT_EXPECT_EQ(t, f->refcount, 6);
	KT_EXPECT(t, !strcmp(fs_cwd(c), "/proc"));
	KT_EXPECT_EQ(t, files_exec(c), 0);
	KT_EXPECT(t, fd_get(c, 1) == NULL && fd_get(c, 0) == f);
	KT_EXPECT_EQ(t, f->refcount, 5);
	KT_EXPECT_EQ(t, c->fdt->cloexec, 0);
	files_close_all(c);
	KT_EXPECT_EQ(t, f->refcount, 3);
	KT_EXPECT(t, !strcmp(fs_cwd(c), "/"));

	/*
	 * CLONE_FILES | CLONE_FS: one table and one directory; exec takes a
	 * copy of the table, and the last user closes the files.
	 */
	KT_EXPECT_EQ(t, files_fork(p, c, FILES_SHARE_TABLE | FILES_SHARE_FS),
		     0);
	KT_EXPECT(t, c->fdt == p->fdt && p->fdt->users == 2);
	KT_EXPECT_EQ(t, f->refcount, 3);
	KT_EXPECT(t, !strcmp(fs_cwd(c), "/proc"));
	KT_EXPECT_EQ(t, files_exec(c), 0);
	KT_EXPECT(t, c->fdt != p->fdt && p->fdt->users == 1);
	KT_EXPECT(t, fd_get(c, 1) == NULL && fd_get(c, 0) == f);
	KT_EXPECT(t, fd_get(p, 1) == f && fd_get_cloexec(p, 1));
	KT_EXPECT_EQ(t, f->refcount, 5);
	files_close_all(c);
	KT_EXPECT_EQ(t, f->refcount, 3);
	c->fdt = own;

	/* fd_install_at replaces what was there. */
	struct file *z;
	KT_ASSERT_EQ(t, file_open_at("/", "/dev/zero", O_RDONLY, &z), 0);
	KT_EXPECT_EQ(t, fd_install_at(p, 5, z, true), 5);
	KT_EXPECT(t, fd_get(p, 5) == z && fd_get_cloexec(p, 5));
	KT_EXPECT_EQ(t, f->refcount, 2);

	/* The table fills up at FD_MAX. */
	int last = 0;
	for (int i = 0; i < FD_MAX; i++) {
		file_get(f);
		last = fd_alloc(p, f, 0, false);
		if (last < 0) {
			file_put(f);
			break;
		}
	}
	KT_EXPECT_EQ(t, last, -EMFILE);
	KT_EXPECT_EQ(t, f->refcount, FD_MAX - 1);
	KT_EXPECT_EQ(t, fs_set_cwd(p, "/"), 0);
	/* The table's last user closes every descriptor, f's too. */
	file_get(f);
	files_close_all(p);
	KT_EXPECT(t, p->fdt == NULL && fd_get(p, 0) == NULL);
	KT_EXPECT_EQ(t, f->refcount, 1);
	file_put(f);
	files_close_all(c);
	kfree(p);
	kfree(c);
}

static void rtc_dates(struct ktest *t)
{
	struct rtc_time d = { 1970, 1, 1, 0, 0, 0 };
	KT_EXPECT_EQ(t, rtc_to_epoch(&d), 0);
	d = (struct rtc_time){ 2000, 3, 1, 0, 0, 0 };
	KT_EXPECT_EQ(t, rtc_to_epoch(&d), 951868800);
	d = (struct rtc_time){ 2024, 2, 29, 12, 34, 56 };
	KT_EXPECT_EQ(t, rtc_to_epoch(&d), 1709210096);
	d = (struct rtc_time){ 1999, 12, 31, 23, 59, 59 };
	KT_EXPECT_EQ(t, rtc_to_epoch(&d), 946684799);
	d = (struct rtc_time){ 2038, 1, 19, 3, 14, 8 };
	KT_EXPECT_EQ(t, rtc_to_epoch(&d), 2147483648ll);
	KT_EXPECT_EQ(t, rtc_bcd_to_bin(0x59), 59);
	KT_EXPECT_EQ(t, rtc_bcd_to_bin(0x00), 0);

	/* The machine's clock reads as a plausible date. */
	KT_ASSERT_EQ(t, rtc_read(&d), 0);
	KT_EXPECT(t, d.year >= 2020 && d.year < 2100);
}

static void clocks(struct ktest *t)
{
	int64_t a, b, r;
	KT_ASSERT_EQ(t, time_clock_read(CLOCK_MONOTONIC, &a), 0);
	KT_ASSERT_EQ(t, time_clock_read(CLOCK_REALTIME, &r), 0);
	KT_ASSERT_EQ(t, time_clock_read(CLOCK_BOOTTIME, &b), 0);
	KT_EXPECT(t, b >= a && a >= 0);
	KT_EXPECT(t, a % time_tick_ns() == 0);
	KT_EXPECT(t, r / NSEC_PER_SEC > 1577836800); /* after 2020 */
	KT_EXPECT_EQ(t, time_clock_read(CLOCK_PROCESS_CPUTIME_ID, &a), 0);
	KT_EXPECT(t, a >= 0);
	KT_EXPECT_EQ(t, time_clock_read(99, &a), -EINVAL);
	KT_EXPECT(t, time_boot_epoch() <= r / NSEC_PER_SEC);
}

/* Runs as another user for a while: only the ids change. */
static void become(struct cred *c, uint32_t uid, uint32_t gid)
{
	c->uid = c->euid = c->suid = c->fsuid = uid;
	c->gid = c->egid = c->sgid = c->fsgid = gid;
	c->ngroups = 0;
}

/* Opens path as the current process would; returns 0 or -errno. */
static int try_open(const char *path, int flags)
{
	struct file *f;
	int err = file_open_at("/", path, flags, &f);
	if (!err)
		file_put(f);
	return err;
}

/*
 * File modes against the caller (fs/permission.c): the fixtures
 * test/secret.txt (0600), test/private/ (0700) and test/owner-exec.sh
 * (0744), all root's, and the devices.
 */
static void permissions(struct ktest *t)
{
	struct cred saved = current->cred;
	struct kstat st;
	struct vnode vn;
	struct exec_image img;
	char *argv[] = { "owner-exec.sh", NULL };

	KT_EXPECT_EQ(t, try_open("/test/secret.txt", O_RDONLY), 0);
	KT_EXPECT_EQ(t, try_open("/test/private/inside.txt", O_RDONLY), 0);
	KT_EXPECT_EQ(t, try_open("/dev/console", O_RDWR), 0);
	/* Root passes the mode, not the x bits: the script is no ELF. */
	KT_EXPECT_EQ(t, exec_build("/test/owner-exec.sh", argv, NULL, NULL,
				   &img),
		     -ENOEXEC);
	KT_ASSERT_EQ(t, namei("/", "/test/secret.txt", 0, &vn, NULL, 0), 0);
	vn.fs->getattr(&vn, &st);
	KT_EXPECT(t, st.uid == 0 && st.gid == 0 && (st.mode & 07777) == 0600);

	become(&current->cred, 1000, 1000);
	KT_EXPECT_EQ(t, try_open("/test/secret.txt", O_RDONLY), -EACCES);
	KT_EXPECT_EQ(t, try_open("/test/hello.txt", O_RDONLY), 0);
	/* A read-only file system says so before the mode is looked at. */
	KT_EXPECT_EQ(t, try_open("/test/secret.txt", O_WRONLY), -EROFS);
	KT_EXPECT_EQ(t, try_open("/test/private", O_RDONLY | O_DIRECTORY),
		     -EACCES);
	KT_EXPECT_EQ(t, try_open("/test/private/inside.txt", O_RDONLY),
		     -EACCES);
	KT_EXPECT_EQ(t, namei("/", "/test/private/inside.txt", 0, &vn, NULL,
			      0),
		     -EACCES);
	/* O_PATH needs no permission on the file itself. */
	KT_EXPECT_EQ(t, try_open("/test/secret.txt", O_PATH), 0);
	KT_EXPECT_EQ(t, try_open("/dev/console", O_RDWR), -EACCES);
	KT_EXPECT_EQ(t, try_open("/dev/null", O_RDWR), 0);
	KT_EXPECT_EQ(t, try_open("/proc/sys/vm/drop_caches", O_WRONLY),
		     -EACCES);
	KT_EXPECT_EQ(t, exec_build("/test/owner-exec.sh", argv, NULL, NULL,
				   &img),
		     -EACCES);
	/* The group's bits: root's group 0 reads 0644 files, not 0600. */
	become(&current->cred, 1000, 0);
	KT_EXPECT_EQ(t, try_open("/test/secret.txt", O_RDONLY), -EACCES);
	/* The file-system uid decides, not the effective one. */
	current->cred.fsuid = 0;
	KT_EXPECT_EQ(t, try_open("/test/secret.txt", O_RDONLY), 0);
	current->cred = saved;
}

/* /proc/PID/status shows the ids and groups in Linux's layout. */
static void status_ids(struct ktest *t)
{
	static struct proc parent, p;
	fake_proc(&parent, NULL);
	parent.pid = 1;
	thread_init_leader(&parent);
	fake_proc(&p, &parent);
	struct cred *c = &p.cred;
	c->uid = 1000, c->euid = 0, c->suid = 1001, c->fsuid = 7;
	c->gid = 100, c->egid = 101, c->sgid = 102, c->fsgid = 103;
	struct seqbuf sb = fresh_buf();
	procfs_format_status(&sb, &p, NULL);
	KT_EXPECT(t, contains(text, "\nUid:\t1000\t0\t1001\t7\n"));
	KT_EXPECT(t, contains(text, "\nGid:\t100\t101\t102\t103\n"));
	KT_EXPECT(t, contains(text, "\nGroups:\t \n"));
	uint32_t g[2] = { 1001, 4 };
	cred_init_root(c);
	KT_ASSERT_EQ(t, cred_setgroups(c, g, 2), 0);
	sb = fresh_buf();
	procfs_format_status(&sb, &p, NULL);
	KT_EXPECT(t, contains(text, "\nGroups:\t4 1001 \n"));
}

static const struct ktest_case files_cases[] = {
	KTEST_CASE(meminfo_layout),
	KTEST_CASE(vmstat_layout),
	KTEST_CASE(status_layout),
	KTEST_CASE(status_ids),
	KTEST_CASE(permissions),
	KTEST_CASE(stat_layout),
	KTEST_CASE(uptime_layout),
	KTEST_CASE(seqbuf_overflow),
	KTEST_CASE(pid_names),
	KTEST_CASE(paths_under_proc_and_dev),
	KTEST_CASE(paths_in_initramfs),
	KTEST_CASE(directory_listings),
	KTEST_CASE(proc_file_snapshot),
	KTEST_CASE(open_flags),
	KTEST_CASE(fd_table),
	KTEST_CASE(rtc_dates),
	KTEST_CASE(clocks),
};

KTEST_SUITE(files, files_cases);
