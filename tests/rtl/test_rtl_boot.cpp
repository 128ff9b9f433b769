// The iCEBreaker device's boot (boards/icebreaker/snn_icebreaker_core.v, DEVICE = 3): the ROM's program copies the command layer from the SPI flash into the pool and runs it, or refuses an image that does not check.
//
// The core runs at its pins with tests/rtl/spi_flash_model.h on the flash
// pins, holding the image rtl/mk/ctrl.mk made (SNN_IB_FLASH) at its
// offset, or that image spoiled: erased flash, one byte of the program
// changed, its CRC changed, a length beyond the program's share of the
// pool. A good image must come up (the command layer's busy flag rises at
// its start and falls once the engine is zeroed) without a refused-frame
// pulse, having read exactly the image's bytes from the flash without a
// protocol fault; a spoiled one must pulse the refused-frame output and
// never start the program. The good image's boot and start-up cycles are
// printed. Whether the program then answers as it should is
// test_rtl_cmd_fw's and test_snnhost_cli's.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <vector>

#include "verilated.h"
#include "Vsnn_ibdev.h"
#include "rtl/spi_flash_model.h"

extern "C" {
#include "harness.h"
}

namespace {

const uint64_t LIMIT = 4000000;	// cycles: the good boot takes a tenth of that

struct outcome {
	bool started = false;	// busy rose: the command layer runs
	uint64_t ready = 0;	// ... the cycle it fell again (0: never)
	uint64_t copied = 0;	// the cycle the flash was last deselected
	uint64_t refused = 0;	// refused-frame pulses
	uint64_t reads = 0, violations = 0;	// of the flash
};

outcome boot(const std::vector<uint8_t> &image, uint64_t cycles)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->randReset(2);
	std::unique_ptr<Vsnn_ibdev> m(new Vsnn_ibdev(ctx.get()));
	spi_flash_model::flash flash;
	flash.program(SNN_IB_FLASH_OFFSET, image);
	outcome o;
	m->i_rxd = 1;
	m->i_flash_miso = 1;
	for (uint64_t t = 0; t < cycles; t++) {
		m->i_rst = t < 4;
		m->i_clk = 0;
		m->eval();
		m->i_clk = 1;
		m->eval();
		const bool was_selected = flash.selected;
		m->i_flash_miso = flash.edge(m->o_flash_csn, m->o_flash_sck, m->o_flash_mosi);
		if (t < 4)
			continue;
		if (was_selected && m->o_flash_csn)
			o.copied = t;
		o.refused += m->o_bad_frame;
		if (m->o_busy)
			o.started = true;
		else if (o.started && !o.ready)
			o.ready = t;
	}
	m->final();
	o.reads = flash.reads;
	o.violations = flash.violations;
	return o;
}

void put32(std::vector<uint8_t> &v, size_t at, uint32_t x)
{
	for (unsigned i = 0; i < 4; i++)
		v[at + i] = (uint8_t)(x >> 8 * i);
}

}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	const std::vector<uint8_t> image = spi_flash_model::file_bytes(SNN_IB_FLASH);
	th_case("the flash image %s", SNN_IB_FLASH);
	if (!th_expect(image.size() > 8, "%zu bytes: not an image (make rtl-ctrl-fw)", image.size()))
		return th_done("test_rtl_boot");

	th_case("a good image boots");
	outcome good = boot(image, LIMIT);
	th_expect(good.started && good.ready != 0, "command layer started %d, ready at cycle %llu",
		  good.started, (unsigned long long)good.ready);
	th_expect(good.refused == 0, "%llu refused-frame pulses", (unsigned long long)good.refused);
	th_expect(good.reads == image.size(), "read %llu bytes of the flash, the image has %zu",
		  (unsigned long long)good.reads, image.size());
	th_expect(good.violations == 0, "%llu flash protocol faults", (unsigned long long)good.violations);
	printf("boot: %zu-byte program copied by cycle %llu (%.1f cycles a byte), the command layer "
	       "ready at cycle %llu (%.2f ms at 48 MHz)\n",
	       image.size() - 8, (unsigned long long)good.copied, (double)good.copied / (image.size() - 8),
	       (unsigned long long)good.ready, good.ready / 48e3);

	const uint64_t enough = good.ready + good.ready / 2;
	struct spoilt {
		const char *what;
		std::vector<uint8_t> bytes;
	};
	std::vector<spoilt> cases;
	cases.push_back({"erased flash", {}});
	std::vector<uint8_t> b = image;
	b[8 + (image.size() - 8) / 2] ^= 0x10;
	cases.push_back({"one program byte changed", b});
	b = image;
	b[0] ^= 0x01;
	cases.push_back({"its CRC changed", b});
	b = image;
	// the program's share of the pool: the core's CMD_POOL_BYTES (rtl/mk/ctrl.mk)
	put32(b, 4, SNN_IB_CMD_POOL_BYTES + 1);
	cases.push_back({"a length past the pool's share", b});
	b = image;
	put32(b, 4, 0);
	cases.push_back({"length 0", b});
	for (const spoilt &c : cases) {
		th_case("%s is refused", c.what);
		outcome o = boot(c.bytes, enough);
		th_expect(!o.started, "the program started");
		th_expect(o.refused == 1, "%llu refused-frame pulses, not 1", (unsigned long long)o.refused);
		th_expect(o.violations == 0, "%llu flash protocol faults", (unsigned long long)o.violations);
	}
	return th_done("test_rtl_boot");
}
