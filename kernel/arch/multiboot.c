/*
 * kernel/arch/multiboot.c - reading the Multiboot information structure.
 *
 * The loader's structures sit somewhere in low physical memory, reached
 * through the direct map. Each pointer is checked to lie inside the direct
 * map before it is followed, so a strange loader produces a message rather
 * than a fault. Strings are copied with a bound.
 */
#include "kernel/arch/multiboot.h"

#include <stdbool.h>

#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "libk/string.h"

struct boot_info boot_info;

/* Returns a pointer to [pa, pa+len) if all of it is in the direct map. */
static const void *phys_ptr(uint32_t pa, uint32_t len)
{
	if (pa == 0 || pa >= LOWMEM_LIMIT || len > LOWMEM_LIMIT - pa)
		return NULL;
	return (const void *)(uintptr_t)(KERNEL_VMA + pa);
}

/* Copies a string the loader gave; false if it had to be cut to fit. */
static bool copy_string(char *dst, size_t size, uint32_t pa)
{
	const char *s = phys_ptr(pa, 1);
	dst[0] = '\0';
	if (!s)
		return true;
	/* The string may end near the direct map's end: bound the scan. */
	size_t room = LOWMEM_LIMIT - pa;
	size_t n = strnlen(s, size - 1 < room ? size - 1 : room);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return n < room && s[n] == '\0';
}

const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case 1:
		return "usable";
	case 2:
		return "reserved";
	case 3:
		return "ACPI data";
	case 4:
		return "ACPI NVS";
	case 5:
		return "unusable";
	default:
		return "type?";
	}
}

static void add_range(uint64_t base, uint64_t size, uint32_t type)
{
	if (boot_info.nranges == BOOT_MAX_RANGES) {
		pr_warn("multiboot: more than %d memory ranges; ignoring "
			"[mem 0x%llx+0x%llx]\n", BOOT_MAX_RANGES,
			(unsigned long long)base, (unsigned long long)size);
		return;
	}
	struct mem_range *r = &boot_info.ranges[boot_info.nranges++];
	r->base = base;
	r->size = size;
	r->type = type;
}

static int parse_mmap(const struct multiboot_info *mbi)
{
	const uint8_t *p = phys_ptr(mbi->mmap_addr, mbi->mmap_length);
	if (!p) {
		pr_err("multiboot: memory map at 0x%x is outside the direct "
		       "map\n", mbi->mmap_addr);
		return -EINVAL;
	}
	const uint8_t *end = p + mbi->mmap_length;
	while (p + sizeof(uint32_t) <= end) {
		const struct multiboot_mmap_entry *e = (const void *)p;
		if (e->size < 20 || p + sizeof(e->size) + e->size > end) {
			pr_warn("multiboot: malformed memory map entry "
				"(size %u); stopping there\n", e->size);
			break;
		}
		if (e->length)
			add_range(e->base, e->length, e->type);
		p += sizeof(e->size) + e->size;
	}
	return boot_info.nranges ? 0 : -EINVAL;
}

int boot_info_parse(uint32_t mbi_phys)
{
	const struct multiboot_info *mbi = phys_ptr(mbi_phys, sizeof(*mbi));

	memset(&boot_info, 0, sizeof(boot_info));
	boot_info.mbi_phys = mbi_phys;
	if (!mbi) {
		pr_err("multiboot: information structure at 0x%x is not "
		       "addressable\n", mbi_phys);
		return -EINVAL;
	}

	if ((mbi->flags & MBI_FLAG_CMDLINE) &&
	    !copy_string(boot_info.cmdline, sizeof(boot_info.cmdline),
			 mbi->cmdline))
		pr_warn("multiboot: the command line is longer than %d bytes; "
			"the rest is ignored\n",
			BOOT_CMDLINE_MAX - 1);
	if (mbi->flags & MBI_FLAG_LOADER)
		copy_string(boot_info.loader, sizeof(boot_info.loader),
			    mbi->boot_loader_name);

	if (mbi->flags & MBI_FLAG_MODS && mbi->mods_count) {
		const struct multiboot_module *m = phys_ptr(
			mbi->mods_addr, mbi->mods_count * sizeof(*m));
		for (uint32_t i = 0; m && i < mbi->mods_count; i++) {
			if (boot_info.nmodules == BOOT_MAX_MODULES) {
				pr_warn("multiboot: only %d modules are "
					"kept\n", BOOT_MAX_MODULES);
				break;
			}
			struct boot_module *bm =
				&boot_info.modules[boot_info.nmodules++];
			bm->start = m[i].mod_start;
			bm->end = m[i].mod_end;
			copy_string(bm->name, sizeof(bm->name), m[i].string);
		}
	}

	if (mbi->flags & MBI_FLAG_MMAP) {
		if (parse_mmap(mbi) == 0)
			return 0;
		pr_warn("multiboot: memory map unusable\n");
	} else {
		pr_warn("multiboot: the loader gave no memory map\n");
	}
	if (mbi->flags & MBI_FLAG_MEM) {
		/* Fall back to the two basic figures (3.3: mem_lower/upper). */
		pr_warn("multiboot: using mem_lower/mem_upper instead: %u KiB "
			"+ %u KiB\n", mbi->mem_lower, mbi->mem_upper);
		boot_info.nranges = 0;
		add_range(0, (uint64_t)mbi->mem_lower * 1024, 1);
		add_range(0x100000, (uint64_t)mbi->mem_upper * 1024, 1);
		return 0;
	}
	pr_err("multiboot: no memory information at all (flags 0x%x)\n",
	       mbi->flags);
	return -EINVAL;
}

void boot_info_print(void)
{
	pr_info("Memory map from %s:\n",
		boot_info.loader[0] ? boot_info.loader : "the boot loader");
	for (size_t i = 0; i < boot_info.nranges; i++) {
		const struct mem_range *r = &boot_info.ranges[i];
		pr_info("  [mem 0x%016llx-0x%016llx] %s\n",
			(unsigned long long)r->base,
			(unsigned long long)(r->base + r->size - 1),
			mem_type_name(r->type));
	}
	if (boot_info.nmodules == 0)
		pr_info("Modules: none\n");
	for (size_t i = 0; i < boot_info.nmodules; i++) {
		const struct boot_module *m = &boot_info.modules[i];
		pr_info("Module %zu: [mem 0x%08x-0x%08x] %u KiB '%s'\n", i,
			m->start, m->end - 1, (m->end - m->start) / 1024,
			m->name);
	}
}
