// Test top for rtl-fit-engine (rtl/mk/engine.mk): snn_engine at the icebreaker profile fed by a shift register, as on the board.
//
// Every input of the engine comes from one shift register fed by a pin,
// every output a board uses is folded into it, so nothing can be
// optimised away and the top costs its 121 flip-flops. The spike and
// activity monitors, which only co-simulation and benchmarks read, are
// left open, as the board leaves them.
`default_nettype none

module snn_fit_engine (input wire i_clk, input wire i_din, output wire o_dout);
	localparam NI = 121;	// every input bit
	reg [NI-1:0] sr;
	wire mem_ready, mem_done, cmd_ready, cmd_done, cmd_abort, in_ready, out_valid, cnt_done;
	wire [1:0] mem_status;
	wire [31:0] mem_rdata, step;
	wire [15:0] out_core, out_neuron;
	wire [31:0] cnt_value;
	wire [NI-1:0] fold = {{(NI-42){1'b0}}, cmd_abort, mem_ready, mem_done, cmd_ready, cmd_done, in_ready,
			      out_valid, cnt_done, mem_status, mem_rdata ^ step ^ {out_core, out_neuron} ^
			      cnt_value};
	always @(posedge i_clk)
		sr <= {sr[NI-2:0], i_din} ^ fold;
	assign o_dout = sr[NI-1];

	snn_engine #(
		.N_CORES(16), .NEURONS(2048), .AXONS(1024), .SYN_WORDS(115712), .WEIGHT_BITS(8),
		.MEMBRANE_BITS(20), .BIAS_BITS(16), .ROUTES(8), .INPUT_ROUTES(8), .MAX_PHASES(16),
		.NEURON_TOTAL(8192), .SYN_TOTAL(115712), .ROUTE_TOTAL(64), .ACC_BITS(20), .POOL_SPRAM(1),
		.STRIDE_ANY(0), .POOL_ANY(0)	// the profile's conv features, as snn_icebreaker_core
	) dut (
		.i_clk(i_clk), .i_rst(sr[0]),
		.i_mem_valid(sr[1]), .o_mem_ready(mem_ready), .i_mem_write(sr[2]), .i_mem_region(sr[5:3]),
		.i_mem_core(sr[21:6]), .i_mem_index(sr[53:22]), .i_mem_wdata(sr[85:54]),
		.o_mem_done(mem_done), .o_mem_status(mem_status), .o_mem_rdata(mem_rdata),
		.i_cmd_valid(sr[86]), .o_cmd_ready(cmd_ready), .i_cmd(sr[88:87]), .o_cmd_done(cmd_done),
		.o_cmd_abort(cmd_abort), .o_step(step),
		.i_in_valid(sr[89]), .o_in_ready(in_ready), .i_in_index(sr[113:90]),
		.o_out_valid(out_valid), .i_out_ready(sr[114]), .o_out_core(out_core),
		.o_out_neuron(out_neuron),
		/* verilator lint_off PINCONNECTEMPTY */	// open, as on the board
		.o_spk_valid(), .o_spk_neuron(), .o_mon_synop(), .o_mon_stall(),
		/* verilator lint_on PINCONNECTEMPTY */
		.i_cnt_clear(sr[115]), .i_cnt_rd(sr[116]), .i_cnt_sel(sr[119:117]), .i_cnt_high(sr[120]),
		.o_cnt_done(cnt_done), .o_cnt_value(cnt_value),
		/* verilator lint_off PINCONNECTEMPTY */	// no SDRAM on the iCEBreaker (POOL_SDRAM_LINES 0)
		.o_sd_cmd_valid(), .i_sd_cmd_ready(1'b0), .o_sd_cmd_write(), .o_sd_cmd_addr(), .o_sd_cmd_len(),
		.o_sd_wr_valid(), .i_sd_wr_ready(1'b0), .o_sd_wr_data(), .o_sd_wr_be(),
		.i_sd_rd_valid(1'b0), .o_sd_rd_ready(), .i_sd_rd_data(64'd0),
		.i_cpu_en(1'b0), .i_cpu_we(1'b0), .i_cpu_be(8'd0), .i_cpu_line(16'd0), .i_cpu_wdata(64'd0),
		.o_cpu_rdata()
		/* verilator lint_on PINCONNECTEMPTY */);
endmodule

`default_nettype wire
