/*
 * kernel/ktest.c - runs in-kernel test suites and reports TAP.
 *
 * Suites come from the .ktest_suites section (see KTEST_SUITE). Each test
 * case runs with interrupts in the state the kernel left them; a failed
 * assertion marks the case and, for KT_ASSERT, returns from it. A CPU
 * exception during a test that did not ask to catch it is a panic, which
 * the runner on the host sees as a failure.
 */
#include "kernel/ktest.h"

#include <stdarg.h>

#include "drivers/qemu.h"
#include "kernel/arch/kjmp.h"
#include "kernel/panic.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"
#include "libk/printf.h"
#include "libk/string.h"

extern const struct ktest_suite __ktest_suites_start[], __ktest_suites_end[];

static unsigned int test_number;
static unsigned int passed, failed, skipped;

void ktest_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	kprintf("# ");
	vkprintf(fmt, ap);
	kprintf("\n");
	va_end(ap);
}

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt,
		...)
{
	va_list ap;
	t->failed = true;
	kprintf("#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vkprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
}

/* State for ktest_catch_fault while a fault is expected. */
static struct kjmp_buf *catch_buf;
static struct ktest_fault *catch_out;

static bool catch_hook(struct trapframe *tf)
{
	if (!catch_buf)
		return false;
	catch_out->vector = tf->vector;
	catch_out->error_code = tf->error_code;
	catch_out->cr2 = tf->vector == T_PAGE ? read_cr2() : 0;
	catch_out->eip = tf->eip;
	struct kjmp_buf *b = catch_buf;
	catch_buf = NULL;
	kjmp_resume(b, 1);
}

bool ktest_catch_fault(void (*fn)(void *arg), void *arg,
		       struct ktest_fault *fault)
{
	struct kjmp_buf buf;
	bool was = irq_save();
	bool faulted;

	memset(fault, 0, sizeof(*fault));
	catch_out = fault;
	trap_kernel_fault_hook = catch_hook;
	if (kjmp_save(&buf) == 0) {
		catch_buf = &buf;
		irq_restore(was);
		fn(arg);
		cli();
		catch_buf = NULL;
		faulted = false;
	} else {
		faulted = true;
	}
	trap_kernel_fault_hook = NULL;
	irq_restore(was);
	return faulted;
}

static void run_case(const struct ktest_suite *s, const struct ktest_case *c)
{
	char name[96];
	snprintf(name, sizeof(name), "%s.%s", s->name, c->name);
	struct ktest t = { .name = name };

	c->fn(&t);
	test_number++;
	if (t.skipped && !t.failed) {
		skipped++;
		kprintf("ok %u - %s # SKIP\n", test_number, name);
	} else if (t.failed) {
		failed++;
		kprintf("not ok %u - %s\n", test_number, name);
	} else {
		passed++;
		kprintf("ok %u - %s\n", test_number, name);
	}
}

static void run_suite(const struct ktest_suite *s)
{
	unsigned int f0 = failed, p0 = passed;
	kprintf("# suite %s\n", s->name);
	for (size_t i = 0; i < s->ncases; i++)
		run_case(s, &s->cases[i]);
	kprintf("# suite %s: %u passed, %u failed\n", s->name, passed - p0,
		failed - f0);
}

static const struct ktest_suite *find_suite(const char *name, size_t len)
{
	for (const struct ktest_suite *s = __ktest_suites_start;
	     s < __ktest_suites_end; s++) {
		if (strlen(s->name) == len && !strncmp(s->name, name, len))
			return s;
	}
	return NULL;
}

void ktest_run(const char *selection)
{
	panic_exits_qemu = 1;
	kprintf("TAP version 13\n");
	if (!strcmp(selection, "all")) {
		for (const struct ktest_suite *s = __ktest_suites_start;
		     s < __ktest_suites_end; s++) {
			if (!s->explicit_only)
				run_suite(s);
		}
	} else {
		const char *p = selection;
		while (*p) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			const struct ktest_suite *s = find_suite(p, len);
			if (s) {
				run_suite(s);
			} else if (len) {
				test_number++;
				failed++;
				kprintf("not ok %u - %.*s # no such suite\n",
					test_number, (int)len, p);
			}
			p += len + (comma ? 1 : 0);
		}
	}
	kprintf("1..%u\n", test_number);
	kprintf("# ktest: %u passed, %u failed, %u skipped\n", passed, failed,
		skipped);
	qemu_exit(failed || test_number == 0 ? QEMU_EXIT_FAILURE
					     : QEMU_EXIT_SUCCESS);
}
