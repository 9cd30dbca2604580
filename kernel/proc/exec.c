/*
 * kernel/proc/exec.c - a new address space with a program and its initial stack.
 *
 * Order of work: the cheap checks first (argument sizes, the file's type
 * and permissions, the ELF headers), then the new address space, its
 * segments and its stack. The stack's layout is computed before anything
 * is written (kernel/proc/exec.h has the picture); strings are copied with
 * mm_write(), which brings the new stack's pages in although the new
 * address space is not loaded, and the pointer table goes through a small
 * buffer. Any failure destroys the new address space, which frees all of
 * its pages, page tables and regions: the caller's process is untouched.
 */
#include "kernel/proc/exec.h"

#include "kernel/proc/elf.h"
#include "kernel/random.h"
#include "kernel/arch/x86.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/string.h"
#include "mm/trace.h"

/* Execute permission for owner, group or others (POSIX st_mode bits). */
#define MODE_EXEC_BITS 0111

/* AT_RANDOM points at this many bytes (Linux: 16). */
#define EXEC_RANDOM_BYTES 16

/*
 * The initial ESP and the string area below the strings are 16-byte
 * aligned, as Linux's STACK_ROUND and arch_align_stack make them (the
 * i386 psABI asks for 16-byte stack alignment at calls since GCC 4.5).
 */
#define EXEC_STACK_ALIGN 16u

/* Auxiliary vector entries we write, AT_NULL included. */
#define EXEC_NAUXV 19

/* Words the table writer buffers before calling mm_write. */
#define WRITER_WORDS 64

/* An empty argv becomes { "" }, as on Linux since 5.18. */
static char empty_string[1];
static char *const empty_argv[] = { empty_string, NULL };

/* A string vector (argv or envp) and its size on the stack. */
struct strv {
	char *const *v; /* the strings, NULL-terminated (or NULL) */
	uint32_t n;	/* how many */
	uint32_t bytes; /* their lengths plus NULs */
};

/*
 * Measures v into *sv and adds its bytes and pointers to *total.
 * Returns 0 or -E2BIG.
 */
static int measure(char *const *v, struct strv *sv, uint32_t *total)
{
	sv->v = v;
	sv->n = 0;
	sv->bytes = 0;
	if (!v)
		return 0;
	for (; v[sv->n]; sv->n++) {
		size_t len = strnlen(v[sv->n], EXEC_ARG_STRLEN_MAX);
		if (len == EXEC_ARG_STRLEN_MAX)
			return -E2BIG;
		sv->bytes += len + 1;
		*total += len + 1 + sizeof(uint32_t);
		if (*total > EXEC_ARGS_MAX)
			return -E2BIG;
	}
	return 0;
}

/* Writes the strings of sv one after another from addr; returns 0 or -errno. */
static int write_strings(struct mm *mm, vaddr_t addr, const struct strv *sv)
{
	for (uint32_t i = 0; i < sv->n; i++) {
		size_t len = strlen(sv->v[i]) + 1;
		int err = mm_write(mm, addr, sv->v[i], len);
		if (err)
			return err;
		addr += len;
	}
	return 0;
}

/* Buffers 32-bit words on their way to consecutive user addresses. */
struct writer {
	struct mm *mm;
	vaddr_t at; /* where buf[0] goes */
	uint32_t buf[WRITER_WORDS];
	uint32_t n; /* words in buf */
	int err;    /* the first error, sticky */
};

/* Writes out the buffered words and moves on past them. */
static void writer_flush(struct writer *w)
{
	if (w->n && !w->err)
		w->err =
			mm_write(w->mm, w->at, w->buf, w->n * sizeof(uint32_t));
	w->at += w->n * sizeof(uint32_t);
	w->n = 0;
}

/* Queues one word, flushing when the buffer is full. */
static void writer_word(struct writer *w, uint32_t v)
{
	if (w->n == WRITER_WORDS)
		writer_flush(w);
	w->buf[w->n++] = v;
}

/* Writes the addresses of the strings of sv (from addr on) and a NULL. */
static void writer_pointers(struct writer *w, vaddr_t addr,
			    const struct strv *sv)
{
	for (uint32_t i = 0; i < sv->n; i++) {
		writer_word(w, addr);
		addr += strlen(sv->v[i]) + 1;
	}
	writer_word(w, 0);
}

/* CPUID.1:EDX, the feature flags Linux gives as AT_HWCAP on x86. */
static uint32_t cpu_hwcap(void)
{
	uint32_t a, b, c, d;
	cpuid(1, &a, &b, &c, &d);
	return d;
}

/* Where each part of the initial stack goes (see kernel/proc/exec.h). */
struct stack_layout {
	vaddr_t execfn;	   /* the path string */
	vaddr_t env_start; /* environment strings */
	vaddr_t arg_start; /* argument strings */
	vaddr_t platform;  /* "i686" */
	vaddr_t random;	   /* AT_RANDOM bytes */
	vaddr_t sp;	   /* argc, then the table */
};

/* Computes every address of the initial stack, top down. */
static void plan_stack(struct stack_layout *l, uint32_t pathlen,
		       const struct strv *args, const struct strv *envs)
{
	vaddr_t p = MM_STACK_TOP - sizeof(uint32_t); /* end marker */
	p -= pathlen + 1;
	l->execfn = p;
	p -= envs->bytes;
	l->env_start = p;
	p -= args->bytes;
	l->arg_start = p;
	p &= ~(EXEC_STACK_ALIGN - 1);
	p -= sizeof(EXEC_PLATFORM);
	l->platform = p;
	p -= EXEC_RANDOM_BYTES;
	l->random = p;
	uint32_t words = 1 + (args->n + 1) + (envs->n + 1) + 2 * EXEC_NAUXV;
	l->sp = (p - words * sizeof(uint32_t)) & ~(EXEC_STACK_ALIGN - 1);
}

/* Writes everything on the stack of mm as planned. */
static int write_stack(struct mm *mm, const struct stack_layout *l,
		       const char *path, uint32_t pathlen,
		       const struct strv *args, const struct strv *envs,
		       const struct elf_info *info)
{
	static const uint32_t end_marker;
	const struct cred *cred = &current->cred; /* AT_UID ... AT_SECURE */
	uint8_t rnd[EXEC_RANDOM_BYTES];
	int err;

	err = mm_write(mm, MM_STACK_TOP - sizeof(end_marker), &end_marker,
		       sizeof(end_marker));
	if (!err)
		err = mm_write(mm, l->execfn, path, pathlen + 1);
	if (!err)
		err = write_strings(mm, l->env_start, envs);
	if (!err)
		err = write_strings(mm, l->arg_start, args);
	if (!err)
		err = mm_write(mm, l->platform, EXEC_PLATFORM,
			       sizeof(EXEC_PLATFORM));
	random_bytes(rnd, sizeof(rnd));
	if (!err)
		err = mm_write(mm, l->random, rnd, sizeof(rnd));
	if (err)
		return err;

	/* The auxiliary vector, in the order Linux writes it. */
	const uint32_t auxv[EXEC_NAUXV][2] = {
		{ AT_HWCAP, cpu_hwcap() },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_CLKTCK, EXEC_CLKTCK },
		{ AT_PHDR, info->phdr_addr },
		{ AT_PHENT, sizeof(struct elf32_phdr) },
		{ AT_PHNUM, info->phnum },
		{ AT_BASE, 0 },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, info->entry },
		{ AT_UID, cred->uid },
		{ AT_EUID, cred->euid },
		{ AT_GID, cred->gid },
		{ AT_EGID, cred->egid },
		/* Linux's secureexec: the program runs with ids not its
		 * user's own (glibc then ignores LD_* and the like). */
		{ AT_SECURE,
		  cred->euid != cred->uid || cred->egid != cred->gid },
		{ AT_RANDOM, l->random },
		{ AT_HWCAP2, 0 },
		{ AT_EXECFN, l->execfn },
		{ AT_PLATFORM, l->platform },
		{ AT_NULL, 0 },
	};
	struct writer w = { .mm = mm, .at = l->sp };
	writer_word(&w, args->n);
	writer_pointers(&w, l->arg_start, args);
	writer_pointers(&w, l->env_start, envs);
	for (int i = 0; i < EXEC_NAUXV; i++) {
		writer_word(&w, auxv[i][0]);
		writer_word(&w, auxv[i][1]);
	}
	writer_flush(&w);
	KASSERT(w.err || w.at <= l->random);
	return w.err;
}

/* The last component of path (what Linux puts in comm), cut to fit. */
static void set_name(char *name, size_t size, const char *path)
{
	const char *base = strrchr(path, '/');
	strlcpy(name, base ? base + 1 : path, size);
}

/* Builds the image of an already looked-up file. */
int exec_build_file(struct inode *file, const char *path, char *const argv[],
		    char *const envp[], const struct rlimit64 *rlim,
		    struct exec_image *out)
{
	struct strv args, envs;
	struct elf_info info;
	struct stack_layout l;
	struct mm *mm;
	int err;

	memset(out, 0, sizeof(*out));
	if (!inode_is_reg(file) || !(file->mode & MODE_EXEC_BITS))
		return -EACCES;
	/* The x bit for the caller's user or group (kernel/proc/cred.h). */
	const struct cred *cred = &current->cred;
	err = cred_permission(cred, file->mode, file->uid, file->gid,
			      MAY_EXEC);
	if (err)
		return err;

	if (!argv || !argv[0])
		argv = empty_argv;
	size_t pathlen = strnlen(path, INITRAMFS_PATH_MAX);
	if (pathlen == INITRAMFS_PATH_MAX)
		return -ENAMETOOLONG;
	uint32_t total = pathlen + 1;
	err = measure(argv, &args, &total);
	if (!err)
		err = measure(envp, &envs, &total);
	if (err)
		return err;
	const struct elf_image img = {
		.data = file->data,
		.size = file->size,
		.path = file->path,
		.ino = file->ino,
		.dev = INITRAMFS_DEV,
	};
	err = elf_validate(&img, &info);
	if (err)
		return err;

	err = mm_create(&mm);
	if (err)
		return err;
	/* execve keeps the caller's pid (a new process gets its own later). */
	mm->trace_pid = mm_trace_current_pid();
	if (rlim) {
		mm->limit_stack = rlim[RLIMIT_STACK].cur;
		mm->limit_as = rlim[RLIMIT_AS].cur;
		mm->limit_data = rlim[RLIMIT_DATA].cur;
	}
	err = elf_load(mm, &img, &info);
	if (err)
		goto out_mm;

	plan_stack(&l, pathlen, &args, &envs);
	const uint32_t stack_size = MM_STACK_TOP - page_round_down(l.sp);
	if (stack_size > mm->limit_stack) {
		/* Linux too refuses arguments that overflow RLIMIT_STACK. */
		err = -E2BIG;
		goto out_mm;
	}
	err = mm_setup_stack(mm, MM_STACK_TOP, stack_size);
	if (err) {
		pr_warn("exec: %s: cannot set up a stack of %u bytes (error "
			"%d)\n",
			file->path, MM_STACK_TOP - l.sp, err);
		goto out_mm;
	}
	if (info.exec_stack) {
		struct vma *v = mm_find_vma(mm, MM_STACK_TOP - 1);
		KASSERT(v);
		err = mm_protect(mm, v->start, v->end - v->start,
				 MM_PROT_READ | MM_PROT_WRITE | MM_PROT_EXEC);
		if (err)
			goto out_mm;
	}
	err = write_stack(mm, &l, path, pathlen, &args, &envs, &info);
	if (err)
		goto out_mm;

	out->mm = mm;
	out->entry = info.entry;
	out->sp = l.sp;
	out->exec_stack = info.exec_stack;
	out->file = file;
	out->path = file->path;
	set_name(out->name, sizeof(out->name), path);
	out->arg_start = l.arg_start;
	out->arg_end = l.arg_start + args.bytes;
	out->env_start = l.env_start;
	out->env_end = l.env_start + envs.bytes;
	out->argc = args.n;
	out->envc = envs.n;
	pr_debug("exec: %s: entry 0x%08x, stack 0x%08x, brk 0x%08x\n",
		 file->path, out->entry, out->sp, mm->brk);
	return 0;

out_mm:
	mm_destroy(mm);
	return err;
}

/* Looks path up in the initramfs and builds its image. */
int exec_build(const char *path, char *const argv[], char *const envp[],
	       const struct rlimit64 *rlim, struct exec_image *out)
{
	struct inode *file;
	int err = initramfs_lookup(path, &file);
	if (err)
		return err;
	return exec_build_file(file, path, argv, envp, rlim, out);
}

/* Frees an image the caller decided not to run. */
void exec_image_release(struct exec_image *img)
{
	if (img->mm)
		mm_destroy(img->mm);
	img->mm = NULL;
}
