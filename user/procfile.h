/*
 * user/procfile.h - reading one number out of a /proc file.
 *
 * /proc/meminfo and /proc/PID/status write "Name:   123 kB", /proc/vmstat
 * writes "name 123"; proc_value() finds the line that starts with the
 * name followed by ':' or ' ' and returns the number after it. Included by
 * the demos and tools in user/ (each program is one .c file plus this).
 */
#ifndef USER_PROCFILE_H
#define USER_PROCFILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of `name` in the /proc file `path`, or -1 if it is absent. */
static inline long long proc_value(const char *path, const char *name)
{
	char line[256];
	size_t n = strlen(name);
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, name, n) &&
		    (line[n] == ':' || line[n] == ' ')) {
			v = strtoll(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* A field of /proc/self/status, in kB (VmRSS, VmSize, VmStk ...). */
static inline long status_kb(const char *field)
{
	return (long)proc_value("/proc/self/status", field);
}

#endif
