// rtl/snn_cpu.v running programs (tests/rtl/cpu/) whose output the same C, compiled for the host, prints too.
//
// The harness gives the processor 64 KiB of memory holding the program, a
// character port and an exit port just above it (cpu_start.S), and answers
// each request in the same cycle or up to 3 cycles later at random, so the
// processor must go by the handshake alone. A program passes when it exits
// with 0 and printed, byte for byte, what its host build printed (the .txt
// beside each .bin in $BUILD/rtl/cpu, made by rtl/mk/cpu.mk; or the pairs
// given as arguments), on three seeds of the memory's delays. A trap, a
// request outside the memory or a program that runs too long fails it.
// Then instructions encoded by hand from the ISA manual must stop the
// processor where the manual says they cannot run: ECALL, an all-zero word
// (no such opcode), a misaligned load, a jump to a misaligned target.
// (C++ only because Verilator's models are C++ classes.)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <memory>
#include <string>
#include <vector>

#include "verilated.h"
#include "Vsnn_cpu.h"

extern "C" {
#include "harness.h"
}

namespace {

const uint32_t MEM_BYTES = 0x10000, OUT_PORT = 0x10000, EXIT_PORT = 0x10004;
const uint64_t MAX_CYCLES = 20000000;	// a program's

bool slurp(const char *path, std::vector<uint8_t> &data)
{
	FILE *f = std::fopen(path, "rb");
	if (!f)
		return false;
	int c;
	while ((c = std::fgetc(f)) != EOF)
		data.push_back((uint8_t)c);
	std::fclose(f);
	return true;
}

struct run_result {
	bool exited = false, trapped = false, bad_access = false;
	uint32_t exit_code = 0, trap_pc = 0, trap_ir = 0, bad_addr = 0;
	uint64_t cycles = 0, instructions = 0;
	std::string out;
};

run_result run(VerilatedContext *ctx, const std::vector<uint8_t> &image, uint32_t seed,
	       uint64_t max_cycles = MAX_CYCLES)
{
	std::vector<uint8_t> mem(MEM_BYTES, 0);
	std::memcpy(mem.data(), image.data(), image.size());
	std::unique_ptr<Vsnn_cpu> cpu(new Vsnn_cpu(ctx));
	run_result r;
	uint32_t rng = seed * 2654435761u + 1;
	auto next = [&rng]() { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; };
	unsigned wait = 0, latency = 1;

	cpu->i_clk = 0;
	cpu->i_rst = 1;
	cpu->i_mem_ready = 0;
	cpu->eval();
	for (int i = 0; i < 2; i++) {
		cpu->i_clk = 1; cpu->eval();
		cpu->i_clk = 0; cpu->eval();
	}
	cpu->i_rst = 0;
	cpu->eval();
	uint32_t last_pc = ~0u;
	for (; r.cycles < max_cycles && !r.exited && !r.trapped && !r.bad_access; r.cycles++) {
		// inputs change on the falling edge: answer a request after its latency
		cpu->i_mem_ready = 0;
		if (cpu->o_mem_valid) {
			if (wait == 0)
				latency = 1 + next() % 4;
			if (++wait >= latency) {
				wait = 0;
				uint32_t addr = cpu->o_mem_addr;
				if (cpu->o_mem_wstrb) {
					if (addr == OUT_PORT) {
						r.out.push_back((char)(cpu->o_mem_wdata & 0xff));
					} else if (addr == EXIT_PORT) {
						r.exited = true;
						r.exit_code = cpu->o_mem_wdata;
					} else if (addr < MEM_BYTES) {
						for (int b = 0; b < 4; b++)
							if (cpu->o_mem_wstrb >> b & 1)
								mem[addr + b] = (uint8_t)(cpu->o_mem_wdata >> (8 * b));
					} else {
						r.bad_access = true;
						r.bad_addr = addr;
					}
				} else if (addr < MEM_BYTES) {
					cpu->i_mem_rdata = (uint32_t)mem[addr] | (uint32_t)mem[addr + 1] << 8 |
							   (uint32_t)mem[addr + 2] << 16 | (uint32_t)mem[addr + 3] << 24;
				} else {
					r.bad_access = true;
					r.bad_addr = addr;
				}
				cpu->i_mem_ready = 1;
			}
		} else {
			wait = 0;
			cpu->i_mem_rdata = next();	// nothing may be taken from it now
		}
		cpu->eval();
		cpu->i_clk = 1;
		cpu->eval();
		cpu->i_clk = 0;
		cpu->eval();
		if (cpu->o_pc != last_pc) {
			r.instructions++;
			last_pc = cpu->o_pc;
		}
		if (cpu->o_trap) {
			r.trapped = true;
			r.trap_pc = cpu->o_pc;
			r.trap_ir = cpu->o_ir;
		}
	}
	cpu->final();
	return r;
}

// Hand-encoded instructions the processor must stop on (RISC-V unprivileged
// ISA, chapter 2): the words from address 0, the pc and instruction it
// must stop with.
struct trap_case {
	const char *name;
	std::vector<uint32_t> words;
	uint32_t pc, ir;
};

const trap_case TRAPS[] = {
	{"ecall", {0x00000073u}, 0, 0x00000073u},
	{"zero word", {0x00000013u /* addi x0, x0, 0 */, 0x00000000u}, 4, 0x00000000u},
	{"misaligned lw", {0x00102083u /* lw x1, 1(x0) */}, 0, 0x00102083u},
	{"misaligned jalr target", {0x00200067u /* jalr x0, 2(x0) */}, 2, 0x00200067u},
};

void check_program(VerilatedContext *ctx, const std::string &bin, const std::string &txt)
{
	std::vector<uint8_t> image, want;
	th_case("%s", bin.c_str());
	if (!th_expect(slurp(bin.c_str(), image) && image.size() <= MEM_BYTES, "%s: cannot read it, or over 64 KiB",
		       bin.c_str()) ||
	    !th_expect(slurp(txt.c_str(), want), "%s: cannot read it", txt.c_str()))
		return;
	std::string expected(want.begin(), want.end());
	for (uint32_t seed = 1; seed <= 3; seed++) {
		run_result r = run(ctx, image, seed);
		th_expect(!r.trapped, "%s, seed %u: trap at pc %08x, instruction %08x", bin.c_str(), seed, r.trap_pc,
			  r.trap_ir);
		th_expect(!r.bad_access, "%s, seed %u: access outside the memory at %08x", bin.c_str(), seed,
			  r.bad_addr);
		th_expect(r.exited && r.exit_code == 0, "%s, seed %u: did not exit with 0 in %llu cycles (code %u)",
			  bin.c_str(), seed, (unsigned long long)r.cycles, r.exit_code);
		th_expect(r.out == expected, "%s, seed %u: printed\n%s\nwhere the host printed\n%s", bin.c_str(), seed,
			  r.out.c_str(), expected.c_str());
		if (seed == 1)
			std::printf("%s: %llu cycles, %llu instructions\n", bin.c_str(), (unsigned long long)r.cycles,
				    (unsigned long long)r.instructions);
	}
}

}  // namespace

int main(int argc, char **argv)
{
	std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
	ctx->commandArgs(argc, argv);
	std::vector<std::string> pairs;
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			pairs.push_back(argv[i]);
	} else {
		const char *build = std::getenv("BUILD") ? std::getenv("BUILD") : "build";
		std::string dir = std::string(build) + "/rtl/cpu";
		DIR *d = opendir(dir.c_str());
		std::vector<std::string> names;
		for (struct dirent *e = d ? readdir(d) : nullptr; e; e = readdir(d)) {
			std::string n = e->d_name;
			if (n.size() > 4 && n.compare(n.size() - 4, 4, ".bin") == 0)
				names.push_back(dir + "/" + n.substr(0, n.size() - 4));
		}
		if (d)
			closedir(d);
		std::sort(names.begin(), names.end());
		th_case("programs");
		th_expect(!names.empty(), "no programs in %s (make builds them)", dir.c_str());
		for (const std::string &n : names) {
			pairs.push_back(n + ".bin");
			pairs.push_back(n + ".txt");
		}
	}
	if (pairs.size() % 2) {
		std::fprintf(stderr, "usage: test_rtl_cpu [PROGRAM.bin EXPECTED.txt ...]\n");
		return 2;
	}
	for (size_t i = 0; i < pairs.size(); i += 2)
		check_program(ctx.get(), pairs[i], pairs[i + 1]);

	for (const trap_case &t : TRAPS) {
		th_case("trap: %s", t.name);
		std::vector<uint8_t> image;
		for (uint32_t w : t.words)
			for (int b = 0; b < 4; b++)
				image.push_back((uint8_t)(w >> (8 * b)));
		run_result r = run(ctx.get(), image, 1, 1000);
		th_expect(r.trapped && r.trap_pc == t.pc && r.trap_ir == t.ir,
			  "%s: want a stop at pc %08x with %08x; %s at pc %08x with %08x after %llu cycles", t.name, t.pc,
			  t.ir, r.trapped ? "stopped" : "did not stop", r.trap_pc, r.trap_ir,
			  (unsigned long long)r.cycles);
	}
	return th_done("test_rtl_cpu");
}
