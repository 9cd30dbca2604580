/*
 * user/minish.c - a small shell: read a line, split it into words, run it.
 *
 * The fallback shell of the small initramfs (build/initramfs-mini.cpio, for
 * the in-kernel suites and the smallest machines), where it is /bin/sh. The
 * full initramfs has busybox ash as /bin/sh and bash (docs/userland.md);
 * there this one is /bin/minish.
 *
 *   sh                 read commands from the console, with a prompt
 *   sh -c 'COMMANDS'   run COMMANDS and exit with the last status
 *   sh FILE            run the commands in FILE
 *
 * A line is split into words at blanks. 'single quotes' keep everything
 * literally, "double quotes" keep blanks but expand $NAME and $?, and a
 * backslash quotes the next character. $? is the last command's status,
 * $NAME an environment variable. ';' separates commands and '#' starts a
 * comment.
 *
 * The first word names a builtin (see `help`) or a program: a word with
 * a '/' is a path, any other is looked up in the directories of $PATH
 * (/bin when unset). A program runs in a child process made with fork()
 * and execve(); the shell waits for it with wait4() and says how it ended
 * when that was not a plain success: "exit 3", or "killed by signal 11
 * (SIGSEGV: Segmentation fault)" when the kernel killed it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_LEN 1024
#define MAX_WORDS 64
#define DEFAULT_PROMPT "pagoda$ "

extern char **environ;

static int last_status;	     /* $?: exit code, or 128 + signal number */
static int last_wait_status; /* the raw wait status, for `status` */
static bool last_was_program;

/* ---- reading lines ------------------------------------------------------ */

struct input {
	int fd;
	char buf[LINE_MAX_LEN];
	size_t len, pos;
};

/*
 * Reads one line (without its newline) into line. Returns false at the
 * end of input. The input is read in blocks; from the console a read
 * returns at most one line, so nothing meant for a program the shell
 * starts is read ahead.
 */
static bool read_line(struct input *in, char *line, size_t size)
{
	size_t n = 0;

	for (;;) {
		if (in->pos == in->len) {
			ssize_t r = read(in->fd, in->buf, sizeof(in->buf));

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				line[n] = '\0';
				return n > 0;
			}
			in->len = (size_t)r;
			in->pos = 0;
		}
		char c = in->buf[in->pos++];

		if (c == '\n')
			break;
		if (n + 1 < size)
			line[n++] = c;
	}
	line[n] = '\0';
	return true;
}

/* ---- splitting words ---------------------------------------------------- */

struct words {
	int count;
	char *word[MAX_WORDS + 1];
	char storage[2 * LINE_MAX_LEN];
	size_t used;
};

/* Appends the value of $NAME or $? at *s to the word being built. */
static void expand(const char **s, char *out, size_t *n, size_t size)
{
	const char *p = *s + 1; /* after the '$' */
	char name[64], num[16];
	const char *value = NULL;
	size_t len = 0;

	if (*p == '?') {
		snprintf(num, sizeof(num), "%d", last_status);
		value = num;
		p++;
	} else if (isalpha((unsigned char)*p) || *p == '_') {
		while ((isalnum((unsigned char)*p) || *p == '_') &&
		       len + 1 < sizeof(name))
			name[len++] = *p++;
		name[len] = '\0';
		value = getenv(name);
	} else {
		value = "$"; /* a lone dollar sign stays */
	}
	for (; value && *value && *n + 1 < size; value++)
		out[(*n)++] = *value;
	*s = p;
}

/*
 * Splits one command of a line into words, starting at *line; stops
 * after an unquoted ';' or at the end, and advances *line. Returns false
 * on a quoting error (the message is printed).
 */
static bool split(const char **line, struct words *w)
{
	const char *s = *line;

	w->count = 0;
	w->used = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#') {
			s += strlen(s);
			break;
		}
		if (*s == ';') {
			s++;
			break;
		}
		if (w->count == MAX_WORDS) {
			fprintf(stderr, "sh: too many words\n");
			return false;
		}
		char *out = w->storage + w->used;
		size_t n = 0, size = sizeof(w->storage) - w->used - 1;
		char quote = 0;

		while (*s &&
		       (quote || (*s != ' ' && *s != '\t' && *s != ';'))) {
			if (quote == '\'' && *s == '\'') {
				quote = 0;
				s++;
			} else if (quote == '\'') {
				if (n < size)
					out[n++] = *s;
				s++;
			} else if (*s == '$') {
				expand(&s, out, &n, size);
			} else if (*s == '\\' && s[1] &&
				   (!quote || strchr("\"\\$", s[1]))) {
				if (n < size)
					out[n++] = s[1];
				s += 2;
			} else if (*s == '"') {
				quote = quote ? 0 : '"';
				s++;
			} else if (*s == '\'' && !quote) {
				quote = '\'';
				s++;
			} else {
				if (n < size)
					out[n++] = *s;
				s++;
			}
		}
		if (quote) {
			fprintf(stderr, "sh: missing closing %c\n", quote);
			return false;
		}
		out[n] = '\0';
		w->word[w->count++] = out;
		w->used += n + 1;
	}
	w->word[w->count] = NULL;
	*line = s;
	return true;
}

/* ---- builtins ----------------------------------------------------------- */

struct builtin {
	const char *name;
	const char *usage;
	int (*fn)(int argc, char **argv);
};

static const struct builtin builtins[];

/* Compares two strings through pointers, for qsort. */
static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the programs in /bin in columns. */
static void list_programs(void)
{
	static char names[256][64];
	static char *sorted[256];
	DIR *d = opendir("/bin");
	struct dirent *e;
	int n = 0;

	if (!d) {
		printf("  (cannot list /bin: %s)\n", strerror(errno));
		return;
	}
	while ((e = readdir(d)) && n < 256) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(names[n], sizeof(names[n]), "%.63s", e->d_name);
		sorted[n] = names[n];
		n++;
	}
	closedir(d);
	qsort(sorted, n, sizeof(sorted[0]), compare_names);
	for (int i = 0; i < n; i++)
		printf("  %-14s%s", sorted[i],
		       i % 5 == 4 || i + 1 == n ? "\n" : "");
}

/* help: lists the builtins and the programs in /bin. */
static int builtin_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("Builtin commands:\n");
	for (const struct builtin *b = builtins; b->name; b++)
		printf("  %-22s\n", b->usage);
	printf("Programs in /bin (run one by name; most print help with "
	       "-h):\n");
	list_programs();
	printf("Demos: cowdemo (copy-on-write), lazydemo (demand paging), "
	       "stackdemo (stack\n  growth), shmdemo (shared memory), segv "
	       "(faults), segdemo (segmentation:\n  logical -> linear -> "
	       "physical through an LDT segment).\n");
	printf("Quoting: 'literal', \"with $VARS\", \\x; $? is the last "
	       "status; ';' separates commands.\n");
	return 0;
}

/* exit [n]: leaves the shell. */
static int builtin_exit(int argc, char **argv)
{
	exit(argc > 1 ? atoi(argv[1]) : last_status);
}

/* cd [dir]: changes the working directory ($HOME, else /, by default). */
static int builtin_cd(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : getenv("HOME");

	if (!dir)
		dir = "/";
	if (chdir(dir)) {
		fprintf(stderr, "cd: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	return 0;
}

/* pwd: prints the working directory. */
static int builtin_pwd(int argc, char **argv)
{
	char buf[256];

	(void)argc;
	(void)argv;
	if (!getcwd(buf, sizeof(buf))) {
		fprintf(stderr, "pwd: %s\n", strerror(errno));
		return 1;
	}
	printf("%s\n", buf);
	return 0;
}

/* echo [-n] words: prints the words. */
static int builtin_echo(int argc, char **argv)
{
	bool newline = true;
	int i = 1;

	if (argc > 1 && !strcmp(argv[1], "-n")) {
		newline = false;
		i++;
	}
	for (; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	if (newline)
		printf("\n");
	return 0;
}

/* status: explains how the last program ended. */
static int builtin_status(int argc, char **argv)
{
	int s = last_wait_status;

	(void)argc;
	(void)argv;
	if (!last_was_program)
		printf("last command was a builtin: status %d\n", last_status);
	else if (WIFEXITED(s))
		printf("last program exited with status %d "
		       "(wait status 0x%04x)\n",
		       WEXITSTATUS(s), s);
	else if (WIFSIGNALED(s))
		printf("last program was killed by signal %d, SIG%s: %s "
		       "(wait status 0x%04x)\n",
		       WTERMSIG(s), sigabbrev_np(WTERMSIG(s)) ?: "?",
		       sigdescr_np(WTERMSIG(s)) ?: "?", s);
	else
		printf("wait status 0x%04x\n", s);
	return last_status;
}

/* export NAME=VALUE...: sets environment variables for later programs. */
static int builtin_export(int argc, char **argv)
{
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i]) {
			fprintf(stderr, "export: use NAME=VALUE\n");
			rc = 1;
			continue;
		}
		*eq = '\0';
		setenv(argv[i], eq + 1, 1);
	}
	return rc;
}

/* unset NAME...: removes environment variables. */
static int builtin_unset(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		unsetenv(argv[i]);
	return 0;
}

/* env: prints the environment. */
static int builtin_env(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (char **e = environ; *e; e++)
		printf("%s\n", *e);
	return 0;
}

/* poweroff: stops the machine. */
static int builtin_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sync();
	reboot(RB_POWER_OFF);
	fprintf(stderr, "poweroff: %s\n", strerror(errno));
	return 1;
}

static const struct builtin builtins[] = {
	{ "help", "help", builtin_help },
	{ "exit", "exit [n]", builtin_exit },
	{ "cd", "cd [dir]", builtin_cd },
	{ "pwd", "pwd", builtin_pwd },
	{ "echo", "echo [-n] [words]", builtin_echo },
	{ "status", "status", builtin_status },
	{ "export", "export NAME=VALUE...", builtin_export },
	{ "unset", "unset NAME...", builtin_unset },
	{ "env", "env", builtin_env },
	{ "poweroff", "poweroff", builtin_poweroff },
	{ NULL, NULL, NULL },
};

/* ---- running programs --------------------------------------------------- */

/*
 * Finds the program a command names: the word itself when it has a '/',
 * else the first executable file DIR/word for DIR in $PATH. Returns false
 * when there is none.
 */
static bool find_program(const char *word, char *path, size_t size)
{
	const char *dirs = getenv("PATH");

	if (strchr(word, '/')) {
		snprintf(path, size, "%s", word);
		return true;
	}
	if (!dirs || !*dirs)
		dirs = "/bin";
	while (*dirs) {
		size_t len = strcspn(dirs, ":");

		snprintf(path, size, "%.*s/%s", (int)len, len ? dirs : ".",
			 word);
		if (access(path, X_OK) == 0)
			return true;
		/* access() may be missing in a small kernel: try to open. */
		if (errno == ENOSYS) {
			int fd = open(path, O_RDONLY);

			if (fd >= 0) {
				close(fd);
				return true;
			}
		}
		dirs += len;
		if (*dirs == ':')
			dirs++;
	}
	return false;
}

/* Says how a program ended, when that was not exit status 0. */
static void report(int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		printf("exit %d\n", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		printf("killed by signal %d (SIG%s: %s)%s\n", sig,
		       sigabbrev_np(sig) ?: "?", sigdescr_np(sig) ?: "?",
		       WCOREDUMP(status) ? " (core dumped)" : "");
	}
}

/* Runs a program in a child process and waits for it. */
static int run_program(char **argv)
{
	char path[256];
	int status;
	pid_t pid;

	if (!find_program(argv[0], path, sizeof(path))) {
		fprintf(stderr, "sh: %s: command not found (try `help`)\n",
			argv[0]);
		return 127;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "sh: fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		execve(path, argv, environ);
		fprintf(stderr, "sh: %s: %s\n", path, strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	while (wait4(pid, &status, 0, NULL) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "sh: wait4: %s\n", strerror(errno));
			return 1;
		}
	}
	last_wait_status = status;
	report(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Runs one command: a builtin or a program. */
static void run_command(struct words *w)
{
	if (w->count == 0)
		return;
	for (const struct builtin *b = builtins; b->name; b++) {
		if (!strcmp(w->word[0], b->name)) {
			last_status = b->fn(w->count, w->word);
			last_was_program = false;
			fflush(stdout);
			return;
		}
	}
	last_status = run_program(w->word);
	last_was_program = true;
}

/* Runs every command of a line. */
static void run_line(const char *line)
{
	static struct words w;

	while (*line) {
		if (!split(&line, &w)) {
			last_status = 2;
			return;
		}
		run_command(&w);
	}
}

int main(int argc, char **argv)
{
	static struct input in;
	char line[LINE_MAX_LEN];
	bool interactive = true;
	const char *prompt;

	if (argc > 2 && !strcmp(argv[1], "-c")) {
		run_line(argv[2]);
		return last_status;
	}
	if (argc > 1) {
		in.fd = open(argv[1], O_RDONLY);
		if (in.fd < 0) {
			fprintf(stderr, "sh: %s: %s\n", argv[1],
				strerror(errno));
			return 127;
		}
		interactive = false;
	}
	prompt = getenv("PS1");
	if (!prompt)
		prompt = DEFAULT_PROMPT;
	if (interactive)
		printf("Pagoda shell. Type `help` for the commands and "
		       "programs.\n");
	for (;;) {
		if (interactive) {
			fputs(prompt, stdout);
			fflush(stdout);
		}
		if (!read_line(&in, line, sizeof(line)))
			break;
		run_line(line);
		fflush(stdout);
	}
	if (interactive)
		printf("exit\n");
	return last_status;
}
