/*
 * user/vmpolicy.c - show or change the page replacement policy.
 *
 *   vmpolicy            prints the policies, the active one in brackets,
 *                       and each one's counters from /proc/vmstat
 *   vmpolicy NAME       makes NAME the active policy
 *
 * The policy lives in /proc/sys/vm/policy: reading it gives the list
 * ("[clock] fifo aging random clockpro"), writing a name switches (the shell has
 * no redirection, hence this program). The kernel moves every resident
 * page over to the new policy, oldest first, so a switch loses no page
 * and starts the new policy from the pages' arrival order.
 *
 * Try it: start a program bigger than memory in one shell (swaptest,
 * memhog), switch policies with vmpolicy, and watch the fault counts in
 * vmstat change.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define POLICY_FILE "/proc/sys/vm/policy"

/* Prints the policy list, then each policy's counters. */
static int show(void)
{
	char line[256];
	FILE *f = fopen(POLICY_FILE, "r");
	if (!f) {
		fprintf(stderr, "vmpolicy: %s: %s\n", POLICY_FILE,
			strerror(errno));
		return 1;
	}
	if (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);

	f = fopen("/proc/vmstat", "r");
	if (!f)
		return 0;
	printf("%-8s %8s %10s %10s %10s %10s\n", "policy", "tracked", "chosen",
	       "scanned", "spared", "sampled");
	char name[64] = "", col[16];
	long v[5] = { 0 };
	unsigned long value;
	/* Lines "policy_NAME_COUNTER VALUE", six per policy, in order. */
	while (fgets(line, sizeof(line), f)) {
		char key[64];
		if (sscanf(line, "policy_%63s %lu", key, &value) != 2)
			continue;
		char *us = strrchr(key, '_');
		if (!us)
			continue;
		*us = '\0';
		snprintf(col, sizeof(col), "%s", us + 1);
		if (strcmp(key, name) != 0) {
			snprintf(name, sizeof(name), "%s", key);
			memset(v, 0, sizeof(v));
		}
		if (!strcmp(col, "tracked"))
			v[0] = (long)value;
		else if (!strcmp(col, "chosen"))
			v[1] = (long)value;
		else if (!strcmp(col, "scanned"))
			v[2] = (long)value;
		else if (!strcmp(col, "second"))
			v[3] = (long)value;
		else if (!strcmp(col, "sampled")) {
			v[4] = (long)value;
			printf("%-8s %8ld %10ld %10ld %10ld %10ld\n", name,
			       v[0], v[1], v[2], v[3], v[4]);
		}
	}
	fclose(f);
	return 0;
}

/* Writes NAME to the policy file. */
static int set(const char *name)
{
	int fd = open(POLICY_FILE, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "vmpolicy: %s: %s\n", POLICY_FILE,
			strerror(errno));
		return 1;
	}
	ssize_t n = write(fd, name, strlen(name));
	int err = errno;
	close(fd);
	if (n < 0) {
		fprintf(stderr, "vmpolicy: %s: %s\n", name,
			err == EINVAL ? "no such policy" : strerror(err));
		return 1;
	}
	return show();
}

int main(int argc, char **argv)
{
	if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") ||
				       !strcmp(argv[1], "--help")))) {
		printf("usage: vmpolicy [NAME]\n"
		       "  without NAME: show the page replacement policies\n"
		       "  with NAME: make it the active one\n");
		return argc > 2 ? 2 : 0;
	}
	return argc == 2 ? set(argv[1]) : show();
}
