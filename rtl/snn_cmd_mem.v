// The command layer's memory requests: the address check, then WRITE_MEM's words from the buffer, CHECKSUM's CRC, or READ_MEM's words one fetch at a time for the reply.
//
// Started by the dispatcher with a request whose length and count it has
// checked (the request's fields held until done). Every region's words
// lie below 2^XB: a request reaching beyond is refused here, else one
// read of its last word asks the array, which knows the extents. ctr is
// count - 1 during that check and then the words done, so one adder gives
// the last word and each word. o_done ends the request: o_bad_addr
// (ERROR ADDRESS) or o_bad_value (WRITE_MEM STATE with a word out of
// range: ERROR ARG) or neither; a READ_MEM then serves i_fetch, one word
// each into the array's read register (o_fetched), until the next start.
// docs/rtl.md, "snn_cmd".
`default_nettype none

module snn_cmd_mem #(
	parameter N_CORES = 4,
	parameter XB = 16,	// bits of a word index inside the largest region
	parameter CHAN_BIAS = 0	// bit 31 of a BIAS or STATE index passed on
) (
	input wire i_clk,
	input wire i_rst,
	// the request, held from i_start until o_done
	input wire i_start,
	input wire i_write,	// WRITE_MEM: the words are in the buffer from word 2
	input wire i_checksum,	// CHECKSUM (else READ_MEM)
	input wire [7:0] i_region,
	input wire [15:0] i_core,
	input wire [31:0] i_index,
	input wire [31:0] i_count,	// READ_MEM's u16 count or CHECKSUM's u32, >= 1
	input wire [8:0] i_nwords,	// WRITE_MEM's words
	input wire i_val_bad,	// WRITE_MEM: a word out of the STATE ranges
	output wire o_done,
	output reg o_bad_addr,
	output reg o_bad_value,
	output wire [31:0] o_crc,	// CHECKSUM's, after o_done
	// READ_MEM's words for the reply
	input wire i_fetch,	// one cycle: read the next word
	output wire o_fetched,	// one cycle: it is in i_mem_rdata
	// the word buffer's read port (WRITE_MEM)
	output wire o_buf_re,
	output wire [7:0] o_buf_raddr,
	input wire [31:0] i_buf_rdata,
	// the array's memory port
	output wire o_mem_valid,
	input wire i_mem_ready,
	output reg o_mem_write,
	output wire [2:0] o_mem_region,
	output wire [CB-1:0] o_mem_core,
	output wire [31:0] o_mem_index,
	output wire [31:0] o_mem_wdata,
	input wire i_mem_done,
	input wire [1:0] i_mem_status,
	input wire [31:0] i_mem_rdata
);

	localparam CB = N_CORES < 2 ? 1 : $clog2(N_CORES);
	localparam [2:0] REGION_GLOBAL = 3'd0;
	localparam [2:0] REGION_BIAS = 3'd2;
	localparam [2:0] REGION_INPUT_ROUTE = 3'd5;
	localparam [2:0] REGION_STATE = 3'd6;

	localparam [3:0] M_IDLE = 4'd0;
	localparam [3:0] M_ADDR = 4'd1;	// the request inside 2^XB, the core there?
	localparam [3:0] M_ADDR_REQ = 4'd2;	// ... then the last word read
	localparam [3:0] M_ADDR_WAIT = 4'd3;
	localparam [3:0] M_ADDR_DONE = 4'd4;
	localparam [3:0] M_WR_RD = 4'd5;	// WRITE_MEM: word ctr from the buffer
	localparam [3:0] M_WR_REQ = 4'd6;	// ... written
	localparam [3:0] M_WR_WAIT = 4'd7;
	localparam [3:0] M_CK_RD = 4'd8;	// CHECKSUM: read word ctr
	localparam [3:0] M_CK_REQ = 4'd9;
	localparam [3:0] M_CK_WAIT = 4'd10;
	localparam [3:0] M_CK_BYTES = 4'd11;	// ... and add its four bytes
	localparam [3:0] M_RD_REQ = 4'd12;	// READ_MEM: a word for the reply
	localparam [3:0] M_RD_WAIT = 4'd13;
	localparam [3:0] M_END = 4'd14;	// o_done

	(* fsm_encoding = "one-hot" *) reg [3:0] state;
	reg [XB-1:0] ctr;	// count - 1 during the check, then the words done
	reg [1:0] bi;	// CHECKSUM: byte of the word

	// a channel-bias core's BIAS or STATE words: bit 31 set, passed on
	wire win = CHAN_BIAS != 0 && i_index[31] &&
		   (i_region == {5'd0, REGION_BIAS} || i_region == {5'd0, REGION_STATE});
	wire [31:0] idx = {i_index[31] && !win, i_index[30:0]};
	wire [XB:0] at = {1'b0, idx[XB-1:0]} + {1'b0, ctr};
	wire far = idx[31:XB] != {(32-XB){1'b0}} || at[XB]
		|| !i_write && i_count[31:XB] != {(32-XB){1'b0}};
	wire per_core = i_region != {5'd0, REGION_GLOBAL} && i_region != {5'd0, REGION_INPUT_ROUTE};
	wire core_bad = per_core && {16'd0, i_core} >= N_CORES;
	wire [XB-1:0] count = i_write ? {{(XB-9){1'b0}}, i_nwords} : i_count[XB-1:0];

	// CHECKSUM's CRC, a byte of the word read each time it is ready
	wire crc_ready;
	snn_crc32 u_crc (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_clear(state == M_ADDR_DONE),
		.i_valid(state == M_CK_BYTES),
		.o_ready(crc_ready),
		.i_data(i_mem_rdata[8 * bi +: 8]),
		.o_crc(o_crc)
	);

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= M_IDLE;
			ctr <= {XB{1'b0}};
			bi <= 2'd0;
			o_mem_write <= 1'b0;
			o_bad_addr <= 1'b0;
			o_bad_value <= 1'b0;
		end else case (state)
		M_IDLE:
			if (i_start) begin
				ctr <= count - 1'b1;	// the last word
				o_bad_addr <= 1'b0;
				o_bad_value <= 1'b0;
				state <= M_ADDR;
			end else if (i_fetch) begin
				state <= M_RD_REQ;
			end
		// The words of a region are 0 .. extent-1, so the request is
		// inside if its last word is (STATE's extent depends on N_NEURONS).
		M_ADDR:
			if (i_region > {5'd0, REGION_STATE} || far || core_bad) begin
				o_bad_addr <= 1'b1;
				state <= M_END;
			end else begin
				state <= M_ADDR_REQ;
			end
		M_ADDR_REQ:
			if (i_mem_ready)
				state <= M_ADDR_WAIT;
		M_ADDR_WAIT:
			if (i_mem_done) begin
				o_bad_addr <= i_mem_status != 2'd0;
				state <= M_ADDR_DONE;
			end
		M_ADDR_DONE: begin	// (the CRC restarts in this state)
			ctr <= {XB{1'b0}};
			state <= M_END;
			if (!o_bad_addr) begin
				if (i_write) begin
					if (i_region == {5'd0, REGION_STATE} && i_val_bad)
						o_bad_value <= 1'b1;
					else
						state <= M_WR_RD;
				end else if (i_checksum) begin
					state <= M_CK_RD;
				end
			end
		end
		M_WR_RD:
			if (ctr[8:0] == i_nwords) begin
				state <= M_END;
			end else begin
				o_mem_write <= 1'b1;	// o_mem_wdata: the buffer's word, held
				state <= M_WR_REQ;	// buffer read of word ctr at this edge
			end
		M_WR_REQ:
			if (i_mem_ready)
				state <= M_WR_WAIT;
		M_WR_WAIT:
			if (i_mem_done) begin
				ctr <= ctr + 1'b1;
				o_mem_write <= 1'b0;
				state <= M_WR_RD;
			end
		M_CK_RD:
			if (ctr == i_count[XB-1:0]) begin
				if (crc_ready)	// the last byte is in
					state <= M_END;
			end else begin
				bi <= 2'd0;
				state <= M_CK_REQ;
			end
		M_CK_REQ:
			if (i_mem_ready)
				state <= M_CK_WAIT;
		M_CK_WAIT:
			if (i_mem_done)
				state <= M_CK_BYTES;
		M_CK_BYTES:
			if (crc_ready) begin	// the CRC takes byte bi of the word
				bi <= bi + 2'd1;
				if (bi == 2'd3) begin
					ctr <= ctr + 1'b1;
					state <= M_CK_RD;
				end
			end
		M_RD_REQ:
			if (i_mem_ready)
				state <= M_RD_WAIT;
		M_RD_WAIT:
			if (i_mem_done) begin
				ctr <= ctr + 1'b1;
				state <= M_IDLE;
			end
		default:	// M_END
			state <= M_IDLE;
		endcase
	end

	assign o_done = state == M_END;
	assign o_fetched = state == M_RD_WAIT && i_mem_done;
	assign o_buf_re = state == M_WR_RD;
	assign o_buf_raddr = ctr[7:0] + 8'd2;
	assign o_mem_valid = state == M_ADDR_REQ || state == M_WR_REQ || state == M_CK_REQ
		|| state == M_RD_REQ;
	assign o_mem_region = i_region[2:0];
	assign o_mem_core = per_core ? i_core[CB-1:0] : {CB{1'b0}};
	assign o_mem_index = {win, {(31-XB){1'b0}}, at[XB-1:0]};
	assign o_mem_wdata = i_buf_rdata;

`ifndef SYNTHESIS
	// State names for waveform viewers (simulation only).
	reg [8*8-1:0] state_ascii;
	always @* begin
		case (state)
		M_IDLE: state_ascii = "idle";
		M_ADDR: state_ascii = "addr";
		M_ADDR_REQ: state_ascii = "addr_req";
		M_ADDR_WAIT: state_ascii = "addr_wt";
		M_ADDR_DONE: state_ascii = "addr_ok";
		M_WR_RD: state_ascii = "wr_rd";
		M_WR_REQ: state_ascii = "wr_req";
		M_WR_WAIT: state_ascii = "wr_wait";
		M_CK_RD: state_ascii = "ck_rd";
		M_CK_REQ: state_ascii = "ck_req";
		M_CK_WAIT: state_ascii = "ck_wait";
		M_CK_BYTES: state_ascii = "ck_bytes";
		M_RD_REQ: state_ascii = "rd_req";
		M_RD_WAIT: state_ascii = "rd_wait";
		M_END: state_ascii = "end";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
