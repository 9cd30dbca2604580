/*
 * kernel/proc/sigframe.c - the signal frame: how a handler is entered and left.
 *
 * To run a handler, the kernel writes a frame on the user stack that holds
 * everything the interrupted code had (registers, FPU/SSE state, signal
 * mask), and changes the saved registers so that the return to user mode
 * enters the handler with the frame at the top of its stack. The handler
 * returns, like any function, to the address at the top of the frame: the
 * restorer, a few instructions in glibc (SA_RESTORER) that make the system
 * call sigreturn (119) or rt_sigreturn (173). That call reads the frame
 * back and the interrupted code goes on as if nothing had happened, unless
 * the handler changed the frame on purpose.
 *
 * The layouts are Linux i386's, because programs read them: glibc's
 * ucontext_t is the kernel's struct ucontext, debuggers recognise the
 * frame, and some programs change the saved registers. A handler without
 * SA_SIGINFO gets the old struct sigframe, one with SA_SIGINFO the
 * struct rt_sigframe (arch/x86/include/asm/sigframe.h; sigcontext and
 * _fpstate_32 in arch/x86/include/uapi/asm/sigcontext.h). Higher addresses
 * are at the top:
 *
 *   the stack at the signal ─►│ ...the interrupted code's stack...  │
 *   (or the top of the        ├─────────────────────────────────────┤
 *    sigaltstack area)        │ (gap to a 64-byte boundary)         │
 *                             ├─────────────────────────────────────┤
 *                             │ fxsave image: x87, MXCSR, XMM0-7    │
 *                             │ 512 bytes, 64-byte aligned          │
 *                             ├ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ─ ┤
 *     sc.fpstate ───────────► │ x87 state in fnsave layout, 112     │
 *                             ├─────────────────────────────────────┤
 *                             │ (gap for the alignment below)       │
 *        rt_sigframe:         ├─────────────────────────────────────┤
 *                             │ retcode[8]  (mov $173,%eax; int 80) │
 *                             │ uc: struct ucontext                 │
 *                             │   uc_sigmask: the mask to restore   │
 *                             │   uc_mcontext: struct sigcontext    │
 *                             │     gs fs es ds edi esi ebp esp ebx │
 *                             │     edx ecx eax trapno err eip cs   │
 *                             │     eflags esp ss fpstate oldmask   │
 *                             │     cr2                             │
 *                             │   uc_stack (sigaltstack), uc_link,  │
 *                             │   uc_flags                          │
 *                             │ info: siginfo_t (128 bytes)         │
 *                             │ puc   = &uc      3rd argument       │
 *                             │ pinfo = &info    2nd argument       │
 *                             │ sig              1st argument       │
 *   the handler's esp ──────► │ pretcode = sa_restorer: return addr │
 *                             └─────────────────────────────────────┘
 *
 * struct sigframe is the same with sig, a struct sigcontext, an unused
 * 624-byte _fpstate_32 (kept so that extramask stays where old programs
 * look for it), extramask (the high word of the mask; the low word is
 * sc.oldmask) and retcode (pop %eax; mov $119,%eax; int $0x80).
 *
 * The frame starts 4 bytes below a 16-byte boundary, so that the handler
 * sees its stack as after a call from 16-byte aligned code, which is what
 * the i386 System V ABI promises a function. sigreturn finds the frame
 * from the stack pointer: the handler's `ret` popped pretcode, the
 * non-rt restorer popped sig too.
 *
 * sigreturn takes back only what a program may set: EFLAGS bits outside
 * FIX_EFLAGS keep their value (no IOPL, no virtual-8086 mode, interrupts
 * stay on), CS and SS get requested privilege level 3, and the segment
 * registers go through the checks of trap_return (boot/trap_entry.asm):
 * a selector the CPU refuses becomes null, a CS or SS it refuses kills the
 * process with SIGSEGV (kernel/arch/extable.c). A frame that cannot be read, or
 * an MXCSR that fxrstor would refuse, is a SIGSEGV too.
 */
#include <stddef.h>

#include "kernel/arch/fpu.h"
#include "kernel/arch/gdt.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/arch/trap.h"
#include "kernel/syscall/uaccess.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/string.h"

/* EFLAGS bits (Intel SDM vol. 1, 3.4.3). */
#define EFLAGS_CF (1u << 0)
#define EFLAGS_PF (1u << 2)
#define EFLAGS_AF (1u << 4)
#define EFLAGS_ZF (1u << 6)
#define EFLAGS_SF (1u << 7)
#define EFLAGS_TF (1u << 8)
#define EFLAGS_DF (1u << 10)
#define EFLAGS_OF (1u << 11)
#define EFLAGS_RF (1u << 16)
#define EFLAGS_AC (1u << 18)
/* The bits sigreturn takes from the frame (Linux's FIX_EFLAGS on i386). */
#define FIX_EFLAGS                                                             \
	(EFLAGS_AC | EFLAGS_OF | EFLAGS_DF | EFLAGS_TF | EFLAGS_SF |           \
	 EFLAGS_ZF | EFLAGS_AF | EFLAGS_PF | EFLAGS_CF | EFLAGS_RF)

#define NR_SIGRETURN 119
#define NR_RT_SIGRETURN 173
#define FRAME_ALIGN 16u /* the i386 ABI's stack alignment */
#define FPU_ALIGN 64u	/* where Linux puts the FPU area */

/* struct sigcontext (i386): the registers at the signal. */
struct sigcontext32 {
	uint16_t gs, gsh, fs, fsh, es, esh, ds, dsh;
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t trapno; /* the last exception's vector, */
	uint32_t err;	 /*   error code */
	uint32_t eip;
	uint16_t cs, csh;
	uint32_t eflags;
	uint32_t esp_at_signal;
	uint16_t ss, ssh;
	uint32_t fpstate; /* user address of the FPU area, or 0 */
	uint32_t oldmask; /* the low word of the mask */
	uint32_t cr2;	  /*   and address (page faults) */
};

/* siginfo_t (i386): 128 bytes, the rest of the union zero. */
struct siginfo32 {
	int32_t signo;
	int32_t errno_;
	int32_t code;
	union {
		uint32_t pad[29];
		struct { /* kill, tkill, the kernel */
			int32_t pid;
			uint32_t uid;
		} kill;
		struct { /* SIGCHLD */
			int32_t pid;
			uint32_t uid;
			int32_t status;
			int32_t utime;
			int32_t stime;
		} chld;
		struct { /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
			uint32_t addr;
		} fault;
	};
};

/* stack_t (i386). */
struct stack32 {
	uint32_t ss_sp;
	uint32_t ss_flags;
	uint32_t ss_size;
};

/* struct ucontext (i386), the start of glibc's ucontext_t. */
struct ucontext32 {
	uint32_t uc_flags; /* 0: no XSAVE state follows the fxsave image */
	uint32_t uc_link;
	struct stack32 uc_stack;
	struct sigcontext32 uc_mcontext;
	uint32_t uc_sigmask[2];
};

/* A handler without SA_SIGINFO: handler(sig). */
struct sigframe32 {
	uint32_t pretcode;
	int32_t sig;
	struct sigcontext32 sc;
	uint8_t fpstate_unused[FPU_FRAME_MAX]; /* never written */
	uint32_t extramask;		       /* the high word of the mask */
	uint8_t retcode[8];
};

/* A handler with SA_SIGINFO: handler(sig, &info, &uc). */
struct rt_sigframe32 {
	uint32_t pretcode;
	int32_t sig;
	uint32_t pinfo;
	uint32_t puc;
	struct siginfo32 info;
	struct ucontext32 uc;
	uint8_t retcode[8];
};

/* The sizes every i386 program was compiled against. */
_Static_assert(sizeof(struct sigcontext32) == 88, "struct sigcontext");
_Static_assert(sizeof(struct siginfo32) == 128, "siginfo_t");
_Static_assert(sizeof(struct ucontext32) == 116, "struct ucontext");
_Static_assert(offsetof(struct sigframe32, extramask) == 720, "extramask");
_Static_assert(sizeof(struct sigframe32) == 732, "struct sigframe");
_Static_assert(sizeof(struct rt_sigframe32) == 268, "struct rt_sigframe");

/* Whether the siginfo of sig with code has the fault layout (si_addr). */
static bool fault_layout(int sig, int code)
{
	if (code <= SI_USER || code >= SI_KERNEL)
		return false;
	return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
	       sig == SIGFPE || sig == SIGTRAP;
}

static void build_siginfo(struct siginfo32 *si, int sig,
			  const struct ksiginfo *k)
{
	memset(si, 0, sizeof(*si));
	si->signo = sig;
	si->code = k->code;
	if (fault_layout(sig, k->code)) {
		si->fault.addr = k->addr;
	} else if (sig == SIGCHLD && k->code > SI_USER && k->code < SI_KERNEL) {
		si->chld.pid = k->pid;
		si->chld.status = k->status;
		si->chld.utime = (int32_t)k->utime;
		si->chld.stime = (int32_t)k->stime;
	} else {
		si->kill.pid = k->pid; /* the uid is always 0 (root) */
	}
}

int sigframe_put_siginfo(uint32_t uaddr, int sig, const struct ksiginfo *info)
{
	struct siginfo32 si;

	build_siginfo(&si, sig, info);
	return copy_to_user((void *)uaddr, &si, sizeof(si));
}

/* Saves the registers of tf, as the frame's sigcontext. */
static void save_sigcontext(struct sigcontext32 *sc, const struct trapframe *tf,
			    uint32_t fpstate, uint32_t mask)
{
	const struct proc *p = current;

	memset(sc, 0, sizeof(*sc));
	sc->gs = (uint16_t)tf->gs;
	sc->fs = (uint16_t)tf->fs;
	sc->es = (uint16_t)tf->es;
	sc->ds = (uint16_t)tf->ds;
	sc->edi = tf->edi;
	sc->esi = tf->esi;
	sc->ebp = tf->ebp;
	sc->esp = tf->user_esp;
	sc->ebx = tf->ebx;
	sc->edx = tf->edx;
	sc->ecx = tf->ecx;
	sc->eax = tf->eax;
	sc->trapno = p->fault_trapno;
	sc->err = p->fault_error;
	sc->eip = tf->eip;
	sc->cs = (uint16_t)tf->cs;
	sc->eflags = tf->eflags;
	sc->esp_at_signal = tf->user_esp;
	sc->ss = (uint16_t)tf->user_ss;
	sc->fpstate = fpstate;
	sc->oldmask = mask;
	sc->cr2 = p->fault_cr2;
}

/*
 * Where the frame goes: below the FPU area, below the interrupted stack
 * or at the top of the alternate one. Returns the frame's address and the
 * FPU area's in *fpstate, or 0 if the alternate stack would overflow.
 */
static uint32_t frame_place(const struct trapframe *tf,
			    const struct ksigaction *ka, size_t frame_size,
			    uint32_t *fpstate)
{
	const struct proc *p = current;
	const struct kaltstack *ss = &p->sig_altstack;
	uint32_t sp = tf->user_esp;
	bool nested = signal_on_altstack(p, sp), entering = false;

	if ((ka->flags & SA_ONSTACK) && signal_altstack_flags(p, sp) == 0) {
		sp = ss->sp + ss->size;
		entering = true;
	}
	/*
	 * The fxsave image sits on a 64-byte boundary with the fnsave part
	 * below it (without FXSR the fnsave part is the whole area).
	 */
	if (fpu_frame_has_fxsave()) {
		sp = (sp - (FPU_FRAME_MAX - FPU_FRAME_FNSAVE)) &
		     ~(FPU_ALIGN - 1);
		sp -= FPU_FRAME_FNSAVE;
	} else {
		sp = (sp - FPU_FRAME_FNSAVE) & ~(FPU_ALIGN - 1);
	}
	*fpstate = sp;
	sp -= (uint32_t)frame_size;
	/* On entry, (esp + 4) is 16-byte aligned: as after a call. */
	sp = ((sp + 4) & ~(FRAME_ALIGN - 1)) - 4;
	/*
	 * A frame that does not fit in the alternate stack would overwrite
	 * whatever lies below it: Linux returns an address that cannot be
	 * written, and so does this.
	 */
	if ((nested || entering) && !(sp > ss->sp && sp - ss->sp <= ss->size))
		return 0;
	return sp;
}

int sigframe_setup(struct trapframe *tf, int sig, const struct ksigaction *ka,
		   const struct ksiginfo *info, uint64_t old_mask)
{
	struct proc *p = current;
	bool rt = ka->flags & SA_SIGINFO;
	uint8_t fpu_area[FPU_FRAME_MAX];
	uint32_t fpstate, frame, pretcode;

	frame = frame_place(tf, ka,
			    rt ? sizeof(struct rt_sigframe32)
			       : sizeof(struct sigframe32),
			    &fpstate);
	if (!frame)
		return -EFAULT;
	/* The process's FPU registers are still in the CPU: save them. */
	fpu_save(&p->fpu);
	fpu_to_frame(&p->fpu, fpu_area);
	if (copy_to_user((void *)fpstate, fpu_area, fpu_frame_size()))
		return -EFAULT;

	if (rt) {
		static const uint8_t retcode[8] = { 0xb8, NR_RT_SIGRETURN,
						    0,	  0,
						    0, /* mov $173, %eax */
						    0xcd, 0x80, /* int $0x80 */
						    0 };
		struct rt_sigframe32 f;

		pretcode = frame + offsetof(struct rt_sigframe32, retcode);
		f.pretcode = ka->flags & SA_RESTORER ? ka->restorer : pretcode;
		f.sig = sig;
		f.pinfo = frame + offsetof(struct rt_sigframe32, info);
		f.puc = frame + offsetof(struct rt_sigframe32, uc);
		build_siginfo(&f.info, sig, info);
		f.uc.uc_flags = 0;
		f.uc.uc_link = 0;
		f.uc.uc_stack.ss_sp = p->sig_altstack.sp;
		f.uc.uc_stack.ss_flags = p->sig_altstack.flags;
		f.uc.uc_stack.ss_size = p->sig_altstack.size;
		save_sigcontext(&f.uc.uc_mcontext, tf, fpstate,
				(uint32_t)old_mask);
		f.uc.uc_sigmask[0] = (uint32_t)old_mask;
		f.uc.uc_sigmask[1] = (uint32_t)(old_mask >> 32);
		memcpy(f.retcode, retcode, sizeof(retcode));
		if (copy_to_user((void *)frame, &f, sizeof(f)))
			return -EFAULT;
		tf->edx = f.pinfo; /* also in registers, as on Linux */
		tf->ecx = f.puc;
	} else {
		static const uint8_t retcode[8] = {
			0x58,			     /* pop %eax */
			0xb8, NR_SIGRETURN, 0, 0, 0, /* mov $119, %eax */
			0xcd, 0x80		     /* int $0x80 */
		};
		struct {
			uint32_t pretcode;
			int32_t sig;
			struct sigcontext32 sc;
		} head;
		struct {
			uint32_t extramask;
			uint8_t retcode[8];
		} tail;
		const size_t tail_at = offsetof(struct sigframe32, extramask);

		pretcode = frame + offsetof(struct sigframe32, retcode);
		head.pretcode = ka->flags & SA_RESTORER ? ka->restorer
							: pretcode;
		head.sig = sig;
		save_sigcontext(&head.sc, tf, fpstate, (uint32_t)old_mask);
		tail.extramask = (uint32_t)(old_mask >> 32);
		memcpy(tail.retcode, retcode, sizeof(retcode));
		/* fpstate_unused between the two is left as it was. */
		if (copy_to_user((void *)frame, &head, sizeof(head)) ||
		    copy_to_user((void *)(frame + tail_at), &tail,
				 sizeof(tail)))
			return -EFAULT;
		tf->edx = tf->ecx = 0;
	}

	/* Into the handler, with the frame on top of its stack. */
	tf->user_esp = frame;
	tf->eip = ka->handler;
	tf->eax = (uint32_t)sig;
	tf->ds = tf->es = tf->user_ss = SEL_USER_DATA;
	tf->cs = SEL_USER_CODE;
	/*
	 * The ABI wants DF clear on function entry; TF and RF are cleared so
	 * that single-stepping the interrupted code does not trap at once.
	 */
	tf->eflags &= ~(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF);
	/* The handler starts with the FPU as a new program does. */
	fpu_init_state(&p->fpu);
	fpu_restore(&p->fpu);
	return 0;
}

/*
 * Restores the registers from a frame's sigcontext, as a program may have
 * changed them (see the top of the file). 0, or -EFAULT when the FPU area
 * cannot be read.
 */
static int restore_sigcontext(struct trapframe *tf,
			      const struct sigcontext32 *sc)
{
	struct proc *p = current;
	uint8_t fpu_area[FPU_FRAME_MAX];

	tf->gs = sc->gs;
	tf->fs = sc->fs;
	tf->es = sc->es;
	tf->ds = sc->ds;
	tf->edi = sc->edi;
	tf->esi = sc->esi;
	tf->ebp = sc->ebp;
	tf->user_esp = sc->esp;
	tf->ebx = sc->ebx;
	tf->edx = sc->edx;
	tf->ecx = sc->ecx;
	tf->eax = sc->eax;
	tf->eip = sc->eip;
	tf->cs = sc->cs | 3u;
	tf->user_ss = sc->ss | 3u;
	tf->eflags = (tf->eflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	/* Not a system call to restart: EAX is the interrupted code's. */
	p->syscall_nr = -1;

	if (!sc->fpstate) {
		fpu_init_state(&p->fpu); /* no FPU state: a fresh one */
	} else {
		if (copy_from_user(fpu_area, (const void *)sc->fpstate,
				   fpu_frame_size()) ||
		    !fpu_from_frame(&p->fpu, fpu_area))
			return -EFAULT;
	}
	/* Straight into the CPU: nothing may sleep between these two. */
	fpu_restore(&p->fpu);
	return 0;
}

/* sigreturn read a frame it cannot use: SIGSEGV, as on Linux. */
static int32_t bad_frame(struct trapframe *tf, uint32_t frame)
{
	struct ksiginfo info = {
		.code = SI_KERNEL,
		.reason = "bad signal frame at sigreturn",
		.report_addr = frame,
		.eip = tf->eip,
	};

	current->syscall_nr = -1;
	signal_force(SIGSEGV, &info);
	return 0;
}

/* The mask a frame restores; SIGKILL and SIGSTOP stay unblocked. */
static void restore_mask(uint64_t mask)
{
	struct proc *p = current;
	bool was = irq_save();
	p->sig_blocked = mask & ~SIG_UNBLOCKABLE;
	irq_restore(was);
}

int32_t sigframe_sigreturn(struct trapframe *tf)
{
	/* The handler's ret popped pretcode, the restorer popped sig. */
	uint32_t frame = tf->user_esp - 8;
	struct sigcontext32 sc;
	uint32_t extramask;

	if (copy_from_user(
		    &sc,
		    (const void *)(frame + offsetof(struct sigframe32, sc)),
		    sizeof(sc)) ||
	    copy_from_user(&extramask,
			   (const void *)(frame + offsetof(struct sigframe32,
							   extramask)),
			   sizeof(extramask)))
		return bad_frame(tf, frame);
	restore_mask(sc.oldmask | (uint64_t)extramask << 32);
	if (restore_sigcontext(tf, &sc))
		return bad_frame(tf, frame);
	return (int32_t)tf->eax;
}

int32_t sigframe_rt_sigreturn(struct trapframe *tf)
{
	/* The handler's ret popped pretcode. */
	uint32_t frame = tf->user_esp - 4;
	struct ucontext32 uc;

	if (copy_from_user(
		    &uc,
		    (const void *)(frame + offsetof(struct rt_sigframe32, uc)),
		    sizeof(uc)))
		return bad_frame(tf, frame);
	restore_mask(uc.uc_sigmask[0] | (uint64_t)uc.uc_sigmask[1] << 32);
	if (restore_sigcontext(tf, &uc.uc_mcontext))
		return bad_frame(tf, frame);
	/*
	 * The alternate stack as it was (a handler may have disarmed it with
	 * SS_AUTODISARM). Errors are ignored, as on Linux.
	 */
	struct kaltstack ss = { uc.uc_stack.ss_sp, uc.uc_stack.ss_size,
				uc.uc_stack.ss_flags };
	(void)signal_set_altstack(current, &ss, tf->user_esp);
	return (int32_t)tf->eax;
}
