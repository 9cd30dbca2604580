/*
 * Host builds only: gives libk's functions their own names so they neither
 * clash with nor get replaced by the host C library. Included first in every
 * host-compiled file (see tests/host/host.mk).
 */
#ifndef HOST_LIBK_NAMES_H
#define HOST_LIBK_NAMES_H

#define memcpy libk_memcpy
#define memmove libk_memmove
#define memset libk_memset
#define memcmp libk_memcmp
#define memchr libk_memchr
#define strlen libk_strlen
#define strnlen libk_strnlen
#define strcmp libk_strcmp
#define strncmp libk_strncmp
#define strchr libk_strchr
#define strrchr libk_strrchr
#define strlcpy libk_strlcpy
#define snprintf libk_snprintf
#define vsnprintf libk_vsnprintf
#define panic libk_panic

#endif
