// A behavioural 16-bit SDR SDRAM that takes a controller's pins each clock and reports every break of the datasheet's rules (tests/rtl/test_rtl_sdram.cpp).
//
// The part is the ULX3S's: 4 banks of 8,192 rows, 2^col_bits columns;
// the rules are the slower of AS4C32M16SB-7 and MT48LC16M16A2-75, in
// nanoseconds, checked at the clock the model is given. Edge e is the
// controller's e-th rising edge; the part takes what the controller
// registered at edge e half a clock later (the board clocks it inverted),
// and the word a READ of edge c puts out for its i-th word is what the
// controller samples at edge c + CAS + i (dq_at). The controller's own
// choices, which the model holds it to: bursts of 4, sequential, never
// cut short (no BURST TERMINATE, no auto precharge), no power-down.
// A violation fails the current test case (th_expect) unless `quiet` is
// set, which keeps the first message for the _bad cases instead. Outside
// the test harness (sim/rtl_device.cpp, the ULX3S device's SDRAM), define
// SDRAM_MODEL_REPORT(msg) first: it is told each of the first violations.
#ifndef SNN_TEST_SDRAM_MODEL_H
#define SNN_TEST_SDRAM_MODEL_H

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

#ifndef SDRAM_MODEL_REPORT
extern "C" {
#include "harness.h"
}
#define SDRAM_MODEL_REPORT(msg) th_expect(false, "%s", msg)
#endif

namespace sdram_model {

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

// The pins of a Verilated design that drives them (o_sdram_*), as the
// model takes them at each edge.
template <class M> pins pins_of(const M *m)
{
	pins p;
	p.cke = m->o_sdram_cke;
	p.cs_n = m->o_sdram_cs_n;
	p.ras_n = m->o_sdram_ras_n;
	p.cas_n = m->o_sdram_cas_n;
	p.we_n = m->o_sdram_we_n;
	p.ba = m->o_sdram_ba;
	p.a = m->o_sdram_a;
	p.dqm = m->o_sdram_dqm;
	p.dq = m->o_sdram_dq;
	p.dq_oe = m->o_sdram_dq_oe;
	return p;
}

const uint64_t NEVER = UINT64_MAX / 2;

class sdram {
public:
	sdram(const char *name, unsigned khz, unsigned cas, unsigned col_bits)
		: name_(name), khz_(khz), cas_(cas), col_bits_(col_bits),
		  mem_((uint16_t *)calloc((size_t)4 << (ROW_BITS + col_bits), sizeof(uint16_t)), free)
	{
		if (!mem_)
			abort();
	}

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
		if (it == out_.end()) {	// junk: xorshift32
			junk_ ^= junk_ << 13;
			junk_ ^= junk_ >> 17;
			junk_ ^= junk_ << 5;
			return junk_ & 0xFFFF;
		}
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
			char full[400];
			snprintf(full, sizeof full, "%s: edge %" PRIu64 ": %s", name_, now_, msg);
			SDRAM_MODEL_REPORT(full);
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
				out_[now_ + cas_ + i] = mem_.get()[base + i];
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
			uint16_t &w = mem_.get()[wr_base_ + i];
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
	// calloc: the pages a test never touches cost nothing (32 or 64 MB a part)
	std::unique_ptr<uint16_t, void (*)(void *)> mem_;
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
	uint32_t junk_ = 0x2545F491u;
};

}	// namespace sdram_model

#endif
