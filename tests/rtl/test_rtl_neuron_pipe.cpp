// rtl/snn_neuron_pipe.v against snn_neuron_step() and snn_neuron_live(), streamed one neuron per clock, for every Verilated parameter set.
//
// Each model is one parameter set of rtl/mk/engine.mk (RTL_PIPE_SETS). Edge-
// value grids, an exhaustive sweep of the leak arithmetic and millions of
// random vectors go in back to back, one per clock, with stretches of idle
// cycles (garbage on the inputs, i_valid low); every output is compared with
// the C definition on the same inputs, and must come out exactly LATENCY
// cycles after it went in, with its tag, in order. A reset in the middle
// must drop everything in flight. (C++ only because Verilator's models are
// C++ classes.)
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "verilated.h"
#include "pipe_models.h"

extern "C" {
#include "harness.h"
#include "snn/neuron.h"
}

namespace {

// rtl/snn_neuron_pipe.v, localparam LATENCY: register stages from input to output.
const unsigned kLatency = 5;
const unsigned kTagBits = 16;	// the models' TAG_BITS (the default)

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
	unsigned m, b, a;	// MEMBRANE_BITS, BIAS_BITS, ACC_BITS
	int32_t vmin, vmax, bmin, bmax, amin, amax;
};

struct expect {
	bool valid;
	uint32_t tag;
	vec in;
	int32_t v;
	uint32_t ref;
	bool spike, live;
};

struct tally {
	uint64_t vectors, failures, spikes, sat_hi, sat_lo, refractory, live, not_live, idle, cycles, held;
};

uint64_t rng_state = 0x5eed2025u;

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

// Drives one parameter set's model a clock at a time and checks what comes out.
template <class Model>
class pipe {
public:
	pipe(VerilatedContext *ctx, const widths &w) : dut_(new Model(ctx)), w_(w), ring_(kLatency)
	{
		reset();
	}
	~pipe() { dut_->final(); }

	// One clock with i_rst high: nothing in flight survives it.
	void reset()
	{
		for (auto &e : ring_)
			e.valid = false;
		dut_->i_rst = 1;
		clock(nullptr);
		clock(nullptr);
		dut_->i_rst = 0;
	}

	// One clock: t goes in (nullptr: an idle cycle with garbage on the inputs).
	void clock(const vec *t)
	{
		dut_->i_clk = 0;
		dut_->i_ce = 1;
		dut_->eval();
		expect &slot = ring_[cycle_ % kLatency];	// what went in kLatency clocks ago
		if (t) {
			drive(*t);
			dut_->i_valid = 1;
			slot.valid = !dut_->i_rst;
			slot.tag = tag_++ & mask(kTagBits);
			dut_->i_tag = slot.tag;
			slot.in = *t;
			reference(*t, slot);
			n.vectors++;
		} else {
			vec junk = {(int32_t)rng(), (uint32_t)rng() & 15u, (int32_t)rng(), (int32_t)rng(),
				    (int32_t)rng(), (uint32_t)rng() & 255u, (uint32_t)rng() & 1u,
				    (uint32_t)rng() & 15u, (rng() & 1) != 0};
			drive(junk);
			dut_->i_tag = (uint32_t)rng() & mask(kTagBits);
			dut_->i_valid = 0;
			slot.valid = false;
			n.idle++;
		}
		dut_->i_clk = 1;
		dut_->eval();
		cycle_++;
		n.cycles++;
		// Now in the output registers: what went in kLatency - 1 clocks
		// before this one, i.e. the slot to be reused next cycle.
		check(ring_[cycle_ % kLatency]);
	}

	// One clock with i_ce low and garbage on every input, i_valid too: no
	// output may move, and what is in flight comes out later as if the
	// clock had not been (the engine's hold while SDRAM answers).
	void hold()
	{
		dut_->i_clk = 0;
		dut_->eval();
		const bool valid = dut_->o_valid, spike = dut_->o_spike, live = dut_->o_live;
		const uint32_t v = dut_->o_v, ref = dut_->o_ref, tag = dut_->o_tag;
		vec junk = {(int32_t)rng(), (uint32_t)rng() & 15u, (int32_t)rng(), (int32_t)rng(),
			    (int32_t)rng(), (uint32_t)rng() & 255u, (uint32_t)rng() & 1u,
			    (uint32_t)rng() & 15u, (rng() & 1) != 0};
		drive(junk);
		dut_->i_tag = (uint32_t)rng() & mask(kTagBits);
		dut_->i_valid = rng() & 1;
		dut_->i_ce = 0;
		dut_->i_clk = 1;
		dut_->eval();
		n.held++;
		if (valid != (bool)dut_->o_valid || spike != (bool)dut_->o_spike ||
		    live != (bool)dut_->o_live || v != dut_->o_v || ref != dut_->o_ref || tag != dut_->o_tag) {
			n.failures++;
			th_expect(false, "M=%u B=%u A=%u cycle %" PRIu64 ": an output moved with i_ce low",
				  w_.m, w_.b, w_.a, cycle_);
		}
	}

	// Clocks idle until everything in flight has come out.
	void drain()
	{
		for (unsigned i = 0; i < kLatency; i++)
			clock(nullptr);
	}

	bool output_valid() const { return dut_->o_valid; }

	tally n = {};

private:
	void drive(const vec &t)
	{
		dut_->i_v = (uint32_t)t.v & mask(w_.m);
		dut_->i_ref = t.ref;
		dut_->i_acc = (uint32_t)t.acc & mask(w_.a);
		dut_->i_bias = (uint32_t)t.bias & mask(w_.b);
		dut_->i_threshold = (uint32_t)t.threshold & mask(w_.m);
		dut_->i_leak = t.leak;
		dut_->i_reset_mode = t.reset;
		dut_->i_refractory = t.refractory;
		dut_->i_spiking = t.spiking;
	}

	void reference(const vec &t, expect &e)
	{
		snn_neuron_params p = {t.threshold, t.leak, t.reset, t.refractory, t.spiking, w_.vmin, w_.vmax};
		e.v = t.v;
		e.ref = t.ref;
		e.spike = snn_neuron_step(&p, &e.v, &e.ref, (int64_t)t.acc + t.bias);
		e.live = snn_neuron_live(&p, e.v, e.ref, t.bias);
		n.spikes += e.spike;
		n.refractory += t.ref > 0;
		n.sat_hi += !e.spike && t.ref == 0 && e.v == w_.vmax;
		n.sat_lo += t.ref == 0 && e.v == w_.vmin;
		n.live += e.live;
		n.not_live += !e.live;
	}

	void check(const expect &e)
	{
		bool rvalid = dut_->o_valid;
		if (!e.valid) {
			if (rvalid) {
				n.failures++;
				th_expect(false, "M=%u B=%u A=%u cycle %" PRIu64 ": o_valid with nothing sent %u cycles before",
					  w_.m, w_.b, w_.a, cycle_, kLatency);
			}
			return;
		}
		int32_t rv = sign_extend(dut_->o_v, w_.m);
		uint32_t rref = dut_->o_ref, rtag = dut_->o_tag;
		bool rspike = dut_->o_spike, rlive = dut_->o_live;
		if (rvalid && rtag == e.tag && rv == e.v && rref == e.ref && rspike == e.spike && rlive == e.live)
			return;
		n.failures++;
		const vec &t = e.in;
		th_expect(false,
			  "M=%u B=%u A=%u v=%" PRId32 " ref=%" PRIu32 " acc=%" PRId32 " bias=%" PRId32
			  " thr=%" PRId32 " leak=%" PRIu32 " reset=%" PRIu32 " R=%" PRIu32 " spiking=%d tag=%" PRIu32 ":"
			  " C gives v=%" PRId32 " ref=%" PRIu32 " spike=%d live=%d,"
			  " RTL gives valid=%d tag=%" PRIu32 " v=%" PRId32 " ref=%" PRIu32 " spike=%d live=%d",
			  w_.m, w_.b, w_.a, t.v, t.ref, t.acc, t.bias, t.threshold, t.leak, t.reset, t.refractory,
			  t.spiking, e.tag, e.v, e.ref, e.spike, e.live, rvalid, rtag, rv, rref, rspike, rlive);
	}

	std::unique_ptr<Model> dut_;
	widths w_;
	std::vector<expect> ring_;
	uint64_t cycle_ = 0;
	uint32_t tag_ = 0;
};

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

// Every combination of boundary values of every input, back to back.
template <class P>
void grid(P &dut, const widths &w)
{
	const int64_t vmax = w.vmax, vmin = w.vmin;
	std::vector<int64_t> thresholds = edges(1, vmax, {vmax / 2, 255, 256});
	std::vector<int64_t> vs = edges(vmin, vmax, {-257, -256, -255, 255, 256, 257, vmax / 2});
	std::vector<int64_t> accs = edges(w.amin, w.amax,
					  {-vmax - 1, -vmax, vmax, vmax + 1, 2 * vmin, 2 * vmax + 1});
	std::vector<int64_t> biases = edges(w.bmin, w.bmax, {});
	const uint32_t leaks[] = {0, 1, 2, 3, 127, 128, 255};
	const uint32_t refs[] = {0, 1, 15};
	for (int64_t thr : thresholds) {
		std::vector<int64_t> vt = vs;	// and v around this threshold and twice it
		for (int64_t x : {thr - 1, thr, thr + 1, 2 * thr - 1, 2 * thr, 2 * thr + 1})
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
									dut.clock(&t);
								}
	}
}

// The leak and liveness arithmetic for every leak and every small v, where
// the floor and the table of floor(255/L) matter most; after a spike by
// subtraction too (v - threshold small).
template <class P>
void leak_sweep(P &dut, const widths &w)
{
	const int64_t lo = w.vmin > -1024 ? w.vmin : -1024, hi = w.vmax < 1024 ? w.vmax : 1024;
	for (uint32_t leak = 0; leak < 256; leak++)
		for (int64_t v = lo; v <= hi; v++) {
			vec t = {(int32_t)v, 0, 0, 0, w.vmax, leak, 0, 0, false};
			dut.clock(&t);	// integrate only
			vec f = {(int32_t)v, 0, 0, 0, 1, leak, 1, 0, true};
			dut.clock(&f);	// fires by subtraction of 1 unless v - leak < 1
			vec r = {(int32_t)v, 1, 0, 0, 1, leak, 0, 0, true};
			dut.clock(&r);	// refractory: v kept, its leak decides
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

// Random vectors aimed at the threshold, twice the threshold and the
// saturation bounds; every 64th cycle starts a short idle stretch.
template <class P>
void random_vectors(P &dut, const widths &w, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		if (i % 64 == 63)
			for (uint64_t k = rng() % 4; k > 0; k--)
				dut.clock(nullptr);
		if (i % 16 == 5)	// held clocks among the vectors in flight
			for (uint64_t k = 1 + rng() % 3; k > 0; k--)
				dut.hold();
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
		int64_t leaked = t.v - snn_floor_div256((int64_t)t.v * t.leak);
		int64_t target;
		switch ((r >> 32) % 5) {
		case 0: target = t.threshold; break;
		case 1: target = w.vmax; break;
		case 2: target = w.vmin; break;
		case 3: target = 2 * (int64_t)t.threshold + (int64_t)uniform(0, 300); break;
		default: target = t.threshold + uniform(0, 512); break;
		}
		int64_t aimed = target - leaked - t.bias + uniform(-3, 3);
		switch ((r >> 40) % 4) {
		case 0: t.acc = (int32_t)uniform(w.amin, w.amax); break;
		case 1: t.acc = (int32_t)clamp(uniform(-1000, 1000), w.amin, w.amax); break;
		case 2: t.acc = (int32_t)clamp(uniform(2 * (int64_t)w.vmin, 2 * (int64_t)w.vmax), w.amin, w.amax); break;
		default: t.acc = (int32_t)clamp(aimed, w.amin, w.amax); break;
		}
		dut.clock(&t);
	}
}

template <class Model>
void run_model(VerilatedContext *ctx, unsigned m, unsigned b, unsigned a, uint64_t n_random, uint64_t &total)
{
	widths w;
	w.m = m;
	w.b = b;
	w.a = a;
	w.vmax = (int32_t)((1u << (m - 1)) - 1u);
	w.vmin = -w.vmax - 1;
	w.bmax = (int32_t)((1u << (b - 1)) - 1u);
	w.bmin = -w.bmax - 1;
	w.amax = (int32_t)((1u << (a - 1)) - 1u);
	w.amin = -w.amax - 1;
	pipe<Model> dut(ctx, w);

	th_case("M=%u B=%u A=%u: nothing comes out of a reset pipe", m, b, a);
	for (unsigned i = 0; i < 3 * kLatency; i++)
		dut.clock(nullptr);

	th_case("M=%u B=%u A=%u: grid of edge values, one a clock", m, b, a);
	uint64_t v0 = dut.n.vectors, c0 = dut.n.cycles;
	grid(dut, w);
	th_expect(dut.n.vectors - v0 == dut.n.cycles - c0, "%" PRIu64 " vectors took %" PRIu64 " clocks",
		  dut.n.vectors - v0, dut.n.cycles - c0);
	th_case("M=%u B=%u A=%u: leak and liveness, every leak, |v| <= 1024", m, b, a);
	leak_sweep(dut, w);
	th_case("M=%u B=%u A=%u: %" PRIu64 " random vectors with idle and held cycles", m, b, a, n_random);
	random_vectors(dut, w, n_random);
	dut.drain();

	th_case("M=%u B=%u A=%u: a reset drops what is in flight", m, b, a);
	for (unsigned i = 0; i < kLatency - 1; i++) {
		vec t = {1, 0, 100, 0, 1, 0, 0, 0, true};
		dut.clock(&t);
	}
	dut.reset();	// the ring forgets them too: any o_valid now fails
	for (unsigned i = 0; i < 2 * kLatency; i++)
		dut.clock(nullptr);

	th_case("M=%u B=%u A=%u: every outcome exercised", m, b, a);
	const tally &n = dut.n;
	th_expect(n.held > 0, "no held clocks");
	th_expect(n.spikes && n.sat_hi && n.sat_lo && n.refractory && n.live && n.not_live,
		  "spikes %" PRIu64 ", saturated high %" PRIu64 ", low %" PRIu64
		  ", refractory %" PRIu64 ", live %" PRIu64 ", not live %" PRIu64,
		  n.spikes, n.sat_hi, n.sat_lo, n.refractory, n.live, n.not_live);
	printf("M=%u B=%u A=%u: %" PRIu64 " vectors in %" PRIu64 " clocks (%" PRIu64 " idle, %" PRIu64 " held), %" PRIu64
	       " mismatches (%" PRIu64 " spikes, %" PRIu64 " saturated high, %" PRIu64 " low, %" PRIu64
	       " refractory)\n",
	       m, b, a, n.vectors, n.cycles, n.idle, n.held, n.failures, n.spikes, n.sat_hi, n.sat_lo, n.refractory);
	total += n.vectors;
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	ctx->randReset(2);	// registers start random: a missing reset shows
	uint64_t n_random = getenv("SNN_TEST_LONG") ? 30000000u : 3000000u;
	uint64_t total = 0;
#define RUN_MODEL(model, m, b, a) run_model<model>(ctx.get(), m, b, a, n_random, total);
	SNN_RTL_PIPE_MODELS(RUN_MODEL)
#undef RUN_MODEL
	printf("test_rtl_neuron_pipe: %" PRIu64 " vectors in all\n", total);
	return th_done("test_rtl_neuron_pipe");
}
