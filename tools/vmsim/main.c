/*
 * tools/vmsim/main.c - vmsim's command line: tables, sweeps and plots.
 *
 *   vmsim [--policy P[,P...]|all] --frames N [TRACE]
 *   vmsim [--policy ...] --sweep MIN:MAX[:STEP]
 *         [--plot OUT.png|OUT.svg [--log]] [TRACE]
 *
 * Policies are the kernel's (vm_policies[], mm/policy*.c) plus the
 * simulator's exact "lru"; "all" means every one of them. Belady's "opt"
 * is always added, as the floor to compare with. One replay per policy
 * and frame count; each starts from empty frames and the same seed.
 *
 * With --frames, one line per policy: faults, cold (first-use) faults,
 * evictions, write-backs, the fault rate and the distance to OPT. With
 * --sweep, a table of faults for each frame count, one column per policy,
 * which --plot hands to gnuplot. docs/replacement.md shows both.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libk/assert.h"
#include "mm/policy.h"
#include "tools/vmsim/vmsim.h"

/* At most this many policies in one run (every policy fits). */
#define MAX_POLICIES 16
/*
 * A timer tick every this many references unless --tick says otherwise.
 * Aging's 8 bits of history then span 128 references: ticks much more
 * frequent than that leave most pages of a large memory at age 0, where
 * aging can only fall back on arrival order (FIFO).
 */
#define DEFAULT_TICK 16u
/* Sweeps longer than this are refused (a typo, most likely). */
#define MAX_SWEEP_POINTS 100000u

struct options {
	const struct vm_policy *policy[MAX_POLICIES];
	unsigned int npolicies;
	uint32_t frames;	       /* 0: not given */
	uint32_t sweep_min, sweep_max; /* sweep_max 0: no sweep */
	uint32_t sweep_step;
	const char *plot;  /* output file, or NULL */
	const char *trace; /* NULL: stdin */
	struct sim_config cfg;
	bool verbose;
	bool logscale; /* --log: logarithmic fault axis */
};

/*
 * KASSERT in the policies ends up here: a policy broke its invariants,
 * which is a bug worth a loud stop.
 */
void panic(const char *fmt, ...)
{
	va_list ap;

	fputs("vmsim: panic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vmsim [--policy P[,P...]|all] --frames N [TRACE]\n"
		"       vmsim [--policy ...] --sweep MIN:MAX[:STEP] "
		"[--plot OUT.png|OUT.svg [--log]] [TRACE]\n"
		"Replays a reference string (one page number per line, W "
		"suffix for a write,\n"
		"'#' comments; stdin without TRACE) against simulated frames "
		"and reports\n"
		"faults, evictions and write-backs for each policy and for "
		"Belady's OPT.\n"
		"  -p, --policy LIST   policies (default: %s; 'all' for every "
		"one):",
		vm_policies[0]->name);
	for (const struct vm_policy *const *p = vm_policies; *p; p++)
		fprintf(f, " %s", (*p)->name);
	fprintf(f,
		" %s %s\n"
		"  -f, --frames N      frames of simulated memory\n"
		"  -s, --sweep A:B[:S] faults for every frame count from A to "
		"B (step S)\n"
		"  -o, --plot FILE     draw the sweep with gnuplot (.png or "
		".svg)\n"
		"  -l, --log           plot faults on a logarithmic scale\n"
		"  -t, --tick N        a timer tick (aging's sample) every N "
		"references\n"
		"                      (default %u; 0: never)\n"
		"  -r, --seed N        seed of the random policy (default 1)\n"
		"  -v, --verbose       also print each policy's counters\n",
		vmsim_policy_lru.name, vmsim_policy_opt.name, DEFAULT_TICK);
}

/* Every policy vmsim knows, by name. */
static const struct vm_policy *find_policy(const char *name)
{
	if (strcmp(name, vmsim_policy_lru.name) == 0)
		return &vmsim_policy_lru;
	if (strcmp(name, vmsim_policy_opt.name) == 0)
		return &vmsim_policy_opt;
	return vm_policy_find(name);
}

/* Adds p to the list unless it is there already. */
static void add_policy(struct options *o, const struct vm_policy *p)
{
	for (unsigned int i = 0; i < o->npolicies; i++)
		if (o->policy[i] == p)
			return;
	KASSERT(o->npolicies < MAX_POLICIES);
	o->policy[o->npolicies++] = p;
}

/* Parses "all" or a comma-separated list of policy names. */
static int parse_policies(struct options *o, char *list)
{
	char *save = NULL;

	for (char *name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		if (strcmp(name, "all") == 0) {
			for (const struct vm_policy *const *p = vm_policies; *p;
			     p++)
				add_policy(o, *p);
			add_policy(o, &vmsim_policy_lru);
			continue;
		}
		const struct vm_policy *p = find_policy(name);
		if (!p) {
			fprintf(stderr, "vmsim: unknown policy '%s'\n", name);
			return -1;
		}
		add_policy(o, p);
	}
	return 0;
}

/* Parses a decimal number into *out, within [min, UINT32_MAX]. */
static int parse_u32(const char *s, uint32_t min, uint32_t *out)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > UINT32_MAX ||
	    s[0] == '-')
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Parses MIN:MAX[:STEP]. */
static int parse_sweep(struct options *o, char *arg)
{
	char *save = NULL;
	char *a = strtok_r(arg, ":", &save);
	char *b = strtok_r(NULL, ":", &save);
	char *s = strtok_r(NULL, ":", &save);

	o->sweep_step = 1;
	if (!a || !b || strtok_r(NULL, ":", &save) ||
	    parse_u32(a, 1, &o->sweep_min) < 0 ||
	    parse_u32(b, 1, &o->sweep_max) < 0 ||
	    (s && parse_u32(s, 1, &o->sweep_step) < 0) ||
	    o->sweep_max < o->sweep_min)
		return -1;
	if ((o->sweep_max - o->sweep_min) / o->sweep_step >= MAX_SWEEP_POINTS)
		return -1;
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "frames", required_argument, NULL, 'f' },
		{ "sweep", required_argument, NULL, 's' },
		{ "plot", required_argument, NULL, 'o' },
		{ "tick", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "log", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->cfg.tick = DEFAULT_TICK;
	o->cfg.seed = 1;
	while ((c = getopt_long(argc, argv, "p:f:s:o:t:r:vlh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_policies(o, optarg) < 0)
				return -1;
			break;
		case 'f':
			if (parse_u32(optarg, 1, &o->frames) < 0) {
				fprintf(stderr,
					"vmsim: --frames wants a "
					"number of frames, at least 1\n");
				return -1;
			}
			break;
		case 's':
			if (parse_sweep(o, optarg) < 0) {
				fprintf(stderr,
					"vmsim: --sweep wants MIN:MAX[:STEP] "
					"with 1 <= MIN <= MAX\n");
				return -1;
			}
			break;
		case 'o':
			o->plot = optarg;
			break;
		case 't':
			if (parse_u32(optarg, 0, &o->cfg.tick) < 0) {
				fprintf(stderr, "vmsim: bad --tick\n");
				return -1;
			}
			break;
		case 'r':
			if (parse_u32(optarg, 0, &o->cfg.seed) < 0) {
				fprintf(stderr, "vmsim: bad --seed\n");
				return -1;
			}
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'l':
			o->logscale = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc)
		o->trace = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "vmsim: one trace at a time\n");
		return -1;
	}
	if (!o->frames && !o->sweep_max) {
		fprintf(stderr, "vmsim: give --frames N or --sweep MIN:MAX\n");
		usage(stderr);
		return -1;
	}
	if (o->plot && !o->sweep_max) {
		fprintf(stderr, "vmsim: --plot draws a sweep: add --sweep\n");
		return -1;
	}
	if (o->npolicies == 0)
		add_policy(o, vm_policies[0]);
	add_policy(o, &vmsim_policy_opt);
	return 0;
}

/* One line per policy for one frame count. */
static int run_table(const struct options *o, const struct trace *t)
{
	struct sim_result res[MAX_POLICIES];
	struct sim_config cfg = o->cfg;
	uint64_t opt_faults = 0;

	cfg.frames = o->frames;
	for (unsigned int i = 0; i < o->npolicies; i++) {
		if (sim_run(o->policy[i], t, &cfg, &res[i]) < 0)
			return -1;
		if (o->policy[i] == &vmsim_policy_opt)
			opt_faults = res[i].faults;
	}
	printf("%-8s %9s %7s %10s %12s %8s %8s\n", "policy", "faults", "cold",
	       "evictions", "write-backs", "fault%", "vs-opt");
	for (unsigned int i = 0; i < o->npolicies; i++) {
		const struct sim_result *r = &res[i];
		double rate = t->n ? 100.0 * (double)r->faults / t->n : 0.0;

		printf("%-8s %9llu %7llu %10llu %12llu %8.1f %+8lld\n",
		       o->policy[i]->name, (unsigned long long)r->faults,
		       (unsigned long long)r->cold,
		       (unsigned long long)r->evictions,
		       (unsigned long long)r->writebacks, rate,
		       (long long)(r->faults - opt_faults));
	}
	if (!o->verbose)
		return 0;
	printf("\n%-8s %10s %10s %10s %10s\n", "counters", "chosen", "scanned",
	       "second", "sampled");
	for (unsigned int i = 0; i < o->npolicies; i++) {
		const struct vm_policy_stats *s = &res[i].stats;

		printf("%-8s %10llu %10llu %10llu %10llu\n", o->policy[i]->name,
		       (unsigned long long)s->chosen,
		       (unsigned long long)s->scanned,
		       (unsigned long long)s->second,
		       (unsigned long long)s->sampled);
	}
	return 0;
}

/*
 * Faults for every frame count of the sweep, one column per policy.
 * Written to f (stdout, and the data file for gnuplot).
 */
static int run_sweep(const struct options *o, const struct trace *t, FILE *out,
		     FILE *data)
{
	struct sim_config cfg = o->cfg;

	fprintf(out, "%6s", "frames");
	if (data)
		fprintf(data, "frames");
	for (unsigned int i = 0; i < o->npolicies; i++) {
		fprintf(out, " %9s", o->policy[i]->name);
		if (data)
			fprintf(data, " %s", o->policy[i]->name);
	}
	fputc('\n', out);
	if (data)
		fputc('\n', data);
	for (uint64_t fr = o->sweep_min; fr <= o->sweep_max;
	     fr += o->sweep_step) {
		cfg.frames = (uint32_t)fr;
		fprintf(out, "%6u", cfg.frames);
		if (data)
			fprintf(data, "%u", cfg.frames);
		for (unsigned int i = 0; i < o->npolicies; i++) {
			struct sim_result r;

			if (sim_run(o->policy[i], t, &cfg, &r) < 0)
				return -1;
			fprintf(out, " %9llu", (unsigned long long)r.faults);
			if (data)
				fprintf(data, " %llu",
					(unsigned long long)r.faults);
		}
		fputc('\n', out);
		if (data)
			fputc('\n', data);
		fflush(out);
	}
	return 0;
}

/* Whether name ends in suffix. */
static bool ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);
	return n >= s && strcmp(name + n - s, suffix) == 0;
}

/* Writes s inside a gnuplot single-quoted string (quotes doubled). */
static void gp_escape(FILE *gp, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', gp);
		fputc(*s, gp);
	}
}

/* Writes s as a gnuplot single-quoted string. */
static void gp_quote(FILE *gp, const char *s)
{
	fputc('\'', gp);
	gp_escape(gp, s);
	fputc('\'', gp);
}

/* Line colours, distinct for readers with any kind of colour vision. */
static const char *const colors[] = { "#0072b2", "#d55e00", "#009e73",
				      "#cc79a7", "#e69f00", "#56b4e9" };
#define NCOLORS (sizeof(colors) / sizeof(colors[0]))

/* Draws the sweep's data file with gnuplot into o->plot. */
static int plot(const struct options *o, const struct trace *t,
		const char *datafile)
{
	const char *term;

	if (ends_with(o->plot, ".png")) {
		term = "pngcairo size 900,560 font 'sans,11'";
	} else if (ends_with(o->plot, ".svg")) {
		term = "svg size 900,560 dynamic font 'sans,11' "
		       "background rgb 'white'";
	} else {
		fprintf(stderr, "vmsim: --plot wants a .png or .svg file\n");
		return -1;
	}
	FILE *gp = popen("gnuplot", "w");
	if (!gp) {
		fprintf(stderr, "vmsim: cannot run gnuplot: %s\n",
			strerror(errno));
		return -1;
	}
	fprintf(gp, "set terminal %s\nset output ", term);
	gp_quote(gp, o->plot);
	const char *base = strrchr(t->name, '/');
	fprintf(gp, "\nset title 'Page faults vs frames: ");
	gp_escape(gp, base ? base + 1 : t->name);
	fprintf(gp, " (%u references, %u pages)'", t->n, t->npages);
	fprintf(gp,
		" noenhanced\n"
		"set xlabel 'frames'\nset ylabel 'page faults%s'\n"
		"set grid\nset key top right noenhanced\n"
		"set style data linespoints\n",
		o->logscale ? " (log scale)" : "");
	if (o->sweep_max > o->sweep_min)
		fprintf(gp, "set xrange [%u:%u]\n", o->sweep_min, o->sweep_max);
	fprintf(gp, o->logscale ? "set logscale y\n" : "set yrange [0:*]\n");
	fprintf(gp, "plot ");
	for (unsigned int i = 0; i < o->npolicies; i++) {
		const struct vm_policy *p = o->policy[i];

		if (i)
			fprintf(gp, ", ");
		gp_quote(gp, datafile);
		if (p == &vmsim_policy_opt)
			fprintf(gp,
				" using 1:%u with lines dt 2 lw 2 "
				"lc rgb 'black' title 'opt (optimal)'",
				i + 2);
		else
			fprintf(gp,
				" using 1:%u lw 2 pt %u ps 0.7 "
				"lc rgb '%s' title '%s'",
				i + 2, i + 5, colors[i % NCOLORS], p->name);
	}
	fprintf(gp, "\n");
	int status = pclose(gp);
	if (status != 0) {
		fprintf(stderr,
			"vmsim: gnuplot failed (status %d); is "
			"gnuplot (gnuplot-nox) installed?\n",
			status);
		return -1;
	}
	return 0;
}

/* Sweeps, and plots if asked, through a temporary data file. */
static int sweep_and_plot(const struct options *o, const struct trace *t)
{
	char datafile[] = "/tmp/vmsim-XXXXXX";
	FILE *data = NULL;
	int ret = -1;

	if (!o->plot)
		return run_sweep(o, t, stdout, NULL);
	int fd = mkstemp(datafile);
	if (fd < 0 || !(data = fdopen(fd, "w"))) {
		fprintf(stderr, "vmsim: temporary file: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (run_sweep(o, t, stdout, data) < 0)
		goto out;
	if (fclose(data) != 0) {
		data = NULL;
		fprintf(stderr, "vmsim: writing %s failed\n", datafile);
		goto out;
	}
	data = NULL;
	if (plot(o, t, datafile) < 0)
		goto out;
	fprintf(stderr, "vmsim: plot written to %s\n", o->plot);
	ret = 0;
out:
	if (data)
		fclose(data);
	if (fd >= 0)
		unlink(datafile);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o;
	struct trace t;
	int ret = 1;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (trace_read(o.trace, &t) < 0)
		return 1;
	printf("# trace %s: %u references (%u writes), %u distinct pages; "
	       "a tick every %u references, seed %u\n",
	       t.name, t.n, t.nwrites, t.npages, o.cfg.tick, o.cfg.seed);
	if (o.frames) {
		printf("# %u frames\n", o.frames);
		if (run_table(&o, &t) < 0)
			goto out;
	}
	if (o.sweep_max) {
		if (o.frames)
			putchar('\n');
		printf("# faults vs frames\n");
		if (sweep_and_plot(&o, &t) < 0)
			goto out;
	}
	ret = 0;
out:
	trace_free(&t);
	return ret;
}
