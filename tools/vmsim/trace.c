/*
 * tools/vmsim/trace.c - reading reference strings.
 *
 * A trace is text: one reference per line (several per line, separated by
 * spaces or commas, are accepted too), each a page number with an optional
 * W suffix for a write, and '#' comments:
 *
 *   # a loop over three pages, writing the first
 *   1W
 *   2
 *   3
 *
 * A file whose name ends in .xz is read through `xz -dc` (the real-program
 * traces of tests/vmsim/traces/ are kept compressed).
 *
 * Pages are renumbered densely in order of first use, so the simulator's
 * tables are arrays however large the page numbers are. For Belady's OPT,
 * next[i] is the index of the following reference to the same page
 * (TRACE_NEVER if none), computed in one backward pass.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vmsim/vmsim.h"

/* Open-addressing map from page numbers to dense numbers. */
struct page_map {
	uint64_t *key;
	uint32_t *val; /* UINT32_MAX in an empty slot */
	uint32_t cap;  /* a power of two, kept at most half full */
};

/* A trace being read: the map and the capacities of the growing arrays. */
struct reader {
	struct page_map map;
	uint32_t refcap; /* entries allocated in page[] and write[] */
	uint32_t numcap; /* entries allocated in number[] */
};

/* A 64-bit mix (the finalizer of SplitMix64) to spread page numbers. */
static inline uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "vmsim: out of memory\n");
		exit(1);
	}
	return q;
}

/* The slot holding key, or the empty slot where it would go. */
static uint32_t map_slot(const struct page_map *m, uint64_t key)
{
	uint32_t i = (uint32_t)mix64(key) & (m->cap - 1);
	while (m->val[i] != UINT32_MAX && m->key[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Doubles the table and rehashes every entry. */
static void map_grow(struct page_map *m)
{
	struct page_map old = *m;

	m->cap = old.cap ? old.cap * 2 : 1024;
	m->key = xrealloc(NULL, m->cap * sizeof(*m->key));
	m->val = xrealloc(NULL, m->cap * sizeof(*m->val));
	memset(m->val, 0xff, m->cap * sizeof(*m->val));
	for (uint32_t i = 0; i < old.cap; i++) {
		if (old.val[i] == UINT32_MAX)
			continue;
		uint32_t j = map_slot(m, old.key[i]);
		m->key[j] = old.key[i];
		m->val[j] = old.val[i];
	}
	free(old.key);
	free(old.val);
}

/* Appends one reference to page number num. */
static void add_ref(struct trace *t, struct reader *r, uint64_t num, bool write)
{
	struct page_map *m = &r->map;

	if ((uint64_t)t->npages * 2 >= m->cap)
		map_grow(m);
	uint32_t slot = map_slot(m, num);
	if (m->val[slot] == UINT32_MAX) {
		if (t->npages == r->numcap) {
			r->numcap = r->numcap ? r->numcap * 2 : 1024;
			t->number = xrealloc(t->number,
					     r->numcap * sizeof(*t->number));
		}
		m->key[slot] = num;
		m->val[slot] = t->npages;
		t->number[t->npages++] = num;
	}
	if (t->n == r->refcap) {
		r->refcap = r->refcap ? r->refcap * 2 : 4096;
		t->page = xrealloc(t->page, r->refcap * sizeof(*t->page));
		t->write = xrealloc(t->write, r->refcap * sizeof(*t->write));
	}
	t->page[t->n] = m->val[slot];
	t->write[t->n] = write;
	t->n++;
	t->nwrites += write;
}

/*
 * Parses one token: a number with an optional R/W suffix, or a lone R/W
 * that applies to the previous reference of the same line. Returns 0 or
 * -1 if the token is not a reference.
 */
static int parse_token(struct trace *t, struct reader *r, const char *tok,
		       bool *line_has_ref)
{
	if ((tok[0] == 'W' || tok[0] == 'w' || tok[0] == 'R' ||
	     tok[0] == 'r') &&
	    tok[1] == '\0') {
		if (!*line_has_ref)
			return -1;
		bool w = tok[0] == 'W' || tok[0] == 'w';
		t->nwrites += w && !t->write[t->n - 1];
		t->write[t->n - 1] |= w;
		return 0;
	}
	if (tok[0] < '0' || tok[0] > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long num = strtoull(tok, &end, 0);
	if (errno || end == tok)
		return -1;
	bool write = false;
	if (*end == 'W' || *end == 'w') {
		write = true;
		end++;
	} else if (*end == 'R' || *end == 'r') {
		end++;
	}
	if (*end != '\0')
		return -1;
	add_ref(t, r, num, write);
	*line_has_ref = true;
	return 0;
}

/* Fills next[] with one pass from the end. */
static void compute_next(struct trace *t)
{
	uint32_t *seen = xrealloc(NULL, (t->npages + 1) * sizeof(*seen));

	t->next = xrealloc(NULL, (t->n + 1) * sizeof(*t->next));
	for (uint32_t p = 0; p < t->npages; p++)
		seen[p] = TRACE_NEVER;
	for (uint32_t i = t->n; i-- > 0;) {
		t->next[i] = seen[t->page[i]];
		seen[t->page[i]] = i;
	}
	free(seen);
}

/* Whether name ends in suffix. */
static bool has_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);
	return n >= s && strcmp(name + n - s, suffix) == 0;
}

/*
 * Opens an xz-compressed trace through `xz -dc`; the path goes to the
 * shell in single quotes, each quote in it written as '\''.
 */
static FILE *open_xz(const char *path)
{
	FILE *check = fopen(path, "r");
	if (!check)
		return NULL;
	fclose(check);
	size_t len = strlen(path);
	char *cmd = malloc(4 * len + 32);
	if (!cmd)
		return NULL;
	char *o = cmd + sprintf(cmd, "xz -dc -- '");
	for (const char *c = path; *c; c++) {
		if (*c == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *c;
		}
	}
	strcpy(o, "'");
	FILE *f = popen(cmd, "r");
	free(cmd);
	return f;
}

/* Reads a trace file (or stdin). */
int trace_read(const char *path, struct trace *t)
{
	struct reader r = { 0 };
	uint32_t lineno = 0;
	char *line = NULL;
	size_t linecap = 0;
	FILE *f = stdin;
	bool piped = false;
	int ret = -1;

	memset(t, 0, sizeof(*t));
	t->name = "stdin";
	if (path && strcmp(path, "-") != 0) {
		piped = has_suffix(path, ".xz");
		f = piped ? open_xz(path) : fopen(path, "r");
		if (!f) {
			fprintf(stderr, "vmsim: %s: %s\n", path,
				strerror(errno));
			return -1;
		}
		t->name = path;
	}
	map_grow(&r.map);
	while (getline(&line, &linecap, f) >= 0) {
		bool has_ref = false;
		char *save = NULL;

		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		for (char *tok = strtok_r(line, " \t\r\n,", &save); tok;
		     tok = strtok_r(NULL, " \t\r\n,", &save)) {
			if (parse_token(t, &r, tok, &has_ref) < 0) {
				fprintf(stderr,
					"vmsim: %s:%u: not a reference: '%s' "
					"(expected a page number, optionally "
					"followed by W)\n",
					t->name, lineno, tok);
				goto out;
			}
		}
		if (t->n >= UINT32_MAX - 1) {
			fprintf(stderr, "vmsim: %s: too many references\n",
				t->name);
			goto out;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "vmsim: %s: read error\n", t->name);
		goto out;
	}
	if (piped) {
		int status = pclose(f);
		f = stdin;
		if (status != 0) {
			fprintf(stderr,
				"vmsim: %s: xz -dc failed (status %d); is xz "
				"(xz-utils) installed?\n",
				t->name, status);
			goto out;
		}
	}
	compute_next(t);
	ret = 0;
out:
	free(line);
	free(r.map.key);
	free(r.map.val);
	if (piped && f != stdin)
		pclose(f);
	else if (f != stdin)
		fclose(f);
	if (ret < 0)
		trace_free(t);
	return ret;
}

/* Frees what trace_read allocated. */
void trace_free(struct trace *t)
{
	free(t->page);
	free(t->write);
	free(t->next);
	free(t->number);
	memset(t, 0, sizeof(*t));
}
