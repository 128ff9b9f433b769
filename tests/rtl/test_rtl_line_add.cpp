// rtl/snn_line_add.v against the line add of docs/rtl.md's contract, written here in C, with the pool and the accumulator RAM modelled in C++ cycle by cycle.
//
// Each model is one of rtl/mk/accel_scan.mk (RTL_LADD_SETS): the
// iCEBreaker's widths, and a small one whose line and word addresses and
// sums wrap within a few dozen lines. The pool model answers a read the
// next cycle and holds it until the next read (garbage after a write, and
// before a start, as if the program had just written the pool); the
// accumulator model is snn_ram_sdp's (read data the next cycle, held while
// re is low) and fails the test on a read of the word written in the same
// cycle. After every operation the whole accumulator RAM must equal the
// reference's, the pool must be unchanged, o_done must have come exactly
// once, count + 3 cycles after i_start (1 for count 0), with o_busy high
// in between and no access to either memory while o_busy is low. (C++
// only because Verilator's models are C++ classes.)
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <memory>
#include <vector>

#include "verilated.h"
#include "line_add_models.h"

extern "C" {
#include "harness.h"
}

namespace {

uint64_t rng_state;
uint64_t total_ops, total_cycles;	// for the summary

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

// Bits [pos, pos + n) of a Verilated wide port (n <= 32).
template <class W>
uint32_t get_bits(const W &w, unsigned pos, unsigned n)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint32_t)(w[(pos + i) / 32] >> ((pos + i) % 32) & 1u) << i;
	return v;
}

template <class W>
void put_bits(W &w, unsigned pos, unsigned n, uint32_t v)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned b = pos + i;
		w[b / 32] = (w[b / 32] & ~(1u << (b % 32))) | (v >> i & 1u) << (b % 32);
	}
}

struct op {
	unsigned line, count, word, step, mask;
};

struct acc_word {
	uint32_t lane[8];
};

// The contract's line add, from its text: for k = 0 .. count - 1, every
// lane l in the mask of word (word + k x step) mod 2^AA gains byte l of
// line (line + k) mod 2^LA, as a signed 8-bit value, wrapping at ACC_BITS.
void reference(std::vector<acc_word> &acc, const std::vector<uint64_t> &pool, const op &o,
	       unsigned la, unsigned aa, unsigned acc_bits)
{
	uint32_t amask = acc_bits == 32 ? 0xFFFFFFFFu : (1u << acc_bits) - 1;
	for (unsigned k = 0; k < o.count; k++) {
		uint64_t w = (o.word + (uint64_t)k * o.step) % (1u << aa);
		uint64_t l = (o.line + (uint64_t)k) % (1u << la);
		for (unsigned ln = 0; ln < 8; ln++) {
			if (!(o.mask >> ln & 1))
				continue;
			int8_t b = (int8_t)(uint8_t)(pool[l] >> (8 * ln));
			acc[w].lane[ln] = (uint32_t)(acc[w].lane[ln] + (int64_t)b) & amask;
		}
	}
}

template <class Model, unsigned LA, unsigned AA, unsigned ACC>
class bench {
public:
	explicit bench(VerilatedContext *ctx, const char *name)
		: dut_(new Model(ctx)), name_(name), pool_(1u << LA), acc_(1u << AA)
	{
		for (auto &p : pool_)
			p = rng();
		for (auto &a : acc_)
			for (auto &v : a.lane)
				v = (uint32_t)rng() & AMASK;
		dut_->i_start = 0;	// inputs start random (randReset(2))
		dut_->i_rst = 1;
		tick();
		tick();
		dut_->i_rst = 0;
		tick();
		checking_ = true;	// the registers were random until the reset
	}
	~bench() { dut_->final(); }

	static constexpr unsigned LINES = 1u << LA, WORDS = 1u << AA;
	static constexpr uint32_t AMASK = ACC == 32 ? 0xFFFFFFFFu : (1u << ACC) - 1;

	std::vector<uint64_t> &pool() { return pool_; }
	std::vector<acc_word> &acc() { return acc_; }

	// Records a failure, the first few with a message.
	void fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)))
	{
		char buf[300];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
		if (checking_)
			th_expect(false, "%s cycle %" PRIu64 ": %s", name_, cycles_, buf);
	}

	// One clock: the memories' outputs as they stand, the inputs already
	// set by the caller; checks this cycle's accesses, then models them.
	void tick()
	{
		dut_->i_pool_rdata = pool_rdata_;
		for (unsigned ln = 0; ln < 8; ln++)
			put_bits(dut_->i_acc_rdata, ACC * ln, ACC, acc_rdata_.lane[ln]);
		dut_->i_clk = 0;
		dut_->eval();
		busy = dut_->o_busy;
		done = dut_->o_done;
		bool pen = dut_->o_pool_en, pwe = dut_->o_pool_we, are = dut_->o_acc_re, awe = dut_->o_acc_we;
		unsigned pline = dut_->o_pool_line, araddr = dut_->o_acc_raddr, awaddr = dut_->o_acc_waddr;
		acc_word wdata;
		for (unsigned ln = 0; ln < 8; ln++)
			wdata.lane[ln] = get_bits(dut_->o_acc_wdata, ACC * ln, ACC);
		if (!busy && (pen || are || awe))
			fail("an access with o_busy low (pool en %d, acc re %d, acc we %d)", pen, are, awe);
		if (pen && pwe)
			fail("a write to the pool (line %u)", pline);
		if (are && awe && araddr == awaddr)
			fail("a read of accumulator word %u as it is written", araddr);
		pool_reads += pen && !pwe;
		acc_writes += awe;
		dut_->i_clk = 1;
		dut_->eval();
		cycles_++;
		total_cycles++;
		// the edge, as the memories see it
		if (pen && pwe) {
			pool_rdata_ = rng();	// the SPRAM's output after a write: undefined
		} else if (pen) {
			pool_rdata_ = pool_[pline];
		}
		if (are)
			acc_rdata_ = acc_[araddr];
		if (are && awe && araddr == awaddr)
			for (auto &v : acc_rdata_.lane)	// as snn_ram_sdp's simulation does
				v = ~v & AMASK;
		if (awe)
			acc_[awaddr] = wdata;
	}

	// As if the program had used the memories since the last operation.
	void scramble_outputs()
	{
		pool_rdata_ = rng();
		for (auto &v : acc_rdata_.lane)
			v = (uint32_t)rng() & AMASK;
	}

	// Runs one operation to its o_done and checks it; returns the cycles
	// from i_start to o_done.
	unsigned run(const op &o)
	{
		total_ops++;
		std::vector<acc_word> want = acc_;
		std::vector<uint64_t> pool_before = pool_;
		reference(want, pool_, o, LA, AA, ACC);
		if (rng() & 1)
			scramble_outputs();
		dut_->i_start = 1;
		dut_->i_line = o.line;
		dut_->i_count = o.count;
		dut_->i_word = o.word;
		dut_->i_step = o.step;
		dut_->i_mask = o.mask;
		tick();
		if (busy || done)
			fail("o_busy %d, o_done %d in the cycle of i_start", busy, done);
		// the operands are latched: change them
		dut_->i_start = 0;
		dut_->i_line = (unsigned)rng() & (LINES - 1);
		dut_->i_count = (unsigned)rng() & 0xFFFF;
		dut_->i_word = (unsigned)rng() & (WORDS - 1);
		dut_->i_step = (unsigned)rng() & (WORDS - 1);
		dut_->i_mask = (unsigned)rng() & 0xFF;
		uint64_t reads0 = pool_reads, writes0 = acc_writes;
		unsigned n = 0, limit = o.count + 20;
		for (;;) {
			tick();
			n++;
			if (done)
				break;
			if (!busy) {
				fail("o_busy low before o_done, %u cycles after i_start (count %u)", n, o.count);
				break;
			}
			if (n >= limit) {
				fail("no o_done %u cycles after i_start (count %u)", n, o.count);
				break;
			}
		}
		unsigned want_n = o.count ? o.count + 3 : 1;
		if (n != want_n)
			fail("o_done %u cycles after i_start, want %u (count %u)", n, want_n, o.count);
		if (done && busy)
			fail("o_busy high with o_done");
		if (pool_reads - reads0 != o.count || acc_writes - writes0 != o.count)
			fail("%" PRIu64 " pool reads and %" PRIu64 " accumulator writes for count %u",
			     pool_reads - reads0, acc_writes - writes0, o.count);
		// idle afterwards: no second o_done, no access (tick checks)
		unsigned idle = 1 + (unsigned)(rng() % 3);
		for (unsigned i = 0; i < idle; i++) {
			tick();
			if (done || busy)
				fail("o_done %d, o_busy %d %u cycles after o_done", done, busy, i + 1);
		}
		if (pool_ != pool_before)
			fail("the pool changed");
		for (unsigned w = 0; w < WORDS; w++)
			for (unsigned ln = 0; ln < 8; ln++)
				if (acc_[w].lane[ln] != want[w].lane[ln]) {
					fail("line %u count %u word %u step %u mask %02x: word %u lane %u is %05x, want %05x",
					     o.line, o.count, o.word, o.step, o.mask, w, ln, acc_[w].lane[ln],
					     want[w].lane[ln]);
					acc_ = want;	// one message an operation
					return n;
				}
		return n;
	}

	// Starts an operation and resets the module k cycles into it.
	void reset_during(const op &o, unsigned k)
	{
		dut_->i_start = 1;
		dut_->i_line = o.line;
		dut_->i_count = o.count;
		dut_->i_word = o.word;
		dut_->i_step = o.step;
		dut_->i_mask = o.mask;
		tick();
		dut_->i_start = 0;
		for (unsigned i = 0; i < k; i++)
			tick();
		dut_->i_rst = 1;
		tick();
		dut_->i_rst = 0;
		for (unsigned i = 0; i < 4; i++) {
			tick();
			if (busy || done)
				fail("o_busy %d, o_done %d %u cycles after i_rst", busy, done, i + 1);
		}
	}

	bool busy = false, done = false;
	uint64_t pool_reads = 0, acc_writes = 0;

private:
	std::unique_ptr<Model> dut_;
	const char *name_;
	std::vector<uint64_t> pool_;
	std::vector<acc_word> acc_;
	uint64_t pool_rdata_ = 0;
	acc_word acc_rdata_ = {};
	uint64_t cycles_ = 0;
	bool checking_ = false;
};

// A step that is not 0 modulo 2^AA (the contract's condition for count > 1).
unsigned nonzero_step(unsigned words)
{
	return 1 + (unsigned)(rng() % (words - 1));
}

template <class Model, unsigned LA, unsigned AA, unsigned ACC>
void run_model(VerilatedContext *ctx, const char *name, uint64_t seed)
{
	using B = bench<Model, LA, AA, ACC>;
	rng_state = seed;
	B b(ctx, name);
	const unsigned lines = B::LINES, words = B::WORDS;
	auto rline = [&] { return (unsigned)rng() & (lines - 1); };
	auto rword = [&] { return (unsigned)rng() & (words - 1); };

	th_case("%s seed %" PRIx64 ": count 0 is done at once and adds nothing", name, seed);
	for (unsigned i = 0; i < 20; i++)
		b.run({rline(), 0, rword(), (unsigned)rng() & (words - 1), (unsigned)rng() & 0xFF});

	th_case("%s seed %" PRIx64 ": count 1 and 2 with every mask (step 0 with count 1)", name, seed);
	for (unsigned m = 0; m < 256; m++) {
		b.run({rline(), 1, rword(), m & 1 ? 0 : rword(), m});
		b.run({rline(), 2, rword(), nonzero_step(words), m});
	}

	th_case("%s seed %" PRIx64 ": dense rows (step 1, mask ff), lines and words wrapping", name, seed);
	for (unsigned i = 0; i < 40; i++) {
		unsigned count = 3 + (unsigned)(rng() % (i < 30 ? 40 : 3 * words + 3 * lines / 2));
		// start near the top of both address ranges, so they wrap
		unsigned line = i & 1 ? rline() : (lines - 1 - (unsigned)rng() % 4) & (lines - 1);
		unsigned word = i & 2 ? rword() : (words - 1 - (unsigned)rng() % 4) & (words - 1);
		b.run({line, count, word, 1, 0xFF});
	}

	th_case("%s seed %" PRIx64 ": conv taps (steps a plane apart, random masks)", name, seed);
	for (unsigned i = 0; i < 60; i++) {
		unsigned step = i < 20 ? words / 2 + (unsigned)(rng() % (words / 2))
				       : (i < 40 ? words - 1 : nonzero_step(words));
		unsigned count = 1 + (unsigned)(rng() % 24);
		b.run({rline(), count, rword(), step, (unsigned)rng() & 0xFF});
	}

	th_case("%s seed %" PRIx64 ": sums wrapping at ACC_BITS (lanes near the ends, bytes +-127, -128)", name, seed);
	{
		const uint32_t ends[] = {0, 1, B::AMASK, B::AMASK - 1, B::AMASK >> 1, (B::AMASK >> 1) + 1,
					 (B::AMASK >> 1) - 100, (B::AMASK >> 1) + 100, B::AMASK - 100, 100};
		const uint8_t bytes[] = {0x7F, 0x80, 0xFF, 0x01, 0x00, 0x81, 0x7E, 0xC0};
		for (unsigned i = 0; i < 200; i++) {
			unsigned line = rline(), word = rword(), count = 1 + (unsigned)(rng() % 8);
			unsigned step = nonzero_step(words);
			for (unsigned k = 0; k < count; k++) {
				uint64_t p = 0;
				for (unsigned ln = 0; ln < 8; ln++)
					p |= (uint64_t)bytes[rng() % 8] << (8 * ln);
				b.pool()[(line + k) & (lines - 1)] = p;
				for (unsigned ln = 0; ln < 8; ln++)
					b.acc()[(word + k * step) & (words - 1)].lane[ln] = ends[rng() % 10];
			}
			b.run({line, count, word, step, (unsigned)rng() & 0xFF});
		}
	}

	th_case("%s seed %" PRIx64 ": random operations", name, seed);
	for (unsigned i = 0; i < 1500; i++) {
		unsigned count = (unsigned)(rng() % 5 == 0 ? rng() % 600 : rng() % 12);
		unsigned step = count > 1 ? nonzero_step(words) : rword();
		b.run({rline(), count, rword(), step, (unsigned)rng() & 0xFF});
	}

	th_case("%s seed %" PRIx64 ": i_rst stops an operation; the next one is whole", name, seed);
	for (unsigned i = 0; i < 10; i++) {
		b.reset_during({rline(), 10, rword(), nonzero_step(words), 0xFF}, (unsigned)rng() % 12);
		b.run({rline(), 1 + (unsigned)(rng() % 20), rword(), nonzero_step(words), (unsigned)rng() & 0xFF});
	}
}

void run_long(VerilatedContext *ctx)
{
	// one line a cycle over thousands: the count is 16 bits
	th_case("l14_a8_c20: runs of thousands of lines, and 65535");
	rng_state = 0x10E6;
	bench<Vsnn_line_add_l14_a8_c20, 14, 8, 20> b(ctx, "l14_a8_c20");
	b.run({16000, 5000, 250, 1, 0xFF});
	b.run({3, 3000, 7, 37, 0x5A});
	b.run({100, 65535, 0, 1, 0xFF});
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	ctx->randReset(2);
	const uint64_t seeds[] = {0x5eedu, 0xA11CE5u, 0xBADC0DEu, 0x1234567u};
	for (uint64_t s : seeds) {
#define RUN(M, LA, AA, ACC) run_model<M, LA, AA, ACC>(ctx.get(), #M + 14, s);
		SNN_RTL_LINE_ADD_MODELS(RUN)
#undef RUN
	}
	run_long(ctx.get());
	printf("test_rtl_line_add: %" PRIu64 " operations, %" PRIu64 " cycles\n", total_ops, total_cycles);
	return th_done("test_rtl_line_add");
}
