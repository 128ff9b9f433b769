/* The `sim` device: the Verilated RTL in process, fed the same protocol
 * bytes as a board. By default the protocol front end of
 * sim/golden_device.c runs the network on the Verilated core array or
 * time-multiplexed engine (include/snn/rtl.h picks the model that holds
 * the configuration at RESET), so every image snnsim --rtl runs works;
 * `sim:top` is rtl/snn_top.v itself (frame codec and command layer in RTL
 * too), which exists only for the geometries rtl/mk/cmd.mk builds;
 * `sim:uart` a board's design (boards/icebreaker/snn_icebreaker_core.v
 * or boards/ulx3s/snn_ulx3s_core.v with the engine device) behind its
 * UART, bit by bit: the one built for the image's profile, icebreaker or
 * ulx3s. */
#include <stdlib.h>
#include "local_link.h"
#include "snn/device.h"
#include "snn/rtl.h"
#include "snn/rtl_device.h"

static int rtl_create(const snn_config *cfg, void **out, snn_diag *diag)
{
	snn_rtl *rtl;
	int rc = snn_rtl_create(cfg, &rtl, diag);
	*out = rc ? NULL : rtl;
	return rc;
}
static void rtl_destroy(void *e) { snn_rtl_free(e); }
static void rtl_reset(void *e) { snn_rtl_reset(e); }
static void rtl_reset_counters(void *e) { snn_rtl_reset_counters(e); }
static int rtl_input(void *e, uint32_t index) { return snn_rtl_input(e, index); }
static void rtl_input_retract(void *e, uint32_t k) { snn_rtl_input_retract(e, k); }
static void rtl_step(void *e, snn_output_fn out, void *ctx) { snn_rtl_step(e, out, NULL, ctx); }
static int rtl_get_state(void *e, unsigned core, unsigned neuron, int32_t *v, uint32_t *ref)
{
	return snn_rtl_get_state(e, core, neuron, v, ref);
}
static int rtl_set_state(void *e, unsigned core, unsigned neuron, int32_t v, uint32_t ref)
{
	uint32_t w0 = (uint32_t)v, w1 = ref;
	int rc = snn_rtl_mem(e, true, SNN_REGION_STATE, core, 2u * neuron, &w0);
	return rc ? rc : snn_rtl_mem(e, true, SNN_REGION_STATE, core, 2u * neuron + 1, &w1);
}
static const uint64_t *rtl_counters(void *e) { return snn_rtl_counters(e); }
static uint32_t rtl_step_index(void *e) { return snn_rtl_step_index(e); }

static const snn_device_engine rtl_engine = {
	.kind = SNN_DEVICE_RTL,
	.create = rtl_create,
	.destroy = rtl_destroy,
	.reset = rtl_reset,
	.reset_counters = rtl_reset_counters,
	.input = rtl_input,
	.input_retract = rtl_input_retract,
	.step = rtl_step,
	.get_state = rtl_get_state,
	.set_state = rtl_set_state,
	.counters = rtl_counters,
	.step_index = rtl_step_index,
};

typedef struct sim_link {
	local_link l;	/* first: the transport */
	snn_golden *front;	/* the array behind the C front end, or */
	snn_rtldev *top;	/* snn_top */
} sim_link;

static int sim_write(transport *t, const uint8_t *data, size_t len, unsigned timeout_ms)
{
	sim_link *s = (sim_link *)t;
	(void)timeout_ms;
	if (!s->top) {
		snn_golden_receive(s->front, data, len);
		return 0;
	}
	snn_rtldev_receive(s->top, data, len);
	/* the design broke a rule on its pins (its output stream's valid/ready,
	 * a UART frame, the SDRAM's timing: sim/rtl_device.cpp said which on
	 * stderr): as a link that failed, not results to trust */
	return snn_rtldev_violations(s->top) ? SNNHOST_ERROR_IO : 0;
}

static void sim_close(transport *t)
{
	sim_link *s = (sim_link *)t;
	if (s->top)
		snn_rtldev_close(s->top);
	snn_golden_close(s->front);
	snnhost_local_free(&s->l);
}

static const transport_ops sim_ops = {
	.name = "sim",
	.write = sim_write,
	.read = snnhost_local_read,
	.close = sim_close,
};

static int sim_open(const snn_geometry *geo, uint32_t build_id, int top, transport **out,
		    snn_diag *diag)
{
	sim_link *s = calloc(1, sizeof *s);
	if (!s)
		return snn_fail(diag, SNNHOST_ERROR_NOMEM, "out of memory");
	s->l.t.ops = &sim_ops;
	int rc = top == SNNHOST_SIM_UART
			 ? snn_rtldev_open_uart(geo, build_id, snnhost_local_tx, &s->l, &s->top)
		 : top ? snn_rtldev_open(geo, build_id, snnhost_local_tx, &s->l, &s->top)
		       : snn_golden_open_engine(geo, build_id, &rtl_engine, snnhost_local_tx, &s->l,
						&s->front);
	if (rc) {
		free(s);
		if (top == SNNHOST_SIM_UART && rc == SNN_ERR_UNSUPPORTED)
			return snn_fail(diag, SNNHOST_ERROR_UNSUPPORTED,
					"sim:uart: the board designs are built for the icebreaker and "
					"ulx3s profiles with build id 0 only (rtl/mk/uart.mk), not this "
					"image's geometry (build id 0x%08X); compile with --target "
					"icebreaker or --target ulx3s",
					build_id);
		if (top && rc == SNN_ERR_UNSUPPORTED)
			return snn_fail(diag, SNNHOST_ERROR_UNSUPPORTED,
					"sim:top: rtl/snn_top.v is built only for the geometries of "
					"rtl/mk/cmd.mk, not this one (build id 0x%08X); use --device sim",
					build_id);
		return snn_fail(diag, SNNHOST_ERROR_ARG, "sim device: %s", snn_strerror(rc));
	}
	if (top == SNNHOST_SIM_UART)
		s->l.t.ahead_bytes = SNNHOST_UART_AHEAD;
	*out = &s->l.t;
	return 0;
}

void snnhost_enable_sim(void)
{
	snnhost_sim_opener = sim_open;
}
