/*
 * kernel/monitor.c - a small command prompt on the console.
 *
 * The kernel's own prompt, used when init cannot be started (a missing or
 * broken /bin/init): a few commands to look at the machine and to see how
 * the kernel reports faults. Type `help` for the list.
 */
#include "kernel/monitor.h"

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
};

static void cmd_help(void);

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
	{ "help", "list the commands", cmd_help },
	{ "mem", "print the memory map", cmd_mem },
	{ "uptime", "time since boot", cmd_uptime },
	{ "cmdline", "print the kernel command line", cmd_cmdline },
	{ "bt", "print a backtrace of the monitor", cmd_bt },
	{ "int3", "raise a breakpoint exception and carry on", cmd_int3 },
	{ "fault", "write to address 0 (shows the panic report)", cmd_fault },
	{ "poweroff", "turn the machine off", cmd_poweroff },
	{ "reboot", "reset the machine", cmd_reboot },
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
		size_t i;
		for (i = 0; i < NCOMMANDS; i++) {
			if (!strcmp(cmd, commands[i].name)) {
				commands[i].fn();
				break;
			}
		}
		if (i == NCOMMANDS)
			kprintf("unknown command '%s'; try 'help'\n", cmd);
	}
}
