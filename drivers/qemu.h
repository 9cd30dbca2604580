/*
 * drivers/qemu.h - leaving the machine: QEMU's isa-debug-exit and poweroff.
 *
 * With `-device isa-debug-exit,iobase=0xf4,iosize=0x04`, writing value v
 * to port 0xf4 makes QEMU exit with status (v << 1) | 1. Pagoda uses:
 *
 *   value  QEMU exit status  meaning
 *   0x10   33                tests passed
 *   0x11   35                tests failed
 *   0x12   37                kernel panic
 *   0x13   39                boot refused: an option that must be met
 *                            cannot be (swap.required=1)
 *   0x14   41                init cannot start (init.required=1)
 *
 * Status 0 (a normal QEMU exit) only comes from poweroff, and 1 is QEMU's
 * own error status, so no Pagoda verdict can be confused with either.
 */
#ifndef DRIVERS_QEMU_H
#define DRIVERS_QEMU_H

enum qemu_exit_code {
	QEMU_EXIT_SUCCESS = 0x10,
	QEMU_EXIT_FAILURE = 0x11,
	QEMU_EXIT_PANIC = 0x12,
	QEMU_EXIT_BOOT_REFUSED = 0x13,
	QEMU_EXIT_NO_INIT = 0x14,
};

/* Ends QEMU with (code << 1) | 1; halts if the device is absent. */
__attribute__((noreturn)) void qemu_exit(enum qemu_exit_code code);
/* Powers the machine off through ACPI (QEMU's PIIX4 PM), else halts. */
__attribute__((noreturn)) void machine_poweroff(void);
/* Resets the machine through the keyboard controller. */
__attribute__((noreturn)) void machine_reboot(void);

#endif
