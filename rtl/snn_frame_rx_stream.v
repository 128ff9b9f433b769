// snn_frame_rx for a user that only streams: reports and payload bytes, its
// buffer never lent (the link echo and the frame test bench; snn_cmd borrows
// the buffer and instantiates snn_frame_rx itself).
`default_nettype none

module snn_frame_rx_stream (
	input wire i_clk,
	input wire i_rst,
	// bytes from the link
	input wire i_valid,
	output wire o_ready,
	input wire [7:0] i_data,
	// one report per frame (as snn_frame_rx)
	output wire o_frame_valid,
	input wire i_frame_ready,
	output wire [1:0] o_frame_status,
	output wire [7:0] o_frame_op,
	output wire [7:0] o_frame_seq,
	output wire [15:0] o_frame_len,
	// payload of a good frame, after its report
	output wire o_pay_valid,
	input wire i_pay_ready,
	output wire [7:0] o_pay_data,
	output wire o_pay_last
);

	snn_frame_rx u_rx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_valid(i_valid),
		.o_ready(o_ready),
		.i_data(i_data),
		.o_frame_valid(o_frame_valid),
		.i_frame_ready(i_frame_ready),
		.o_frame_status(o_frame_status),
		.o_frame_op(o_frame_op),
		.o_frame_seq(o_frame_seq),
		.o_frame_len(o_frame_len),
		.o_pay_valid(o_pay_valid),
		.i_pay_ready(i_pay_ready),
		.o_pay_data(o_pay_data),
		.o_pay_last(o_pay_last),
		// the buffer is not borrowed: never held
		.i_release(1'b1),
		.i_buf_we(1'b0),
		.i_buf_waddr(8'd0),
		.i_buf_wdata(32'd0),
		.i_buf_re(1'b0),
		.i_buf_raddr(8'd0),
		/* verilator lint_off PINCONNECTEMPTY */
		.o_buf_rdata()
		/* verilator lint_on PINCONNECTEMPTY */
	);

endmodule

`default_nettype wire
