// rtl/snn_sdram.v against a behavioural SDRAM that enforces the datasheet's rules, and a plain C++ array of lines, for every Verilated parameter set and many seeds.
//
// The SDRAM model (class sdram) takes the controller's pins every clock,
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
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "verilated.h"
#include "sdram_models.h"

extern "C" {
#include "harness.h"
}

namespace {

uint64_t rng_state;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

unsigned below(unsigned n) { return (unsigned)(rng() % n); }

// The datasheet's figures: the slower of AS4C32M16SB-7 (Alliance) and
// MT48LC16M16A2-75 (Micron), the parts of ULX3S v3 boards. ns unless said.
const unsigned T_RCD = 21, T_RP = 21, T_RAS = 44, T_RAS_MAX = 100000, T_RC = 66, T_RFC = 66,
	T_RRD = 15, T_WR = 15, T_MRD = 14, T_REFI = 7800, POWERUP_NS = 200000;
const unsigned T_WR_CLK = 2, T_MRD_CLK = 2;	// and at least these many clocks
const unsigned INIT_REFRESHES = 8, BURST = 4, ROW_BITS = 13;

enum cmd { CMD_NOP, CMD_ACT, CMD_READ, CMD_WRITE, CMD_PRE, CMD_REF, CMD_MRS, CMD_BST };
const char *cmd_name[] = {"NOP", "ACTIVATE", "READ", "WRITE", "PRECHARGE", "AUTO REFRESH", "MODE", "BURST TERMINATE"};

// The pins at one edge, as the controller registered them.
struct pins {
	bool cke, cs_n, ras_n, cas_n, we_n, dq_oe;
	unsigned ba, a, dqm, dq;
};

const uint64_t NEVER = UINT64_MAX / 2;

class sdram {
public:
	sdram(const char *name, unsigned khz, unsigned cas, unsigned col_bits)
		: name_(name), khz_(khz), cas_(cas), col_bits_(col_bits),
		  mem_((size_t)4 << (ROW_BITS + col_bits), 0) {}

	// clocks from edge a to edge b last at least ns nanoseconds
	bool at_least(uint64_t a, uint64_t b, uint64_t ns) const
	{
		return b >= a && (b - a) * 1000000u >= ns * khz_;
	}

	// The word for the controller to sample at edge e (what a READ put
	// there), or junk.
	unsigned dq_at(uint64_t e)
	{
		auto it = out_.find(e);
		if (it == out_.end())
			return (unsigned)rng() & 0xFFFF;
		unsigned v = it->second;
		out_.erase(it);
		return v;
	}

	// The controller registered p at edge e.
	void edge(uint64_t e, const pins &p)
	{
		now_ = e;
		if (p.dq_oe)
			for (uint64_t c : reads_)
				if (e + 1 >= c + cas_ && e <= c + cas_ + BURST - 1)
					fail("DQ driven at edge %" PRIu64 " while the SDRAM drives a READ of edge %" PRIu64, e, c);
		if (cke_seen_ && !p.cke)
			fail("CKE low at edge %" PRIu64 " after it went high (no power-down here)", e);
		if (p.cke)
			cke_seen_ = true;
		cmd c = decode(p);
		if (c != CMD_NOP && !p.cke)
			fail("%s with CKE low", cmd_name[c]);
		if (first_ref_ != NEVER && !fail_refi_ && (e - last_ref_) * 1000000u > (uint64_t)T_REFI * khz_) {
			fail("no AUTO REFRESH for %" PRIu64 " clocks (edge %" PRIu64 " on): over tREFI", e - last_ref_, last_ref_);
			fail_refi_ = true;
		}
		for (unsigned b = 0; b < 4; b++)
			if (bank_[b].active && !fail_ras_max_ &&
			    (e - bank_[b].act) * 1000000u > (uint64_t)T_RAS_MAX * khz_) {
				fail("bank %u open longer than tRAS max", b);
				fail_ras_max_ = true;
			}
		switch (c) {
		case CMD_NOP: break;
		case CMD_MRS: mode(p); break;
		case CMD_REF: refresh(); break;
		case CMD_PRE: precharge(p); break;
		case CMD_ACT: activate(p); break;
		case CMD_READ: case CMD_WRITE: column(c, p); break;
		case CMD_BST: fail("BURST TERMINATE (the controller ends bursts by their length)"); break;
		}
		write_data(e, p);	// after the command: a WRITE's first word is at its own edge
		while (!reads_.empty() && reads_.front() + cas_ + BURST + 2 < e)
			reads_.pop_front();
	}

	uint64_t violations = 0, refreshes = 0, activates = 0, bursts = 0;
	bool quiet = false;	// keep the first message instead of failing the case (the _bad cases)
	std::string first_msg;

private:
	struct bank {
		bool active = false;
		unsigned row = 0;
		uint64_t act = NEVER, pre = NEVER, col = NEVER, rd = NEVER, wr_last = NEVER;
	};

	void fail(const char *fmt, ...) __attribute__((format(printf, 2, 3)))
	{
		char msg[300];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
		violations++;
		if (quiet) {
			if (first_msg.empty())
				first_msg = msg;
		} else if (violations <= 5) {
			th_expect(false, "%s: edge %" PRIu64 ": %s", name_, now_, msg);
		}
	}

	cmd decode(const pins &p) const
	{
		if (p.cs_n)
			return CMD_NOP;
		switch ((p.ras_n << 2) | (p.cas_n << 1) | p.we_n) {
		case 7: return CMD_NOP;
		case 3: return CMD_ACT;
		case 5: return CMD_READ;
		case 4: return CMD_WRITE;
		case 2: return CMD_PRE;
		case 1: return CMD_REF;
		case 0: return CMD_MRS;
		default: return CMD_BST;
		}
	}

	// since when every bank has been idle, or NEVER
	bool all_idle() const
	{
		for (const bank &b : bank_)
			if (b.active)
				return false;
		return true;
	}

	bool init_ok(cmd c)
	{
		if (!powered_) {
			if (!at_least(0, now_, POWERUP_NS))
				fail("%s before the power-up wait (200 us)", cmd_name[c]);
			powered_ = true;
		}
		return true;
	}

	void mode(const pins &p)
	{
		init_ok(CMD_MRS);
		if (!all_idle())
			fail("MODE with a bank open");
		if (!pre_all_ || init_refs_ < INIT_REFRESHES)
			fail("MODE before PRECHARGE ALL and %u refreshes (%u)", INIT_REFRESHES, init_refs_);
		check_rp_rfc("MODE");
		unsigned want = (cas_ << 4) | 2;	// burst write, CAS, sequential, BL 4
		if (p.a != want || p.ba != 0)
			fail("MODE %04x (BA %u), want %04x: burst of 4, sequential, CAS %u", p.a, p.ba, want, cas_);
		moded_ = true;
		mrs_ = now_;
	}

	void check_rp_rfc(const char *what)
	{
		for (unsigned b = 0; b < 4; b++) {
			if (bank_[b].pre != NEVER && !at_least(bank_[b].pre, now_, T_RP))
				fail("%s %" PRIu64 " clocks after PRECHARGE of bank %u: under tRP", what, now_ - bank_[b].pre, b);
			if (bank_[b].act != NEVER && !at_least(bank_[b].act, now_, T_RC))
				fail("%s %" PRIu64 " clocks after ACTIVATE of bank %u: under tRC", what, now_ - bank_[b].act, b);
		}
		if (last_ref_ != NEVER && !at_least(last_ref_, now_, T_RFC))
			fail("%s %" PRIu64 " clocks after AUTO REFRESH: under tRFC", what, now_ - last_ref_);
		if (mrs_ != NEVER && (now_ - mrs_ < T_MRD_CLK || !at_least(mrs_, now_, T_MRD)))
			fail("%s %" PRIu64 " clocks after MODE: under tMRD", what, now_ - mrs_);
	}

	void refresh()
	{
		init_ok(CMD_REF);
		if (!pre_all_)
			fail("AUTO REFRESH before PRECHARGE ALL");
		if (!all_idle())
			fail("AUTO REFRESH with a bank open");
		check_rp_rfc("AUTO REFRESH");
		if (!moded_)
			init_refs_++;
		if (first_ref_ == NEVER)
			first_ref_ = now_;
		last_ref_ = now_;
		refreshes++;
	}

	void precharge(const pins &p)
	{
		init_ok(CMD_PRE);
		bool all = p.a >> 10 & 1;
		if (!moded_ && !all)
			fail("the first command is not PRECHARGE ALL");
		pre_all_ = pre_all_ || all;
		for (unsigned b = 0; b < 4; b++) {
			if (!all && b != p.ba)
				continue;
			bank &k = bank_[b];
			if (!k.active)
				continue;	// a precharge of an idle bank is a NOP
			if (!at_least(k.act, now_, T_RAS))
				fail("PRECHARGE of bank %u %" PRIu64 " clocks after ACTIVATE: under tRAS", b, now_ - k.act);
			if (k.rd != NEVER && now_ < k.rd + BURST)
				fail("PRECHARGE of bank %u cuts the READ of edge %" PRIu64 " short", b, k.rd);
			if (k.wr_last != NEVER && (now_ - k.wr_last < T_WR_CLK || !at_least(k.wr_last, now_, T_WR)))
				fail("PRECHARGE of bank %u %" PRIu64 " clocks after its last write word: under tWR",
				     b, now_ - k.wr_last);
			k.active = false;
			k.pre = now_;
			k.rd = k.wr_last = NEVER;
		}
	}

	void activate(const pins &p)
	{
		init_ok(CMD_ACT);
		if (!moded_)
			fail("ACTIVATE before the mode register is set");
		bank &k = bank_[p.ba];
		if (k.active)
			fail("ACTIVATE of bank %u, which has row %u open", p.ba, k.row);
		if (k.pre != NEVER && !at_least(k.pre, now_, T_RP))
			fail("ACTIVATE of bank %u %" PRIu64 " clocks after its PRECHARGE: under tRP", p.ba, now_ - k.pre);
		if (k.act != NEVER && !at_least(k.act, now_, T_RC))
			fail("ACTIVATE of bank %u %" PRIu64 " clocks after its last: under tRC", p.ba, now_ - k.act);
		if (last_act_ != NEVER && !at_least(last_act_, now_, T_RRD))
			fail("ACTIVATE %" PRIu64 " clocks after another: under tRRD", now_ - last_act_);
		if (last_ref_ != NEVER && !at_least(last_ref_, now_, T_RFC))
			fail("ACTIVATE %" PRIu64 " clocks after AUTO REFRESH: under tRFC", now_ - last_ref_);
		if (mrs_ != NEVER && (now_ - mrs_ < T_MRD_CLK || !at_least(mrs_, now_, T_MRD)))
			fail("ACTIVATE %" PRIu64 " clocks after MODE: under tMRD", now_ - mrs_);
		if (p.a >= (1u << ROW_BITS))
			fail("ACTIVATE of row %u, beyond the part", p.a);
		k.active = true;
		k.row = p.a & ((1u << ROW_BITS) - 1);
		k.act = now_;
		k.pre = NEVER;
		last_act_ = now_;
		activates++;
	}

	void column(cmd c, const pins &p)
	{
		init_ok(c);
		bank &k = bank_[p.ba];
		if (!k.active) {
			fail("%s to bank %u, which has no row open", cmd_name[c], p.ba);
			return;
		}
		if (!at_least(k.act, now_, T_RCD))
			fail("%s %" PRIu64 " clocks after ACTIVATE: under tRCD", cmd_name[c], now_ - k.act);
		if (last_col_ != NEVER && now_ < last_col_ + BURST)
			fail("%s %" PRIu64 " clocks after the last READ or WRITE cuts its burst short",
			     cmd_name[c], now_ - last_col_);
		if (p.a >> 10 & 1)
			fail("%s with auto precharge (A10 high)", cmd_name[c]);
		unsigned col = p.a & ((1u << col_bits_) - 1);
		if (p.a & ~((1u << col_bits_) - 1) & ~(1u << 10))
			fail("%s with column bits above the part's", cmd_name[c]);
		if (col % BURST)
			fail("%s of column %u, not the start of a burst of 4 (it would wrap)", cmd_name[c], col);
		size_t base = (((size_t)p.ba << ROW_BITS | k.row) << col_bits_) | (col & ~(BURST - 1));
		last_col_ = now_;
		bursts++;
		if (c == CMD_READ) {
			k.rd = now_;
			reads_.push_back(now_);
			for (unsigned i = 0; i < BURST; i++)
				out_[now_ + cas_ + i] = mem_[base + i];
			read_check_.push_back(now_);
		} else {
			if (!reads_.empty() && now_ < reads_.back() + cas_ + BURST)
				fail("WRITE while the READ of edge %" PRIu64 " still has DQ", reads_.back());
			wr_base_ = base;
			wr_start_ = now_;
			wr_bank_ = p.ba;
		}
	}

	// Write words at their edges; DQM over read words, checked at their
	// edges (DQM's read latency is 2: it masks the word two clocks on).
	void write_data(uint64_t e, const pins &p)
	{
		if (wr_start_ != NEVER && e >= wr_start_ && e < wr_start_ + BURST) {
			unsigned i = (unsigned)(e - wr_start_);
			if (!p.dq_oe)
				fail("write word %u not driven (DQ let go)", i);
			uint16_t &w = mem_[wr_base_ + i];
			if (!(p.dqm & 1))
				w = (uint16_t)((w & 0xFF00) | (p.dq & 0xFF));
			if (!(p.dqm & 2))
				w = (uint16_t)((w & 0x00FF) | (p.dq & 0xFF00));
			bank_[wr_bank_].wr_last = e;
			if (i == BURST - 1)
				wr_start_ = NEVER;
		}
		while (!read_check_.empty() && read_check_.front() + cas_ + BURST - 1 < e)
			read_check_.pop_front();
		for (uint64_t c : read_check_)
			for (unsigned i = 0; i < BURST; i++)
				if (c + cas_ + i == e + 2 && (p.dqm != 0))
					fail("DQM %u at edge %" PRIu64 " masks word %u of the READ of edge %" PRIu64,
					     p.dqm, e, i, c);
	}

	const char *name_;
	unsigned khz_, cas_, col_bits_;
	std::vector<uint16_t> mem_;
	bank bank_[4];
	uint64_t now_ = 0, last_ref_ = NEVER, first_ref_ = NEVER, last_act_ = NEVER, last_col_ = NEVER,
		mrs_ = NEVER;
	bool powered_ = false, pre_all_ = false, moded_ = false, cke_seen_ = false;
	bool fail_refi_ = false, fail_ras_max_ = false;
	unsigned init_refs_ = 0;
	std::unordered_map<uint64_t, unsigned> out_;	// edge -> read word
	std::deque<uint64_t> reads_, read_check_;
	uint64_t wr_start_ = NEVER;
	size_t wr_base_ = 0;
	unsigned wr_bank_ = 0;
};

struct line_ref {
	uint64_t data = 0, known = 0;
};

uint64_t byte_mask(unsigned be)
{
	uint64_t m = 0;
	for (unsigned b = 0; b < 8; b++)
		if (be >> b & 1)
			m |= (uint64_t)0xFF << (8 * b);
	return m;
}

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
		pins p;
		p.cke = dut_->o_sdram_cke;
		p.cs_n = dut_->o_sdram_cs_n;
		p.ras_n = dut_->o_sdram_ras_n;
		p.cas_n = dut_->o_sdram_cas_n;
		p.we_n = dut_->o_sdram_we_n;
		p.ba = dut_->o_sdram_ba;
		p.a = dut_->o_sdram_a;
		p.dqm = dut_->o_sdram_dqm;
		p.dq = dut_->o_sdram_dq;
		p.dq_oe = dut_->o_sdram_dq_oe;
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
