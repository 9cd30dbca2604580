/*
 * user/su.c - run a shell or a command as another user.
 *
 *   su [-] [USER] [-c COMMAND]
 *
 * USER (default root) is looked up in /etc/passwd, its groups in
 * /etc/group. The process then drops root in the order a real su does:
 * setgroups (the user's supplementary groups), setgid, and setuid last,
 * since after setuid it could no longer change its groups. HOME, SHELL,
 * USER and LOGNAME are set from the passwd line; with "-" the shell is a
 * login shell (argv[0] "-sh") started in the home directory.
 *
 * Pagoda keeps no passwords (there is no /etc/shadow), so only root may
 * use su: from any other user it refuses, as su does when the password
 * is wrong. Going back is "exit": the root shell that ran su is still
 * waiting. docs/users.md shows a session.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_GROUPS 32 /* what Pagoda keeps per process */

/* One line of /etc/passwd, split in place. */
struct user {
	char *name, *home, *shell;
	unsigned int uid, gid;
};

/* Splits line at ':' into at most n fields; returns how many. */
static int split(char *line, char **f, int n)
{
	int k = 0;
	line[strcspn(line, "\n")] = '\0';
	while (k < n) {
		f[k++] = line;
		char *c = strchr(line, ':');
		if (!c)
			break;
		*c = '\0';
		line = c + 1;
	}
	return k;
}

/* Finds name in /etc/passwd; the strings live in buf. */
static int find_user(const char *name, struct user *u, char *buf, size_t size)
{
	FILE *f = fopen("/etc/passwd", "r");
	if (!f)
		return -1;
	while (fgets(buf, (int)size, f)) {
		char *fld[7];
		if (split(buf, fld, 7) < 7 || strcmp(fld[0], name))
			continue;
		u->name = fld[0];
		u->uid = (unsigned int)strtoul(fld[2], NULL, 10);
		u->gid = (unsigned int)strtoul(fld[3], NULL, 10);
		u->home = fld[5];
		u->shell = fld[6][0] ? fld[6] : "/bin/sh";
		fclose(f);
		return 0;
	}
	fclose(f);
	return -1;
}

/* The groups of /etc/group that list name as a member, after gid. */
static int user_groups(const char *name, unsigned int gid, gid_t *out)
{
	char line[512];
	int n = 0;
	out[n++] = gid;
	FILE *f = fopen("/etc/group", "r");
	if (!f)
		return n;
	while (fgets(line, sizeof(line), f) && n < MAX_GROUPS) {
		char *fld[4];
		if (split(line, fld, 4) < 4)
			continue;
		for (char *m = strtok(fld[3], ","); m; m = strtok(NULL, ","))
			if (!strcmp(m, name)) {
				unsigned int g = strtoul(fld[2], NULL, 10);
				if (g != gid)
					out[n++] = g;
				break;
			}
	}
	fclose(f);
	return n;
}

static void usage(void)
{
	fprintf(stderr, "usage: su [-] [USER] [-c COMMAND]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *name = "root", *command = NULL;
	int login = 0;
	char buf[1024];
	struct user u;
	gid_t groups[MAX_GROUPS];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-") || !strcmp(argv[i], "-l") ||
		    !strcmp(argv[i], "--login")) {
			login = 1;
		} else if (!strcmp(argv[i], "-c")) {
			if (++i == argc)
				usage();
			command = argv[i];
		} else if (!strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			usage();
		} else if (argv[i][0] == '-') {
			usage();
		} else {
			name = argv[i];
		}
	}
	if (find_user(name, &u, buf, sizeof(buf))) {
		fprintf(stderr, "su: user %s does not exist\n", name);
		return 1;
	}
	if (getuid() != 0) {
		fprintf(stderr, "su: Authentication failure (Pagoda has no "
				"passwords: only root may use su)\n");
		return 1;
	}
	int n = user_groups(u.name, u.gid, groups);
	if (setgroups((size_t)n, groups) || setgid(u.gid) || setuid(u.uid)) {
		perror("su: cannot change user");
		return 1;
	}
	setenv("HOME", u.home, 1);
	setenv("SHELL", u.shell, 1);
	setenv("USER", u.name, 1);
	setenv("LOGNAME", u.name, 1);
	if (login && chdir(u.home))
		fprintf(stderr,
			"su: warning: cannot change directory to %s: "
			"%s\n",
			u.home, strerror(errno));

	/* A login shell's argv[0] starts with '-' (it then reads /etc/profile). */
	const char *base = strrchr(u.shell, '/');
	base = base ? base + 1 : u.shell;
	char arg0[64];
	snprintf(arg0, sizeof(arg0), "%s%s", login ? "-" : "", base);
	if (command)
		execl(u.shell, arg0, "-c", command, (char *)NULL);
	else
		execl(u.shell, arg0, (char *)NULL);
	fprintf(stderr, "su: cannot run %s: %s\n", u.shell, strerror(errno));
	return 126;
}
