// The link-only device: answers every good frame with its echo (op | 0x80, same seq, same payload) and every refused frame with ERROR, over a byte stream each way.
//
// The first design for a board: it exercises the whole host link (UART or
// other transport, framing, CRC, pauses) with nothing behind it, and
// presents the byte-stream ports every device presents (snn_top will be
// wired the same way). Like the command layer, it keeps the protocol's
// rule of exactly one reply per request (docs/host-protocol.md): a frame
// with a bad CRC gets ERROR CRC (code 1, its op as received, detail 0), one
// with a length over 1024 gets ERROR LENGTH (code 2, detail = the length);
// both with the frame's seq. It does not look at the op, so any good frame
// is echoed, ECHO (0x3F) or not. docs/boards.md, "The link echo".
`default_nettype none

module snn_link_echo (
	input wire i_clk,
	input wire i_rst,
	// bytes from the host
	input wire i_rx_valid,
	output wire o_rx_ready,
	input wire [7:0] i_rx_data,
	// bytes to the host
	output wire o_tx_valid,
	input wire i_tx_ready,
	output wire [7:0] o_tx_data,
	// status, for LEDs and harnesses
	output wire o_busy,	// a reply is under way: from its request's report to its last byte sent
	output wire o_error	// one-cycle pulse: a frame was refused (bad CRC or length)
);

	// Protocol constants, include/snn/protocol.h.
	localparam [7:0] REPLY_BIT = 8'h80;
	localparam [7:0] OP_ERROR = 8'h7F;
	localparam [7:0] E_CRC = 8'd1;	// SNN_LERR_CRC
	localparam [7:0] E_LENGTH = 8'd2;	// SNN_LERR_LENGTH
	localparam [15:0] ERROR_LEN = 16'd4;	// u8 code, u8 op, u16 detail
	localparam [10:0] FRAME_OVERHEAD = 11'd9;	// SOF, op, seq, len, CRC

	// snn_frame_rx report status (= enum snn_decode_status)
	localparam [1:0] STATUS_GOOD = 2'd1;
	localparam [1:0] STATUS_BAD_CRC = 2'd2;

	// receiver -> transmitter
	wire frame_valid, frame_ready;
	wire [1:0] frame_status;
	wire [7:0] frame_op, frame_seq;
	wire [15:0] frame_len;
	wire rx_pay_valid, rx_pay_ready, rx_pay_last;
	wire [7:0] rx_pay_data;
	wire tx_pay_valid, tx_pay_ready;
	wire [7:0] tx_pay_data;

	snn_frame_rx_stream u_rx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_valid(i_rx_valid),
		.o_ready(o_rx_ready),
		.i_data(i_rx_data),
		.o_frame_valid(frame_valid),
		.i_frame_ready(frame_ready),
		.o_frame_status(frame_status),
		.o_frame_op(frame_op),
		.o_frame_seq(frame_seq),
		.o_frame_len(frame_len),
		.o_pay_valid(rx_pay_valid),
		.i_pay_ready(rx_pay_ready),
		.o_pay_data(rx_pay_data),
		.o_pay_last(rx_pay_last)
	);

	// Every report becomes a header, the echo's or ERROR's. The report is
	// held in registers first: its status is a 32-bit CRC compare, too slow
	// to steer the transmitter and the ERROR payload in the same cycle at
	// 48 MHz on an iCE40.
	reg hdr_valid;
	reg [1:0] hdr_status;
	reg [7:0] hdr_rop;	// the request's op, as received
	reg [7:0] hdr_seq;
	reg [15:0] hdr_rlen;	// the request's len
	wire hdr_good = hdr_status == STATUS_GOOD;
	wire hdr_crc = hdr_status == STATUS_BAD_CRC;
	wire [7:0] hdr_op = hdr_good ? hdr_rop | REPLY_BIT : OP_ERROR;
	wire [15:0] hdr_len = hdr_good ? hdr_rlen : ERROR_LEN;
	// the ERROR payload: {detail, op, code}
	wire [31:0] hdr_err = {hdr_crc ? 16'd0 : hdr_rlen, hdr_rop, hdr_crc ? E_CRC : E_LENGTH};
	wire hdr_ready;

	assign frame_ready = !hdr_valid;
	wire report_take = frame_valid && frame_ready;
	wire hdr_take = hdr_valid && hdr_ready;

	// The ERROR payload goes out of a shift register of its own, least
	// significant byte first, so the next report may be held meanwhile. The
	// transmitter takes a header only when idle, so an ERROR payload and a
	// good frame's payload from the receiver never overlap.
	reg [31:0] err_shift;
	reg [2:0] err_left;	// bytes of it still to send
	// Registers, so that the enable of err_shift (32 flip-flops, which
	// nextpnr puts on a global buffer) is one LUT of flip-flops and ready
	// inputs: err_active is err_left != 0, hdr_bad is hdr_valid && !hdr_good.
	reg err_active;
	reg hdr_bad;

	// The receiver's payload reaches the transmitter through a two-entry
	// skid buffer whose ready is a flip-flop: without it the transmitter's
	// ready (following the UART's) would run on through the receiver's
	// buffer read in one cycle. Entry 0 is on offer; entry 1 catches the
	// byte taken in the cycle the output stalls.
	reg skid_valid0, skid_valid1;
	reg [7:0] skid_data0, skid_data1;
	assign rx_pay_ready = !skid_valid1;
	wire skid_in = rx_pay_valid && rx_pay_ready;
	wire skid_out = skid_valid0 && !err_active && tx_pay_ready;

	assign tx_pay_valid = err_active || skid_valid0;
	assign tx_pay_data = err_active ? err_shift[7:0] : skid_data0;

	// Reply bytes still to leave o_tx (a reply is at most 1033 bytes).
	reg [10:0] reply_left;
	reg error;

	always @(posedge i_clk) begin
		if (i_rst) begin
			hdr_valid <= 1'b0;
			hdr_status <= 2'd0;
			hdr_rop <= 8'd0;
			hdr_seq <= 8'd0;
			hdr_rlen <= 16'd0;
			err_shift <= 32'd0;
			err_left <= 3'd0;
			err_active <= 1'b0;
			hdr_bad <= 1'b0;
			reply_left <= 11'd0;
			error <= 1'b0;
			skid_valid0 <= 1'b0;
			skid_valid1 <= 1'b0;
			skid_data0 <= 8'd0;
			skid_data1 <= 8'd0;
		end else begin
			if (skid_out) begin
				if (skid_valid1) begin
					skid_data0 <= skid_data1;	// no byte comes in: entry 1 was full
					skid_valid1 <= 1'b0;
				end else if (skid_in) begin
					skid_data0 <= rx_pay_data;
				end else begin
					skid_valid0 <= 1'b0;
				end
			end else if (skid_in) begin
				if (skid_valid0) begin
					skid_data1 <= rx_pay_data;
					skid_valid1 <= 1'b1;
				end else begin
					skid_data0 <= rx_pay_data;
					skid_valid0 <= 1'b1;
				end
			end
			error <= report_take && frame_status != STATUS_GOOD;
			if (report_take) begin
				hdr_valid <= 1'b1;
				hdr_bad <= frame_status != STATUS_GOOD;
				hdr_status <= frame_status;
				hdr_rop <= frame_op;
				hdr_seq <= frame_seq;
				hdr_rlen <= frame_len;
			end else if (hdr_take) begin
				hdr_valid <= 1'b0;
				hdr_bad <= 1'b0;
			end
			if (hdr_bad && hdr_ready) begin
				err_shift <= hdr_err;
				err_left <= 3'd4;
				err_active <= 1'b1;
			end else if (err_active && tx_pay_ready) begin
				err_shift <= {8'd0, err_shift[31:8]};
				err_left <= err_left - 1'b1;
				err_active <= err_left != 3'd1;
			end
			// A header is taken only when the transmitter is idle, which can
			// be in the cycle the last reply byte leaves: the new count wins.
			if (hdr_take)
				reply_left <= FRAME_OVERHEAD + hdr_len[10:0];
			else if (o_tx_valid && i_tx_ready)
				reply_left <= reply_left - 1'b1;
		end
	end

	snn_frame_tx u_tx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_hdr_valid(hdr_valid),
		.o_hdr_ready(hdr_ready),
		.i_hdr_op(hdr_op),
		.i_hdr_seq(hdr_seq),
		.i_hdr_len(hdr_len),
		.i_pay_valid(tx_pay_valid),
		.o_pay_ready(tx_pay_ready),
		.i_pay_data(tx_pay_data),
		.o_valid(o_tx_valid),
		.i_ready(i_tx_ready),
		.o_data(o_tx_data)
	);

	assign o_busy = hdr_valid || reply_left != 11'd0;
	assign o_error = error;

endmodule

`default_nettype wire
