/*
 * tests/user/demo_gc.c - user/gcdemo as a differential test: reference
 * counting, mark-sweep and the mprotect write barrier must free, keep and
 * fault exactly as often on Pagoda as on Linux (the counts depend only on
 * the program).
 *
 * The demo's own source is compiled here, so the test is the demo.
 */
#include "../../user/gcdemo.c"
