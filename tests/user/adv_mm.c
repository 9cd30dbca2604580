/*
 * tests/user/adv_mm.c - the memory-management system calls, used as an
 * attacker would: mremap moving pages in every form (and the forms that
 * must fail), regions cut into hundreds of pieces and removed in one
 * call, lengths and offsets at the edges, madvise with bad advice, brk
 * pushed around, and moves of pages that a forked child still shares.
 *
 * After each attack the program checks what it can see: its data is
 * intact where it should be, gone where it should be (a child probes the
 * address and is killed by SIGSEGV), and /proc/self/maps has as many
 * lines as before. Every errno is printed, so that Linux decides.
 */
#include "utest.h"

#include <sys/mman.h>
#include <sys/syscall.h>

#define PG UT_PAGE
#define MREMAP_DONTUNMAP_FLAG 4

/* mremap with all five arguments, through syscall(). */
static long remap(void *old, unsigned long old_len, unsigned long new_len,
		  unsigned long flags, void *new_addr)
{
	return syscall(SYS_mremap, old, old_len, new_len, flags, new_addr);
}

/* "ok" or the errno name of the last call's result r. */
static const char *err_of(long r)
{
	return r == -1 ? ut_errname(errno) : "ok";
}

/* A fresh anonymous read-write mapping; exits the test if it fails. */
static unsigned char *anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("mmap failed: %s\n", ut_errname(errno));
		exit(2);
	}
	return p;
}

/* Fills page i of p with a pattern of its own. */
static void fill(unsigned char *p, int pages, unsigned int seed)
{
	for (int i = 0; i < pages; i++)
		memset(p + (size_t)i * PG, (int)((seed + i) & 0xff), PG);
}

/* Whether page i of p still holds fill()'s pattern. */
static bool intact(const unsigned char *p, int pages, unsigned int seed)
{
	for (int i = 0; i < pages; i++)
		for (size_t b = 0; b < PG; b += 509)
			if (p[(size_t)i * PG + b] != ((seed + i) & 0xff))
				return false;
	return true;
}

/* Whether every byte of [p, p + len) is zero. */
static bool zeros(const unsigned char *p, size_t len)
{
	for (size_t b = 0; b < len; b += 97)
		if (p[b])
			return false;
	return true;
}

/* The number of lines of /proc/self/maps. */
static int maps_lines(void)
{
	static char buf[1 << 17];
	int fd = open("/proc/self/maps", O_RDONLY), lines = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

/* A moved region: its pages go along, the old addresses are gone. */
static void move_grow(void)
{
	unsigned char *a = anon(4 * PG, PROT_READ | PROT_WRITE);
	/* The fourth page becomes a wall: growing in place is impossible. */
	munmap(a + 3 * PG, PG);
	unsigned char *wall = mmap(a + 3 * PG, PG, PROT_READ,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ut_check(wall == a + 3 * PG, "a read-only page right after 3 pages");
	fill(a, 3, 10);

	long r = remap(a, 3 * PG, 8 * PG, 0, NULL);
	ut_fact("grow 3 -> 8 pages, in place only: %s", err_of(r));
	r = remap(a, 3 * PG, 8 * PG, MREMAP_MAYMOVE, NULL);
	ut_check(r != -1 && (unsigned char *)r != a,
		 "grow 3 -> 8 pages with MREMAP_MAYMOVE moves: %s", err_of(r));
	if (r == -1)
		return;
	unsigned char *b = (unsigned char *)r;
	ut_check(intact(b, 3, 10), "the 3 pages came along");
	ut_check(zeros(b + 3 * PG, 5 * PG), "the 5 new pages read as zeros");
	ut_fact("old first page after the move: %s",
		ut_probe_result(ut_probe_read((uintptr_t)a)));
	ut_fact("the wall after the move: %s",
		ut_probe_result(ut_probe_read((uintptr_t)wall)));

	/* Shrink while moving: MREMAP_FIXED onto another mapping. */
	unsigned char *dst = anon(6 * PG, PROT_READ);
	r = remap(b + PG, 2 * PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED,
		  dst + 2 * PG);
	ut_check(r == (long)(dst + 2 * PG), "fixed move of page 2 onto a "
		 "read-only mapping: %s", err_of(r));
	ut_check(intact(dst + 2 * PG, 1, 11), "it holds its data");
	ut_fact("write to the moved page: %s",
		ut_probe_result(ut_probe_write((uintptr_t)(dst + 2 * PG))));
	ut_fact("write to the read-only page before it: %s",
		ut_probe_result(ut_probe_write((uintptr_t)(dst + PG))));
	ut_fact("read of the source's old page 2: %s",
		ut_probe_result(ut_probe_read((uintptr_t)(b + PG))));
	ut_fact("read of the source's old page 3 (shrunk away): %s",
		ut_probe_result(ut_probe_read((uintptr_t)(b + 2 * PG))));
	ut_check(intact(b, 1, 10), "the source's page 1 stayed");
	munmap(b, 8 * PG);
	munmap(dst, 6 * PG);
	munmap(wall, PG);
}

/* MREMAP_DONTUNMAP and duplicating a shared mapping with old_len 0. */
static void move_keep(void)
{
	unsigned char *a = anon(2 * PG, PROT_READ | PROT_WRITE);
	fill(a, 2, 30);
	long r = remap(a, 2 * PG, 2 * PG,
		       MREMAP_MAYMOVE | MREMAP_DONTUNMAP_FLAG, NULL);
	ut_check(r != -1, "MREMAP_DONTUNMAP of 2 private pages: %s",
		 err_of(r));
	if (r != -1) {
		ut_check(intact((unsigned char *)r, 2, 30),
			 "the pages are at the new address");
		ut_check(zeros(a, 2 * PG),
			 "the old range is still mapped, and empty");
		munmap((void *)r, 2 * PG);
	}
	munmap(a, 2 * PG);

	unsigned char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	s[PG] = 41;
	r = remap(s + PG, 0, PG, MREMAP_MAYMOVE, NULL);
	ut_check(r != -1, "old_len 0 on a shared mapping duplicates it: %s",
		 err_of(r));
	if (r != -1) {
		unsigned char *d = (unsigned char *)r;
		ut_check(d[0] == 41, "the copy reads the shared page");
		d[0] = 42;
		ut_check(s[PG] == 42, "a write through the copy is seen");
		munmap(d, PG);
	}
	r = remap(s + PG, 0, 2 * PG, MREMAP_MAYMOVE, NULL);
	if (r != -1) {
		ut_fact("a copy longer than the object, past its end: %s",
			ut_probe_result(ut_probe_read(r + PG)));
		munmap((void *)r, 2 * PG);
	}
	munmap(s, 2 * PG);

	unsigned char *p = anon(PG, PROT_READ | PROT_WRITE);
	ut_fact("old_len 0 on a private mapping: %s",
		err_of(remap(p, 0, PG, MREMAP_MAYMOVE, NULL)));
	munmap(p, PG);
}

/* The forms of a move that must fail, and how. */
static void move_errors(void)
{
	unsigned char *a = anon(4 * PG, PROT_READ | PROT_WRITE);
	fill(a, 4, 50);
	ut_fact("fixed move onto itself: %s",
		err_of(remap(a, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			     a)));
	ut_fact("fixed move overlapping its end: %s",
		err_of(remap(a, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			     a + PG)));
	ut_fact("fixed move to an unaligned address: %s",
		err_of(remap(a, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED,
			     a + 2 * PG + 1)));
	ut_fact("MREMAP_DONTUNMAP growing: %s",
		err_of(remap(a, PG, 2 * PG,
			     MREMAP_MAYMOVE | MREMAP_DONTUNMAP_FLAG, NULL)));
	ut_fact("a move across two mappings: %s",
		err_of(remap(a + 3 * PG, 2 * PG, 4 * PG, MREMAP_MAYMOVE, NULL)));
	ut_fact("flags 8: %s", err_of(remap(a, PG, PG, 8, NULL)));
	ut_check(intact(a, 4, 50), "the failed moves changed nothing");
	munmap(a, 4 * PG);
}

/* A child moves the pages it shares with its parent copy-on-write. */
static int child_moves(void *arg)
{
	unsigned char *a = arg;
	long r = remap(a, 8 * PG, 16 * PG, MREMAP_MAYMOVE, NULL);
	if (r == -1)
		return 10;
	unsigned char *b = (unsigned char *)r;
	if (!intact(b, 8, 70))
		return 11;
	memset(b, 0xEE, 8 * PG); /* copies, in the child only */
	return 0;
}

static void move_after_fork(void)
{
	unsigned char *a = anon(8 * PG, PROT_READ | PROT_WRITE);
	fill(a, 8, 70);
	int st = ut_in_child(child_moves, a);
	ut_check(ut_exited(st, 0), "a child moves and writes shared pages: %s",
		 ut_status(st));
	ut_check(intact(a, 8, 70), "the parent's pages are unchanged");
	munmap(a, 8 * PG);
}

/*
 * Hundreds of regions made by mprotect, gone in one munmap. The run lies
 * inside a PROT_NONE reservation, so that it never merges with a
 * neighbour and the counts are exact.
 */
static void many_pieces(void)
{
	int before = maps_lines();
	int pages = 600;
	unsigned char *r = anon((size_t)(pages + 2) * PG, PROT_NONE);
	unsigned char *a = r + PG;
	mprotect(a, (size_t)pages * PG, PROT_READ | PROT_WRITE);
	ut_check(maps_lines() == before + 3, "a run between two guards");
	for (int i = 0; i < pages; i += 2)
		mprotect(a + (size_t)i * PG, PG, PROT_READ);
	int cut = maps_lines();
	ut_check(cut == before + pages + 2, "600 pages in 600 regions (%d)",
		 cut - before - 2);
	ut_fact("mprotect of the whole run back: %s",
		err_of(mprotect(a, (size_t)pages * PG,
				PROT_READ | PROT_WRITE)));
	ut_check(maps_lines() == before + 3, "merged into one again");
	for (int i = 1; i < pages; i += 2)
		munmap(a + (size_t)i * PG, PG);
	ut_check(maps_lines() == before + pages / 2 + 2,
		 "300 holes, 300 regions");
	ut_fact("munmap of the lot: %s",
		err_of(munmap(r, (size_t)(pages + 2) * PG)));
	ut_check(maps_lines() == before, "maps has its old length");
}

/* Lengths and offsets at the edges. */
static void edges(void)
{
	void *p;
	p = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ut_fact("mmap length 0: %s", p == MAP_FAILED ? ut_errname(errno) : "ok");
	p = mmap(NULL, 0xFFFFF001u, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	ut_fact("mmap length 0xfffff001: %s",
		p == MAP_FAILED ? ut_errname(errno) : "ok");
	p = mmap(ut_opaque(0x10000001), PG, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ut_fact("MAP_FIXED at an unaligned address: %s",
		p == MAP_FAILED ? ut_errname(errno) : "ok");
	int fd = open("/proc/self/exe", O_RDONLY);
	p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100);
	ut_fact("a file mapping at offset 100: %s",
		p == MAP_FAILED ? ut_errname(errno) : "ok");
	close(fd);
	p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ut_fact("MAP_PRIVATE and MAP_SHARED together: %s",
		p == MAP_FAILED ? ut_errname(errno) : "ok");

	unsigned char *a = anon(2 * PG, PROT_READ | PROT_WRITE);
	ut_fact("munmap of an unaligned address: %s",
		err_of(munmap(a + 1, PG)));
	ut_fact("munmap of length 0: %s", err_of(munmap(a, 0)));
	ut_fact("mprotect with PROT_GROWSDOWN of a plain mapping: %s",
		err_of(mprotect(a, PG, PROT_READ | PROT_GROWSDOWN)));
	ut_fact("mprotect with an unknown bit: %s",
		err_of(mprotect(a, PG, PROT_READ | 0x10)));
	ut_fact("madvise advice 77, length 0: %s",
		err_of(madvise(a, 0, 77)));
	ut_fact("madvise advice 77: %s", err_of(madvise(a, PG, 77)));
	ut_fact("mprotect with PROT_SEM: %s",
		err_of(mprotect(a, PG, PROT_READ | PROT_WRITE | 0x8)));
	ut_fact("mprotect of length 0 with an unknown bit: %s",
		err_of(mprotect(a, 0, PROT_READ | 0x10)));
	ut_fact("mprotect with PROT_GROWSDOWN and PROT_GROWSUP: %s",
		err_of(mprotect(a, PG, PROT_READ | PROT_GROWSDOWN | 0x02000000)));
	munmap(a, 2 * PG);

	/* A hole of our own making: a reservation with its middle gone. */
	a = anon(3 * PG, PROT_READ | PROT_WRITE);
	munmap(a + PG, PG);
	a[0] = 1;
	ut_fact("madvise MADV_DONTNEED over a hole: %s",
		err_of(madvise(a, 3 * PG, MADV_DONTNEED)));
	ut_check(a[0] == 0, "the page before the hole was dropped anyway");
	ut_fact("mprotect over a hole: %s",
		err_of(mprotect(a, 3 * PG, PROT_READ)));
	munmap(a, 3 * PG);

	p = mmap(NULL, PG, PROT_READ | 0x10, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	ut_fact("mmap with an unknown prot bit: %s",
		p == MAP_FAILED ? ut_errname(errno) : "ok");
	if (p != MAP_FAILED)
		munmap(p, PG);

	/* The stack grows down; PROT_GROWSDOWN reaches its lowest page. */
	volatile char here = 0;
	uintptr_t sp = (uintptr_t)&here & ~(uintptr_t)(PG - 1);
	ut_fact("mprotect PROT_GROWSDOWN of the stack: %s",
		err_of(mprotect((void *)sp, PG,
				PROT_READ | PROT_WRITE | PROT_GROWSDOWN)));
}

/* brk asked for the absurd. */
static void brk_games(void)
{
	uintptr_t cur = (uintptr_t)syscall(SYS_brk, 0);
	ut_check((uintptr_t)syscall(SYS_brk, 1) == cur,
		 "brk(1) leaves the break where it was");
	ut_check((uintptr_t)syscall(SYS_brk, 0xBFFFF000u) == cur,
		 "brk into the stack's area leaves it too");
	uintptr_t up = (uintptr_t)syscall(SYS_brk, cur + 5 * PG + 3);
	ut_check(up == cur + 5 * PG + 3, "brk up by 5 pages and 3 bytes");
	memset((void *)cur, 1, 5 * PG);
	ut_check((uintptr_t)syscall(SYS_brk, cur) == cur, "and back down");
	ut_fact("the page above the break after coming down: %s",
		ut_probe_result(ut_probe_read(cur + 2 * PG)));
}

int main(int argc, char **argv)
{
	ut_begin(argc, argv);
	move_grow();
	move_keep();
	move_errors();
	move_after_fork();
	many_pieces();
	edges();
	brk_games();
	return ut_end();
}
