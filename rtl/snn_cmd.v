// Host link command layer: executes the request frames snn_frame_rx checks on the core array and answers each through snn_frame_tx (docs/host-protocol.md).
//
// The frame decoder and dispatcher: one frame at a time, take the report,
// take the payload (the address and arguments into a register; the words
// of WRITE_MEM and INPUT stay in snn_frame_rx's buffer, which it lends
// until the reply is out), check it in the order of the spec (LENGTH,
// CONFIG, ADDRESS/ARG), then act on the array and send exactly one reply;
// a STEP sends its OUTPUT frames first, their events gathered in the same
// buffer. It keeps the sequence check and the CONFIG state, and hands one
// job each to: snn_cmd_tx (the
// reply bytes, ECHO's pass-through), snn_cmd_ident (IDENTIFY's words),
// snn_cmd_input (INPUT's queue; the counters frame_errors and seq_errors
// in the spare words of its RAM), snn_cmd_check (RESET's checks),
// snn_crc32 (CHECKSUM) and snn_rate_encoder (PIXELS, RUN). docs/rtl.md has
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

	localparam [2:0] REGION_GLOBAL = 3'd0;
	localparam [2:0] REGION_INPUT_ROUTE = 3'd5;
	localparam [2:0] REGION_STATE = 3'd6;
	localparam [2:0] REGION_BIAS = 3'd2;

	localparam [1:0] CMD_CLEAR = 2'd0;
	localparam [1:0] CMD_STEP = 2'd1;
	localparam [1:0] CMD_ZERO = 2'd2;

	localparam [7:0] DEVICE_RTL = 8'd2, DEVICE_FPGA = 8'd3;	// IDENTIFY's device kinds
	localparam LC = LINK_COUNTER_BITS;
	localparam [8:0] FRAME_FULL = 9'd256;	// an OUTPUT frame's words: the step and 255 events
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

	// ---- FSM ----
	localparam [5:0] S_BOOT = 6'd0;	// power-on: ZERO, CLEAR, clear the bitmap
	localparam [5:0] S_BOOT_CLEAR = 6'd1;
	localparam [5:0] S_BOOT_SWEEP = 6'd2;
	localparam [5:0] S_IDLE = 6'd3;	// wait for a frame report
	localparam [5:0] S_RECV = 6'd4;	// take the payload
	localparam [5:0] S_EXEC = 6'd5;	// length, opcode and CONFIG checks, dispatch
	localparam [5:0] S_MEM_REQ = 6'd6;	// memory request (returns to mret)
	localparam [5:0] S_MEM_WAIT = 6'd7;
	localparam [5:0] S_CMD_REQ = 6'd8;	// array command (returns to cret)
	localparam [5:0] S_CMD_WAIT = 6'd9;
	localparam [5:0] S_SWEEP = 6'd10;	// the bitmap being cleared (returns to sret)
	localparam [5:0] S_REPLY = 6'd11;	// start the reply set up
	localparam [5:0] S_TX = 6'd12;	// reply going out (returns to S_IDLE or S_ST_WAIT)
	localparam [5:0] S_TX_MREQ = 6'd13;	// ... READ_MEM: its next word from the array
	localparam [5:0] S_TX_MWAIT = 6'd14;
	localparam [5:0] S_TX_CWAIT = 6'd15;	// ... COUNTERS: a counter from the array
	localparam [5:0] S_TX_BWAIT = 6'd16;	// ... the word read: an event from the buffer, or hold
	localparam [5:0] S_ADDR = 6'd17;	// address check of a memory request
	localparam [5:0] S_ADDR_DONE = 6'd18;
	localparam [5:0] S_WR_RD = 6'd19;	// WRITE_MEM: words from the buffer
	localparam [5:0] S_WR_DATA = 6'd20;
	localparam [5:0] S_CK_RD = 6'd21;	// CHECKSUM: read a word
	localparam [5:0] S_CK_BYTES = 6'd22;	// ... and add its four bytes
	localparam [5:0] S_IN_WAIT = 6'd23;	// INPUT: snn_cmd_input at work
	localparam [5:0] S_RST_VAL = 6'd24;	// RESET: after ZERO, the check if written
	localparam [5:0] S_RST_CHK = 6'd25;	// ... snn_cmd_check at work
	localparam [5:0] S_RST_CLEAR = 6'd26;	// ... CLEAR if valid
	localparam [5:0] S_RST_CNT = 6'd27;	// ... counters, bitmap
	localparam [5:0] S_ST_LOOP = 6'd28;	// STEP: next step or the reply
	localparam [5:0] S_ST_RUN = 6'd29;	// ... step command to the array
	localparam [5:0] S_ST_WAIT = 6'd30;	// ... gather its output events
	localparam [5:0] S_ST_END = 6'd31;	// ... clear the bitmap, or the watchdog's error
	localparam [5:0] S_RUN_BM = 6'd32;	// RUN: after CLEAR, the bitmap swept
	localparam [5:0] S_RUN_GO = 6'd33;	// ... a step's encoding started
	localparam [5:0] S_RUN_ENC = 6'd34;	// ... its input spikes to the array
	localparam [5:0] S_TX_LWAIT = 6'd35;	// ... COUNTERS: a link counter from snn_cmd_input

	// Reply payload kinds.
	localparam [1:0] K_WORDS = 2'd0;	// words from const_word
	localparam [1:0] K_MEM = 2'd1;	// READ_MEM: words from the array
	localparam [1:0] K_BUF = 2'd2;	// OUTPUT: step index, then the buffer
	localparam [1:0] K_CNT = 2'd3;	// COUNTERS: 0 .. 5 through the array's port, then const_word

	(* fsm_encoding = "one-hot" *) reg [5:0] state;
	reg [5:0] mret, cret, sret;

	// the frame being executed
	reg [7:0] f_op, f_seq;
	reg [10:0] f_len;	// a good frame's payload is at most 1024 bytes
	reg [10:0] off;	// payload bytes taken
	reg [95:0] arg;	// the first 12 payload bytes
	reg wz, wo;	// the word being received: its bits checked so far all zero, all one
	reg val_bad;	// WRITE_MEM: a word out of the STATE ranges (det: the first)

	// sequence numbers and the state the CONFIG refusals need
	reg have_seq;
	reg [7:0] next_seq;
	reg cfg_written;	// configuration written since the last RESET
	reg cfg_bad;	// the configuration failed RESET's checks

	// reply being set up
	reg err;	// ... is an ERROR
	reg [2:0] err_code;	// E_CRC .. E_CONFIG
	// ... its detail, set with it: the frame's length from the header on
	// (for a LENGTH error), else the value the error names. One register
	// loaded once, not a mux of every value a detail can be at reply time.
	reg [15:0] det;
	reg [1:0] kind;

	// memory and command requests
	reg mem_write;
	reg [1:0] mem_status;
	reg [1:0] cmd;
	reg cmd_done_seen;	// i_cmd_done since the last command was taken
	reg cmd_abort_seen;	// ... and it came with i_cmd_abort
	reg cnt_clear;

	// loops
	reg [XB-1:0] ctr;	// words done (WRITE_MEM, READ_MEM, CHECKSUM), steps done (STEP)
	reg [1:0] bi;	// CHECKSUM: byte of the word
	reg [31:0] st_cur, st_events;
	reg [8:0] ev_w;	// words of the OUTPUT frame so far: the step, then its events at buffer words 1 ..
	reg in_step;	// executing a STEP or RUN request
	reg run_mode;	// ... a RUN: each step's inputs from the encoder
	reg run_drop;	// ... with flag 0: its output events dropped, no OUTPUT frames

	// decisions used before their definitions below
	wire take_frame = state == S_IDLE && i_rx_frame_valid && !in_busy;	// a frame report taken
	wire exec_go;	// S_EXEC: the request passed the length and CONFIG checks
	wire out_go;	// S_ST_WAIT: an OUTPUT frame to send
	wire sweep_go;	// clear the bitmap
	wire echo_pay_ready;	// snn_cmd_tx takes an ECHO's payload
	wire [1:0] tx_bi;	// ... the byte of its word being sent

	// ---- payload fields ----
	wire [7:0] a_region = arg[7:0];
	wire [15:0] a_core = arg[31:16];
	wire [31:0] a_index = arg[63:32];
	wire [15:0] a_count16 = arg[79:64];
	wire [31:0] a_count32 = arg[95:64];
	wire [15:0] a_steps = arg[15:0];

	// words of WRITE_MEM follow its 8-byte address; INPUT's start at once
	wire is_write = f_op == OP_WRITE_MEM;
	wire [9:0] w_off = off[9:0] - (is_write ? 10'd8 : 10'd0);
	wire w_in = !is_write || off >= 11'd8;	// a byte of a word
	wire [8:0] w_nwords = is_write ? f_len[10:2] - 9'd2 : f_len[10:2];	// INPUT: len / 4

	// ---- the address check: the last word of a request ----
	// Every region's words lie below 2^XB: a request reaching beyond is
	// refused here, else the array's answer for its last word decides.
	// (READ_MEM's u16 count is CHECKSUM's u32 with bytes 10, 11 still zero)
	// S_EXEC sets ctr to count - 1 for the check, S_ADDR_DONE to 0 for the
	// words: one adder gives the last word and then each word.
	wire [XB-1:0] m_count = is_write ? {{(XB-9){1'b0}}, w_nwords} : a_count32[XB-1:0];
	// a channel-bias core's BIAS or STATE words: bit 31 set, passed on
	wire a_win = CHAN_BIAS != 0 && a_index[31] &&
		     (a_region == {5'd0, REGION_BIAS} || a_region == {5'd0, REGION_STATE});
	wire [31:0] a_idx = {a_index[31] && !a_win, a_index[30:0]};
	wire [XB:0] m_at = {1'b0, a_idx[XB-1:0]} + {1'b0, ctr};
	wire m_far = a_idx[31:XB] != {(32-XB){1'b0}} || m_at[XB]	// (in S_ADDR)
		|| !is_write && a_count32[31:XB] != {(32-XB){1'b0}};
	wire m_per_core = a_region != {5'd0, REGION_GLOBAL} && a_region != {5'd0, REGION_INPUT_ROUTE};
	wire m_core_bad = m_per_core && {16'd0, a_core} >= N_CORES;
	wire [XB-1:0] mem_index = m_at[XB-1:0];	// the word a request is at

	// ---- the word buffer (snn_frame_rx's): WRITE_MEM words from word 2
	// (after the address), INPUT indices from word 0, OUTPUT events ----
	wire take_pay = i_rx_pay_valid && o_rx_pay_ready;
	wire take_ev = i_out_valid && o_out_ready;
	wire [8:0] tx_wi;
	wire tx_fetch;
	wire in_buf_re;
	wire [7:0] in_buf_raddr;
	wire [31:0] buf_rdata = i_buf_rdata;
	assign o_buf_we = state == S_ST_WAIT && take_ev && !run_drop;
	assign o_buf_waddr = ev_w[7:0];
	assign o_buf_wdata = {i_out_neuron, i_out_core};
	assign o_buf_re = state == S_WR_RD || state == S_TX && tx_fetch || in_buf_re;
	assign o_buf_raddr = state == S_WR_RD ? ctr[7:0] + 8'd2 : state == S_TX ? tx_wi[7:0]
		: in_buf_raddr;	// OUTPUT: word wi from buffer word wi

	// ---- INPUT's queue ----
	wire in_busy, in_refused, in_dirty, in_ev_valid, in_cnt_done;
	wire [8:0] in_pos;
	wire [IB-1:0] in_ev_index, in_size;
	wire [31:0] in_cnt_value;
	wire count_frame_error, count_seq_error;

	snn_cmd_input #(
		.INPUT_MAX(INPUT_MAX),
		.LINK_COUNTER_BITS(LC)
	) u_input (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_start(state == S_EXEC && f_op == OP_INPUT && exec_go && !in_busy),
		.i_count(w_nwords),
		.i_in_size(in_size),
		.i_sweep(sweep_go),
		.i_sweep_all(state == S_BOOT_SWEEP || state == S_RST_CNT && a_region != 8'd0),
		.i_tally(count_frame_error || count_seq_error),
		.i_tally_seq(count_seq_error),
		.i_cnt_rd(state == S_TX_LWAIT),
		.i_cnt_seq(tx_wi[4]),	// words 16, 17 (14, 15: frame_errors)
		.i_cnt_high(tx_wi[0]),
		.o_cnt_done(in_cnt_done),
		.o_cnt_value(in_cnt_value),
		.o_busy(in_busy),
		.o_refused(in_refused),
		.o_pos(in_pos),
		.o_dirty(in_dirty),
		.o_buf_re(in_buf_re),
		.o_buf_raddr(in_buf_raddr),
		.i_buf_rdata(buf_rdata),
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

	// ---- CHECKSUM's CRC, a byte of the word read each time it is ready (nine cycles) ----
	wire [7:0] tx_byte;
	wire [31:0] crc;
	wire crc_ready;
	snn_crc32 u_crc (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_clear(state == S_ADDR_DONE),
		.i_valid(state == S_CK_BYTES),
		.o_ready(crc_ready),
		.i_data(tx_byte),
		.o_crc(crc)
	);

	// ---- reply words that need no fetch ----
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

	// The word the reply asks for: at once, or after a wait state that
	// has it read into a register outside (the array's i_mem_rdata or
	// counter port, snn_cmd_input's RAM output, the buffer's), which holds
	// it until the next fetch. The byte sent (or added to CHECKSUM's CRC)
	// is picked from there: an AND-OR of one-hot selects, then a byte mux;
	// no 32-bit register with six loads and a shift.
	wire cnt_port = tx_wi < 9'd12;	// COUNTERS 0 .. 5 from the array
	// 7, 8 from snn_cmd_input's RAM (their high halves are 0 when 32 bits);
	// 6, dropped, is 0: the bitmap covers the whole tensor, so never
	wire cnt_link = tx_wi >= 9'd14 && (LC > 32 || !tx_wi[0]);
	wire word_now = kind == K_WORDS || kind == K_CNT && !cnt_port && !cnt_link
		|| kind == K_BUF && tx_wi == 9'd0;
	wire word_valid = state == S_TX && tx_fetch && word_now || state == S_TX_MWAIT && i_mem_done
		|| state == S_TX_CWAIT && i_cnt_done || state == S_TX_LWAIT && in_cnt_done
		|| state == S_TX_BWAIT;
	wire w_plain = !err && kind != K_BUF;
	wire is_step = f_op == OP_STEP || f_op == OP_RUN;
	// the first step: each step adds one to i_step (RUN's CLEAR made it 0)
	wire [31:0] st_first = i_step - {16'd0, a_steps};
	wire [31:0] word_now_value = {32{kind == K_BUF}} & st_cur
		| {32{err}} & {det, f_op, 5'd0, err_code}
		| {32{w_plain && f_op == OP_IDENTIFY}} & ident_word
		| {32{w_plain && is_step && tx_wi[1:0] == 2'd0}} & {16'd0, a_steps}
		| {32{w_plain && is_step && tx_wi[1:0] == 2'd1}} & st_first
		| {32{w_plain && is_step && tx_wi[1]}} & st_events
		| {32{w_plain && f_op == OP_CHECKSUM}} & crc;
	wire ck = state == S_CK_BYTES;	// CHECKSUM: the word read (kind is K_WORDS)
	wire [31:0] tx_word = {32{ck || kind == K_MEM}} & i_mem_rdata
		| {32{kind == K_CNT && cnt_port}} & (tx_wi[0] ? i_cnt_value[63:32] : i_cnt_value[31:0])
		| {32{kind == K_CNT && cnt_link}} & in_cnt_value
		| {32{kind == K_BUF && tx_wi != 9'd0}} & buf_rdata
		| {32{word_now && !ck}} & word_now_value;
	wire [1:0] byte_sel = ck ? bi : tx_bi;
	assign tx_byte = tx_word[8 * byte_sel +: 8];

	// ---- the reply sender ----
	wire tx_start = state == S_REPLY || take_frame
		&& i_rx_frame_status == STATUS_GOOD && i_rx_frame_op == OP_ECHO || out_go;
	wire [7:0] tx_op = state == S_IDLE ? OP_ECHO | REPLY_BIT : state == S_REPLY
		? (err ? OP_ERROR : f_op | REPLY_BIT) : OP_OUTPUT;
	reg [8:0] reply_words;
	always @* begin
		case (f_op)
		OP_IDENTIFY, OP_COUNTERS: reply_words = 9'd18;
		OP_READ_MEM: reply_words = a_count16[8:0];
		OP_CHECKSUM: reply_words = 9'd1;
		OP_STEP, OP_RUN: reply_words = 9'd3;
		default: reply_words = 9'd0;
		endcase
		if (err)
			reply_words = 9'd1;
	end
	// (an ECHO is a good frame: at most 1024 bytes)
	wire [10:0] tx_len = state == S_IDLE ? i_rx_frame_len[10:0]
		: {state == S_REPLY ? reply_words : ev_w, 2'd0};
	wire tx_last;

	snn_cmd_tx u_tx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_start(tx_start),
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

	// STATE word check for WRITE_MEM: v in the membrane range (the bits
	// from its sign up all equal), ref <= 15 (bits 4 up zero). Made a byte
	// at a time as the word arrives, the bits so far in wz and wo: no word
	// register.
	wire [7:0] w_pos = w_off[9:2];
	wire w_is_ref = a_index[0] ^ w_pos[0];
	localparam [31:0] W_V_BITS = 32'hFFFFFFFF << (MEMBRANE_BITS - 1), W_REF_BITS = 32'hFFFFFFF0;
	wire [31:0] w_bits = w_is_ref ? W_REF_BITS : W_V_BITS;
	wire [7:0] w_mask = w_bits[8 * w_off[1:0] +: 8];	// the bits of this byte the check covers
	wire w_first = w_off[1:0] == 2'd0;
	wire w_zs = (i_rx_pay_data & w_mask) == 8'd0 && (w_first || wz);	// this byte included
	wire w_os = (i_rx_pay_data | ~w_mask) == 8'hFF && (w_first || wo);
	wire w_ok = w_zs || !w_is_ref && w_os;	// at the word's last byte

	// checks at S_EXEC
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
	wire enc_busy, enc_ev_valid;
	wire [EA-1:0] enc_ev_index;

	snn_rate_encoder #(
		.DEPTH(INPUT_MAX)
	) u_encoder (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_store(pix_store),
		.i_index(ctr[EA-1:0]),	// the value's index (S_RECV)
		.i_value(i_rx_pay_data),
		.i_clear(state == S_RST_VAL && cfg_written),	// a configuration is loaded
		.i_step(state == S_RUN_GO),
		.i_first(ctr == {XB{1'b0}}),
		.i_count({{(EA+1-IB){1'b0}}, in_size}),
		.o_busy(enc_busy),
		.o_ev_valid(enc_ev_valid),
		.i_ev_ready(state == S_RUN_ENC && i_in_ready),
		.o_ev_index(enc_ev_index)
	);

	// an OUTPUT frame: 255 events, or the rest of the step's
	wire step_done = (cmd_done_seen || i_cmd_done) && !i_out_valid;
	assign out_go = state == S_ST_WAIT && (ev_w == FRAME_FULL || step_done && ev_w != 9'd1);
	// The link counters, one tally at a time by snn_cmd_input: a frame is
	// taken, and S_EXEC acts, only while it is idle.
	assign count_frame_error = take_frame && i_rx_frame_status != STATUS_GOOD
		|| state == S_EXEC && !in_busy && (!op_known || !len_ok);
	assign count_seq_error = take_frame && i_rx_frame_status == STATUS_GOOD
		&& have_seq && i_rx_frame_seq != next_seq;

	// the bitmap cleared: at power-on, at RESET, after a step that used inputs
	assign sweep_go = state == S_BOOT_SWEEP && !enc_busy || state == S_RST_CNT && !enc_busy
		|| (state == S_ST_END || state == S_RUN_BM) && in_dirty;

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= S_BOOT;
			mret <= S_IDLE;
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
			have_seq <= 1'b0;
			next_seq <= 8'd0;
			cfg_written <= 1'b1;	// a device starts as if just written
			cfg_bad <= 1'b0;
			err <= 1'b0;
			err_code <= 3'd0;
			det <= 16'd0;
			kind <= K_WORDS;
			mem_write <= 1'b0;
			mem_status <= 2'd0;
			cmd <= CMD_ZERO;
			cmd_done_seen <= 1'b0;
			cmd_abort_seen <= 1'b0;
			cnt_clear <= 1'b0;
			ctr <= {XB{1'b0}};
			bi <= 2'd0;
			st_cur <= 32'd0;
			st_events <= 32'd0;
			ev_w <= 9'd1;
			in_step <= 1'b0;
			run_mode <= 1'b0;
			run_drop <= 1'b0;
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
					run_mode <= 1'b0;
					run_drop <= 1'b0;
					f_seq <= i_rx_frame_seq;
					f_len <= i_rx_frame_len[10:0];
					det <= i_rx_frame_status == STATUS_BAD_CRC ? 16'd0 : i_rx_frame_len;
					off <= 11'd0;
					arg <= 96'd0;
					val_bad <= 1'b0;
					kind <= K_WORDS;
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
					// PIXELS: ctr is the index of the value, the offset
					// from the last of its bytes on (for every op: ctr
					// is set again before any other use)
					if (off == 11'd3)
						ctr[EA-1:0] <= arg[EA-1:0];
					else if (off > 11'd3)
						ctr <= ctr + 1'b1;
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
						if (a_count16 == 16'd0 || a_count16 > 16'd256) begin
							err <= 1'b1;
							err_code <= E_ARG[2:0];
							det <= a_count16;
						end else begin
							ctr <= m_count - 1'b1;	// the last word
							state <= S_ADDR;
						end
					OP_CHECKSUM:
						if (a_count32 == 32'd0) begin
							err <= 1'b1;
							err_code <= E_ARG[2:0];
							det <= 16'd0;
						end else begin
							ctr <= m_count - 1'b1;
							state <= S_ADDR;
						end
					OP_WRITE_MEM: begin
						ctr <= m_count - 1'b1;
						state <= S_ADDR;
					end
					OP_INPUT: state <= S_IN_WAIT;	// snn_cmd_input started at this edge
					OP_PIXELS:
						if (!pix_ok) begin
							err <= 1'b1;
							err_code <= E_ARG[2:0];
							det <= 16'd0;
						end
					OP_RUN:
						if (a_steps == 16'd0 || arg[23:17] != 7'd0 || arg[31:24] != 8'd0) begin
							err <= 1'b1;
							err_code <= E_ARG[2:0];
							det <= {14'd0, a_steps == 16'd0 ? 2'd0 : arg[23:17] != 7'd0 ? 2'd2 : 2'd3};
						end else begin
							st_events <= 32'd0;
							ctr <= {XB{1'b0}};
							ev_w <= 9'd1;
							run_mode <= 1'b1;
							run_drop <= !arg[16];
							cmd <= CMD_CLEAR;
							cret <= S_RUN_BM;
							state <= S_CMD_REQ;
						end
					OP_STEP: begin
						st_events <= 32'd0;
						ctr <= {XB{1'b0}};
						ev_w <= 9'd1;
						in_step <= 1'b1;
						state <= S_ST_LOOP;
					end
					default: ;	// IDENTIFY: the reply; ECHO does not come here
					endcase
				end
			end

			// ---- start the reply set up in err/kind; then idle ----
			S_REPLY: begin
				kind <= err ? K_WORDS : f_op == OP_READ_MEM ? K_MEM : f_op == OP_COUNTERS ? K_CNT
					: K_WORDS;
				mem_write <= 1'b0;
				state <= S_TX;
			end
			S_TX:
				if (tx_last) begin
					state <= in_step ? S_ST_WAIT : S_IDLE;
				end else if (tx_fetch && !word_now) begin
					case (kind)
					K_MEM: state <= S_TX_MREQ;	// word ctr (= wi) from a_index on
					K_CNT: state <= cnt_link ? S_TX_LWAIT : S_TX_CWAIT;	// counter wi / 2
					default: state <= S_TX_BWAIT;	// buffer read of event wi-1 at this edge
					endcase
				end
			S_TX_MREQ:
				if (i_mem_ready)
					state <= S_TX_MWAIT;
			S_TX_MWAIT:
				if (i_mem_done) begin
					ctr <= ctr + 1'b1;
					state <= S_TX;
				end
			S_TX_CWAIT:
				if (i_cnt_done)
					state <= S_TX;
			S_TX_LWAIT:
				if (in_cnt_done)
					state <= S_TX;
			S_TX_BWAIT:
				state <= S_TX;

			// ---- memory request sub-FSM ----
			S_MEM_REQ:
				if (i_mem_ready)
					state <= S_MEM_WAIT;
			S_MEM_WAIT:
				if (i_mem_done) begin
					mem_status <= i_mem_status;
					case (mret)	// (a constant each: Yosys can then recode the FSM)
					S_ADDR_DONE: state <= S_ADDR_DONE;
					S_WR_DATA: state <= S_WR_DATA;
					default: state <= S_CK_BYTES;
					endcase
				end

			// ---- array command sub-FSM ----
			S_CMD_REQ:
				if (i_cmd_ready)
					state <= S_CMD_WAIT;
			S_CMD_WAIT:
				if (cmd_done_seen || i_cmd_done)
					case (cret)
					S_BOOT_CLEAR: state <= S_BOOT_CLEAR;
					S_BOOT_SWEEP: state <= S_BOOT_SWEEP;
					S_RST_VAL: state <= S_RST_VAL;
					S_RST_CNT: state <= S_RST_CNT;
					default: state <= S_RUN_BM;
					endcase

			// ---- the bitmap being cleared ----
			S_SWEEP:
				if (!in_busy)
					case (sret)
					S_REPLY: state <= S_REPLY;
					S_ST_LOOP: state <= S_ST_LOOP;
					default: state <= S_IDLE;
					endcase

			// ---- memory requests: is every word inside the region? ----
			// The words of a region are 0 .. extent-1, so the request is
			// inside if its last word is: one read of that word asks the
			// array, which knows the extents (STATE's depends on N_NEURONS).
			S_ADDR: begin
				mem_write <= 1'b0;
				if (a_region > {5'd0, REGION_STATE} || m_far || m_core_bad) begin
					err <= 1'b1;
					err_code <= E_ADDRESS[2:0];
					det <= 16'd0;
					state <= S_REPLY;
				end else begin
					mret <= S_ADDR_DONE;
					state <= S_MEM_REQ;
				end
			end
			S_ADDR_DONE: begin
				mret <= S_WR_DATA;
				ctr <= {XB{1'b0}};
				state <= S_REPLY;
				if (mem_status != 2'd0) begin
					err <= 1'b1;
					err_code <= E_ADDRESS[2:0];
					det <= 16'd0;
				end else if (is_write) begin
					if (a_region == {5'd0, REGION_STATE} && val_bad) begin
						err <= 1'b1;
						err_code <= E_ARG[2:0];
						// det: the word's position
					end else begin
						state <= S_WR_RD;
					end
				end else if (f_op == OP_CHECKSUM) begin
					state <= S_CK_RD;	// the CRC restarts in this state
				end
			end

			// ---- WRITE_MEM: every word, in order ----
			S_WR_RD:
				if (ctr[8:0] == w_nwords) begin
					if (a_region != {5'd0, REGION_STATE})
						cfg_written <= 1'b1;
					state <= S_REPLY;
				end else begin
					state <= S_WR_DATA;	// buffer read of word i at this edge
				end
			S_WR_DATA: begin
				if (mem_write) begin	// back from the request: the next word
					ctr <= ctr + 1'b1;
					mem_write <= 1'b0;
					state <= S_WR_RD;
				end else begin
					mem_write <= 1'b1;	// o_mem_wdata: the buffer's word, held
					state <= S_MEM_REQ;
				end
			end

			// ---- CHECKSUM: CRC-32 of the words as little-endian bytes ----
			S_CK_RD:
				if (ctr == a_count32[XB-1:0]) begin
					if (crc_ready)	// the last byte is in
						state <= S_REPLY;
				end else begin
					bi <= 2'd0;
					mret <= S_CK_BYTES;
					state <= S_MEM_REQ;
				end
			S_CK_BYTES:
				if (crc_ready) begin	// the CRC takes byte bi of the word
					bi <= bi + 2'd1;
					if (bi == 2'd3) begin
						ctr <= ctr + 1'b1;
						state <= S_CK_RD;
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

			// ---- STEP n: each step's events in OUTPUT frames, then the reply ----
			// (RUN: CLEAR, the reset of level 0, then the same loop with each
			// step's inputs from the encoder)
			S_ST_LOOP:
				if (ctr[15:0] == a_steps) begin
					in_step <= 1'b0;
					state <= S_REPLY;
				end else begin
					st_cur <= i_step;
					state <= run_mode ? S_RUN_GO : S_ST_RUN;
				end
			S_RUN_BM: begin
				in_step <= 1'b1;
				sret <= S_ST_LOOP;
				state <= in_dirty ? S_SWEEP : S_ST_LOOP;
			end
			S_RUN_GO: state <= S_RUN_ENC;
			S_RUN_ENC:
				if (!enc_busy)
					state <= S_ST_RUN;
			S_ST_RUN:
				if (i_cmd_ready)
					state <= S_ST_WAIT;
			S_ST_WAIT: begin
				if (take_ev && !run_drop) begin	// (never with out_go)
					ev_w <= ev_w + 9'd1;
					st_events <= st_events + 1'b1;
				end
				if (out_go) begin
					kind <= K_BUF;
					ev_w <= 9'd1;
					state <= S_TX;	// snn_cmd_tx started at this edge
				end else if (step_done) begin
					state <= S_ST_END;
				end
			end
			S_ST_END: begin
				if (cmd_abort_seen) begin
					// the watchdog: a configuration RESET did not check is
					// invalid after all, and this STEP's answer is an ERROR
					cfg_bad <= 1'b1;
					in_step <= 1'b0;
					err <= 1'b1;
					err_code <= E_CONFIG[2:0];
					det <= {14'd0, 2'd3};
					sret <= S_REPLY;
					state <= in_dirty ? S_SWEEP : S_REPLY;
				end else begin
					ctr <= ctr + 1'b1;
					sret <= S_ST_LOOP;
					state <= in_dirty ? S_SWEEP : S_ST_LOOP;	// the inputs were used by the first step
				end
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

	// the memory port: RESET's checks, or the request of a frame
	wire mem_own = state == S_MEM_REQ || state == S_TX_MREQ;
	assign o_mem_valid = mem_own || chk_mem_valid;
	assign o_mem_write = mem_write;
	assign o_mem_region = chk_busy ? chk_mem_region : a_region[2:0];
	assign o_mem_core = chk_busy ? chk_mem_core : m_per_core ? {{(16-CB){1'b0}}, a_core[CB-1:0]} : 16'd0;
	assign o_mem_index = chk_busy ? {16'd0, chk_mem_index} : {a_win, {(31-XB){1'b0}}, mem_index};
	assign o_mem_wdata = buf_rdata;

	assign o_cmd_valid = state == S_CMD_REQ || state == S_ST_RUN;
	assign o_cmd = state == S_ST_RUN ? CMD_STEP : cmd;

	assign o_in_valid = in_ev_valid || state == S_RUN_ENC && enc_ev_valid;
	assign o_in_index = state == S_RUN_ENC ? {{(24-EA){1'b0}}, enc_ev_index} : {{(24-IB){1'b0}}, in_ev_index};

	// Outside a STEP nothing should reach the host; if an invalid configuration
	// that RESET let through sends something anyway, it is dropped rather than
	// left to block the array.
	assign o_out_ready = in_step ? state == S_ST_WAIT && (run_drop || ev_w != FRAME_FULL) : 1'b1;
	assign o_cnt_clear = cnt_clear;
	assign o_cnt_rd = state == S_TX_CWAIT;
	assign o_cnt_sel = tx_wi[3:1];

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
		S_MEM_REQ: state_ascii = "mem_req";
		S_MEM_WAIT: state_ascii = "mem_wait";
		S_CMD_REQ: state_ascii = "cmd_req";
		S_CMD_WAIT: state_ascii = "cmd_wait";
		S_SWEEP: state_ascii = "sweep";
		S_REPLY: state_ascii = "reply";
		S_TX: state_ascii = "tx";
		S_TX_MREQ: state_ascii = "tx_mreq";
		S_TX_MWAIT: state_ascii = "tx_mwait";
		S_TX_CWAIT: state_ascii = "tx_cwait";
		S_TX_LWAIT: state_ascii = "tx_lwait";
		S_TX_BWAIT: state_ascii = "tx_bwait";
		S_ADDR: state_ascii = "addr";
		S_ADDR_DONE: state_ascii = "addr_ok";
		S_WR_RD: state_ascii = "wr_rd";
		S_WR_DATA: state_ascii = "wr_data";
		S_CK_RD: state_ascii = "ck_rd";
		S_CK_BYTES: state_ascii = "ck_bytes";
		S_IN_WAIT: state_ascii = "in_wait";
		S_RST_VAL: state_ascii = "rst_val";
		S_RST_CHK: state_ascii = "rst_chk";
		S_RST_CLEAR: state_ascii = "rst_clr";
		S_RST_CNT: state_ascii = "rst_cnt";
		S_ST_LOOP: state_ascii = "st_loop";
		S_ST_RUN: state_ascii = "st_run";
		S_ST_WAIT: state_ascii = "st_wait";
		S_ST_END: state_ascii = "st_end";
		S_RUN_BM: state_ascii = "run_bm";
		S_RUN_GO: state_ascii = "run_go";
		S_RUN_ENC: state_ascii = "run_enc";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
