/*
 * kernel/vmctl.c - the kernel's controls of page replacement (see
 * kernel/vmctl.h), and the random numbers the random policy draws.
 *
 * mm/ keeps the policies and the reclaimer; what comes from outside it
 * (the command line, writes to /proc, the kernel's random generator) is
 * joined to it here, so mm/ includes nothing from kernel/.
 */
#include "kernel/vmctl.h"

#include "kernel/cmdline.h"
#include "kernel/random.h"
#include "kernel/proc/swapper.h"
#include "libk/errno.h"
#include "libk/log.h"
#include "libk/string.h"
#include "mm/policy.h"
#include "mm/vmscan.h"

/* Longest policy name accepted in a write (the names are short words). */
#define POLICY_NAME_MAX 32

/* Applies vm.policy=. */
void vmctl_init(void)
{
	const char *name = boot_options.vm_policy;
	if (name[0] && vm_policy_set(name) < 0) {
		char list[96];
		vm_policy_list(list, sizeof(list));
		char *nl = strchr(list, '\n');
		if (nl)
			*nl = '\0';
		pr_err("vm.policy=%s: no such page replacement policy "
		       "(policies: %s); using %s\n",
		       name, list, vm_policy_active()->name);
	}
	pr_info("vm: page replacement policy %s\n", vm_policy_active()->name);
	swapper_init(); /* vm.swapin= */
}

/* Whether c is white space in a written name. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A write to /proc/sys/vm/policy. */
int vmctl_write_policy(const char *buf, size_t n)
{
	char name[POLICY_NAME_MAX];
	size_t start = 0, end = n;

	while (start < end && is_space(buf[start]))
		start++;
	while (end > start && is_space(buf[end - 1]))
		end--;
	if (end == start || end - start >= sizeof(name))
		return -EINVAL;
	memcpy(name, buf + start, end - start);
	name[end - start] = '\0';
	int err = vm_policy_set(name);
	if (err < 0)
		return err;
	pr_info("vm: page replacement policy %s\n", name);
	return (int)n;
}

/* The random policy's numbers: the kernel's generator (kernel/random.c). */
uint32_t policy_random(void)
{
	return random_u32();
}
