/*
 * user/segdemo.c - segmentation through the LDT, step by step: a logical
 * address becomes a linear one, then a physical one.
 *
 *   segdemo [OFFSET]     (default 0x24; the segment is 256 bytes)
 *
 * The demo makes a data segment of its own in its local descriptor table
 * with modify_ldt (base: a static array; limit: 255 bytes), loads its
 * selector into %ds, %es and %fs (not %gs: glibc's thread pointer lives
 * there) and reads one word through it. Then it takes that access apart
 * the way the CPU does (Intel SDM vol. 3A, chapter 3): the selector, the
 * descriptor it selects, the checks, base + offset = linear address, and
 * the two-level page walk that makes the linear address physical (vol. 3A,
 * 4.3). The physical frame comes from /proc/self/pagemap (Linux's format:
 * one 64-bit entry per page, bit 63 present, bits 0-54 the frame number)
 * when the kernel has it.
 *
 * Last, it provokes each protection check in a child process and prints
 * what happened. The CPU checks everything listed; QEMU's TCG, which runs
 * Pagoda (and the Linux reference) in this project, checks the descriptor
 * when a selector is loaded and the limit of far jumps and calls, but not
 * the limit or the type of a data access: those lines say so when they
 * find it. docs/segmentation.md explains the output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* struct user_desc (Linux's asm/ldt.h); the flags word's bit-fields. */
struct user_desc {
	uint32_t entry_number, base_addr, limit, flags;
};
#define UD_SEG_32BIT (1u << 0)
#define UD_CONTENTS(c) ((uint32_t)(c) << 1) /* 0 data, 1 expand-down, 2 code */
#define UD_READ_EXEC_ONLY (1u << 3)
#define UD_LIMIT_IN_PAGES (1u << 4)
#define UD_SEG_NOT_PRESENT (1u << 5)

#define ENTRY 1                          /* the demo's LDT entry */
#define LIMIT 255                        /* the segment's last offset */
#define SEL(e) ((uint32_t)(e) << 3 | 4 | 3) /* TI = 1 (LDT), RPL = 3 */
#define PAGE 4096u

/* The segment's contents: word i holds 0x5e600000 + i. */
static uint32_t segment[64] __attribute__((aligned(64)));

static int modify_ldt(int func, void *ptr, unsigned long n)
{
	return (int)syscall(SYS_modify_ldt, func, ptr, n);
}

static int set_entry(uint32_t e, uint32_t base, uint32_t limit,
		     uint32_t flags)
{
	struct user_desc u = { e, base, limit, flags };
	return modify_ldt(0x11, &u, sizeof(u));
}

/* Reads the word at offset off through %fs, %es or %ds loaded with sel. */
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

static const char *yes(uint32_t bit)
{
	return bit ? "1" : "0";
}

/* Prints the fields of descriptor d (SDM vol. 3A, 3.4.5, figure 3-8). */
static void show_descriptor(uint64_t d)
{
	uint32_t lo = (uint32_t)d, hi = (uint32_t)(d >> 32);
	uint32_t base = lo >> 16 | (hi & 0xff) << 16 | (hi & 0xff000000u);
	uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);
	uint32_t type = hi >> 8 & 0xf;
	bool g = hi >> 23 & 1;

	printf("  descriptor       0x%08x_%08x (high word, low word)\n", hi,
	       lo);
	printf("    base           0x%08x  (high bits 31:24 and 7:0, low "
	       "bits 31:16)\n",
	       base);
	printf("    limit          0x%05x     (high bits 19:16, low bits "
	       "15:0), G=%d: in %s,\n",
	       limit, g, g ? "4 KiB pages" : "bytes");
	printf("                   so the last valid offset is 0x%x\n",
	       g ? limit << 12 | 0xfff : limit);
	printf("    type           0x%x: %s, %s, %s, accessed=%s (bits "
	       "11:8, SDM table 3-1)\n",
	       type, type & 8 ? "code" : "data",
	       type & 8 ? (type & 4 ? "conforming" : "non-conforming")
			: (type & 4 ? "expand-down" : "expand-up"),
	       type & 8 ? (type & 2 ? "readable" : "execute-only")
			: (type & 2 ? "writable" : "read-only"),
	       yes(type & 1));
	printf("    S=%s (code/data)  DPL=%u  P=%s  AVL=%s  D/B=%s (%s)  "
	       "G=%s\n",
	       yes(hi >> 12 & 1), hi >> 13 & 3, yes(hi >> 15 & 1),
	       yes(hi >> 20 & 1), yes(hi >> 22 & 1),
	       hi >> 22 & 1 ? "32-bit" : "16-bit", yes(g));
}

/* The pagemap entry of the page holding linear address a, or -errno. */
static int pagemap_entry(uint32_t a, uint64_t *entry)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -errno;
	ssize_t n = pread(fd, entry, sizeof(*entry),
			  (off_t)(a / PAGE) * (off_t)sizeof(*entry));
	int err = n == (ssize_t)sizeof(*entry) ? 0 : n < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

static void show_physical(uint32_t linear)
{
	uint64_t e;
	int err = pagemap_entry(linear, &e);

	printf("  physical         ");
	if (err) {
		printf("the physical frame needs /proc/self/pagemap (%s)\n",
		       strerror(-err));
		return;
	}
	uint64_t pfn = e & ((1ull << 55) - 1);
	printf("pagemap entry %llu of /proc/self/pagemap = 0x%016llx\n",
	       (unsigned long long)(linear / PAGE), (unsigned long long)e);
	if (!(e >> 63)) {
		printf("                   bit 63 clear: the page is not "
		       "present\n");
		return;
	}
	if (pfn == 0) {
		printf("                   present, but the frame number is "
		       "hidden (reading it needs CAP_SYS_ADMIN on Linux)\n");
		return;
	}
	printf("                   bit 63 set: present; bits 54:0: frame "
	       "0x%llx\n",
	       (unsigned long long)pfn);
	printf("                   frame 0x%llx * 4096 + offset 0x%03x = "
	       "physical 0x%llx\n",
	       (unsigned long long)pfn, linear & 0xfff,
	       (unsigned long long)(pfn * PAGE + (linear & 0xfff)));
}

/* The exit code a fault handler gives: the signal, + 64 for SI_KERNEL. */
static void report(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	_exit(si->si_code == SI_KERNEL ? 64 + sig : sig);
}

/* Runs fn(arg) in a child with report() installed; its exit status. */
static int in_child(void (*fn)(uint32_t), uint32_t arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = report,
					.sa_flags = SA_SIGINFO };
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		fn(arg);
		_exit(0);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void load_ds(uint32_t sel)
{
	__asm__ volatile("push %%ds\n\tmov %0, %%ds\n\tpop %%ds"
			 : : "r"(sel) : "memory");
}

static void load_ss(uint32_t sel)
{
	__asm__ volatile("mov %%ss, %%edx\n\tmov %0, %%ss\n\tmov %%edx, %%ss"
			 : : "r"(sel) : "edx", "memory");
}

static void read_fs_at(uint32_t off)
{
	read_fs(SEL(ENTRY), off);
}

static void write_fs_ro(uint32_t off)
{
	__asm__ volatile("mov %0, %%fs\n\tmovl $1, %%fs:(%1)"
			 : : "r"(SEL(2)), "r"(off) : "memory");
}

static void read_null_ds(uint32_t off)
{
	uint32_t v;
	__asm__ volatile("push %%ds\n\tmov %2, %%ds\n\tmov (%1), %0\n\t"
			 "pop %%ds"
			 : "=&r"(v) : "r"(off), "r"(0) : "memory");
}

__asm__(".text\nsegdemo_far_target:\n\tlret\n"
	"segdemo_far_nops:\n\tnop\n\tnop\n\tnop\n\tnop\n\tlret\n");
extern char segdemo_far_target[], segdemo_far_nops[];

/* Far call to segdemo_far_target; entries 5 and 6 have its page as base. */
static void far_call(uint32_t sel)
{
	uint32_t off = (uint32_t)segdemo_far_target;
	if (sel == SEL(8))
		off = (uint32_t)segdemo_far_nops;
	if (sel == SEL(5) || sel == SEL(6) || sel == SEL(8))
		off &= PAGE - 1;
	struct {
		uint32_t off;
		uint16_t sel;
	} __attribute__((packed)) fp = { off, (uint16_t)sel };
	__asm__ volatile("lcall *%0" : : "m"(fp) : "memory");
}

/* Prints what a child's exit code says happened. */
static const char *outcome(int code)
{
	static char buf[64];
	if (code == 0)
		return "no fault";
	if (code > 64 && code < 128)
		snprintf(buf, sizeof(buf), "%s (si_code SI_KERNEL)",
			 code - 64 == SIGBUS ? "SIGBUS" : "SIGSEGV");
	else if (code < 64)
		snprintf(buf, sizeof(buf), "%s (a page fault)",
			 code == SIGBUS ? "SIGBUS" : "SIGSEGV");
	else
		snprintf(buf, sizeof(buf), "killed by signal %d", code - 128);
	return buf;
}

/* One protection check: what the CPU does, what happened here. */
static void check(const char *what, const char *cpu, void (*fn)(uint32_t),
		  uint32_t arg)
{
	int code = in_child(fn, arg);
	bool faulted = code != 0;
	bool cpu_faults = strcmp(cpu, "no fault") != 0;
	printf("  %-46s CPU: %-15s here: %s%s\n", what, cpu, outcome(code),
	       cpu_faults && !faulted ? "  <- not checked (QEMU TCG)" : "");
}

static void checks(void)
{
	uint32_t base = (uint32_t)segment;
	uintptr_t target = (uintptr_t)segdemo_far_target;

	set_entry(2, base, LIMIT, UD_SEG_32BIT | UD_READ_EXEC_ONLY);
	set_entry(3, base, LIMIT, UD_SEG_32BIT | UD_SEG_NOT_PRESENT);
	set_entry(4, 0, 0xfffff,
		  UD_SEG_32BIT | UD_LIMIT_IN_PAGES | UD_CONTENTS(2) |
			  UD_READ_EXEC_ONLY);
	/*
	 * Byte-granular code segments whose base is the page of the far
	 * call's target, so that the target's offset is small: a byte limit
	 * has 20 bits. Entry 5 ends just before the target, entry 6 at its
	 * one byte (lret).
	 */
	uint32_t cbase = (uint32_t)target & ~(PAGE - 1);
	set_entry(5, cbase, (uint32_t)target - cbase - 1,
		  UD_SEG_32BIT | UD_CONTENTS(2));
	set_entry(6, cbase, (uint32_t)target - cbase,
		  UD_SEG_32BIT | UD_CONTENTS(2));
	/* Entry 8 ends at the first of the four nops before an lret. */
	uint32_t nbase = (uint32_t)segdemo_far_nops & ~(PAGE - 1);
	set_entry(8, nbase, (uint32_t)segdemo_far_nops - nbase,
		  UD_SEG_32BIT | UD_CONTENTS(2));
	set_entry(7, 0, 0xfffff,
		  UD_SEG_32BIT | UD_LIMIT_IN_PAGES | UD_CONTENTS(2));

	printf("\n4. The protection checks (each in a child process):\n");
	printf("   when a selector is loaded (SDM vol. 3A, 5.4, 5.5; vol. 2A, "
	       "MOV):\n");
	check("load a not-present segment", "#NP -> SIGBUS", load_ds, SEL(3));
	check("load a selector past the LDT's limit", "#GP -> SIGSEGV",
	      load_ds, SEL(100));
	check("load execute-only code into %ds", "#GP -> SIGSEGV", load_ds,
	      SEL(4));
	check("load a selector with RPL 0", "no fault", load_ds,
	      SEL(ENTRY) & ~3u);
	check("load a read-only segment into %ss", "#GP -> SIGSEGV", load_ss,
	      SEL(2));
	printf("   far calls (vol. 3A, 5.8.1; vol. 2A, CALL):\n");
	check("far call within a code segment's limit", "no fault", far_call,
	      SEL(7));
	check("far call past a code segment's limit", "#GP -> SIGSEGV",
	      far_call, SEL(5));
	check("far call to the limit's last byte (lret is 1)", "no fault",
	      far_call, SEL(6));
	check("code running on past the limit (nops)", "#GP -> SIGSEGV",
	      far_call, SEL(8));
	printf("   at each access (vol. 3A, 5.3 limit, 5.5 type):\n");
	check("read at the last offset (0xfc, 4 bytes)", "no fault",
	      read_fs_at, LIMIT - 3);
	check("read across the limit (offset 0xfe)", "#GP -> SIGSEGV",
	      read_fs_at, LIMIT - 1);
	check("read past the limit (offset 0x100)", "#GP -> SIGSEGV",
	      read_fs_at, LIMIT + 1);
	check("write through a read-only segment", "#GP -> SIGSEGV",
	      write_fs_ro, 0);
	check("read through a null %ds", "#GP -> SIGSEGV", read_null_ds,
	      (uint32_t)segment);
	printf("   A CPU (and KVM) raises every fault in the CPU column. "
	       "QEMU's TCG checks a\n   descriptor when it is loaded and "
	       "the target of far jumps and calls against\n   the limit; it "
	       "checks neither the limit nor the type of a data access, nor "
	       "a\n   null selector used for one, nor code running on past "
	       "the limit: those lines\n   say \"not checked\".\n");
}

int main(int argc, char **argv)
{
	uint32_t off = 0x24;

	if (argc > 1) {
		char *end;
		unsigned long v = strtoul(argv[1], &end, 0);
		if (*end || v > LIMIT - 3) {
			fprintf(stderr,
				"usage: segdemo [OFFSET]  (0..0x%x, default "
				"0x24)\n",
				LIMIT - 3);
			return 2;
		}
		off = (uint32_t)v;
	}
	for (uint32_t i = 0; i < 64; i++)
		segment[i] = 0x5e600000u + i;
	setvbuf(stdout, NULL, _IONBF, 0);

	uint32_t base = (uint32_t)segment;
	printf("segdemo: a segment of this process's own, in its LDT\n\n");
	printf("1. modify_ldt(0x11, {entry %d, base 0x%08x, limit 0x%x, "
	       "32-bit data, writable}, 16)\n",
	       ENTRY, base, LIMIT);
	if (set_entry(ENTRY, base, LIMIT, UD_SEG_32BIT) != 0) {
		printf("   failed: %s\n", strerror(errno));
		return 1;
	}
	uint64_t table[ENTRY + 1];
	int n = modify_ldt(0, table, sizeof(table));
	printf("   modify_ldt(0) reads the LDT back: %d bytes, %d entries\n",
	       n, n / 8);
	show_descriptor(table[ENTRY]);

	uint32_t sel = SEL(ENTRY);
	printf("\n2. The selector 0x%04x (SDM vol. 3A, 3.4.2, figure 3-6)\n",
	       sel);
	printf("    index          %u (bits 15:3): entry %u, at byte %u of "
	       "the table\n",
	       sel >> 3, sel >> 3, (sel >> 3) * 8);
	printf("    TI             %u (bit 2): %s\n", sel >> 2 & 1,
	       sel & 4 ? "the LDT" : "the GDT");
	printf("    RPL            %u (bits 1:0): requested privilege, "
	       "user mode\n",
	       sel & 3);
	uint32_t vfs = read_fs(sel, off), ves = read_es(sel, off),
		 vds = read_ds(sel, off);
	printf("   loaded into %%fs, %%es and %%ds, each reads 0x%08x, 0x%08x, "
	       "0x%08x at offset 0x%x\n",
	       vfs, ves, vds, off);

	uint32_t linear = base + off;
	printf("\n3. One access, mov %%fs:0x%x, %%eax = 0x%08x, taken "
	       "apart\n",
	       off, vfs);
	printf("  logical address  0x%04x:0x%08x (selector:offset)\n", sel,
	       off);
	printf("  checks           selector: TI=1, index %u within the LDT's "
	       "%d entries;\n",
	       sel >> 3, n / 8);
	printf("                   descriptor: present, data, DPL 3 >= "
	       "max(CPL 3, RPL 3);\n");
	printf("                   access: offset 0x%x..0x%x within limit "
	       "0x%x, reading is allowed\n",
	       off, off + 3, LIMIT);
	printf("  linear address   base 0x%08x + offset 0x%08x = 0x%08x\n",
	       base, off, linear);
	printf("  paging (vol. 3A, 4.3, 32-bit paging, 4 KiB pages)\n");
	printf("    directory      index %u (bits 31:22 = 0x%03x)\n",
	       linear >> 22, linear >> 22);
	printf("    table          index %u (bits 21:12 = 0x%03x)\n",
	       linear >> 12 & 0x3ff, linear >> 12 & 0x3ff);
	printf("    offset         0x%03x (bits 11:0)\n", linear & 0xfff);
	show_physical(linear);
	uint32_t flat;
	memcpy(&flat, (const void *)(uintptr_t)linear, sizeof(flat));
	printf("  check            a flat read (%%ds base 0) of linear "
	       "0x%08x gives 0x%08x\n",
	       linear, flat);

	checks();
	return 0;
}
