// rtl/snn_neuron.v against snn_neuron_step() and snn_neuron_live(), vector by vector, for every Verilated parameter set.
//
// Each model is one parameter set of rtl/rtl.mk (RTL_NEURON_SETS). For each,
// edge-value grids, an exhaustive sweep of the leak arithmetic and millions
// of random vectors drive the combinational neuron; every output is compared
// with the C definition on the same inputs (C++ only because Verilator's
// models are C++ classes).
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "verilated.h"
#include "neuron_models.h"

extern "C" {
#include "harness.h"
#include "snn/neuron.h"
}

namespace {

struct vec {
	int32_t v;
	uint32_t ref;
	int32_t acc;
	int32_t bias;
	int32_t threshold;
	uint32_t leak, reset, refractory;
	bool spiking;
};

struct widths {
	unsigned m, b;	// MEMBRANE_BITS, BIAS_BITS
	int32_t vmin, vmax, bmin, bmax;
};

struct tally {
	uint64_t vectors, failures, spikes, sat_hi, sat_lo, refractory, live, not_live;
};

uint64_t rng_state = 0x5eed2024u;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

// Uniform in [lo, hi].
int64_t uniform(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

int64_t clamp(int64_t x, int64_t lo, int64_t hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

uint32_t mask(unsigned bits)
{
	return bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1u;
}

int32_t sign_extend(uint32_t x, unsigned bits)
{
	uint32_t sign = 1u << (bits - 1);
	x &= mask(bits);
	return (int32_t)((x ^ sign) - sign);
}

template <class Model>
bool check(Model &dut, const widths &w, const vec &t, tally &n)
{
	dut.i_v = (uint32_t)t.v & mask(w.m);
	dut.i_ref = t.ref;
	dut.i_acc = (uint32_t)t.acc;
	dut.i_bias = (uint32_t)t.bias & mask(w.b);
	dut.i_threshold = (uint32_t)t.threshold & mask(w.m);
	dut.i_leak = t.leak;
	dut.i_reset_mode = t.reset;
	dut.i_refractory = t.refractory;
	dut.i_spiking = t.spiking;
	dut.eval();

	snn_neuron_params p = {t.threshold, t.leak, t.reset, t.refractory, t.spiking, w.vmin, w.vmax};
	int32_t v = t.v;
	uint32_t ref = t.ref;
	bool spike = snn_neuron_step(&p, &v, &ref, (int64_t)t.acc + t.bias);
	bool live = snn_neuron_live(&p, v, ref, t.bias);

	int32_t rv = sign_extend(dut.o_v, w.m);
	uint32_t rref = dut.o_ref;
	bool rspike = dut.o_spike, rlive = dut.o_live;

	n.vectors++;
	n.spikes += spike;
	n.refractory += t.ref > 0;
	n.sat_hi += !spike && t.ref == 0 && v == w.vmax;
	n.sat_lo += t.ref == 0 && v == w.vmin;
	n.live += live;
	n.not_live += !live;
	if (rv == v && rref == ref && rspike == spike && rlive == live)
		return true;
	n.failures++;
	th_expect(false,
		  "M=%u B=%u v=%" PRId32 " ref=%" PRIu32 " acc=%" PRId32 " bias=%" PRId32
		  " thr=%" PRId32 " leak=%" PRIu32 " reset=%" PRIu32 " R=%" PRIu32 " spiking=%d:"
		  " C gives v=%" PRId32 " ref=%" PRIu32 " spike=%d live=%d,"
		  " RTL gives v=%" PRId32 " ref=%" PRIu32 " spike=%d live=%d",
		  w.m, w.b, t.v, t.ref, t.acc, t.bias, t.threshold, t.leak, t.reset, t.refractory,
		  t.spiking, v, ref, spike, live, rv, rref, rspike, rlive);
	return false;
}

// Values at and around every boundary of a signed range, kept inside it.
std::vector<int64_t> edges(int64_t lo, int64_t hi, std::initializer_list<int64_t> extra)
{
	std::vector<int64_t> out;
	for (int64_t x : {lo, lo + 1, lo + 2, (int64_t)-1, (int64_t)0, (int64_t)1, hi - 2, hi - 1, hi})
		out.push_back(x);
	for (int64_t x : extra)
		out.push_back(x);
	std::vector<int64_t> kept;
	for (int64_t x : out) {
		bool dup = false;
		for (int64_t k : kept)
			dup |= k == x;
		if (x >= lo && x <= hi && !dup)
			kept.push_back(x);
	}
	return kept;
}

// Every combination of boundary values of every input.
template <class Model>
void grid(Model &dut, const widths &w, tally &n)
{
	const int64_t vmax = w.vmax, vmin = w.vmin;
	std::vector<int64_t> thresholds = edges(1, vmax, {vmax / 2});
	std::vector<int64_t> vs = edges(vmin, vmax, {-257, -256, -255, 255, 256, 257, vmax / 2});
	std::vector<int64_t> accs = edges(INT32_MIN, INT32_MAX,
					  {-vmax - 1, -vmax, vmax, vmax + 1, 2 * vmin, 2 * vmax + 1});
	std::vector<int64_t> biases = edges(w.bmin, w.bmax, {});
	const uint32_t leaks[] = {0, 1, 2, 127, 128, 255};
	const uint32_t refs[] = {0, 1, 15};
	for (int64_t thr : thresholds) {
		std::vector<int64_t> vt = vs;	// and v around this threshold
		for (int64_t x = thr - 1; x <= thr + 1; x++)
			if (x <= vmax)
				vt.push_back(x);
		for (int64_t v : vt)
			for (int64_t acc : accs)
				for (int64_t bias : biases)
					for (uint32_t leak : leaks)
						for (uint32_t ref : refs)
							for (uint32_t r : refs)
								for (int mode = 0; mode < 4; mode++) {
									vec t = {(int32_t)v, ref, (int32_t)acc, (int32_t)bias,
										 (int32_t)thr, leak, (uint32_t)(mode & 1), r,
										 (mode & 2) != 0};
									check(dut, w, t, n);
								}
	}
}

// The leak and liveness arithmetic for every leak and every small v, where
// the floor and the RTL's 8 x 8 shortcut for liveness matter most.
template <class Model>
void leak_sweep(Model &dut, const widths &w, tally &n)
{
	const int64_t lo = w.vmin > -1024 ? w.vmin : -1024, hi = w.vmax < 1024 ? w.vmax : 1024;
	for (uint32_t leak = 0; leak < 256; leak++)
		for (int64_t v = lo; v <= hi; v++)
			for (int k = 0; k < 2; k++) {
				vec t = {(int32_t)v, 0, 0, 0, k ? 1 : w.vmax, leak, 0, 0, k != 0};
				check(dut, w, t, n);
			}
}

// A signed value in [lo, hi], biased towards the interesting places.
int64_t pick(int64_t lo, int64_t hi, int64_t near)
{
	switch (rng() % 5) {
	case 0: return uniform(lo, hi);
	case 1: return clamp(uniform(-600, 600), lo, hi);
	case 2: return clamp(lo + uniform(0, 300), lo, hi);
	case 3: return clamp(hi - uniform(0, 300), lo, hi);
	default: return clamp(near + uniform(-300, 300), lo, hi);
	}
}

template <class Model>
void random_vectors(Model &dut, const widths &w, uint64_t count, tally &n)
{
	for (uint64_t i = 0; i < count; i++) {
		vec t;
		uint64_t r = rng();
		t.threshold = (int32_t)(r % 4 == 0 ? 1 : r % 8 == 1 ? w.vmax : pick(1, w.vmax, 1000));
		t.v = (int32_t)pick(w.vmin, w.vmax, t.threshold);
		t.ref = (r >> 8) % 2 ? 0 : (uint32_t)((r >> 9) % 16);
		t.bias = (int32_t)pick(w.bmin, w.bmax, 0);
		t.leak = (r >> 13) % 4 == 0 ? 0 : (r >> 13) % 8 == 1 ? 255 : (uint32_t)((r >> 16) % 256);
		t.reset = (uint32_t)((r >> 24) & 1);
		t.refractory = (uint32_t)((r >> 25) % 16);
		t.spiking = (r >> 29) % 8 != 0;
		// Aim the sum at the threshold or the saturation bounds often.
		int64_t leaked = t.v - snn_floor_div256((int64_t)t.v * t.leak);
		int64_t target;
		switch ((r >> 32) % 4) {
		case 0: target = t.threshold; break;
		case 1: target = w.vmax; break;
		case 2: target = w.vmin; break;
		default: target = 0; break;
		}
		int64_t aimed = target - leaked - t.bias + uniform(-3, 3);
		switch ((r >> 40) % 4) {
		case 0: t.acc = (int32_t)uniform(INT32_MIN, INT32_MAX); break;
		case 1: t.acc = (int32_t)uniform(-1000, 1000); break;
		case 2: t.acc = (int32_t)uniform(2 * (int64_t)w.vmin, 2 * (int64_t)w.vmax); break;
		default: t.acc = (int32_t)clamp(aimed, INT32_MIN, INT32_MAX); break;
		}
		check(dut, w, t, n);
	}
}

template <class Model>
void run_model(VerilatedContext *ctx, unsigned m, unsigned b, uint64_t n_random, uint64_t &total)
{
	std::unique_ptr<Model> dut(new Model(ctx));
	widths w;
	w.m = m;
	w.b = b;
	w.vmax = (int32_t)((1u << (m - 1)) - 1u);
	w.vmin = -w.vmax - 1;
	w.bmax = (int32_t)((1u << (b - 1)) - 1u);
	w.bmin = -w.bmax - 1;

	tally n = {};
	th_case("M=%u B=%u: grid of edge values", m, b);
	grid(*dut, w, n);
	th_case("M=%u B=%u: leak and liveness, every leak, |v| <= 1024", m, b);
	leak_sweep(*dut, w, n);
	th_case("M=%u B=%u: %" PRIu64 " random vectors", m, b, n_random);
	random_vectors(*dut, w, n_random, n);
	th_case("M=%u B=%u: every outcome exercised", m, b);
	th_expect(n.spikes && n.sat_hi && n.sat_lo && n.refractory && n.live && n.not_live,
		  "spikes %" PRIu64 ", saturated high %" PRIu64 ", low %" PRIu64
		  ", refractory %" PRIu64 ", live %" PRIu64 ", not live %" PRIu64,
		  n.spikes, n.sat_hi, n.sat_lo, n.refractory, n.live, n.not_live);
	dut->final();
	printf("M=%u B=%u: %" PRIu64 " vectors, %" PRIu64 " mismatches (%" PRIu64 " spikes, %" PRIu64
	       " saturated high, %" PRIu64 " low, %" PRIu64 " refractory)\n",
	       m, b, n.vectors, n.failures, n.spikes, n.sat_hi, n.sat_lo, n.refractory);
	total += n.vectors;
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	uint64_t n_random = getenv("SNN_TEST_LONG") ? 30000000u : 3000000u;
	uint64_t total = 0;
#define RUN_MODEL(model, m, b) run_model<model>(ctx.get(), m, b, n_random, total);
	SNN_RTL_NEURON_MODELS(RUN_MODEL)
#undef RUN_MODEL
	printf("test_rtl_neuron: %" PRIu64 " vectors in all\n", total);
	return th_done("test_rtl_neuron");
}
