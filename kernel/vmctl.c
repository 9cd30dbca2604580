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
	vmctl_set_policy_seed(boot_options.vm_policy_seed);
	swapper_init(); /* vm.swapin= */
}

/* Whether c is white space in a written value. */
static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The n bytes written at buf without white space around: its start, *len. */
static const char *trimmed(const char *buf, size_t n, size_t *len)
{
	size_t start = 0, end = n;

	while (start < end && is_space(buf[start]))
		start++;
	while (end > start && is_space(buf[end - 1]))
		end--;
	*len = end - start;
	return buf + start;
}

/* A write to /proc/sys/vm/policy. */
int vmctl_write_policy(const char *buf, size_t n)
{
	char name[POLICY_NAME_MAX];
	size_t len;
	const char *s = trimmed(buf, n, &len);

	if (len == 0 || len >= sizeof(name))
		return -EINVAL;
	memcpy(name, s, len);
	name[len] = '\0';
	int err = vm_policy_set(name);
	if (err < 0)
		return err;
	pr_info("vm: page replacement policy %s\n", name);
	return (int)n;
}

/*
 * The random policy's numbers: the kernel's generator (kernel/random.c),
 * or with a seed set the xorshift32 stream from it, the one tools/vmsim
 * draws with --seed, so that a run repeats its choices and the kernel and
 * the simulator choose alike on the same reference string.
 */
static uint32_t policy_seed;  /* 0: the kernel's generator */
static uint32_t policy_state; /* the stream's state while seeded */

uint32_t policy_random(void)
{
	if (policy_seed == 0)
		return random_u32();
	return policy_xorshift32(&policy_state);
}

void vmctl_set_policy_seed(uint32_t seed)
{
	policy_seed = seed;
	policy_state = seed;
}

uint32_t vmctl_policy_seed(void)
{
	return policy_seed;
}

/* A write to /proc/sys/vm/policy_seed: a number, white space around it. */
int vmctl_write_policy_seed(const char *buf, size_t n)
{
	size_t len;
	const char *s = trimmed(buf, n, &len);
	uint64_t v;

	if (kstrtou64(s, len, 0, &v) < 0 || v > UINT32_MAX)
		return -EINVAL;
	vmctl_set_policy_seed((uint32_t)v);
	return (int)n;
}
