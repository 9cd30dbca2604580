/*
 * kernel/syscall/sys_swap.c - swapon(2) and swapoff(2) on the RAM-disks.
 *
 * Pagoda's block devices are the RAM-disks (/dev/ram0 .. ram7), and each
 * can hold a swap area (mm/swap.h); several can be on at once, used by
 * priority as on Linux. At boot the kernel sets up an area on /dev/ram0
 * (swap=, docs/swap.md); swapoff brings every page of an area back and
 * turns it off, swapon turns one on from the header that is on its disk
 * (one mkswap wrote, or the kernel at boot).
 *
 * The errors are Linux's (mm/swapfile.c): EINVAL for unknown flags, a
 * path that is not a block device that can hold swap, a device with no
 * valid header, or a swapoff of something that is not the swap area;
 * EBUSY for a swapon of the area in use; ENOMEM when the pages in swap
 * cannot all fit in memory. Every process is root, so EPERM never comes.
 */
#include "fs/file.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "libk/errno.h"
#include "mm/pmm.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/swapoff.h"

/* swapon flags (include/linux/swap.h). */
#define SWAP_FLAG_PREFER 0x8000u
#define SWAP_FLAG_PRIO_MASK 0x7fffu
#define SWAP_FLAG_DISCARD 0x10000u
#define SWAP_FLAG_DISCARD_ONCE 0x20000u
#define SWAP_FLAG_DISCARD_PAGES 0x40000u
#define SWAP_FLAGS_VALID                                                       \
	(SWAP_FLAG_PRIO_MASK | SWAP_FLAG_PREFER | SWAP_FLAG_DISCARD |          \
	 SWAP_FLAG_DISCARD_ONCE | SWAP_FLAG_DISCARD_PAGES)

/* The block device a user path names: 0 and *dev (NULL if none). */
static int path_device(uint32_t upath, struct block_device **dev)
{
	char *path;
	struct vnode vn;
	int err = user_path(upath, &path);
	if (err)
		return err;
	err = namei(path[0] == '/' ? "/" : fs_cwd(current), path, NAMEI_FOLLOW,
		    &vn, NULL, 0);
	kfree(path);
	if (err)
		return err;
	*dev = devfs_block_device(&vn);
	return 0;
}

/* swapon(path, flags). Discard flags are accepted: a RAM-disk has none. */
static int32_t sys_swapon(const struct syscall_args *a)
{
	uint32_t flags = a->arg[1];
	struct block_device *dev;

	if (flags & ~SWAP_FLAGS_VALID)
		return -EINVAL;
	int err = path_device(a->arg[0], &dev);
	if (err)
		return err;
	/* Regular files cannot hold swap: the initramfs is read-only. */
	if (!dev)
		return -EINVAL;
	if (swap_in_use(dev))
		return -EBUSY;
	int prio = flags & SWAP_FLAG_PREFER ? (int)(flags & SWAP_FLAG_PRIO_MASK)
					    : SWAP_PRIO_NONE;
	return swap_on(dev, prio);
}
SYSCALL(87, swapon, sys_swapon);

/* Brings back the pages of one process (a proc_for_each callback). */
static void unuse_proc(struct proc *p, void *arg)
{
	int *err = arg;
	if (!*err && p->mm)
		*err = swapoff_unuse_mm(p->mm);
}

/* swapoff(path): every page back from swap, then the area off. */
static int32_t sys_swapoff(const struct syscall_args *a)
{
	struct block_device *dev;
	int err = path_device(a->arg[0], &dev);
	if (err)
		return err;
	if (!dev || !swap_in_use(dev))
		return -EINVAL;

	/*
	 * Like Linux's check before it starts (security_vm_enough_memory):
	 * refuse at once when the pages in this area cannot fit in free
	 * memory and the other areas' free slots.
	 */
	struct swap_area_stats sw, mine = { 0 };
	struct swap_stats all;
	struct pmm_stats st;
	for (unsigned int n = 0; swap_get_area_stats(n, &sw) == 0; n++)
		if (sw.dev == dev)
			mine = sw;
	swap_get_stats(&all);
	pmm_get_stats(&st);
	if (mine.total - mine.free >
	    st.free_pages + (all.free - mine.free))
		return -ENOMEM;

	swap_drain_begin(dev);
	proc_for_each(unuse_proc, &err);
	if (!err)
		err = swapoff_unuse_segments();
	if (!err) {
		swapoff_drop_cache();
		err = swap_drain_finish();
	}
	if (err) {
		swap_drain_cancel();
		return err == -EIO ? -EIO : -ENOMEM;
	}
	return 0;
}
SYSCALL(115, swapoff, sys_swapoff);
