/* Golden device: the device side of the host link protocol on top of the
 * golden simulator, so a host driver talks to it exactly as to the FPGA.
 * The protocol side can run on another engine with the simulator's calls
 * (snn_golden_open_engine): the host driver's `sim` device puts the
 * Verilated core array there. */
#ifndef SNN_DEVICE_H
#define SNN_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include "snn/geometry.h"
#include "snn/sim.h"

typedef struct snn_golden snn_golden;

/* Send bytes back to the host (the device's transmit side). */
typedef void (*snn_tx_fn)(void *ctx, const uint8_t *data, size_t len);

/* What runs the network behind the protocol: the calls of include/snn/sim.h
 * on an opaque instance. create validates cfg (a refusal's diag is the
 * message of ERROR CONFIG detail 2); kind is what IDENTIFY reports
 * (enum snn_device_kind). */
typedef struct snn_device_engine {
	uint8_t kind;
	int (*create)(const snn_config *cfg, void **out, snn_diag *diag);
	void (*destroy)(void *e);
	void (*reset)(void *e);
	void (*reset_counters)(void *e);
	int (*input)(void *e, uint32_t index);
	void (*input_retract)(void *e, uint32_t k);
	void (*step)(void *e, snn_output_fn out, void *ctx);
	int (*get_state)(void *e, unsigned core, unsigned neuron, int32_t *v, uint32_t *ref);
	int (*set_state)(void *e, unsigned core, unsigned neuron, int32_t v, uint32_t ref);
	const uint64_t *(*counters)(void *e);
	uint32_t (*step_index)(void *e);
} snn_device_engine;

/* The golden simulator as an engine (device kind 1). */
extern const snn_device_engine snn_golden_engine;

int snn_golden_open(const snn_geometry *geo, uint32_t build_id, snn_tx_fn tx,
		    void *ctx, snn_golden **out);
/* The same device on another engine. */
int snn_golden_open_engine(const snn_geometry *geo, uint32_t build_id,
			   const snn_device_engine *eng, snn_tx_fn tx, void *ctx,
			   snn_golden **out);
void snn_golden_close(snn_golden *dev);

/* Feed received bytes; replies are sent through tx as they are produced. */
void snn_golden_receive(snn_golden *dev, const uint8_t *data, size_t len);

#endif
