// The ULX3S engine device: host link byte stream in and out, frames checked and built by snn_frame_rx/snn_frame_tx, executed by snn_cmd on the time-multiplexed engine snn_engine.
//
// rtl/snn_top.v's wiring with snn_engine (which has snn_array's ports) in
// place of snn_array, kept here until the lean command layer of issue 10
// replaces snn_cmd. snn_cmd is given the per-core geometry; its IDENTIFY
// still reports the shared budgets as 0 (the per-core array's), so a host
// must not rely on IDENTIFY for this device yet. The board builds it to
// measure fit and Fmax on the LFE5U-85F (docs/boards.md, "ULX3S").
`default_nettype none

module snn_ulx3s_engine_dev #(
	// geometry (docs/geometry.md), as snn_engine has it
	parameter N_CORES = 32,
	parameter NEURONS = 16384,
	parameter AXONS = 4096,
	parameter SYN_WORDS = 327680,
	parameter WEIGHT_BITS = 8,
	parameter MEMBRANE_BITS = 20,
	parameter BIAS_BITS = 16,
	parameter ROUTES = 16,
	parameter INPUT_ROUTES = 16,
	parameter MAX_PHASES = 32,
	parameter NEURON_TOTAL = 65536,
	parameter SYN_TOTAL = 327680,
	parameter ROUTE_TOTAL = 256,
	parameter ACC_BITS = 24,
	// IDENTIFY's build id
	parameter [31:0] BUILD_ID = 32'd0,
	// largest input tensor the command layer and the engine take
	parameter INPUT_MAX = 4096
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
	// a request is in progress or reply bytes are still to be sent
	output wire o_busy,
	// one-cycle pulse: a frame was refused (bad CRC or length)
	output wire o_error
);

	localparam [1:0] STATUS_GOOD = 2'd1;	// snn_frame_rx's report status of a good frame

	// receiver -> command layer
	wire rx_frame_valid, rx_frame_ready;
	wire [1:0] rx_frame_status;
	wire [7:0] rx_frame_op, rx_frame_seq;
	wire [15:0] rx_frame_len;
	wire rx_pay_valid, rx_pay_ready, rx_pay_last;
	wire [7:0] rx_pay_data;

	// command layer -> transmitter
	wire tx_hdr_valid, tx_hdr_ready;
	wire [7:0] tx_hdr_op, tx_hdr_seq;
	wire [15:0] tx_hdr_len;
	wire tx_pay_valid, tx_pay_ready;
	wire [7:0] tx_pay_data;

	// command layer <-> engine
	wire mem_valid, mem_ready, mem_write, mem_done;
	wire [2:0] mem_region;
	wire [15:0] mem_core;
	wire [31:0] mem_index, mem_wdata, mem_rdata;
	wire [1:0] mem_status;
	wire cmd_valid, cmd_ready, cmd_done;
	wire [1:0] cmd;
	wire [31:0] step;
	wire in_valid, in_ready;
	wire [23:0] in_index;
	wire out_valid, out_ready;
	wire [15:0] out_core, out_neuron;
	wire [63:0] cnt_steps, cnt_cycles, cnt_synops, cnt_spikes, cnt_events_in, cnt_events_out;
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
		.o_pay_last(rx_pay_last)
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
		.BUILD_ID(BUILD_ID),
		.INPUT_MAX(INPUT_MAX)
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
		.i_step(step),
		.o_in_valid(in_valid),
		.i_in_ready(in_ready),
		.o_in_index(in_index),
		.i_out_valid(out_valid),
		.o_out_ready(out_ready),
		.i_out_core(out_core),
		.i_out_neuron(out_neuron),
		.i_cnt_steps(cnt_steps),
		.i_cnt_cycles(cnt_cycles),
		.i_cnt_synops(cnt_synops),
		.i_cnt_spikes(cnt_spikes),
		.i_cnt_events_in(cnt_events_in),
		.i_cnt_events_out(cnt_events_out),
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
		.INPUT_MAX(INPUT_MAX)
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
		.o_step(step),
		.i_in_valid(in_valid),
		.o_in_ready(in_ready),
		.i_in_index(in_index),
		.o_out_valid(out_valid),
		.i_out_ready(out_ready),
		.o_out_core(out_core),
		.o_out_neuron(out_neuron),
		.o_spk_valid(),
		.o_spk_neuron(),
		.o_mon_synop(),
		.o_mon_stall(),
		.i_cnt_clear(cnt_clear),
		.i_cnt_rd(1'b1),
		.i_cnt_sel(cnt_sel),
		.o_cnt_done(cnt_done),
		.o_cnt_value(cnt_value)
	);

	// snn_cmd wants the six counters side by side; the engine has a read
	// port. Read them round and round into copies (a stopgap until the
	// command layer reads the port itself).
	reg [2:0] cnt_sel;
	wire cnt_done;
	wire [63:0] cnt_value;
	reg [63:0] cnt_copy [0:5];
	always @(posedge i_clk)
		if (i_rst) begin
			cnt_sel <= 3'd0;
		end else if (cnt_done) begin
			cnt_copy[cnt_sel] <= cnt_value;
			cnt_sel <= cnt_sel == 3'd5 ? 3'd0 : cnt_sel + 3'd1;
		end
	assign cnt_steps = cnt_copy[0];
	assign cnt_cycles = cnt_copy[1];
	assign cnt_synops = cnt_copy[2];
	assign cnt_spikes = cnt_copy[3];
	assign cnt_events_in = cnt_copy[4];
	assign cnt_events_out = cnt_copy[5];

	// Busy until the command layer is idle and the transmitter holds no
	// byte; a refused frame is a report with a status other than good.
	assign o_busy = !(cmd_idle && tx_hdr_ready && !o_valid);
	assign o_error = rx_frame_valid && rx_frame_ready && rx_frame_status != STATUS_GOOD;

endmodule

`default_nettype wire
