// Sequential unsigned divider: quotient and remainder in WIDTH cycles, one cycle when the divisor is 1.
//
// The core array divides only by small configuration values (pooling
// window, stride, input rows and columns) once per event, so a one-bit-per
// cycle restoring divider costs less than the synaptic work it precedes.
`default_nettype none

module snn_divu #(
	parameter WIDTH = 32
) (
	input wire i_clk,
	input wire i_rst,
	// request: taken when i_start is high and o_busy is low
	input wire i_start,
	input wire [WIDTH-1:0] i_num,
	input wire [WIDTH-1:0] i_den,	// must not be 0
	// result: valid from the o_done pulse until the next i_start
	output wire o_busy,
	output reg o_done,
	output reg [WIDTH-1:0] o_quo,
	output reg [WIDTH-1:0] o_rem
);

	localparam CW = $clog2(WIDTH + 1);

	reg busy;
	reg [CW-1:0] left;	// quotient bits still to find
	reg [WIDTH-1:0] den;

	// One restoring step: shift the next dividend bit into the remainder.
	wire [WIDTH:0] rem_shift = {o_rem, o_quo[WIDTH-1]};
	wire [WIDTH:0] rem_sub = rem_shift - {1'b0, den};
	wire fits = !rem_sub[WIDTH];

	assign o_busy = busy;

	always @(posedge i_clk) begin
		o_done <= 1'b0;
		if (i_rst) begin
			busy <= 1'b0;
			left <= {CW{1'b0}};
		end else if (!busy) begin
			if (i_start) begin
				den <= i_den;
				if (i_den == {{(WIDTH-1){1'b0}}, 1'b1}) begin
					o_quo <= i_num;
					o_rem <= {WIDTH{1'b0}};
					o_done <= 1'b1;
				end else begin
					o_quo <= i_num;	// shifted out as the quotient shifts in
					o_rem <= {WIDTH{1'b0}};
					left <= WIDTH[CW-1:0];
					busy <= 1'b1;
				end
			end
		end else begin
			o_quo <= {o_quo[WIDTH-2:0], fits};
			o_rem <= fits ? rem_sub[WIDTH-1:0] : rem_shift[WIDTH-1:0];
			left <= left - 1'b1;
			if (left == {{(CW-1){1'b0}}, 1'b1}) begin
				busy <= 1'b0;
				o_done <= 1'b1;
			end
		end
	end

endmodule

`default_nettype wire
