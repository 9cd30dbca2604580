/*
 * fs/tty.c - the console terminal: the line discipline of
 * termios(3), the terminal ioctls, and the controlling terminal of job
 * control (fs/tty.h).
 *
 * Input: tty_receive() runs in the serial and keyboard interrupts. In
 * canonical mode a character is edited into `edit` and a finished line
 * (newline, VEOL, or ^D after text) moves into the `ready` ring; in
 * non-canonical mode it goes to `ready` at once. Readers sleep on
 * `input_channel`; poll and select are woken through poll_notify().
 *
 * Invariants: `ready` holds only bytes a read may return; `eof_marks`
 * counts ^D on an empty line, each ending one read with 0. The session and
 * foreground group are 0 when no session has the console as controlling
 * terminal. Every change is made with interrupts off, since the
 * interrupt handlers read and change the same state.
 */
#include "fs/tty.h"

#include <stdbool.h>

#include "drivers/pit.h"
#include "kernel/console.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "kernel/proc/jobctl.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/arch/x86.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/string.h"

/* Terminal ioctls, Linux i386 values (include/uapi/asm-generic/ioctls.h). */
#define TCGETS 0x5401
#define TCSETS 0x5402
#define TCSETSW 0x5403
#define TCSETSF 0x5404
#define TCSBRK 0x5409
#define TCXONC 0x540A
#define TCFLSH 0x540B
#define TIOCSCTTY 0x540E
#define TIOCGPGRP 0x540F
#define TIOCSPGRP 0x5410
#define TIOCOUTQ 0x5411
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD 0x541B
#define FIONBIO 0x5421
#define TIOCNOTTY 0x5422
#define TIOCGSID 0x5429
/* TCFLSH arguments (asm-generic/termbits.h). */
#define TCIFLUSH 0
#define TCOFLUSH 1
#define TCIOFLUSH 2

/* termios flags (include/uapi/asm-generic/termbits.h, octal). */
#define T_ISTRIP 0000040
#define T_INLCR 0000100
#define T_IGNCR 0000200
#define T_ICRNL 0000400
#define T_IXON 0002000
#define T_OPOST 0000001
#define T_ONLCR 0000004
#define T_B38400 0000017
#define T_CS8 0000060
#define T_CREAD 0000200
#define T_HUPCL 0002000
#define T_ISIG 0000001
#define T_ICANON 0000002
#define T_ECHO 0000010
#define T_ECHOE 0000020
#define T_ECHOK 0000040
#define T_ECHONL 0000100
#define T_NOFLSH 0000200
#define T_TOSTOP 0000400
#define T_ECHOCTL 0001000
#define T_ECHOKE 0004000
#define T_IEXTEN 0100000

/* c_cc indices (asm-generic/termbits.h). */
/* clang-format off */
enum {
	VINTR, VQUIT, VERASE, VKILL, VEOF, VTIME, VMIN, VSWTC, VSTART, VSTOP,
	VSUSP, VEOL, VREPRINT, VDISCARD, VWERASE, VLNEXT, VEOL2
};
/* clang-format on */
#define NCCS 19 /* the size of c_cc in the kernel's struct termios */

/* The kernel's struct termios of TCGETS/TCSETS (Linux i386, 36 bytes). */
struct linux_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[NCCS];
};
STATIC_ASSERT(sizeof(struct linux_termios) == 36,
	      "struct termios of Linux i386 is 36 bytes");

/* struct winsize of TIOCGWINSZ. */
struct linux_winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};

/* The console's device number 5:1 as /proc/PID/stat's tty_nr encodes it
 * (major << 8 | minor, proc(5)). */
#define CONSOLE_TTY_NR ((5 << 8) | 1)
/* The console's size: the VGA text screen. */
#define CONSOLE_ROWS 25
#define CONSOLE_COLS 80
/* Deciseconds of VTIME to timer ticks. */
#define DECISECONDS_PER_SECOND 10

#define EDIT_MAX 256
#define READY_SIZE 1024

static struct linux_termios termios;
static struct linux_winsize winsize;
static char edit[EDIT_MAX]; /* the line being typed (canonical mode) */
static size_t edit_len;
static char ready[READY_SIZE]; /* bytes for readers, a ring */
static size_t ready_head, ready_count;
static unsigned int eof_marks; /* ^D on an empty line, not yet read */
static int tty_session;	       /* the session it controls, or 0 */
static int tty_pgrp;	       /* the foreground process group, or 0 */
static char input_channel;     /* readers sleep on its address */

/* The settings a boot starts with: a cooked terminal, like Linux's. */
void tty_reset(void)
{
	bool was = irq_save();
	memset(&termios, 0, sizeof(termios));
	termios.c_iflag = T_ICRNL | T_IXON;
	termios.c_oflag = T_OPOST | T_ONLCR;
	termios.c_cflag = T_B38400 | T_CS8 | T_CREAD | T_HUPCL;
	termios.c_lflag = T_ISIG | T_ICANON | T_ECHO | T_ECHOE | T_ECHOK |
			  T_ECHOCTL | T_ECHOKE | T_IEXTEN;
	termios.c_cc[VINTR] = 3;     /* ^C */
	termios.c_cc[VQUIT] = 0x1c;  /* ^\ */
	termios.c_cc[VERASE] = 0x7f; /* DEL */
	termios.c_cc[VKILL] = 0x15;  /* ^U */
	termios.c_cc[VEOF] = 4;	     /* ^D */
	termios.c_cc[VMIN] = 1;
	termios.c_cc[VSTART] = 0x11; /* ^Q */
	termios.c_cc[VSTOP] = 0x13;  /* ^S */
	termios.c_cc[VSUSP] = 0x1a;  /* ^Z */
	termios.c_cc[VREPRINT] = 0x12;
	termios.c_cc[VDISCARD] = 0x0f;
	termios.c_cc[VWERASE] = 0x17;
	termios.c_cc[VLNEXT] = 0x16;
	winsize = (struct linux_winsize){ .ws_row = CONSOLE_ROWS,
					  .ws_col = CONSOLE_COLS };
	edit_len = ready_head = ready_count = eof_marks = 0;
	tty_session = tty_pgrp = 0;
	irq_restore(was);
}

static bool lflag(uint32_t bit)
{
	return (termios.c_lflag & bit) != 0;
}

/* Output as the settings say: NL becomes CR NL with OPOST and ONLCR. */
static void output(const char *s, size_t len)
{
	if ((termios.c_oflag & (T_OPOST | T_ONLCR)) == (T_OPOST | T_ONLCR))
		console_write(s, len);
	else
		console_write_raw(s, len);
}

/* Echoes c: a control character as ^X with ECHOCTL (not tab or NL). */
static void echo_char(char c)
{
	unsigned char u = (unsigned char)c;

	if (lflag(T_ECHOCTL) && (u < 32 || u == 0x7f) && c != '\n' &&
	    c != '\t') {
		char s[2] = { '^', (char)(u == 0x7f ? '?' : u + '@') };
		output(s, 2);
		return;
	}
	output(&c, 1);
}

static void wake_readers(void)
{
	sched_wakeup(&input_channel);
	poll_notify();
}

static void ready_put(char c)
{
	if (ready_count == READY_SIZE)
		return; /* full: the byte is lost, as n_tty drops it */
	ready[(ready_head + ready_count) % READY_SIZE] = c;
	ready_count++;
}

static void commit_line(void)
{
	for (size_t i = 0; i < edit_len; i++)
		ready_put(edit[i]);
	edit_len = 0;
	wake_readers();
}

static void flush_input(void)
{
	edit_len = ready_head = ready_count = eof_marks = 0;
}

/* Erases the last character typed (ECHOE: from the screen too). */
static bool erase_one(void)
{
	if (edit_len == 0)
		return false;
	unsigned char u = (unsigned char)edit[--edit_len];
	if (lflag(T_ECHO) && lflag(T_ECHOE)) {
		output("\b \b", 3);
		/* A control character was echoed as two columns. */
		if (lflag(T_ECHOCTL) && (u < 32 || u == 0x7f) && u != '\t')
			output("\b \b", 3);
	}
	return true;
}

/* ^C, ^\ or ^Z: echo, flush, and signal the foreground group. */
static void input_signal(int sig, char c)
{
	if (!lflag(T_NOFLSH))
		flush_input();
	if (lflag(T_ECHO))
		echo_char(c);
	if (tty_pgrp > 0)
		jobctl_tty_signal(tty_pgrp, sig);
	wake_readers();
}

void tty_receive(char c)
{
	const uint8_t *cc = termios.c_cc;
	bool was = irq_save();

	if (termios.c_iflag & T_ISTRIP)
		c &= 0x7f;
	if (c == '\r') {
		if (termios.c_iflag & T_IGNCR)
			goto out;
		if (termios.c_iflag & T_ICRNL)
			c = '\n';
	} else if (c == '\n' && (termios.c_iflag & T_INLCR)) {
		c = '\r';
	}
	if (lflag(T_ISIG) && c) {
		if (c == (char)cc[VINTR]) {
			input_signal(SIGINT, c);
			goto out;
		}
		if (c == (char)cc[VQUIT]) {
			input_signal(SIGQUIT, c);
			goto out;
		}
		if (c == (char)cc[VSUSP]) {
			input_signal(SIGTSTP, c);
			goto out;
		}
	}
	if (!lflag(T_ICANON)) {
		ready_put(c);
		if (lflag(T_ECHO))
			echo_char(c);
		wake_readers();
		goto out;
	}
	/* The PS/2 keyboard sends BS for its backspace key. */
	if (c == (char)cc[VERASE] || c == '\b') {
		erase_one();
		goto out;
	}
	if (c == (char)cc[VKILL]) {
		while (erase_one())
			;
		goto out;
	}
	if (c == (char)cc[VWERASE] && lflag(T_IEXTEN)) {
		while (edit_len && edit[edit_len - 1] == ' ')
			erase_one();
		while (edit_len && edit[edit_len - 1] != ' ')
			erase_one();
		goto out;
	}
	if (c == (char)cc[VEOF]) {
		if (edit_len == 0) {
			eof_marks++;
			wake_readers();
		} else {
			commit_line();
		}
		goto out;
	}
	if (edit_len == EDIT_MAX - 1 && c != '\n')
		goto out; /* the line is full: only newline is accepted */
	edit[edit_len++] = c;
	if (lflag(T_ECHO) || (c == '\n' && lflag(T_ECHONL)))
		echo_char(c);
	if (c == '\n' || (cc[VEOL] && c == (char)cc[VEOL]) ||
	    (cc[VEOL2] && c == (char)cc[VEOL2]))
		commit_line();
out:
	irq_restore(was);
}

/* Whether the console is p's controlling terminal. */
static bool is_ctty(const struct proc *p)
{
	return tty_session && p->sid == tty_session;
}

int tty_nr_of(const struct proc *p)
{
	return is_ctty(p) ? CONSOLE_TTY_NR : 0;
}

int tty_tpgid_of(const struct proc *p)
{
	return is_ctty(p) && tty_pgrp ? tty_pgrp : -1;
}

void tty_session_ended(int sid)
{
	bool was = irq_save();
	if (tty_session == sid) {
		int pgrp = tty_pgrp;
		tty_session = tty_pgrp = 0;
		/* Linux's disassociate_ctty: hang up the foreground job. */
		if (pgrp > 0 && pgrp != sid) {
			jobctl_tty_signal(pgrp, SIGHUP);
			jobctl_tty_signal(pgrp, SIGCONT);
		}
	}
	irq_restore(was);
}

/* Whether sig would be ignored or is blocked by the current process. */
static bool ignores(int sig)
{
	return (current->sig_blocked & sig_bit(sig)) ||
	       current->sig_action[sig].handler == SIG_IGN;
}

/*
 * A background process of the terminal's session reads (SIGTTIN) or
 * writes or changes the settings (SIGTTOU): its group is stopped, and the
 * call made again once it is continued; -EIO when it would never be
 * (the signal ignored for a read, an orphaned group). 0: go ahead.
 */
static int background_check(int sig)
{
	if (!is_ctty(current) || current->pgid == tty_pgrp || tty_pgrp == 0)
		return 0;
	if (ignores(sig))
		return sig == SIGTTIN ? -EIO : 0;
	if (jobctl_pgrp_orphaned(current->pgid))
		return -EIO;
	jobctl_kill_pgrp_unchecked(current->pgid, sig);
	return -ERESTARTSYS;
}

/* Timer ticks for VTIME deciseconds, at least one. */
static uint64_t vtime_ticks(void)
{
	uint64_t t = (uint64_t)termios.c_cc[VTIME] * pit_hz() /
		     DECISECONDS_PER_SECOND;
	return t ? t : 1;
}

static size_t take(char *buf, size_t n, bool line)
{
	size_t done = 0;
	while (done < n && ready_count) {
		char c = ready[ready_head];
		ready_head = (ready_head + 1) % READY_SIZE;
		ready_count--;
		buf[done++] = c;
		if (line && c == '\n')
			break;
	}
	return done;
}

/*
 * Reads: a line at most in canonical mode; otherwise by VMIN and VTIME
 * (termios(3)): MIN > 0, TIME 0 waits for MIN bytes; MIN 0, TIME > 0
 * waits up to TIME for one; both > 0 waits for the first byte, then up to
 * TIME between bytes; both 0 returns what is there.
 */
static int32_t tty_read(char *buf, size_t n, bool nonblock)
{
	int32_t ret;
	bool was = irq_save();

	if (n == 0) {
		ret = 0;
		goto out;
	}
	/* VTIME's timer: from the start with MIN 0, else from the last byte. */
	uint64_t deadline = 0;
	size_t seen = ready_count;
	if (!lflag(T_ICANON) && termios.c_cc[VTIME] && !termios.c_cc[VMIN])
		deadline = pit_ticks() + vtime_ticks();
	for (;;) {
		ret = background_check(SIGTTIN);
		if (ret)
			goto out;
		bool canon = lflag(T_ICANON);
		size_t vmin = termios.c_cc[VMIN];
		size_t want = canon ? 1 : (vmin < n ? vmin : n);

		if (ready_count >= (want ? want : 1))
			break;
		if (canon && eof_marks) {
			eof_marks--;
			ret = 0;
			goto out;
		}
		if (!canon && want == 0 && termios.c_cc[VTIME] == 0)
			break; /* MIN 0, TIME 0: no wait */
		if (nonblock) {
			ret = ready_count ? 0 : -EAGAIN;
			if (ready_count)
				break;
			goto out;
		}
		if (signal_pending(current)) {
			ret = -ERESTARTSYS;
			goto out;
		}
		if (deadline && pit_ticks() >= deadline)
			break; /* timed out: what there is */
		/* MIN and TIME: the timer restarts with each byte. */
		if (!canon && termios.c_cc[VTIME] && want && ready_count &&
		    (ready_count != seen || !deadline))
			deadline = pit_ticks() + vtime_ticks();
		seen = ready_count;
		sched_sleep_timeout(&input_channel, deadline);
	}
	ret = (int32_t)take(buf, n, lflag(T_ICANON));
out:
	irq_restore(was);
	return ret;
}

void tty_set_mode(bool canonical, bool echo, uint8_t vmin, uint8_t vtime)
{
	bool was = irq_save();
	uint32_t l = termios.c_lflag & ~(T_ICANON | T_ECHO);
	if (canonical)
		l |= T_ICANON;
	if (echo)
		l |= T_ECHO;
	if ((termios.c_lflag & T_ICANON) && !canonical)
		commit_line();
	termios.c_lflag = l;
	termios.c_cc[VMIN] = vmin;
	termios.c_cc[VTIME] = vtime;
	irq_restore(was);
}

int tty_read_line(char *buf, size_t size)
{
	return tty_read(buf, size, false);
}

static int32_t tty_file_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	(void)pos;
	return tty_read(buf, n, (f->flags & O_NONBLOCK) != 0);
}

static int32_t tty_file_write(struct file *f, const char *buf, size_t n,
			      int64_t *pos)
{
	(void)f;
	(void)pos;
	if (lflag(T_TOSTOP)) {
		int err = background_check(SIGTTOU);
		if (err)
			return err;
	}
	output(buf, n);
	return (int32_t)n;
}

static uint32_t tty_poll(struct file *f)
{
	(void)f;
	uint32_t mask = POLLOUT | POLLWRNORM;
	bool was = irq_save();
	if (ready_count || (lflag(T_ICANON) && eof_marks))
		mask |= POLLIN | POLLRDNORM;
	irq_restore(was);
	return mask;
}

/* TIOCSCTTY: a session leader takes the console (force: from another). */
static int set_ctty(uint32_t force)
{
	struct proc *p = current;

	if (tty_session == p->sid && p->sid)
		return 0;
	if (p->sid != p->pid)
		return -EPERM;
	if (tty_session && force != 1)
		return -EPERM;
	bool was = irq_save();
	tty_session = p->sid;
	tty_pgrp = p->pgid;
	irq_restore(was);
	return 0;
}

/* TIOCSPGRP (tcsetpgrp): a group of the caller's session to the front. */
static int set_pgrp(uint32_t arg)
{
	int32_t pgrp;

	if (!is_ctty(current))
		return -ENOTTY;
	if (copy_from_user(&pgrp, (void *)arg, sizeof(pgrp)))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	int err = background_check(SIGTTOU);
	if (err)
		return err;
	if (!jobctl_pgrp_in_session(pgrp, current->sid))
		return -EPERM;
	tty_pgrp = pgrp;
	return 0;
}

static int set_termios(uint32_t cmd, uint32_t arg)
{
	struct linux_termios t;

	if (copy_from_user(&t, (void *)arg, sizeof(t)))
		return -EFAULT;
	int err = background_check(SIGTTOU);
	if (err)
		return err;
	bool was = irq_save();
	if (cmd == TCSETSF)
		flush_input();
	/* Leaving canonical mode makes the half-typed line readable. */
	if ((termios.c_lflag & T_ICANON) && !(t.c_lflag & T_ICANON))
		commit_line();
	termios = t;
	irq_restore(was);
	wake_readers();
	return 0;
}

static int tty_ioctl(struct file *f, uint32_t cmd, uint32_t arg)
{
	switch (cmd) {
	case TCGETS:
		return copy_to_user((void *)arg, &termios, sizeof(termios));
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(cmd, arg);
	case TCSBRK:
	case TCXONC:
		return 0; /* output is never held back */
	case TCFLSH: {
		if (arg > TCIOFLUSH)
			return -EINVAL;
		bool was = irq_save();
		if (arg != TCOFLUSH)
			flush_input();
		irq_restore(was);
		return 0;
	}
	case TIOCGWINSZ:
		return copy_to_user((void *)arg, &winsize, sizeof(winsize));
	case TIOCSWINSZ: {
		struct linux_winsize ws;
		if (copy_from_user(&ws, (void *)arg, sizeof(ws)))
			return -EFAULT;
		bool changed = memcmp(&ws, &winsize, sizeof(ws)) != 0;
		winsize = ws;
		if (changed && tty_pgrp > 0)
			jobctl_tty_signal(tty_pgrp, SIGWINCH);
		return 0;
	}
	case FIONREAD: {
		int32_t n = (int32_t)ready_count;
		return copy_to_user((void *)arg, &n, sizeof(n));
	}
	case TIOCOUTQ: {
		int32_t n = 0; /* written at once */
		return copy_to_user((void *)arg, &n, sizeof(n));
	}
	case FIONBIO: {
		int32_t on;
		if (copy_from_user(&on, (void *)arg, sizeof(on)))
			return -EFAULT;
		if (on)
			f->flags |= O_NONBLOCK;
		else
			f->flags &= ~O_NONBLOCK;
		return 0;
	}
	case TIOCSCTTY:
		return set_ctty(arg);
	case TIOCGPGRP: {
		if (!is_ctty(current))
			return -ENOTTY;
		int32_t pgrp = tty_pgrp;
		return copy_to_user((void *)arg, &pgrp, sizeof(pgrp));
	}
	case TIOCSPGRP:
		return set_pgrp(arg);
	case TIOCGSID: {
		if (!is_ctty(current))
			return -ENOTTY;
		int32_t sid = tty_session;
		return copy_to_user((void *)arg, &sid, sizeof(sid));
	}
	case TIOCNOTTY:
		if (!is_ctty(current))
			return -ENOTTY;
		if (current->sid == current->pid)
			tty_session_ended(current->sid);
		return 0;
	default:
		return -ENOTTY;
	}
}

const struct file_ops tty_console_ops = {
	.read = tty_file_read,
	.write = tty_file_write,
	.ioctl = tty_ioctl,
	.poll = tty_poll,
};
