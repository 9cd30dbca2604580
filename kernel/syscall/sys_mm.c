/*
 * kernel/syscall/sys_mm.c - memory system calls: brk, mmap, munmap, mprotect,
 * madvise, mremap, and SysV shared memory.
 *
 * These check the arguments the way Linux does (mm/mmap.c, mm/mprotect.c,
 * ipc/shm.c) and leave the work to the address-space code in mm/mm.h.
 */
#include "fs/file.h"
#include "fs/initramfs.h"
#include "kernel/proc/proc.h"
#include "kernel/syscall/syscall.h"
#include "kernel/syscall/uaccess.h"
#include "libk/errno.h"
#include "mm/mm.h"
#include "libk/string.h"
#include "mm/filemap.h"
#include "mm/shm.h"
#include "mm/slab.h"

/* mmap flags (include/uapi/linux/mman.h, asm-generic/mman-common.h). */
#define MAP_SHARED 0x01
#define MAP_PRIVATE 0x02
#define MAP_SHARED_VALIDATE 0x03
#define MAP_TYPE 0x0f
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MAP_GROWSDOWN 0x0100
#define MAP_DENYWRITE 0x0800
#define MAP_EXECUTABLE 0x1000
#define MAP_LOCKED 0x2000
#define MAP_NORESERVE 0x4000
#define MAP_POPULATE 0x8000
#define MAP_NONBLOCK 0x10000
#define MAP_STACK 0x20000
#define MAP_FIXED_NOREPLACE 0x100000
#define MADV_NORMAL 0
#define MADV_RANDOM 1
#define MADV_SEQUENTIAL 2
#define MADV_WILLNEED 3
#define MADV_DONTNEED 4
#define MADV_FREE 8

static int32_t sys_brk(const struct syscall_args *a)
{
	return (int32_t)mm_brk(current->mm, a->arg[0]);
}
SYSCALL(45, brk, sys_brk);

static bool page_aligned(uint32_t x)
{
	return (x & (PAGE_SIZE - 1)) == 0;
}

/*
 * Describes a mapping of an initramfs file. The file system is read-only,
 * so every file is open read-only, and Linux's rule for such a file
 * applies to every shared mapping (mm/mmap.c, do_mmap: a MAP_SHARED
 * mapping of a file not open for writing loses VM_MAYWRITE): PROT_WRITE
 * is refused with -EACCES, here and by mprotect later (mm_protect). A
 * shared read-only mapping stays shared ("s" in maps); its pages are
 * copies of the file's bytes, which nothing can change, so no page cache
 * is needed to share them.
 */
static int initramfs_mapping(struct file *f, uint32_t len, uint32_t prot,
			     uint32_t type, uint32_t pgoff,
			     struct vma_file *out)
{
	const struct inode *ino = initramfs_fs_inode(&f->vn);
	if (!ino || !inode_is_reg(ino))
		return -ENODEV;
	if ((f->flags & O_ACCMODE) == O_WRONLY ||
	    (type != MAP_PRIVATE && (prot & MM_PROT_WRITE)))
		return -EACCES;
	/*
	 * The byte offset is 64-bit: no 32-bit page offset overflows it (on
	 * x86-64 Linux, the reference, the same mmap2 call succeeds too).
	 */
	uint64_t offset = (uint64_t)pgoff << PAGE_SHIFT;
	*out = (struct vma_file){
		.data = ino->data,
		.size = ino->size,
		.offset = offset,
		/* Every page is file-backed: a page wholly past the end of
		 * the file raises SIGBUS, as on Linux. */
		.filesz = page_round_up(len),
		.path = ino->path,
		.ino = ino->ino,
		.dev = INITRAMFS_DEV,
	};
	return 0;
}

/*
 * Maps a tmpfs file (its page cache, mm/filemap.h): MAP_SHARED maps the
 * cache's own pages, writable only if the file is open for reading and
 * writing (Linux's do_mmap); MAP_PRIVATE copies pages from the cache at
 * the first access. A file open for writing only cannot be mapped
 * (-EACCES). Pages wholly past the end of the file raise SIGBUS.
 */
static int32_t tmpfs_mmap(struct file *f, struct shm_object *s, uint32_t addr,
			  uint32_t len, uint32_t prot, uint32_t type,
			  uint32_t mflags, uint32_t pgoff)
{
	int acc = f->flags & O_ACCMODE;
	vaddr_t out;
	int err;
	if (acc == O_WRONLY)
		return -EACCES;
	/* maps shows the path the file was first mapped by. */
	if (!s->path && f->path) {
		size_t n = strlen(f->path);
		s->path = kmalloc(n + 1, 0);
		if (s->path)
			memcpy(s->path, f->path, n + 1);
	}
	if (type != MAP_PRIVATE) {
		if (acc != O_RDWR) {
			if (prot & MM_PROT_WRITE)
				return -EACCES;
			mflags |= MM_MAP_RDONLY;
		}
		err = filemap_map_shared(current->mm, addr, len, prot, mflags,
					 s, pgoff, &out);
		return err ? err : (int32_t)out;
	}
	struct vma_file file = {
		.offset = (uint64_t)pgoff << PAGE_SHIFT,
		.filesz = page_round_up(len),
		.path = s->path,
		.ino = s->ino,
		.dev = s->dev,
		.cache = s,
	};
	err = mm_map(current->mm, addr, len, prot, mflags, VMA_FILE, &file,
		     &out);
	return err ? err : (int32_t)out;
}

/* The common part of mmap2 and the old mmap; pgoff in pages. */
static int32_t do_mmap(uint32_t addr, uint32_t len, uint32_t prot,
		       uint32_t flags, int fd, uint32_t pgoff)
{
	uint32_t type = flags & MAP_TYPE;
	uint32_t mflags = 0;
	struct vma_file file;
	vaddr_t out;

	/* Linux ignores the bits of prot it does not know (do_mmap). */
	prot &= MM_PROT_MASK;
	if (len == 0)
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	/* Anonymous memory takes only the two plain types (do_mmap). */
	if ((flags & MAP_ANONYMOUS) && type == MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (len > KERNEL_VMA)
		return -ENOMEM;
	struct file *f = NULL;
	struct shm_object *cache = NULL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(current, fd);
		if (!f)
			return -EBADF;
		cache = tmpfs_file_cache(&f->vn);
		if (!cache) {
			int err = initramfs_mapping(f, len, prot, type, pgoff,
						    &file);
			if (err)
				return err;
		} else if ((f->flags & O_ACCMODE) == O_WRONLY) {
			return -EACCES;
		}
	}
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (!page_aligned(addr))
			return -EINVAL;
		if (!user_range_ok(addr, page_round_up(len)))
			return -ENOMEM;
		if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED)) {
			for (uint32_t va = addr; va < addr + len;
			     va += PAGE_SIZE) {
				if (mm_find_vma(current->mm, va))
					return -EEXIST;
			}
		}
		mflags |= MM_MAP_FIXED;
	}
	if (cache)
		return tmpfs_mmap(f, cache, addr, len, prot, type, mflags,
				  pgoff);
	if (type != MAP_PRIVATE)
		mflags |= MM_MAP_SHARED;
	enum vma_kind kind = !(flags & MAP_ANONYMOUS) ? VMA_FILE
			     : type != MAP_PRIVATE ? VMA_SHM : VMA_ANON;
	int err = mm_map(current->mm, addr, len, prot, mflags, kind,
			 kind == VMA_FILE ? &file : NULL, &out);
	return err ? err : (int32_t)out;
}

static int32_t sys_mmap2(const struct syscall_args *a)
{
	return do_mmap(a->arg[0], a->arg[1], a->arg[2], a->arg[3],
		       (int)a->arg[4], a->arg[5]);
}
SYSCALL(192, mmap2, sys_mmap2);

/* The old mmap takes a pointer to six arguments, the offset in bytes. */
static int32_t sys_old_mmap(const struct syscall_args *a)
{
	uint32_t v[6];
	if (copy_from_user(v, (void *)a->arg[0], sizeof(v)))
		return -EFAULT;
	if (!page_aligned(v[5]))
		return -EINVAL;
	return do_mmap(v[0], v[1], v[2], v[3], (int)v[4], v[5] >> PAGE_SHIFT);
}
SYSCALL(90, mmap, sys_old_mmap);

static int32_t sys_munmap(const struct syscall_args *a)
{
	uint32_t addr = a->arg[0], len = a->arg[1];
	if (!page_aligned(addr) || len == 0 ||
	    !user_range_ok(addr, page_round_up(len)))
		return -EINVAL;
	return mm_unmap(current->mm, addr, len);
}
SYSCALL(91, munmap, sys_munmap);

/* mprotect's extra bits (include/uapi/asm-generic/mman-common.h). */
#define PROT_SEM 0x8
#define PROT_GROWSDOWN 0x01000000u
#define PROT_GROWSUP 0x02000000u

/*
 * mprotect, checked in Linux's order (mm/mprotect.c, do_mprotect_pkey).
 * PROT_GROWSDOWN extends the range down to the start of the region, which
 * must grow down (the stack); x86 has no region that grows up. PROT_SEM
 * is a valid bit that changes nothing on x86.
 */
static int32_t sys_mprotect(const struct syscall_args *a)
{
	uint32_t addr = a->arg[0], len = a->arg[1], prot = a->arg[2];
	uint32_t grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP) || !page_aligned(addr))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!user_range_ok(addr, len))
		return -ENOMEM; /* KERNEL_VMA is page aligned */
	if (prot & ~(MM_PROT_MASK | PROT_SEM))
		return -EINVAL;
	prot &= ~PROT_SEM;
	if (grows) {
		/* The first region that ends above addr (Linux's find_vma). */
		uint64_t end = (uint64_t)addr + page_round_up(len);
		struct vma *v = mm_next_vma(current->mm, NULL);
		while (v && v->end <= addr)
			v = mm_next_vma(current->mm, v);
		if (!v || v->start >= end)
			return -ENOMEM;
		if ((grows & PROT_GROWSUP) || !(v->flags & VMA_GROWSDOWN))
			return -EINVAL;
		len = (uint32_t)(end - v->start);
		addr = v->start;
	}
	return mm_protect(current->mm, addr, len, prot);
}
SYSCALL(125, mprotect, sys_mprotect);

/* The advice Pagoda acts on or accepts as a hint. */
static bool advice_known(uint32_t advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_FREE:
		return true;
	default:
		return false;
	}
}

/*
 * madvise, checked in Linux's order (mm/madvise.c, do_madvise): the
 * advice first, so that a bad one is EINVAL even for an empty range.
 */
static int32_t sys_madvise(const struct syscall_args *a)
{
	uint32_t addr = a->arg[0], len = a->arg[1];
	if (!advice_known(a->arg[2]) || !page_aligned(addr))
		return -EINVAL;
	if (len == 0)
		return 0;
	if (!user_range_ok(addr, len)) /* KERNEL_VMA is page aligned */
		return -ENOMEM;
	switch (a->arg[2]) {
	case MADV_DONTNEED:
		return mm_dontneed(current->mm, addr, len);
	case MADV_FREE:
		return mm_madvise_free(current->mm, addr, len);
	case MADV_WILLNEED:
		return mm_willneed(current->mm, addr, len);
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
		return 0;
	default:
		return -EINVAL;
	}
}
SYSCALL(219, madvise, sys_madvise);

/* msync(addr, len, flags): checked and done by mm_msync (mm/msync.c). */
static int32_t sys_msync(const struct syscall_args *a)
{
	return mm_msync(current->mm, a->arg[0], a->arg[1], a->arg[2]);
}
SYSCALL(144, msync, sys_msync);

/* Pages mincore looks at per round (its vector goes out in pieces). */
#define MINCORE_BATCH 256u

/*
 * mincore(addr, len, vec), checked in Linux's order (mm/mincore.c):
 * addr aligned (-EINVAL), the range inside user space (-ENOMEM), vec
 * writable (-EFAULT), every page in a region (-ENOMEM).
 */
static int32_t sys_mincore(const struct syscall_args *a)
{
	uint32_t addr = a->arg[0], len = a->arg[1], uvec = a->arg[2];
	uint8_t vec[MINCORE_BATCH];
	if (!page_aligned(addr))
		return -EINVAL;
	uint64_t pages = ((uint64_t)len + PAGE_SIZE - 1) >> PAGE_SHIFT;
	if (!user_range_ok(addr, (size_t)(pages << PAGE_SHIFT)) ||
	    (uint64_t)addr + (pages << PAGE_SHIFT) > KERNEL_VMA)
		return -ENOMEM;
	if (!user_range_ok(uvec, (size_t)pages))
		return -EFAULT;
	while (pages) {
		uint32_t n = pages < MINCORE_BATCH ? (uint32_t)pages
						   : MINCORE_BATCH;
		int err = mm_mincore(current->mm, addr, n, vec);
		if (err)
			return err;
		if (copy_to_user((void *)uvec, vec, n))
			return -EFAULT;
		addr += n << PAGE_SHIFT;
		uvec += n;
		pages -= n;
	}
	return 0;
}
SYSCALL(218, mincore, sys_mincore);

/* mremap: resize or move a mapping (mm/mremap.c). */
static int32_t sys_mremap(const struct syscall_args *a)
{
	vaddr_t out;
	int err = mm_remap(current->mm, a->arg[0], a->arg[1], a->arg[2],
			   a->arg[3], a->arg[4], &out);
	return err ? err : (int32_t)out;
}
SYSCALL(163, mremap, sys_mremap);

/*
 * SysV shared memory: the direct calls and the ipc() multiplexer. The
 * permission checks are Linux's (ipc/shm.c, ipc/util.c), with the rules
 * of kernel/proc/cred.c: a segment belongs to the effective user and
 * group that created it; shmget of an existing key and shmat need the
 * mode's read (and write) bits for the caller, IPC_STAT read; IPC_SET
 * and IPC_RMID are for the owner, the creator and root.
 */

/* The owner and mode of segment id, or -EINVAL. */
static int shm_owner(int id, struct ipc_owner *o)
{
	struct shm_stat st;
	int err = shm_stat(id, &st);
	if (err)
		return err;
	*o = (struct ipc_owner){ .uid = st.uid, .gid = st.gid,
				 .cuid = st.cuid, .cgid = st.cgid,
				 .mode = st.mode & SHM_MODE_MASK };
	return 0;
}

static int32_t sys_shmget(const struct syscall_args *a)
{
	int32_t key = (int32_t)a->arg[0];
	int flags = (int)a->arg[2];
	const struct cred *c = &current->cred;
	struct ipc_owner o;

	int old = shm_find_key(key);
	if (old >= 0 && (flags & (IPC_CREAT | IPC_EXCL)) !=
				(IPC_CREAT | IPC_EXCL)) {
		if (shm_owner(old, &o) == 0 &&
		    cred_ipc_permission(c, &o, (uint32_t)flags & SHM_MODE_MASK))
			return -EACCES;
	}
	int id = shm_get(key, a->arg[1], flags);
	if (id >= 0 && old < 0)
		shm_set_perm(id, c->euid, c->egid, c->euid, c->egid,
			     (uint32_t)flags);
	return id;
}

/* shmat: read permission, and write unless SHM_RDONLY (-EACCES). */
static int shmat_permission(int id, vaddr_t addr, int shmflg)
{
	struct ipc_owner o;
	/* A bad address or id is -EINVAL first, from shm_attach. */
	if (((addr & (SHMLBA - 1)) && !(shmflg & SHM_RND)) ||
	    shm_owner(id, &o))
		return 0;
	uint32_t acc = shmflg & SHM_RDONLY ? 0444 : 0666;
	if (shmflg & SHM_EXEC)
		acc |= 0111;
	return cred_ipc_permission(&current->cred, &o, acc);
}
SYSCALL(395, shmget, sys_shmget);

static int32_t sys_shmat(const struct syscall_args *a)
{
	vaddr_t out;
	int err = shmat_permission((int)a->arg[0], a->arg[1], (int)a->arg[2]);
	if (!err)
		err = shm_attach(current->mm, (int)a->arg[0], a->arg[1],
				 (int)a->arg[2], &out);
	return err ? err : (int32_t)out;
}
SYSCALL(397, shmat, sys_shmat);

static int32_t sys_shmdt(const struct syscall_args *a)
{
	return shm_detach(current->mm, a->arg[0]);
}
SYSCALL(398, shmdt, sys_shmdt);

/* shmctl commands (linux/ipc.h, linux/shm.h); glibc adds IPC_64. */
#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#define IPC_64 0x0100

/* struct shmid64_ds as i386 Linux lays it out (asm-generic/shmbuf.h). */
struct shmid64_ds {
	int32_t key;                 /* struct ipc64_perm ... */
	uint32_t uid, gid, cuid, cgid;
	uint16_t mode, pad1;
	uint16_t seq, pad2;
	uint32_t unused1, unused2;   /* ... end of ipc64_perm */
	uint32_t segsz;
	uint32_t atime, atime_high, dtime, dtime_high, ctime, ctime_high;
	int32_t cpid, lpid;
	uint32_t nattch;
	uint32_t unused4, unused5;
};

static int do_shmctl(int id, int cmd, uint32_t ubuf)
{
	struct shm_stat st;
	struct shmid64_ds ds = { 0 };
	struct ipc_owner o;
	const struct cred *c = &current->cred;
	int err;

	if (cmd < 0 || id < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_RMID:
		err = shm_owner(id, &o);
		if (!err)
			err = cred_ipc_owner(c, &o);
		return err ? err : shm_remove(id);
	case IPC_SET:
		if (copy_from_user(&ds, (void *)ubuf, sizeof(ds)))
			return -EFAULT;
		err = shm_owner(id, &o);
		if (!err)
			err = cred_ipc_owner(c, &o);
		if (err)
			return err;
		if (ds.uid == CRED_ID_NONE || ds.gid == CRED_ID_NONE)
			return -EINVAL;
		/* The owner and the permission bits; the creator stays. */
		return shm_set_perm(id, ds.uid, ds.gid, o.cuid, o.cgid,
				    ds.mode & SHM_MODE_MASK);
	case IPC_STAT:
		err = shm_stat(id, &st);
		if (err)
			return err;
		err = shm_owner(id, &o);
		if (!err)
			err = cred_ipc_permission(c, &o, 0444);
		if (err)
			return err;
		ds.key = st.key;
		ds.uid = st.uid;
		ds.gid = st.gid;
		ds.cuid = st.cuid;
		ds.cgid = st.cgid;
		ds.mode = (uint16_t)st.mode;
		ds.segsz = st.size;
		ds.nattch = st.nattch;
		return copy_to_user((void *)ubuf, &ds, sizeof(ds));
	default:
		return -EINVAL;
	}
}

/*
 * The direct shmctl always speaks the 64-bit structures, so IPC_64 in cmd
 * is an unknown command there (Linux's ksys_shmctl); only ipc() takes it.
 */
static int32_t sys_shmctl(const struct syscall_args *a)
{
	return do_shmctl((int)a->arg[0], (int)a->arg[1], a->arg[2]);
}
SYSCALL(396, shmctl, sys_shmctl);

/* ipc(call, first, second, third, ptr, fifth): linux/ipc.h call numbers. */
#define IPC_SHMAT 21
#define IPC_SHMDT 22
#define IPC_SHMGET 23
#define IPC_SHMCTL 24

static int32_t sys_ipc(const struct syscall_args *a)
{
	uint32_t call = a->arg[0] & 0xffff;
	struct syscall_args b = { .tf = a->tf };

	switch (call) {
	case IPC_SHMAT: {
		/* The attach address is stored at *third. */
		vaddr_t out;
		int err = shmat_permission((int)a->arg[1], a->arg[4],
					   (int)a->arg[2]);
		if (!err)
			err = shm_attach(current->mm, (int)a->arg[1],
					 a->arg[4], (int)a->arg[2], &out);
		if (err)
			return err;
		return copy_to_user((void *)a->arg[3], &out, sizeof(out));
	}
	case IPC_SHMDT:
		return shm_detach(current->mm, a->arg[4]);
	case IPC_SHMGET:
		b.arg[0] = a->arg[1];
		b.arg[1] = a->arg[2];
		b.arg[2] = a->arg[3];
		return sys_shmget(&b);
	case IPC_SHMCTL:
		/* ipc() names the structure's version with IPC_64. */
		return do_shmctl((int)a->arg[1], (int)a->arg[2] & ~IPC_64,
				 a->arg[4]);
	default:
		return -ENOSYS;
	}
}
SYSCALL(117, ipc, sys_ipc);
