/*
 * kernel/proc/elf.c - from a checked ELF image to the regions of an address space.
 *
 * See kernel/proc/elf.h for the picture. Regions are private: a program may
 * write its data pages, and copy-on-write keeps the file image in the
 * boot module untouched. The code only creates regions; the page-fault
 * handler fills the pages from the image when they are first touched.
 */
#include "kernel/proc/elf.h"

#include "libk/errno.h"
#include "libk/log.h"

/* A reason from elf_check is one line; this holds the longest. */
#define ELF_WHY_MAX 160

/* Checks img against the user address range, logging a refusal. */
int elf_validate(const struct elf_image *img, struct elf_info *info)
{
	char why[ELF_WHY_MAX];
	int err = elf_check(img->data, img->size, MM_MMAP_MIN_ADDR, KERNEL_VMA,
			    info, why, sizeof(why));
	if (err)
		pr_warn("exec: %s: %s\n", img->path, why);
	return err;
}

/* Maps one PT_LOAD segment (p_vaddr already biased). */
static int load_segment(struct mm *mm, const struct elf_image *img,
			const struct elf32_phdr *ph)
{
	const uint32_t prot = elf_prot(ph->p_flags);
	const vaddr_t start = page_round_down(ph->p_vaddr);
	const uint32_t head = ph->p_vaddr - start; /* bytes before p_vaddr */
	const vaddr_t mem_end = page_round_up(ph->p_vaddr + ph->p_memsz);
	vaddr_t anon_start = start, got;
	int err;

	if (ph->p_filesz) {
		const vaddr_t file_end =
			page_round_up(ph->p_vaddr + ph->p_filesz);
		struct vma_file f = {
			.data = img->data,
			.size = img->size,
			.offset = ph->p_offset - head, /* page aligned */
			.filesz = head + ph->p_filesz,
			.path = img->path,
			.ino = img->ino,
			.dev = img->dev,
		};
		/*
		 * A segment without bss shows the file up to the end of its
		 * last page, as Linux's whole-page file mappings do; with bss,
		 * the bytes after p_filesz must read as zeros.
		 */
		if (ph->p_memsz == ph->p_filesz) {
			uint32_t whole = file_end - start;
			uint32_t avail = img->size - f.offset;
			f.filesz = whole < avail ? whole : avail;
		}
		err = mm_map(mm, start, file_end - start, prot, MM_MAP_FIXED,
			     VMA_FILE, &f, &got);
		if (err)
			return err;
		anon_start = file_end;
	}
	if (mem_end > anon_start) {
		err = mm_map(mm, anon_start, mem_end - anon_start, prot,
			     MM_MAP_FIXED, VMA_ANON, NULL, &got);
		if (err)
			return err;
	}
	return 0;
}

/* Maps every PT_LOAD of a checked image and starts the heap. */
int elf_load(struct mm *mm, const struct elf_image *img,
	     const struct elf_info *info)
{
	struct elf32_phdr ph;

	for (uint32_t i = 0; i < info->phnum; i++) {
		elf_get_phdr(img->data, info, i, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		int err = load_segment(mm, img, &ph);
		if (err) {
			pr_warn("exec: %s: cannot map segment %u at 0x%08x "
				"(error %d)\n",
				img->path, i, ph.p_vaddr, err);
			return err;
		}
	}
	mm_init_brk(mm, page_round_up(info->load_end));
	return 0;
}
