// The on-device input encoder of PIXELS and RUN: stores one pixel a input and makes each step's input spikes with the spec's deterministic rate encoder.
//
// docs/neuron-model.md, "Input encoding": every input keeps q, 127 at the
// start of a sample; each step q := q + p, and q >= 255 spikes and takes
// 255 off. Since q stays below 255 and grows by p a step, after step t of
// the sample q = (127 + t*p) mod 255, and step t spiked exactly when that
// q is below p. So only p is stored (one byte an input: half the RAM a
// stored q would need) and q is worked out from t mod 255, a counter here,
// with one 8 x 8 product (a DSP block). A step scans inputs 0 ..
// i_count-1, five cycles an input plus the wait for each spike's taker
// (the product reduced mod 255, q, and q < p each get a cycle of their
// own: together with the next state they placed at 35 MHz, two of them at
// 41; 784 inputs take 4,000 cycles a step);
// i_first makes the step the sample's first (t = 1). Requests are taken
// only while idle; the command layer never overlaps them
// (docs/host-protocol.md, "Samples encoded on the device").
`default_nettype none

module snn_rate_encoder #(
	parameter DEPTH = 1024	// inputs held: the command layer's INPUT_MAX
) (
	input wire i_clk,
	input wire i_rst,
	// PIXELS: value p of input i_index (while idle)
	input wire i_store,
	input wire [AW-1:0] i_index,
	input wire [7:0] i_value,
	// zero every p (a configuration was loaded)
	input wire i_clear,
	// one step over inputs 0 .. i_count-1 (i_count <= DEPTH)
	input wire i_step,
	input wire i_first,
	input wire [AW:0] i_count,
	output wire o_busy,
	// the step's spikes, in index order
	output wire o_ev_valid,
	input wire i_ev_ready,
	output wire [AW-1:0] o_ev_index
);

	localparam AW = DEPTH < 2 ? 1 : $clog2(DEPTH);
	localparam [31:0] LAST32 = DEPTH - 1;
	localparam [AW:0] LAST = LAST32[AW:0];

	localparam [2:0] S_IDLE = 3'd0, S_CLEAR = 3'd1, S_READ = 3'd2, S_MUL = 3'd3, S_Q = 3'd4,
			 S_CMP = 3'd5, S_CALC = 3'd6, S_SPIKE = 3'd7;
	reg [2:0] state;
	reg [AW:0] i;
	reg [AW:0] count_m1;	// i_count - 1: the last input an equality, not a sum and one
	reg [7:0] t;	// the step of the sample, mod 255

	// q = (127 + t*p) mod 255: the product's bytes added (256 = 1 mod 255),
	// then 127, each sum brought below 255 by one subtraction
	wire [7:0] p;
	wire [15:0] tp = t * p;	// at most 254 * 255
	wire [8:0] tp_sum = {1'b0, tp[15:8]} + {1'b0, tp[7:0]};	// at most 508
	wire [7:0] tp_mod = tp_sum >= 9'd255 ? tp_sum[7:0] + 8'd1 : tp_sum[7:0];	// - 255
	reg [7:0] tp_mod_r;	// S_MUL's, for S_CALC
	reg last_r;	// i is the step's last input
	wire [8:0] q_sum = {1'b0, tp_mod_r} + 9'd127;	// at most 381
	wire [7:0] q = q_sum >= 9'd255 ? q_sum[7:0] + 8'd1 : q_sum[7:0];
	reg [7:0] q_r;	// S_Q's
	reg spike;	// S_CMP's q < p, for S_CALC

	// PIXELS's stores while idle, the zeroes of i_clear
	wire we = state == S_IDLE && i_store || state == S_CLEAR;
	wire [AW-1:0] waddr = state == S_IDLE ? i_index : i[AW-1:0];
	wire [7:0] wdata = state == S_IDLE ? i_value : 8'd0;

	snn_ram_sdp #(
		.WIDTH(8),
		.DEPTH(DEPTH < 2 ? 2 : DEPTH)
	) u_ram (
		.i_clk(i_clk),
		.i_we(we),
		.i_waddr(waddr),
		.i_wdata(wdata),
		.i_re(state == S_READ),
		.i_raddr(i[AW-1:0]),
		.o_rdata(p)
	);

	always @(posedge i_clk)
		if (i_rst) begin
			state <= S_CLEAR;	// block RAM starts undefined
			i <= {(AW+1){1'b0}};
			count_m1 <= {(AW+1){1'b0}};
			t <= 8'd0;
		end else case (state)
		S_IDLE:
			if (i_clear) begin
				i <= {(AW+1){1'b0}};
				state <= S_CLEAR;
			end else if (i_step) begin
				i <= {(AW+1){1'b0}};
				count_m1 <= i_count - 1'b1;
				t <= i_first ? 8'd1 : t == 8'd254 ? 8'd0 : t + 8'd1;
				state <= i_count == {(AW+1){1'b0}} ? S_IDLE : S_READ;
			end
		S_CLEAR: begin
			i <= i + 1'b1;
			if (i == LAST)
				state <= S_IDLE;
		end
		S_READ: state <= S_MUL;	// the word is out of the RAM after this edge
		S_MUL: begin
			tp_mod_r <= tp_mod;
			last_r <= i == count_m1;
			state <= S_Q;
		end
		S_Q: begin
			q_r <= q;
			state <= S_CMP;
		end
		S_CMP: begin
			spike <= q_r < p;
			state <= S_CALC;
		end
		S_CALC:
			if (spike)
				state <= S_SPIKE;
			else if (last_r)
				state <= S_IDLE;
			else begin
				i <= i + 1'b1;
				state <= S_READ;
			end
		S_SPIKE:
			if (i_ev_ready) begin
				if (last_r) begin
					state <= S_IDLE;
				end else begin
					i <= i + 1'b1;
					state <= S_READ;
				end
			end
		endcase

	assign o_busy = state != S_IDLE;
	assign o_ev_valid = state == S_SPIKE;
	assign o_ev_index = i[AW-1:0];

endmodule

`default_nettype wire
