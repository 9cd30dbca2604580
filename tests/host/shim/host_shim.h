/*
 * tests/host/shim/host_shim.h - what host tests can ask of the shim.
 *
 * panic() on the host records its message; a test that expects a panic
 * wraps the call in HOST_EXPECT_PANIC and checks host_panic_message.
 * Output written through klog_write is captured in host_log (and also
 * echoed to stderr when HOST_LOG_ECHO is set in the environment).
 */
#ifndef HOST_SHIM_H
#define HOST_SHIM_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

extern jmp_buf *host_panic_jmp;
extern char host_panic_message[512];
extern char host_log[65536];
extern size_t host_log_len;

void host_log_clear(void);

/*
 * Runs stmt and evaluates to true if it panicked. Not reentrant.
 */
#define HOST_EXPECT_PANIC(stmt)                                               \
	({                                                                    \
		jmp_buf _jb;                                                  \
		volatile bool _panicked = false;                                    \
		host_panic_message[0] = '\0';                                 \
		host_panic_jmp = &_jb;                                        \
		if (setjmp(_jb) == 0) {                                       \
			stmt;                                                 \
		} else {                                                      \
			_panicked = true;                                     \
		}                                                             \
		host_panic_jmp = NULL;                                        \
		_panicked;                                                    \
	})

/*
 * Asserts that a checker such as pmm_verify() returns 0; on failure the test
 * fails with what the checker logged, so the broken invariant is named in
 * words without HOST_LOG_ECHO ("pfn 0x7ce and its buddy are both free at
 * order 0 but not merged ..."). For cmocka test files.
 */
#define assert_verified(call)                                                 \
	do {                                                                  \
		size_t _mark = host_log_len;                                  \
		int _err = (call);                                            \
		if (_err != 0)                                                \
			fail_msg("%s returned %d: %s", #call, _err,           \
				 host_log_len > _mark ? host_log + _mark      \
						      : "(nothing logged)");  \
	} while (0)

#endif
