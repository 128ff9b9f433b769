// rtl/snn_spram_pool.v (its behavioural model) against a byte-masked memory in C++, cycle by cycle, for every Verilated depth.
//
// Each model is one of rtl/mk/engine.mk (RTL_POOL_MODELS): the behavioural
// model at each depth of RTL_POOL_DEPTHS, and, where Yosys is installed,
// the four SB_SPRAM256KA of the synthesis branch on Yosys's simulation
// model of the primitive (so the byte-lane and mask wiring is checked too).
// Random
// reads, writes with random byte enables and idle cycles, plus sweeps of
// every line and every mask: each read must return the line as the C++
// model has it one clock later, for every byte written so far (the rest
// start undefined, as in the SPRAM), and o_rdata must hold while i_en is
// low. Nothing is checked after a write, where the SPRAM's output is
// undefined. (C++ only because Verilator's models are C++ classes.)
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "verilated.h"
#include "pool_models.h"

extern "C" {
#include "harness.h"
#include "rtl/byte_lanes.h"
}

namespace {

uint64_t rng_state = 0x5eed5e7au;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

// The 64-bit mask of the bytes selected by an 8-bit byte enable.
enum op_kind { OP_IDLE, OP_READ, OP_WRITE };

template <class Model>
class pool {
public:
	pool(VerilatedContext *ctx, const char *name, unsigned depth)
		: dut_(new Model(ctx)), name_(name), depth_(depth), mem_(depth, 0), known_(depth, 0) {}
	~pool() { dut_->final(); }

	// One clock with one access (or none).
	void clock(op_kind op, unsigned addr, unsigned be, uint64_t data)
	{
		dut_->i_clk = 0;
		dut_->eval();
		dut_->i_en = op != OP_IDLE;
		dut_->i_we = op == OP_WRITE;
		dut_->i_addr = addr;
		dut_->i_be = be;
		dut_->i_wdata = data;
		if (op == OP_IDLE) {	// inputs that must not matter
			dut_->i_we = rng() & 1;
			dut_->i_addr = (unsigned)(rng() % depth_);
			dut_->i_be = (unsigned)rng();
			dut_->i_wdata = rng();
		}
		dut_->i_clk = 1;
		dut_->eval();
		cycles++;
		if (op == OP_WRITE) {
			uint64_t m = byte_mask(be);
			mem_[addr] = (mem_[addr] & ~m) | (data & m);
			known_[addr] |= m;
			have_ = false;	// o_rdata is undefined now
			writes++;
		} else if (op == OP_READ) {
			have_ = true;
			want_ = mem_[addr];
			want_known_ = known_[addr];
			want_addr_ = addr;
			reads++;
			check("read");
		} else if (have_) {
			check("idle cycle (o_rdata must hold)");
		}
	}

	unsigned depth() const { return depth_; }
	uint64_t cycles = 0, reads = 0, writes = 0, failures = 0;

private:
	void check(const char *what)
	{
		uint64_t got = dut_->o_rdata;
		if ((got & want_known_) == (want_ & want_known_))
			return;
		failures++;
		th_expect(false, "%s cycle %" PRIu64 ", %s of line %u: want %016" PRIx64
			  " (bytes known %016" PRIx64 "), o_rdata %016" PRIx64,
			  name_, cycles, what, want_addr_, want_, want_known_, got);
	}

	std::unique_ptr<Model> dut_;
	const char *name_;
	unsigned depth_;
	std::vector<uint64_t> mem_, known_;
	bool have_ = false;	// o_rdata holds a line the model knows
	uint64_t want_ = 0, want_known_ = 0;
	unsigned want_addr_ = 0;
};

template <class Model>
void run_model(VerilatedContext *ctx, const char *name, unsigned depth, uint64_t n_random, uint64_t &total)
{
	pool<Model> p(ctx, name, depth);

	th_case("%s: every line written whole, then read back", name);
	std::vector<uint64_t> pattern(depth);
	for (unsigned a = 0; a < depth; a++) {
		pattern[a] = rng();
		p.clock(OP_WRITE, a, 0xFF, pattern[a]);
	}
	for (unsigned a = 0; a < depth; a++)
		p.clock(OP_READ, a, 0, 0);

	th_case("%s: every byte mask on one line, each read back", name);
	unsigned line = depth - 1;
	for (unsigned be = 0; be < 256; be++) {
		p.clock(OP_WRITE, line, be, rng());
		p.clock(OP_READ, line, 0, 0);
		p.clock(OP_IDLE, 0, 0, 0);
	}

	th_case("%s: read right after a write of the same line, and back to back", name);
	for (unsigned i = 0; i < 4096; i++) {
		unsigned a = (unsigned)(rng() % depth);
		p.clock(OP_WRITE, a, (unsigned)rng() & 0xFF, rng());
		p.clock(OP_READ, a, 0, 0);
		p.clock(OP_READ, (unsigned)(rng() % depth), 0, 0);
	}

	th_case("%s: %" PRIu64 " random cycles", name, n_random);
	for (uint64_t i = 0; i < n_random; i++) {
		uint64_t r = rng();
		// A few hot lines, so reads often find what was just written.
		unsigned a = r % 4 == 0 ? (unsigned)(r >> 8) % 8 : (unsigned)((r >> 8) % depth);
		switch ((r >> 40) % 8) {
		case 0: case 1: p.clock(OP_IDLE, 0, 0, 0); break;
		case 2: case 3: case 4: p.clock(OP_READ, a, 0, 0); break;
		default: p.clock(OP_WRITE, a, (unsigned)(r >> 48) & 0xFF, rng()); break;
		}
	}

	printf("%s (DEPTH=%u): %" PRIu64 " cycles, %" PRIu64 " reads, %" PRIu64 " writes, %" PRIu64 " mismatches\n",
	       name, depth, p.cycles, p.reads, p.writes, p.failures);
	total += p.cycles;
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	ctx->randReset(2);	// memory and registers start random
	uint64_t n_random = getenv("SNN_TEST_LONG") ? 20000000u : 2000000u;
	uint64_t total = 0;
#define RUN_MODEL(model, name, depth) run_model<model>(ctx.get(), name, depth, n_random, total);
	SNN_RTL_POOL_MODELS(RUN_MODEL)
#undef RUN_MODEL
	printf("test_rtl_spram_pool: %" PRIu64 " cycles in all\n", total);
	return th_done("test_rtl_spram_pool");
}
