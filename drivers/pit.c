/*
 * drivers/pit.c - PIT channel 0 as the periodic system tick.
 *
 * The PIT counts down from a divisor at 1.193182 MHz and raises IRQ 0 each
 * time it wraps (mode 2, rate generator; Intel 8254 data sheet).
 */
#include "drivers/pit.h"

#include "kernel/arch/trap.h"
#include "kernel/arch/x86.h"

#define PIT_INPUT_HZ 1193182u
#define PIT_CHANNEL0 0x40
#define PIT_COMMAND 0x43
/* Channel 0, access lobyte/hibyte, mode 2 (rate generator), binary. */
#define PIT_CMD_CH0_RATE 0x34

static volatile uint64_t ticks;
static unsigned int tick_hz = PIT_HZ_DEFAULT;
static void (*tick_hook)(void);

static void pit_irq(struct trapframe *tf)
{
	(void)tf;
	ticks++;
	if (tick_hook)
		tick_hook();
}

void pit_init(unsigned int hz)
{
	if (hz < 19 || hz > 10000)  /* the divisor must fit in 16 bits */
		hz = PIT_HZ_DEFAULT;
	tick_hz = hz;
	uint32_t divisor = (PIT_INPUT_HZ + hz / 2) / hz;
	outb(PIT_COMMAND, PIT_CMD_CH0_RATE);
	outb(PIT_CHANNEL0, divisor & 0xFF);
	outb(PIT_CHANNEL0, divisor >> 8);
	irq_register(IRQ_TIMER, pit_irq);
}

uint64_t pit_ticks(void)
{
	/* A 64-bit read is two loads; keep the tick from landing between. */
	bool was = irq_save();
	uint64_t t = ticks;
	irq_restore(was);
	return t;
}

unsigned int pit_hz(void)
{
	return tick_hz;
}

uint64_t uptime_ms(void)
{
	return pit_ticks() * 1000 / tick_hz;
}

void pit_set_tick_hook(void (*hook)(void))
{
	tick_hook = hook;
}
