/* The snn domain's neurons (docs/onnx-snn.md), evaluated as the firing
 * rate they stand for: IF as a scaled ReLU, LIF and SoftLIFRate as the LIF
 * rate curve. Izhikevich loads but has no rate form here. */
#include <math.h>
#include <string.h>
#include "lower.h"
#include "ops.h"

/* threshold .. spiking: the core registers of a quantised ONNX-SNN
 * (docs/onnx-snn.md, "Quantised ONNX-SNN"), read only in that mode. */
#define QUANTISED_ATTRS \
	{"threshold", IR_ATTR_INT}, {"v_init", IR_ATTR_INT}, {"leak", IR_ATTR_INT}, \
	{"refractory", IR_ATTR_INT}, {"spiking", IR_ATTR_INT}

static const op_attr_spec if_attrs[] = {
	{"v_th", IR_ATTR_FLOAT}, {"amplitude", IR_ATTR_FLOAT}, {"reset", IR_ATTR_STRING}, QUANTISED_ATTRS, {0},
};
static const op_attr_spec lif_attrs[] = {
	{"tau_rc", IR_ATTR_FLOAT}, {"tau_ref", IR_ATTR_FLOAT}, {"v_th", IR_ATTR_FLOAT},
	{"amplitude", IR_ATTR_FLOAT}, {"dt", IR_ATTR_FLOAT}, {"reset", IR_ATTR_STRING},
	{"sigma", IR_ATTR_FLOAT}, QUANTISED_ATTRS, {0},
};
static const op_attr_spec izh_attrs[] = {
	{"a", IR_ATTR_FLOAT}, {"b", IR_ATTR_FLOAT}, {"c", IR_ATTR_FLOAT}, {"d", IR_ATTR_FLOAT}, {0},
};

/* Every float attribute finite, and those listed in positive > 0. */
static int check_values(const ir_graph *g, const ir_node *n, const char *const *positive, snn_diag *diag)
{
	for (int a = 0; a < n->n_attrs; a++)
		if (n->attrs[a].type == IR_ATTR_FLOAT && !isfinite(n->attrs[a].f))
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "attribute %s is not a finite number",
				       n->attrs[a].name);
	for (int k = 0; positive && positive[k]; k++) {
		const ir_attr *a = ir_attr_find(n, positive[k]);
		if (a && !(a->f > 0))
			return op_fail(g, n, diag, SNN_ERR_FORMAT, "attribute %s must be positive", a->name);
	}
	const char *reset = ir_attr_string(n, "reset", "subtract");
	if (strcmp(reset, "subtract") && strcmp(reset, "zero"))
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "reset is \"%s\"; it must be \"subtract\" or \"zero\"",
			       reset);
	return 0;
}

static int if_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 1, 1, 1, if_attrs);
	if (!rc && ir_attr_float(n, "v_th", 0.0f) < 0)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "v_th must not be negative");
	return rc ? rc : check_values(g, n, NULL, diag);
}

static int lif_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	static const char *const positive[] = {"tau_rc", "v_th", "dt", NULL};
	int rc = op_check(g, n, diag, 1, 1, 1, lif_attrs);
	if (!rc && ir_attr_float(n, "tau_ref", 0.002f) < 0)
		return op_fail(g, n, diag, SNN_ERR_FORMAT, "tau_ref must not be negative");
	return rc ? rc : check_values(g, n, positive, diag);
}

static int izh_check(const ir_graph *g, const ir_node *n, snn_diag *diag)
{
	int rc = op_check(g, n, diag, 1, 1, 1, izh_attrs);
	return rc ? rc : check_values(g, n, NULL, diag);
}

static int resolve(ir_graph *g, ir_node *n, snn_diag *diag)
{
	return op_want_float(g, n, 0, diag) ? SNN_ERR_UNSUPPORTED : op_same_as_input(g, n, diag);
}

/* max(0, x) / v_th * amplitude; v_th 0 means "to be derived": a ReLU. */
static void if_eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	float v_th = ir_attr_float(n, "v_th", 0.0f), amp = ir_attr_float(n, "amplitude", 1.0f);
	float scale = v_th > 0 ? amp / v_th : 1.0f;
	const float *x = vals->v[n->in[0]];
	float *y = vals->v[n->out[0]];
	for (int64_t i = 0, len = ir_numel(&g->tensors[n->out[0]]); i < len; i++)
		y[i] = x[i] > 0 ? x[i] * scale : 0.0f;
}

/* Nengo's LIF rate: amplitude / (tau_ref - tau_rc ln(1 - v_th / x)) above v_th. */
static void lif_eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	float tau_rc = ir_attr_float(n, "tau_rc", 0.02f), tau_ref = ir_attr_float(n, "tau_ref", 0.002f);
	float v_th = ir_attr_float(n, "v_th", 1.0f), amp = ir_attr_float(n, "amplitude", 1.0f);
	const float *x = vals->v[n->in[0]];
	float *y = vals->v[n->out[0]];
	for (int64_t i = 0, len = ir_numel(&g->tensors[n->out[0]]); i < len; i++)
		y[i] = x[i] > v_th ? (float)(amp / (tau_ref - tau_rc * log1p(-(double)v_th / x[i]))) : 0.0f;
}

/* No rate form: NaN marks every value as meaningless (the back end refuses
 * to compile Izhikevich neurons anyway). */
static void izh_eval(const ir_graph *g, const ir_node *n, ir_values *vals)
{
	float *y = vals->v[n->out[0]];
	for (int64_t i = 0, len = ir_numel(&g->tensors[n->out[0]]); i < len; i++)
		y[i] = NAN;
}

/* ONNX-SNN carries its scales (docs/onnx-snn.md, "On the device"): a
 * spike stands for amplitude, the threshold for v_th. The reset, and the
 * amplitude's check, are the same for IF and LIF. */
static int spike_scale(lower_ctx *x, const ir_node *n, snn_layer *l, bool lif, float *v_th, float *amp)
{
	const char *reset = ir_attr_string(n, "reset", "subtract");
	*v_th = ir_attr_float(n, "v_th", lif ? 1.0f : 0.0f);
	*amp = ir_attr_float(n, "amplitude", 1.0f);
	l->reset = !strcmp(reset, "zero") ? SNN_RESET_ZERO : SNN_RESET_SUBTRACT;
	if (!(*amp > 0) && (lif || *v_th > 0))
		return lower_fail_node(x, n, "amplitude %s: a spike can only stand for a positive value; make "
				       "amplitude positive (a negative one belongs in the next layer's weights)",
				       *amp == 0 ? "0" : "below 0");
	return 0;
}

static int if_neuron(lower_ctx *x, const ir_node *n, snn_layer *l)
{
	float v_th, amp;
	int rc = spike_scale(x, n, l, false, &v_th, &amp);
	if (rc)
		return rc;
	l->gain = v_th > 0 ? amp / v_th : 1.0f;	/* v_th 0: a ReLU, to be scaled */
	l->lambda = v_th > 0 ? amp : 0.0f;
	return 0;
}

/* The device integrates x kappa / v_th thresholds a step and leaks v kappa
 * (kappa = L / 256): it fires from x = v_th on, like the rate curve; a
 * spike a step is 1 / dt Hz, amplitude / dt in the ANN. */
static int lif_neuron(lower_ctx *x, const ir_node *n, snn_layer *l)
{
	float v_th, amp;
	int rc = spike_scale(x, n, l, true, &v_th, &amp);
	if (rc)
		return rc;
	l->neuron = NEURON_LIF;
	l->tau_rc = ir_attr_float(n, "tau_rc", 0.02f);
	l->tau_ref = ir_attr_float(n, "tau_ref", 0.002f);
	l->dt = ir_attr_float(n, "dt", 0.001f);
	l->v_th = v_th;
	l->amplitude = amp;
	double leak = snn_lif_leak(l);
	double kappa = leak > 0 ? leak / 256.0 : -expm1(-(double)l->dt / l->tau_rc);
	l->lambda = amp / l->dt;
	l->lambda_in = (float)(v_th / kappa);
	l->gain = l->lambda / l->lambda_in;
	l->fixed_scale = true;
	if (!(isfinite(l->lambda) && isfinite(l->lambda_in) && l->lambda_in > 0))
		return lower_fail_node(x, n, "tau_rc, dt, v_th and amplitude give no finite rate scale; "
				       "use dt well below tau_rc", NULL);
	return 0;
}

static int izh_neuron(lower_ctx *x, const ir_node *n, snn_layer *l)
{
	(void)l;
	return lower_fail_node(x, n, "the LIF core array cannot run Izhikevich neurons; use snn.LIF or snn.IF",
			       NULL);
}

static int if_lower(lower_ctx *x, const ir_node *n)
{
	return lower_activation(x, n, if_neuron);
}

static int lif_lower(lower_ctx *x, const ir_node *n)
{
	return lower_activation(x, n, lif_neuron);
}

static int izh_lower(lower_ctx *x, const ir_node *n)
{
	return lower_activation(x, n, izh_neuron);
}

const ir_op op_snn_if = {
	.op_type = "IF", .domain = "snn", .limits = "v_th, amplitude, reset; rate = max(0, x) / v_th * amplitude",
	.check = if_check, .resolve = resolve, .eval = if_eval, .lower = if_lower,
};
const ir_op op_snn_lif = {
	.op_type = "LIF", .domain = "snn", .limits = "tau_rc, tau_ref, v_th, amplitude, reset, dt; LIF rate curve",
	.check = lif_check, .resolve = resolve, .eval = lif_eval, .lower = lif_lower,
};
const ir_op op_snn_softlifrate = {
	.op_type = "SoftLIFRate", .domain = "snn", .limits = "as LIF",
	.check = lif_check, .resolve = resolve, .eval = lif_eval, .lower = lif_lower,
};
const ir_op op_snn_izhikevich = {
	.op_type = "Izhikevich", .domain = "snn", .limits = "loads; cannot be compiled or evaluated",
	.check = izh_check, .resolve = resolve, .eval = izh_eval, .lower = izh_lower,
};
