// rtl/snn_sdram.v against a behavioural SDRAM that enforces the datasheet's rules, and a plain C++ array of lines, for every Verilated parameter set and many seeds.
//
// The SDRAM model (tests/rtl/sdram_model.h) takes the controller's pins every clock,
// as the part does half a clock later (the board clocks it inverted), and
// fails on any break of the rules the controller must keep: the power-up
// wait, PRECHARGE ALL, INIT_REFRESHES refreshes and the mode register
// before anything else, and the mode register's burst of 4 and CAS
// latency; tRCD, tRP, tRAS (and its maximum), tRC, tRRD, tRFC, tWR, tMRD in
// nanoseconds at the set's clock; no command to a bank in the wrong state;
// no burst interrupted (we never use BURST TERMINATE); DQ never driven by
// both sides; DQM high over a read word; an AUTO REFRESH at least every
// tREFI from the first one on, whatever the traffic. It answers READs with
// what was written, CAS clocks after.
//
// The driver sends random commands (short and long, anywhere, across rows
// and banks, sweeps in address order, a few hot lines) with random byte
// enables and random gaps on all three streams, long stalls of the read
// stream (the read buffer fills; refresh must still come) and idle spells
// longer than tREFI. Every line read must equal the array's, bytes never
// written excepted, in the order asked; the read stream must keep the
// valid/ready rule. (C++ only because Verilator's models are C++ classes.)
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "verilated.h"
#include "sdram_models.h"
#include "rtl/sdram_model.h"

extern "C" {
#include "harness.h"
#include "rtl/byte_lanes.h"
}

namespace {

using namespace sdram_model;

uint64_t rng_state;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

unsigned below(unsigned n) { return (unsigned)(rng() % n); }


struct line_ref {
	uint64_t data = 0, known = 0;
};

struct command {
	bool write;
	uint32_t addr;
	unsigned len;	// lines - 1
};

struct totals {
	uint64_t cycles = 0, lines_read = 0, lines_written = 0, refreshes = 0, activates = 0;
};

template <class Model>
class bench {
public:
	bench(VerilatedContext *ctx, const char *name, unsigned khz, unsigned cas, unsigned col_bits,
	      unsigned len_bits)
		: dut_(new Model(ctx)), ram_(name, khz, cas, col_bits), name_(name), khz_(khz),
		  addr_bits_(ROW_BITS + 2 + col_bits - 2), max_len_(1u << len_bits) {}
	~bench() { dut_->final(); }

	void reset()
	{
		dut_->i_rst = 1;
		in_reset_ = true;
		for (int i = 0; i < 4; i++)
			clock();
		dut_->i_rst = 0;
		in_reset_ = false;
	}

	// a command of n lines from addr, its write lines queued, its reads expected
	void queue(bool write, uint32_t addr, unsigned n)
	{
		uint32_t mask = (1u << addr_bits_) - 1;
		addr &= mask;
		cmds_.push_back({write, addr, n - 1});
		for (unsigned i = 0; i < n; i++) {
			uint32_t a = (addr + i) & mask;
			line_ref &r = ref_[a];
			if (write) {
				uint64_t d = rng();
				unsigned be = below(4) == 0 ? 0xFF : (unsigned)rng() & 0xFF;
				uint64_t m = byte_mask(be);
				r.data = (r.data & ~m) | (d & m);
				r.known |= m;
				wr_.push_back({d, be});
			} else {
				want_.push_back({a, r});
			}
		}
	}

	uint32_t random_addr() { return (uint32_t)rng() & ((1u << addr_bits_) - 1); }
	uint32_t lines_per_row() const { return 1u << (addr_bits_ - ROW_BITS - 2); }

	// Run until everything queued has been done, with the given odds
	// (percent) of a gap on each input stream.
	void drain(unsigned cmd_gap, unsigned wr_gap, unsigned rd_stall)
	{
		uint64_t limit = cycles_ + 200000 + 50 * (wr_.size() + want_.size());
		while ((!cmds_.empty() || !wr_.empty() || !want_.empty()) && cycles_ < limit)
			step(cmd_gap, wr_gap, rd_stall);
		th_expect(cmds_.empty() && wr_.empty() && want_.empty(),
			  "%s: stuck: %zu commands, %zu write lines, %zu read lines left after %" PRIu64 " cycles",
			  name_, cmds_.size(), wr_.size(), want_.size(), cycles_);
	}

	// Idle for a while (refresh must go on), possibly with the read stream stalled.
	void idle(uint64_t n, bool rd_stall)
	{
		for (uint64_t i = 0; i < n; i++)
			step(0, 0, rd_stall ? 100 : 0, true);
	}

	void wait_init()
	{
		uint64_t limit = cycles_ + (uint64_t)300 * khz_ / 1000 + 1000;	// 300 us
		while (!dut_->o_init_done && cycles_ < limit)
			step(100, 100, 0);
		th_expect(dut_->o_init_done, "%s: not initialised after 300 us", name_);
	}

	void add(totals &t)
	{
		t.cycles += cycles_;
		t.lines_read += lines_read_;
		t.lines_written += lines_written_;
		t.refreshes += ram_.refreshes;
		t.activates += ram_.activates;
	}

	uint64_t violations() const { return ram_.violations + mismatches_; }
	uint64_t cycles() const { return cycles_; }

private:
	void step(unsigned cmd_gap, unsigned wr_gap, unsigned rd_stall, bool hold_cmds = false)
	{
		// inputs change away from the sampling edge
		bool cmd_v = !hold_cmds && !cmds_.empty() && (cmd_shown_ || below(100) >= cmd_gap);
		bool wr_v = !wr_.empty() && (wr_shown_ || below(100) >= wr_gap);
		dut_->i_cmd_valid = cmd_v;
		if (cmd_v) {
			dut_->i_cmd_write = cmds_.front().write;
			dut_->i_cmd_addr = cmds_.front().addr;
			dut_->i_cmd_len = cmds_.front().len;
		} else {	// what must not matter
			dut_->i_cmd_write = rng() & 1;
			dut_->i_cmd_addr = random_addr();
			dut_->i_cmd_len = (unsigned)rng() & (max_len_ - 1);
		}
		dut_->i_wr_valid = wr_v;
		dut_->i_wr_data = wr_v ? wr_.front().first : rng();
		dut_->i_wr_be = wr_v ? wr_.front().second : (unsigned)rng() & 0xFF;
		bool rd_r = below(100) >= rd_stall;
		dut_->i_rd_ready = rd_r;
		dut_->i_sdram_dq = ram_.dq_at(cycles_);
		dut_->i_clk = 0;
		dut_->eval();

		// what moves at this edge
		bool cmd_go = cmd_v && dut_->o_cmd_ready;
		bool wr_go = wr_v && dut_->o_wr_ready;
		bool rd_v = dut_->o_rd_valid && !in_reset_;
		uint64_t rd_d = dut_->o_rd_data;
		if (rd_held_ && (!rd_v || rd_d != rd_last_)) {
			mismatches_++;
			th_expect(false, "%s: cycle %" PRIu64 ": the read stream withdrew or changed a line before it was taken",
				  name_, cycles_);
		}
		if (rd_v && !want_.empty() && rd_r) {
			const line_ref &r = want_.front().second;
			if ((rd_d & r.known) != (r.data & r.known)) {
				mismatches_++;
				if (mismatches_ <= 5)
					th_expect(false, "%s: cycle %" PRIu64 ": line %u read %016" PRIx64 ", want %016" PRIx64
						  " (bytes known %016" PRIx64 ")", name_, cycles_, want_.front().first, rd_d,
						  r.data, r.known);
			}
			want_.pop_front();
			lines_read_++;
		} else if (rd_v && want_.empty()) {
			mismatches_++;
			th_expect(false, "%s: cycle %" PRIu64 ": a line read that nobody asked for", name_, cycles_);
		}
		rd_held_ = rd_v && !rd_r;
		rd_last_ = rd_d;
		cmd_shown_ = cmd_v && !cmd_go;
		wr_shown_ = wr_v && !wr_go;

		dut_->i_clk = 1;
		dut_->eval();
		if (cmd_go)
			cmds_.pop_front();
		if (wr_go) {
			wr_.pop_front();
			lines_written_++;
		}
		const pins p = pins_of(dut_.get());
		ram_.edge(cycles_, p);
		cycles_++;
	}

	void clock() { step(100, 100, 0, true); }

	std::unique_ptr<Model> dut_;
	sdram ram_;
	const char *name_;
	unsigned khz_, addr_bits_, max_len_;
	std::deque<command> cmds_;
	std::deque<std::pair<uint64_t, unsigned>> wr_;
	std::deque<std::pair<uint32_t, line_ref>> want_;
	std::unordered_map<uint32_t, line_ref> ref_;
	bool cmd_shown_ = false, wr_shown_ = false, rd_held_ = false, in_reset_ = false;
	uint64_t rd_last_ = 0, cycles_ = 0, lines_read_ = 0, lines_written_ = 0, mismatches_ = 0;
};

template <class Model>
void run_seed(VerilatedContext *ctx, const char *name, unsigned khz, unsigned cas, unsigned col_bits,
	      unsigned len_bits, unsigned seed, unsigned rounds, totals &t)
{
	rng_state = 0x5d4a3000u + seed;
	bench<Model> b(ctx, name, khz, cas, col_bits, len_bits);
	b.reset();
	b.wait_init();
	uint32_t row = b.lines_per_row();
	uint64_t refi = (uint64_t)T_REFI * khz / 1000000;

	// hot lines: the ends of rows and banks, where the address wraps
	std::vector<uint32_t> hot;
	for (int i = 0; i < 6; i++) {
		uint32_t a = b.random_addr() & ~(row - 1);
		hot.push_back(a);
		hot.push_back(a - 1);
		hot.push_back(a + row - 2);
	}
	unsigned max_len = 1u << len_bits;
	for (unsigned r = 0; r < rounds; r++) {
		switch (below(6)) {
		case 0:	// short commands anywhere
			for (int i = 0; i < 40; i++)
				b.queue(below(2), b.random_addr(), 1 + below(8));
			break;
		case 1: {	// a sweep in address order, as a few long commands, then read back
			uint32_t a = b.random_addr(), n = 0;
			bool w = below(2);
			for (int i = 0; i < 4; i++) {
				unsigned len = 1 + below(max_len < 3 * row ? max_len : 3 * row);
				b.queue(w, a + n, len);
				n += len;
			}
			b.queue(false, a, 1 + below(max_len));
			break;
		}
		case 2:	// one line at a time in address order (the engine's sweep, line by line)
			{
				uint32_t a = b.random_addr();
				for (int i = 0; i < 64; i++)
					b.queue(below(3) == 0, a + i, 1);
			}
			break;
		default:	// hot lines, reads right after writes
			for (int i = 0; i < 40; i++)
				b.queue(below(2), hot[below((unsigned)hot.size())] + below(3), 1 + below(3));
			break;
		}
		switch (below(4)) {
		case 0: b.drain(0, 0, 0); break;	// full speed
		case 1: b.drain(30, 30, 30); break;
		case 2: b.drain(5, 5, 95); break;	// the reader barely takes anything
		default: b.drain(below(100), below(100), below(100)); break;
		}
		if (below(8) == 0)
			b.idle(refi + below((unsigned)refi), false);
	}
	// a read stalled for longer than tREFI with the buffer full
	for (int i = 0; i < 4; i++)
		b.queue(false, b.random_addr(), max_len);
	b.idle(3 * refi, true);
	b.drain(0, 0, 0);
	b.idle(2 * refi, false);
	th_expect(b.violations() == 0, "%s seed %u: %" PRIu64 " violations or mismatches", name, seed, b.violations());
	b.add(t);
}

// Clocks a line for the engine's kinds of access, at full speed on every
// stream (docs/rtl.md, "snn_sdram": the figures the plan for the engine uses).
template <class Model>
void measure(VerilatedContext *ctx, const char *name, unsigned khz, unsigned cas, unsigned col_bits,
	     unsigned len_bits)
{
	th_case("%s: clocks a line, sequential and random, within bounds", name);
	rng_state = 0x3ea5u;
	bench<Model> b(ctx, name, khz, cas, col_bits, len_bits);
	b.reset();
	b.wait_init();
	const unsigned n = 8192, len = 1u << len_bits;
	double per[7];
	uint32_t base = b.random_addr() & ~(b.lines_per_row() - 1);
	for (int k = 0; k < 2; k++) {	// a sweep: long commands in address order
		uint64_t t0 = b.cycles();
		for (unsigned i = 0; i < n; i += len)
			b.queue(k == 1, base + i, len);
		b.drain(0, 0, 0);
		per[k] = (double)(b.cycles() - t0) / n;
	}
	{	// the same sweep one line a command
		uint64_t t0 = b.cycles();
		for (unsigned i = 0; i < n; i++)
			b.queue(false, base + i, 1);
		b.drain(0, 0, 0);
		per[2] = (double)(b.cycles() - t0) / n;
	}
	for (int k = 0; k < 2; k++) {	// random lines: queued back to back, then one at a time
		uint64_t t0 = b.cycles();
		unsigned m = k == 0 ? n : 512;
		for (unsigned i = 0; i < m; i++) {
			b.queue(false, b.random_addr(), 1);
			if (k == 1)
				b.drain(0, 0, 0);
		}
		b.drain(0, 0, 0);
		per[3 + k] = (double)(b.cycles() - t0) / m;
	}
	{	// the engine's sweep: read 32 lines, write them back, the next 32
		uint64_t t0 = b.cycles();
		for (unsigned i = 0; i < n; i += 32)
			for (int k = 0; k < 2; k++)
				for (unsigned j = 0; j < 32; j += len)
					b.queue(k == 1, base + i + j, len < 32 ? len : 32);
		b.drain(0, 0, 0);
		per[5] = (double)(b.cycles() - t0) / n;
	}
	{	// dense weight rows of two lines at random, queued back to back
		uint64_t t0 = b.cycles();
		for (unsigned i = 0; i < n; i += 2)
			b.queue(false, b.random_addr() & ~1u, 2);
		b.drain(0, 0, 0);
		per[6] = (double)(b.cycles() - t0) / n;
	}
	printf("%s: clocks a line: sweep read %.2f, sweep write %.2f, sweep one line a command %.2f, "
	       "random lines back to back %.2f, a random line alone %.2f, read-modify-write sweep (32 lines each way) %.2f "
	       "a line each way, random 2-line rows %.2f\n", name, per[0], per[1], per[2], per[3], per[4], per[5] / 2, per[6]);
	// 4 clocks a burst, plus row changes and refresh
	th_expect(per[0] < 4.5 && per[1] < 4.5 && per[2] < 4.5 && per[5] < 9, "%s: a sweep takes %.2f / %.2f / %.2f / %.2f clocks a line, want under 4.5",
		  name, per[0], per[1], per[2], per[5] / 2);
	th_expect(b.violations() == 0, "%s: %" PRIu64 " violations or mismatches", name, b.violations());
}

template <class Model>
void run_model(VerilatedContext *ctx, const char *name, unsigned khz, unsigned cas, unsigned col_bits,
	       unsigned len_bits, unsigned seeds, unsigned rounds)
{
	th_case("%s (%u kHz, CAS %u, %u columns): %u seeds of random traffic against the SDRAM model",
		name, khz, cas, 1u << col_bits, seeds);
	totals t;
	measure<Model>(ctx, name, khz, cas, col_bits, len_bits);
	for (unsigned s = 0; s < seeds; s++)
		run_seed<Model>(ctx, name, khz, cas, col_bits, len_bits, s, rounds, t);
	printf("%s: %" PRIu64 " cycles, %" PRIu64 " lines written, %" PRIu64 " read, %" PRIu64
	       " ACTIVATE, %" PRIu64 " AUTO REFRESH\n",
	       name, t.cycles, t.lines_written, t.lines_read, t.activates, t.refreshes);
}

// ---- the model must catch what it is there to catch ----

// Pins for a command at one edge, straight into the model.
class script {
public:
	script() : m_("bad", 143000, 3, 10) { m_.quiet = true; }

	void nop(unsigned n = 1)
	{
		for (unsigned i = 0; i < n; i++)
			put(7, 0, 0);
	}
	void cmd(cmd c, unsigned ba = 0, unsigned a = 0, bool oe = false, unsigned dqm = 0)
	{
		static const unsigned code[] = {7, 3, 5, 4, 2, 1, 0, 6};
		put(code[c], ba, a, oe, dqm);
	}
	// power-up wait, PRECHARGE ALL, refreshes, MODE (CAS 3, burst of 4), as the datasheet asks
	void init()
	{
		nop(200 * 143 + 1);
		cmd(CMD_PRE, 0, 0x400);
		nop(3);
		for (unsigned i = 0; i < INIT_REFRESHES; i++) {
			cmd(CMD_REF);
			nop(9);
		}
		cmd(CMD_MRS, 0, 0x32);
		nop(3);
	}
	// a row open for long enough to read, write or precharge it
	void open(unsigned ba = 0, unsigned row = 5)
	{
		cmd(CMD_ACT, ba, row);
		nop(7);
	}
	sdram &model() { return m_; }

private:
	void put(unsigned c, unsigned ba, unsigned a, bool oe = false, unsigned dqm = 0)
	{
		pins p = {true, false, (c >> 2 & 1) != 0, (c >> 1 & 1) != 0, (c & 1) != 0, oe, ba, a, dqm, 0};
		m_.edge(e_++, p);
	}
	sdram m_;
	uint64_t e_ = 0;
};

struct bad_case {
	const char *name, *want;
	void (*run)(script &);
};

const bad_case bad_cases[] = {
	{"command before the power-up wait", "power-up", [](script &s) { s.nop(10); s.cmd(CMD_PRE, 0, 0x400); }},
	{"AUTO REFRESH before PRECHARGE ALL", "before PRECHARGE ALL", [](script &s) { s.nop(200 * 143 + 1); s.cmd(CMD_REF); }},
	{"ACTIVATE before the mode register", "before the mode register", [](script &s) {
		s.nop(200 * 143 + 1); s.cmd(CMD_PRE, 0, 0x400); s.nop(3); s.cmd(CMD_ACT); }},
	{"MODE with the wrong CAS latency", "want", [](script &s) {
		s.nop(200 * 143 + 1); s.cmd(CMD_PRE, 0, 0x400); s.nop(3);
		for (unsigned i = 0; i < INIT_REFRESHES; i++) { s.cmd(CMD_REF); s.nop(9); }
		s.cmd(CMD_MRS, 0, 0x22); }},
	{"MODE after too few refreshes", "refreshes", [](script &s) {
		s.nop(200 * 143 + 1); s.cmd(CMD_PRE, 0, 0x400); s.nop(3); s.cmd(CMD_REF); s.nop(9);
		s.cmd(CMD_MRS, 0, 0x32); }},
	{"ACTIVATE 2 clocks after MODE", "under tMRD", [](script &s) {
		s.nop(200 * 143 + 1); s.cmd(CMD_PRE, 0, 0x400); s.nop(3);
		for (unsigned i = 0; i < INIT_REFRESHES; i++) { s.cmd(CMD_REF); s.nop(9); }
		s.cmd(CMD_MRS, 0, 0x32); s.nop(1); s.cmd(CMD_ACT); }},
	{"READ 2 clocks after ACTIVATE", "under tRCD", [](script &s) { s.init(); s.cmd(CMD_ACT); s.nop(1); s.cmd(CMD_READ); }},
	{"PRECHARGE 5 clocks after ACTIVATE", "under tRAS", [](script &s) { s.init(); s.cmd(CMD_ACT); s.nop(4); s.cmd(CMD_PRE); }},
	{"ACTIVATE of an open bank", "which has row", [](script &s) { s.init(); s.open(); s.nop(10); s.cmd(CMD_ACT, 0, 9); }},
	{"ACTIVATE 2 clocks after PRECHARGE", "under tRP", [](script &s) {
		s.init(); s.open(); s.cmd(CMD_PRE); s.nop(1); s.cmd(CMD_ACT); }},
	// (tRC = 66 ns is never shorter than tRAS + tRP in whole clocks at these
	// rates, so it cannot be broken alone; the model checks it all the same.)
	{"ACTIVATE of another bank under tRRD", "under tRRD", [](script &s) { s.init(); s.cmd(CMD_ACT, 0); s.cmd(CMD_ACT, 1); }},
	{"ACTIVATE 3 clocks after AUTO REFRESH", "under tRFC", [](script &s) { s.init(); s.cmd(CMD_REF); s.nop(2); s.cmd(CMD_ACT); }},
	{"AUTO REFRESH with a bank open", "with a bank open", [](script &s) { s.init(); s.open(); s.cmd(CMD_REF); }},
	{"no AUTO REFRESH for longer than tREFI", "over tREFI", [](script &s) { s.init(); s.nop(1200); }},
	{"READ or WRITE to a closed bank", "no row open", [](script &s) { s.init(); s.cmd(CMD_READ, 2); }},
	{"READ with auto precharge", "A10", [](script &s) { s.init(); s.open(); s.cmd(CMD_READ, 0, 0x400); }},
	{"READ of a column inside a burst", "not the start of a burst", [](script &s) { s.init(); s.open(); s.cmd(CMD_READ, 0, 6); }},
	{"READ 2 clocks after a READ", "cuts its burst short", [](script &s) {
		s.init(); s.open(); s.cmd(CMD_READ); s.nop(1); s.cmd(CMD_READ, 0, 4); }},
	{"BURST TERMINATE", "BURST TERMINATE", [](script &s) { s.init(); s.open(); s.cmd(CMD_READ); s.cmd(CMD_BST); }},
	{"WRITE while a READ's data is on DQ", "DQ", [](script &s) {
		s.init(); s.open(); s.cmd(CMD_READ); s.nop(5); s.cmd(CMD_WRITE, 0, 8, true); }},
	{"write word not driven", "not driven", [](script &s) { s.init(); s.open(); s.cmd(CMD_WRITE, 0, 0, false); }},
	{"PRECHARGE 1 clock after the last write word", "under tWR", [](script &s) {
		s.init(); s.open(); s.cmd(CMD_WRITE, 0, 0, true); s.nop(0);
		for (int i = 0; i < 3; i++) s.cmd(CMD_NOP, 0, 0, true);
		s.cmd(CMD_PRE); }},
	{"PRECHARGE cutting a READ short", "short", [](script &s) { s.init(); s.open(); s.cmd(CMD_READ); s.nop(2); s.cmd(CMD_PRE); }},
	{"DQM high over a read word", "masks word", [](script &s) {
		s.init(); s.open(); s.cmd(CMD_READ); s.cmd(CMD_NOP, 0, 0, false, 1); }},
};

void run_bad_cases(void)
{
	for (const bad_case &b : bad_cases) {
		th_case("sdram_model_bad: %s: the model reports \"%s\"", b.name, b.want);
		script s;
		b.run(s);
		const std::string &msg = s.model().first_msg;
		th_expect(msg.find(b.want) != std::string::npos, "first violation \"%s\", want one with \"%s\"",
			  msg.c_str(), b.want);
	}
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	ctx->randReset(2);	// registers start random
	unsigned seeds = getenv("SNN_TEST_LONG") ? 200 : 20;
	unsigned rounds = 30;
#define RUN_MODEL(model, name, khz, cas, col_bits, len_bits) \
	run_model<model>(ctx.get(), name, khz, cas, col_bits, len_bits, seeds, rounds);
	run_bad_cases();
	SNN_RTL_SDRAM_MODELS(RUN_MODEL)
#undef RUN_MODEL
	return th_done("test_rtl_sdram");
}
