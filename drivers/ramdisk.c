/*
 * drivers/ramdisk.c - the RAM-disk: a block device over physical memory.
 *
 * Sector s of the disk is the 512 bytes at data + 512 * s, where data is
 * the disk's memory as the kernel sees it: the direct map when the range
 * lies inside it, otherwise a mapping in the vmap area (a region beyond
 * mem= has no direct mapping). Reads and writes are memcpy.
 *
 * Every request goes through the same steps: the range check (-EINVAL,
 * counted as rejected), the request counter, the optional latency, the
 * optional injected failure (-EIO), then the copy. Fault injection counts
 * valid requests of each direction from the last time it was set: with
 * fail_write=3 the 3rd, 6th, 9th... write fails.
 *
 * Locking: none. Requests come from one CPU; counters are only updated by
 * the request in progress.
 */
#include "drivers/ramdisk.h"

#include "drivers/pit.h"
#include "kernel/arch/multiboot.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "libk/string.h"
#include "mm/port.h"
#include "mm/vm.h"
#include "mm/vmap.h"

unsigned int ramdisk_latency_us;
unsigned int ramdisk_fail_read;
unsigned int ramdisk_fail_write;

/* PIT ports and the input clock (Intel 8254 data sheet; drivers/pit.c). */
#define PIT_INPUT_HZ 1193182u
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
/* Counter latch command for channel 0: bits 7-6 = 00, bits 5-4 = 00. */
#define PIT_CMD_LATCH_CH0 0x00

/*
 * The largest disk mapped in the vmap area (when it lies beyond the direct
 * map, e.g. above mem=): half of the area, so that kernel stacks still fit.
 */
#define RAMDISK_VMAP_MAX ((VMAP_END - VMAP_START) / 2)

static struct ramdisk {
	struct block_device dev;
	uint8_t *data;		      /* the disk's bytes, in kernel space */
	paddr_t base;		      /* physical address of sector 0 */
	uint64_t size;		      /* bytes */
	const char *source;	      /* "reserved RAM" or the module's name */
	uint64_t read_seq, write_seq; /* requests since injection was set */
	struct ramdisk_stats st;
} disk;

/* Reads channel 0's current count (it counts down to 1, then reloads). */
static uint32_t pit_count(void)
{
	bool was = irq_save();
	outb(PIT_COMMAND, PIT_CMD_LATCH_CH0);
	uint32_t lo = inb(PIT_CHANNEL0);
	uint32_t hi = inb(PIT_CHANNEL0);
	irq_restore(was);
	return lo | hi << 8;
}

/*
 * Busy-waits about us microseconds by following the PIT's counter, which
 * runs at 1.193182 MHz whatever the CPU speed (and under QEMU -icount in
 * virtual time). Until the timer has ticked once, channel 0 may still run
 * in the BIOS's mode with an unknown period, so boot-time requests get no
 * delay.
 */
static void delay_us(unsigned int us)
{
	if (us == 0 || pit_ticks() == 0)
		return;
	uint32_t reload = (PIT_INPUT_HZ + pit_hz() / 2) / pit_hz();
	uint64_t need = (uint64_t)us * PIT_INPUT_HZ / 1000000u;
	uint64_t elapsed = 0;
	uint32_t prev = pit_count();

	while (elapsed < need) {
		uint32_t now = pit_count();
		/* A count that went up has passed through a reload. */
		elapsed += now <= prev ? prev - now : prev + reload - now;
		prev = now;
	}
}

/* Whether the nth request (counting from 1) of a direction must fail. */
static bool inject(uint64_t *seq, unsigned int every)
{
	++*seq;
	return every != 0 && *seq % every == 0;
}

static int ramdisk_read(struct block_device *dev, uint64_t sector,
			uint32_t count, void *buf)
{
	struct ramdisk *rd = dev->priv;
	if (!block_range_ok(dev, sector, count)) {
		rd->st.rejected_requests++;
		return -EINVAL;
	}
	rd->st.read_requests++;
	delay_us(ramdisk_latency_us);
	if (inject(&rd->read_seq, ramdisk_fail_read)) {
		rd->st.injected_read_failures++;
		return -EIO;
	}
	size_t len = (size_t)count * dev->sector_size;
	memcpy(buf, rd->data + sector * dev->sector_size, len);
	rd->st.bytes_read += len;
	return 0;
}

static int ramdisk_write(struct block_device *dev, uint64_t sector,
			 uint32_t count, const void *buf)
{
	struct ramdisk *rd = dev->priv;
	if (!block_range_ok(dev, sector, count)) {
		rd->st.rejected_requests++;
		return -EINVAL;
	}
	rd->st.write_requests++;
	delay_us(ramdisk_latency_us);
	if (inject(&rd->write_seq, ramdisk_fail_write)) {
		rd->st.injected_write_failures++;
		return -EIO;
	}
	size_t len = (size_t)count * dev->sector_size;
	memcpy(rd->data + sector * dev->sector_size, buf, len);
	rd->st.bytes_written += len;
	return 0;
}

/* Whether the page at pa is in the kernel's direct map. */
static bool page_direct_mapped(paddr_t pa)
{
	paddr_t got;
	return vm_translate(&kernel_space, KERNEL_VMA + pa, &got, NULL) == 0 &&
	       got == pa;
}

/*
 * Whether [pa, pa + size) is all in the kernel's direct map. The direct
 * map is one run of pages (mm/paging.c), so its two ends decide.
 */
static bool direct_mapped(paddr_t pa, uint64_t size)
{
	uint64_t end = (uint64_t)pa + size;
	return end <= LOWMEM_LIMIT && page_direct_mapped(page_round_down(pa)) &&
	       page_direct_mapped(page_round_down((paddr_t)(end - 1)));
}

/* Makes [pa, pa + size) the disk; source says where it came from. */
static int attach(paddr_t pa, uint64_t size, const char *source)
{
	if (disk.data) {
		pr_err("ramdisk: already attached (%s)\n", disk.source);
		return -EBUSY;
	}
	size -= size % BLOCK_SECTOR_SIZE;
	if (size < RAMDISK_MIN_SIZE) {
		pr_err("ramdisk: %s is too small (%llu bytes, at least %u)\n",
		       source, (unsigned long long)size, RAMDISK_MIN_SIZE);
		return -EINVAL;
	}
	uint8_t *data;
	if (direct_mapped(pa, size)) {
		data = port_phys_to_virt(pa);
	} else {
		vaddr_t va = 0;
		if (size <= RAMDISK_VMAP_MAX)
			va = vmap_phys(pa, (size_t)size, PTE_W);
		if (!va) {
			pr_err("ramdisk: cannot map %llu KiB at %#x outside "
			       "the direct map (at most %u KiB fit in the "
			       "vmap area)\n",
			       (unsigned long long)(size >> 10), pa,
			       RAMDISK_VMAP_MAX >> 10);
			return -ENOMEM;
		}
		data = (uint8_t *)va;
	}
	disk.data = data;
	disk.base = pa;
	disk.size = size;
	disk.source = source;
	disk.dev = (struct block_device){
		.name = "ramdisk",
		.sectors = size / BLOCK_SECTOR_SIZE,
		.sector_size = BLOCK_SECTOR_SIZE,
		.read = ramdisk_read,
		.write = ramdisk_write,
		.priv = &disk,
	};
	pr_info("ramdisk: %llu KiB of %s at %#x-%#x%s\n",
		(unsigned long long)(size >> 10), source, pa,
		(paddr_t)(pa + size - 1),
		data == port_phys_to_virt(pa) ? "" : " (mapped in vmap)");
	if (ramdisk_latency_us || ramdisk_fail_read || ramdisk_fail_write)
		pr_info("ramdisk: latency %u us per request; failing every "
			"%u-th read and %u-th write (0 = none)\n",
			ramdisk_latency_us, ramdisk_fail_read,
			ramdisk_fail_write);
	return 0;
}

int ramdisk_attach_region(paddr_t base, uint64_t size)
{
	int err = attach(base, size, "reserved RAM");
	/* A new disk every boot: whatever RAM held before is not a header. */
	if (err == 0)
		memset(disk.data, 0, PAGE_SIZE);
	return err;
}

/* Whether s[0..len) ends with suffix. */
static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && !memcmp(s + len - n, suffix, n);
}

int ramdisk_find_module(const struct boot_module *mods, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = mods[i].name;
		bool first = true;
		while (*s) {
			while (*s == ' ')
				s++;
			const char *w = s;
			while (*s && *s != ' ')
				s++;
			size_t wl = (size_t)(s - w);
			if (wl == 4 && !memcmp(w, "swap", 4))
				return (int)i;
			if (first && (ends_with(w, wl, ".swap") ||
				      ends_with(w, wl, "swap.img")))
				return (int)i;
			first = false;
		}
	}
	return -1;
}

int ramdisk_attach_module(const struct boot_module *mod)
{
	static char source[BOOT_NAME_MAX + 16];
	snprintf(source, sizeof(source), "module '%s'", mod->name);
	return attach(mod->start, mod->end - mod->start, source);
}

struct block_device *ramdisk_get(void)
{
	return disk.data ? &disk.dev : NULL;
}

void ramdisk_set_fault_injection(unsigned int fail_read_every,
				 unsigned int fail_write_every)
{
	ramdisk_fail_read = fail_read_every;
	ramdisk_fail_write = fail_write_every;
	disk.read_seq = disk.write_seq = 0;
}

void ramdisk_set_latency(unsigned int us)
{
	ramdisk_latency_us = us;
}

void ramdisk_get_stats(struct ramdisk_stats *st)
{
	*st = disk.st;
	st->size = disk.data ? disk.size : 0;
	st->base = disk.base;
	st->latency_us = ramdisk_latency_us;
	st->fail_read = ramdisk_fail_read;
	st->fail_write = ramdisk_fail_write;
	st->source = disk.source;
}
