// rtl/snn_step_io.v through its registers, as rtl/fw/step.c drives it, against the C model of the same accelerators that test_fw_step runs the program over (tests/fw/step_model.c).
//
// The device is the iCEBreaker's (rtl/mk/step.mk, RTL_STEP_IO_G: LA 14,
// AA 8, membrane 20, bias 16, accumulators 20, 1,024 inputs, NET_LINES
// 14,464). The bench is the control processor's side of it: each sx_*()
// call of rtl/fw/step_accel.h is made as its inline (RISC-V) version makes
// it, register write by register write, with snn_ctrl's EXT_IO timing (a
// request held until o_ready, dropped at the edge that sees it, its word
// held until the next write, a few idle cycles between), and the same
// call is made on the model. The pool is modelled here in C++ (a read's
// line from the next cycle until the next read, garbage after a write):
// 16,384 lines, the network's 14,464 the model's pool too, the rest zero
// but for the step program's input bitmap (the model's bitmap) high up.
// While a run lasts the processor's pool port carries random writes,
// which must not reach the pool; between requests it makes reads, which
// must pass through. After every call the whole pool, the accumulators
// (read, never written, from the Verilated model's RAM, u_acc) and the
// call's answer are compared with the model's. Beside that: MUL against
// a x b, CYCLES against the bench's own count of edges since the reset,
// the sweep's spike monitor (o_spk_valid) against its count, and the
// rate encoder (PIX_INDEX, PIX_VALUE, ENCODE, ENC_EVENT), which the model
// does not have, against the golden rate encoder (lib/encode.c).
//
// Cases: per seed, three targets a case of the program's kinds (dense, and conv of
// stride 1, pool 1 or 2, padded, tiles offset, 1 to 16 channels), each
// fed by routes from neuron lines (spike bit 40 or 41) or from the bitmap,
// their coordinates wrapping in x and y, offset (the route's dc, dy, dx)
// so that some fall outside, run in one part or in several (a later part
// writes only RR_COUNT, SX_RUN_MORE); the spike search (find) over the
// target's neurons as to_host() walks them; the sweep as sweep() makes it
// (a dense core at once, a conv core a channel at a time), at random, and
// in one case a seed across NET_LINES; LA_ZERO; MUL; CYCLES; and every
// fourth case an encoded sample. Each case's pool is drawn anew and the
// model's accumulators start as the device's, so a case fails alone.
//
// The model and the device are held only to what the program does; where
// they differ outside it, the inputs stay inside (not a finding):
// - SW_THR: the model sign-extends the threshold, the device takes 1 ..
//   VMAX (the configuration's check): thresholds 1 .. VMAX here;
// - lines at or past NET_LINES: the model reads them as zero, the device
//   reads the pool; no run or scan reads there (the program keeps routes
//   and rows inside the network), and the one sweep that crosses
//   NET_LINES reads only the zero lines just past it (the model lax);
// - a find (sx_scan()) moves the route run's counters on the device, not
//   in the model: the first part of every route writes RR_FROM, RR_YX
//   and RR_C (only a later part of the same route is SX_RUN_MORE, with
//   nothing but CYCLES and MUL reads between, as in route_run());
// - the model's sx_cycles() is a sum of work, not the clock: CYCLES is
//   held to the bench's clock instead, MUL (not in the model) to a x b;
// - accumulator words stay below 2^AA and slots below 2^(AA + 3) (the
//   model faults on one outside, where the device wraps), sizes as
//   target_init() takes them (IN_C IN_H IN_W below 2^16, groups x plane
//   words at most 256).
// A fault the model records (its contract broken by a call) fails the
// case too: the bench's own inputs left the program's. (C++ only because
// Verilator's models are C++ classes.)
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "verilated.h"
#include "Vsnn_step_io.h"
#include "Vsnn_step_io___024root.h"

extern "C" {
#include "harness.h"
#include "snn/encode.h"
#include "snn/image.h"
#include "step_accel.h"
#include "step_model.h"
}

namespace {

// the device's parameters (rtl/mk/step.mk, RTL_STEP_IO_G)
const unsigned LA = 14, AA = 8, M = 20, B = 16, A = 20, INPUT_MAX = 1024;
const uint32_t POOL_LINES = 1u << LA, NET_LINES = 14464, WORDS = 1u << AA, SLOTS = WORDS * 8;
const int32_t VMAX = (1 << (M - 1)) - 1;
// the zero lines just past the network, then the input bitmap to the top
const uint32_t GAP_LINES = 64, BITMAP_LINE = NET_LINES + GAP_LINES,
	       BITMAP_LINES = POOL_LINES - BITMAP_LINE;
const unsigned SEEDS = 4, CASES = 12, ROUNDS = 3;	// targets a case
// a request not answered in this many cycles is a hang
const unsigned LIMIT = 4000000;

uint64_t rng_state;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

int32_t uniform(int32_t lo, int32_t hi)	// in [lo, hi]
{
	return lo + (int32_t)(rng() % (uint64_t)(hi - lo + 1));
}

bool chance(unsigned percent)
{
	return rng() % 100 < percent;
}

int32_t sext(uint32_t x, unsigned bits)
{
	uint32_t sign = 1u << (bits - 1);
	x &= (sign << 1) - 1;
	return (int32_t)(x ^ sign) - (int32_t)sign;
}

std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char *f, ...)
{
	char buf[300];
	va_list ap;
	va_start(ap, f);
	vsnprintf(buf, sizeof buf, f, ap);
	va_end(ap);
	return buf;
}

uint64_t total_calls, total_cycles;

// The device, its pool and the processor's side of its registers.
class bench {
public:
	explicit bench(VerilatedContext *ctx) : pool(POOL_LINES), d_(new Vsnn_step_io(ctx))
	{
		d_->i_valid = 0;
		d_->i_cpu_pool_en = 0;
		d_->i_cpu_pool_we = 0;
		d_->i_rst = 1;
		tick();
		tick();
		d_->i_rst = 0;
		reset_edge_ = edges_;
		tick();
	}
	~bench() { d_->final(); }

	std::vector<uint64_t> pool;
	unsigned spk_pulses = 0;	// o_spk_valid's pulses
	bool stuck = false;	// a request went unanswered: the device is not trusted further

	// accumulator word w's lane l, signed, from the RAM (read only)
	int32_t acc(unsigned w, unsigned l) const
	{
		const auto &word = d_->rootp->snn_step_io__DOT__u_acc__DOT__mem[w];
		uint32_t v = 0;
		for (unsigned i = 0; i < A; i++) {
			unsigned b = l * A + i;
			v |= (word[b / 32] >> (b % 32) & 1u) << i;
		}
		return sext(v, A);
	}

	// One request on the registers, as snn_ctrl's EXT_IO makes it; run:
	// the register starts a block that has the pool (the processor's
	// port carries garbage meanwhile). The answer (o_rdata).
	uint32_t req(unsigned reg, bool write, uint32_t wdata, bool run = false)
	{
		if (stuck)
			return 0;
		total_calls++;
		d_->i_valid = 1;
		d_->i_reg = reg;
		d_->i_write = write;
		if (write)	// snn_ctrl's o_ext_wdata: a read leaves the last word written
			d_->i_wdata = wdata;
		unsigned n = 0;
		for (;;) {
			tick();
			if (n++ == 0)
				last_start_ = edges_;
			if (d_->o_ready)
				break;
			if (n >= LIMIT) {
				th_expect(false, "register %u (%s) of %08x: no o_ready in %u cycles", reg,
					  write ? "write" : "read", wdata, n);
				stuck = true;
				d_->i_valid = 0;
				return 0;
			}
			if (run) {	// the block has the pool: none of this may reach it
				d_->i_cpu_pool_en = 1;
				d_->i_cpu_pool_we = 1;
				d_->i_cpu_pool_be = (uint8_t)rng();
				d_->i_cpu_pool_line = (uint32_t)rng() % POOL_LINES;
				d_->i_cpu_pool_wdata = rng();
			}
		}
		d_->i_cpu_pool_en = 0;
		d_->i_cpu_pool_we = 0;
		uint32_t r = d_->o_rdata;
		tick();	// the processor's edge that takes the answer
		d_->i_valid = 0;
		th_expect(!d_->o_ready, "register %u: o_ready high two cycles", reg);
		// the processor's next instructions: reads of the pool pass through
		for (unsigned gap = (unsigned)(rng() % 4); gap; gap--) {
			bool en = chance(50);
			uint32_t line = (uint32_t)rng() % POOL_LINES;
			d_->i_cpu_pool_en = en;
			d_->i_cpu_pool_line = line;
			d_->i_clk = 0;
			d_->eval();
			th_expect(d_->o_pool_en == en && !d_->o_pool_we && (!en || d_->o_pool_line == line),
				  "the processor's pool read (en %d line %u) not passed through: en %d we %d line %u",
				  en, line, d_->o_pool_en, d_->o_pool_we, d_->o_pool_line);
			tick();
		}
		d_->i_cpu_pool_en = 0;
		return r;
	}

	void wr(unsigned reg, uint32_t v, bool run = false) { req(reg, true, v, run); }
	uint32_t rd(unsigned reg) { return req(reg, false, 0); }

	// CYCLES as read at the edge after the last request's start edge
	// (a read answers from its register a cycle after the request): the
	// edges after the reset's up to that one
	uint32_t cycles_expected() const { return (uint32_t)(last_start_ - reset_edge_); }

private:
	void tick()
	{
		d_->i_pool_rdata = rdata_;
		d_->i_clk = 0;
		d_->eval();
		bool en = d_->o_pool_en, we = d_->o_pool_we;
		unsigned be = d_->o_pool_be, line = d_->o_pool_line;
		uint64_t wdata = d_->o_pool_wdata;
		spk_pulses += d_->o_spk_valid;
		d_->i_clk = 1;
		d_->eval();
		edges_++;
		total_cycles++;
		if (en && we) {
			for (unsigned b = 0; b < 8; b++)
				if (be >> b & 1u)
					pool[line] = (pool[line] & ~(0xFFull << 8 * b)) | (wdata & 0xFFull << 8 * b);
			rdata_ = rng();	// the SPRAM's output after a write: undefined
		} else if (en) {
			rdata_ = pool[line];
		}
	}

	std::unique_ptr<Vsnn_step_io> d_;
	uint64_t rdata_ = 0, edges_ = 0, reset_edge_ = 0, last_start_ = 0;
};

// what the cases covered, for the summary
struct counts {
	unsigned dense, conv, pool2, map_runs, line41, more_parts, finds, found, sweeps, encodes;
	uint64_t events, spikes;
} totals;

// ---- the calls: rtl/fw/step_accel.h's inline versions on the device, the
// ---- model's beside them ------------------------------------------------

struct both {
	bench &b;
	step_model &m;
	std::vector<uint64_t> high;	// the device's lines past the network, as they must stay
	std::string what;	// the call in hand, for the messages

	// the pool, the accumulators and the model's faults after a call
	bool same()
	{
		if (b.stuck)
			return false;
		bool ok = true;
		if (m.fault[0]) {
			th_expect(false, "%s: the model's contract broken (the bench's inputs): %s", what.c_str(),
				  m.fault);
			m.fault[0] = 0;
			ok = false;
		}
		for (uint32_t l = 0; l < NET_LINES && ok; l++) {
			uint64_t want = 0;
			for (unsigned k = 0; k < 8; k++)
				want |= (uint64_t)m.pool[8u * l + k] << 8 * k;
			if (b.pool[l] != want) {
				ok = th_expect(false, "%s: pool line %u is %016" PRIx64 ", model %016" PRIx64,
					       what.c_str(), l, b.pool[l], want);
				std::memcpy(&m.pool[8u * l], &b.pool[l], 8);	// one message
			}
		}
		for (uint32_t l = NET_LINES; l < POOL_LINES && ok; l++)
			if (b.pool[l] != high[l - NET_LINES]) {
				ok = th_expect(false, "%s: pool line %u past NET_LINES is %016" PRIx64 ", was %016" PRIx64,
					       what.c_str(), l, b.pool[l], high[l - NET_LINES]);
				b.pool[l] = high[l - NET_LINES];
			}
		for (unsigned w = 0; w < WORDS && ok; w++)
			for (unsigned l = 0; l < 8 && ok; l++)
				if (b.acc(w, l) != m.acc[8 * w + l])
					ok = th_expect(false, "%s: accumulator word %u lane %u is %d, model %d",
						       what.c_str(), w, l, b.acc(w, l), m.acc[8 * w + l]);
		if (!ok)
			resync();
		return ok;
	}

	// the model's accumulators from the device's (a case's start, or
	// after a difference, so that one does not fail every later call)
	void resync()
	{
		for (unsigned w = 0; w < WORDS; w++)
			for (unsigned l = 0; l < 8; l++)
				m.acc[8 * w + l] = b.acc(w, l);
	}

	void answer(const char *name, uint32_t dev, uint32_t model)
	{
		th_expect(dev == model, "%s: %s is %#x, model %#x", what.c_str(), name, dev, model);
	}

	void acc_zero(uint32_t words)
	{
		what = fmt("LA_ZERO %u", words);
		b.wr(SNN_SIO_LA_ZERO, words, true);
		sx_acc_zero(words);
		same();
	}

	void sweep_params(uint32_t param, uint32_t thr)
	{
		b.wr(SNN_SIO_SW_PARAM, param);
		b.wr(SNN_SIO_SW_THR, thr);
		sx_sweep_params(param, thr);
	}

	uint32_t sweep(uint32_t line, uint32_t count, uint32_t slot, uint32_t flags)
	{
		what = fmt("sweep of %u from line %u, slot %u, flags %#x (param %#x, threshold %u)", count, line,
			   slot, flags, m.param, m.threshold);
		unsigned p0 = b.spk_pulses;
		b.wr(SNN_SIO_SW_LINE, line);
		b.wr(SNN_SIO_SW_SLOT, slot | flags << 16);
		b.wr(SNN_SIO_SW_RUN, count, true);
		uint32_t got = b.rd(SNN_SIO_SW_RUN);
		uint32_t want = sx_sweep(line, count, slot, flags);
		answer("SW_RUN (spikes)", got, want);
		totals.spikes += want;
		th_expect(b.spk_pulses - p0 == got, "%s: %u o_spk_valid pulses for %u spikes", what.c_str(),
			  b.spk_pulses - p0, got);
		same();
		return want;
	}

	uint32_t scan(uint32_t line, uint32_t end, uint32_t bit)
	{
		what = fmt("scan of lines %u .. %u, bit %u", line, end, 40 + bit);
		uint32_t got = end;
		if (line < end) {	// as sx_scan(): nothing asked otherwise
			b.wr(SNN_SIO_RR_FROM, line);
			b.wr(SNN_SIO_RR_COUNT, (end - line) | SX_RUN_FIND | (bit ? SX_RUN_BIT41 : 0));
			b.wr(SNN_SIO_RR_RUN, 0, true);
			uint32_t r = b.rd(SNN_SIO_RR_RUN);
			got = r & SX_RUN_FOUND ? (r & 0x7FFFu) | SX_SCAN_FOUND : end;
		}
		uint32_t want = sx_scan(line, end, bit);
		answer("the scan's answer", got, want);
		totals.finds++;
		totals.found += !!(want & SX_SCAN_FOUND);
		same();
		return want;
	}

	void tap_shape(uint32_t oh, uint32_t ow, uint32_t kh, uint32_t kw, uint32_t groups, uint32_t pw,
		       uint32_t plane)
	{
		b.wr(SNN_SIO_TW_SIZE, oh | ow << 16);
		b.wr(SNN_SIO_TW_KERNEL, kh | kw << 8 | groups << 16 | pw << 24);
		b.wr(SNN_SIO_TW_PLANE, plane);
		sx_tap_shape(oh, ow, kh, kw, groups, pw, plane);
	}

	void run_target(uint32_t in_c, uint32_t lim_h, uint32_t lim_w, uint32_t lines, uint32_t aux,
			uint32_t syn, uint32_t flags)
	{
		b.wr(SNN_SIO_GT_SIZE, in_c | lim_h << 16);
		b.wr(SNN_SIO_GT_SIZE_X, lim_w | lines << 16);
		b.wr(SNN_SIO_GT_AUX, aux);
		b.wr(SNN_SIO_GT_SYN, syn | flags);
		sx_run_target(in_c, lim_h, lim_w, lines, aux, syn, flags);
	}

	void run_coords(uint32_t c, uint32_t y, uint32_t x, uint32_t x0, uint32_t x1, uint32_t y0, uint32_t y1)
	{
		b.wr(SNN_SIO_RR_YX, (y & 0xFFFFu) | x << 16);
		b.wr(SNN_SIO_RR_C, c & 0xFFFFu);
		b.wr(SNN_SIO_RR_WRAP_X, (x0 & 0xFFFFu) | x1 << 16);
		b.wr(SNN_SIO_RR_WRAP_Y, (y0 & 0xFFFFu) | y1 << 16);
		sx_run_coords(c, y, x, x0, x1, y0, y1);
	}

	uint32_t route_run(uint32_t from, uint32_t count, uint32_t flags)
	{
		what = (flags & SX_RUN_MORE ? fmt("route run of %u more%s", count, flags & SX_RUN_BIT41 ? ", bit 41" : "")
			: fmt("route run of %u from %s%u%s", count, flags & SX_RUN_MAP ? "bit " : "line ", from,
			      flags & SX_RUN_BIT41 ? ", bit 41" : "")) + ctx;
		if (!(flags & SX_RUN_MORE))
			b.wr(SNN_SIO_RR_FROM, from | (flags & SX_RUN_MAP));
		b.wr(SNN_SIO_RR_COUNT, count | (flags & SX_RUN_BIT41));
		b.wr(SNN_SIO_RR_RUN, 0, true);
		uint32_t got = b.rd(SNN_SIO_RR_RUN);
		uint32_t want = sx_route_run(from, count, flags);
		answer("RR_RUN (rows or taps)", got, want);
		totals.events += want;
		same();
		return want;
	}

	void mul(uint32_t a, uint32_t c)
	{
		b.wr(SNN_SIO_MUL, a | c << 16);
		uint32_t got = b.rd(SNN_SIO_MUL);
		th_expect(got == a * c, "MUL %u x %u is %u", a, c, got);
	}

	void cycles()
	{
		uint32_t got = b.rd(SNN_SIO_CYCLES);
		th_expect(got == b.cycles_expected(), "%s, then CYCLES: %u, the bench's clock %u", what.c_str(),
			  got, b.cycles_expected());
	}

	std::string ctx;	// the target and route, for a route run's messages
};

// ---- the pool's contents ------------------------------------------------

// Random lines, their spike bits 40 and 41 each set with the case's
// density; the gap past the network zero; the bitmap's bits with its
// density. The model's pool and bitmap from the device's.
void fill_pool(both &x, std::vector<uint32_t> &bitmap, unsigned spike_per_64, unsigned map_per_64)
{
	auto bits = [](unsigned per_64) {
		uint64_t v = 0;
		for (unsigned k = 0; k < 64; k++)
			v |= (uint64_t)(rng() % 64 < per_64) << k;
		return v;
	};
	for (uint32_t l = 0; l < NET_LINES; l++) {
		uint64_t v = rng() & ~(3ull << 40);
		if (chance(75))	// most neurons not refractory, so that sweeps spike
			v &= ~(0xFull << 32);
		v |= (uint64_t)(rng() % 64 < spike_per_64) << 40 | (uint64_t)(rng() % 64 < spike_per_64) << 41;
		x.b.pool[l] = v;
		std::memcpy(&x.m.pool[8u * l], &v, 8);
	}
	for (uint32_t l = NET_LINES; l < BITMAP_LINE; l++)
		x.b.pool[l] = 0;
	for (uint32_t l = 0; l < BITMAP_LINES; l++) {
		uint64_t v = bits(map_per_64);
		x.b.pool[BITMAP_LINE + l] = v;
		bitmap[2 * l] = (uint32_t)v;
		bitmap[2 * l + 1] = (uint32_t)(v >> 32);
	}
	x.high.assign(x.b.pool.begin() + NET_LINES, x.b.pool.end());
}


// ---- a target and its routes, as step.c's target_init() and route_run() -

struct target {
	bool conv;
	uint32_t in_c, in_h, in_w, lim_h, lim_w, lines, syn;
	// dense
	uint32_t axons;
	// conv
	uint32_t kh, kw, nc, groups, pw, p, oh, ow, plane, ps;
	int32_t pdy, pdx;
};

uint32_t small_lanes(uint32_t nc)
{
	uint32_t p = 1;
	while (p < nc)
		p <<= 1;
	return p;
}

target make_target(both &x, bool conv)
{
	target g = {};
	g.conv = conv;
	bool big = chance(25);	// an image's size
	g.in_c = (uint32_t)uniform(1, big ? 1 : 3);
	g.in_h = (uint32_t)uniform(1, big ? 28 : 14);
	g.in_w = (uint32_t)uniform(1, big ? 28 : 14);
	if (!conv) {
		if (chance(35)) {	// after a dense core: IN_C its neurons
			g.in_c = (uint32_t)uniform(1, 300);
			g.in_h = g.in_w = 1;
		}
		uint32_t chw = g.in_c * g.in_h * g.in_w;
		g.lim_h = g.in_h;
		g.lim_w = g.in_w;
		g.lines = (uint32_t)uniform(1, 12);	// N_NEURONS / 8
		switch (rng() % 4) {	// N_AXONS: all, fewer (the bound), more, any
		case 0: g.axons = chw; break;
		case 1: g.axons = chw - (uint32_t)uniform(1, (int32_t)(chw / 2 + 1)) % chw; break;
		case 2: g.axons = chw + (uint32_t)uniform(1, 50); break;
		default: g.axons = (uint32_t)uniform(0, (int32_t)chw); break;
		}
		uint32_t rows = g.axons < chw ? g.axons : chw;
		g.syn = (uint32_t)uniform(0, (int32_t)(NET_LINES - rows * g.lines));
		x.run_target(g.in_c, g.lim_h, g.lim_w, g.lines, g.axons, g.syn, 0);
		x.ctx = fmt(" into dense IN %ux%ux%u, %u lines a row, N_AXONS %u, SYN %u", g.in_c, g.in_h, g.in_w,
			    g.lines, g.axons, g.syn);
		return g;
	}
	g.ps = (uint32_t)uniform(0, 1);
	g.in_h = (uint32_t)uniform(1 + g.ps, big ? 28 : 16);
	g.in_w = (uint32_t)uniform(1 + g.ps, big ? 28 : 16);
	g.lim_h = g.in_h >> g.ps << g.ps;	// the pooled map's rows times the pool
	g.lim_w = g.in_w >> g.ps << g.ps;
	g.kh = (uint32_t)uniform(1, 5);
	g.kw = (uint32_t)uniform(1, 5);
	// the channels: each lanes-a-position layout alike (pw 3, 2, 1: 1, 2,
	// 3 or 4 channels), and 5 to 16 (pw 0, one or two groups)
	static const int32_t nc_lo[] = {1, 2, 3, 5}, nc_hi[] = {1, 2, 4, 16};
	unsigned layout = (unsigned)(rng() % 4);
	g.nc = (uint32_t)uniform(nc_lo[layout], nc_hi[layout]);
	g.groups = (g.nc + 7) / 8;
	g.p = g.nc >= 8 ? 8 : small_lanes(g.nc);
	g.pw = 0;
	for (uint32_t per = 8 / g.p; per > 1; per >>= 1)
		g.pw++;
	// a tile of the output of a padded stride-1 conv of the pooled input
	// (PAD_Y - OUT_Y0 and PAD_X - OUT_X0, as target_init() makes them),
	// at most 8 x 8 (the accumulators' 256 words hold two groups' planes)
	auto tile = [](uint32_t in, uint32_t k, uint32_t &o, int32_t &pd) {
		int32_t pad = uniform(0, (int32_t)k - 1), full = (int32_t)in + 2 * pad - (int32_t)k + 1;
		if (full < 1) {	// a kernel past the map: pad it out
			pad += 1 - full;
			full = 1;
		}
		int32_t o0 = uniform(0, full - 1), n = uniform(1, 8);
		o = (uint32_t)(n < full - o0 ? n : full - o0);
		pd = pad - o0;
	};
	tile(g.lim_h >> g.ps, g.kh, g.oh, g.pdy);
	tile(g.lim_w >> g.ps, g.kw, g.ow, g.pdx);
	if (chance(15)) {	// a tile the events miss, or half miss
		g.pdy += uniform(-3, 3);
		g.pdx += uniform(-3, 3);
	}
	g.plane = g.oh * g.ow;
	g.lines = g.kh * g.kw * g.groups;	// a channel's
	g.syn = (uint32_t)uniform(0, (int32_t)(NET_LINES - g.in_c * g.lines));
	x.tap_shape(g.oh, g.ow, g.kh, g.kw, g.groups, g.pw, g.plane);
	x.run_target(g.in_c, g.lim_h, g.lim_w, g.lines, ((uint32_t)g.pdy & 0xFFFFu) | (uint32_t)g.pdx << 16, g.syn,
		     SX_TARGET_CONV | (g.ps ? SX_TARGET_POOL2 : 0));
	x.ctx = fmt(" into conv IN %ux%ux%u (limits %ux%u), pool %u, K %ux%u, OUT %ux%u of %u channels "
		    "(pw %u), PD %d,%d, SYN %u",
		    g.in_c, g.in_h, g.in_w, g.lim_h, g.lim_w, 1 + g.ps, g.kh, g.kw, g.oh, g.ow, g.nc, g.pw, g.pdy,
		    g.pdx, g.syn);
	return g;
}

// A route into g from a C x h x w source (neuron lines from a random base,
// spike bit 40 or 41, or the bitmap), positions [lo, hi), its offsets
// random; in parts, the later ones SX_RUN_MORE.
void route(both &x, const target &g)
{
	// a dense source's neurons are at (n, 0, 0): mostly into a flat
	// target (a dense core's after a dense core), rarely into others
	bool flat = g.in_h == 1 && g.in_w == 1;
	bool map = chance(30), dense_src = !map && chance(flat ? 80 : 10);
	// a source of the target's input's size, or about it, so that most
	// positions land inside and some outside
	auto near = [](uint32_t v) { return (uint32_t)uniform(v > 2 ? (int32_t)v - 2 : 1, (int32_t)v + 2); };
	bool exact = chance(60);
	uint32_t sc = dense_src && !flat ? (uint32_t)uniform(1, 200) : exact ? g.in_c : near(g.in_c);
	uint32_t sh = dense_src ? 1 : exact ? g.in_h : near(g.in_h), sw = dense_src ? 1 : exact ? g.in_w : near(g.in_w);
	uint32_t n = sc * sh * sw;
	uint32_t lo = chance(60) ? 0 : (uint32_t)uniform(0, (int32_t)n - 1);
	uint32_t hi = chance(60) ? n : (uint32_t)uniform((int32_t)lo + 1, (int32_t)n);
	// the route's offsets (a tile's, a concatenation's): mostly none
	bool offset = chance(40);
	int32_t dc = offset && chance(30) ? uniform(-1, 1) : 0, dy = offset ? uniform(-3, 3) : 0,
		dx = offset ? uniform(-3, 3) : 0;
	uint32_t at = map ? 64 * BITMAP_LINE : (uint32_t)uniform(0, (int32_t)(NET_LINES - n));
	uint32_t flags = map ? SX_RUN_MAP : chance(50) ? SX_RUN_BIT41 : 0;
	totals.map_runs += map;
	totals.line41 += !!(flags & SX_RUN_BIT41);
	// walk_start(): the first position's coordinate
	int32_t c = (int32_t)(lo / (sh * sw)), y = (int32_t)(lo % (sh * sw) / sw), xx = (int32_t)(lo % sw);
	std::string gctx = x.ctx;
	x.ctx += fmt(", source %ux%ux%u at %u, positions %u .. %u, offsets %d,%d,%d", sc, sh, sw, at, lo, hi, dc,
		     dy, dx);
	x.run_coords((uint32_t)(c + dc), (uint32_t)(y + dy), (uint32_t)(xx + dx), (uint32_t)dx, sw + (uint32_t)dx,
		     (uint32_t)dy, sh + (uint32_t)dy);
	unsigned nparts = chance(40) ? 1 : (unsigned)uniform(2, 5);
	for (uint32_t p = lo; p < hi;) {
		uint32_t q = nparts <= 1 ? hi : p + (uint32_t)uniform(1, (int32_t)((hi - p + nparts - 1) / nparts));
		if (q > hi)
			q = hi;
		x.route_run(p == lo ? at + p : (uint32_t)rng() & 0xFFFFFu, q - p, flags | (p == lo ? 0 : SX_RUN_MORE));
		totals.more_parts += p != lo;
		if (nparts > 1)
			nparts--;
		p = q;
		if (chance(30))	// the watchdog's read between parts
			x.cycles();
		if (chance(15))
			x.mul((uint32_t)rng() & 0xFFFFu, (uint32_t)rng() & 0xFFFFu);
	}
	x.ctx = gctx;
}

// SW_PARAM and a threshold of 1 .. VMAX (the model sign-extends it)
void params(both &x)
{
	uint32_t param = (uint32_t)rng() & 0xFFFu;
	if (chance(50))
		param |= SX_PARAM_SUBTRACT;
	if (chance(80))
		param |= SX_PARAM_SPIKING;
	uint32_t thr = chance(70) ? (uint32_t)uniform(1, 300) : (uint32_t)uniform(1, VMAX);
	x.sweep_params(param, thr);
}

// The target's neurons through the sweep, as step.c's sweep() does; the
// target's accumulators end zero.
void sweep_target(both &x, const target &g, uint32_t cur)
{
	params(x);
	uint32_t flags = cur ? SX_SWEEP_CUR : 0;
	if (!g.conv) {
		uint32_t n = 8 * g.lines;
		x.sweep((uint32_t)uniform(0, (int32_t)(NET_LINES - n)), n, 0, flags | 1u | SX_SWEEP_ZERO);
		return;
	}
	uint32_t line = (uint32_t)uniform(0, (int32_t)(NET_LINES - g.nc * g.plane));
	for (uint32_t k = 0; k < g.nc; k++) {
		uint32_t slot = g.nc >= 8 ? (k / 8) * g.plane * 8 + k % 8 : k;
		bool last = k + 1 == g.nc || (g.nc >= 8 && k % 8 == 7);
		x.sweep(line + k * g.plane, g.plane, slot, flags | g.p | (last ? SX_SWEEP_ZERO : 0));
	}
}

// ---- the encoder against lib/encode.c's rate encoder ---------------------

std::vector<uint32_t> golden_events;

void on_golden(void *ctx, uint32_t index)
{
	(void)ctx;
	golden_events.push_back(index);
}

// The device's events of one step, until ENC_EVENT answers done.
std::vector<uint32_t> device_events(bench &b)
{
	std::vector<uint32_t> ev;
	for (unsigned k = 0; k <= INPUT_MAX + 1; k++) {
		uint32_t q = b.rd(SNN_SIO_ENC_EVENT);
		if (q & SNN_SIO_ENC_DONE || b.stuck)
			return ev;
		ev.push_back(q);
	}
	th_expect(false, "ENC_EVENT: more events than inputs");
	return ev;
}

void encoder_sample(both &x)
{
	bench &b = x.b;
	// the configuration's load: every value zeroed (dev_pixels_zero())
	b.wr(SNN_SIO_ENCODE, SNN_SIO_ENCODE_ZERO);
	th_expect(device_events(b).empty(), "ENC_EVENT after ENCODE zero: events");
	std::vector<uint8_t> px(INPUT_MAX, 0);
	uint32_t n = chance(30) ? INPUT_MAX : (uint32_t)uniform(1, INPUT_MAX);
	// PIXELS: runs of values from PIX_INDEX, some past n (never encoded)
	for (unsigned runs = (unsigned)uniform(1, 6); runs; runs--) {
		uint32_t at = (uint32_t)uniform(0, INPUT_MAX - 1), len = (uint32_t)uniform(1, 200);
		b.wr(SNN_SIO_PIX_INDEX, at);
		for (uint32_t k = 0; k < len && at + k < INPUT_MAX; k++) {
			uint8_t v = chance(40) ? 0 : chance(10) ? 255 : (uint8_t)rng();
			b.wr(SNN_SIO_PIX_VALUE, v | ((uint32_t)rng() & 0xFFFFFF00u));	// bits 7:0 taken
			px[at + k] = v;
		}
	}
	snn_encoder enc;
	if (snn_encoder_init(&enc, SNN_ENC_RATE, n)) {
		th_expect(false, "snn_encoder_init");
		return;
	}
	snn_encoder_start(&enc, px.data(), 0);
	unsigned steps = (unsigned)uniform(2, 6);
	for (unsigned t = 0; t < steps; t++) {
		b.wr(SNN_SIO_ENCODE, n | (t == 0 ? SNN_SIO_ENCODE_FIRST : 0));
		std::vector<uint32_t> got = device_events(b);
		golden_events.clear();
		snn_encoder_step(&enc, on_golden, nullptr);
		if (got != golden_events) {
			size_t k = 0;
			while (k < got.size() && k < golden_events.size() && got[k] == golden_events[k])
				k++;
			th_expect(false, "encoder step %u of %u inputs: %zu events, golden %zu; event %zu is %d, golden %d",
				  t + 1, n, got.size(), golden_events.size(), k, k < got.size() ? (int)got[k] : -1,
				  k < golden_events.size() ? (int)golden_events[k] : -1);
		}
	}
	snn_encoder_free(&enc);
	x.what = "the encoder";
	x.same();	// it touches neither the pool nor the accumulators
}

// ---- a case ---------------------------------------------------------------


void one_case(both &x, std::vector<uint32_t> &bitmap, uint64_t seed, unsigned k)
{
	bool conv = k % 2 == 1;
	static const unsigned dens[] = {4, 16, 32, 48};
	unsigned sd = dens[rng() % 4], md = dens[rng() % 4];
	th_case("seed %" PRIx64 " case %u (%s target, spike density %u/64, bitmap %u/64)", seed, k,
		conv ? "conv" : "dense", sd, md);
	fill_pool(x, bitmap, sd, md);
	x.resync();
	x.what = "the case's start";
	x.cycles();
	x.acc_zero(chance(20) ? 0 : (uint32_t)uniform(1, (int32_t)WORDS));
	x.mul((uint32_t)rng() & 0xFFFFu, (uint32_t)rng() & 0xFFFFu);
	x.mul(0xFFFFu, chance(50) ? 0xFFFFu : 0);

	for (unsigned round = 0; round < ROUNDS; round++) {	// targets one after the other, as a step's
		target g = make_target(x, conv);
		totals.dense += !conv;
		totals.conv += conv;
		totals.pool2 += conv && g.ps;
		for (unsigned r = (unsigned)uniform(6, 12); r; r--)
			route(x, g);
		x.cycles();

		// the spike search over the target's neurons, as to_host() walks it
		uint32_t cur = (uint32_t)uniform(0, 1);
		for (unsigned s = (unsigned)uniform(1, 3); s; s--) {
			uint32_t len = (uint32_t)uniform(1, chance(20) ? 3000 : 300);
			uint32_t base = (uint32_t)uniform(0, (int32_t)(NET_LINES - len));
			uint32_t at = base, end = base + len, found;
			unsigned walks = 0;
			while ((found = x.scan(at, end, cur)) & SX_SCAN_FOUND && walks++ < 40)
				at = (found & ~SX_SCAN_FOUND) + 1;
		}
		// a route after the scans starts over (the program's next gather)
		route(x, g);

		sweep_target(x, g, cur);
		totals.sweeps++;
		for (unsigned r = (unsigned)uniform(1, 2); r; r--) {	// sweeps at random: slots, steps, zeroing
			params(x);
			uint32_t step = (uint32_t)uniform(1, 8), count = (uint32_t)uniform(0, 250);
			uint32_t slot = (uint32_t)uniform(0, (int32_t)(SLOTS - 1 - count * step));
			uint32_t flags = step | (chance(50) ? SX_SWEEP_ZERO : 0) | (chance(50) ? SX_SWEEP_CUR : 0);
			x.sweep((uint32_t)uniform(0, (int32_t)(NET_LINES - count)), count, slot, flags);
			totals.sweeps++;
		}
	}
	if (k == 5) {	// across NET_LINES into the zero lines past it: none written
		params(x);
		uint32_t count = (uint32_t)uniform(2, 60), line = NET_LINES - (uint32_t)uniform(1, (int32_t)count - 1);
		x.m.lax = true;
		x.sweep(line, count, (uint32_t)uniform(0, 500), 1u | SX_SWEEP_ZERO);
		x.m.lax = false;
		totals.sweeps++;
	}
	if (k % 4 == 3) {
		encoder_sample(x);
		totals.encodes++;
	}
	x.cycles();
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	ctx->randReset(2);
	const uint64_t seeds[SEEDS] = {0x5eedu, 0xA11CE5u, 0xBADC0DEu, 0x1234567u};
	clock_t t0 = clock();
	for (uint64_t seed : seeds) {
		rng_state = seed;
		bench b(ctx.get());
		std::vector<uint8_t> mpool(8u * NET_LINES);
		std::vector<int32_t> macc(8u * WORDS);
		std::vector<uint32_t> bitmap(2u * BITMAP_LINES);
		step_model m;
		std::memset(&m, 0, sizeof m);
		m.pool = mpool.data();
		m.lines = NET_LINES;
		m.acc = macc.data();
		m.words = WORDS;
		m.line_bits = LA;
		m.membrane_bits = M;
		m.bias_bits = B;
		m.acc_bits = A;
		m.bitmap = bitmap.data();
		m.bitmap_line = BITMAP_LINE;
		m.bitmap_lines = BITMAP_LINES;
		step_model_now = &m;
		both x{b, m, {}, "", ""};
		for (unsigned k = 0; k < CASES && !b.stuck; k++)
			one_case(x, bitmap, seed, k);
		step_model_now = nullptr;
	}
	printf("test_rtl_step_io: %u seeds x %u cases: %u dense and %u conv targets (%u of pool 2), "
	       "%u map runs and %u of bit 41, %u later parts (more), %" PRIu64 " rows and taps added, "
	       "%u scans (%u found), %u sweeps (%" PRIu64 " spikes), %u encoded samples; %" PRIu64 " register requests, %" PRIu64 " cycles, %.1f s\n",
	       SEEDS, CASES, totals.dense, totals.conv, totals.pool2, totals.map_runs, totals.line41,
	       totals.more_parts, totals.events, totals.finds, totals.found, totals.sweeps, totals.spikes, totals.encodes, total_calls,
	       total_cycles, (double)(clock() - t0) / CLOCKS_PER_SEC);
	return th_done("test_rtl_step_io");
}
