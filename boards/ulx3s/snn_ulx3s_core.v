// The ULX3S design below the PLL: the UART host link, the device (the link echo, or the engine behind the command layer), and three LEDs.
//
// Everything here runs on the one design clock; the board top
// (snn_ulx3s.v) makes that clock and the reset and drives the pins. The
// device sits between the link's two byte streams (docs/rtl.md's
// valid/ready rule):
//   DEVICE = 0: snn_link_echo, the link-only device of the iCEBreaker;
//   DEVICE = 1: snn_top with shared budgets, the frame codec and snn_cmd
//               in front of the time-multiplexed engine (snn_engine) with
//               the geometry passed in.
// docs/boards.md, "ULX3S".
`default_nettype none

module snn_ulx3s_core #(
	parameter DEVICE = 0,
	parameter CLKS_PER_BIT = 20,	// design clock cycles per UART bit
	parameter RX_FIFO_DEPTH = 2048,	// bytes the link holds while the device pauses (snn_uart_link)
	parameter LED_BITS = 22,	// an LED stays on 2^LED_BITS cycles after its event (70 ms at 60 MHz)
	// the engine's geometry (DEVICE = 1; docs/geometry.md, snn_engine)
	parameter N_CORES = 32,
	parameter NEURONS = 16384,
	parameter AXONS = 4096,
	parameter SYN_WORDS = 327680,
	parameter WEIGHT_BITS = 8,
	parameter MEMBRANE_BITS = 20,
	parameter BIAS_BITS = 16,
	parameter ROUTES = 16,
	parameter INPUT_ROUTES = 16,
	parameter MAX_PHASES = 32,
	parameter NEURON_TOTAL = 65536,
	parameter SYN_TOTAL = 327680,
	parameter ROUTE_TOTAL = 256,
	// the engine's lanes and state words (fixed at 8 and 8 in snn_engine;
	// IDENTIFY reports them, and a host refuses a device whose differ)
	parameter LANES = 8,
	parameter STATE_WORDS = 8,
	parameter ACC_BITS = 24,
	parameter INPUT_MAX = 4096
) (
	input wire i_clk,
	input wire i_rst,
	// UART lines (the FT231X)
	input wire i_rxd,
	output wire o_txd,
	// LEDs, active high
	output wire o_led_link,	// a byte moved either way, stretched
	output wire o_led_run,	// the device is executing a request, stretched
	output wire o_led_error,	// a framing error, an overrun or a refused frame, stretched
	// for a simulated host (sim/rtl_device.cpp); the board leaves them open
	output wire o_overrun,	// a received byte found the receive queue full
	output wire o_busy,	// the device is executing a request
	output wire o_mon_rx_valid,	// a byte waits for the device
	output wire o_mon_tx_valid	// a byte waits for the UART
);

	wire rx_valid, rx_ready, tx_valid, tx_ready;
	wire [7:0] rx_data, tx_data;
	wire frame_err, overrun, bad_frame, busy;
	assign o_overrun = overrun;
	assign o_busy = busy;
	assign o_mon_rx_valid = rx_valid;
	assign o_mon_tx_valid = tx_valid;

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
		.o_frame_err(frame_err),
		.o_overrun(overrun)
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
				.o_busy(busy),
				.o_error(bad_frame)
			);
		end else begin : g_engine
			wire idle;
			snn_top #(
				.N_CORES(N_CORES),
				.NEURONS(NEURONS),
				.AXONS(AXONS),
				.SYN_WORDS(SYN_WORDS),
				.WEIGHT_BITS(WEIGHT_BITS),
				.MEMBRANE_BITS(MEMBRANE_BITS),
				.BIAS_BITS(BIAS_BITS),
				.ROUTES(ROUTES),
				.INPUT_ROUTES(INPUT_ROUTES),
				.MAX_PHASES(MAX_PHASES),
				.NEURON_TOTAL(NEURON_TOTAL),
				.SYN_TOTAL(SYN_TOTAL),
				.ROUTE_TOTAL(ROUTE_TOTAL),
				.LANES(LANES),
				.STATE_WORDS(STATE_WORDS),
				.ACC_BITS(ACC_BITS),
				.INPUT_MAX(INPUT_MAX),
				.DECONV(1),	// the profile's every core mode (lib/geometry.c)
				.CHAN_BIAS(1),	// ... and channel biases (docs/geometry.md)
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
				.o_error(bad_frame),
				.o_spk_valid(),
				.o_spk_neuron(),
				.o_mon_synop(),
				.o_mon_stall()
			);
			assign busy = !idle;
		end
	endgenerate

	// LED pulse stretchers
	snn_led_stretch #(.LED_BITS(LED_BITS)) u_led_error (.i_clk(i_clk), .i_rst(i_rst),
		.i_event(frame_err || overrun || bad_frame), .o_led(o_led_error));
	snn_led_stretch #(.LED_BITS(LED_BITS)) u_led_link (.i_clk(i_clk), .i_rst(i_rst),
		.i_event((rx_valid && rx_ready) || (tx_valid && tx_ready)), .o_led(o_led_link));
	snn_led_stretch #(.LED_BITS(LED_BITS)) u_led_run (.i_clk(i_clk), .i_rst(i_rst),
		.i_event(busy), .o_led(o_led_run));

endmodule

`default_nettype wire
