/*
 * tests/kernel/test_exec.c - building a program image from the initramfs.
 *
 * exec_build() on /bin/hello, then the new address space is loaded and
 * its initial stack read back from kernel mode at the user addresses the
 * program will see: argc, argv, envp, the auxiliary vector and the
 * strings they point to, the alignment, the end marker. The program's
 * own headers are read through AT_PHDR and compared with the file.
 * Failures (missing, not executable, not ELF, too many arguments) must
 * leave no memory behind.
 */
#include "drivers/pit.h"
#include "kernel/proc/exec.h"
#include "kernel/ktest.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/arch/x86.h"
#include "libk/elf.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/pmm.h"
#include "mm/slab.h"
#include "mm/vm.h"

#define PROG "/bin/hello"

static uint32_t settled_free_pages(void)
{
	struct pmm_stats st;
	kheap_shrink();
	pmm_drain_cache();
	pmm_get_stats(&st);
	return st.free_pages;
}

static bool have_initramfs(struct ktest *t)
{
	int err = initramfs_init();
	if (err)
		ktest_fail(t, __FILE__, __LINE__, "initramfs_init: %d", err);
	return err == 0;
}

/* Looks up the auxv entry `type` in the vector at av; 0 if absent. */
static uint32_t aux(const uint32_t *av, uint32_t type, bool *found)
{
	for (; av[0] != AT_NULL; av += 2) {
		if (av[0] == type) {
			*found = true;
			return av[1];
		}
	}
	*found = false;
	return 0;
}

static uint32_t expect_aux(struct ktest *t, const uint32_t *av, uint32_t type)
{
	bool found;
	uint32_t v = aux(av, type, &found);
	if (!found)
		ktest_fail(t, __FILE__, __LINE__, "no auxv entry %u", type);
	return v;
}

/* Checks the stack of img (its mm loaded) against what was passed. */
static void check_stack(struct ktest *t, const struct exec_image *img,
			char *const argv[], uint32_t argc, char *const envp[],
			uint32_t envc, const char *execfn)
{
	const struct inode *file = img->file;
	const struct elf32_ehdr *eh = (const void *)file->data;

	KT_EXPECT_EQ(t, img->sp % 16, 0);
	KT_ASSERT(t, img->sp < MM_STACK_TOP &&
			     img->sp > MM_STACK_TOP - 2 * EXEC_ARGS_MAX);
	const uint32_t *sp = (const uint32_t *)(uintptr_t)img->sp;
	KT_ASSERT_EQ(t, sp[0], argc);
	char *const *uargv = (char *const *)(sp + 1);
	char *const *uenvp = uargv + argc + 1;
	KT_EXPECT(t, uargv[argc] == NULL);
	KT_EXPECT(t, uenvp[envc] == NULL);

	/* Strings: argv then envp, consecutive, from arg_start up. */
	const char *next = (const char *)(uintptr_t)img->arg_start;
	for (uint32_t i = 0; i < argc; i++) {
		KT_ASSERT(t, uargv[i] == next);
		KT_EXPECT(t, !strcmp(uargv[i], argv[i]));
		next += strlen(argv[i]) + 1;
	}
	KT_EXPECT_EQ(t, (uintptr_t)next, img->arg_end);
	KT_EXPECT_EQ(t, img->env_start, img->arg_end);
	for (uint32_t i = 0; i < envc; i++) {
		KT_ASSERT(t, uenvp[i] == next);
		KT_EXPECT(t, !strcmp(uenvp[i], envp[i]));
		next += strlen(envp[i]) + 1;
	}
	KT_EXPECT_EQ(t, (uintptr_t)next, img->env_end);

	/* The auxiliary vector follows envp's NULL. */
	const uint32_t *av = (const uint32_t *)(uenvp + envc + 1);
	uint32_t a, b, c, d;
	cpuid(1, &a, &b, &c, &d);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_PAGESZ), PAGE_SIZE);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_ENTRY), eh->e_entry);
	KT_EXPECT_EQ(t, img->entry, eh->e_entry);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_PHENT), 32);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_PHNUM), eh->e_phnum);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_CLKTCK), 100);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_HWCAP), d);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_HWCAP2), 0);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_BASE), 0);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_FLAGS), 0);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_UID), 0);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_EUID), 0);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_GID), 0);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_EGID), 0);
	KT_EXPECT_EQ(t, expect_aux(t, av, AT_SECURE), 0);
	bool vdso;
	aux(av, 33, &vdso); /* AT_SYSINFO_EHDR: there is no vDSO */
	KT_EXPECT(t, !vdso);

	/* The strings at the top: execfn, then the end marker. */
	const char *fn = (const char *)(uintptr_t)expect_aux(t, av, AT_EXECFN);
	KT_EXPECT(t, fn == next);
	KT_EXPECT(t, !strcmp(fn, execfn));
	KT_EXPECT_EQ(t, (uintptr_t)(fn + strlen(fn) + 1 + 4), MM_STACK_TOP);
	KT_EXPECT_EQ(t, *(const uint32_t *)(MM_STACK_TOP - 4), 0);
	const char *plat =
		(const char *)(uintptr_t)expect_aux(t, av, AT_PLATFORM);
	KT_EXPECT(t, !strcmp(plat, "i686"));
	KT_EXPECT(t, (uintptr_t)plat + 5 <= (img->arg_start & ~15u));

	/* 16 random bytes just below the platform string, above auxv. */
	uint32_t rnd = expect_aux(t, av, AT_RANDOM);
	KT_EXPECT_EQ(t, rnd + 16, (uintptr_t)plat);
	const uint32_t *end = av;
	while (end[0] != AT_NULL)
		end += 2;
	KT_EXPECT(t, (uintptr_t)(end + 2) <= rnd);
	KT_EXPECT(t, rnd - (uintptr_t)(end + 2) < 16); /* only padding */

	/* AT_PHDR shows the program headers exactly as in the file. */
	uint32_t phdr = expect_aux(t, av, AT_PHDR);
	size_t n = eh->e_phnum * sizeof(struct elf32_phdr);
	uint8_t *copy = kmalloc(n, GFP_KERNEL);
	KT_ASSERT(t, copy != NULL);
	KT_EXPECT_EQ(t, mm_read(img->mm, phdr, copy, n), 0);
	KT_EXPECT(t, !memcmp(copy, file->data + eh->e_phoff, n));
	kfree(copy);
}

static void builds_hello(struct ktest *t)
{
	char *const argv[] = { "hello", "first", "a b c", "", NULL };
	char *const envp[] = { "HOME=/", "TERM=dumb", NULL };
	struct exec_image img;

	if (!have_initramfs(t))
		return;
	uint32_t baseline = settled_free_pages();
	KT_ASSERT_EQ(t, exec_build(PROG, argv, envp, NULL, &img), 0);
	KT_EXPECT(t, img.mm != NULL);
	KT_EXPECT(t, !strcmp(img.name, "hello"));
	KT_EXPECT(t, !strcmp(img.path, PROG));
	struct inode *file;
	KT_EXPECT_EQ(t, initramfs_lookup(PROG, &file), 0);
	KT_EXPECT(t, img.file == file);
	KT_EXPECT_EQ(t, img.argc, 4);
	KT_EXPECT_EQ(t, img.envc, 2);
	KT_EXPECT(t, !img.exec_stack); /* glibc programs say RW */
	KT_EXPECT(t, img.mm->brk % PAGE_SIZE == 0);
	KT_EXPECT_EQ(t, img.mm->brk, img.mm->brk_start);
	struct vma *stack = mm_find_vma(img.mm, MM_STACK_TOP - 1);
	KT_ASSERT(t, stack != NULL);
	KT_EXPECT_EQ(t, stack->kind, VMA_STACK);
	KT_EXPECT(t, !(stack->prot & MM_PROT_EXEC));
	KT_EXPECT(t, stack->start <= page_round_down(img.sp));
	struct vma *text = mm_find_vma(img.mm, img.entry);
	KT_ASSERT(t, text != NULL);
	KT_EXPECT_EQ(t, text->kind, VMA_FILE);
	KT_EXPECT(t, text->prot & MM_PROT_EXEC);
	KT_EXPECT(t, !strcmp(text->file.path, PROG));
	KT_EXPECT(t, mm_find_vma(img.mm, img.mm->brk) == NULL);
	KT_EXPECT_EQ(t, mm_check(img.mm), 0);

	vm_space_activate(&img.mm->space);
	check_stack(t, &img, argv, 4, envp, 2, PROG);
	vm_space_activate(&kernel_space);

	exec_image_release(&img);
	KT_EXPECT(t, img.mm == NULL);
	KT_EXPECT_EQ(t, settled_free_pages(), baseline);
}

/* Through a symlink: AT_EXECFN and the name are the caller's path. */
static void through_symlink(struct ktest *t)
{
	char *const argv[] = { "hi", NULL };
	struct exec_image img;

	if (!have_initramfs(t))
		return;
	KT_ASSERT_EQ(t, exec_build("/test/hello-link", argv, NULL, NULL, &img),
		     0);
	KT_EXPECT(t, !strcmp(img.name, "hello-link"));
	KT_EXPECT(t, !strcmp(img.path, PROG));
	vm_space_activate(&img.mm->space);
	check_stack(t, &img, argv, 1, NULL, 0, "/test/hello-link");
	vm_space_activate(&kernel_space);
	exec_image_release(&img);
}

/* No arguments at all: argv becomes { "" }, as on Linux. */
static void empty_argv(struct ktest *t)
{
	char *const none[] = { NULL };
	char *const want[] = { "", NULL };
	struct exec_image img;

	if (!have_initramfs(t))
		return;
	KT_ASSERT_EQ(t, exec_build("bin/hello", none, NULL, NULL, &img), 0);
	KT_EXPECT_EQ(t, img.argc, 1);
	vm_space_activate(&img.mm->space);
	check_stack(t, &img, want, 1, NULL, 0, "bin/hello");
	vm_space_activate(&kernel_space);
	exec_image_release(&img);
}

/* AT_RANDOM differs from one exec to the next. */
static void random_differs(struct ktest *t)
{
	char *const argv[] = { "hello", NULL };
	struct exec_image a, b;
	uint8_t ra[16], rb[16];

	if (!have_initramfs(t))
		return;
	KT_ASSERT_EQ(t, exec_build(PROG, argv, NULL, NULL, &a), 0);
	KT_ASSERT_EQ(t, exec_build(PROG, argv, NULL, NULL, &b), 0);
	/* Both stacks have the same layout, so the same AT_RANDOM address. */
	vm_space_activate(&a.mm->space);
	const uint32_t *av = (const uint32_t *)(uintptr_t)a.sp + 1 + 2 + 1;
	uint32_t rnd = expect_aux(t, av, AT_RANDOM);
	vm_space_activate(&kernel_space);
	KT_EXPECT_EQ(t, mm_read(a.mm, rnd, ra, 16), 0);
	KT_EXPECT_EQ(t, mm_read(b.mm, rnd, rb, 16), 0);
	KT_EXPECT(t, memcmp(ra, rb, 16) != 0);
	exec_image_release(&a);
	exec_image_release(&b);
}

static void rlimits_applied(struct ktest *t)
{
	char *const argv[] = { "hello", NULL };
	struct rlimit64 rlim[RLIM_NLIMITS];
	struct exec_image img;

	if (!have_initramfs(t))
		return;
	for (int i = 0; i < RLIM_NLIMITS; i++)
		rlim[i] = (struct rlimit64){ RLIM64_INFINITY, RLIM64_INFINITY };
	rlim[RLIMIT_STACK].cur = 1u << 20;
	rlim[RLIMIT_DATA].cur = 5u << 20;
	KT_ASSERT_EQ(t, exec_build(PROG, argv, NULL, rlim, &img), 0);
	KT_EXPECT_EQ(t, img.mm->limit_stack, 1u << 20);
	KT_EXPECT_EQ(t, img.mm->limit_data, 5u << 20);
	KT_EXPECT_EQ(t, img.mm->limit_as, RLIM64_INFINITY);
	exec_image_release(&img);

	/* A program bigger than RLIMIT_AS cannot be loaded. */
	rlim[RLIMIT_AS].cur = 64 * 1024;
	KT_EXPECT_EQ(t, exec_build(PROG, argv, NULL, rlim, &img), -ENOMEM);
	/* Arguments that do not fit RLIMIT_STACK. */
	rlim[RLIMIT_AS].cur = RLIM64_INFINITY;
	rlim[RLIMIT_STACK].cur = PAGE_SIZE;
	char *big = kmalloc(6000, GFP_KERNEL);
	KT_ASSERT(t, big != NULL);
	memset(big, 'b', 5999);
	big[5999] = '\0';
	char *const bigv[] = { big, NULL };
	KT_EXPECT_EQ(t, exec_build(PROG, bigv, NULL, rlim, &img), -E2BIG);
	kfree(big);
}

static void errors_leave_nothing(struct ktest *t)
{
	char *const argv[] = { "x", NULL };
	struct exec_image img;

	if (!have_initramfs(t))
		return;
	uint32_t baseline = settled_free_pages();
	KT_EXPECT_EQ(t, exec_build("/nope", argv, NULL, NULL, &img), -ENOENT);
	KT_EXPECT_EQ(t, exec_build("/test", argv, NULL, NULL, &img), -EACCES);
	KT_EXPECT_EQ(t, exec_build("/test/hello.txt", argv, NULL, NULL, &img),
		     -EACCES);
	KT_EXPECT_EQ(t, exec_build("/test/junk.bin", argv, NULL, NULL, &img),
		     -ENOEXEC);
	KT_EXPECT_EQ(t, exec_build("/test/script.sh", argv, NULL, NULL, &img),
		     -ENOEXEC);
	KT_EXPECT_EQ(t, exec_build("/test/hello.txt/x", argv, NULL, NULL, &img),
		     -ENOTDIR);
	KT_EXPECT_EQ(t, exec_build("/test/loop-a", argv, NULL, NULL, &img),
		     -ELOOP);
	KT_EXPECT(t, img.mm == NULL);

	/* One string of MAX_ARG_STRLEN bytes or more. */
	char *big = kmalloc(EXEC_ARG_STRLEN_MAX + 1, GFP_KERNEL);
	KT_ASSERT(t, big != NULL);
	memset(big, 'a', EXEC_ARG_STRLEN_MAX);
	big[EXEC_ARG_STRLEN_MAX] = '\0';
	char *const bigv[] = { "x", big, NULL };
	KT_EXPECT_EQ(t, exec_build(PROG, bigv, NULL, NULL, &img), -E2BIG);
	KT_EXPECT_EQ(t, exec_build(PROG, argv, bigv, NULL, &img), -E2BIG);
	/* Many short ones adding up to more than EXEC_ARGS_MAX. */
	big[100] = '\0';
	enum {
		MANY = EXEC_ARGS_MAX / 100
	};
	char **many = kmalloc((MANY + 1) * sizeof(char *), GFP_KERNEL);
	KT_ASSERT(t, many != NULL);
	for (int i = 0; i < MANY; i++)
		many[i] = big;
	many[MANY] = NULL;
	KT_EXPECT_EQ(t, exec_build(PROG, many, NULL, NULL, &img), -E2BIG);
	/* Just under the limit works, and the strings all arrive. */
	many[MANY * 100 / 110] = NULL;
	KT_ASSERT_EQ(t, exec_build(PROG, many, NULL, NULL, &img), 0);
	KT_EXPECT_EQ(t, img.argc, MANY * 100 / 110);
	vm_space_activate(&img.mm->space);
	check_stack(t, &img, many, img.argc, NULL, 0, PROG);
	vm_space_activate(&kernel_space);
	exec_image_release(&img);
	kfree(many);
	kfree(big);
	KT_EXPECT_EQ(t, settled_free_pages(), baseline);
}

/*
 * A process keeps its program's path whole, however long (Linux's
 * PATH_MAX): /proc/PID/exe shows it. The image of /bin/hello is given a
 * path of PATH_MAX - 1 bytes (it stays valid, like the initramfs's own
 * paths) and installed in a spawned process, which then runs to its end.
 */
static void exe_path_whole(struct ktest *t)
{
	static char long_path[4096];
	char *argv[] = { "hello", NULL };
	struct exec_image img;
	struct proc *p;

	if (!have_initramfs(t))
		return;
	memset(long_path, 'x', sizeof(long_path) - 1);
	long_path[0] = '/';
	KT_ASSERT_EQ(t, proc_spawn(PROG, argv, &p), 0);
	int pid = p->pid;
	KT_ASSERT_EQ(t, exec_build(PROG, argv, NULL, NULL, &img), 0);
	img.path = long_path;
	proc_exec_image(p, &img);
	KT_EXPECT(t, p->exe && !strcmp(p->exe, long_path));

	sched_make_runnable(p);
	uint64_t deadline = pit_ticks() + 10 * pit_hz();
	while (p->state != PROC_ZOMBIE && pit_ticks() < deadline) {
		sched_yield();
		if (p->state != PROC_ZOMBIE)
			hlt();
	}
	int status;
	KT_ASSERT_EQ(t, proc_wait(pid, &status, WNOHANG), pid);
	KT_EXPECT_EQ(t, status, 0);
}

static const struct ktest_case exec_cases[] = {
	KTEST_CASE(builds_hello),    KTEST_CASE(through_symlink),
	KTEST_CASE(empty_argv),	     KTEST_CASE(random_differs),
	KTEST_CASE(rlimits_applied), KTEST_CASE(errors_leave_nothing),
	KTEST_CASE(exe_path_whole),
};
KTEST_SUITE(exec, exec_cases);
