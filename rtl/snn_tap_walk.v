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
// position pos mod 2^pw. A row's i x OW is one DSP's, a cycle after the
// row begins; the column and the line are counted.
//
// Timing: i_start (ignored while busy) latches the event but for j0; the
// shape and j0 are the caller's registers, held through the walk. A cycle for a row's
// product, then three cycles a tap out of range and three plus the line
// add's (groups + 3) a tap in range; a row above the map (i < 0) ends the
// walk, as every later one is too. o_done pulses once it has finished;
// o_taps counts the taps added since i_clear, over every walk since (a
// route run's total: no sum of the walks' counts after each walk, whose
// adder was the device's slowest path). KH or KW 0 is no tap.
`default_nettype none

module snn_tap_walk #(
	parameter LA = 14,	// pool line address bits
	parameter AA = 8,	// accumulator word address bits
	parameter COORD_BITS = 12	// a coordinate's bits, signed (AA + 3 to 16)
) (
	input wire i_clk,
	input wire i_rst,
	// the target's shape, held while a walk runs
	input wire [COORD_BITS-1:0] i_oh,	// output rows and columns of the tile (below 2^(COORD_BITS-1))
	input wire [COORD_BITS-1:0] i_ow,
	input wire [7:0] i_kh,	// the kernel
	input wire [7:0] i_kw,
	input wire [7:0] i_groups,	// lines a tap (its channels / 8, rounded up)
	input wire [1:0] i_pw,	// log2 of the positions a word: 0 for eight channels or more
	input wire [AA-1:0] i_plane,	// words from one group of eight channels to the next
	input wire i_clear,	// o_taps to 0
	// an event
	input wire i_start,
	input wire [LA-1:0] i_line,	// tap (0, 0)'s first line
	input wire [COORD_BITS-1:0] i_i0,	// tap (0, 0)'s output row and column, signed
	input wire [COORD_BITS-1:0] i_j0,	// ... i_j0 held through the walk
	output wire o_busy,
	output reg o_done,
	output reg [15:0] o_taps,
	// the line add it runs (snn_line_add's operands)
	// (the line add latches them with o_la_go, so they are the walk's
	// registers, not copies)
	output reg o_la_go,
	output wire [LA-1:0] o_la_line,
	output wire [15:0] o_la_count,
	output wire [AA-1:0] o_la_word,
	output wire [AA-1:0] o_la_step,
	output wire [7:0] o_la_mask,
	input wire i_la_done
);

	localparam [2:0] S_IDLE = 3'd0, S_ROW = 3'd1, S_CHK = 3'd2, S_TAP = 3'd3, S_ADD = 3'd4,
			 S_NEXT = 3'd5;
	reg [2:0] state;
	assign o_busy = state != S_IDLE;

	reg [COORD_BITS-1:0] i, j;	// this tap's output row and column
	reg [LA-1:0] line;	// its first line
	reg [7:0] kx_left, ky_left;	// taps after this one in its row; rows after this one
	reg [31:0] prod;	// i x OW, the row's
	// the tap's position, modulo 2^(AA + 3): its word is AA bits after a
	// shift of at most 3
	wire [AA+2:0] pos = prod[AA+2:0] + j[AA+2:0];

	// the tap's position within the tile (i and j are signed, OH and OW
	// below 2^(COORD_BITS-1)), its row's worked out in S_ROW, the tap's in S_CHK:
	// registered, so that no comparison stands in front of the decisions
	wire i_in = !i[COORD_BITS-1] && i < i_oh;
	wire j_in = !j[COORD_BITS-1] && j < i_ow;
	reg row_in, above, tap_in;	// the row within the tile; above it; the tap
	reg row_end, last_tap;	// the tap is its row's last; the walk's last
	// its word and lanes
	reg [AA-1:0] word, tap_word;
	reg [7:0] mask, tap_mask;
	assign o_la_line = line;	// the tap's: it moves on once the add is done
	assign o_la_count = {8'd0, i_groups};
	assign o_la_word = tap_word;
	assign o_la_step = i_plane;
	assign o_la_mask = tap_mask;
	always @* begin
		case (i_pw)
			2'd0: begin word = pos[AA-1:0]; mask = 8'hFF; end
			2'd1: begin word = pos[AA:1]; mask = pos[0] ? 8'hF0 : 8'h0F; end
			2'd2: begin word = pos[AA+1:2]; mask = 8'h03 << {pos[1:0], 1'b0}; end
			default: begin word = pos[AA+2:3]; mask = 8'h01 << pos[2:0]; end
		endcase
	end

	wire [31:AA+3] unused_prod = prod[31:AA+3];

	always @(posedge i_clk) begin
		o_done <= 1'b0;
		o_la_go <= 1'b0;
		prod <= {{(32 - COORD_BITS){1'b0}}, i} * {{(32 - COORD_BITS){1'b0}}, i_ow};
		case (state)
			S_ROW: begin	// prod is the row's i x OW at the next edge
				row_in <= i_in;
				above <= i[COORD_BITS-1];
				state <= S_CHK;
			end
			S_CHK: begin
				tap_in <= row_in && j_in;
				row_end <= kx_left == 8'd0;
				last_tap <= kx_left == 8'd0 && ky_left == 8'd0;
				tap_word <= word;
				tap_mask <= mask;
				state <= S_TAP;
			end
			S_TAP: if (tap_in) begin
				o_la_go <= 1'b1;
				o_taps <= o_taps + 1'b1;
				state <= S_ADD;
			end else begin
				state <= S_NEXT;
			end
			S_ADD: if (i_la_done)
				state <= S_NEXT;
			// each decision a state of its own, from registers: the walk's
			// decisions were the device's slowest paths on the part
			S_NEXT: if (above || last_tap) begin
				// above the map: so is every later row
				o_done <= 1'b1;
				state <= S_IDLE;
			end else begin	// the next tap
				line <= line + {{(LA - 8){1'b0}}, i_groups};
				state <= S_CHK;
				if (!row_end) begin
					kx_left <= kx_left - 1'b1;
					j <= j - 1'b1;
				end else begin
					ky_left <= ky_left - 1'b1;
					kx_left <= i_kw - 1'b1;
					i <= i - 1'b1;
					j <= i_j0;
					state <= S_ROW;
				end
			end
			default: ;
		endcase
		if (i_start && !o_busy) begin
			line <= i_line;
			i <= i_i0;
			j <= i_j0;
			kx_left <= i_kw - 1'b1;
			ky_left <= i_kh - 1'b1;
			if (i_kh == 8'd0 || i_kw == 8'd0) begin
				o_done <= 1'b1;
				state <= S_IDLE;
			end else begin
				state <= S_ROW;
			end
		end
		if (i_clear)
			o_taps <= 16'd0;
		if (i_rst) begin
			state <= S_IDLE;
			o_done <= 1'b0;
			o_la_go <= 1'b0;
		end
	end

endmodule

`default_nettype wire
