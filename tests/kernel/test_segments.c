/*
 * tests/kernel/test_segments.c - returning to user mode with selectors or
 * a frame the CPU refuses.
 *
 * tests/user/tls_segments.c checks what a program can do: clear a TLS
 * entry while a segment register holds its selector. Here the kernel
 * makes the bad states no program can make. A process is created from
 * /bin/hello and, before it first runs, its saved frame gets selectors
 * that trap_return cannot load: in DS, ES, FS or GS (the pop faults, the
 * register becomes null and the process runs on), or in CS or SS (the
 * iret faults and the process is killed with SIGSEGV). Each case checks
 * how the process ended and the frame it left behind, and the kernel
 * carries on to the next. The first case checks that every segment pop
 * and the iret of trap_return are in the exception-fixup table at all.
 */
#include "drivers/pit.h"
#include "kernel/arch/extable.h"
#include "kernel/arch/gdt.h"
#include "kernel/arch/ldt.h"
#include "fs/initramfs.h"
#include "kernel/ktest.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"

/* The way back to the interrupted code (boot/trap_entry.asm). */
extern const uint8_t trap_return[];

/* Opcodes in trap_return (Intel SDM vol. 2, POP, POPA, ADD, IRET). */
#define OP_POPA 0x61
#define OP_POP_ES 0x07
#define OP_POP_DS 0x1F
#define OP_TWO_BYTE 0x0F
#define OP2_POP_FS 0xA1
#define OP2_POP_GS 0xA9
#define OP_ADD_RM32_IMM8 0x83 /* with ModRM 0xC4: add esp, imm8 */
#define MODRM_ESP 0xC4
#define OP_IRET 0xCF

/*
 * Walks trap_return up to its iret: each segment pop must have an
 * EX_TYPE_POP_SEG entry, the iret an EX_TYPE_IRET one, and nothing else
 * an entry. An instruction the walk does not know fails the test: a
 * change to trap_return must be looked at here too.
 */
static void trap_return_is_covered(struct ktest *t)
{
	const uint8_t *insn = trap_return;
	int pops = 0;

	for (int n = 0; n < 16; n++) {
		unsigned int len = 1;
		bool seg_pop = false;

		if (insn[0] == OP_POP_ES || insn[0] == OP_POP_DS) {
			seg_pop = true;
		} else if (insn[0] == OP_TWO_BYTE &&
			   (insn[1] == OP2_POP_FS || insn[1] == OP2_POP_GS)) {
			seg_pop = true;
			len = 2;
		} else if (insn[0] == OP_ADD_RM32_IMM8 &&
			   insn[1] == MODRM_ESP) {
			len = 3;
		} else if (insn[0] != OP_POPA && insn[0] != OP_IRET) {
			ktest_fail(t, __FILE__, __LINE__,
				   "unknown instruction byte 0x%02x at "
				   "trap_return+%u",
				   insn[0], (unsigned int)(insn - trap_return));
			return;
		}
		const struct ex_entry *e = extable_find((uint32_t)insn);
		if (seg_pop) {
			KT_EXPECT(t, e && e->type == EX_TYPE_POP_SEG);
			pops++;
		} else if (insn[0] == OP_IRET) {
			KT_EXPECT(t, e && e->type == EX_TYPE_IRET);
			KT_EXPECT_EQ(t, pops, 4);
			return;
		} else {
			KT_EXPECT(t, e == NULL);
		}
		insn += len;
	}
	ktest_fail(t, __FILE__, __LINE__, "no iret in trap_return");
}

/* Access bytes of descriptors for the cases (SDM vol. 3A, 3.4.5.1). */
#define ACC_P 0x80
#define ACC_DPL3 0x60
#define ACC_S 0x10
#define ACC_CODE 0x08
#define ACC_RW 0x02 /* code: readable; data: writable */
#define ACC_A 0x01
#define FLAGS_G_D 0xC /* limit in pages, 32-bit */

/* A descriptor with base 0. */
static struct seg_desc desc(uint32_t limit, uint8_t access, uint8_t flags)
{
	struct seg_desc d;

	d.lo = limit & 0xFFFF;
	d.hi = (uint32_t)access << 8 | (limit & 0xF0000) |
	       (uint32_t)flags << 20;
	return d;
}

/* The selector of TLS slot i with RPL 3 (a macro: used in initializers). */
#define TLS_SEL(i) ((uint32_t)(GDT_TLS_FIRST + (i)) << 3 | 3)

/* Selectors the pops refuse, and the TLS descriptors some of them use. */
#define SEL_EMPTY_TLS TLS_SEL(0)		   /* slot 0 left empty */
#define SEL_NOT_PRESENT TLS_SEL(1)		   /* present bit clear: #NP */
#define SEL_EXEC_ONLY TLS_SEL(2)		   /* execute-only code: #GP */
#define SEL_KERNEL_DATA_RPL3 (SEL_KERNEL_DATA | 3) /* DPL 0: #GP */
#define SEL_PAST_GDT ((GDT_ENTRIES + 20) << 3 | 3) /* beyond the limit */
/* The selector of LDT entry i with RPL 3 (TI = 1, SDM vol. 3A, 3.4.2). */
#define LDT_SEL(i) ((uint32_t)(i) << 3 | 4 | 3)
#define SEL_NO_LDT LDT_SEL(1)	      /* used when the process has no LDT */
#define SEL_LDT_EMPTY LDT_SEL(0)       /* LDT entry 0 left empty */
#define SEL_LDT_NOT_PRESENT LDT_SEL(1) /* present bit clear: #NP */
#define SEL_LDT_EXEC_ONLY LDT_SEL(2)   /* execute-only code: #GP */
#define SEL_PAST_LDT LDT_SEL(40)       /* the LDT has 3 entries */

static void set_bad_tls(struct proc *p)
{
	p->tls[0] = (struct seg_desc){ 0, 0 };
	p->tls[1] = desc(0xFFFFF, ACC_DPL3 | ACC_S | ACC_RW | ACC_A, FLAGS_G_D);
	p->tls[2] = desc(0xFFFFF, ACC_P | ACC_DPL3 | ACC_S | ACC_CODE | ACC_A,
			 FLAGS_G_D);
}

/*
 * The same three bad descriptors in an LDT of three entries, as a program
 * could leave them with modify_ldt. Entry 2 is set first, so the table is
 * made once at its full size.
 */
static bool set_bad_ldt(struct proc *p)
{
	return ldt_set(p->mm, 2, p->tls[2]) == 0 &&
	       ldt_set(p->mm, 1, p->tls[1]) == 0 &&
	       ldt_set(p->mm, 0, p->tls[0]) == 0 && ldt_size(p->mm) == 3;
}

static bool have_initramfs(struct ktest *t)
{
	int err = initramfs_init();

	if (err)
		ktest_fail(t, __FILE__, __LINE__, "initramfs_init: %d", err);
	return err == 0;
}

/* How a process ended, and its saved frame at the end. */
struct outcome {
	int status;	     /* wait status, or -1 if it did not end */
	struct trapframe tf; /* the frame of its last trap */
};

/*
 * Runs /bin/hello after setup() has changed it, until it ends, from this
 * test's context (the idle process, which only runs when nothing else
 * does: so each yield lets the child run until it ends or sleeps).
 */
static int watched_pid;
static struct trapframe watched_tf;

/* proc_exit_hook: the frame the watched process ends with. */
static void keep_last_frame(struct proc *p)
{
	if (p->pid == watched_pid)
		watched_tf = *p->tf;
}

static bool run_hello(struct ktest *t, void (*setup)(struct proc *p, void *arg),
		      void *arg, struct outcome *out)
{
	char *argv[] = { "hello", NULL };
	struct proc *p;
	int err = proc_spawn("/bin/hello", argv, &p);

	out->status = -1;
	if (err) {
		ktest_fail(t, __FILE__, __LINE__, "proc_spawn: %d", err);
		return false;
	}
	int pid = p->pid;
	setup(p, arg);
	watched_pid = pid;
	proc_exit_hook = keep_last_frame;
	sched_make_runnable(p);
	uint64_t deadline = pit_ticks() + 10 * pit_hz();
	while (p->state != PROC_ZOMBIE && pit_ticks() < deadline) {
		sched_yield();
		if (p->state != PROC_ZOMBIE)
			hlt();
	}
	proc_exit_hook = NULL;
	if (p->state != PROC_ZOMBIE) {
		ktest_fail(t, __FILE__, __LINE__, "pid %d did not end", pid);
		return false;
	}
	out->tf = watched_tf; /* the zombie's stack is gone */
	int status, r = proc_wait(pid, &status, WNOHANG);
	if (r != pid) {
		ktest_fail(t, __FILE__, __LINE__, "proc_wait: %d", r);
		return false;
	}
	out->status = status;
	return true;
}

struct pop_case {
	const char *name;
	uint32_t sel;
	bool ldt; /* the process gets the bad LDT first */
};

static const struct pop_case pop_cases[] = {
	{ "empty TLS entry", SEL_EMPTY_TLS, false },
	{ "not-present data segment", SEL_NOT_PRESENT, false },
	{ "execute-only code segment", SEL_EXEC_ONLY, false },
	{ "kernel data segment, RPL 3", SEL_KERNEL_DATA_RPL3, false },
	{ "index past the GDT", SEL_PAST_GDT, false },
	{ "LDT selector, no LDT", SEL_NO_LDT, false },
	{ "empty LDT entry", SEL_LDT_EMPTY, true },
	{ "not-present LDT data segment", SEL_LDT_NOT_PRESENT, true },
	{ "execute-only LDT code segment", SEL_LDT_EXEC_ONLY, true },
	{ "index past the LDT", SEL_PAST_LDT, true },
};

/* The bad TLS entries, and the bad LDT if the case wants one. */
static void set_bad_segments(struct proc *p, const struct pop_case *c)
{
	set_bad_tls(p);
	if (c->ldt && !set_bad_ldt(p))
		p->tf->eip = 0; /* the test fails visibly: SIGSEGV at once */
}

static void bad_fs_gs(struct proc *p, void *arg)
{
	const struct pop_case *c = arg;

	set_bad_segments(p, c);
	p->tf->fs = c->sel;
	p->tf->gs = c->sel;
}

/*
 * FS and GS: glibc never uses FS on i386 and loads GS itself, so the
 * process runs normally with them null, on any CPU. At its exit FS is
 * still null, and GS holds glibc's selector.
 */
static void bad_fs_gs_become_null(struct ktest *t)
{
	if (!have_initramfs(t))
		return;
	for (size_t i = 0; i < sizeof(pop_cases) / sizeof(pop_cases[0]); i++) {
		const struct pop_case *c = &pop_cases[i];
		struct outcome o;

		if (!run_hello(t, bad_fs_gs, (void *)c, &o))
			return;
		if (o.status != 0 || o.tf.fs != 0 || o.tf.gs != TLS_SEL(0))
			ktest_fail(t, __FILE__, __LINE__,
				   "%s (0x%x): status 0x%x, fs 0x%x, gs 0x%x",
				   c->name, c->sel, o.status, o.tf.fs, o.tf.gs);
	}
}

static void bad_ds_es(struct proc *p, void *arg)
{
	const struct pop_case *c = arg;

	set_bad_segments(p, c);
	p->tf->ds = c->sel;
	p->tf->es = c->sel;
}

/*
 * DS and ES become null too. The process then uses them: a CPU raises #GP
 * at the first access through a null DS (SDM vol. 3A, 5.4.1) and the
 * process ends with SIGSEGV; QEMU's TCG does not check, and it runs to
 * its end. Either way its last frame shows them null.
 */
static void bad_ds_es_become_null(struct ktest *t)
{
	if (!have_initramfs(t))
		return;
	for (size_t i = 0; i < sizeof(pop_cases) / sizeof(pop_cases[0]); i++) {
		const struct pop_case *c = &pop_cases[i];
		struct outcome o;

		if (!run_hello(t, bad_ds_es, (void *)c, &o))
			return;
		if ((o.status != 0 && o.status != SIGSEGV) || o.tf.ds != 0 ||
		    o.tf.es != 0)
			ktest_fail(t, __FILE__, __LINE__,
				   "%s (0x%x): status 0x%x, ds 0x%x, es 0x%x",
				   c->name, c->sel, o.status, o.tf.ds, o.tf.es);
	}
}

#define SEL_LDT_GOOD LDT_SEL(3) /* a flat writable data segment */

static void good_ldt_in_ds_es_fs(struct proc *p, void *arg)
{
	struct pop_case c = { "", 0, true };

	(void)arg;
	set_bad_segments(p, &c);
	if (ldt_set(p->mm, 3, desc(0xFFFFF, ACC_P | ACC_DPL3 | ACC_S |
						   ACC_RW | ACC_A,
				   FLAGS_G_D)) != 0 ||
	    ldt_size(p->mm) != 4)
		p->tf->eip = 0;
	p->tf->ds = p->tf->es = p->tf->fs = SEL_LDT_GOOD;
}

/*
 * The counterpart of the cases above: a usable LDT entry is loaded when
 * the process is switched in, so its selector stays in DS, ES and FS, and
 * the process (which reads and writes memory through DS and ES all the
 * time) runs to its end.
 */
static void good_ldt_selector_stays(struct ktest *t)
{
	struct outcome o;

	if (!have_initramfs(t) || !run_hello(t, good_ldt_in_ds_es_fs, NULL, &o))
		return;
	KT_EXPECT_EQ(t, o.status, 0);
	KT_EXPECT(t, o.tf.ds == SEL_LDT_GOOD && o.tf.es == SEL_LDT_GOOD &&
				o.tf.fs == SEL_LDT_GOOD);
}

struct iret_case {
	const char *name;
	uint32_t cs, ss;	  /* 0 for the process's own */
	uint32_t vector, vector2; /* the exception expected (either) */
	uint32_t error_code;
};

/* TLS descriptors for the iret cases. */
#define SEL_CS_NOT_PRESENT TLS_SEL(0) /* code, present bit clear */
#define SEL_SS_NOT_PRESENT TLS_SEL(1) /* writable data, not present */
#define SEL_SS_READ_ONLY TLS_SEL(2)   /* read-only data */

/*
 * The iret's checks (SDM vol. 2A, IRET): CS must be a present code segment
 * with DPL equal to its RPL, EIP within its limit; SS a present writable
 * data segment with DPL and RPL equal to CS's RPL. A not-present SS is
 * #NP(selector) in the list of exceptions but #SS(selector) in the
 * operation's pseudo-code; either is accepted. (EIP past the CS limit is
 * not tried: QEMU's TCG does not check segment limits.)
 */
static const struct iret_case iret_cases[] = {
	{ "CS a data segment", SEL_USER_DATA, 0, T_GPF, T_GPF,
	  SEL_USER_DATA & ~3u },
	{ "CS the kernel's code, RPL 3", SEL_KERNEL_CODE | 3, 0, T_GPF, T_GPF,
	  SEL_KERNEL_CODE },
	{ "CS null, RPL 3", 3, 0, T_GPF, T_GPF, 0 },
	{ "CS not present", SEL_CS_NOT_PRESENT, 0, T_SEGMENT, T_SEGMENT,
	  SEL_CS_NOT_PRESENT & ~3u },
	{ "SS null, RPL 3", 0, 3, T_GPF, T_GPF, 0 },
	{ "SS the kernel's data, RPL 3", 0, SEL_KERNEL_DATA | 3, T_GPF, T_GPF,
	  SEL_KERNEL_DATA },
	{ "SS read-only", 0, SEL_SS_READ_ONLY, T_GPF, T_GPF,
	  SEL_SS_READ_ONLY & ~3u },
	{ "SS not present", 0, SEL_SS_NOT_PRESENT, T_STACK, T_SEGMENT,
	  SEL_SS_NOT_PRESENT & ~3u },
};

static void bad_iret_frame(struct proc *p, void *arg)
{
	const struct iret_case *c = arg;

	p->tls[0] = desc(0xFFFFF, ACC_DPL3 | ACC_S | ACC_CODE | ACC_RW | ACC_A,
			 FLAGS_G_D);
	p->tls[1] = desc(0xFFFFF, ACC_DPL3 | ACC_S | ACC_RW | ACC_A, FLAGS_G_D);
	p->tls[2] = desc(0xFFFFF, ACC_P | ACC_DPL3 | ACC_S | ACC_A, FLAGS_G_D);
	if (c->cs)
		p->tf->cs = c->cs;
	if (c->ss)
		p->tf->user_ss = c->ss;
}

/*
 * A frame the iret refuses: the process is killed with SIGSEGV, and its
 * saved frame is the one it was to return to, with the exception's vector
 * and error code.
 */
static void bad_iret_frame_kills(struct ktest *t)
{
	if (!have_initramfs(t))
		return;
	for (size_t i = 0; i < sizeof(iret_cases) / sizeof(iret_cases[0]);
	     i++) {
		const struct iret_case *c = &iret_cases[i];
		struct outcome o;

		if (!run_hello(t, bad_iret_frame, (void *)c, &o))
			return;
		ktest_note("%s: %s, error code 0x%x", c->name,
			   trap_name(o.tf.vector), o.tf.error_code);
		if (o.status != SIGSEGV ||
		    (o.tf.vector != c->vector && o.tf.vector != c->vector2) ||
		    o.tf.error_code != c->error_code ||
		    o.tf.cs != (c->cs ? c->cs : SEL_USER_CODE) ||
		    o.tf.user_ss != (c->ss ? c->ss : SEL_USER_DATA))
			ktest_fail(t, __FILE__, __LINE__,
				   "%s: status 0x%x, vector %u, error 0x%x, "
				   "cs 0x%x, ss 0x%x",
				   c->name, o.status, o.tf.vector,
				   o.tf.error_code, o.tf.cs, o.tf.user_ss);
	}
}

static const struct ktest_case segment_cases[] = {
	KTEST_CASE(trap_return_is_covered),
	KTEST_CASE(bad_fs_gs_become_null),
	KTEST_CASE(bad_ds_es_become_null),
	KTEST_CASE(good_ldt_selector_stays),
	KTEST_CASE(bad_iret_frame_kills),
};

KTEST_SUITE(segments, segment_cases);
