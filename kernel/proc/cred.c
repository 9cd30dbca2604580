/*
 * kernel/proc/cred.c - the rules of credentials (see kernel/proc/cred.h).
 *
 * Each function is one of Linux's rules from kernel/sys.c, fs/namei.c,
 * kernel/signal.c, kernel/ptrace.c or ipc/util.c, written against struct
 * cred alone, so that the host tests run the same code as the kernel.
 * The set*id functions work on a copy and store it only when the call
 * succeeds, as Linux's prepare_creds/commit_creds do.
 */
#include "kernel/proc/cred.h"

#include "libk/errno.h"
#include "libk/string.h"

/* The file type bits of a mode, and a directory's (POSIX <sys/stat.h>). */
#define CRED_S_IFMT 0170000u
#define CRED_S_IFDIR 0040000u
#define CRED_S_IXUGO 0111u

void cred_init_root(struct cred *c)
{
	memset(c, 0, sizeof(*c));
}

/* --- set*id --------------------------------------------------------------- */

int cred_setuid(struct cred *c, uint32_t uid)
{
	if (uid == CRED_ID_NONE)
		return -EINVAL;
	struct cred n = *c;
	if (cred_privileged(c)) {
		n.uid = n.suid = uid;
	} else if (uid != c->uid && uid != c->suid) {
		return -EPERM;
	}
	n.euid = n.fsuid = uid;
	*c = n;
	return 0;
}

int cred_setgid(struct cred *c, uint32_t gid)
{
	if (gid == CRED_ID_NONE)
		return -EINVAL;
	struct cred n = *c;
	if (cred_privileged(c)) {
		n.gid = n.sgid = gid;
	} else if (gid != c->gid && gid != c->sgid) {
		return -EPERM;
	}
	n.egid = n.fsgid = gid;
	*c = n;
	return 0;
}

/*
 * setreuid and setregid share one rule on (real, effective, saved, fs):
 * an unprivileged caller may set the real id to its real or effective
 * one, and the effective id to any of the three; the saved id follows the
 * new effective one when the real id is set, or when the effective id
 * moves away from the old real one.
 */
static int set_re(uint32_t *r, uint32_t *e, uint32_t *s, uint32_t *fs,
		  uint32_t nr, uint32_t ne, bool privileged)
{
	uint32_t old_r = *r, old_e = *e, old_s = *s;
	uint32_t vr = old_r, ve = old_e;

	if (nr != CRED_ID_NONE) {
		if (nr != old_r && nr != old_e && !privileged)
			return -EPERM;
		vr = nr;
	}
	if (ne != CRED_ID_NONE) {
		if (ne != old_r && ne != old_e && ne != old_s && !privileged)
			return -EPERM;
		ve = ne;
	}
	*r = vr;
	*e = ve;
	if (nr != CRED_ID_NONE || (ne != CRED_ID_NONE && ne != old_r))
		*s = ve;
	*fs = ve;
	return 0;
}

int cred_setreuid(struct cred *c, uint32_t ruid, uint32_t euid)
{
	struct cred n = *c;
	int err = set_re(&n.uid, &n.euid, &n.suid, &n.fsuid, ruid, euid,
			 cred_privileged(c));
	if (!err)
		*c = n;
	return err;
}

int cred_setregid(struct cred *c, uint32_t rgid, uint32_t egid)
{
	struct cred n = *c;
	int err = set_re(&n.gid, &n.egid, &n.sgid, &n.fsgid, rgid, egid,
			 cred_privileged(c));
	if (!err)
		*c = n;
	return err;
}

/* Whether an unprivileged caller may take id: one of its three. */
static bool is_own(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == CRED_ID_NONE || id == r || id == e || id == s;
}

/* setresuid/setresgid: each of the three, unless -1, becomes what is asked. */
static int set_res(uint32_t *r, uint32_t *e, uint32_t *s, uint32_t *fs,
		   uint32_t nr, uint32_t ne, uint32_t ns, bool privileged)
{
	if (!privileged && !(is_own(nr, *r, *e, *s) && is_own(ne, *r, *e, *s) &&
			     is_own(ns, *r, *e, *s)))
		return -EPERM;
	if (nr != CRED_ID_NONE)
		*r = nr;
	if (ne != CRED_ID_NONE)
		*e = ne;
	if (ns != CRED_ID_NONE)
		*s = ns;
	*fs = *e;
	return 0;
}

int cred_setresuid(struct cred *c, uint32_t ruid, uint32_t euid, uint32_t suid)
{
	return set_res(&c->uid, &c->euid, &c->suid, &c->fsuid, ruid, euid, suid,
		       cred_privileged(c));
}

int cred_setresgid(struct cred *c, uint32_t rgid, uint32_t egid, uint32_t sgid)
{
	return set_res(&c->gid, &c->egid, &c->sgid, &c->fsgid, rgid, egid, sgid,
		       cred_privileged(c));
}

uint32_t cred_setfsuid(struct cred *c, uint32_t fsuid)
{
	uint32_t old = c->fsuid;
	if (fsuid == CRED_ID_NONE)
		return old;
	if (fsuid == c->uid || fsuid == c->euid || fsuid == c->suid ||
	    fsuid == c->fsuid || cred_privileged(c))
		c->fsuid = fsuid;
	return old;
}

uint32_t cred_setfsgid(struct cred *c, uint32_t fsgid)
{
	uint32_t old = c->fsgid;
	if (fsgid == CRED_ID_NONE)
		return old;
	if (fsgid == c->gid || fsgid == c->egid || fsgid == c->sgid ||
	    fsgid == c->fsgid || cred_privileged(c))
		c->fsgid = fsgid;
	return old;
}

int cred_setgroups(struct cred *c, const uint32_t *list, uint32_t n)
{
	if (!cred_privileged(c))
		return -EPERM;
	if (n > CRED_NGROUPS_MAX)
		return -EINVAL;
	uint32_t g[CRED_NGROUPS_MAX];
	memcpy(g, list, n * sizeof(g[0]));
	/* Linux sorts them (groups_sort), keeping duplicates. */
	for (uint32_t i = 1; i < n; i++) {
		uint32_t v = g[i], j = i;
		for (; j > 0 && g[j - 1] > v; j--)
			g[j] = g[j - 1];
		g[j] = v;
	}
	memcpy(c->groups, g, n * sizeof(g[0]));
	c->ngroups = n;
	return 0;
}

void cred_exec(struct cred *c)
{
	c->suid = c->fsuid = c->euid;
	c->sgid = c->fsgid = c->egid;
}

/* --- checks --------------------------------------------------------------- */

static bool in_groups(const struct cred *c, uint32_t gid)
{
	for (uint32_t i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	return false;
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	return gid == c->fsgid || in_groups(c, gid);
}

bool cred_in_egroup(const struct cred *c, uint32_t gid)
{
	return gid == c->egid || in_groups(c, gid);
}

int cred_permission(const struct cred *c, uint32_t mode, uint32_t uid,
		    uint32_t gid, int mask)
{
	uint32_t bits = mode;
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;

	if (c->fsuid == uid)
		bits >>= 6;
	else if (cred_in_group(c, gid))
		bits >>= 3;
	if (((uint32_t)mask & ~bits & 7) == 0)
		return 0;
	if (c->fsuid != 0)
		return -EACCES;
	/* Root's CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH. */
	if ((mode & CRED_S_IFMT) == CRED_S_IFDIR)
		return 0;
	if (!(mask & MAY_EXEC) || (mode & CRED_S_IXUGO))
		return 0;
	return -EACCES;
}

bool cred_may_signal(const struct cred *sender, const struct cred *target)
{
	return sender->euid == target->suid || sender->euid == target->uid ||
	       sender->uid == target->suid || sender->uid == target->uid ||
	       cred_privileged(sender);
}

bool cred_may_read_mm(const struct cred *reader, const struct cred *target)
{
	uint32_t u = reader->fsuid, g = reader->fsgid;
	if (u == target->uid && u == target->euid && u == target->suid &&
	    g == target->gid && g == target->egid && g == target->sgid)
		return true;
	return cred_privileged(reader);
}

int cred_ipc_permission(const struct cred *c, const struct ipc_owner *o,
			uint32_t flag)
{
	uint32_t requested = (flag >> 6) | (flag >> 3) | flag;
	uint32_t granted = o->mode;

	if (c->euid == o->cuid || c->euid == o->uid)
		granted >>= 6;
	else if (cred_in_group(c, o->cgid) || cred_in_group(c, o->gid))
		granted >>= 3;
	if ((requested & ~granted & 7) && !cred_privileged(c))
		return -EACCES;
	return 0;
}

int cred_ipc_owner(const struct cred *c, const struct ipc_owner *o)
{
	if (c->euid == o->cuid || c->euid == o->uid || cred_privileged(c))
		return 0;
	return -EPERM;
}
