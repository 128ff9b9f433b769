/* The device behind the command layer's program (rtl/fw/cmd_layer.c): its
 * memories but the pool's regions (which the program reads and writes in
 * the pool itself), its STEP, input events, counters and rate encoder. Two
 * implementations: rtl/fw/dev_engine.c, snn_engine behind snn_engine_io's
 * registers (the iCEBreaker core's DEVICE = 3), and rtl/fw/dev_step.c, the
 * step as a program over step 3's accelerators (DEVICE = 4). */
#ifndef SNN_FW_DEV_H
#define SNN_FW_DEV_H

#include <stdbool.h>
#include <stdint.h>

/* Every memory zeroed: RESET 2 and power-on. */
void dev_zero(void);
/* CLEAR: every neuron to V_INIT, no spikes, step 0. */
void dev_clear(void);
/* Is word index of a GLOBAL, CORE, ROUTE or INPUT_ROUTE region (of core)
 * inside the device's memory? */
bool dev_word_ok(unsigned region, unsigned core, uint32_t index);
/* Words from index on, one a call. */
void dev_seek(unsigned region, unsigned core, uint32_t index);
uint32_t dev_read_next(void);
void dev_write_next(uint32_t w);
/* An input event for the next step (checked: inside, once a step). */
void dev_input(uint32_t q);
/* The index of the next step. */
uint32_t dev_step_index(void);
/* One STEP, its input spikes from the encoder first if encode (inputs 0
 * .. in_size - 1, the sample's first step if first); each host event to
 * out, in the device's order; false if the step was cut short (an
 * invalid configuration). */
typedef void dev_out_fn(uint32_t core, uint32_t neuron);
bool dev_step(bool encode, uint32_t in_size, bool first, dev_out_fn *out);
/* Counter c (enum snn_counter, up to SNN_CTR_EVENTS_OUT): its low or
 * high 32 bits. */
uint32_t dev_counter(unsigned c, bool high);
void dev_counters_clear(void);
/* The rate encoder's values: the index of the next, a value there (the
 * index counts up), all zeroed; and waiting until it has taken them. */
void dev_pixels_at(uint32_t index);
void dev_pixel(unsigned value);
void dev_pixels_zero(void);
void dev_encoder_wait(void);

#endif
