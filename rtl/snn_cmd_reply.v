// The command layer's reply words: how many a reply carries, and each word snn_cmd_tx asks for, fetched from where it is held and picked a byte at a time.
//
// A word is ready at once when a register of the layer holds it (the
// ERROR word, IDENTIFY's, STEP's and RUN's, CHECKSUM's CRC, an OUTPUT
// frame's step index), else after a wait: READ_MEM's word read by
// snn_cmd_mem into the array's read register, a counter's half from the
// array's counter port, a link counter's from snn_cmd_input's RAM, an
// event from the word buffer. Each source holds its word until the next
// fetch, so the byte sent is picked straight from it: each source's byte
// i_bi, then an AND-OR of one-hot selects (about 50 LUT4 fewer than a
// 32-bit AND-OR followed by one byte mux); no word register. docs/rtl.md,
// "snn_cmd".
`default_nettype none

module snn_cmd_reply #(
	parameter LINK_COUNTER_BITS = 64
) (
	input wire i_clk,
	input wire i_rst,
	// the reply: an OUTPUT frame, or the answer to op i_op (an ERROR if i_err)
	input wire i_output,
	input wire i_err,
	input wire [7:0] i_op,
	input wire [8:0] i_count,	// READ_MEM's words
	output reg [8:0] o_words,	// the answer's words
	// snn_cmd_tx's word requests
	input wire i_fetch,
	input wire [8:0] i_wi,
	input wire [1:0] i_bi,
	output wire o_word_valid,
	output wire [7:0] o_byte,
	// words held in the layer's registers
	input wire [31:0] i_err_word,
	input wire [31:0] i_ident_word,
	input wire [31:0] i_step_word,	// snn_cmd_step's, by i_wi
	input wire [31:0] i_crc,
	// READ_MEM's words, read by snn_cmd_mem
	output wire o_mem_fetch,
	input wire i_mem_fetched,
	input wire [31:0] i_mem_rdata,
	// COUNTERS 0 .. 5 through the array's counter port, a half at a time
	output wire o_cnt_rd,
	output wire [2:0] o_cnt_sel,
	output wire o_cnt_high,
	input wire i_cnt_done,
	input wire [31:0] i_cnt_value,
	// COUNTERS 7, 8 from snn_cmd_input's RAM
	output wire o_lnk_rd,
	output wire o_lnk_seq,
	output wire o_lnk_high,
	input wire i_lnk_done,
	input wire [31:0] i_lnk_value,
	// OUTPUT's events from the word buffer
	output wire o_buf_re,
	output wire [7:0] o_buf_raddr,
	input wire [31:0] i_buf_rdata
);

	localparam [7:0] OP_IDENTIFY = 8'h01;
	localparam [7:0] OP_READ_MEM = 8'h04;
	localparam [7:0] OP_CHECKSUM = 8'h05;
	localparam [7:0] OP_STEP = 8'h11;
	localparam [7:0] OP_RUN = 8'h13;
	localparam [7:0] OP_COUNTERS = 8'h20;

	always @* begin
		case (i_op)
		OP_IDENTIFY, OP_COUNTERS: o_words = 9'd18;
		OP_READ_MEM: o_words = i_count;
		OP_CHECKSUM: o_words = 9'd1;
		OP_STEP, OP_RUN: o_words = 9'd3;
		default: o_words = 9'd0;
		endcase
		if (i_err)
			o_words = 9'd1;
	end

	// what the reply carries
	wire plain = !i_output && !i_err;
	wire k_mem = plain && i_op == OP_READ_MEM;
	wire k_cnt = plain && i_op == OP_COUNTERS;
	wire cnt_port = i_wi < 9'd12;	// COUNTERS 0 .. 5 from the array
	// 7, 8 from snn_cmd_input's RAM (their high halves are 0 when 32 bits);
	// 6, dropped, is 0: the bitmap covers the whole tensor, so never
	wire cnt_link = i_wi >= 9'd14 && (LINK_COUNTER_BITS > 32 || !i_wi[0]);
	wire word_now = !k_mem && !(k_cnt && (cnt_port || cnt_link)) && !(i_output && i_wi != 9'd0);

	// the wait for a word not held here
	localparam [2:0] W_NONE = 3'd0, W_MEM = 3'd1, W_CNT = 3'd2, W_LNK = 3'd3, W_BUF = 3'd4;
	reg [2:0] wait_on;
	wire ask = i_fetch && wait_on == W_NONE && !word_now;
	always @(posedge i_clk) begin
		if (i_rst)
			wait_on <= W_NONE;
		else case (wait_on)
		W_NONE:
			if (ask)
				wait_on <= k_mem ? W_MEM : k_cnt ? (cnt_link ? W_LNK : W_CNT) : W_BUF;
		W_MEM: if (i_mem_fetched) wait_on <= W_NONE;
		W_CNT: if (i_cnt_done) wait_on <= W_NONE;
		W_LNK: if (i_lnk_done) wait_on <= W_NONE;
		default: wait_on <= W_NONE;	// W_BUF: the buffer's word is read
		endcase
	end

	assign o_word_valid = i_fetch && wait_on == W_NONE && word_now || wait_on == W_MEM && i_mem_fetched
		|| wait_on == W_CNT && i_cnt_done || wait_on == W_LNK && i_lnk_done || wait_on == W_BUF;

	// byte b of word w
	function [7:0] by(input [31:0] w, input [1:0] b);
		by = w[8 * b +: 8];
	endfunction
	wire is_step = i_op == OP_STEP || i_op == OP_RUN;
	assign o_byte = {8{k_mem}} & by(i_mem_rdata, i_bi)
		| {8{k_cnt && cnt_port}} & by(i_cnt_value, i_bi)
		| {8{k_cnt && cnt_link}} & by(i_lnk_value, i_bi)
		| {8{i_output && i_wi != 9'd0}} & by(i_buf_rdata, i_bi)
		| {8{i_output && i_wi == 9'd0 || plain && is_step}} & by(i_step_word, i_bi)
		| {8{i_err && !i_output}} & by(i_err_word, i_bi)
		| {8{plain && i_op == OP_IDENTIFY}} & by(i_ident_word, i_bi)
		| {8{plain && i_op == OP_CHECKSUM}} & by(i_crc, i_bi);

	assign o_mem_fetch = ask && k_mem;
	assign o_cnt_rd = wait_on == W_CNT;
	assign o_cnt_sel = i_wi[3:1];
	assign o_cnt_high = i_wi[0];
	assign o_lnk_rd = wait_on == W_LNK;
	assign o_lnk_seq = i_wi[4];	// words 16, 17 (14, 15: frame_errors)
	assign o_lnk_high = i_wi[0];
	assign o_buf_re = ask && i_output;	// event wi at buffer word wi
	assign o_buf_raddr = i_wi[7:0];

endmodule

`default_nettype wire
