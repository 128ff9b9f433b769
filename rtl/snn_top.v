// The device: host link byte stream in and out, frames checked and built by snn_frame_rx/snn_frame_tx, executed by snn_cmd on snn_array or snn_engine (docs/rtl.md).
`default_nettype none

module snn_top #(
	// geometry (docs/geometry.md)
	parameter N_CORES = 4,
	parameter NEURONS = 256,
	parameter AXONS = 256,
	parameter SYN_WORDS = 4096,
	parameter WEIGHT_BITS = 8,
	parameter MEMBRANE_BITS = 16,
	parameter BIAS_BITS = 12,
	parameter ROUTES = 4,
	parameter INPUT_ROUTES = 4,
	parameter MAX_PHASES = 4,
	// IDENTIFY's build id
	parameter [31:0] BUILD_ID = 32'd0,
	// the command layer's RESET checks (snn_cmd): 1 the RTL device's, 0 the
	// lean layer of a board build (device kind 3), with 32-bit link counters
	parameter CHECK_CONFIG = 1,
	// largest input tensor the command layer's bitmap covers (snn_cmd)
	parameter INPUT_MAX = 4096,
	// shared budgets (docs/geometry.md fields 10 .. 15): all 0, snn_array;
	// SYN_TOTAL set, the time-multiplexed snn_engine
	parameter NEURON_TOTAL = 0,
	parameter SYN_TOTAL = 0,
	parameter ROUTE_TOTAL = 0,
	parameter LANES = 0,
	parameter STATE_WORDS = 0,
	parameter ACC_BITS = 0,
	/* verilator lint_off UNUSEDPARAM */	// the engine's alone
	parameter POOL_SPRAM = 0,	// the engine's pool in the UP5K's SPRAM
	parameter POOL_SDRAM_LINES = 0,	// ... its last lines in SDRAM, on the o_sd_* port (snn_engine)
	parameter WATCHDOG_BITS = 26,	// its step watchdog (snn_engine)
	parameter DECONV = 0,	// its deconv mode (snn_engine)
	parameter STRIDE_ANY = 1,	// its strides above 1 (snn_engine)
	parameter POOL_ANY = 1,	// its pools other than 1 and 2 (snn_engine)
	parameter CHAN_BIAS = 0	// its channel biases (snn_engine, and snn_cmd's addresses)
	/* verilator lint_on UNUSEDPARAM */
) (

	input wire i_clk,
	input wire i_rst,
	// bytes from the host
	input wire i_valid,
	output wire o_ready,
	input wire [7:0] i_data,
	// bytes to the host
	output wire o_valid,
	input wire i_ready,
	output wire [7:0] o_data,
	// no request in progress and every reply byte sent
	output wire o_idle,
	// one-cycle pulse: a frame was refused (bad CRC or length), for an LED
	output wire o_error,
	// the array's spike monitor, passed out for co-simulation (no handshake)
	output wire [N_CORES-1:0] o_spk_valid,
	output wire [16*N_CORES-1:0] o_spk_neuron,
	// the array's activity monitors (docs/rtl.md, "snn_array"), for benchmarks
	output wire [N_CORES-1:0] o_mon_synop,
	output wire [N_CORES-1:0] o_mon_stall,
	// the engine's pool lines in SDRAM (POOL_SDRAM_LINES; snn_engine's
	// port, for snn_sdram): outputs low and inputs unused without them
	output wire o_sd_cmd_valid,
	input wire i_sd_cmd_ready,
	output wire o_sd_cmd_write,
	output wire [SDA-1:0] o_sd_cmd_addr,
	output wire [3:0] o_sd_cmd_len,
	output wire o_sd_wr_valid,
	input wire i_sd_wr_ready,
	output wire [63:0] o_sd_wr_data,
	output wire [7:0] o_sd_wr_be,
	input wire i_sd_rd_valid,
	output wire o_sd_rd_ready,
	input wire [63:0] i_sd_rd_data
);

	// a pool line's address: the engine's (clog2 of SYN_TOTAL / 8 lines)
	localparam SDA = SYN_TOTAL >= 16 ? $clog2(SYN_TOTAL / 8) : 1;

	localparam [1:0] STATUS_GOOD = 2'd1;	// snn_frame_rx's report status of a good frame

	// receiver -> command layer
	wire rx_frame_valid, rx_frame_ready;
	wire [1:0] rx_frame_status;
	wire [7:0] rx_frame_op, rx_frame_seq;
	wire [15:0] rx_frame_len;
	wire rx_pay_valid, rx_pay_ready, rx_pay_last;
	wire [7:0] rx_pay_data;
	// the receiver's buffer, lent to the command layer
	wire rx_release, buf_we, buf_re;
	wire [7:0] buf_waddr, buf_raddr;
	wire [31:0] buf_wdata, buf_rdata;

	// command layer -> transmitter
	wire tx_hdr_valid, tx_hdr_ready;
	wire [7:0] tx_hdr_op, tx_hdr_seq;
	wire [15:0] tx_hdr_len;
	wire tx_pay_valid, tx_pay_ready;
	wire [7:0] tx_pay_data;

	// command layer <-> array
	wire mem_valid, mem_ready, mem_write, mem_done;
	wire [2:0] mem_region;
	wire [15:0] mem_core;
	wire [31:0] mem_index, mem_wdata, mem_rdata;
	wire [1:0] mem_status;
	wire cmd_valid, cmd_ready, cmd_done, cmd_abort;
	wire [1:0] cmd;
	wire [31:0] step;
	wire in_valid, in_ready;
	wire [23:0] in_index;
	wire out_valid, out_ready;
	wire [15:0] out_core, out_neuron;
	wire cnt_rd, cnt_done;
	wire [2:0] cnt_sel;
	wire cnt_high;
	wire [31:0] cnt_value;
	wire cnt_clear;
	wire cmd_idle;

	snn_frame_rx u_rx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_valid(i_valid),
		.o_ready(o_ready),
		.i_data(i_data),
		.o_frame_valid(rx_frame_valid),
		.i_frame_ready(rx_frame_ready),
		.o_frame_status(rx_frame_status),
		.o_frame_op(rx_frame_op),
		.o_frame_seq(rx_frame_seq),
		.o_frame_len(rx_frame_len),
		.o_pay_valid(rx_pay_valid),
		.i_pay_ready(rx_pay_ready),
		.o_pay_data(rx_pay_data),
		.o_pay_last(rx_pay_last),
		.i_release(rx_release),
		.i_buf_we(buf_we),
		.i_buf_waddr(buf_waddr),
		.i_buf_wdata(buf_wdata),
		.i_buf_re(buf_re),
		.i_buf_raddr(buf_raddr),
		.o_buf_rdata(buf_rdata)
	);

	snn_cmd #(
		.N_CORES(N_CORES),
		.NEURONS(NEURONS),
		.AXONS(AXONS),
		.SYN_WORDS(SYN_WORDS),
		.WEIGHT_BITS(WEIGHT_BITS),
		.MEMBRANE_BITS(MEMBRANE_BITS),
		.BIAS_BITS(BIAS_BITS),
		.ROUTES(ROUTES),
		.INPUT_ROUTES(INPUT_ROUTES),
		.MAX_PHASES(MAX_PHASES),
		.NEURON_TOTAL(NEURON_TOTAL),
		.SYN_TOTAL(SYN_TOTAL),
		.ROUTE_TOTAL(ROUTE_TOTAL),
		.LANES(LANES),
		.STATE_WORDS(STATE_WORDS),
		.ACC_BITS(ACC_BITS),
		.BUILD_ID(BUILD_ID),
		.CHECK_CONFIG(CHECK_CONFIG),
		.LINK_COUNTER_BITS(CHECK_CONFIG != 0 ? 64 : 32),
		.INPUT_MAX(INPUT_MAX),
		.CHAN_BIAS(CHAN_BIAS)
	) u_cmd (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_rx_frame_valid(rx_frame_valid),
		.o_rx_frame_ready(rx_frame_ready),
		.i_rx_frame_status(rx_frame_status),
		.i_rx_frame_op(rx_frame_op),
		.i_rx_frame_seq(rx_frame_seq),
		.i_rx_frame_len(rx_frame_len),
		.i_rx_pay_valid(rx_pay_valid),
		.o_rx_pay_ready(rx_pay_ready),
		.i_rx_pay_data(rx_pay_data),
		.i_rx_pay_last(rx_pay_last),
		.o_rx_release(rx_release),
		.o_buf_we(buf_we),
		.o_buf_waddr(buf_waddr),
		.o_buf_wdata(buf_wdata),
		.o_buf_re(buf_re),
		.o_buf_raddr(buf_raddr),
		.i_buf_rdata(buf_rdata),
		.o_tx_hdr_valid(tx_hdr_valid),
		.i_tx_hdr_ready(tx_hdr_ready),
		.o_tx_hdr_op(tx_hdr_op),
		.o_tx_hdr_seq(tx_hdr_seq),
		.o_tx_hdr_len(tx_hdr_len),
		.o_tx_pay_valid(tx_pay_valid),
		.i_tx_pay_ready(tx_pay_ready),
		.o_tx_pay_data(tx_pay_data),
		.o_mem_valid(mem_valid),
		.i_mem_ready(mem_ready),
		.o_mem_write(mem_write),
		.o_mem_region(mem_region),
		.o_mem_core(mem_core),
		.o_mem_index(mem_index),
		.o_mem_wdata(mem_wdata),
		.i_mem_done(mem_done),
		.i_mem_status(mem_status),
		.i_mem_rdata(mem_rdata),
		.o_cmd_valid(cmd_valid),
		.i_cmd_ready(cmd_ready),
		.o_cmd(cmd),
		.i_cmd_done(cmd_done),
		.i_cmd_abort(cmd_abort),
		.i_step(step),
		.o_in_valid(in_valid),
		.i_in_ready(in_ready),
		.o_in_index(in_index),
		.i_out_valid(out_valid),
		.o_out_ready(out_ready),
		.i_out_core(out_core),
		.i_out_neuron(out_neuron),
		.o_cnt_rd(cnt_rd),
		.o_cnt_sel(cnt_sel),
		.o_cnt_high(cnt_high),
		.i_cnt_done(cnt_done),
		.i_cnt_value(cnt_value),
		.o_cnt_clear(cnt_clear),
		.o_idle(cmd_idle)
	);

	snn_frame_tx u_tx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_hdr_valid(tx_hdr_valid),
		.o_hdr_ready(tx_hdr_ready),
		.i_hdr_op(tx_hdr_op),
		.i_hdr_seq(tx_hdr_seq),
		.i_hdr_len(tx_hdr_len),
		.i_pay_valid(tx_pay_valid),
		.o_pay_ready(tx_pay_ready),
		.i_pay_data(tx_pay_data),
		.o_valid(o_valid),
		.i_ready(i_ready),
		.o_data(o_data)
	);

	// The array: one core per core (the co-simulation reference), or, with
	// shared budgets, the time-multiplexed engine (the boards), behind the
	// same ports.
	generate
		if (SYN_TOTAL == 0) begin : g_array
			wire [63:0] cnt_steps, cnt_cycles, cnt_synops, cnt_spikes, cnt_events_in,
				    cnt_events_out;
			snn_array #(
				.N_CORES(N_CORES),
				.NEURONS(NEURONS),
				.AXONS(AXONS),
				.SYN_WORDS(SYN_WORDS),
				.WEIGHT_BITS(WEIGHT_BITS),
				.MEMBRANE_BITS(MEMBRANE_BITS),
				.BIAS_BITS(BIAS_BITS),
				.ROUTES(ROUTES),
				.INPUT_ROUTES(INPUT_ROUTES),
				.MAX_PHASES(MAX_PHASES)
			) u_array (
				.i_clk(i_clk),
				.i_rst(i_rst),
				.i_mem_valid(mem_valid),
				.o_mem_ready(mem_ready),
				.i_mem_write(mem_write),
				.i_mem_region(mem_region),
				.i_mem_core(mem_core),
				.i_mem_index(mem_index),
				.i_mem_wdata(mem_wdata),
				.o_mem_done(mem_done),
				.o_mem_status(mem_status),
				.o_mem_rdata(mem_rdata),
				.i_cmd_valid(cmd_valid),
				.o_cmd_ready(cmd_ready),
				.i_cmd(cmd),
				.o_cmd_done(cmd_done),
				.o_step(step),
				.i_in_valid(in_valid),
				.o_in_ready(in_ready),
				.i_in_index(in_index),
				.o_out_valid(out_valid),
				.i_out_ready(out_ready),
				.o_out_core(out_core),
				.o_out_neuron(out_neuron),
				.o_spk_valid(o_spk_valid),
				.o_spk_neuron(o_spk_neuron),
				.o_mon_synop(o_mon_synop),
				.o_mon_stall(o_mon_stall),
				.o_cnt_steps(cnt_steps),
				.o_cnt_cycles(cnt_cycles),
				.o_cnt_synops(cnt_synops),
				.o_cnt_spikes(cnt_spikes),
				.o_cnt_events_in(cnt_events_in),
				.o_cnt_events_out(cnt_events_out),
				.i_cnt_clear(cnt_clear)
			);

			// the array's six counters as the engine's read port
			reg rd_done;
			reg [63:0] rd_counter;
			reg [31:0] rd_value;
			always @* begin
				case (cnt_sel)
				3'd0: rd_counter = cnt_steps;
				3'd1: rd_counter = cnt_cycles;
				3'd2: rd_counter = cnt_synops;
				3'd3: rd_counter = cnt_spikes;
				3'd4: rd_counter = cnt_events_in;
				default: rd_counter = cnt_events_out;
				endcase
			end
			always @(posedge i_clk)
				if (i_rst) begin
					rd_done <= 1'b0;
					rd_value <= 32'd0;
				end else begin
					rd_done <= cnt_rd && !rd_done;
					rd_value <= cnt_high ? rd_counter[63:32] : rd_counter[31:0];
				end
			assign cnt_done = rd_done;
			assign cnt_value = rd_value;
			assign cmd_abort = 1'b0;	// no watchdog: RESET's checks keep steps short
			// no pool, no SDRAM
			/* verilator lint_off UNUSEDSIGNAL */
			wire unused_sd = i_sd_cmd_ready ^ i_sd_wr_ready ^ i_sd_rd_valid ^ ^i_sd_rd_data;
			/* verilator lint_on UNUSEDSIGNAL */
			assign o_sd_cmd_valid = 1'b0;
			assign o_sd_cmd_write = 1'b0;
			assign o_sd_cmd_addr = {SDA{1'b0}};
			assign o_sd_cmd_len = 4'd0;
			assign o_sd_wr_valid = 1'b0;
			assign o_sd_wr_data = 64'd0;
			assign o_sd_wr_be = 8'd0;
			assign o_sd_rd_ready = 1'b0;
		end else begin : g_engine
			snn_engine #(
				.N_CORES(N_CORES),
				.NEURONS(NEURONS),
				.AXONS(AXONS),
				.SYN_WORDS(SYN_WORDS),
				.WEIGHT_BITS(WEIGHT_BITS),
				.MEMBRANE_BITS(MEMBRANE_BITS),
				.BIAS_BITS(BIAS_BITS),
				.ROUTES(ROUTES),
				.INPUT_ROUTES(INPUT_ROUTES),
				.MAX_PHASES(MAX_PHASES),
				.NEURON_TOTAL(NEURON_TOTAL),
				.SYN_TOTAL(SYN_TOTAL),
				.ROUTE_TOTAL(ROUTE_TOTAL),
				.ACC_BITS(ACC_BITS),
				.INPUT_MAX(INPUT_MAX),
				.POOL_SPRAM(POOL_SPRAM),
				.POOL_SDRAM_LINES(POOL_SDRAM_LINES),
				.WATCHDOG_BITS(WATCHDOG_BITS),
				.DECONV(DECONV),
				.STRIDE_ANY(STRIDE_ANY),
				.POOL_ANY(POOL_ANY),
				.CHAN_BIAS(CHAN_BIAS)
			) u_engine (
				.i_clk(i_clk),
				.i_rst(i_rst),
				.i_mem_valid(mem_valid),
				.o_mem_ready(mem_ready),
				.i_mem_write(mem_write),
				.i_mem_region(mem_region),
				.i_mem_core(mem_core),
				.i_mem_index(mem_index),
				.i_mem_wdata(mem_wdata),
				.o_mem_done(mem_done),
				.o_mem_status(mem_status),
				.o_mem_rdata(mem_rdata),
				.i_cmd_valid(cmd_valid),
				.o_cmd_ready(cmd_ready),
				.i_cmd(cmd),
				.o_cmd_done(cmd_done),
				.o_cmd_abort(cmd_abort),
				.o_step(step),
				.i_in_valid(in_valid),
				.o_in_ready(in_ready),
				.i_in_index(in_index),
				.o_out_valid(out_valid),
				.i_out_ready(out_ready),
				.o_out_core(out_core),
				.o_out_neuron(out_neuron),
				.o_spk_valid(o_spk_valid),
				.o_spk_neuron(o_spk_neuron),
				.o_mon_synop(o_mon_synop),
				.o_mon_stall(o_mon_stall),
				.i_cnt_clear(cnt_clear),
				.i_cnt_rd(cnt_rd),
				.i_cnt_sel(cnt_sel),
				.i_cnt_high(cnt_high),
				.o_cnt_done(cnt_done),
				.o_cnt_value(cnt_value),
				.o_sd_cmd_valid(o_sd_cmd_valid),
				.i_sd_cmd_ready(i_sd_cmd_ready),
				.o_sd_cmd_write(o_sd_cmd_write),
				.o_sd_cmd_addr(o_sd_cmd_addr),
				.o_sd_cmd_len(o_sd_cmd_len),
				.o_sd_wr_valid(o_sd_wr_valid),
				.i_sd_wr_ready(i_sd_wr_ready),
				.o_sd_wr_data(o_sd_wr_data),
				.o_sd_wr_be(o_sd_wr_be),
				.i_sd_rd_valid(i_sd_rd_valid),
				.o_sd_rd_ready(o_sd_rd_ready),
				.i_sd_rd_data(i_sd_rd_data),
				.i_cpu_en(1'b0),	// no control processor in the pool (POOL_CPU_LINES 0)
				.i_cpu_we(1'b0),
				.i_cpu_be(8'd0),
				.i_cpu_line(16'd0),
				.i_cpu_wdata(64'd0),
				/* verilator lint_off PINCONNECTEMPTY */
				.o_cpu_rdata()
				/* verilator lint_on PINCONNECTEMPTY */
			);
		end
	endgenerate

	// The transmitter is idle when it can take a header and holds no byte.
	assign o_idle = cmd_idle && tx_hdr_ready && !o_valid;
	assign o_error = rx_frame_valid && rx_frame_ready && rx_frame_status != STATUS_GOOD;

endmodule

`default_nettype wire
