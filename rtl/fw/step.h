/* A time step as step 3's program computes it over the accelerators
 * (rtl/fw/step_accel.h): the phases, the cores, the routes and each
 * event's rows and taps in C; the lines, the neurons and the spike search
 * in the blocks. It computes what docs/core-array.md and
 * docs/neuron-model.md define, bit for bit as the golden model, from the
 * configuration words as the host writes them and the pool as the host
 * fills it (docs/rtl.md, "Step 3's accelerators"). */
#ifndef SNN_FW_STEP_H
#define SNN_FW_STEP_H

#include <stdint.h>
#include "snn/config.h"

typedef struct step_dev {
	/* the geometry's sizes */
	uint32_t n_cores, route_total, input_routes, max_phases, input_max;
	/* the configuration: the GLOBAL registers, the cores' registers, and
	 * the route words (4 an entry: the cores' route_total entries, then
	 * the input routes), as the host wrote them */
	uint32_t global[SNN_G_REGS];
	uint32_t (*core)[SNN_CORE_REGS];
	uint32_t *route;
	/* the pool's bytes, where CLEAR writes the neuron state, and its
	 * lines that hold the network (nothing is written past them) */
	volatile uint8_t *pool;
	uint32_t pool_lines;
	/* a step that runs this many cycles (sx_cycles()) is cut short: only
	 * a configuration nobody checked takes that long; 0: never */
	uint32_t watchdog;
	/* the cycles one route run may take before the watchdog is asked
	 * again (a route runs in parts of about that much; 0: 2^16) */
	uint32_t run_cycles;
	/* the next step's host inputs, a bit each (input_max bits), and the
	 * pool line they are at (8-byte aligned: the route run reads them) */
	uint32_t *input;
	uint32_t input_line;
	uint32_t step;
	/* counters (docs/host-protocol.md) */
	uint64_t synops, spikes, events_in, events_out;
	/* the step being run: when it started, and cut short */
	uint32_t started, polls;
	int cut;
} step_dev;

/* An event to the host: neuron neuron of core core spiked, on a route to
 * the host. */
typedef void step_out_fn(void *ctx, uint32_t core, uint32_t neuron);

/* Every neuron of the cores in use to V_INIT, no refractory count, no
 * spikes; no pending input; step 0. */
void step_clear(step_dev *d);
/* Input index q for the next step (at most once a step: a bit); 0, or -1
 * when q is outside the input tensor or the bitmap. */
int step_input(step_dev *d, uint32_t q);
/* ... the bound on q it checks, and the rest of it: for a step's many
 * encoder spikes, the bound worked out once */
uint32_t step_input_limit(const step_dev *d);
static inline void step_input_mark(step_dev *d, uint32_t q)
{
	d->input[q / 32] |= 1u << (q % 32);
	d->events_in++;
}
/* One time step: host events through out, in the order of the phases, the
 * cores, the neurons and their routes. 0, or -1 if the watchdog cut it
 * short (the neurons' state is then whatever it came to). Whatever the
 * registers hold, nothing is written outside the network's pool lines or
 * read outside the tables. */
int step_run(step_dev *d, step_out_fn *out, void *ctx);

#endif
