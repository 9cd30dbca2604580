/*
 * libk/cpio.h - reading cpio "newc" archives (the initramfs format).
 *
 * The reader never trusts the archive: every header field is checked to be
 * hex, every name and data block to lie inside the buffer, and the archive
 * must end with the TRAILER!!! entry (several archives may follow one
 * another, each with its trailer). A problem is returned as -EINVAL with
 * a message saying what and where, never as a crash.
 */
#ifndef LIBK_CPIO_H
#define LIBK_CPIO_H

#include <stddef.h>
#include <stdint.h>

/* File type bits of cpio_entry.mode (the st_mode values of POSIX). */
#define CPIO_S_IFMT 0170000
#define CPIO_S_IFDIR 0040000
#define CPIO_S_IFREG 0100000
#define CPIO_S_IFLNK 0120000

struct cpio_entry {
	const char *name;   /* NUL-terminated, inside the archive */
	size_t namelen;     /* strlen(name) */
	uint32_t mode;      /* type and permission bits */
	uint32_t uid, gid;  /* owner */
	uint32_t mtime;     /* seconds since the epoch */
	uint32_t ino;
	const void *data;   /* file contents, inside the archive */
	size_t size;
};

/* A position in an archive. */
struct cpio_reader {
	const uint8_t *base;
	size_t size;
	size_t off;          /* offset of the next header */
	char error[96];      /* set when cpio_next returns -EINVAL */
};

void cpio_reader_init(struct cpio_reader *r, const void *archive,
		      size_t size);

/*
 * Reads the next entry into *e. Returns 1 for an entry, 0 at the trailer,
 * or -EINVAL for a corrupt or truncated archive (see r->error).
 */
int cpio_next(struct cpio_reader *r, struct cpio_entry *e);

#endif
