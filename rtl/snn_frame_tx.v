// Host link transmitter: frames a header and a payload stream as SOF, op, seq, len, payload, CRC-32 (docs/host-protocol.md).
//
// A frame is one handshake on the header stream (i_hdr_*), then exactly
// i_hdr_len bytes on the payload stream (i_pay_*). No buffer: the CRC is
// computed as the bytes pass, so a payload goes out as fast as it comes in.
// The bytes leave through a two-byte queue. docs/rtl.md has the timing.
//
// The CRC (snn_crc32) takes a byte in nine clocks, a quarter of the
// fastest UART's byte time, and a covered byte is loaded only when it is
// ready: so a payload byte is taken at most every nine clocks. Built for
// speed (docs/boards.md): the ready outputs are a register each ANDed with
// the CRC's ready, and only the queue looks at i_ready. The header bytes,
// then CRC bytes 1 to 3, come from a shift register, and the payload is
// counted down from its length in a register whose sign marks the last
// byte.
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

	// FSM: the state names the next byte to load into the queue.
	localparam [3:0] S_IDLE = 4'd0;	// waiting for a header; SOF goes out with it
	localparam [3:0] S_OP = 4'd1;
	localparam [3:0] S_SEQ = 4'd2;
	localparam [3:0] S_LEN_LO = 4'd3;
	localparam [3:0] S_LEN_HI = 4'd4;
	localparam [3:0] S_PAYLOAD = 4'd5;
	localparam [3:0] S_CRC0 = 4'd6;	// CRC bytes, least significant first
	localparam [3:0] S_CRC1 = 4'd7;
	localparam [3:0] S_CRC2 = 4'd8;
	localparam [3:0] S_CRC3 = 4'd9;

	reg [3:0] state, state_next;
	// The output queue: up to two bytes, o_data the one at q_rd.
	reg [7:0] q_data0, q_data1;
	reg q_wr, q_rd;	// next entry to write, entry on offer
	reg q_valid;	// a byte is queued: o_valid
	reg q_full;	// two are: nothing can be loaded
	// Whether a byte can be loaded this cycle, registered, one flag per kind
	// of state. The queue's room is judged a cycle ahead as if a byte were
	// loaded whenever one could be, so it does not wait for the input
	// streams' valids (a cycle is then lost only when the output stalls).
	// pay_ready is o_pay_ready; hdr_ready, o_hdr_ready, also waits for the
	// queue to be empty, so that a frame starts only once the one before has
	// left.
	reg hdr_ready;	// S_IDLE
	reg pay_ready;	// S_PAYLOAD
	reg head_ready;	// S_OP .. S_LEN_HI
	reg tail_ready;	// S_CRC0 .. S_CRC3
	// Bytes still to be loaded from the shift register, the next in bits
	// 7:0: SOF while idle; op, seq, len after the header is taken; CRC bytes
	// 1 to 3 (inverted), then SOF again, after CRC byte 0 is loaded.
	reg [31:0] shift;
	// Payload bytes to come, counted down twice in the header (op, seq):
	// then, signed, negative on the last payload byte, and -2 for none.
	reg [16:0] left;
	// zlib's CRC-32 of the bytes loaded so far that it covers (op .. the
	// payload), valid while crc_ready. A flag below loads a byte only with
	// crc_ready: a covered byte goes into the CRC as it is loaded, and CRC
	// byte 0 waits for the last covered one to be in.
	wire [31:0] crc;
	wire crc_ready;
	reg [7:0] load_data;

	wire hdr_take = hdr_ready && i_hdr_valid;
	wire pay_take = pay_ready && crc_ready && i_pay_valid;
	wire head_load = head_ready && crc_ready;	// op, seq, len
	wire tail_load = tail_ready && crc_ready;	// the CRC bytes
	// A byte the CRC covers is loaded: op .. the last payload byte.
	wire load_covered = head_load || pay_take;
	// A byte is loaded into the queue.
	wire load = hdr_take || load_covered || tail_load;

	// After CRC byte 0 the CRC starts again for the next frame.
	snn_crc32 u_crc (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_clear(tail_load && state == S_CRC0),
		.i_valid(load_covered),
		.o_ready(crc_ready),
		.i_data(load_data),
		.o_crc(crc)
	);

	always @* begin
		case (state)
		S_PAYLOAD: load_data = i_pay_data;
		S_CRC0: load_data = crc[7:0];
		default: load_data = shift[7:0];
		endcase
	end

	// The payload length is zero (left is len - 2 at S_LEN_HI).
	wire len_zero = left[16] && !left[0];

	always @* begin
		state_next = state;
		if (load) begin
			case (state)
			S_IDLE: state_next = S_OP;
			S_OP: state_next = S_SEQ;
			S_SEQ: state_next = S_LEN_LO;
			S_LEN_LO: state_next = S_LEN_HI;
			S_LEN_HI: state_next = len_zero ? S_CRC0 : S_PAYLOAD;
			S_PAYLOAD: state_next = left[16] ? S_CRC0 : S_PAYLOAD;
			S_CRC0: state_next = S_CRC1;
			S_CRC1: state_next = S_CRC2;
			S_CRC2: state_next = S_CRC3;
			S_CRC3: state_next = S_IDLE;
			default: state_next = S_IDLE;
			endcase
		end else if (state > S_CRC3) begin
			state_next = S_IDLE;
		end
	end

	// The queue after this edge, and whether it will have room for a byte
	// next cycle whatever is loaded now: at most one byte after this edge,
	// or two with one leaving.
	wire out_take = q_valid && i_ready;
	wire q_valid_next = q_full || load || (q_valid && !out_take);
	wire q_full_next = q_full ? !out_take : q_valid && load && !out_take;
	wire any_ready = hdr_ready || pay_ready || head_ready || tail_ready;
	wire room_next = q_full ? out_take : !(q_valid && any_ready && !out_take);

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= S_IDLE;
			q_wr <= 1'b0;
			q_rd <= 1'b0;
			q_valid <= 1'b0;
			q_full <= 1'b0;
			hdr_ready <= 1'b1;
			pay_ready <= 1'b0;
			head_ready <= 1'b0;
			tail_ready <= 1'b0;
			shift <= {24'd0, SOF};
		end else begin
			state <= state_next;
			q_valid <= q_valid_next;
			q_full <= q_full_next;
			// The flags follow state_next, each term written out so that no
			// flag waits for more than the one take that moves the state.
			// (Written with == only: after Yosys recodes the FSM one-hot, a
			// state compare is one flip-flop, while a != is an OR of all the
			// others.)
			hdr_ready <= state == S_IDLE && !hdr_take && !q_valid_next;
			pay_ready <= room_next && ((state == S_PAYLOAD && !(pay_take && left[16]))
				|| (state == S_LEN_HI && head_load && !len_zero));
			head_ready <= room_next && (hdr_take || state == S_OP || state == S_SEQ
				|| state == S_LEN_LO || (state == S_LEN_HI && !head_load));
			tail_ready <= room_next && (state == S_CRC0 || state == S_CRC1
				|| state == S_CRC2 || (state == S_CRC3 && !tail_load)
				|| (state == S_LEN_HI && head_load && len_zero)
				|| (pay_take && left[16]));
			if (out_take)
				q_rd <= !q_rd;
			if (load)
				q_wr <= !q_wr;

			if (hdr_take)
				shift <= {i_hdr_len, i_hdr_seq, i_hdr_op};
			else if (head_load || tail_load)
				shift <= state == S_CRC0 ? {SOF, crc[31:8]} : {8'd0, shift[31:8]};
		end
	end

	// Data and counters, each loaded before it is used: no reset.
	always @(posedge i_clk) begin
		if (load && q_wr)
			q_data1 <= load_data;
		if (load && !q_wr)
			q_data0 <= load_data;
		if (hdr_take)
			left <= {1'b0, i_hdr_len};
		else if (pay_take || (head_load && (state == S_OP || state == S_SEQ)))
			left <= left - 1'b1;
	end

	assign o_hdr_ready = hdr_ready;
	assign o_pay_ready = pay_ready && crc_ready;
	assign o_valid = q_valid;
	assign o_data = q_rd ? q_data1 : q_data0;

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
		S_CRC0: state_ascii = "crc0";
		S_CRC1: state_ascii = "crc1";
		S_CRC2: state_ascii = "crc2";
		S_CRC3: state_ascii = "crc3";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
