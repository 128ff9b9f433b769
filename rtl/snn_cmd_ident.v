// IDENTIFY's 18 reply words (docs/host-protocol.md): protocol version, device kind, build id and the 16 geometry fields, as a constant table.
`default_nettype none

module snn_cmd_ident #(
	// the geometry fields of docs/geometry.md, in its order
	parameter N_CORES = 4,
	parameter NEURONS = 256,
	parameter AXONS = 256,
	parameter SYN_WORDS = 4096,
	parameter WEIGHT_BITS = 8,
	parameter MEMBRANE_BITS = 16,
	parameter BIAS_BITS = 12,
	parameter ROUTES = 4,
	parameter INPUT_ROUTES = 4,
	parameter MAX_PHASES = 4,
	parameter NEURON_TOTAL = 0,
	parameter SYN_TOTAL = 0,
	parameter ROUTE_TOTAL = 0,
	parameter LANES = 0,
	parameter STATE_WORDS = 0,
	parameter ACC_BITS = 0,
	parameter [31:0] BUILD_ID = 32'd0,
	parameter [7:0] DEVICE_KIND = 8'd2	// 2 the RTL device, 3 a board (FPGA)
) (
	input wire [4:0] i_wi,	// word 0 .. 17
	output reg [31:0] o_word
);

	localparam [15:0] PROTOCOL_VERSION = 16'd4;

	always @* begin
		case (i_wi)
		5'd0: o_word = {8'd0, DEVICE_KIND, PROTOCOL_VERSION};
		5'd1: o_word = BUILD_ID;
		5'd2: o_word = N_CORES;
		5'd3: o_word = NEURONS;
		5'd4: o_word = AXONS;
		5'd5: o_word = SYN_WORDS;
		5'd6: o_word = WEIGHT_BITS;
		5'd7: o_word = MEMBRANE_BITS;
		5'd8: o_word = BIAS_BITS;
		5'd9: o_word = ROUTES;
		5'd10: o_word = INPUT_ROUTES;
		5'd11: o_word = MAX_PHASES;
		5'd12: o_word = NEURON_TOTAL;
		5'd13: o_word = SYN_TOTAL;
		5'd14: o_word = ROUTE_TOTAL;
		5'd15: o_word = LANES;
		5'd16: o_word = STATE_WORDS;
		5'd17: o_word = ACC_BITS;
		default: o_word = 32'd0;
		endcase
	end

endmodule

`default_nettype wire
