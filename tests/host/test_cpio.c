/*
 * tests/host/test_cpio.c - the newc reader against archives made by GNU
 * cpio, and against every truncation and many corruptions of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libk/cpio.h"
#include "libk/errno.h"
#include "libk/string.h"

/* An archive built once by the real cpio tool from a small tree. */
static uint8_t *archive;
static size_t archive_size;

static int make_archive(void **state)
{
	(void)state;
	char dir[] = "/tmp/pagoda-cpio-XXXXXX";
	char cmd[512];

	if (!mkdtemp(dir))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p bin etc && printf 'hello\\n' > etc/motd && "
		 "head -c 5000 /dev/zero | tr '\\0' 'x' > bin/prog && "
		 ": > empty && ln -s etc/motd link && "
		 "find . -mindepth 1 | LC_ALL=C sort | "
		 "cpio --quiet -o -H newc > ../%s.cpio", dir, dir + 5);
	if (system(cmd) != 0)
		return -1;
	char path[128];
	snprintf(path, sizeof(path), "%s.cpio", dir);
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	fseek(f, 0, SEEK_END);
	archive_size = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	archive = malloc(archive_size);
	if (fread(archive, 1, archive_size, f) != archive_size)
		return -1;
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s.cpio", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int free_archive(void **state)
{
	(void)state;
	free(archive);
	return 0;
}

static void reads_every_entry(void **state)
{
	(void)state;
	struct cpio_reader r;
	struct cpio_entry e;
	int n = 0, found_prog = 0, found_motd = 0, found_link = 0;
	int rc;

	cpio_reader_init(&r, archive, archive_size);
	while ((rc = cpio_next(&r, &e)) == 1) {
		n++;
		if (!strcmp(e.name, "bin/prog")) {
			found_prog = 1;
			assert_int_equal(e.size, 5000);
			assert_int_equal(e.mode & CPIO_S_IFMT, CPIO_S_IFREG);
			assert_int_equal(((const char *)e.data)[4999], 'x');
		} else if (!strcmp(e.name, "etc/motd")) {
			found_motd = 1;
			assert_int_equal(e.size, 6);
			assert_memory_equal(e.data, "hello\n", 6);
		} else if (!strcmp(e.name, "link")) {
			found_link = 1;
			assert_int_equal(e.mode & CPIO_S_IFMT, CPIO_S_IFLNK);
			assert_memory_equal(e.data, "etc/motd", 8);
		} else if (!strcmp(e.name, "bin")) {
			assert_int_equal(e.mode & CPIO_S_IFMT, CPIO_S_IFDIR);
		}
		assert_int_equal(strlen(e.name), e.namelen);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(n, 6);  /* bin, bin/prog, empty, etc, etc/motd, link */
	assert_true(found_prog && found_motd && found_link);
}

/* Reads to the end; returns the final status. */
static int read_all(const uint8_t *buf, size_t size, char *err, size_t errsz)
{
	struct cpio_reader r;
	struct cpio_entry e;
	int rc, guard = 0;

	cpio_reader_init(&r, buf, size);
	while ((rc = cpio_next(&r, &e)) == 1) {
		/* Touch every byte the reader hands out (ASan checks). */
		volatile uint8_t sum = 0;
		for (size_t i = 0; i < e.size; i++)
			sum += ((const uint8_t *)e.data)[i];
		(void)sum;
		assert_true(++guard < 1000);
	}
	if (err)
		snprintf(err, errsz, "%s", r.error);
	return rc;
}

static void every_truncation_is_an_error(void **state)
{
	(void)state;
	/* The trailer's own padding may be cut without losing anything. */
	size_t trailer_end = archive_size;
	while (trailer_end > 0 && archive[trailer_end - 1] == 0)
		trailer_end--;
	for (size_t len = 0; len < trailer_end; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, archive, len);
		char err[96];
		int rc = read_all(copy, len, err, sizeof(err));
		if (rc != -EINVAL)
			fail_msg("truncated to %zu bytes: status %d", len, rc);
		assert_true(err[0] != '\0');
		free(copy);
	}
}

static void corruption_never_crashes(void **state)
{
	(void)state;
	static const uint8_t junk[] = { 0, 'g', 'F', '0', 0xff, '\n' };
	unsigned int errors = 0;

	for (size_t pos = 0; pos < archive_size; pos++) {
		for (size_t j = 0; j < sizeof(junk); j++) {
			uint8_t *copy = malloc(archive_size);
			memcpy(copy, archive, archive_size);
			copy[pos] = junk[j];
			int rc = read_all(copy, archive_size, NULL, 0);
			assert_true(rc == 0 || rc == -EINVAL);
			errors += rc == -EINVAL;
			free(copy);
		}
	}
	/* Damaging headers must be noticed at least sometimes. */
	assert_true(errors > 0);
}

static void rejects_wrong_magic(void **state)
{
	(void)state;
	uint8_t *copy = malloc(archive_size);
	memcpy(copy, archive, archive_size);
	memcpy(copy, "070707", 6);  /* the old portable format */
	char err[96];
	assert_int_equal(read_all(copy, archive_size, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "magic"));
	free(copy);
}

static void empty_buffer_is_an_error(void **state)
{
	(void)state;
	assert_int_equal(read_all((const uint8_t *)"", 0, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_every_entry),
		cmocka_unit_test(every_truncation_is_an_error),
		cmocka_unit_test(corruption_never_crashes),
		cmocka_unit_test(rejects_wrong_magic),
		cmocka_unit_test(empty_buffer_is_an_error),
	};
	return cmocka_run_group_tests(tests, make_archive, free_archive);
}
