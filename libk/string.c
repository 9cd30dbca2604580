/*
 * libk/string.c - memory and string functions for the freestanding kernel.
 *
 * Simple loops: memcpy and memset move whole words when the addresses are
 * word aligned (the common case for pages and buffers), bytes otherwise.
 */
#include "libk/string.h"

#include "libk/errno.h"

/* A word that may alias any object, for the word-at-a-time loops. */
typedef uint32_t __attribute__((may_alias)) word_t;

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Whole words when both sides are word aligned (pages, buffers). */
	if ((((uintptr_t)d | (uintptr_t)s) & (sizeof(uint32_t) - 1)) == 0) {
		word_t *dw = (word_t *)d;
		const word_t *sw = (const word_t *)s;
		for (; n >= sizeof(word_t); n -= sizeof(word_t))
			*dw++ = *sw++;
		d = (unsigned char *)dw;
		s = (const unsigned char *)sw;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d == s || n == 0)
		return dst;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		d += n;
		s += n;
		while (n--)
			*--d = *--s;
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (((uintptr_t)d & (sizeof(uint32_t) - 1)) == 0) {
		word_t word = (unsigned char)c * 0x01010101u;
		word_t *dw = (word_t *)d;
		for (; n >= sizeof(word_t); n -= sizeof(word_t))
			*dw++ = word;
		d = (unsigned char *)dw;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++) {
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	for (; n; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;
	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

int kstrtou64(const char *s, size_t len, unsigned int base, uint64_t *out)
{
	size_t i = 0;

	/* Digits are 0-9 then a-z, so no base above 36 can be written. */
	if (base == 1 || base > 36)
		return -EINVAL;
	if (base == 0) {
		if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
			base = 16;
			i = 2;
		} else if (len > 1 && s[0] == '0') {
			base = 8;
			i = 1;
		} else {
			base = 10;
		}
	} else if (base == 16 && len > 2 && s[0] == '0' &&
		   (s[1] == 'x' || s[1] == 'X')) {
		i = 2;
	}
	if (i >= len)
		return -EINVAL;

	uint64_t v = 0;
	for (; i < len; i++) {
		int d = digit_value(s[i]);
		if (d >= (int)base)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return -ERANGE;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}
