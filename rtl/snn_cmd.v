// Host link command layer: executes the request frames snn_frame_rx checks on the core array and answers each through snn_frame_tx (docs/host-protocol.md).
//
// One frame at a time: take the report, store the payload (the address and
// arguments in a register, the words of WRITE_MEM and INPUT in a 256-word
// buffer), check it in the order of the spec (LENGTH, CONFIG, ADDRESS/ARG),
// then act on the array and send exactly one reply; a STEP sends its OUTPUT
// frames first, from the same buffer. ECHO streams the payload straight from
// the receiver to the transmitter. The command layer itself keeps the
// sequence check, the CONFIG state, the "input queued this step" bitmap and
// the counters dropped, frame_errors and seq_errors. docs/rtl.md has the
// FSM, the cycle costs and which configuration checks RESET makes.
`default_nettype none

module snn_cmd #(
	// geometry (docs/geometry.md), as snn_array has it
	parameter N_CORES = 4,
	parameter NEURONS = 256,
	parameter AXONS = 256,
	parameter SYN_WORDS = 4096,
	parameter WEIGHT_BITS = 8,
	parameter MEMBRANE_BITS = 16,
	parameter BIAS_BITS = 12,
	parameter ROUTES = 4,
	parameter INPUT_ROUTES = 4,
	parameter MAX_PHASES = 4,
	// shared budgets (docs/geometry.md fields 10 .. 15; 0 for snn_array,
	// whose cores have memories of their own): reported by IDENTIFY; with
	// SYN_TOTAL set, the base registers 27 .. 30 place each core in them
	parameter NEURON_TOTAL = 0,
	parameter SYN_TOTAL = 0,
	parameter ROUTE_TOTAL = 0,
	parameter LANES = 0,
	parameter STATE_WORDS = 0,
	parameter ACC_BITS = 0,
	// IDENTIFY's build id
	parameter [31:0] BUILD_ID = 32'd0,
	// 1: RESET makes the checks docs/rtl.md lists under "What RESET checks"
	// and IDENTIFY reports device kind 2 (RTL); 0: the lean layer of a
	// board build, kind 3 (FPGA): RESET checks only the GLOBAL input tensor
	// the bitmap must hold, the host validates the rest (docs/host-protocol.md)
	parameter CHECK_CONFIG = 1,
	// the frame_errors and seq_errors counters (64, or 32 in a board build:
	// sent as u64, wrapping at 2^32)
	parameter LINK_COUNTER_BITS = 64,
	// largest input tensor (C*H*W) the "queued this step" bitmap covers; a
	// multiple of 16. A configuration with a larger tensor is refused at
	// RESET (ERROR CONFIG 2).
	parameter INPUT_MAX = 4096
) (
	input wire i_clk,
	input wire i_rst,
	// frame reports and payloads from snn_frame_rx
	input wire i_rx_frame_valid,
	output wire o_rx_frame_ready,
	input wire [1:0] i_rx_frame_status,	// 1 good, 2 bad CRC, 3 bad length
	input wire [7:0] i_rx_frame_op,
	input wire [7:0] i_rx_frame_seq,
	input wire [15:0] i_rx_frame_len,
	input wire i_rx_pay_valid,
	output wire o_rx_pay_ready,
	input wire [7:0] i_rx_pay_data,
	input wire i_rx_pay_last,
	// replies to snn_frame_tx
	output wire o_tx_hdr_valid,
	input wire i_tx_hdr_ready,
	output wire [7:0] o_tx_hdr_op,
	output wire [7:0] o_tx_hdr_seq,
	output wire [15:0] o_tx_hdr_len,
	output wire o_tx_pay_valid,
	input wire i_tx_pay_ready,
	output wire [7:0] o_tx_pay_data,
	// core array: memory port
	output wire o_mem_valid,
	input wire i_mem_ready,
	output wire o_mem_write,
	output wire [2:0] o_mem_region,
	output wire [15:0] o_mem_core,
	output wire [31:0] o_mem_index,
	output wire [31:0] o_mem_wdata,
	input wire i_mem_done,
	input wire [1:0] i_mem_status,
	input wire [31:0] i_mem_rdata,
	// core array: commands
	output wire o_cmd_valid,
	input wire i_cmd_ready,
	output wire [1:0] o_cmd,
	input wire i_cmd_done,
	input wire i_cmd_abort,	// with i_cmd_done: the array's watchdog ended a step
	input wire [31:0] i_step,
	// core array: input events
	output wire o_in_valid,
	input wire i_in_ready,
	output wire [23:0] o_in_index,
	// core array: output events
	input wire i_out_valid,
	output wire o_out_ready,
	input wire [15:0] i_out_core,
	input wire [15:0] i_out_neuron,
	// core array: counters 0 .. 5 through a read port (o_cnt_rd and
	// o_cnt_sel held until i_cnt_done, the value valid with it)
	output wire o_cnt_rd,
	output wire [2:0] o_cnt_sel,
	input wire i_cnt_done,
	input wire [63:0] i_cnt_value,
	output wire o_cnt_clear,
	// nothing in progress and no frame waiting (for harnesses)
	output wire o_idle
);

	// ---- protocol constants (include/snn/protocol.h) ----
	localparam [7:0] OP_IDENTIFY = 8'h01;
	localparam [7:0] OP_RESET = 8'h02;
	localparam [7:0] OP_WRITE_MEM = 8'h03;
	localparam [7:0] OP_READ_MEM = 8'h04;
	localparam [7:0] OP_CHECKSUM = 8'h05;
	localparam [7:0] OP_INPUT = 8'h10;
	localparam [7:0] OP_STEP = 8'h11;
	localparam [7:0] OP_COUNTERS = 8'h20;
	localparam [7:0] OP_ECHO = 8'h3F;
	localparam [7:0] OP_PIXELS = 8'h12;
	localparam [7:0] OP_RUN = 8'h13;
	localparam [7:0] OP_OUTPUT = 8'h40;
	localparam [7:0] OP_ERROR = 8'h7F;
	localparam [7:0] REPLY_BIT = 8'h80;

	localparam [7:0] E_CRC = 8'd1;
	localparam [7:0] E_LENGTH = 8'd2;
	localparam [7:0] E_OPCODE = 8'd3;
	localparam [7:0] E_ADDRESS = 8'd4;
	localparam [7:0] E_ARG = 8'd5;
	localparam [7:0] E_CONFIG = 8'd6;

	localparam [1:0] STATUS_GOOD = 2'd1;
	localparam [1:0] STATUS_BAD_CRC = 2'd2;

	localparam [2:0] REGION_GLOBAL = 3'd0;
	localparam [2:0] REGION_CORE = 3'd1;
	localparam [2:0] REGION_ROUTE = 3'd4;
	localparam [2:0] REGION_INPUT_ROUTE = 3'd5;
	localparam [2:0] REGION_STATE = 3'd6;

	localparam [1:0] CMD_CLEAR = 2'd0;
	localparam [1:0] CMD_STEP = 2'd1;
	localparam [1:0] CMD_ZERO = 2'd2;

	localparam [15:0] PROTOCOL_VERSION = 16'd2;
	localparam [7:0] DEVICE_KIND = CHECK_CONFIG != 0 ? 8'd2 : 8'd3;	// RTL, FPGA
	localparam LC = LINK_COUNTER_BITS;
	localparam MAX_EVENTS = 255;	// events per OUTPUT frame

	// Membrane range and the IDENTIFY geometry words, from the parameters.
	localparam signed [31:0] VMAX = (32'sd1 <<< (MEMBRANE_BITS - 1)) - 32'sd1;
	localparam signed [31:0] VMIN = -(32'sd1 <<< (MEMBRANE_BITS - 1));
	localparam [31:0] G0 = N_CORES;
	localparam [31:0] G1 = NEURONS;
	localparam [31:0] G2 = AXONS;
	localparam [31:0] G3 = SYN_WORDS;
	localparam [31:0] G4 = WEIGHT_BITS;
	localparam [31:0] G5 = MEMBRANE_BITS;
	localparam [31:0] G6 = BIAS_BITS;
	localparam [31:0] G7 = ROUTES;
	localparam [31:0] G8 = INPUT_ROUTES;
	localparam [31:0] G9 = MAX_PHASES;
	localparam [31:0] G10 = NEURON_TOTAL;
	localparam [31:0] G11 = SYN_TOTAL;
	localparam [31:0] G12 = ROUTE_TOTAL;
	localparam [31:0] G13 = LANES;
	localparam [31:0] G14 = STATE_WORDS;
	localparam [31:0] G15 = ACC_BITS;

	// The "queued this step" bitmap: INPUT_MAX bits as 16-bit words.
	localparam BM_WORDS = INPUT_MAX / 16 < 2 ? 2 : INPUT_MAX / 16;	// a RAM of 2 at least
	localparam BMA = $clog2(BM_WORDS);
	localparam [31:0] BM_LAST32 = BM_WORDS - 1;
	localparam [BMA:0] BM_LAST = BM_LAST32[BMA:0];
	localparam [31:0] INPUT_MAX_W = INPUT_MAX;
	localparam IB = $clog2(INPUT_MAX + 1);	// bits of a tensor dimension we accept
	localparam NCB = $clog2(N_CORES + 1), IRB = $clog2(INPUT_ROUTES + 1);
	// Words of the largest region (docs/config-format.md): a request the
	// address check lets through lies below 2^CTB, and so do its word
	// indices and counts; at least 16 bits, for STEP's count.
	localparam EXT = SYN_WORDS > 2 * NEURONS ? SYN_WORDS : 2 * NEURONS;
	localparam CTB = $clog2(EXT + 1) > 16 ? $clog2(EXT + 1) : 16;
	localparam [31:0] N_CORES_W = N_CORES, INPUT_ROUTES_W = INPUT_ROUTES;

	// ---- FSM ----
	localparam [5:0] S_BOOT = 6'd0;	// power-on: ZERO, CLEAR, clear the bitmap
	localparam [5:0] S_IDLE = 6'd1;	// wait for a frame report
	localparam [5:0] S_RECV = 6'd2;	// take the payload
	localparam [5:0] S_ECHO_HDR = 6'd3;
	localparam [5:0] S_ECHO_PAY = 6'd4;	// payload straight from rx to tx
	localparam [5:0] S_EXEC = 6'd5;	// length, opcode and CONFIG checks, dispatch
	localparam [5:0] S_MEM_REQ = 6'd6;	// memory request (sub-FSM, returns to mret)
	localparam [5:0] S_MEM_WAIT = 6'd7;
	localparam [5:0] S_CMD_REQ = 6'd8;	// array command (sub-FSM, returns to cret)
	localparam [5:0] S_CMD_WAIT = 6'd9;
	localparam [5:0] S_SWEEP = 6'd10;	// clear the bitmap (returns to sret)
	localparam [5:0] S_TX_HDR = 6'd11;	// reply header (sub-FSM, returns to tret)
	localparam [5:0] S_TX_FETCH = 6'd12;	// next payload word
	localparam [5:0] S_TX_MREQ = 6'd13;	// ... READ_MEM: from the array
	localparam [5:0] S_TX_MWAIT = 6'd14;
	localparam [5:0] S_TX_BWAIT = 6'd15;	// ... OUTPUT: from the buffer
	localparam [5:0] S_TX_BYTES = 6'd16;	// four bytes of the word
	localparam [5:0] S_ADDR = 6'd17;	// address check of a memory request
	localparam [5:0] S_ADDR_DONE = 6'd18;
	localparam [5:0] S_WR_RD = 6'd19;	// WRITE_MEM: words from the buffer
	localparam [5:0] S_WR_DATA = 6'd20;
	localparam [5:0] S_WR_NEXT = 6'd21;
	localparam [5:0] S_CK_RD = 6'd22;	// CHECKSUM: read a word
	localparam [5:0] S_CK_BYTES = 6'd23;	// ... and add its four bytes
	localparam [5:0] S_IN_RD = 6'd24;	// INPUT: check every index
	localparam [5:0] S_IN_IDX = 6'd25;
	localparam [5:0] S_IN_BIT = 6'd26;
	localparam [5:0] S_UN_RD = 6'd27;	// ... refused: unmark the ones marked
	localparam [5:0] S_UN_IDX = 6'd28;
	localparam [5:0] S_UN_BIT = 6'd29;
	localparam [5:0] S_FD_RD = 6'd30;	// ... accepted: hand them to the array
	localparam [5:0] S_FD_IDX = 6'd31;
	localparam [5:0] S_FD_GO = 6'd32;
	localparam [5:0] S_RST_CLEAR = 6'd33;	// RESET: CLEAR if valid
	localparam [5:0] S_RST_CNT = 6'd34;	// ... counters, bitmap
	localparam [5:0] S_RST_VAL = 6'd35;	// ... after ZERO: validation if written
	localparam [5:0] S_VAL_G = 6'd36;	// validation: GLOBAL words
	localparam [5:0] S_VAL_GCHK = 6'd37;
	localparam [5:0] S_VAL_R = 6'd38;	// ... core registers
	localparam [5:0] S_VAL_RCHK = 6'd39;
	localparam [5:0] S_VAL_DONE = 6'd40;
	localparam [5:0] S_ST_LOOP = 6'd41;	// STEP: next step or the reply
	localparam [5:0] S_ST_RUN = 6'd42;	// ... step command to the array
	localparam [5:0] S_ST_WAIT = 6'd43;	// ... gather its output events
	localparam [5:0] S_ST_END = 6'd44;	// ... flush, clear the bitmap
	localparam [5:0] S_REPLY = 6'd45;	// send the reply set up, then idle
	localparam [5:0] S_BOOT_CLEAR = 6'd46;
	localparam [5:0] S_BOOT_SWEEP = 6'd47;
	localparam [5:0] S_VAL_P2 = 6'd48;	// validation: every core's routes
	localparam [5:0] S_VAL_RN = 6'd49;	// ... its N_NEURONS read
	localparam [5:0] S_VAL_RC = 6'd50;	// ... its ROUTE_COUNT read
	localparam [5:0] S_VAL_RW = 6'd51;	// ... a route word read
	localparam [5:0] S_VAL_IR = 6'd52;	// ... then the input routes
	localparam [5:0] S_TX_CWAIT = 6'd53;	// COUNTERS: a counter from the array
	localparam [5:0] S_RUN_BM = 6'd54;	// RUN: after CLEAR, the bitmap swept
	localparam [5:0] S_RUN_GO = 6'd55;	// ... a step's encoding started
	localparam [5:0] S_RUN_ENC = 6'd56;	// ... its input spikes to the array

	// Reply payload kinds.
	localparam [2:0] K_WORDS = 3'd0;	// words from const_word
	localparam [2:0] K_MEM = 3'd1;	// READ_MEM: words from the array
	localparam [2:0] K_BUF = 3'd2;	// OUTPUT: step index, then the buffer
	localparam [2:0] K_CNT = 3'd3;	// COUNTERS: 0 .. 5 through the array's port, then const_word

	reg [5:0] state, mret, cret, sret, tret;

	// the frame being executed
	reg [7:0] f_op, f_seq;
	reg [15:0] f_len;
	reg [15:0] off;	// payload bytes taken
	reg [95:0] arg;	// the first 12 payload bytes
	reg [23:0] wacc;	// bytes 0..2 of the word being received
	reg val_bad;	// WRITE_MEM: a word out of the STATE ranges
	reg [7:0] val_pos;	// ... the first such word

	// sequence numbers and the state the CONFIG refusals need
	reg have_seq;
	reg [7:0] next_seq;
	reg cfg_written;	// configuration written since the last RESET
	reg cfg_bad;	// the configuration failed RESET's checks
	reg [IB-1:0] in_size;	// input tensor elements (0: no input routes)
	reg bm_dirty;	// some bitmap bit may be set
	reg [LC-1:0] cnt_frame_errors, cnt_seq_errors;

	// reply being sent
	reg [7:0] hdr_op;
	reg [15:0] hdr_len;
	reg [2:0] kind;
	reg [8:0] words, wi;	// payload words, word being sent
	reg [1:0] bi;	// byte of the word
	reg [31:0] tx_word;
	reg [31:0] cnt_hi;	// the high word of the counter being sent
	reg [7:0] err_code;
	reg [15:0] err_detail;

	// memory and command requests
	reg mem_write;
	reg [2:0] mem_region;
	reg [15:0] mem_core;
	reg [31:0] mem_index, mem_wdata;
	reg [1:0] mem_status;
	reg [31:0] mem_rdata;
	reg [1:0] cmd;
	reg cmd_done_seen;	// i_cmd_done since the last command was taken
	reg cmd_abort_seen;	// ... and it came with i_cmd_abort
	reg cnt_clear;

	// loops
	reg [CTB-1:0] ctr;	// words done (CHECKSUM), steps done (STEP)
	reg [8:0] i, j;	// buffer positions
	reg [23:0] idx;	// INPUT: the index being checked
	reg [BMA:0] sw;	// bitmap word being cleared
	reg [15:0] st_n;	// STEP: steps asked for
	reg [31:0] st_first, st_cur, st_events;
	reg [8:0] ev_count;	// events in the buffer (one OUTPUT frame)
	reg in_step;	// executing a STEP or RUN request
	reg run_mode;	// ... a RUN: each step's inputs from the encoder
	reg run_drop;	// ... with flag 0: its output events dropped, no OUTPUT frames

	// validation
	reg [15:0] v_core;
	reg [4:0] v_reg;
	// GLOBAL as read at RESET, at the widths a valid one needs; g_bad: a
	// word beyond them (or a zero dimension)
	reg [NCB-1:0] g_ncores;
	reg [IB-1:0] g_c, g_h, g_w;
	reg [IRB-1:0] g_iroutes;
	reg g_bad, g_dims_bad;
	reg [1:0] v_mode;
	reg [31:0] v_inh, v_inw, v_kh, v_kw;
	reg [N_CORES-1:0] core_on;	// cores below N_CORES with MODE != 0
	reg v_input;	// checking the input routes
	reg [31:0] v_k;	// route word
	reg [31:0] v_rcount, v_rlim, v_srclo;	// entries in use, src_hi limit, src_lo

	// ---- payload fields ----
	wire [7:0] a_region = arg[7:0];
	wire [15:0] a_core = arg[31:16];
	wire [31:0] a_index = arg[63:32];
	wire [15:0] a_count16 = arg[79:64];
	wire [31:0] a_count32 = arg[95:64];
	wire [15:0] a_steps = arg[15:0];

	// words of WRITE_MEM follow its 8-byte address; INPUT's start at once
	wire [15:0] w_base = f_op == OP_WRITE_MEM ? 16'd8 : 16'd0;
	wire [9:0] w_off = off[9:0] - w_base[9:0];
	wire [31:0] w_word = {i_rx_pay_data, wacc};
	wire [8:0] w_nwords = f_op == OP_WRITE_MEM ? f_len[10:2] - 9'd2 : f_len[10:2];	// INPUT: len / 4

	// the count of words a memory request covers
	wire [31:0] m_count = f_op == OP_CHECKSUM ? a_count32
		: f_op == OP_READ_MEM ? {16'd0, a_count16} : {23'd0, w_nwords};
	wire [32:0] m_end = {1'b0, a_index} + {1'b0, m_count};	// one past the last word
	// the next word of a request the address check let through
	wire [31:0] next_index = {{(32-CTB){1'b0}}, mem_index[CTB-1:0] + 1'b1};
	wire m_per_core = a_region != {5'd0, REGION_GLOBAL} && a_region != {5'd0, REGION_INPUT_ROUTE};

	// ---- the word buffer: WRITE_MEM words, INPUT indices, OUTPUT events ----
	wire take_pay = i_rx_pay_valid && o_rx_pay_ready;
	wire take_ev = i_out_valid && o_out_ready;
	reg buf_we;
	reg [7:0] buf_waddr;
	reg [31:0] buf_wdata;
	reg buf_re;
	reg [7:0] buf_raddr;
	wire [31:0] buf_rdata;

	always @* begin
		buf_we = 1'b0;
		buf_waddr = w_off[9:2];
		buf_wdata = w_word;
		if (state == S_RECV && take_pay && off >= w_base && w_off[1:0] == 2'd3)
			buf_we = f_op == OP_WRITE_MEM || f_op == OP_INPUT;
		if (state == S_ST_WAIT && take_ev && !run_drop) begin
			buf_we = 1'b1;
			buf_waddr = ev_count[7:0];
			buf_wdata = {i_out_neuron, i_out_core};
		end
		buf_re = 1'b1;
		case (state)
		S_WR_RD, S_IN_RD: buf_raddr = i[7:0];
		S_UN_RD, S_FD_RD: buf_raddr = j[7:0];
		default: buf_raddr = wi[7:0] - 8'd1;	// K_BUF: word wi is event wi-1
		endcase
	end

	snn_ram_sdp #(
		.WIDTH(32),
		.DEPTH(256)
	) u_buf (
		.i_clk(i_clk),
		.i_we(buf_we),
		.i_waddr(buf_waddr),
		.i_wdata(buf_wdata),
		.i_re(buf_re),
		.i_raddr(buf_raddr),
		.o_rdata(buf_rdata)
	);

	// ---- the bitmap: bit q set = input q queued for the next step ----
	wire [15:0] bm_rdata;
	wire [BMA-1:0] bm_raddr = buf_rdata[BMA+3:4];
	wire [15:0] bm_bit = 16'd1 << idx[3:0];
	wire bm_sweep = state == S_SWEEP;
	wire bm_we = bm_sweep || state == S_IN_BIT && (bm_rdata & bm_bit) == 16'd0 || state == S_UN_BIT;
	wire [BMA-1:0] bm_waddr = bm_sweep ? sw[BMA-1:0] : idx[BMA+3:4];
	wire [15:0] bm_wdata = bm_sweep ? 16'd0 : state == S_UN_BIT ? bm_rdata & ~bm_bit
		: bm_rdata | bm_bit;

	snn_ram_sdp #(
		.WIDTH(16),
		.DEPTH(BM_WORDS)
	) u_bitmap (
		.i_clk(i_clk),
		.i_we(bm_we),
		.i_waddr(bm_waddr),
		.i_wdata(bm_wdata),
		.i_re(state == S_IN_IDX || state == S_UN_IDX),
		.i_raddr(bm_raddr),
		.o_rdata(bm_rdata)
	);

	// ---- CHECKSUM's CRC, one byte of the word per cycle ----
	wire [31:0] crc;
	snn_crc32 u_crc (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_clear(state == S_ADDR_DONE),
		.i_valid(state == S_CK_BYTES),
		.i_data(mem_rdata[8*bi +: 8]),
		.o_crc(crc)
	);

	// ---- reply words that need no fetch ----
	reg [31:0] const_word;
	reg [63:0] ctr_sel;	// counters 6 .. 8, kept here
	always @* begin
		case (wi[4:1])
		4'd7: ctr_sel = {{(64 - LC){1'b0}}, cnt_frame_errors};
		4'd8: ctr_sel = {{(64 - LC){1'b0}}, cnt_seq_errors};
		default: ctr_sel = 64'd0;	// dropped: the bitmap covers the whole tensor, so never
		endcase
		case (f_op)
		OP_IDENTIFY:
			case (wi[4:0])
			5'd0: const_word = {8'd0, DEVICE_KIND, PROTOCOL_VERSION};
			5'd1: const_word = BUILD_ID;
			5'd2: const_word = G0;
			5'd3: const_word = G1;
			5'd4: const_word = G2;
			5'd5: const_word = G3;
			5'd6: const_word = G4;
			5'd7: const_word = G5;
			5'd8: const_word = G6;
			5'd9: const_word = G7;
			5'd10: const_word = G8;
			5'd11: const_word = G9;
			5'd12: const_word = G10;
			5'd13: const_word = G11;
			5'd14: const_word = G12;
			5'd15: const_word = G13;
			5'd16: const_word = G14;
			5'd17: const_word = G15;
			default: const_word = 32'd0;
			endcase
		OP_COUNTERS: const_word = wi[0] ? ctr_sel[63:32] : ctr_sel[31:0];
		OP_STEP, OP_RUN: const_word = wi[1] ? st_events : wi[0] ? st_first : {16'd0, st_n};
		OP_CHECKSUM: const_word = crc;
		default: const_word = 32'd0;
		endcase
		if (hdr_op == OP_ERROR)
			const_word = {err_detail, f_op, err_code};
	end

	// ---- validation of one core register (docs/rtl.md lists the checks) ----
	wire v_active = {16'd0, v_core} < {{(32-NCB){1'b0}}, g_ncores};
	wire [31:0] x = mem_rdata;
	wire x_nz = x != 32'd0;
	wire x_small = x < 32'd65536;
	reg reg_ok;
	always @* begin
		reg_ok = 1'b1;
		if (v_reg == 5'd0)
			reg_ok = v_active ? x <= 32'd2 : !x_nz;
		else if (!v_active || v_mode == 2'd0)
			reg_ok = !x_nz;
		else begin
			case (v_reg)
			5'd1: reg_ok = x < MAX_PHASES;
			5'd2: reg_ok = x_nz && x <= NEURONS;
			5'd3: reg_ok = v_mode == 2'd1 ? x_nz && x <= AXONS : !x_nz;
			5'd4: reg_ok = x_nz && x <= VMAX;
			5'd5: reg_ok = x <= 32'd255;
			5'd6: reg_ok = x <= 32'd1;
			5'd7: reg_ok = x <= 32'd15;
			5'd8: reg_ok = $signed(x) >= VMIN && $signed(x) <= VMAX;
			5'd9: reg_ok = x <= 32'd1;
			5'd10, 5'd11, 5'd12: reg_ok = x_nz && (v_mode == 2'd1 || x_small);
			5'd13: reg_ok = v_mode == 2'd1 ? !x_nz : x_nz && x <= v_inh && x <= v_inw;
			5'd14, 5'd15, 5'd16: reg_ok = v_mode == 2'd1 ? !x_nz : x_nz && x_small;
			5'd17: reg_ok = v_mode == 2'd1 ? !x_nz : x < v_kh;
			5'd18: reg_ok = v_mode == 2'd1 ? !x_nz : x < v_kw;
			5'd19, 5'd20, 5'd21, 5'd22, 5'd23, 5'd24:
				reg_ok = v_mode == 2'd1 ? !x_nz : x_small;
			5'd25: reg_ok = x <= SYN_WORDS;
			5'd26: reg_ok = x <= ROUTES;
			// the bases, with shared budgets (else reserved)
			5'd27, 5'd28: reg_ok = SYN_TOTAL == 0 ? !x_nz : x <= G11;
			5'd29: reg_ok = SYN_TOTAL == 0 ? !x_nz : x <= G10;
			5'd30: reg_ok = SYN_TOTAL == 0 ? !x_nz : x <= G12;
			default: reg_ok = !x_nz;	// reserved
			endcase
		end
	end

	// Route word v_k (entry v_k / 4): unused entries are zero; a used one
	// goes to a core in use (or, from a core, to the host 0xFFFF) and has
	// src_lo < src_hi <= N_NEURONS of its core (input routes: C*H*W).
	localparam [N_CORES-1:0] CORE_ONE = 1;
	localparam [31:0] ROUTE_LAST = 4 * ROUTES - 1;
	localparam [31:0] IROUTE_LAST = 4 * INPUT_ROUTES - 1;
	wire dest_on = |(core_on & CORE_ONE << x[15:0]);
	wire rt_use = {2'b0, v_k[31:2]} < v_rcount;
	reg route_ok;
	always @* begin
		if (!rt_use)	// with shared budgets a core's unused entries are the next core's
			route_ok = SYN_TOTAL != 0 && !v_input || !x_nz;

		else if (v_k[1:0] == 2'd0)
			route_ok = dest_on || !v_input && x[15:0] == 16'hFFFF;
		else if (v_k[1:0] == 2'd2)
			route_ok = v_srclo < x && x <= v_rlim;
		else
			route_ok = 1'b1;
	end

	// GLOBAL: N_CORES, INPUT_ROUTES within the geometry; a tensor of at
	// least one element that the bitmap covers when there are input routes.
	// C*H*W a product a cycle, registered: GLOBAL word 4 is read at least
	// three cycles after word 3, so g_size is current at S_VAL_GCHK (two
	// multipliers in a row were the ULX3S design's critical path)
	reg [2*IB-1:0] g_hw;
	reg [3*IB-1:0] g_size;
	always @(posedge i_clk) begin
		g_hw <= g_h * g_w;
		g_size <= g_hw * g_c;
	end
	wire [3*IB+31:0] g_size_ext = {32'd0, g_size};
	wire g_ok = !g_bad && (g_iroutes == {IRB{1'b0}}
		|| !g_dims_bad && g_size_ext <= {{(3*IB){1'b0}}, INPUT_MAX_W});
	// a GLOBAL word as it arrives: beyond its limit, a dimension's bounds
	// (compared at the limit's width: these comparisons need no carry chain of 32)
	/* verilator lint_off CMPCONST */	// constant where a limit is 2^k - 1
	wire gw_over_nc = mem_rdata[31:NCB] != {(32-NCB){1'b0}} || mem_rdata[NCB-1:0] > N_CORES_W[NCB-1:0];
	wire gw_over_ir = mem_rdata[31:IRB] != {(32-IRB){1'b0}}
		|| mem_rdata[IRB-1:0] > INPUT_ROUTES_W[IRB-1:0];
	wire gw_dim_bad = mem_rdata == 32'd0 || mem_rdata[31:IB] != {(32-IB){1'b0}}
		|| mem_rdata[IB-1:0] > INPUT_MAX_W[IB-1:0];
	/* verilator lint_on CMPCONST */

	// STATE word check for WRITE_MEM: v in the membrane range, ref <= 15
	wire [7:0] w_pos = w_off[9:2];
	wire w_is_ref = a_index[0] ^ w_pos[0];
	// (the membrane range: the bits above the sign are copies of it)
	wire w_ok = w_is_ref ? w_word[31:4] == 28'd0
		: &w_word[31:MEMBRANE_BITS-1] || ~|w_word[31:MEMBRANE_BITS-1];

	// checks at S_EXEC
	reg len_ok, op_known;
	always @* begin
		op_known = 1'b1;
		case (f_op)
		OP_IDENTIFY, OP_COUNTERS: len_ok = f_len == 16'd0;
		OP_RESET: len_ok = f_len == 16'd1;
		OP_WRITE_MEM: len_ok = f_len >= 16'd12 && f_len[1:0] == 2'd0;
		OP_READ_MEM: len_ok = f_len == 16'd10;
		OP_CHECKSUM: len_ok = f_len == 16'd12;
		OP_INPUT: len_ok = f_len[1:0] == 2'd0;
		OP_STEP: len_ok = f_len == 16'd2;
		OP_PIXELS: len_ok = f_len >= 16'd5;
		OP_RUN: len_ok = f_len == 16'd4;
		default: begin
			len_ok = 1'b1;
			op_known = 1'b0;
		end
		endcase
	end
	wire needs_cfg = f_op == OP_INPUT || f_op == OP_STEP || f_op == OP_PIXELS || f_op == OP_RUN
		|| (f_op == OP_WRITE_MEM || f_op == OP_READ_MEM || f_op == OP_CHECKSUM)
		   && a_region == {5'd0, REGION_STATE};
	wire cfg_refuse = cfg_written || cfg_bad;

	// ---- PIXELS and RUN: the on-device rate encoder ----
	// PIXELS's values go straight from the receiver into the encoder's RAM,
	// when its length, the configuration and its range (offset + count <=
	// C*H*W) allow: all known from the header and the offset, before the
	// first value, so a refused frame stores nothing.
	localparam EA = INPUT_MAX < 2 ? 1 : $clog2(INPUT_MAX);
	wire [16:0] pix_end = {{(17-IB){1'b0}}, arg[IB-1:0]} + {1'b0, f_len} - 17'd4;
	wire pix_ok = arg[31:IB] == {(32-IB){1'b0}} && pix_end <= {{(17-IB){1'b0}}, in_size};
	/* verilator lint_off UNUSEDSIGNAL */	// an index below INPUT_MAX: EA bits
	wire [16:0] pix_at = {{(17-IB){1'b0}}, arg[IB-1:0]} + {1'b0, off} - 17'd4;
	wire pix_store = state == S_RECV && take_pay && f_op == OP_PIXELS && off >= 16'd4 && len_ok
		&& !cfg_refuse && pix_ok;
	wire [31:0] in_size32 = {{(32-IB){1'b0}}, in_size};
	/* verilator lint_on UNUSEDSIGNAL */
	wire enc_busy, enc_ev_valid;
	wire [EA-1:0] enc_ev_index;

	snn_rate_encoder #(
		.DEPTH(INPUT_MAX)
	) u_encoder (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_store(pix_store),
		.i_index(pix_at[EA-1:0]),
		.i_value(i_rx_pay_data),
		.i_clear(state == S_RST_VAL && cfg_written),	// a configuration is loaded
		.i_step(state == S_RUN_GO),
		.i_first(ctr == {CTB{1'b0}}),
		.i_count(in_size32[EA:0]),
		.o_busy(enc_busy),
		.o_ev_valid(enc_ev_valid),
		.i_ev_ready(state == S_RUN_ENC && i_in_ready),
		.o_ev_index(enc_ev_index)
	);

	// the bitmap bit of the index being checked
	wire in_range = buf_rdata[31:IB] == {(32-IB){1'b0}} && buf_rdata[IB-1:0] < in_size;

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= S_BOOT;
			mret <= S_IDLE;
			cret <= S_IDLE;
			sret <= S_IDLE;
			tret <= S_IDLE;
			f_op <= 8'd0;
			f_seq <= 8'd0;
			f_len <= 16'd0;
			off <= 16'd0;
			arg <= 96'd0;
			wacc <= 24'd0;
			val_bad <= 1'b0;
			val_pos <= 8'd0;
			have_seq <= 1'b0;
			next_seq <= 8'd0;
			cfg_written <= 1'b1;	// a device starts as if just written
			cfg_bad <= 1'b0;
			in_size <= {IB{1'b0}};
			bm_dirty <= 1'b0;
			cnt_frame_errors <= 0;
			cnt_seq_errors <= 0;
			hdr_op <= 8'd0;
			hdr_len <= 16'd0;
			kind <= K_WORDS;
			words <= 9'd0;
			wi <= 9'd0;
			bi <= 2'd0;
			tx_word <= 32'd0;
			cnt_hi <= 32'd0;
			err_code <= 8'd0;
			err_detail <= 16'd0;
			mem_write <= 1'b0;
			mem_region <= 3'd0;
			mem_core <= 16'd0;
			mem_index <= 32'd0;
			mem_wdata <= 32'd0;
			mem_status <= 2'd0;
			mem_rdata <= 32'd0;
			cmd <= CMD_ZERO;
			cmd_done_seen <= 1'b0;
			cmd_abort_seen <= 1'b0;
			cnt_clear <= 1'b0;
			ctr <= {CTB{1'b0}};
			i <= 9'd0;
			j <= 9'd0;
			idx <= 24'd0;
			sw <= 0;
			st_n <= 16'd0;
			st_first <= 32'd0;
			st_cur <= 32'd0;
			st_events <= 32'd0;
			ev_count <= 9'd0;
			in_step <= 1'b0;
			run_mode <= 1'b0;
			run_drop <= 1'b0;
			v_core <= 16'd0;
			v_reg <= 5'd0;
			g_ncores <= {NCB{1'b0}};
			g_c <= {IB{1'b0}};
			g_h <= {IB{1'b0}};
			g_w <= {IB{1'b0}};
			g_iroutes <= {IRB{1'b0}};
			g_bad <= 1'b0;
			g_dims_bad <= 1'b0;
			v_mode <= 2'd0;
			v_inh <= 32'd0;
			v_inw <= 32'd0;
			v_kh <= 32'd0;
			v_kw <= 32'd0;
			core_on <= {N_CORES{1'b0}};
			v_input <= 1'b0;
			v_k <= 32'd0;
			v_rcount <= 32'd0;
			v_rlim <= 32'd0;
			v_srclo <= 32'd0;
		end else begin
			cnt_clear <= 1'b0;
			if (i_cmd_done) begin
				cmd_done_seen <= 1'b1;
				cmd_abort_seen <= i_cmd_abort;
			end else if (o_cmd_valid && i_cmd_ready) begin
				cmd_done_seen <= 1'b0;
				cmd_abort_seen <= 1'b0;
			end

			case (state)
			// ---- power-on: the same memory state as after RESET 2 ----
			S_BOOT: begin
				cmd <= CMD_ZERO;
				cret <= S_BOOT_CLEAR;
				state <= S_CMD_REQ;
			end
			S_BOOT_CLEAR: begin
				cmd <= CMD_CLEAR;
				cret <= S_BOOT_SWEEP;
				state <= S_CMD_REQ;
			end
			S_BOOT_SWEEP: if (!enc_busy) begin	// and the encoder's RAM zeroed
				sw <= 0;
				sret <= S_IDLE;
				state <= S_SWEEP;
			end

			// ---- a frame ----
			S_IDLE:
				if (i_rx_frame_valid) begin
					f_op <= i_rx_frame_op;
					run_mode <= 1'b0;
					run_drop <= 1'b0;
					f_seq <= i_rx_frame_seq;
					f_len <= i_rx_frame_len;
					off <= 16'd0;
					arg <= 96'd0;
					val_bad <= 1'b0;
					kind <= K_WORDS;
					if (i_rx_frame_status != STATUS_GOOD) begin
						// not trusted: no sequence check, nothing acted on
						cnt_frame_errors <= cnt_frame_errors + 1'b1;
						err_code <= i_rx_frame_status == STATUS_BAD_CRC ? E_CRC : E_LENGTH;
						err_detail <= i_rx_frame_status == STATUS_BAD_CRC ? 16'd0
							: i_rx_frame_len;
						state <= S_REPLY;
						hdr_op <= OP_ERROR;
					end else begin
						if (have_seq && i_rx_frame_seq != next_seq)
							cnt_seq_errors <= cnt_seq_errors + 1'b1;
						have_seq <= 1'b1;
						next_seq <= i_rx_frame_seq + 8'd1;
						if (i_rx_frame_op == OP_ECHO)
							state <= S_ECHO_HDR;
						else if (i_rx_frame_len != 16'd0)
							state <= S_RECV;
						else
							state <= S_EXEC;
					end
				end
			S_RECV:
				if (take_pay) begin
					off <= off + 16'd1;
					if (off < 16'd12)
						arg[8*off[3:0] +: 8] <= i_rx_pay_data;
					if (off >= w_base)
						case (w_off[1:0])
						2'd0: wacc[7:0] <= i_rx_pay_data;
						2'd1: wacc[15:8] <= i_rx_pay_data;
						2'd2: wacc[23:16] <= i_rx_pay_data;
						default:
							if (!w_ok && !val_bad) begin
								val_bad <= 1'b1;
								val_pos <= w_pos;
							end
						endcase
					if (i_rx_pay_last)
						state <= S_EXEC;
				end
			S_ECHO_HDR:
				if (i_tx_hdr_ready)
					state <= f_len == 16'd0 ? S_IDLE : S_ECHO_PAY;
			S_ECHO_PAY:
				if (i_rx_pay_valid && i_tx_pay_ready && i_rx_pay_last)
					state <= S_IDLE;

			// ---- checks in the spec's order, then the request ----
			S_EXEC: begin
				hdr_op <= f_op | REPLY_BIT;
				kind <= K_WORDS;
				words <= 9'd0;
				state <= S_REPLY;
				if (!op_known) begin
					cnt_frame_errors <= cnt_frame_errors + 1'b1;
					hdr_op <= OP_ERROR;
					err_code <= E_OPCODE;
					err_detail <= 16'd0;
				end else if (!len_ok) begin
					cnt_frame_errors <= cnt_frame_errors + 1'b1;
					hdr_op <= OP_ERROR;
					err_code <= E_LENGTH;
					err_detail <= f_len;
				end else if (needs_cfg && cfg_refuse) begin
					hdr_op <= OP_ERROR;
					err_code <= E_CONFIG;
					err_detail <= cfg_written ? 16'd1 : 16'd2;
				end else begin
					case (f_op)
					OP_IDENTIFY: words <= 9'd18;
					OP_COUNTERS: begin
						words <= 9'd18;
						kind <= K_CNT;
					end
					OP_RESET:
						if (a_region > 8'd2) begin
							hdr_op <= OP_ERROR;
							err_code <= E_ARG;
							err_detail <= {8'd0, a_region};
						end else begin
							// ZERO (level 2), check if written, CLEAR if valid
							cmd <= CMD_ZERO;
							cret <= S_RST_VAL;
							state <= a_region == 8'd2 ? S_CMD_REQ : S_RST_VAL;
							if (a_region == 8'd2)
								cfg_written <= 1'b1;
						end
					OP_READ_MEM:
						if (a_count16 == 16'd0 || a_count16 > 16'd256) begin
							hdr_op <= OP_ERROR;
							err_code <= E_ARG;
							err_detail <= a_count16;
						end else begin
							state <= S_ADDR;
						end
					OP_CHECKSUM:
						if (a_count32 == 32'd0) begin
							hdr_op <= OP_ERROR;
							err_code <= E_ARG;
							err_detail <= 16'd0;
						end else begin
							state <= S_ADDR;
						end
					OP_WRITE_MEM: state <= S_ADDR;
					OP_INPUT: begin
						i <= 9'd0;
						state <= S_IN_RD;
					end
					OP_PIXELS:
						if (!pix_ok) begin
							hdr_op <= OP_ERROR;
							err_code <= E_ARG;
							err_detail <= 16'd0;
						end
					OP_RUN:
						if (a_steps == 16'd0 || arg[23:17] != 7'd0 || arg[31:24] != 8'd0) begin
							hdr_op <= OP_ERROR;
							err_code <= E_ARG;
							err_detail <= a_steps == 16'd0 ? 16'd0
								: arg[23:17] != 7'd0 ? 16'd2 : 16'd3;
						end else begin
							st_n <= a_steps;
							st_first <= 32'd0;
							st_events <= 32'd0;
							ctr <= {CTB{1'b0}};
							ev_count <= 9'd0;
							run_mode <= 1'b1;
							run_drop <= !arg[16];
							cmd <= CMD_CLEAR;
							cret <= S_RUN_BM;
							state <= S_CMD_REQ;
						end
					OP_STEP: begin
						st_n <= a_steps;
						st_first <= i_step;
						st_events <= 32'd0;
						ctr <= {CTB{1'b0}};
						ev_count <= 9'd0;
						in_step <= 1'b1;
						state <= S_ST_LOOP;
					end
					default: ;	// ECHO does not come here
					endcase
				end
			end

			// ---- send the reply set up in hdr_op/kind/words, then idle ----
			S_REPLY: begin
				if (hdr_op == OP_ERROR)
					words <= 9'd1;
				hdr_len <= {5'd0, hdr_op == OP_ERROR ? 9'd1 : words, 2'd0};
				tret <= S_IDLE;
				state <= S_TX_HDR;
			end

			// ---- memory request sub-FSM ----
			S_MEM_REQ:
				if (i_mem_ready)
					state <= S_MEM_WAIT;
			S_MEM_WAIT:
				if (i_mem_done) begin
					mem_status <= i_mem_status;
					mem_rdata <= i_mem_rdata;
					state <= mret;
				end

			// ---- array command sub-FSM ----
			S_CMD_REQ:
				if (i_cmd_ready)
					state <= S_CMD_WAIT;
			S_CMD_WAIT:
				if (cmd_done_seen || i_cmd_done)
					state <= cret;

			// ---- clear the bitmap ----
			S_SWEEP: begin
				sw <= sw + 1'b1;
				if (sw == BM_LAST) begin
					bm_dirty <= 1'b0;
					state <= sret;
				end
			end

			// ---- reply sub-FSM: header, then words of 4 bytes ----
			S_TX_HDR:
				if (i_tx_hdr_ready) begin
					wi <= 9'd0;
					state <= words == 9'd0 ? tret : S_TX_FETCH;
				end
			S_TX_FETCH: begin
				bi <= 2'd0;
				case (kind)
				K_MEM: begin
					mem_write <= 1'b0;
					mem_region <= a_region[2:0];
					mem_core <= a_core;
					state <= S_TX_MREQ;	// mem_index: word wi (from a_index on)
				end
				K_CNT:
					if (wi >= 9'd12) begin
						tx_word <= const_word;
						state <= S_TX_BYTES;
					end else if (wi[0]) begin
						tx_word <= cnt_hi;
						state <= S_TX_BYTES;
					end else begin
						state <= S_TX_CWAIT;	// o_cnt_rd asks for counter wi / 2
					end
				K_BUF:
					if (wi == 9'd0) begin
						tx_word <= st_cur;
						state <= S_TX_BYTES;
					end else begin
						state <= S_TX_BWAIT;	// buffer read of word wi-1 at this edge
					end
				default: begin
					tx_word <= const_word;
					state <= S_TX_BYTES;
				end
				endcase
			end
			S_TX_MREQ:
				if (i_mem_ready)
					state <= S_TX_MWAIT;
			S_TX_MWAIT:
				if (i_mem_done) begin
					mem_index <= next_index;
					tx_word <= i_mem_rdata;
					state <= S_TX_BYTES;
				end
			S_TX_CWAIT:
				if (i_cnt_done) begin
					tx_word <= i_cnt_value[31:0];
					cnt_hi <= i_cnt_value[63:32];
					state <= S_TX_BYTES;
				end
			S_TX_BWAIT: begin
				tx_word <= buf_rdata;
				state <= S_TX_BYTES;
			end
			S_TX_BYTES:
				if (i_tx_pay_ready) begin
					bi <= bi + 2'd1;
					if (bi == 2'd3) begin
						wi <= wi + 9'd1;
						state <= wi + 9'd1 == words ? tret : S_TX_FETCH;
					end
				end

			// ---- memory requests: is every word inside the region? ----
			// The words of a region are 0 .. extent-1, so the request is
			// inside if its last word is: one read of that word asks the
			// array, which knows the extents (STATE's depends on N_NEURONS).
			S_ADDR: begin
				mem_write <= 1'b0;
				mem_region <= a_region[2:0];
				mem_core <= a_core;
				mem_index <= m_end[31:0] - 32'd1;
				if (a_region > {5'd0, REGION_STATE} || m_end[32] && m_end[31:0] != 32'd0
				    || m_per_core && {16'd0, a_core} >= N_CORES) begin
					hdr_op <= OP_ERROR;
					err_code <= E_ADDRESS;
					err_detail <= 16'd0;
					state <= S_REPLY;
				end else begin
					mret <= S_ADDR_DONE;
					state <= S_MEM_REQ;
				end
			end
			S_ADDR_DONE: begin
				i <= 9'd0;
				mem_index <= a_index;	// the first word; each access steps it
				ctr <= {CTB{1'b0}};
				if (mem_status != 2'd0) begin
					hdr_op <= OP_ERROR;
					err_code <= E_ADDRESS;
					err_detail <= 16'd0;
					state <= S_REPLY;
				end else if (f_op == OP_WRITE_MEM) begin
					if (a_region == {5'd0, REGION_STATE} && val_bad) begin
						hdr_op <= OP_ERROR;
						err_code <= E_ARG;
						err_detail <= {8'd0, val_pos};
						state <= S_REPLY;
					end else begin
						state <= S_WR_RD;
					end
				end else if (f_op == OP_READ_MEM) begin
					kind <= K_MEM;
					words <= a_count16[8:0];
					state <= S_REPLY;
				end else begin
					state <= S_CK_RD;	// CHECKSUM; the CRC restarts in this state
				end
			end

			// ---- WRITE_MEM: every word, in order ----
			S_WR_RD:
				if (i == w_nwords) begin
					if (a_region != {5'd0, REGION_STATE})
						cfg_written <= 1'b1;
					state <= S_REPLY;
				end else begin
					state <= S_WR_DATA;	// buffer read of word i at this edge
				end
			S_WR_DATA: begin
				mem_write <= 1'b1;
				mem_wdata <= buf_rdata;	// mem_index: word i (from a_index on)
				mret <= S_WR_NEXT;
				state <= S_MEM_REQ;
			end
			S_WR_NEXT: begin
				i <= i + 9'd1;
				mem_index <= next_index;
				state <= S_WR_RD;
			end

			// ---- CHECKSUM: CRC-32 of the words as little-endian bytes ----
			S_CK_RD:
				if (ctr == a_count32[CTB-1:0]) begin
					words <= 9'd1;
					state <= S_REPLY;
				end else begin
					mem_write <= 1'b0;
					// mem_index: the word (from a_index on, S_ADDR_DONE)
					bi <= 2'd0;
					mret <= S_CK_BYTES;
					state <= S_MEM_REQ;
				end
			S_CK_BYTES: begin
				bi <= bi + 2'd1;
				if (bi == 2'd3) begin
					ctr <= ctr + 1'b1;
					mem_index <= next_index;
					state <= S_CK_RD;
				end
			end

			// ---- INPUT: check and mark every index; all or nothing ----
			S_IN_RD:
				if (i == w_nwords) begin
					j <= 9'd0;
					state <= S_FD_RD;
				end else begin
					state <= S_IN_IDX;	// buffer read of index i at this edge
				end
			S_IN_IDX: begin
				idx <= buf_rdata[23:0];	// and the bitmap word read at this edge
				if (!in_range) begin
					j <= 9'd0;
					state <= S_UN_RD;
				end else begin
					state <= S_IN_BIT;
				end
			end
			S_IN_BIT:
				if ((bm_rdata & bm_bit) != 16'd0) begin
					j <= 9'd0;
					state <= S_UN_RD;	// repeated; marking it was skipped
				end else begin
					bm_dirty <= 1'b1;
					i <= i + 9'd1;
					state <= S_IN_RD;
				end
			S_UN_RD:
				if (j == i) begin
					hdr_op <= OP_ERROR;
					err_code <= E_ARG;
					err_detail <= {7'd0, i};
					state <= S_REPLY;
				end else begin
					state <= S_UN_IDX;
				end
			S_UN_IDX: begin
				idx <= buf_rdata[23:0];
				state <= S_UN_BIT;
			end
			S_UN_BIT: begin
				j <= j + 9'd1;
				state <= S_UN_RD;
			end
			S_FD_RD:
				if (j == w_nwords)
					state <= S_REPLY;
				else
					state <= S_FD_IDX;
			S_FD_IDX: begin
				idx <= buf_rdata[23:0];
				state <= S_FD_GO;
			end
			S_FD_GO:
				if (i_in_ready) begin
					j <= j + 9'd1;
					state <= S_FD_RD;
				end

			// ---- RESET ----
			S_RST_CLEAR: begin	// an invalid configuration is not run, not even CLEAR
				cmd <= CMD_CLEAR;
				cret <= S_RST_CNT;
				state <= cfg_bad ? S_RST_CNT : S_CMD_REQ;
			end
			S_RST_CNT: if (!enc_busy) begin	// the encoder's RAM zeroed, if it was loaded
				if (a_region != 8'd0) begin
					cnt_clear <= 1'b1;
					cnt_frame_errors <= 0;
					cnt_seq_errors <= 0;
				end
				sw <= 0;
				sret <= S_REPLY;
				state <= S_SWEEP;
			end
			S_RST_VAL:
				if (cfg_written) begin
					cfg_written <= 1'b0;
					cfg_bad <= 1'b0;
					v_reg <= 5'd0;
					mem_write <= 1'b0;
					mem_region <= REGION_GLOBAL;
					mem_core <= 16'd0;
					mem_index <= 32'd0;
					mret <= S_VAL_G;
					state <= S_MEM_REQ;
				end else begin
					state <= S_RST_CLEAR;
				end

			// ---- validation: GLOBAL, then every core's registers ----
			S_VAL_G: begin
				case (mem_index[2:0])
				3'd0: begin
					g_ncores <= mem_rdata[NCB-1:0];
					g_bad <= gw_over_nc;
					g_dims_bad <= 1'b0;
				end
				3'd1: begin g_c <= mem_rdata[IB-1:0]; g_dims_bad <= gw_dim_bad; end
				3'd2: begin g_h <= mem_rdata[IB-1:0]; g_dims_bad <= g_dims_bad | gw_dim_bad; end
				3'd3: begin g_w <= mem_rdata[IB-1:0]; g_dims_bad <= g_dims_bad | gw_dim_bad; end
				default: begin
					g_iroutes <= mem_rdata[IRB-1:0];
					if (gw_over_ir)
						g_bad <= 1'b1;
				end
				endcase
				if (mem_index[2:0] == 3'd4) begin
					state <= S_VAL_GCHK;
				end else begin
					mem_index <= mem_index + 32'd1;
					state <= S_MEM_REQ;
				end
			end
			S_VAL_GCHK: begin
				cfg_bad <= !g_ok;
				in_size <= g_iroutes == {IRB{1'b0}} ? {IB{1'b0}} : g_size[IB-1:0];
				v_core <= 16'd0;
				v_reg <= 5'd0;
				core_on <= {N_CORES{1'b0}};
				mem_region <= REGION_CORE;
				mem_core <= 16'd0;
				mem_index <= 32'd0;
				mret <= S_VAL_RCHK;
				state <= g_ok && CHECK_CONFIG != 0 ? S_MEM_REQ : S_VAL_DONE;
			end
			// the core and route checks: not in the lean layer, whose
			// registers for them are then constants
			S_VAL_R, S_VAL_RCHK, S_VAL_P2, S_VAL_RN, S_VAL_RC, S_VAL_RW, S_VAL_IR:
				if (CHECK_CONFIG != 0) case (state)
				S_VAL_R: begin
					mem_core <= v_core;
					mem_index <= {27'd0, v_reg};
					state <= S_MEM_REQ;
				end
				S_VAL_RCHK: begin
					case (v_reg)
					5'd0: begin
						v_mode <= x[1:0];
						if (v_active && x_nz)
							core_on <= core_on | CORE_ONE << v_core;
					end
					5'd11: v_inh <= x;
					5'd12: v_inw <= x;
					5'd14: v_kh <= x;
					5'd15: v_kw <= x;
					default: ;
					endcase
					v_reg <= v_reg + 5'd1;
					if (!reg_ok) begin
						cfg_bad <= 1'b1;
						state <= S_VAL_DONE;
					end else if (v_reg != 5'd31) begin
						state <= S_VAL_R;
					end else if ({16'd0, v_core} == N_CORES - 1) begin
						v_core <= 16'd0;
						state <= S_VAL_P2;
					end else begin
						v_core <= v_core + 16'd1;
						state <= S_VAL_R;
					end
				end
				S_VAL_P2: begin	// N_NEURONS, ROUTE_COUNT, then the routes of v_core
					mem_region <= REGION_CORE;
					mem_core <= v_core;
					mem_index <= 32'd2;
					mret <= S_VAL_RN;
					state <= S_MEM_REQ;
				end
				S_VAL_RN: begin
					v_rlim <= x;
					mem_index <= 32'd26;
					mret <= S_VAL_RC;
					state <= S_MEM_REQ;
				end
				S_VAL_RC: begin
					v_rcount <= x;
					v_input <= 1'b0;
					v_k <= 32'd0;
					mem_region <= REGION_ROUTE;
					mem_index <= 32'd0;
					mret <= S_VAL_RW;
					state <= S_MEM_REQ;
				end
				S_VAL_RW: begin
					if (v_k[1:0] == 2'd1)
						v_srclo <= x;
					v_k <= v_k + 32'd1;
					mem_index <= v_k + 32'd1;
					state <= S_MEM_REQ;
					if (!route_ok) begin
						cfg_bad <= 1'b1;
						state <= S_VAL_DONE;
					end else if (v_input && v_k == IROUTE_LAST) begin
						state <= S_VAL_DONE;
					end else if (!v_input && v_k == ROUTE_LAST) begin
						v_core <= v_core + 16'd1;
						state <= {16'd0, v_core} == N_CORES - 1 ? S_VAL_IR : S_VAL_P2;
					end
				end
				S_VAL_IR: begin
					v_input <= 1'b1;
					v_rlim <= {{(32-IB){1'b0}}, in_size};
					v_rcount <= {{(32-IRB){1'b0}}, g_iroutes};
					v_k <= 32'd0;
					mem_region <= REGION_INPUT_ROUTE;
					mem_index <= 32'd0;
					state <= S_MEM_REQ;	// mret is still S_VAL_RW
				end
				default: ;
				endcase
			S_VAL_DONE:
				state <= S_RST_CLEAR;

			// ---- STEP n: each step's events in OUTPUT frames, then the reply ----
			S_ST_LOOP:
				if (ctr[15:0] == st_n) begin
					in_step <= 1'b0;
					hdr_op <= f_op | REPLY_BIT;
					kind <= K_WORDS;
					words <= 9'd3;
					state <= S_REPLY;
				end else begin
					st_cur <= i_step;
					state <= run_mode ? S_RUN_GO : S_ST_RUN;
				end

			// ---- RUN: CLEAR (the reset of level 0), then STEP's loop with
			// each step's inputs from the encoder ----
			S_RUN_BM: begin
				in_step <= 1'b1;
				sw <= 0;
				sret <= S_ST_LOOP;
				state <= bm_dirty ? S_SWEEP : S_ST_LOOP;
			end
			S_RUN_GO: state <= S_RUN_ENC;
			S_RUN_ENC:
				if (!enc_busy)
					state <= S_ST_RUN;
			S_ST_RUN:
				if (i_cmd_ready)
					state <= S_ST_WAIT;
			S_ST_WAIT: begin
				if (take_ev && !run_drop)
					ev_count <= ev_count + 9'd1;
				if (ev_count == MAX_EVENTS || (cmd_done_seen || i_cmd_done)
				    && !i_out_valid && ev_count != 9'd0) begin
					// a full frame, or the rest of the step's events
					hdr_op <= OP_OUTPUT;
					hdr_len <= {5'd0, ev_count + 9'd1, 2'd0};
					kind <= K_BUF;
					words <= ev_count + 9'd1;
					st_events <= st_events + {23'd0, ev_count};
					tret <= S_ST_WAIT;
					state <= S_TX_HDR;
					ev_count <= 9'd0;
				end else if ((cmd_done_seen || i_cmd_done) && !i_out_valid) begin
					state <= S_ST_END;
				end
			end
			S_ST_END: begin
				ctr <= ctr + 1'b1;
				kind <= K_WORDS;
				sw <= 0;
				sret <= S_ST_LOOP;
				state <= bm_dirty ? S_SWEEP : S_ST_LOOP;	// the inputs were used by the first step
				if (cmd_abort_seen) begin
					// the watchdog: a configuration RESET did not check is
					// invalid after all, and this STEP's answer is an ERROR
					cfg_bad <= 1'b1;
					in_step <= 1'b0;
					hdr_op <= OP_ERROR;
					err_code <= E_CONFIG;
					err_detail <= 16'd3;
					sret <= S_REPLY;
					state <= bm_dirty ? S_SWEEP : S_REPLY;
				end
			end

			default:
				state <= S_IDLE;
			endcase
		end
	end

	// ---- outputs ----
	assign o_rx_frame_ready = state == S_IDLE;
	assign o_rx_pay_ready = state == S_RECV || state == S_ECHO_PAY && i_tx_pay_ready;

	assign o_tx_hdr_valid = state == S_TX_HDR || state == S_ECHO_HDR;
	assign o_tx_hdr_op = state == S_ECHO_HDR ? OP_ECHO | REPLY_BIT : hdr_op;
	assign o_tx_hdr_seq = f_seq;
	assign o_tx_hdr_len = state == S_ECHO_HDR ? f_len : hdr_len;
	assign o_tx_pay_valid = state == S_TX_BYTES || state == S_ECHO_PAY && i_rx_pay_valid;
	assign o_tx_pay_data = state == S_ECHO_PAY ? i_rx_pay_data : tx_word[8*bi +: 8];

	assign o_mem_valid = state == S_MEM_REQ || state == S_TX_MREQ;
	assign o_mem_write = mem_write;
	assign o_mem_region = mem_region;
	assign o_mem_core = mem_core;
	assign o_mem_index = mem_index;
	assign o_mem_wdata = mem_wdata;

	assign o_cmd_valid = state == S_CMD_REQ || state == S_ST_RUN;
	assign o_cmd = state == S_ST_RUN ? CMD_STEP : cmd;

	assign o_in_valid = state == S_FD_GO || state == S_RUN_ENC && enc_ev_valid;
	assign o_in_index = state == S_RUN_ENC ? {{(24-EA){1'b0}}, enc_ev_index} : idx[23:0];

	// Outside a STEP nothing should reach the host; if an invalid configuration
	// that RESET let through sends something anyway, it is dropped rather than
	// left to block the array.
	assign o_out_ready = in_step ? state == S_ST_WAIT && (run_drop || ev_count != MAX_EVENTS) : 1'b1;
	assign o_cnt_clear = cnt_clear;
	assign o_cnt_rd = state == S_TX_CWAIT;
	assign o_cnt_sel = wi[3:1];

	assign o_idle = state == S_IDLE && !i_rx_frame_valid;

`ifndef SYNTHESIS
	// State names for waveform viewers (simulation only).
	reg [8*8-1:0] state_ascii;
	always @* begin
		case (state)
		S_BOOT: state_ascii = "boot";
		S_BOOT_CLEAR: state_ascii = "bootclr";
		S_BOOT_SWEEP: state_ascii = "bootswp";
		S_IDLE: state_ascii = "idle";
		S_RECV: state_ascii = "recv";
		S_ECHO_HDR: state_ascii = "echo_hdr";
		S_ECHO_PAY: state_ascii = "echo_pay";
		S_EXEC: state_ascii = "exec";
		S_MEM_REQ: state_ascii = "mem_req";
		S_MEM_WAIT: state_ascii = "mem_wait";
		S_CMD_REQ: state_ascii = "cmd_req";
		S_CMD_WAIT: state_ascii = "cmd_wait";
		S_SWEEP: state_ascii = "sweep";
		S_TX_HDR: state_ascii = "tx_hdr";
		S_TX_FETCH: state_ascii = "tx_fetch";
		S_TX_MREQ: state_ascii = "tx_mreq";
		S_TX_MWAIT: state_ascii = "tx_mwait";
		S_TX_BWAIT: state_ascii = "tx_bwait";
		S_TX_BYTES: state_ascii = "tx_bytes";
		S_ADDR: state_ascii = "addr";
		S_ADDR_DONE: state_ascii = "addr_ok";
		S_WR_RD: state_ascii = "wr_rd";
		S_WR_DATA: state_ascii = "wr_data";
		S_WR_NEXT: state_ascii = "wr_next";
		S_CK_RD: state_ascii = "ck_rd";
		S_CK_BYTES: state_ascii = "ck_bytes";
		S_IN_RD: state_ascii = "in_rd";
		S_IN_IDX: state_ascii = "in_idx";
		S_IN_BIT: state_ascii = "in_bit";
		S_UN_RD: state_ascii = "un_rd";
		S_UN_IDX: state_ascii = "un_idx";
		S_UN_BIT: state_ascii = "un_bit";
		S_FD_RD: state_ascii = "fd_rd";
		S_FD_IDX: state_ascii = "fd_idx";
		S_FD_GO: state_ascii = "fd_go";
		S_RST_CLEAR: state_ascii = "rst_clr";
		S_RST_CNT: state_ascii = "rst_cnt";
		S_RST_VAL: state_ascii = "rst_val";
		S_VAL_G: state_ascii = "val_g";
		S_VAL_GCHK: state_ascii = "val_gchk";
		S_VAL_R: state_ascii = "val_r";
		S_VAL_RCHK: state_ascii = "val_rchk";
		S_VAL_DONE: state_ascii = "val_done";
		S_VAL_P2: state_ascii = "val_p2";
		S_VAL_RN: state_ascii = "val_rn";
		S_VAL_RC: state_ascii = "val_rc";
		S_VAL_RW: state_ascii = "val_rw";
		S_VAL_IR: state_ascii = "val_ir";
		S_ST_LOOP: state_ascii = "st_loop";
		S_ST_RUN: state_ascii = "st_run";
		S_ST_WAIT: state_ascii = "st_wait";
		S_ST_END: state_ascii = "st_end";
		S_RUN_BM: state_ascii = "run_bm";
		S_RUN_GO: state_ascii = "run_go";
		S_RUN_ENC: state_ascii = "run_enc";
		S_REPLY: state_ascii = "reply";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
