// Step 3's tap walk: one event's taps into a stride-1 conv core, each tap in range a run of the line add.
//
// The contract is docs/rtl.md, "Step 3's accelerators: the contract". It
// is the engine's S_EV path (rtl/snn_engine.v) for stride 1, without the
// event's coordinates: the program works out, for the event's channel,
// the first tap's pool line and (i0, j0), the output position of tap
// (ky, kx) = (0, 0); tap (ky, kx) lands on (i0 - ky, j0 - kx), and its
// OUT_NC channels are the groups lines from line + (ky KW + kx) groups.
// Every tap whose position is within OH x OW is one line add of groups
// lines into the words from pos = (i0 - ky) OW + (j0 - kx) (a plane
// apart), or, for a core of fewer than eight channels (pw = log2 of the
// positions a word), of one line into word pos >> pw, the lanes of
// position pos mod 2^pw. The only product, i0 x OW, is one DSP's once a
// walk; every other position and line is counted.
//
// Timing: i_start (ignored while busy) latches the event; the shape is
// the caller's registers, held through the walk. Two cycles for the
// product, then a cycle a tap out of range and a cycle plus the line
// add's (groups + 3) a tap in range; a row above the map (i < 0) ends the
// walk, as every later one is too. o_done pulses once it has finished,
// with o_taps the taps added, held until the next i_start. KH or KW 0 is
// no tap.
`default_nettype none

module snn_tap_walk #(
	parameter LA = 14,	// pool line address bits
	parameter AA = 8	// accumulator word address bits
) (
	input wire i_clk,
	input wire i_rst,
	// the target's shape, held while a walk runs
	input wire [15:0] i_oh,	// output rows and columns of the tile (below 2^15)
	input wire [15:0] i_ow,
	input wire [7:0] i_kh,	// the kernel
	input wire [7:0] i_kw,
	input wire [7:0] i_groups,	// lines a tap (its channels / 8, rounded up)
	input wire [1:0] i_pw,	// log2 of the positions a word: 0 for eight channels or more
	input wire [AA-1:0] i_plane,	// words from one group of eight channels to the next
	// an event
	input wire i_start,
	input wire [LA-1:0] i_line,	// tap (0, 0)'s first line
	input wire [15:0] i_i0,	// tap (0, 0)'s output row and column, signed
	input wire [15:0] i_j0,
	output wire o_busy,
	output reg o_done,
	output reg [15:0] o_taps,
	// the line add it runs (snn_line_add's operands)
	output reg o_la_go,
	output reg [LA-1:0] o_la_line,
	output reg [15:0] o_la_count,
	output reg [AA-1:0] o_la_word,
	output reg [AA-1:0] o_la_step,
	output reg [7:0] o_la_mask,
	input wire i_la_done
);

	localparam [2:0] S_IDLE = 3'd0, S_MUL = 3'd1, S_POS = 3'd2, S_TAP = 3'd3, S_ADD = 3'd4;
	reg [2:0] state;
	assign o_busy = state != S_IDLE;

	reg [15:0] i, j, j0;	// this tap's output row and column
	reg [15:0] pos, pos_row;	// its position; the row's first tap's
	reg [LA-1:0] line;	// its first line
	reg [7:0] kx_left, ky_left;	// taps after this one in its row; rows after this one
	reg [31:0] prod;	// i0 x OW

	// the tap's position within the tile: i and j are signed, OH and OW
	// below 2^15
	wire i_in = !i[15] && i < i_oh;
	wire j_in = !j[15] && j < i_ow;
	// its word and lanes
	reg [AA-1:0] word;
	reg [7:0] mask;
	always @* begin
		case (i_pw)
			2'd0: begin word = pos[AA-1:0]; mask = 8'hFF; end
			2'd1: begin word = pos[AA:1]; mask = pos[0] ? 8'hF0 : 8'h0F; end
			2'd2: begin word = pos[AA+1:2]; mask = 8'h03 << {pos[1:0], 1'b0}; end
			default: begin word = pos[AA+2:3]; mask = 8'h01 << pos[2:0]; end
		endcase
	end

	wire last_tap = kx_left == 8'd0 && ky_left == 8'd0;
	wire [31:0] unused_prod = prod;	// the positions are modulo 2^16

	always @(posedge i_clk) begin
		o_done <= 1'b0;
		o_la_go <= 1'b0;
		prod <= {16'd0, i} * {16'd0, i_ow};
		case (state)
			S_MUL: state <= S_POS;	// prod is i0 x OW at the next edge
			S_POS: begin
				pos <= prod[15:0] + j0;
				pos_row <= prod[15:0] + j0;
				state <= S_TAP;
			end
			S_TAP, S_ADD: if (state == S_TAP && i_in && j_in) begin
				o_la_go <= 1'b1;
				o_la_line <= line;
				o_la_count <= {8'd0, i_groups};
				o_la_word <= word;
				o_la_step <= i_plane;
				o_la_mask <= mask;
				o_taps <= o_taps + 1'b1;
				state <= S_ADD;
			end else if (state == S_TAP && i[15] || last_tap && (state == S_TAP || i_la_done)) begin
				// above the map: so is every later row
				o_done <= 1'b1;
				state <= S_IDLE;
			end else if (state == S_TAP || i_la_done) begin	// the next tap
				line <= line + {{(LA - 8){1'b0}}, i_groups};
				state <= S_TAP;
				if (kx_left != 8'd0) begin
					kx_left <= kx_left - 1'b1;
					j <= j - 1'b1;
					pos <= pos - 1'b1;
				end else begin
					ky_left <= ky_left - 1'b1;
					kx_left <= i_kw - 1'b1;
					i <= i - 1'b1;
					j <= j0;
					pos <= pos_row - i_ow;
					pos_row <= pos_row - i_ow;
				end
			end
			default: ;
		endcase
		if (i_start && !o_busy) begin
			line <= i_line;
			i <= i_i0;
			j <= i_j0;
			j0 <= i_j0;
			kx_left <= i_kw - 1'b1;
			ky_left <= i_kh - 1'b1;
			o_taps <= 16'd0;
			if (i_kh == 8'd0 || i_kw == 8'd0) begin
				o_done <= 1'b1;
				state <= S_IDLE;
			end else begin
				state <= S_MUL;
			end
		end
		if (i_rst) begin
			state <= S_IDLE;
			o_done <= 1'b0;
			o_la_go <= 1'b0;
		end
	end

endmodule

`default_nettype wire
