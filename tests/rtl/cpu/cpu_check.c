/* A program whose printed results the same C computes on the host: run on
 * rtl/snn_cpu.v by test_rtl_cpu and natively, the two outputs must match.
 * It goes through every RV32I instruction the compiler emits: arithmetic
 * and logic with registers and immediates, every shift by variable and
 * constant amounts, signed and unsigned compares and branches, byte,
 * halfword and word loads and stores with sign extension, calls and
 * recursion, and libgcc's multiply and divide (RV32I has neither). */
#include <stdint.h>

void out_char(int c);	/* cpu_start.S on the processor, stdio on the host */

static void out_str(const char *s)
{
	while (*s)
		out_char(*s++);
}

static void out_hex(uint32_t v)
{
	for (int i = 28; i >= 0; i -= 4)
		out_char("0123456789abcdef"[(v >> i) & 15]);
}

static void report(const char *what, uint32_t v)
{
	out_str(what);
	out_char(' ');
	out_hex(v);
	out_char('\n');
}

static uint32_t rng_state = 0x12345678u;

static uint32_t rng(void)	/* xorshift32 */
{
	uint32_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rng_state = x;
}

/* values near the edges as often as random ones */
static uint32_t operand(void)
{
	static const uint32_t edge[] = {0, 1, 2, 0x7fffffffu, 0x80000000u, 0xffffffffu, 0xfffffffeu, 31, 32, 0x80u, 0xff, 0x8000u};
	uint32_t r = rng();
	return (r & 3) == 0 ? edge[(r >> 2) % (sizeof edge / sizeof edge[0])] : rng();
}

static uint32_t mix(uint32_t h, uint32_t v)
{
	return (h ^ v) * 0x01000193u + (h >> 7);
}

static uint32_t crc32(const uint8_t *p, int n)
{
	uint32_t c = 0xffffffffu;
	for (int i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

static int fib(int n)
{
	return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static void sort(int32_t *v, int n)	/* insertion sort, signed compares */
{
	for (int i = 1; i < n; i++) {
		int32_t x = v[i];
		int j = i - 1;
		while (j >= 0 && v[j] > x) {
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = x;
	}
}

static volatile uint8_t bytes[64];	/* volatile: the loads and stores stay */

/* lb and lh by hand: GCC loads a volatile signed byte or halfword with
 * lbu or lhu and extends the sign with two shifts, so C alone never runs
 * the processor's sign extension. */
static uint32_t load_sb(const volatile uint8_t *p)
{
#ifdef __riscv
	int32_t v;
	__asm__ volatile("lb %0, 0(%1)" : "=r"(v) : "r"(p) : "memory");
	return (uint32_t)v;
#else
	return (uint32_t)(int8_t)*p;
#endif
}

static uint32_t load_sh(const volatile uint8_t *p)
{
#ifdef __riscv
	int32_t v;
	__asm__ volatile("lh %0, 0(%1)" : "=r"(v) : "r"(p) : "memory");
	return (uint32_t)v;
#else
	return (uint32_t)*(const volatile int16_t *)p;
#endif
}

int main(void)
{
	uint32_t h_arith = 0, h_shift = 0, h_cmp = 0, h_muldiv = 0, h_mem = 0;
	for (int i = 0; i < 300; i++) {
		uint32_t a = operand(), b = operand();
		int32_t sa = (int32_t)a, sb = (int32_t)b;
		h_arith = mix(h_arith, a + b);
		h_arith = mix(h_arith, a - b);
		h_arith = mix(h_arith, a ^ b);
		h_arith = mix(h_arith, a | b);
		h_arith = mix(h_arith, a & b);
		h_arith = mix(h_arith, a + 0x7ff);
		h_arith = mix(h_arith, a - 0x800);
		h_arith = mix(h_arith, a ^ 0xfffff800u);
		h_arith = mix(h_arith, a | 0x555);
		h_arith = mix(h_arith, a & 0xf0f);
		h_arith = mix(h_arith, 0xabcde000u + a);
		unsigned s = b & 31;
		h_shift = mix(h_shift, a << s);
		h_shift = mix(h_shift, a >> s);
		h_shift = mix(h_shift, (uint32_t)(sa >> s));
		h_shift = mix(h_shift, a << 1);
		h_shift = mix(h_shift, a >> 31);
		h_shift = mix(h_shift, (uint32_t)(sa >> 13));
		h_shift = mix(h_shift, a << 0 | (uint32_t)(sa >> 0));
		h_cmp = mix(h_cmp, (uint32_t)(sa < sb) | (uint32_t)(a < b) << 1 | (uint32_t)(sa >= sb) << 2 |
					   (uint32_t)(a >= b) << 3 | (uint32_t)(a == b) << 4 | (uint32_t)(a != b) << 5 |
					   (uint32_t)(sa < -5) << 6 | (uint32_t)(a < 2000u) << 7);
		if (sa < sb)
			h_cmp = mix(h_cmp, 1);
		if (a < b)
			h_cmp = mix(h_cmp, 2);
		if (a == b)
			h_cmp = mix(h_cmp, 3);
		h_muldiv = mix(h_muldiv, a * b);
		if (b)
			h_muldiv = mix(h_muldiv, a / b ^ a % b);
		if (sb && !(sa == INT32_MIN && sb == -1))
			h_muldiv = mix(h_muldiv, (uint32_t)(sa / sb) ^ (uint32_t)(sa % sb));
		unsigned k = rng() & 63;
		bytes[k] = (uint8_t)a;
		h_mem = mix(h_mem, load_sb(&bytes[k]));
		h_mem = mix(h_mem, bytes[k]);
		unsigned hk = k & ~1u;
		*(volatile uint16_t *)&bytes[hk] = (uint16_t)b;
		h_mem = mix(h_mem, load_sh(&bytes[hk]));
		h_mem = mix(h_mem, *(volatile uint16_t *)&bytes[hk]);
		unsigned wk = k & ~3u;
		*(volatile uint32_t *)&bytes[wk] = a ^ b;
		h_mem = mix(h_mem, *(volatile uint32_t *)&bytes[wk]);
		h_mem = mix(h_mem, *(volatile uint32_t *)&bytes[(wk + 4) & 63]);
	}
	report("arith", h_arith);
	report("shift", h_shift);
	report("compare", h_cmp);
	report("muldiv", h_muldiv);
	report("memory", h_mem);
	uint8_t buf[40];
	for (int i = 0; i < 40; i++)
		buf[i] = (uint8_t)rng();
	report("crc32", crc32(buf, 40));
	report("fib", (uint32_t)fib(15));
	int32_t v[24];
	for (int i = 0; i < 24; i++)
		v[i] = (int32_t)operand();
	sort(v, 24);
	uint32_t h_sort = 0;
	for (int i = 0; i < 24; i++)
		h_sort = mix(h_sort, (uint32_t)v[i]);
	report("sort", h_sort);
	return 0;
}
