/*
 * kernel/arch/user_desc.c - struct user_desc to segment descriptor and
 * back, for set_thread_area (kernel/arch/tls.c) and modify_ldt
 * (kernel/arch/ldt.c).
 *
 * The descriptor layout is Intel SDM vol. 3A, 3.4.5 (figure 3-8); the type
 * field of code and data segments is 3.4.5.1 (table 3-1). A user_desc
 * field maps onto one descriptor field each:
 *   base_addr       -> base 31:0 (split over three places)
 *   limit           -> limit 19:0 (split over two)
 *   contents        -> type bits 11:10 (data: expand-down; code: conforming)
 *   read_exec_only  -> type bit 9 inverted (data: writable; code: readable)
 *   seg_not_present -> P inverted
 *   useable         -> AVL
 *   seg_32bit       -> D/B
 *   limit_in_pages  -> G
 * and S = 1 (code or data), DPL = 3, type bit 8 (accessed) = 1.
 */
#include "kernel/arch/user_desc.h"

/* The high word of a segment descriptor (SDM vol. 3A, 3.4.5, figure 3-8). */
#define DESC_TYPE_ACCESSED (1u << 8)
#define DESC_TYPE_WRITABLE (1u << 9)     /* data: writable; code: readable */
#define DESC_TYPE_SHIFT 10               /* bits 11:10 hold contents */
#define DESC_S (1u << 12)                /* code or data, not system */
#define DESC_DPL3 (3u << 13)
#define DESC_P (1u << 15)
#define DESC_LIMIT_HIGH 0x000F0000u      /* limit 19:16 */
#define DESC_AVL (1u << 20)
#define DESC_DB (1u << 22)
#define DESC_G (1u << 23)
#define DESC_BASE_HIGH 0xFF000000u       /* base 31:24 */
#define DESC_BASE_MID 0x000000FFu        /* base 23:16 */

#define LIMIT_MAX 0xFFFFFu               /* a descriptor's limit: 20 bits */

struct seg_desc user_desc_encode(const struct user_desc *u)
{
	struct seg_desc d;
	uint32_t f = u->flags;
	uint32_t base = u->base_addr, limit = u->limit & LIMIT_MAX;

	d.lo = base << 16 | (limit & 0xFFFF);
	d.hi = (base & DESC_BASE_HIGH) | ((base >> 16) & DESC_BASE_MID) |
	       (limit & DESC_LIMIT_HIGH) | DESC_TYPE_ACCESSED |
	       (f & UD_READ_EXEC_ONLY ? 0 : DESC_TYPE_WRITABLE) |
	       user_desc_contents(u) << DESC_TYPE_SHIFT |
	       DESC_S | DESC_DPL3 |
	       (f & UD_SEG_NOT_PRESENT ? 0 : DESC_P) |
	       (f & UD_USEABLE ? DESC_AVL : 0) |
	       (f & UD_SEG_32BIT ? DESC_DB : 0) |
	       (f & UD_LIMIT_IN_PAGES ? DESC_G : 0);
	return d;
}

void user_desc_decode(struct seg_desc d, struct user_desc *u)
{
	u->base_addr = d.lo >> 16 | (d.hi & DESC_BASE_MID) << 16 |
		       (d.hi & DESC_BASE_HIGH);
	u->limit = (d.lo & 0xFFFF) | (d.hi & DESC_LIMIT_HIGH);
	u->flags = (d.hi & DESC_DB ? UD_SEG_32BIT : 0) |
		   ((d.hi >> DESC_TYPE_SHIFT) & 3) << UD_CONTENTS_SHIFT |
		   (d.hi & DESC_TYPE_WRITABLE ? 0 : UD_READ_EXEC_ONLY) |
		   (d.hi & DESC_G ? UD_LIMIT_IN_PAGES : 0) |
		   (d.hi & DESC_P ? 0 : UD_SEG_NOT_PRESENT) |
		   (d.hi & DESC_AVL ? UD_USEABLE : 0);
}
