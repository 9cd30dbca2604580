/*
 * libk/elf.c - checking ELF32 i386 executables before they are loaded.
 *
 * The checks follow the System V ABI (chapter 4 for the header, chapter 5
 * for program loading) and refuse what Linux's binfmt_elf refuses, plus a
 * few things a loader built on page-granular regions must insist on:
 *
 *   - the header: magic, ELFCLASS32, ELFDATA2LSB, EV_CURRENT, EM_386,
 *     ET_EXEC (or ET_DYN without an interpreter: a static PIE, placed at
 *     ELF_ET_DYN_BASE), 32-byte program headers, 1..ELF_MAX_PHNUM of them,
 *     all inside the file;
 *   - PT_INTERP: the program wants a dynamic linker, which Pagoda lacks;
 *   - each PT_LOAD: p_filesz <= p_memsz, its file bytes inside the file,
 *     its addresses inside [user_min, user_top) without wrapping,
 *     p_vaddr and p_offset congruent modulo p_align and the page size (so
 *     file pages map onto memory pages), and the segments in ascending
 *     order without sharing a page (the ABI requires ascending p_vaddr;
 *     sharing a page would need two backings for one page);
 *   - the entry point inside a loadable segment.
 *
 * Addresses are computed in 64 bits so that no sum can wrap unnoticed.
 */
#include "libk/elf.h"

#include <stdarg.h>

#include "libk/errno.h"
#include "libk/printf.h"
#include "libk/string.h"

/* The four magic bytes of e_ident (SysV ABI 4, "ELF Identification"). */
static const uint8_t elf_magic[4] = { 0x7f, 'E', 'L', 'F' };

/* Longest interpreter path quoted in the PT_INTERP message. */
#define INTERP_QUOTE_MAX 64

/* Writes the reason into why and returns -ENOEXEC. */
__attribute__((format(printf, 3, 4))) static int
reject(char *why, size_t whysize, const char *fmt, ...)
{
	va_list ap;

	if (why && whysize) {
		va_start(ap, fmt);
		vsnprintf(why, whysize, fmt, ap);
		va_end(ap);
	}
	return -ENOEXEC;
}

/* Whether x is 1, 2, 4, ... (0 is not). */
static bool is_power_of_two(uint32_t x)
{
	return x && !(x & (x - 1));
}

/* x rounded down to a page boundary. */
static uint64_t round_down64(uint64_t x)
{
	return x & ~(uint64_t)(ELF_PAGE_SIZE - 1);
}

/* x rounded up to a page boundary. */
static uint64_t round_up64(uint64_t x)
{
	return round_down64(x + ELF_PAGE_SIZE - 1);
}

/* Reads program header i without adding any bias. */
static void read_phdr(const uint8_t *img, uint32_t phoff, uint32_t i,
		      struct elf32_phdr *ph)
{
	memcpy(ph, img + phoff + (size_t)i * sizeof(*ph), sizeof(*ph));
}

/* Program header i of a checked image, bias added. */
void elf_get_phdr(const void *image, const struct elf_info *info, uint32_t i,
		  struct elf32_phdr *ph)
{
	read_phdr(image, info->phoff, i, ph);
	ph->p_vaddr += info->bias; /* modulo 2^32, as the bias was made */
}

/* Checks the ELF header proper; fills type, entry, phoff, phnum. */
static int check_header(const uint8_t *img, size_t size, struct elf32_ehdr *eh,
			char *why, size_t whysize)
{
	if (size >= 2 && img[0] == '#' && img[1] == '!')
		return reject(why, whysize,
			      "a script (#!): interpreters are not supported");
	if (size < sizeof(*eh))
		return reject(why, whysize,
			      "too short for an ELF header (%zu bytes)", size);
	memcpy(eh, img, sizeof(*eh));
	if (memcmp(eh->e_ident, elf_magic, sizeof(elf_magic)))
		return reject(why, whysize, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] != ELFCLASS32)
		return reject(why, whysize, "not a 32-bit ELF file (class %u)",
			      eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return reject(why, whysize,
			      "not a little-endian ELF file (encoding %u)",
			      eh->e_ident[EI_DATA]);
	if (eh->e_ident[EI_VERSION] != EV_CURRENT ||
	    eh->e_version != EV_CURRENT)
		return reject(why, whysize, "unknown ELF version %u",
			      eh->e_version);
	if (eh->e_machine != EM_386)
		return reject(why, whysize, "not an i386 program (machine %u)",
			      eh->e_machine);
	switch (eh->e_type) {
	case ET_EXEC:
	case ET_DYN:
		break;
	case ET_REL:
		return reject(why, whysize,
			      "a relocatable object (.o), not an executable");
	case ET_CORE:
		return reject(why, whysize, "a core dump, not an executable");
	default:
		return reject(why, whysize, "unknown ELF type %u", eh->e_type);
	}
	if (eh->e_phentsize != sizeof(struct elf32_phdr))
		return reject(why, whysize,
			      "program header size %u, expected %zu",
			      eh->e_phentsize, sizeof(struct elf32_phdr));
	if (eh->e_phnum == 0)
		return reject(why, whysize, "no program headers");
	if (eh->e_phnum > ELF_MAX_PHNUM)
		return reject(why, whysize, "%u program headers (at most %u)",
			      eh->e_phnum, ELF_MAX_PHNUM);
	if ((uint64_t)eh->e_phoff +
		    (uint64_t)eh->e_phnum * sizeof(struct elf32_phdr) >
	    size)
		return reject(why, whysize,
			      "program headers (offset %u, %u entries) run "
			      "past the end of the file (%zu bytes)",
			      eh->e_phoff, eh->e_phnum, size);
	return 0;
}

/*
 * First pass over the program headers: refuses PT_INTERP and finds the
 * lowest loadable address, from which a static PIE's bias follows.
 */
static int scan_phdrs(const uint8_t *img, size_t size,
		      const struct elf32_ehdr *eh, uint32_t *min_vaddr,
		      char *why, size_t whysize)
{
	struct elf32_phdr ph;
	char interp[INTERP_QUOTE_MAX];

	*min_vaddr = UINT32_MAX;
	for (uint32_t i = 0; i < eh->e_phnum; i++) {
		read_phdr(img, eh->e_phoff, i, &ph);
		if (ph.p_type == PT_INTERP) {
			/* Quote the interpreter's name only if it is there. */
			interp[0] = '\0';
			if (ph.p_offset < size) {
				size_t n = size - ph.p_offset;
				if (n > ph.p_filesz)
					n = ph.p_filesz;
				if (n > sizeof(interp) - 1)
					n = sizeof(interp) - 1;
				memcpy(interp, img + ph.p_offset, n);
				interp[n] = '\0';
			}
			return reject(why, whysize,
				      "dynamically linked programs are not "
				      "supported (interpreter '%s')",
				      interp);
		}
		if (ph.p_type == PT_LOAD && ph.p_memsz &&
		    ph.p_vaddr < *min_vaddr)
			*min_vaddr = ph.p_vaddr;
	}
	if (*min_vaddr == UINT32_MAX)
		return reject(why, whysize, "no loadable segments");
	return 0;
}

/*
 * Checks PT_LOAD number i, whose addresses move by delta; prev_end is the
 * page-aligned end of the segment before it.
 */
static int check_load(const struct elf32_phdr *ph, uint32_t i, size_t size,
		      int64_t delta, uint32_t user_min, uint32_t user_top,
		      uint64_t prev_end, char *why, size_t whysize)
{
	if (ph->p_filesz > ph->p_memsz)
		return reject(why, whysize,
			      "segment %u: file size %#x is larger than its "
			      "memory size %#x",
			      i, ph->p_filesz, ph->p_memsz);
	if ((uint64_t)ph->p_offset + ph->p_filesz > size)
		return reject(why, whysize,
			      "segment %u: file bytes %#x+%#x run past the end "
			      "of the file (%zu bytes)",
			      i, ph->p_offset, ph->p_filesz, size);
	if (ph->p_memsz == 0)
		return 0; /* maps nothing, so its address does not matter */
	if (ph->p_align > 1 && !is_power_of_two(ph->p_align))
		return reject(why, whysize,
			      "segment %u: alignment %#x is not a power of two",
			      i, ph->p_align);
	if (ph->p_align > 1 && (ph->p_vaddr - ph->p_offset) % ph->p_align)
		return reject(why, whysize,
			      "segment %u: address %#x and file offset %#x "
			      "differ modulo its alignment %#x",
			      i, ph->p_vaddr, ph->p_offset, ph->p_align);
	if ((ph->p_vaddr - ph->p_offset) % ELF_PAGE_SIZE)
		return reject(why, whysize,
			      "segment %u: address %#x and file offset %#x "
			      "differ modulo the page size",
			      i, ph->p_vaddr, ph->p_offset);

	int64_t start = (int64_t)ph->p_vaddr + delta;
	int64_t end = start + ph->p_memsz;
	if (start < (int64_t)ELF_PAGE_SIZE)
		return reject(why, whysize,
			      "segment %u at %#llx would map page 0", i,
			      (unsigned long long)start);
	if (start < (int64_t)user_min)
		return reject(why, whysize,
			      "segment %u at %#llx is below the lowest user "
			      "address %#x",
			      i, (unsigned long long)start, user_min);
	if (end > (int64_t)UINT32_MAX + 1)
		return reject(why, whysize,
			      "segment %u: %#llx+%#x wraps around the end of "
			      "the address space",
			      i, (unsigned long long)start, ph->p_memsz);
	if (end > (int64_t)user_top)
		return reject(why, whysize,
			      "segment %u (%#llx-%#llx) reaches kernel space "
			      "at %#x",
			      i, (unsigned long long)start,
			      (unsigned long long)end, user_top);
	if (round_down64((uint64_t)start) < prev_end)
		return reject(why, whysize,
			      "segment %u at %#llx overlaps the one before it "
			      "(loadable segments must be in ascending order "
			      "and not share a page)",
			      i, (unsigned long long)start);
	return 0;
}

/* Checks the header, then every program header (see the top). */
int elf_check(const void *image, size_t size, uint32_t user_min,
	      uint32_t user_top, struct elf_info *info, char *why,
	      size_t whysize)
{
	const uint8_t *img = image;
	struct elf32_ehdr eh;
	struct elf32_phdr ph;
	uint32_t min_vaddr;
	int err;

	memset(info, 0, sizeof(*info));
	if (why && whysize)
		why[0] = '\0';
	err = check_header(img, size, &eh, why, whysize);
	if (err)
		return err;
	err = scan_phdrs(img, size, &eh, &min_vaddr, why, whysize);
	if (err)
		return err;

	/* A static PIE's lowest page goes to ELF_ET_DYN_BASE. */
	int64_t delta = 0;
	if (eh.e_type == ET_DYN)
		delta = (int64_t)ELF_ET_DYN_BASE -
			(int64_t)round_down64(min_vaddr);

	const uint64_t table_end =
		(uint64_t)eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(ph);
	const int64_t entry = (int64_t)eh.e_entry + delta;
	uint64_t prev_end = 0;
	bool entry_ok = false;
	int64_t phdr_pt = -1, phdr_in_load = -1;

	for (uint32_t i = 0; i < eh.e_phnum; i++) {
		read_phdr(img, eh.e_phoff, i, &ph);
		if (ph.p_type == PT_GNU_STACK) {
			info->has_gnu_stack = true;
			info->exec_stack = (ph.p_flags & PF_X) != 0;
			continue;
		}
		if (ph.p_type == PT_PHDR) {
			phdr_pt = (int64_t)ph.p_vaddr + delta;
			if (phdr_pt < (int64_t)user_min ||
			    phdr_pt + (int64_t)(table_end - eh.e_phoff) >
				    (int64_t)user_top)
				return reject(why, whysize,
					      "PT_PHDR address %#x is outside "
					      "user space",
					      ph.p_vaddr);
			continue;
		}
		if (ph.p_type != PT_LOAD)
			continue;
		err = check_load(&ph, i, size, delta, user_min, user_top,
				 prev_end, why, whysize);
		if (err)
			return err;
		if (ph.p_memsz == 0)
			continue; /* maps nothing */

		int64_t start = (int64_t)ph.p_vaddr + delta;
		int64_t end = start + ph.p_memsz;
		if (info->nload++ == 0)
			info->load_start = (uint32_t)round_down64(start);
		info->load_end = (uint32_t)end;
		prev_end = round_up64((uint64_t)end);
		if (entry >= start && entry < end)
			entry_ok = true;
		if (eh.e_phoff >= ph.p_offset &&
		    table_end <= (uint64_t)ph.p_offset + ph.p_filesz)
			phdr_in_load = start + (eh.e_phoff - ph.p_offset);
	}
	if (!entry_ok)
		return reject(why, whysize,
			      "entry point %#llx is not inside a loadable "
			      "segment",
			      (unsigned long long)entry);

	if (!info->has_gnu_stack)
		info->exec_stack = true;
	info->type = eh.e_type;
	info->bias = (uint32_t)delta;
	info->entry = (uint32_t)entry;
	info->phoff = eh.e_phoff;
	info->phnum = eh.e_phnum;
	if (phdr_pt >= 0)
		info->phdr_addr = (uint32_t)phdr_pt;
	else if (phdr_in_load >= 0)
		info->phdr_addr = (uint32_t)phdr_in_load;
	return 0;
}
