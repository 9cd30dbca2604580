/*
 * drivers/vga.c - text output on the VGA console (mode 3, 80x25).
 *
 * The text buffer lives at physical 0xB8000, reached through the direct
 * map. Each cell is a character byte and an attribute byte. The hardware
 * cursor is moved through the CRT controller's cursor-location registers
 * (0x0E high byte, 0x0F low byte, at index/data ports 0x3D4/0x3D5).
 */
#include "drivers/vga.h"

#include <stdint.h>

#include "kernel/arch/x86.h"
#include "mm/types.h"

#define VGA_PHYS 0xB8000u
#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_ATTR 0x07  /* light grey on black */
#define CRTC_INDEX 0x3D4
#define CRTC_DATA 0x3D5
#define CRTC_CURSOR_HIGH 0x0E
#define CRTC_CURSOR_LOW 0x0F

static volatile uint16_t *const vga_buf =
	(volatile uint16_t *)(KERNEL_VMA + VGA_PHYS);
static unsigned int row, col;

static inline uint16_t cell(char c)
{
	return (uint16_t)((VGA_ATTR << 8) | (uint8_t)c);
}

static void move_cursor(void)
{
	uint16_t pos = (uint16_t)(row * VGA_COLS + col);
	outb(CRTC_INDEX, CRTC_CURSOR_HIGH);
	outb(CRTC_DATA, pos >> 8);
	outb(CRTC_INDEX, CRTC_CURSOR_LOW);
	outb(CRTC_DATA, pos & 0xFF);
}

static void scroll(void)
{
	for (unsigned int i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
		vga_buf[i] = vga_buf[i + VGA_COLS];
	for (unsigned int i = 0; i < VGA_COLS; i++)
		vga_buf[(VGA_ROWS - 1) * VGA_COLS + i] = cell(' ');
	row = VGA_ROWS - 1;
}

void vga_init(void)
{
	for (unsigned int i = 0; i < VGA_ROWS * VGA_COLS; i++)
		vga_buf[i] = cell(' ');
	row = col = 0;
	move_cursor();
}

static void put(char c)
{
	switch (c) {
	case '\n':
		col = 0;
		row++;
		break;
	case '\r':
		col = 0;
		break;
	case '\b':
		if (col > 0)
			vga_buf[row * VGA_COLS + --col] = cell(' ');
		break;
	case '\t':
		col = (col + 8) & ~7u;
		break;
	default:
		vga_buf[row * VGA_COLS + col++] = cell(c);
		break;
	}
	if (col >= VGA_COLS) {
		col = 0;
		row++;
	}
	if (row >= VGA_ROWS)
		scroll();
}

void vga_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(s[i]);
	move_cursor();
}
