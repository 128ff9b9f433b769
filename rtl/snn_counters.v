// Event counters of 64 bits in few logic cells: the low bits of each count in registers, the rest in one block RAM that a carry updates.
//
// A 64-bit counter in logic costs 64 cells with their carry chain; six of
// them were a tenth of the UP5K. Here a counter's low bits wrap into a
// carry flag, and a small sequencer adds the carries into the high words
// in the RAM, a few cycles each, long before the low bits can wrap again
// (2^W increments). A read, of one 32-bit half of a counter, waits for
// the sequencer, reads the high words and takes the low bits of its last
// cycle; if a carry arose meanwhile, it reads again after the sequencer
// has added it. Halves, not whole counters: the reader sends 32 bits at a
// time, so 32 flip-flops here and its half's multiplexer are saved.
`default_nettype none

module snn_counters #(
	parameter N = 6,	// counters
	parameter W = 16,	// bits in registers and of a RAM word: 4, 8 or 16 (4 in the test)
	parameter INC_BITS = 1	// an increment is 0 .. 2^INC_BITS - 1 (far below 2^W)

) (
	input wire i_clk,
	input wire i_rst,
	input wire i_clear,	// every counter to 0; reads wait the cycles it takes
	input wire [N*INC_BITS-1:0] i_inc,	// counter k adds [INC_BITS*k +: INC_BITS] this cycle
	// read: hold i_rd, i_sel and i_high until the o_done pulse, o_value
	// then valid: bits 63:32 of counter i_sel if i_high, else 31:0
	input wire i_rd,
	input wire [SA-1:0] i_sel,
	input wire i_high,
	output reg o_done,
	output reg [31:0] o_value
);

	localparam SA = N < 2 ? 1 : $clog2(N);
	// The RAM holds bits W..63 as NW words of W bits, word j of counter k
	// at {k, j}: one block RAM for all.
	localparam NW = 64 / W - 1;
	localparam JW = NW < 2 ? 1 : $clog2(NW);
	localparam AW = SA + JW;
	localparam [31:0] LAST = (N << JW) - 1;	// the last word S_CLEAR writes
	localparam [31:0] NW_LAST = NW - 1;
	localparam [JW-1:0] J_LAST = NW_LAST[JW-1:0];
	localparam [31:0] J_HIGH32 = 32 / W - 1;
	localparam [JW-1:0] J_HIGH = J_HIGH32[JW-1:0];


	reg [W*N-1:0] lo;	// counter k's low bits at [W*k +: W] (registers, not a RAM)
	reg [N-1:0] carry;	// lo wrapped; the high words are one short

	reg h_re, h_we;
	reg [AW-1:0] h_raddr, h_waddr;
	reg [W-1:0] h_wdata;
	wire [W-1:0] h_rdata;
	snn_ram_sdp #(.WIDTH(W), .DEPTH(1 << AW)) high (
		.i_clk(i_clk), .i_we(h_we), .i_waddr(h_waddr), .i_wdata(h_wdata),
		.i_re(h_re), .i_raddr(h_raddr), .o_rdata(h_rdata));

	localparam [1:0] S_IDLE = 2'd0, S_CARRY = 2'd1, S_READ = 2'd2, S_CLEAR = 2'd3;
	reg [1:0] state;
	reg [SA-1:0] k;	// the counter being carried into, read or cleared
	reg [JW-1:0] j;	// its word

	// The lowest counter with a pending carry.
	reg [SA-1:0] first;
	integer f;
	always @* begin
		first = {SA{1'b0}};
		for (f = N - 1; f >= 0; f = f - 1)
			if (carry[f])
				first = f[SA-1:0];
	end

	wire [W-1:0] h_next = h_rdata + 1'b1;

	// Each low part plus its increment, with the carry out on top.
	reg [(W+1)*N-1:0] sum;
	integer a;
	always @* begin
		for (a = 0; a < N; a = a + 1)
			sum[(W+1)*a +: W+1] = {1'b0, lo[W*a +: W]} +
					      {{(W+1-INC_BITS){1'b0}}, i_inc[INC_BITS*a +: INC_BITS]};
	end
	wire more = j != J_LAST;	// a word follows
	// word j holds bits W*(j+1) .. W*(j+2)-1: from J_HIGH on the high half's
	wire in_half = (j >= J_HIGH) == i_high;

	always @* begin
		h_re = 1'b0; h_raddr = {k, j + 1'b1};
		h_we = 1'b0; h_waddr = {k, j}; h_wdata = {W{1'b0}};
		case (state)
		S_IDLE:
			if (carry != {N{1'b0}}) begin
				h_re = 1'b1; h_raddr = {first, {JW{1'b0}}};
			end else if (i_rd && !o_done) begin	// o_done: that request is answered
				h_re = 1'b1; h_raddr = {i_sel, {JW{1'b0}}};
			end
		S_CARRY: begin	// word j arrives: one more, and on into the next if it wrapped
			h_we = 1'b1; h_wdata = h_next;
			h_re = h_next == {W{1'b0}} && more;
		end
		S_READ: h_re = more;
		default: h_we = 1'b1;	// S_CLEAR
		endcase
	end

	integer c;
	always @(posedge i_clk) begin
		o_done <= 1'b0;
		for (c = 0; c < N; c = c + 1) begin
			lo[W*c +: W] <= sum[(W+1)*c +: W];
			if (sum[(W+1)*c + W])
				carry[c] <= 1'b1;
		end
		if (i_rst || i_clear) begin
			for (c = 0; c < N; c = c + 1)
				lo[W*c +: W] <= {W{1'b0}};
			carry <= {N{1'b0}};
			k <= {SA{1'b0}};
			j <= {JW{1'b0}};
			state <= S_CLEAR;
		end else case (state)
		S_IDLE: begin
			j <= {JW{1'b0}};
			if (carry != {N{1'b0}}) begin
				k <= first;
				state <= S_CARRY;
			end else if (i_rd && !o_done) begin
				k <= i_sel;
				state <= S_READ;
			end
		end
		S_CARRY:
			if (h_next == {W{1'b0}} && more) begin
				j <= j + 1'b1;
			end else begin
				carry[k] <= 1'b0;
				state <= S_IDLE;
			end
		S_READ: begin	// words come low first: the half's shifted in from the top
			if (in_half)
				o_value <= {h_rdata, o_value[31:W]};
			if (!more && !i_high)	// (the last word is in the high half)
				o_value[W-1:0] <= lo[W*k +: W];
			j <= j + 1'b1;
			if (!more) begin
				// a carry not yet in the words: read again after it
				o_done <= !carry[k];
				state <= S_IDLE;
			end
		end

		default: begin	// S_CLEAR: every word of every counter
			{k, j} <= {k, j} + 1'b1;
			if ({k, j} == LAST[AW-1:0])
				state <= S_IDLE;
		end
		endcase
	end

endmodule

`default_nettype wire
