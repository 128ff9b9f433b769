// rtl/snn_counters.v against plain 64-bit counts in C++: random increments, reads and clears, cycle by cycle.
//
// The model is built with 8-bit words (W=8) so that the low bits wrap
// every 256 increments and a carry ripples through RAM words within a few
// hundred thousand cycles; at W=16, as the engine has it, the same paths
// would take 2^32 increments. Counts reach about 2^17, so carries ripple
// into the second RAM word. (At W=4 the 16 increments between wraps are
// fewer than a read plus a round of carries can take: the sequencer's
// margin is 2^W increments.) A read returns one 32-bit half of a count
// (the low half's words are 0 .. 2 at W=8, so the ripples show there; the
// high half must read 0 throughout), as of the cycle before its o_done,
// whatever increments arrive meanwhile; CLEAR must zero all. (C++ only because Verilator's models are C++ classes.)
#include <cinttypes>
#include <cstdio>
#include <memory>

#include "verilated.h"
#include "Vsnn_counters_w8.h"

extern "C" {
#include "harness.h"
}

namespace {

uint64_t rng_state = 0xC0FFEE11u;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

const unsigned N = 6;

struct bench {
	VerilatedContext ctx;
	std::unique_ptr<Vsnn_counters_w8> dut{new Vsnn_counters_w8{&ctx}};
	uint64_t count[N] = {0};	// increments applied at the rising edges so far
	uint64_t before[N] = {0};	// the same, one edge earlier

	void tick(unsigned inc_mask)
	{
		dut->i_inc = inc_mask;
		dut->i_clk = 0;
		dut->eval();
		dut->i_clk = 1;
		dut->eval();
		for (unsigned k = 0; k < N; k++) {
			before[k] = count[k];
			count[k] += inc_mask >> k & 1;
		}
	}

	// Reads half h of counter k while counters increment with probability
	// pct %; *expect is that half of the count.
	uint64_t read(unsigned k, unsigned h, unsigned pct, uint64_t *expect, unsigned *cycles)
	{
		dut->i_rd = 1;
		dut->i_sel = k;
		dut->i_high = h;
		unsigned n = 0;
		do {
			tick(random_mask(pct));
			n++;
		} while (!dut->o_done && n < 1000);
		*expect = before[k] >> (32 * h) & 0xFFFFFFFFu;
		*cycles = n;
		uint64_t v = dut->o_value;
		dut->i_rd = 0;
		tick(random_mask(pct));
		return v;
	}

	void clear()
	{
		dut->i_clear = 1;
		tick(0);
		dut->i_clear = 0;
		for (unsigned k = 0; k < N; k++)
			count[k] = 0;
	}

	static unsigned random_mask(unsigned pct)
	{
		unsigned m = 0;
		for (unsigned k = 0; k < N; k++)
			if (rng() % 100 < pct)
				m |= 1u << k;
		return m;
	}
};

}	// namespace

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	bench b;
	b.ctx.randReset(2);
	b.dut->i_rst = 1;
	b.dut->i_clear = 0;
	b.dut->i_rd = 0;
	b.dut->i_sel = 0;
	b.dut->i_high = 0;
	for (int i = 0; i < 4; i++)
		b.tick(0);
	b.dut->i_rst = 0;
	for (unsigned k = 0; k < N; k++)
		b.count[k] = 0;

	th_case("reads after reset are 0");
	for (unsigned k = 0; k < 2 * N; k++) {
		uint64_t expect;
		unsigned cycles;
		uint64_t v = b.read(k / 2, k % 2, 0, &expect, &cycles);
		th_expect(v == 0 && expect == 0, "counter %u half %u reads %" PRIu64 " after reset",
			  k / 2, k % 2, v);
	}

	unsigned reads = 0, bad = 0, slowest = 0;
	uint64_t highest = 0;
	for (unsigned round = 0; round < 3; round++) {
		th_case("round %u: random increments (%u %%), reads", round, 25u + 10 * round);
		for (unsigned burst = 0; burst < 400; burst++) {
			unsigned pct = 25 + 10 * round, len = rng() % 2000;
			for (unsigned i = 0; i < len; i++)
				b.tick(bench::random_mask(pct));
			unsigned k = rng() % N, h = rng() % 4 == 0;	// the low half mostly
			uint64_t expect;
			unsigned cycles;
			uint64_t v = b.read(k, h, pct, &expect, &cycles);
			reads++;
			slowest = cycles > slowest ? cycles : slowest;
			highest = expect > highest ? expect : highest;
			if (v != expect && bad++ < 5)
				th_expect(0, "round %u read %u: counter %u half %u is %" PRIu64
					  ", expected %" PRIu64, round, burst, k, h, v, expect);
		}
		th_case("round %u: clear", round);
		b.clear();
		for (unsigned k = 0; k < 2 * N; k++) {
			uint64_t expect;
			unsigned cycles;
			uint64_t v = b.read(k / 2, k % 2, 0, &expect, &cycles);
			th_expect(v == 0, "counter %u half %u reads %" PRIu64 " after CLEAR", k / 2, k % 2, v);
		}
	}
	th_case("every read answered");
	th_expect(bad == 0, "%u of %u reads wrong", bad, reads);
	th_expect(slowest < 100, "a read took %u cycles", slowest);
	th_expect(highest >= 65536, "counts reached only %" PRIu64 ": no ripple into word 2", highest);

	printf("  %u reads, counts up to %" PRIu64 ", slowest read %u cycles\n", reads, highest, slowest);
	b.dut->final();
	return th_done("test_rtl_counters");
}
