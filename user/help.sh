#!/bin/sh
# user/help.sh - installed as /bin/help: what there is to run on Pagoda.
#
# Lists Pagoda's own memory tools and demos, one line each, then says where
# the rest comes from (busybox's applets and bash). Kept beside the
# programs it lists: a new tool or demo gets its line here.
cat <<'END'
Pagoda's memory tools and demos (most take -h for their options):
  free       how much memory is used and free, from /proc/meminfo (-e explains)
  ps         the processes with their RSS and VSZ (-e explains the columns)
  pmap       the memory map of a process, region by region: pmap PID
  vmstat     free memory, swap and faults; `vmstat 1` every second
  vmpolicy   show or change the page replacement policy
  memhog     a program bigger than memory, to watch swapping
  swaptest   swapping under test: data kept intact under memory pressure
  swapout    swap a sleeping process out as a whole: swapout PID (-i: in)
  swapdemo   a whole process swapped out and back, step by step
  cowdemo    copy-on-write after fork, step by step
  lazydemo   memory is allocated when touched, not when asked for
  stackdemo  the stack grows on demand, down to its limit
  shmdemo    two processes share memory through System V shm
  fragdemo   memory fragmented on purpose, then compacted (buddyinfo before
             and after)
  segv       the ways a program can make a bad memory access
  uffdemo    page faults handled in user space: SIGSEGV handler + mprotect
  gcdemo     a mark-sweep garbage collector with an mprotect write barrier,
             beside reference counting
  mmtrace    record the memory manager's events while a program runs
  ubench     process and memory benchmarks, measured from user space
  hello      prints its arguments
  minish     Pagoda's own small shell (the fallback of the small image)
  su         /bin/su: become another user (root only; the shell's own `su`
             is busybox's): su alice, su - bob -c id. The users are
             root, alice (1000) and bob (1001): see /etc/passwd

The shell is busybox ash with job control (`cmd &`, jobs, fg, bg, kill %1,
Ctrl-C, Ctrl-Z); bash is there too. Every other command in /bin is a busybox
applet: `busybox --list` names them all, `CMD --help` explains one.
Try: cat /proc/meminfo; vmstat 1 & memhog; kill %1; dmesg | tail; top
END
