/* The smallest image the CLI tests run: two inputs routed into one dense
 * core of two neurons, two outputs. Each test sets the neurons, weights
 * and readout it checks, then writes it. */
#ifndef SNN_TEST_TWO_INPUT_MODEL_H
#define SNN_TEST_TWO_INPUT_MODEL_H

#include "snn/image.h"

/* img: initialised on a 4-core geometry, core 0 dense with 2 axons (the
 * inputs, IN_C 2) and 2 neurons, weights syn[axon * 2 + neuron] all 0,
 * outputs 0 and 1 its neurons 0 and 1, 10 steps. Returns the core's
 * registers; the caller frees img with snn_image_free. */
uint32_t *two_input_model(snn_image *img);

/* Write img to path; a failure is printed (the test then fails on the
 * missing file). Frees img. */
void two_input_model_write(snn_image *img, const char *path);

#endif
