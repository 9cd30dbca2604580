/*
 * kernel/proc/cred.h - credentials: who a process is, and what that lets
 * it do.
 *
 * Every process (every thread: Linux keeps credentials per task) carries
 * the user and group ids of Linux's struct cred:
 *
 *   uid,  gid    real: who started it; kill(2) and RLIMIT_NPROC count by uid
 *   euid, egid   effective: what most checks use (signals, SysV IPC owners)
 *   suid, sgid   saved: an id it may switch back to without privilege
 *   fsuid, fsgid file system: what file permission checks use; follows
 *                euid/egid except after setfsuid/setfsgid
 *   groups       supplementary groups, kept sorted (as setgroups does)
 *
 * Pagoda has no capability sets. "Privileged" means euid 0 for the
 * set*id calls, signals and IPC (Linux's CAP_SETUID, CAP_SETGID, CAP_KILL,
 * CAP_IPC_OWNER, CAP_SYS_ADMIN, which root's effective set holds), and
 * fsuid 0 for file permissions (CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH,
 * which Linux drops from the effective set when fsuid leaves 0 and
 * raises again when it comes back: cap_task_fix_setuid). With Linux's
 * default securebits these are exactly the rules a root-owned process
 * meets there.
 *
 * The functions below are pure rules on struct cred: they change or read
 * only what they are given, so the host tests (tests/host/test_cred.c)
 * check them without a kernel. The system calls are kernel/proc/sys_cred.c.
 */
#ifndef KERNEL_PROC_CRED_H
#define KERNEL_PROC_CRED_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Supplementary groups a process may have. Linux allows NGROUPS_MAX
 * (65536) and gives EINVAL above; Pagoda keeps them inside the process
 * and gives EINVAL above this smaller number.
 */
#define CRED_NGROUPS_MAX 32

/* The "unchanged" argument of the set*id calls ((uid_t)-1). */
#define CRED_ID_NONE 0xFFFFFFFFu
/* What a 16-bit call reports for an id that does not fit (overflowuid). */
#define CRED_OVERFLOW_ID 65534u

/* Linux's MAY_EXEC, MAY_WRITE, MAY_READ (include/linux/fs.h). */
#define MAY_EXEC 1
#define MAY_WRITE 2
#define MAY_READ 4

struct cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	uint32_t ngroups;
	uint32_t groups[CRED_NGROUPS_MAX]; /* sorted, ngroups of them */
};

/* Root: every id 0, no supplementary group (what init starts with). */
void cred_init_root(struct cred *c);

/*
 * The set*id rules of Linux (kernel/sys.c). Each changes *c as the call
 * would and returns 0, or returns -EPERM / -EINVAL and leaves *c alone.
 * CRED_ID_NONE means "leave this one" where the call allows it.
 */
int cred_setuid(struct cred *c, uint32_t uid);
int cred_setgid(struct cred *c, uint32_t gid);
int cred_setreuid(struct cred *c, uint32_t ruid, uint32_t euid);
int cred_setregid(struct cred *c, uint32_t rgid, uint32_t egid);
int cred_setresuid(struct cred *c, uint32_t ruid, uint32_t euid, uint32_t suid);
int cred_setresgid(struct cred *c, uint32_t rgid, uint32_t egid, uint32_t sgid);
/* setfsuid/setfsgid: return the old value whether or not it changed. */
uint32_t cred_setfsuid(struct cred *c, uint32_t fsuid);
uint32_t cred_setfsgid(struct cred *c, uint32_t fsgid);
/* setgroups: n groups from list (sorted here); -EPERM or -EINVAL. */
int cred_setgroups(struct cred *c, const uint32_t *list, uint32_t n);

/* execve of a program without set-id bits: saved and fs ids = effective. */
void cred_exec(struct cred *c);

/* Whether the process has root's privilege for the set*id calls, signals
 * and IPC (see the top of this file). */
static inline bool cred_privileged(const struct cred *c)
{
	return c->euid == 0;
}

/* Whether gid is c's fs group or one of its supplementary groups
 * (Linux's in_group_p). */
bool cred_in_group(const struct cred *c, uint32_t gid);
/* The same for the effective group (in_egroup_p). */
bool cred_in_egroup(const struct cred *c, uint32_t gid);

/*
 * Linux's generic_permission: may c access (mask: MAY_*) a file with this
 * mode and owner? The owner's bits if fsuid is the owner, else the
 * group's if c is in the file's group, else the others'. fsuid 0 may do
 * anything, except execute a file without any x bit (directories: search
 * them always). Returns 0 or -EACCES.
 */
int cred_permission(const struct cred *c, uint32_t mode, uint32_t uid,
		    uint32_t gid, int mask);

/*
 * kill(2): may sender signal target? (Linux's kill_ok_by_cred: the
 * sender's real or effective uid is the target's real or saved uid, or
 * the sender is privileged.) The SIGCONT exception within a session is
 * the caller's.
 */
bool cred_may_signal(const struct cred *sender, const struct cred *target);

/*
 * /proc/PID/{maps,smaps,pagemap,environ}: may reader look into target's
 * memory? (Linux's ptrace_may_access with PTRACE_MODE_READ_FSCREDS: the
 * reader's fsuid is the target's real, effective and saved uid, and its
 * fsgid the three gids; or the reader is privileged.)
 */
bool cred_may_read_mm(const struct cred *reader, const struct cred *target);

/* The owner and mode of a SysV IPC object (struct kern_ipc_perm). */
struct ipc_owner {
	uint32_t uid, gid;   /* owner, IPC_SET may change them */
	uint32_t cuid, cgid; /* creator */
	uint32_t mode;	     /* 0777 bits */
};

/*
 * Linux's ipcperms: may c access an IPC object with the rwx bits of flag
 * (any of the three triplets, as shmget's flag or S_IRUGO|S_IWUGO)?
 * Returns 0 or -EACCES.
 */
int cred_ipc_permission(const struct cred *c, const struct ipc_owner *o,
			uint32_t flag);
/* IPC_SET and IPC_RMID: the owner, the creator or root (else -EPERM). */
int cred_ipc_owner(const struct cred *c, const struct ipc_owner *o);

/* --- the kernel's side (kernel/proc/sys_cred.c) ---------------------- */

struct proc;
struct inode;

/* fork/clone: -EAGAIN when the caller's real uid already has
 * RLIMIT_NPROC tasks (root and privileged callers are exempt). */
int cred_fork_check(const struct proc *parent);
/* execve, before anything: -EAGAIN if a set*id left the real uid over
 * RLIMIT_NPROC and it still is (Linux's PF_NPROC_EXCEEDED). */
int cred_exec_check(struct proc *p);
/* execve of file succeeded: saved and fs ids follow, dumpable again. */
void cred_exec_done(struct proc *p, const struct inode *file);
/* Whether p's memory is open to its owner (Linux's SUID_DUMP_USER). */
bool proc_dumpable(const struct proc *p);

#endif
