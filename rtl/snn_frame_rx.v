// Host link receiver: hunts for frames in a byte stream, checks length and CRC-32, and hands on whole checked frames (docs/host-protocol.md).
//
// Bytes come in on i_valid/o_ready/i_data. For every frame the receiver
// offers one report on the frame stream (o_frame_*): its status and the op,
// seq and len of its header. A good frame's payload is held in a 1024-byte
// buffer until its CRC has checked, then, after the report is taken, it is
// streamed out on o_pay_* (len bytes, o_pay_last on the final one). While a
// report or payload waits to be taken, o_ready is low: the link is paused,
// never dropped. The buffer is 256 words of 32 bits: after the payload has
// gone out the receiver holds it, and its input, until i_release, and
// meanwhile lends the buffer to the command layer (i_buf_*), which reads a
// WRITE_MEM's words and an INPUT's indices in place and keeps a STEP's
// output events there: one copy of a frame, not two. Tied high, i_release
// never holds. docs/rtl.md has the timing.
`default_nettype none

module snn_frame_rx (
	input wire i_clk,
	input wire i_rst,
	// bytes from the link
	input wire i_valid,
	output wire o_ready,
	input wire [7:0] i_data,
	// one report per frame
	output wire o_frame_valid,
	input wire i_frame_ready,
	output wire [1:0] o_frame_status,	// STATUS_* below (= enum snn_decode_status)
	output wire [7:0] o_frame_op,
	output wire [7:0] o_frame_seq,
	output wire [15:0] o_frame_len,	// the header's length, even when refused
	// payload of a good frame, after its report
	output wire o_pay_valid,
	input wire i_pay_ready,
	output wire [7:0] o_pay_data,
	output wire o_pay_last,
	// the buffer, lent while held: the next frame waits for i_release
	input wire i_release,
	input wire i_buf_we,
	input wire [7:0] i_buf_waddr,
	input wire [31:0] i_buf_wdata,
	input wire i_buf_re,
	input wire [7:0] i_buf_raddr,
	output wire [31:0] o_buf_rdata
);

	// Protocol constants, include/snn/protocol.h.
	localparam [7:0] SOF = 8'hA5;
	localparam MAX_PAYLOAD = 1024;
	localparam ADDR_BITS = $clog2(MAX_PAYLOAD);
	// zlib's crc32() of a message followed by its own CRC (little-endian) is
	// 0x2144DF1C (the register, snn_crc32's inverse, is 0xDEBB20E3), so the
	// check needs no copy of the received CRC. It is decided as the last CRC
	// byte d arrives, from the CRC c of the bytes before it: the register
	// steps to (r >> 8) ^ T[(r ^ d) & 0xFF], and T[0xED] = 0xDEBB9EC5 is the
	// only table entry whose top byte is 0xDE, so the result is 0xDEBB20E3
	// exactly when r[31:8] == 0x00BE26 and (r[7:0] ^ d) == 0xED; with
	// c = ~r that is c[31:8] == CHECK_HI and (c[7:0] ^ d) == CHECK_LO.
	localparam [23:0] CHECK_HI = 24'hFF41D9;
	localparam [7:0] CHECK_LO = 8'h12;

	// Report status, the values of enum snn_decode_status.
	localparam [1:0] STATUS_GOOD = 2'd1;
	localparam [1:0] STATUS_BAD_CRC = 2'd2;
	localparam [1:0] STATUS_BAD_LENGTH = 2'd3;

	// FSM: one state per header byte, then payload, CRC, report, drain.
	localparam [3:0] S_HUNT = 4'd0;	// skip bytes until SOF
	localparam [3:0] S_OP = 4'd1;
	localparam [3:0] S_SEQ = 4'd2;
	localparam [3:0] S_LEN_LO = 4'd3;
	localparam [3:0] S_LEN_HI = 4'd4;
	localparam [3:0] S_PAYLOAD = 4'd5;	// payload bytes into the buffer
	localparam [3:0] S_CRC = 4'd6;	// four CRC bytes
	localparam [3:0] S_REPORT = 4'd7;	// o_frame_valid until taken
	localparam [3:0] S_DRAIN = 4'd8;	// payload out of the buffer
	localparam [3:0] S_HOLD = 4'd9;	// buffer lent until i_release

	reg [3:0] state;
	reg ready;	// o_ready, a register: low in S_REPORT and S_DRAIN
	reg [7:0] op, seq;
	reg [15:0] len;
	reg len_lo_zero;	// len[7:0] == 0, from S_LEN_LO
	reg len_bad, len_zero;	// len > MAX_PAYLOAD, len == 0, from S_LEN_HI
	reg crc_ok;	// the CRC checked, from the last CRC byte
	// Signed, payload bytes still to come minus 2: negative on the last.
	// MAX_PAYLOAD - 2 and -2 fit.
	reg [ADDR_BITS:0] left;
	localparam [ADDR_BITS:0] TWO = 2;
	reg [ADDR_BITS-1:0] waddr;	// next buffer address to write
	reg [1:0] crc_count;	// CRC bytes seen
	// Draining: the next buffer address to read, bytes still to read minus 2
	// (signed, as left) and whether any are.
	reg [ADDR_BITS-1:0] rd_addr;
	reg [ADDR_BITS:0] rd_left;
	reg rd_more;
	reg [1:0] rd_lane;	// the byte of the word read that is on offer
	reg pay_valid, pay_last;
	// pay_valid is also low from time zero (as an iCE40 flip-flop is after
	// configuration), so nothing is offered before the first reset edge:
	// test_rtl_frame samples the outputs from its very first cycle, with
	// every register random.
	initial pay_valid = 1'b0;

	// The CRC takes a byte in nine clocks (snn_crc32), and the input waits
	// for it. Below S_REPORT ready is high, so there a byte is taken
	// whenever i_valid is and the CRC is ready: the FSM looks at take alone.
	wire [31:0] crc;
	wire crc_ready;
	wire take = i_valid && crc_ready;

	// The CRC covers op .. the third CRC byte. It is held cleared while
	// ready is low, from each frame's judgement until the hunt for the next
	// SOF (a register, so its enable is a short path at 48 MHz). The last
	// CRC byte is checked against it as it arrives (crc_good), so it never
	// waits for the CRC, nor does the next frame's SOF.
	snn_crc32 u_crc (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_clear(!ready),
		.i_valid(take && state != S_HUNT && !(state == S_CRC && crc_count == 2'd3)),
		.o_ready(crc_ready),
		.i_data(i_data),
		.o_crc(crc)
	);
	wire crc_good = crc[31:8] == CHECK_HI && (crc[7:0] ^ i_data) == CHECK_LO;

	// The header's length in S_LEN_HI, {i_data, len[7:0]}, tested against
	// MAX_PAYLOAD (1024) bit by bit, with the low byte's zero test from
	// S_LEN_LO: no carry chain behind i_data (often a RAM's output).
	wire hdr_zero = i_data == 8'd0 && len_lo_zero;
	wire hdr_too_long = i_data[7:3] != 5'd0
		|| (i_data[2] && (i_data[1:0] != 2'd0 || !len_lo_zero));
	wire [ADDR_BITS:0] hdr_len = {i_data[ADDR_BITS-8:0], len[7:0]};	// when not too long

	// Drain: read the next byte when the output register is empty or being
	// taken; the RAM's read register holds the byte on offer otherwise.
	wire rd_en = state == S_DRAIN && rd_more && (!pay_valid || i_pay_ready);
	wire pay_take = pay_valid && i_pay_ready;	// only in S_DRAIN

	// byte waddr into lane waddr[1:0] of word waddr[9:2]; the drain reads
	// the word of each byte; while held the command layer has both ports
	wire held = state == S_HOLD;
	wire rx_we = take && state == S_PAYLOAD;
	wire [31:0] buf_rdata;

	snn_ram_sdp_be #(
		.BYTES(4),
		.DEPTH(MAX_PAYLOAD / 4)
	) u_buf (
		.i_clk(i_clk),
		.i_we(held ? {4{i_buf_we}} : {4{rx_we}} & (4'd1 << waddr[1:0])),
		.i_waddr(held ? i_buf_waddr : waddr[ADDR_BITS-1:2]),
		.i_wdata(held ? i_buf_wdata : {4{i_data}}),
		.i_re(rd_en || held && i_buf_re),
		.i_raddr(held ? i_buf_raddr : rd_addr[ADDR_BITS-1:2]),
		.o_rdata(buf_rdata)
	);
	assign o_pay_data = buf_rdata[8 * rd_lane +: 8];
	assign o_buf_rdata = buf_rdata;

	// The report leads to the payload: a good frame with one.
	wire drain = !len_bad && crc_ok && !len_zero;

	// o_ready falls as the frame is judged and rises as S_REPORT or S_DRAIN
	// end.
	wire ready_clear = take && ((state == S_LEN_HI && hdr_too_long)
		|| (state == S_CRC && crc_count == 2'd3));
	wire ready_set = (state == S_REPORT && i_frame_ready && !drain || pay_take && pay_last
		|| held) && i_release || state > S_HOLD;

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= S_HUNT;
			ready <= 1'b1;
			op <= 8'd0;
			seq <= 8'd0;
			len <= 16'd0;
			len_bad <= 1'b0;
			len_zero <= 1'b0;
			crc_ok <= 1'b0;
			pay_valid <= 1'b0;
			pay_last <= 1'b0;
		end else begin
			ready <= ready ? !ready_clear : ready_set;
			case (state)
			S_HUNT:
				if (take && i_data == SOF)
					state <= S_OP;
			S_OP:
				if (take) begin
					op <= i_data;
					state <= S_SEQ;
				end
			S_SEQ:
				if (take) begin
					seq <= i_data;
					state <= S_LEN_LO;
				end
			S_LEN_LO:
				if (take) begin
					len[7:0] <= i_data;
					state <= S_LEN_HI;
				end
			S_LEN_HI:
				if (take) begin
					len[15:8] <= i_data;
					len_bad <= hdr_too_long;
					len_zero <= hdr_zero;
					if (hdr_too_long)
						state <= S_REPORT;	// refuse now; hunt again after the header
					else if (hdr_zero)
						state <= S_CRC;
					else
						state <= S_PAYLOAD;
				end
			S_PAYLOAD:
				if (take && left[ADDR_BITS])
					state <= S_CRC;
			S_CRC:
				if (take && crc_count == 2'd3) begin
					crc_ok <= crc_good;
					state <= S_REPORT;
				end
			S_REPORT:
				if (i_frame_ready)
					state <= drain ? S_DRAIN : i_release ? S_HUNT : S_HOLD;
			S_DRAIN:
				if (pay_take && pay_last)
					state <= i_release ? S_HUNT : S_HOLD;
			S_HOLD:
				if (i_release)
					state <= S_HUNT;
			default:
				state <= S_HUNT;
			endcase

			pay_valid <= rd_en || (pay_valid && !i_pay_ready);
			if (rd_en)
				pay_last <= rd_left[ADDR_BITS];
			else if (pay_take)
				pay_last <= 1'b0;
		end
	end

	// Counters and data, each loaded before it is used: no reset.
	always @(posedge i_clk) begin
		if (take && state == S_LEN_LO)
			len_lo_zero <= i_data == 8'd0;
		if (take && state == S_LEN_HI) begin
			left <= hdr_len - TWO;
			waddr <= 0;
			crc_count <= 2'd0;
		end else if (take && state == S_PAYLOAD) begin
			left <= left - 1'b1;
			waddr <= waddr + 1'b1;
		end
		if (take && state == S_CRC)
			crc_count <= crc_count + 1'b1;

		// The drain: set up while the report waits, then one byte read from
		// the buffer whenever the output register is free.
		if (state == S_REPORT) begin
			rd_addr <= 0;
			rd_left <= len[ADDR_BITS:0] - TWO;
			rd_more <= 1'b1;
		end else if (rd_en) begin
			rd_lane <= rd_addr[1:0];
			rd_addr <= rd_addr + 1'b1;
			rd_left <= rd_left - 1'b1;
			rd_more <= !rd_left[ADDR_BITS];
		end
	end

	assign o_ready = ready && crc_ready;

	// Everything reported is held in registers until the next frame.
	assign o_frame_valid = state == S_REPORT;
	assign o_frame_status = len_bad ? STATUS_BAD_LENGTH
		: crc_ok ? STATUS_GOOD : STATUS_BAD_CRC;
	assign o_frame_op = op;
	assign o_frame_seq = seq;
	assign o_frame_len = len;

	assign o_pay_valid = pay_valid;
	assign o_pay_last = pay_last;

`ifndef SYNTHESIS
	// State names for waveform viewers (simulation only).
	reg [8*8-1:0] state_ascii;
	always @* begin
		case (state)
		S_HUNT: state_ascii = "hunt";
		S_OP: state_ascii = "op";
		S_SEQ: state_ascii = "seq";
		S_LEN_LO: state_ascii = "len_lo";
		S_LEN_HI: state_ascii = "len_hi";
		S_PAYLOAD: state_ascii = "payload";
		S_CRC: state_ascii = "crc";
		S_REPORT: state_ascii = "report";
		S_DRAIN: state_ascii = "drain";
		S_HOLD: state_ascii = "hold";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
