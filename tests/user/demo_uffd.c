/*
 * tests/user/demo_uffd.c - user/uffdemo as a differential test: page
 * faults handled by a SIGSEGV handler with mprotect and madvise must be
 * counted the same on Pagoda and on Linux (every fault, fill, eviction
 * and reload is determined by the access pattern), and every value read
 * back must be the one written.
 *
 * The demo's own source is compiled here, so the test is the demo.
 */
#include "../../user/uffdemo.c"
