/*
 * tests/kernel/test_traps.c - exceptions and interrupts.
 *
 * Deliberate faults are caught with ktest_catch_fault(), which checks that
 * the CPU delivered the right vector with the right error code, and that
 * the kernel carries on afterwards.
 */
#include "drivers/pit.h"
#include "kernel/ktest.h"
#include "kernel/panic.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"

/* A div instruction by zero (in assembly, so UBSan does not step in). */
static void divide_by_zero(void *arg)
{
	unsigned int zero = *(volatile unsigned int *)arg;
	unsigned int quot = 100, rem = 0;
	__asm__ volatile("divl %2" : "+a"(quot), "+d"(rem) : "r"(zero));
}

static void divide_error_is_caught(struct ktest *t)
{
	unsigned int zero = 0;
	struct ktest_fault f;

	KT_ASSERT(t, ktest_catch_fault(divide_by_zero, &zero, &f));
	KT_EXPECT_EQ(t, f.vector, T_DIVIDE);
	KT_EXPECT(t, f.eip >= (uint32_t)divide_by_zero);
}

/* A store to address 0 (in assembly, so UBSan does not step in). */
static void write_null(void *arg)
{
	(void)arg;
	__asm__ volatile("movl $1, 0" : : : "memory");
}

static void null_write_page_faults(struct ktest *t)
{
	struct ktest_fault f;

	KT_ASSERT(t, ktest_catch_fault(write_null, NULL, &f));
	KT_EXPECT_EQ(t, f.vector, T_PAGE);
	KT_EXPECT_EQ(t, f.cr2, 0);
	/* Not present, write, from the kernel. */
	KT_EXPECT_EQ(t, f.error_code & (PF_PRESENT | PF_WRITE | PF_USER),
		     PF_WRITE);
}

static void invalid_opcode(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

static void invalid_opcode_is_caught(struct ktest *t)
{
	struct ktest_fault f;

	KT_ASSERT(t, ktest_catch_fault(invalid_opcode, NULL, &f));
	KT_EXPECT_EQ(t, f.vector, T_INVALID_OP);
}

static void no_fault(void *arg)
{
	*(int *)arg = 42;
}

static void clean_call_is_not_a_fault(struct ktest *t)
{
	struct ktest_fault f;
	int v = 0;

	KT_EXPECT(t, !ktest_catch_fault(no_fault, &v, &f));
	KT_EXPECT_EQ(t, v, 42);
}

static void breakpoint_reports_and_continues(struct ktest *t)
{
	volatile int after = 0;

	__asm__ volatile("int3");
	after = 1;
	KT_EXPECT_EQ(t, after, 1);
}

static void timer_ticks(struct ktest *t)
{
	KT_ASSERT(t, read_eflags() & EFLAGS_IF);
	uint64_t start = pit_ticks();
	/* Wait for three ticks, with a generous bound in case none come. */
	for (int i = 0; i < 1000 && pit_ticks() < start + 3; i++)
		hlt();
	KT_EXPECT(t, pit_ticks() >= start + 3);
}

static void symbols_resolve(struct ktest *t)
{
	uint32_t off = 1;
	const char *name = ksym_lookup((uint32_t)timer_ticks + 3, &off);

	KT_ASSERT(t, name != NULL);
	KT_EXPECT(t, name[0] == 't' && off == 3);
	KT_EXPECT(t, ksym_lookup(0x1000, &off) == NULL);
}

static const struct ktest_case trap_cases[] = {
	KTEST_CASE(divide_error_is_caught),
	KTEST_CASE(null_write_page_faults),
	KTEST_CASE(invalid_opcode_is_caught),
	KTEST_CASE(clean_call_is_not_a_fault),
	KTEST_CASE(breakpoint_reports_and_continues),
	KTEST_CASE(timer_ticks),
	KTEST_CASE(symbols_resolve),
};

KTEST_SUITE(traps, trap_cases);
