/*
 * fs/devfs.c - /dev: the console and the memory devices.
 *
 * A fixed table of character devices with Linux's numbers
 * (Documentation/admin-guide/devices.txt), so that programs which check
 * st_rdev see what they expect:
 *
 *   /dev/console  5:1   the console terminal (fs/tty.c): termios
 *                       line discipline, job control; output to serial
 *                       and VGA (kernel/console.c)
 *   /dev/tty      5:0   the same console (Pagoda has one terminal)
 *   /dev/null     1:3   reads end at once, writes vanish
 *   /dev/zero     1:5   reads give zeros, writes vanish
 *   /dev/random   1:8   reads give random bytes (kernel/random.h), writes
 *   /dev/urandom  1:9   vanish (they would stir the pool on Linux)
 *   /dev/ram0..7  1:N   the RAM-disks, block devices (drivers/ramdisk.h):
 *                       read and written at any offset, swap areas for
 *                       swapon(2); present only for the disks attached.
 *                       While a disk is an active swap area it cannot be
 *                       opened for writing (EBUSY), as Linux refuses
 *                       writers of a block device in use
 *                       (CONFIG_BLK_DEV_WRITE_MOUNTED=n)
 *
 * The directory itself is read-only: nothing can be created in it.
 */
#include "fs/file.h"

#include "drivers/ramdisk.h"
#include "fs/tty.h"
#include "kernel/random.h"
#include "kernel/syscall/uaccess.h"
#include "libk/assert.h"
#include "libk/errno.h"
#include "libk/string.h"
#include "mm/slab.h"
#include "mm/swap.h"

/* devfs's device number (Linux's devtmpfs is usually 0:5). */
#define DEVFS_DEV_MINOR 5
#define DEVFS_ROOT_INO 1

/* /dev/null and /dev/zero: the offset stays 0, as Linux's null_lseek. */
static int64_t mem_lseek(struct file *f, int64_t off, int whence)
{
	(void)off;
	(void)whence;
	f->pos = 0;
	return 0;
}

/* Writes to /dev/null, /dev/zero and the random devices are swallowed. */
static int32_t mem_write(struct file *f, const char *buf, size_t n,
			 int64_t *pos)
{
	(void)f;
	(void)buf;
	(void)pos;
	return (int32_t)n;
}

/* /dev/null: always at end of file. */
static int32_t null_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	(void)f;
	(void)buf;
	(void)n;
	(void)pos;
	return 0;
}

/* /dev/zero: as many zero bytes as asked for. */
static int32_t zero_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	(void)f;
	(void)pos;
	memset(buf, 0, n);
	return (int32_t)n;
}

/* /dev/random and /dev/urandom: bytes from the kernel generator. */
static int32_t random_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	(void)f;
	(void)pos;
	random_bytes(buf, n);
	return (int32_t)n;
}

static const struct file_ops null_ops = {
	.read = null_read,
	.write = mem_write,
	.lseek = mem_lseek,
};

static const struct file_ops zero_ops = {
	.read = zero_read,
	.write = mem_write,
	.lseek = mem_lseek,
};

static const struct file_ops random_ops = {
	.read = random_read,
	.write = mem_write,
	.lseek = mem_lseek,
};

/* The RAM-disk a /dev/ramN file is open on. */
static struct block_device *ram_device(const struct file *f)
{
	return devfs_block_device(&f->vn);
}

/* A RAM-disk's size in bytes. */
static int64_t ram_size(const struct block_device *dev)
{
	return (int64_t)(dev->sectors * dev->sector_size);
}

/*
 * Moves bytes between buf and the RAM-disk at *pos, a page at a time
 * through a bounce page (the disk is reached by whole pages only); a
 * write reads the page first when it changes only part of it.
 */
static int32_t ram_transfer(struct block_device *dev, char *buf, size_t n,
			    int64_t *pos, bool write)
{
	int64_t size = ram_size(dev);
	size_t done = 0;

	if (*pos >= size)
		return write && n ? -ENOSPC : 0;
	if ((int64_t)n > size - *pos)
		n = (size_t)(size - *pos);
	char *page = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	while (done < n) {
		uint64_t index = (uint64_t)*pos / PAGE_SIZE;
		size_t off = (size_t)(*pos % PAGE_SIZE);
		size_t chunk = PAGE_SIZE - off < n - done ? PAGE_SIZE - off
							  : n - done;
		int err = 0;
		if (!write || chunk < PAGE_SIZE)
			err = block_read_page(dev, index, page);
		if (!err && write) {
			memcpy(page + off, buf + done, chunk);
			err = block_write_page(dev, index, page);
		} else if (!err) {
			memcpy(buf + done, page + off, chunk);
		}
		if (err) {
			kfree(page);
			return done ? (int32_t)done : -EIO;
		}
		done += chunk;
		*pos += (int64_t)chunk;
	}
	kfree(page);
	return (int32_t)done;
}

static int32_t ram_read(struct file *f, char *buf, size_t n, int64_t *pos)
{
	return ram_transfer(ram_device(f), buf, n, pos, false);
}

static int32_t ram_write(struct file *f, const char *buf, size_t n,
			 int64_t *pos)
{
	return ram_transfer(ram_device(f), (char *)buf, n, pos, true);
}

/* A block device seeks anywhere; SEEK_END is its size (mkswap asks). */
static int64_t ram_lseek(struct file *f, int64_t off, int whence)
{
	return file_lseek_sized(f, off, whence, ram_size(ram_device(f)));
}

/* Block-device ioctls (include/uapi/linux/fs.h, i386 encodings). */
#define BLKGETSIZE 0x1260	/* _IO(0x12, 96): size in 512-byte sectors */
#define BLKSSZGET 0x1268	/* _IO(0x12, 104): sector size, an int */
#define BLKGETSIZE64 0x80041272 /* _IOR(0x12, 114, size_t): bytes, u64 */

/* The size queries mkswap and swapon make. */
static int ram_ioctl(struct file *f, uint32_t cmd, uint32_t arg)
{
	struct block_device *dev = ram_device(f);
	switch (cmd) {
	case BLKGETSIZE: {
		uint32_t sectors = (uint32_t)(ram_size(dev) / 512);
		return copy_to_user((void *)arg, &sectors, sizeof(sectors));
	}
	case BLKSSZGET: {
		int32_t size = (int32_t)dev->sector_size;
		return copy_to_user((void *)arg, &size, sizeof(size));
	}
	case BLKGETSIZE64: {
		uint64_t bytes = (uint64_t)ram_size(dev);
		return copy_to_user((void *)arg, &bytes, sizeof(bytes));
	}
	default:
		return -ENOTTY;
	}
}

static const struct file_ops ram_ops = {
	.read = ram_read,
	.write = ram_write,
	.lseek = ram_lseek,
	.ioctl = ram_ioctl,
};

/* One device node. */
struct devnode {
	const char *name;
	uint32_t major, minor;
	uint32_t mode; /* type and permissions */
	const struct file_ops *ops;
};

static const struct devnode devices[] = {
	{ "console", 5, 1, S_IFCHR | 0600, &tty_console_ops },
	{ "null", 1, 3, S_IFCHR | 0666, &null_ops },
	{ "ram0", 1, 0, S_IFBLK | 0660, &ram_ops },
	{ "ram1", 1, 1, S_IFBLK | 0660, &ram_ops },
	{ "ram2", 1, 2, S_IFBLK | 0660, &ram_ops },
	{ "ram3", 1, 3, S_IFBLK | 0660, &ram_ops },
	{ "ram4", 1, 4, S_IFBLK | 0660, &ram_ops },
	{ "ram5", 1, 5, S_IFBLK | 0660, &ram_ops },
	{ "ram6", 1, 6, S_IFBLK | 0660, &ram_ops },
	{ "ram7", 1, 7, S_IFBLK | 0660, &ram_ops },
	{ "random", 1, 8, S_IFCHR | 0666, &random_ops },
	{ "tty", 5, 0, S_IFCHR | 0666, &tty_console_ops },
	{ "urandom", 1, 9, S_IFCHR | 0666, &random_ops },
	{ "zero", 1, 5, S_IFCHR | 0666, &zero_ops },
};

#define NDEVICES (sizeof(devices) / sizeof(devices[0]))
#define DEV_CONSOLE 0 /* index of /dev/console in devices[] */
#define DEV_RAM0 2    /* index of /dev/ram0; ram1..7 follow it */

/* The RAM-disk behind devices[i], or NULL if it is no (attached) disk. */
static struct block_device *dev_disk(int i)
{
	if (i < DEV_RAM0 || i >= DEV_RAM0 + (int)RAMDISK_MAX)
		return NULL;
	return ramdisk_get_index((unsigned int)(i - DEV_RAM0));
}

/* Whether devices[i] exists (a RAM-disk only if it is attached). */
static bool dev_present(size_t i)
{
	return devices[i].ops != &ram_ops || dev_disk((int)i) != NULL;
}

static const struct fs_ops devfs_ops;

/* The vnode of devices[i]. */
static void dev_vnode(size_t i, struct vnode *out)
{
	*out = (struct vnode){
		.fs = &devfs_ops,
		.mode = devices[i].mode,
		.ino = DEVFS_ROOT_INO + 1 + (uint32_t)i,
		.kind = (int)i,
	};
}

void devfs_root(struct vnode *out)
{
	*out = (struct vnode){
		.fs = &devfs_ops,
		.mode = S_IFDIR | 0755,
		.ino = DEVFS_ROOT_INO,
		.kind = -1,
	};
}

/* Finds a device by name. */
static int devfs_lookup(const struct vnode *dir, const char *name, size_t len,
			struct vnode *out)
{
	(void)dir;
	/* /dev/shm: the second tmpfs instance (POSIX shared memory). */
	if (len == 3 && !memcmp(name, "shm", 3)) {
		tmpfs_shm_root(out);
		return 0;
	}
	for (size_t i = 0; i < NDEVICES; i++) {
		if (strlen(devices[i].name) == len &&
		    !memcmp(devices[i].name, name, len) && dev_present(i)) {
			dev_vnode(i, out);
			return 0;
		}
	}
	return -ENOENT;
}

/* Lists /dev: the dots, then the devices in table order. */
static int devfs_iterate(struct file *f, struct dir_ctx *ctx)
{
	(void)f;
	if (!dir_emit_dots(ctx, DEVFS_ROOT_INO, 1))
		return 0;
	while (ctx->pos >= 2 && ctx->pos < 2 + (int64_t)NDEVICES) {
		size_t i = (size_t)ctx->pos - 2;
		if (dev_present(i) &&
		    !ctx->emit(ctx, devices[i].name, strlen(devices[i].name),
			       DEVFS_ROOT_INO + 1 + i,
			       mode_to_dtype(devices[i].mode)))
			return 0;
		ctx->pos++;
	}
	if (ctx->pos == 2 + (int64_t)NDEVICES) {
		struct vnode shm;
		tmpfs_shm_root(&shm);
		if (!ctx->emit(ctx, "shm", 3, shm.ino, DT_DIR))
			return 0;
		ctx->pos++;
	}
	return 0;
}

static const struct file_ops devfs_dir_ops = {
	.lseek = file_lseek_dir,
	.iterate = devfs_iterate,
};

/* A device takes its operations from the table; /dev itself lists. */
static int devfs_open(const struct vnode *v, struct file *f, int flags)
{
	struct block_device *disk = dev_disk(v->kind);
	if (disk && (flags & O_ACCMODE) != O_RDONLY && swap_in_use(disk))
		return -EBUSY;
	/*
	 * /dev/tty (5,0) is the caller's controlling terminal: without one,
	 * ENXIO, as on Linux (drivers/tty/tty_io.c, tty_open_current_tty).
	 * /dev/console (5,1) is never made the controlling terminal by
	 * open on Linux either: only TIOCSCTTY does that (fs/tty.c).
	 */
	if (v->kind >= 0 && devices[v->kind].major == 5 &&
	    devices[v->kind].minor == 0 && !tty_nr_of(current))
		return -ENXIO;
	f->ops = v->kind < 0 ? &devfs_dir_ops : devices[v->kind].ops;
	return 0;
}

/* Device nodes carry their device number in rdev. */
static void devfs_getattr(const struct vnode *v, struct kstat *st)
{
	st->dev_minor = DEVFS_DEV_MINOR;
	st->ino = v->ino;
	st->mode = v->mode;
	st->nlink = v->kind < 0 ? 2 : 1;
	st->blksize = 4096;
	if (v->kind >= 0) {
		st->rdev_major = devices[v->kind].major;
		st->rdev_minor = devices[v->kind].minor;
	}
}

static const struct fs_ops devfs_ops = {
	.name = "devfs",
	.read_only = true,
	.lookup = devfs_lookup,
	.open = devfs_open,
	.getattr = devfs_getattr,
};

struct block_device *devfs_block_device(const struct vnode *v)
{
	if (v->fs != &devfs_ops)
		return NULL;
	return dev_disk(v->kind);
}

int devfs_open_console(struct file **out)
{
	struct vnode v;
	dev_vnode(DEV_CONSOLE, &v);
	return file_open_vnode(&v, "/dev/console", O_RDWR, out);
}
