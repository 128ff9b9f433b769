// rtl/snn_frame_rx.v and rtl/snn_frame_tx.v against lib's frame encoder and streaming decoder (include/snn/protocol.h).
//
// The receiver gets byte streams made by snn_frame_encode() (good, damaged,
// over-long, junk between frames, idle cycles) and must report what
// snn_decoder_feed() reports for the same bytes, with the same payloads.
// The transmitter must produce exactly snn_frame_encode()'s bytes under
// idle input cycles and output back-pressure. A receiver looped into a
// transmitter must echo every good frame and nothing else. Every stream is
// checked for the valid/ready rule (valid and payload stable until ready).
// Model: tests/rtl/snn_tb_frame.v. Build with RTL_TRACE=1 and run with
// +trace for a VCD.
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "verilated.h"
#include "Vsnn_tb_frame.h"
#if VM_TRACE
#include "verilated_vcd_c.h"
#endif

extern "C" {
#include "harness.h"
#include "snn/protocol.h"
}

namespace {

uint64_t rng_state = 0xF4A3E5u;

uint64_t rng(void)	// splitmix64
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15u);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
	return z ^ (z >> 31);
}

// Payload lengths every test runs through: empty, tiny, around the 256 and
// 512 boundaries of counters and buffer halves, and the maximum.
const unsigned edge_len[] = {0, 1, 2, 3, 4, 5, 255, 256, 511, 512, 1000, 1023, 1024};
const unsigned n_edge_len = sizeof edge_len / sizeof edge_len[0];

bool chance(unsigned pct)
{
	return rng() % 100 < pct;
}

// One frame as the receiver reports it, or as lib's decoder does.
struct report {
	unsigned status;	// enum snn_decode_status
	unsigned op, seq, len;
	std::vector<uint8_t> payload;	// good frames only

	bool operator==(const report &o) const
	{
		return status == o.status && op == o.op && seq == o.seq && len == o.len &&
		       payload == o.payload;
	}
};

std::string describe(const report &r)
{
	char s[120];
	snprintf(s, sizeof s, "status %u op 0x%02x seq %u len %u, %zu payload bytes", r.status, r.op,
		 r.seq, r.len, r.payload.size());
	return s;
}

// Drives one valid/ready stream: offers items from a queue, with idle cycles,
// and keeps valid and the item unchanged until the DUT is ready.
template <class T>
struct source {
	std::deque<T> queue;
	unsigned idle_pct = 0;
	bool offering = false;

	// At the falling edge: what to offer this cycle.
	bool next(T &item)
	{
		if (!offering && !queue.empty() && !chance(idle_pct))
			offering = true;
		if (offering)
			item = queue.front();
		return offering;
	}
	// Before the rising edge: was it taken?
	bool taken(bool ready)
	{
		if (!offering || !ready)
			return false;
		queue.pop_front();
		offering = false;
		return true;
	}
	bool idle() const { return queue.empty() && !offering; }
};

// Takes a valid/ready stream with random back-pressure and checks that the
// DUT holds valid and the payload while it is not taken.
struct sink {
	const char *name;
	unsigned stall_pct = 0;
	bool ready = false, held = false;
	uint64_t held_value = 0;
	uint64_t violations = 0;

	explicit sink(const char *n) : name(n) {}
	bool next_ready()
	{
		ready = !chance(stall_pct);
		return ready;
	}
	// Before the rising edge: returns true if an item is taken.
	bool taken(bool valid, uint64_t value)
	{
		if (held && (!valid || value != held_value)) {
			if (violations++ < 3)
				th_expect(false, "%s: valid or payload changed before ready", name);
		}
		held = valid && !ready;
		held_value = value;
		return valid && ready;
	}
};

struct tx_header {
	uint8_t op, seq;
	uint16_t len;
};

// The model and the drivers of its three parts (see snn_tb_frame.v).
struct bench {
	VerilatedContext *ctx;
	std::unique_ptr<Vsnn_tb_frame> m;
#if VM_TRACE
	std::unique_ptr<VerilatedVcdC> vcd;
#endif
	uint64_t cycles = 0, quiet = 0;

	// lone receiver
	source<uint8_t> rx_in;
	sink rx_report{"rx report"}, rx_pay{"rx payload"};
	std::vector<report> rx_got;
	bool rx_want_payload = false;
	// lone transmitter
	source<tx_header> tx_hdr;
	source<uint8_t> tx_pay;
	sink tx_out{"tx bytes"};
	std::vector<uint8_t> tx_got;
	// echo
	source<uint8_t> echo_in;
	sink echo_out{"echo bytes"};
	std::vector<uint8_t> echo_got;
	uint64_t echo_refused = 0, echo_last = 0;

	explicit bench(VerilatedContext *c) : ctx(c), m(new Vsnn_tb_frame(c))
	{
#if VM_TRACE
		const char *arg = ctx->commandArgsPlusMatch("trace");
		if (arg && !strcmp(arg, "+trace")) {
			ctx->traceEverOn(true);
			vcd.reset(new VerilatedVcdC);
			m->trace(vcd.get(), 99);
			vcd->open("test_rtl_frame.vcd");
		}
#endif
		m->i_clk = 0;
		drive();
		reset();
	}
	~bench()
	{
		m->final();
#if VM_TRACE
		if (vcd)
			vcd->close();
#endif
	}

	void dump()
	{
#if VM_TRACE
		if (vcd)
			vcd->dump(ctx->time());
#endif
	}

	// Inputs change at the falling edge, away from the sampling edge.
	void drive()
	{
		uint8_t b = 0;
		m->i_rx_valid = rx_in.next(b);
		m->i_rx_data = b;
		m->i_rx_frame_ready = rx_report.next_ready();
		m->i_rx_pay_ready = rx_pay.next_ready();

		tx_header h = {0, 0, 0};
		m->i_tx_hdr_valid = tx_hdr.next(h);
		m->i_tx_hdr_op = h.op;
		m->i_tx_hdr_seq = h.seq;
		m->i_tx_hdr_len = h.len;
		b = 0;
		m->i_tx_pay_valid = tx_pay.next(b);
		m->i_tx_pay_data = b;
		m->i_tx_ready = tx_out.next_ready();

		b = 0;
		m->i_echo_valid = echo_in.next(b);
		m->i_echo_data = b;
		m->i_echo_ready = echo_out.next_ready();
	}

	// Handshakes of this cycle, seen with the inputs settled.
	void sample()
	{
		bool busy = false;
		busy |= rx_in.taken(m->o_rx_ready);
		uint64_t rep = (uint64_t)m->o_rx_frame_status << 32 | (uint64_t)m->o_rx_frame_op << 24 |
			       (uint64_t)m->o_rx_frame_seq << 16 | m->o_rx_frame_len;
		if (rx_report.taken(m->o_rx_frame_valid, rep)) {
			busy = true;
			th_expect(!rx_want_payload, "rx: report before the last payload byte");
			report r = {m->o_rx_frame_status, m->o_rx_frame_op, m->o_rx_frame_seq,
				    m->o_rx_frame_len, {}};
			rx_got.push_back(r);
			rx_want_payload = r.status == SNN_DECODE_FRAME && r.len > 0;
		}
		if (rx_pay.taken(m->o_rx_pay_valid, (uint64_t)m->o_rx_pay_last << 8 | m->o_rx_pay_data)) {
			busy = true;
			if (th_expect(rx_want_payload, "rx: payload byte without a good report")) {
				report &r = rx_got.back();
				r.payload.push_back(m->o_rx_pay_data);
				bool last = r.payload.size() == r.len;
				th_expect(m->o_rx_pay_last == last, "rx: o_pay_last %d at byte %zu of %u",
					  m->o_rx_pay_last, r.payload.size(), r.len);
				rx_want_payload = !last;
			}
		}

		busy |= tx_hdr.taken(m->o_tx_hdr_ready);
		busy |= tx_pay.taken(m->o_tx_pay_ready);
		if (tx_out.taken(m->o_tx_valid, m->o_tx_data)) {
			busy = true;
			tx_got.push_back(m->o_tx_data);
		}

		busy |= echo_in.taken(m->o_echo_ready);
		if (echo_out.taken(m->o_echo_valid, m->o_echo_data)) {
			busy = true;
			echo_got.push_back(m->o_echo_data);
		}
		echo_refused += m->o_echo_refused;
		echo_last += m->o_echo_last;
		quiet = busy ? 0 : quiet + 1;
	}

	void cycle()
	{
		m->eval();
		sample();
		m->i_clk = 1;
		m->eval();
		ctx->timeInc(5);
		dump();
		m->i_clk = 0;
		drive();
		m->eval();
		ctx->timeInc(5);
		dump();
		cycles++;
	}

	void reset()
	{
		m->i_rst = 1;
		for (int i = 0; i < 3; i++)
			cycle();
		m->i_rst = 0;
		rx_got.clear();
		tx_got.clear();
		echo_got.clear();
		rx_want_payload = false;
		echo_refused = echo_last = 0;
	}

	// Run until every source is empty and nothing has moved for a while.
	void run()
	{
		quiet = 0;
		uint64_t limit = cycles + 5000000u;
		while (!(rx_in.idle() && tx_hdr.idle() && tx_pay.idle() && echo_in.idle() && quiet > 64))
			if (!th_expect(cycles < limit, "no progress after 5M cycles"))
				return;
			else
				cycle();
	}
};

// snn_frame_encode() of one frame, appended to a byte stream.
void encode(std::vector<uint8_t> &out, uint8_t op, uint8_t seq, const std::vector<uint8_t> &pay)
{
	uint8_t buf[SNN_FRAME_MAX];
	int n = snn_frame_encode(op, seq, pay.data(), pay.size(), buf);
	if (n < 0) {
		fprintf(stderr, "snn_frame_encode refused %zu bytes\n", pay.size());
		exit(2);
	}
	out.insert(out.end(), buf, buf + n);
}

std::vector<uint8_t> random_bytes(size_t n)
{
	std::vector<uint8_t> v(n);
	for (auto &b : v)
		b = (uint8_t)rng();
	return v;
}

unsigned random_len(void)
{
	if (chance(30))
		return edge_len[rng() % n_edge_len];
	return chance(70) ? (unsigned)(rng() % 64) : (unsigned)(rng() % (SNN_FRAME_MAX_PAYLOAD + 1));
}

// What lib's decoder makes of a byte stream, fed in random pieces.
std::vector<report> decode(const std::vector<uint8_t> &bytes)
{
	std::unique_ptr<snn_decoder> d(new snn_decoder);
	snn_decoder_init(d.get());
	std::vector<report> out;
	size_t at = 0;
	while (at < bytes.size()) {
		size_t piece = 1 + rng() % 300, used = 0;
		if (piece > bytes.size() - at)
			piece = bytes.size() - at;
		snn_frame f;
		snn_decode_status s = snn_decoder_feed(d.get(), bytes.data() + at, piece, &used, &f);
		at += used;
		if (s == SNN_DECODE_FRAME)
			out.push_back({s, f.op, f.seq, f.len, std::vector<uint8_t>(f.payload, f.payload + f.len)});
		else if (s == SNN_DECODE_BAD_LENGTH)
			out.push_back({s, d->last_op, d->last_seq, d->last_len, {}});
		else if (s == SNN_DECODE_BAD_CRC)	// the header is still in the buffer
			out.push_back({s, d->last_op, d->last_seq, snn_get16(d->buf + 3), {}});
	}
	return out;
}

void compare(const char *what, const std::vector<report> &want, const std::vector<report> &got)
{
	th_expect(want.size() == got.size(), "%s: lib's decoder reports %zu frames, the RTL %zu", what,
		  want.size(), got.size());
	for (size_t i = 0; i < want.size() && i < got.size(); i++)
		if (!th_expect(want[i] == got[i], "%s: frame %zu: lib %s, RTL %s", what, i,
			       describe(want[i]).c_str(), describe(got[i]).c_str()))
			break;
}

// A stream of good frames; if damage is set, some frames get one fault.
enum damage { NONE, CRC, LENGTH, ANY };

std::vector<uint8_t> make_stream(unsigned frames, damage dmg, unsigned *n_bad)
{
	std::vector<uint8_t> s;
	*n_bad = 0;
	for (unsigned i = 0; i < frames; i++) {
		std::vector<uint8_t> f;
		encode(f, (uint8_t)rng(), (uint8_t)i, random_bytes(random_len()));
		bool hurt = dmg != NONE && chance(40);
		if (hurt && (dmg == CRC || (dmg == ANY && chance(50)))) {
			// One bit anywhere but SOF and len: the length still frames it.
			size_t at;
			do
				at = 1 + rng() % (f.size() - 1);
			while (at == 3 || at == 4);
			f[at] ^= (uint8_t)(1u << (rng() % 8));
			++*n_bad;
		} else if (hurt && dmg == LENGTH) {
			// A header whose length is over the maximum, then the payload
			// that would have followed: bytes to hunt through.
			uint16_t len = chance(30) ? (uint16_t)(SNN_FRAME_MAX_PAYLOAD + 1)
				     : chance(30) ? (uint16_t)0xFFFF
				     : (uint16_t)(SNN_FRAME_MAX_PAYLOAD + 1 + rng() % (0x10000 - SNN_FRAME_MAX_PAYLOAD - 1));
			snn_put16(f.data() + 3, len);
			for (size_t k = 5; k < f.size(); k++)
				if (f[k] == SNN_FRAME_SOF)
					f[k] = 0;	// keep the count of reports predictable
			++*n_bad;
		} else if (hurt) {
			// Anything: a flipped length bit, a truncated frame, or junk
			// (possibly with SOF bytes) in front.
			switch (rng() % 3) {
			case 0: f[3 + rng() % 2] ^= (uint8_t)(1u << (rng() % 8)); break;
			case 1: f.resize(1 + rng() % (f.size() - 1)); break;
			default: {
				std::vector<uint8_t> junk = random_bytes(rng() % 20);
				f.insert(f.begin(), junk.begin(), junk.end());
			}
			}
			++*n_bad;
		}
		s.insert(s.end(), f.begin(), f.end());
	}
	return s;
}

// Returns the cycles the stream took.
uint64_t rx_case(bench &b, const char *name, const std::vector<uint8_t> &bytes, unsigned idle,
		 unsigned stall, size_t min_reports)
{
	th_case("%s", name);
	b.reset();
	uint64_t start = b.cycles;
	b.rx_in.queue.assign(bytes.begin(), bytes.end());
	b.rx_in.idle_pct = idle;
	b.rx_report.stall_pct = stall;
	b.rx_pay.stall_pct = stall;
	b.run();
	std::vector<report> want = decode(bytes);
	compare(name, want, b.rx_got);
	th_expect(want.size() >= min_reports, "%s: only %zu reports, wanted at least %zu", name,
		  want.size(), min_reports);
	printf("%s: %zu bytes, %zu reports, %" PRIu64 " cycles\n", name, bytes.size(), want.size(),
	       b.cycles - start);
	return b.cycles - start;
}

void test_rx(bench &b)
{
	unsigned bad;
	std::vector<uint8_t> s;

	// Every edge length once, then random ones, back to back at full speed:
	// nine cycles a byte in while the CRC takes it (snn_crc32), a byte per
	// cycle out, a few cycles per frame.
	for (unsigned len : edge_len)
		encode(s, (uint8_t)len, (uint8_t)(len >> 2), random_bytes(len));
	std::vector<uint8_t> more = make_stream(300, NONE, &bad);
	s.insert(s.end(), more.begin(), more.end());
	uint64_t took = rx_case(b, "rx: good frames, full speed", s, 0, 0, 313);
	th_expect(took < 10 * s.size() + 3 * 313 + 100, "rx: %" PRIu64 " cycles for %zu bytes", took,
		  s.size());

	s = make_stream(400, NONE, &bad);
	rx_case(b, "rx: good frames, idle input cycles and back-pressure", s, 40, 50, 400);

	s = make_stream(400, CRC, &bad);
	rx_case(b, "rx: CRC-damaged frames among good ones", s, 20, 30, 400);
	th_case("rx: CRC-damaged frames are reported as BAD_CRC");
	unsigned n_crc = 0;
	for (const report &r : b.rx_got)
		n_crc += r.status == SNN_DECODE_BAD_CRC;
	th_expect(n_crc == bad, "%u damaged frames, %u BAD_CRC reports", bad, n_crc);

	s = make_stream(300, LENGTH, &bad);
	rx_case(b, "rx: over-long lengths, then hunting", s, 20, 30, 300);
	th_case("rx: over-long lengths are reported as BAD_LENGTH");
	unsigned n_len = 0;
	for (const report &r : b.rx_got)
		n_len += r.status == SNN_DECODE_BAD_LENGTH && r.len > SNN_FRAME_MAX_PAYLOAD;
	th_expect(n_len == bad, "%u over-long headers, %u BAD_LENGTH reports", bad, n_len);

	s = make_stream(600, ANY, &bad);
	rx_case(b, "rx: flipped lengths, truncation, junk", s, 30, 30, 1);

	// A reset in the middle of a frame: the next frame is received whole.
	th_case("rx: reset mid-frame");
	b.reset();
	s.clear();
	encode(s, 0x3F, 7, random_bytes(100));
	b.rx_in.queue.assign(s.begin(), s.begin() + 50);
	b.run();
	b.reset();
	s.clear();
	encode(s, 0x10, 8, random_bytes(10));
	b.rx_in.queue.assign(s.begin(), s.end());
	b.run();
	compare("rx: reset mid-frame", decode(s), b.rx_got);
}

void tx_case(bench &b, const char *name, unsigned frames, unsigned idle, unsigned stall)
{
	th_case("%s", name);
	b.reset();
	uint64_t start = b.cycles;
	std::vector<uint8_t> want;
	std::vector<report> frames_sent;
	for (unsigned i = 0; i < frames; i++) {
		unsigned len = i < n_edge_len ? edge_len[i] : random_len();
		std::vector<uint8_t> pay = random_bytes(len);
		uint8_t op = (uint8_t)rng(), seq = (uint8_t)i;
		encode(want, op, seq, pay);
		frames_sent.push_back({SNN_DECODE_FRAME, op, seq, len, pay});
		b.tx_hdr.queue.push_back({op, seq, (uint16_t)len});
		b.tx_pay.queue.insert(b.tx_pay.queue.end(), pay.begin(), pay.end());
	}
	b.tx_hdr.idle_pct = idle;
	b.tx_pay.idle_pct = idle;
	b.tx_out.stall_pct = stall;
	b.run();
	if (idle == 0 && stall == 0)	// nine cycles a byte (the CRC's), plus one per header
		th_expect(b.cycles - start < 9 * want.size() + frames + 100,
			  "%s: %" PRIu64 " cycles for %zu bytes", name, b.cycles - start, want.size());
	th_expect(b.tx_got == want, "%s: %zu bytes out, snn_frame_encode gives %zu%s", name,
		  b.tx_got.size(), want.size(), b.tx_got.size() == want.size() ? ", contents differ" : "");
	compare(name, frames_sent, decode(b.tx_got));
	printf("%s: %u frames, %zu bytes, %" PRIu64 " cycles\n", name, frames, want.size(),
	       b.cycles - start);
}

void echo_case(bench &b, const char *name, unsigned frames, damage dmg, unsigned idle,
	       unsigned stall)
{
	th_case("%s", name);
	b.reset();
	uint64_t start = b.cycles;
	unsigned bad;
	std::vector<uint8_t> s = make_stream(frames, dmg, &bad);
	b.echo_in.queue.assign(s.begin(), s.end());
	b.echo_in.idle_pct = idle;
	b.echo_out.stall_pct = stall;
	b.run();
	std::vector<report> in = decode(s), want;
	uint64_t refused = 0, with_payload = 0;
	for (const report &r : in) {
		if (r.status != SNN_DECODE_FRAME) {
			refused++;
			continue;
		}
		report reply = r;
		reply.op |= SNN_REPLY_BIT;
		want.push_back(reply);
		with_payload += r.len > 0;
	}
	compare(name, want, decode(b.echo_got));
	th_expect(b.echo_refused == refused, "%s: %" PRIu64 " refused frames, lib's decoder %" PRIu64,
		  name, b.echo_refused, refused);
	th_expect(b.echo_last == with_payload, "%s: %" PRIu64 " payloads ended, expected %" PRIu64,
		  name, b.echo_last, with_payload);
	printf("%s: %u frames in, %zu echoed, %" PRIu64 " refused, %" PRIu64 " cycles\n", name, frames,
	       want.size(), refused, b.cycles - start);
}

}	// namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	ctx->randReset(2);	// registers start random: reset must set them all
	unsigned scale = getenv("SNN_TEST_LONG") ? 10 : 1;
	{
		bench b(ctx.get());
		for (unsigned k = 0; k < scale; k++) {
			test_rx(b);
			tx_case(b, "tx: frames at full speed", 200, 0, 0);
			tx_case(b, "tx: idle input cycles and output back-pressure", 300, 40, 50);
			echo_case(b, "echo: good frames", 200, NONE, 0, 0);
			echo_case(b, "echo: good frames, idle input and back-pressure", 300, NONE, 30, 40);
			echo_case(b, "echo: damaged frames are refused, the rest echoed", 500, ANY, 20, 30);
		}
		th_case("valid/ready rule on every output stream");
		for (const sink *k : {&b.rx_report, &b.rx_pay, &b.tx_out, &b.echo_out})
			th_expect(k->violations == 0, "%s: %" PRIu64 " violations", k->name, k->violations);
	}
	return th_done("test_rtl_frame");
}
