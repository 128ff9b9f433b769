// rtl/snn_crc32.v against zlib's crc32(): random byte streams with idle cycles and clears, cycle by cycle.
//
// Whenever o_ready is high, o_crc must be zlib's crc32() of the bytes taken
// since the last clear (a clear also drops a byte still being shifted in);
// a byte offered with a clear is not taken. At full speed a byte takes
// nine clocks (docs/rtl.md, "snn_crc32"), and o_ready must not depend on
// i_valid. (C++ only because Verilator's models are C++ classes.)
#include <cinttypes>
#include <cstdio>
#include <memory>
#include <vector>

#include <zlib.h>

#include "verilated.h"
#include "Vsnn_crc32.h"

extern "C" {
#include "harness.h"
}

namespace {

uint64_t rng_state = 0x5EED32C5u;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

bool chance(unsigned pct)
{
	return rng() % 100 < pct;
}

struct bench {
	VerilatedContext ctx;
	std::unique_ptr<Vsnn_crc32> dut{new Vsnn_crc32{&ctx}};
	std::vector<uint8_t> taken;	// bytes taken since the last clear
	uint64_t cycles = 0, checks = 0, bad = 0, ready_on_valid = 0;

	// One clock: inputs set before the rising edge, what moved recorded.
	void tick(bool rst, bool clear, bool valid, uint8_t data)
	{
		dut->i_rst = rst;
		dut->i_clear = clear;
		dut->i_data = data;
		// o_ready may not follow i_valid: look at it both ways.
		dut->i_valid = !valid;
		dut->i_clk = 0;
		dut->eval();
		bool ready_other = dut->o_ready;
		dut->i_valid = valid;
		dut->eval();
		ready_on_valid += ready_other != dut->o_ready;
		if (dut->o_ready && !rst) {
			checks++;
			uLong want = crc32(0L, taken.data(), (uInt)taken.size());
			if (dut->o_crc != want && bad++ < 5)
				th_expect(false, "cycle %" PRIu64 ": o_crc 0x%08x after %zu bytes, zlib 0x%08lx",
					  cycles, (unsigned)dut->o_crc, taken.size(), want);
		}
		bool took = valid && dut->o_ready && !clear && !rst;
		dut->i_clk = 1;
		dut->eval();
		cycles++;
		if (rst || clear)
			taken.clear();
		else if (took)
			taken.push_back(data);
	}

	void reset()
	{
		tick(true, false, false, 0);
	}
};

// Offers n random bytes, a new one only after the last was taken; idle
// cycles and clears at the given rates. Returns the cycles it took.
uint64_t feed(bench &b, unsigned n, unsigned idle_pct, unsigned clear_pct)
{
	uint64_t start = b.cycles;
	unsigned sent = 0;
	uint8_t byte = (uint8_t)rng();
	while (sent < n) {
		bool clear = chance(clear_pct);
		bool valid = !chance(idle_pct);
		bool ready = b.dut->o_ready;
		b.tick(false, clear, valid, byte);
		if (valid && ready && !clear) {
			sent++;
			byte = (uint8_t)rng();
		}
	}
	while (!b.dut->o_ready)	// the last byte in, so it is checked
		b.tick(false, false, false, 0);
	b.tick(false, false, false, 0);
	return b.cycles - start;
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<bench> b(new bench);
	b->ctx.commandArgs(argc, argv);
	b->ctx.randReset(2);	// registers start random: reset must set them all
	unsigned scale = getenv("SNN_TEST_LONG") ? 10 : 1;

	th_case("a byte every cycle offered: nine clocks a byte");
	b->reset();
	uint64_t took = feed(*b, 4096, 0, 0);
	th_expect(took == 9 * 4096 + 1, "4096 bytes took %" PRIu64 " cycles, expected 9 x 4096 + 1",
		  took);
	th_expect(b->taken.size() == 4096, "%zu bytes in the CRC, 4096 offered", b->taken.size());

	th_case("idle cycles between bytes");
	b->reset();
	feed(*b, 20000 * scale, 60, 0);

	th_case("clears at random, also while a byte is shifted in");
	b->reset();
	feed(*b, 20000 * scale, 30, 2);

	th_case("reset mid-byte");
	b->tick(false, false, true, 0x5A);
	b->tick(false, false, false, 0);
	b->reset();
	feed(*b, 100, 0, 0);

	th_case("every CRC compared, o_ready independent of i_valid");
	th_expect(b->checks > 40000 * scale, "only %" PRIu64 " CRCs compared", b->checks);
	th_expect(b->bad == 0, "%" PRIu64 " CRCs differ from zlib's", b->bad);
	th_expect(b->ready_on_valid == 0, "o_ready followed i_valid in %" PRIu64 " cycles",
		  b->ready_on_valid);
	printf("test_rtl_crc32: %" PRIu64 " CRCs compared with zlib's in %" PRIu64 " cycles\n",
	       b->checks, b->cycles);
	b->dut->final();
	return th_done("test_rtl_crc32");
}
