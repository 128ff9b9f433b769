// rtl/snn_spike_scan.v against the spike scan of docs/rtl.md's contract, written here in C, with the pool modelled in C++ cycle by cycle.
//
// Each model is one of rtl/mk/accel_scan.mk (RTL_SCAN_SETS): the
// iCEBreaker's 16,384 lines, and a pool of 16 whose every start and end
// (up to 2^LA) is tried. The pool model answers a read the next cycle and
// holds it until the next read (garbage after a write, and before a start,
// as if the program had just written the pool). Every scan must report
// the first line in [line, end) with bit 40 + bit set (found, o_at) or
// none (o_at = end), as a brute-force search of the C++ pool finds; it
// must read the lines in order from line, never at or past end, at most
// one past the line found; o_done must come exactly once, j + 3 cycles
// after i_start for a hit j lines on, n + 2 for none in n lines, 1 for
// line >= end, with o_busy high in between and no read while it is low.
// The program's walk (start again after each hit) must collect exactly
// the set lines of the range. (C++ only because Verilator's models are
// C++ classes.)
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <memory>
#include <vector>

#include "verilated.h"
#include "spike_scan_models.h"

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

const uint64_t BIT40 = (uint64_t)1 << 40, BIT41 = (uint64_t)1 << 41;

// A line with random bits but its spike bits, which are s40 and s41.
uint64_t make_line(bool s40, bool s41)
{
	return (rng() & ~(BIT40 | BIT41)) | (s40 ? BIT40 : 0) | (s41 ? BIT41 : 0);
}

// The contract's scan, from its text: the first line from line on, before
// end, whose bit 40 + bit is set; else none, at end.
struct result {
	bool found;
	unsigned at;
};

result reference(const std::vector<uint64_t> &pool, unsigned line, unsigned end, unsigned bit)
{
	for (unsigned l = line; l < end; l++)
		if (pool[l] >> (40 + bit) & 1)
			return {true, l};
	return {false, end};
}

template <class Model, unsigned LA>
class bench {
public:
	explicit bench(VerilatedContext *ctx, const char *name)
		: dut_(new Model(ctx)), name_(name), pool_(1u << LA)
	{
		for (auto &p : pool_)
			p = make_line(false, false);
		dut_->i_start = 0;	// inputs start random (randReset(2))
		dut_->i_rst = 1;
		tick();
		tick();
		dut_->i_rst = 0;
		tick();
		checking_ = true;	// the registers were random until the reset
	}
	~bench() { dut_->final(); }

	static constexpr unsigned LINES = 1u << LA;

	std::vector<uint64_t> &pool() { return pool_; }

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

	// One clock: the pool's output as it stands, the inputs already set by
	// the caller; checks this cycle's access, then models it.
	void tick()
	{
		dut_->i_pool_rdata = pool_rdata_;
		dut_->i_clk = 0;
		dut_->eval();
		busy = dut_->o_busy;
		done = dut_->o_done;
		bool pen = dut_->o_pool_en, pwe = dut_->o_pool_we;
		unsigned pline = dut_->o_pool_line;
		if (!busy && pen)
			fail("a pool access with o_busy low (line %u)", pline);
		if (pen && pwe)
			fail("a write to the pool (line %u)", pline);
		if (pen && !pwe)
			reads.push_back(pline);
		dut_->i_clk = 1;
		dut_->eval();
		cycles_++;
		total_cycles++;
		if (pen && pwe)
			pool_rdata_ = rng();	// the SPRAM's output after a write: undefined
		else if (pen)
			pool_rdata_ = pool_[pline];
	}

	// Runs one scan to its o_done and checks it against the reference;
	// returns what the module found.
	result run(unsigned line, unsigned end, unsigned bit)
	{
		total_ops++;
		result want = reference(pool_, line, end, bit);
		if (rng() & 1)
			pool_rdata_ = rng();	// the program used the pool since
		reads.clear();
		dut_->i_start = 1;
		dut_->i_line = line;
		dut_->i_end = end;
		dut_->i_bit = bit;
		tick();
		if (busy || done)
			fail("o_busy %d, o_done %d in the cycle of i_start", busy, done);
		dut_->i_start = 0;	// the operands are latched: change them
		dut_->i_line = (unsigned)rng() & (LINES - 1);
		dut_->i_end = (unsigned)rng() % (LINES + 1);
		dut_->i_bit = (unsigned)rng() & 1;
		unsigned n = 0, limit = (end > line ? end - line : 0) + 20;
		for (;;) {
			tick();
			n++;
			if (done)
				break;
			if (!busy) {
				fail("o_busy low before o_done, %u cycles after i_start", n);
				break;
			}
			if (n >= limit) {
				fail("no o_done %u cycles after i_start (line %u, end %u)", n, line, end);
				break;
			}
		}
		result got = {dut_->o_found != 0, dut_->o_at};
		unsigned want_n = line >= end ? 1 : want.found ? want.at - line + 3 : end - line + 2;
		if (n != want_n)
			fail("line %u end %u bit %u: o_done %u cycles after i_start, want %u", line, end, bit, n,
			     want_n);
		if (done && busy)
			fail("o_busy high with o_done");
		if (got.found != want.found || got.at != want.at)
			fail("line %u end %u bit %u: o_found %d o_at %u, want %d %u", line, end, bit, got.found,
			     got.at, want.found, want.at);
		// reads: line, line + 1, ..., before end, at most one past the hit
		unsigned max_reads = line >= end ? 0 : want.found ? want.at - line + 2 : end - line;
		if (max_reads > end - line)
			max_reads = end - line;
		if (reads.size() > max_reads || (want.found && reads.size() < want.at - line + 1) ||
		    (!want.found && reads.size() != max_reads))
			fail("line %u end %u bit %u: %zu pool reads (want %u%s)", line, end, bit, reads.size(),
			     max_reads, want.found ? " at most" : "");
		for (unsigned i = 0; i < reads.size(); i++)
			if (reads[i] != line + i) {
				fail("line %u end %u: read %u was of line %u", line, end, i, reads[i]);
				break;
			}
		// idle afterwards: no second o_done, no access, the result held
		unsigned idle = 1 + (unsigned)(rng() % 3);
		for (unsigned i = 0; i < idle; i++) {
			tick();
			if (done || busy)
				fail("o_done %d, o_busy %d %u cycles after o_done", done, busy, i + 1);
			if ((dut_->o_found != 0) != got.found || dut_->o_at != got.at)
				fail("o_found, o_at changed %u cycles after o_done", i + 1);
		}
		return got;
	}

	// The program's walk over [line, end): every set line, in order.
	std::vector<unsigned> walk(unsigned line, unsigned end, unsigned bit)
	{
		std::vector<unsigned> hits;
		while (line < end) {
			result r = run(line, end, bit);
			if (!r.found || r.at < line || r.at >= end)
				break;
			hits.push_back(r.at);
			line = r.at + 1;
		}
		return hits;
	}

	void check_walk(unsigned line, unsigned end, unsigned bit)
	{
		std::vector<unsigned> want, got = walk(line, end, bit);
		for (unsigned l = line; l < end; l++)
			if (pool_[l] >> (40 + bit) & 1)
				want.push_back(l);
		if (got != want)
			fail("walk of [%u, %u) bit %u: %zu lines found, want %zu%s", line, end, bit, got.size(),
			     want.size(), got.size() == want.size() ? " (different ones)" : "");
	}

	// Starts a scan and resets the module k cycles into it.
	void reset_during(unsigned line, unsigned end, unsigned k)
	{
		dut_->i_start = 1;
		dut_->i_line = line;
		dut_->i_end = end;
		dut_->i_bit = 0;
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
	std::vector<unsigned> reads;

private:
	std::unique_ptr<Model> dut_;
	const char *name_;
	std::vector<uint64_t> pool_;
	uint64_t pool_rdata_ = 0;
	uint64_t cycles_ = 0;
	bool checking_ = false;
};

// Sets each line's spike bits with probability p40 and p41 (of 1024).
void fill(std::vector<uint64_t> &pool, unsigned p40, unsigned p41)
{
	for (auto &p : pool)
		p = make_line(rng() % 1024 < p40, rng() % 1024 < p41);
}

template <class Model, unsigned LA>
void run_model(VerilatedContext *ctx, const char *name, uint64_t seed)
{
	using B = bench<Model, LA>;
	rng_state = seed;
	B b(ctx, name);
	const unsigned lines = B::LINES;
	auto rline = [&] { return (unsigned)(rng() % lines); };

	th_case("%s seed %" PRIx64 ": line >= end is done at once, not found, at end", name, seed);
	fill(b.pool(), 512, 512);
	b.run(0, 0, 0);
	b.run(lines - 1, lines - 1, 1);
	for (unsigned i = 0; i < 30; i++) {
		unsigned end = (unsigned)(rng() % lines), line = end + (unsigned)(rng() % (lines - end));
		b.run(line, end, i & 1);
	}

	th_case("%s seed %" PRIx64 ": a hit at the first line, at the last, none", name, seed);
	for (unsigned i = 0; i < 60; i++) {
		fill(b.pool(), 0, 0);
		unsigned line = rline(), end = line + 1 + (unsigned)(rng() % (lines - line));
		unsigned bit = i & 1;
		uint64_t mine = bit ? BIT41 : BIT40, other = bit ? BIT40 : BIT41;
		b.pool()[line] |= mine;
		b.run(line, end, bit);	// the first
		b.pool()[line] &= ~mine;
		b.pool()[end - 1] |= mine;
		b.run(line, end, bit);	// the last
		b.pool()[end - 1] &= ~mine;
		if (end < lines)
			b.pool()[end] |= mine;	// just past end
		if (line > 0)
			b.pool()[line - 1] |= mine;	// just before line
		for (unsigned l = line; l < end; l++)
			b.pool()[l] |= other;	// the other bit everywhere
		b.run(line, end, bit);	// none
	}

	th_case("%s seed %" PRIx64 ": the whole pool (end 2^LA), hit at its last line or none", name, seed);
	fill(b.pool(), 0, 0);
	b.run(0, lines, 0);
	b.pool()[lines - 1] |= BIT40;
	b.run(0, lines, 0);
	b.run(lines - 1, lines, 0);
	b.run(lines - 1, lines, 1);

	th_case("%s seed %" PRIx64 ": adjacent hits, both bits, walked", name, seed);
	for (unsigned i = 0; i < 20; i++) {
		fill(b.pool(), 0, 0);
		unsigned line = rline(), len = 1 + (unsigned)(rng() % 12);
		for (unsigned l = line; l < line + len && l < lines; l++)
			b.pool()[l] |= rng() % 4 ? BIT40 | BIT41 : BIT40;
		unsigned from = line > 2 ? line - 2 : 0, to = line + len + 2 < lines ? line + len + 2 : lines;
		b.check_walk(from, to, 0);
		b.check_walk(from, to, 1);
	}

	th_case("%s seed %" PRIx64 ": random bitmaps, the program's walk against brute force", name, seed);
	const unsigned densities[] = {0, 1, 10, 100, 512, 1000, 1024};
	for (unsigned d : densities) {
		fill(b.pool(), d, 1024 - d);
		unsigned n = LA <= 6 ? 40 : 3;
		for (unsigned i = 0; i < n; i++) {
			unsigned line = i == 0 ? 0 : rline();
			unsigned end = i == 0 ? lines : line + (unsigned)(rng() % (lines - line + 1));
			b.check_walk(line, end, i & 1);
		}
	}

	th_case("%s seed %" PRIx64 ": random scans", name, seed);
	for (unsigned i = 0; i < 1000; i++) {
		if (i % 100 == 0)
			fill(b.pool(), (unsigned)(rng() % 64), (unsigned)(rng() % 64));
		unsigned line = rline();
		unsigned end = rng() % 8 == 0 ? (unsigned)(rng() % (lines + 1))
					      : line + (unsigned)(rng() % (lines - line + 1));
		b.run(line, end, (unsigned)rng() & 1);
	}

	th_case("%s seed %" PRIx64 ": i_rst stops a scan; the next one is whole", name, seed);
	fill(b.pool(), 0, 0);
	for (unsigned i = 0; i < 10; i++) {
		b.reset_during(0, lines, (unsigned)(rng() % 8));
		unsigned line = rline(), end = line + (unsigned)(rng() % (lines - line + 1));
		b.run(line, end, i & 1);
	}
}

// Every start and end of the 16-line pool, on one random bitmap per bit.
template <class Model, unsigned LA>
void run_exhaustive(VerilatedContext *ctx, const char *name)
{
	using B = bench<Model, LA>;
	rng_state = 0xE4A05;
	B b(ctx, name);
	th_case("%s: every line and end, three bitmaps", name);
	for (unsigned m = 0; m < 3; m++) {
		fill(b.pool(), 300 * m + 100, 900 - 300 * m);
		for (unsigned line = 0; line < B::LINES; line++)
			for (unsigned end = 0; end <= B::LINES; end++)
				for (unsigned bit = 0; bit < 2; bit++)
					b.run(line, end, bit);
	}
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	ctx->randReset(2);
	const uint64_t seeds[] = {0x5eedu, 0xA11CE5u, 0xBADC0DEu, 0x1234567u};
	for (uint64_t s : seeds) {
#define RUN(M, LA) run_model<M, LA>(ctx.get(), #M + 16, s);
		SNN_RTL_SPIKE_SCAN_MODELS(RUN)
#undef RUN
	}
#define RUN(M, LA) if (LA <= 6) run_exhaustive<M, LA>(ctx.get(), #M + 16);
	SNN_RTL_SPIKE_SCAN_MODELS(RUN)
#undef RUN
	printf("test_rtl_spike_scan: %" PRIu64 " scans, %" PRIu64 " cycles\n", total_ops, total_cycles);
	return th_done("test_rtl_spike_scan");
}
