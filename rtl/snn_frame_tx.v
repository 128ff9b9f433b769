// Host link transmitter: frames a header and a payload stream as SOF, op, seq, len, payload, CRC-32 (docs/host-protocol.md).
//
// A frame is one handshake on the header stream (i_hdr_*), then exactly
// i_hdr_len bytes on the payload stream (i_pay_*). No buffer: the CRC is
// computed as the bytes pass, so a payload goes out as fast as it comes in.
// The output byte is registered. docs/rtl.md has the timing.
`default_nettype none

module snn_frame_tx (
	input wire i_clk,
	input wire i_rst,
	// frame header
	input wire i_hdr_valid,
	output wire o_hdr_ready,
	input wire [7:0] i_hdr_op,
	input wire [7:0] i_hdr_seq,
	input wire [15:0] i_hdr_len,	// payload bytes to follow; receivers refuse more than 1024
	// payload, i_hdr_len bytes after the header
	input wire i_pay_valid,
	output wire o_pay_ready,
	input wire [7:0] i_pay_data,
	// bytes to the link
	output wire o_valid,
	input wire i_ready,
	output wire [7:0] o_data
);

	localparam [7:0] SOF = 8'hA5;	// include/snn/protocol.h

	// FSM: the state names the next byte to load into the output register.
	localparam [2:0] S_IDLE = 3'd0;	// waiting for a header; SOF goes out with it
	localparam [2:0] S_OP = 3'd1;
	localparam [2:0] S_SEQ = 3'd2;
	localparam [2:0] S_LEN_LO = 3'd3;
	localparam [2:0] S_LEN_HI = 3'd4;
	localparam [2:0] S_PAYLOAD = 3'd5;
	localparam [2:0] S_CRC = 3'd6;	// four CRC bytes, least significant first

	reg [2:0] state;
	reg [7:0] op, seq;
	reg [15:0] len;
	reg [15:0] count;	// payload bytes sent, or CRC bytes sent
	reg out_valid;
	reg [7:0] out_data;

	// The output register can take a byte this cycle.
	wire out_free = !out_valid || i_ready;

	wire hdr_take = state == S_IDLE && i_hdr_valid && out_free;
	wire pay_take = state == S_PAYLOAD && i_pay_valid && out_free;

	wire [31:0] crc;

	// The byte loaded into the output register this cycle, if any.
	reg load;
	reg [7:0] load_data;
	always @* begin
		load = out_free;
		case (state)
		S_IDLE: begin
			load = hdr_take;
			load_data = SOF;
		end
		S_OP: load_data = op;
		S_SEQ: load_data = seq;
		S_LEN_LO: load_data = len[7:0];
		S_LEN_HI: load_data = len[15:8];
		S_PAYLOAD: begin
			load = pay_take;
			load_data = i_pay_data;
		end
		S_CRC: load_data = crc[8*count[1:0] +: 8];
		default: begin
			load = 1'b0;
			load_data = 8'd0;
		end
		endcase
	end

	// The CRC covers op .. the last payload byte.
	snn_crc32 u_crc (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_clear(hdr_take),
		.i_valid(load && state != S_CRC),
		.i_data(load_data),
		.o_crc(crc)
	);

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= S_IDLE;
			op <= 8'd0;
			seq <= 8'd0;
			len <= 16'd0;
			count <= 16'd0;
			out_valid <= 1'b0;
			out_data <= 8'd0;
		end else begin
			if (load) begin
				out_valid <= 1'b1;
				out_data <= load_data;
			end else if (i_ready) begin
				out_valid <= 1'b0;
			end
			case (state)
			S_IDLE:
				if (hdr_take) begin
					op <= i_hdr_op;
					seq <= i_hdr_seq;
					len <= i_hdr_len;
					state <= S_OP;
				end
			S_OP:
				if (load)
					state <= S_SEQ;
			S_SEQ:
				if (load)
					state <= S_LEN_LO;
			S_LEN_LO:
				if (load)
					state <= S_LEN_HI;
			S_LEN_HI:
				if (load) begin
					count <= 16'd0;
					state <= len == 16'd0 ? S_CRC : S_PAYLOAD;
				end
			S_PAYLOAD:
				if (load) begin
					if (count == len - 1'b1) begin
						count <= 16'd0;
						state <= S_CRC;
					end else begin
						count <= count + 1'b1;
					end
				end
			S_CRC:
				if (load) begin
					count <= count + 1'b1;
					if (count[1:0] == 2'd3)
						state <= S_IDLE;
				end
			default:
				state <= S_IDLE;
			endcase
		end
	end

	assign o_hdr_ready = state == S_IDLE && out_free;
	assign o_pay_ready = state == S_PAYLOAD && out_free;
	assign o_valid = out_valid;
	assign o_data = out_data;

`ifndef SYNTHESIS
	// State names for waveform viewers (simulation only).
	reg [8*8-1:0] state_ascii;
	always @* begin
		case (state)
		S_IDLE: state_ascii = "idle";
		S_OP: state_ascii = "op";
		S_SEQ: state_ascii = "seq";
		S_LEN_LO: state_ascii = "len_lo";
		S_LEN_HI: state_ascii = "len_hi";
		S_PAYLOAD: state_ascii = "payload";
		S_CRC: state_ascii = "crc";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
