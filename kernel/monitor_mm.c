/*
 * kernel/monitor_mm.c - the memory commands of the kernel monitor, printed
 * on the console: reachable from the monitor's prompt (kernel/monitor.c)
 * and, while init runs, through SysRq (kernel/sysrq.c).
 *
 *   ps          the processes: pid, parent, state, resident and swap pages
 *   vmas PID    the regions of a process
 *   pt PID      a process's page tables, region by region, alike pages
 *               (contiguous frames with the same flags, consecutive swap
 *               slots, pages never touched) on one line
 *   page PFN    one frame, in the words of /proc/kpageflags
 *   buddy       free blocks per order, on the lists and in the caches
 *   slab        the kernel heap's caches (the heap's own dump)
 *   swap        the swap area: slots used, pages written and read
 *   mem         a summary of all frames by use
 *
 * They only read, and the kernel is not preemptible: from the prompt
 * nothing else runs meanwhile; SysRq runs them only where the interrupted
 * code cannot be half-way through changing these structures (see
 * kernel/sysrq.c). They allocate nothing, so they also work when memory
 * is short, which is when they are wanted.
 */
#include "kernel/monitor.h"

#include "fs/procfs.h"
#include "kernel/proc/proc.h"
#include "libk/printf.h"
#include "mm/kpage.h"
#include "mm/mm.h"
#include "mm/pgtable.h"
#include "mm/pmm.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/vm.h"

static const char *const vma_kind_names[] = {
	[VMA_ANON] = "anon",   [VMA_FILE] = "file", [VMA_HEAP] = "heap",
	[VMA_STACK] = "stack", [VMA_SHM] = "shm",
};

/* The names of the /proc/kpageflags bits Pagoda sets (mm/kpage.h). */
static const char *const kpf_names[64] = {
	[KPF_LOCKED] = "LOCKED",
	[KPF_REFERENCED] = "REFERENCED",
	[KPF_UPTODATE] = "UPTODATE",
	[KPF_DIRTY] = "DIRTY",
	[KPF_LRU] = "LRU",
	[KPF_ACTIVE] = "ACTIVE",
	[KPF_SLAB] = "SLAB",
	[KPF_BUDDY] = "BUDDY",
	[KPF_MMAP] = "MMAP",
	[KPF_ANON] = "ANON",
	[KPF_SWAPCACHE] = "SWAPCACHE",
	[KPF_SWAPBACKED] = "SWAPBACKED",
	[KPF_COMPOUND_HEAD] = "COMPOUND_HEAD",
	[KPF_COMPOUND_TAIL] = "COMPOUND_TAIL",
	[KPF_UNEVICTABLE] = "UNEVICTABLE",
	[KPF_NOPAGE] = "NOPAGE",
	[KPF_PGTABLE] = "PGTABLE",
	[KPF_RESERVED] = "RESERVED",
	[KPF_MLOCKED] = "MLOCKED",
};

static void print_task(struct proc *p, void *ctx)
{
	(void)ctx;
	if (p->pid == 0)
		return;
	kprintf("%6d %6d %-14s %7u %7u %s\n", p->pid,
		p->parent ? p->parent->pid : 0, procfs_state_name(p),
		p->mm ? p->mm->rss : 0, p->mm ? p->mm->swap_pages : 0, p->name);
}

void monitor_mm_ps(void)
{
	kprintf("%6s %6s %-14s %7s %7s %s\n", "PID", "PPID", "STATE", "RSS",
		"SWAP", "NAME");
	proc_for_each(print_task, NULL);
	kprintf("(RSS and SWAP in pages)\n");
}

/* The process pid with an address space, or NULL after saying why not. */
static struct proc *find_mm(int pid)
{
	struct proc *p = proc_find(pid);
	if (!p) {
		kprintf("no process %d\n", pid);
		return NULL;
	}
	if (!p->mm) {
		kprintf("process %d (%s) has no address space\n", pid, p->name);
		return NULL;
	}
	return p;
}

/* One region's header line: range, rwxp, kind, name. */
static void print_vma(const struct vma *v)
{
	kprintf("%08x-%08x %c%c%c%c %-5s %5u pages %s\n", v->start, v->end,
		(v->prot & MM_PROT_READ) ? 'r' : '-',
		(v->prot & MM_PROT_WRITE) ? 'w' : '-',
		(v->prot & MM_PROT_EXEC) ? 'x' : '-',
		(v->flags & VMA_SHARED) ? 's' : 'p', vma_kind_names[v->kind],
		(v->end - v->start) / PAGE_SIZE,
		v->kind == VMA_FILE && v->file.path ? v->file.path
		: v->kind == VMA_HEAP		    ? "[heap]"
		: (v->flags & VMA_GROWSDOWN)	    ? "[stack]"
						    : "");
}

void monitor_mm_vmas(int pid)
{
	struct proc *p = find_mm(pid);
	if (!p)
		return;
	kprintf("pid %d (%s): regions\n", pid, p->name);
	for (struct vma *v = mm_next_vma(p->mm, NULL); v;
	     v = mm_next_vma(p->mm, v))
		print_vma(v);
}

/* A run of alike pages of pt: what the first one is and where it leads. */
struct pt_run {
	vaddr_t start, end;
	pte_t first, next; /* the first entry, the one that would continue */
};

static void print_pte_flags(pte_t pte)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} bits[] = { { PTE_P, "P" },	{ PTE_W, "W" }, { PTE_U, "U" },
		     { PTE_A, "A" },	{ PTE_D, "D" }, { PTE_G, "G" },
		     { PTE_COW, "COW" } };
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (pte & bits[i].bit)
			kprintf(" %s", bits[i].name);
}

static void print_run(const struct pt_run *r)
{
	uint32_t n = (r->end - r->start) / PAGE_SIZE;
	kprintf("  %08x-%08x %5u page%s  ", r->start, r->end, n,
		n == 1 ? " " : "s");
	if (pte_none(r->first)) {
		kprintf("not present (never touched)\n");
	} else if (pte_is_swap(r->first)) {
		kprintf("swap slots %u-%u\n", pte_swap_slot(r->first),
			pte_swap_slot(r->first) + n - 1);
	} else {
		kprintf("phys %08x-%08x ", pte_frame(r->first),
			pte_frame(r->first) + n * PAGE_SIZE - 1);
		print_pte_flags(r->first);
		kprintf("\n");
	}
}

/* The entry that would continue a run whose last entry is pte. */
static pte_t run_next(pte_t pte)
{
	if (pte_none(pte))
		return 0;
	return pte + PAGE_SIZE; /* the next frame or slot, same flags */
}

void monitor_mm_pt(int pid)
{
	struct proc *p = find_mm(pid);
	if (!p)
		return;
	struct mm *mm = p->mm;
	kprintf("pid %d (%s): page directory at physical %08x, %u user page "
		"tables, rss %u, swap %u\n",
		pid, p->name, mm->space.pgdir_phys, mm->space.nr_pgtables,
		mm->rss, mm->swap_pages);
	for (struct vma *v = mm_next_vma(mm, NULL); v; v = mm_next_vma(mm, v)) {
		struct pt_run r = { 0 };
		kprintf("region ");
		print_vma(v);
		for (vaddr_t va = v->start; va < v->end; va += PAGE_SIZE) {
			pte_t *ptep = vm_pte_lookup(&mm->space, va);
			pte_t pte = ptep ? *ptep : 0;
			if (va != v->start && pte == r.next) {
				r.end = va + PAGE_SIZE;
				r.next = run_next(pte);
				continue;
			}
			if (va != v->start)
				print_run(&r);
			r = (struct pt_run){ va, va + PAGE_SIZE, pte,
					     run_next(pte) };
		}
		print_run(&r);
	}
}

void monitor_mm_page(uint32_t pfn)
{
	if (pfn >= kpage_nr_frames()) {
		kprintf("frame %#x is beyond the memory map (%u frames)\n", pfn,
			kpage_nr_frames());
		return;
	}
	uint64_t f = kpage_flags(pfn);
	uint64_t order = kpage_free_order(pfn);
	kprintf("frame %#x (physical %08x): kpageflags %#llx", pfn,
		pfn << PAGE_SHIFT, (unsigned long long)f);
	for (int bit = 0; bit < 64; bit++)
		if ((f >> bit) & 1)
			kprintf(" %s", kpf_names[bit] ? kpf_names[bit] : "?");
	kprintf("\n  mapped %u time(s); ", kpage_mapcount(pfn));
	if (order == KPAGE_ORDER_NONE)
		kprintf("not free\n");
	else
		kprintf("free, in a block of order %u%s\n",
			(unsigned int)(order & 0xff),
			(order & KPAGE_ORDER_CACHED) ? " (hot-block cache)"
						     : "");
}

void monitor_mm_buddy(void)
{
	struct pmm_stats st;
	pmm_get_stats(&st);
	kprintf("free blocks per order:");
	for (unsigned int o = 0; o < PMM_MAX_ORDER; o++)
		kprintf(" %u", st.nr_free[o]);
	kprintf("\nin the hot-block caches (orders 0-%u):", PMM_PCP_ORDERS - 1);
	for (unsigned int o = 0; o < PMM_PCP_ORDERS; o++)
		kprintf(" %u", st.nr_cached[o]);
	kprintf("\nfree frames %u of %u; largest free block order %d; "
		"fragmentation %u/1000\n",
		st.free_pages, st.managed_pages, st.largest_free_order,
		st.frag_permille);
}

void monitor_mm_slab(void)
{
	kheap_dump_stats();
}

void monitor_mm_swap(void)
{
	struct swap_stats st;
	swap_get_stats(&st);
	if (!st.device) {
		kprintf("swap: off\n");
		return;
	}
	kprintf("swap: %s, priority %d: %u of %u slots in use (%u KiB), "
		"%llu pages written, %llu read, %llu write and %llu read "
		"errors\n",
		st.device, st.prio, st.total - st.free, st.total,
		(st.total - st.free) * (PAGE_SIZE / 1024),
		(unsigned long long)st.writes, (unsigned long long)st.reads,
		(unsigned long long)st.write_errors,
		(unsigned long long)st.read_errors);
}

void monitor_mm_mem(void)
{
	struct pmm_stats st;
	struct kheap_totals kt;
	pmm_get_stats(&st);
	kheap_get_totals(&kt);
	kprintf("frames: %u managed, %u free (%u in hot-block caches), %u "
		"kernel (%u heap), %u user, %u page tables, %u reserved\n",
		st.managed_pages, st.free_pages, st.cached_pages,
		st.kernel_pages, kt.pages, st.user_pages, st.pgtable_pages,
		st.reserved_pages);
	kprintf("largest free block: order %d; fragmentation %u/1000\n",
		st.largest_free_order, st.frag_permille);
	monitor_mm_swap();
}
