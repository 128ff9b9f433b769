// A behavioural SPI NOR flash (the iCEBreaker's W25Q128JV, as far as the boot program uses it): the pins of a Verilated design taken once a clock, MISO given back.
//
// SPI mode 0: MOSI is taken at SCK's rising edge, MISO changes after its
// falling edge. Commands: 0x03 (read data: a 24-bit address, then bytes
// from there on, the address counting up) and 0xAB (release from deep
// power-down: nothing to do here). Chip select high ends a command.
// Anything else counts in `violations`: another command, MOSI or SCK
// moving while deselected is fine (SCK idles low), a read before the
// wake-up is not checked. Bytes never programmed read 0xFF, as erased.
#ifndef SPI_FLASH_MODEL_H
#define SPI_FLASH_MODEL_H

#include <cstdint>
#include <cstdio>
#include <vector>

namespace spi_flash_model {

// A file's bytes (none if it cannot be read): an image to program.
inline std::vector<uint8_t> file_bytes(const char *path)
{
	std::vector<uint8_t> bytes;
	FILE *f = fopen(path, "rb");
	int c;
	while (f && (c = getc(f)) != EOF)
		bytes.push_back((uint8_t)c);
	if (f && ferror(f))
		bytes.clear();
	if (f)
		fclose(f);
	return bytes;
}

struct flash {
	std::vector<uint8_t> mem = std::vector<uint8_t>(16u << 20, 0xFF);	// 16 MiB
	uint64_t violations = 0;
	uint64_t reads = 0;	// bytes read out, all eight bits clocked
	bool miso = true;
	bool sck = false, selected = false;
	unsigned bits = 0;	// bits taken since select
	uint32_t in = 0;	// ... the last 32 of them
	uint8_t cmd = 0;
	uint32_t addr = 0;
	uint8_t out = 0xFF;	// the byte going out, its next bit at the top

	void program(uint32_t at, const std::vector<uint8_t> &bytes)
	{
		for (size_t i = 0; i < bytes.size() && at + i < mem.size(); i++)
			mem[at + i] = bytes[i];
	}

	// The pins after a clock edge; returns MISO for the next one.
	bool edge(bool csn, bool sck_now, bool mosi)
	{
		if (csn) {
			selected = false;
			sck = sck_now;
			return miso;
		}
		if (!selected) {
			selected = true;
			bits = 0;
			cmd = 0;
		}
		if (sck_now && !sck) {	// rising: take MOSI
			in = in << 1 | (mosi ? 1u : 0u);
			bits++;
			if (bits == 8) {
				cmd = (uint8_t)in;
				if (cmd != 0x03 && cmd != 0xAB)
					violations++;
			} else if (bits == 32 && cmd == 0x03) {
				addr = in & 0xFFFFFFu;
			} else if (bits > 32 && cmd == 0x03 && (bits - 32) % 8 == 0) {
				reads++;
			}
		} else if (!sck_now && sck) {	// falling: the next bit out
			if (cmd == 0x03 && bits >= 32) {
				if ((bits - 32) % 8 == 0) {
					out = mem[addr % mem.size()];
					addr++;
				}
				miso = (out & 0x80) != 0;
				out = (uint8_t)(out << 1);
			}
		}
		sck = sck_now;
		return miso;
	}
};

}

#endif
