// Smoke test of the ULX3S designs below the PLL (snn_ulx3s_core) at bit level: a host UART sends request frames and reads the replies; the LEDs must light.
//
// Built and run by `make -C boards/ulx3s sim-engine` (DEVICE = 1) and
// `sim-echo` (DEVICE = 0), Verilator, not by `make test`. With the engine it
// checks that snn_cmd in front of snn_engine, behind the UART link, answers
// as docs/host-protocol.md says: ECHO, IDENTIFY (protocol 4, device kind
// FPGA, the per-core geometry), WRITE_MEM and READ_MEM of synapse words,
// COUNTERS, and ERROR CRC for a damaged frame; with the echo, ECHO and the
// ERROR. The link, run and error LEDs must each have lit (the error LED
// only after the damaged frame). The host's UART has the design's bit time
// exactly (CLKS_PER_BIT cycles a bit, 8N1). The SDRAM's pins go to the
// behavioural part of tests/rtl/sdram_model.h, which fails the test on any
// break of its timing rules (the engine's boot ZERO writes every SDRAM
// line of its pool before the first reply).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include <zlib.h>

#include "Vsnn_ulx3s_core.h"
#include "verilated.h"

#if !defined(CLKS_PER_BIT) || !defined(DEVICE)
#error "CLKS_PER_BIT and DEVICE must be defined (the model's parameters)"
#endif

static int failures = 0;
// The board's SDRAM on the core's pins (tests/rtl/sdram_model.h), at the
// core's default clock (CLK_KHZ 30,000): every timing rule checked.
#define SDRAM_MODEL_REPORT(msg) (failures++, std::printf("FAIL SDRAM: %s\n", msg))
#include "rtl/sdram_model.h"
#define EXPECT(cond, ...)                                   \
	do {                                                    \
		if (!(cond)) {                                      \
			failures++;                                     \
			std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			std::printf(__VA_ARGS__);                       \
			std::printf("\n");                              \
		}                                                   \
	} while (0)

struct bench {
	std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
	std::unique_ptr<Vsnn_ulx3s_core> m;
	uint64_t cycles = 0;
	// host transmitter: bits still to put on the line, one per bit time
	std::deque<int> tx_bits;
	int tx_left = 0;	// cycles left of the current bit
	// host receiver
	int rx_state = 0;	// 0 idle, 1 in a byte
	int rx_count = 0, rx_bit = 0, rx_byte = 0;
	std::vector<uint8_t> rx;
	// LEDs seen on
	bool led_link = false, led_run = false, led_error = false;
	sdram_model::sdram ram{"ulx3s SDRAM", 30000, 2, 9};

	bench()
	{
		ctx->randReset(2);
		m.reset(new Vsnn_ulx3s_core(ctx.get()));
		m->i_rxd = 1;
		m->i_rst = 1;
		for (int i = 0; i < 8; i++)
			cycle();
		m->i_rst = 0;
	}

	void cycle()
	{
		// the host's line for this cycle
		if (tx_left == 0 && !tx_bits.empty()) {
			m->i_rxd = tx_bits.front();
			tx_bits.pop_front();
			tx_left = CLKS_PER_BIT;
		} else if (tx_left == 0) {
			m->i_rxd = 1;
		}
		if (tx_left)
			tx_left--;
		m->i_sdram_dq = ram.dq_at(cycles);
		m->i_clk = 0;
		m->eval();
		m->i_clk = 1;
		m->eval();
		const sdram_model::pins p = sdram_model::pins_of(m.get());
		ram.edge(cycles, p);
		cycles++;
		led_link |= m->o_led_link;
		led_run |= m->o_led_run;
		led_error |= m->o_led_error;
		// the host's receiver samples o_txd at the middle of each bit
		int line = m->o_txd;
		if (rx_state == 0) {
			if (!line) {
				rx_state = 1;
				rx_count = CLKS_PER_BIT / 2;
				rx_bit = -1;
				rx_byte = 0;
			}
		} else if (--rx_count == 0) {
			if (rx_bit == -1) {
				if (line)
					rx_state = 0;	// a glitch, not a start bit
			} else if (rx_bit < 8) {
				rx_byte |= line << rx_bit;
			} else {
				EXPECT(line == 1, "stop bit low after byte 0x%02x", rx_byte);
				rx.push_back((uint8_t)rx_byte);
				rx_state = 0;
			}
			rx_bit++;
			rx_count = CLKS_PER_BIT;
		}
	}

	void send_byte(uint8_t b)
	{
		tx_bits.push_back(0);
		for (int i = 0; i < 8; i++)
			tx_bits.push_back((b >> i) & 1);
		tx_bits.push_back(1);
	}

	void send_frame(uint8_t op, uint8_t seq, const std::vector<uint8_t> &pay, bool bad_crc = false)
	{
		std::vector<uint8_t> body = {op, seq, (uint8_t)pay.size(), (uint8_t)(pay.size() >> 8)};
		body.insert(body.end(), pay.begin(), pay.end());
		uint32_t crc = (uint32_t)crc32(0, body.data(), (uInt)body.size());
		if (bad_crc)
			crc ^= 1;
		send_byte(0xA5);
		for (uint8_t b : body)
			send_byte(b);
		for (int i = 0; i < 4; i++)
			send_byte((uint8_t)(crc >> (8 * i)));
	}

	// Runs until a whole reply frame has arrived (or the limit); returns
	// its op, seq and payload, checking its CRC.
	bool reply(uint8_t &op, uint8_t &seq, std::vector<uint8_t> &pay, uint64_t limit = 4000000)
	{
		for (uint64_t n = 0; n < limit; n++) {
			cycle();
			if (rx.size() >= 9 && rx[0] == 0xA5) {
				size_t len = rx[3] | (size_t)rx[4] << 8;
				if (rx.size() >= 9 + len) {
					op = rx[1];
					seq = rx[2];
					pay.assign(rx.begin() + 5, rx.begin() + 5 + (long)len);
					uint32_t crc = (uint32_t)crc32(0, rx.data() + 1, (uInt)(4 + len));
					uint32_t got = 0;
					for (int i = 0; i < 4; i++)
						got |= (uint32_t)rx[5 + len + i] << (8 * i);
					EXPECT(crc == got, "reply op 0x%02x: CRC 0x%08x, expected 0x%08x", op, got, crc);
					rx.erase(rx.begin(), rx.begin() + 9 + (long)len);
					return true;
				}
			} else if (!rx.empty() && rx[0] != 0xA5) {
				EXPECT(false, "reply does not start with 0xA5: 0x%02x", rx[0]);
				rx.erase(rx.begin());
			}
		}
		return false;
	}
};

static uint32_t le32(const std::vector<uint8_t> &p, size_t at)
{
	return p[at] | (uint32_t)p[at + 1] << 8 | (uint32_t)p[at + 2] << 16 | (uint32_t)p[at + 3] << 24;
}

static void put32(std::vector<uint8_t> &p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p.push_back((uint8_t)(v >> (8 * i)));
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	bench b;
	uint8_t op, seq;
	std::vector<uint8_t> pay;

	// ECHO
	std::vector<uint8_t> hello = {'h', 'e', 'l', 'l', 'o'};
	b.send_frame(0x3F, 1, hello);
	bool got = b.reply(op, seq, pay);
	EXPECT(got && op == 0xBF && seq == 1 && pay == hello, "ECHO: got %d op 0x%02x seq %u len %zu", got, op,
	       seq, pay.size());
	std::printf("ECHO answered at cycle %llu\n", (unsigned long long)b.cycles);

#if DEVICE == 1
	// IDENTIFY: protocol 4, device kind 3 (FPGA: the lean command layer), the per-core geometry
	b.send_frame(0x01, 2, {});
	got = b.reply(op, seq, pay);
	EXPECT(got && op == 0x81 && seq == 2 && pay.size() == 72, "IDENTIFY: got %d op 0x%02x len %zu", got,
	       op, pay.size());
	if (got && pay.size() == 72) {
		// all 16 fields: a host compares every one with the image's (the
		// lanes and state words were once reported as 0)
		const uint32_t want[16] = {N_CORES, NEURONS, AXONS, SYN_WORDS, 8, 20, 16, 16, 16, 32,
					   NEURON_TOTAL, SYN_TOTAL, 256, 8, 8, 24};
		EXPECT((pay[0] | pay[1] << 8) == 4 && pay[2] == 3, "IDENTIFY: version %u kind %u",
		       pay[0] | pay[1] << 8, pay[2]);
		for (int i = 0; i < 16; i++)
			EXPECT(le32(pay, 8 + 4 * i) == want[i], "IDENTIFY geometry[%d] = %u, expected %u", i,
			       le32(pay, 8 + 4 * i), want[i]);
		std::printf("IDENTIFY: geometry %u cores, %u neurons, %u synapse words; budgets %u %u %u\n",
			    le32(pay, 8), le32(pay, 12), le32(pay, 20), le32(pay, 48), le32(pay, 52), le32(pay, 56));
	}

	// WRITE_MEM then READ_MEM of four synapse words of core 0 (region 3; its
	// SYN_BASE is 0, so protocol 3 addresses them at 0)
	const uint32_t words[4] = {1, 0xFFFFFFFEu, 127, 0xFFFFFF80u};
	std::vector<uint8_t> w = {3, 0, 0, 0};
	put32(w, 0);
	for (uint32_t v : words)
		put32(w, v);
	b.send_frame(0x03, 3, w);
	got = b.reply(op, seq, pay);
	EXPECT(got && op == 0x83 && seq == 3 && pay.empty(), "WRITE_MEM: got %d op 0x%02x len %zu (%02x %02x)",
	       got, op, pay.size(), pay.size() > 0 ? pay[0] : 0, pay.size() > 1 ? pay[1] : 0);
	std::vector<uint8_t> r = {3, 0, 0, 0};
	put32(r, 0);
	r.push_back(4);
	r.push_back(0);
	b.send_frame(0x04, 4, r);
	got = b.reply(op, seq, pay);
	EXPECT(got && op == 0x84 && seq == 4 && pay.size() == 16, "READ_MEM: got %d op 0x%02x len %zu", got, op,
	       pay.size());
	if (got && pay.size() == 16)
		for (int i = 0; i < 4; i++)
			EXPECT(le32(pay, 4 * i) == words[i], "READ_MEM word %d = 0x%08x, wrote 0x%08x", i,
			       le32(pay, 4 * i), words[i]);

	// COUNTERS
	b.send_frame(0x20, 5, {});
	got = b.reply(op, seq, pay);
	EXPECT(got && op == 0xA0 && seq == 5 && pay.size() % 8 == 0 && !pay.empty(),
	       "COUNTERS: got %d op 0x%02x len %zu", got, op, pay.size());

#endif

	EXPECT(!b.led_error, "the error LED lit before any error");
	// a damaged CRC: ERROR (0x7F) with code 1 and the request's op
	b.send_frame(0x3F, 6, hello, true);
	got = b.reply(op, seq, pay);
	EXPECT(got && op == 0x7F && seq == 6 && pay.size() == 4 && pay[0] == 1 && pay[1] == 0x3F,
	       "bad CRC: got %d op 0x%02x len %zu", got, op, pay.size());

	EXPECT(b.led_link && b.led_run && b.led_error, "LEDs seen on: link %d, run %d, error %d", b.led_link,
	       b.led_run, b.led_error);

	// and the link still works after it
	b.send_frame(0x3F, 7, hello);
	got = b.reply(op, seq, pay);
	EXPECT(got && op == 0xBF && seq == 7 && pay == hello, "ECHO after the error");

	b.m->final();
	std::printf("%llu cycles\n", (unsigned long long)b.cycles);
	std::printf("tb_ulx3s_core (DEVICE %d): %d passed, %d failed\n", DEVICE, failures ? 0 : 1, failures ? 1 : 0);
	return failures ? 1 : 0;
}
