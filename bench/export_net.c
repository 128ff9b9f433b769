/* export_net: write a configuration image's network as JSON (every core in
 * use: registers, neuron parameters, integer weights, biases and routes;
 * the input routes and the output map), so that bench/peers.py can build
 * the same network, with the same integers, in other simulators.
 *
 *   export_net IMAGE.cfg OUT.json */
#include <stdio.h>
#include <stdlib.h>
#include "snn/config.h"
#include "snn/image.h"

static const struct {
	const char *name;
	int reg;
} regs[] = {
	{"mode", SNN_R_MODE}, {"phase", SNN_R_PHASE}, {"n_neurons", SNN_R_N_NEURONS},
	{"n_axons", SNN_R_N_AXONS}, {"in_c", SNN_R_IN_C}, {"in_h", SNN_R_IN_H},
	{"in_w", SNN_R_IN_W}, {"pool", SNN_R_POOL}, {"kh", SNN_R_KH}, {"kw", SNN_R_KW},
	{"stride", SNN_R_STRIDE}, {"pad_y", SNN_R_PAD_Y}, {"pad_x", SNN_R_PAD_X},
	{"out_c0", SNN_R_OUT_C0}, {"out_nc", SNN_R_OUT_NC}, {"out_y0", SNN_R_OUT_Y0},
	{"out_h", SNN_R_OUT_H}, {"out_x0", SNN_R_OUT_X0}, {"out_w", SNN_R_OUT_W},
	{"syn_count", SNN_R_SYN_COUNT},
};

static void routes(FILE *f, const snn_route *r, uint32_t n)
{
	fprintf(f, "[");
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, "%s{\"src_lo\": %u, \"src_hi\": %u, \"dest\": %d, \"dc\": %d, \"dy\": %d, "
			   "\"dx\": %d}", i ? ", " : "", r[i].src_lo, r[i].src_hi,
			r[i].dest == SNN_ROUTE_HOST ? -1 : (int)r[i].dest, r[i].dc, r[i].dy, r[i].dx);
	fprintf(f, "]");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: export_net IMAGE.cfg OUT.json\n");
		return 1;
	}
	snn_image img;
	snn_diag d;
	if (snn_image_read_file(argv[1], &img, &d)) {
		fprintf(stderr, "export_net: %s\n", d.msg);
		return 1;
	}
	FILE *f = fopen(argv[2], "w");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	const snn_config *c = &img.cfg;
	fprintf(f, "{\"input\": [%u, %u, %u], \"steps\": %u, \"encoding\": %u, \"readout\": %u, ",
		c->global[SNN_G_INPUT_C], c->global[SNN_G_INPUT_H], c->global[SNN_G_INPUT_W],
		img.io.steps, img.io.encoding, img.io.readout);
	fprintf(f, "\"outputs\": [");
	for (uint32_t i = 0; i < img.io.n_outputs; i++)
		fprintf(f, "%s[%u, %u]", i ? ", " : "", img.io.outputs[i].core,
			img.io.outputs[i].neuron);
	fprintf(f, "], \"input_routes\": ");
	routes(f, c->input_route, c->global[SNN_G_INPUT_ROUTES]);
	fprintf(f, ", \"cores\": [");
	int first = 1;
	for (uint32_t k = 0; k < c->global[SNN_G_N_CORES]; k++) {
		const uint32_t *r = c->core[k].reg;
		if (!r[SNN_R_MODE])
			continue;
		snn_neuron_params p = snn_config_neuron_params(c, k);
		fprintf(f, "%s\n{\"id\": %u, ", first ? "" : ",", k);
		first = 0;
		for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
			fprintf(f, "\"%s\": %u, ", regs[i].name, r[regs[i].reg]);
		fprintf(f, "\"threshold\": %d, \"leak\": %u, \"reset\": %u, \"refractory\": %u, "
			   "\"spiking\": %d, \"vmin\": %d, \"vmax\": %d, \"v_init\": %d, \"bias\": [",
			p.threshold, p.leak, p.reset, p.refractory, p.spiking, p.vmin, p.vmax,
			(int32_t)r[SNN_R_V_INIT]);
		for (uint32_t i = 0; i < r[SNN_R_N_NEURONS]; i++)
			fprintf(f, "%s%d", i ? "," : "", c->core[k].bias[i]);
		fprintf(f, "], \"syn\": [");
		for (uint32_t i = 0; i < r[SNN_R_SYN_COUNT]; i++)
			fprintf(f, "%s%d", i ? "," : "", c->core[k].syn[i]);
		fprintf(f, "], \"routes\": ");
		routes(f, c->core[k].route, r[SNN_R_ROUTE_COUNT]);
		fprintf(f, "}");
	}
	fprintf(f, "]}\n");
	int bad = ferror(f) | fclose(f);
	snn_image_free(&img);
	return bad ? 1 : 0;
}
