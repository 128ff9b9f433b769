// The command layer's reply sender: one header to snn_frame_tx, then the payload as 32-bit words fetched one at a time and sent little-endian, or an ECHO's payload passed straight from the receiver.
//
// A reply is started while idle (i_start with its op and length in
// bytes); o_fetch then asks for word o_wi until i_word_valid says the
// caller has it (the same cycle at the earliest); its four bytes then
// leave as i_byte, byte o_bi of that word, which the caller keeps stable
// until the next fetch. No word register here: the caller picks the byte
// straight from where the word is held (a register of the array, a block
// RAM's output), a byte mux instead of a 32-bit register and its loads.
// o_last marks the cycle the reply's last handshake happens (the header
// of an empty reply, else the last byte), so the caller can move on in
// step with it. docs/rtl.md, "snn_cmd".
`default_nettype none

module snn_cmd_tx (
	input wire i_clk,
	input wire i_rst,
	// the reply to send (while idle)
	input wire i_start,
	input wire [7:0] i_op,
	input wire [10:0] i_len,	// payload bytes, at most 1024: a multiple of 4 unless i_echo
	input wire i_echo,	// the payload is the received frame's, passed through
	output wire o_last,
	// payload words, asked for one at a time
	output wire o_fetch,
	output wire [8:0] o_wi,
	input wire i_word_valid,
	output wire [1:0] o_bi,	// the byte of word o_wi being sent ...
	input wire [7:0] i_byte,	// ... from the caller
	// the received payload, for an ECHO
	input wire i_rx_pay_valid,
	output wire o_rx_pay_ready,
	input wire [7:0] i_rx_pay_data,
	input wire i_rx_pay_last,
	// snn_frame_tx
	output wire o_tx_hdr_valid,
	input wire i_tx_hdr_ready,
	output wire [7:0] o_tx_hdr_op,
	output wire [15:0] o_tx_hdr_len,
	output wire o_tx_pay_valid,
	input wire i_tx_pay_ready,
	output wire [7:0] o_tx_pay_data
);

	localparam [2:0] T_IDLE = 3'd0, T_HDR = 3'd1, T_FETCH = 3'd2, T_BYTES = 3'd3, T_ECHO = 3'd4;

	reg [2:0] state;
	reg [7:0] op;
	reg [10:0] len;
	reg echo;
	reg [8:0] wi;	// word being sent
	reg [1:0] bi;	// its byte

	wire hdr_take = state == T_HDR && i_tx_hdr_ready;
	wire byte_take = state == T_BYTES && i_tx_pay_ready;
	wire word_end = byte_take && bi == 2'd3;
	wire last_word = wi + 9'd1 == len[10:2];
	wire echo_take = state == T_ECHO && i_rx_pay_valid && i_tx_pay_ready;

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= T_IDLE;
			op <= 8'd0;
			len <= 11'd0;
			echo <= 1'b0;
			wi <= 9'd0;
			bi <= 2'd0;
		end else case (state)
		T_IDLE:
			if (i_start) begin
				op <= i_op;
				len <= i_len;
				echo <= i_echo;
				state <= T_HDR;
			end
		T_HDR:
			if (hdr_take) begin
				wi <= 9'd0;
				state <= len == 11'd0 ? T_IDLE : echo ? T_ECHO : T_FETCH;
			end
		T_FETCH:
			if (i_word_valid) begin
				bi <= 2'd0;
				state <= T_BYTES;
			end
		T_BYTES:
			if (byte_take) begin
				bi <= bi + 2'd1;
				if (bi == 2'd3) begin
					wi <= wi + 9'd1;
					state <= last_word ? T_IDLE : T_FETCH;
				end
			end
		T_ECHO:
			if (echo_take && i_rx_pay_last)
				state <= T_IDLE;
		default:
			state <= T_IDLE;
		endcase
	end

	assign o_last = hdr_take && len == 11'd0 || word_end && last_word || echo_take && i_rx_pay_last;
	assign o_fetch = state == T_FETCH;
	assign o_bi = bi;
	assign o_wi = wi;
	assign o_rx_pay_ready = state == T_ECHO && i_tx_pay_ready;
	assign o_tx_hdr_valid = state == T_HDR;
	assign o_tx_hdr_op = op;
	assign o_tx_hdr_len = {5'd0, len};
	assign o_tx_pay_valid = state == T_BYTES || state == T_ECHO && i_rx_pay_valid;
	assign o_tx_pay_data = state == T_ECHO ? i_rx_pay_data : i_byte;

`ifndef SYNTHESIS
	// State names for waveform viewers (simulation only).
	reg [8*6-1:0] state_ascii;
	always @* begin
		case (state)
		T_IDLE: state_ascii = "idle";
		T_HDR: state_ascii = "hdr";
		T_FETCH: state_ascii = "fetch";
		T_BYTES: state_ascii = "bytes";
		T_ECHO: state_ascii = "echo";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
