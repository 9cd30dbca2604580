/*
 * libk/printf.h - formatted output.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%, flags '-' '0' ' ' '+' '#',
 * a field width and precision (numbers or '*'), and the length modifiers
 * hh h l ll z t j. Floating point is not supported (the kernel has none).
 */
#ifndef LIBK_PRINTF_H
#define LIBK_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Called once per output character with the caller's context. */
typedef void (*kformat_emit_fn)(char c, void *ctx);

/* The printf engine: returns the number of characters produced. */
int kvformat(kformat_emit_fn emit, void *ctx, const char *fmt, va_list ap);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__attribute__((format(printf, 3, 4))) int snprintf(char *buf, size_t size,
						   const char *fmt, ...);

/* Formats to the console (through klog_write). */
int vkprintf(const char *fmt, va_list ap);
__attribute__((format(printf, 1, 2))) int kprintf(const char *fmt, ...);

/*
 * Where kprintf output goes. Provided by the environment: the kernel's
 * console, or the host test shim.
 */
void klog_write(const char *s, size_t len);

#endif
