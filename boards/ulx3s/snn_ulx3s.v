// ULX3S (Lattice ECP5 LFE5U-85F, CABGA381) top: the 25 MHz oscillator through the EHXPLLL to the design clock, the reset, and the pins of the FT231X UART, a button and the LEDs around snn_ulx3s_core.
//
// Pins are in ulx3s.lpf. The PLL settings come from ecppll (Project
// Trellis, yowasp-ecppll), which boards/ulx3s/Makefile runs for the FREQ it
// is given and passes in as parameters; the defaults here are 60 MHz:
//
//   $ yowasp-ecppll -i 25 -o 60
//   Refclk divisor: 5, Feedback divisor: 12, clkout0 divisor: 10,
//   clkout0 frequency: 60 MHz, VCO frequency: 600
//   (its Verilog output: CLKI_DIV 5, CLKFB_DIV 12, CLKOP_DIV 10, CLKOP_CPHASE 4)
//
// F_out = 25 MHz / CLKI_DIV * CLKFB_DIV (the feedback is CLKOP itself), and
// the VCO runs at F_out * CLKOP_DIV (400 .. 800 MHz). The design is held in
// reset until the PLL has locked and for 16 cycles after, and while the
// button FIRE1 is pressed. The SDRAM (the engine's pool beyond its block
// RAM) is clocked with the design clock inverted, from an output DDR
// register, so the part takes each command half a cycle after snn_sdram
// registers it; DQ's tristate is here. docs/boards.md, "ULX3S".
`default_nettype none

module snn_ulx3s #(
	parameter DEVICE = 0,	// 0: the link echo; 1: the engine behind the command layer (snn_ulx3s_core)
	parameter CLKS_PER_BIT = 20,	// design clock cycles per UART bit (20: 3 Mbaud at 60 MHz)
	parameter PLL_CLKI_DIV = 5,
	parameter PLL_CLKFB_DIV = 12,
	parameter PLL_CLKOP_DIV = 10,
	parameter PLL_CLKOP_CPHASE = 4,
	// the engine's geometry (DEVICE = 1), passed to snn_ulx3s_core; the
	// Makefile sets them from its parameter set (ENGINE_SET)
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
	parameter NEURON_TOTAL = 262144,
	parameter SYN_TOTAL = 2097152,
	parameter ROUTE_TOTAL = 256,
	parameter ACC_BITS = 24
) (
	input wire i_clk_25mhz,	// clk_25mhz, G2: the 25 MHz oscillator
	input wire i_btn_fire1,	// btn[1] FIRE1, R1: high when pressed (pulled down): resets the design
	input wire i_ftdi_txd,	// ftdi_txd, M1: the FT231X's TXD, host to FPGA
	output wire o_ftdi_rxd,	// ftdi_rxd, L4: the FT231X's RXD, FPGA to host
	output wire [7:0] o_led,	// led[7:0]: high on
	// the SDRAM (ulx3s.lpf): sdram_clk, sdram_cke, ... sdram_d[15:0]
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

	// the design clock in kHz, for the SDRAM's timing
	localparam CLK_KHZ = 25000 * PLL_CLKFB_DIV / PLL_CLKI_DIV;

	wire clk, pll_lock;

	// Feedback from CLKOP itself, as ecppll writes it; the attributes are
	// ecppll's charge pump and loop filter settings (the same for every
	// frequency it computes).
	(* ICP_CURRENT = "12" *) (* LPF_RESISTOR = "8" *) (* MFG_ENABLE_FILTEROPAMP = "1" *)
	(* MFG_GMCREF_SEL = "2" *)
	EHXPLLL #(
		.PLLRST_ENA("DISABLED"),
		.INTFB_WAKE("DISABLED"),
		.STDBY_ENABLE("DISABLED"),
		.DPHASE_SOURCE("DISABLED"),
		.OUTDIVIDER_MUXA("DIVA"),
		.OUTDIVIDER_MUXB("DIVB"),
		.OUTDIVIDER_MUXC("DIVC"),
		.OUTDIVIDER_MUXD("DIVD"),
		.CLKI_DIV(PLL_CLKI_DIV),
		.CLKOP_ENABLE("ENABLED"),
		.CLKOP_DIV(PLL_CLKOP_DIV),
		.CLKOP_CPHASE(PLL_CLKOP_CPHASE),
		.CLKOP_FPHASE(0),
		.FEEDBK_PATH("CLKOP"),
		.CLKFB_DIV(PLL_CLKFB_DIV)
	) u_pll (
		.RST(1'b0),
		.STDBY(1'b0),
		.CLKI(i_clk_25mhz),
		.CLKOP(clk),
		.CLKFB(clk),
		.CLKINTFB(),
		.CLKOS(),
		.CLKOS2(),
		.CLKOS3(),
		.PHASESEL0(1'b0),
		.PHASESEL1(1'b0),
		.PHASEDIR(1'b1),
		.PHASESTEP(1'b1),
		.PHASELOADREG(1'b1),
		.PLLWAKESYNC(1'b0),
		.ENCLKOP(1'b0),
		.ENCLKOS(1'b0),
		.ENCLKOS2(1'b0),
		.ENCLKOS3(1'b0),
		.LOCK(pll_lock),
		.INTLOCK(),
		.REFCLK()
	);

	// Reset: the lock flag and the button are asynchronous to clk, so each
	// goes through two flops; the reset is released 16 cycles after both
	// are good. Flip-flops start at 0 after configuration, so rst_n = 0:
	// the design starts in reset.
	reg [1:0] lock_sync = 2'b00;
	reg [1:0] btn_sync = 2'b00;
	reg [4:0] rst_count = 5'd0;
	reg rst_n = 1'b0;

	always @(posedge clk) begin
		lock_sync <= {lock_sync[0], pll_lock};
		btn_sync <= {btn_sync[0], i_btn_fire1};
		if (!lock_sync[1] || btn_sync[1]) begin
			rst_count <= 5'd0;
			rst_n <= 1'b0;
		end else if (!rst_count[4]) begin
			rst_count <= rst_count + 1'b1;
		end else begin
			rst_n <= 1'b1;
		end
	end

	wire led_link, led_run, led_error;

	snn_ulx3s_core #(
		.DEVICE(DEVICE),
		.CLKS_PER_BIT(CLKS_PER_BIT),
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
		.CLK_KHZ(CLK_KHZ)
	) u_core (
		.i_clk(clk),
		.i_rst(!rst_n),
		.i_rxd(i_ftdi_txd),
		.o_txd(o_ftdi_rxd),
		.o_led_link(led_link),
		.o_led_run(led_run),
		.o_led_error(led_error),
		.o_overrun(),
		.o_busy(),
		.o_mon_rx_valid(),
		.o_mon_tx_valid(),
		.o_sdram_cke(o_sdram_cke),
		.o_sdram_cs_n(o_sdram_csn),
		.o_sdram_ras_n(o_sdram_rasn),
		.o_sdram_cas_n(o_sdram_casn),
		.o_sdram_we_n(o_sdram_wen),
		.o_sdram_ba(o_sdram_ba),
		.o_sdram_a(o_sdram_a),
		.o_sdram_dqm(o_sdram_dqm),
		.o_sdram_dq(sdram_dq_out),
		.o_sdram_dq_oe(sdram_dq_oe),
		.i_sdram_dq(io_sdram_d)
	);

	wire [15:0] sdram_dq_out;
	wire sdram_dq_oe;
	assign io_sdram_d = sdram_dq_oe ? sdram_dq_out : 16'bz;
	// the SDRAM's clock: low in the first half of the design's cycle, high
	// in the second (Verilator, which has no ECP5 primitives, lints the
	// inverter instead)
`ifdef SYNTHESIS
	ODDRX1F u_sdram_clk (.SCLK(clk), .RST(1'b0), .D0(1'b0), .D1(1'b1), .Q(o_sdram_clk));
`else
	assign o_sdram_clk = ~clk;
`endif

	// led[0] link (a byte moved), led[1] run (a request is being
	// executed), led[2] error, led[7] out of reset; the others off.
	assign o_led = {rst_n, 4'b0000, led_error, led_run, led_link};

endmodule

`default_nettype wire
