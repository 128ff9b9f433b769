// rtl/snn_ctrl.v running the link echo program (rtl/fw/link_echo.c) at its own speed: its replies, its status outputs, and its cycles a byte against the 3 Mbaud budget.
//
// The byte streams are driven directly (no UART): a byte is on offer
// whenever the harness has one, and the reply side is ready every cycle,
// or, in a second pass, at random. So what limits the exchange is the
// program, and the cycles between two payload bytes taken, or two sent,
// are what it costs a byte. The replies are checked against lib's decoder
// run over the bytes sent (the echo, ERROR CRC, ERROR LENGTH, as
// test_rtl_uart does at bit level), the busy flag against the replies (up
// while a reply byte goes out, down at the end), the refused-frame pulses against the refused frames, and the
// streams against the valid/ready rule. A byte costs at most 160 cycles
// at 3 Mbaud and 48 MHz (16 clocks a bit, 10 bits); a receive loop slower
// than that lets back-to-back frames overflow the UART's queue, a
// transmit loop slower than that leaves gaps on the line.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "verilated.h"
#include "Vsnn_ctrl.h"

extern "C" {
#include "harness.h"
#include "snn/protocol.h"
}

namespace {

const unsigned BUDGET = 160;	// cycles a byte at 3 Mbaud and 48 MHz

uint64_t rng_state = 0x5EC7C0DEu;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

struct frame {
	unsigned op, seq;
	std::vector<uint8_t> payload;
	bool operator==(const frame &o) const
	{
		return op == o.op && seq == o.seq && payload == o.payload;
	}
};

// What lib's decoder makes of bytes: frames as they are, or, for requests,
// the reply the device owes each (its echo, or ERROR).
std::vector<frame> decode(const std::vector<uint8_t> &bytes, bool requests, unsigned *refused)
{
	snn_decoder d;
	snn_decoder_init(&d);
	std::vector<frame> out;
	for (uint8_t b : bytes) {
		size_t used;
		snn_frame f;
		snn_decode_status st = snn_decoder_feed(&d, &b, 1, &used, &f);
		if (st == SNN_DECODE_FRAME) {
			out.push_back({f.op | (requests ? SNN_REPLY_BIT : 0u), f.seq,
				       std::vector<uint8_t>(f.payload, f.payload + f.len)});
		} else if (st != SNN_DECODE_NEED_MORE) {
			if (refused)
				++*refused;
			frame r = {requests ? (unsigned)SNN_OP_ERROR : 0x100u, d.last_seq, {}};
			if (st == SNN_DECODE_BAD_CRC)
				r.payload = {SNN_LERR_CRC, d.last_op, 0, 0};
			else
				r.payload = {SNN_LERR_LENGTH, d.last_op, (uint8_t)d.last_len,
					     (uint8_t)(d.last_len >> 8)};
			out.push_back(r);
		}
	}
	return out;
}

std::vector<uint8_t> encode(unsigned op, unsigned seq, unsigned len)
{
	std::vector<uint8_t> p(len);
	for (auto &b : p)
		b = (uint8_t)rng();
	uint8_t buf[SNN_FRAME_MAX];
	int n = snn_frame_encode((uint8_t)op, (uint8_t)seq, p.data(), len, buf);
	return std::vector<uint8_t>(buf, buf + (n > 0 ? n : 0));
}

struct result {
	std::vector<uint8_t> out;
	uint64_t cycles = 0;
	unsigned pulses = 0, violations = 0, busy_idle = 0;
	bool trapped = false, busy_at_end = false;
	// cycles between consecutive bytes taken (rx) and sent (tx), over the
	// payload runs: the largest, and the sum and count for the mean
	unsigned rx_max = 0, tx_max = 0;
	uint64_t rx_sum = 0, tx_sum = 0, rx_n = 0, tx_n = 0;
	// cycles from a request's last byte taken to its reply's first byte
	// sent (the CRC check and the reply's header), the largest
	unsigned turn_max = 0;
};

// Sends the bytes as fast as the program takes them, until it has sent
// `replies` frames and gone quiet. A gap between two bytes counts toward
// the figures when both were payload (more than 8 bytes into a frame on
// the way in; more than 5 bytes into a reply on the way out, and not its
// CRC), so that headers, the SOF hunt and the CRC check, which come once
// a frame, stay out of the per-byte cost.
result run(VerilatedContext *ctx, const std::vector<uint8_t> &in, unsigned replies, bool random_ready)
{
	std::unique_ptr<Vsnn_ctrl> m(new Vsnn_ctrl(ctx));
	result r;
	auto edge = [&]() {
		m->i_clk = 1;
		m->eval();
		m->i_clk = 0;
		m->eval();
	};
	m->i_clk = 0;
	m->i_rst = 1;
	m->i_rx_valid = 0;
	m->i_rx_data = 0;
	m->i_tx_ready = 0;
	m->eval();
	for (int i = 0; i < 3; i++)
		edge();
	m->i_rst = 0;

	size_t next = 0;
	uint64_t last_rx = 0, last_tx = 0, frame_end = 0;
	bool answering = false;	// a request is in, its reply not begun
	unsigned rx_pos = 0, rx_len = 0, tx_pos = 0, tx_len = 0;
	bool tx_held = false;
	uint8_t tx_held_data = 0;
	unsigned done = 0;
	uint64_t quiet = 0;
	while (r.cycles < 20000000 && quiet < 2000) {
		m->i_rx_valid = next < in.size();
		m->i_rx_data = next < in.size() ? in[next] : 0;
		m->i_tx_ready = random_ready ? rng() % 4 != 0 : 1;
		m->eval();
		if (tx_held && (!m->o_tx_valid || m->o_tx_data != tx_held_data))
			r.violations++;
		bool rx_move = m->i_rx_valid && m->o_rx_ready;
		bool tx_move = m->o_tx_valid && m->i_tx_ready;
		tx_held = m->o_tx_valid && !m->i_tx_ready;
		tx_held_data = m->o_tx_data;
		r.pulses += m->o_error;
		// busy is up while a reply goes out
		if (tx_move && !m->o_busy)
			r.busy_idle++;
		if (rx_move) {
			// where the byte is in its frame: SOF hunt, header, payload
			if (rx_pos == 0 && in[next] != SNN_FRAME_SOF) {
			} else {
				if (rx_pos == 4)
					rx_len = in[next - 1] | in[next] << 8;
				if (rx_pos > 5 && rx_pos < 5 + rx_len) {
					unsigned gap = (unsigned)(r.cycles - last_rx);
					r.rx_max = gap > r.rx_max ? gap : r.rx_max;
					r.rx_sum += gap;
					r.rx_n++;
				}
				rx_pos++;
				if ((rx_pos == 5 && rx_len > SNN_FRAME_MAX_PAYLOAD) || rx_pos == 9 + rx_len) {
					rx_pos = 0;
					frame_end = r.cycles;
					answering = true;
				}
			}
			last_rx = r.cycles;
			next++;
		}
		if (tx_move) {
			if (answering) {
				unsigned turn = (unsigned)(r.cycles - frame_end);
				r.turn_max = turn > r.turn_max ? turn : r.turn_max;
				answering = false;
			}
			r.out.push_back(m->o_tx_data);
			if (tx_pos == 4)
				tx_len = r.out[r.out.size() - 2] | m->o_tx_data << 8;
			if (tx_pos > 5 && tx_pos < 5 + tx_len) {
				unsigned gap = (unsigned)(r.cycles - last_tx);
				r.tx_max = gap > r.tx_max ? gap : r.tx_max;
				r.tx_sum += gap;
				r.tx_n++;
			}
			tx_pos++;
			if (tx_pos == 9 + tx_len) {
				tx_pos = 0;
				done++;
			}
			last_tx = r.cycles;
		}
		edge();
		r.cycles++;
		r.trapped |= m->o_trap;
		quiet = next == in.size() && done >= replies ? quiet + 1 : 0;
	}
	r.busy_at_end = m->o_busy;
	m->final();
	return r;
}

void check(VerilatedContext *ctx, const char *what, const std::vector<uint8_t> &in, bool random_ready,
	   result *keep = nullptr)
{
	th_case("%s%s", what, random_ready ? ", the reply side ready at random" : "");
	unsigned refused = 0;
	std::vector<frame> want = decode(in, true, &refused);
	result r = run(ctx, in, (unsigned)want.size(), random_ready);
	std::vector<frame> got = decode(r.out, false, nullptr);
	th_expect(!r.trapped, "the processor stopped (o_trap)");
	th_expect(got.size() == want.size(), "%zu replies, expected %zu", got.size(), want.size());
	for (size_t i = 0; i < got.size() && i < want.size(); i++)
		if (!th_expect(got[i] == want[i], "reply %zu: op 0x%02x seq %u, %zu bytes; expected op 0x%02x seq %u, %zu bytes",
			       i, got[i].op, got[i].seq, got[i].payload.size(), want[i].op, want[i].seq,
			       want[i].payload.size()))
			break;
	th_expect(r.pulses == refused, "%u refused-frame pulses, %u frames refused", r.pulses, refused);
	th_expect(r.violations == 0, "%u valid/ready violations on the reply stream", r.violations);
	th_expect(r.busy_idle == 0, "%u reply bytes sent with busy down", r.busy_idle);
	th_expect(!r.busy_at_end, "busy after the last reply");
	if (keep)
		*keep = r;
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	ctx->randReset(2);

	// every edge length, a bad CRC, an over-long header, junk before a SOF
	std::vector<uint8_t> mixed = {0x00, 0x13, 0xA4};
	unsigned seq = 0;
	for (unsigned len : {0u, 1u, 2u, 3u, 4u, 5u, 255u, 256u, 1023u, 1024u}) {
		std::vector<uint8_t> f = encode(rng() % 0x7F, seq++, len);
		mixed.insert(mixed.end(), f.begin(), f.end());
	}
	std::vector<uint8_t> bad = encode(0x3F, seq++, 40);
	bad[20] ^= 0x10;
	mixed.insert(mixed.end(), bad.begin(), bad.end());
	std::vector<uint8_t> longhdr = {SNN_FRAME_SOF, 0x05, (uint8_t)seq++, 0x01, 0x04};	// 1025
	mixed.insert(mixed.end(), longhdr.begin(), longhdr.end());
	for (unsigned len : {7u, 0u}) {
		std::vector<uint8_t> f = encode(rng() % 0x7F, seq++, len);
		mixed.insert(mixed.end(), f.begin(), f.end());
	}
	check(ctx.get(), "edge lengths, a bad CRC, a length over 1024, bytes before a SOF", mixed, false);
	check(ctx.get(), "edge lengths, a bad CRC, a length over 1024, bytes before a SOF", mixed, true);

	// four 1024-byte frames back to back: the figures
	std::vector<uint8_t> full;
	for (int i = 0; i < 4; i++) {
		std::vector<uint8_t> f = encode(rng() % 0x7F, seq++, 1024);
		full.insert(full.end(), f.begin(), f.end());
	}
	result r;
	check(ctx.get(), "four 1024-byte frames back to back", full, false, &r);
	th_case("cycles a payload byte, received and sent, within %u (3 Mbaud at 48 MHz)", BUDGET);
	if (th_expect(r.rx_n > 0 && r.tx_n > 0, "no payload bytes measured")) {
		printf("  snn_ctrl link echo: a payload byte received in %.1f cycles (at most %u), sent in %.1f "
		       "(at most %u), of %u; a request's last byte to its reply's first: at most %u\n",
		       (double)r.rx_sum / r.rx_n, r.rx_max, (double)r.tx_sum / r.tx_n, r.tx_max, BUDGET,
		       r.turn_max);
		th_expect(r.rx_max <= BUDGET, "a received byte took %u cycles", r.rx_max);
		th_expect(r.tx_max <= BUDGET, "a sent byte took %u cycles", r.tx_max);
	}
	return th_done("test_rtl_ctrl");
}
