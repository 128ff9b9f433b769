// Running CRC-32 of a byte stream (zlib's crc32() of every byte since the last clear), registered.
`default_nettype none

module snn_crc32 (
	input wire i_clk,
	input wire i_rst,	// synchronous: same as i_clear
	// byte stream
	input wire i_clear,	// start a new CRC; a byte offered in the same cycle is ignored
	input wire i_valid,	// i_data is added to the CRC at this clock edge
	input wire [7:0] i_data,
	// result
	output wire [31:0] o_crc	// CRC-32 of the bytes added since the last clear (0 for none)
);

	localparam [31:0] INIT = 32'hFFFFFFFF;

	reg [31:0] state;
	wire [31:0] state_next;

	snn_crc32_step u_step (
		.i_crc(state),
		.i_data(i_data),
		.o_crc(state_next)
	);

	always @(posedge i_clk) begin
		if (i_rst || i_clear)
			state <= INIT;
		else if (i_valid)
			state <= state_next;
	end

	assign o_crc = ~state;

endmodule

`default_nettype wire
