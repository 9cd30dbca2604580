/*
 * kernel/sysrq.c - SysRq on the serial console: the monitor's memory
 * commands while init runs.
 *
 * Linux's convention on a serial console is a BREAK followed by a letter
 * (Documentation/admin-guide/sysrq.rst). QEMU sends a BREAK on its mux
 * console (-serial mon:stdio, as `make run` has) for Ctrl-A b; the UART
 * reports it with the break-interrupt bit of its line status register
 * (drivers/serial.c). Where no BREAK can be sent, Ctrl-O (SYSRQ_KEY) does
 * the same. The letters are Pagoda's own, chosen for memory:
 *
 *   h  help          m  memory summary    t  tasks (ps)
 *   b  buddy lists   s  slab caches       w  swap area
 *   v  regions of the current process (init if the CPU was idle)
 *   p  page tables of that process
 *
 * (Linux's own letters differ: there b reboots, s syncs and w lists
 * blocked tasks.)
 *
 * The letter arrives in the serial interrupt, which may have interrupted
 * the kernel in the middle of changing a page table or a free list. The
 * command then waits, and runs at the first interrupt (serial or timer)
 * that finds the CPU in user mode or in the idle loop, where no kernel
 * structure is half-changed; the kernel is not preemptible, so that comes
 * within a timer tick of the kernel finishing what it was doing.
 */
#include "kernel/sysrq.h"

#include "kernel/monitor.h"
#include "kernel/proc/proc.h"
#include "libk/printf.h"

static volatile bool armed;   /* a BREAK or SYSRQ_KEY came: next is ours */
static volatile char pending; /* a letter waiting for a safe moment */

struct sysrq_command {
	char key;
	const char *help;
	void (*fn)(void);
};

static void show_help(void);

/* The process whose address space v and p show. */
static int focus_pid(void)
{
	return current && current->mm ? current->pid : 1;
}

static void show_vmas(void)
{
	monitor_mm_vmas(focus_pid());
}

static void show_pt(void)
{
	monitor_mm_pt(focus_pid());
}

static const struct sysrq_command commands[] = {
	{ 'h', "help", show_help },
	{ 'm', "show-memory", monitor_mm_mem },
	{ 'b', "show-buddy", monitor_mm_buddy },
	{ 's', "show-slab", monitor_mm_slab },
	{ 'w', "show-swap", monitor_mm_swap },
	{ 't', "show-tasks", monitor_mm_ps },
	{ 'v', "show-regions", show_vmas },
	{ 'p', "show-page-tables", show_pt },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void show_help(void)
{
	kprintf("sysrq: BREAK (Ctrl-A b in QEMU) or Ctrl-O, then:");
	for (size_t i = 0; i < NCOMMANDS; i++)
		kprintf(" %c(%s)", commands[i].key, commands[i].help);
	kprintf("\n");
}

void sysrq_handle(char c)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (commands[i].key == c) {
			kprintf("\nsysrq: %s\n", commands[i].help);
			commands[i].fn();
			return;
		}
	}
	kprintf("\n");
	show_help();
}

void sysrq_break(void)
{
	armed = true;
}

bool sysrq_input(char c)
{
	if (armed) {
		armed = false;
		/* Ctrl-O twice: one ordinary Ctrl-O. */
		if (c == SYSRQ_KEY)
			return false;
		pending = c;
		return true;
	}
	if (c == SYSRQ_KEY) {
		armed = true;
		return true;
	}
	return false;
}

void sysrq_poll(bool safe)
{
	if (!pending || !safe)
		return;
	char c = pending;
	pending = 0;
	sysrq_handle(c);
}
