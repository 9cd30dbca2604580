/*
 * drivers/keyboard.c - PS/2 keyboard input, translated to ASCII.
 *
 * The controller delivers scan code set 1 by default (translation on):
 * a key press sends its make code, the release sends make | 0x80. Only the
 * US layout, Shift, Caps Lock and Ctrl are handled: enough for a console.
 */
#include "drivers/keyboard.h"

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"

#define KBD_DATA 0x60
#define KBD_STATUS 0x64
#define KBD_STATUS_OUTPUT_FULL 0x01
#define SC_RELEASE 0x80
#define SC_EXTENDED 0xE0
#define SC_LSHIFT 0x2A
#define SC_RSHIFT 0x36
#define SC_CTRL 0x1D
#define SC_CAPSLOCK 0x3A

static const char keymap[128] = {
	0,    27,  '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-',
	'=',  '\b', '\t', 'q', 'w', 'e', 'r', 't', 'y', 'u', 'i', 'o', 'p',
	'[',  ']', '\n', 0,   'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l',
	';',  '\'', '`', 0,   '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',',
	'.',  '/', 0,   '*', 0,   ' ',
};

static const char keymap_shift[128] = {
	0,    27,  '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_',
	'+',  '\b', '\t', 'Q', 'W', 'E', 'R', 'T', 'Y', 'U', 'I', 'O', 'P',
	'{',  '}', '\n', 0,   'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L',
	':',  '"', '~', 0,   '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<',
	'>',  '?', 0,   '*', 0,   ' ',
};

static void (*char_sink)(char c);
static bool shift, ctrl, capslock, extended;

static void keyboard_irq(struct trapframe *tf)
{
	(void)tf;
	if (!(inb(KBD_STATUS) & KBD_STATUS_OUTPUT_FULL))
		return;
	uint8_t sc = inb(KBD_DATA);

	if (sc == SC_EXTENDED) {
		extended = true;
		return;
	}
	bool release = sc & SC_RELEASE;
	uint8_t code = sc & ~SC_RELEASE;
	if (extended) {
		/* Right Ctrl shares the make code; other keys are ignored. */
		extended = false;
		if (code == SC_CTRL)
			ctrl = !release;
		return;
	}
	switch (code) {
	case SC_LSHIFT:
	case SC_RSHIFT:
		shift = !release;
		return;
	case SC_CTRL:
		ctrl = !release;
		return;
	case SC_CAPSLOCK:
		if (!release)
			capslock = !capslock;
		return;
	}
	if (release)
		return;

	char c = shift ? keymap_shift[code] : keymap[code];
	if (capslock && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c ^= 0x20;
	if (ctrl && c >= 'a' && c <= 'z')
		c = (char)(c - 'a' + 1);
	else if (ctrl && c >= 'A' && c <= 'Z')
		c = (char)(c - 'A' + 1);
	if (c && char_sink)
		char_sink(c);
}

void keyboard_init(void (*sink)(char c))
{
	char_sink = sink;
	/* Drain anything the firmware left in the output buffer. */
	while (inb(KBD_STATUS) & KBD_STATUS_OUTPUT_FULL)
		(void)inb(KBD_DATA);
	irq_register(IRQ_KEYBOARD, keyboard_irq);
}
