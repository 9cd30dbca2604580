/*
 * tests/user/shell_scripts.c - real shells as differential tests: the same
 * scripts run by Debian's busybox sh (ash) and by bash, on Pagoda and on
 * Linux, must print the same.
 *
 * run_user: --userland
 *
 * busybox and bash sit beside this program (tests/user/user.mk copies
 * them from tools/userland.sh's cache). Each script runs as `SHELL -c
 * SCRIPT` with its output and errors in one pipe; the test prints the
 * output, then the exit status. The scripts cover what a shell asks of
 * the kernel: traps (signal handlers run by the shell), background jobs
 * and `kill %1` (job control without a terminal), subshells, pipelines,
 * `wait`, `kill`, `ulimit` (setrlimit), `read` from a pipe,
 * here-documents, and awk, sed and sort over /proc files whose format is
 * fixed (field counts and key names, not values); files in /tmp are
 * shell_tmpfs.c's. Applets are called as `busybox NAME`, since only
 * busybox itself is in /bin on the reference.
 */
#include "shell_test.h"

#include <sys/wait.h>

/* The scripts; "$BB" is busybox's path (set in the environment). */
static const struct shell_script scripts[] = {
	{ "trap",
	  "trap 'echo got USR1' USR1\n"
	  "kill -USR1 $$\n"
	  "echo after\n"
	  "trap 'echo in EXIT trap' EXIT\n"
	  "trap - USR1\n"
	  "(kill -USR1 $$) 2>/dev/null; echo unreached\n" },
	{ "trap-int",
	  "trap 'echo caught INT; n=$((n+1))' INT\n"
	  "n=0; kill -INT $$; kill -INT $$; echo \"n=$n\"\n"
	  "trap '' TERM; kill -TERM $$; echo 'TERM ignored'\n" },
	{ "jobs",
	  "$BB sleep 10 &\n"
	  "kill %1\n"
	  "wait\n"
	  "echo \"wait: $?\"\n"
	  "$BB sleep 10 & p=$!\n"
	  "kill -STOP $p; kill -CONT $p; kill -KILL $p; wait $p 2>/dev/null\n"
	  "echo \"killed: $?\"\n" },
	{ "wait-kill",
	  "( $BB sleep 1; exit 7 ) & a=$!\n"
	  "$BB sleep 10 & b=$!\n"
	  "kill -TERM $b\n"
	  "wait $a; echo \"a: $?\"\n"
	  "wait $b; echo \"b: $?\"\n"
	  "kill -0 $$ && echo 'kill -0 self: ok'\n"
	  "kill -0 99999 2>/dev/null || echo 'kill -0 none: fails'\n" },
	{ "subshell",
	  "x=outer; (x=inner; echo \"in: $x\"; exit 4); echo \"status $? x=$x\"\n"
	  "v=$(echo sub; echo st); echo $v\n"
	  "echo $(( $(echo 6) * 7 ))\n"
	  "{ echo a; echo b; } > /dev/null; echo group\n" },
	{ "pipeline",
	  "printf '3\\n1\\n2\\n' | $BB sort | $BB tr '\\n' ' '; echo\n"
	  "$BB seq 1 1000 | $BB awk '{ s += $1 } END { print s }'\n"
	  "$BB seq 1 5 | $BB sed -n '2,4p' | $BB wc -l\n"
	  "false | true; echo \"last: $?\"\n"
	  "$BB yes | $BB head -n 3\n" },
	{ "ulimit",
	  "ulimit -c\n"
	  "ulimit -s\n"
	  "ulimit -s 4096; ulimit -s\n"
	  "(ulimit -v 65536; ulimit -v)\n"
	  "ulimit -v\n" },
	{ "read",
	  "printf 'one two three\\nfour\\n' | { read a b; read c; "
	  "echo \"[$a] [$b] [$c]\"; }\n"
	  "read x < /dev/null; echo \"eof: $?\"\n"
	  "echo 'a:b:c' | { IFS=: read p q r; echo \"$r $q $p\"; }\n" },
	{ "heredoc",
	  "n=3\n"
	  "$BB cat <<EOF\n"
	  "n is $n, twice $((n * 2))\n"
	  "EOF\n"
	  "$BB cat <<'EOF'\n"
	  "kept: $n\n"
	  "EOF\n"
	  "while read w; do echo \"w=$w\"; done <<EOF\n"
	  "x\n"
	  "y\n"
	  "EOF\n" },
	{ "proc",
	  "$BB awk '{ print NF }' /proc/self/stat\n"
	  "$BB awk '{ print NF }' /proc/self/statm /proc/loadavg /proc/uptime\n"
	  "$BB awk '/^(MemTotal|MemFree|SwapTotal):/ { print $1, $3 }' "
	  "/proc/meminfo\n"
	  "$BB sed -n 's/^State:\\t//p' /proc/self/status\n"
	  "$BB grep -c '^cpu ' /proc/stat\n"
	  "$BB awk '/^(Name|State):/ { print $1 }' /proc/self/status | "
	  "$BB sort -r\n"
	  "$BB head -c 8 /proc/self/maps | $BB wc -c\n" },
};

int main(int argc, char **argv)
{
	return shell_run_all(argc, argv, scripts,
			     sizeof(scripts) / sizeof(scripts[0]));
}
