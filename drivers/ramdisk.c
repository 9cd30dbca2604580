/*
 * drivers/ramdisk.c - RAM-disks: block devices over physical memory.
 *
 * A disk is /dev/ramN (N < RAMDISK_MAX), numbered in the order the disks
 * are attached. Its sectors live in one of two kinds of memory:
 *
 *   a physical range     the swap disk reserved at boot (swap=), or a boot
 *                        module holding a disk image: sector s is at
 *                        base + 512 * s, whether that lies in the direct
 *                        map, in highmem or beyond mem= (no struct page)
 *   allocated frames     a disk made by ramdisks=N,SIZE: one frame per
 *                        page of the disk, taken from the allocator
 *                        (highmem first, GFP_HIGHMEM) when the disk is
 *                        made and zeroed, found through a two-level table
 *                        (a directory of pages of frame pointers)
 *
 * Either way every request is copied a page at a time through a temporary
 * mapping (kmap_atomic_phys(), mm/highmem.h): no disk is mapped for good,
 * so a disk may be as large as the RAM that holds it.
 *
 * Every request goes through the same steps: the range check (-EINVAL,
 * counted as rejected), the request counter, the optional latency, the
 * optional injected failure (-EIO), then the copy. Fault injection counts
 * valid requests of each direction from the last time it was set: with
 * fail_write=3 the 3rd, 6th, 9th... write fails. Latency and fault
 * injection apply to every disk.
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
#include "mm/highmem.h"
#include "mm/slab.h"

unsigned int ramdisk_latency_us;
unsigned int ramdisk_fail_read;
unsigned int ramdisk_fail_write;

/* PIT ports and the input clock (Intel 8254 data sheet; drivers/pit.c). */
#define PIT_INPUT_HZ 1193182u
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
/* Counter latch command for channel 0: bits 7-6 = 00, bits 5-4 = 00. */
#define PIT_CMD_LATCH_CH0 0x00

/* Frame pointers in one page of a frame-backed disk's table. */
#define PTRS_PER_PAGE (PAGE_SIZE / sizeof(struct page *))

static struct ramdisk {
	struct block_device dev;
	char name[8];		      /* "ram0" ... */
	paddr_t base;		      /* physical range: sector 0's address */
	struct page ***table;	      /* allocated frames: the directory */
	uint64_t size;		      /* bytes */
	const char *source;	      /* "reserved RAM", a module, "frames" */
	uint64_t read_seq, write_seq; /* requests since injection was set */
	struct ramdisk_stats st;
} disks[RAMDISK_MAX];

/* Disks attached so far: disks[0 .. ndisks). */
static unsigned int ndisks;
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

/* The frame holding byte off of a frame-backed disk. */
static struct page *disk_frame(const struct ramdisk *rd, uint64_t off)
{
	uint32_t index = (uint32_t)(off >> PAGE_SHIFT);
	return rd->table[index / PTRS_PER_PAGE][index % PTRS_PER_PAGE];
}

/*
 * Copies len bytes between buf and the disk at byte offset off, a page
 * of the disk at a time through a temporary mapping.
 */
static void disk_copy(struct ramdisk *rd, uint64_t off, void *buf, size_t len,
		      bool write)
{
	uint8_t *p = buf;
	while (len) {
		uint32_t in_page = (uint32_t)(off & (PAGE_SIZE - 1));
		size_t chunk = PAGE_SIZE - in_page < len ? PAGE_SIZE - in_page
							 : len;
		uint8_t *kva = rd->table ? kmap_atomic(disk_frame(rd, off))
					 : kmap_atomic_phys((paddr_t)(
						   rd->base + (off & ~(uint64_t)
								  (PAGE_SIZE -
								   1))));
		if (write)
			memcpy(kva + in_page, p, chunk);
		else
			memcpy(p, kva + in_page, chunk);
		kunmap_atomic(kva);
		p += chunk;
		off += chunk;
		len -= chunk;
	}
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
	disk_copy(rd, sector * dev->sector_size, buf, len, false);
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
	disk_copy(rd, sector * dev->sector_size, (void *)(uintptr_t)buf, len,
		  true);
	rd->st.bytes_written += len;
	return 0;
}

/* The next free disk, named; NULL (with a message) when all are taken. */
static struct ramdisk *new_disk(const char *source)
{
	if (ndisks == RAMDISK_MAX) {
		pr_err("ramdisk: %s: there are %u RAM-disks already, the "
		       "most Pagoda has\n",
		       source, RAMDISK_MAX);
		return NULL;
	}
	struct ramdisk *rd = &disks[ndisks];
	*rd = (struct ramdisk){ 0 };
	snprintf(rd->name, sizeof(rd->name), "ram%u", ndisks);
	return rd;
}

/* Makes rd, filled in by the caller (base or table, size), a device. */
static void publish(struct ramdisk *rd, uint64_t size, const char *source)
{
	rd->size = size;
	rd->source = source;
	rd->dev = (struct block_device){
		.name = rd->name,
		.sectors = size / BLOCK_SECTOR_SIZE,
		.sector_size = BLOCK_SECTOR_SIZE,
		.read = ramdisk_read,
		.write = ramdisk_write,
		.priv = rd,
	};
	ndisks++;
	if (rd->table)
		pr_info("ramdisk: /dev/%s: %llu KiB in allocated frames\n",
			rd->name, (unsigned long long)(size >> 10));
	else
		pr_info("ramdisk: /dev/%s: %llu KiB of %s at %#x-%#x\n",
			rd->name, (unsigned long long)(size >> 10), source,
			rd->base, (paddr_t)(rd->base + size - 1));
	if (ramdisk_latency_us || ramdisk_fail_read || ramdisk_fail_write)
		pr_info("ramdisk: latency %u us per request; failing every "
			"%u-th read and %u-th write (0 = none)\n",
			ramdisk_latency_us, ramdisk_fail_read,
			ramdisk_fail_write);
}

/* Makes [pa, pa + size) a disk; source says where it came from. */
static int attach(paddr_t pa, uint64_t size, const char *source)
{
	size -= size % BLOCK_SECTOR_SIZE;
	if (size < RAMDISK_MIN_SIZE) {
		pr_err("ramdisk: %s is too small (%llu bytes, at least %u)\n",
		       source, (unsigned long long)size, RAMDISK_MIN_SIZE);
		return -EINVAL;
	}
	if ((uint64_t)pa + size > (1ull << 32)) {
		pr_err("ramdisk: %s ends beyond 4 GiB\n", source);
		return -EINVAL;
	}
	struct ramdisk *rd = new_disk(source);
	if (!rd)
		return -EBUSY;
	rd->base = pa;
	publish(rd, size, source);
	return 0;
}

int ramdisk_attach_region(paddr_t base, uint64_t size)
{
	int err = attach(base, size, "reserved RAM");
	/* A new disk every boot: whatever RAM held before is not a header. */
	if (err == 0) {
		void *first = kmap_atomic_phys(base);
		memset(first, 0, PAGE_SIZE);
		kunmap_atomic(first);
	}
	return err;
}

/* Frees a frame-backed disk's frames and table (the first npages). */
static void free_frames(struct page ***table, uint32_t npages)
{
	uint32_t leaves = (npages + PTRS_PER_PAGE - 1) / PTRS_PER_PAGE;
	for (uint32_t l = 0; l < leaves && table[l]; l++) {
		for (uint32_t i = 0; i < PTRS_PER_PAGE; i++)
			if (table[l][i])
				free_page(table[l][i]);
		kfree(table[l]);
	}
	kfree(table);
}

int ramdisk_create(uint64_t size)
{
	size = (size + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	if (size < RAMDISK_MIN_SIZE || size > RAMDISK_MAX_SIZE) {
		pr_err("ramdisk: a RAM-disk of %llu KiB: the size must be "
		       "%u KiB to %llu KiB\n",
		       (unsigned long long)(size >> 10), RAMDISK_MIN_SIZE >> 10,
		       (unsigned long long)(RAMDISK_MAX_SIZE >> 10));
		return -EINVAL;
	}
	if (ndisks == RAMDISK_MAX) {
		new_disk("ramdisks="); /* says why */
		return -EBUSY;
	}
	uint32_t npages = (uint32_t)(size >> PAGE_SHIFT);
	uint32_t leaves = (npages + PTRS_PER_PAGE - 1) / PTRS_PER_PAGE;
	struct pmm_stats st;
	pmm_get_stats(&st);
	if ((uint64_t)npages + (RAMDISK_KEEP_FREE >> PAGE_SHIFT) >
	    st.free_pages) {
		pr_err("ramdisk: a RAM-disk of %llu KiB does not fit: %u KiB "
		       "are free, and the system keeps %u KiB\n",
		       (unsigned long long)(size >> 10), st.free_pages * 4,
		       RAMDISK_KEEP_FREE >> 10);
		return -ENOMEM;
	}
	struct page ***table = kzalloc(leaves * sizeof(*table), GFP_KERNEL);
	if (!table)
		goto out_nomem;
	for (uint32_t l = 0; l < leaves; l++) {
		table[l] = kzalloc(PAGE_SIZE, GFP_KERNEL);
		if (!table[l])
			goto out_free;
	}
	/*
	 * The pages stay for the life of the system: the disk's contents
	 * are the kernel's, not a process's (counted as kernel pages).
	 */
	for (uint32_t i = 0; i < npages; i++) {
		struct page *pg =
			alloc_page(GFP_KERNEL | GFP_HIGHMEM | GFP_ZERO);
		if (!pg)
			goto out_free;
		table[i / PTRS_PER_PAGE][i % PTRS_PER_PAGE] = pg;
	}
	struct ramdisk *rd = new_disk("ramdisks=");
	rd->table = table;
	publish(rd, size, "allocated frames");
	return (int)(ndisks - 1);
out_free:
	free_frames(table, npages);
out_nomem:
	pr_err("ramdisk: no memory for a RAM-disk of %llu KiB\n",
	       (unsigned long long)(size >> 10));
	return -ENOMEM;
}

int ramdisk_create_boot(const char *spec)
{
	const char *p = spec;
	uint64_t n = 0, size = 0;
	if (!*spec)
		return 0;
	while (*p >= '0' && *p <= '9')
		n = n * 10 + (uint64_t)(*p++ - '0');
	if (p == spec || *p++ != ',' || !(*p >= '0' && *p <= '9')) {
		pr_err("ramdisks=%s: expected COUNT,SIZE (e.g. 2,64M); no "
		       "RAM-disks made\n",
		       spec);
		return -EINVAL;
	}
	while (*p >= '0' && *p <= '9')
		size = size * 10 + (uint64_t)(*p++ - '0');
	switch (*p) {
	case 'K': case 'k':
		size <<= 10, p++;
		break;
	case 'M': case 'm':
		size <<= 20, p++;
		break;
	case 'G': case 'g':
		size <<= 30, p++;
		break;
	}
	if (*p || n == 0 || n > RAMDISK_MAX) {
		pr_err("ramdisks=%s: expected COUNT,SIZE with COUNT 1 to %u; "
		       "no RAM-disks made\n",
		       spec, RAMDISK_MAX);
		return -EINVAL;
	}
	for (uint64_t i = 0; i < n; i++) {
		int err = ramdisk_create(size);
		if (err < 0)
			return err;
	}
	return 0;
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
	return ramdisk_get_index(0);
}

struct block_device *ramdisk_get_index(unsigned int i)
{
	return i < ndisks ? &disks[i].dev : NULL;
}

unsigned int ramdisk_count(void)
{
	return ndisks;
}

void ramdisk_set_fault_injection(unsigned int fail_read_every,
				 unsigned int fail_write_every)
{
	ramdisk_fail_read = fail_read_every;
	ramdisk_fail_write = fail_write_every;
	for (unsigned int i = 0; i < ndisks; i++)
		disks[i].read_seq = disks[i].write_seq = 0;
}

void ramdisk_set_latency(unsigned int us)
{
	ramdisk_latency_us = us;
}

void ramdisk_get_stats(struct ramdisk_stats *st)
{
	ramdisk_get_stats_index(0, st);
}

void ramdisk_get_stats_index(unsigned int i, struct ramdisk_stats *st)
{
	static const struct ramdisk none;
	const struct ramdisk *rd = i < ndisks ? &disks[i] : &none;
	*st = rd->st;
	st->size = rd->size;
	st->base = rd->table ? 0 : rd->base;
	st->latency_us = ramdisk_latency_us;
	st->fail_read = ramdisk_fail_read;
	st->fail_write = ramdisk_fail_write;
	st->source = rd->source;
}
