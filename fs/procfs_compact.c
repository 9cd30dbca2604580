/*
 * fs/procfs_compact.c - the /proc files of compaction (mm/compact.h):
 *
 *   /proc/sys/vm/compact_memory  a write compacts all of memory (Linux's
 *                                interface; write only, like Linux's 0200)
 *   /proc/vmstat                 compact_* and pgmigrate_* lines
 *   /proc/pagoda/extfrag         the fragmentation index of every order,
 *                                in the layout of Linux's
 *                                /sys/kernel/debug/extfrag/extfrag_index
 *
 * /proc/buddyinfo, the free blocks per order, is in fs/procfs.c.
 */
#include "fs/procfs.h"

#include "libk/errno.h"
#include "libk/log.h"
#include "mm/compact.h"
#include "mm/pmm.h"

/* The compaction lines of /proc/vmstat (Linux's names first). */
void procfs_format_vmstat_compact(struct seqbuf *sb)
{
	struct compact_stats cs;
	compact_get_stats(&cs);
	seq_printf(sb, "pgmigrate_success %llu\n",
		   (unsigned long long)cs.pgmigrate_success);
	seq_printf(sb, "pgmigrate_fail %llu\n",
		   (unsigned long long)cs.pgmigrate_fail);
	seq_printf(sb, "compact_migrate_scanned %llu\n",
		   (unsigned long long)cs.migrate_scanned);
	seq_printf(sb, "compact_free_scanned %llu\n",
		   (unsigned long long)cs.free_scanned);
	seq_printf(sb, "compact_isolated %llu\n",
		   (unsigned long long)cs.isolated);
	seq_printf(sb, "compact_stall %llu\n", (unsigned long long)cs.stall);
	seq_printf(sb, "compact_fail %llu\n", (unsigned long long)cs.fail);
	seq_printf(sb, "compact_success %llu\n",
		   (unsigned long long)cs.success);
	/* Pagoda's own. */
	seq_printf(sb, "compact_skipped_pinned %llu\n",
		   (unsigned long long)cs.skipped_pinned);
	seq_printf(sb, "compact_runs %llu\n", (unsigned long long)cs.runs);
	seq_printf(sb, "compact_deferred %llu\n",
		   (unsigned long long)cs.deferred);
}

/*
 * /proc/pagoda/extfrag: "Node 0, zone   Normal" and the index of each
 * order as Linux prints it ("%2d.%03d "): -1.000 when a block of the
 * order is free, else between 0.000 (too little memory) and 1.000
 * (enough, but in blocks too small).
 */
void procfs_show_extfrag(struct proc *p, struct seqbuf *sb)
{
	(void)p;
	seq_printf(sb, "Node 0, zone   Normal ");
	for (unsigned int order = 0; order < PMM_MAX_ORDER; order++) {
		int index = compact_extfrag_index(order);
		if (index < 0 && index > -1000) /* fewer frames than asked */
			seq_printf(sb, "-0.%03d ", -index);
		else
			seq_printf(sb, "%2d.%03d ", index / 1000,
				   index < 0 ? -(index % 1000) : index % 1000);
	}
	seq_printf(sb, "\n");
}

/*
 * /proc/sys/vm/compact_memory: any write compacts all of memory. Linux 6.1
 * does not parse the value either (its sysctl_compaction_handler ignores
 * it; writing 0 or text compacts as well as 1), and tests/user/
 * proc_compact checks that Pagoda answers the same.
 */
int procfs_write_compact_memory(const char *buf, size_t n)
{
	(void)buf;
	struct compact_result r;
	int err = compact_memory(&r);
	if (err < 0)
		return err;
	pr_debug("compact: %u pages moved, %u pinned, scanners met at "
		 "pfn %#x\n",
		 r.migrated, r.pinned, r.meet_pfn);
	return (int)n;
}
