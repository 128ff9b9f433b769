// Step 3's line add: count pool lines, one a cycle, added byte by byte (signed) into the masked lanes of accumulator words a step apart.
//
// The contract is docs/rtl.md, "Step 3's accelerators: the contract". It
// is the engine's S_SYN loop (rtl/snn_engine.v, acc_sum) with the address
// arithmetic left to the program, and one stage more: line k is read in
// one cycle, its word word + k x step (and its masked bytes registered)
// in the next, beside line k + 1's read, and its sum written in the one
// after, beside word k + 1's read. The two words differ unless step is 0
// (which the contract rules out for count > 1), so no read meets the
// write of the same word, and a word a later line comes back to was
// written cycles before its read.
//
// Timing: i_start (ignored while busy) latches the operands; o_busy is
// high from the next cycle while lines are read or summed, and o_done
// pulses in the cycle after the last write: count + 3 cycles from i_start
// to o_done, 1 for count 0. The pool is only read (o_pool_we, o_pool_be
// and o_pool_wdata are constant 0).
`default_nettype none

module snn_line_add #(
	parameter LA = 14,	// pool line address bits (the UP5K's 16,384 lines)
	parameter AA = 8,	// accumulator word address bits
	parameter ACC_BITS = 20	// accumulator lane width, 9 .. 32
) (
	input wire i_clk,
	input wire i_rst,
	// the program's registers: operands latched with i_start
	input wire i_start,
	input wire [LA-1:0] i_line,	// the first line
	input wire [15:0] i_count,	// lines
	input wire [AA-1:0] i_word,	// line 0's accumulator word
	input wire [AA-1:0] i_step,	// words from one line's to the next's (mod 2^AA)
	input wire [7:0] i_mask,	// lanes that gain their byte
	output wire o_busy,
	output reg o_done,
	// the pool: read only
	output wire o_pool_en,
	output wire o_pool_we,
	output wire [7:0] o_pool_be,
	output wire [LA-1:0] o_pool_line,
	output wire [63:0] o_pool_wdata,
	input wire [63:0] i_pool_rdata,
	// the accumulators (snn_ram_sdp's ports; lane l at bits l x ACC_BITS)
	output wire o_acc_re,
	output wire [AA-1:0] o_acc_raddr,
	input wire [8*ACC_BITS-1:0] i_acc_rdata,
	output wire o_acc_we,
	output reg [AA-1:0] o_acc_waddr,
	output reg [8*ACC_BITS-1:0] o_acc_wdata
);

	reg rd;	// a line is read from the pool this cycle
	reg ld;	// the line read last cycle is on i_pool_rdata: its word is read
	reg wr;	// the sum of the line read two cycles ago is written
	reg [LA-1:0] line;	// the line read this cycle (when rd)
	reg [AA-1:0] word;	// and its word
	reg [AA-1:0] ld_word;	// the word of the line on i_pool_rdata
	reg [63:0] bytes;	// that line's bytes, the lanes out of the mask zero
	reg [AA-1:0] step;
	reg [7:0] mask;
	reg [15:0] left;	// lines still to read, this cycle's included

	assign o_busy = rd | ld | wr;
	assign o_pool_en = rd;
	assign o_pool_we = 1'b0;
	assign o_pool_be = 8'd0;
	assign o_pool_line = line;
	assign o_pool_wdata = 64'd0;
	assign o_acc_re = ld;
	assign o_acc_raddr = ld_word;
	assign o_acc_we = wr;

	// Each lane of the word read last cycle plus its byte, sign extended:
	// one ACC_BITS carry chain a lane, from flip-flops and the EBR. The
	// line is masked into flip-flops (in the mask's LUTs' logic cells)
	// when it comes, a cycle before the sum: the pool's SPRAM is far from
	// the lanes and slow to its output, and with its route, the mask and
	// the carry chain in one cycle the sum met 48 MHz by 0.03 MHz.
	integer l;
	always @* begin
		for (l = 0; l < 8; l = l + 1)
			o_acc_wdata[ACC_BITS*l +: ACC_BITS] = i_acc_rdata[ACC_BITS*l +: ACC_BITS] +
				{{(ACC_BITS-8){bytes[8*l+7]}}, bytes[8*l +: 8]};
	end

	always @(posedge i_clk) begin
		o_done <= wr && !ld;	// the last sum was written
		ld <= rd;
		wr <= ld;
		if (rd) begin
			ld_word <= word;
			line <= line + 1'b1;
			word <= word + step;
			left <= left - 1'b1;
			rd <= left != 16'd1;
		end
		if (ld) begin
			o_acc_waddr <= ld_word;
			for (l = 0; l < 8; l = l + 1)
				bytes[8*l +: 8] <= mask[l] ? i_pool_rdata[8*l +: 8] : 8'd0;
		end
		if (i_start && !o_busy) begin
			line <= i_line;
			word <= i_word;
			step <= i_step;
			mask <= i_mask;
			left <= i_count;
			rd <= i_count != 16'd0;
			o_done <= i_count == 16'd0;	// nothing to add: done at once
		end
		if (i_rst) begin
			rd <= 1'b0;
			ld <= 1'b0;
			wr <= 1'b0;
			o_done <= 1'b0;
		end
	end

endmodule

`default_nettype wire
