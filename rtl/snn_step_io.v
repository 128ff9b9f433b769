// Step 3's accelerators behind I/O registers: the line add, the tap walk, the route run (and with it the spike search) and the sweep on the pool and the accumulators, the rate encoder, a cycle counter (docs/rtl.md, "Step 3's accelerators").
//
// The program drives a time step itself (the phases, the cores, the
// routes, each event's rows and taps) and hands these blocks the loops
// that touch a line or a neuron a cycle. A write to a RUN register starts
// its block and is answered only when the block has finished: the
// processor, whose program and data are in the pool, makes no access
// meanwhile, so the block has the pool to itself and nothing arbitrates
// (the processor's pool port passes through whenever no request waits).
// Requests follow snn_ctrl's EXT_IO: held until o_ready, which is high one
// cycle; a write of an operand is answered the cycle after, a read the
// cycle after that, a run once its block is done. Registers (i_reg):
//    0, 1 (the line add's LA_LINE and LA_WORD until the route run took
//                its runs from the program)
//    2 LA_ZERO   w: zeroes accumulator words 0 .. bits 15:0 - 1 (CLEAR,
//                ZERO), the line add writing zero
//    3 SW_LINE   w: the sweep's first neuron line
//    4 SW_SLOT   w: its first accumulator slot (word x 8 + lane) = bits
//                15:0, slot step = bits 19:16, zero the words read = bit
//                20, the step's parity = bit 21
//    5 SW_PARAM  w: leak = bits 7:0, refractory = bits 11:8, reset by
//                subtraction = bit 12, spiking = bit 13
//    6 SW_THR    w: the threshold
//    7 SW_RUN    w: neurons = bits 15:0; runs it; r: its spikes
//    8 (the spike scan's SC_RUN until the route run's find mode took
//                its place)
//    9 PIX_INDEX w: the input index of the next PIX_VALUE
//   10 PIX_VALUE w: store a value there (the encoder idle), count up
//   11 ENCODE    w: encode one step over inputs 0 .. bits 15:0 - 1, the
//                sample's first if bit 16; bit 17 zeroes every value
//                instead
//   12 ENC_EVENT r: the encoder's next input spike (its index), or
//                0x8000_0000 once the step's are all read; waits for one
//   13 CYCLES    r: the cycles since reset, modulo 2^32 (the program
//                counts differences: a wider counter's carry chain was
//                this block's slowest path, 44 MHz at 48 bits)
//   15 MUL       w: a = bits 15:0, b = bits 31:16; r: a x b, 32 bits, of
//                the last word written (snn_ctrl holds it; the program
//                reads right after the write), one DSP: RV32I has no
//                multiply, and the program's addresses are products, 160
//                cycles each in software
//   16 TW_SIZE   w: the tap walk's OH = bits 15:0, OW = bits 31:16
//   17 TW_KERNEL w: KH = bits 7:0, KW = bits 15:8, lines a tap = bits
//                23:16, log2 of the positions a word = bits 25:24
//   18 TW_PLANE  w: the words from one group of eight channels to the next
//   19 (TW_RUN, the program's tap walk, until the route run took it)
//   20 RR_FROM   w: the route run's first position (a line, or a bit of
//                the pool: line x 64 + bit) = bits LA+5:0, bitmap
//                source = bit 31
//   21 RR_COUNT  w: its positions = bits 15:0 (0: 2^16), spike bit 41
//                (not 40) = bit 30, stop at the first spike (find) = bit
//                29
//   22 RR_YX     w: the first position's y = bits 15:0, x = bits 31:16,
//                the route's offsets added (each COORD_BITS bits kept,
//                signed, as every coordinate and size below)
//   23 RR_C      w: ... and its channel = bits 15:0; FROM, YX and C are
//                the run's own counters: unless written again, a run goes
//                on where the last ended
//   24 RR_WRAP_X w: x counts from bits 15:0 to bits 31:16 - 1,
//   25 RR_WRAP_Y w: then y from bits 15:0 to bits 31:16 - 1, then c
//   26 RR_RUN    w: runs the route; r: the rows (dense) or taps (conv)
//                added, or with find the line found = bits 14:0 and
//                found = bit 15
//   27 GT_SIZE   w: the run's target: IN_C = bits 15:0, its input's rows
//                (a conv core's: those that pool into its map) = bits
//                31:16
//   28 GT_SIZE_X w: its columns (the same) = bits 15:0, lines a dense row
//                or a conv channel = bits 31:16
//   29 GT_AUX    w: dense: N_AXONS = bits 15:0; conv: PAD_Y - OUT_Y0 =
//                bits 15:0, PAD_X - OUT_X0 = bits 31:16 (signed)
//   30 GT_SYN    w: its first line = bits 15:0, pool 2 (not 1) = bit 16,
//                conv = bit 17
`default_nettype none

module snn_step_io #(
	parameter LA = 14,	// pool line address bits (16,384 lines of the UP5K's SPRAM)
	parameter AA = 8,	// accumulator word address bits (8 neurons a word)
	parameter MEMBRANE_BITS = 20,
	parameter BIAS_BITS = 16,
	parameter ACC_BITS = 20,
	parameter INPUT_MAX = 1024,	// inputs the encoder holds (a power of two)
	// A coordinate's bits in the route run and the tap walk (signed, AA + 3
	// to 16; sizes below 2^(COORD_BITS-1)): the program keeps its cores and routes
	// within them (rtl/fw/step_accel.h, SX_COORD_BITS)
	parameter COORD_BITS = 12,
	// The pool's lines that hold the network: a sweep's write above them
	// (a configuration nobody checked) writes no byte (snn_sweep's
	// NET_LINES), so that no step can write into the program's lines
	parameter NET_LINES = 1 << LA
) (
	input wire i_clk,
	input wire i_rst,
	// the processor's registers (snn_ctrl's EXT_IO)
	input wire i_valid,
	input wire [4:0] i_reg,
	input wire i_write,
	input wire [31:0] i_wdata,
	output reg o_ready,
	output reg [31:0] o_rdata,
	// the processor's pool port, passed through while no block runs
	input wire i_cpu_pool_en,
	input wire i_cpu_pool_we,
	input wire [7:0] i_cpu_pool_be,
	input wire [LA-1:0] i_cpu_pool_line,
	input wire [63:0] i_cpu_pool_wdata,
	// the pool
	output reg o_pool_en,
	output reg o_pool_we,
	output reg [7:0] o_pool_be,
	output reg [LA-1:0] o_pool_line,
	output reg [63:0] o_pool_wdata,
	input wire [63:0] i_pool_rdata,
	// the sweep's spikes as written, for the co-simulation's lock step
	output wire o_spk_valid,
	output wire [15:0] o_spk_index
);

	localparam M = MEMBRANE_BITS;
	localparam EA = $clog2(INPUT_MAX);

	// the registers (rtl/fw/step_accel.h; test_rtl_constants compares them)
	localparam [4:0] SIO_LA_ZERO = 5'd2;
	localparam [4:0] SIO_SW_LINE = 5'd3;
	localparam [4:0] SIO_SW_SLOT = 5'd4;
	localparam [4:0] SIO_SW_PARAM = 5'd5;
	localparam [4:0] SIO_SW_THR = 5'd6;
	localparam [4:0] SIO_SW_RUN = 5'd7;
	localparam [4:0] SIO_PIX_INDEX = 5'd9;
	localparam [4:0] SIO_PIX_VALUE = 5'd10;
	localparam [4:0] SIO_ENCODE = 5'd11;
	localparam [4:0] SIO_ENC_EVENT = 5'd12;
	localparam [4:0] SIO_CYCLES = 5'd13;
	localparam [4:0] SIO_MUL = 5'd15;
	localparam [4:0] SIO_TW_SIZE = 5'd16;
	localparam [4:0] SIO_TW_KERNEL = 5'd17;
	localparam [4:0] SIO_TW_PLANE = 5'd18;
	localparam [4:0] SIO_RR_FROM = 5'd20;
	localparam [4:0] SIO_RR_COUNT = 5'd21;
	localparam [4:0] SIO_RR_YX = 5'd22;
	localparam [4:0] SIO_RR_C = 5'd23;
	localparam [4:0] SIO_RR_WRAP_X = 5'd24;
	localparam [4:0] SIO_RR_WRAP_Y = 5'd25;
	localparam [4:0] SIO_RR_RUN = 5'd26;
	localparam [4:0] SIO_GT_SIZE = 5'd27;
	localparam [4:0] SIO_GT_SIZE_X = 5'd28;
	localparam [4:0] SIO_GT_AUX = 5'd29;
	localparam [4:0] SIO_GT_SYN = 5'd30;

	// what the request in hand waits for; the block that has the pool
	localparam [2:0] W_NONE = 3'd0, W_LA = 3'd1, W_SW = 3'd2, W_READ = 3'd3, W_ENC = 3'd4,
			 W_EVENT = 3'd5, W_RR = 3'd7;
	reg [2:0] wait_for;
	wire start = i_valid && !o_ready && wait_for == W_NONE;
	// A write is decoded into a one-hot select, a flip-flop each, and
	// taken the cycle after its request, at the edge that answers it
	// (o_ready), from the word snn_ctrl still holds (o_ext_wdata, held
	// until its next request): the request's decode in front
	// of every operand register's enable was the device's slowest path. A
	// run starts from its select, a cycle after the request; a read
	// answers from the register the cycle after its request.
	reg [31:0] wsel;

	// operands, held from their registers' writes to the run
	reg [LA-1:0] sw_line;
	reg [AA+2:0] sw_slot;
	reg [3:0] sw_slot_step, sw_refr;
	reg sw_zero, sw_cur, sw_reset, sw_spiking;
	reg [7:0] sw_leak;
	reg [M-1:0] sw_thr;
	wire la_go = wsel[SIO_LA_ZERO];
	wire sw_go = wsel[SIO_SW_RUN];
	wire [15:0] count = i_wdata[15:0];	// LA_ZERO's words, SW_RUN's neurons: taken with the go
	reg [COORD_BITS-1:0] tw_oh, tw_ow;
	reg [7:0] tw_kh, tw_kw, tw_groups;
	reg [1:0] tw_pw;
	reg [AA-1:0] tw_plane;
	wire rr_go = wsel[SIO_RR_RUN];
	reg [COORD_BITS-1:0] rr_x0, rr_x_end, rr_y0, rr_y_end;	// the walk's first and last x and y
	reg [COORD_BITS-1:0] gt_in_c, gt_lim_h, gt_lim_w, gt_pdx;
	reg [15:0] gt_lines, gt_aux;
	reg [LA-1:0] gt_syn;
	reg gt_ps, gt_conv;

	// ---- the accumulators: 8 neurons a word, shared by the line add and the sweep ----
	wire la_acc_re, la_acc_we, sw_acc_re, sw_acc_we;
	wire [AA-1:0] la_acc_raddr, la_acc_waddr, sw_acc_raddr, sw_acc_waddr;
	wire [8*ACC_BITS-1:0] la_acc_wdata, sw_acc_wdata, acc_rdata;
	// The block that has the pool and the accumulators, decoded from
	// wait_for a cycle late: a block starts a cycle after its request, and
	// the processor's next access comes cycles after the answer. The
	// decode in front of the pool's address was the device's slowest path.
	reg la_owns, rr_runs, sw_owns;	// the line add (LA_ZERO or a route run's), the run, the sweep
	wire cpu_port = wait_for == W_NONE;	// the processor's accesses pass (its enables only)
	always @(posedge i_clk) begin
		la_owns <= wait_for == W_LA || wait_for == W_RR;
		rr_runs <= wait_for == W_RR;
		sw_owns <= wait_for == W_SW;
	end
	// A write reaches the words a cycle late, from registers: a route run's
	// sums, or zeros (LA_ZERO's and the sweep's: sw_acc_wdata is zero) by
	// the registers' synchronous reset, which costs no LUT where a
	// multiplexer in front of the words cost 166. No read meets the late
	// write: the line add's next three words differ (groups x plane is at
	// most the 2^AA words), the sweep reads the next word after a word's
	// zeroing, and the next block starts cycles after this one's done.
	reg acc_we;
	reg [AA-1:0] acc_waddr;
	reg [8*ACC_BITS-1:0] acc_wdata;
	reg acc_sums;	// the route run's line add has the words
	/* verilator lint_off UNUSEDSIGNAL */	// zero, by the contract
	wire [8*ACC_BITS-1:0] sw_acc_zero = sw_acc_wdata;
	/* verilator lint_on UNUSEDSIGNAL */
	always @(posedge i_clk) begin
		acc_we <= la_acc_we || sw_acc_we;
		acc_waddr <= la_owns ? la_acc_waddr : sw_acc_waddr;
		acc_sums <= wait_for == W_RR;
		if (!acc_sums)
			acc_wdata <= {8 * ACC_BITS{1'b0}};
		else
			acc_wdata <= la_acc_wdata;
		if (i_rst)
			acc_we <= 1'b0;
	end
	snn_ram_sdp #(.WIDTH(8 * ACC_BITS), .DEPTH(1 << AA)) u_acc (
		.i_clk(i_clk),
		.i_we(acc_we),
		.i_waddr(acc_waddr),
		.i_wdata(acc_wdata),
		.i_re(la_acc_re || sw_acc_re),
		.i_raddr(la_owns ? la_acc_raddr : sw_acc_raddr),
		.o_rdata(acc_rdata));

	// ---- the blocks ----
	wire la_busy, la_done, sw_busy, sw_done;
	wire [15:0] sw_spikes;
	wire la_pool_en, sw_pool_en, sw_pool_we;
	wire [7:0] sw_pool_be;
	wire [LA-1:0] la_pool_line, sw_pool_line;
	wire [63:0] sw_pool_wdata;
	/* verilator lint_off UNUSEDSIGNAL */	// the run registers wait for done, not busy
	wire busy_unused = la_busy ^ sw_busy ^ tw_busy ^ rr_busy;
	/* verilator lint_on UNUSEDSIGNAL */

	// the line add's operands: the tap walk's (a conv route run's events),
	// a row from a dense route run's line, or the program's zeroing run
	wire tw_la_go, rr_la_go;
	wire [LA-1:0] tw_la_line, rr_line;
	wire [15:0] tw_la_count, tw_taps, rr_events;
	wire [AA-1:0] tw_la_word, tw_la_step;
	wire [7:0] tw_la_mask;
	wire tw_walks = rr_runs && gt_conv;
	snn_line_add #(.LA(LA), .AA(AA), .ACC_BITS(ACC_BITS)) u_line_add (
		.i_clk(i_clk), .i_rst(i_rst), .i_start(la_go || tw_la_go || rr_la_go),
		.i_line(tw_walks ? tw_la_line : rr_line), .i_count(tw_walks ? tw_la_count : rr_runs ? gt_lines : count),
		.i_word(tw_walks ? tw_la_word : {AA{1'b0}}),
		.i_step(tw_walks ? tw_la_step : {{(AA - 1){1'b0}}, 1'b1}),
		.i_mask(tw_walks ? tw_la_mask : 8'hFF),
		.o_busy(la_busy), .o_done(la_done),
		.o_pool_en(la_pool_en), .o_pool_line(la_pool_line), .i_pool_rdata(i_pool_rdata),
		/* verilator lint_off PINCONNECTEMPTY */	// it only reads the pool
		.o_pool_we(), .o_pool_be(), .o_pool_wdata(),
		/* verilator lint_on PINCONNECTEMPTY */
		.o_acc_re(la_acc_re), .o_acc_raddr(la_acc_raddr), .i_acc_rdata(acc_rdata),
		.o_acc_we(la_acc_we), .o_acc_waddr(la_acc_waddr), .o_acc_wdata(la_acc_wdata));

	// the tap walk: a conv route run's events
	wire tw_busy, tw_done, rr_tw_go;
	wire [COORD_BITS-1:0] rr_tw_i0, rr_tw_j0;
	snn_tap_walk #(.LA(LA), .AA(AA), .COORD_BITS(COORD_BITS)) u_tap_walk (
		.i_clk(i_clk), .i_rst(i_rst),
		.i_oh(tw_oh), .i_ow(tw_ow), .i_kh(tw_kh), .i_kw(tw_kw), .i_groups(tw_groups),
		.i_pw(tw_pw), .i_plane(tw_plane),
		.i_clear(rr_go), .i_start(rr_tw_go), .i_line(rr_line), .i_i0(rr_tw_i0), .i_j0(rr_tw_j0),
		.o_busy(tw_busy), .o_done(tw_done), .o_taps(tw_taps),
		.o_la_go(tw_la_go), .o_la_line(tw_la_line), .o_la_count(tw_la_count),
		.o_la_word(tw_la_word), .o_la_step(tw_la_step), .o_la_mask(tw_la_mask),
		.i_la_done(la_done));

	wire rr_busy, rr_done, rr_pool_en;
	// a write the run takes into its counters: its select (above)
	wire [LA-1:0] rr_pool_line;
	snn_route_run #(.LA(LA), .COORD_BITS(COORD_BITS)) u_route_run (
		.i_clk(i_clk), .i_rst(i_rst),
		.i_start(rr_go), .i_wdata(i_wdata),
		.i_set_pos(wsel[SIO_RR_FROM]), .i_set_count(wsel[SIO_RR_COUNT]), .i_set_yx(wsel[SIO_RR_YX]),
		.i_set_c(wsel[SIO_RR_C]),
		.i_x0(rr_x0), .i_x_end(rr_x_end), .i_y0(rr_y0), .i_y_end(rr_y_end),
		.i_conv(gt_conv), .i_in_c(gt_in_c), .i_lim_h(gt_lim_h), .i_lim_w(gt_lim_w),
		.i_lines(gt_lines), .i_aux(gt_aux), .i_pdx(gt_pdx), .i_syn(gt_syn), .i_ps(gt_ps),
		.o_busy(rr_busy), .o_done(rr_done), .o_result(rr_events),
		.o_la_go(rr_la_go), .o_line(rr_line), .i_la_done(la_done),
		.o_tw_go(rr_tw_go), .o_tw_i0(rr_tw_i0), .o_tw_j0(rr_tw_j0),
		.i_tw_done(tw_done), .i_tw_taps(tw_taps),
		.o_pool_en(rr_pool_en), .o_pool_line(rr_pool_line), .i_pool_rdata(i_pool_rdata));

	snn_sweep #(.LA(LA), .AA(AA), .MEMBRANE_BITS(M), .BIAS_BITS(BIAS_BITS), .ACC_BITS(ACC_BITS),
		    .NET_LINES(NET_LINES)) u_sweep (
		.i_clk(i_clk), .i_rst(i_rst), .i_start(sw_go),
		.i_line(sw_line), .i_count(count), .i_slot(sw_slot), .i_slot_step(sw_slot_step),
		.i_zero(sw_zero), .i_threshold(sw_thr), .i_leak(sw_leak), .i_reset_mode(sw_reset),
		.i_refractory(sw_refr), .i_spiking(sw_spiking), .i_cur(sw_cur),
		.o_busy(sw_busy), .o_done(sw_done), .o_spikes(sw_spikes),
		.o_spk_valid(o_spk_valid), .o_spk_index(o_spk_index),
		.o_pool_en(sw_pool_en), .o_pool_we(sw_pool_we), .o_pool_be(sw_pool_be),
		.o_pool_line(sw_pool_line), .o_pool_wdata(sw_pool_wdata), .i_pool_rdata(i_pool_rdata),
		.o_acc_re(sw_acc_re), .o_acc_raddr(sw_acc_raddr), .i_acc_rdata(acc_rdata),
		.o_acc_we(sw_acc_we), .o_acc_waddr(sw_acc_waddr), .o_acc_wdata(sw_acc_wdata));

	// The pool: the block that runs, else the processor. Only the sweep
	// writes (nothing past the network's lines: its NET_LINES); the line
	// add and the scan only read.
	always @* begin
		if (la_owns) begin	// the run reads while no line add of its runs
			o_pool_en = la_pool_en || rr_pool_en; o_pool_we = 1'b0; o_pool_be = 8'h00;
			o_pool_line = la_pool_en ? la_pool_line : rr_pool_line; o_pool_wdata = sw_pool_wdata;
		end else if (sw_owns) begin
			o_pool_en = sw_pool_en; o_pool_we = sw_pool_we; o_pool_be = sw_pool_be;
			o_pool_line = sw_pool_line; o_pool_wdata = sw_pool_wdata;
		end else begin	// not in the request's first cycle: no block has it yet
			o_pool_en = i_cpu_pool_en && cpu_port; o_pool_we = i_cpu_pool_we && cpu_port;
			o_pool_be = i_cpu_pool_be; o_pool_line = i_cpu_pool_line; o_pool_wdata = i_cpu_pool_wdata;
		end
	end

	// ---- the rate encoder: its spikes to the program, one a read ----
	reg [EA-1:0] pix_index;
	reg enc_store, enc_clear, enc_step, enc_first;
	reg [EA:0] enc_count;
	wire enc_busy, enc_ev_valid;
	wire [EA-1:0] enc_ev_index;
	// ready is the register's decode alone, not the encoder's valid too:
	// the encoder's next spike is found from the one taken, a path long
	// enough without this one in front (37.7 MHz with it)
	wire enc_take = wait_for == W_EVENT;
	snn_rate_encoder #(.DEPTH(INPUT_MAX)) u_encoder (
		.i_clk(i_clk), .i_rst(i_rst),
		.i_store(enc_store), .i_index(pix_index), .i_value(i_wdata[7:0]),
		.i_clear(enc_clear), .i_step(enc_step), .i_first(enc_first), .i_count(enc_count),
		.o_busy(enc_busy),
		.o_ev_valid(enc_ev_valid), .i_ev_ready(enc_take), .o_ev_index(enc_ev_index));
	// the encoder has taken the last request and has no spike left to give
	wire enc_idle = !enc_busy && !enc_step && !enc_clear && !enc_store && !wsel[SIO_PIX_VALUE]
			&& !wsel[SIO_ENCODE];

	// ---- the multiplier: operands registered, the product a cycle later ----
	// its operands the last word written, which snn_ctrl holds (a read
	// leaves it): the program reads MUL right after writing it
	wire [15:0] mul_a = i_wdata[15:0], mul_b = i_wdata[31:16];
	reg [31:0] mul_p;
	always @(posedge i_clk)
		mul_p <= mul_a * mul_b;

	// ---- cycles since reset ----
	reg [31:0] cycles;

	always @(posedge i_clk) begin
		o_ready <= 1'b0;
		wsel <= (start && i_write) ? 32'd1 << i_reg : 32'd0;
		enc_store <= wsel[SIO_PIX_VALUE];
		enc_clear <= wsel[SIO_ENCODE] && i_wdata[17];
		enc_step <= wsel[SIO_ENCODE] && !i_wdata[17];
		cycles <= cycles + 1'b1;
		if (enc_store)	// the encoder takes the value at this edge
			pix_index <= pix_index + 1'b1;
		// the request: a run waits for its block, a read a cycle, a write
		// of an operand answers at once
		if (start) begin
			if (i_write) begin
				case (i_reg)
					SIO_LA_ZERO: wait_for <= W_LA;
					SIO_SW_RUN: wait_for <= W_SW;
					SIO_RR_RUN: wait_for <= W_RR;
					SIO_PIX_VALUE: wait_for <= W_ENC;	// taken at once; answered once idle
					default: o_ready <= 1'b1;
				endcase
			end else begin
				wait_for <= i_reg == SIO_ENC_EVENT ? W_EVENT : W_READ;
			end
		end
		// the writes, from their selects
		if (wsel[SIO_SW_LINE])
			sw_line <= i_wdata[LA-1:0];
		if (wsel[SIO_SW_SLOT]) begin
			sw_slot <= i_wdata[AA+2:0];
			sw_slot_step <= i_wdata[19:16];
			sw_zero <= i_wdata[20];
			sw_cur <= i_wdata[21];
		end
		if (wsel[SIO_SW_PARAM]) begin
			sw_leak <= i_wdata[7:0];
			sw_refr <= i_wdata[11:8];
			sw_reset <= i_wdata[12];
			sw_spiking <= i_wdata[13];
		end
		if (wsel[SIO_SW_THR])
			sw_thr <= i_wdata[M-1:0];
		if (wsel[SIO_TW_SIZE]) begin
			tw_oh <= i_wdata[COORD_BITS-1:0];
			tw_ow <= i_wdata[COORD_BITS+15:16];
		end
		if (wsel[SIO_TW_KERNEL]) begin
			tw_kh <= i_wdata[7:0];
			tw_kw <= i_wdata[15:8];
			tw_groups <= i_wdata[23:16];
			tw_pw <= i_wdata[25:24];
		end
		if (wsel[SIO_TW_PLANE])
			tw_plane <= i_wdata[AA-1:0];
		if (wsel[SIO_RR_WRAP_X]) begin
			rr_x0 <= i_wdata[COORD_BITS-1:0];
			rr_x_end <= i_wdata[COORD_BITS+15:16] - 1'b1;
		end
		if (wsel[SIO_RR_WRAP_Y]) begin
			rr_y0 <= i_wdata[COORD_BITS-1:0];
			rr_y_end <= i_wdata[COORD_BITS+15:16] - 1'b1;
		end
		if (wsel[SIO_GT_SIZE]) begin
			gt_in_c <= i_wdata[COORD_BITS-1:0];
			gt_lim_h <= i_wdata[COORD_BITS+15:16];
		end
		if (wsel[SIO_GT_SIZE_X]) begin
			gt_lim_w <= i_wdata[COORD_BITS-1:0];
			gt_lines <= i_wdata[31:16];
		end
		if (wsel[SIO_GT_AUX]) begin
			gt_aux <= i_wdata[15:0];
			gt_pdx <= i_wdata[COORD_BITS+15:16];
		end
		if (wsel[SIO_GT_SYN]) begin
			gt_syn <= i_wdata[LA-1:0];
			gt_ps <= i_wdata[16];
			gt_conv <= i_wdata[17];
		end
		if (wsel[SIO_PIX_INDEX])
			pix_index <= i_wdata[EA-1:0];
		if (wsel[SIO_ENCODE]) begin
			enc_count <= i_wdata[EA:0];
			enc_first <= i_wdata[16];
		end
		case (wait_for)
			W_LA, W_SW: if (la_done || sw_done) begin
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end
			W_RR: if (rr_done) begin
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end
			W_READ: begin	// i_reg still held
				case (i_reg)
					SIO_SW_RUN: o_rdata <= {16'd0, sw_spikes};
					SIO_RR_RUN: o_rdata <= {16'd0, rr_events};
					SIO_CYCLES: o_rdata <= cycles;
					SIO_MUL: o_rdata <= mul_p;
					default: o_rdata <= 32'd0;
				endcase
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end
			W_ENC: if (enc_idle) begin
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end
			W_EVENT: if (enc_ev_valid || enc_idle) begin
				o_rdata <= enc_ev_valid ? {{(32 - EA){1'b0}}, enc_ev_index} : 32'h8000_0000;
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end
			default: ;
		endcase
		if (i_rst) begin
			o_ready <= 1'b0;
			wsel <= 32'd0;
			enc_store <= 1'b0;
			enc_clear <= 1'b0;
			enc_step <= 1'b0;
			wait_for <= W_NONE;
			cycles <= 32'd0;
		end
	end

endmodule
`default_nettype wire
