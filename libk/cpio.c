/*
 * libk/cpio.c - a strict reader for cpio "newc" archives.
 *
 * Format (as written by GNU cpio -H newc): each entry is a 110-byte ASCII
 * header — the magic "070701" (or "070702", the CRC variant) and thirteen
 * 8-digit hex fields — followed by the NUL-terminated name, padding to a
 * multiple of 4 bytes, the file data, and padding again. The entry named
 * TRAILER!!! ends the archive. Archives may follow one another, as
 * Linux's initramfs allows: after a trailer, NUL padding is skipped and
 * another archive may begin; a later entry for the same name overrides
 * the earlier one (the initramfs gives home directories their owners
 * this way, tools/mkinitramfs.sh).
 */
#include "libk/cpio.h"

#include <stdarg.h>
#include <stdbool.h>

#include "libk/errno.h"
#include "libk/printf.h"
#include "libk/string.h"

#define HEADER_SIZE 110
#define MAGIC_LEN 6
#define FIELD_LEN 8
#define TRAILER "TRAILER!!!"

/* Indices of the header's fields after the magic. */
enum {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	F_COUNT
};

void cpio_reader_init(struct cpio_reader *r, const void *archive, size_t size)
{
	r->base = archive;
	r->size = size;
	r->off = 0;
	r->error[0] = '\0';
}

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

static bool parse_field(const uint8_t *p, uint32_t *out)
{
	uint64_t v;
	if (kstrtou64((const char *)p, FIELD_LEN, 16, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

__attribute__((format(printf, 2, 3))) static int fail(struct cpio_reader *r,
						      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof(r->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int cpio_next(struct cpio_reader *r, struct cpio_entry *e)
{
	size_t off;
	uint32_t f[F_COUNT];

again:
	off = r->off;
	if (off > r->size || r->size - off < HEADER_SIZE)
		return fail(r, "truncated: no header at offset %zu (archive "
			    "has %zu bytes, no trailer)", off, r->size);
	const uint8_t *h = r->base + off;
	if (memcmp(h, "070701", MAGIC_LEN) && memcmp(h, "070702", MAGIC_LEN))
		return fail(r, "bad magic at offset %zu (not a newc archive)",
			    off);
	for (int i = 0; i < F_COUNT; i++) {
		if (!parse_field(h + MAGIC_LEN + i * FIELD_LEN, &f[i]))
			return fail(r, "bad header field %d at offset %zu", i,
				    off);
	}

	size_t name_off = off + HEADER_SIZE;
	uint32_t namesize = f[F_NAMESIZE];  /* includes the NUL */
	if (namesize == 0 || namesize > r->size - name_off)
		return fail(r, "name of %u bytes at offset %zu runs past the "
			    "end", namesize, name_off);
	const char *name = (const char *)r->base + name_off;
	if (name[namesize - 1] != '\0' || strnlen(name, namesize) != namesize - 1)
		return fail(r, "name at offset %zu is not terminated",
			    name_off);

	size_t data_off = align4(name_off + namesize);
	uint32_t filesize = f[F_FILESIZE];
	if (data_off > r->size || filesize > r->size - data_off)
		return fail(r, "'%s': %u bytes of data run past the end of the "
			    "archive", name, filesize);

	if (!strcmp(name, TRAILER)) {
		size_t next = align4(data_off + filesize);
		while (next < r->size && r->base[next] == 0)
			next++;
		if (next >= r->size) {
			r->off = r->size;
			return 0;
		}
		r->off = next;  /* another archive follows */
		goto again;
	}

	e->name = name;
	e->namelen = namesize - 1;
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->mtime = f[F_MTIME];
	e->ino = f[F_INO];
	e->data = r->base + data_off;
	e->size = filesize;
	r->off = align4(data_off + filesize);
	return 1;
}
