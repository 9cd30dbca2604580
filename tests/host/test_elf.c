/*
 * tests/host/test_elf.c - the ELF validator (libk/elf.c) against real
 * static i386 executables built by the cross compiler, against a small
 * hand-made image with one defect at a time, and against every truncation
 * and many random corruptions (which must be refused or accepted with
 * sane results, never crash: the build has ASan and UBSan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libk/elf.h"
#include "libk/errno.h"

#define USER_MIN 0x10000u
#define USER_TOP 0xC0000000u

/* Real executables, built once by the cross compiler. */
struct blob {
	uint8_t *data;
	size_t size;
};
static struct blob static_exe, static_pie;

static int read_file(const char *path, struct blob *b)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	b->size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	b->data = malloc(b->size);
	size_t got = fread(b->data, 1, b->size, f);
	fclose(f);
	return got == b->size ? 0 : -1;
}

/* Builds a static and a static-PIE hello world; skips them if impossible. */
static int build_programs(void **state)
{
	(void)state;
	char dir[] = "/tmp/pagoda-elf-XXXXXX";
	char cmd[1024], path[256];

	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && printf '#include <stdio.h>\\nint main(void)"
		 "{puts(\"hi\");return 0;}\\n' > h.c && "
		 "i686-linux-gnu-gcc -static -O2 h.c -o h 2>/dev/null && "
		 "(i686-linux-gnu-gcc -static-pie -O2 h.c -o hp 2>/dev/null "
		 "|| true)",
		 dir);
	if (system(cmd) == 0) {
		snprintf(path, sizeof(path), "%s/h", dir);
		read_file(path, &static_exe);
		snprintf(path, sizeof(path), "%s/hp", dir);
		read_file(path, &static_pie);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int free_programs(void **state)
{
	(void)state;
	free(static_exe.data);
	free(static_pie.data);
	return 0;
}

/* A hand-made image: text page, data page with bss, a PT_GNU_STACK. */
#define IMG_SIZE 0x1100u
#define TEXT_VADDR 0x08048000u
#define DATA_VADDR 0x08049000u
#define ENTRY (TEXT_VADDR + 0x100u)

struct image {
	union {
		uint8_t bytes[0x2000];
		struct elf32_ehdr eh;
	};
	size_t size;
};

static struct elf32_phdr *phdr(struct image *im, unsigned int i)
{
	return (struct elf32_phdr *)(im->bytes + im->eh.e_phoff) + i;
}

static void make_image(struct image *im)
{
	memset(im, 0, sizeof(*im));
	im->size = IMG_SIZE;
	struct elf32_ehdr *eh = &im->eh;
	memcpy(eh->e_ident,
	       "\x7f"
	       "ELF",
	       4);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_version = EV_CURRENT;
	eh->e_entry = ENTRY;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(struct elf32_phdr);
	eh->e_phnum = 3;
	*phdr(im, 0) = (struct elf32_phdr){
		.p_type = PT_LOAD,
		.p_offset = 0,
		.p_vaddr = TEXT_VADDR,
		.p_filesz = 0x200,
		.p_memsz = 0x200,
		.p_flags = PF_R | PF_X,
		.p_align = 0x1000,
	};
	*phdr(im, 1) = (struct elf32_phdr){
		.p_type = PT_LOAD,
		.p_offset = 0x1010,
		.p_vaddr = DATA_VADDR + 0x10,
		.p_filesz = 0xf0,
		.p_memsz = 0x3000,
		.p_flags = PF_R | PF_W,
		.p_align = 0x1000,
	};
	*phdr(im, 2) = (struct elf32_phdr){
		.p_type = PT_GNU_STACK,
		.p_flags = PF_R | PF_W,
		.p_align = 16,
	};
	im->bytes[0x1010] = 0x10; /* some data, so it is not blank */
}

/* Runs the checker on im, expecting rejection with `want` in the reason. */
static void expect_reject(struct image *im, const char *want)
{
	struct elf_info info;
	char why[160];
	int err = elf_check(im->bytes, im->size, USER_MIN, USER_TOP, &info, why,
			    sizeof(why));
	if (err != -ENOEXEC || !strstr(why, want))
		fail_msg("want -ENOEXEC with '%s', got %d '%s'", want, err,
			 why);
}

static void valid_image(void **state)
{
	(void)state;
	struct image im;
	struct elf_info info;
	char why[160];

	make_image(&im);
	assert_int_equal(elf_check(im.bytes, im.size, USER_MIN, USER_TOP, &info,
				   why, sizeof(why)),
			 0);
	assert_string_equal(why, "");
	assert_int_equal(info.type, ET_EXEC);
	assert_int_equal(info.bias, 0);
	assert_int_equal(info.entry, ENTRY);
	assert_int_equal(info.phnum, 3);
	assert_int_equal(info.nload, 2);
	assert_int_equal(info.load_start, TEXT_VADDR);
	assert_int_equal(info.load_end, DATA_VADDR + 0x10 + 0x3000);
	/* The table at offset 52 is in the first segment's file bytes. */
	assert_int_equal(info.phdr_addr, TEXT_VADDR + 52);
	assert_true(info.has_gnu_stack);
	assert_false(info.exec_stack);

	struct elf32_phdr ph;
	elf_get_phdr(im.bytes, &info, 1, &ph);
	assert_int_equal(ph.p_vaddr, DATA_VADDR + 0x10);
	assert_int_equal(elf_prot(ph.p_flags), 0x3);
	assert_int_equal(elf_prot(PF_R | PF_X), 0x5);
}

static void stack_flags(void **state)
{
	(void)state;
	struct image im;
	struct elf_info info;

	make_image(&im);
	phdr(&im, 2)->p_flags |= PF_X;
	assert_int_equal(elf_check(im.bytes, im.size, USER_MIN, USER_TOP, &info,
				   NULL, 0),
			 0);
	assert_true(info.exec_stack);

	/* Without PT_GNU_STACK, i386 programs get an executable stack. */
	make_image(&im);
	im.eh.e_phnum = 2;
	assert_int_equal(elf_check(im.bytes, im.size, USER_MIN, USER_TOP, &info,
				   NULL, 0),
			 0);
	assert_false(info.has_gnu_stack);
	assert_true(info.exec_stack);
}

static void pt_phdr_wins(void **state)
{
	(void)state;
	struct image im;
	struct elf_info info;

	make_image(&im);
	phdr(&im, 2)->p_type = PT_PHDR;
	phdr(&im, 2)->p_vaddr = TEXT_VADDR + 0x40;
	assert_int_equal(elf_check(im.bytes, im.size, USER_MIN, USER_TOP, &info,
				   NULL, 0),
			 0);
	assert_int_equal(info.phdr_addr, TEXT_VADDR + 0x40);

	/* Headers outside every segment's file bytes: no AT_PHDR. */
	make_image(&im);
	memcpy(im.bytes + 0x1080, phdr(&im, 0), 3 * sizeof(struct elf32_phdr));
	im.eh.e_phoff = 0x1080;
	phdr(&im, 1)->p_filesz = 0x10;
	assert_int_equal(elf_check(im.bytes, im.size, USER_MIN, USER_TOP, &info,
				   NULL, 0),
			 0);
	assert_int_equal(info.phdr_addr, 0);
}

static void header_defects(void **state)
{
	(void)state;
	struct image im;

	make_image(&im);
	im.eh.e_ident[1] = 'X';
	expect_reject(&im, "bad magic");
	make_image(&im);
	im.eh.e_ident[EI_CLASS] = 2;
	expect_reject(&im, "not a 32-bit");
	make_image(&im);
	im.eh.e_ident[EI_DATA] = 2;
	expect_reject(&im, "little-endian");
	make_image(&im);
	im.eh.e_version = 2;
	expect_reject(&im, "version");
	make_image(&im);
	im.eh.e_machine = 62; /* EM_X86_64 */
	expect_reject(&im, "not an i386 program (machine 62)");
	make_image(&im);
	im.eh.e_type = ET_REL;
	expect_reject(&im, "relocatable");
	make_image(&im);
	im.eh.e_type = ET_CORE;
	expect_reject(&im, "core dump");
	make_image(&im);
	im.eh.e_type = 77;
	expect_reject(&im, "unknown ELF type 77");
	make_image(&im);
	im.eh.e_phentsize = 40;
	expect_reject(&im, "program header size 40");
	make_image(&im);
	im.eh.e_phnum = 0;
	expect_reject(&im, "no program headers");
	make_image(&im);
	im.eh.e_phnum = 5000;
	expect_reject(&im, "5000 program headers");
	make_image(&im);
	im.eh.e_phoff = 0x10f0;
	expect_reject(&im, "run past the end of the file");
	make_image(&im);
	im.eh.e_phoff = 0xfffffff0u;
	expect_reject(&im, "run past the end of the file");
	make_image(&im);
	im.size = 40;
	expect_reject(&im, "too short");
	make_image(&im);
	memcpy(im.bytes, "#!/bin/sh\n", 10);
	expect_reject(&im, "script");
}

static void segment_defects(void **state)
{
	(void)state;
	struct image im;

	make_image(&im);
	phdr(&im, 2)->p_type = PT_INTERP;
	phdr(&im, 2)->p_offset = 0x1000;
	phdr(&im, 2)->p_filesz = 20;
	memcpy(im.bytes + 0x1000, "/lib/ld-linux.so.2", 19);
	expect_reject(&im, "dynamically linked programs are not supported "
			   "(interpreter '/lib/ld-linux.so.2')");

	make_image(&im);
	phdr(&im, 1)->p_filesz = 0x4000;
	expect_reject(&im, "segment 1: file size 0x4000 is larger");

	make_image(&im);
	phdr(&im, 1)->p_filesz = 0x200;
	expect_reject(&im, "segment 1: file bytes 0x1010+0x200 run past");

	make_image(&im);
	phdr(&im, 1)->p_offset = 0xfffff010u;
	expect_reject(&im, "run past the end");

	make_image(&im);
	phdr(&im, 1)->p_vaddr = 0xBFFFE010u;
	phdr(&im, 1)->p_offset = 0x1010;
	phdr(&im, 1)->p_filesz = 0xf0;
	expect_reject(&im, "reaches kernel space");

	make_image(&im);
	phdr(&im, 1)->p_vaddr = 0xFFFFF010u;
	phdr(&im, 1)->p_offset = 0x1010;
	phdr(&im, 1)->p_filesz = 0xf0;
	expect_reject(&im, "wraps around");

	make_image(&im);
	phdr(&im, 0)->p_vaddr = 0;
	im.eh.e_entry = 0x100;
	expect_reject(&im, "would map page 0");

	make_image(&im);
	phdr(&im, 0)->p_vaddr = 0x8000;
	im.eh.e_entry = 0x8100;
	expect_reject(&im, "segment 0 at 0x8000 is below the lowest user "
			   "address 0x10000");

	make_image(&im);
	phdr(&im, 1)->p_align = 0x3000;
	expect_reject(&im, "not a power of two");

	make_image(&im);
	phdr(&im, 1)->p_vaddr = DATA_VADDR + 0x20;
	expect_reject(&im, "differ modulo its alignment");

	make_image(&im);
	phdr(&im, 1)->p_align = 0;
	phdr(&im, 1)->p_vaddr = DATA_VADDR + 0x20;
	expect_reject(&im, "differ modulo the page size");

	/* The data segment starting in the text segment's page. */
	make_image(&im);
	phdr(&im, 1)->p_vaddr = TEXT_VADDR + 0x10;
	expect_reject(&im, "segment 1 at 0x8048010 overlaps");

	/* Out of order. */
	make_image(&im);
	phdr(&im, 1)->p_vaddr = TEXT_VADDR - 0x1000 + 0x10;
	expect_reject(&im, "overlaps");

	make_image(&im);
	im.eh.e_entry = 0x0804c100u;
	expect_reject(&im, "entry point 0x804c100 is not inside");

	make_image(&im);
	phdr(&im, 0)->p_type = PT_NOTE;
	phdr(&im, 1)->p_type = PT_NOTE;
	expect_reject(&im, "no loadable segments");

	make_image(&im);
	phdr(&im, 2)->p_type = PT_PHDR;
	phdr(&im, 2)->p_vaddr = 0xBFFFFFF0u;
	expect_reject(&im, "PT_PHDR");
}

/* A segment with p_memsz 0 maps nothing and its address is irrelevant. */
static void empty_segment_ignored(void **state)
{
	(void)state;
	struct image im;
	struct elf_info info;

	make_image(&im);
	*phdr(&im, 2) = (struct elf32_phdr){ .p_type = PT_LOAD };
	assert_int_equal(elf_check(im.bytes, im.size, USER_MIN, USER_TOP, &info,
				   NULL, 0),
			 0);
	assert_int_equal(info.nload, 2);
}

static void real_static_executable(void **state)
{
	(void)state;
	struct elf_info info;
	char why[160];

	if (!static_exe.data)
		skip();
	assert_int_equal(elf_check(static_exe.data, static_exe.size, USER_MIN,
				   USER_TOP, &info, why, sizeof(why)),
			 0);
	const struct elf32_ehdr *eh = (const void *)static_exe.data;
	assert_int_equal(info.type, ET_EXEC);
	assert_int_equal(info.entry, eh->e_entry);
	assert_int_equal(info.load_start, 0x08048000u);
	assert_int_equal(info.phdr_addr, 0x08048000u + eh->e_phoff);
	assert_true(info.nload >= 2);
	assert_true(info.load_end > info.entry);
	assert_true(info.has_gnu_stack);
	assert_false(info.exec_stack);

	/* The same program does not fit below a lower ceiling. */
	assert_int_equal(elf_check(static_exe.data, static_exe.size, USER_MIN,
				   0x08050000u, &info, why, sizeof(why)),
			 -ENOEXEC);
	assert_non_null(strstr(why, "reaches kernel space"));
}

static void real_static_pie(void **state)
{
	(void)state;
	struct elf_info info;
	char why[160];

	if (!static_pie.data)
		skip();
	const struct elf32_ehdr *eh = (const void *)static_pie.data;
	assert_int_equal(eh->e_type, ET_DYN);
	assert_int_equal(elf_check(static_pie.data, static_pie.size, USER_MIN,
				   USER_TOP, &info, why, sizeof(why)),
			 0);
	assert_int_equal(info.type, ET_DYN);
	assert_int_equal(info.bias, ELF_ET_DYN_BASE);
	assert_int_equal(info.load_start, ELF_ET_DYN_BASE);
	assert_int_equal(info.entry, eh->e_entry + ELF_ET_DYN_BASE);
	assert_int_equal(info.phdr_addr, ELF_ET_DYN_BASE + eh->e_phoff);
}

/* Every prefix of a real executable is refused, without a crash. */
static void truncations(void **state)
{
	(void)state;
	struct elf_info info;
	char why[160];
	const struct blob *b = &static_exe;

	if (!b->data)
		skip();
	/* The last segment's file bytes end near the end of the file. */
	size_t need = 0;
	const struct elf32_ehdr *eh = (const void *)b->data;
	for (unsigned int i = 0; i < eh->e_phnum; i++) {
		const struct elf32_phdr *ph =
			(const void *)(b->data + eh->e_phoff + i * 32);
		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > need)
			need = ph->p_offset + ph->p_filesz;
	}
	for (size_t n = 0; n < need; n += (n < 4096 ? 1 : 997)) {
		uint8_t *copy = malloc(n ? n : 1);
		memcpy(copy, b->data, n);
		if (elf_check(copy, n, USER_MIN, USER_TOP, &info, why,
			      sizeof(why)) != -ENOEXEC)
			fail_msg("prefix of %zu bytes accepted", n);
		free(copy);
	}
	assert_int_equal(elf_check(b->data, need, USER_MIN, USER_TOP, &info,
				   why, sizeof(why)),
			 0);
}

/* Random corruptions of the header area: refused, or accepted sanely. */
static void corruptions(void **state)
{
	(void)state;
	struct image im;
	struct elf_info info;
	char why[160];
	unsigned int accepted = 0, refused = 0;

	srand(12345);
	for (int round = 0; round < 20000; round++) {
		make_image(&im);
		int nflips = 1 + rand() % 4;
		for (int k = 0; k < nflips; k++) {
			size_t at = (size_t)rand() % (52 + 3 * 32);
			im.bytes[at] = (uint8_t)rand();
		}
		int err = elf_check(im.bytes, im.size, USER_MIN, USER_TOP,
				    &info, why, sizeof(why));
		if (err) {
			assert_int_equal(err, -ENOEXEC);
			assert_true(why[0] != '\0');
			refused++;
			continue;
		}
		accepted++;
		assert_true(info.load_start >= 4096);
		assert_true(info.load_end <= USER_TOP);
		assert_true(info.load_start < info.load_end);
		assert_true(info.entry >= info.load_start &&
			    info.entry < info.load_end);
		for (unsigned int i = 0; i < info.phnum; i++) {
			struct elf32_phdr ph;
			elf_get_phdr(im.bytes, &info, i, &ph);
			if (ph.p_type != PT_LOAD || !ph.p_memsz)
				continue;
			assert_true(ph.p_filesz <= ph.p_memsz);
			assert_true((uint64_t)ph.p_offset + ph.p_filesz <=
				    im.size);
			assert_true(ph.p_vaddr >= info.load_start);
			assert_true((uint64_t)ph.p_vaddr + ph.p_memsz <=
				    info.load_end);
		}
	}
	assert_true(accepted > 0);
	assert_true(refused > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_image),
		cmocka_unit_test(stack_flags),
		cmocka_unit_test(pt_phdr_wins),
		cmocka_unit_test(header_defects),
		cmocka_unit_test(segment_defects),
		cmocka_unit_test(empty_segment_ignored),
		cmocka_unit_test(real_static_executable),
		cmocka_unit_test(real_static_pie),
		cmocka_unit_test(truncations),
		cmocka_unit_test(corruptions),
	};
	return cmocka_run_group_tests(tests, build_programs, free_programs);
}
