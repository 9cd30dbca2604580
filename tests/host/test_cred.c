/*
 * tests/host/test_cred.c - the credential rules of kernel/proc/cred.c.
 *
 * Each rule is Linux's (kernel/sys.c, fs/namei.c, kernel/signal.c,
 * kernel/ptrace.c, ipc/util.c); the user tests cred_ids and cred_checks
 * compare the same rules with a real Linux through the system calls.
 * Here every branch is reached directly, including the failures that
 * must leave the credentials as they were.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel/proc/cred.h"
#include "libk/errno.h"
#include "libk/string.h"

#define NONE CRED_ID_NONE

/* A process of user uid and group gid (all four ids of each). */
static struct cred user(uint32_t uid, uint32_t gid)
{
	struct cred c;
	cred_init_root(&c);
	c.uid = c.euid = c.suid = c.fsuid = uid;
	c.gid = c.egid = c.sgid = c.fsgid = gid;
	return c;
}

static void assert_uids(const struct cred *c, uint32_t r, uint32_t e,
			uint32_t s, uint32_t fs)
{
	assert_int_equal(c->uid, r);
	assert_int_equal(c->euid, e);
	assert_int_equal(c->suid, s);
	assert_int_equal(c->fsuid, fs);
}

static void test_root_starts_with_nothing(void **state)
{
	(void)state;
	struct cred c;
	memset(&c, 0x5a, sizeof(c));
	cred_init_root(&c);
	assert_uids(&c, 0, 0, 0, 0);
	assert_int_equal(c.ngroups, 0);
	assert_true(cred_privileged(&c));
}

/* setuid: root sets all four; a user only moves euid among its own ids. */
static void test_setuid(void **state)
{
	(void)state;
	struct cred c = user(0, 0);
	assert_int_equal(cred_setuid(&c, 1000), 0);
	assert_uids(&c, 1000, 1000, 1000, 1000);
	assert_int_equal(cred_setuid(&c, 0), -EPERM);
	assert_uids(&c, 1000, 1000, 1000, 1000);
	assert_int_equal(cred_setuid(&c, NONE), -EINVAL);

	c = user(1000, 1000);
	c.suid = 0;
	assert_int_equal(cred_setuid(&c, 0), 0); /* the saved id */
	assert_uids(&c, 1000, 0, 0, 0);
	/* Privileged again: setuid now sets the real and saved ids too. */
	assert_int_equal(cred_setuid(&c, 1000), 0);
	assert_uids(&c, 1000, 1000, 1000, 1000);
}

/* setreuid: the saved id follows the new effective one. */
static void test_setreuid(void **state)
{
	(void)state;
	struct cred c = user(1000, 1000);
	c.suid = 0;
	/* euid moves to the saved 0, away from the real 1000: suid = 0. */
	assert_int_equal(cred_setreuid(&c, NONE, 0), 0);
	assert_uids(&c, 1000, 0, 0, 0);
	/* Real set: suid = the new euid. */
	assert_int_equal(cred_setreuid(&c, 2000, NONE), 0);
	assert_uids(&c, 2000, 0, 0, 0);
	assert_int_equal(cred_setreuid(&c, NONE, 2000), 0);
	assert_uids(&c, 2000, 2000, 0, 2000); /* euid back to real: suid kept */
	/* Unprivileged: real may become the effective id only. */
	assert_int_equal(cred_setreuid(&c, 0, NONE), -EPERM);
	assert_int_equal(cred_setreuid(&c, NONE, 5), -EPERM);
	assert_uids(&c, 2000, 2000, 0, 2000);
	assert_int_equal(cred_setreuid(&c, NONE, NONE), 0);
	assert_uids(&c, 2000, 2000, 0, 2000);
}

/* setresuid: each id among the three, or anything for root; fsuid = euid. */
static void test_setresuid(void **state)
{
	(void)state;
	struct cred c = user(0, 0);
	assert_int_equal(cred_setresuid(&c, 1, 2, 3), 0);
	assert_uids(&c, 1, 2, 3, 2);
	assert_int_equal(cred_setresuid(&c, 3, 1, 2), 0);
	assert_uids(&c, 3, 1, 2, 1);
	assert_int_equal(cred_setresuid(&c, 4, NONE, NONE), -EPERM);
	assert_int_equal(cred_setresuid(&c, NONE, NONE, 0), -EPERM);
	assert_uids(&c, 3, 1, 2, 1);
	c.fsuid = 9;
	assert_int_equal(cred_setresuid(&c, NONE, NONE, NONE), 0);
	assert_uids(&c, 3, 1, 2, 1); /* fsuid follows euid even then */
}

static void test_setgid_family(void **state)
{
	(void)state;
	struct cred c = user(0, 0);
	assert_int_equal(cred_setresgid(&c, 7, 8, 9), 0);
	assert_int_equal(c.gid, 7);
	assert_int_equal(c.egid, 8);
	assert_int_equal(c.sgid, 9);
	assert_int_equal(c.fsgid, 8);
	/* Privilege is the effective uid's, not the gid's. */
	c.euid = 1000;
	assert_int_equal(cred_setgid(&c, 0), -EPERM);
	assert_int_equal(cred_setgid(&c, 9), 0);
	assert_int_equal(c.egid, 9);
	assert_int_equal(c.gid, 7);
	assert_int_equal(cred_setregid(&c, 9, NONE), 0); /* real to effective */
	assert_int_equal(c.gid, 9);
	assert_int_equal(c.sgid, 9);
	assert_int_equal(cred_setregid(&c, 1, NONE), -EPERM);
	assert_int_equal(cred_setresgid(&c, 1, NONE, NONE), -EPERM);
}

/* setfsuid: returns the old value; changes only to an id of the process. */
static void test_setfsuid(void **state)
{
	(void)state;
	struct cred c = user(1000, 1000);
	c.suid = 5;
	assert_int_equal(cred_setfsuid(&c, 0), 1000);
	assert_int_equal(c.fsuid, 1000);
	assert_int_equal(cred_setfsuid(&c, 5), 1000);
	assert_int_equal(c.fsuid, 5);
	assert_int_equal(cred_setfsuid(&c, NONE), 5);
	assert_int_equal(c.fsuid, 5);
	assert_int_equal(cred_setfsgid(&c, 3), 1000);
	assert_int_equal(c.fsgid, 1000);
	c = user(0, 0);
	assert_int_equal(cred_setfsuid(&c, 1234), 0);
	assert_int_equal(c.fsuid, 1234);
	assert_true(cred_privileged(&c)); /* euid still 0 */
}

/* setgroups: root only, sorted, at most CRED_NGROUPS_MAX. */
static void test_setgroups(void **state)
{
	(void)state;
	struct cred c = user(0, 0);
	uint32_t g[CRED_NGROUPS_MAX + 1] = { 1001, 5, 100, 5 };
	assert_int_equal(cred_setgroups(&c, g, 4), 0);
	assert_int_equal(c.ngroups, 4);
	assert_int_equal(c.groups[0], 5);
	assert_int_equal(c.groups[1], 5);
	assert_int_equal(c.groups[2], 100);
	assert_int_equal(c.groups[3], 1001);
	assert_int_equal(cred_setgroups(&c, g, CRED_NGROUPS_MAX + 1), -EINVAL);
	assert_int_equal(c.ngroups, 4);
	assert_true(cred_in_group(&c, 100));
	assert_false(cred_in_group(&c, 6));
	c.euid = 1;
	assert_int_equal(cred_setgroups(&c, g, 0), -EPERM);
	assert_int_equal(c.ngroups, 4);
}

/* execve: the saved and fs ids take the effective ones. */
static void test_exec(void **state)
{
	(void)state;
	struct cred c = user(1000, 1000);
	c.euid = 0;
	c.suid = 77;
	c.fsuid = 5;
	c.egid = 3;
	cred_exec(&c);
	assert_uids(&c, 1000, 0, 0, 0);
	assert_int_equal(c.sgid, 3);
	assert_int_equal(c.fsgid, 3);
}

/* File modes: owner bits, else group bits, else other bits. */
static void test_permission(void **state)
{
	(void)state;
	const uint32_t reg = 0100000, dir = 0040000;
	struct cred alice = user(1000, 1000), root = user(0, 0);
	uint32_t users = 100;
	cred_setgroups(&root, &users, 1);
	alice.ngroups = 1;
	alice.groups[0] = 100;

	assert_int_equal(cred_permission(&alice, reg | 0600, 1000, 0, MAY_READ),
			 0);
	assert_int_equal(cred_permission(&alice, reg | 0600, 0, 0, MAY_READ),
			 -EACCES);
	/* The owner gets the owner's bits only, even if others have more. */
	assert_int_equal(cred_permission(&alice, reg | 0077, 1000, 0, MAY_READ),
			 -EACCES);
	/* A supplementary group counts; fsgid counts. */
	assert_int_equal(cred_permission(&alice, reg | 0040, 0, 100, MAY_READ),
			 0);
	assert_int_equal(cred_permission(&alice, reg | 0040, 0, 1000, MAY_READ),
			 0);
	assert_int_equal(cred_permission(&alice, reg | 0044, 0, 7,
					 MAY_READ | MAY_WRITE),
			 -EACCES);
	assert_int_equal(cred_permission(&alice, dir | 0700, 0, 0, MAY_EXEC),
			 -EACCES);
	assert_int_equal(cred_permission(&alice, dir | 0701, 0, 0, MAY_EXEC),
			 0);
	/* Root reads and writes anything, searches any directory, but
	 * executes only what has an x bit. */
	assert_int_equal(cred_permission(&root, reg | 0000, 5, 5,
					 MAY_READ | MAY_WRITE),
			 0);
	assert_int_equal(cred_permission(&root, dir | 0000, 5, 5, MAY_EXEC), 0);
	assert_int_equal(cred_permission(&root, reg | 0644, 5, 5, MAY_EXEC),
			 -EACCES);
	assert_int_equal(cred_permission(&root, reg | 0010, 5, 5, MAY_EXEC), 0);
	/* The file-system uid decides, not the effective one. */
	root.fsuid = 1000;
	assert_int_equal(cred_permission(&root, reg | 0600, 0, 0, MAY_READ),
			 -EACCES);
	alice.fsuid = 0;
	assert_int_equal(cred_permission(&alice, reg | 0600, 5, 5, MAY_READ),
			 0);
}

/* kill: real or effective uid of the sender against real or saved of the
 * target. */
static void test_signal(void **state)
{
	(void)state;
	struct cred a = user(1000, 1000), b = user(1001, 1001);
	struct cred root = user(0, 0);
	assert_false(cred_may_signal(&a, &b));
	assert_false(cred_may_signal(&a, &root));
	assert_true(cred_may_signal(&root, &a));
	assert_true(cred_may_signal(&a, &a));
	b.suid = 1000; /* the target may switch to 1000 */
	assert_true(cred_may_signal(&a, &b));
	b = user(1001, 1001);
	b.euid = 1000; /* the target's effective uid does not count */
	assert_false(cred_may_signal(&a, &b));
	a.euid = 1001; /* the sender's effective uid does */
	b = user(1001, 1001);
	assert_true(cred_may_signal(&a, &b));
	struct cred split = user(1000, 1000), plain = user(1000, 1000);
	split.euid = 0;
	assert_true(cred_may_signal(&plain, &split));
}

/* Reading another process's memory: every id equal, or root. */
static void test_read_mm(void **state)
{
	(void)state;
	struct cred a = user(1000, 1000), t = user(1000, 1000);
	assert_true(cred_may_read_mm(&a, &t));
	t.suid = 0; /* could become root again */
	assert_false(cred_may_read_mm(&a, &t));
	t = user(1000, 1000);
	t.sgid = 5;
	assert_false(cred_may_read_mm(&a, &t));
	struct cred root = user(0, 0);
	assert_true(cred_may_read_mm(&root, &t));
	/* fsuid is the reader's id here. */
	struct cred r = user(0, 0), plain = user(1000, 1000);
	r.fsuid = 1000;
	r.euid = 1000;
	r.fsgid = 1000;
	assert_true(cred_may_read_mm(&r, &plain));
}

/* SysV IPC: owner or creator, then the group, then others; owner ops. */
static void test_ipc(void **state)
{
	(void)state;
	struct ipc_owner o = { .uid = 0,
			       .gid = 100,
			       .cuid = 0,
			       .cgid = 0,
			       .mode = 0640 };
	struct cred a = user(1000, 1000), b = user(1001, 1001);
	a.ngroups = 1;
	a.groups[0] = 100;
	assert_int_equal(cred_ipc_permission(&a, &o, 0444), 0);
	assert_int_equal(cred_ipc_permission(&a, &o, 0666), -EACCES);
	assert_int_equal(cred_ipc_permission(&b, &o, 0444), -EACCES);
	assert_int_equal(cred_ipc_permission(&b, &o, 0), 0);
	struct cred root = user(0, 0), root5 = user(0, 5);
	assert_int_equal(cred_ipc_permission(&root, &o, 0777), 0);
	/* The creator counts like the owner. */
	o.cuid = 1001;
	assert_int_equal(cred_ipc_permission(&b, &o, 0600), 0);
	assert_int_equal(cred_ipc_owner(&b, &o), 0);
	assert_int_equal(cred_ipc_owner(&a, &o), -EPERM);
	assert_int_equal(cred_ipc_owner(&root5, &o), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_starts_with_nothing),
		cmocka_unit_test(test_setuid),
		cmocka_unit_test(test_setreuid),
		cmocka_unit_test(test_setresuid),
		cmocka_unit_test(test_setgid_family),
		cmocka_unit_test(test_setfsuid),
		cmocka_unit_test(test_setgroups),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_permission),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_read_mm),
		cmocka_unit_test(test_ipc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
