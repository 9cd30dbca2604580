/*
 * tests/user/ldt_segments.c - modify_ldt and the segments of a process's
 * own local descriptor table, compared with Linux.
 *
 * What is checked:
 *  - modify_ldt's interface: read (func 0) with and without an LDT, the
 *    default LDT (func 2), old-mode (1) and new-mode (0x11) writes, the
 *    errors (EINVAL for a wrong size, entry 8192, a conforming code
 *    segment; EFAULT; ENOSYS for an unknown func).
 *  - Every struct user_desc field, by the descriptor bytes read back:
 *    base_addr, limit, seg_32bit, contents, read_exec_only,
 *    limit_in_pages, seg_not_present, useable, and the two ways of
 *    clearing an entry.
 *  - Segments in use: a data segment with a base, loaded into %ds, %es,
 *    %fs and %gs, read through; a far call through an LDT code segment.
 *  - The faults the CPU raises when a selector is loaded, which QEMU's TCG
 *    raises too (it checks the descriptor at the load): not present (#NP:
 *    SIGBUS), past the LDT's end, execute-only code in a data register,
 *    a read-only segment in %ss (#GP: SIGSEGV), all with si_code
 *    SI_KERNEL; and a far call past a code segment's limit (#GP).
 *  - An entry cleared, made not present or made a code segment while a
 *    register holds its selector: the register becomes null, the call
 *    succeeds, and the process is killed only when it uses the register.
 *    An entry changed to another data segment is used at the next load.
 *    The %cs or %ss entry cleared: the return to the program fails and
 *    the process is killed. sigreturn with an LDT selector in the frame's
 *    %fs: kept if the CPU takes it, else null.
 *  - fork copies the LDT, execve starts without one.
 *
 * Not checked here, because QEMU's TCG (which runs both kernels in this
 * project) does not do it: limit and type checks of data accesses (a read
 * past a byte-granular limit, a write through a read-only segment, which
 * raise #GP on a CPU). segdemo (user/segdemo.c) shows them.
 *
 * Facts that differ between the references are not printed: a 64-bit
 * Linux reloads %fs and %gs from a changed LDT only when it switches
 * processes (i386 Linux and Pagoda at the end of every system call), so
 * the reload cases switch processes (a child that exits at once) before
 * they look; its default LDT (func 2) is 128 bytes, i386's 40, so only up
 * to 40 are read.
 */
#include "utest.h"

#include <sys/syscall.h>
#include <ucontext.h>

/* struct user_desc (asm/ldt.h): four words, the last holding bit-fields. */
struct ud {
	uint32_t entry_number;
	uint32_t base_addr;
	uint32_t limit;
	uint32_t flags;
};

#define UD_SEG_32BIT (1u << 0)
/* contents: 0 data, 1 expand-down data, 2 code, 3 conforming code */
#define UD_CONTENTS(c) ((uint32_t)(c) << 1)
#define UD_READ_EXEC_ONLY (1u << 3)
#define UD_LIMIT_IN_PAGES (1u << 4)
#define UD_SEG_NOT_PRESENT (1u << 5)
#define UD_USEABLE (1u << 6)
/* Bits 8-31: nothing (bit 7 is a 64-bit kernel's `lm`: not used). */
#define UD_UNUSED_BITS 0xFFFFFF00u
#define UD_EMPTY (UD_READ_EXEC_ONLY | UD_SEG_NOT_PRESENT)
#define FLAT32 (UD_SEG_32BIT | UD_LIMIT_IN_PAGES)

#define LDT_ENTRIES 8192
#define SEL(entry) ((uint32_t)(entry) << 3 | 4 | 3) /* TI = 1, RPL 3 */

static uint32_t data[64] = { 0x11111111, 0x22222222, 0x33333333 };
static uint32_t other[64] = { 0xAAAAAAAA, 0xBBBBBBBB };

/* modify_ldt: the result, or -errno. */
static int ldt(int func, void *ptr, unsigned long n)
{
	long r = syscall(SYS_modify_ldt, func, ptr, n);
	return r < 0 ? -errno : (int)r;
}

/* Writes entry e (new mode): 0 or the errno. */
static int set(uint32_t e, uint32_t base, uint32_t limit, uint32_t flags)
{
	struct ud u = { e, base, limit, flags };
	int r = ldt(0x11, &u, sizeof(u));
	return r < 0 ? -r : 0;
}

static int set_old(uint32_t e, uint32_t base, uint32_t limit, uint32_t flags)
{
	struct ud u = { e, base, limit, flags };
	int r = ldt(1, &u, sizeof(u));
	return r < 0 ? -r : 0;
}

static const char *res(int r)
{
	static char buf[32];
	if (r < 0)
		return ut_errname(-r);
	snprintf(buf, sizeof(buf), "%d", r);
	return buf;
}

/* The descriptor of entry e as modify_ldt(0) reads it. */
static uint64_t desc(uint32_t e)
{
	static uint64_t table[LDT_ENTRIES];
	int n = ldt(0, table, (e + 1) * 8);
	return n == (int)((e + 1) * 8) ? table[e] : 0xDEADu;
}

/* Sets entry 1 and prints its descriptor, or the error. */
static void field(const char *what, int mode, uint32_t base, uint32_t limit,
		  uint32_t flags)
{
	int err = mode == 1 ? set_old(1, base, limit, flags)
			    : set(1, base, limit, flags);
	if (err)
		ut_fact("%-44s %s", what, ut_errname(err));
	else
		ut_fact("%-44s %016llx", what, (unsigned long long)desc(1));
}

static void interface(void)
{
	char buf[64];
	struct ud u = { 0, 0, 0, 0 };

	memset(buf, 0x55, sizeof(buf));
	ut_check(ldt(0, buf, sizeof(buf)) == 0 && buf[0] == 0x55,
		 "read with no LDT: 0, nothing written");
	ut_check(ldt(0, (void *)8, 64) == 0, "read with no LDT, bad pointer: 0");
	int r = ldt(2, buf, 40);
	ut_check(r == 40 && buf[0] == 0 && buf[39] == 0,
		 "default LDT, 40 bytes: %s, zeros", res(r));
	ut_fact("default LDT, 8 bytes: %s", res(ldt(2, buf, 8)));
	ut_fact("default LDT to a bad pointer: %s", res(ldt(2, (void *)8, 8)));
	ut_fact("func 3: %s", res(ldt(3, buf, 16)));
	ut_fact("func 0x10: %s", res(ldt(0x10, buf, 16)));
	ut_fact("func -1: %s", res(ldt(-1, buf, 16)));
	ut_fact("write, 15 bytes: %s", res(ldt(0x11, &u, 15)));
	ut_fact("write, 17 bytes: %s", res(ldt(0x11, &u, 17)));
	ut_fact("write, bad pointer: %s", res(ldt(0x11, (void *)8, 16)));
	ut_fact("write, old mode, bad pointer: %s", res(ldt(1, (void *)8, 16)));
	ut_fact("entry 8192: %s", ut_errname(set(8192, 0, 0xfffff, FLAT32)));
	ut_fact("entry -1: %s",
		ut_errname(set(0xffffffffu, 0, 0xfffff, FLAT32)));
	ut_fact("still no LDT after the errors: %s", res(ldt(0, buf, 64)));
	ut_fact("conforming code, present: %s",
		ut_errname(set(0, 0, 0xfffff, FLAT32 | UD_CONTENTS(3))));
	ut_fact("conforming code, old mode, not present: %s",
		ut_errname(set_old(0, 0, 0xfffff,
				   FLAT32 | UD_CONTENTS(3) |
					   UD_SEG_NOT_PRESENT)));

	/* The table grows to the highest entry written. */
	ut_fact("entry 2: %s", ut_errname(set(2, 0, 0xfffff, FLAT32)));
	ut_fact("read 64 bytes: %s", res(ldt(0, buf, 64)));
	ut_fact("read 8 bytes: %s", res(ldt(0, buf, 8)));
	ut_fact("read 0 bytes: %s", res(ldt(0, buf, 0)));
	ut_fact("read to a bad pointer: %s", res(ldt(0, (void *)8, 64)));
	memset(buf, 0x55, sizeof(buf));
	ldt(0, buf, 64);
	bool zero = true;
	for (int i = 24; i < 64; i++)
		zero = zero && buf[i] == 0;
	ut_check(zero, "bytes past the 3 entries read as zero");
}

static void fields(void)
{
	const uint32_t b = 0x12345678, l = 0xabcde;

	ut_fact("descriptors of entry 1 (high word, low word):");
	field("data, 32-bit, byte limit", 0x11, b, l, UD_SEG_32BIT);
	field("limit 0xffffffff (20 bits kept)", 0x11, b, 0xffffffffu,
	      UD_SEG_32BIT);
	field("16-bit", 0x11, b, l, 0);
	field("limit in pages", 0x11, b, l, FLAT32);
	field("expand-down (contents 1)", 0x11, b, l,
	      UD_SEG_32BIT | UD_CONTENTS(1));
	field("code (contents 2)", 0x11, b, l, UD_SEG_32BIT | UD_CONTENTS(2));
	field("conforming code, not present", 0x11, b, l,
	      UD_SEG_32BIT | UD_CONTENTS(3) | UD_SEG_NOT_PRESENT);
	field("read-only data", 0x11, b, l, UD_SEG_32BIT | UD_READ_EXEC_ONLY);
	field("execute-only code", 0x11, b, l,
	      UD_SEG_32BIT | UD_CONTENTS(2) | UD_READ_EXEC_ONLY);
	field("not present", 0x11, b, l, UD_SEG_32BIT | UD_SEG_NOT_PRESENT);
	field("useable", 0x11, b, l, UD_SEG_32BIT | UD_USEABLE);
	field("useable, old mode (dropped)", 1, b, l,
	      UD_SEG_32BIT | UD_USEABLE);
	field("bits 8-31 of the flags (ignored)", 0x11, b, l,
	      UD_SEG_32BIT | UD_UNUSED_BITS);
	field("every flag", 0x11, b, l,
	      UD_SEG_32BIT | UD_CONTENTS(1) | UD_READ_EXEC_ONLY |
		      UD_LIMIT_IN_PAGES | UD_SEG_NOT_PRESENT | UD_USEABLE);
	field("empty: cleared", 0x11, 0, 0, UD_EMPTY);
	field("all zero, new mode: a segment", 0x11, 0, 0, 0);
	field("base 0, limit 0, old mode: cleared", 1, 0, 0, FLAT32);
	field("base 0, limit 1, old mode: a segment", 1, 0, 1, FLAT32);
	field("empty but useable: a segment", 0x11, 0, 0,
	      UD_EMPTY | UD_USEABLE);
}

/* Reads a word through a segment register loaded with sel. */
#define READ_THROUGH(reg)                                                     \
	static uint32_t read_##reg(uint32_t sel, uint32_t off)                \
	{                                                                     \
		uint32_t v;                                                   \
		__asm__ volatile("push %%" #reg "\n\t"                        \
				 "mov %1, %%" #reg "\n\t"                     \
				 "mov %%" #reg ":(%2), %0\n\t"                \
				 "pop %%" #reg                                \
				 : "=&r"(v)                                   \
				 : "r"(sel), "r"(off)                         \
				 : "memory");                                 \
		return v;                                                     \
	}
READ_THROUGH(ds)
READ_THROUGH(es)
READ_THROUGH(fs)
READ_THROUGH(gs)

/* A far return, the target of the far calls below. */
__asm__(".text\n"
	"ldt_far_target:\n\t"
	"mov %cs, %eax\n\t"
	"lret\n");
extern char ldt_far_target[];

/*
 * Far call to ldt_far_target through selector sel, whose segment's base
 * is base; returns its %cs.
 */
static uint32_t far_call_at(uint32_t sel, uint32_t base)
{
	struct {
		uint32_t off;
		uint16_t sel;
	} __attribute__((packed)) fp = { (uint32_t)ldt_far_target - base,
					 (uint16_t)sel };
	uint32_t cs;
	__asm__ volatile("lcall *%1" : "=a"(cs) : "m"(fp) : "memory");
	return cs & 0xffff;
}

static uint32_t far_call(uint32_t sel)
{
	return far_call_at(sel, 0);
}

static void use(void)
{
	uint32_t base = (uint32_t)data;

	ut_check(set(0, base, sizeof(data) - 1, UD_SEG_32BIT) == 0,
		 "entry 0: a 256-byte data segment at data[]");
	ut_check(read_ds(SEL(0), 4) == data[1], "%%ds:4 reads data[1]");
	ut_check(read_es(SEL(0), 8) == data[2], "%%es:8 reads data[2]");
	ut_check(read_fs(SEL(0), 0) == data[0], "%%fs:0 reads data[0]");
	ut_check(read_gs(SEL(0), 4) == data[1], "%%gs:4 reads data[1]");
	ut_check(read_fs(SEL(0) & ~3u, 0) == data[0],
		 "the same with RPL 0 (max(CPL, RPL) <= DPL)");
	ut_check(set(0, base + 8, 15, 0) == 0 && read_fs(SEL(0), 0) == data[2],
		 "a 16-bit segment 8 bytes further: %%fs:0 reads data[2]");
	ut_check(set(0, base, 3, UD_SEG_32BIT | UD_READ_EXEC_ONLY) == 0 &&
			 read_fs(SEL(0), 0) == data[0],
		 "read-only, limit 3: %%fs:0 reads data[0]");
	ut_check(set(0, base, 0xfffff, FLAT32 | UD_CONTENTS(2)) == 0 &&
			 read_es(SEL(0), 0) == data[0],
		 "readable code in %%es: %%es:0 reads data[0]");
	ut_check(set(3, 0, 0xfffff, FLAT32 | UD_CONTENTS(2)) == 0 &&
			 far_call(SEL(3)) == SEL(3),
		 "far call through a flat LDT code segment: %%cs was LDT 3");
}

/* The exit code a fault handler gives: 40 + the signal for SI_KERNEL. */
static void report(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	_exit(si->si_code == SI_KERNEL ? 40 + sig : 20 + sig);
}

static void catch_faults(void)
{
	struct sigaction sa = { .sa_sigaction = report,
				.sa_flags = SA_SIGINFO };
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/* How a child that caught its fault ended. */
static const char *fault_name(int st)
{
	static char buf[48];
	if (WIFEXITED(st) && WEXITSTATUS(st) >= 40)
		snprintf(buf, sizeof(buf), "%s, SI_KERNEL",
			 ut_signame(WEXITSTATUS(st) - 40));
	else if (WIFEXITED(st) && WEXITSTATUS(st) >= 20)
		snprintf(buf, sizeof(buf), "%s, not SI_KERNEL",
			 ut_signame(WEXITSTATUS(st) - 20));
	else
		return ut_status(st);
	return buf;
}

#define LOAD(reg)                                                             \
	static int load_##reg(void *arg)                                      \
	{                                                                     \
		catch_faults();                                               \
		__asm__ volatile("mov %0, %%" #reg                            \
				 :                                            \
				 : "r"((uint32_t)(uintptr_t)arg)              \
				 : "memory");                                 \
		return 0;                                                     \
	}
LOAD(ds)
LOAD(fs)
LOAD(ss)

static int far_call_child(void *arg)
{
	uint32_t sel = (uint32_t)(uintptr_t)arg;
	catch_faults();
	if (sel == SEL(8) || sel == SEL(12))
		far_call_at(sel, (uint32_t)ldt_far_target & ~(UT_PAGE - 1));
	else
		far_call(sel);
	return 0;
}

static void faults(void)
{
	uintptr_t target = (uintptr_t)ldt_far_target;
	uint32_t page = (uint32_t)target & ~(UT_PAGE - 1);

	set(4, 0, 0xfffff, FLAT32 | UD_SEG_NOT_PRESENT);
	set(5, 0, 0xfffff, FLAT32 | UD_CONTENTS(2) | UD_READ_EXEC_ONLY);
	set(6, 0, 0xfffff, FLAT32 | UD_READ_EXEC_ONLY);
	set(7, 0, 0xfffff, FLAT32);
	/*
	 * Byte-granular code segments (a 20-bit limit: 1 MiB at most) based
	 * at the page of ldt_far_target: entry 8 ends just before it, entry
	 * 12 ends with it.
	 */
	set(8, page, (uint32_t)target - page - 1, UD_SEG_32BIT | UD_CONTENTS(2));
	set(12, page, (uint32_t)target - page + 2, UD_SEG_32BIT | UD_CONTENTS(2));
	set(9, 0, 0xfffff, FLAT32 | UD_CONTENTS(2) | UD_SEG_NOT_PRESENT);
	ut_fact("%%fs <- not present: %s",
		fault_name(ut_in_child(load_fs, (void *)SEL(4))));
	ut_fact("%%ds <- not present: %s",
		fault_name(ut_in_child(load_ds, (void *)SEL(4))));
	ut_fact("%%fs <- past the LDT's end: %s",
		fault_name(ut_in_child(load_fs, (void *)SEL(200))));
	ut_fact("%%ds <- execute-only code: %s",
		fault_name(ut_in_child(load_ds, (void *)SEL(5))));
	ut_fact("%%fs <- execute-only code: %s",
		fault_name(ut_in_child(load_fs, (void *)SEL(5))));
	ut_fact("%%ss <- read-only data: %s",
		fault_name(ut_in_child(load_ss, (void *)SEL(6))));
	ut_fact("%%ss <- writable data: %s",
		fault_name(ut_in_child(load_ss, (void *)SEL(7))));
	ut_fact("%%ss <- writable data, RPL 0: %s",
		fault_name(ut_in_child(load_ss, (void *)(SEL(7) & ~3u))));
	ut_fact("%%ss <- not present: %s",
		fault_name(ut_in_child(load_ss, (void *)SEL(4))));
	ut_fact("far call past the code segment's limit: %s",
		fault_name(ut_in_child(far_call_child, (void *)SEL(8))));
	ut_fact("far call within the limit (mov %%cs, lret: 3 bytes): %s",
		fault_name(ut_in_child(far_call_child, (void *)SEL(12))));
	ut_fact("far call to execute-only code: %s",
		fault_name(ut_in_child(far_call_child, (void *)SEL(5))));
	ut_fact("far call to a data segment: %s",
		fault_name(ut_in_child(far_call_child, (void *)SEL(7))));
	ut_fact("far call to a not-present data segment: %s",
		fault_name(ut_in_child(far_call_child, (void *)SEL(4))));
	ut_fact("far call to a not-present code segment: %s",
		fault_name(ut_in_child(far_call_child, (void *)SEL(9))));
}

/* The offset the reload functions read at (pushed on the stack first). */
static uint32_t reload_offset;

/*
 * Loads sel into reg, rewrites its entry with modify_ldt(0x11, u), then
 * forks a child that exits at once and waits for it (a process switch:
 * see the header), and returns what reg holds then and, in *word, the word
 * at reg:reload_offset if reg still holds sel. reg is restored. No glibc code runs
 * while reg holds sel, so %gs can be used too.
 */
#define RELOAD(reg)                                                           \
	static uint32_t reload_##reg(uint32_t sel, struct ud *u,             \
				     uint32_t *word)                          \
	{                                                                     \
		uint32_t now, w = 0;                                          \
		__asm__ volatile("push %%" #reg "\n\t"                        \
				 "push %[off]\n\t"                            \
				 "push %%ebx\n\t"                             \
				 "mov %%esi, %%" #reg "\n\t"                  \
				 "mov $123, %%eax\n\t"                        \
				 "mov $0x11, %%ebx\n\t"                       \
				 "mov %%edi, %%ecx\n\t"                       \
				 "mov $16, %%edx\n\t"                         \
				 "int $0x80\n\t"                              \
				 "mov $2, %%eax\n\t"                          \
				 "int $0x80\n\t"                              \
				 "test %%eax, %%eax\n\t"                      \
				 "jnz 1f\n\t"                                 \
				 "mov $1, %%eax\n\t"                          \
				 "xor %%ebx, %%ebx\n\t"                       \
				 "int $0x80\n"                                \
				 "1:\n\t"                                     \
				 "mov %%eax, %%ebx\n\t"                       \
				 "xor %%ecx, %%ecx\n\t"                       \
				 "xor %%edx, %%edx\n\t"                       \
				 "mov $7, %%eax\n\t"                          \
				 "int $0x80\n\t"                              \
				 "xor %%eax, %%eax\n\t"                       \
				 "mov %%" #reg ", %%ax\n\t"                   \
				 "xor %%edx, %%edx\n\t"                       \
				 "cmp %%esi, %%eax\n\t"                       \
				 "jne 2f\n\t"                                 \
				 "mov 4(%%esp), %%ecx\n\t"                    \
				 "mov %%" #reg ":(%%ecx), %%edx\n"            \
				 "2:\n\t"                                     \
				 "pop %%ebx\n\t"                              \
				 "add $4, %%esp\n\t"                          \
				 "pop %%" #reg                                \
				 : "=&a"(now), "=&d"(w)                       \
				 : "S"(sel), "D"(u), [off] "m"(reload_offset) \
				 : "ecx", "memory");                          \
		*word = w;                                                    \
		return now;                                                   \
	}
RELOAD(ds)
RELOAD(es)
RELOAD(fs)
RELOAD(gs)

static void reloads(int only_reg, int only_case)
{
	static const struct {
		const char *name;
		uint32_t (*fn)(uint32_t, struct ud *, uint32_t *);
	} regs[] = { { "ds", reload_ds },
		     { "es", reload_es },
		     { "fs", reload_fs },
		     { "gs", reload_gs } };
	const struct {
		const char *name;
		struct ud u;
	} changes[] = {
		{ "cleared", { 10, 0, 0, UD_EMPTY } },
		{ "made not present",
		  { 10, (uint32_t)data, 0xfffff, FLAT32 | UD_SEG_NOT_PRESENT } },
		{ "made execute-only code",
		  { 10, 0, 0xfffff,
		    FLAT32 | UD_CONTENTS(2) | UD_READ_EXEC_ONLY } },
		{ "made another data segment",
		  { 10, (uint32_t)other, 255, UD_SEG_32BIT } },
	};
	/*
	 * %ds and %es get flat segments (the first, and the last change,
	 * read-only), and the read is at other[]'s address: a %ds with
	 * another base makes the 64-bit reference hang under TCG (see
	 * docs/segmentation.md).
	 */
	const struct ud flat_other = { 10, 0, 0xfffff,
				       FLAT32 | UD_READ_EXEC_ONLY };

	for (size_t r = 0; r < sizeof(regs) / sizeof(regs[0]); r++) {
		if (only_reg >= 0 && (size_t)only_reg != r)
			continue;
		for (size_t c = 0; c < sizeof(changes) / sizeof(changes[0]);
		     c++) {
			if (only_case >= 0 && (size_t)only_case != c)
				continue;
			struct ud u = changes[c].u;
			if (r < 2 && c == 3)
				u = flat_other;
			reload_offset = r < 2 ? (uint32_t)other : 0;
			uint32_t word;
			/* A flat segment for %ds and %es, data[] otherwise. */
			uint32_t base = r < 2 ? 0 : (uint32_t)data;
			uint32_t limit = r < 2 ? 0xfffff : 255;
			set(10, base, limit, r < 2 ? FLAT32 : UD_SEG_32BIT);
			uint32_t now = regs[r].fn(SEL(10), &u, &word);
			if (now == 0)
				ut_fact("%%%s, entry %s while loaded: null",
					regs[r].name, changes[c].name);
			else if (now == SEL(10))
				ut_fact("%%%s, entry %s while loaded: kept, "
					"reads %s",
					regs[r].name, changes[c].name,
					word == other[0] ? "other[0]"
					: word == data[0] ? "data[0]"
							  : "something else");
			else
				ut_fact("%%%s, entry %s while loaded: 0x%x",
					regs[r].name, changes[c].name, now);
		}
	}
}

/*
 * Code in LDT code segment 13 clears its own entry (modify_ldt with the
 * user_desc at %esi) and returns (lret): the kernel's return to the
 * program cannot load %cs (its iret faults), and the process is killed.
 */
__asm__(".text\n"
	"ldt_clear_own_cs:\n\t"
	"mov $123, %eax\n\t"
	"mov $0x11, %ebx\n\t"
	"mov %esi, %ecx\n\t"
	"mov $16, %edx\n\t"
	"int $0x80\n\t"
	"lret\n");
extern char ldt_clear_own_cs[];

static int clear_own_cs(void *arg)
{
	static struct ud clear = { 13, 0, 0, UD_EMPTY };
	struct {
		uint32_t off;
		uint16_t sel;
	} __attribute__((packed)) fp = { (uint32_t)ldt_clear_own_cs,
					 (uint16_t)SEL(13) };
	(void)arg;
	set(13, 0, 0xfffff, FLAT32 | UD_CONTENTS(2));
	__asm__ volatile("push %%ebx\n\t"
			 "lcall *%0\n\t"
			 "pop %%ebx"
			 :
			 : "m"(fp), "S"(&clear)
			 : "eax", "ecx", "edx", "memory");
	return 0;
}

/* The same for %ss: the stack segment's entry cleared while in use. */
static int clear_own_ss(void *arg)
{
	static struct ud clear = { 13, 0, 0, UD_EMPTY };
	(void)arg;
	set(13, 0, 0xfffff, FLAT32);
	__asm__ volatile("push %%ebx\n\t"
			 "mov %%ss, %%edi\n\t"
			 "mov %0, %%ss\n\t"
			 "mov $123, %%eax\n\t"
			 "mov $0x11, %%ebx\n\t"
			 "mov %%esi, %%ecx\n\t"
			 "mov $16, %%edx\n\t"
			 "int $0x80\n\t"
			 "mov %%edi, %%ss\n\t"
			 "pop %%ebx"
			 :
			 : "r"(SEL(13)), "S"(&clear)
			 : "eax", "ecx", "edx", "edi", "memory");
	return 0;
}

/*
 * sigreturn loads the selectors of the signal frame: a handler puts an
 * LDT selector in the frame's %fs; after the return %fs holds it, or null
 * if the CPU refused it. (%fs only: glibc uses %gs, %ds and %es.)
 */
static uint32_t frame_fs;

static void put_fs_in_frame(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	((ucontext_t *)ctx)->uc_mcontext.gregs[REG_FS] = (greg_t)frame_fs;
}

/* Exit 0: %fs null after sigreturn; 1: it holds the selector; 2: other. */
static int fs_after_sigreturn(void *arg)
{
	struct sigaction sa = { .sa_sigaction = put_fs_in_frame,
				.sa_flags = SA_SIGINFO };
	uint32_t fs;
	frame_fs = (uint32_t)(uintptr_t)arg;
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	__asm__ volatile("mov %%fs, %0" : "=r"(fs));
	fs &= 0xffff;
	return fs == 0 ? 0 : fs == frame_fs ? 1 : 2;
}

static void sigreturns(void)
{
	static const char *const what[] = { "null", "kept", "something else" };
	static const struct {
		const char *name;
		uint32_t sel;
	} cases[] = {
		{ "a data segment", SEL(14) },
		{ "a not-present segment", SEL(15) },
		{ "execute-only code", SEL(16) },
		{ "an empty entry", SEL(17) },
		{ "past the LDT's end", SEL(300) },
	};
	set(14, (uint32_t)data, 255, UD_SEG_32BIT);
	set(15, (uint32_t)data, 255, UD_SEG_32BIT | UD_SEG_NOT_PRESENT);
	set(16, 0, 0xfffff, FLAT32 | UD_CONTENTS(2) | UD_READ_EXEC_ONLY);
	set(17, 0, 0, UD_EMPTY);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = ut_in_child(fs_after_sigreturn,
				     (void *)(uintptr_t)cases[i].sel);
		if (WIFEXITED(st) && WEXITSTATUS(st) <= 2)
			ut_fact("sigreturn with %%fs = %s: %%fs %s",
				cases[i].name, what[WEXITSTATUS(st)]);
		else
			ut_fact("sigreturn with %%fs = %s: %s", cases[i].name,
				ut_status(st));
	}
}

/* After the entry is cleared, a read through the null %fs kills. */
static int use_cleared_fs(void *arg)
{
	(void)arg;
	struct ud u = { 10, 0, 0, UD_EMPTY };
	uint32_t word;
	reload_offset = 0;
	set(10, (uint32_t)data, 255, UD_SEG_32BIT);
	uint32_t now = reload_fs(SEL(10), &u, &word);
	/* Loads the null selector the kernel left, and reads through it. */
	__asm__ volatile("mov %0, %%fs\n\t"
			 "mov %%fs:0, %%eax" : : "r"(now) : "eax", "memory");
	return 0;
}

static void fork_exec(const char *argv0)
{
	set(11, (uint32_t)other, 255, UD_SEG_32BIT);
	uint64_t mine = desc(11);
	pid_t pid = fork();
	if (pid == 0) {
		bool same = desc(11) == mine;
		set(11, (uint32_t)data, 255, UD_SEG_32BIT);
		_exit(same && read_fs(SEL(11), 0) == data[0] ? 0 : 1);
	}
	int st = ut_wait(pid);
	ut_check(ut_exited(st, 0), "fork: the child has a copy: %s",
		 ut_status(st));
	ut_check(desc(11) == mine && read_fs(SEL(11), 0) == other[0],
		 "the child's change leaves the parent's entry as it was");
	pid = fork();
	if (pid == 0) {
		execl(argv0, argv0, "exec-child", (char *)NULL);
		_exit(127);
	}
	st = ut_wait(pid);
	ut_check(ut_exited(st, 0), "execve: the new program has no LDT: %s",
		 ut_status(st));
}

/* A process with the largest LDT: reads are capped at 64 KiB. */
static int big_ldt(void *arg)
{
	static char buf[70000];
	(void)arg;
	if (set(LDT_ENTRIES - 1, 0, 0xfffff, FLAT32))
		return 1;
	printf("entry 8191: read 70000 bytes: %s\n",
	       res(ldt(0, buf, sizeof(buf))));
	return read_fs(SEL(LDT_ENTRIES - 1), (uint32_t)data) == data[0] ? 0
									 : 2;
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
		char buf[8];
		return ldt(0, buf, sizeof(buf)) == 0 ? 0 : 1;
	}
	/* "ldt_segments PART" runs one part, for looking at one by hand. */
	const char *only = argc > 1 ? argv[1] : "";
#define PART(name) (!*only || strcmp(only, name) == 0)
	if (PART("interface"))
		interface();
	if (PART("fields"))
		fields();
	if (PART("use"))
		use();
	if (PART("faults"))
		faults();
	if (strncmp(only, "reloads", 7) == 0 && only[7])
		reloads(only[7] - '0', only[8] ? only[8] - '0' : -1);
	if (PART("reloads")) {
		reloads(-1, -1);
		ut_fact("using %%fs after its entry was cleared: %s",
			ut_status(ut_in_child(use_cleared_fs, NULL)));
		ut_fact("%%cs entry cleared by code running in it: %s",
			ut_status(ut_in_child(clear_own_cs, NULL)));
		ut_fact("%%ss entry cleared while in use: %s",
			ut_status(ut_in_child(clear_own_ss, NULL)));
	}
	if (PART("sigreturn"))
		sigreturns();
	if (PART("fork"))
		fork_exec(argv[0]);
	if (PART("big")) {
		int st = ut_in_child(big_ldt, NULL);
		ut_check(ut_exited(st, 0), "LDT entry 8191 works: %s",
			 ut_status(st));
	}
	return ut_end();
}
