/*
 * drivers/qemu.c - exit, poweroff and reboot.
 */
#include "drivers/qemu.h"

#include "kernel/arch/x86.h"

#define DEBUG_EXIT_PORT 0xF4
/*
 * QEMU's i440FX/PIIX4 machine puts the ACPI PM1a control register at
 * 0x604; writing SLP_TYP=0 with SLP_EN (bit 13) enters S5 (ACPI spec 6.x,
 * 4.8.3.2.1). Bochs and older QEMU used port 0xB004.
 */
#define QEMU_ACPI_PM1A_CNT 0x604
#define BOCHS_ACPI_PM1A_CNT 0xB004
#define ACPI_SLP_EN 0x2000
#define KBC_COMMAND 0x64
#define KBC_PULSE_RESET 0xFE

static __attribute__((noreturn)) void halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void qemu_exit(enum qemu_exit_code code)
{
	outl(DEBUG_EXIT_PORT, code);
	halt_forever();
}

void machine_poweroff(void)
{
	outw(QEMU_ACPI_PM1A_CNT, ACPI_SLP_EN);
	outw(BOCHS_ACPI_PM1A_CNT, ACPI_SLP_EN);
	halt_forever();
}

void machine_reboot(void)
{
	outb(KBC_COMMAND, KBC_PULSE_RESET);
	halt_forever();
}
