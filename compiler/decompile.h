/* snnc decompile: a configuration image back to a quantised ONNX-SNN model
 * (docs/onnx-snn.md, "Quantised ONNX-SNN"), and the compile path that turns
 * such a model into the same image, byte for byte. */
#ifndef SNNC_DECOMPILE_H
#define SNNC_DECOMPILE_H

#include <stdbool.h>
#include "ir.h"
#include "net.h"

/* Read the image at image_path and write the ONNX-SNN model to onnx_path
 * (a temporary file, then renamed). Messages name the file. */
int snnc_decompile(const char *image_path, const char *onnx_path, snn_diag *diag);

/* Whether g is a quantised ONNX-SNN (metadata_props snn.quantised = 1). */
bool snnc_is_quantised(const ir_graph *g);
/* The compile options the model records (target unless target_set, weight
 * bits, steps, readout, input scale and offset). */
int snnc_quantised_options(const ir_graph *g, snnc_options *opt, bool target_set, snn_diag *diag);
/* Instead of normalisation and quantisation: every layer's integers from
 * its rounded weights and biases and its neuron node's attributes. */
int snnc_quantised_apply(const ir_graph *g, snn_net *net, const snnc_options *opt, snn_diag *diag);
/* After emission: the recorded META text and input encoding. */
int snnc_quantised_finish(const ir_graph *g, const snnc_options *opt, snn_image *img, snn_diag *diag);

#endif
