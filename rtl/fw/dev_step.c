/* The device behind the command layer (rtl/fw/fw_dev.h) as step 3 has it:
 * no engine. The configuration's registers and routes are this program's
 * tables, its STEP is rtl/fw/step.c over the accelerators of
 * rtl/snn_step_io.v, its counters are counted here, and the rate
 * encoder's spikes of a step are read one by one into the input bitmap
 * (docs/rtl.md, "Step 3's accelerators"). The iCEBreaker core's
 * DEVICE = 4. */
#include "fw_dev.h"
#include "snn/protocol.h"
#include "step.h"
#include "step_accel.h"
#include "fw_device.h"	/* FW_CORE_COUNT, FW_ROUTE_TOTAL, ... */

static uint32_t cores[FW_CORE_COUNT][SNN_CORE_REGS];
/* the cores' routes, then the input routes: 4 words an entry */
static uint32_t routes[4 * (FW_ROUTE_TOTAL + FW_INPUT_ROUTE_COUNT)];
static uint32_t inputs[FW_INPUT_MAX / 32] __attribute__((aligned(8)));	/* pool lines: the route run reads them */
static step_dev d;	/* set up by dev_zero(): no initialised data survives a reset */
static uint64_t steps, cycles;

/* Every product of the program (GCC calls __mulsi3 for each on RV32I) by
 * snn_step_io's multiplier: one 16 x 16 product, or three for wider
 * operands, against libgcc's loop of up to 32 rounds. */
unsigned __mulsi3(unsigned a, unsigned b);
__attribute__((used)) unsigned __mulsi3(unsigned a, unsigned b)
{
	if (!((a | b) >> 16))
		return sx_mul16(a, b);
	return sx_mul16(a & 0xFFFFu, b & 0xFFFFu) +
	       ((sx_mul16(a >> 16, b & 0xFFFFu) + sx_mul16(a & 0xFFFFu, b >> 16)) << 16);
}
static uint32_t *word_at;	/* dev_seek's next word */

/* The accumulators zeroed (the engine's CLEAR and ZERO do it too). */
static void acc_zero(void)
{
	sx_acc_zero(FW_NEURONS_PER_CORE / 8);
}

void dev_zero(void)
{
	/* field by field: a structure assignment would call memset */
	d.n_cores = FW_CORE_COUNT;
	d.route_total = FW_ROUTE_TOTAL;
	d.input_routes = FW_INPUT_ROUTE_COUNT;
	d.max_phases = FW_MAX_PHASES;
	d.input_max = FW_INPUT_MAX;
	d.core = cores;
	d.route = routes;
	d.pool = (volatile uint8_t *)FW_POOL_BASE;
	d.pool_lines = FW_SYNAPSE_TOTAL / 8;
	d.watchdog = 1u << 26;	/* the engine's WATCHDOG_BITS */
	d.input = inputs;
	d.input_line = (uint32_t)((uintptr_t)inputs - FW_POOL_BASE) / 8;
	for (unsigned i = 0; i < SNN_G_REGS; i++)
		d.global[i] = 0;
	uint32_t *w = &cores[0][0];
	for (unsigned i = 0; i < sizeof cores / 4; i++)
		w[i] = 0;
	for (unsigned i = 0; i < sizeof routes / 4; i++)
		routes[i] = 0;
	volatile uint32_t *pool = (volatile uint32_t *)FW_POOL_BASE;
	for (uint32_t i = 0; i < FW_SYNAPSE_TOTAL / 4; i++)
		pool[i] = 0;
	acc_zero();
}

void dev_clear(void)
{
	step_clear(&d);
	acc_zero();
}

bool dev_word_ok(unsigned region, unsigned core, uint32_t index)
{
	switch (region) {
	case SNN_REGION_GLOBAL: return index < SNN_G_REGS;
	case SNN_REGION_CORE: return core < FW_CORE_COUNT && index < SNN_CORE_REGS;
	case SNN_REGION_ROUTE: return index < 4 * FW_ROUTE_TOTAL;
	case SNN_REGION_INPUT_ROUTE: return index < 4 * FW_INPUT_ROUTE_COUNT;
	default: return false;
	}
}

void dev_seek(unsigned region, unsigned core, uint32_t index)
{
	word_at = region == SNN_REGION_GLOBAL ? &d.global[index]
		  : region == SNN_REGION_CORE ? &cores[core][index]
		  : region == SNN_REGION_ROUTE ? &routes[index] : &routes[4 * FW_ROUTE_TOTAL + index];
}

uint32_t dev_read_next(void)
{
	return *word_at++;
}

void dev_write_next(uint32_t w)
{
	*word_at++ = w;
}

void dev_input(uint32_t q)
{
	step_input(&d, q);
}

uint32_t dev_step_index(void)
{
	return d.step;
}

static dev_out_fn *step_out;

static void to_out(void *ctx, uint32_t core, uint32_t neuron)
{
	(void)ctx;
	step_out(core, neuron);
}

bool dev_step(bool encode, uint32_t in_size, bool first, dev_out_fn *out)
{
	uint32_t c0 = *snn_sio(SNN_SIO_CYCLES);
	if (encode) {	/* this step's input spikes, into the bitmap */
		uint32_t q, lim = step_input_limit(&d);
		*snn_sio(SNN_SIO_ENCODE) = in_size | (first ? SNN_SIO_ENCODE_FIRST : 0);
		while (!((q = *snn_sio(SNN_SIO_ENC_EVENT)) & SNN_SIO_ENC_DONE))
			if (q < lim)
				step_input_mark(&d, q);
	}
	step_out = out;
	int cut = step_run(&d, to_out, 0);
	steps++;
	cycles += *snn_sio(SNN_SIO_CYCLES) - c0;
	return cut == 0;
}

uint32_t dev_counter(unsigned c, bool high)
{
	uint64_t v = c == SNN_CTR_STEPS ? steps : c == SNN_CTR_CYCLES ? cycles
		     : c == SNN_CTR_SYNOPS ? d.synops : c == SNN_CTR_SPIKES ? d.spikes
		     : c == SNN_CTR_EVENTS_IN ? d.events_in : d.events_out;
	return (uint32_t)(high ? v >> 32 : v);
}

void dev_counters_clear(void)
{
	steps = cycles = d.synops = d.spikes = d.events_in = d.events_out = 0;
}

void dev_pixels_at(uint32_t index)
{
	*snn_sio(SNN_SIO_PIX_INDEX) = index;
}

void dev_pixel(unsigned value)
{
	*snn_sio(SNN_SIO_PIX_VALUE) = value;
}

void dev_pixels_zero(void)
{
	*snn_sio(SNN_SIO_ENCODE) = SNN_SIO_ENCODE_ZERO;
}

/* the encoder idle: it answers "done" then */
void dev_encoder_wait(void)
{
	while (!(*snn_sio(SNN_SIO_ENC_EVENT) & SNN_SIO_ENC_DONE))
		;
}
