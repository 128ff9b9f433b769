/* The one operator table: every operator snnc supports, by domain and name,
 * and the ONNX operators it refuses with the reason and the alternative. */
#include <string.h>
#include "ops.h"

#define OP_ENTRY(op) &op,
static const ir_op *const ops[] = {OP_TABLE(OP_ENTRY)};
#undef OP_ENTRY

const ir_op *ir_op_at(size_t i)
{
	return i < sizeof ops / sizeof ops[0] ? ops[i] : NULL;
}

const ir_op *ir_op_find(const char *domain, const char *op_type)
{
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (!strcmp(ops[i]->domain, domain) && !strcmp(ops[i]->op_type, op_type))
			return ops[i];
	return NULL;
}

#define RATE_ACT "a rate-coded neuron's output is a firing rate, never negative and unbounded above like a ReLU"
#define RATE_ACT_ALT "; use Relu (or Clip(0, max))"
#define AS_IF "a ReLU-like IF neuron"
#define SHAPE_CHAIN(what) what " has no spiking equivalent (the core array only routes whole layer outputs)"
#define SHAPE_CHAIN_ALT "; use Flatten, or a Reshape to a constant shape, in place of the Shape/Gather/Cast/" \
			"Slice/Concat chain (onnxsim, the ONNX simplifier, folds such chains)"

/* An element-wise function of activations: a rate cannot carry it. */
#define ELEMENTWISE(fn) "an element-wise " fn " of a layer's output has no spiking equivalent: a " \
	"neuron's firing rate follows its input like a ReLU" RATE_ACT_ALT ", or fold the function into " \
	"the training so that the exported model does not need it"
#define REDUCE(what, alt) "a reduction (" what ") over a tensor's axes is not a layer of the core " \
	"array; " alt
#define COMPARE "comparisons and selections on activations have no spiking equivalent (a neuron " \
	"passes a weighted sum through its threshold, nothing else); the readout's arg-max is the " \
	"only decision the device takes"

/* Classic ML that is not one linear layer (compiler/linear_ml.c takes those). */
#define ML_KIND(kind, why) "a classic machine-learning operator (ai.onnx.ml) of " kind ": " why "; only " \
	"linear models (LinearRegressor, LinearClassifier: scikit-learn's LinearRegression, Ridge, " \
	"LogisticRegression, LinearSVC, ...) compile, as one layer"
#define TREES ML_KIND("a tree ensemble (decision tree, random forest, gradient boosting)", \
		      "its threshold tests on single features have no spiking equivalent")
#define KERNELS ML_KIND("a kernel machine (support vector machine)", \
			"a kernel evaluated against every support vector has no spiking equivalent")

static const op_refusal refusals[] = {
	{"TreeEnsembleClassifier", "ai.onnx.ml", TREES, NULL, NULL},
	{"TreeEnsembleRegressor", "ai.onnx.ml", TREES, NULL, NULL},
	{"TreeEnsemble", "ai.onnx.ml", TREES, NULL, NULL},
	{"SVMClassifier", "ai.onnx.ml", KERNELS, NULL, NULL},
	{"SVMRegressor", "ai.onnx.ml", KERNELS, NULL, NULL},
	{"MaxPool", "", "a spiking neuron cannot take the maximum of its inputs' firing rates; use AveragePool",
	 &op_maxpool_approx, "average pooling"},
	{"GlobalMaxPool", "", "a spiking neuron cannot take the maximum of its inputs' firing rates; use "
			      "GlobalAveragePool", &op_global_maxpool_approx, "global average pooling"},
	{"Tanh", "", RATE_ACT ", while tanh is negative below 0 and saturates" RATE_ACT_ALT, &op_relu_like, AS_IF},
	{"Sigmoid", "", RATE_ACT ", while the sigmoid is positive below 0 and saturates" RATE_ACT_ALT,
	 &op_relu_like, AS_IF},
	{"HardSigmoid", "", RATE_ACT ", while the hard sigmoid is positive below 0 and saturates" RATE_ACT_ALT,
	 &op_relu_like, AS_IF},
	{"LeakyRelu", "", RATE_ACT ", while LeakyRelu passes negative values" RATE_ACT_ALT, &op_relu_like, AS_IF},
	{"Elu", "", RATE_ACT ", while Elu passes negative values" RATE_ACT_ALT, &op_relu_like, AS_IF},
	{"Selu", "", RATE_ACT ", while Selu passes negative values" RATE_ACT_ALT, &op_relu_like, AS_IF},
	{"Softplus", "", RATE_ACT ", while Softplus is positive below 0" RATE_ACT_ALT, &op_relu_like, AS_IF},
	{"PRelu", "", RATE_ACT ", while PRelu passes negative values" RATE_ACT_ALT, NULL, NULL},
	{"Softsign", "", RATE_ACT ", while Softsign is negative below 0 and saturates" RATE_ACT_ALT, NULL, NULL},
	{"Gelu", "", RATE_ACT ", while Gelu dips below 0" RATE_ACT_ALT, NULL, NULL},
	{"HardSwish", "", RATE_ACT ", while HardSwish dips below 0" RATE_ACT_ALT, NULL, NULL},
	{"LRN", "", "normalising by the neighbours' activity has no spiking equivalent; use BatchNormalization",
	 NULL, NULL},
	{"InstanceNormalization", "", "normalising by statistics of each input has no spiking equivalent; use "
				      "BatchNormalization", NULL, NULL},
	{"LayerNormalization", "", "normalising by statistics of each input has no spiking equivalent; use "
				   "BatchNormalization", NULL, NULL},
	{"LSTM", "", "recurrent layers are not supported; the core array runs feed-forward layers", NULL, NULL},
	{"GRU", "", "recurrent layers are not supported; the core array runs feed-forward layers", NULL, NULL},
	{"RNN", "", "recurrent layers are not supported; the core array runs feed-forward layers", NULL, NULL},
	{"Max", "", "an element-wise maximum of two firing rates has no spiking equivalent", NULL, NULL},
	{"Min", "", "an element-wise minimum of two firing rates has no spiking equivalent", NULL, NULL},
	{"QuantizeLinear", "", "quantised models are not supported (snnc quantises itself); export the float model",
	 NULL, NULL},
	{"QLinearConv", "", "quantised models are not supported (snnc quantises itself); export the float model",
	 NULL, NULL},
	{"Exp", "", ELEMENTWISE("exponential"), NULL, NULL},
	{"Log", "", ELEMENTWISE("logarithm"), NULL, NULL},
	{"Sqrt", "", ELEMENTWISE("square root"), NULL, NULL},
	{"Pow", "", ELEMENTWISE("power"), NULL, NULL},
	{"Reciprocal", "", ELEMENTWISE("reciprocal"), NULL, NULL},
	{"Abs", "", ELEMENTWISE("absolute value"), NULL, NULL},
	{"Neg", "", ELEMENTWISE("negation (a rate is never negative)"), NULL, NULL},
	{"Erf", "", ELEMENTWISE("error function"), NULL, NULL},
	{"Sin", "", ELEMENTWISE("sine"), NULL, NULL},
	{"Cos", "", ELEMENTWISE("cosine"), NULL, NULL},
	{"Sign", "", ELEMENTWISE("sign"), NULL, NULL},
	{"Floor", "", ELEMENTWISE("rounding"), NULL, NULL},
	{"Ceil", "", ELEMENTWISE("rounding"), NULL, NULL},
	{"Round", "", ELEMENTWISE("rounding"), NULL, NULL},
	{"ReduceMean", "", REDUCE("a mean", "for the mean over rows and columns use GlobalAveragePool"), NULL,
	 NULL},
	{"ReduceSum", "", REDUCE("a sum", "for a sum over rows and columns use GlobalAveragePool (the next "
					 "layer's weights take the factor)"), NULL, NULL},
	{"ReduceMax", "", REDUCE("a maximum", "a spiking neuron cannot take a maximum of rates; use "
					      "GlobalAveragePool"), NULL, NULL},
	{"ArgMax", "", "the readout takes the arg-max of the outputs itself (the image's readout, "
		       "docs/snnsim.md); end the exported model at the layer before the ArgMax", NULL, NULL},
	{"ArgMin", "", "the device's only decision is the readout's arg-max of the outputs; end the exported "
		       "model at the layer before the ArgMin (negate that layer's weights to turn min into max)",
	 NULL, NULL},
	{"Einsum", "", "a product of two layers' outputs (attention, bilinear layers) has no spiking "
		       "equivalent: a core multiplies spikes by constant weights; use MatMul or Gemm with a "
		       "constant weight", NULL, NULL},
	{"Where", "", COMPARE, NULL, NULL},
	{"Equal", "", COMPARE, NULL, NULL},
	{"Greater", "", COMPARE, NULL, NULL},
	{"Less", "", COMPARE, NULL, NULL},
	{"Not", "", COMPARE, NULL, NULL},
	{"TopK", "", COMPARE, NULL, NULL},
	{"DepthToSpace", "", "moving channels into rows and columns is not a route the core array has; "
			     "upsample with ConvTranspose or Resize (nearest) followed by a Conv", NULL, NULL},
	{"SpaceToDepth", "", "moving rows and columns into channels is not a route the core array has; "
			     "downsample with a strided Conv or AveragePool", NULL, NULL},
	/* Shape arithmetic that is not folded yet. */
	{"ConstantOfShape", "", SHAPE_CHAIN("building a tensor from a shape") ", and ConstantOfShape is not "
				"evaluated at compile time" SHAPE_CHAIN_ALT, NULL, NULL},
	{"Expand", "", SHAPE_CHAIN("broadcasting a tensor to a shape") ", and Expand is not evaluated at compile "
		       "time" SHAPE_CHAIN_ALT, NULL, NULL},
	{"Range", "", SHAPE_CHAIN("counting from a shape") ", and Range is not evaluated at compile time"
		      SHAPE_CHAIN_ALT, NULL, NULL},
};

const op_refusal *op_refusal_at(size_t i)
{
	return i < sizeof refusals / sizeof refusals[0] ? &refusals[i] : NULL;
}

const op_refusal *op_refusal_find(const char *domain, const char *op_type)
{
	for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
		if (!strcmp(refusals[i].domain, domain) && !strcmp(refusals[i].op_type, op_type))
			return &refusals[i];
	return NULL;
}
