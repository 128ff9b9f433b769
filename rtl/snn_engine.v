// The time-multiplexed core array: one datapath works through the cores as descriptors, weights and neuron state in one pool, with the ports of snn_array.
//
// docs/rtl.md, "The time-multiplexed device", has the plan this follows;
// docs/core-array.md and docs/neuron-model.md are what it computes, bit for
// bit like the golden model. A STEP, for each phase p and each core C of
// that phase:
// 1. gather: for every route into C (input routes and every core's), scan
//    the source's spikes of the range, this step's for a source of an
//    earlier phase, the last step's for the others (the contract's same-step
//    and next-step delivery), and add each event's weights into C's
//    accumulators a pool line (eight weights, eight lanes of an
//    accumulator word) a cycle: a dense row's, or a conv tap's output
//    channels, which the host keeps tap by tap in whole lines;
// 2. sweep: every neuron of C through snn_neuron_pipe, state read from and
//    written back to the pool with its spike bit for this step (two cycles
//    a neuron, or one at a time where a route goes to the host); spikes
//    routed to the host go out on the output port.
// Each neuron's pool line keeps its spikes of the last two steps, so no
// event queue exists and nothing needs clearing between steps but the input
// bitmap. Cores are placed in the pool by their base registers
// (docs/config-format.md), so addresses are an addition.
`default_nettype none

module snn_engine #(
	// geometry (docs/geometry.md): per-core limits
	parameter N_CORES = 16,
	parameter NEURONS = 2048,
	parameter AXONS = 1024,
	/* verilator lint_off UNUSEDPARAM */	// the host places a core's words (protocol 3)
	parameter SYN_WORDS = 131072,
	/* verilator lint_on UNUSEDPARAM */
	parameter WEIGHT_BITS = 8,	// 8 only: a pool byte is a weight
	parameter MEMBRANE_BITS = 20,
	parameter BIAS_BITS = 16,	// at most 16: two bytes of a state line
	parameter ROUTES = 8,
	parameter INPUT_ROUTES = 8,
	parameter MAX_PHASES = 16,
	// shared budgets
	parameter NEURON_TOTAL = 8192,
	parameter SYN_TOTAL = 131072,	// pool bytes: weights and 8 a neuron of state
	parameter ROUTE_TOTAL = 64,
	parameter ACC_BITS = 24,
	// largest input tensor (C*H*W) the input bitmap holds
	parameter INPUT_MAX = 4096,
	// the pool in SB_SPRAM256KA (snn_spram_pool: the iCE40UP5K, at most
	// 16,384 lines in synthesis), else in inferred block RAM (snn_ram_be)
	parameter POOL_SPRAM = 0,
	// The pool's last POOL_SDRAM_LINES lines in SDRAM behind the line
	// port (o_sd_*, snn_sdram's streams), its first LINES - POOL_SDRAM_LINES
	// in block RAM; 0, the whole pool in block RAM or SPRAM. An access to
	// an SDRAM line holds the whole engine until the line is read or the
	// write taken, then the engine carries on as if the block RAM had
	// answered: only cycle counts change (docs/rtl.md, "The pool in SDRAM").
	parameter POOL_SDRAM_LINES = 0,
	// POOL_CPU_LINES more SPRAM lines above the engine's LINES, the control
	// processor's memory (i_cpu_*): an access of the processor holds the
	// engine for its cycle and the next, in which the engine's last read is
	// read again, so the engine carries on as if nothing had happened. The
	// engine never writes there. Needs POOL_SPRAM and no SDRAM or divider
	// (docs/rtl.md, "The program in the pool").
	parameter POOL_CPU_LINES = 0,
	// 0: the memory port leaves the pool's regions (SYNAPSE, STATE and a
	// neuron's BIAS) to the processor that shares the pool, which reads and
	// writes them there itself; its accesses to them are refused here
	// (status 1). Needs CHAN_BIAS off.
	parameter MEM_POOL = 1,
	// a STEP that runs 2^WATCHDOG_BITS cycles, not counting those the
	// output port holds it, is abandoned (o_cmd_abort): only a
	// configuration nobody checked takes that long (docs/rtl.md, "Watchdog")
	parameter WATCHDOG_BITS = 26,
	// The deconv mode (MODE 3, docs/core-array.md), 1 to build it in; without
	// it a STEP that meets a deconv core is cut short like the watchdog's
	parameter DECONV = 0,
	// Conv features a board may leave out, likewise refused when left out:
	// STRIDE_ANY, a conv or deconv STRIDE above 1 (the taps' remainders, two
	// divisions an event); POOL_ANY, a POOL other than 1 or 2 (pooling by
	// the divider; without it 2 is a shift). With neither, no divider.
	parameter STRIDE_ANY = 1,
	parameter POOL_ANY = 1,
	// Channel biases (FLAGS CHAN_BIAS, docs/geometry.md "Channel biases"):
	// a conv or deconv core with the flag keeps two neurons a pool line and
	// its biases in a table of 64 a core. Without it (CHAN_BIAS 0, or a
	// membrane wider than 24 bits) the flag is ignored, as the profile's
	// modes promise the host (the host refuses such images first).
	parameter CHAN_BIAS = 0

) (
	input wire i_clk,
	input wire i_rst,
	// memory port: a request is taken with valid and ready, its fields
	// (write, region, core, index, wdata) held until o_mem_done; the index
	// of a BIAS, SYNAPSE, ROUTE or STATE word is its place in the engine's
	// memory (protocol 3, docs/host-protocol.md, "Address"), core unused
	input wire i_mem_valid,

	output wire o_mem_ready,
	input wire i_mem_write,
	input wire [2:0] i_mem_region,
	input wire [15:0] i_mem_core,
	input wire [31:0] i_mem_index,
	input wire [31:0] i_mem_wdata,
	output wire o_mem_done,
	output reg [1:0] o_mem_status,
	output reg [31:0] o_mem_rdata,
	// commands
	input wire i_cmd_valid,
	output wire o_cmd_ready,
	input wire [1:0] i_cmd,
	output wire o_cmd_done,
	output reg o_cmd_abort,	// with o_cmd_done: the step was abandoned
	output reg [31:0] o_step,
	// input events
	input wire i_in_valid,
	output wire o_in_ready,
	/* verilator lint_off UNUSEDSIGNAL */	// beyond INPUT_MAX: the command layer refuses them
	input wire [23:0] i_in_index,
	/* verilator lint_on UNUSEDSIGNAL */

	// output events
	output wire o_out_valid,
	input wire i_out_ready,
	output wire [15:0] o_out_core,
	output wire [15:0] o_out_neuron,
	// spike monitor
	output wire [N_CORES-1:0] o_spk_valid,
	output wire [16*N_CORES-1:0] o_spk_neuron,
	// activity monitors: a synaptic operation this cycle; the engine held
	// for an SDRAM line (POOL_SDRAM_LINES) while stepping the core
	output wire [N_CORES-1:0] o_mon_synop,
	output wire [N_CORES-1:0] o_mon_stall,
	// counters
	// counters (docs/host-protocol.md): 0 steps, 1 cycles, 2 synaptic
	// operations, 3 spikes, 4 events in, 5 events out; hold i_cnt_rd,
	// i_cnt_sel and i_cnt_high until o_cnt_done; 32 bits a read, the high
	// half of the counter if i_cnt_high
	input wire i_cnt_clear,
	input wire i_cnt_rd,
	input wire [2:0] i_cnt_sel,
	input wire i_cnt_high,
	output wire o_cnt_done,
	output wire [31:0] o_cnt_value,
	// the pool's SDRAM lines (POOL_SDRAM_LINES): snn_sdram's three streams,
	// pool line a at SDRAM line a; a write a line a command, reads up to 16
	// lines (a dense row's or a tap's next lines); unused, outputs low,
	// without them
	output wire o_sd_cmd_valid,
	input wire i_sd_cmd_ready,
	output wire o_sd_cmd_write,
	output wire [$clog2(SYN_TOTAL / 8)-1:0] o_sd_cmd_addr,	// LA bits
	output wire [3:0] o_sd_cmd_len,	// lines after the first (SLB bits)
	output wire o_sd_wr_valid,
	input wire i_sd_wr_ready,
	output wire [63:0] o_sd_wr_data,
	output wire [7:0] o_sd_wr_be,
	input wire i_sd_rd_valid,
	output wire o_sd_rd_ready,
	input wire [63:0] i_sd_rd_data,
	// the control processor's pool lines (POOL_CPU_LINES): a one-cycle
	// access, at most one every other cycle; a read's line is on
	// o_cpu_rdata in the next cycle only
	/* verilator lint_off UNUSEDSIGNAL */	// without POOL_CPU_LINES; a line's high bits
	input wire i_cpu_en,
	input wire i_cpu_we,
	input wire [7:0] i_cpu_be,
	input wire [15:0] i_cpu_line,
	input wire [63:0] i_cpu_wdata,
	/* verilator lint_on UNUSEDSIGNAL */
	output wire [63:0] o_cpu_rdata
);

	localparam M = MEMBRANE_BITS;
	localparam CB_ON = CHAN_BIAS != 0 && MEMBRANE_BITS <= 24;
	localparam CB = N_CORES < 2 ? 1 : $clog2(N_CORES);
	localparam LINES = SYN_TOTAL / 8;
	localparam LA = $clog2(LINES);	// pool line address
	// the pool's first BR_LINES lines in block RAM (or SPRAM), the rest in SDRAM
	localparam BR_LINES = LINES - POOL_SDRAM_LINES;
	localparam [31:0] BR_LINES32 = BR_LINES;
	localparam [LA:0] BR_LINES_LA = BR_LINES32[LA:0];
	localparam SLB = 4;	// an SDRAM read command's lines after its first (o_sd_cmd_len)
	localparam PA = LA + 3;	// pool byte address
	localparam DDEPTH = N_CORES * 32;
	localparam DA = $clog2(DDEPTH);
	localparam RDEPTH = (ROUTE_TOTAL + INPUT_ROUTES) * 4;
	localparam RWORDS = RDEPTH + 8;	// and the global registers after the routes
	localparam RA = $clog2(RWORDS);
	localparam NA = NEURONS < 16 ? 4 : $clog2(NEURONS);	// a power of two
	localparam AWORDS = (1 << NA) / 8;	// accumulator words, 8 lanes each
	localparam AA = NA - 3;
	localparam IWORDS = INPUT_MAX / 16 < 2 ? 2 : INPUT_MAX / 16;
	localparam IA = $clog2(IWORDS);
	// Widths the profile needs (valid configurations never exceed them;
	// wider register values saturate, so a bad one cannot hang a loop):
	localparam RB = RA - 2;	// a route entry
	localparam XI = NEURONS > INPUT_MAX ? NEURONS : INPUT_MAX;
	localparam SB = $clog2(XI) + 1;	// a source neuron or input index, one past the last
	localparam DW = SB > 17 ? SB : 17;	// the divider: rows and columns of an event before the stride
	// The sizes, coordinates and offsets of a core's tensors (IN_C .. OUT_W,
	// route offsets): valid networks of the profile keep them below 2^CW,
	// so registers and arithmetic need no more; a core with a wider field
	// is refused at STEP (o_cmd_abort, docs/rtl.md), a route offset beyond
	// it saturates (its events fall outside any target as they would).
	localparam XA = XI > AXONS ? XI : AXONS;
	localparam CW0 = $clog2(XA + 1) < SB ? SB : $clog2(XA + 1);
	localparam CW = CW0 > 16 ? 16 : CW0;	// the format's fields are 16 bits
	localparam OW = CW + 1;	// a route offset, signed: all 16 bits when CW is 16
	localparam EB = (SB > CW ? SB : CW) + 2;	// a coordinate plus an offset, signed
	// fields a valid core keeps within its limits: N_NEURONS, N_AXONS,
	// ROUTE_COUNT and INPUT_ROUTES at those widths (wider values wrap; the
	// watchdog bounds what a wrong one can cost)
	localparam NB = $clog2(NEURONS + 1) > 16 ? 16 : $clog2(NEURONS + 1);
	localparam AB = $clog2(AXONS + 1) > 16 ? 16 : $clog2(AXONS + 1);
	localparam RCB = $clog2(ROUTES + 1), IRB = $clog2(INPUT_ROUTES + 1);

	localparam [2:0] R_GLOBAL = 3'd0, R_CORE = 3'd1, R_BIAS = 3'd2, R_SYNAPSE = 3'd3,
			 R_ROUTE = 3'd4, R_INPUT_ROUTE = 3'd5, R_STATE = 3'd6;
	localparam [1:0] CMD_STEP = 2'd1, CMD_ZERO = 2'd2;	// and 0, CLEAR
	localparam [15:0] HOST = 16'hFFFF;

	// ---- memories -------------------------------------------------------------

	// The engine's clock enable: low while an access to an SDRAM line waits
	// (the pool, below); the memories' enables are gated by it, and the
	// FSM's block moves only with it. sd_hit: this cycle's pool access is
	// to SDRAM.
	wire ce, sd_hit;

	// descriptors: core c's register k at c * 32 + k, as written
	reg d_re, d_we;
	reg [DA-1:0] d_raddr, d_waddr;
	reg [31:0] d_wdata;
	wire [31:0] d_rdata;
	snn_ram_sdp #(.WIDTH(32), .DEPTH(DDEPTH)) desc_ram (
		.i_clk(i_clk), .i_we(d_we && ce), .i_waddr(d_waddr), .i_wdata(d_wdata),
		.i_re(d_re && ce), .i_raddr(d_raddr), .o_rdata(d_rdata));

	// routes: core entries at ROUTE_BASE + i, input routes after ROUTE_TOTAL;
	// four words an entry
	reg r_re, r_we;
	reg [RA-1:0] r_raddr, r_waddr;
	reg [31:0] r_wdata;
	wire [31:0] r_rdata;
	snn_ram_sdp #(.WIDTH(32), .DEPTH(RWORDS)) route_ram (
		.i_clk(i_clk), .i_we(r_we && ce), .i_waddr(r_waddr), .i_wdata(r_wdata),
		.i_re(r_re && ce), .i_raddr(r_raddr), .o_rdata(r_rdata));

	// the pool: weights, one a byte; neuron state, one line a neuron:
	// [31:0] v, [35:32] r, [41:40] spiked at an even / odd step, [63:48] bias
	reg p_en, p_we;
	reg [7:0] p_be;
	reg [LA-1:0] p_addr;
	reg [63:0] p_wdata;
	wire [63:0] p_rdata;	// the block RAM's line, or SDRAM's (below)
	wire [63:0] br_rdata;
	wire br_en = p_en && !sd_hit;
	/* verilator lint_off UNUSEDSIGNAL */	// an SDRAM line's high bits
	wire [LA-1:0] br_addr = p_addr;
	/* verilator lint_on UNUSEDSIGNAL */
	// The processor's lines (POOL_CPU_LINES): its access takes the pool
	// for a cycle, then the engine's last read is made again, so that
	// br_rdata is what the engine left there; the engine is held for both
	// cycles (cpu_hold, in ce below), its own access waiting. Its writes
	// past LINES (only an unchecked configuration makes them) are dropped,
	// so no network can overwrite the program.
	wire cpu_hold;
	localparam PLINES = BR_LINES + POOL_CPU_LINES;
	localparam PLA = $clog2(PLINES);
	wire pl_en, pl_we;
	wire [7:0] pl_be;
	wire [PLA-1:0] pl_addr;
	wire [63:0] pl_wdata;
	/* verilator lint_off UNUSEDSIGNAL */
	wire [31:0] br_addr32 = {{(32-LA){1'b0}}, br_addr};
	/* verilator lint_on UNUSEDSIGNAL */
	assign o_cpu_rdata = br_rdata;
	generate
		if (POOL_CPU_LINES != 0) begin : cpu
			localparam [31:0] LINES32 = LINES;
			reg replay;
			reg [PLA-1:0] last;	// the line of the engine's last read
			wire [PLA-1:0] e_addr = br_addr32[PLA-1:0];
`ifndef SYNTHESIS
			initial if (POOL_SDRAM_LINES != 0 || STRIDE_ANY != 0 || POOL_ANY != 0)
				$error("snn_engine: POOL_CPU_LINES holds the engine at any cycle: no SDRAM lines or divider");
			initial if (MEM_POOL == 0 && CB_ON)
				$error("snn_engine: MEM_POOL 0 leaves no port for a CHAN_BIAS core's state");
`endif
			wire outside = {1'b0, e_addr} >= LINES32[PLA:0];
			always @(posedge i_clk) begin
				replay <= i_cpu_en;
				if (ce && br_en && !p_we)
					last <= e_addr;
			end
			assign cpu_hold = i_cpu_en || replay;
			assign pl_en = i_cpu_en || replay || br_en && !(p_we && outside);
			assign pl_we = i_cpu_en ? i_cpu_we : !replay && p_we;
			assign pl_be = i_cpu_en ? i_cpu_be : p_be;
			assign pl_addr = i_cpu_en ? i_cpu_line[PLA-1:0] : replay ? last : e_addr;
			assign pl_wdata = i_cpu_en ? i_cpu_wdata : p_wdata;
		end else begin : no_cpu
			assign cpu_hold = 1'b0;
			assign pl_en = br_en;
			assign pl_we = p_we;
			assign pl_be = p_be;
			assign pl_addr = br_addr32[PLA-1:0];
			assign pl_wdata = p_wdata;
		end
	endgenerate

	// The UP5K's four SPRAM blocks, or block RAM on other parts (the same
	// cycle behaviour, but for the SPRAM's output being undefined after a
	// write: the engine never looks at it then).
	generate
		if (POOL_SPRAM != 0) begin : spram
			snn_spram_pool #(.DEPTH(PLINES)) pool (
				.i_clk(i_clk), .i_en(pl_en), .i_we(pl_we), .i_be(pl_be), .i_addr(pl_addr),
				.i_wdata(pl_wdata), .o_rdata(br_rdata));
		end else begin : ebr
			snn_ram_be #(.BYTES(8), .DEPTH(PLINES)) pool (
				.i_clk(i_clk), .i_en(pl_en), .i_we(pl_we), .i_be(pl_be), .i_addr(pl_addr),
				.i_wdata(pl_wdata), .o_rdata(br_rdata));
		end
	endgenerate

	// The pool's SDRAM lines. An access the FSM makes to a line at
	// BR_LINES or above goes out on the line port while the engine holds
	// (ce low: the FSM's registers, every RAM, the neuron unit and the
	// counters' increments stand still); when the write has been taken or
	// the line has come (into `next`: `line`, the last read's, may still be
	// in use), sd_go lets the engine's cycle happen as if the block RAM had
	// answered, and a read's line is on p_rdata from the next cycle until
	// the next read. The divider runs only in states that make
	// no pool access, so it never runs across a hold.
	wire sd_go;
	// the lines a read may ask for after its own: a dense row's or a tap's
	// next lines, which S_SYN reads one a cycle (the scan's and the sweep's
	// reads mix with others and go a line at a time)
	wire [SLB-1:0] sd_more;
	generate
		if (POOL_SDRAM_LINES != 0) begin : sd
			reg busy, go, rsel, cmd_v, wr_v, write;
			reg [LA-1:0] addr, exp, tag;
			reg cached;	// `next` is SDRAM line `tag` as it is now
			reg [SLB-1:0] len;
			reg [SLB:0] pend;	// lines asked for and not yet off the read stream
			reg [63:0] wdata, line, next;
			reg [7:0] be;
			integer k;
			// this access: the next line of the stream already asked for;
			// or another, while lines asked for are still to come: those go
			// first, unread (no write is made before, so they are current)
			wire streamed = !p_we && pend != 0 && p_addr == exp;
			// a read of the last line read (the sweep's and the scan's two
			// neurons a line): answered from `next` at once, no hold
			wire hit = !p_we && cached && p_addr == tag;
			wire drain = sd_hit && !go && !busy && pend != 0 && !streamed && !hit;
			assign sd_hit = p_en && {1'b0, p_addr} >= BR_LINES_LA;
			assign sd_go = go || hit;
			assign p_rdata = rsel ? line : br_rdata;
			assign o_sd_cmd_valid = cmd_v;
			assign o_sd_cmd_write = write;
			assign o_sd_cmd_addr = addr;
			assign o_sd_cmd_len = len;
			assign o_sd_wr_valid = wr_v;
			assign o_sd_wr_data = wdata;
			assign o_sd_wr_be = be;
			assign o_sd_rd_ready = pend != 0 && (busy ? !write : drain);
			always @(posedge i_clk) begin
				go <= 1'b0;
				if (ce && p_en && !p_we) begin	// a read: whose line p_rdata shows from now on
					rsel <= sd_hit;
					if (sd_hit)
						line <= next;
				end
				if (o_sd_rd_ready && i_sd_rd_valid) begin	// a line off the stream
					pend <= pend - 1'b1;
					exp <= exp + 1'b1;
					if (busy) begin	// this access's
						next <= i_sd_rd_data;
						tag <= exp;
						cached <= 1'b1;
						busy <= 1'b0;
						go <= 1'b1;
					end
				end
				if (sd_hit && !go && !busy && !hit)
					if (streamed) begin
						busy <= 1'b1;
						write <= 1'b0;
					end else if (pend == 0 && !cmd_v) begin	// a command: a write, or reads
						busy <= 1'b1;
						cmd_v <= 1'b1;
						wr_v <= p_we;
						write <= p_we;
						addr <= p_addr;
						len <= p_we ? {SLB{1'b0}} : sd_more;
						pend <= p_we ? {(SLB+1){1'b0}} : {1'b0, sd_more} + 1'b1;
						exp <= p_addr;
						wdata <= p_wdata;
						be <= p_be;
						if (p_we && p_addr == tag)	// written through
							for (k = 0; k < 8; k = k + 1)
								if (p_be[k])
									next[8*k +: 8] <= p_wdata[8*k +: 8];
					end
				if (cmd_v && i_sd_cmd_ready)
					cmd_v <= 1'b0;
				if (wr_v && i_sd_wr_ready) begin
					wr_v <= 1'b0;
					busy <= 1'b0;
					go <= 1'b1;
				end
				if (i_rst) begin
					busy <= 1'b0;
					go <= 1'b0;
					rsel <= 1'b0;
					cmd_v <= 1'b0;
					wr_v <= 1'b0;
					pend <= {(SLB+1){1'b0}};
					cached <= 1'b0;
				end
			end
		end else begin : no_sd
			/* verilator lint_off UNUSEDSIGNAL */
			wire unused = i_sd_cmd_ready ^ i_sd_wr_ready ^ i_sd_rd_valid ^ ^i_sd_rd_data ^ ^sd_more;
			/* verilator lint_on UNUSEDSIGNAL */
			assign sd_hit = 1'b0;
			assign sd_go = 1'b0;
			assign p_rdata = br_rdata;
			assign o_sd_cmd_valid = 1'b0;
			assign o_sd_cmd_write = 1'b0;
			assign o_sd_cmd_addr = {LA{1'b0}};
			assign o_sd_cmd_len = {SLB{1'b0}};
			assign o_sd_wr_valid = 1'b0;
			assign o_sd_wr_data = 64'd0;
			assign o_sd_wr_be = 8'd0;
			assign o_sd_rd_ready = 1'b0;
		end
	endgenerate
	assign ce = (!sd_hit || sd_go) && !cpu_hold;
	// seen from outside, the engine's clock stops while the processor holds
	// it: no handshake, no done pulse
	reg mem_done, cmd_done;
	assign o_mem_done = mem_done && !cpu_hold;
	assign o_cmd_done = cmd_done && !cpu_hold;

	// channel biases, 64 a core: core c's channel k at c * 64 + k (a table
	// of one word where CHAN_BIAS is off, never read)
	localparam BDEPTH = CB_ON ? N_CORES * 64 : 2;
	localparam BA = $clog2(BDEPTH);
	reg b_re, b_we;
	reg [BA-1:0] b_raddr, b_waddr;
	reg [BIAS_BITS-1:0] b_wdata;
	wire [BIAS_BITS-1:0] b_rdata;
	snn_ram_sdp #(.WIDTH(BIAS_BITS), .DEPTH(BDEPTH)) bias_ram (
		.i_clk(i_clk), .i_we(b_we && ce), .i_waddr(b_waddr), .i_wdata(b_wdata),
		.i_re(b_re && ce), .i_raddr(b_raddr), .o_rdata(b_rdata));

	// accumulators of the core being stepped, eight neurons a word (the
	// eight lanes of a pool line): neuron n in lane n % 8 of word n / 8
	reg a_re, a_we;
	reg [AA-1:0] a_raddr, a_waddr;
	reg [8*ACC_BITS-1:0] a_wdata;
	wire [8*ACC_BITS-1:0] a_rdata;
	snn_ram_sdp #(.WIDTH(8 * ACC_BITS), .DEPTH(AWORDS)) acc_ram (
		.i_clk(i_clk), .i_we(a_we && ce), .i_waddr(a_waddr), .i_wdata(a_wdata),
		.i_re(a_re && ce), .i_raddr(a_raddr), .o_rdata(a_rdata));

	// input events of the next step, 16 to a word
	reg i_re_, i_we_;
	reg [IA-1:0] i_raddr, i_waddr;
	reg [15:0] i_wdata;
	wire [15:0] i_rdata;
	snn_ram_sdp #(.WIDTH(16), .DEPTH(IWORDS)) input_ram (
		.i_clk(i_clk), .i_we(i_we_ && ce), .i_waddr(i_waddr), .i_wdata(i_wdata),
		.i_re(i_re_ && ce), .i_raddr(i_raddr), .o_rdata(i_rdata));

	// ---- counters: one increment pulse each, a cycle late ----------------------

	localparam C_STEPS = 0, C_CYCLES = 1, C_SYNOPS = 2, C_SPIKES = 3, C_EVENTS_IN = 4,
		   C_EVENTS_OUT = 5;
	reg [23:0] cnt_inc;	// four bits a counter: a line of synaptic operations adds 8
	// held for SDRAM, the increments stand still but the cycles'
	localparam [23:0] CNT_CYCLES_ONLY = 24'h1 << (4 * C_CYCLES);
	snn_counters #(.N(6), .INC_BITS(4)) counters (
		.i_clk(i_clk), .i_rst(i_rst), .i_clear(i_cnt_clear),
		.i_inc(ce ? cnt_inc : cnt_inc & CNT_CYCLES_ONLY),
		.i_rd(i_cnt_rd), .i_sel(i_cnt_sel), .i_high(i_cnt_high), .o_done(o_cnt_done),
		.o_value(o_cnt_value));

	// ---- global registers ------------------------------------------------------

	// As written they live in the route RAM, after the routes (word
	// RDEPTH + k), for reading back; the loops use these saturated copies.
	localparam [31:0] NC32 = N_CORES, GLOBAL0 = RDEPTH;
	localparam [CB:0] NC_MAX = NC32[CB:0];
	reg [CB:0] g_nc;	// NUM_CORES, at most N_CORES
	reg [CW-1:0] g_h_r, g_w_r;	// IN_H, IN_W
	wire [15:0] g_h = z16(g_h_r), g_w = z16(g_w_r);
	reg [15:0] g_nr;	// the input routes

	function [SB-1:0] sat_sb(input [31:0] x);
		sat_sb = x[31:SB] != {(32-SB){1'b0}} ? {SB{1'b1}} : x[SB-1:0];
	endfunction
	function [CW-1:0] sat_cw(input [31:0] x);
		sat_cw = x[31:CW] != {(32-CW){1'b0}} ? {CW{1'b1}} : x[CW-1:0];
	endfunction
	// a route offset (16 bits, signed) within +-2^CW
	localparam signed [31:0] OFF_MAX = (32'sd1 <<< CW) - 32'sd1, OFF_MIN = -(32'sd1 <<< CW);
	function [OW-1:0] sat_off(input [15:0] x);
		reg signed [31:0] v;
		begin
			v = {{16{x[15]}}, x};
			sat_off = v > OFF_MAX ? OFF_MAX[OW-1:0] : v < OFF_MIN ? OFF_MIN[OW-1:0] : v[OW-1:0];
		end
	endfunction
	// a CW-bit field as the 16 bits of the format
	/* verilator lint_off UNUSEDSIGNAL */
	function [15:0] z16(input [CW-1:0] x);
		reg [31:0] wide;
		begin
			wide = {{(32-CW){1'b0}}, x};
			z16 = wide[15:0];
		end
	endfunction
	/* verilator lint_on UNUSEDSIGNAL */

	// ---- divider (pooled sizes, pooling, stride) -------------------------------

	reg dv_start;
	reg [DW-1:0] dv_num, dv_den;
	wire dv_busy, dv_done;
	wire [DW-1:0] dv_quo;
	/* verilator lint_off UNUSEDSIGNAL */	// a stride's remainder: below the stride, CW bits
	wire [DW-1:0] dv_rem;
	/* verilator lint_on UNUSEDSIGNAL */
	generate
		if (STRIDE_ANY != 0 || POOL_ANY != 0) begin : div
			snn_divu #(.WIDTH(DW)) divider (
				.i_clk(i_clk), .i_rst(i_rst), .i_start(dv_start), .i_num(dv_num), .i_den(dv_den),
				.o_busy(dv_busy), .o_done(dv_done), .o_quo(dv_quo), .o_rem(dv_rem));
		end else begin : no_div	// strides of 1 and pools of 1 or 2 only: nothing divides
			/* verilator lint_off UNUSEDSIGNAL */
			wire unused = dv_start ^ ^dv_num ^ ^dv_den;
			/* verilator lint_on UNUSEDSIGNAL */
			assign dv_busy = 1'b0;
			assign dv_done = 1'b0;
			assign dv_quo = {DW{1'b0}};
			assign dv_rem = {DW{1'b0}};
		end
	endgenerate

`ifndef SYNTHESIS
	// The divider runs on its own: no hold for SDRAM may come while it does.
	always @(posedge i_clk)
		if (!i_rst && !ce && (dv_busy || dv_done))
			$error("snn_engine: held for SDRAM while the divider runs");
`endif

	// ---- the neuron step ----------------------------------------------------------

	reg [M-1:0] t_threshold, t_vinit;
	reg [7:0] t_leak;
	reg t_reset, t_spiking;
	reg [3:0] t_refr;
	// One neuron at a time through the pipelined unit: its pool line and
	// accumulator go in as the RAMs deliver them (nu_in), the new state
	// comes back five cycles later (nu_valid) and is written in that cycle
	// with the spike bit of the other step (nu_other) kept.
	wire nu_in;	// S_SW_RD2, S_FS
	wire [M-1:0] nu_v;
	wire [3:0] nu_r;
	wire nu_valid, nu_spike, nu_live_unused;
	wire nu_other;	// the neuron's spike bit of the other step, carried through
	wire cur = o_step[0];	// this step's spike bit
	wire [2:0] nu_lane;	// the neuron's lane of the accumulator word
	reg nu_odd;	// ... and its half of a CHAN_BIAS line (n % 2)
	// FLAGS CHAN_BIAS of the target and of the source (docs/geometry.md,
	// "Channel biases"): two neurons a pool line, neuron n in half n % 2 of
	// line n / 2, [23:0] v, [27:24] r, [29:28] spiked at an even / odd step;
	// the bias from the channel table
	reg t_cb_r, s_cb_r;
	wire t_cb = CB_ON && t_cb_r, s_cb = CB_ON && s_cb_r;
	/* verilator lint_off UNUSEDSIGNAL */	// its v's bits beyond the membrane, the spare two
	wire [31:0] nu_half = nu_odd ? p_rdata[63:32] : p_rdata[31:0];
	/* verilator lint_on UNUSEDSIGNAL */
	snn_neuron_pipe #(.MEMBRANE_BITS(M), .ACC_BITS(ACC_BITS), .BIAS_BITS(BIAS_BITS), .TAG_BITS(1)) neuron (
		.i_clk(i_clk), .i_rst(i_rst), .i_ce(ce), .i_valid(nu_in),
		.i_tag(t_cb ? (cur ? nu_half[28] : nu_half[29]) : (cur ? p_rdata[40] : p_rdata[41])),
		.i_v(t_cb ? nu_half[M-1:0] : p_rdata[M-1:0]), .i_ref(t_cb ? nu_half[27:24] : p_rdata[35:32]),
		.i_acc(a_rdata[ACC_BITS * nu_lane +: ACC_BITS]),
		.i_bias(t_cb ? b_rdata : p_rdata[48 +: BIAS_BITS]), .i_threshold(t_threshold), .i_leak(t_leak),
		.i_reset_mode(t_reset), .i_refractory(t_refr), .i_spiking(t_spiking),
		.o_valid(nu_valid), .o_tag(nu_other),
		.o_v(nu_v), .o_ref(nu_r), .o_spike(nu_spike), .o_live(nu_live_unused));

	// ---- state ------------------------------------------------------------------------

	localparam [6:0] S_IDLE = 7'd0;
	// memory port
	localparam [6:0] S_M_ADDR = 7'd4;	// address and checks
	localparam [6:0] S_M_ACC = 7'd5;	// the access
	localparam [6:0] S_M_RD = 7'd6;	// read data
	// commands
	localparam [6:0] S_Z = 7'd7;	// ZERO: every word
	localparam [6:0] S_CL_CORE = 7'd8;	// CLEAR: load core c
	localparam [6:0] S_CL_N = 7'd9;	// CLEAR: neuron n to V_INIT
	localparam [6:0] S_CL_ACC = 7'd10;	// CLEAR: accumulators and input bitmap
	localparam [6:0] S_DONE = 7'd11;
	// loading a descriptor: words 0 .. 31 of core ld_core
	localparam [6:0] S_LD = 7'd12;
	// STEP
	localparam [6:0] S_ST_PROBE = 7'd13;	// is core c in phase p?
	localparam [6:0] S_ST_PROBE2 = 7'd14;
	localparam [6:0] S_ST_TGT = 7'd15;	// target loaded: derived values
	localparam [6:0] S_ST_DIVH = 7'd16;	// pooled rows and columns
	localparam [6:0] S_ST_DIVW = 7'd17;
	localparam [6:0] S_ST_SRC = 7'd18;	// next source
	localparam [6:0] S_ST_RT0 = 7'd19;	// next route of the source
	localparam [6:0] S_ST_RT1 = 7'd20;
	localparam [6:0] S_ST_RT2 = 7'd21;
	localparam [6:0] S_ST_RT3 = 7'd22;
	localparam [6:0] S_ST_RT4 = 7'd23;
	localparam [6:0] S_SC_DIV1 = 7'd24;	// the route's last word: start the scan
	localparam [6:0] S_SC_ROWS = 7'd25;	// coordinates of src_lo, a row a cycle
	localparam [6:0] S_SC_RD = 7'd26;	// scan: read the spike of n
	localparam [6:0] S_SC_CHK = 7'd27;
	localparam [6:0] S_EV = 7'd28;	// an event at (c, y, x) into the target
	localparam [6:0] S_EV_D1 = 7'd29;	// dense: axon
	localparam [6:0] S_EV_D2 = 7'd30;
	localparam [6:0] S_SYN = 7'd31;	// synaptic operations, one a cycle
	localparam [6:0] S_EV_CP = 7'd32;	// conv: pooling
	localparam [6:0] S_EV_SY = 7'd33;	// conv, stride > 1: the first tap's row by the stride
	localparam [6:0] S_EV_SX = 7'd34;	// ... its column
	localparam [6:0] S_SW_RD = 7'd37;	// sweep: read neuron n
	localparam [6:0] S_SW_WR = 7'd39;	// write back, spike
	localparam [6:0] S_SW_HR = 7'd40;	// host routes of a spike
	localparam [6:0] S_SW_HR1 = 7'd41;
	localparam [6:0] S_SW_HR2 = 7'd42;
	localparam [6:0] S_SW_HR3 = 7'd43;
	localparam [6:0] S_SW_OUT = 7'd44;	// an output event waits for the port
	localparam [6:0] S_ST_END = 7'd45;	// clear the input bitmap
	localparam [6:0] S_IN = 7'd46;	// input event: read its bitmap word
	localparam [6:0] S_IN2 = 7'd47;
	localparam [6:0] S_SYN2 = 7'd48;	// the last synaptic operation's write
	localparam [6:0] S_SW_RD2 = 7'd49;
	localparam [6:0] S_ST_DIVW2 = 7'd50;
	localparam [6:0] S_EV_CP2 = 7'd52;
	localparam [6:0] S_SW_HR4 = 7'd53;
	localparam [6:0] S_MUL = 7'd54;	// the shared multiplier: mul_r, then mul_ret
	localparam [6:0] S_ST_K3 = 7'd57;	// the target's kernel size
	localparam [6:0] S_EV_D3 = 7'd59;	// dense: the row's first weight
	localparam [6:0] S_EV_CN2 = 7'd60;	// conv: the tap's weight
	localparam [6:0] S_SW_PRE = 7'd63;	// sweep: does a route of the target go to the host?
	localparam [6:0] S_SW_PRE1 = 7'd64;
	localparam [6:0] S_SW_PRE2 = 7'd65;
	localparam [6:0] S_FS = 7'd66;	// the sweep of a target without host routes, pipelined
	localparam [6:0] S_EV_U0 = 7'd67;	// conv, stride 1: the event's first weight
	localparam [6:0] S_EV_U1 = 7'd68;	// ... a tap's position checked
	localparam [6:0] S_EV_U2 = 7'd69;	// ... acted on
	localparam [6:0] S_EV_DY = 7'd70;	// deconv: the first tap's row
	localparam [6:0] S_EV_DX = 7'd71;	// ... and column

	reg [6:0] state, ld_ret;

	// the request being served
	// the request's fields, held by the requester until o_mem_done
	wire m_write = i_mem_write;
	wire [2:0] m_region = i_mem_region;
	wire [15:0] m_core = i_mem_core;
	wire [31:0] m_index = i_mem_index, m_wdata = i_mem_wdata;

	// descriptor loading: ld_tgt chooses the target or the source fields
	reg ld_tgt;
	reg [CB-1:0] ld_core;
	reg [5:0] ld_i;

	// target core fields
	reg [CB-1:0] tc;
	reg [1:0] t_mode;
	reg [15:0] t_n, t_axons, t_rcount;
	reg [CW-1:0] t_in_c_r, t_in_h_r, t_in_w_r, t_pool_r, t_kh_r, t_kw_r, t_stride_r,
		     t_pad_y_r, t_pad_x_r, t_out_nc_r, t_out_y0_r, t_out_h_r, t_out_x0_r, t_out_w_r;
	wire [15:0] t_in_h = z16(t_in_h_r), t_in_w = z16(t_in_w_r),
		    t_pool = z16(t_pool_r), t_kh = z16(t_kh_r), t_kw = z16(t_kw_r),
		    t_stride = z16(t_stride_r),
		    t_out_nc = z16(t_out_nc_r), t_out_w = z16(t_out_w_r);
	reg ld_wide;	// a field of the cores loaded in this STEP is CW bits or more
	reg [PA-1:0] t_syn_base;
	reg [LA-1:0] t_state_line;	// STATE_BASE / 8
	reg [RB-1:0] t_route_base;
	reg [CW-1:0] t_hp_r, t_wp_r;	// pooled input rows, columns
	wire [15:0] t_hp = z16(t_hp_r), t_wp = z16(t_wp_r);
	reg [CW:0] t_out_y1, t_out_x1;	// deconv: one past the tile, Y0 + OUT_H, X0 + OUT_W
	reg [NA-1:0] t_plane;	// OUT_H * OUT_W, from DERIVED
	// A conv or deconv target's taps as lines (docs/geometry.md, "Conv taps
	// as lines"): a tap's weights take t_lw bytes (OUT_NC rounded up to
	// whole lines), channel k at byte k; with fewer than 8 channels, 2^t_lg
	// of them (OUT_NC up to a power of two) repeated across the line. Its
	// accumulators: channels 8g .. 8g + 7 of position pos in word g x plane
	// + pos, or with fewer than 8 channels, 8 / 2^t_lg positions a word,
	// slot pos x 2^t_lg + k in word slot / 8, lane slot % 8.
	reg [PA-1:0] t_klw;	// KH * KW * t_lw: a channel of the input's taps
	reg [1:0] t_lg;
	wire [2:0] t_ncm1 = {t_lg == 2'd3, t_lg[1], t_lg != 2'd0};	// 2^t_lg - 1
	/* verilator lint_off UNUSEDSIGNAL */	// the bits beyond each use's width
	wire [CW:0] t_lw_sum = {1'b0, t_out_nc_r} + {{(CW-2){1'b0}}, 3'd7};
	wire [CW:0] t_lw = {t_lw_sum[CW:3], 3'd0};
	wire [31:0] t_lw32 = {{(31-CW){1'b0}}, t_lw}, t_klw32 = {{(32-PA){1'b0}}, t_klw};
	/* verilator lint_on UNUSEDSIGNAL */
	wire [15:0] t_lw16 = t_lw32[15:0];
	wire [PA-1:0] t_lw_pa = t_lw32[PA-1:0];
	wire [23:0] t_klw24 = t_klw32[23:0];
	reg [15:0] t_kk;	// KH * KW, from DERIVED
	reg t_unit;	// STRIDE is 1
	reg [CW-1:0] t_s1;	// STRIDE - 1
	// source core fields
	reg [1:0] s_mode;
	reg [7:0] s_phase;
	reg [CW-1:0] s_out_h_r, s_out_w_r;
	wire [15:0] s_out_h = z16(s_out_h_r), s_out_w = z16(s_out_w_r);
	reg [15:0] s_rcount;
	reg [LA-1:0] s_state_line;
	reg [RB-1:0] s_route_base;

	// step loop
	reg [7:0] p;	// phase
	reg [CB-1:0] pc;	// core probed
	reg pc_live;	// ... its MODE is not 0
	reg src_input;	// the source is the host input
	reg [CB:0] sc;	// source core
	localparam RIB = RCB > IRB ? RCB : IRB;
	reg [RIB-1:0] ri_r;	// route of the source
	/* verilator lint_off UNUSEDSIGNAL */
	wire [31:0] ri32 = {{(32-RIB){1'b0}}, ri_r};
	/* verilator lint_on UNUSEDSIGNAL */
	wire [15:0] ri = ri32[15:0];
	reg [15:0] rt_dest;
	reg signed [OW-1:0] rt_dc, rt_dy, rt_dx;
	reg [SB-1:0] rt_lo, rt_hi;
	reg bank;	// the spike bit to read: this step's or the last
	// scan
	reg [SB-1:0] sn;	// source neuron or input index
	reg [SB-1:0] sk, si, sj;	// its coordinate
	// event: a coordinate plus a 16-bit route offset
	reg signed [EB-1:0] ec, ey, ex;
	reg [CW-1:0] py_r, ky_r, kx_r;	// pooled row, kernel tap
	wire [15:0] py = z16(py_r), ky = z16(ky_r), kx = z16(kx_r);
	// the tap's output position (before the tile): a deconv tap's may run
	// KH - 1 rows past the tile's end, hence a bit more than a conv's needs
	localparam OYW = DECONV != 0 ? CW + 3 : CW + 2;
	function [OYW-1:0] zoy(input [CW-1:0] x);	// a field, or one bit more, at oy's width
		zoy = {{(OYW-CW){1'b0}}, x};
	endfunction
	function [OYW-1:0] zoy1(input [CW:0] x);
		zoy1 = {{(OYW-CW-1){1'b0}}, x};
	endfunction
	reg signed [OYW-1:0] oy, ox;
	// A dense target whose input layout is the source's (same rows and
	// columns, no row or column offset): a source position's axon is its
	// index plus a constant, so after the route's first event the axon and
	// its row's first byte are counted up with the scan, no products.
	localparam LXB = (SB > 16 ? SB : 16) + 1;	// an axon plus a route's length
	reg lin_route;	// the route is such
	reg lin_valid;	// ... and lin_axon, lin_byte hold sn's axon and row
	reg [LXB-1:0] lin_axon;
	reg [PA-1:0] lin_byte;
	reg tap_off;	// ... not on the stride's grid, or outside the tile
	// A conv event's taps, each counted from the last (no division or
	// product per tap): tap (ky, kx) has output row oy = floor(ty / STRIDE)
	// with ty = py + PAD_Y - ky, on the stride's grid when the remainder ry
	// is 0 (likewise ox, rx); its neuron (oy - Y0) * OUT_W + ox - X0 (u_row
	// + ox - X0, u_row exact once u_n_ok) and its line's first byte
	// (c * KH * KW + ky * KW + kx) * t_lw (u_w). An event costs two divisions where
	// the stride is above 1 and a product at its first tap inside the tile.
	reg [CW-1:0] ry, rx;
	reg signed [OYW-1:0] u_ox0;	// ox of the row's first tap
	reg [CW-1:0] u_rx0;	// ... and rx
	reg [NA-1:0] u_row;
	reg [NA-1:0] u_n;	// the tap's neuron, registered with its check
	reg u_n_ok;
	reg [PA-1:0] u_w;
	// synaptic operations: count, pool byte, accumulator
	reg [15:0] so_left;
	reg [PA-1:0] so_byte;	// within the pool for a valid core
	reg [AA-1:0] so_n;	// accumulator word
	reg [AA-1:0] so_step_n;
	reg so_pending;	// a read is in flight: its add is due
	reg so_dense;	// a dense row (else a conv tap): where the line's end returns
	reg [7:0] so_mask;	// the lanes that add (a tap's position's, where it shares a word)
	reg [AA-1:0] so_pn;	// the word of the operation in flight
	reg [3:0] so_cnt;	// ... its synaptic operations (8 for a whole line)
	// sweep
	// neurons of the target (below N_NEURONS) and its host routes, counted
	reg [NB-1:0] wn_r, fs_rd_r, fs_wr_r;
	// the channel of the next neuron read (rd_ch) and its place in the
	// plane (rd_pos), counted with the reads: no division; in a conv or
	// deconv target its accumulator's slot in its group of 8 channels
	// (rd_s, pos x 2^t_lg + k % 8) and the group's first word (rd_gw)
	reg [CW-1:0] rd_ch;
	reg [NA-1:0] rd_pos, rd_s;
	reg [AA-1:0] rd_gw;
	// the accumulator word of the neuron read, zeroed in the next cycle
	// (its neuron unit's input cycle) when that was its last lane
	reg z_en;
	reg [AA-1:0] z_word;
	reg [RCB-1:0] hr_r;
	/* verilator lint_off UNUSEDSIGNAL */
	wire [31:0] wn32 = {{(32-NB){1'b0}}, wn_r}, fs_rd32 = {{(32-NB){1'b0}}, fs_rd_r},
		    fs_wr32 = {{(32-NB){1'b0}}, fs_wr_r}, hr32 = {{(32-RCB){1'b0}}, hr_r};
	/* verilator lint_on UNUSEDSIGNAL */
	wire [15:0] wn = wn32[15:0], fs_rd = fs_rd32[15:0], fs_wr = fs_wr32[15:0], hr = hr32[15:0];
	// the pipelined sweep (S_FS): a neuron read every other cycle at most,
	// into the neuron unit the next cycle (fs_in, its accumulator lane
	// fs_lane); each result held a cycle (wb_*) and written in a cycle
	// without a read; fs_rd, fs_wr the next neurons to read and to write
	reg fs_in;
	reg [2:0] fs_lane;
	reg wb_valid, wb_spike, wb_other;
	reg [M-1:0] wb_v;
	reg [3:0] wb_r;
	reg [16:0] hr_lo;	// saturated
	reg out_valid;
	reg [15:0] out_core, out_neuron;
	reg spk_valid;
	reg [15:0] spk_neuron;
	reg [CB-1:0] spk_core;
	reg synop_mon;
	// commands
	// the passes over every word of a memory: the largest is the pool
	localparam ZB = $clog2(LINES + DDEPTH + RWORDS + AWORDS + IWORDS + BDEPTH);
	reg [ZB-1:0] zi;
	// the last word of ZERO's pass (the largest memory), of CLEAR's, of the bitmap's
	localparam [31:0] Z_LAST0 = (LINES > DDEPTH ? (LINES > RWORDS ? LINES : RWORDS)
				    : (DDEPTH > RWORDS ? DDEPTH : RWORDS)) - 1;
	localparam [31:0] Z_LAST = Z_LAST0 + 1 > BDEPTH ? Z_LAST0 : BDEPTH - 1;
	localparam [31:0] CL_LAST = (AWORDS > IWORDS ? AWORDS : IWORDS) - 1;
	localparam [31:0] IW_LAST = IWORDS - 1;
	// is zi within each memory (compared at zi's width)
	localparam [31:0] Z_D = DDEPTH, Z_R = RWORDS, Z_P = LINES, Z_A = AWORDS, Z_I = IWORDS;
	localparam [31:0] Z_B = BDEPTH;
	wire zi_in_b = zi < Z_B[ZB-1:0];
	wire zi_in_d = zi < Z_D[ZB-1:0], zi_in_r = zi < Z_R[ZB-1:0], zi_in_p = zi < Z_P[ZB-1:0],
	     zi_in_a = zi < Z_A[ZB-1:0], zi_in_i = zi < Z_I[ZB-1:0];
	reg booting;	// the ZERO after reset: no command to answer
	// A STEP in flight, until its S_DONE: the watchdog, the refusal of a
	// core too wide and the cycles counter act only then, not on the memory
	// requests and input events between steps
	reg stepping;
	reg [WATCHDOG_BITS-1:0] wd;	// cycles of this STEP
	// One multiplier for every address product (mul_r = mul_a * mul_b +
	// mul_c, a cycle in S_MUL): they come one at a time, so sharing costs a
	// cycle each and keeps the DSP blocks free.
	reg [23:0] mul_a, mul_c;
	reg [15:0] mul_b;
	reg [39:0] mul_r;

	reg [6:0] mul_ret;

	// The ZERO after reset runs before the first request is taken.
	assign o_mem_ready = state == S_IDLE && !i_cmd_valid && !cpu_hold;
	assign o_cmd_ready = state == S_IDLE && !cpu_hold;
	assign o_in_ready = state == S_IDLE && !i_cmd_valid && !i_mem_valid && !cpu_hold;
	assign nu_in = state == S_SW_RD2 || state == S_FS && fs_in;
	assign nu_lane = fs_lane;
	// S_SYN's lines after this one, at most 2^SLB - 1 (for the SDRAM's reads)
	/* verilator lint_off UNUSEDSIGNAL */
	wire [15:0] so_more = (so_left - 16'd1) >> 3;
	/* verilator lint_on UNUSEDSIGNAL */
	assign sd_more = state != S_SYN || so_left <= 16'd8 ? {SLB{1'b0}} :
			 so_more[15:SLB] != {(16-SLB){1'b0}} ? {SLB{1'b1}} : so_more[SLB-1:0];
	// S_FS: a result to write, else the next neuron's read
	wire fs_issue = !wb_valid && !fs_in && fs_rd < t_n;
	assign o_out_valid = out_valid && !cpu_hold;

	assign o_out_core = out_core;
	assign o_out_neuron = out_neuron;
	genvar gc;
	generate
		for (gc = 0; gc < N_CORES; gc = gc + 1) begin : mon
			// a pulse once, in the cycle the engine moves on (not while held)
			assign o_spk_valid[gc] = spk_valid && ce && spk_core == gc;
			assign o_spk_neuron[16*gc +: 16] = spk_neuron;
			assign o_mon_synop[gc] = synop_mon && ce && tc == gc;
			// the engine held for an SDRAM line while stepping core gc
			assign o_mon_stall[gc] = !ce && stepping && tc == gc;
		end
	endgenerate


	// ---- address arithmetic ----------------------------------------------------------

	// A core's neuron state line: its first line plus the neuron.
	function [LA-1:0] state_line(input [LA-1:0] first, input [31:0] n);
		reg [31:0] a;
		begin
			a = {{(32-LA){1'b0}}, first} + n;
			state_line = a[LA-1:0];
		end
	endfunction

	// The target's neuron n: its line, or with CHAN_BIAS the line of its half
	function [LA-1:0] neuron_line(input [15:0] n);
		neuron_line = state_line(t_state_line, t_cb ? {17'd0, n[15:1]} : {16'd0, n});
	endfunction
	// the channel table's word of the neuron the sweep reads: core tc's rd_ch
	/* verilator lint_off UNUSEDSIGNAL */
	wire [CB+5:0] rd_bidx = {tc, rd_ch[5:0]};
	/* verilator lint_on UNUSEDSIGNAL */

	/* verilator lint_off UNUSEDSIGNAL */	// a line's byte: rows and taps start lines
	wire [PA-1:0] so_addr = t_syn_base + so_byte;
	/* verilator lint_on UNUSEDSIGNAL */

	// The source's rows and columns: the input's, or a conv source's tile.
	wire [15:0] sc_h = src_input ? g_h : s_out_h, sc_w = src_input ? g_w : s_out_w;
	// The source position whose spike word the scan reads this cycle.
	wire [SB-1:0] sc_n = state == S_SC_CHK || state == S_SYN2 ? sn + 1'b1 : sn;

	// The accumulator word of the operation in flight plus its line's
	// weights, lane by lane (the lanes of the tap's position only, where
	// positions share a word). A line's words differ from the last's (the
	// next word of a row, a tap's next group a plane on), so no read meets
	// the write of the word before it.
	reg [8*ACC_BITS-1:0] acc_sum;
	integer ln;
	always @* begin
		for (ln = 0; ln < 8; ln = ln + 1)
			acc_sum[ACC_BITS*ln +: ACC_BITS] = a_rdata[ACC_BITS*ln +: ACC_BITS] +
				(so_mask[ln] ? {{(ACC_BITS-8){p_rdata[8*ln+7]}}, p_rdata[8*ln +: 8]} :
				 {ACC_BITS{1'b0}});
	end
	// The sweep's neuron read (wn, or fs_rd pipelined): its accumulator's
	// word and lane (a conv target's by rd_s and rd_gw), and whether it is
	// the word's last lane read (the last channel of its group, at the last
	// position of the word), after which the word is zeroed.
	wire t_map = t_mode[1];
	wire [15:0] rd_n = state == S_FS ? fs_rd : wn;
	/* verilator lint_off UNUSEDSIGNAL */
	wire [NA-1:0] rd_slot_word = rd_s >> 3;
	/* verilator lint_on UNUSEDSIGNAL */
	wire [AA-1:0] rd_word = t_map ? rd_gw + rd_slot_word[AA-1:0] : rd_n[NA-1:3];
	wire [2:0] rd_lane = t_map ? rd_s[2:0] : rd_n[2:0];
	wire rd_last = t_map ? (rd_ch[2:0] == 3'd7 || rd_ch + 1'b1 == t_out_nc_r) &&
			       (rd_pos + 1'b1 == t_plane || (rd_s[2:0] | t_ncm1) == 3'd7) :
			       rd_n[2:0] == 3'd7 || rd_n + 16'd1 >= t_n;

	// ---- memory controls, by state ---------------------------------------------------

	/* verilator lint_off UNUSEDSIGNAL */	// a half record keeps 24 bits of it
	wire [31:0] vinit32 = {{(32-M){t_vinit[M-1]}}, t_vinit};
	/* verilator lint_on UNUSEDSIGNAL */

	// A request's word in its memory: the index as the host placed it
	// (protocol 3), one bound check per memory. Comparisons with a constant
	// C are split at bit B > log2(C): Yosys 0.23 would build a 32-bit
	// subtraction for each.
	wire m_core_ok = {16'd0, m_core} < N_CORES;
	localparam [31:0] IN_ROUTE_WORD0 = 4 * ROUTE_TOTAL, SYN_TOTAL32 = SYN_TOTAL, LINES32 = LINES,
			  LINES2 = 2 * LINES, IR_WORDS = 4 * INPUT_ROUTES;
	localparam B_IR = $clog2(IR_WORDS) + 1, B_RT = $clog2(IN_ROUTE_WORD0) + 1,
		   B_ST = $clog2(SYN_TOTAL) + 1, B_L = $clog2(LINES) + 1, B_L2 = B_L + 1;
	wire m_index_ge_ir = m_index[31:B_IR] != {(32-B_IR){1'b0}} || m_index[B_IR-1:0] >= IR_WORDS[B_IR-1:0];
	wire m_index_ge_rt = m_index[31:B_RT] != {(32-B_RT){1'b0}} ||
			     m_index[B_RT-1:0] >= IN_ROUTE_WORD0[B_RT-1:0];
	wire m_index_ge_st = m_index[31:B_ST] != {(32-B_ST){1'b0}} ||
			     m_index[B_ST-1:0] >= SYN_TOTAL32[B_ST-1:0];
	wire m_index_ge_l = m_index[31:B_L] != {(32-B_L){1'b0}} || m_index[B_L-1:0] >= LINES32[B_L-1:0];
	wire m_index_ge_l2 = m_index[31:B_L2] != {(32-B_L2){1'b0}} ||
			     m_index[B_L2-1:0] >= LINES2[B_L2-1:0];
	// the route RAM's word: the globals after the routes, the input routes
	// after the cores' routes
	wire [RA-1:0] m_base = m_region == R_GLOBAL ? GLOBAL0[RA-1:0] + {{(RA-3){1'b0}}, m_index[2:0]} :
			       m_region == R_INPUT_ROUTE ? IN_ROUTE_WORD0[RA-1:0] + m_index[RA-1:0] :
			       m_index[RA-1:0];
	// A CHAN_BIAS core's words (protocol 3, index bit 31): BIAS, channel
	// m_index[5:0] of core m_core in the channel table; STATE, word
	// m_index[0] of half record m_index[30:1] (line m_index[30:2]).
	wire m_win = CB_ON && m_index[31];
	/* verilator lint_off UNUSEDSIGNAL */
	wire [31:0] m_hidx = {3'd0, m_index[30:2]};
	wire [CB+5:0] m_bidx = {m_core[CB-1:0], m_index[5:0]};
	/* verilator lint_on UNUSEDSIGNAL */
	wire m_win_bias_bad = !m_core_ok || m_index[30:6] != 25'd0;
	wire m_win_state_bad = m_hidx[31:B_L] != {(32-B_L){1'b0}} || m_hidx[B_L-1:0] >= LINES32[B_L-1:0];
	// the pool line: a synapse byte's, a neuron's (BIAS), a state word's
	wire [LA-1:0] m_line = m_region == R_SYNAPSE ? m_index[PA-1:3] :
			       m_region == R_STATE ? (m_win ? m_index[LA+1:2] : m_index[LA:1]) : m_index[LA-1:0];
	// a half record as read: [23:0] v, [27:24] r, [29:28] the spike bits
	/* verilator lint_off UNUSEDSIGNAL */	// the spare two bits
	wire [31:0] m_half = m_index[1] ? p_rdata[63:32] : p_rdata[31:0];
	/* verilator lint_on UNUSEDSIGNAL */
	wire [2:0] m_byte = m_index[2:0];
	wire [31:0] m_v = m_wdata;

	wire v_fits = m_v[31:M-1] == {(33-M){1'b0}} || m_v[31:M-1] == {(33-M){1'b1}};

	always @* begin
		d_re = 1'b0; d_raddr = {DA{1'b0}}; d_we = 1'b0; d_waddr = {DA{1'b0}}; d_wdata = 32'd0;
		r_re = 1'b0; r_raddr = {RA{1'b0}}; r_we = 1'b0; r_waddr = {RA{1'b0}}; r_wdata = 32'd0;
		p_en = 1'b0; p_we = 1'b0; p_be = 8'd0; p_addr = {LA{1'b0}}; p_wdata = 64'd0;
		b_re = 1'b0; b_raddr = {BA{1'b0}}; b_we = 1'b0; b_waddr = {BA{1'b0}}; b_wdata = {BIAS_BITS{1'b0}};
		a_re = 1'b0; a_raddr = {AA{1'b0}}; a_we = 1'b0; a_waddr = {AA{1'b0}}; a_wdata = {8*ACC_BITS{1'b0}};
		i_re_ = 1'b0; i_raddr = {IA{1'b0}}; i_we_ = 1'b0; i_waddr = {IA{1'b0}}; i_wdata = 16'd0;
		case (state)
		S_M_ACC: if (o_mem_status == 2'd0) case (m_region)
			R_CORE: begin
				d_re = !m_write; d_we = m_write;
				d_raddr = {m_core[CB-1:0], m_index[4:0]}; d_waddr = d_raddr; d_wdata = m_wdata;
			end
			R_GLOBAL, R_ROUTE, R_INPUT_ROUTE: begin
				r_re = !m_write; r_we = m_write;
				r_raddr = m_base; r_waddr = r_raddr; r_wdata = m_wdata;
			end
			R_BIAS:
				if (m_win) begin
					b_re = !m_write; b_we = m_write;
					b_raddr = m_bidx[BA-1:0]; b_waddr = b_raddr; b_wdata = m_wdata[BIAS_BITS-1:0];
				end else if (MEM_POOL != 0) begin
					p_en = 1'b1; p_we = m_write; p_addr = m_line; p_be = 8'hC0;
					p_wdata = {m_wdata[15:0], 48'd0};
				end
			R_SYNAPSE: if (MEM_POOL != 0) begin
				p_en = 1'b1; p_we = m_write; p_addr = m_line; p_be = 8'd1 << m_byte;
				p_wdata = {8{m_wdata[7:0]}};
			end
			R_STATE: if (MEM_POOL != 0) begin
				if (m_win) begin	// v's three bytes; r is read first (S_M_RD)
					p_en = 1'b1; p_we = m_write && !m_index[0]; p_addr = m_line;
					p_be = m_index[1] ? 8'h70 : 8'h07;
					p_wdata = {2{8'd0, m_wdata[23:0]}};
				end else begin
					p_en = 1'b1; p_we = m_write; p_addr = m_line;
					p_be = m_index[0] ? 8'h10 : 8'h0F;
					p_wdata = {28'd0, m_wdata[3:0], m_wdata};
				end
			end
			default: ;
		endcase
		S_M_RD: if (MEM_POOL != 0 && m_write) begin	// a half record's r beside its spike bits
			p_en = 1'b1; p_we = 1'b1; p_addr = m_line;
			p_be = m_index[1] ? 8'h80 : 8'h08;
			p_wdata = {2{2'b00, m_half[29:28], m_wdata[3:0], 24'd0}};
		end
		S_Z: begin
			d_we = zi_in_d; d_waddr = zi[DA-1:0];
			r_we = zi_in_r; r_waddr = zi[RA-1:0];
			p_en = zi_in_p; p_we = 1'b1; p_be = 8'hFF; p_addr = zi[LA-1:0];
			b_we = zi_in_b; b_waddr = zi[BA-1:0];
		end
		S_CL_N: begin	// v := V_INIT, r := 0, no spikes; the bias stays
			p_en = t_mode != 2'd0 && t_n != 16'd0; p_we = 1'b1; p_be = 8'h3F; p_addr = neuron_line(wn);
			p_wdata = {32'd0, {(32-M){t_vinit[M-1]}}, t_vinit};
			if (t_cb) begin
				p_be = wn[0] ? 8'hF0 : 8'h0F;
				p_wdata = {2{8'd0, vinit32[23:0]}};
			end
		end
		S_CL_ACC: begin
			a_we = zi_in_a; a_waddr = zi[AA-1:0];
			i_we_ = zi_in_i; i_waddr = zi[IA-1:0];
		end
		S_LD: begin d_re = 1'b1; d_raddr = {ld_core, ld_i[4:0]}; end
		S_ST_PROBE: begin d_re = 1'b1; d_raddr = {pc, 5'd0}; end
		S_ST_PROBE2: begin d_re = 1'b1; d_raddr = {pc, 5'd1}; end
		S_ST_RT1: begin r_re = 1'b1; r_raddr = rt_word(2'd0); end
		S_ST_RT2: begin r_re = 1'b1; r_raddr = rt_word(2'd1); end
		S_ST_RT3: begin r_re = 1'b1; r_raddr = rt_word(2'd2); end
		S_ST_RT4: begin r_re = 1'b1; r_raddr = rt_word(2'd3); end
		S_SC_RD, S_SC_CHK: read_spike_word();	// of sn, or in S_SC_CHK of the next
		S_SYN, S_SYN2: begin
			if (state == S_SYN) begin
				p_en = 1'b1; p_addr = so_addr[PA-1:3];
				a_re = 1'b1; a_raddr = so_n;
			end
			if (so_pending) begin
				a_we = 1'b1; a_waddr = so_pn;
				a_wdata = acc_sum;
			end
			if (state == S_SYN2 && so_dense)	// the scan reads ahead
				read_spike_word();
		end
		S_SW_RD: read_neuron(wn);
		S_SW_RD2: begin a_we = z_en; a_waddr = z_word; end
		S_SW_WR: if (nu_valid) write_neuron(wn, nu_v, nu_r, nu_spike, nu_other);
		S_SW_HR1, S_SW_PRE1: begin r_re = 1'b1; r_raddr = hr_word(2'd0); end
		S_FS: begin
			if (wb_valid)
				write_neuron(fs_wr, wb_v, wb_r, wb_spike, wb_other);
			else if (fs_issue)
				read_neuron(fs_rd);
			if (fs_in) begin a_we = z_en; a_waddr = z_word; end
		end
		S_SW_HR2: begin r_re = 1'b1; r_raddr = hr_word(2'd1); end
		S_SW_HR3: begin r_re = 1'b1; r_raddr = hr_word(2'd2); end
		S_ST_END: begin i_we_ = zi_in_i; i_waddr = zi[IA-1:0]; end
		S_IN: begin i_re_ = 1'b1; i_raddr = sn[IA+3:4]; end
		S_IN2: begin
			i_we_ = 1'b1; i_waddr = sn[IA+3:4];
			i_wdata = i_rdata | (16'd1 << sn[3:0]);
		end
		default: ;
		endcase
	end

	// The memory controls of the block above, for the steps they share.
	// The scan: the spike word of source position sc_n.
	task read_spike_word;
		begin
			if (src_input) begin
				i_re_ = 1'b1; i_raddr = sc_n[IA+3:4];
			end else begin
				p_en = 1'b1;
				p_addr = state_line(s_state_line, s_cb ? {{(33-SB){1'b0}}, sc_n[SB-1:1]} : {{(32-SB){1'b0}}, sc_n});
			end
		end
	endtask
	// The sweep: neuron n's state line and accumulator word read ...
	task read_neuron(input [15:0] n);
		begin
			p_en = 1'b1; p_addr = neuron_line(n);
			a_re = 1'b1; a_raddr = rd_word;
			b_re = 1'b1; b_raddr = rd_bidx[BA-1:0];	// its channel's bias
		end
	endtask
	// ... and its new v, r and spike bits written (the bias bytes stay).
	task write_neuron(input [15:0] n, input [M-1:0] v, input [3:0] r, input spike, input other);
		begin
			p_en = 1'b1; p_we = 1'b1; p_be = 8'h3F; p_addr = neuron_line(n);
			p_wdata[31:0] = {{(32-M){v[M-1]}}, v};
			p_wdata[35:32] = r;
			p_wdata[41:40] = cur ? {spike, other} : {other, spike};
			if (t_cb) begin	// a half record
				p_be = n[0] ? 8'hF0 : 8'h0F;
				p_wdata = {2{2'b00, cur ? {spike, other} : {other, spike}, r, p_wdata[23:0]}};
			end
		end
	endtask

	// Word w of route ri of the current source; of host route hr of the target.
	function [RA-1:0] rt_word(input [1:0] w);
		reg [31:0] e;
		begin
			e = (src_input ? ROUTE_TOTAL : {{(32-RB){1'b0}}, s_route_base}) + {16'd0, ri};
			rt_word = {e[RA-3:0], w};
		end
	endfunction
	function [RA-1:0] hr_word(input [1:0] w);
		reg [31:0] e;
		begin
			e = {{(32-RB){1'b0}}, t_route_base} + {16'd0, hr};

			hr_word = {e[RA-3:0], w};
		end
	endfunction

	// ---- the descriptor loader's field decode -----------------------------------------

	/* verilator lint_off UNUSEDSIGNAL */	// a field's bits beyond what the profile needs
	task store_field(input [4:0] k, input [31:0] w);
	/* verilator lint_on UNUSEDSIGNAL */
		begin
			if (w[31:CW] != {(32-CW){1'b0}} &&
			    (ld_tgt ? k >= 5'd10 && k <= 5'd24 && k != 5'd19 : k == 5'd22 || k == 5'd24))
				ld_wide <= 1'b1;
			// a mode this build does not have: refused, never computed as another
			if (ld_tgt && k == 5'd0 && (w[31:2] != 30'd0 || DECONV == 0 && w[1:0] == 2'd3))
				ld_wide <= 1'b1;
			// ... nor a conv or deconv core's stride or pooling it has not
			// (t_mode, word 0, is loaded by now)
			if (ld_tgt && t_mode[1] && (STRIDE_ANY == 0 && k == 5'd16 && w != 32'd1 ||
						    POOL_ANY == 0 && k == 5'd13 && w != 32'd1 && w != 32'd2))
				ld_wide <= 1'b1;
			if (ld_tgt)
				case (k)
				5'd0: t_mode <= w[1:0];
				5'd2: t_n <= {{(16-NB){1'b0}}, w[NB-1:0]};
				5'd3: t_axons <= {{(16-AB){1'b0}}, w[AB-1:0]};
				5'd4: t_threshold <= w[M-1:0];
				5'd5: t_leak <= w[7:0];
				5'd6: t_reset <= w[0];
				5'd7: t_refr <= w[3:0];
				5'd8: t_vinit <= w[M-1:0];
				5'd9: begin
					t_spiking <= w[0];
					t_cb_r <= w[1] && t_mode[1];	// conv, deconv only
				end
				5'd10: t_in_c_r <= w[CW-1:0];
				5'd11: t_in_h_r <= w[CW-1:0];
				5'd12: t_in_w_r <= w[CW-1:0];
				5'd13: t_pool_r <= w[CW-1:0];
				5'd14: t_kh_r <= w[CW-1:0];
				5'd15: t_kw_r <= w[CW-1:0];
				5'd16: t_stride_r <= w[CW-1:0];
				5'd17: t_pad_y_r <= w[CW-1:0];
				5'd18: t_pad_x_r <= w[CW-1:0];
				5'd20: t_out_nc_r <= w[CW-1:0];
				5'd21: t_out_y0_r <= w[CW-1:0];
				5'd22: t_out_h_r <= w[CW-1:0];
				5'd23: t_out_x0_r <= w[CW-1:0];
				5'd24: t_out_w_r <= w[CW-1:0];
				5'd26: t_rcount <= {{(16-RCB){1'b0}}, w[RCB-1:0]};
				5'd27: t_syn_base <= w[PA-1:0];
				5'd28: t_state_line <= w[PA-1:3];
				5'd30: t_route_base <= w[RB-1:0];
				5'd31: begin	// DERIVED: the host's products (docs/config-format.md)
					t_plane <= w[NA-1:0];
					t_kk <= w[31:16];
				end
				default: ;
				endcase
			else
				case (k)
				5'd0: s_mode <= w[1:0];
				5'd1: s_phase <= w[7:0];
				5'd9: s_cb_r <= w[1] && s_mode[1];
				5'd22: s_out_h_r <= w[CW-1:0];
				5'd24: s_out_w_r <= w[CW-1:0];
				5'd26: s_rcount <= {{(16-RCB){1'b0}}, w[RCB-1:0]};
				5'd28: s_state_line <= w[PA-1:3];
				5'd30: s_route_base <= w[RB-1:0];

				default: ;
				endcase
		end
	endtask

	// ---- the FSM -------------------------------------------------------------------------

	// Does event (ec, ey, ex) fall inside the target's input space?
	wire ev_inside = !ec[EB-1] && !ey[EB-1] && !ex[EB-1] && ec[EB-2:0] < {{(EB-1-CW){1'b0}}, t_in_c_r} &&
			 ey[EB-2:0] < {{(EB-1-CW){1'b0}}, t_in_h_r} && ex[EB-2:0] < {{(EB-1-CW){1'b0}}, t_in_w_r};
	// an event inside, as 16 bits (its coordinates are below 2^CW there)
	/* verilator lint_off UNUSEDSIGNAL */
	wire [31:0] ec32 = {{(32-EB){ec[EB-1]}}, ec}, ey32 = {{(32-EB){ey[EB-1]}}, ey},
		    ex32 = {{(32-EB){ex[EB-1]}}, ex};
	/* verilator lint_on UNUSEDSIGNAL */
	wire [15:0] ec16 = ec32[15:0], ey16 = ey32[15:0], ex16 = ex32[15:0];
	// a tap's neuron row and column within the tile (the tap inside it)
	/* verilator lint_off UNUSEDSIGNAL */	// d_first's bits a profile leaves unused
	wire [OYW-1:0] oy_tile = oy - zoy(t_out_y0_r), ox_tile = ox - zoy(t_out_x0_r);
	// A deconv event's first tap row (S_EV_DY) or column (S_EV_DX): the
	// product y * S (or x * S) less the pad, exact below 2^(CW+2), else past
	// any tile.
	wire t_deconv = DECONV != 0 && t_mode == 2'd3;
	wire d_past = mul_r[39:CW+2] != {(38-CW){1'b0}};
	wire [CW+3:0] d_first = {2'b0, mul_r[CW+1:0]} -
				{4'b0, state == S_EV_DY ? t_pad_y_r : t_pad_x_r};
	/* verilator lint_on UNUSEDSIGNAL */
	// The event's first tap (0, 0): its row and column before the stride
	// (the column as S_EV_CP2's division delivers it).
	wire [CW:0] ty0 = {1'b0, py_r} + {1'b0, t_pad_y_r};
	// The pooled column: the divider's quotient, or the shift's (px_r).
	reg [CW-1:0] px_r;
	wire [CW-1:0] px = POOL_ANY != 0 ? dv_quo[CW-1:0] : px_r;
	wire [CW:0] tx0 = {1'b0, px} + {1'b0, t_pad_x_r};
	/* verilator lint_off UNUSEDSIGNAL */
	wire [31:0] ty0_32 = {{(31-CW){1'b0}}, ty0}, ox_32 = {{(31-CW){1'b0}}, ox[CW:0]};
	/* verilator lint_on UNUSEDSIGNAL */


	// Nothing moves while the engine is held for an SDRAM line (ce low).
	always @(posedge i_clk)
		if (i_rst || ce) begin
			mem_done <= 1'b0;
			cmd_done <= 1'b0;
			dv_start <= 1'b0;
			spk_valid <= 1'b0;

			synop_mon <= 1'b0;
			cnt_inc <= 24'd0;
			// cycles spent running steps (docs/host-protocol.md): not the memory
			// requests and input events between them
			cnt_inc[4*C_CYCLES] <= stepping && state != S_DONE;
			if (i_rst) begin
				// memories hold anything at power-on: zero them all first
				state <= S_Z;
				zi <= {ZB{1'b0}};
				booting <= 1'b1;
				o_step <= 32'd0;
				out_valid <= 1'b0;
				clear_globals();
				so_pending <= 1'b0;
				wd <= {WATCHDOG_BITS{1'b0}};
				ld_wide <= 1'b0;
				stepping <= 1'b0;
				o_cmd_abort <= 1'b0;
			end else case (state)
			S_IDLE:
				if (i_cmd_valid) begin
					zi <= {ZB{1'b0}};
					wd <= {WATCHDOG_BITS{1'b0}};
					ld_wide <= 1'b0;
					o_cmd_abort <= 1'b0;
					case (i_cmd)
					CMD_ZERO: state <= S_Z;
					CMD_STEP: begin
						p <= 8'd0;
						pc <= {CB{1'b0}};
						stepping <= 1'b1;
						state <= S_ST_PROBE;
					end
					default: begin
						ld_core <= {CB{1'b0}};
						tc <= {CB{1'b0}};
						state <= g_nc == {(CB+1){1'b0}} ? S_CL_ACC : S_CL_CORE;
					end
					endcase
				end else if (i_mem_valid) begin
					state <= S_M_ADDR;
				end else if (i_in_valid) begin
					sn <= i_in_index[SB-1:0];
					cnt_inc[4*C_EVENTS_IN] <= 1'b1;
					state <= S_IN;
				end
			S_IN: state <= S_IN2;
			S_IN2: state <= S_IDLE;

			// ---- memory port ----
			S_M_ADDR: begin
				o_mem_status <= 2'd0;
				state <= S_M_ACC;
				case (m_region)
				R_GLOBAL: if (m_index[31:3] != 29'd0 || m_index[2:0] >= 3'd5) o_mem_status <= 2'd1;
				R_CORE: if (!m_core_ok || m_index[31:5] != 27'd0) o_mem_status <= 2'd1;
				R_INPUT_ROUTE: if (m_index_ge_ir) o_mem_status <= 2'd1;
				R_ROUTE: if (m_index_ge_rt) o_mem_status <= 2'd1;
				R_SYNAPSE: if (MEM_POOL == 0 || m_index_ge_st) o_mem_status <= 2'd1;
				R_BIAS: if (m_win ? m_win_bias_bad : MEM_POOL == 0 || m_index_ge_l) o_mem_status <= 2'd1;
				R_STATE:
					if (MEM_POOL == 0 || (m_win ? m_win_state_bad : m_index_ge_l2))
						o_mem_status <= 2'd1;
					else if (m_write && (m_index[0] ? m_wdata[31:4] != 28'd0 : !v_fits))
						o_mem_status <= 2'd2;
				default: o_mem_status <= 2'd1;
				endcase
			end
			S_M_ACC: begin
				// controls were gated on nothing: cancel a refused write here
				if (o_mem_status != 2'd0) begin
					mem_done <= 1'b1;
					o_mem_rdata <= 32'd0;
					state <= S_IDLE;
				end else if (m_write && !(m_win && m_region == R_STATE && m_index[0])) begin
					if (m_region == R_GLOBAL)
						case (m_index[2:0])
						3'd0: g_nc <= m_wdata[31:CB+1] != {(31-CB){1'b0}} || m_wdata[CB:0] >= NC_MAX ?
							      NC_MAX : m_wdata[CB:0];
						3'd2: g_h_r <= sat_cw(m_wdata);
						3'd3: g_w_r <= sat_cw(m_wdata);
						3'd4: g_nr <= {{(16-IRB){1'b0}}, m_wdata[IRB-1:0]};
						default: ;
						endcase
					mem_done <= 1'b1;
					state <= S_IDLE;
				end else begin
					state <= S_M_RD;
				end
			end
			S_M_RD: begin
				case (m_region)
				R_CORE: o_mem_rdata <= d_rdata;
				R_GLOBAL, R_ROUTE, R_INPUT_ROUTE: o_mem_rdata <= r_rdata;
				R_BIAS: o_mem_rdata <= m_win || MEM_POOL == 0 ? {{(32-BIAS_BITS){b_rdata[BIAS_BITS-1]}}, b_rdata} :
						       {{(32-BIAS_BITS){p_rdata[48+BIAS_BITS-1]}}, p_rdata[48 +: BIAS_BITS]};
				R_SYNAPSE: o_mem_rdata <= MEM_POOL == 0 ? 32'd0 :
						  {{24{byte_of(p_rdata, m_byte) >> 7 != 8'd0}}, byte_of(p_rdata, m_byte)};
				default: o_mem_rdata <= MEM_POOL == 0 ? 32'd0 :
						m_win ? (m_index[0] ? {28'd0, m_half[27:24]} : {{8{m_half[23]}}, m_half[23:0]}) :
						m_index[0] ? {28'd0, p_rdata[35:32]} : p_rdata[31:0];
				endcase
				mem_done <= 1'b1;
				state <= S_IDLE;
			end

			// ---- ZERO ----
			S_Z: begin
				zi <= zi + 1'b1;
				if (zi == Z_LAST[ZB-1:0]) begin
					clear_globals();
					state <= S_DONE;
				end
			end

			// ---- CLEAR: v := V_INIT, r := 0, spikes 0 for every neuron in use ----
			S_CL_CORE: begin
				ld_tgt <= 1'b1;
				ld_i <= 6'd0;
				ld_ret <= S_CL_N;
				wn_r <= {NB{1'b0}};
				state <= S_LD;
			end
			S_CL_N:
				if (t_mode == 2'd0 || wn + 16'd1 >= t_n) begin
					if ({1'b0, ld_core} + 1'b1 >= g_nc) begin
						zi <= {ZB{1'b0}};
						state <= S_CL_ACC;
					end else begin
						ld_core <= ld_core + 1'b1;
						state <= S_CL_CORE;
					end
				end else begin
					wn_r <= wn_r + 1'b1;
				end
			S_CL_ACC: begin
				zi <= zi + 1'b1;
				if (zi == CL_LAST[ZB-1:0]) begin
					o_step <= 32'd0;
					state <= S_DONE;
				end
			end
			S_DONE: begin
				cmd_done <= !booting;
				booting <= 1'b0;
				stepping <= 1'b0;
				state <= S_IDLE;
			end

			// ---- descriptor loader: 32 reads, each stored as it arrives ----
			S_LD: begin
				if (ld_i != 6'd0)
					store_field(ld_i[4:0] - 5'd1, d_rdata);
				ld_i <= ld_i + 6'd1;
				if (ld_i == 6'd32)
					state <= ld_ret;
			end

			// ---- STEP: find the cores of phase p ----
			S_ST_PROBE: state <= S_ST_PROBE2;
			S_ST_PROBE2: begin	// MODE arrives; PHASE next
				pc_live <= d_rdata != 32'd0;
				state <= S_ST_TGT;
			end
			S_ST_TGT:
				if (pc_live && d_rdata[7:0] == p) begin
					tc <= pc;
					ld_core <= pc;
					ld_tgt <= 1'b1;
					ld_i <= 6'd0;
					ld_ret <= S_ST_DIVH;
					state <= S_LD;
				end else begin
					next_probe();
				end
			S_ST_DIVH: begin	// target loaded
				t_out_y1 <= {1'b0, t_out_y0_r} + {1'b0, t_out_h_r};
				t_out_x1 <= {1'b0, t_out_x0_r} + {1'b0, t_out_w_r};
				t_unit <= STRIDE_ANY == 0 || t_stride == 16'd1;
				t_s1 <= STRIDE_ANY != 0 ? t_stride_r - 1'b1 : {CW{1'b0}};
				t_lg <= t_out_nc > 16'd4 ? 2'd3 : t_out_nc > 16'd2 ? 2'd2 : t_out_nc > 16'd1 ? 2'd1 : 2'd0;
				// KH * KW * the line bytes (OUT_H * OUT_W, KH * KW came in DERIVED)
				mul({8'd0, t_kk}, t_lw16, 24'd0, S_ST_K3);
			end
			S_ST_K3: begin	// kernel size known: pooled rows and columns
				t_klw <= mul_r[PA-1:0];
				if (t_mode == 2'd2 && POOL_ANY == 0) begin	// POOL 1 or 2: a shift
					t_hp_r <= t_pool_r[1] ? t_in_h_r >> 1 : t_in_h_r;
					t_wp_r <= t_pool_r[1] ? t_in_w_r >> 1 : t_in_w_r;
					start_sources();
				end else if (t_mode == 2'd2) begin
					dv_num <= {{(DW-16){1'b0}}, t_in_h};
					dv_den <= {{(DW-16){1'b0}}, t_pool};
					dv_start <= 1'b1;
					state <= S_ST_DIVW;
				end else begin
					start_sources();
				end
			end
			S_ST_DIVW:
				if (dv_done) begin
					t_hp_r <= dv_quo[CW-1:0];
					dv_num <= {{(DW-16){1'b0}}, t_in_w};
					dv_den <= {{(DW-16){1'b0}}, t_pool};
					dv_start <= 1'b1;
					state <= S_ST_DIVW2;
				end
			S_ST_DIVW2:
				if (dv_done) begin
					t_wp_r <= dv_quo[CW-1:0];
					start_sources();
				end
			S_ST_SRC: begin	// load source core sc, then its routes
				ld_core <= sc[CB-1:0];
				ld_tgt <= 1'b0;
				ld_i <= 6'd0;
				ld_ret <= S_ST_RT0;
				ri_r <= {RIB{1'b0}};
				state <= S_LD;
			end
			S_ST_RT0:	// next route of the source, or the next source
				if (!src_input && s_mode == 2'd0 || ri >= (src_input ? g_nr : s_rcount)) begin
					next_source();
				end else begin
					bank <= s_phase < p ? cur : !cur;
					state <= S_ST_RT1;
				end
			S_ST_RT1: state <= S_ST_RT2;	// word 0 read
			S_ST_RT2: begin	// word 0 arrives
				rt_dest <= r_rdata[15:0];
				rt_dx <= sat_off(r_rdata[31:16]);
				state <= S_ST_RT3;
			end
			S_ST_RT3: begin
				rt_lo <= sat_sb(r_rdata);
				state <= S_ST_RT4;
			end
			S_ST_RT4: begin
				rt_hi <= sat_sb(r_rdata);
				state <= S_SC_DIV1;
			end
			S_SC_DIV1: begin	// word 3 arrives: start the scan at rt_lo
				rt_dc <= sat_off(r_rdata[15:0]);
				rt_dy <= sat_off(r_rdata[31:16]);
				sn <= rt_lo;
				lin_valid <= 1'b0;
				lin_route <= r_rdata[31:16] == 16'd0 && rt_dx == {OW{1'b0}} &&
					     (src_input ? g_h == t_in_h && g_w == t_in_w :
					      s_mode == 2'd1 ? t_in_h == 16'd1 && t_in_w == 16'd1 :
					      s_out_h == t_in_h && s_out_w == t_in_w);
				if (rt_dest != {{(16-CB){1'b0}}, tc} || rt_lo >= rt_hi) begin
					ri_r <= ri_r + 1'b1;
					state <= S_ST_RT0;
				end else if (!src_input && s_mode == 2'd1) begin
					sk <= rt_lo;
					si <= {SB{1'b0}};
					sj <= {SB{1'b0}};
					state <= S_SC_RD;
				end else begin	// (k, i, j) of lo: its rows counted off, W at a time
					sk <= {SB{1'b0}};
					si <= {SB{1'b0}};
					sj <= rt_lo;
					state <= S_SC_ROWS;
				end
			end
			// lo / W rows, at most the source's C x H (a bad W of 0 runs into the
			// watchdog): i counts them modulo H, k the planes
			S_SC_ROWS:
				if ({{(32-SB){1'b0}}, sj} >= {16'd0, sc_w}) begin
					sj <= sj - sc_w[SB-1:0];
					if ({{(32-SB){1'b0}}, si} + 32'd1 >= {16'd0, sc_h}) begin
						si <= {SB{1'b0}};
						sk <= sk + 1'b1;
					end else begin
						si <= si + 1'b1;
					end
				end else begin
					state <= S_SC_RD;
				end

			S_SC_RD: state <= S_SC_CHK;
			S_SC_CHK:	// the next position's word is read meanwhile (unused after a spike)
				if (src_input ? i_rdata[sn[3:0]] : s_cb ? p_rdata[{sn[0], 5'd28} + {5'd0, bank}] :
				    bank ? p_rdata[41] : p_rdata[40]) begin
					ec <= $signed({{(EB-SB){1'b0}}, sk}) + $signed({{(EB-OW){rt_dc[OW-1]}}, rt_dc});
					ey <= $signed({{(EB-SB){1'b0}}, si}) + $signed({{(EB-OW){rt_dy[OW-1]}}, rt_dy});
					ex <= $signed({{(EB-SB){1'b0}}, sj}) + $signed({{(EB-OW){rt_dx[OW-1]}}, rt_dx});
					state <= S_EV;
				end else begin
					advance_scan(1'b1);
				end

			// ---- an event into the target ----
			S_EV:
				if (!ev_inside) begin
					advance_scan(1'b0);
				end else if (t_mode == 2'd1 && lin_valid) begin	// axon and row counted up
					if (lin_axon >= {{(LXB-16){1'b0}}, t_axons})
						advance_scan(1'b0);
					else
						start_row(lin_byte);
				end else if (t_mode == 2'd1) begin	// axon (c * IN_H + y) * IN_W + x
					mul({8'd0, ec16}, t_in_h, {8'd0, ey16}, S_EV_D1);
				end else if (t_deconv) begin	// deconv: the first tap's row y * S - PAD_Y
					mul({8'd0, ey16}, t_stride, 24'd0, S_EV_DY);
				end else if (POOL_ANY == 0) begin	// conv, POOL 1 or 2: the row and column shifted
					py_r <= t_pool_r[1] ? ey32[CW:1] : ey32[CW-1:0];
					px_r <= t_pool_r[1] ? ex32[CW:1] : ex32[CW-1:0];
					state <= S_EV_CP2;
				end else begin	// conv: pool the row, then the column
					dv_num <= {{(DW-16){1'b0}}, ey16};
					dv_den <= {{(DW-16){1'b0}}, t_pool};
					dv_start <= 1'b1;
					state <= S_EV_CP;
				end
			S_EV_D1:	// c * IN_H + y beyond 24 bits puts the axon beyond any core's
				if (mul_r[39:24] != 16'd0)
					advance_scan(1'b0);
				else
					mul(mul_r[23:0], t_in_w, {8'd0, ex16}, S_EV_D2);
			S_EV_D2:
				if (mul_r[39:16] != 24'd0 || mul_r[15:0] >= t_axons) begin
					advance_scan(1'b0);
				end else begin
					lin_axon <= {{(LXB-16){1'b0}}, mul_r[15:0]};
					mul(mul_r[23:0], t_n, 24'd0, S_EV_D3);
				end
			S_EV_D3: begin
				lin_byte <= mul_r[PA-1:0];
				lin_valid <= lin_route;
				start_row(mul_r[PA-1:0]);
			end
			S_EV_CP:
				if (dv_done) begin
					py_r <= dv_quo[CW-1:0];
					dv_num <= {{(DW-16){1'b0}}, ex16};
					dv_den <= {{(DW-16){1'b0}}, t_pool};
					dv_start <= 1'b1;
					state <= S_EV_CP2;
				end
			S_EV_CP2:
				if (POOL_ANY == 0 || dv_done) begin
					// with the divider px is its quotient; this only gives
					// px_r a driver there (no load: synthesis drops it)
					if (POOL_ANY != 0)
						px_r <= dv_quo[CW-1:0];
					ky_r <= {CW{1'b0}};
					kx_r <= {CW{1'b0}};
					oy <= zoy1(ty0);
					ox <= zoy1(tx0);
					u_ox0 <= zoy1(tx0);
					ry <= {CW{1'b0}};
					rx <= {CW{1'b0}};
					u_rx0 <= {CW{1'b0}};
					u_n_ok <= 1'b0;
					if (py >= t_hp || (POOL_ANY != 0 ? dv_quo >= {{(DW-16){1'b0}}, t_wp} : z16(px_r) >= t_wp)) begin
						advance_scan(1'b0);
					end else if (t_unit) begin	// the event's first line: c * KH * KW * t_lw
						mul(t_klw24, ec16, 24'd0, S_EV_U0);
					end else begin
						dv_num <= ty0_32[DW-1:0];
						dv_den <= {{(DW-16){1'b0}}, t_stride};
						dv_start <= 1'b1;
						state <= S_EV_SY;
					end
				end
			S_EV_SY:
				if (STRIDE_ANY != 0 && dv_done) begin
					oy <= zoy1(dv_quo[CW:0]);
					ry <= dv_rem[CW-1:0];
					dv_num <= ox_32[DW-1:0];
					dv_den <= {{(DW-16){1'b0}}, t_stride};
					dv_start <= 1'b1;
					state <= S_EV_SX;
				end
			S_EV_SX:
				if (STRIDE_ANY != 0 && dv_done) begin
					ox <= zoy1(dv_quo[CW:0]);
					u_ox0 <= zoy1(dv_quo[CW:0]);
					rx <= dv_rem[CW-1:0];
					u_rx0 <= dv_rem[CW-1:0];
					mul(t_klw24, ec16, 24'd0, S_EV_U0);
				end
			// A deconv event's first tap (0, 0) at (y * S - PAD_Y, x * S - PAD_X),
			// the others counted up from it: a first row or column past the
			// tile's end puts every tap there (and keeps oy, ox in their bits).
			S_EV_DY: if (DECONV != 0) begin
				ky_r <= {CW{1'b0}};
				kx_r <= {CW{1'b0}};
				ry <= {CW{1'b0}};
				rx <= {CW{1'b0}};
				u_rx0 <= {CW{1'b0}};
				u_n_ok <= 1'b0;
				oy <= d_first[OYW-1:0];
				if (d_past || $signed(d_first) >= $signed({3'b0, t_out_y1}))
					advance_scan(1'b0);
				else
					mul({8'd0, ex16}, t_stride, 24'd0, S_EV_DX);
			end
			S_EV_DX: if (DECONV != 0) begin
				ox <= d_first[OYW-1:0];
				u_ox0 <= d_first[OYW-1:0];
				if (d_past || $signed(d_first) >= $signed({3'b0, t_out_x1}))
					advance_scan(1'b0);
				else
					mul(t_klw24, ec16, 24'd0, S_EV_U0);
			end
			S_EV_U0: begin
				u_w <= mul_r[PA-1:0];
				state <= S_EV_U1;
			end
			// A tap's position against the grid and the tile: registered, then
			// acted on (comparisons and the next tap's arithmetic in one cycle
			// were the UP5K's critical path)
			S_EV_U1: begin
				u_n <= u_row + ox_tile[NA-1:0];
				// past the tile's end: oy - Y0 >= OUT_H, once oy >= Y0 (no Y0 + OUT_H kept)
				tap_off <= STRIDE_ANY != 0 && (ry != {CW{1'b0}} || rx != {CW{1'b0}}) ||
					   oy < $signed(zoy(t_out_y0_r)) || oy_tile >= zoy(t_out_h_r) ||
					   ox < $signed(zoy(t_out_x0_r)) || ox_tile >= zoy(t_out_w_r);
				state <= S_EV_U2;
			end
			S_EV_U2:
				if (tap_off)
					next_unit_tap();
				else if (u_n_ok)
					start_taps(u_n, u_w);
				else	// the row's first neuron by product, at the first tap inside
					mul({{(24-OYW){1'b0}}, oy_tile}, t_out_w, 24'd0, S_EV_CN2);
			S_EV_CN2: begin	// the tap checked again, its neuron now from u_row
				u_row <= mul_r[NA-1:0];
				u_n_ok <= 1'b1;
				state <= S_EV_U1;
			end
			S_MUL: begin
				mul_r <= {16'd0, mul_a} * {24'd0, mul_b} + {16'd0, mul_c};
				state <= mul_ret;
			end
			S_SYN: begin	// read weights and accumulators; the previous read's sum is written
				if (so_pending)
					cnt_inc[4*C_SYNOPS +: 4] <= so_cnt;
				synop_mon <= 1'b1;
				so_pending <= 1'b1;
				so_pn <= so_n;
				so_n <= so_n + so_step_n;
				so_byte <= so_byte + {{(PA-4){1'b0}}, 4'd8};
				// a line: 8 operations, fewer only at the end of a row that
				// is not whole lines or of a tap's channels
				so_cnt <= so_left[15:3] != 13'd0 ? 4'd8 : {1'b0, so_left[2:0]};
				so_left <= so_left[15:3] != 13'd0 ? so_left - 16'd8 : 16'd0;
				if (so_left <= 16'd8)
					state <= S_SYN2;
			end
			S_SYN2: begin
				so_pending <= 1'b0;
				cnt_inc[4*C_SYNOPS +: 4] <= so_cnt;
				if (so_dense)
					advance_scan(1'b1);	// the next position is read now
				else
					next_unit_tap();
			end

			// ---- sweep the target's neurons ----
			// A target with a route to the host takes its neurons one at a time
			// (a spike's host routes are looked up in turn); others pipelined.
			S_SW_PRE:
				if (hr >= t_rcount) begin
					fs_rd_r <= {NB{1'b0}};
					fs_wr_r <= {NB{1'b0}};
					fs_in <= 1'b0;
					wb_valid <= 1'b0;
					state <= S_FS;
				end else begin
					state <= S_SW_PRE1;
				end
			S_SW_PRE1: state <= S_SW_PRE2;	// word 0 read
			S_SW_PRE2:
				if (r_rdata[15:0] == HOST) begin
					state <= S_SW_RD;
				end else begin
					hr_r <= hr_r + 1'b1;
					state <= S_SW_PRE;
				end
			S_FS: begin
				fs_in <= fs_issue;
				if (fs_issue) begin
					sweep_read();
					fs_rd_r <= fs_rd_r + 1'b1;
				end
				wb_valid <= nu_valid;
				wb_v <= nu_v;
				wb_r <= nu_r;
				wb_spike <= nu_spike;
				wb_other <= nu_other;
				if (wb_valid) begin
					if (wb_spike) begin
						spk_valid <= 1'b1;
						spk_core <= tc;
						spk_neuron <= fs_wr;
						cnt_inc[4*C_SPIKES] <= 1'b1;
					end
					fs_wr_r <= fs_wr_r + 1'b1;
					if (fs_wr + 16'd1 >= t_n)
						next_probe();
				end
			end
			S_SW_RD: begin
				state <= S_SW_RD2;
				sweep_read();
			end
			S_SW_RD2: state <= S_SW_WR;
			S_SW_WR:	// the new state arrives
				if (!nu_valid) begin
					state <= S_SW_WR;
				end else if (nu_spike) begin

					spk_valid <= 1'b1;
					spk_core <= tc;
					spk_neuron <= wn;
					cnt_inc[4*C_SPIKES] <= 1'b1;
					hr_r <= {RCB{1'b0}};
					state <= S_SW_HR;
				end else begin
					next_neuron();
				end
			S_SW_HR:
				if (hr >= t_rcount)
					next_neuron();
				else
					state <= S_SW_HR1;
			S_SW_HR1: state <= S_SW_HR2;	// word 0 read
			S_SW_HR2: begin	// word 0 arrives
				rt_dest <= r_rdata[15:0];
				state <= S_SW_HR3;
			end
			S_SW_HR3: begin	// word 1 (src_lo) arrives
				hr_lo <= r_rdata[31:17] != 15'd0 ? 17'h1FFFF : r_rdata[16:0];
				state <= S_SW_HR4;
			end
			S_SW_HR4:	// word 2 (src_hi) arrives
				if (rt_dest == HOST && {1'b0, wn} >= hr_lo && (r_rdata[31:16] != 16'd0 || wn < r_rdata[15:0])) begin

					out_valid <= 1'b1;
					out_core <= {{(16-CB){1'b0}}, tc};
					out_neuron <= wn;
					state <= S_SW_OUT;
				end else begin
					hr_r <= hr_r + 1'b1;
					state <= S_SW_HR;
				end
			S_SW_OUT:
				if (i_out_ready) begin
					out_valid <= 1'b0;
					cnt_inc[4*C_EVENTS_OUT] <= 1'b1;
					hr_r <= hr_r + 1'b1;
					state <= S_SW_HR;
				end

			// ---- end of step: the input bitmap is spent ----
			S_ST_END: begin
				zi <= zi + 1'b1;
				if (zi == IW_LAST[ZB-1:0]) begin
					o_step <= o_step + 32'd1;
					cnt_inc[4*C_STEPS] <= 1'b1;
					state <= S_DONE;
				end
			end
			default: state <= S_IDLE;
			endcase

			// the watchdog, and a core too wide for this build: the step ends as
			// if it had finished, its work cut short (this assignment of state
			// comes last, so it wins)
			if (!i_rst && stepping && state != S_DONE && state != S_ST_END && state != S_SW_OUT) begin
				wd <= wd + 1'b1;
				if (&wd || ld_wide) begin
					o_cmd_abort <= 1'b1;
					zi <= {ZB{1'b0}};
					state <= S_ST_END;
				end
			end
		end

	// ---- loop steps of the FSM, called from it ----

	task clear_globals;
		begin
			g_nc <= {(CB+1){1'b0}};
			g_h_r <= {CW{1'b0}};
			g_w_r <= {CW{1'b0}};
			g_nr <= 16'd0;
		end
	endtask

	// mul_r := a * b + c, then state ret.
	task mul(input [23:0] a, input [15:0] b, input [23:0] c, input [6:0] ret);
		begin
			mul_a <= a;
			mul_b <= b;
			mul_c <= c;
			mul_ret <= ret;
			state <= S_MUL;
		end
	endtask

	// The next core to probe for phase p, or the next phase, or the end.
	task next_probe;
		begin
			if ({1'b0, pc} + 1'b1 < g_nc) begin
				pc <= pc + 1'b1;
				state <= S_ST_PROBE;
			end else if ({24'd0, p} + 32'd1 < MAX_PHASES) begin
				p <= p + 8'd1;
				pc <= {CB{1'b0}};
				state <= S_ST_PROBE;
			end else begin
				zi <= {ZB{1'b0}};
				state <= S_ST_END;
			end
		end
	endtask

	// Gather into the target: the input routes first, then each core's.
	task start_sources;
		begin
			src_input <= 1'b1;
			ri_r <= {RIB{1'b0}};
			s_phase <= 8'd0;
			state <= S_ST_RT0;
		end
	endtask

	task next_source;
		begin
			if (src_input) begin
				src_input <= 1'b0;
				sc <= {(CB+1){1'b0}};
				if (g_nc == {(CB+1){1'b0}})
					start_sweep();
				else
					state <= S_ST_SRC;
			end else if (sc + 1'b1 < g_nc) begin
				sc <= sc + 1'b1;
				state <= S_ST_SRC;
			end else begin
				start_sweep();
			end
		end
	endtask

	// A sweep's neuron read (rd_n): its lane, half and word kept for the
	// cycle after, the next neuron's channel, place and slot counted.
	task sweep_read;
		begin
			fs_lane <= rd_lane;
			nu_odd <= rd_n[0];
			z_en <= rd_last;
			z_word <= rd_word;
			if (rd_pos + 1'b1 == t_plane) begin
				rd_pos <= {NA{1'b0}};
				rd_ch <= rd_ch + 1'b1;
				rd_s <= {{(NA-3){1'b0}}, rd_ch[2:0] + 3'd1};
				if (t_lg == 2'd3 && rd_ch[2:0] == 3'd7)	// the next group of 8 channels
					rd_gw <= rd_gw + t_plane[AA-1:0];
			end else begin
				rd_pos <= rd_pos + 1'b1;
				rd_s <= rd_s + {{(NA-4){1'b0}}, t_ncm1 + 4'd1};
			end
		end
	endtask

	task start_sweep;
		begin
			rd_ch <= {CW{1'b0}};
			rd_pos <= {NA{1'b0}};
			rd_s <= {NA{1'b0}};
			rd_gw <= {AA{1'b0}};
			wn_r <= {NB{1'b0}};
			hr_r <= {RCB{1'b0}};
			if (t_n == 16'd0)
				next_probe();
			else
				state <= S_SW_PRE;
		end
	endtask

	task next_neuron;
		begin
			if (wn + 16'd1 >= t_n) begin
				next_probe();
			end else begin
				wn_r <= wn_r + 1'b1;
				state <= S_SW_RD;
			end
		end
	endtask

	// The next source neuron of the route, its coordinate counted up; with
	// ahead, its spike word is already being read (S_SC_CHK's read).
	task advance_scan(input ahead);
		begin
			sn <= sn + 1'b1;
			lin_axon <= lin_axon + 1'b1;
			lin_byte <= lin_byte + {{(PA-16){1'b0}}, t_n};
			if (!src_input && s_mode == 2'd1) begin
				sk <= sk + 1'b1;
			end else if ({{(32-SB){1'b0}}, sj} + 32'd1 < {16'd0, sc_w}) begin
				sj <= sj + 1'b1;
			end else begin
				sj <= {SB{1'b0}};
				if ({{(32-SB){1'b0}}, si} + 32'd1 < {16'd0, sc_h}) begin
					si <= si + 1'b1;
				end else begin
					si <= {SB{1'b0}};
					sk <= sk + 1'b1;
				end
			end
			if ({1'b0, sn} + 1'b1 >= {1'b0, rt_hi}) begin

				ri_r <= ri_r + 1'b1;
				state <= S_ST_RT0;
			end else begin
				state <= ahead ? S_SC_CHK : S_SC_RD;
			end
		end
	endtask

	// A dense row from pool byte b of the core's share: N operations, a line
	// (8 neurons) at a time.
	task start_row(input [PA-1:0] b);
		begin
			so_byte <= b;
			so_n <= {AA{1'b0}};
			so_step_n <= {{(AA-1){1'b0}}, 1'b1};
			so_mask <= 8'hFF;
			so_left <= t_n;
			so_dense <= 1'b1;
			state <= S_SYN;
		end
	endtask

	// A tap's OUT_NC operations at output position n from its line at
	// weight byte b: a line a group of 8 channels, a group's word a plane
	// on from the last; with fewer channels, the position's lanes of its
	// word only.
	task start_taps(input [NA-1:0] n, input [PA-1:0] b);
		/* verilator lint_off UNUSEDSIGNAL */	// its bits past the word: a valid core has none
		reg [NA+2:0] slot;
		/* verilator lint_on UNUSEDSIGNAL */
		begin
			slot = {3'd0, n} << t_lg;
			so_n <= slot[AA+2:3];
			so_mask <= {{4{t_ncm1[2]}}, {2{t_ncm1[1]}}, t_ncm1[0], 1'b1} << slot[2:0];
			so_byte <= b;
			so_step_n <= t_plane[AA-1:0];
			so_left <= t_out_nc;
			so_dense <= 1'b0;
			state <= S_SYN;
		end
	endtask

	// The next tap: its position, remainders and weight counted; a row
	// down, the neuron's row (u_row) by OUT_W where oy steps (down for a
	// conv tap, which gathers; up for a deconv tap, which scatters).
	task next_unit_tap;
		begin
			u_w <= u_w + t_lw_pa;
			if ({1'b0, kx} + 17'd1 < {1'b0, t_kw}) begin
				kx_r <= kx_r + 1'b1;
				if (t_deconv) begin	// a deconv tap's position goes up
					ox <= ox + 1'b1;
				end else if (STRIDE_ANY == 0 || rx == {CW{1'b0}}) begin
					rx <= t_s1;
					ox <= ox - 1'b1;
				end else begin
					rx <= rx - 1'b1;
				end
				state <= S_EV_U1;
			end else if ({1'b0, ky} + 17'd1 < {1'b0, t_kh}) begin
				kx_r <= {CW{1'b0}};
				ky_r <= ky_r + 1'b1;
				ox <= u_ox0;
				rx <= u_rx0;
				if (t_deconv) begin
					oy <= oy + 1'b1;
					u_row <= u_row + t_out_w[NA-1:0];
				end else if (STRIDE_ANY == 0 || ry == {CW{1'b0}}) begin
					ry <= t_s1;
					oy <= oy - 1'b1;
					u_row <= u_row - t_out_w[NA-1:0];
				end else begin
					ry <= ry - 1'b1;
				end
				state <= S_EV_U1;
			end else begin
				advance_scan(1'b0);
			end
		end
	endtask


	function [7:0] byte_of(input [63:0] line, input [2:0] k);
		byte_of = line[8 * k +: 8];
	endfunction

`ifndef SYNTHESIS
	reg [95:0] state_ascii;
	always @* begin
		case (state)
		S_IDLE: state_ascii = "IDLE";
		S_LD: state_ascii = "LD";
		S_ST_PROBE: state_ascii = "ST_PROBE";
		S_ST_TGT: state_ascii = "ST_TGT";
		S_ST_RT0: state_ascii = "ST_RT0";
		S_SC_RD: state_ascii = "SC_RD";
		S_SC_CHK: state_ascii = "SC_CHK";
		S_EV: state_ascii = "EV";
		S_SYN: state_ascii = "SYN";
		S_SW_RD: state_ascii = "SW_RD";
		S_SW_WR: state_ascii = "SW_WR";
		S_SW_OUT: state_ascii = "SW_OUT";
		S_ST_END: state_ascii = "ST_END";
		default: state_ascii = "...";
		endcase
	end
`endif

endmodule

`default_nettype wire
