// Routing table of one source (a core, or the host input): looks up every route of a spike and emits one event per matching route.
//
// docs/core-array.md, "Routes": a route {dest, src_lo, src_hi, dc, dy, dx}
// takes a source index n with src_lo <= n < src_hi at coordinate (c, y, x)
// to core dest at (c + dc, y + dy, x + dx), or to the host when dest is
// 0xFFFF. The table is four word RAMs, one per route word, so an entry is
// read in one cycle; a route costs two cycles, plus the wait for the event
// to be taken.
`default_nettype none

module snn_route_scan #(
	parameter ROUTES = 8	// entries in the table
) (
	input wire i_clk,
	input wire i_rst,
	// configuration access (region ROUTE or INPUT_ROUTE), only while idle
	input wire i_cfg_we,
	input wire i_cfg_re,
	input wire [31:0] i_cfg_index,	// word index: 4 x entry + word
	input wire [31:0] i_cfg_wdata,
	output wire [31:0] o_cfg_rdata,	// the word read at the last edge with i_cfg_re
	// one source event to route: taken when i_start is high and o_busy low
	input wire i_start,
	input wire [31:0] i_count,	// entries in use (ROUTE_COUNT or INPUT_ROUTES)
	input wire [31:0] i_src,	// the source index n
	input wire signed [31:0] i_c,
	input wire signed [31:0] i_y,
	input wire signed [31:0] i_x,
	output wire o_busy,
	// events out
	output reg o_valid,
	input wire i_ready,
	output reg o_host,	// dest is the host: o_src names the neuron
	output reg [15:0] o_dest,
	output reg signed [31:0] o_c,
	output reg signed [31:0] o_y,
	output reg signed [31:0] o_x,
	output reg [31:0] o_src
);

	localparam DEPTH = ROUTES < 2 ? 2 : ROUTES;
	localparam RW = $clog2(DEPTH);
	localparam [15:0] HOST = 16'hFFFF;

	localparam S_IDLE = 2'd0;
	localparam S_READ = 2'd1;	// reading entry r
	localparam S_EVAL = 2'd2;	// entry r is on the RAM outputs
	localparam S_SEND = 2'd3;	// waiting for the event to be taken
	reg [1:0] state;

	reg [31:0] r;	// entry being looked at
	reg [31:0] count;
	reg signed [31:0] c, y, x;

	wire [31:0] w0, w1, w2, w3;
	wire [RW-1:0] raddr = state == S_IDLE ? i_cfg_index[RW+1:2] : r[RW-1:0];
	wire re = state == S_IDLE ? i_cfg_re : state == S_READ;
	wire [1:0] cfg_word = i_cfg_index[1:0];
	reg [1:0] cfg_word_q;

	genvar g;
	generate
		for (g = 0; g < 4; g = g + 1) begin : word
			wire [31:0] rdata;
			snn_ram_sdp #(.WIDTH(32), .DEPTH(DEPTH)) ram (
				.i_clk(i_clk),
				.i_we(i_cfg_we && cfg_word == g), .i_waddr(i_cfg_index[RW+1:2]),
				.i_wdata(i_cfg_wdata),
				.i_re(re), .i_raddr(raddr), .o_rdata(rdata)
			);
		end
	endgenerate
	assign w0 = word[0].rdata;
	assign w1 = word[1].rdata;
	assign w2 = word[2].rdata;
	assign w3 = word[3].rdata;
	assign o_cfg_rdata = cfg_word_q == 2'd0 ? w0 : cfg_word_q == 2'd1 ? w1 :
			     cfg_word_q == 2'd2 ? w2 : w3;

	wire hit = o_src >= w1 && o_src < w2;
	wire last = r + 1 >= count;

	assign o_busy = state != S_IDLE;

	always @(posedge i_clk) begin
		if (i_cfg_re)
			cfg_word_q <= cfg_word;
		if (i_rst) begin
			state <= S_IDLE;
			o_valid <= 1'b0;
		end else begin
			case (state)
			S_IDLE:
				if (i_start && i_count != 0) begin
					r <= 32'd0;
					count <= i_count;
					o_src <= i_src;
					c <= i_c;
					y <= i_y;
					x <= i_x;
					state <= S_READ;
				end
			S_READ:
				state <= S_EVAL;
			S_EVAL:
				if (hit) begin
					o_valid <= 1'b1;
					o_host <= w0[15:0] == HOST;
					o_dest <= w0[15:0];
					o_c <= c + {{16{w3[15]}}, w3[15:0]};
					o_y <= y + {{16{w3[31]}}, w3[31:16]};
					o_x <= x + {{16{w0[31]}}, w0[31:16]};
					state <= S_SEND;
				end else begin
					r <= r + 1;
					state <= last ? S_IDLE : S_READ;
				end
			S_SEND:
				if (i_ready) begin
					o_valid <= 1'b0;
					r <= r + 1;
					state <= last ? S_IDLE : S_READ;
				end
			default:
				state <= S_IDLE;
			endcase
		end
	end

`ifndef SYNTHESIS
	reg [8*4-1:0] state_ascii;
	always @* begin
		case (state)
		S_IDLE: state_ascii = "IDLE";
		S_READ: state_ascii = "READ";
		S_EVAL: state_ascii = "EVAL";
		default: state_ascii = "SEND";
		endcase
	end
`endif

endmodule

`default_nettype wire
