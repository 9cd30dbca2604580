/*
 * tests/kernel/test_elf.c - checking and loading ELF images in the kernel.
 *
 * Broken images, each with one defect, must be refused with -ENOEXEC
 * (tests/host/test_elf.c checks every reason in detail on the host). A
 * valid image is loaded into a fresh address space: its regions must be
 * where the segments say, and reading them (through mm_read, which faults
 * pages in as the program would) must show file bytes, then zeros.
 */
#include "kernel/proc/elf.h"
#include "kernel/ktest.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/mm.h"
#include "mm/pmm.h"
#include "mm/slab.h"

#define IMG_SIZE 0x1100u
#define TEXT_VADDR 0x08048000u
#define DATA_VADDR 0x08049010u /* mid-page: offset 0x1010 in the file */
#define DATA_OFFSET 0x1010u
#define DATA_FILESZ 0x20u
#define DATA_MEMSZ 0x3000u
#define ENTRY (TEXT_VADDR + 0x100u)
/* A byte in the text page past the text segment's file bytes. */
#define TEXT_TAIL_MARK 0x200u
/* A byte in the data segment's first page before p_offset. */
#define DATA_HEAD_MARK 0x1008u

static struct elf32_phdr *phdr(uint8_t *img, unsigned int i)
{
	struct elf32_ehdr *eh = (struct elf32_ehdr *)img;
	return (struct elf32_phdr *)(img + eh->e_phoff) + i;
}

/* A text segment, a data segment with bss, and PT_GNU_STACK. */
static void make_image(uint8_t *img)
{
	memset(img, 0, IMG_SIZE);
	struct elf32_ehdr *eh = (struct elf32_ehdr *)img;
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
	*phdr(img, 0) = (struct elf32_phdr){
		.p_type = PT_LOAD,
		.p_offset = 0,
		.p_vaddr = TEXT_VADDR,
		.p_filesz = 0x180,
		.p_memsz = 0x180,
		.p_flags = PF_R | PF_X,
		.p_align = PAGE_SIZE,
	};
	*phdr(img, 1) = (struct elf32_phdr){
		.p_type = PT_LOAD,
		.p_offset = DATA_OFFSET,
		.p_vaddr = DATA_VADDR,
		.p_filesz = DATA_FILESZ,
		.p_memsz = DATA_MEMSZ,
		.p_flags = PF_R | PF_W,
		.p_align = PAGE_SIZE,
	};
	*phdr(img, 2) = (struct elf32_phdr){
		.p_type = PT_GNU_STACK,
		.p_flags = PF_R | PF_W,
	};
	/* int $0x80 at the entry, data bytes, and the two marks. */
	img[0x100] = 0xcd;
	img[0x101] = 0x80;
	memset(img + DATA_OFFSET, 0xa5, DATA_FILESZ);
	img[TEXT_TAIL_MARK] = 0x5a;
	img[DATA_HEAD_MARK] = 0x77;
}

static int validate(uint8_t *img, size_t size)
{
	struct elf_info info;
	const struct elf_image im = { .data = img,
				      .size = size,
				      .path = "(test image)" };
	return elf_validate(&im, &info);
}

static void refuses_broken_images(struct ktest *t)
{
	uint8_t *img = kmalloc(IMG_SIZE, GFP_KERNEL);
	KT_ASSERT(t, img != NULL);
	struct elf32_ehdr *eh = (struct elf32_ehdr *)img;

	make_image(img);
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), 0);

	make_image(img);
	eh->e_ident[0] = 0x7e;
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), -ENOEXEC); /* magic */
	make_image(img);
	eh->e_ident[EI_CLASS] = 2;
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), -ENOEXEC); /* ELF64 */
	make_image(img);
	eh->e_machine = 62;
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), -ENOEXEC); /* x86-64 */
	make_image(img);
	phdr(img, 1)->p_vaddr = TEXT_VADDR + 0x10;
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), -ENOEXEC); /* overlap */
	make_image(img);
	phdr(img, 1)->p_vaddr = KERNEL_VMA + 0x10;
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), -ENOEXEC); /* kernel */
	make_image(img);
	phdr(img, 1)->p_vaddr = KERNEL_VMA - 0x1000 + 0x10;
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), -ENOEXEC); /* reaches it */
	make_image(img);
	phdr(img, 1)->p_filesz = DATA_MEMSZ + 1;
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), -ENOEXEC); /* filesz */
	make_image(img);
	KT_EXPECT_EQ(t, validate(img, sizeof(*eh) + 40), -ENOEXEC);
	make_image(img);
	eh->e_phnum = 200; /* headers past the end of the file */
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), -ENOEXEC);
	make_image(img);
	phdr(img, 2)->p_type = PT_INTERP;
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), -ENOEXEC);
	make_image(img);
	phdr(img, 0)->p_vaddr = 0x1000; /* below MM_MMAP_MIN_ADDR */
	eh->e_entry = 0x1100;
	KT_EXPECT_EQ(t, validate(img, IMG_SIZE), -ENOEXEC);
	kfree(img);
}

/* Free frames once the caches have given back what they can. */
static uint32_t settled_free_pages(void)
{
	struct pmm_stats st;
	kheap_shrink();
	pmm_drain_cache();
	pmm_get_stats(&st);
	return st.free_pages;
}

static void expect_region(struct ktest *t, struct mm *mm, vaddr_t start,
			  vaddr_t end, enum vma_kind kind, uint32_t prot)
{
	struct vma *v = mm_find_vma(mm, start);
	if (!v) {
		ktest_fail(t, __FILE__, __LINE__, "no region at 0x%08x", start);
		return;
	}
	if (v->start != start || v->end != end || v->kind != kind ||
	    v->prot != prot)
		ktest_fail(t, __FILE__, __LINE__,
			   "region 0x%08x-0x%08x kind %d prot %u, want "
			   "0x%08x-0x%08x kind %d prot %u",
			   v->start, v->end, v->kind, v->prot, start, end, kind,
			   prot);
}

static void loads_segments(struct ktest *t)
{
	uint32_t baseline = settled_free_pages();
	uint8_t *img = kmalloc(IMG_SIZE, GFP_KERNEL);
	uint8_t *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	KT_ASSERT(t, img && buf);
	make_image(img);

	struct elf_info info;
	const struct elf_image im = { .data = img,
				      .size = IMG_SIZE,
				      .path = "/test-image",
				      .ino = 42 };
	KT_ASSERT_EQ(t, elf_validate(&im, &info), 0);
	KT_EXPECT_EQ(t, info.entry, ENTRY);
	KT_EXPECT_EQ(t, info.phdr_addr, TEXT_VADDR + sizeof(struct elf32_ehdr));
	KT_EXPECT(t, !info.exec_stack);

	struct mm *mm;
	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	KT_ASSERT_EQ(t, elf_load(mm, &im, &info), 0);

	const uint32_t rx = MM_PROT_READ | MM_PROT_EXEC;
	const uint32_t rw = MM_PROT_READ | MM_PROT_WRITE;
	const vaddr_t data_page = page_round_down(DATA_VADDR);
	const vaddr_t bss_end = page_round_up(DATA_VADDR + DATA_MEMSZ);
	expect_region(t, mm, TEXT_VADDR, TEXT_VADDR + PAGE_SIZE, VMA_FILE, rx);
	expect_region(t, mm, data_page, data_page + PAGE_SIZE, VMA_FILE, rw);
	expect_region(t, mm, data_page + PAGE_SIZE, bss_end, VMA_ANON, rw);
	struct vma *v = mm_find_vma(mm, data_page);
	KT_ASSERT(t, v != NULL);
	KT_EXPECT_EQ(t, v->file.offset, DATA_OFFSET & PAGE_MASK);
	KT_EXPECT_EQ(t, v->file.filesz,
		     (DATA_VADDR & ~PAGE_MASK) + DATA_FILESZ);
	KT_EXPECT(t, v->file.data == img && v->file.ino == 42);
	KT_EXPECT(t, mm_find_vma(mm, TEXT_VADDR - 1) == NULL);
	KT_EXPECT_EQ(t, mm->brk_start, bss_end);
	KT_EXPECT_EQ(t, mm->brk, bss_end);

	/* Text: the file's whole page, as Linux maps it. */
	KT_ASSERT_EQ(t, mm_read(mm, TEXT_VADDR, buf, PAGE_SIZE), 0);
	KT_EXPECT(t, !memcmp(buf, img, 0x180));
	KT_EXPECT_EQ(t, buf[TEXT_TAIL_MARK], 0x5a);
	/* Data: file bytes from the page start to p_filesz, then zeros. */
	KT_ASSERT_EQ(t, mm_read(mm, data_page, buf, PAGE_SIZE), 0);
	KT_EXPECT_EQ(t, buf[DATA_HEAD_MARK & ~PAGE_MASK], 0x77);
	uint32_t off = DATA_VADDR & ~PAGE_MASK;
	bool ok = true;
	for (uint32_t i = 0; i < PAGE_SIZE - off; i++)
		ok &= buf[off + i] == (i < DATA_FILESZ ? 0xa5 : 0);
	KT_EXPECT(t, ok);
	/* bss pages read as zeros and can be written. */
	KT_ASSERT_EQ(t, mm_read(mm, bss_end - PAGE_SIZE, buf, PAGE_SIZE), 0);
	ok = true;
	for (uint32_t i = 0; i < PAGE_SIZE; i++)
		ok &= buf[i] == 0;
	KT_EXPECT(t, ok);
	KT_EXPECT_EQ(t, mm_write(mm, bss_end - 4, "abc", 4), 0);
	/* Text is not writable; the image itself is never written. */
	KT_EXPECT_EQ(t, mm_write(mm, TEXT_VADDR, "x", 1), -EFAULT);
	KT_EXPECT_EQ(t, img[0], 0x7f);
	KT_EXPECT_EQ(t, mm_check(mm), 0);

	mm_destroy(mm);
	kfree(buf);
	kfree(img);
	KT_EXPECT_EQ(t, settled_free_pages(), baseline);
}

/* A program larger than RLIMIT_AS fails to load, leaking nothing. */
static void load_respects_rlimit_as(struct ktest *t)
{
	uint32_t baseline = settled_free_pages();
	uint8_t *img = kmalloc(IMG_SIZE, GFP_KERNEL);
	KT_ASSERT(t, img != NULL);
	make_image(img);
	struct elf_info info;
	const struct elf_image im = { .data = img,
				      .size = IMG_SIZE,
				      .path = "/test-image" };
	KT_ASSERT_EQ(t, elf_validate(&im, &info), 0);

	struct mm *mm;
	KT_ASSERT_EQ(t, mm_create(&mm), 0);
	mm->limit_as = 2 * PAGE_SIZE;
	KT_EXPECT_EQ(t, elf_load(mm, &im, &info), -ENOMEM);
	mm_destroy(mm);
	kfree(img);
	KT_EXPECT_EQ(t, settled_free_pages(), baseline);
}

static const struct ktest_case elf_cases[] = {
	KTEST_CASE(refuses_broken_images),
	KTEST_CASE(loads_segments),
	KTEST_CASE(load_respects_rlimit_as),
};
KTEST_SUITE(elf, elf_cases);
