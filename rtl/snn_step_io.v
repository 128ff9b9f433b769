// Step 3's accelerators behind I/O registers: the line add, the sweep and the spike scan on the pool and the accumulators, the rate encoder, a cycle counter (docs/rtl.md, "Step 3's accelerators").
//
// The program drives a time step itself (the phases, the cores, the
// routes, each event's rows and taps) and hands these blocks the loops
// that touch a line or a neuron a cycle. A write to a RUN register starts
// its block and is answered only when the block has finished: the
// processor, whose program and data are in the pool, makes no access
// meanwhile, so the block has the pool to itself and nothing arbitrates
// (the processor's pool port passes through whenever no block runs).
// Requests follow snn_ctrl's EXT_IO: held until o_ready, which is high one
// cycle. Registers (i_reg):
//    0 LA_LINE   w: the line add's first pool line
//    1 LA_WORD   w: its first accumulator word = bits 15:0, the word step
//                = bits 31:16
//    2 LA_RUN    w: lines = bits 15:0, lane mask = bits 23:16; runs it;
//                with bit 24, writes the words zero instead (CLEAR, ZERO)
//    3 SW_LINE   w: the sweep's first neuron line
//    4 SW_SLOT   w: its first accumulator slot (word x 8 + lane) = bits
//                15:0, slot step = bits 19:16, zero the words read = bit
//                20, the step's parity = bit 21
//    5 SW_PARAM  w: leak = bits 7:0, refractory = bits 11:8, reset by
//                subtraction = bit 12, spiking = bit 13
//    6 SW_THR    w: the threshold
//    7 SW_RUN    w: neurons = bits 15:0; runs it; r: its spikes
//    8 SC_RUN    w: first line = bits 15:0, end (exclusive) = bits 30:16,
//                bit 41 (not 40) = bit 31; runs the scan; r: the line
//                found = bits 15:0, found = bit 31
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
//   15 MUL       w: a = bits 15:0, b = bits 31:16; r: a x b, 32 bits (one
//                DSP: RV32I has no multiply, and the program's addresses
//                are products, 160 cycles each in software)
`default_nettype none

module snn_step_io #(
	parameter LA = 14,	// pool line address bits (16,384 lines of the UP5K's SPRAM)
	parameter AA = 8,	// accumulator word address bits (8 neurons a word)
	parameter MEMBRANE_BITS = 20,
	parameter BIAS_BITS = 16,
	parameter ACC_BITS = 20,
	parameter INPUT_MAX = 1024,	// inputs the encoder holds (a power of two)
	// The pool's lines that hold the network: a sweep's write above them
	// (a configuration nobody checked) writes no byte (snn_sweep's
	// NET_LINES), so that no step can write into the program's lines
	parameter NET_LINES = 1 << LA
) (
	input wire i_clk,
	input wire i_rst,
	// the processor's registers (snn_ctrl's EXT_IO)
	input wire i_valid,
	input wire [3:0] i_reg,
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
	localparam [3:0] SIO_LA_LINE = 4'd0;
	localparam [3:0] SIO_LA_WORD = 4'd1;
	localparam [3:0] SIO_LA_RUN = 4'd2;
	localparam [3:0] SIO_SW_LINE = 4'd3;
	localparam [3:0] SIO_SW_SLOT = 4'd4;
	localparam [3:0] SIO_SW_PARAM = 4'd5;
	localparam [3:0] SIO_SW_THR = 4'd6;
	localparam [3:0] SIO_SW_RUN = 4'd7;
	localparam [3:0] SIO_SC_RUN = 4'd8;
	localparam [3:0] SIO_PIX_INDEX = 4'd9;
	localparam [3:0] SIO_PIX_VALUE = 4'd10;
	localparam [3:0] SIO_ENCODE = 4'd11;
	localparam [3:0] SIO_ENC_EVENT = 4'd12;
	localparam [3:0] SIO_CYCLES = 4'd13;
	localparam [3:0] SIO_MUL = 4'd15;

	// what the request in hand waits for; the block that has the pool
	localparam [2:0] W_NONE = 3'd0, W_LA = 3'd1, W_SW = 3'd2, W_SC = 3'd3, W_ENC = 3'd4,
			 W_EVENT = 3'd5;
	reg [2:0] wait_for;
	wire start = i_valid && !o_ready && wait_for == W_NONE;

	// operands, held from their registers' writes to the run
	reg [LA-1:0] la_line, sw_line;
	reg [AA-1:0] la_word, la_step;
	reg [AA+2:0] sw_slot;
	reg [3:0] sw_slot_step, sw_refr;
	reg sw_zero, sw_cur, sw_reset, sw_spiking;
	reg [7:0] sw_leak;
	reg [M-1:0] sw_thr;
	reg la_go, sw_go, sc_go;
	reg [15:0] count;	// LA_RUN's lines, SW_RUN's neurons
	reg [7:0] la_mask;
	reg la_zero;
	reg [LA-1:0] sc_line;
	reg [LA:0] sc_end;
	reg sc_bit;

	// ---- the accumulators: 8 neurons a word, shared by the line add and the sweep ----
	wire la_acc_re, la_acc_we, sw_acc_re, sw_acc_we;
	wire [AA-1:0] la_acc_raddr, la_acc_waddr, sw_acc_raddr, sw_acc_waddr;
	wire [8*ACC_BITS-1:0] la_acc_wdata, sw_acc_wdata, acc_rdata;
	wire la_owns = wait_for == W_LA;
	snn_ram_sdp #(.WIDTH(8 * ACC_BITS), .DEPTH(1 << AA)) u_acc (
		.i_clk(i_clk),
		.i_we(la_acc_we || sw_acc_we),
		.i_waddr(la_owns ? la_acc_waddr : sw_acc_waddr),
		.i_wdata(la_owns ? (la_zero ? {8 * ACC_BITS{1'b0}} : la_acc_wdata) : sw_acc_wdata),
		.i_re(la_acc_re || sw_acc_re),
		.i_raddr(la_owns ? la_acc_raddr : sw_acc_raddr),
		.o_rdata(acc_rdata));

	// ---- the blocks ----
	wire la_busy, la_done, sw_busy, sw_done, sc_busy, sc_done, sc_found;
	wire [LA:0] sc_at;
	wire [15:0] sw_spikes;
	wire la_pool_en, sw_pool_en, sw_pool_we, sc_pool_en;
	wire [7:0] sw_pool_be;
	wire [LA-1:0] la_pool_line, sw_pool_line, sc_pool_line;
	wire [63:0] sw_pool_wdata;
	/* verilator lint_off UNUSEDSIGNAL */	// the run registers wait for done, not busy
	wire busy_unused = la_busy ^ sw_busy ^ sc_busy;
	/* verilator lint_on UNUSEDSIGNAL */

	snn_line_add #(.LA(LA), .AA(AA), .ACC_BITS(ACC_BITS)) u_line_add (
		.i_clk(i_clk), .i_rst(i_rst), .i_start(la_go),
		.i_line(la_line), .i_count(count), .i_word(la_word), .i_step(la_step), .i_mask(la_mask),
		.o_busy(la_busy), .o_done(la_done),
		.o_pool_en(la_pool_en), .o_pool_line(la_pool_line), .i_pool_rdata(i_pool_rdata),
		/* verilator lint_off PINCONNECTEMPTY */	// it only reads the pool
		.o_pool_we(), .o_pool_be(), .o_pool_wdata(),
		/* verilator lint_on PINCONNECTEMPTY */
		.o_acc_re(la_acc_re), .o_acc_raddr(la_acc_raddr), .i_acc_rdata(acc_rdata),
		.o_acc_we(la_acc_we), .o_acc_waddr(la_acc_waddr), .o_acc_wdata(la_acc_wdata));

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

	snn_spike_scan #(.LA(LA)) u_scan (
		.i_clk(i_clk), .i_rst(i_rst), .i_start(sc_go),
		.i_line(sc_line), .i_end(sc_end), .i_bit(sc_bit),
		.o_busy(sc_busy), .o_done(sc_done), .o_found(sc_found), .o_at(sc_at),
		.o_pool_en(sc_pool_en), .o_pool_line(sc_pool_line), .i_pool_rdata(i_pool_rdata),
		/* verilator lint_off PINCONNECTEMPTY */	// it only reads the pool
		.o_pool_we(), .o_pool_be(), .o_pool_wdata()
		/* verilator lint_on PINCONNECTEMPTY */
	);

	// The pool: the block that runs, else the processor. Only the sweep
	// writes (nothing past the network's lines: its NET_LINES); the line
	// add and the scan only read.
	always @* begin
		case (wait_for)
			W_LA: begin
				o_pool_en = la_pool_en; o_pool_we = 1'b0; o_pool_be = 8'h00;
				o_pool_line = la_pool_line; o_pool_wdata = sw_pool_wdata;
			end
			W_SW: begin
				o_pool_en = sw_pool_en; o_pool_we = sw_pool_we; o_pool_be = sw_pool_be;
				o_pool_line = sw_pool_line; o_pool_wdata = sw_pool_wdata;
			end
			W_SC: begin
				o_pool_en = sc_pool_en; o_pool_we = 1'b0; o_pool_be = 8'h00;
				o_pool_line = sc_pool_line; o_pool_wdata = sw_pool_wdata;
			end
			default: begin
				o_pool_en = i_cpu_pool_en; o_pool_we = i_cpu_pool_we; o_pool_be = i_cpu_pool_be;
				o_pool_line = i_cpu_pool_line; o_pool_wdata = i_cpu_pool_wdata;
			end
		endcase
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
	wire enc_idle = !enc_busy && !enc_step && !enc_clear && !enc_store;

	// ---- the multiplier: operands registered, the product a cycle later ----
	reg [15:0] mul_a, mul_b;
	reg [31:0] mul_p;
	always @(posedge i_clk)
		mul_p <= mul_a * mul_b;

	// ---- cycles since reset ----
	reg [31:0] cycles;

	always @(posedge i_clk) begin
		o_ready <= 1'b0;
		la_go <= 1'b0;
		sw_go <= 1'b0;
		sc_go <= 1'b0;
		enc_store <= 1'b0;
		enc_clear <= 1'b0;
		enc_step <= 1'b0;
		cycles <= cycles + 1'b1;
		if (enc_store)	// the encoder takes the value at this edge
			pix_index <= pix_index + 1'b1;
		if (start) begin
			if (i_write) begin
				o_ready <= 1'b1;	// but for the runs and the encoder, below
				case (i_reg)
					SIO_LA_LINE: la_line <= i_wdata[LA-1:0];
					SIO_LA_WORD: begin
						la_word <= i_wdata[AA-1:0];
						la_step <= i_wdata[16 +: AA];
					end
					SIO_LA_RUN: begin
						count <= i_wdata[15:0];
						la_mask <= i_wdata[23:16];
						la_zero <= i_wdata[24];
						la_go <= 1'b1;
						o_ready <= 1'b0;
						wait_for <= W_LA;
					end
					SIO_SW_LINE: sw_line <= i_wdata[LA-1:0];
					SIO_SW_SLOT: begin
						sw_slot <= i_wdata[AA+2:0];
						sw_slot_step <= i_wdata[19:16];
						sw_zero <= i_wdata[20];
						sw_cur <= i_wdata[21];
					end
					SIO_SW_PARAM: begin
						sw_leak <= i_wdata[7:0];
						sw_refr <= i_wdata[11:8];
						sw_reset <= i_wdata[12];
						sw_spiking <= i_wdata[13];
					end
					SIO_SW_THR: sw_thr <= i_wdata[M-1:0];
					SIO_SW_RUN: begin
						count <= i_wdata[15:0];
						sw_go <= 1'b1;
						o_ready <= 1'b0;
						wait_for <= W_SW;
					end
					SIO_SC_RUN: begin
						sc_line <= i_wdata[LA-1:0];
						sc_end <= i_wdata[16 +: LA + 1];
						sc_bit <= i_wdata[31];
						sc_go <= 1'b1;
						o_ready <= 1'b0;
						wait_for <= W_SC;
					end
					SIO_PIX_INDEX: pix_index <= i_wdata[EA-1:0];
					SIO_MUL: begin
						mul_a <= i_wdata[15:0];
						mul_b <= i_wdata[31:16];
					end
					SIO_PIX_VALUE: begin
						enc_store <= 1'b1;
						o_ready <= 1'b0;
						wait_for <= W_ENC;	// taken at once; answered once idle
					end
					SIO_ENCODE: begin
						enc_count <= i_wdata[EA:0];
						enc_first <= i_wdata[16];
						enc_clear <= i_wdata[17];
						enc_step <= !i_wdata[17];
					end
					default: ;
				endcase
			end else begin
				o_ready <= 1'b1;
				case (i_reg)
					SIO_SW_RUN: o_rdata <= {16'd0, sw_spikes};
					SIO_SC_RUN: o_rdata <= {sc_found, {(31 - (LA + 1)){1'b0}}, sc_at};
					SIO_ENC_EVENT: begin
						o_ready <= 1'b0;
						wait_for <= W_EVENT;
					end
					SIO_CYCLES: o_rdata <= cycles;
					SIO_MUL: o_rdata <= mul_p;
					default: o_rdata <= 32'd0;
				endcase
			end
		end
		case (wait_for)
			W_LA, W_SW, W_SC: if (la_done || sw_done || sc_done) begin
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
			la_go <= 1'b0;
			sw_go <= 1'b0;
			sc_go <= 1'b0;
			enc_store <= 1'b0;
			enc_clear <= 1'b0;
			enc_step <= 1'b0;
			wait_for <= W_NONE;
			cycles <= 32'd0;
		end
	end

endmodule
`default_nettype wire
