// The iCEBreaker design below its PLL (boards/icebreaker/snn_icebreaker_core.v: UART link, link echo device, LEDs) at bit level, against a host UART model and lib's frame encoder and decoder.
//
// The host side is modelled in continuous time: its transmitter plays frames
// from snn_frame_encode() as 8N1 bits at its own bit time (exact, 2 % slow
// or 2 % fast), with random idle gaps, and its receiver samples the design's
// TX line at the centres of its own bit times and hands the bytes to
// snn_decoder_feed(). What the design must answer is worked out
// independently: lib's decoder run over the bytes the host sent (without
// the ones the design must drop) gives, frame by frame, the echo (op | 0x80,
// same seq and payload) or the ERROR frame (CRC: code 1, op, detail 0;
// LENGTH: code 2, op, detail = length) the design must send, and the byte
// stream into the device must be exactly those bytes. The LEDs are checked
// cycle by cycle against a model of the stretchers, and the byte streams
// between link and device against the valid/ready rule. Models: one per set
// of rtl/mk/uart.mk (uart_models.h).
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "verilated.h"
#include "uart_models.h"

extern "C" {
#include "harness.h"
#include "snn/protocol.h"
}

namespace {

uint64_t rng_state = 0x0A5A5F00Du;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

double uniform(void)	// [0, 1)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

bool chance(unsigned pct)
{
	return rng() % 100 < pct;
}

// Payload lengths every echo case runs through.
const unsigned edge_len[] = {0, 1, 2, 3, 4, 5, 255, 256, 511, 512, 1000, 1023, 1024};

// ---- the host's UART ----------------------------------------------------------

// One line level held for a time, in design clock cycles.
struct segment {
	int level;
	double cycles;
};

// The host's transmitter: line levels played out in continuous time.
struct host_tx {
	double bit = 16;	// the host's bit time in design cycles
	std::deque<segment> q;
	double end = 0;	// when the current segment ends
	int level = 1;
	bool starved = true;	// the queue ran dry: the next segment starts when asked

	void byte(uint8_t b, bool stop_ok = true)
	{
		q.push_back({0, bit});
		for (int i = 0; i < 8; i++)
			q.push_back({(b >> i) & 1, bit});
		q.push_back({stop_ok ? 1 : 0, bit});
	}
	void idle(double bits)
	{
		if (bits > 0)
			q.push_back({1, bits * bit});
	}
	// The line at time t (non-decreasing from call to call).
	int at(double t)
	{
		for (;;) {
			if (!starved && t < end)
				return level;
			if (q.empty()) {
				starved = true;
				level = 1;
				return level;
			}
			if (starved) {
				end = t;
				starved = false;
			}
			level = q.front().level;
			end += q.front().cycles;
			q.pop_front();
		}
	}
	bool done(double t) const { return q.empty() && (starved || t >= end); }
};

// The host's receiver: finds start bits on the design's TX line and samples
// every bit at the centre of the host's own bit time.
struct host_rx {
	double bit = 16;
	bool in_byte = false;
	double next = 0;	// time of the next sample
	int nbit = 0;	// 0 start, 1..8 data, 9 stop
	unsigned value = 0;
	int last = 1;
	std::vector<uint8_t> bytes;
	unsigned frame_errors = 0, glitches = 0;

	// The line is v over [t, t + 1).
	void sample(double t, int v)
	{
		if (!in_byte) {
			if (!(last && !v)) {
				last = v;
				return;
			}
			in_byte = true;	// a falling edge at t
			next = t + 0.5 * bit;
			nbit = 0;
			value = 0;
		}
		last = v;
		while (in_byte && next < t + 1) {
			if (nbit == 0) {
				if (v) {
					glitches++;
					in_byte = false;
				}
			} else if (nbit <= 8) {
				value |= (unsigned)v << (nbit - 1);
			} else {
				if (v)
					bytes.push_back((uint8_t)value);
				else
					frame_errors++;
				in_byte = false;
			}
			nbit++;
			next += bit;
		}
	}
};

// ---- frames and what must come back ----------------------------------------

struct frame {
	unsigned op, seq;
	std::vector<uint8_t> payload;

	bool operator==(const frame &o) const
	{
		return op == o.op && seq == o.seq && payload == o.payload;
	}
};

std::string describe(const frame &f)
{
	char s[160];
	snprintf(s, sizeof s, "op 0x%02x seq %u, %zu payload bytes", f.op, f.seq, f.payload.size());
	std::string r = s;
	for (size_t i = 0; i < f.payload.size() && i < 4; i++) {
		snprintf(s, sizeof s, "%s%02x", i ? " " : " [", f.payload[i]);
		r += s;
	}
	if (!f.payload.empty())
		r += f.payload.size() > 4 ? " ...]" : "]";
	return r;
}

// Feeds bytes to lib's decoder one at a time and keeps what it reports, as
// the design must answer it (good frames as their echo, refused ones as the
// ERROR frame), or as they are (replies).
struct decoded {
	snn_decoder d;
	std::vector<frame> frames;
	bool as_replies;

	// requests: the frames are what the device receives, kept as the
	// answers it must give; otherwise they are replies, kept as they are
	explicit decoded(bool requests) : as_replies(!requests) { snn_decoder_init(&d); }
	void feed(uint8_t b)
	{
		size_t used = 0;
		snn_frame f;
		snn_decode_status st = snn_decoder_feed(&d, &b, 1, &used, &f);
		if (st == SNN_DECODE_FRAME) {
			frame r = {f.op, f.seq, std::vector<uint8_t>(f.payload, f.payload + f.len)};
			if (!as_replies)
				r.op |= SNN_REPLY_BIT;
			frames.push_back(r);
		} else if (st == SNN_DECODE_BAD_CRC || st == SNN_DECODE_BAD_LENGTH) {
			// a reply with a bad CRC is a failure the comparison will show
			frame r = {SNN_OP_ERROR, d.last_seq, {}};
			if (st == SNN_DECODE_BAD_CRC)
				r.payload = {SNN_LERR_CRC, d.last_op, 0, 0};
			else
				r.payload = {SNN_LERR_LENGTH, d.last_op, (uint8_t)d.last_len,
					     (uint8_t)(d.last_len >> 8)};
			if (as_replies)
				r.op = 0x100;	// matches nothing a device sends
			frames.push_back(r);
		}
	}
};

// One thing the host sends: bytes, each with a good or a low stop bit, and
// idle time after each; and how many replies it must get (for lock step).
struct message {
	std::vector<uint8_t> bytes;
	std::vector<bool> stop_ok;
	std::vector<double> gap;	// idle bits after each byte
	unsigned replies = 0;
	bool glitch = false;	// a short low pulse instead of bytes
};

message frame_message(uint8_t op, uint8_t seq, const std::vector<uint8_t> &payload)
{
	uint8_t buf[SNN_FRAME_MAX];
	int n = snn_frame_encode(op, seq, payload.data(), payload.size(), buf);
	message m;
	m.bytes.assign(buf, buf + (n > 0 ? n : 0));
	m.stop_ok.assign(m.bytes.size(), true);
	m.gap.assign(m.bytes.size(), 0.0);
	m.replies = 1;
	return m;
}

std::vector<uint8_t> random_payload(unsigned len)
{
	std::vector<uint8_t> p(len);
	for (auto &b : p)
		b = (uint8_t)rng();
	return p;
}

// How a case sends.
struct timing {
	double tx_skew = 0, rx_skew = 0;	// host clock rate error: +0.02 is 2 % fast
	unsigned byte_gap_pct = 0;	// chance of an idle gap after a byte
	double byte_gap_max = 0;	// in bits
	double frame_gap_max = 0;	// idle bits before a message, at most
	bool lock_step = false;	// wait for a message's replies before the next
};

// ---- the bench ---------------------------------------------------------------

template <class M>
struct bench {
	const char *name;
	unsigned cpb, fifo_depth, led_bits;
	VerilatedContext *ctx;
	std::unique_ptr<M> m;
	double now = 1;	// time of the next rising edge, in cycles
	host_tx tx;
	host_rx rx;

	// what must reach the device, and what did
	std::vector<uint8_t> want_in, got_in, got_out;
	bool check_in = true;
	// pulses and checks
	unsigned frame_errs = 0, overruns = 0, bad_frames = 0;
	uint64_t led_mismatch = 0, rule_violations = 0;
	uint64_t err_led_cycles = 0, act_led_cycles = 0;
	bool err_event_q = false, act_event_q = false;	// the events as the stretchers register them
	unsigned err_count = 0, act_count = 0;	// the stretcher model
	// the valid/ready rule on the two streams between link and device
	bool rx_held = false, tx_held = false;
	uint8_t rx_held_data = 0, tx_held_data = 0;

	bench(const char *n, unsigned c, unsigned f, unsigned l, VerilatedContext *x)
		: name(n), cpb(c), fifo_depth(f), led_bits(l), ctx(x), m(new M(x))
	{
		m->i_clk = 0;
		m->i_rxd = 1;
		m->eval();
		reset();
	}
	~bench() { m->final(); }

	unsigned led_max() const { return (1u << led_bits) - 1; }

	void cycle()
	{
		m->i_rxd = tx.at(now - 0.5);	// inputs change at the falling edge
		m->i_clk = 0;
		m->eval();

		// Before the rising edge: pulses (registered) and this edge's handshakes.
		bool err_event = m->o_frame_err || m->o_overrun || m->o_bad_frame;
		frame_errs += m->o_frame_err;
		overruns += m->o_overrun;
		bad_frames += m->o_bad_frame;
		bool rx_move = m->o_mon_rx_valid && m->o_mon_rx_ready;
		bool tx_move = m->o_mon_tx_valid && m->o_mon_tx_ready;
		if (rx_held && (!m->o_mon_rx_valid || m->o_mon_rx_data != rx_held_data)) {
			if (rule_violations++ < 3)
				th_expect(false, "%s: link -> device stream: valid or data changed before ready",
					  name);
		}
		if (tx_held && (!m->o_mon_tx_valid || m->o_mon_tx_data != tx_held_data)) {
			if (rule_violations++ < 3)
				th_expect(false, "%s: device -> link stream: valid or data changed before ready",
					  name);
		}
		bool in_reset = m->i_rst;
		rx_held = !in_reset && m->o_mon_rx_valid && !m->o_mon_rx_ready;
		rx_held_data = m->o_mon_rx_data;
		tx_held = !in_reset && m->o_mon_tx_valid && !m->o_mon_tx_ready;
		tx_held_data = m->o_mon_tx_data;
		if (rx_move)
			got_in.push_back(m->o_mon_rx_data);
		if (tx_move)
			got_out.push_back(m->o_mon_tx_data);

		m->i_clk = 1;
		m->eval();

		// The stretchers: loaded at the edge after an event's (they
		// register it first), then counting down.
		if (in_reset) {
			err_count = act_count = 0;
		} else {
			err_count = err_event_q ? led_max() : err_count ? err_count - 1 : 0;
			act_count = act_event_q ? led_max() : act_count ? act_count - 1 : 0;
		}
		err_event_q = err_event;
		act_event_q = rx_move || tx_move;
		if ((bool)m->o_led_error != (err_count != 0) ||
		    (bool)m->o_led_activity != (act_count != 0)) {
			if (led_mismatch++ < 3)
				th_expect(false, "%s: LEDs error %d activity %d, the stretcher model says %d %d",
					  name, m->o_led_error, m->o_led_activity, err_count != 0,
					  act_count != 0);
		}
		err_led_cycles += m->o_led_error;
		act_led_cycles += m->o_led_activity;

		rx.sample(now, m->o_txd);	// o_txd holds until the next edge
		now += 1;
	}

	void reset()
	{
		m->i_rst = 1;
		for (int i = 0; i < 3; i++)
			cycle();
		m->i_rst = 0;
		rx_held = tx_held = false;
		tx.q.clear();
		rx = host_rx();
		want_in.clear();
		got_in.clear();
		got_out.clear();
		check_in = true;
		frame_errs = overruns = bad_frames = 0;
	}

	// Queues a message on the host's line, with random idle time before it.
	void send(const message &msg, const timing &tm)
	{
		tx.idle(uniform() * tm.frame_gap_max + uniform() / cpb);
		if (msg.glitch) {
			// shorter than the receiver's start-bit check (below half a bit)
			tx.q.push_back({0, cpb / 4.0});
			tx.idle(2);
			return;
		}
		for (size_t i = 0; i < msg.bytes.size(); i++) {
			tx.byte(msg.bytes[i], msg.stop_ok[i]);
			if (!msg.stop_ok[i])
				tx.idle(1.5);	// the line must go high before the next start bit
			double g = msg.gap[i];
			if (tm.byte_gap_pct && chance(tm.byte_gap_pct))
				g += uniform() * tm.byte_gap_max;
			tx.idle(g);
			if (msg.stop_ok[i])
				want_in.push_back(msg.bytes[i]);	// dropped otherwise
		}
	}

	// Sends the messages and runs until every reply is in and the line has
	// been quiet for a while; returns the replies, decoded. The caller
	// compares them.
	std::vector<frame> run(const std::vector<message> &msgs, const timing &tm)
	{
		tx.bit = cpb / (1.0 + tm.tx_skew);
		rx.bit = cpb / (1.0 + tm.rx_skew);
		decoded replies(false);
		size_t fed = rx.bytes.size();
		unsigned want_replies = 0;
		double bytes = 0;
		for (const message &x : msgs) {
			want_replies += x.replies;
			bytes += 2.0 * x.bytes.size() + 20.0 * x.replies + 20;
		}
		const double limit = now + bytes * 10 * cpb * 1.1 + 5000;
		unsigned waited = 0;	// replies the next message waits for in lock step
		size_t next = 0;
		while (now < limit) {
			if (next < msgs.size() && (!tm.lock_step || replies.frames.size() >= waited)) {
				if (!tm.lock_step || tx.done(now)) {
					send(msgs[next], tm);
					waited += msgs[next].replies;
					next++;
				}
			}
			cycle();
			while (fed < rx.bytes.size())
				replies.feed(rx.bytes[fed++]);
			if (next == msgs.size() && tx.done(now) && replies.frames.size() >= want_replies &&
			    !m->o_busy)
				break;
		}
		th_expect(now < limit, "%s: timed out with %zu of %u replies", name,
			  replies.frames.size(), want_replies);
		// Anything more would be a reply to nothing.
		for (unsigned i = 0; i < 30 * 10 * cpb; i++)
			cycle();
		while (fed < rx.bytes.size())
			replies.feed(rx.bytes[fed++]);
		return replies.frames;
	}

	// Runs the messages and checks: replies against lib's decoder over the
	// bytes the device must get, those bytes against what it got, the bytes
	// the device sent against what the host's UART received.
	std::vector<frame> check(const std::vector<message> &msgs, const timing &tm)
	{
		size_t in0 = want_in.size(), got0 = got_in.size();
		size_t out0 = got_out.size(), rx0 = rx.bytes.size();
		unsigned rx_errors0 = rx.frame_errors, rx_glitches0 = rx.glitches;
		std::vector<frame> got = run(msgs, tm);

		decoded want(true);
		for (size_t i = in0; i < want_in.size(); i++)
			want.feed(want_in[i]);
		th_expect(got.size() == want.frames.size(), "%s: %zu replies, expected %zu", name,
			  got.size(), want.frames.size());
		for (size_t i = 0; i < got.size() && i < want.frames.size(); i++) {
			if (!th_expect(got[i] == want.frames[i], "%s: reply %zu: %s, expected %s", name, i,
				       describe(got[i]).c_str(), describe(want.frames[i]).c_str()))
				break;
		}
		if (check_in) {
			std::vector<uint8_t> a(want_in.begin() + in0, want_in.end());
			std::vector<uint8_t> b(got_in.begin() + got0, got_in.end());
			th_expect(a == b, "%s: the device got %zu bytes, the host sent %zu (or they differ)",
				  name, b.size(), a.size());
		}
		std::vector<uint8_t> a(got_out.begin() + out0, got_out.end());
		std::vector<uint8_t> b(rx.bytes.begin() + rx0, rx.bytes.end());
		th_expect(a == b, "%s: the device sent %zu bytes, the host's UART received %zu (or they differ)",
			  name, a.size(), b.size());
		th_expect(rx.frame_errors == rx_errors0 && rx.glitches == rx_glitches0,
			  "%s: the host's UART saw %u framing errors, %u false starts", name,
			  rx.frame_errors - rx_errors0, rx.glitches - rx_glitches0);
		th_expect(!m->o_busy, "%s: still busy after every reply", name);
		return got;
	}
};

// ---- cases -------------------------------------------------------------------

uint8_t seq_counter;

uint8_t random_op(void)
{
	return (uint8_t)(rng() % 0x7F);	// a request op, not ERROR
}

template <class M>
void echo_case(bench<M> &b, const char *what, const std::vector<unsigned> &lens, timing tm)
{
	th_case("%s: %s", b.name, what);
	std::vector<message> msgs;
	for (unsigned len : lens)
		msgs.push_back(frame_message(random_op(), seq_counter++, random_payload(len)));
	unsigned errs = b.frame_errs, bad = b.bad_frames, over = b.overruns;
	std::vector<frame> got = b.check(msgs, tm);
	th_expect(got.size() == lens.size(), "%s: %zu replies to %zu frames", b.name, got.size(),
		  lens.size());
	for (const frame &f : got)
		th_expect(f.op != SNN_OP_ERROR, "%s: an ERROR reply to a good frame", b.name);
	th_expect(b.frame_errs == errs && b.bad_frames == bad && b.overruns == over,
		  "%s: %u framing errors, %u refused frames, %u overruns", b.name, b.frame_errs - errs,
		  b.bad_frames - bad, b.overruns - over);
}

std::vector<unsigned> random_lens(unsigned n)
{
	std::vector<unsigned> v;
	for (unsigned i = 0; i < n; i++)
		v.push_back(chance(25) ? (unsigned)(rng() % 1025) : (unsigned)(rng() % 64));
	return v;
}

template <class M>
void bad_crc_case(bench<M> &b, timing tm)
{
	th_case("%s: a frame with a bad CRC is answered with ERROR CRC, not echoed", b.name);
	std::vector<message> msgs;
	msgs.push_back(frame_message(random_op(), seq_counter++, random_payload(10)));
	message bad = frame_message(0x3F, seq_counter++, random_payload(40));
	size_t at = 5 + rng() % (bad.bytes.size() - 5);	// payload or CRC, not the length
	bad.bytes[at] ^= (uint8_t)(1u << (rng() % 8));
	msgs.push_back(bad);
	msgs.push_back(frame_message(random_op(), seq_counter++, random_payload(3)));
	unsigned refused = b.bad_frames;
	std::vector<frame> got = b.check(msgs, tm);
	if (th_expect(got.size() == 3, "%s: %zu replies to 3 frames", b.name, got.size())) {
		th_expect(got[1].op == SNN_OP_ERROR && got[1].seq == bad.bytes[2] &&
				  got[1].payload == std::vector<uint8_t>({SNN_LERR_CRC, 0x3F, 0, 0}),
			  "%s: reply to the damaged frame: %s", b.name, describe(got[1]).c_str());
		th_expect(got[0].op != SNN_OP_ERROR && got[2].op != SNN_OP_ERROR,
			  "%s: the good frames around it were not echoed", b.name);
	}
	th_expect(b.bad_frames == refused + 1, "%s: %u refused-frame pulses, expected 1", b.name,
		  b.bad_frames - refused);
}

template <class M>
void bad_length_case(bench<M> &b, timing tm)
{
	th_case("%s: a header with a length over 1024 is answered with ERROR LENGTH", b.name);
	std::vector<message> msgs;
	uint16_t len = (uint16_t)(1025 + rng() % (65536 - 1025));
	message hdr;
	uint8_t seq = seq_counter++;
	hdr.bytes = {SNN_FRAME_SOF, 0x05, seq, (uint8_t)len, (uint8_t)(len >> 8)};
	hdr.stop_ok.assign(5, true);
	hdr.gap.assign(5, 0.0);
	hdr.replies = 1;
	msgs.push_back(hdr);
	msgs.push_back(frame_message(random_op(), seq_counter++, random_payload(7)));
	unsigned refused = b.bad_frames;
	std::vector<frame> got = b.check(msgs, tm);
	if (th_expect(got.size() == 2, "%s: %zu replies, expected 2", b.name, got.size()))
		th_expect(got[0].op == SNN_OP_ERROR && got[0].seq == seq &&
				  got[0].payload == std::vector<uint8_t>({SNN_LERR_LENGTH, 0x05,
									  (uint8_t)len, (uint8_t)(len >> 8)}),
			  "%s: reply to the over-long header: %s", b.name, describe(got[0]).c_str());
	th_expect(b.bad_frames == refused + 1, "%s: %u refused-frame pulses, expected 1", b.name,
		  b.bad_frames - refused);
}

template <class M>
void framing_case(bench<M> &b, timing tm)
{
	th_case("%s: a lone byte without its stop bit is flagged and dropped", b.name);
	std::vector<message> msgs;
	message junk;
	junk.bytes = {(uint8_t)(rng() | 1)};	// not 0: a 0 would look like a break
	junk.stop_ok = {false};
	junk.gap = {0.0};
	msgs.push_back(junk);
	msgs.push_back(frame_message(random_op(), seq_counter++, random_payload(12)));
	unsigned errs = b.frame_errs;
	std::vector<frame> got = b.check(msgs, tm);
	th_expect(b.frame_errs == errs + 1, "%s: %u framing-error pulses, expected 1", b.name,
		  b.frame_errs - errs);
	th_expect(got.size() == 1 && got[0].op != SNN_OP_ERROR, "%s: the frame after it is echoed",
		  b.name);

	th_case("%s: a payload byte without its stop bit: flagged, the frame refused with ERROR CRC",
		b.name);
	msgs.clear();
	message f = frame_message(random_op(), seq_counter++, random_payload(20));
	size_t at = 5 + rng() % 20;
	f.stop_ok[at] = false;
	// one byte more, so the receiver has the length it was told
	f.bytes.push_back((uint8_t)~f.bytes[at]);
	f.stop_ok.push_back(true);
	f.gap.push_back(0.0);
	msgs.push_back(f);
	msgs.push_back(frame_message(random_op(), seq_counter++, random_payload(5)));
	errs = b.frame_errs;
	got = b.check(msgs, tm);
	th_expect(b.frame_errs == errs + 1, "%s: %u framing-error pulses, expected 1", b.name,
		  b.frame_errs - errs);
	if (th_expect(got.size() == 2, "%s: %zu replies, expected 2", b.name, got.size())) {
		th_expect(got[0].op == SNN_OP_ERROR && got[0].payload.size() == 4 &&
				  got[0].payload[0] == SNN_LERR_CRC,
			  "%s: reply to the damaged frame: %s", b.name, describe(got[0]).c_str());
		th_expect(got[1].op != SNN_OP_ERROR, "%s: the next frame is echoed", b.name);
	}
}

template <class M>
void glitch_case(bench<M> &b, timing tm)
{
	th_case("%s: a low pulse shorter than half a bit is no start bit", b.name);
	std::vector<message> msgs;
	message g;
	g.glitch = true;
	msgs.push_back(g);
	msgs.push_back(frame_message(random_op(), seq_counter++, random_payload(6)));
	msgs.push_back(g);
	unsigned errs = b.frame_errs;
	std::vector<frame> got = b.check(msgs, tm);
	th_expect(b.frame_errs == errs, "%s: %u framing-error pulses", b.name, b.frame_errs - errs);
	th_expect(got.size() == 1, "%s: %zu replies, expected 1", b.name, got.size());
}

template <class M>
void overrun_case(bench<M> &b)
{
	th_case("%s: bytes that find the %u-byte queue full are flagged as overruns", b.name,
		b.fifo_depth);
	// The device pauses its input while it answers the first frame, so the
	// second one floods the queue.
	std::vector<message> msgs;
	unsigned len = 4 * b.fifo_depth + 20;
	msgs.push_back(frame_message(random_op(), seq_counter++, random_payload(len)));
	msgs.push_back(frame_message(random_op(), seq_counter++, random_payload(len)));
	msgs[1].replies = 0;	// lost
	timing tm;
	b.check_in = false;	// bytes are lost: the device gets fewer
	std::vector<frame> got = b.run(msgs, tm);
	th_expect(b.overruns > 0, "%s: no overrun pulse", b.name);
	th_expect(!got.empty() && got[0].op == (msgs[0].bytes[1] | SNN_REPLY_BIT) &&
			  got[0].payload.size() == len,
		  "%s: the first frame is still echoed", b.name);
	th_expect(b.err_led_cycles > 0, "%s: the error LED never lit", b.name);
	b.reset();	// the receiver is somewhere inside the damaged frame
}

template <class M>
void run_model(const char *name, unsigned cpb, unsigned fifo, unsigned led_bits,
	       VerilatedContext *ctx, unsigned scale)
{
	bench<M> b(name, cpb, fifo, led_bits, ctx);
	// A queue smaller than a frame cannot take the next request while the
	// device answers: the host waits for each reply there.
	bool pipelined = fifo > SNN_FRAME_MAX;
	timing exact;
	exact.frame_gap_max = 10;
	exact.lock_step = !pipelined;
	timing slow = exact, fast = exact;
	slow.tx_skew = slow.rx_skew = -0.02;
	fast.tx_skew = fast.rx_skew = 0.02;
	slow.byte_gap_pct = fast.byte_gap_pct = 30;
	slow.byte_gap_max = fast.byte_gap_max = 3;

	std::vector<unsigned> edges(std::begin(edge_len), std::end(edge_len));
	echo_case(b, "echo, exact clocks: frames of every edge length", edges, exact);
	timing mixed = fast;
	mixed.rx_skew = -0.02;	// fast out, slow in
	for (unsigned k = 0; k < scale; k++) {
		echo_case(b, "echo, host clock 2 % slow, random idle gaps", random_lens(8), slow);
		echo_case(b, "echo, host clock 2 % fast, random idle gaps", random_lens(8), fast);
		echo_case(b, "echo, host sends 2 % fast and receives 2 % slow", random_lens(6), mixed);
	}
	timing b2b = fast;
	b2b.byte_gap_pct = 0;
	b2b.frame_gap_max = 0;
	echo_case(b, pipelined ? "back-to-back 1024-byte frames, host 2 % fast, no gaps"
			       : "1024-byte frames, host 2 % fast, no gaps, one at a time",
		  {1024, 1024, 1024, 1024}, b2b);
	bad_crc_case(b, fast);
	bad_length_case(b, slow);
	framing_case(b, exact);
	glitch_case(b, exact);
	if (!pipelined)
		overrun_case(b);

	th_case("%s: LEDs follow their stretchers; the streams keep the valid/ready rule", b.name);
	th_expect(b.led_mismatch == 0, "%s: %" PRIu64 " cycles with the LEDs off their model", b.name,
		  b.led_mismatch);
	th_expect(b.err_led_cycles > 0 && b.act_led_cycles > 0,
		  "%s: error LED on %" PRIu64 " cycles, activity LED %" PRIu64, b.name, b.err_led_cycles,
		  b.act_led_cycles);
	th_expect(b.rule_violations == 0, "%s: %" PRIu64 " valid/ready violations", b.name,
		  b.rule_violations);
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	ctx->randReset(2);	// registers start random: reset must set them all
	unsigned scale = getenv("SNN_TEST_LONG") ? 10 : 1;	// rounds of the random cases
#define RUN(model, name, cpb, fifo, led) run_model<model>(name, cpb, fifo, led, ctx.get(), scale);
	SNN_UART_MODELS(RUN)
#undef RUN
	return th_done("test_rtl_uart");
}
