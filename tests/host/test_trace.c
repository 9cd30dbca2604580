/*
 * tests/host/test_trace.c - the memory manager's event trace (mm/trace.c):
 * nothing is recorded while it is off; records come back as written and
 * in Linux-trace style text with stable columns; a full ring overwrites
 * its oldest records and counts them as dropped; the pid filter; the
 * consuming read of trace_pipe; clearing; the ring's size is fixed once
 * allocated.
 *
 * The ring is allocated once for the whole program (from one fake RAM,
 * booted by the group setup) with the smallest size, one page, so that
 * it fills quickly; each test starts by emptying it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libk/errno.h"
#include "mm/pmm.h"
#include "mm/trace.h"
#include "tests/host/shim/mm_machine.h"

/* Records that fit in the one-page ring. */
static uint32_t ring_size;

static int group_setup(void **state)
{
	(void)state;
	if (host_boot_qemu(16ull << 20, false) != 0)
		return -1;
	if (mm_trace_set_size(1) != 0 || mm_trace_set_on(true) != 0)
		return -1;
	struct mm_trace_stats st;
	mm_trace_get_stats(&st);
	ring_size = st.size;
	return mm_trace_set_on(false);
}

static int setup(void **state)
{
	(void)state;
	mm_trace_set_on(false);
	mm_trace_set_pid(0);
	mm_trace_clear();
	return 0;
}

static void record_fault(int32_t pid, vaddr_t va, uint32_t arg)
{
	mm_trace_record(MM_TRACE_FAULT, MM_TRACE_ZERO, pid, va, NULL,
			MM_TRACE_NONE, arg, NULL);
}

static void test_ring_is_one_page(void **state)
{
	(void)state;
	assert_int_equal(ring_size, 4096 / sizeof(struct mm_trace_event));
	/* The size is fixed once the ring exists. */
	assert_int_equal(mm_trace_set_size(1 << 20), -EBUSY);
}

static void test_off_records_nothing(void **state)
{
	(void)state;
	record_fault(1, 0x1000, 0);
	trace_fault(MM_TRACE_ZERO, 1, 0x1000, NULL, MM_TRACE_NONE);
	struct mm_trace_stats st;
	mm_trace_get_stats(&st);
	assert_false(st.on);
	assert_int_equal(st.written, 0);
}

static void test_record_and_get(void **state)
{
	(void)state;
	struct page *pg = alloc_page(0);
	assert_non_null(pg);
	mm_trace_set_on(true);
	trace_evict(MM_TRACE_WRITTEN, 9, 0x0804a000, pg, 17, "clock");
	trace_swap_slot(MM_TRACE_FREE, 17);
	mm_trace_set_on(false);

	struct mm_trace_event e;
	assert_true(mm_trace_get(0, &e));
	assert_int_equal(e.type, MM_TRACE_EVICT);
	assert_int_equal(e.kind, MM_TRACE_WRITTEN);
	assert_int_equal(e.pid, 9);
	assert_int_equal(e.va, 0x0804a000);
	assert_int_equal(e.pfn, page_to_phys(pg) >> PAGE_SHIFT);
	assert_int_equal(e.slot, 17);
	assert_string_equal(e.note, "clock");
	assert_true(mm_trace_get(1, &e));
	assert_int_equal(e.type, MM_TRACE_SWAP);
	assert_int_equal(e.pid, 0); /* no kernel here: nobody runs */
	assert_false(mm_trace_get(2, &e));
	free_page(pg);
}

static void test_format(void **state)
{
	(void)state;
	char line[160];
	struct mm_trace_event e = {
		.time = 1234, .pid = 5, .va = 0x1000, .pfn = 0x100,
		.slot = MM_TRACE_NONE, .type = MM_TRACE_FAULT,
		.kind = MM_TRACE_COW_COPY,
	};
	int n = mm_trace_format(&e, line, sizeof(line));
	assert_string_equal(line, "          1234     5 fault cow-copy     "
				  "0x00001000 0x00100      - -\n");
	assert_int_equal(n, (int)strlen(line));
	/* The columns line up with the header's names. */
	assert_int_equal(strlen(line), strlen(mm_trace_header) - 4 + 1);
	assert_int_equal(strstr(line, "0x00001000") + 10 - line,
			 strstr(mm_trace_header, "ADDRESS") + 7 -
				 mm_trace_header);

	e = (struct mm_trace_event){ .time = 7, .pid = 12, .pfn = MM_TRACE_NONE,
				     .slot = 300, .type = MM_TRACE_SWAP,
				     .kind = MM_TRACE_ALLOC };
	mm_trace_format(&e, line, sizeof(line));
	assert_string_equal(line, "             7    12 swap  alloc        "
				  "         -       -    300 -\n");

	e = (struct mm_trace_event){ .time = 8, .pid = 3, .va = 0x40000000,
				     .pfn = MM_TRACE_NONE,
				     .slot = MM_TRACE_NONE, .arg = 4,
				     .type = MM_TRACE_SHM,
				     .kind = MM_TRACE_DETACH };
	mm_trace_format(&e, line, sizeof(line));
	assert_string_equal(line, "             8     3 shm   detach       "
				  "0x40000000       -      - id=4\n");
}

static void test_overflow_drops_oldest(void **state)
{
	(void)state;
	uint32_t total = ring_size * 2 + 5;
	mm_trace_set_on(true);
	for (uint32_t i = 0; i < total; i++)
		record_fault(1, 0x1000, i);
	mm_trace_set_on(false);

	struct mm_trace_stats st;
	mm_trace_get_stats(&st);
	assert_int_equal(st.written, total);
	assert_int_equal(st.dropped, total - ring_size);
	assert_int_equal(st.first, total - ring_size);
	struct mm_trace_event e;
	assert_false(mm_trace_get(st.first - 1, &e));
	assert_true(mm_trace_get(st.first, &e));
	assert_int_equal(e.arg, total - ring_size); /* the oldest kept */
	assert_true(mm_trace_get(total - 1, &e));
	assert_int_equal(e.arg, total - 1);
}

static void test_pid_filter(void **state)
{
	(void)state;
	mm_trace_set_pid(7);
	mm_trace_set_on(true);
	record_fault(7, 0x1000, 1);
	record_fault(8, 0x2000, 2);
	record_fault(7, 0x3000, 3);
	mm_trace_set_pid(0);
	record_fault(8, 0x4000, 4);
	mm_trace_set_on(false);

	struct mm_trace_stats st;
	mm_trace_get_stats(&st);
	assert_int_equal(st.written, 3);
	struct mm_trace_event e;
	assert_true(mm_trace_get(1, &e));
	assert_int_equal(e.va, 0x3000);
	assert_true(mm_trace_get(2, &e));
	assert_int_equal(e.pid, 8); /* the filter is off again */
}

static void test_consume_and_clear(void **state)
{
	(void)state;
	mm_trace_set_on(true);
	for (uint32_t i = 0; i < 5; i++)
		record_fault(1, 0x1000, i);
	mm_trace_consume(3);
	struct mm_trace_stats st;
	mm_trace_get_stats(&st);
	assert_int_equal(st.first, 3);
	assert_int_equal(st.dropped, 0); /* read, not lost */
	mm_trace_consume(99); /* beyond the end: everything */
	mm_trace_get_stats(&st);
	assert_int_equal(st.first, 5);
	mm_trace_consume(1); /* never backwards */
	mm_trace_get_stats(&st);
	assert_int_equal(st.first, 5);

	mm_trace_clear();
	mm_trace_get_stats(&st);
	assert_int_equal(st.written, 0);
	assert_int_equal(st.first, 0);
	record_fault(1, 0x1000, 42);
	mm_trace_set_on(false);
	struct mm_trace_event e;
	assert_true(mm_trace_get(0, &e));
	assert_int_equal(e.arg, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ring_is_one_page, setup),
		cmocka_unit_test_setup(test_off_records_nothing, setup),
		cmocka_unit_test_setup(test_record_and_get, setup),
		cmocka_unit_test_setup(test_format, setup),
		cmocka_unit_test_setup(test_overflow_drops_oldest, setup),
		cmocka_unit_test_setup(test_pid_filter, setup),
		cmocka_unit_test_setup(test_consume_and_clear, setup),
	};
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
