/*
 * libk/ubsan.c - the runtime for the kernel's undefined-behaviour checks.
 *
 * `make DEBUG=1` compiles the kernel with -fsanitize=undefined. GCC then
 * puts a check before each operation whose result C leaves undefined
 * (signed overflow, an over-long shift, a misaligned or null access, an
 * array index out of bounds, ...) and, when a check fails, calls one of the
 * __ubsan_handle_* functions below. Each handler prints one line
 *
 *     UBSan: <what> at <file>:<line>:<column>: <details>
 *
 * through kprintf and panics: in a kernel, undefined behaviour is a bug to
 * fix, not a condition to continue from.
 *
 * The handlers' names, arguments and the layout of the data blocks the
 * compiler passes them are an interface shared by GCC and Clang (their
 * runtime is libubsan, which a freestanding kernel cannot use). Every block
 * starts with the source location of the failed check; most also point at
 * type descriptors naming the C types involved. An operand value is passed
 * in a pointer-sized "value handle": the value itself when it fits in a
 * pointer, otherwise the address of the value.
 *
 * This file is compiled into the kernel only; host tests use the real
 * libubsan (tests/host/host.mk leaves this file out). Its own functions are
 * not instrumented, so a report cannot trigger another one.
 *
 * Locking: none. A report that starts while another is in progress (from
 * the printing or panic code itself, or from an interrupt) returns at once,
 * so that the first report can finish; that one ends in panic anyway.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libk/assert.h"
#include "libk/printf.h"

/* Where a failed check is in the source. */
struct source_location {
	const char *file; /* path as given to the compiler; may be NULL */
	uint32_t line;
	uint32_t column;
};

/* Type descriptor kinds. */
enum {
	TYPE_KIND_INTEGER = 0x0000,
	TYPE_KIND_FLOAT = 0x0001,
	TYPE_KIND_UNKNOWN = 0xffff,
};

/* A C type as the compiler describes it to the runtime. */
struct type_descriptor {
	uint16_t kind; /* TYPE_KIND_* */
	/*
	 * For integers: bit 0 is set for signed types and the bits above it
	 * hold log2 of the width in bits. For floats: the width in bits.
	 */
	uint16_t info;
	char name[]; /* the type, quoted, e.g. "'unsigned int'" */
};

/* An operand: the value itself if it fits in a pointer, else its address. */
typedef uintptr_t value_handle_t;

/* Data for signed overflow, division and negation checks. */
struct overflow_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

/* Data for null, alignment and object size checks on a memory access. */
struct type_mismatch_data_v1 {
	struct source_location loc;
	const struct type_descriptor *type;
	unsigned char log_alignment;   /* required alignment, as log2 bytes */
	unsigned char type_check_kind; /* index into check_kinds[] */
};

/* Data for shift checks. */
struct shift_out_of_bounds_data {
	struct source_location loc;
	const struct type_descriptor *lhs_type;
	const struct type_descriptor *rhs_type;
};

/* Data for array index checks. */
struct out_of_bounds_data {
	struct source_location loc;
	const struct type_descriptor *array_type;
	const struct type_descriptor *index_type;
};

/* Data for loads of a _Bool or enum holding an impossible value. */
struct invalid_value_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

/* Data for checks that have nothing to report but their place. */
struct unreachable_data {
	struct source_location loc;
};

/* Data for variable length array size checks. */
struct vla_bound_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

/* Data for a null argument to a parameter declared nonnull. */
struct nonnull_arg_data {
	struct source_location loc;
	/* Where the nonnull attribute is. */
	struct source_location attr_loc;
	/* Which argument was null, counted from 1. */
	int arg_index;
};

/* Data for a null result from a function declared returns_nonnull. */
struct nonnull_return_data {
	struct source_location attr_loc;
};

/* Data for pointer arithmetic that wrapped around or involved null. */
struct pointer_overflow_data {
	struct source_location loc;
};

/* Builtins that are undefined for some arguments. */
enum builtin_check_kind {
	BUILTIN_CTZ_PASSED_ZERO = 0,
	BUILTIN_CLZ_PASSED_ZERO = 1,
};

/* Data for a builtin called with an argument it does not accept. */
struct invalid_builtin_data {
	struct source_location loc;
	unsigned char kind; /* enum builtin_check_kind */
};

/*
 * The handlers are called only by compiler-generated code; these
 * declarations exist for -Wmissing-prototypes.
 */
void __ubsan_handle_type_mismatch_v1(struct type_mismatch_data_v1 *data,
				     value_handle_t pointer);
void __ubsan_handle_add_overflow(struct overflow_data *data, value_handle_t lhs,
				 value_handle_t rhs);
void __ubsan_handle_sub_overflow(struct overflow_data *data, value_handle_t lhs,
				 value_handle_t rhs);
void __ubsan_handle_mul_overflow(struct overflow_data *data, value_handle_t lhs,
				 value_handle_t rhs);
void __ubsan_handle_negate_overflow(struct overflow_data *data,
				    value_handle_t old);
void __ubsan_handle_divrem_overflow(struct overflow_data *data,
				    value_handle_t lhs, value_handle_t rhs);
void __ubsan_handle_shift_out_of_bounds(struct shift_out_of_bounds_data *data,
					value_handle_t lhs, value_handle_t rhs);
void __ubsan_handle_out_of_bounds(struct out_of_bounds_data *data,
				  value_handle_t index);
void __ubsan_handle_load_invalid_value(struct invalid_value_data *data,
				       value_handle_t value);
__attribute__((noreturn)) void
__ubsan_handle_builtin_unreachable(struct unreachable_data *data);
__attribute__((noreturn)) void
__ubsan_handle_missing_return(struct unreachable_data *data);
void __ubsan_handle_vla_bound_not_positive(struct vla_bound_data *data,
					   value_handle_t bound);
void __ubsan_handle_nonnull_arg(struct nonnull_arg_data *data);
void __ubsan_handle_nonnull_return_v1(struct nonnull_return_data *data,
				      struct source_location *loc);
void __ubsan_handle_pointer_overflow(struct pointer_overflow_data *data,
				     value_handle_t base,
				     value_handle_t result);
void __ubsan_handle_invalid_builtin(struct invalid_builtin_data *data);

/*
 * Every function in this file carries this attribute, so that code which
 * runs while a report is made cannot itself be reported.
 */
#define UBSAN_RUNTIME __attribute__((no_sanitize_undefined))

/* Set while a report is being printed; see the locking note above. */
static bool reporting;

/* A formatted operand, long enough for any 64-bit integer and a sign. */
struct value_text {
	char s[24];
};

/* A formatted attribute location, see format_attr_loc(). */
struct attr_text {
	char s[96];
};

/* Whether the type is an integer type whose values we know how to read. */
UBSAN_RUNTIME static bool is_known_integer(const struct type_descriptor *t)
{
	return t->kind == TYPE_KIND_INTEGER && (t->info >> 1) <= 6;
}

/* Whether the type is a signed integer type. */
UBSAN_RUNTIME static bool is_signed_integer(const struct type_descriptor *t)
{
	return t->kind == TYPE_KIND_INTEGER && (t->info & 1);
}

/* The width of an integer type in bits: 8 to 64 (a known integer). */
UBSAN_RUNTIME static unsigned int integer_bits(const struct type_descriptor *t)
{
	return 1u << (t->info >> 1);
}

/*
 * The raw bits of an integer operand, zero-extended. Operands narrower than
 * the handle may have junk above their width, which is masked off.
 */
UBSAN_RUNTIME static uint64_t raw_value(const struct type_descriptor *t,
					value_handle_t v)
{
	unsigned int bits = integer_bits(t);
	uint64_t raw;

	if (bits <= sizeof(value_handle_t) * 8)
		raw = v;
	else
		raw = *(const uint64_t *)v;
	if (bits < 64)
		raw &= ((uint64_t)1 << bits) - 1;
	return raw;
}

/* A signed operand's value, sign-extended from its width. */
UBSAN_RUNTIME static int64_t signed_value(const struct type_descriptor *t,
					  value_handle_t v)
{
	uint64_t sign = (uint64_t)1 << (integer_bits(t) - 1);
	uint64_t raw = raw_value(t, v);

	/* (raw ^ sign) - sign sign-extends without undefined shifts. */
	return (int64_t)((raw ^ sign) - sign);
}

/* Whether an operand is negative (never, for unsigned types). */
UBSAN_RUNTIME static bool is_negative(const struct type_descriptor *t,
				      value_handle_t v)
{
	return is_signed_integer(t) && is_known_integer(t) &&
	       signed_value(t, v) < 0;
}

/* Formats an operand in decimal, or says why it cannot. */
UBSAN_RUNTIME static struct value_text
format_value(const struct type_descriptor *t, value_handle_t v)
{
	struct value_text text;

	if (!is_known_integer(t))
		snprintf(text.s, sizeof(text.s), "<%s>",
			 t->kind == TYPE_KIND_FLOAT ? "float" : "unknown");
	else if (is_signed_integer(t))
		snprintf(text.s, sizeof(text.s), "%lld",
			 (long long)signed_value(t, v));
	else
		snprintf(text.s, sizeof(text.s), "%llu",
			 (unsigned long long)raw_value(t, v));
	return text;
}

/*
 * Prints "UBSan: <what> at <file>:<line>:<col>[: <details>]" and panics.
 * Returns only if a report is already in progress.
 */
__attribute__((format(printf, 3, 4))) UBSAN_RUNTIME static void
report(const struct source_location *loc, const char *what,
       const char *detail_fmt, ...)
{
	char details[160];

	if (reporting)
		return;
	reporting = true;

	details[0] = '\0';
	if (detail_fmt) {
		va_list ap;
		va_start(ap, detail_fmt);
		vsnprintf(details, sizeof(details), detail_fmt, ap);
		va_end(ap);
	}
	kprintf("UBSan: %s at %s:%u:%u%s%s\n", what,
		loc && loc->file ? loc->file : "<unknown>",
		loc ? (unsigned int)loc->line : 0,
		loc ? (unsigned int)loc->column : 0, detail_fmt ? ": " : "",
		details);
	panic("UBSan: %s", what);
}

/* Shared by the three binary arithmetic overflow handlers. */
UBSAN_RUNTIME static void report_overflow(const struct overflow_data *data,
					  value_handle_t lhs,
					  value_handle_t rhs, char op)
{
	struct value_text l = format_value(data->type, lhs);
	struct value_text r = format_value(data->type, rhs);

	report(&data->loc,
	       is_signed_integer(data->type) ? "signed integer overflow"
					     : "unsigned integer overflow",
	       "%s %c %s in type %s", l.s, op, r.s, data->type->name);
}

/* What a type_mismatch check was guarding, indexed by type_check_kind. */
static const char *const check_kinds[] = {
	"load of",
	"store to",
	"reference binding to",
	"member access within",
	"member call on",
	"constructor call on",
	"downcast of",
	"downcast of",
	"upcast of",
	"cast to virtual base of",
	"_Nonnull binding to",
	"dynamic operation on",
};

/* The words for a type_check_kind, e.g. "load of". */
UBSAN_RUNTIME static const char *check_kind_name(unsigned char kind)
{
	size_t n = sizeof(check_kinds) / sizeof(check_kinds[0]);

	return kind < n ? check_kinds[kind] : "access to";
}

UBSAN_RUNTIME void
__ubsan_handle_type_mismatch_v1(struct type_mismatch_data_v1 *data,
				value_handle_t pointer)
{
	uintptr_t alignment = (uintptr_t)1 << data->log_alignment;
	const char *kind = check_kind_name(data->type_check_kind);

	if (pointer == 0)
		report(&data->loc, "null pointer access",
		       "%s null pointer of type %s", kind, data->type->name);
	else if (data->log_alignment && (pointer & (alignment - 1)))
		report(&data->loc, "misaligned access",
		       "%s address %p for type %s, which requires %u-byte "
		       "alignment",
		       kind, (void *)pointer, data->type->name,
		       (unsigned int)alignment);
	else
		report(&data->loc, "object too small",
		       "%s address %p with insufficient space for type %s",
		       kind, (void *)pointer, data->type->name);
}

UBSAN_RUNTIME void __ubsan_handle_add_overflow(struct overflow_data *data,
					       value_handle_t lhs,
					       value_handle_t rhs)
{
	report_overflow(data, lhs, rhs, '+');
}

UBSAN_RUNTIME void __ubsan_handle_sub_overflow(struct overflow_data *data,
					       value_handle_t lhs,
					       value_handle_t rhs)
{
	report_overflow(data, lhs, rhs, '-');
}

UBSAN_RUNTIME void __ubsan_handle_mul_overflow(struct overflow_data *data,
					       value_handle_t lhs,
					       value_handle_t rhs)
{
	report_overflow(data, lhs, rhs, '*');
}

UBSAN_RUNTIME void __ubsan_handle_negate_overflow(struct overflow_data *data,
						  value_handle_t old)
{
	struct value_text v = format_value(data->type, old);

	report(&data->loc, "negation overflow",
	       "-(%s) cannot be represented in type %s", v.s, data->type->name);
}

UBSAN_RUNTIME void __ubsan_handle_divrem_overflow(struct overflow_data *data,
						  value_handle_t lhs,
						  value_handle_t rhs)
{
	bool by_zero = is_known_integer(data->type) &&
		       raw_value(data->type, rhs) == 0;
	struct value_text l = format_value(data->type, lhs);
	struct value_text r = format_value(data->type, rhs);

	report(&data->loc, by_zero ? "division by zero" : "division overflow",
	       "%s / %s in type %s", l.s, r.s, data->type->name);
}

UBSAN_RUNTIME void
__ubsan_handle_shift_out_of_bounds(struct shift_out_of_bounds_data *data,
				   value_handle_t lhs, value_handle_t rhs)
{
	const struct type_descriptor *lt = data->lhs_type;
	const struct type_descriptor *rt = data->rhs_type;
	struct value_text l = format_value(lt, lhs);
	struct value_text r = format_value(rt, rhs);

	if (is_negative(rt, rhs))
		report(&data->loc, "shift out of bounds",
		       "shift exponent %s is negative", r.s);
	else if (!is_known_integer(rt) || !is_known_integer(lt) ||
		 raw_value(rt, rhs) >= integer_bits(lt))
		report(&data->loc, "shift out of bounds",
		       "shift exponent %s is too large for type %s", r.s,
		       lt->name);
	else if (is_negative(lt, lhs))
		report(&data->loc, "shift out of bounds",
		       "left shift of negative value %s", l.s);
	else
		report(&data->loc, "shift out of bounds",
		       "left shift of %s by %s places cannot be represented "
		       "in type %s",
		       l.s, r.s, lt->name);
}

UBSAN_RUNTIME void __ubsan_handle_out_of_bounds(struct out_of_bounds_data *data,
						value_handle_t index)
{
	struct value_text i = format_value(data->index_type, index);

	report(&data->loc, "index out of bounds",
	       "index %s out of range for type %s", i.s,
	       data->array_type->name);
}

UBSAN_RUNTIME void
__ubsan_handle_load_invalid_value(struct invalid_value_data *data,
				  value_handle_t value)
{
	struct value_text v = format_value(data->type, value);

	report(&data->loc, "invalid value",
	       "load of value %s, which is not valid for type %s", v.s,
	       data->type->name);
}

UBSAN_RUNTIME void
__ubsan_handle_builtin_unreachable(struct unreachable_data *data)
{
	report(&data->loc, "unreachable code reached",
	       "execution reached __builtin_unreachable()");
	/* Only a nested report returns, and this handler must not. */
	for (;;) {
	}
}

UBSAN_RUNTIME void __ubsan_handle_missing_return(struct unreachable_data *data)
{
	report(&data->loc, "missing return",
	       "execution reached the end of a value-returning function");
	/* Only a nested report returns, and this handler must not. */
	for (;;) {
	}
}

UBSAN_RUNTIME void
__ubsan_handle_vla_bound_not_positive(struct vla_bound_data *data,
				      value_handle_t bound)
{
	struct value_text v = format_value(data->type, bound);

	report(&data->loc, "variable length array bound not positive",
	       "bound %s", v.s);
}

/*
 * Formats " (attribute at file:line)" for an attribute's location, or
 * nothing when the compiler did not record one (GCC does not).
 */
UBSAN_RUNTIME static struct attr_text
format_attr_loc(const struct source_location *attr_loc)
{
	struct attr_text text = { .s = "" };

	if (attr_loc->file)
		snprintf(text.s, sizeof(text.s), " (attribute at %s:%u)",
			 attr_loc->file, (unsigned int)attr_loc->line);
	return text;
}

UBSAN_RUNTIME void __ubsan_handle_nonnull_arg(struct nonnull_arg_data *data)
{
	struct attr_text attr = format_attr_loc(&data->attr_loc);

	report(&data->loc, "null argument",
	       "null pointer passed as argument %d, which is declared "
	       "nonnull%s",
	       data->arg_index, attr.s);
}

UBSAN_RUNTIME void
__ubsan_handle_nonnull_return_v1(struct nonnull_return_data *data,
				 struct source_location *loc)
{
	struct attr_text attr = format_attr_loc(&data->attr_loc);

	report(loc, "null return",
	       "null pointer returned from a function declared "
	       "returns_nonnull%s",
	       attr.s);
}

UBSAN_RUNTIME void
__ubsan_handle_pointer_overflow(struct pointer_overflow_data *data,
				value_handle_t base, value_handle_t result)
{
	if (base == 0 && result == 0)
		report(&data->loc, "pointer overflow",
		       "applying zero offset to null pointer");
	else if (base == 0)
		report(&data->loc, "pointer overflow",
		       "applying non-zero offset to null pointer gives %p",
		       (void *)result);
	else if (result == 0)
		report(&data->loc, "pointer overflow",
		       "applying non-zero offset to %p gives null",
		       (void *)base);
	else
		report(&data->loc, "pointer overflow",
		       "pointer arithmetic on %p wrapped around to %p",
		       (void *)base, (void *)result);
}

UBSAN_RUNTIME void
__ubsan_handle_invalid_builtin(struct invalid_builtin_data *data)
{
	report(&data->loc, "invalid builtin argument",
	       "passing zero to __builtin_%s(), which is undefined for zero",
	       data->kind == BUILTIN_CLZ_PASSED_ZERO ? "clz" : "ctz");
}
