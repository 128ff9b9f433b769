// The iCEBreaker design below the PLL: the UART host link, the device (the link echo, or the engine device), and the two LEDs.
//
// Everything here runs on the one design clock; the board top
// (snn_icebreaker.v) makes that clock and the reset and drives the pins.
// Kept apart from the top so the Verilated tests run the same logic at bit
// level without the PLL. The device sits between the link's two byte
// streams:
//   DEVICE = 0: snn_link_echo, the link-only device the board builds today;
//   DEVICE = 1: snn_top with the geometry below (shared budgets: the frame
//               codec and snn_cmd's lean layer, device kind 3, in front of
//               snn_engine), which runs in simulation and does not fit the
//               UP5K yet (docs/rtl.md);
//   DEVICE = 2: snn_ctrl, the control processor, running CTRL_FIRMWARE
//               (rtl/fw/link_echo.c: the link echo as a program, the first
//               step of the device's control as a program, docs/rtl.md).
// docs/boards.md.
`default_nettype none

module snn_icebreaker_core #(
	parameter CLKS_PER_BIT = 16,	// design clock cycles per UART bit (16: 3 Mbaud at 48 MHz)
	parameter RX_FIFO_DEPTH = 2048,	// bytes the link holds while the device pauses (snn_uart_link)
	parameter LED_BITS = 22,	// an LED stays on 2^LED_BITS cycles after its event (87 ms at 48 MHz)
	parameter DEVICE = 0,
	// the control processor (DEVICE = 2): its RAM, and the $readmemh file it
	// starts with (rtl/mk/ctrl.mk builds it; the linker reads this default)
	/* verilator lint_off UNUSEDPARAM */	// with the other devices
	parameter CTRL_RAM_BYTES = 4096,
	parameter CTRL_FIRMWARE = "",
	/* verilator lint_on UNUSEDPARAM */
	// the engine device's geometry (DEVICE = 1): the icebreaker profile
	/* verilator lint_off UNUSEDPARAM */	// with the echo
	parameter N_CORES = 16,
	parameter NEURONS = 2048,
	parameter AXONS = 1024,
	parameter SYN_WORDS = 131072,
	parameter WEIGHT_BITS = 8,
	parameter MEMBRANE_BITS = 20,
	parameter BIAS_BITS = 16,
	parameter ROUTES = 8,
	parameter INPUT_ROUTES = 8,
	parameter MAX_PHASES = 16,
	parameter NEURON_TOTAL = 8192,
	parameter SYN_TOTAL = 131072,
	parameter ROUTE_TOTAL = 64,
	parameter LANES = 8,
	parameter STATE_WORDS = 8,
	parameter ACC_BITS = 20,
	parameter [31:0] BUILD_ID = 32'd0,
	parameter INPUT_MAX = 1024	// inputs the device takes (28 x 28 = 784): 4 EBR of encoder
	/* verilator lint_on UNUSEDPARAM */
) (
	input wire i_clk,
	input wire i_rst,
	// UART lines (the FT2232H's channel B)
	input wire i_rxd,
	output wire o_txd,
	// LEDs, active high
	output wire o_led_error,	// a framing error, an overrun or a refused frame, stretched
	output wire o_led_activity,	// a byte moved either way, stretched
	// for harnesses (the board leaves them open): the LED events as
	// one-cycle pulses, the device's busy flag, and the byte streams
	// between the link and the device (no handshake of their own)
	output wire o_frame_err,	// a received byte had a low stop bit
	output wire o_overrun,	// a received byte found the receive queue full
	output wire o_bad_frame,	// the device refused a frame (bad CRC or length)
	output wire o_busy,
	output wire o_mon_rx_valid,
	output wire o_mon_rx_ready,
	output wire [7:0] o_mon_rx_data,
	output wire o_mon_tx_valid,
	output wire o_mon_tx_ready,
	output wire [7:0] o_mon_tx_data
);

	wire rx_valid, rx_ready, tx_valid, tx_ready;
	wire [7:0] rx_data, tx_data;

	snn_uart_link #(
		.CLKS_PER_BIT(CLKS_PER_BIT),
		.RX_FIFO_DEPTH(RX_FIFO_DEPTH)
	) u_link (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_rxd(i_rxd),
		.o_txd(o_txd),
		.o_rx_valid(rx_valid),
		.i_rx_ready(rx_ready),
		.o_rx_data(rx_data),
		.i_tx_valid(tx_valid),
		.o_tx_ready(tx_ready),
		.i_tx_data(tx_data),
		.o_frame_err(o_frame_err),
		.o_overrun(o_overrun)
	);

	generate
		if (DEVICE == 0) begin : g_echo
			snn_link_echo u_dev (
				.i_clk(i_clk),
				.i_rst(i_rst),
				.i_rx_valid(rx_valid),
				.o_rx_ready(rx_ready),
				.i_rx_data(rx_data),
				.o_tx_valid(tx_valid),
				.i_tx_ready(tx_ready),
				.o_tx_data(tx_data),
				.o_busy(o_busy),
				.o_error(o_bad_frame)
			);
		end else if (DEVICE == 2) begin : g_ctrl
			snn_ctrl #(
				.RAM_BYTES(CTRL_RAM_BYTES),
				.FIRMWARE(CTRL_FIRMWARE)
			) u_dev (
				.i_clk(i_clk),
				.i_rst(i_rst),
				.i_rx_valid(rx_valid),
				.o_rx_ready(rx_ready),
				.i_rx_data(rx_data),
				.o_tx_valid(tx_valid),
				.i_tx_ready(tx_ready),
				.o_tx_data(tx_data),
				.o_busy(o_busy),
				.o_error(o_bad_frame),
				/* verilator lint_off PINCONNECTEMPTY */	// a program that stops is seen in a waveform
				.o_trap()
				/* verilator lint_on PINCONNECTEMPTY */
			);
		end else begin : g_engine
			wire idle;
			snn_top #(
				.N_CORES(N_CORES), .NEURONS(NEURONS), .AXONS(AXONS), .SYN_WORDS(SYN_WORDS),
				.WEIGHT_BITS(WEIGHT_BITS), .MEMBRANE_BITS(MEMBRANE_BITS), .BIAS_BITS(BIAS_BITS),
				.ROUTES(ROUTES), .INPUT_ROUTES(INPUT_ROUTES), .MAX_PHASES(MAX_PHASES),
				.NEURON_TOTAL(NEURON_TOTAL), .SYN_TOTAL(SYN_TOTAL), .ROUTE_TOTAL(ROUTE_TOTAL),
				.LANES(LANES), .STATE_WORDS(STATE_WORDS), .ACC_BITS(ACC_BITS),
				.BUILD_ID(BUILD_ID), .INPUT_MAX(INPUT_MAX), .POOL_SPRAM(1),
				// the profile's conv features (lib/geometry.c): no deconv
				// (snn_top's default), strides of 1, pools of 1 and 2
				.STRIDE_ANY(0), .POOL_ANY(0),
				.CHECK_CONFIG(0)	// the lean command layer: the host validates
			) u_dev (
				.i_clk(i_clk),
				.i_rst(i_rst),
				.i_valid(rx_valid),
				.o_ready(rx_ready),
				.i_data(rx_data),
				.o_valid(tx_valid),
				.i_ready(tx_ready),
				.o_data(tx_data),
				.o_idle(idle),
				.o_error(o_bad_frame),
				/* verilator lint_off PINCONNECTEMPTY */	// for co-simulation and benchmarks
				.o_spk_valid(),
				.o_spk_neuron(),
				.o_mon_synop(),
				.o_mon_stall()
				/* verilator lint_on PINCONNECTEMPTY */
			);
			assign o_busy = !idle;
		end
	endgenerate

	// LED pulse stretchers
	snn_led_stretch #(.LED_BITS(LED_BITS)) u_led_error (.i_clk(i_clk), .i_rst(i_rst),
		.i_event(o_frame_err || o_overrun || o_bad_frame), .o_led(o_led_error));
	snn_led_stretch #(.LED_BITS(LED_BITS)) u_led_activity (.i_clk(i_clk), .i_rst(i_rst),
		.i_event((rx_valid && rx_ready) || (tx_valid && tx_ready)), .o_led(o_led_activity));

	assign o_mon_rx_valid = rx_valid;
	assign o_mon_rx_ready = rx_ready;
	assign o_mon_rx_data = rx_data;
	assign o_mon_tx_valid = tx_valid;
	assign o_mon_tx_ready = tx_ready;
	assign o_mon_tx_data = tx_data;


endmodule

`default_nettype wire
