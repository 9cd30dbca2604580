/*
 * kernel/monitor.c - a small command prompt on the console.
 *
 * The kernel's own prompt, used when init cannot be started (a missing or
 * broken /bin/init): a few commands to look at the machine and to see how
 * the kernel reports faults, and the memory commands of
 * kernel/monitor_mm.c, which SysRq also reaches while init runs
 * (kernel/sysrq.c). Type `help` for the list.
 */
#include "kernel/monitor.h"

#include <stdbool.h>
#include <stdint.h>

#include "drivers/pit.h"
#include "drivers/qemu.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/arch/multiboot.h"
#include "kernel/panic.h"
#include "kernel/arch/x86.h"
#include "libk/printf.h"
#include "libk/string.h"

struct command {
	const char *name;
	const char *help;
	void (*fn)(void);
	/* Commands with an argument: the number after the name. */
	void (*fn_arg)(uint32_t n);
};

static void cmd_help(void);

/* Parses a decimal or 0x-prefixed hexadecimal number; false if bad. */
static bool parse_number(const char *s, uint32_t *out)
{
	uint32_t base = 10, v = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		uint32_t d;
		if (*s >= '0' && *s <= '9')
			d = (uint32_t)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (uint32_t)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (uint32_t)(*s - 'A' + 10);
		else
			return false;
		if (v > (UINT32_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static void cmd_vmas(uint32_t pid)
{
	monitor_mm_vmas((int)pid);
}

static void cmd_pt(uint32_t pid)
{
	monitor_mm_pt((int)pid);
}

static void cmd_mem(void)
{
	boot_info_print();
}

static void cmd_uptime(void)
{
	uint64_t ms = uptime_ms();
	kprintf("up %llu.%03llu s (%llu ticks at %u Hz)\n",
		(unsigned long long)(ms / 1000),
		(unsigned long long)(ms % 1000),
		(unsigned long long)pit_ticks(), pit_hz());
}

static void cmd_cmdline(void)
{
	kprintf("%s\n", boot_info.cmdline);
}

static void cmd_bt(void)
{
	backtrace_print((uint32_t)cmd_bt, read_ebp());
}

static void cmd_int3(void)
{
	__asm__ volatile("int3");
	kprintf("back from the breakpoint handler\n");
}

static void cmd_fault(void)
{
	/* A write through a null pointer: page 0 is never mapped. */
	volatile uint32_t *p = (volatile uint32_t *)0;
	*p = 0xdead;
}

static void cmd_poweroff(void)
{
	kprintf("Powering off.\n");
	machine_poweroff();
}

static void cmd_reboot(void)
{
	machine_reboot();
}

static const struct command commands[] = {
	{ "help", "list the commands", cmd_help, NULL },
	{ "mem", "print the memory map", cmd_mem, NULL },
	{ "uptime", "time since boot", cmd_uptime, NULL },
	{ "cmdline", "print the kernel command line", cmd_cmdline, NULL },
	{ "bt", "print a backtrace of the monitor", cmd_bt, NULL },
	{ "int3", "raise a breakpoint exception and carry on", cmd_int3, NULL },
	{ "fault", "write to address 0 (shows the panic report)", cmd_fault,
	  NULL },
	{ "ps", "the processes", monitor_mm_ps, NULL },
	{ "vmas", "vmas PID: the regions of a process", NULL, cmd_vmas },
	{ "pt", "pt PID: a process's page tables", NULL, cmd_pt },
	{ "page", "page PFN: one frame's flags, map count, free order", NULL,
	  monitor_mm_page },
	{ "meminfo", "frames by use, fragmentation, swap", monitor_mm_mem,
	  NULL },
	{ "buddy", "the buddy allocator's free blocks", monitor_mm_buddy,
	  NULL },
	{ "slab", "the kernel heap's caches", monitor_mm_slab, NULL },
	{ "swap", "the swap area", monitor_mm_swap, NULL },
	{ "poweroff", "turn the machine off", cmd_poweroff, NULL },
	{ "reboot", "reset the machine", cmd_reboot, NULL },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void cmd_help(void)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		kprintf("  %-10s %s\n", commands[i].name, commands[i].help);
}

void monitor_run(void)
{
	char line[128];

	kprintf("Type 'help' for commands.\n");
	for (;;) {
		kprintf("pagoda> ");
		int n = console_read(line, sizeof(line) - 1);
		if (n <= 0) {
			kprintf("\n");
			continue;
		}
		line[n] = '\0';
		/* Trim the newline and surrounding blanks. */
		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = '\0';
		char *cmd = line;
		while (*cmd == ' ')
			cmd++;
		if (!*cmd)
			continue;
		/* The argument, if any, after the first blank. */
		char *arg = cmd;
		while (*arg && *arg != ' ')
			arg++;
		if (*arg) {
			*arg++ = '\0';
			while (*arg == ' ')
				arg++;
		}
		size_t i;
		for (i = 0; i < NCOMMANDS; i++) {
			if (strcmp(cmd, commands[i].name))
				continue;
			uint32_t n;
			if (commands[i].fn_arg && parse_number(arg, &n))
				commands[i].fn_arg(n);
			else if (commands[i].fn_arg)
				kprintf("usage: %s\n", commands[i].help);
			else if (*arg)
				kprintf("%s takes no argument\n", cmd);
			else
				commands[i].fn();
			break;
		}
		if (i == NCOMMANDS)
			kprintf("unknown command '%s'; try 'help'\n", cmd);
	}
}
