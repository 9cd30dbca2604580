/*
 * kernel/proc/exec.h - building a new program image: what execve does before it
 * switches to it.
 *
 * exec_build() finds the program file, checks it (kernel/proc/elf.h), creates a
 * new address space with its segments, and writes the initial stack the
 * way Linux does for i386 (System V ABI, Intel386 supplement, "Process
 * Initialization"; Linux fs/binfmt_elf.c and fs/exec.c for the details).
 * From high to low addresses (see docs/exec.md for a worked example):
 *
 *   0xC0000000  MM_STACK_TOP
 *               4 zero bytes (end marker)
 *               the path given to execve, NUL-terminated (AT_EXECFN)
 *               environment strings, envp[0] lowest
 *               argument strings, argv[0] lowest       <- arg_start
 *               (down to a 16-byte boundary)
 *               "i686\0" (AT_PLATFORM)
 *               16 random bytes (AT_RANDOM)
 *               (padding, so that ESP below is 16-byte aligned)
 *               auxv: pairs (type, value) ending with AT_NULL
 *               NULL
 *               envp[envc - 1] ... envp[0]
 *               NULL
 *               argv[argc - 1] ... argv[0]
 *   ESP  ->     argc                                   (16-byte aligned)
 *
 * Nothing of the calling process is touched: on failure everything built
 * is freed and the caller carries on as before. The caller then commits
 * to the image (switches mm, sets EIP = entry, ESP = sp and every other
 * user register to 0: the i386 ABI requires EDX = 0, which glibc's _start
 * passes on as the rtld_fini function pointer).
 */
#ifndef KERNEL_EXEC_H
#define KERNEL_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/initramfs.h"
#include "kernel/proc/proc.h"
#include "mm/mm.h"

/*
 * Limits on what execve copies from the caller, in bytes: one argument or
 * environment string with its NUL (Linux's MAX_ARG_STRLEN, 32 pages), and
 * all of them together plus one pointer each (Linux's minimum ARG_MAX, 32
 * pages; Linux allows up to a quarter of RLIMIT_STACK). Beyond: -E2BIG.
 */
#define EXEC_ARG_STRLEN_MAX 131072u
#define EXEC_ARGS_MAX (128u * 1024u)

/* AT_PLATFORM: what uname's machine says on a 32-bit x86 Linux. */
#define EXEC_PLATFORM "i686"

/* Auxiliary vector types (Linux include/uapi/linux/auxvec.h). */
#define AT_NULL 0   /* end of the vector */
#define AT_PHDR 3   /* address of the program headers in memory */
#define AT_PHENT 4  /* size of one program header */
#define AT_PHNUM 5  /* number of program headers */
#define AT_PAGESZ 6 /* page size */
#define AT_BASE 7   /* interpreter's load address (0: none) */
#define AT_FLAGS 8  /* flags (0) */
#define AT_ENTRY 9  /* the program's entry point */
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15 /* address of the platform string */
#define AT_HWCAP 16    /* CPU features: CPUID.1:EDX on x86 */
#define AT_CLKTCK 17   /* times() ticks per second */
#define AT_SECURE 23   /* set-id program (0) */
#define AT_RANDOM 25   /* address of 16 random bytes */
#define AT_HWCAP2 26   /* more CPU features (x86: ring-3 mwait, fsgsbase) */
#define AT_EXECFN 31   /* address of the path given to execve */
/* AT_SYSINFO (32) and AT_SYSINFO_EHDR (33), the vDSO, are not given. */

/* USER_HZ: what times() and AT_CLKTCK count in on Linux i386. */
#define EXEC_CLKTCK 100

/* A program ready to run, as exec_build made it. */
struct exec_image {
	struct mm *mm; /* the new address space (the caller's now) */
	vaddr_t entry; /* initial EIP */
	vaddr_t sp;    /* initial ESP, pointing at argc */
	/*
	 * PT_GNU_STACK asked for an executable stack (or was missing), and
	 * the stack region has PROT_EXEC. Only /proc/PID/maps shows it:
	 * without PAE there is no no-execute bit, so x86 runs code in any
	 * readable page.
	 */
	bool exec_stack;
	struct inode *file; /* the program file */
	const char *path;   /* its absolute path (stable): /proc/PID/exe */
	/* Base name of the path given, cut to 15 characters: the comm. */
	char name[PROC_NAME_MAX];
	vaddr_t arg_start;   /* argument strings (/proc/PID/cmdline) ... */
	vaddr_t arg_end;     /* ... up to here */
	vaddr_t env_start;   /* environment strings (/proc/PID/environ) ... */
	vaddr_t env_end;     /* ... up to here */
	uint32_t argc, envc; /* how many of each */
};

/*
 * Builds the image of the program at path (looked up in the initramfs,
 * relative paths from the root, symlinks followed) with kernel copies of
 * argv and envp (NULL-terminated arrays; either may be NULL for none). An
 * empty argv gets one empty string, as Linux does. rlim (RLIM_NLIMITS
 * entries, e.g. current->rlim) gives the new address space's
 * RLIMIT_STACK, RLIMIT_AS and RLIMIT_DATA; NULL keeps mm_create's
 * defaults. Returns 0 and fills *out, or:
 *   -ENOENT, -ENOTDIR, -ELOOP, -ENAMETOOLONG  from the lookup
 *   -EACCES   not a regular file, or no execute permission bit
 *   -ENOEXEC  not a loadable executable (one log line says why)
 *   -E2BIG    arguments beyond EXEC_ARG_STRLEN_MAX / EXEC_ARGS_MAX
 *   -ENOMEM   out of memory, or the program does not fit RLIMIT_AS
 */
int exec_build(const char *path, char *const argv[], char *const envp[],
	       const struct rlimit64 *rlim, struct exec_image *out);

/*
 * The same for a file already looked up (e.g. by namei() relative to the
 * current directory): path is the name the caller used, for AT_EXECFN and
 * the process name.
 */
int exec_build_file(struct inode *file, const char *path, char *const argv[],
		    char *const envp[], const struct rlimit64 *rlim,
		    struct exec_image *out);

/* Frees an image that will not be used after all (its mm). */
void exec_image_release(struct exec_image *img);

#endif
