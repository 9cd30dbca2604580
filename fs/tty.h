/*
 * fs/tty.h - the console terminal: line discipline, termios, and
 * the controlling terminal of job control.
 *
 * Pagoda has one terminal, the console (/dev/console and /dev/tty). Typed
 * characters (serial and keyboard interrupts, kernel/console.c) go
 * through the line discipline of termios(3): in canonical mode (ICANON)
 * they are edited into lines (erase, kill, word erase, ^D), otherwise
 * handed out as they come by VMIN and VTIME; ECHO echoes them; with ISIG,
 * ^C, ^\ and ^Z send SIGINT, SIGQUIT and SIGTSTP to the foreground
 * process group. A session leader makes the console its controlling
 * terminal with TIOCSCTTY; a process of that session that is not in the
 * foreground group gets SIGTTIN when it reads (SIGTTOU when it writes with
 * TOSTOP, or changes the settings), as Linux's n_tty does.
 */
#ifndef KERNEL_TTY_H
#define KERNEL_TTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct file_ops;
struct proc;

/* The file operations of /dev/console and /dev/tty. */
extern const struct file_ops tty_console_ops;

/* One received character, in interrupt context. */
void tty_receive(char c);
/*
 * A line for the kernel's own monitor: waits for input like a read in
 * canonical mode. Returns the bytes, 0 at end of input or -ERESTARTSYS.
 */
int tty_read_line(char *buf, size_t size);
/*
 * Sets the modes the kernel's own readers need (the in-kernel tests):
 * canonical or not, echo or not, and VMIN and VTIME; the rest of the
 * settings stay. The line typed so far becomes readable when canonical
 * mode ends, as with TCSETS.
 */
void tty_set_mode(bool canonical, bool echo, uint8_t vmin, uint8_t vtime);
/* Session sid ends (its leader exits): it loses the terminal. */
void tty_session_ended(int sid);
/* /proc/PID/stat's tty_nr and tpgid of p (0 and -1 without a terminal). */
int tty_nr_of(const struct proc *p);
int tty_tpgid_of(const struct proc *p);
/* Restores the settings a boot starts with (the in-kernel tests). */
void tty_reset(void);

#endif
