// An SPI master, one byte each way at a time, mode 0, the clock at half the design clock: what the boot program reads the board's flash with.
//
// i_start (while not o_busy) sends i_data, most significant bit first,
// and takes the byte the other side sends in the same eight clocks
// (o_data once o_busy is low again): seventeen design clock cycles a byte.
// MOSI changes with SCK's falling edge, MISO is sampled with its rising
// edge, so each side has half an SCK period (one design clock, 20.8 ns at
// 48 MHz) for its output to settle. Chip select is the caller's.
`default_nettype none

module snn_spi_byte (
	input wire i_clk,
	input wire i_rst,
	input wire i_start,
	input wire [7:0] i_data,
	output wire o_busy,
	output wire [7:0] o_data,
	output reg o_sck,
	output wire o_mosi,
	input wire i_miso
);

	reg [7:0] shift;	// out at the top, in at the bottom
	reg [4:0] edges;	// SCK edges still to make
	reg busy;	// edges != 0, as a register: the caller waits on it
	reg in_bit;	// MISO at the last rising edge

	assign o_busy = busy;
	assign o_data = shift;
	assign o_mosi = shift[7];

	always @(posedge i_clk) begin
		if (i_rst) begin
			o_sck <= 1'b0;
			edges <= 5'd0;
			busy <= 1'b0;
		end else if (!busy) begin
			if (i_start) begin	// SCK rises a cycle later: MOSI settles first
				shift <= i_data;
				edges <= 5'd16;
				busy <= 1'b1;
			end
		end else begin
			edges <= edges - 5'd1;
			busy <= edges != 5'd1;
			o_sck <= !o_sck;
			if (o_sck)	// falling: the next bit out, the sampled one in
				shift <= {shift[6:0], in_bit};
			else	// rising
				in_bit <= i_miso;
		end
	end

endmodule

`default_nettype wire
