// Step 3's route run: a route's source positions into a core, each spike a dense row of the line add or a conv event of the tap walk.
//
// The contract is docs/rtl.md, "Step 3's accelerators: the contract". The
// program's event loop without the program: it hands over a route and
// the target's sizes, and the run finds the spikes and adds them. Count
// positions p from the first on (1 to 2^16; 0 is 2^16), one after the
// other:
// - line mode: p is a neuron's pool line, spiking if its bit 40 + bit is
//   set; two cycles a position;
// - map mode: p is a bit of a bitmap in the pool, bit p mod 64 of line p
//   / 64 (the step's inputs); a cycle a position, two more a byte (a
//   byte is held, not the line: 56 flip-flops fewer).
// Each position has a coordinate (c, y, x), counted from the first's (the
// route's offsets already added) up along the positions: x from i_x0 to
// i_x_end, then y from i_y0 to i_y_end, then c; COORD_BITS bits, signed. A
// spike is an event at its coordinate if 0 <= c < IN_C, 0 <= y < LIM_H
// and 0 <= x < LIM_W:
// - dense target (i_conv 0; LIM_H, LIM_W its IN_H, IN_W): axon a = (c
//   IN_H + y) IN_W + x (16 bits: the program's IN_C IN_H IN_W is below
//   2^16); if a < N_AXONS, the row of LINES lines from SYN + a LINES
//   (modulo 2^LA) is added into the accumulator words from 0 (step 1,
//   every lane), a line add whose count is the caller's LINES;
// - conv target (LIM_H, LIM_W the pooled map's rows and columns times the
//   pool): a tap walk from line SYN + c LINES (modulo 2^LA, LINES a
//   channel's) and (i0, j0) = ((y >> PS) + PDY, (x >> PS) + PDX).
// The products are one DSP's, with its adder, a cycle each. With find, the run stops at
// the first spike instead and answers its position (the program's spike
// search: a line mode run of the spike scan's contract).
//
// The position, the count and the coordinate are this block's counters,
// which the caller's register writes set directly (i_set_*, while idle):
// a run goes on from where the last one ended (the next position and its
// coordinate) unless they are set again, so that a route runs in parts
// without its coordinate worked out again. The target's fields and the
// walk's wraps are the caller's registers, held while a run lasts.
// Timing: i_start (ignored while busy) starts it; o_done pulses once the
// last position is done, with o_result the rows (dense) or taps (conv,
// the tap walk's count, which the caller clears with i_start) added, or
// with find {1, 0, the line} for a spike found and 0 for none, held until
// the next i_start.
`default_nettype none

module snn_route_run #(
	parameter LA = 14,	// pool line address bits, 11 to 15
	parameter COORD_BITS = 12	// a coordinate's bits, signed (2 to 16): the limits below 2^(COORD_BITS-1)
) (
	input wire i_clk,
	input wire i_rst,
	input wire i_start,
	// the caller's register writes, with their word
	input wire [31:0] i_wdata,
	input wire i_set_pos,	// the first position = bits LA+5:0 (lines, or bits of
				// the pool), bitmap source = bit 31
	input wire i_set_count,	// positions = bits 15:0 (0 for 2^16), spike bit 41 (not
				// 40) = bit 30, find = bit 29
	input wire i_set_yx,	// the first position's y = bits COORD_BITS-1:0, x = bits COORD_BITS+15:16
	input wire i_set_c,	// ... and its channel = bits COORD_BITS-1:0
	// the coordinate's walk
	input wire [COORD_BITS-1:0] i_x0,
	input wire [COORD_BITS-1:0] i_x_end,	// the walk's last x (x1 - 1, modulo 2^COORD_BITS)
	input wire [COORD_BITS-1:0] i_y0,
	input wire [COORD_BITS-1:0] i_y_end,	// ... and its last y
	// the target
	input wire i_conv,
	input wire [COORD_BITS-1:0] i_in_c,
	input wire [COORD_BITS-1:0] i_lim_h,
	input wire [COORD_BITS-1:0] i_lim_w,
	input wire [15:0] i_lines,	// a dense row's lines, or a conv channel's
	input wire [15:0] i_aux,	// dense: N_AXONS; conv: PDY (bits COORD_BITS-1:0)
	input wire [COORD_BITS-1:0] i_pdx,	// conv
	input wire [LA-1:0] i_syn,
	input wire i_ps,	// conv: pool 2, not 1
	output wire o_busy,
	output reg o_done,
	output wire [15:0] o_result,
	// the line add it runs (dense): a row from o_line into words 0 ...
	output reg o_la_go,
	output reg [LA-1:0] o_line,	// ... or the tap walk's first line
	input wire i_la_done,
	// the tap walk it runs (conv)
	output reg o_tw_go,
	output reg [COORD_BITS-1:0] o_tw_i0,
	output reg [COORD_BITS-1:0] o_tw_j0,
	input wire i_tw_done,
	input wire [15:0] i_tw_taps,	// the walk's taps since the run's start
	// the pool: read only, while no line add runs
	output wire o_pool_en,
	output wire [LA-1:0] o_pool_line,
	input wire [63:0] i_pool_rdata
);

	localparam [3:0] S_IDLE = 4'd0, S_LRD = 4'd1, S_LCHK = 4'd2, S_MRD = 4'd3, S_MLATCH = 4'd4,
			 S_MCHK = 4'd5, S_EV = 4'd6, S_MUL1 = 4'd7, S_ROW = 4'd8, S_MUL2 = 4'd9,
			 S_AXON = 4'd10, S_MUL3 = 4'd11, S_GO = 4'd12, S_WAIT = 4'd13, S_NEXT = 4'd14,
			 S_START = 4'd15;
	reg [3:0] state;
	assign o_busy = state != S_IDLE;
	reg [15:0] events;	// rows added (dense), or what find found
	reg find;	// stop at a spike
	assign o_result = i_conv && !find ? i_tw_taps : events;

	reg map, sbit;	// the source is a bitmap; bit 41
	reg [LA-1:0] line;	// the line read: the position's (line mode) or its bitmap's
	reg [5:0] bitp;	// map mode: the position's bit in it
	reg [15:0] left;	// positions after this one
	reg [7:0] bits;	// map mode: the bitmap's byte of the position
	reg [COORD_BITS-1:0] c, y, x;	// the position's coordinate
	// the event within the target's input: its channel, row and column,
	// and a dense target's axon, each a register of its own, so that one
	// comparison stands between registers
	reg c_ok, y_ok, x_ok, a_ok;
	wire ok = c_ok && y_ok && x_ok && (i_conv || a_ok);
	// x is the walk's last column, y its last row, and the coordinate's
	// next values: registered each cycle, valid from the cycle after a
	// position's coordinate is set (every position has a check state
	// before S_NEXT), so that S_NEXT's updates have neither a comparison
	// nor a carry chain in front of them
	reg x_last, y_last;
	reg [COORD_BITS-1:0] x_inc, y_inc, c_inc;
	reg [15:0] ma, mb, md;	// the product's operands and addend, registered
	reg [31:0] prod;	// ... and ma x mb + md a cycle later: the DSP's adder

	/* verilator lint_off UNUSEDSIGNAL */	// the word's bits no register here takes
	wire unused_wdata = &{1'b0, i_wdata};
	/* verilator lint_on UNUSEDSIGNAL */
	wire [15:0] unused_prod = prod[31:16];	// the sizes keep products below 2^16 ...
	wire [15:0] low = prod[15:0];	// ... but lines, which are modulo 2^LA

	assign o_pool_en = state == S_LRD || state == S_MRD;
	assign o_pool_line = line;

	// the position's spike
	wire spike_line = sbit ? i_pool_rdata[41] : i_pool_rdata[40];
	wire spike_map = bits[bitp[2:0]];
	// a coordinate within [0, lim): signed, so its sign bit clear
	wire c_in = !c[COORD_BITS-1] && c < i_in_c;
	wire y_in = !y[COORD_BITS-1] && y < i_lim_h;
	wire x_in = !x[COORD_BITS-1] && x < i_lim_w;
	// the DSP's operands of a coordinate (in range when they count: not
	// negative)
	wire [15:0] c16 = {{(16 - COORD_BITS){1'b0}}, c};
	wire [15:0] y16 = {{(16 - COORD_BITS){1'b0}}, y};
	wire [15:0] x16 = {{(16 - COORD_BITS){1'b0}}, x};

	always @(posedge i_clk) begin
		o_done <= 1'b0;
		o_la_go <= 1'b0;
		o_tw_go <= 1'b0;
		prod <= {16'd0, ma} * {16'd0, mb} + {16'd0, md};
		x_last <= x == i_x_end;
		y_last <= y == i_y_end;
		x_inc <= x + 1'b1;
		y_inc <= y + 1'b1;
		c_inc <= c + 1'b1;
		case (state)
			S_LRD: state <= S_LCHK;
			S_LCHK: if (spike_line && find) begin
				events <= {1'b1, {(15 - LA){1'b0}}, line};
				o_done <= 1'b1;
				state <= S_IDLE;
			end else begin
				state <= spike_line ? S_EV : S_NEXT;
			end
			S_MRD: state <= S_MLATCH;
			S_MLATCH: begin
				bits <= i_pool_rdata[8 * bitp[5:3] +: 8];
				state <= S_MCHK;
			end
			S_MCHK: state <= spike_map ? S_EV : S_NEXT;
			// an event: dense, c IN_H + y, then that x IN_W + x (the
			// axon a), then a LINES + SYN; conv, c LINES + SYN
			S_EV: begin
				c_ok <= c_in;
				y_ok <= y_in;
				x_ok <= x_in;
				o_tw_i0 <= (i_ps ? {1'b0, y[COORD_BITS-1:1]} : y) + i_aux[COORD_BITS-1:0];
				o_tw_j0 <= (i_ps ? {1'b0, x[COORD_BITS-1:1]} : x) + i_pdx;
				ma <= c16;
				mb <= i_conv ? i_lines : {{(16 - COORD_BITS){1'b0}}, i_lim_h};
				md <= i_conv ? {{(16 - LA){1'b0}}, i_syn} : y16;
				state <= i_conv ? S_MUL3 : S_MUL1;
			end
			S_MUL1: state <= S_ROW;
			S_ROW: begin
				ma <= low;
				mb <= {{(16 - COORD_BITS){1'b0}}, i_lim_w};
				md <= x16;
				state <= S_MUL2;
			end
			S_MUL2: state <= S_AXON;
			S_AXON: begin
				ma <= low;	// the axon
				mb <= i_lines;
				md <= {{(16 - LA){1'b0}}, i_syn};
				state <= S_MUL3;
			end
			S_MUL3: begin	// prod is the line at the next edge
				a_ok <= ma < i_aux;
				state <= S_GO;
			end
			S_GO: begin	// the line: the row's, or the channel's first tap's
				o_line <= low[LA-1:0];
				state <= ok ? S_START : S_NEXT;
			end
			S_START: begin
				o_la_go <= !i_conv;
				o_tw_go <= i_conv;
				state <= S_WAIT;
			end
			S_WAIT: if (i_conv ? i_tw_done : i_la_done) begin
				if (!i_conv)
					events <= events + 1'b1;
				state <= S_NEXT;
			end
			// the next position, its coordinate counted up
			S_NEXT: begin
				if (left == 16'd0) begin
					o_done <= 1'b1;
					state <= S_IDLE;
				end else if (map) begin
					state <= &bitp[2:0] ? S_MRD : S_MCHK;
				end else begin
					state <= S_LRD;
				end
				left <= left - 1'b1;
				bitp <= bitp + 1'b1;
				if (!map || &bitp)
					line <= line + 1'b1;
				if (!x_last) begin
					x <= x_inc;
				end else begin
					x <= i_x0;
					if (!y_last) begin
						y <= y_inc;
					end else begin
						y <= i_y0;
						c <= c_inc;
					end
				end
			end
			default: ;
		endcase
		if (!o_busy) begin	// the caller's writes; a run's start
			if (i_set_pos) begin
				map <= i_wdata[31];
				line <= i_wdata[31] ? i_wdata[LA+5:6] : i_wdata[LA-1:0];
				bitp <= i_wdata[5:0];
			end
			if (i_set_count) begin
				left <= i_wdata[15:0] - 1'b1;
				sbit <= i_wdata[30];
				find <= i_wdata[29];
			end
			if (i_set_yx) begin
				y <= i_wdata[COORD_BITS-1:0];
				x <= i_wdata[COORD_BITS+15:16];
			end
			if (i_set_c)
				c <= i_wdata[COORD_BITS-1:0];
			if (i_start) begin
				events <= 16'd0;
				state <= map ? S_MRD : S_LRD;
			end
		end
		if (i_rst) begin
			state <= S_IDLE;
			o_done <= 1'b0;
			o_la_go <= 1'b0;
			o_tw_go <= 1'b0;
		end
	end

endmodule

`default_nettype wire
