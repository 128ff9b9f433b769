// iCEBreaker (iCE40UP5K-SG48) top: the 12 MHz oscillator through the PLL to the design clock, the reset, and the pins of the UART and the two LEDs around snn_icebreaker_core.
//
// Pins are in icebreaker.pcf. The PLL settings come from icepll, which
// boards/icebreaker/Makefile runs for the FREQ it is given and passes in as
// parameters; the defaults here are the Makefile's default, 48 MHz:
//
//   $ icepll -i 12 -o 48
//   DIVR: 0 (4'b0000), DIVF: 63 (7'b0111111), DIVQ: 4 (3'b100), FILTER_RANGE: 1 (3'b001)
//
// The design is held
// in reset until the PLL has locked and for 16 cycles after, and while the
// button (BTN_N) is pressed. docs/boards.md.
`default_nettype none

module snn_icebreaker #(
	parameter CLKS_PER_BIT = 16,	// design clock cycles per UART bit (16: 3 Mbaud at 48 MHz)
	parameter DEVICE = 0,	// snn_icebreaker_core's: 0 the link echo, 1 the engine device, 2 the control processor,
				// 3 the engine device with its command layer on the processor
	parameter CTRL_FIRMWARE = "",	// with DEVICE = 2: the program ($readmemh file; the Makefile's DESIGN=ctrl)
	parameter BOOT_FIRMWARE = "",	// with DEVICE = 3: the boot program (DESIGN=engine-ctrl), which copies
					// the command layer from the flash
	parameter [3:0] PLL_DIVR = 4'd0,
	parameter [6:0] PLL_DIVF = 7'd63,
	parameter [2:0] PLL_DIVQ = 3'd4,
	parameter [2:0] PLL_FILTER_RANGE = 3'd1
) (
	input wire i_clk_12m,	// CLK, pin 35: the 12 MHz oscillator, the PLL's input pad
	input wire i_btn_n,	// BTN_N, pin 10: the user button, low when pressed
	input wire i_rx,	// RX, pin 6: from the FT2232H's channel B (host to FPGA)
	output wire o_tx,	// TX, pin 9: to the FT2232H's channel B (FPGA to host)
	output wire o_ledr_n,	// LEDR_N, pin 11: red LED, low on
	output wire o_ledg_n,	// LEDG_N, pin 37: green LED, low on
	// the SPI flash the FPGA configured from, free after configuration:
	// DEVICE = 3 boots its program from it
	output wire o_flash_csn,	// FLASH_SSB, pin 16
	output wire o_flash_sck,	// FLASH_SCK, pin 15
	output wire o_flash_mosi,	// FLASH_IO0, pin 14
	input wire i_flash_miso	// FLASH_IO1, pin 17
);

	wire clk, pll_lock;

	// Pin 35 is the PLL's own input pad on the SG48 package, so the pad
	// variant takes it directly (the global output drives the design).
	SB_PLL40_PAD #(
		.FEEDBACK_PATH("SIMPLE"),
		.DIVR(PLL_DIVR),
		.DIVF(PLL_DIVF),
		.DIVQ(PLL_DIVQ),
		.FILTER_RANGE(PLL_FILTER_RANGE)
	) u_pll (
		.PACKAGEPIN(i_clk_12m),
		.PLLOUTGLOBAL(clk),
		.LOCK(pll_lock),
		.RESETB(1'b1),
		.BYPASS(1'b0)
	);

	// Reset: the lock flag and the button are asynchronous to clk, so each
	// goes through two flops; the reset is released 16 cycles after both
	// are good. Flip-flops start at 0 after configuration, so rst_n = 0:
	// the design starts in reset.
	reg [1:0] lock_sync = 2'b00;
	reg [1:0] btn_sync = 2'b00;
	reg [4:0] rst_count = 5'd0;
	reg rst_n = 1'b0;

	always @(posedge clk) begin
		lock_sync <= {lock_sync[0], pll_lock};
		btn_sync <= {btn_sync[0], i_btn_n};
		if (!lock_sync[1] || !btn_sync[1]) begin
			rst_count <= 5'd0;
			rst_n <= 1'b0;
		end else if (!rst_count[4]) begin
			rst_count <= rst_count + 1'b1;
		end else begin
			rst_n <= 1'b1;
		end
	end

	wire led_error, led_activity;

	snn_icebreaker_core #(
		.CLKS_PER_BIT(CLKS_PER_BIT),
		.DEVICE(DEVICE),
		.CTRL_FIRMWARE(CTRL_FIRMWARE),
		.BOOT_FIRMWARE(BOOT_FIRMWARE)
	) u_core (
		.i_clk(clk),
		.i_rst(!rst_n),
		.i_rxd(i_rx),
		.o_txd(o_tx),
		.o_led_error(led_error),
		.o_led_activity(led_activity),
		.o_frame_err(),
		.o_overrun(),
		.o_bad_frame(),
		.o_busy(),
		.o_mon_rx_valid(),
		.o_mon_rx_ready(),
		.o_mon_rx_data(),
		.o_mon_tx_valid(),
		.o_mon_tx_ready(),
		.o_mon_tx_data(),
		.o_flash_csn(o_flash_csn),
		.o_flash_sck(o_flash_sck),
		.o_flash_mosi(o_flash_mosi),
		.i_flash_miso(i_flash_miso)
	);

	assign o_ledr_n = !led_error;
	assign o_ledg_n = !led_activity;

endmodule

`default_nettype wire
