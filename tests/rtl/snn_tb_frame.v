// Test top for test_rtl_frame: a lone receiver, a lone transmitter, and a receiver looped into a transmitter (echo).
//
// All three share the clock and reset and nothing else, so one Verilated
// model serves every case of the test.
`default_nettype none

module snn_tb_frame (
	input wire i_clk,
	input wire i_rst,
	// lone receiver: bytes in, reports and payload out
	input wire i_rx_valid,
	output wire o_rx_ready,
	input wire [7:0] i_rx_data,
	output wire o_rx_frame_valid,
	input wire i_rx_frame_ready,
	output wire [1:0] o_rx_frame_status,
	output wire [7:0] o_rx_frame_op,
	output wire [7:0] o_rx_frame_seq,
	output wire [15:0] o_rx_frame_len,
	output wire o_rx_pay_valid,
	input wire i_rx_pay_ready,
	output wire [7:0] o_rx_pay_data,
	output wire o_rx_pay_last,
	// lone transmitter: header and payload in, bytes out
	input wire i_tx_hdr_valid,
	output wire o_tx_hdr_ready,
	input wire [7:0] i_tx_hdr_op,
	input wire [7:0] i_tx_hdr_seq,
	input wire [15:0] i_tx_hdr_len,
	input wire i_tx_pay_valid,
	output wire o_tx_pay_ready,
	input wire [7:0] i_tx_pay_data,
	output wire o_tx_valid,
	input wire i_tx_ready,
	output wire [7:0] o_tx_data,
	// echo: good frames come back with op | 0x80, refused frames vanish
	input wire i_echo_valid,
	output wire o_echo_ready,
	input wire [7:0] i_echo_data,
	output wire o_echo_valid,
	input wire i_echo_ready,
	output wire [7:0] o_echo_data,
	output wire o_echo_refused,	// a refused frame's report is taken this cycle
	output wire o_echo_last	// the last byte of a payload passes from rx to tx this cycle
);

	localparam [1:0] STATUS_GOOD = 2'd1;

	snn_frame_rx_stream u_rx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_valid(i_rx_valid),
		.o_ready(o_rx_ready),
		.i_data(i_rx_data),
		.o_frame_valid(o_rx_frame_valid),
		.i_frame_ready(i_rx_frame_ready),
		.o_frame_status(o_rx_frame_status),
		.o_frame_op(o_rx_frame_op),
		.o_frame_seq(o_rx_frame_seq),
		.o_frame_len(o_rx_frame_len),
		.o_pay_valid(o_rx_pay_valid),
		.i_pay_ready(i_rx_pay_ready),
		.o_pay_data(o_rx_pay_data),
		.o_pay_last(o_rx_pay_last)
	);

	snn_frame_tx u_tx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_hdr_valid(i_tx_hdr_valid),
		.o_hdr_ready(o_tx_hdr_ready),
		.i_hdr_op(i_tx_hdr_op),
		.i_hdr_seq(i_tx_hdr_seq),
		.i_hdr_len(i_tx_hdr_len),
		.i_pay_valid(i_tx_pay_valid),
		.o_pay_ready(o_tx_pay_ready),
		.i_pay_data(i_tx_pay_data),
		.o_valid(o_tx_valid),
		.i_ready(i_tx_ready),
		.o_data(o_tx_data)
	);

	// The echo loop: the receiver's report becomes the transmitter's header,
	// its payload stream the transmitter's payload stream.
	wire echo_frame_valid, echo_frame_ready, echo_hdr_ready;
	wire [1:0] echo_status;
	wire [7:0] echo_op, echo_seq;
	wire [15:0] echo_len;
	wire echo_pay_valid, echo_pay_ready, echo_pay_last;
	wire [7:0] echo_pay_data;
	wire echo_good = echo_status == STATUS_GOOD;

	assign echo_frame_ready = echo_good ? echo_hdr_ready : 1'b1;
	assign o_echo_refused = echo_frame_valid && !echo_good;
	assign o_echo_last = echo_pay_valid && echo_pay_ready && echo_pay_last;

	snn_frame_rx_stream u_echo_rx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_valid(i_echo_valid),
		.o_ready(o_echo_ready),
		.i_data(i_echo_data),
		.o_frame_valid(echo_frame_valid),
		.i_frame_ready(echo_frame_ready),
		.o_frame_status(echo_status),
		.o_frame_op(echo_op),
		.o_frame_seq(echo_seq),
		.o_frame_len(echo_len),
		.o_pay_valid(echo_pay_valid),
		.i_pay_ready(echo_pay_ready),
		.o_pay_data(echo_pay_data),
		.o_pay_last(echo_pay_last)
	);

	snn_frame_tx u_echo_tx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_hdr_valid(echo_frame_valid && echo_good),
		.o_hdr_ready(echo_hdr_ready),
		.i_hdr_op(echo_op | 8'h80),
		.i_hdr_seq(echo_seq),
		.i_hdr_len(echo_len),
		.i_pay_valid(echo_pay_valid),
		.o_pay_ready(echo_pay_ready),
		.i_pay_data(echo_pay_data),
		.o_valid(o_echo_valid),
		.i_ready(i_echo_ready),
		.o_data(o_echo_data)
	);

endmodule

`default_nettype wire
