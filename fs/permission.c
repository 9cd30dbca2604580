/*
 * fs/permission.c - file permission checks and the owners of /proc/PID.
 *
 * vnode_permission() asks the file system for the file's mode and owner
 * (its getattr) and applies Linux's rule (kernel/proc/cred.h) with the
 * caller's file-system ids. Path walks check search (x) permission on each
 * directory they pass through (fs/namei.c), open checks read and write
 * (fs/file.c), execve execute (kernel/proc/exec.c).
 *
 * procfs: the files of /proc/PID belong to the process's effective user
 * and group, or to root while the process is not dumpable (Linux's
 * task_dump_owner). The files that show its memory - maps, smaps,
 * pagemap, environ - open only for a reader allowed to look into it
 * (Linux's mm_access with PTRACE_MODE_READ_FSCREDS): the process itself,
 * root, or a reader whose fsuid and fsgid are all of the process's user
 * and group ids while the process is dumpable; others get EACCES.
 * status, stat, statm, cmdline and comm stay readable by everyone; stat
 * then shows its address fields as Linux does to such a reader (1 or 0).
 */
#include "fs/file.h"
#include "fs/procfs.h"

#include "kernel/proc/cred.h"
#include "kernel/proc/proc.h"
#include "libk/errno.h"

int vnode_permission(const struct vnode *v, int mask)
{
	const struct cred *c = &current->cred;
	/*
	 * Root's answer depends on the mode alone (an x bit to execute),
	 * which the vnode carries: no need to ask who owns the file, which
	 * for /proc costs a walk over the processes.
	 */
	if (c->fsuid == 0)
		return cred_permission(c, v->mode, 0, 0, mask);
	struct kstat st = { 0 };
	v->fs->getattr(v, &st);
	return cred_permission(c, st.mode, st.uid, st.gid, mask);
}

void procfs_owner(int pid, uint32_t *uid, uint32_t *gid)
{
	struct proc *p = proc_find(pid);
	*uid = *gid = 0;
	if (!p || !proc_dumpable(p))
		return;
	*uid = p->cred.euid;
	*gid = p->cred.egid;
}

bool procfs_may_read_mm_of(const struct proc *p)
{
	const struct cred *c = &current->cred;
	if (p->group_leader == current->group_leader || cred_privileged(c))
		return true;
	return cred_may_read_mm(c, &p->cred) && proc_dumpable(p);
}

int procfs_may_read_mm(int pid)
{
	struct proc *p = proc_find(pid);
	if (!p)
		return -ENOENT;
	return procfs_may_read_mm_of(p) ? 0 : -EACCES;
}
