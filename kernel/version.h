/*
 * kernel/version.h - the kernel's name and version, for the boot banner
 * and uname(2).
 */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define PAGODA_NAME "Pagoda"
#define PAGODA_VERSION "0.1"

#endif
