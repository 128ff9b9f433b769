// Step 3's spike scan: pool lines from i_line on, one a cycle, up to the first whose spike bit (40 + i_bit) is set, or i_end.
//
// The contract is docs/rtl.md, "Step 3's accelerators: the contract". A
// read is issued every cycle and its line checked in the next, beside the
// next line's read: a hit stops the scan there, and the one line read
// past it is ignored (the pool is only read, so reading ahead costs
// nothing). The program walks a source's range by starting again at
// o_at + 1.
//
// Timing: i_start (ignored while busy) latches the operands; o_busy is
// high from the next cycle until the last line is checked, and o_done
// pulses in the cycle after that, with o_found and o_at, which hold until
// the next i_start: a hit j lines on from i_line is j + 3 cycles from
// i_start to o_done, none in n = end - line lines n + 2, line >= end 1.
`default_nettype none

module snn_spike_scan #(
	parameter LA = 14	// pool line address bits (the UP5K's 16,384 lines)
) (
	input wire i_clk,
	input wire i_rst,
	// the program's registers: operands latched with i_start
	input wire i_start,
	input wire [LA-1:0] i_line,	// the first line
	input wire [LA:0] i_end,	// the line after the last, at most 2^LA
	input wire i_bit,	// 0: bit 40, 1: bit 41
	output wire o_busy,
	output reg o_done,
	output reg o_found,
	output wire [LA:0] o_at,	// the line found, or i_end
	// the pool: read only
	output wire o_pool_en,
	output wire o_pool_we,
	output wire [7:0] o_pool_be,
	output wire [LA-1:0] o_pool_line,
	output wire [63:0] o_pool_wdata,
	input wire [63:0] i_pool_rdata
);

	reg rd;	// a line is read this cycle
	reg chk;	// the line read last cycle is checked this cycle
	reg [LA-1:0] next;	// the line read this cycle
	reg [LA-1:0] last;	// end - 1, the last line to read (modulo 2^LA: end may be 2^LA)
	reg [LA:0] send;	// end, o_at when none is found
	reg [LA-1:0] at;	// the line checked this cycle; once found, that line
	reg sbit;

	assign o_busy = rd | chk;
	assign o_pool_en = rd;
	assign o_pool_we = 1'b0;
	assign o_pool_be = 8'd0;
	assign o_pool_line = next;
	assign o_pool_wdata = 64'd0;
	assign o_at = o_found ? {1'b0, at} : send;

	// the pool's port is a whole line; the scan needs its spike bits only
	wire unused_rdata = &{1'b0, i_pool_rdata[63:42], i_pool_rdata[39:0]};
	wire hit = chk && (sbit ? i_pool_rdata[41] : i_pool_rdata[40]);

	always @(posedge i_clk) begin
		o_done <= 1'b0;
		chk <= rd && !hit;
		if (rd) begin
			next <= next + 1'b1;
			rd <= next != last;	// an equality, not a comparison with end
		end
		if (rd && !hit)	// at keeps a line found; the line read with it is ignored
			at <= next;
		if (hit) begin
			o_found <= 1'b1;
			o_done <= 1'b1;
			rd <= 1'b0;
		end else if (chk && !rd) begin	// the last line checked, none set
			o_done <= 1'b1;
		end
		if (i_start && !o_busy) begin
			// The comparison with end sets only rd and o_done (next is
			// loaded either way, o_at takes end from send), so its carry
			// chain drives two flip-flops, not a multiplexer on next.
			sbit <= i_bit;
			next <= i_line;
			last <= i_end[LA-1:0] - 1'b1;
			send <= i_end;
			o_found <= 1'b0;
			rd <= {1'b0, i_line} < i_end;
			o_done <= {1'b0, i_line} >= i_end;	// nothing to read: done at once
		end
		if (i_rst) begin
			rd <= 1'b0;
			chk <= 1'b0;
			o_done <= 1'b0;
			o_found <= 1'b0;
		end
	end

endmodule

`default_nettype wire
