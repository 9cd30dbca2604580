/*
 * libk/printf.c - the printf engine and its front ends.
 *
 * kvformat() walks the format once and hands each output character to an
 * emit callback, so snprintf (into a buffer) and kprintf (to the console)
 * share one implementation. Numbers are converted into a small stack buffer
 * in reverse, then padded and emitted.
 */
#include "libk/printf.h"

#include <stdbool.h>
#include <stdint.h>

#include "libk/log.h"
#include "libk/string.h"

/* How one conversion was specified: flags, width, precision, length. */
struct spec {
	bool left;      /* '-': pad on the right */
	bool zero;      /* '0': pad numbers with zeros */
	bool plus;      /* '+': sign for non-negative numbers */
	bool space;     /* ' ': space for non-negative numbers */
	bool alt;       /* '#': 0x prefix for hex, 0 for octal */
	int width;      /* minimum field width, 0 if none */
	int precision;  /* minimum digits or maximum chars, -1 if none */
	int length;     /* enum arg_length */
};

/* The size of an integer argument, from its length modifier. */
enum arg_length {
	LEN_INT = 0,    /* none: int */
	LEN_CHAR = 1,   /* hh */
	LEN_SHORT = 2,  /* h */
	LEN_LONG = 3,   /* l, z, t when they are 32 bits */
	LEN_64 = 8,     /* ll, j, and l/z/t on a 64-bit host */
};

/* Output state shared by the helpers: the sink and the count so far. */
struct out {
	kformat_emit_fn emit;
	void *ctx;
	int count;
};

static void put(struct out *o, char c)
{
	o->emit(c, o->ctx);
	o->count++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_string(struct out *o, const struct spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	size_t len = sp->precision >= 0 ? strnlen(s, (size_t)sp->precision)
					: strlen(s);
	int fill = sp->width - (int)len;
	if (!sp->left)
		pad(o, ' ', fill);
	for (size_t i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, ' ', fill);
}

/* Emits an integer with sign, prefix, precision and width applied. */
static void put_number(struct out *o, const struct spec *sp, uint64_t value,
		       bool negative, unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];  /* 2^64 in octal has 22 digits */
	int n = 0;

	if (value == 0 && sp->precision != 0)
		buf[n++] = '0';
	while (value) {
		buf[n++] = digits[value % base];
		value /= base;
	}

	/* The caller clears plus and space for unsigned conversions. */
	const char *prefix = "";
	if (negative)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	else if (sp->alt && base == 16 && n > 0 && !(n == 1 && buf[0] == '0'))
		prefix = upper ? "0X" : "0x";

	int zeros = sp->precision > n ? sp->precision - n : 0;
	/*
	 * '#' with %o makes the first digit a zero, adding one only if the
	 * digits and the precision's zeros do not already start with one.
	 */
	if (sp->alt && base == 8 && zeros == 0 && (n == 0 || buf[n - 1] != '0'))
		zeros = 1;
	int plen = (int)strlen(prefix);
	int fill = sp->width - n - zeros - plen;

	/* The '0' flag is ignored with a precision or '-' (C11 7.21.6.1). */
	if (sp->zero && !sp->left && sp->precision < 0) {
		zeros += fill > 0 ? fill : 0;
		fill = 0;
	}
	if (!sp->left)
		pad(o, ' ', fill);
	for (int i = 0; i < plen; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (n > 0)
		put(o, buf[--n]);
	if (sp->left)
		pad(o, ' ', fill);
}

/* Reads a decimal number or '*' (from the arguments) at *fmt. */
static int read_count(const char **fmt, va_list *ap)
{
	if (**fmt == '*') {
		(*fmt)++;
		return va_arg(*ap, int);
	}
	int v = 0;
	while (**fmt >= '0' && **fmt <= '9')
		v = v * 10 + (*(*fmt)++ - '0');
	return v;
}

static int64_t signed_arg(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case LEN_64:
		return va_arg(*ap, long long);
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t unsigned_arg(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case LEN_64:
		return va_arg(*ap, unsigned long long);
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Reads the length modifier; long stays distinct from int on i686. */
static int read_length(const char **fmt)
{
	switch (**fmt) {
	case 'h':
		(*fmt)++;
		if (**fmt == 'h') {
			(*fmt)++;
			return LEN_CHAR;
		}
		return LEN_SHORT;
	case 'l':
		(*fmt)++;
		if (**fmt == 'l') {
			(*fmt)++;
			return LEN_64;
		}
		return sizeof(long) == 8 ? LEN_64 : LEN_LONG;
	case 'j':
		(*fmt)++;
		return LEN_64;
	case 'z':
	case 't':
		(*fmt)++;
		return sizeof(size_t) == 8 ? LEN_64 : LEN_LONG;
	default:
		return LEN_INT;
	}
}

int kvformat(kformat_emit_fn emit, void *ctx, const char *fmt, va_list ap_in)
{
	struct out o = { .emit = emit, .ctx = ctx, .count = 0 };
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt++;

		struct spec sp = { .precision = -1 };
		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = true;
			else if (*fmt == '0')
				sp.zero = true;
			else if (*fmt == '+')
				sp.plus = true;
			else if (*fmt == ' ')
				sp.space = true;
			else if (*fmt == '#')
				sp.alt = true;
			else
				break;
		}
		sp.width = read_count(&fmt, &ap);
		if (sp.width < 0) {
			sp.left = true;
			sp.width = -sp.width;
		}
		if (*fmt == '.') {
			fmt++;
			sp.precision = read_count(&fmt, &ap);
			if (sp.precision < 0)
				sp.precision = -1;
		}
		sp.length = read_length(&fmt);

		char conv = *fmt;
		if (conv == '\0')
			break;
		fmt++;
		/* '+' and ' ' only affect signed conversions (C11 7.21.6.1). */
		if (conv != 'd' && conv != 'i') {
			sp.plus = false;
			sp.space = false;
		}
		switch (conv) {
		case 'd':
		case 'i': {
			int64_t v = signed_arg(&sp, &ap);
			uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v
					     : (uint64_t)v;
			put_number(&o, &sp, mag, v < 0, 10, false);
			break;
		}
		case 'u':
			put_number(&o, &sp, unsigned_arg(&sp, &ap), false, 10,
				   false);
			break;
		case 'x':
		case 'X':
			put_number(&o, &sp, unsigned_arg(&sp, &ap), false, 16,
				   conv == 'X');
			break;
		case 'o':
			put_number(&o, &sp, unsigned_arg(&sp, &ap), false, 8,
				   false);
			break;
		case 'p': {
			/* Pointers print as 0x followed by all their digits. */
			struct spec ps = sp;
			ps.alt = false;
			ps.precision = (int)sizeof(void *) * 2;
			ps.width = sp.width > 2 ? sp.width - 2 : 0;
			if (!sp.left)
				pad(&o, ' ', ps.width - ps.precision);
			put(&o, '0');
			put(&o, 'x');
			ps.width = 0;
			put_number(&o, &ps, (uintptr_t)va_arg(ap, void *),
				   false, 16, false);
			if (sp.left)
				pad(&o, ' ', sp.width - 2 - ps.precision);
			break;
		}
		case 's':
			put_string(&o, &sp, va_arg(ap, const char *));
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			if (!sp.left)
				pad(&o, ' ', sp.width - 1);
			put(&o, c);
			if (sp.left)
				pad(&o, ' ', sp.width - 1);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown conversion: print it as written. */
			put(&o, '%');
			put(&o, conv);
			break;
		}
	}
	va_end(ap);
	return o.count;
}

/* A bounded buffer for vsnprintf. */
struct strbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void emit_buf(char c, void *ctx)
{
	struct strbuf *sb = ctx;
	if (sb->len + 1 < sb->size)
		sb->buf[sb->len] = c;
	sb->len++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct strbuf sb = { .buf = buf, .size = size, .len = 0 };
	int n = kvformat(emit_buf, &sb, fmt, ap);
	if (size > 0)
		buf[sb.len < size ? sb.len : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * Console output is gathered in chunks so that klog_write sees whole runs of
 * text rather than single characters.
 */
struct chunk {
	char buf[128];
	size_t len;
};

static void emit_chunk(char c, void *ctx)
{
	struct chunk *ch = ctx;
	ch->buf[ch->len++] = c;
	if (ch->len == sizeof(ch->buf)) {
		klog_write(ch->buf, ch->len);
		ch->len = 0;
	}
}

int vkprintf(const char *fmt, va_list ap)
{
	struct chunk ch = { .len = 0 };
	int n = kvformat(emit_chunk, &ch, fmt, ap);
	if (ch.len)
		klog_write(ch.buf, ch.len);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}

int klog_level = LOG_LEVEL_DEFAULT;
int klog_msg_level = LOG_DEFAULT_MESSAGE;
bool klog_msg_quiet;

void klog(int level, const char *fmt, ...)
{
	int saved_level = klog_msg_level;
	bool saved_quiet = klog_msg_quiet;
	va_list ap;

	klog_msg_level = level;
	klog_msg_quiet = level >= klog_level;
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	klog_msg_level = saved_level;
	klog_msg_quiet = saved_quiet;
}
