// The iCEBreaker design below the PLL: the UART host link, the device (the link echo for now), and the two LEDs.
//
// Everything here runs on the one design clock; the board top
// (snn_icebreaker.v) makes that clock and the reset and drives the pins.
// Kept apart from the top so the Verilated test (tests/rtl/test_rtl_uart)
// runs the same logic at bit level without the PLL. The engine device will
// take the echo's place behind the same byte streams. docs/boards.md.
`default_nettype none

module snn_icebreaker_core #(
	parameter CLKS_PER_BIT = 16,	// design clock cycles per UART bit (16: 3 Mbaud at 48 MHz)
	parameter RX_FIFO_DEPTH = 2048,	// bytes the link holds while the device pauses (snn_uart_link)
	parameter LED_BITS = 22	// an LED stays on 2^LED_BITS cycles after its event (87 ms at 48 MHz)
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

	// LED pulse stretchers: an event reloads the counter, the LED is on
	// until it runs out.
	reg [LED_BITS-1:0] err_count, act_count;
	wire err_event = o_frame_err || o_overrun || o_bad_frame;
	wire act_event = (rx_valid && rx_ready) || (tx_valid && tx_ready);

	always @(posedge i_clk) begin
		if (i_rst) begin
			err_count <= {LED_BITS{1'b0}};
			act_count <= {LED_BITS{1'b0}};
		end else begin
			if (err_event)
				err_count <= {LED_BITS{1'b1}};
			else if (err_count != {LED_BITS{1'b0}})
				err_count <= err_count - 1'b1;
			if (act_event)
				act_count <= {LED_BITS{1'b1}};
			else if (act_count != {LED_BITS{1'b0}})
				act_count <= act_count - 1'b1;
		end
	end

	assign o_mon_rx_valid = rx_valid;
	assign o_mon_rx_ready = rx_ready;
	assign o_mon_rx_data = rx_data;
	assign o_mon_tx_valid = tx_valid;
	assign o_mon_tx_ready = tx_ready;
	assign o_mon_tx_data = tx_data;

	assign o_led_error = err_count != {LED_BITS{1'b0}};
	assign o_led_activity = act_count != {LED_BITS{1'b0}};

endmodule

`default_nettype wire
