// INPUT's queue: checks an INPUT frame's indices against the tensor size and the "queued this step" bitmap, all or nothing, then hands them to the array one input event each.
//
// The indices wait in the command layer's word buffer (read here, one
// registered read a word). Each must be below i_in_size and not queued
// yet; its bit is set as it passes. The first that fails ends the check,
// the bits this frame set are cleared again, and o_refused with o_pos (its
// position) says so; otherwise every index goes to the array. i_sweep
// clears the whole bitmap, INPUT_MAX / 16 cycles.
//
// The bitmap's block RAM has room to spare (64 of its 256 words for the
// iCEBreaker's 1,024 inputs), so the link counters frame_errors and
// seq_errors live above it, 16 bits a word: i_tally adds one (a read and
// a write a word, the next word only on a carry), i_cnt_rd reads 32 bits
// of one (two reads), and i_sweep with i_sweep_all zeroes them with the
// bitmap. Kept in flip-flops they cost about 200 LUT4 of registers,
// incrementer and reply mux. docs/rtl.md, "snn_cmd".
`default_nettype none

module snn_cmd_input #(
	parameter INPUT_MAX = 4096,	// bits of the bitmap, a multiple of 16
	parameter LINK_COUNTER_BITS = 64	// bits of each link counter, 32 or 64
) (
	input wire i_clk,
	input wire i_rst,
	// requests, while idle
	input wire i_start,	// check and queue indices 0 .. i_count-1 of the buffer
	input wire [8:0] i_count,	// held until done
	input wire [IB-1:0] i_in_size,	// C*H*W: an index must be below it
	input wire i_sweep,	// clear the bitmap
	input wire i_sweep_all,	// ... and the link counters, with i_sweep
	// the link counters (requests while idle)
	input wire i_tally,	// add one to ...
	input wire i_tally_seq,	// ... seq_errors, else frame_errors
	input wire i_cnt_rd,	// read 32 bits of a counter: ...
	input wire i_cnt_seq,	// ... seq_errors, else frame_errors, ...
	input wire i_cnt_high,	// ... bits 63:32, else 31:0 (64-bit counters only)
	output wire o_cnt_done,	// one cycle: o_cnt_value holds them
	output wire [31:0] o_cnt_value,
	output wire o_busy,
	output reg o_refused,	// the last INPUT was refused ...
	output reg [8:0] o_pos,	// ... at this index
	output reg o_dirty,	// some bit may be set
	// the word buffer's read port
	output wire o_buf_re,
	output wire [7:0] o_buf_raddr,
	input wire [31:0] i_buf_rdata,
	// input events to the array
	output wire o_in_valid,
	input wire i_in_ready,
	output wire [IB-1:0] o_in_index
);

	localparam IB = $clog2(INPUT_MAX + 1);
	localparam BM_WORDS = INPUT_MAX / 16 < 2 ? 2 : INPUT_MAX / 16;
	localparam CW = LINK_COUNTER_BITS / 16;	// RAM words a counter
	localparam CWB = $clog2(CW);
	localparam WORDS = BM_WORDS + 2 * CW;	// frame_errors, then seq_errors, above the bitmap
	localparam RA = $clog2(WORDS);
	localparam BMA = $clog2(BM_WORDS);
	localparam [31:0] BM_LAST32 = BM_WORDS - 1, ALL_LAST32 = WORDS - 1, BASE32 = BM_WORDS;
	localparam [RA-1:0] BM_LAST = BM_LAST32[RA-1:0], ALL_LAST = ALL_LAST32[RA-1:0];
	localparam [RA-1:0] CNT_BASE = BASE32[RA-1:0];
	localparam [31:0] CW_LAST32 = CW - 1, CW_HIGH32 = CW / 2;
	localparam [CWB:0] CW_LAST = CW_LAST32[CWB:0], CW_HIGH = CW_HIGH32[CWB:0];	// the last word, bits 32 on

	localparam [3:0] I_IDLE = 4'd0;
	localparam [3:0] I_RD = 4'd1;	// check: read index i
	localparam [3:0] I_IDX = 4'd2;	// ... and its bitmap word
	localparam [3:0] I_BIT = 4'd3;	// ... its bit clear: set it
	localparam [3:0] U_RD = 4'd4;	// refused: read index j < i
	localparam [3:0] U_IDX = 4'd5;
	localparam [3:0] U_BIT = 4'd6;	// ... and clear its bit
	localparam [3:0] F_RD = 4'd7;	// accepted: read index j
	localparam [3:0] F_IDX = 4'd8;
	localparam [3:0] F_GO = 4'd9;	// ... and hand it to the array
	localparam [3:0] SWEEP = 4'd10;
	localparam [3:0] T_RD = 4'd11;	// tally: read word cw of the counter
	localparam [3:0] T_WR = 4'd12;	// ... write it plus one
	localparam [3:0] C_LO = 4'd13;	// read: the low word of the half asked for
	localparam [3:0] C_HI = 4'd14;	// ... the high word
	localparam [3:0] C_DONE = 4'd15;

	reg [3:0] state;
	reg [8:0] i, j;
	reg [IB-1:0] idx;	// the index being checked, undone or handed over
	reg [RA-1:0] sw, sw_last;	// word being cleared, the last to clear
	reg seq;	// the counter of a tally or a read: seq_errors
	reg [CWB:0] cw;	// its word: tally, from 0 up; read, the low word of the half
	reg [15:0] lo;	// a read's low word

	wire in_range = i_buf_rdata[31:IB] == {(32-IB){1'b0}} && i_buf_rdata[IB-1:0] < i_in_size;

	// ---- the bitmap: bit q set = input q queued for the next step ----
	wire [15:0] bm_rdata;
	wire [15:0] bm_bit = 16'd1 << idx[3:0];
	wire bm_free = (bm_rdata & bm_bit) == 16'd0;
	// a counter's word: frame_errors CNT_BASE .., seq_errors CNT_BASE + CW ..
	wire [RA-1:0] cnt_addr = CNT_BASE + {{(RA-CWB-1){1'b0}}, seq, cw[CWB-1:0]};
	wire carry = bm_rdata == 16'hFFFF && cw != CW_LAST;	// the tally goes on to the next word
	wire bm_we = state == SWEEP || state == I_BIT && bm_free || state == U_BIT || state == T_WR;
	wire bm_re = state == I_IDX || state == U_IDX || state == T_RD || state == C_LO || state == C_HI;
	wire [RA-1:0] bm_waddr = state == SWEEP ? sw : state == T_WR ? cnt_addr
		: {{(RA-BMA){1'b0}}, idx[BMA+3:4]};
	wire [RA-1:0] bm_raddr = state == I_IDX || state == U_IDX
		? {{(RA-BMA){1'b0}}, i_buf_rdata[BMA+3:4]} : cnt_addr;
	wire [15:0] bm_wdata = state == SWEEP ? 16'd0 : state == T_WR ? bm_rdata + 16'd1
		: state == U_BIT ? bm_rdata & ~bm_bit : bm_rdata | bm_bit;

	snn_ram_sdp #(
		.WIDTH(16),
		.DEPTH(WORDS)
	) u_bitmap (
		.i_clk(i_clk),
		.i_we(bm_we),
		.i_waddr(bm_waddr),
		.i_wdata(bm_wdata),
		.i_re(bm_re),
		.i_raddr(bm_raddr),
		.o_rdata(bm_rdata)
	);

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= I_IDLE;
			i <= 9'd0;
			j <= 9'd0;
			idx <= {IB{1'b0}};
			sw <= {RA{1'b0}};
			sw_last <= BM_LAST;
			seq <= 1'b0;
			cw <= {(CWB+1){1'b0}};
			lo <= 16'd0;
			o_refused <= 1'b0;
			o_pos <= 9'd0;
			o_dirty <= 1'b0;
		end else case (state)
		I_IDLE:
			if (i_sweep) begin
				sw <= {RA{1'b0}};
				sw_last <= i_sweep_all ? ALL_LAST : BM_LAST;
				state <= SWEEP;
			end else if (i_tally) begin
				seq <= i_tally_seq;
				cw <= {(CWB+1){1'b0}};
				state <= T_RD;
			end else if (i_cnt_rd) begin
				seq <= i_cnt_seq;
				cw <= i_cnt_high ? CW_HIGH : {(CWB+1){1'b0}};
				state <= C_LO;
			end else if (i_start) begin
				i <= 9'd0;
				o_refused <= 1'b0;
				state <= I_RD;
			end
		I_RD:
			if (i == i_count) begin
				j <= 9'd0;
				state <= F_RD;
			end else begin
				state <= I_IDX;	// buffer read of index i at this edge
			end
		I_IDX: begin
			idx <= i_buf_rdata[IB-1:0];	// and the bitmap word read at this edge
			j <= 9'd0;
			state <= in_range ? I_BIT : U_RD;
		end
		I_BIT:
			if (!bm_free) begin
				j <= 9'd0;
				state <= U_RD;	// repeated; marking it was skipped
			end else begin
				o_dirty <= 1'b1;
				i <= i + 9'd1;
				state <= I_RD;
			end
		U_RD:
			if (j == i) begin
				o_refused <= 1'b1;
				o_pos <= i;
				state <= I_IDLE;
			end else begin
				state <= U_IDX;
			end
		U_IDX: begin
			idx <= i_buf_rdata[IB-1:0];
			state <= U_BIT;
		end
		U_BIT: begin
			j <= j + 9'd1;
			state <= U_RD;
		end
		F_RD:
			state <= j == i_count ? I_IDLE : F_IDX;
		F_IDX: begin
			idx <= i_buf_rdata[IB-1:0];
			state <= F_GO;
		end
		F_GO:
			if (i_in_ready) begin
				j <= j + 9'd1;
				state <= F_RD;
			end
		SWEEP: begin
			sw <= sw + 1'b1;
			if (sw == sw_last) begin
				o_dirty <= 1'b0;
				state <= I_IDLE;
			end
		end
		T_RD: state <= T_WR;	// the word read at this edge
		T_WR:
			if (carry) begin
				cw <= cw + 1'b1;
				state <= T_RD;
			end else begin
				state <= I_IDLE;
			end
		C_LO: begin	// the low word read at this edge
			cw <= cw + 1'b1;
			state <= C_HI;
		end
		C_HI: begin	// the high word read at this edge
			lo <= bm_rdata;
			state <= C_DONE;
		end
		C_DONE: state <= I_IDLE;
		default:
			state <= I_IDLE;
		endcase
	end

	assign o_busy = state != I_IDLE;
	assign o_buf_re = state == I_RD || state == U_RD || state == F_RD;
	assign o_buf_raddr = state == I_RD ? i[7:0] : j[7:0];
	assign o_in_valid = state == F_GO;
	assign o_in_index = idx;
	assign o_cnt_done = state == C_DONE;
	assign o_cnt_value = {bm_rdata, lo};

`ifndef SYNTHESIS
	// State names for waveform viewers (simulation only).
	reg [8*6-1:0] state_ascii;
	always @* begin
		case (state)
		I_IDLE: state_ascii = "idle";
		I_RD: state_ascii = "in_rd";
		I_IDX: state_ascii = "in_idx";
		I_BIT: state_ascii = "in_bit";
		U_RD: state_ascii = "un_rd";
		U_IDX: state_ascii = "un_idx";
		U_BIT: state_ascii = "un_bit";
		F_RD: state_ascii = "fd_rd";
		F_IDX: state_ascii = "fd_idx";
		F_GO: state_ascii = "fd_go";
		SWEEP: state_ascii = "sweep";
		T_RD: state_ascii = "tl_rd";
		T_WR: state_ascii = "tl_wr";
		C_LO: state_ascii = "cn_lo";
		C_HI: state_ascii = "cn_hi";
		C_DONE: state_ascii = "cn_end";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
