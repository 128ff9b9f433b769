/* Which devices run a deconv core (docs/core-array.md, "Which devices run
 * it"): the golden device does, and its outputs are the golden simulator's;
 * snn_array's RTL model and the iCEBreaker's engine refuse the
 * configuration when it is built; snnhost refuses to load it onto such an
 * RTL device; and the golden device standing in for the iCEBreaker refuses
 * it at RESET, so the first sample fails with the core named, as the board
 * would. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../harness.h"
#include "snn/encode.h"
#include "snn/rtl.h"
#include "snn/sim.h"
#include "snnhost.h"
#include "transport.h"

enum { IN = 2, OUT = 5 };	/* a 1 x 2 x 2 input scattered to 1 x 5 x 5 */

/* One deconv core (kernel 3, stride 2, pad 0) over the input, its 25
 * neurons the outputs, spike-count readout, in geometry geo. */
static bool build(snn_image *img, const snn_geometry *geo)
{
	snn_diag d = {{0}};
	if (snn_image_init(img, geo, &d))
		return th_expect(false, "image: %s", d.msg);
	snn_config *cfg = &img->cfg;
	cfg->global[SNN_G_N_CORES] = 1;
	cfg->global[SNN_G_INPUT_C] = 1;
	cfg->global[SNN_G_INPUT_H] = IN;
	cfg->global[SNN_G_INPUT_W] = IN;
	cfg->global[SNN_G_INPUT_ROUTES] = 1;
	cfg->input_route[0] = (snn_route){.dest = 0, .src_lo = 0, .src_hi = IN * IN};
	uint32_t *g = cfg->core[0].reg;
	g[SNN_R_MODE] = SNN_MODE_DECONV;
	g[SNN_R_N_NEURONS] = OUT * OUT;
	g[SNN_R_THRESHOLD] = 20;
	g[SNN_R_RESET] = SNN_RESET_SUBTRACT;
	g[SNN_R_FLAGS] = SNN_F_SPIKING;
	g[SNN_R_IN_C] = 1;
	g[SNN_R_IN_H] = IN;
	g[SNN_R_IN_W] = IN;
	g[SNN_R_POOL] = 1;
	g[SNN_R_KH] = g[SNN_R_KW] = 3;
	g[SNN_R_STRIDE] = 2;
	g[SNN_R_OUT_NC] = 1;
	g[SNN_R_OUT_H] = g[SNN_R_OUT_W] = OUT;
	g[SNN_R_SYN_COUNT] = 9;
	g[SNN_R_ROUTE_COUNT] = 1;
	for (int i = 0; i < 9; i++)
		cfg->core[0].syn[i] = (int16_t)(4 + 3 * i);
	cfg->core[0].route[0] = (snn_route){.dest = SNN_ROUTE_HOST, .src_lo = 0, .src_hi = OUT * OUT};
	snn_config_pack_bases(cfg);
	img->io.encoding = SNN_ENC_RATE;
	img->io.steps = 10;
	img->io.readout = SNN_READOUT_SPIKES;
	img->io.input_scale = 1.0f / 255;
	snprintf(img->io.input_name, sizeof img->io.input_name, "x");
	snprintf(img->io.output_name, sizeof img->io.output_name, "y");
	img->io.n_outputs = OUT * OUT;
	img->io.outputs = calloc(OUT * OUT, sizeof *img->io.outputs);
	if (!img->io.outputs)
		return false;
	for (uint16_t j = 0; j < OUT * OUT; j++)
		img->io.outputs[j] = (snn_output_ref){0, j};
	return th_expect(snn_config_validate(cfg, &d) == 0, "deconv network on %u cores: %s", geo->n_cores, d.msg);
}

static const uint8_t pixels[IN * IN] = {255, 128, 0, 200};

typedef struct counts {
	uint32_t n[OUT * OUT];
} counts;

static void count(void *ctx, uint32_t step, uint16_t core, uint16_t neuron)
{
	(void)step;
	(void)core;
	((counts *)ctx)->n[neuron]++;
}

static void input(void *sim, uint32_t index)
{
	snn_sim_input(sim, index);
}

/* The golden simulator driven directly: what the golden device must give. */
static counts golden_counts(const snn_image *img)
{
	counts c = {{0}};
	snn_sim *sim;
	snn_diag d;
	snn_encoder enc;
	if (!th_expect(snn_sim_create(&img->cfg, &sim, &d) == 0, "golden simulator: %s", d.msg))
		return c;
	if (snn_encoder_init(&enc, SNN_ENC_RATE, IN * IN) == 0) {
		snn_encoder_start(&enc, pixels, 1);
		for (uint32_t t = 0; t < img->io.steps; t++) {
			snn_encoder_step(&enc, input, sim);
			snn_sim_step(sim, count, NULL, &c);
		}
		snn_encoder_free(&enc);
	}
	snn_sim_free(sim);
	return c;
}

static void golden_runs_it(const snn_image *img)
{
	th_case("golden_device_runs_deconv");
	snnhost *h = NULL;
	snn_diag d;
	snnhost_options o = {.geometry = &img->cfg.geo};
	if (!th_expect(snnhost_open("golden", &o, &h, &d) == 0, "open: %s", d.msg))
		return;
	snnhost_sample s;
	snnhost_run_options ro = {.encoding = -1};
	counts want = golden_counts(img);
	uint32_t spikes = 0;
	if (th_expect(snnhost_load(h, img) == 0, "load: %s", snnhost_last_error(h)) &&
	    th_expect(snnhost_run_sample(h, pixels, &ro, &s) == 0, "run: %s", snnhost_last_error(h)))
		for (int j = 0; j < OUT * OUT; j++) {
			spikes += s.counts[j];
			th_expect(s.counts[j] == want.n[j], "output %d: %u spikes, the golden simulator's %u", j,
				  s.counts[j], want.n[j]);
		}
	th_expect(spikes > 0, "no output spikes: the test would prove nothing");
	snnhost_close(h);
}

/* snn_rtl_create refuses the image, naming the core and the model (who). */
static void rtl_create_refuses(const snn_image *img, const char *who)
{
	snn_rtl *rtl = NULL;
	snn_diag d = {{0}};
	int rc = snn_rtl_create(&img->cfg, &rtl, &d);
	th_expect(rc != 0 && !rtl && strstr(d.msg, "core 0: MODE 3 (deconv)") && strstr(d.msg, who),
		  "snn_rtl_create: %d: %s", rc, d.msg);
	snn_rtl_free(rtl);
}

static void rtl_refuses_it(const snn_image *img)
{
	th_case("rtl_engine_refuses_deconv");
	rtl_create_refuses(img, "RTL model");

	th_case("snnhost_refuses_deconv_on_rtl_device");
	snnhost *h = NULL;
	snn_diag d = {{0}};
	snnhost_options o = {.geometry = &img->cfg.geo};
	if (!th_expect(snnhost_open("sim", &o, &h, &d) == 0, "open: %s", d.msg))
		return;
	int rc = snnhost_load(h, img);
	th_expect(rc == SNNHOST_ERROR_UNSUPPORTED && strstr(snnhost_last_error(h), "core 0: MODE 3 (deconv)") &&
			  strstr(snnhost_last_error(h), "rtl device"),
		  "%s: %s", snnhost_error_name(rc), snnhost_last_error(h));
	snnhost_close(h);
}

/* The iCEBreaker's engine is built without the deconv mode (its profile's
 * modes): its Verilated model refuses the image by name. Engines of the
 * other geometries run it, spike for spike (test_rtl_engine). */
static void icebreaker_engine_refuses_it(const snn_image *img)
{
	th_case("icebreaker_engine_refuses_deconv");
	rtl_create_refuses(img, "engine-icebreaker");
}

static void board_stand_in_refuses_it(const snn_image *img)
{
	th_case("golden_device_as_icebreaker_refuses_deconv");
	snnhost *h = NULL;
	snn_diag d;
	if (!th_expect(snnhost_open("golden:icebreaker", NULL, &h, &d) == 0, "open: %s", d.msg))
		return;
	snnhost_sample s;
	snnhost_run_options ro = {.encoding = -1};
	int rc = snnhost_load(h, img);
	if (rc == 0)	/* RESET takes the words; the device says no when asked to run them */
		rc = snnhost_run_sample(h, pixels, &ro, &s);
	th_expect(rc == SNNHOST_ERROR_DEVICE && strstr(snnhost_last_error(h), "core 0: MODE 3 (deconv)") &&
			  strstr(snnhost_last_error(h), "icebreaker device"),
		  "%s: %s", snnhost_error_name(rc), snnhost_last_error(h));
	snnhost_close(h);
}

int main(void)
{
	snnhost_enable_sim();
	snn_image sim_img, board_img;
	if (build(&sim_img, &snn_profile_default()->geo)) {
		golden_runs_it(&sim_img);
		rtl_refuses_it(&sim_img);
	}
	if (build(&board_img, &snn_profile_find("icebreaker")->geo)) {
		board_stand_in_refuses_it(&board_img);
		icebreaker_engine_refuses_it(&board_img);
	}
	snn_image_free(&sim_img);
	snn_image_free(&board_img);
	return th_done("test_deconv_devices");
}
