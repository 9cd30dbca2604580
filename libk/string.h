/*
 * libk/string.h - freestanding memory and string functions.
 *
 * The compiler may emit calls to memcpy, memmove, memset and memcmp on its
 * own (struct copies, zeroing), so those four keep their standard names.
 */
#ifndef LIBK_STRING_H
#define LIBK_STRING_H

#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * Parses an unsigned number in base 10, 16 ("0x" prefix) or 8 (leading 0)
 * when base is 0, else in the given base (2 to 36). The whole of s[0..len) must be
 * digits. Returns 0, or -EINVAL for no digits or junk, -ERANGE on overflow.
 */
int kstrtou64(const char *s, size_t len, unsigned int base, uint64_t *out);

#endif
