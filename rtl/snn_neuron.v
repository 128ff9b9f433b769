// One neuron, one time step: the combinational twin of snn_neuron_step() and snn_neuron_live() (include/snn/neuron.h).
//
// The arithmetic is docs/neuron-model.md to the bit. Inputs must lie in the
// ranges that document gives (v in VMIN..VMAX, threshold 1..VMAX, bias within
// BIAS_BITS); for those, every output equals the C definition
// (tests/rtl/test_rtl_neuron.cpp checks millions of vectors).
`default_nettype none

module snn_neuron #(
	parameter MEMBRANE_BITS = 24,	// M: v in -2^(M-1) .. 2^(M-1)-1 (geometry membrane_bits, 8..31)
	parameter ACC_BITS = 32,	// accumulator width: the exact sum of this step's weights
	parameter BIAS_BITS = 24	// geometry bias_bits, 1 .. MEMBRANE_BITS
) (
	// neuron state before the step
	input wire [MEMBRANE_BITS-1:0] i_v,	// membrane, signed
	input wire [3:0] i_ref,	// refractory counter
	// this step's input
	input wire [ACC_BITS-1:0] i_acc,	// sum of delivered weights, signed
	input wire [BIAS_BITS-1:0] i_bias,	// per-neuron bias, signed
	// core parameters (registers THRESHOLD, LEAK, RESET, REFRACTORY, FLAGS)
	input wire [MEMBRANE_BITS-1:0] i_threshold,	// 1 .. VMAX
	input wire [7:0] i_leak,	// v loses floor(v * leak / 256) per step
	input wire i_reset_mode,	// 0: v := 0 after a spike; 1: v := v - threshold
	input wire [3:0] i_refractory,	// refractory period R loaded after a spike
	input wire i_spiking,	// 0: a readout neuron that never fires
	// neuron state after the step
	output wire [MEMBRANE_BITS-1:0] o_v,
	output wire [3:0] o_ref,
	output wire o_spike,
	// snn_neuron_live() of the state after the step: must this neuron be
	// updated next step even if it receives no event?
	output wire o_live
);

	localparam M = MEMBRANE_BITS;
	// u = v - floor(v*L/256) + acc + bias: |v - floor(v*L/256)| <= 2^(M-1),
	// so two bits above the widest operand hold the sum exactly.
	localparam WIDEST = (M > ACC_BITS) ? M : ACC_BITS;
	localparam SUM_BITS = WIDEST + 2;
	localparam signed [SUM_BITS-1:0] VMAX = (1 <<< (M - 1)) - 1;
	localparam signed [SUM_BITS-1:0] VMIN = -(1 <<< (M - 1));

	wire refractory = i_ref != 4'd0;

	// Leak. v * L needs M+8 bits (|v * L| < 2^(M+7)); one more keeps the
	// unsigned leak positive as a signed operand. The arithmetic shift by 8
	// is floor(v * L / 256), what snn_floor_div256() computes.
	wire signed [M+8:0] leak_prod = $signed(i_v) * $signed({1'b0, i_leak});
	wire signed [M:0] leak_loss = leak_prod[M+8:8];

	wire signed [SUM_BITS-1:0] u = {{(SUM_BITS-M){i_v[M-1]}}, i_v}
		- {{(SUM_BITS-M-1){leak_loss[M]}}, leak_loss}
		+ {{(SUM_BITS-ACC_BITS){i_acc[ACC_BITS-1]}}, i_acc}
		+ {{(SUM_BITS-BIAS_BITS){i_bias[BIAS_BITS-1]}}, i_bias};

	// Saturate to the membrane range, once per step.
	wire [M-1:0] v_sat = (u > VMAX) ? VMAX[M-1:0] : (u < VMIN) ? VMIN[M-1:0] : u[M-1:0];

	wire fire = i_spiking && !refractory && $signed(v_sat) >= $signed(i_threshold);
	wire [M-1:0] v_fired = i_reset_mode ? v_sat - i_threshold : {M{1'b0}};

	assign o_v = refractory ? i_v : fire ? v_fired : v_sat;
	assign o_ref = refractory ? i_ref - 4'd1 : fire ? i_refractory : 4'd0;
	assign o_spike = fire;

	// Liveness of (o_v, o_ref). floor(v * L / 256) != 0 with L != 0 holds for
	// every v < 0 and every v > 255, and for 0 <= v <= 255 exactly when the
	// 8 x 8 product v * L reaches 256: no second M x 8 multiplier needed.
	wire [15:0] low_prod = o_v[7:0] * i_leak;
	wire signed [M:0] v_next_wide = {o_v[M-1], o_v};
	wire leak_moves = i_leak != 8'd0 && (v_next_wide < 0 || v_next_wide > 255 || low_prod > 16'd255);
	assign o_live = o_ref != 4'd0 || i_bias != {BIAS_BITS{1'b0}} || leak_moves
		|| (i_spiking && $signed(o_v) >= $signed(i_threshold));

endmodule

`default_nettype wire
