/* ONNX-SNN writer: the model with its activations replaced by snn-domain
 * neuron nodes carrying the normalisation scales (docs/onnx-snn.md). */
#ifndef SNNC_CONVERT_H
#define SNNC_CONVERT_H

#include "ir.h"
#include "net.h"

/* Write g's model with every layer's activation node replaced by snn.IF
 * (or snn.LIF, kept) whose v_th and amplitude are the layer's lambda, and
 * the snn opset imported. Written to a temporary file, then renamed. */
int snnc_write_onnx_snn(const ir_graph *g, const snn_net *net, const char *path, snn_diag *diag);

#endif
