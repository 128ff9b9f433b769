// Host link receiver: hunts for frames in a byte stream, checks length and CRC-32, and hands on whole checked frames (docs/host-protocol.md).
//
// Bytes come in on i_valid/o_ready/i_data. For every frame the receiver
// offers one report on the frame stream (o_frame_*): its status and the op,
// seq and len of its header. A good frame's payload is held in a 1024-byte
// buffer until its CRC has checked, then, after the report is taken, it is
// streamed out on o_pay_* (len bytes, o_pay_last on the final one). While a
// report or payload waits to be taken, o_ready is low: the link is paused,
// never dropped. docs/rtl.md has the timing.
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
	output wire o_pay_last
);

	// Protocol constants, include/snn/protocol.h.
	localparam [7:0] SOF = 8'hA5;
	localparam MAX_PAYLOAD = 1024;
	localparam ADDR_BITS = $clog2(MAX_PAYLOAD);
	// zlib's crc32() of a message followed by its own CRC (little-endian) is
	// this constant, so the check needs no copy of the received CRC.
	localparam [31:0] CRC_CHECK = 32'h2144DF1C;

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

	reg [3:0] state;
	reg [7:0] op, seq;
	reg [15:0] len;
	reg len_bad;
	reg [ADDR_BITS:0] count;	// payload bytes stored, or CRC bytes seen
	reg [ADDR_BITS:0] rd_addr;	// next buffer address to read while draining
	reg pay_valid, pay_last;

	wire take = i_valid && o_ready;
	wire [15:0] hdr_len = {i_data, len[7:0]};	// complete in S_LEN_HI
	wire [31:0] crc;

	// The CRC covers op .. the last CRC byte; it restarts at each SOF.
	snn_crc32 u_crc (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_clear(take && state == S_HUNT),
		.i_valid(take),
		.i_data(i_data),
		.o_crc(crc)
	);

	// Drain: read the next byte when the output register is empty or being
	// taken; the RAM's read register holds the byte on offer otherwise.
	wire rd_more = rd_addr != len[ADDR_BITS:0];
	wire rd_en = state == S_DRAIN && rd_more && (!pay_valid || i_pay_ready);

	snn_ram_sdp #(
		.WIDTH(8),
		.DEPTH(MAX_PAYLOAD)
	) u_buf (
		.i_clk(i_clk),
		.i_we(take && state == S_PAYLOAD),
		.i_waddr(count[ADDR_BITS-1:0]),
		.i_wdata(i_data),
		.i_re(rd_en),
		.i_raddr(rd_addr[ADDR_BITS-1:0]),
		.o_rdata(o_pay_data)
	);

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= S_HUNT;
			op <= 8'd0;
			seq <= 8'd0;
			len <= 16'd0;
			len_bad <= 1'b0;
			count <= 0;
			rd_addr <= 0;
			pay_valid <= 1'b0;
			pay_last <= 1'b0;
		end else begin
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
					len_bad <= hdr_len > MAX_PAYLOAD;
					count <= 0;
					if (hdr_len > MAX_PAYLOAD)
						state <= S_REPORT;	// refuse now; hunt again after the header
					else if (hdr_len == 16'd0)
						state <= S_CRC;
					else
						state <= S_PAYLOAD;
				end
			S_PAYLOAD:
				if (take) begin
					if (count == len[ADDR_BITS:0] - 1'b1) begin
						count <= 0;
						state <= S_CRC;
					end else begin
						count <= count + 1'b1;
					end
				end
			S_CRC:
				if (take) begin
					count <= count + 1'b1;
					if (count == 3)
						state <= S_REPORT;
				end
			S_REPORT:
				if (i_frame_ready) begin
					rd_addr <= 0;
					if (o_frame_status == STATUS_GOOD && len != 16'd0)
						state <= S_DRAIN;
					else
						state <= S_HUNT;
				end
			S_DRAIN: begin
				if (rd_en) begin
					rd_addr <= rd_addr + 1'b1;
					pay_valid <= 1'b1;
					pay_last <= rd_addr == len[ADDR_BITS:0] - 1'b1;
				end else if (i_pay_ready) begin
					pay_valid <= 1'b0;
				end
				if (pay_valid && i_pay_ready && pay_last) begin
					pay_last <= 1'b0;
					state <= S_HUNT;
				end
			end
			default:
				state <= S_HUNT;
			endcase
		end
	end

	assign o_ready = state != S_REPORT && state != S_DRAIN;

	// The CRC register is still between S_REPORT and the next frame, so the
	// status needs no register of its own.
	assign o_frame_valid = state == S_REPORT;
	assign o_frame_status = len_bad ? STATUS_BAD_LENGTH
		: crc == CRC_CHECK ? STATUS_GOOD : STATUS_BAD_CRC;
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
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
