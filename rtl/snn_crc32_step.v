// CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) advanced by one byte: pure combinational.
//
// i_crc and o_crc are the shift register itself: start from 32'hFFFFFFFF and
// invert at the end to get zlib's value (snn_crc32 does both).
`default_nettype none

module snn_crc32_step (
	input wire [31:0] i_crc,	// register before the byte
	input wire [7:0] i_data,	// the byte, least significant bit first
	output reg [31:0] o_crc	// register after the byte
);

	localparam [31:0] POLY = 32'hEDB88320;	// 0x04C11DB7 bit-reversed

	integer i;
	always @* begin
		o_crc = i_crc ^ {24'd0, i_data};
		for (i = 0; i < 8; i = i + 1)
			o_crc = (o_crc >> 1) ^ (o_crc[0] ? POLY : 32'd0);
	end

endmodule

`default_nettype wire
