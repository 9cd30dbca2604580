/*
 * user/hello.c - the smallest useful program: prints its arguments.
 *
 * A static glibc executable; it exercises exec (argv on the initial stack),
 * glibc's start-up (TLS, auxv) and write(2).
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from %s with %d argument%s\n", argv[0], argc - 1,
	       argc == 2 ? "" : "s");
	for (int i = 1; i < argc; i++)
		printf("  argv[%d] = %s\n", i, argv[i]);
	return 0;
}
