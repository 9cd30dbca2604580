/*
 * drivers/rtc.c - reading the date from the MC146818 real-time clock.
 *
 * The clock's registers sit behind an index port and a data port (the
 * "CMOS" of the PC/AT). Once a second the chip updates them, and for up
 * to 2 ms around that moment they may hold a mix of old and new values;
 * status register A's UIP bit warns that an update is about to start. So
 * the registers are read with UIP clear, twice, until two reads agree.
 * Status register B says whether values are BCD or binary and whether
 * hours run 0-23 or 1-12 with bit 7 meaning PM (MC146818A data sheet).
 */
#include "drivers/rtc.h"

#include <stdbool.h>

#include "kernel/arch/x86.h"
#include "libk/errno.h"
#include "libk/string.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71

/* Register numbers (MC146818A data sheet, table 3). */
#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS 0x04
#define RTC_DAY 0x07
#define RTC_MONTH 0x08
#define RTC_YEAR 0x09
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
/* The century, in BCD: where the ACPI FADT and QEMU put it. */
#define RTC_CENTURY 0x32

#define RTC_A_UIP 0x80	  /* update in progress */
#define RTC_B_24H 0x02	  /* hours 0-23 (else 1-12 with PM bit) */
#define RTC_B_BINARY 0x04 /* binary values (else BCD) */
#define RTC_HOUR_PM 0x80  /* PM flag in 12-hour mode */

/* Polls of UIP before giving up: far more than one update lasts. */
#define RTC_UIP_POLLS 1000000

/* The raw registers of one reading. */
struct rtc_regs {
	uint8_t sec, min, hour, day, mon, year, century, status_b;
};

/* Reads one clock register (index, then data port). */
static uint8_t cmos_read(uint8_t reg)
{
	bool was = irq_save();
	outb(CMOS_INDEX, reg);
	uint8_t v = inb(CMOS_DATA);
	irq_restore(was);
	return v;
}

/* Waits until no update is in progress; false if the clock never settles. */
static bool wait_update_done(void)
{
	for (int i = 0; i < RTC_UIP_POLLS; i++)
		if (!(cmos_read(RTC_STATUS_A) & RTC_A_UIP))
			return true;
	return false;
}

/* Reads every date register once no update is in progress. */
static bool read_regs(struct rtc_regs *r)
{
	if (!wait_update_done())
		return false;
	r->sec = cmos_read(RTC_SECONDS);
	r->min = cmos_read(RTC_MINUTES);
	r->hour = cmos_read(RTC_HOURS);
	r->day = cmos_read(RTC_DAY);
	r->mon = cmos_read(RTC_MONTH);
	r->year = cmos_read(RTC_YEAR);
	r->century = cmos_read(RTC_CENTURY);
	r->status_b = cmos_read(RTC_STATUS_B);
	return true;
}

int rtc_read(struct rtc_time *t)
{
	struct rtc_regs a, b;

	if (!read_regs(&a))
		return -EIO;
	for (int tries = 0; tries < 5; tries++) {
		if (!read_regs(&b))
			return -EIO;
		if (!memcmp(&a, &b, sizeof(a)))
			break;
		a = b;
	}

	bool bcd = !(a.status_b & RTC_B_BINARY);
	bool pm = !(a.status_b & RTC_B_24H) && (a.hour & RTC_HOUR_PM);
	uint8_t hour = a.hour & (uint8_t)~RTC_HOUR_PM;
	t->second = bcd ? rtc_bcd_to_bin(a.sec) : a.sec;
	t->minute = bcd ? rtc_bcd_to_bin(a.min) : a.min;
	t->hour = bcd ? rtc_bcd_to_bin(hour) : hour;
	t->day = bcd ? rtc_bcd_to_bin(a.day) : a.day;
	t->month = bcd ? rtc_bcd_to_bin(a.mon) : a.mon;
	int year = bcd ? rtc_bcd_to_bin(a.year) : a.year;
	int century = bcd ? rtc_bcd_to_bin(a.century) : a.century;
	if (!(a.status_b & RTC_B_24H)) {
		/* 12-hour mode: 12 AM is midnight, 12 PM is noon. */
		t->hour %= 12;
		if (pm)
			t->hour += 12;
	}
	/* Without a believable century register, assume 1970..2069. */
	if (century < 19 || century > 30)
		century = year < 70 ? 20 : 19;
	t->year = century * 100 + year;

	if (t->second > 59 || t->minute > 59 || t->hour > 23 || t->day < 1 ||
	    t->day > 31 || t->month < 1 || t->month > 12)
		return -EIO;
	return 0;
}

/* Gregorian leap years: every 4th, but not every 100th unless 400th. */
static bool is_leap(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int64_t rtc_to_epoch(const struct rtc_time *t)
{
	static const int month_days[12] = { 31, 28, 31, 30, 31, 30,
					    31, 31, 30, 31, 30, 31 };
	int64_t days = 0;

	for (int y = 1970; y < t->year; y++)
		days += is_leap(y) ? 366 : 365;
	for (int y = t->year; y < 1970; y++)
		days -= is_leap(y) ? 366 : 365;
	for (int m = 1; m < t->month; m++)
		days += month_days[m - 1] + (m == 2 && is_leap(t->year));
	days += t->day - 1;
	return ((days * 24 + t->hour) * 60 + t->minute) * 60 + t->second;
}
