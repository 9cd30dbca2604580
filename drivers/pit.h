/*
 * drivers/pit.h - the 8253/8254 programmable interval timer and uptime.
 */
#ifndef DRIVERS_PIT_H
#define DRIVERS_PIT_H

#include <stdint.h>

#define PIT_HZ_DEFAULT 100

/* Programs channel 0 to interrupt hz times a second. */
void pit_init(unsigned int hz);
/* Ticks since pit_init. */
uint64_t pit_ticks(void);
unsigned int pit_hz(void);
/* Milliseconds since the timer started. */
uint64_t uptime_ms(void);
/* A function called on every tick (the scheduler hooks in here later). */
void pit_set_tick_hook(void (*hook)(void));

#endif
