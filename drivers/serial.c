/*
 * drivers/serial.c - COM1 at 115200 baud, 8 data bits, no parity, 1 stop.
 *
 * Output polls the transmit-holding-register-empty bit; input arrives by the
 * receive interrupt (IRQ 4), which the console layer hooks, one byte per
 * interrupt (the FIFOs are left off, see serial_init). Register
 * offsets and bits are those of the National Semiconductor PC16550D data
 * sheet, as emulated by QEMU. A BREAK on the line is reported apart from
 * the bytes: it starts a SysRq command (kernel/sysrq.c).
 */
#include "drivers/serial.h"

#include "kernel/arch/x86.h"

#define COM1 0x3F8
#define UART_DATA 0      /* receive buffer / transmit holding (DLAB=0) */
#define UART_IER 1       /* interrupt enable (DLAB=0) */
#define UART_DLL 0       /* divisor latch low (DLAB=1) */
#define UART_DLM 1       /* divisor latch high (DLAB=1) */
#define UART_FCR 2       /* FIFO control */
#define UART_LCR 3       /* line control */
#define UART_MCR 4       /* modem control */
#define UART_LSR 5       /* line status */

#define IER_RX_AVAILABLE 0x01
#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_DISABLED 0x00      /* 16450-compatible: no FIFOs */
#define MCR_DTR_RTS_OUT2 0x0B  /* OUT2 gates the IRQ line on PCs */
#define LSR_DATA_READY 0x01
/*
 * Break interrupt: the input was held at 0 for longer than a character
 * (PC16550D data sheet, line status register bit 4). It comes with a zero
 * byte in the receive buffer, and reading the LSR clears it.
 */
#define LSR_BREAK 0x10
#define LSR_THR_EMPTY 0x20
#define LSR_ABSENT 0xFF        /* what a missing UART reads back */

/* 115200 = 1.8432 MHz / 16 / divisor 1. */
#define BAUD_DIVISOR 1

static bool serial_present;

void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, BAUD_DIVISOR & 0xFF);
	outb(COM1 + UART_DLM, BAUD_DIVISOR >> 8);
	outb(COM1 + UART_LCR, LCR_8N1);
	/*
	 * The FIFOs stay off: turning them on empties the receive buffer,
	 * which would drop input typed or piped in while the kernel boots.
	 * One byte at a time is plenty for a console.
	 */
	outb(COM1 + UART_FCR, FCR_DISABLED);
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
	/* A missing UART reads back all ones. */
	serial_present = inb(COM1 + UART_LSR) != LSR_ABSENT;
}

void serial_putc(char c)
{
	if (!serial_present)
		return;
	while (!(inb(COM1 + UART_LSR) & LSR_THR_EMPTY))
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

int serial_getc_nonblock(void)
{
	if (!serial_present)
		return -1;
	uint8_t lsr = inb(COM1 + UART_LSR);
	if (!(lsr & LSR_DATA_READY))
		return -1;
	uint8_t c = inb(COM1 + UART_DATA);
	return (lsr & LSR_BREAK) ? SERIAL_BREAK : c;
}

void serial_enable_irq(void)
{
	if (serial_present)
		outb(COM1 + UART_IER, IER_RX_AVAILABLE);
}
