// Host link command layer: executes the request frames snn_frame_rx checks on the core array and answers each through snn_frame_tx (docs/host-protocol.md).
//
// This module is the frame decoder and dispatcher: one frame at a time,
// take the report, take the payload (the address and arguments into a
// register; the words of WRITE_MEM and INPUT stay in snn_frame_rx's
// buffer, which it lends until the reply is out), check it in the order
// of the spec (LENGTH, CONFIG, then the arguments it can see), hand it to
// the unit that does it and send exactly one reply, an ERROR if the unit
// refused it. It keeps the sequence check, the CONFIG state and the
// ERROR word, and runs power-on and RESET (ZERO, the check, CLEAR, the
// bitmap). One job each elsewhere: snn_cmd_mem (the address check,
// WRITE_MEM, READ_MEM, CHECKSUM), snn_cmd_step (STEP's and RUN's loop and
// their OUTPUT frames), snn_cmd_input (INPUT's queue; the counters
// frame_errors and seq_errors in the spare words of its RAM),
// snn_cmd_check (RESET's checks), snn_rate_encoder (PIXELS, RUN),
// snn_cmd_reply (the reply's words), snn_cmd_ident (IDENTIFY's) and
// snn_cmd_tx (the reply's bytes, ECHO's pass-through). docs/rtl.md has
// the FSM, the cycle costs and which configuration checks RESET makes.
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
	parameter INPUT_MAX = 4096,
	// an engine with channel biases (snn_engine's CHAN_BIAS): bit 31 of a
	// BIAS or STATE index (docs/host-protocol.md, "Address") goes to it as
	// sent, the checks here take the rest of the index
	parameter CHAN_BIAS = 0
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
	// snn_frame_rx's payload buffer (256 x 32), lent until o_rx_release:
	// a frame's words in place, then a STEP's events
	output wire o_rx_release,
	output wire o_buf_we,
	output wire [7:0] o_buf_waddr,
	output wire [31:0] o_buf_wdata,
	output wire o_buf_re,
	output wire [7:0] o_buf_raddr,
	input wire [31:0] i_buf_rdata,
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
	// core array: counters 0 .. 5 through a read port, a 32-bit half at a
	// time (o_cnt_rd, o_cnt_sel and o_cnt_high held until i_cnt_done, the
	// value valid with it)
	output wire o_cnt_rd,
	output wire [2:0] o_cnt_sel,
	output wire o_cnt_high,
	input wire i_cnt_done,
	input wire [31:0] i_cnt_value,
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
	localparam [7:0] OP_PIXELS = 8'h12;
	localparam [7:0] OP_RUN = 8'h13;
	localparam [7:0] OP_COUNTERS = 8'h20;
	localparam [7:0] OP_ECHO = 8'h3F;
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

	localparam [2:0] REGION_STATE = 3'd6;

	localparam [1:0] CMD_CLEAR = 2'd0;
	localparam [1:0] CMD_STEP = 2'd1;
	localparam [1:0] CMD_ZERO = 2'd2;

	localparam [7:0] DEVICE_RTL = 8'd2, DEVICE_FPGA = 8'd3;	// IDENTIFY's device kinds
	localparam LC = LINK_COUNTER_BITS;
	localparam IB = $clog2(INPUT_MAX + 1);	// bits of an input index or C*H*W
	localparam EA = INPUT_MAX < 2 ? 1 : $clog2(INPUT_MAX);	// the encoder's index
	localparam CB = N_CORES < 2 ? 1 : $clog2(N_CORES);	// a core
	// Words of the largest region (docs/config-format.md): a request inside
	// its region lies below 2^XB, and so do its word indices and counts; at
	// least 16 bits, for STEP's count.
	localparam EXT0 = SYN_WORDS > 2 * NEURONS ? SYN_WORDS : 2 * NEURONS;
	localparam EXT1 = SYN_TOTAL > 2 * NEURON_TOTAL ? SYN_TOTAL : 2 * NEURON_TOTAL;
	localparam EXT = EXT0 > EXT1 ? EXT0 : EXT1;
	localparam XB = $clog2(EXT + 1) > 16 ? $clog2(EXT + 1) : 16;

	// ---- the dispatcher's FSM ----
	localparam [4:0] S_BOOT = 5'd0;	// power-on: ZERO, CLEAR, clear the bitmap
	localparam [4:0] S_BOOT_CLEAR = 5'd1;
	localparam [4:0] S_BOOT_SWEEP = 5'd2;
	localparam [4:0] S_IDLE = 5'd3;	// wait for a frame report
	localparam [4:0] S_RECV = 5'd4;	// take the payload
	localparam [4:0] S_EXEC = 5'd5;	// length, opcode and CONFIG checks, dispatch
	localparam [4:0] S_CMD_REQ = 5'd6;	// array command (returns to cret)
	localparam [4:0] S_CMD_WAIT = 5'd7;
	localparam [4:0] S_SWEEP = 5'd8;	// the bitmap being cleared (returns to sret)
	localparam [4:0] S_REPLY = 5'd9;	// start the reply set up
	localparam [4:0] S_TX = 5'd10;	// reply going out
	localparam [4:0] S_MEM = 5'd11;	// snn_cmd_mem at work
	localparam [4:0] S_IN_WAIT = 5'd12;	// snn_cmd_input at work
	localparam [4:0] S_STEP = 5'd13;	// snn_cmd_step at work
	localparam [4:0] S_RST_VAL = 5'd14;	// RESET: after ZERO, the check if written
	localparam [4:0] S_RST_CHK = 5'd15;	// ... snn_cmd_check at work
	localparam [4:0] S_RST_CLEAR = 5'd16;	// ... CLEAR if valid
	localparam [4:0] S_RST_CNT = 5'd17;	// ... counters, bitmap

	(* fsm_encoding = "one-hot" *) reg [4:0] state;
	reg [4:0] cret, sret;

	// the frame being executed
	reg [7:0] f_op, f_seq;
	reg [10:0] f_len;	// a good frame's payload is at most 1024 bytes
	reg [10:0] off;	// payload bytes taken
	reg [95:0] arg;	// the first 12 payload bytes
	reg wz, wo;	// the word being received: its bits checked so far all zero, all one
	reg val_bad;	// WRITE_MEM: a word out of the STATE ranges (det: the first)
	reg [EA-1:0] pix;	// PIXELS: the index of the value being received

	// sequence numbers and the state the CONFIG refusals need
	reg have_seq;
	reg [7:0] next_seq;
	reg cfg_written;	// configuration written since the last RESET
	reg cfg_bad;	// the configuration failed RESET's checks

	// the reply being set up
	reg err;	// ... is an ERROR
	reg [2:0] err_code;	// E_CRC .. E_CONFIG
	// ... its detail, set with it: the frame's length from the header on
	// (for a LENGTH error), else the value the error names. One register
	// loaded once, not a mux of every value a detail can be at reply time.
	reg [15:0] det;

	// array commands
	reg [1:0] cmd;
	reg cmd_done_seen;	// i_cmd_done since the last command was taken
	reg cmd_abort_seen;	// ... and it came with i_cmd_abort
	reg cnt_clear;

	// decisions used before their definitions below
	wire take_frame = state == S_IDLE && i_rx_frame_valid && !in_busy;	// a frame report taken
	wire exec_go;	// S_EXEC: the request passed the length and CONFIG checks
	wire sweep_go;	// clear the bitmap

	// ---- payload fields ----
	wire [7:0] a_region = arg[7:0];
	wire [15:0] a_count16 = arg[79:64];
	wire [31:0] a_count32 = arg[95:64];
	wire [15:0] a_steps = arg[15:0];

	// words of WRITE_MEM follow its 8-byte address; INPUT's start at once
	wire is_write = f_op == OP_WRITE_MEM;
	wire [9:0] w_off = off[9:0] - (is_write ? 10'd8 : 10'd0);
	wire w_in = !is_write || off >= 11'd8;	// a byte of a word
	wire [8:0] w_nwords = is_write ? f_len[10:2] - 9'd2 : f_len[10:2];	// INPUT: len / 4

	wire take_pay = i_rx_pay_valid && o_rx_pay_ready;

	// ---- checks at S_EXEC ----
	reg len_ok, op_known;
	always @* begin
		op_known = 1'b1;
		case (f_op)
		OP_IDENTIFY, OP_COUNTERS: len_ok = f_len[10:0] == 11'd0;
		OP_RESET: len_ok = f_len[10:0] == 11'd1;
		OP_WRITE_MEM: len_ok = f_len[10:0] >= 11'd12 && f_len[1:0] == 2'd0;
		OP_READ_MEM: len_ok = f_len[10:0] == 11'd10;
		OP_CHECKSUM: len_ok = f_len[10:0] == 11'd12;
		OP_INPUT: len_ok = f_len[1:0] == 2'd0;
		OP_STEP: len_ok = f_len[10:0] == 11'd2;
		OP_PIXELS: len_ok = f_len[10:0] >= 11'd5;
		OP_RUN: len_ok = f_len[10:0] == 11'd4;
		default: begin
			len_ok = 1'b1;
			op_known = 1'b0;
		end
		endcase
	end
	wire needs_cfg = f_op == OP_INPUT || f_op == OP_STEP || f_op == OP_PIXELS || f_op == OP_RUN
		|| (is_write || f_op == OP_READ_MEM || f_op == OP_CHECKSUM)
		   && a_region == {5'd0, REGION_STATE};
	wire cfg_refuse = cfg_written || cfg_bad;
	assign exec_go = op_known && len_ok && !(needs_cfg && cfg_refuse);
	wire exec_now = state == S_EXEC && !in_busy && exec_go;	// the request is acted on
	// the arguments' checks (ERROR ARG)
	wire rd_count_bad = a_count16 == 16'd0 || a_count16 > 16'd256;
	wire run_bad = a_steps == 16'd0 || arg[23:17] != 7'd0 || arg[31:24] != 8'd0;

	// STATE word check for WRITE_MEM: v in the membrane range (the bits
	// from its sign up all equal), ref <= 15 (bits 4 up zero). Made a byte
	// at a time as the word arrives, the bits so far in wz and wo: no word
	// register.
	wire [7:0] w_pos = w_off[9:2];
	wire w_is_ref = arg[32] ^ w_pos[0];	// the index's parity and the word's
	localparam [31:0] W_V_BITS = 32'hFFFFFFFF << (MEMBRANE_BITS - 1), W_REF_BITS = 32'hFFFFFFF0;
	wire [31:0] w_bits = w_is_ref ? W_REF_BITS : W_V_BITS;
	wire [7:0] w_mask = w_bits[8 * w_off[1:0] +: 8];	// the bits of this byte the check covers
	wire w_first = w_off[1:0] == 2'd0;
	wire w_zs = (i_rx_pay_data & w_mask) == 8'd0 && (w_first || wz);	// this byte included
	wire w_os = (i_rx_pay_data | ~w_mask) == 8'hFF && (w_first || wo);
	wire w_ok = w_zs || !w_is_ref && w_os;	// at the word's last byte

	// ---- INPUT's queue ----
	wire in_busy, in_refused, in_dirty, in_ev_valid, lnk_done, lnk_rd, lnk_seq, lnk_high;
	wire in_buf_re;
	wire [7:0] in_buf_raddr;
	wire [8:0] in_pos;
	wire [IB-1:0] in_ev_index, in_size;
	wire [31:0] lnk_value;
	wire count_frame_error, count_seq_error;

	snn_cmd_input #(
		.INPUT_MAX(INPUT_MAX),
		.LINK_COUNTER_BITS(LC)
	) u_input (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_start(exec_now && f_op == OP_INPUT),
		.i_count(w_nwords),
		.i_in_size(in_size),
		.i_sweep(sweep_go),
		.i_sweep_all(state == S_BOOT_SWEEP || state == S_RST_CNT && a_region != 8'd0),
		.i_tally(count_frame_error || count_seq_error),
		.i_tally_seq(count_seq_error),
		.i_cnt_rd(lnk_rd),
		.i_cnt_seq(lnk_seq),
		.i_cnt_high(lnk_high),
		.o_cnt_done(lnk_done),
		.o_cnt_value(lnk_value),
		.o_busy(in_busy),
		.o_refused(in_refused),
		.o_pos(in_pos),
		.o_dirty(in_dirty),
		.o_buf_re(in_buf_re),
		.o_buf_raddr(in_buf_raddr),
		.i_buf_rdata(i_buf_rdata),
		.o_in_valid(in_ev_valid),
		.i_in_ready(i_in_ready),
		.o_in_index(in_ev_index)
	);

	// ---- RESET's checks ----
	wire chk_busy, chk_bad, chk_mem_valid;
	wire [2:0] chk_mem_region;
	wire [15:0] chk_mem_core, chk_mem_index;

	snn_cmd_check #(
		.N_CORES(N_CORES),
		.NEURONS(NEURONS),
		.AXONS(AXONS),
		.SYN_WORDS(SYN_WORDS),
		.MEMBRANE_BITS(MEMBRANE_BITS),
		.ROUTES(ROUTES),
		.INPUT_ROUTES(INPUT_ROUTES),
		.MAX_PHASES(MAX_PHASES),
		.NEURON_TOTAL(NEURON_TOTAL),
		.SYN_TOTAL(SYN_TOTAL),
		.ROUTE_TOTAL(ROUTE_TOTAL),
		.CHECK_CONFIG(CHECK_CONFIG),
		.INPUT_MAX(INPUT_MAX)
	) u_check (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_start(state == S_RST_VAL && cfg_written),
		.o_busy(chk_busy),
		.o_bad(chk_bad),
		.o_in_size(in_size),
		.o_mem_valid(chk_mem_valid),
		.i_mem_ready(i_mem_ready),
		.o_mem_region(chk_mem_region),
		.o_mem_core(chk_mem_core),
		.o_mem_index(chk_mem_index),
		.i_mem_done(i_mem_done),
		.i_mem_rdata(i_mem_rdata)
	);

	// ---- memory requests: WRITE_MEM, READ_MEM, CHECKSUM ----
	wire mem_done, mem_bad_addr, mem_bad_value, mem_fetch, mem_fetched;
	wire mem_buf_re, mem_valid, mem_write;
	wire [7:0] mem_buf_raddr;
	wire [2:0] mem_region;
	wire [CB-1:0] mem_core;
	wire [31:0] mem_index, crc;

	snn_cmd_mem #(
		.N_CORES(N_CORES),
		.XB(XB),
		.CHAN_BIAS(CHAN_BIAS)
	) u_mem (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_start(exec_now && (is_write || f_op == OP_READ_MEM && !rd_count_bad
			|| f_op == OP_CHECKSUM && a_count32 != 32'd0)),
		.i_write(is_write),
		.i_checksum(f_op == OP_CHECKSUM),
		.i_region(a_region),
		.i_core(arg[31:16]),
		.i_index(arg[63:32]),
		.i_count(a_count32),	// (READ_MEM's u16 with bytes 10, 11 still zero)
		.i_nwords(w_nwords),
		.i_val_bad(val_bad),
		.o_done(mem_done),
		.o_bad_addr(mem_bad_addr),
		.o_bad_value(mem_bad_value),
		.o_crc(crc),
		.i_fetch(mem_fetch),
		.o_fetched(mem_fetched),
		.o_buf_re(mem_buf_re),
		.o_buf_raddr(mem_buf_raddr),
		.i_buf_rdata(i_buf_rdata),
		.o_mem_valid(mem_valid),
		.i_mem_ready(i_mem_ready),
		.o_mem_write(mem_write),
		.o_mem_region(mem_region),
		.o_mem_core(mem_core),
		.o_mem_index(mem_index),
		.o_mem_wdata(o_mem_wdata),
		.i_mem_done(i_mem_done),
		.i_mem_status(i_mem_status),
		.i_mem_rdata(i_mem_rdata)
	);

	// ---- STEP and RUN ----
	wire step_done, step_abort, step_tx_start, step_tx_output, step_cmd_valid, step_cmd_step;
	wire enc_step, enc_first, enc_on, step_sweep, step_buf_we;
	wire [8:0] step_tx_words;
	wire [31:0] step_word;
	wire [8:0] tx_wi;
	wire tx_last;
	wire enc_busy, enc_ev_valid;
	wire [EA-1:0] enc_ev_index;

	snn_cmd_step u_step (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_start(exec_now && (f_op == OP_STEP || f_op == OP_RUN && !run_bad)),
		.i_run(f_op == OP_RUN),
		.i_drop(!arg[16]),
		.i_steps(a_steps),
		.o_done(step_done),
		.o_abort(step_abort),
		.i_wi(tx_wi[1:0]),
		.o_word(step_word),
		.o_tx_start(step_tx_start),
		.o_tx_output(step_tx_output),
		.o_tx_words(step_tx_words),
		.i_tx_last(tx_last),
		.o_cmd_valid(step_cmd_valid),
		.i_cmd_ready(i_cmd_ready),
		.o_cmd_step(step_cmd_step),
		.i_cmd_done_seen(cmd_done_seen || i_cmd_done),
		.i_cmd_abort_seen(cmd_abort_seen),
		.i_step(i_step),
		.o_enc_step(enc_step),
		.o_enc_first(enc_first),
		.o_enc_on(enc_on),
		.i_enc_busy(enc_busy),
		.o_sweep(step_sweep),
		.i_in_dirty(in_dirty),
		.i_in_busy(in_busy),
		.i_out_valid(i_out_valid),
		.o_out_ready(o_out_ready),
		.i_out_core(i_out_core),
		.i_out_neuron(i_out_neuron),
		.o_buf_we(step_buf_we),
		.o_buf_waddr(o_buf_waddr),
		.o_buf_wdata(o_buf_wdata)
	);

	// ---- PIXELS and RUN: the on-device rate encoder ----
	// PIXELS's values go straight from the receiver into the encoder's RAM,
	// when its length, the configuration and its range (offset + count <=
	// C*H*W) allow: all known from the header and the offset, before the
	// first value, so a refused frame stores nothing.
	localparam PB = (IB > 11 ? IB : 11) + 1;	// offset + count
	localparam [PB-1:0] PIX_BASE = 4;	// the values follow the u32 offset
	wire [PB-1:0] pix_end = {{(PB-IB){1'b0}}, arg[IB-1:0]} + {{(PB-11){1'b0}}, f_len[10:0]} - PIX_BASE;
	wire pix_ok = arg[31:IB] == {(32-IB){1'b0}} && pix_end <= {{(PB-IB){1'b0}}, in_size};
	wire pix_store = state == S_RECV && take_pay && f_op == OP_PIXELS && off >= 11'd4 && len_ok
		&& !cfg_refuse && pix_ok;

	snn_rate_encoder #(
		.DEPTH(INPUT_MAX)
	) u_encoder (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_store(pix_store),
		.i_index(pix),
		.i_value(i_rx_pay_data),
		.i_clear(state == S_RST_VAL && cfg_written),	// a configuration is loaded
		.i_step(enc_step),
		.i_first(enc_first),
		.i_count({{(EA+1-IB){1'b0}}, in_size}),
		.o_busy(enc_busy),
		.o_ev_valid(enc_ev_valid),
		.i_ev_ready(enc_on && i_in_ready),
		.o_ev_index(enc_ev_index)
	);

	// ---- the reply: its words, and the sender ----
	wire [31:0] ident_word;
	snn_cmd_ident #(
		.N_CORES(N_CORES),
		.NEURONS(NEURONS),
		.AXONS(AXONS),
		.SYN_WORDS(SYN_WORDS),
		.WEIGHT_BITS(WEIGHT_BITS),
		.MEMBRANE_BITS(MEMBRANE_BITS),
		.BIAS_BITS(BIAS_BITS),
		.ROUTES(ROUTES),
		.INPUT_ROUTES(INPUT_ROUTES),
		.MAX_PHASES(MAX_PHASES),
		.NEURON_TOTAL(NEURON_TOTAL),
		.SYN_TOTAL(SYN_TOTAL),
		.ROUTE_TOTAL(ROUTE_TOTAL),
		.LANES(LANES),
		.STATE_WORDS(STATE_WORDS),
		.ACC_BITS(ACC_BITS),
		.BUILD_ID(BUILD_ID),
		.DEVICE_KIND(CHECK_CONFIG != 0 ? DEVICE_RTL : DEVICE_FPGA)
	) u_ident (
		.i_wi(tx_wi[4:0]),
		.o_word(ident_word)
	);

	wire [8:0] reply_words;
	wire tx_fetch, word_valid, reply_buf_re;
	wire [1:0] tx_bi;
	wire [7:0] tx_byte, reply_buf_raddr;

	snn_cmd_reply #(
		.LINK_COUNTER_BITS(LC)
	) u_reply (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_output(step_tx_output),
		.i_err(err),
		.i_op(f_op),
		.i_count(a_count16[8:0]),
		.o_words(reply_words),
		.i_fetch(tx_fetch),
		.i_wi(tx_wi),
		.i_bi(tx_bi),
		.o_word_valid(word_valid),
		.o_byte(tx_byte),
		.i_err_word({det, f_op, 5'd0, err_code}),
		.i_ident_word(ident_word),
		.i_step_word(step_word),
		.i_crc(crc),
		.o_mem_fetch(mem_fetch),
		.i_mem_fetched(mem_fetched),
		.i_mem_rdata(i_mem_rdata),
		.o_cnt_rd(o_cnt_rd),
		.o_cnt_sel(o_cnt_sel),
		.o_cnt_high(o_cnt_high),
		.i_cnt_done(i_cnt_done),
		.i_cnt_value(i_cnt_value),
		.o_lnk_rd(lnk_rd),
		.o_lnk_seq(lnk_seq),
		.o_lnk_high(lnk_high),
		.i_lnk_done(lnk_done),
		.i_lnk_value(lnk_value),
		.o_buf_re(reply_buf_re),
		.o_buf_raddr(reply_buf_raddr),
		.i_buf_rdata(i_buf_rdata)
	);

	// a reply (S_REPLY), an ECHO (taken in S_IDLE) or an OUTPUT frame
	wire echo = take_frame && i_rx_frame_status == STATUS_GOOD && i_rx_frame_op == OP_ECHO;
	wire [7:0] tx_op = state == S_IDLE ? OP_ECHO | REPLY_BIT : state == S_REPLY
		? (err ? OP_ERROR : f_op | REPLY_BIT) : OP_OUTPUT;
	// (an ECHO is a good frame: at most 1024 bytes)
	wire [10:0] tx_len = state == S_IDLE ? i_rx_frame_len[10:0]
		: {state == S_REPLY ? reply_words : step_tx_words, 2'd0};
	wire echo_pay_ready;

	snn_cmd_tx u_tx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_start(state == S_REPLY || echo || step_tx_start),
		.i_op(tx_op),
		.i_len(tx_len),
		.i_echo(state == S_IDLE),
		.o_last(tx_last),
		.o_fetch(tx_fetch),
		.o_wi(tx_wi),
		.i_word_valid(word_valid),
		.o_bi(tx_bi),
		.i_byte(tx_byte),
		.i_rx_pay_valid(i_rx_pay_valid),
		.o_rx_pay_ready(echo_pay_ready),
		.i_rx_pay_data(i_rx_pay_data),
		.i_rx_pay_last(i_rx_pay_last),
		.o_tx_hdr_valid(o_tx_hdr_valid),
		.i_tx_hdr_ready(i_tx_hdr_ready),
		.o_tx_hdr_op(o_tx_hdr_op),
		.o_tx_hdr_len(o_tx_hdr_len),
		.o_tx_pay_valid(o_tx_pay_valid),
		.i_tx_pay_ready(i_tx_pay_ready),
		.o_tx_pay_data(o_tx_pay_data)
	);

	// The link counters, one tally at a time by snn_cmd_input: a frame is
	// taken, and S_EXEC acts, only while it is idle.
	assign count_frame_error = take_frame && i_rx_frame_status != STATUS_GOOD
		|| state == S_EXEC && !in_busy && (!op_known || !len_ok);
	assign count_seq_error = take_frame && i_rx_frame_status == STATUS_GOOD
		&& have_seq && i_rx_frame_seq != next_seq;

	// the bitmap cleared: at power-on, at RESET, after a step that used inputs
	assign sweep_go = (state == S_BOOT_SWEEP || state == S_RST_CNT) && !enc_busy || step_sweep;

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= S_BOOT;
			cret <= S_IDLE;
			sret <= S_IDLE;
			f_op <= 8'd0;
			f_seq <= 8'd0;
			f_len <= 11'd0;
			off <= 11'd0;
			arg <= 96'd0;
			wz <= 1'b0;
			wo <= 1'b0;
			val_bad <= 1'b0;
			pix <= {EA{1'b0}};
			have_seq <= 1'b0;
			next_seq <= 8'd0;
			cfg_written <= 1'b1;	// a device starts as if just written
			cfg_bad <= 1'b0;
			err <= 1'b0;
			err_code <= 3'd0;
			det <= 16'd0;
			cmd <= CMD_ZERO;
			cmd_done_seen <= 1'b0;
			cmd_abort_seen <= 1'b0;
			cnt_clear <= 1'b0;
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
				sret <= S_IDLE;
				state <= S_SWEEP;
			end

			// ---- a frame ----
			S_IDLE:
				if (take_frame) begin
					f_op <= i_rx_frame_op;
					f_seq <= i_rx_frame_seq;
					f_len <= i_rx_frame_len[10:0];
					det <= i_rx_frame_status == STATUS_BAD_CRC ? 16'd0 : i_rx_frame_len;
					off <= 11'd0;
					arg <= 96'd0;
					val_bad <= 1'b0;
					err <= 1'b0;
					if (i_rx_frame_status != STATUS_GOOD) begin
						// not trusted: no sequence check, nothing acted on
						err <= 1'b1;
						err_code <= i_rx_frame_status == STATUS_BAD_CRC ? E_CRC[2:0] : E_LENGTH[2:0];
						state <= S_REPLY;
					end else begin
						have_seq <= 1'b1;
						next_seq <= i_rx_frame_seq + 8'd1;
						if (i_rx_frame_op == OP_ECHO)
							state <= S_TX;	// snn_cmd_tx started at this edge
						else if (i_rx_frame_len != 16'd0)
							state <= S_RECV;
						else
							state <= S_EXEC;
					end
				end
			S_RECV:
				if (take_pay) begin
					off <= off + 11'd1;
					if (off < 11'd12)
						case (off[3:0])
						4'd0: arg[7:0] <= i_rx_pay_data;
						4'd1: arg[15:8] <= i_rx_pay_data;
						4'd2: arg[23:16] <= i_rx_pay_data;
						4'd3: arg[31:24] <= i_rx_pay_data;
						4'd4: arg[39:32] <= i_rx_pay_data;
						4'd5: arg[47:40] <= i_rx_pay_data;
						4'd6: arg[55:48] <= i_rx_pay_data;
						4'd7: arg[63:56] <= i_rx_pay_data;
						4'd8: arg[71:64] <= i_rx_pay_data;
						4'd9: arg[79:72] <= i_rx_pay_data;
						4'd10: arg[87:80] <= i_rx_pay_data;
						default: arg[95:88] <= i_rx_pay_data;
						endcase
					if (w_in) begin
						wz <= w_zs;
						wo <= w_os;
						if (w_off[1:0] == 2'd3 && !w_ok && !val_bad && len_ok) begin
							val_bad <= 1'b1;	// (a LENGTH error keeps det)
							det <= {8'd0, w_pos};	// the ARG error's detail
						end
					end
					// PIXELS: the index of the value, the offset from
					// the last of its bytes on
					if (off == 11'd3)
						pix <= arg[EA-1:0];
					else
						pix <= pix + 1'b1;
					if (i_rx_pay_last)
						state <= S_EXEC;
				end

			// ---- checks in the spec's order, then the request ----
			S_EXEC: if (!in_busy) begin	// (a tally may be under way)
				state <= S_REPLY;
				if (!op_known) begin
					err <= 1'b1;
					err_code <= E_OPCODE[2:0];
					det <= 16'd0;
				end else if (!len_ok) begin
					err <= 1'b1;
					err_code <= E_LENGTH[2:0];
					// det: the length
				end else if (needs_cfg && cfg_refuse) begin
					err <= 1'b1;
					err_code <= E_CONFIG[2:0];
					det <= {14'd0, cfg_written ? 2'd1 : 2'd2};
				end else begin
					case (f_op)
					OP_RESET:
						if (a_region > 8'd2) begin
							err <= 1'b1;
							err_code <= E_ARG[2:0];
							det <= {8'd0, a_region};
						end else begin
							// ZERO (level 2), check if written, CLEAR if valid
							cmd <= CMD_ZERO;
							cret <= S_RST_VAL;
							state <= a_region == 8'd2 ? S_CMD_REQ : S_RST_VAL;
							if (a_region == 8'd2)
								cfg_written <= 1'b1;
						end
					OP_READ_MEM:
						if (rd_count_bad) begin
							err <= 1'b1;
							err_code <= E_ARG[2:0];
							det <= a_count16;
						end else begin
							state <= S_MEM;	// snn_cmd_mem started at this edge
						end
					OP_CHECKSUM:
						if (a_count32 == 32'd0) begin
							err <= 1'b1;
							err_code <= E_ARG[2:0];
							det <= 16'd0;
						end else begin
							state <= S_MEM;
						end
					OP_WRITE_MEM: state <= S_MEM;
					OP_INPUT: state <= S_IN_WAIT;	// snn_cmd_input started at this edge
					OP_PIXELS:
						if (!pix_ok) begin
							err <= 1'b1;
							err_code <= E_ARG[2:0];
							det <= 16'd0;
						end
					OP_RUN:
						if (run_bad) begin
							err <= 1'b1;
							err_code <= E_ARG[2:0];
							det <= {14'd0, a_steps == 16'd0 ? 2'd0 : arg[23:17] != 7'd0 ? 2'd2 : 2'd3};
						end else begin
							state <= S_STEP;	// snn_cmd_step started at this edge
						end
					OP_STEP: state <= S_STEP;
					default: ;	// IDENTIFY, COUNTERS: the reply; ECHO does not come here
					endcase
				end
			end

			// ---- the reply, then idle ----
			S_REPLY: state <= S_TX;	// snn_cmd_tx started at this edge
			S_TX:
				if (tx_last)
					state <= S_IDLE;

			// ---- array command sub-FSM ----
			S_CMD_REQ:
				if (i_cmd_ready)
					state <= S_CMD_WAIT;
			S_CMD_WAIT:
				if (cmd_done_seen || i_cmd_done)
					case (cret)	// (a constant each: Yosys can then recode the FSM)
					S_BOOT_CLEAR: state <= S_BOOT_CLEAR;
					S_BOOT_SWEEP: state <= S_BOOT_SWEEP;
					S_RST_VAL: state <= S_RST_VAL;
					default: state <= S_RST_CNT;
					endcase

			// ---- the bitmap being cleared ----
			S_SWEEP:
				if (!in_busy)
					state <= sret == S_REPLY ? S_REPLY : S_IDLE;

			// ---- WRITE_MEM, READ_MEM, CHECKSUM: snn_cmd_mem at work ----
			S_MEM:
				if (mem_done) begin
					state <= S_REPLY;
					if (mem_bad_addr) begin
						err <= 1'b1;
						err_code <= E_ADDRESS[2:0];
						det <= 16'd0;
					end else if (mem_bad_value) begin
						err <= 1'b1;
						err_code <= E_ARG[2:0];
						// det: the word's position
					end else if (is_write && a_region != {5'd0, REGION_STATE}) begin
						cfg_written <= 1'b1;
					end
				end

			// ---- INPUT: snn_cmd_input checks, queues or refuses ----
			S_IN_WAIT:
				if (!in_busy) begin
					state <= S_REPLY;
					if (in_refused) begin
						err <= 1'b1;
						err_code <= E_ARG[2:0];
						det <= {7'd0, in_pos};
					end
				end

			// ---- STEP, RUN: snn_cmd_step at work ----
			S_STEP:
				if (step_done) begin
					state <= S_REPLY;
					if (step_abort) begin
						// the watchdog: a configuration RESET did not check
						// is invalid after all, and the answer an ERROR
						cfg_bad <= 1'b1;
						err <= 1'b1;
						err_code <= E_CONFIG[2:0];
						det <= {14'd0, 2'd3};
					end
				end

			// ---- RESET ----
			S_RST_VAL: begin
				if (cfg_written)
					cfg_written <= 1'b0;	// snn_cmd_check started at this edge
				state <= cfg_written ? S_RST_CHK : S_RST_CLEAR;
			end
			S_RST_CHK:
				if (!chk_busy) begin
					cfg_bad <= chk_bad;
					state <= S_RST_CLEAR;
				end
			S_RST_CLEAR: begin	// an invalid configuration is not run, not even CLEAR
				cmd <= CMD_CLEAR;
				cret <= S_RST_CNT;
				state <= cfg_bad ? S_RST_CNT : S_CMD_REQ;
			end
			S_RST_CNT: if (!enc_busy) begin	// the encoder's RAM zeroed, if it was loaded
				if (a_region != 8'd0)
					cnt_clear <= 1'b1;	// and the sweep clears the link counters
				sret <= S_REPLY;
				state <= S_SWEEP;
			end

			default:
				state <= S_IDLE;
			endcase
		end
	end

	// ---- outputs ----
	assign o_rx_frame_ready = state == S_IDLE && !in_busy;
	assign o_rx_release = state == S_IDLE;	// the reply is out
	assign o_rx_pay_ready = state == S_RECV || echo_pay_ready;

	assign o_tx_hdr_seq = f_seq;

	// the word buffer: WRITE_MEM's words, INPUT's indices, OUTPUT's events
	assign o_buf_we = step_buf_we;
	assign o_buf_re = mem_buf_re || reply_buf_re || in_buf_re;
	assign o_buf_raddr = mem_buf_re ? mem_buf_raddr : reply_buf_re ? reply_buf_raddr : in_buf_raddr;

	// the memory port: RESET's checks, or the request of a frame
	assign o_mem_valid = mem_valid || chk_mem_valid;
	assign o_mem_write = mem_write;
	assign o_mem_region = chk_busy ? chk_mem_region : mem_region;
	assign o_mem_core = chk_busy ? chk_mem_core : {{(16-CB){1'b0}}, mem_core};
	assign o_mem_index = chk_busy ? {16'd0, chk_mem_index} : mem_index;

	assign o_cmd_valid = state == S_CMD_REQ || step_cmd_valid;
	assign o_cmd = step_cmd_step ? CMD_STEP : step_cmd_valid ? CMD_CLEAR : cmd;

	assign o_in_valid = in_ev_valid || enc_on && enc_ev_valid;
	assign o_in_index = enc_on ? {{(24-EA){1'b0}}, enc_ev_index} : {{(24-IB){1'b0}}, in_ev_index};

	assign o_cnt_clear = cnt_clear;

	assign o_idle = state == S_IDLE && !i_rx_frame_valid && !in_busy;

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
		S_EXEC: state_ascii = "exec";
		S_CMD_REQ: state_ascii = "cmd_req";
		S_CMD_WAIT: state_ascii = "cmd_wait";
		S_SWEEP: state_ascii = "sweep";
		S_REPLY: state_ascii = "reply";
		S_TX: state_ascii = "tx";
		S_MEM: state_ascii = "mem";
		S_IN_WAIT: state_ascii = "in_wait";
		S_STEP: state_ascii = "step";
		S_RST_VAL: state_ascii = "rst_val";
		S_RST_CHK: state_ascii = "rst_chk";
		S_RST_CLEAR: state_ascii = "rst_clr";
		S_RST_CNT: state_ascii = "rst_cnt";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
