// Running CRC-32 of a byte stream (zlib's crc32() of every byte since the last clear), one bit a clock.
//
// A byte is taken on i_valid/o_ready, then shifted in least significant bit
// first over the next eight clocks, while o_ready is low: nine clocks a
// byte, a quarter of the fastest UART byte time (40 clocks at 12 Mbaud and
// 48 MHz), for 32 flip-flops and a LUT per polynomial tap instead of a
// byte-wide XOR network. docs/rtl.md, "snn_crc32".
`default_nettype none

module snn_crc32 (
	input wire i_clk,
	input wire i_rst,	// synchronous: same as i_clear
	// byte stream
	input wire i_clear,	// start a new CRC, dropping a byte in progress; a byte offered in the same cycle is ignored
	input wire i_valid,
	output wire o_ready,	// low while a byte is being shifted in
	input wire [7:0] i_data,
	// result
	output wire [31:0] o_crc	// CRC-32 of the bytes taken since the last clear (0 for none), while o_ready is high
);

	localparam [31:0] POLY = 32'hEDB88320;	// 0x04C11DB7 bit-reversed

	// zlib's CRC itself, the shift register r inverted, so that o_crc needs
	// no inverters and a clear is a reset to 0 (~((r >> 1) ^ p) is
	// {1, ~r[31:1]} ^ p); the byte being shifted in, and which of its bits
	// goes in next: data is loaded once and its bits picked by count, which
	// costs fewer LUTs than shifting it.
	reg [31:0] state;
	reg [7:0] data;
	reg [2:0] count;
	reg busy;
	wire take = i_valid && !busy;
	wire feedback = !state[0] ^ data[count];	// the register's bit 0 is !state[0]

	// The register's enable is busy alone, never i_valid (take implies
	// !busy): a short path for the board's 48 MHz.
	always @(posedge i_clk) begin
		if (i_rst || i_clear)
			state <= 32'd0;
		else if (busy)
			state <= {1'b1, state[31:1]} ^ (feedback ? POLY : 32'd0);
	end

	always @(posedge i_clk) begin
		if (i_rst || i_clear)
			busy <= 1'b0;
		else if (take)
			busy <= 1'b1;
		else if (busy)
			busy <= count != 3'd7;
	end

	// Loaded before they are used: no reset.
	always @(posedge i_clk) begin
		if (take) begin
			data <= i_data;
			count <= 3'd0;
		end else if (busy) begin
			count <= count + 1'b1;
		end
	end

	assign o_ready = !busy;
	assign o_crc = state;

endmodule

`default_nettype wire
