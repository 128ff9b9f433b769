// The neuron time step as a pipeline: one neuron per clock in, its new state out LATENCY (5) clocks later, bit for bit snn_neuron_step() and snn_neuron_live().
//
// docs/neuron-model.md is the arithmetic; docs/rtl.md, "Engine building
// blocks", has the stages and why they are shaped this way for the
// iCE40UP5K. In short: the leak product is split at bit 8 (v = vh*256 + vl)
// into SB_MAC16 multiply-adds (no arithmetic on L: the factor 256 - L is
// used negated, and -(256 - L) = {1, L}); a third adds the threshold, so the
// sum minus the threshold is ready in the same stage as the sum; sums are
// carried as one's complements, so no subtraction needs inverters; and "does
// the new v leak" (for o_live) compares the new v's low byte with
// floor(255/L) from a table in one EBR instead of multiplying again. No path
// crosses more than one carry chain and a few LUT levels.
//
// Inputs are in the ranges docs/neuron-model.md gives (v in VMIN..VMAX,
// threshold 1..VMAX, bias within BIAS_BITS, acc within ACC_BITS signed);
// tests/rtl/test_rtl_neuron_pipe.cpp checks millions of vectors against the
// C. No stall of its own: a neuron is taken every cycle i_valid is high
// and i_ce is; with i_ce low nothing moves (the engine holds it while it
// waits for a pool line in SDRAM, docs/rtl.md "The pool in SDRAM").
`default_nettype none

module snn_neuron_pipe #(
	parameter MEMBRANE_BITS = 20,	// M: v in -2^(M-1) .. 2^(M-1)-1 (8 .. 31)
	parameter BIAS_BITS = 16,	// 1 .. MEMBRANE_BITS
	parameter ACC_BITS = 24,	// what the configuration's accumulator bound allows (2 .. 32)
	parameter TAG_BITS = 16	// the caller's label, carried alongside (e.g. the neuron's line)
) (
	input wire i_clk,
	input wire i_rst,
	input wire i_ce,	// clock enable: low, every register (and the table's read) holds
	// a neuron in: its state before the step, this step's input, its core's parameters
	input wire i_valid,
	input wire [TAG_BITS-1:0] i_tag,
	input wire [MEMBRANE_BITS-1:0] i_v,	// signed
	input wire [3:0] i_ref,
	input wire [ACC_BITS-1:0] i_acc,	// signed
	input wire [BIAS_BITS-1:0] i_bias,	// signed
	input wire [MEMBRANE_BITS-1:0] i_threshold,	// 1 .. VMAX
	input wire [7:0] i_leak,
	input wire i_reset_mode,	// 0: to zero, 1: by subtraction
	input wire [3:0] i_refractory,
	input wire i_spiking,
	// the same neuron LATENCY cycles later: its state after the step
	output wire o_valid,
	output reg [TAG_BITS-1:0] o_tag,
	output reg [MEMBRANE_BITS-1:0] o_v,
	output reg [3:0] o_ref,
	output reg o_spike,
	output reg o_live	// snn_neuron_live() of the new state
);

	localparam M = MEMBRANE_BITS;
	localparam LATENCY = 5;
	// x = acc + bias
	localparam XW = ((ACC_BITS > BIAS_BITS) ? ACC_BITS : BIAS_BITS) + 1;
	// u = v - floor(v*L/256) + acc + bias fits max(M, XW) + 1 bits
	localparam S = ((M > ACC_BITS) ? M : ACC_BITS) + 2;
	localparam [M-1:0] VMAX = {1'b0, {(M-1){1'b1}}};
	localparam [M-1:0] VMIN = {1'b1, {(M-1){1'b0}}};

	// ---- floor(255 / L), in one EBR ----
	// x in 0..255 leaks (floor(x*L/256) != 0) exactly when x > floor(255/L).
	// Word: {L != 0, floor(255/L)}; L = 0 gives 255, so nothing leaks.
	reg [8:0] leak_table [0:255];
	integer li;
	initial begin
		for (li = 0; li < 256; li = li + 1)
			leak_table[li] = li == 0 ? 9'd255 : {1'b1, 8'd0} | 9'd255 / li[8:0];
	end

	// ---- stage 1: operands of the multiply-adds ----
	wire s0_refr = i_ref != 4'd0;
	wire [M:0] s0_vx = {i_v[M-1], i_v};
	wire [XW-1:0] s0_x = {{(XW-ACC_BITS){i_acc[ACC_BITS-1]}}, i_acc}
		+ {{(XW-BIAS_BITS){i_bias[BIAS_BITS-1]}}, i_bias};
	wire unused_s0 = &{1'b0, s0_vx[7:0], i_threshold[M-1]};

	reg [TAG_BITS-1:0] s1_tag;
	reg signed [M-8:0] s1_vh;	// v >>> 8
	reg [7:0] s1_vl;	// v & 255
	reg [7:0] s1_lg;	// L, or 0 while refractory (v then passes unchanged)
	reg [XW-1:0] s1_nx;	// ~(acc + bias), or ~0 while refractory
	reg [M-2:0] s1_th;	// the threshold (its top bit is 0)
	// Carried to stage 3 in the spare half of a multiply-add's output:
	// L, {bias != 0, refractory, spiking, reset mode}, and the counter after
	// the step if the neuron is refractory or fires.
	reg [7:0] s1_l;
	reg [3:0] s1_fl;
	reg [3:0] s1_rn;

	always @(posedge i_clk)
		if (i_ce) begin
			s1_tag <= i_tag;
			s1_vh <= $signed(s0_vx[M:8]);
			s1_vl <= i_v[7:0];
			s1_lg <= s0_refr ? 8'd0 : i_leak;
			s1_nx <= s0_refr ? {XW{1'b1}} : ~s0_x;
			s1_th <= i_threshold[M-2:0];
			s1_l <= i_leak;
			s1_fl <= {i_bias != {BIAS_BITS{1'b0}}, s0_refr, i_spiking, i_reset_mode};
			s1_rn <= s0_refr ? i_ref - 4'd1 : i_refractory;
		end

	// ---- stage 2: the multiply-adds (SB_MAC16, output registered) ----
	// With r = ceil(vl*(256-L)/256), v - floor(v*L/256) = vh*(256-L) + r.
	// nk = L - 256, whose bits are {1, L}.
	wire signed [8:0] s1_nk = {1'b1, s1_lg};
	// pn = vh*nk + ~x = -(vh*(256-L) + x) - 1
	wire signed [S-1:0] s1_pn = $signed(s1_vh) * s1_nk + $signed({{(S-XW){s1_nx[XW-1]}}, s1_nx});
	// rl = vl*nk + 65280 + 65536*{L, flags, counter}: vl*nk + 65280 is in
	// 0 .. 65280, so rl[15:8] = 255 - r and rl[31:16] is the carried word.
	wire [31:0] s1_rl = $signed({1'b0, s1_vl}) * s1_nk + $signed({s1_l, s1_fl, s1_rn, 16'hFF00});
	// rt = vl*nk + 256*threshold: rt >>> 8 = threshold - r
	wire signed [M+8:0] s1_rt = $signed({1'b0, s1_vl}) * s1_nk + $signed({2'b00, s1_th, 8'd0});

	reg [TAG_BITS-1:0] s2_tag;
	reg [S-1:0] s2_pn;
	reg [31:0] s2_rl;
	reg [M+8:0] s2_rt;

	always @(posedge i_clk)
		if (i_ce) begin
			s2_tag <= s1_tag;
			s2_pn <= s1_pn;
			s2_rl <= s1_rl;
			s2_rt <= s1_rt;
		end

	// ---- stage 3: the sums, as one's complements ----
	// u = v - floor(v*L/256) + acc + bias, or v itself while refractory.
	// nu = ~u = pn - r; nut = ~(u - threshold) = pn + (threshold - r);
	// threshold = (threshold - r) + r.
	wire [M:0] s2_rth = s2_rt[M+8:8];
	wire [S-1:0] s2_nu = s2_pn + {{(S-8){1'b1}}, s2_rl[15:8]} + {{(S-1){1'b0}}, 1'b1};
	wire [S-1:0] s2_nut = s2_pn + {{(S-M-1){s2_rth[M]}}, s2_rth};
	wire [M:0] s2_th = s2_rth + {{(M-7){1'b0}}, ~s2_rl[15:8]};
	wire unused_s2 = &{1'b0, s2_rl[7:0], s2_rt[7:0], s2_th[M:M-1]};

	reg [TAG_BITS-1:0] s3_tag;
	reg [S-1:0] s3_nu, s3_nut;
	reg [M-2:0] s3_th;
	reg [7:0] s3_l;
	reg s3_bnz, s3_refr, s3_spk, s3_mode;
	reg [3:0] s3_rn;

	always @(posedge i_clk)
		if (i_ce) begin
			s3_tag <= s2_tag;
			s3_nu <= s2_nu;
			s3_nut <= s2_nut;
			s3_th <= s2_th[M-2:0];
			{s3_l, s3_bnz, s3_refr, s3_spk, s3_mode, s3_rn} <= s2_rl[31:16];
		end

	// ---- stage 4: saturate, fire, reset ----
	// u > VMAX or u < VMIN: the bits from M-1 up are not all the sign.
	wire [S-M:0] s3_top = s3_nu[S-1:M-1];
	wire s3_hi = s3_nu[S-1] && s3_top != {(S-M+1){1'b1}};
	wire s3_lo = !s3_nu[S-1] && s3_top != {(S-M+1){1'b0}};
	// u >= threshold (never when u < VMIN, always when u > VMAX)
	wire s3_ge = s3_nut[S-1];
	wire s3_fire = s3_spk && !s3_refr && s3_ge;
	wire [M-1:0] s3_sat = s3_hi ? VMAX : s3_lo ? VMIN : ~s3_nu[M-1:0];
	// after a subtraction: u - threshold, or VMAX - threshold if u > VMAX
	wire [M-1:0] s3_sub = s3_hi ? {1'b0, ~s3_th} : ~s3_nut[M-1:0];
	wire s3_keep = s3_refr || s3_fire;	// the counter becomes rn, else 0
	// The new v >= threshold, for liveness: while refractory v is u; after
	// a subtraction, u - threshold >= threshold <=> ~(u - threshold) +
	// threshold < 0, and VMAX - threshold >= threshold <=> threshold < 2^(M-2).
	wire [M-1:0] s3_c2 = s3_nut[M-1:0] + {1'b0, s3_th};
	wire s3_ge2 = s3_hi ? !s3_th[M-2] : s3_c2[M-1];
	wire unused_s3 = &{1'b0, s3_nut[S-2:M], s3_c2[M-2:0]};

	reg [TAG_BITS-1:0] s4_tag;
	reg [M-1:0] s4_v;
	reg [3:0] s4_ref;
	reg s4_spike;
	// Live whatever v leaks: s4_live2 is the term behind the s3_c2 carry
	// chain, kept apart so the chain's carry out meets one LUT.
	reg s4_live, s4_live2;
	reg [8:0] s4_lw;	// leak_table[L] (the EBR's output register)

	always @(posedge i_clk)
		if (i_ce) begin
			s4_tag <= s3_tag;
			s4_v <= s3_fire ? (s3_mode ? s3_sub : {M{1'b0}}) : s3_sat;
			s4_ref <= s3_keep ? s3_rn : 4'd0;
			s4_spike <= s3_fire;
			s4_live <= s3_bnz || (s3_keep && s3_rn != 4'd0) || (s3_refr && s3_spk && s3_ge);
			s4_live2 <= s3_fire && s3_mode && s3_ge2;
			s4_lw <= leak_table[s3_l];
		end

	// ---- stage 5: does the new v leak? ----
	// L != 0 and (v < 0, v > 255, or its low byte above floor(255/L)).
	wire [M+6:0] s4_vx = {8'd0, s4_v[M-2:0]};
	wire s4_big = s4_v[M-1] || |s4_vx[M+6:8];	// v < 0 or v > 255
	// Everything but the low-byte compare first (keep stops ABC from
	// merging it back), so the compare's carry out meets one LUT.
	(* keep *) wire s4_early = s4_live || s4_live2 || (s4_lw[8] && s4_big);

	always @(posedge i_clk)
		if (i_ce) begin
			o_tag <= s4_tag;
			o_v <= s4_v;
			o_ref <= s4_ref;
			o_spike <= s4_spike;
			o_live <= s4_early || (s4_lw[8] && s4_vx[7:0] > s4_lw[7:0]);
		end

	// ---- valid, the only state that is reset ----
	reg [LATENCY-1:0] valid_q;
	always @(posedge i_clk) begin
		if (i_rst)
			valid_q <= {LATENCY{1'b0}};
		else if (i_ce)
			valid_q <= {valid_q[LATENCY-2:0], i_valid};
	end
	assign o_valid = valid_q[LATENCY-1];

endmodule

`default_nettype wire
