/*
 * tests/user/tls_segments.c - TLS segments (set_thread_area) and the
 * segment registers that hold their selectors.
 *
 * A program may load the selector of one of its three TLS entries into
 * %ds, %es, %fs or %gs (glibc keeps its own entry in %gs), and then change
 * or clear that entry with set_thread_area. The CPU keeps using the copy
 * of the old descriptor it loaded with the selector, until the register is
 * loaded again; an i386 kernel loads all four from the saved trap frame on
 * every return to user mode, and a cleared entry then makes that load
 * fault inside the kernel. Linux recovers: the register gets the null
 * selector, the call succeeds, and the process is killed (SIGSEGV) only
 * when it uses the register. This test checks those facts for each
 * register, and set_thread_area's checks of struct user_desc (which
 * descriptors Linux refuses, with which errno) and what get_thread_area
 * reads back.
 *
 * Some facts differ between the references and are not printed:
 *  - Entry numbers: a 64-bit Linux gives i386 programs GDT entries 12-14,
 *    i386 Linux and Pagoda 6-8. Entries are printed relative to glibc's,
 *    the first one, and selectors only as "null" or "unchanged".
 *  - What a null %ds or %es does when used: a CPU raises #GP for any access
 *    through a null selector (Intel SDM vol. 3A, 5.4.1), but QEMU's TCG,
 *    which runs both the Linux reference and Pagoda here, does not check
 *    and uses base 0, so a program with a null %ds carries on. Only reads
 *    through %fs:0 and %gs:0 are made, which fault either way (#GP on a
 *    CPU, a page fault at address 0 under TCG) and end in SIGSEGV.
 *  - Selectors with RPL 0: a 64-bit Linux reloads a register only if it
 *    holds exactly (entry << 3) | 3, so they are not used.
 *
 * The sequences that leave a segment register in an unusual state are
 * single asm statements using int $0x80 directly: no glibc code runs while
 * %gs is not glibc's.
 */
#include "utest.h"

#include <sys/syscall.h>

/* struct user_desc (asm/ldt.h): four words, the last holding bit-fields. */
struct ud {
	uint32_t entry_number;
	uint32_t base_addr;
	uint32_t limit;
	uint32_t flags;
};

/* The bit-fields of the flags word, from bit 0 (asm/ldt.h). */
#define UD_SEG_32BIT (1u << 0)
/* contents: 0 data, 1 expand-down data, 2 code, 3 conforming code */
#define UD_CONTENTS(c) ((uint32_t)(c) << 1)
#define UD_READ_EXEC_ONLY (1u << 3)
#define UD_LIMIT_IN_PAGES (1u << 4)
#define UD_SEG_NOT_PRESENT (1u << 5)
#define UD_USEABLE (1u << 6)
/*
 * Bit 7 is `lm` in a 64-bit kernel's view of the structure and nothing in
 * an i386 one; bits 8-31 are unused by both. Only bits 8-31 are tested.
 */
#define UD_UNUSED_BITS 0xFFFFFF00u

/* A flat 32-bit data segment, limit in pages: what glibc asks for. */
#define FLAT (UD_SEG_32BIT | UD_LIMIT_IN_PAGES)
/* "No segment": the two forms Linux accepts for clearing an entry. */
#define EMPTY_FLAGS (UD_READ_EXEC_ONLY | UD_SEG_NOT_PRESENT)
#define ZERO_FLAGS 0u

static unsigned char buf1[64] = { 0x11 };
static unsigned char buf2[64] = { 0x22 };
static uint32_t first; /* glibc's entry, the first TLS entry */

/* set_thread_area: 0 or the errno. */
static int set_area(struct ud *d)
{
	return syscall(SYS_set_thread_area, d) ? errno : 0;
}

/* get_thread_area: 0 or the errno. */
static int get_area(struct ud *d)
{
	return syscall(SYS_get_thread_area, d) ? errno : 0;
}

/* The selector of a GDT entry with RPL 3. */
static uint32_t selector(uint32_t entry)
{
	return entry << 3 | 3;
}

/* Names a descriptor base the test chose. */
static const char *base_name(uint32_t base)
{
	if (base == (uint32_t)buf1)
		return "buf1";
	if (base == (uint32_t)buf2)
		return "buf2";
	if (base == 0)
		return "0";
	if (base == 0xC0000000u)
		return "0xc0000000";
	return "other";
}

/* Reads an entry back; prints and checks base, limit and flags. */
static void check_entry(const char *what, uint32_t entry, uint32_t base,
			uint32_t limit, uint32_t flags)
{
	struct ud g = { .entry_number = entry };
	int err = get_area(&g);

	ut_check(!err && g.entry_number == entry && g.base_addr == base &&
			 g.limit == limit && g.flags == flags,
		 "%s: get_thread_area %s, base %s, limit 0x%x, flags 0x%x",
		 what, ut_errname(err), base_name(g.base_addr), g.limit,
		 g.flags);
}

/* Sets entry to a descriptor; returns the errno. */
static int set_entry(uint32_t entry, uint32_t base, uint32_t limit,
		     uint32_t flags)
{
	struct ud d = { entry, base, limit, flags };

	return set_area(&d);
}

static void start_state(void)
{
	uint32_t fs, gs, ds, es, ss;

	__asm__ volatile("mov %%fs, %0" : "=r"(fs));
	__asm__ volatile("mov %%gs, %0" : "=r"(gs));
	__asm__ volatile("mov %%ds, %0" : "=r"(ds));
	__asm__ volatile("mov %%es, %0" : "=r"(es));
	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	fs &= 0xffff;
	gs &= 0xffff;
	ut_check(fs == 0, "at start %%fs is the null selector");
	ut_check((gs & 7) == 3, "%%gs selects a GDT entry with RPL 3");
	ut_check((ds & 0xffff) == (ss & 0xffff) &&
			 (es & 0xffff) == (ss & 0xffff),
		 "%%ds and %%es hold the same selector as %%ss");
	first = gs >> 3;
	/* glibc's entry: its TLS block, 4 GiB in pages, 32-bit, useable. */
	struct ud g = { .entry_number = first };
	int err = get_area(&g);
	ut_check(!err && g.limit == 0xfffff && g.flags == (FLAT | UD_USEABLE),
		 "glibc's entry: limit 0x%x, flags 0x%x", g.limit, g.flags);
	g.entry_number = first - 1;
	ut_check(get_area(&g) == EINVAL,
		 "the entry below glibc's is not a TLS entry: EINVAL");
}

struct desc_case {
	const char *name;
	uint32_t base, limit, flags;
	int err;			/* expected errno of set_thread_area */
	uint32_t rbase, rlimit, rflags; /* then read back (if err == 0) */
};

/* What set_thread_area accepts, refuses and stores, on entry e. */
static void descriptor_checks(uint32_t e)
{
	const uint32_t b1 = (uint32_t)buf1;
	const struct desc_case cases[] = {
		/* Refused: only present 32-bit data segments are TLS. */
		{ "not present", b1, 0xfffff, FLAT | UD_SEG_NOT_PRESENT, EINVAL,
		  0, 0, 0 },
		{ "execute-only code", b1, 0xfffff,
		  FLAT | UD_CONTENTS(2) | UD_READ_EXEC_ONLY, EINVAL, 0, 0, 0 },
		{ "readable code", b1, 0xfffff, FLAT | UD_CONTENTS(2), EINVAL,
		  0, 0, 0 },
		{ "conforming code", b1, 0xfffff, FLAT | UD_CONTENTS(3), EINVAL,
		  0, 0, 0 },
		{ "16-bit data", b1, 0xfffff, UD_LIMIT_IN_PAGES, EINVAL, 0, 0,
		  0 },
		{ "empty but 32-bit", 0, 0, EMPTY_FLAGS | UD_SEG_32BIT, EINVAL,
		  0, 0, 0 },
		{ "empty but limit in pages", 0, 0,
		  EMPTY_FLAGS | UD_LIMIT_IN_PAGES, EINVAL, 0, 0, 0 },
		{ "empty but useable", 0, 0, EMPTY_FLAGS | UD_USEABLE, EINVAL,
		  0, 0, 0 },
		{ "empty but a base", 4096, 0, EMPTY_FLAGS, EINVAL, 0, 0, 0 },
		/* Accepted, and read back as the descriptor holds them. */
		{ "read-only data", b1, 0xfffff, FLAT | UD_READ_EXEC_ONLY, 0,
		  b1, 0xfffff, FLAT | UD_READ_EXEC_ONLY },
		{ "expand-down data", b1, 0xfffff, FLAT | UD_CONTENTS(1), 0, b1,
		  0xfffff, FLAT | UD_CONTENTS(1) },
		{ "useable", b1, 0xfffff, FLAT | UD_USEABLE, 0, b1, 0xfffff,
		  FLAT | UD_USEABLE },
		{ "byte limit 0x12345678", b1, 0x12345678, UD_SEG_32BIT, 0, b1,
		  0x45678, UD_SEG_32BIT },
		{ "unused flag bits set", b1, 0xfffff, FLAT | UD_UNUSED_BITS, 0,
		  b1, 0xfffff, FLAT },
		{ "kernel-space base", 0xC0000000u, 0xfffff, FLAT, 0,
		  0xC0000000u, 0xfffff, FLAT },
		/* The two ways to clear an entry; unused bits are ignored. */
		{ "clear (empty form)", 0, 0, EMPTY_FLAGS, 0, 0, 0,
		  EMPTY_FLAGS },
		{ "clear (all-zero form)", 0, 0, ZERO_FLAGS, 0, 0, 0,
		  EMPTY_FLAGS },
		{ "clear with unused bits", 0, 0, EMPTY_FLAGS | UD_UNUSED_BITS,
		  0, 0, 0, EMPTY_FLAGS },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct desc_case *c = &cases[i];
		char what[80];

		/* Start each case from the flat segment at buf1. */
		set_entry(e, b1, 0xfffff, FLAT);
		int err = set_entry(e, c->base, c->limit, c->flags);
		ut_check(err == c->err, "set_thread_area %s: %s", c->name,
			 ut_errname(err));
		snprintf(what, sizeof(what), "  after %s", c->name);
		if (c->err)
			check_entry(what, e, b1, 0xfffff, FLAT);
		else
			check_entry(what, e, c->rbase, c->rlimit, c->rflags);
	}
	set_entry(e, b1, 0xfffff, FLAT);
}

/* Entry numbers: the TLS range, allocation with -1, bad pointers. */
static void entry_checks(uint32_t e)
{
	const struct {
		const char *name;
		uint32_t entry;
	} bad[] = {
		{ "first-1", first - 1 },
		{ "first+3", first + 3 },
		{ "-2", 0xFFFFFFFEu },
		{ "first+0x80000000", first + 0x80000000u },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err =
			set_entry(bad[i].entry, (uint32_t)buf1, 0xfffff, FLAT);
		ut_check(err == EINVAL, "set_thread_area entry %s: %s",
			 bad[i].name, ut_errname(err));
		struct ud g = { .entry_number = bad[i].entry };
		err = get_area(&g);
		ut_check(err == EINVAL, "get_thread_area entry %s: %s",
			 bad[i].name, ut_errname(err));
	}
	struct ud g = { .entry_number = 0xFFFFFFFFu };
	int err = get_area(&g);
	ut_check(err == EINVAL, "get_thread_area entry -1: %s",
		 ut_errname(err));

	/* glibc has the first entry, e the second: -1 gives the third. */
	struct ud d = { 0xFFFFFFFFu, (uint32_t)buf2, 0xfffff, FLAT };
	err = set_area(&d);
	ut_check(!err && d.entry_number == first + 2,
		 "entry -1 allocates: %s, entry first+%d", ut_errname(err),
		 (int)(d.entry_number - first));
	check_entry("  the new entry", first + 2, (uint32_t)buf2, 0xfffff,
		    FLAT);
	d.entry_number = 0xFFFFFFFFu;
	err = set_area(&d);
	ut_check(err == ESRCH && d.entry_number == 0xFFFFFFFFu,
		 "entry -1 with all three in use: %s, entry_number %s",
		 ut_errname(err),
		 d.entry_number == 0xFFFFFFFFu ? "unchanged" : "changed");
	d.flags = UD_LIMIT_IN_PAGES; /* 16-bit: checked before allocating */
	err = set_area(&d);
	ut_check(err == EINVAL,
		 "entry -1, all in use, bad descriptor: %s (checked first)",
		 ut_errname(err));
	/* A cleared entry is free again; the lowest free one is chosen. */
	set_entry(e, 0, 0, EMPTY_FLAGS);
	d = (struct ud){ 0xFFFFFFFFu, (uint32_t)buf1, 0xfffff, FLAT };
	err = set_area(&d);
	ut_check(!err && d.entry_number == e,
		 "entry -1 reuses the cleared entry: %s, entry first+%d",
		 ut_errname(err), (int)(d.entry_number - first));
	set_entry(first + 2, 0, 0, EMPTY_FLAGS);
	check_entry("  a cleared entry", first + 2, 0, 0, EMPTY_FLAGS);

	ut_check(syscall(SYS_set_thread_area, NULL) == -1 && errno == EFAULT,
		 "set_thread_area(NULL): EFAULT");
	ut_check(syscall(SYS_get_thread_area, NULL) == -1 && errno == EFAULT,
		 "get_thread_area(NULL): EFAULT");
}

/*
 * Loads sel into the segment register REG, calls set_thread_area(d) with
 * int $0x80, reads REG back into *after, and restores REG. One asm
 * statement, so nothing uses REG while it holds sel. A macro because the
 * register's name is part of the instruction text.
 */
#define SEG_SET_AREA(REG, sel, d, ret, after)                                  \
	__asm__ volatile("push %%" REG "\n\t"                                  \
			 "mov %[s], %%" REG "\n\t"                             \
			 "int $0x80\n\t"                                       \
			 "mov %%" REG ", %[a]\n\t"                             \
			 "pop %%" REG                                          \
			 : "=a"(ret), [a] "=&r"(after)                         \
			 : "0"(SYS_set_thread_area), "b"(d), [s] "r"(sel)      \
			 : "memory")

/* The same, and reads the byte at REG:0 after the call into *byte. */
#define SEG_SET_AREA_READ(REG, sel, d, ret, after, byte)                       \
	__asm__ volatile("push %%" REG "\n\t"                                  \
			 "mov %[s], %%" REG "\n\t"                             \
			 "int $0x80\n\t"                                       \
			 "movzbl %%" REG ":0, %[b]\n\t"                        \
			 "mov %%" REG ", %[a]\n\t"                             \
			 "pop %%" REG                                          \
			 : "=a"(ret), [a] "=&r"(after), [b] "=&r"(byte)        \
			 : "0"(SYS_set_thread_area), "b"(d), [s] "r"(sel)      \
			 : "memory")

enum seg {
	SEG_DS,
	SEG_ES,
	SEG_FS,
	SEG_GS
};
static const char *const seg_name[] = { "%ds", "%es", "%fs", "%gs" };

/* set_thread_area(d) while reg holds sel; returns -errno or 0. */
static int set_area_loaded(enum seg reg, uint32_t sel, struct ud *d,
			   uint32_t *after)
{
	int ret;

	switch (reg) {
	case SEG_DS:
		SEG_SET_AREA("ds", sel, d, ret, *after);
		break;
	case SEG_ES:
		SEG_SET_AREA("es", sel, d, ret, *after);
		break;
	case SEG_FS:
		SEG_SET_AREA("fs", sel, d, ret, *after);
		break;
	default:
		SEG_SET_AREA("gs", sel, d, ret, *after);
		break;
	}
	*after &= 0xffff;
	return ret;
}

/* The same for %fs or %gs, reading the byte at reg:0 afterwards. */
static int set_area_loaded_read(enum seg reg, uint32_t sel, struct ud *d,
				uint32_t *after, uint32_t *byte)
{
	int ret;

	if (reg == SEG_FS)
		SEG_SET_AREA_READ("fs", sel, d, ret, *after, *byte);
	else
		SEG_SET_AREA_READ("gs", sel, d, ret, *after, *byte);
	*after &= 0xffff;
	return ret;
}

/* Changes to entry e while each register holds its selector. */
static void loaded_register_checks(uint32_t e)
{
	const uint32_t sel = selector(e);

	for (enum seg r = SEG_DS; r <= SEG_GS; r++) {
		const char *n = seg_name[r];
		uint32_t after, byte;
		int ret;
		/* A flat segment, so that %ds and %es work with it too. */
		struct ud flat = { e, 0, 0xfffff, FLAT };
		struct ud flat2 = { e, 0, 0xfffff, FLAT | UD_USEABLE };
		struct ud notpresent = { e, 0, 0xfffff,
					 FLAT | UD_SEG_NOT_PRESENT };
		struct ud empty = { e, 0, 0, EMPTY_FLAGS };
		struct ud zero = { e, 0, 0, ZERO_FLAGS };

		set_area(&flat);
		ret = set_area_loaded(r, sel, &flat2, &after);
		ut_check(ret == 0 && after == sel,
			 "%s loaded, entry replaced: %s, %s %s", n,
			 ut_errname(-ret), n,
			 after == sel ? "unchanged" : "changed");
		ret = set_area_loaded(r, sel, &notpresent, &after);
		ut_check(ret == -EINVAL && after == sel,
			 "%s loaded, entry made not present: %s, %s %s", n,
			 ut_errname(-ret), n,
			 after == sel ? "unchanged" : "changed");
		ret = set_area_loaded(r, sel, &empty, &after);
		ut_check(ret == 0 && after == 0,
			 "%s loaded, entry cleared (empty form): %s, %s %s", n,
			 ut_errname(-ret), n, after ? "not null" : "null");
		set_area(&flat);
		ret = set_area_loaded(r, sel, &zero, &after);
		ut_check(ret == 0 && after == 0,
			 "%s loaded, entry cleared (all-zero form): %s, %s %s",
			 n, ut_errname(-ret), n, after ? "not null" : "null");
		if (r < SEG_FS)
			continue;
		/* Through %fs and %gs: the base seen right after the call. */
		struct ud at1 = { e, (uint32_t)buf1, 0xfffff, FLAT };
		struct ud at2 = { e, (uint32_t)buf2, 0xfffff, FLAT };
		struct ud at2np = { e, (uint32_t)buf2, 0xfffff,
				    FLAT | UD_SEG_NOT_PRESENT };
		set_area(&at1);
		ret = set_area_loaded_read(r, sel, &at2, &after, &byte);
		ut_check(ret == 0 && after == sel && byte == buf2[0],
			 "%s loaded, base moved to buf2: %s, %s:0 reads 0x%02x",
			 n, ut_errname(-ret), n, byte);
		ret = set_area_loaded_read(r, sel, &at2np, &after, &byte);
		ut_check(ret == -EINVAL && after == sel && byte == buf2[0],
			 "%s loaded, refused change: %s, %s:0 reads 0x%02x", n,
			 ut_errname(-ret), n, byte);
	}
	set_entry(e, (uint32_t)buf1, 0xfffff, FLAT);
}

static uint32_t child_entry;

/* Clears child_entry while %fs holds it, then reads %fs:0. */
static int use_cleared_fs(void *arg)
{
	struct ud empty = { child_entry, 0, 0, EMPTY_FLAGS };
	uint32_t v;

	(void)arg;
	__asm__ volatile("mov %[s], %%fs\n\t"
			 "int $0x80\n\t"
			 "movzbl %%fs:0, %[v]"
			 : [v] "=&r"(v)
			 : "a"(SYS_set_thread_area),
			   "b"(&empty), [s] "r"(selector(child_entry))
			 : "memory");
	return 0;
}

/* The same through %gs (the test's own entry, not glibc's). */
static int use_cleared_gs(void *arg)
{
	struct ud empty = { child_entry, 0, 0, EMPTY_FLAGS };
	uint32_t v;

	(void)arg;
	__asm__ volatile("mov %[s], %%gs\n\t"
			 "int $0x80\n\t"
			 "movzbl %%gs:0, %[v]"
			 : [v] "=&r"(v)
			 : "a"(SYS_set_thread_area),
			   "b"(&empty), [s] "r"(selector(child_entry))
			 : "memory");
	return 0;
}

/* Clears child_entry while %fs holds it, then loads the selector again. */
static int reload_cleared(void *arg)
{
	struct ud empty = { child_entry, 0, 0, EMPTY_FLAGS };

	(void)arg;
	__asm__ volatile("mov %[s], %%fs\n\t"
			 "int $0x80\n\t"
			 "mov %[s], %%fs"
			 :
			 : "a"(SYS_set_thread_area),
			   "b"(&empty), [s] "r"(selector(child_entry))
			 : "memory");
	return 0;
}

/*
 * Clears glibc's own entry, which %gs holds, and exits (raw exit, no
 * glibc) with 0 if %gs then reads as the null selector, 1 if not.
 */
static int clear_glibc_entry(void *arg)
{
	struct ud empty = { first, 0, 0, EMPTY_FLAGS };

	(void)arg;
	__asm__ volatile("int $0x80\n\t"
			 "mov %%gs, %%ebx\n\t"
			 "and $0xffff, %%ebx\n\t"
			 "setnz %%bl\n\t"
			 "movzbl %%bl, %%ebx\n\t"
			 "mov %[exit], %%eax\n\t"
			 "int $0x80"
			 :
			 : "a"(SYS_set_thread_area),
			   "b"(&empty), [exit] "i"(SYS_exit)
			 : "memory");
	return 2;
}

/* Clears glibc's entry, then reads %gs:0 as glibc would. */
static int use_cleared_glibc_entry(void *arg)
{
	struct ud empty = { first, 0, 0, EMPTY_FLAGS };
	uint32_t v;

	(void)arg;
	__asm__ volatile("int $0x80\n\t"
			 "movl %%gs:0, %[v]"
			 : [v] "=&r"(v)
			 : "a"(SYS_set_thread_area), "b"(&empty)
			 : "memory");
	return 0;
}

/* Reads %fs:0 and exits 0 if it is buf1's byte and %fs is unchanged. */
static int fs_still_works(void *arg)
{
	uint32_t fs, v;

	(void)arg;
	__asm__ volatile("mov %%fs, %0" : "=r"(fs));
	__asm__ volatile("movzbl %%fs:0, %0" : "=r"(v));
	return (fs & 0xffff) == selector(child_entry) && v == buf1[0] ? 0 : 1;
}

/* Clears the entry in this process only. */
static int clear_own_copy(void *arg)
{
	(void)arg;
	return set_entry(child_entry, 0, 0, EMPTY_FLAGS);
}

/* Processes: using a cleared register, fork, a child's own changes. */
static void process_checks(uint32_t e)
{
	const struct {
		const char *name;
		int (*fn)(void *);
		const char *expect;
	} cases[] = {
		{ "%fs cleared, then %fs:0 read", use_cleared_fs, "SIGSEGV" },
		{ "%gs cleared, then %gs:0 read", use_cleared_gs, "SIGSEGV" },
		{ "%fs cleared, then its selector loaded again", reload_cleared,
		  "SIGSEGV" },
		{ "glibc's entry cleared: %gs null, the process goes on",
		  clear_glibc_entry, "ok" },
		{ "glibc's entry cleared, then %gs:0 read",
		  use_cleared_glibc_entry, "SIGSEGV" },
	};

	child_entry = e;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_entry(e, (uint32_t)buf1, 0xfffff, FLAT);
		int status = ut_in_child(cases[i].fn, NULL);
		const char *got = ut_probe_result(status);
		ut_check(!strcmp(got, cases[i].expect), "child: %s: %s",
			 cases[i].name, got);
	}

	/* The parent keeps %fs loaded through fork and the child's exit. */
	set_entry(e, (uint32_t)buf1, 0xfffff, FLAT);
	__asm__ volatile("mov %0, %%fs" : : "r"(selector(e)));
	int status = ut_in_child(fs_still_works, NULL);
	ut_check(ut_exited(status, 0),
		 "after fork the child's %%fs works as the parent's: %s",
		 ut_status(status));
	status = ut_in_child(clear_own_copy, NULL);
	ut_check(ut_exited(status, 0), "a child clears its copy: %s",
		 ut_status(status));
	status = fs_still_works(NULL);
	ut_check(status == 0, "the parent's %%fs still works");
	check_entry("  the parent's entry", e, (uint32_t)buf1, 0xfffff, FLAT);
	__asm__ volatile("mov %0, %%fs" : : "r"(0));
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	start_state();

	struct ud d = { 0xFFFFFFFFu, (uint32_t)buf1, 0xfffff, FLAT };
	int err = set_area(&d);
	ut_check(!err && d.entry_number == first + 1,
		 "entry -1 allocates the next entry: %s, first+%d",
		 ut_errname(err), (int)(d.entry_number - first));
	uint32_t e = d.entry_number;

	descriptor_checks(e);
	entry_checks(e);
	loaded_register_checks(e);
	process_checks(e);
	return ut_end();
}
