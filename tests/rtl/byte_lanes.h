// The bits of a 64-bit line that a byte enable selects (bit b: byte b),
// for the tests of the line memories (the SPRAM pool, the SDRAM).
#ifndef SNN_TEST_BYTE_LANES_H
#define SNN_TEST_BYTE_LANES_H

#include <cstdint>

inline uint64_t byte_mask(unsigned be)
{
	uint64_t m = 0;
	for (unsigned b = 0; b < 8; b++)
		if (be >> b & 1)
			m |= (uint64_t)0xFF << (8 * b);
	return m;
}

#endif
