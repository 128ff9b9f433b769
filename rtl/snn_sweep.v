// Step 3's sweep: a run of neurons' pool lines through snn_neuron_pipe with their accumulator lanes, written back, two cycles a neuron at most.
//
// docs/rtl.md, "Step 3's accelerators: the contract", is the interface;
// this is the engine's pipelined sweep (S_FS in rtl/snn_engine.v) without
// the descriptor and the routes. A neuron is read (its pool line and its
// accumulator word) only when no result is being written, and its line and
// lane are taken the next cycle, which has no read of its own: so the pool
// sees one access a cycle, and a word zeroed after its last read is written
// in a cycle with no read at all. Where the engine holds each result a
// cycle before writing it, this registers the unit's input instead (the
// lane choice and the unit's first adder together miss 48 MHz); either way
// a result comes out in a cycle without a read, two cycles a neuron
// (2 x count + 7 from the start to o_done). The slot is counted up (no
// multiplier), the neurons left counted down (no comparison with the count).
`default_nettype none

module snn_sweep #(
	parameter LA = 14,	// pool line address bits
	parameter AA = 8,	// accumulator word address bits
	parameter MEMBRANE_BITS = 20,	// M: v in -2^(M-1) .. 2^(M-1)-1
	parameter BIAS_BITS = 16,	// 1 .. 16: the line's bits 63:48
	parameter ACC_BITS = 20,	// a lane of an accumulator word, signed
	// the pool's lines that hold neurons: a write to a line at or past
	// NET_LINES (a configuration nobody checked) writes no byte, so that the
	// program's lines above them stay whole (snn_step_io)
	parameter NET_LINES = 1 << LA
) (
	input wire i_clk,
	input wire i_rst,
	// the program: the line, count and slot taken with i_start (while
	// not busy); the rest the caller's registers, held through the sweep
	// (copies here were 40 logic cells of the step device's)
	input wire i_start,
	input wire [LA-1:0] i_line,	// neuron 0's pool line
	input wire [15:0] i_count,	// neurons
	input wire [AA+2:0] i_slot,	// neuron 0's accumulator: word slot >> 3, lane slot mod 8
	input wire [3:0] i_slot_step,	// 1 .. 8
	input wire i_zero,	// zero each word after its last read
	input wire [MEMBRANE_BITS-1:0] i_threshold,
	input wire [7:0] i_leak,
	input wire i_reset_mode,
	input wire [3:0] i_refractory,
	input wire i_spiking,
	input wire i_cur,	// the step's parity: spike bit 40 + cur
	output reg o_busy,
	output reg o_done,	// a cycle, once the last write is made
	output reg [15:0] o_spikes,	// of the last sweep
	// each spike as its line is written, k its neuron (co-simulation's lock step)
	output wire o_spk_valid,
	output wire [15:0] o_spk_index,
	// the pool: a read's line on i_pool_rdata from the next cycle
	output wire o_pool_en,
	output wire o_pool_we,
	output wire [7:0] o_pool_be,
	output wire [LA-1:0] o_pool_line,
	output wire [63:0] o_pool_wdata,
	input wire [63:0] i_pool_rdata,
	// the accumulators (snn_ram_sdp): 8 lanes, lane l at bits l x ACC_BITS
	output wire o_acc_re,
	output wire [AA-1:0] o_acc_raddr,
	input wire [8*ACC_BITS-1:0] i_acc_rdata,
	output wire o_acc_we,
	output wire [AA-1:0] o_acc_waddr,
	output wire [8*ACC_BITS-1:0] o_acc_wdata
);

	localparam M = MEMBRANE_BITS;

	// ---- the operands the caller holds through the sweep ----
	wire [M-1:0] threshold = i_threshold;
	wire [7:0] leak = i_leak;
	wire reset_mode = i_reset_mode, spiking = i_spiking, cur = i_cur, zero = i_zero;
	wire [3:0] refractory = i_refractory, step = i_slot_step;

	// ---- the neuron unit's outputs: a result is written as it comes out ----
	wire nu_valid, nu_spike, nu_other, nu_live_unused;
	wire [M-1:0] nu_v;
	wire [3:0] nu_ref;
	reg [LA-1:0] wr_line;
	// wr_line >= NET_LINES, kept as a register beside it (the compare in
	// front of the SPRAM's byte enables placed at 43 MHz), and counted
	// along with it by equalities: past once the line before NET_LINES is
	// left, in again when the line wraps to 0
	reg wr_out;
	localparam [31:0] NET32 = NET_LINES;
	localparam [LA:0] NET_END = NET32[LA:0];
	localparam [LA:0] NET_LAST = NET_END - 1'b1;
	wire [LA-1:0] wr_next = wr_line + 1'b1;
	reg [15:0] wr_k;	// its neuron
	reg [15:0] wr_left;	// neurons not yet written

	// ---- the read side: the next neuron to read ----
	// Advanced in the cycle after its read (rd_in), when its line and lane
	// are taken: the read's line, word and lane are then still these.
	reg [LA-1:0] rd_line;
	reg [AA+2:0] rd_slot;
	reg [15:0] rd_left;	// neurons not yet read
	reg rd_in;	// the neuron read last cycle is on the memories' outputs now
	// rd_left != 0, kept as a register: the 16-bit compare in front of the
	// pool's chip select placed at 41 MHz in the step-3 device
	reg rd_more;
	// A read only when no result comes out (the pool's one port), and not
	// right after one (rd_in: one neuron every two cycles at most). The
	// input register and the unit's LATENCY (5) put every result 7 cycles
	// after its read, in a rd_in cycle, so as timed nothing waits and the
	// first term never acts: it keeps the rule if the latency changes.
	wire rd_issue = o_busy && !nu_valid && !rd_in && rd_more;
	// Its word's last read: the next slot is in another word (the lane
	// carries out), or it is the last neuron.
	wire [3:0] lane_next = {1'b0, rd_slot[2:0]} + step;
	wire rd_last = lane_next[3] || rd_left == 16'd1;
	// ... registered: rd_slot and rd_left hold from the read's cycle to the
	// end of the next (rd_in), when the word is zeroed, so the value taken
	// at the read is the zeroing's. The 16-bit compare in front of the
	// accumulators' write enable placed at 37 MHz in the step-3 device.
	reg last_r;
	wire unused_lane = &{1'b0, lane_next[2:0]};

	// ---- the neuron unit's input, a register ----
	// The lane choice (three LUT levels) and the unit's first adder do not
	// fit one 48 MHz cycle together (45 MHz placed, the lane fed straight
	// in as the engine does), so the read's lane and line are registered
	// first; the pool's output cannot be held instead, as the rd_in cycle
	// may have a write.
	reg in_valid, in_other;
	reg [M-1:0] in_v;
	reg [3:0] in_ref;
	reg [BIAS_BITS-1:0] in_bias;
	reg [ACC_BITS-1:0] in_acc;
	// the lanes as an array: a part select at ACC_BITS x lane would be
	// built as a product and a 160-bit shifter
	wire [ACC_BITS-1:0] acc_lane [0:7];
	genvar gl;
	generate
		for (gl = 0; gl < 8; gl = gl + 1) begin : lane
			assign acc_lane[gl] = i_acc_rdata[ACC_BITS * gl +: ACC_BITS];
		end
	endgenerate
	snn_neuron_pipe #(.MEMBRANE_BITS(M), .BIAS_BITS(BIAS_BITS), .ACC_BITS(ACC_BITS), .TAG_BITS(1)) neuron (
		.i_clk(i_clk), .i_rst(i_rst), .i_ce(1'b1), .i_valid(in_valid),
		// the other step's spike bit rides along, to be written back as it was
		.i_tag(in_other), .i_v(in_v), .i_ref(in_ref), .i_acc(in_acc), .i_bias(in_bias),
		.i_threshold(threshold), .i_leak(leak), .i_reset_mode(reset_mode),
		.i_refractory(refractory), .i_spiking(spiking),
		.o_valid(nu_valid), .o_tag(nu_other),
		.o_v(nu_v), .o_ref(nu_ref), .o_spike(nu_spike), .o_live(nu_live_unused));
	// v's bits past the membrane (its sign extension), 39:36 and 47:42,
	// the bias's spare bits
	wire unused_rdata = &{1'b0, i_pool_rdata, nu_live_unused};

	// ---- the memories ----
	assign o_pool_en = nu_valid || rd_issue;
	assign o_pool_we = nu_valid;
	// v, the counter, the spike bits: not the bias
	assign o_pool_be = {2'b00, {6{nu_valid && !wr_out}}};
	assign o_pool_line = nu_valid ? wr_line : rd_line;
	assign o_pool_wdata = {16'd0, 6'd0, cur ? {nu_spike, nu_other} : {nu_other, nu_spike},
			       4'd0, nu_ref, {(32-M){nu_v[M-1]}}, nu_v};
	assign o_acc_re = rd_issue;
	assign o_acc_raddr = rd_slot[AA+2:3];
	// in the cycle after the word's read, which has no read
	assign o_acc_we = rd_in && zero && last_r;
	assign o_acc_waddr = rd_slot[AA+2:3];
	assign o_acc_wdata = {8*ACC_BITS{1'b0}};
	assign o_spk_valid = nu_valid && nu_spike;
	assign o_spk_index = wr_k;

	always @(posedge i_clk) begin
		o_done <= 1'b0;
		rd_in <= rd_issue;
		last_r <= rd_last;
		in_valid <= rd_in;
		in_other <= cur ? i_pool_rdata[40] : i_pool_rdata[41];
		in_v <= i_pool_rdata[M-1:0];
		in_ref <= i_pool_rdata[35:32];
		in_bias <= i_pool_rdata[48 +: BIAS_BITS];
		in_acc <= acc_lane[rd_slot[2:0]];
		if (rd_in) begin
			rd_line <= rd_line + 1'b1;
			rd_slot <= rd_slot + {{(AA-1){1'b0}}, step};
			rd_left <= rd_left - 1'b1;
			rd_more <= rd_left != 16'd1;
		end
		if (nu_valid) begin
			wr_line <= wr_next;
			wr_out <= (wr_out || {1'b0, wr_line} == NET_LAST) && ~&wr_line;
			wr_k <= wr_k + 1'b1;
			wr_left <= wr_left - 1'b1;
			if (nu_spike)
				o_spikes <= o_spikes + 1'b1;
			if (wr_left == 16'd1) begin
				o_busy <= 1'b0;
				o_done <= 1'b1;
			end
		end
		if (i_start && !o_busy) begin
			rd_line <= i_line;
			rd_slot <= i_slot;
			rd_left <= i_count;
			rd_more <= i_count != 16'd0;
			wr_line <= i_line;
			wr_out <= {1'b0, i_line} >= NET_END;
			wr_k <= 16'd0;
			wr_left <= i_count;
			o_spikes <= 16'd0;
			// count 0: done at once
			o_busy <= i_count != 16'd0;
			o_done <= i_count == 16'd0;
		end
		if (i_rst) begin
			o_busy <= 1'b0;
			o_done <= 1'b0;
			o_spikes <= 16'd0;
			rd_in <= 1'b0;
			rd_more <= 1'b0;
			in_valid <= 1'b0;
		end
	end

endmodule

`default_nettype wire
