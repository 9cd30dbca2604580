/*
 * kernel/main.c - kmain, the kernel's initialisation order.
 *
 * boot/entry.asm arrives here on the boot stack with paging on (a
 * temporary 4 MiB-page directory) and interrupts off. Each step below needs
 * the ones before it:
 *
 *   1. console         so that everything after can report
 *   2. command line    loglevel= decides how chatty the rest is
 *   3. GDT, IDT, PIC   exceptions are reported instead of triple faults
 *   4. Multiboot info  the memory map and the modules
 *   5. memory manager  frames, the kernel's page tables, the kernel heap,
 *                      the swap RAM-disk
 *   6. timer, input    interrupts on
 *   7. the initramfs, the scheduler
 *   8. tests or benchmarks if asked for; otherwise the first process,
 *      init (if it cannot start: the kernel prompt, or with
 *      init.required=1 the end of the machine)
 */
#include <stdint.h>

#include "drivers/pit.h"
#include "drivers/ramdisk.h"
#include "kernel/bench.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/arch/gdt.h"
#include "kernel/ktest.h"
#include "kernel/monitor.h"
#include "kernel/arch/fpu.h"
#include "fs/initramfs.h"
#include "kernel/panic.h"
#include "kernel/random.h"
#include "drivers/qemu.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/sched.h"
#include "kernel/arch/multiboot.h"
#include "kernel/syscall/syscall.h"
#include "kernel/arch/trap.h"
#include "kernel/version.h"
#include "kernel/vmctl.h"
#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/printf.h"
#include "mm/highmem.h"
#include "mm/pmm.h"
#include "mm/slab.h"
#include "mm/swap.h"
#include "mm/trace.h"
#include "mm/vm.h"


void kmain(uint32_t magic, uint32_t mbi_phys);

extern char __kernel_start[], __kernel_end[];

/*
 * With swap.required=1 the reasons swap cannot be set up are part of the
 * answer, so error lines are shown whatever loglevel= says. Returns the
 * level to restore afterwards.
 */
static int show_swap_errors(void)
{
	int saved = klog_level;

	if (boot_options.swap_required && klog_level < LOG_WARNING)
		klog_level = LOG_WARNING;
	return saved;
}

/*
 * Makes the swap RAM-disk chosen by mm_boot (a boot module, or the
 * reserved range disk) a block device and sets up swap on it.
 */
static void swap_boot(int module, const struct mem_range *disk)
{
	int err = -ENODEV;
	int loglevel = show_swap_errors();

	if (module >= 0)
		err = ramdisk_attach_module(&boot_info.modules[module]);
	else if (disk->size)
		err = ramdisk_attach_region((paddr_t)disk->base, disk->size);
	swap_init(err ? NULL : ramdisk_get());
	if (boot_options.swap && !swap_enabled() && boot_options.swap_required) {
		/* The lines above said why; tools/qemu-run reports them. */
		pr_err("swap: swap=%lluK cannot be set up and swap.required=1 "
		       "is given: stopping\n",
		       (unsigned long long)(boot_options.swap >> 10));
		qemu_exit(QEMU_EXIT_BOOT_REFUSED);
	}
	klog_level = loglevel;
}

/*
 * Applies lowmem= (mm/highmem.h). The boot modules are read through the
 * direct map, so a limit below the end of one is raised to cover it.
 */
static void lowmem_boot(void)
{
	uint64_t want = boot_options.lowmem, need = 0;
	if (!want)
		return;
	for (size_t i = 0; i < boot_info.nmodules; i++)
		if (boot_info.modules[i].end > need)
			need = boot_info.modules[i].end;
	/* Room for the memory map and the heap above the modules. */
	need += 8u << 20;
	need = (need + (4u << 20) - 1) & ~(uint64_t)((4u << 20) - 1);
	if (want < need) {
		pr_warn("lowmem: %lluK would leave the boot modules outside "
			"the direct map; using %lluK\n",
			(unsigned long long)(want >> 10),
			(unsigned long long)(need >> 10));
		want = need;
	}
	paddr_t got = highmem_set_lowmem_limit(want);
	pr_info("lowmem: direct map capped at %u KiB; RAM above is "
		"highmem\n",
		got >> 10);
}

/*
 * Brings up the memory manager: the frame allocator from the memory map
 * (minus the kernel image, the boot modules and the swap RAM-disk), then
 * the kernel's own page tables in place of the boot ones, then the kernel
 * heap, then swap.
 */
static void mm_boot(void)
{
	struct mem_range resv[2 + BOOT_MAX_MODULES];
	struct mem_range disk = { 0 };
	size_t n = 0;
	/* A swap image among the modules replaces the reserved region. */
	int swap_module = boot_options.swap
				  ? ramdisk_find_module(boot_info.modules,
							boot_info.nmodules)
				  : -1;

	resv[n++] = (struct mem_range){
		.base = (uint32_t)__kernel_start - KERNEL_VMA,
		.size = (uint32_t)(__kernel_end - __kernel_start),
		.type = PMM_RESERVE_FIXED,
	};
	for (size_t i = 0; i < boot_info.nmodules; i++) {
		resv[n++] = (struct mem_range){
			.base = boot_info.modules[i].start,
			.size = boot_info.modules[i].end -
				boot_info.modules[i].start,
			.type = (int)i == swap_module ? PMM_RESERVE_FIXED
						      : PMM_RESERVE_BOOT,
		};
	}
	int loglevel = show_swap_errors();
	/* The RAM-disk comes out of RAM before the allocator sees it. */
	if (boot_options.swap && swap_module < 0 &&
	    ramdisk_plan(boot_info.ranges, boot_info.nranges, resv, n,
			 boot_options.swap, boot_options.mem, &disk) == 0)
		resv[n++] = disk;
	klog_level = loglevel;
	lowmem_boot();
	if (pmm_init(boot_info.ranges, boot_info.nranges, resv, n,
		     boot_options.mem))
		panic("not enough memory to run (see the messages above)");
	if (paging_init())
		panic("cannot build the kernel page tables");
	/* The double-fault task must run on the page directory in use now. */
	gdt_set_df_cr3(read_cr3());
	pmm_dump_stats();

	if (boot_options.kheap_debug_set)
		kheap_set_debug(boot_options.kheap_debug);
	kheap_init();
	swap_boot(swap_module, &disk);
	ramdisk_create_boot(boot_options.ramdisks);
	vmctl_init();
}

/* The name of an error exec and the lookup return, for the message. */
static const char *init_error_name(int err)
{
	switch (-err) {
	case ENOENT:
		return "ENOENT";
	case ENOTDIR:
		return "ENOTDIR";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
	case ELOOP:
		return "ELOOP";
	case EACCES:
		return "EACCES";
	case ENOEXEC:
		return "ENOEXEC";
	case E2BIG:
		return "E2BIG";
	case ENOMEM:
		return "ENOMEM";
	default:
		return "error";
	}
}

/*
 * Init cannot start: say why, then stop the machine if init.required=1
 * (tools/qemu-run asks for that, having nothing to do with a prompt), or
 * else give the kernel's own prompt.
 */
static __attribute__((noreturn)) void init_failed(int err)
{
	const char *then = boot_options.init_required
				   ? "init.required=1 is given: stopping"
				   : "using the kernel prompt instead";

	/* As with swap.required=1: the reason is the answer, show it. */
	if (boot_options.init_required && klog_level < LOG_WARNING)
		klog_level = LOG_WARNING;
	if (err == -ENAMETOOLONG && boot_options.init_error)
		pr_err("Cannot start init: the init= path is longer than %u "
		       "bytes (ENAMETOOLONG); %s\n",
		       CMDLINE_PATH_MAX - 1, then);
	else
		pr_err("Cannot start init '%s' (%s, error %d); %s\n",
		       boot_options.init, init_error_name(err), err, then);
	if (boot_options.init_required)
		qemu_exit(QEMU_EXIT_NO_INIT);
	monitor_run();
}

static __attribute__((noreturn)) void halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void kmain(uint32_t magic, uint32_t mbi_phys)
{
	console_init();
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC) {
		kprintf("Pagoda: bad Multiboot magic 0x%08x (expected 0x%08x): "
			"the kernel must be started by a Multiboot loader "
			"such as GRUB or QEMU -kernel. Halting.\n",
			magic, MULTIBOOT_BOOTLOADER_MAGIC);
		halt_forever();
	}

	gdt_init();
	trap_init();
	syscall_init();

	int mb_err = boot_info_parse(mbi_phys);
	cmdline_init(boot_info.cmdline);
	panic_exits_qemu = boot_options.panic_exit;
	/* Before anything draws a random number (the swap header's UUID). */
	if (boot_options.deterministic || boot_options.random_seed_set)
		random_seed_fixed(boot_options.random_seed);
	kprintf("Pagoda %s - a teaching kernel about memory management\n",
		PAGODA_VERSION);
	pr_info("Command line: %s\n",
		boot_info.cmdline[0] ? boot_info.cmdline : "(none)");
	if (mb_err)
		panic("no usable memory information from the boot loader");
	boot_info_print();
	mm_boot();
	if (boot_options.trace_buf)
		mm_trace_set_size(boot_options.trace_buf);
	if (boot_options.trace) {
		mm_trace_set_pid((int32_t)boot_options.trace_pid);
		if (mm_trace_set_on(true) < 0)
			pr_err("trace: no memory for the event trace\n");
	}

	pit_init(boot_options.hz);
	console_enable_input();
	sti();
	pr_info("Timer at %u Hz; interrupts on\n", pit_hz());

	initramfs_init();
	fpu_init();
	sched_init();
	if (boot_options.bench[0])
		bench_run(boot_options.bench);
	if (boot_options.test[0])
		ktest_run(boot_options.test);

	int err = boot_options.init_error;
	if (err == 0)
		err = proc_start_init(boot_options.init,
				      boot_options.init_argv);
	if (err == 0)
		sched_idle_loop();
	init_failed(err);
}
