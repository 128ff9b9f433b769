// Test top for rtl-fit-ctrl-pool (rtl/mk/ctrl.mk): snn_ctrl as the iCEBreaker's DEVICE = 3 has it (the boot ROM, the pool port, the SPI registers) on the UP5K's four SPRAM with the engine's choice in front of them (the processor's line, or the replay of another), the UART link on its byte streams, and a shift register for the reset and the other outputs.
//
// What it measures is the processor's paths to and from the pool at 48 MHz;
// the engine itself does not fit beside it yet (docs/rtl.md, "The program
// in the pool"), so its side of the SPRAM is a register standing in for
// its last line.
`default_nettype none
module snn_fit_ctrl_pool #(
	parameter FIRMWARE = ""
) (
	input wire i_clk,
	input wire i_din,
	output wire o_dout,
	input wire i_rxd,
	output wire o_txd,
	output wire o_flash_csn,
	output wire o_flash_sck,
	output wire o_flash_mosi,
	input wire i_flash_miso
);
	wire rx_valid, rx_ready, tx_valid, tx_ready, busy, error, trap;
	wire [7:0] rx_data, tx_data;
	wire ext_valid, ext_write, pool_en, pool_we;
	wire [4:0] ext_reg;
	wire [31:0] ext_wdata;
	wire [7:0] pool_be;
	/* verilator lint_off UNUSEDSIGNAL */	// lines past the pool's 16,384
	wire [15:0] pool_line;
	/* verilator lint_on UNUSEDSIGNAL */
	wire [63:0] pool_wdata, pool_rdata;
	reg [7:0] sr;
	reg replay;
	reg [13:0] last;
	always @(posedge i_clk) begin
		sr <= {sr[6:0], i_din} ^ {7'd0, busy ^ error ^ trap ^ ext_valid ^ ext_write ^ (^ext_reg) ^ (^ext_wdata)};
		replay <= pool_en;
		last <= sr[0] ? {sr, sr[7:2]} : last;
	end
	assign o_dout = sr[7];
	snn_uart_link #(.CLKS_PER_BIT(16), .RX_FIFO_DEPTH(2048)) u_link (
		.i_clk(i_clk), .i_rst(sr[0]), .i_rxd(i_rxd), .o_txd(o_txd),
		.o_rx_valid(rx_valid), .i_rx_ready(rx_ready), .o_rx_data(rx_data),
		.i_tx_valid(tx_valid), .o_tx_ready(tx_ready), .i_tx_data(tx_data),
		/* verilator lint_off PINCONNECTEMPTY */
		.o_frame_err(), .o_overrun());
		/* verilator lint_on PINCONNECTEMPTY */
	snn_spram_pool #(.DEPTH(16384)) u_pool (
		.i_clk(i_clk), .i_en(pool_en || replay), .i_we(pool_en && pool_we), .i_be(pool_be),
		.i_addr(pool_en ? pool_line[13:0] : last), .i_wdata(pool_wdata), .o_rdata(pool_rdata));
	snn_ctrl #(.RAM_BYTES(512), .FIRMWARE(FIRMWARE), .EXT_IO(1), .POOL_PORT(1), .POOL_BYTES(131072)) dut (
		.i_clk(i_clk), .i_rst(sr[1]),
		.i_rx_valid(rx_valid), .o_rx_ready(rx_ready), .i_rx_data(rx_data),
		.o_tx_valid(tx_valid), .i_tx_ready(tx_ready), .o_tx_data(tx_data),
		.o_busy(busy), .o_error(error), .o_trap(trap),
		.o_ext_valid(ext_valid), .o_ext_reg(ext_reg), .o_ext_write(ext_write), .o_ext_wdata(ext_wdata),
		.i_ext_ready(sr[2]), .i_ext_rdata({4{sr}}),
		.o_pool_en(pool_en), .o_pool_we(pool_we), .o_pool_be(pool_be), .o_pool_line(pool_line),
		.o_pool_wdata(pool_wdata), .i_pool_rdata(pool_rdata),
		.o_flash_csn(o_flash_csn), .o_flash_sck(o_flash_sck), .o_flash_mosi(o_flash_mosi),
		.i_flash_miso(i_flash_miso));
endmodule
`default_nettype wire
