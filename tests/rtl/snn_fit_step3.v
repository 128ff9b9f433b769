// Test top for rtl-fit-step3 (rtl/mk/step.mk): what step 3 leaves on the iCEBreaker, measured before its program exists: snn_ctrl with the boot ROM, the pool port and the SPI registers, the UART link, and snn_step_io (the line add, the sweep, the spike scan, the accumulators, the rate encoder) on the UP5K's four SPRAM.
//
// The program that drives the accelerators is not written yet (docs/rtl.md,
// "Step 3's accelerators"); the logic it needs is all here, so the cells
// and the clock placed here are the step-3 device's but for the program's
// own registers. A shift register drives the reset and takes the outputs
// nothing else reads.
`default_nettype none
module snn_fit_step3 #(
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
	wire ext_valid, ext_write, ext_ready, cpu_pool_en, cpu_pool_we, pool_en, pool_we, spk_valid;
	wire [3:0] ext_reg;
	wire [31:0] ext_wdata, ext_rdata;
	wire [7:0] cpu_pool_be, pool_be;
	/* verilator lint_off UNUSEDSIGNAL */	// lines past the pool's 16,384
	wire [15:0] cpu_pool_line;
	/* verilator lint_on UNUSEDSIGNAL */
	wire [13:0] pool_line;
	wire [63:0] cpu_pool_wdata, pool_wdata, pool_rdata;
	wire [15:0] spk_index;
	reg [7:0] sr;
	always @(posedge i_clk)
		sr <= {sr[6:0], i_din} ^ {7'd0, busy ^ error ^ trap ^ spk_valid ^ (^spk_index)};
	assign o_dout = sr[7];
	snn_uart_link #(.CLKS_PER_BIT(16), .RX_FIFO_DEPTH(2048)) u_link (
		.i_clk(i_clk), .i_rst(sr[0]), .i_rxd(i_rxd), .o_txd(o_txd),
		.o_rx_valid(rx_valid), .i_rx_ready(rx_ready), .o_rx_data(rx_data),
		.i_tx_valid(tx_valid), .o_tx_ready(tx_ready), .i_tx_data(tx_data),
		/* verilator lint_off PINCONNECTEMPTY */
		.o_frame_err(), .o_overrun());
		/* verilator lint_on PINCONNECTEMPTY */
	snn_spram_pool #(.DEPTH(16384)) u_pool (
		.i_clk(i_clk), .i_en(pool_en), .i_we(pool_we), .i_be(pool_be),
		.i_addr(pool_line), .i_wdata(pool_wdata), .o_rdata(pool_rdata));
	snn_ctrl #(.RAM_BYTES(512), .FIRMWARE(FIRMWARE), .EXT_IO(1), .POOL_PORT(1), .POOL_BYTES(131072)) u_ctrl (
		.i_clk(i_clk), .i_rst(sr[1]),
		.i_rx_valid(rx_valid), .o_rx_ready(rx_ready), .i_rx_data(rx_data),
		.o_tx_valid(tx_valid), .i_tx_ready(tx_ready), .o_tx_data(tx_data),
		.o_busy(busy), .o_error(error), .o_trap(trap),
		.o_ext_valid(ext_valid), .o_ext_reg(ext_reg), .o_ext_write(ext_write), .o_ext_wdata(ext_wdata),
		.i_ext_ready(ext_ready), .i_ext_rdata(ext_rdata),
		.o_pool_en(cpu_pool_en), .o_pool_we(cpu_pool_we), .o_pool_be(cpu_pool_be),
		.o_pool_line(cpu_pool_line), .o_pool_wdata(cpu_pool_wdata), .i_pool_rdata(pool_rdata),
		.o_flash_csn(o_flash_csn), .o_flash_sck(o_flash_sck), .o_flash_mosi(o_flash_mosi),
		.i_flash_miso(i_flash_miso));
	snn_step_io #(.LA(14), .AA(8), .MEMBRANE_BITS(20), .BIAS_BITS(16), .ACC_BITS(20), .INPUT_MAX(1024)) u_step (
		.i_clk(i_clk), .i_rst(sr[1]),
		.i_valid(ext_valid), .i_reg(ext_reg), .i_write(ext_write), .i_wdata(ext_wdata),
		.o_ready(ext_ready), .o_rdata(ext_rdata),
		.i_cpu_pool_en(cpu_pool_en), .i_cpu_pool_we(cpu_pool_we), .i_cpu_pool_be(cpu_pool_be),
		.i_cpu_pool_line(cpu_pool_line[13:0]), .i_cpu_pool_wdata(cpu_pool_wdata),
		.o_pool_en(pool_en), .o_pool_we(pool_we), .o_pool_be(pool_be), .o_pool_line(pool_line),
		.o_pool_wdata(pool_wdata), .i_pool_rdata(pool_rdata),
		.o_spk_valid(spk_valid), .o_spk_index(spk_index));
endmodule
`default_nettype wire
