/*
 * drivers/rtc.h - the battery-backed real-time clock (MC146818 / CMOS).
 *
 * Read once to learn the date at boot; after that the PIT keeps time
 * (kernel/time.c). The clock is assumed to run in UTC, as QEMU's does by
 * default (-rtc base=utc).
 */
#ifndef DRIVERS_RTC_H
#define DRIVERS_RTC_H

#include <stdint.h>

/* A calendar date and time of day, as the clock keeps it. */
struct rtc_time {
	int year;   /* e.g. 2024 */
	int month;  /* 1..12 */
	int day;    /* 1..31 */
	int hour;   /* 0..23 */
	int minute; /* 0..59 */
	int second; /* 0..59 */
};

/* Reads the clock (waiting out an update in progress). Returns 0 or -EIO. */
int rtc_read(struct rtc_time *t);

/* Seconds since 1970-01-01 00:00:00 UTC of a date (proleptic Gregorian). */
int64_t rtc_to_epoch(const struct rtc_time *t);

/* Decodes a BCD byte such as 0x59 into 59. */
static inline int rtc_bcd_to_bin(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

#endif
