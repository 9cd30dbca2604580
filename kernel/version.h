/*
 * kernel/version.h - the kernel's name and version, for the boot banner
 * and uname(2).
 */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define PAGODA_NAME "Pagoda"
#define PAGODA_VERSION "0.1"
/*
 * The release uname(2) reports. Static glibc programs compare it with the
 * oldest kernel they support (3.2 for i386 since glibc 2.26, recorded in
 * their NT_GNU_ABI_TAG note) and stop with "FATAL: kernel too old" below
 * it, so it is a Linux release whose system-call ABI Pagoda follows.
 */
#define PAGODA_UTS_RELEASE "6.1.0-pagoda"

#endif
