/*
 * kernel/arch/user_desc.h - struct user_desc, the way Linux's i386
 * set_thread_area and modify_ldt describe a segment, and its conversion
 * to and from the descriptor the CPU reads.
 *
 * Both calls take the same structure (Linux's asm/ldt.h) and build the
 * same descriptor from it (Linux's fill_ldt): what differs between them
 * is which descriptors each accepts, and that is decided by their callers
 * (kernel/arch/tls.c, kernel/arch/ldt.c).
 */
#ifndef KERNEL_ARCH_USER_DESC_H
#define KERNEL_ARCH_USER_DESC_H

#include <stdbool.h>
#include <stdint.h>

#include "kernel/arch/gdt.h"

/* struct user_desc (include/uapi/asm/ldt.h): the flags are bit-fields. */
struct user_desc {
	uint32_t entry_number;  /* GDT or LDT index; -1: a free TLS entry */
	uint32_t base_addr;
	uint32_t limit;         /* 20 bits are kept */
	uint32_t flags;         /* the UD_ bits below */
};

#define UD_SEG_32BIT (1u << 0)        /* D/B: 32-bit segment */
#define UD_CONTENTS_SHIFT 1           /* 2 bits: 0 data, 1 expand-down */
#define UD_CONTENTS_MASK (3u << 1)    /* data, 2 code, 3 conforming code */
#define UD_READ_EXEC_ONLY (1u << 3)   /* data read-only; code execute-only */
#define UD_LIMIT_IN_PAGES (1u << 4)   /* G: limit in 4 KiB units */
#define UD_SEG_NOT_PRESENT (1u << 5)
#define UD_USEABLE (1u << 6)          /* AVL: free for software */
/*
 * The bits above are all an i386 kernel reads. (A 64-bit kernel calls bit
 * 7 `lm` and never sets the descriptor's L bit from it.)
 */
#define UD_FLAGS_MASK 0x7Fu
/* The "empty" form of "no segment" (Linux's LDT_empty). */
#define UD_EMPTY_FLAGS (UD_READ_EXEC_ONLY | UD_SEG_NOT_PRESENT)

/* contents values (asm/ldt.h MODIFY_LDT_CONTENTS_*). */
#define UD_CONTENTS_DATA 0
#define UD_CONTENTS_STACK 1           /* expand-down data */
#define UD_CONTENTS_CODE 2
#define UD_CONTENTS_CONFORMING 3      /* conforming code */

static inline uint32_t user_desc_contents(const struct user_desc *u)
{
	return (u->flags & UD_CONTENTS_MASK) >> UD_CONTENTS_SHIFT;
}

/*
 * Whether u is the "empty" descriptor: base and limit 0, read_exec_only
 * and seg_not_present set, every other field clear.
 */
static inline bool user_desc_is_empty(const struct user_desc *u)
{
	return u->base_addr == 0 && u->limit == 0 &&
	       (u->flags & UD_FLAGS_MASK) == UD_EMPTY_FLAGS;
}

/* Whether u is all zero (base, limit and every flag). */
static inline bool user_desc_is_zero(const struct user_desc *u)
{
	return u->base_addr == 0 && u->limit == 0 &&
	       (u->flags & UD_FLAGS_MASK) == 0;
}

/*
 * The descriptor u describes: DPL 3, the accessed bit set (so the CPU
 * never writes to the table), present unless seg_not_present, AVL from
 * useable. Any contents, 16- or 32-bit: the callers refuse what they do
 * not allow.
 */
struct seg_desc user_desc_encode(const struct user_desc *u);

/* The base, limit and flags of a descriptor (entry_number untouched). */
void user_desc_decode(struct seg_desc d, struct user_desc *u);

#endif
