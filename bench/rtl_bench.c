/* RTL core array benchmark (docs/benchmarks.md, "RTL core array"): a
 * compiled image run on the Verilated array over real images, reporting
 * clock cycles per image, synaptic operations per cycle per core and in
 * all (against the limit: one per core per cycle on the array, the lanes
 * of a pool line on the time-multiplexed engine), the share of cycles
 * routed events waited for the event bus, and Verilator's simulated clock
 * cycles per second of wall time.
 *
 *   rtl_bench IMAGE.cfg IMAGES.idx[.gz] [N [T]]     (default 5 images, T 32)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "snn/encode.h"
#include "snn/image.h"
#include "snn/rtl.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void on_input(void *ctx, uint32_t index)
{
	snn_rtl_input(ctx, index);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: rtl_bench IMAGE.cfg IMAGES.idx[.gz] [N [T]]\n");
		return 1;
	}
	size_t n = argc > 3 ? (size_t)atol(argv[3]) : 5;
	uint32_t steps = argc > 4 ? (uint32_t)atol(argv[4]) : 32;
	snn_diag d;
	snn_image img;
	snn_idx idx;
	if (snn_image_read_file(argv[1], &img, &d) || snn_idx_read(argv[2], &idx, &d)) {
		fprintf(stderr, "rtl_bench: %s\n", d.msg);
		return 1;
	}
	const snn_config *cfg = &img.cfg;
	size_t in = (size_t)cfg->global[SNN_G_INPUT_C] * cfg->global[SNN_G_INPUT_H] *
		    cfg->global[SNN_G_INPUT_W];
	if (idx.item_size != in || n > idx.count) {
		fprintf(stderr, "rtl_bench: %s does not hold %zu items of %zu values\n", argv[2], n, in);
		return 1;
	}
	double t0 = now();
	snn_rtl *r;
	if (snn_rtl_create(cfg, &r, &d)) {
		fprintf(stderr, "rtl_bench: %s: %s\n", argv[1], d.msg);
		return 1;
	}
	double t_load = now() - t0;
	const snn_geometry *g = snn_rtl_geometry(r);
	uint64_t *synops = calloc(g->n_cores, sizeof *synops);
	uint64_t *stalls = calloc(g->n_cores, sizeof *stalls);
	snn_encoder enc;
	if (!synops || !stalls || snn_encoder_init(&enc, img.io.encoding, in))
		return 1;
	snn_rtl_profile(r, synops, stalls);
	snn_rtl_reset_counters(r);
	t0 = now();
	for (size_t k = 0; k < n; k++) {
		snn_rtl_reset(r);
		snn_encoder_start(&enc, idx.data + k * in, 1 + k);
		for (uint32_t t = 0; t < steps; t++) {
			snn_encoder_step(&enc, on_input, r);
			snn_rtl_step(r, NULL, NULL, NULL);
		}
	}
	double secs = now() - t0;
	const uint64_t *ctr = snn_rtl_counters(r);
	double cycles = (double)ctr[SNN_CTR_CYCLES], ops = (double)ctr[SNN_CTR_SYNOPS];
	unsigned used = 0;
	for (unsigned c = 0; c < g->n_cores; c++)
		used += cfg->geo.n_cores > c && cfg->core[c].reg[SNN_R_MODE] != SNN_MODE_OFF;
	printf("model %s on RTL parameter set %s: %u cores used, %zu images, T = %u\n", argv[1],
	       snn_rtl_name(r), used, n, steps);
	/* the per-core array does one operation per core a cycle; the
	 * time-multiplexed engine (its geometry has budgets) a line of its
	 * lanes in all, and its monitor marks the cycles it spends on them */
	bool engine = snn_geometry_shared(g);
	unsigned limit = engine ? snn_geometry_lanes(g) : used;
	printf("cycles/image %.0f  synops/image %.0f  synops/cycle %.3f (limit %u)\n",
	       cycles / n, ops / n, ops / cycles, limit);
	for (unsigned c = 0; c < g->n_cores && c < cfg->geo.n_cores; c++) {
		if (cfg->core[c].reg[SNN_R_MODE] == SNN_MODE_OFF)
			continue;
		printf("  core %2u %-6s phase %2u: ", c, snn_mode_name(cfg->core[c].reg[SNN_R_MODE]),
		       cfg->core[c].reg[SNN_R_PHASE]);
		if (engine)
			printf("synaptic-operation cycles %.1f %%\n", 100.0 * (double)synops[c] / cycles);
		else
			printf("synops/cycle %.3f  stalled %.1f %%\n", synops[c] / cycles,
			       100.0 * (double)stalls[c] / cycles);
	}
	uint64_t all_stalls = 0;
	for (unsigned c = 0; c < g->n_cores; c++)
		all_stalls += stalls[c];
	printf("stalled: %.1f %% of core-cycles of used cores\n",
	       100.0 * (double)all_stalls / (cycles * (used ? used : 1)));
	printf("verilator: %.3g simulated cycles/s (%.1f s for %zu images; loading the image %.1f s)\n",
	       cycles / secs, secs, n, t_load);
	snn_rtl_profile(r, NULL, NULL);
	snn_rtl_free(r);
	free(synops);
	free(stalls);
	snn_encoder_free(&enc);
	snn_idx_free(&idx);
	snn_image_free(&img);
	return 0;
}
