// Test top for rtl-fit-sdram (rtl/mk/sdram.mk): snn_sdram on the ULX3S's SDRAM pins, its user side fed by a shift register.
//
// Every input of the controller's three streams comes from one shift
// register clocked in from a pin (the FT231X's TXD), every output is
// folded into it and shifted out on another (RXD), so nothing can be
// optimised away and the top costs its NI flip-flops. The SDRAM pins are
// the board's (boards/ulx3s/ulx3s.lpf). The SDRAM's clock is the design
// clock inverted, from an output DDR register (ODDRX1F: low in the first
// half of the cycle, high in the second), so the part takes each command
// half a cycle after the controller registers it (docs/rtl.md,
// "snn_sdram"). The design clock is the 25 MHz oscillator itself: this top
// is for fit and timing (nextpnr's --freq), not for a bitstream to load.
`default_nettype none

module snn_fit_sdram (
	input wire i_clk_25mhz,
	input wire i_btn_fire1,	// reset
	input wire i_ftdi_txd,	// shift register in
	output wire o_ftdi_rxd,	// shift register out
	output wire o_sdram_clk,
	output wire o_sdram_cke,
	output wire o_sdram_csn,
	output wire o_sdram_rasn,
	output wire o_sdram_casn,
	output wire o_sdram_wen,
	output wire [1:0] o_sdram_ba,
	output wire [12:0] o_sdram_a,
	output wire [1:0] o_sdram_dqm,
	inout wire [15:0] io_sdram_d
);
	localparam AB = 22;	// line address bits: 8,192 rows, 4 banks, 128 lines a row
	localparam LB = 8;
	localparam NI = 1 + 1 + AB + LB + 1 + 64 + 8 + 1;	// every input bit
	wire clk = i_clk_25mhz;
	reg [NI-1:0] sr;
	reg rst;
	wire cmd_ready, wr_ready, rd_valid, init_done, dq_oe;
	wire [63:0] rd_data;
	wire [15:0] dq_out;
	wire [NI-1:0] fold = {{(NI-68){1'b0}}, cmd_ready, wr_ready, rd_valid, init_done, rd_data};
	always @(posedge clk) begin
		sr <= {sr[NI-2:0], i_ftdi_txd} ^ fold;
		rst <= i_btn_fire1;
	end
	assign o_ftdi_rxd = sr[NI-1];

	snn_sdram #(.CLK_KHZ(30000), .CAS(2), .ROW_BITS(13), .COL_BITS(9), .LEN_BITS(LB)) dut (
		.i_clk(clk), .i_rst(rst), .o_init_done(init_done),
		.i_cmd_valid(sr[0]), .o_cmd_ready(cmd_ready), .i_cmd_write(sr[1]), .i_cmd_addr(sr[2 +: AB]),
		.i_cmd_len(sr[2+AB +: LB]),
		.i_wr_valid(sr[2+AB+LB]), .o_wr_ready(wr_ready), .i_wr_data(sr[3+AB+LB +: 64]),
		.i_wr_be(sr[67+AB+LB +: 8]),
		.o_rd_valid(rd_valid), .i_rd_ready(sr[75+AB+LB]), .o_rd_data(rd_data),
		.o_sdram_cke(o_sdram_cke), .o_sdram_cs_n(o_sdram_csn), .o_sdram_ras_n(o_sdram_rasn),
		.o_sdram_cas_n(o_sdram_casn), .o_sdram_we_n(o_sdram_wen), .o_sdram_ba(o_sdram_ba),
		.o_sdram_a(o_sdram_a), .o_sdram_dqm(o_sdram_dqm), .o_sdram_dq(dq_out),
		.o_sdram_dq_oe(dq_oe), .i_sdram_dq(io_sdram_d)
	);

	assign io_sdram_d = dq_oe ? dq_out : 16'bz;

`ifdef SYNTHESIS
	ODDRX1F sdram_clk (.SCLK(clk), .RST(1'b0), .D0(1'b0), .D1(1'b1), .Q(o_sdram_clk));
`else
	assign o_sdram_clk = ~clk;
`endif
endmodule

`default_nettype wire
