// rtl/snn_sweep.v against snn_neuron_step() applied per docs/rtl.md ("Step 3's accelerators: the contract") to a C copy of the pool and the accumulators.
//
// The bench models the pool (64-bit lines, a read's line from the next
// cycle until the next read, garbage after a write) and the accumulator
// RAM (snn_ram_sdp: next-cycle read data, held while i_re is low; a read
// of the word written in the same cycle is a failure here) in C++, with
// garbage on every operand input outside the start cycle. The reference
// walks the contract's text neuron by neuron: line + k, slot + k x step,
// the neuron step of include/snn/neuron.h, the line written back, the
// word zeroed when the next slot is in another word or it was the last
// neuron. After each sweep the whole pool and the whole accumulator RAM
// are compared, with the spike count, the spike monitor's sequence, the
// done pulse and the cycles (2 a neuron plus the unit's latency). Random
// sweeps over several seeds, then multi-step scenarios of a conv core
// swept channel by channel and a small conv core, whose accumulators must
// end all zero, and a reset in the middle of a sweep. (C++ only because
// Verilator's models are C++ classes.)
#include <array>
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <vector>

#include "verilated.h"
#include "Vsnn_sweep.h"

extern "C" {
#include "harness.h"
#include "snn/neuron.h"
}

namespace {

// The model's parameters (rtl/mk/accel_sweep.mk: the iCEBreaker's widths).
const unsigned LA = 14, AA = 8, M = 20, B = 16, A = 20;
const uint32_t LINES = 1u << LA, WORDS = 1u << AA, SLOTS = 1u << (AA + 3);
// the model's NET_LINES: a line at or past it is never written
const uint32_t NET_LINES = 12288;
const int32_t VMAX = (1 << (M - 1)) - 1, VMIN = -(1 << (M - 1));
// Cycles from the start cycle to o_done's: a neuron every other cycle,
// the last one's read, its cycle into the unit, the unit's 5, the held
// result's write, and done the cycle after.
const unsigned kTail = 7;

uint64_t rng_state;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

int64_t uniform(int64_t lo, int64_t hi)	// in [lo, hi]
{
	return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
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

typedef std::array<uint32_t, 8> word;

// What the run covered, printed at the end.
struct {
	uint64_t sweeps, neurons, spikes, refractory, saturated, zeroed, cycles;
	uint64_t held;	// neurons past NET_LINES, whose lines stay as they were
} total;	// 8 lanes of A bits

struct sweep_op {
	uint32_t line, count, slot, step;
	bool zero;
	int32_t threshold;
	uint32_t leak, reset, refractory;
	bool spiking, cur;
};

// What a neuron's pool line holds (docs/rtl.md): v, the counter, the two
// spike bits, the bias; bits 39:36 and 47:42 get garbage, which the
// write-back must clear.
uint64_t make_line(int32_t v, uint32_t ref, uint32_t spikes, int32_t bias)
{
	return (uint64_t)(uint32_t)v | (uint64_t)(ref & 15u) << 32 | (uint64_t)(rng() & 15u) << 36 |
	       (uint64_t)(spikes & 3u) << 40 | (uint64_t)(rng() & 63u) << 42 |
	       (uint64_t)((uint32_t)bias & mask(B)) << 48;
}

// The contract applied to a C copy, neuron by neuron; the neurons that
// spike, in order.
std::vector<uint32_t> reference(const sweep_op &o, std::vector<uint64_t> &pool, std::vector<word> &acc)
{
	std::vector<uint32_t> spikes;
	snn_neuron_params p = {o.threshold, o.leak, o.reset, o.refractory, o.spiking, VMIN, VMAX};
	for (uint32_t k = 0; k < o.count; k++) {
		uint32_t line = (o.line + k) % LINES;
		uint32_t slot = (o.slot + k * o.step) % SLOTS, next = (o.slot + (k + 1) * o.step) % SLOTS;
		uint64_t l = pool[line];
		int32_t v = (int32_t)(uint32_t)l;
		uint32_t ref = (uint32_t)(l >> 32) & 15u;
		int32_t bias = sign_extend((uint32_t)(l >> 48), B);
		int32_t in = sign_extend(acc[slot >> 3][slot & 7], A);
		bool other = (l >> (40 + !o.cur)) & 1;
		bool spike = snn_neuron_step(&p, &v, &ref, (int64_t)in + bias);
		total.saturated += v == VMAX || v == VMIN;
		uint64_t bits = o.cur ? (uint64_t)spike << 1 | other : (uint64_t)other << 1 | spike;
		total.held += line >= NET_LINES;
		if (line < NET_LINES)
			pool[line] = (l & 0xFFFF000000000000u) | (uint64_t)(uint32_t)v | (uint64_t)ref << 32 |
				     bits << 40;
		if (spike)
			spikes.push_back(k);
		if (o.zero && (k + 1 == o.count || next >> 3 != slot >> 3))
			acc[slot >> 3] = word{};
	}
	return spikes;
}

struct result {
	std::vector<uint32_t> spikes;	// o_spk_index at each o_spk_valid
	unsigned done, cycles;	// done pulses; cycles from start to done
	bool timeout;
};

class bench {
public:
	bench() : pool(LINES), acc(WORDS), dut_(new Vsnn_sweep(&ctx_))
	{
		for (auto &l : pool)
			l = rng();
		for (auto &w : acc)
			for (auto &x : w)
				x = (uint32_t)rng() & mask(A);
		reset();
	}
	~bench() { dut_->final(); }

	void reset()
	{
		dut_->i_rst = 1;
		tick(nullptr);
		tick(nullptr);
		dut_->i_rst = 0;
	}

	// One clock; o: the start cycle's operands, else garbage with i_start low.
	void tick(const sweep_op *o)
	{
		drive(o);
		dut_->i_clk = 0;
		dut_->eval();
		observe(o != nullptr);
		dut_->i_clk = 1;
		dut_->eval();
		cycle_++;
	}

	// Starts o, clocks until its done pulse and a few idle cycles after.
	result run(const sweep_op &o)
	{
		r_ = result{};
		tick(&o);
		unsigned limit = 2 * o.count + kTail + 20;
		for (unsigned c = 1; r_.done == 0 && c <= limit; c++)
			tick(nullptr);
		r_.timeout = r_.done == 0;
		for (unsigned c = 0; c < 4; c++)
			tick(nullptr);
		return r_;
	}

	// Runs o halfway and resets the sweep there.
	void run_reset(const sweep_op &o, unsigned cycles)
	{
		tick(&o);
		for (unsigned c = 0; c < cycles; c++)
			tick(nullptr);
		reset();
	}

	unsigned spikes_out() const { return dut_->o_spikes; }
	bool busy() const { return dut_->o_busy; }

	std::vector<uint64_t> pool;
	std::vector<word> acc;
	unsigned bad_rw = 0, bad_idle = 0, bad_spk = 0, bad_busy = 0;	// protocol faults seen

private:
	void drive(const sweep_op *o)
	{
		sweep_op g = {(uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng(), (rng() & 1) != 0,
			      (int32_t)rng(), (uint32_t)rng(), (uint32_t)rng(), (uint32_t)rng(), (rng() & 1) != 0,
			      (rng() & 1) != 0};
		// between starts the line, count and slot are garbage, which the
		// sweep must have taken; the rest the caller holds (snn_step_io's
		// registers), as the sweep's contract asks
		if (o)
			held_ = *o;
		g.step = held_.step;
		g.zero = held_.zero;
		g.threshold = held_.threshold;
		g.leak = held_.leak;
		g.reset = held_.reset;
		g.refractory = held_.refractory;
		g.spiking = held_.spiking;
		g.cur = held_.cur;
		const sweep_op &d = o ? *o : g;
		dut_->i_start = o != nullptr;
		dut_->i_line = d.line & mask(LA);
		dut_->i_count = d.count & 0xFFFFu;
		dut_->i_slot = d.slot & mask(AA + 3);
		dut_->i_slot_step = d.step & 15u;
		dut_->i_zero = d.zero;
		dut_->i_threshold = (uint32_t)d.threshold & mask(M);
		dut_->i_leak = d.leak & 255u;
		dut_->i_reset_mode = d.reset & 1u;
		dut_->i_refractory = d.refractory & 15u;
		dut_->i_spiking = d.spiking;
		dut_->i_cur = d.cur;
		dut_->i_pool_rdata = prdata_;
		for (unsigned i = 0; i < 5; i++)
			dut_->i_acc_rdata[i] = 0;
		for (unsigned l = 0; l < 8; l++)
			for (unsigned b = 0; b < A; b++)
				if (ardata_[l] >> b & 1)
					dut_->i_acc_rdata[(l * A + b) / 32] |= 1u << ((l * A + b) % 32);
	}

	// The cycle's outputs, then the memories' edge.
	void observe(bool starting)
	{
		const bool busy = dut_->o_busy, pen = dut_->o_pool_en, pwe = dut_->o_pool_we;
		const bool are = dut_->o_acc_re, awe = dut_->o_acc_we;
		const uint32_t pline = dut_->o_pool_line, be = dut_->o_pool_be;
		const uint64_t pwdata = dut_->o_pool_wdata;
		const uint32_t raddr = dut_->o_acc_raddr, waddr = dut_->o_acc_waddr;
		if (!busy && (pen || are || awe))
			bad_idle++;	// an access while idle (or in the start cycle)
		if (starting && busy)
			bad_busy++;	// the processor only starts an idle block
		if (starting) {
			start_ = cycle_;
			line_ = dut_->i_line;
		}
		if (dut_->o_done) {
			if (r_.done++ == 0)
				r_.cycles = (unsigned)(cycle_ - start_);
			if (busy)
				bad_busy++;
		}
		if (dut_->o_spk_valid) {
			r_.spikes.push_back(dut_->o_spk_index);
			// a spike pulses as its neuron's line is written
			if (!pen || !pwe || pline != (line_ + dut_->o_spk_index) % LINES)
				bad_spk++;
		}
		if (are && awe && raddr == waddr)
			bad_rw++;
		total.zeroed += awe;
		total.cycles++;
		// accumulators: the read sees the old word (inverted if written now)
		if (are) {
			ardata_ = acc[raddr];
			if (awe && raddr == waddr)
				for (auto &x : ardata_)
					x = ~x & mask(A);
		}
		if (awe) {
			word w;
			for (unsigned l = 0; l < 8; l++) {
				w[l] = 0;
				for (unsigned b = 0; b < A; b++)
					w[l] |= (dut_->o_acc_wdata[(l * A + b) / 32] >> ((l * A + b) % 32) & 1u) << b;
			}
			acc[waddr] = w;
		}
		// pool
		if (pen) {
			if (pwe) {
				uint64_t m = 0;
				for (unsigned i = 0; i < 8; i++)
					if (be >> i & 1)
						m |= (uint64_t)0xFF << (8 * i);
				pool[pline] = (pool[pline] & ~m) | (pwdata & m);
				prdata_ = rng();	// the SPRAM's output after a write
			} else {
				prdata_ = pool[pline];
			}
		}
	}

	VerilatedContext ctx_;
	std::unique_ptr<Vsnn_sweep> dut_;
	uint64_t prdata_ = 0, cycle_ = 0, start_ = 0;
	sweep_op held_ = {};	// the operands held since the last start
	uint32_t line_ = 0;	// the sweep's first line
	word ardata_{};
	result r_;
};

// Fresh neuron states in the sweep's lines: v anywhere in range, often
// near saturation or the threshold; some refractory; biases of any size.
void fill_neurons(bench &b, const sweep_op &o)
{
	for (uint32_t k = 0; k < o.count; k++) {
		int32_t v;
		switch (rng() % 6) {
		case 0: v = (int32_t)uniform(VMAX - 300, VMAX); break;
		case 1: v = (int32_t)uniform(VMIN, VMIN + 300); break;
		case 2: v = (int32_t)uniform(o.threshold - 300, o.threshold + 300);
			if (v > VMAX) v = VMAX;
			break;
		case 3: v = (int32_t)uniform(-300, 300); break;
		default: v = (int32_t)uniform(VMIN, VMAX); break;
		}
		uint32_t ref = rng() % 4 == 0 ? (uint32_t)uniform(1, 15) : 0;
		int32_t bias = rng() % 4 == 0 ? 0 : rng() % 2 ? (int32_t)uniform(-300, 300)
			     : sign_extend((uint32_t)rng(), B);
		b.pool[(o.line + k) % LINES] = make_line(v, ref, (uint32_t)rng(), bias);
	}
}

// Accumulator words: random lanes, full-range or small.
void fill_acc(bench &b)
{
	for (auto &w : b.acc)
		for (auto &x : w)
			x = (rng() % 2 ? (uint32_t)rng() : (uint32_t)uniform(-2000, 2000)) & mask(A);
}

// One sweep against the reference; returns whether everything matched.
bool check_sweep(bench &b, const sweep_op &o, const char *what)
{
	std::vector<uint64_t> pool = b.pool;
	std::vector<word> acc = b.acc;
	for (uint32_t k = 0; k < o.count; k++)
		total.refractory += (b.pool[(o.line + k) % LINES] >> 32 & 15u) != 0;
	std::vector<uint32_t> spikes = reference(o, pool, acc);
	total.sweeps++;
	total.neurons += o.count;
	total.spikes += spikes.size();
	unsigned rw = b.bad_rw, idle = b.bad_idle, spk = b.bad_spk, busy = b.bad_busy;
	result r = b.run(o);
	bool ok = th_expect(!r.timeout, "%s: no o_done within %u cycles", what, 2 * o.count + kTail + 20);
	ok &= th_expect(r.done == 1, "%s: o_done pulsed %u times, not once", what, r.done);
	unsigned want = o.count ? 2 * o.count + kTail : 1;
	ok &= th_expect(r.timeout || r.cycles == want, "%s: %u cycles from start to done, expected %u",
			what, r.cycles, want);
	ok &= th_expect(b.bad_rw == rw, "%s: an accumulator word read in the cycle it was written", what);
	ok &= th_expect(b.bad_idle == idle, "%s: a memory access with o_busy low", what);
	ok &= th_expect(b.bad_spk == spk, "%s: o_spk_valid without its line's write", what);
	ok &= th_expect(b.bad_busy == busy, "%s: o_busy high at the start or at o_done", what);
	ok &= th_expect(!b.busy(), "%s: o_busy still high after o_done", what);
	unsigned n = 0;
	for (uint32_t l = 0; l < LINES; l++)
		if (b.pool[l] != pool[l] && n++ < 3)
			ok = th_expect(false, "%s: line %u (neuron %u) is %016" PRIx64 ", expected %016" PRIx64,
				       what, l, (l - o.line) % LINES, b.pool[l], pool[l]);
	n = 0;
	for (uint32_t w = 0; w < WORDS; w++)
		for (unsigned l = 0; l < 8; l++)
			if (b.acc[w][l] != acc[w][l] && n++ < 3)
				ok = th_expect(false, "%s: accumulator word %u lane %u is %05x, expected %05x", what, w,
					       l, b.acc[w][l], acc[w][l]);
	ok &= th_expect(b.spikes_out() == spikes.size(), "%s: o_spikes %u, expected %zu", what,
			b.spikes_out(), spikes.size());
	ok &= th_expect(r.spikes == spikes, "%s: the spike monitor gave %zu spikes, expected %zu (first at %d, %d)",
			what, r.spikes.size(), spikes.size(), r.spikes.empty() ? -1 : (int)r.spikes[0],
			spikes.empty() ? -1 : (int)spikes[0]);
	// After a failure carry on from the RTL's memories, with the reference
	// resynchronised (so one fault is reported once).
	return ok;
}

sweep_op random_op(uint32_t count)
{
	sweep_op o;
	static const uint32_t steps[] = {1, 2, 4, 8};
	o.count = count;
	// lines and slots anywhere, sometimes where they wrap
	o.line = rng() % 8 == 0 ? (uint32_t)(LINES - uniform(1, 10)) : (uint32_t)rng() % LINES;
	o.slot = rng() % 8 == 0 ? (uint32_t)(SLOTS - uniform(1, 40)) : (uint32_t)rng() % SLOTS;
	o.step = steps[rng() % 4];
	o.zero = rng() & 1;
	switch (rng() % 4) {
	case 0: o.threshold = (int32_t)uniform(1, 1000); break;
	case 1: o.threshold = (int32_t)uniform(VMAX - 1000, VMAX); break;
	default: o.threshold = (int32_t)uniform(1, VMAX); break;
	}
	o.leak = rng() % 3 == 0 ? 0 : (uint32_t)uniform(0, 255);
	o.reset = rng() & 1;
	o.refractory = rng() % 3 == 0 ? 0 : (uint32_t)uniform(0, 15);
	o.spiking = rng() % 5 != 0;
	o.cur = rng() & 1;
	return o;
}

void random_sweeps(uint64_t seed)
{
	rng_state = seed;
	bench b;
	static const uint32_t counts[] = {0, 1, 7, 8, 9, 2, 3, 15, 16, 17, 64, 300, 1000, 2500};
	for (uint32_t c : counts) {
		for (unsigned rep = 0; rep < 6; rep++) {
			sweep_op o = random_op(c);
			if (rep < 4)	// each step once, zeroing on and off
				o.step = 1u << rep;
			o.zero = rep % 2;
			o.cur = rep / 2 % 2;
			th_case("seed %" PRIx64 ": %u neurons from line %u, slot %u step %u, zero %d, cur %d,"
				" threshold %d, leak %u, reset %u, R %u, spiking %d",
				seed, o.count, o.line, o.slot, o.step, o.zero, o.cur, o.threshold, o.leak, o.reset,
				o.refractory, o.spiking);
			fill_neurons(b, o);
			fill_acc(b);
			check_sweep(b, o, "sweep");
		}
	}
	// Back to back, starting the next in the cycle after o_done.
	th_case("seed %" PRIx64 ": 20 sweeps back to back", seed);
	for (unsigned i = 0; i < 20; i++) {
		sweep_op o = random_op((uint32_t)uniform(0, 40));
		fill_neurons(b, o);
		fill_acc(b);
		if (!check_sweep(b, o, "back to back"))
			break;
	}
}

// A conv core of c channels on p positions, its neurons channel-major from
// line 'line', its accumulators a group of 8 channels a plane of p words
// apart from word 'base' (docs/rtl.md, "Conv taps as pool lines"): swept
// a channel at a time, slot step 8, zeroing on each group's last channel,
// for t steps with fresh inputs each. The used words must end all zero,
// and the others untouched.
void conv_core(uint32_t channels, uint32_t p, uint32_t line, uint32_t base, unsigned t)
{
	bench b;
	sweep_op o = random_op(p);
	o.threshold = (int32_t)uniform(200, 3000);
	for (uint32_t n = 0; n < channels * p; n++)
		b.pool[line + n] = make_line((int32_t)uniform(-500, 500), 0, 0, (int32_t)uniform(-50, 50));
	for (unsigned s = 0; s < t; s++) {
		o.cur = s % 2;
		for (uint32_t g = 0; g < (channels + 7) / 8; g++)
			for (uint32_t w = 0; w < p; w++)
				for (auto &x : b.acc[base + g * p + w])
					x = (uint32_t)uniform(-1500, 2500) & mask(A);
		std::vector<word> before = b.acc;
		for (uint32_t c = 0; c < channels; c++) {
			o.line = line + c * p;
			o.slot = ((base + c / 8 * p) << 3) | (c % 8);
			o.step = 8;
			o.zero = c % 8 == 7 || c + 1 == channels;
			check_sweep(b, o, "channel");
		}
		unsigned nz = 0, moved = 0;
		for (uint32_t w = 0; w < WORDS; w++) {
			bool used = w >= base && w < base + (channels + 7) / 8 * p;
			for (unsigned l = 0; l < 8; l++) {
				nz += used && b.acc[w][l] != 0;
				moved += !used && b.acc[w][l] != before[w][l];
			}
		}
		th_expect(nz == 0, "step %u: %u lanes of the core's accumulators not zero after its sweeps", s, nz);
		th_expect(moved == 0, "step %u: %u lanes outside the core's accumulators changed", s, moved);
	}
}

// A conv core of 4 channels (slot step 4: two positions a word), swept a
// channel at a time, zeroing on the last channel.
void small_conv_core(uint32_t p, uint32_t line, uint32_t base, unsigned t)
{
	bench b;
	sweep_op o = random_op(p);
	o.threshold = (int32_t)uniform(200, 3000);
	for (uint32_t n = 0; n < 4 * p; n++)
		b.pool[line + n] = make_line((int32_t)uniform(-500, 500), 0, 0, (int32_t)uniform(-50, 50));
	const uint32_t words = (4 * p + 7) / 8;
	for (unsigned s = 0; s < t; s++) {
		o.cur = s % 2;
		for (uint32_t w = 0; w < words; w++)
			for (auto &x : b.acc[base + w])
				x = (uint32_t)uniform(-1500, 2500) & mask(A);
		std::vector<word> before = b.acc;
		for (uint32_t c = 0; c < 4; c++) {
			o.line = line + c * p;
			o.slot = (base << 3) + c;
			o.step = 4;
			o.zero = c == 3;
			check_sweep(b, o, "channel");
		}
		unsigned nz = 0, moved = 0;
		for (uint32_t w = 0; w < WORDS; w++) {
			bool used = w >= base && w < base + words;
			for (unsigned l = 0; l < 8; l++) {
				nz += used && b.acc[w][l] != 0;
				moved += !used && b.acc[w][l] != before[w][l];
			}
		}
		th_expect(nz == 0, "step %u: %u lanes of the core's accumulators not zero after its sweeps", s, nz);
		th_expect(moved == 0, "step %u: %u lanes outside the core's accumulators changed", s, moved);
	}
}

// A reset in the middle of a sweep stops it: busy low, no access, and
// the next sweep runs from the memories as the reset left them.
void reset_midway(void)
{
	bench b;
	for (unsigned cut : {0u, 1u, 2u, 5u, 8u, 9u, 30u}) {
		sweep_op o = random_op(40);
		fill_neurons(b, o);
		fill_acc(b);
		unsigned idle = b.bad_idle;
		b.run_reset(o, cut);
		th_expect(!b.busy(), "reset after %u cycles: o_busy still high", cut);
		for (unsigned c = 0; c < 10; c++)
			b.tick(nullptr);
		th_expect(b.bad_idle == idle, "reset after %u cycles: a memory access after it", cut);
		o = random_op((uint32_t)uniform(1, 30));
		fill_neurons(b, o);
		check_sweep(b, o, "after the reset");
	}
}

}	// namespace

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	for (uint64_t seed = 0x5eed0001u; seed <= 0x5eed0008u; seed++)
		random_sweeps(seed);
	rng_state = 0xC0DE0001u;
	th_case("dense core: 37 neurons, slot step 1, zeroing, 6 steps");
	{
		bench b;
		sweep_op o = random_op(37);
		o.line = 100;
		o.slot = 5 << 3;
		o.step = 1;
		o.zero = true;
		o.threshold = 1500;
		fill_neurons(b, o);
		for (unsigned s = 0; s < 6; s++) {
			o.cur = s % 2;
			for (uint32_t w = 5; w < 10; w++)
				for (auto &x : b.acc[w])
					x = (uint32_t)uniform(-1500, 2500) & mask(A);
			check_sweep(b, o, "dense");
			unsigned nz = 0;
			for (uint32_t w = 5; w < 10; w++)
				for (unsigned l = 0; l < 8; l++)
					nz += b.acc[w][l] != 0;
			th_expect(nz == 0, "step %u: %u lanes of the core's accumulators not zero", s, nz);
		}
	}
	th_case("conv core: 16 channels on 20 positions, slot step 8, 4 steps");
	conv_core(16, 20, 2000, 10, 4);
	th_case("conv core: 12 channels on 9 positions, slot step 8, 4 steps");
	conv_core(12, 9, LINES - 200, 230, 4);
	th_case("small conv core: 4 channels on 25 positions, slot step 4, 4 steps");
	small_conv_core(25, 500, 3, 4);
	th_case("small conv core: 4 channels on 6 positions, slot step 4, 4 steps");
	small_conv_core(6, 7000, 250, 4);
	th_case("reset in the middle of a sweep");
	reset_midway();
	printf("test_rtl_sweep: %" PRIu64 " sweeps, %" PRIu64 " neurons (%" PRIu64 " refractory, %" PRIu64
	       " saturated, %" PRIu64 " past NET_LINES, not written), %" PRIu64 " spikes, %" PRIu64
	       " accumulator words zeroed, %" PRIu64 " cycles\n",
	       total.sweeps, total.neurons, total.refractory, total.saturated, total.held, total.spikes,
	       total.zeroed, total.cycles);
	th_case("coverage of NET_LINES");
	th_expect(total.held > 1000, "only %" PRIu64 " neurons past NET_LINES: the guard is hardly tried",
		  total.held);
	return th_done("test_rtl_sweep");
}
