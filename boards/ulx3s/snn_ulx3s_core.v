// The ULX3S design below the PLL: the UART host link, the device (the link echo, or the engine behind the command layer), and three LEDs.
//
// Everything here runs on the one design clock; the board top
// (snn_ulx3s.v) makes that clock and the reset and drives the pins. The
// device sits between the link's two byte streams (docs/rtl.md's
// valid/ready rule):
//   DEVICE = 0: snn_link_echo, the link-only device of the iCEBreaker;
//   DEVICE = 1: snn_top with shared budgets, the frame codec and snn_cmd
//               in front of the time-multiplexed engine (snn_engine) with
//               the geometry passed in; the engine's pool is BRAM_POOL
//               bytes of block RAM and, beyond them up to SYN_TOTAL, the
//               SDRAM's lines through snn_sdram (docs/rtl.md, "The pool in
//               SDRAM").
// docs/boards.md, "ULX3S".
`default_nettype none

module snn_ulx3s_core #(
	parameter DEVICE = 0,
	parameter CLKS_PER_BIT = 20,	// design clock cycles per UART bit
	parameter RX_FIFO_DEPTH = 2048,	// bytes the link holds while the device pauses (snn_uart_link)
	parameter LED_BITS = 22,	// an LED stays on 2^LED_BITS cycles after its event (70 ms at 60 MHz)
	// the engine's geometry (DEVICE = 1; docs/geometry.md, snn_engine)
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
	// the engine's lanes and state words (fixed at 8 and 8 in snn_engine;
	// IDENTIFY reports them, and a host refuses a device whose differ)
	parameter LANES = 8,
	parameter STATE_WORDS = 8,
	parameter ACC_BITS = 24,
	parameter INPUT_MAX = 4096,
	// the pool's bytes in block RAM (160 DP16KD); SYN_TOTAL's others are
	// SDRAM lines, at most 4 M (the 32 MB part)
	parameter BRAM_POOL = 327680,
	/* verilator lint_off UNUSEDPARAM */	// without a pool in SDRAM
	parameter CLK_KHZ = 30000	// the design clock, for the SDRAM's timing (snn_sdram)
	/* verilator lint_on UNUSEDPARAM */
) (
	input wire i_clk,
	input wire i_rst,
	// UART lines (the FT231X)
	input wire i_rxd,
	output wire o_txd,
	// LEDs, active high
	output wire o_led_link,	// a byte moved either way, stretched
	output wire o_led_run,	// the device is executing a request, stretched
	output wire o_led_error,	// a framing error, an overrun or a refused frame, stretched
	// for a simulated host (sim/rtl_device.cpp); the board leaves them open
	output wire o_overrun,	// a received byte found the receive queue full
	output wire o_busy,	// the device is executing a request
	output wire o_mon_rx_valid,	// a byte waits for the device
	output wire o_mon_tx_valid,	// a byte waits for the UART
	// the SDRAM's pins, as snn_sdram registers them (the board top drives
	// DQ's tristate and clocks the part with the inverted design clock);
	// idle, CKE low and DQ let go, without a pool in SDRAM
	output wire o_sdram_cke,
	output wire o_sdram_cs_n,
	output wire o_sdram_ras_n,
	output wire o_sdram_cas_n,
	output wire o_sdram_we_n,
	output wire [1:0] o_sdram_ba,
	output wire [12:0] o_sdram_a,
	output wire [1:0] o_sdram_dqm,
	output wire [15:0] o_sdram_dq,
	output wire o_sdram_dq_oe,
	input wire [15:0] i_sdram_dq
);

	// the engine's pool lines in SDRAM, and a line's address (snn_top's)
	localparam SD_LINES = DEVICE != 0 && SYN_TOTAL > BRAM_POOL ? (SYN_TOTAL - BRAM_POOL) / 8 : 0;
	localparam SDA = SYN_TOTAL >= 16 ? $clog2(SYN_TOTAL / 8) : 1;
	localparam SD_AB = 22;	// snn_sdram's line address: 8,192 rows, 4 banks, 128 lines a row

	wire rx_valid, rx_ready, tx_valid, tx_ready;
	wire [7:0] rx_data, tx_data;
	wire frame_err, overrun, bad_frame, busy;
	assign o_overrun = overrun;
	assign o_busy = busy;
	assign o_mon_rx_valid = rx_valid;
	assign o_mon_tx_valid = tx_valid;

	snn_uart_link #(
		.CLKS_PER_BIT(CLKS_PER_BIT),
		.RX_FIFO_DEPTH(RX_FIFO_DEPTH)
	) u_link (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_rxd(i_rxd),
		.o_txd(o_txd),
		.o_rx_valid(rx_valid),
		.i_rx_ready(rx_ready),
		.o_rx_data(rx_data),
		.i_tx_valid(tx_valid),
		.o_tx_ready(tx_ready),
		.i_tx_data(tx_data),
		.o_frame_err(frame_err),
		.o_overrun(overrun)
	);

	// the engine's pool lines in SDRAM (below)
	wire sd_cmd_valid, sd_cmd_ready, sd_cmd_write, sd_wr_valid, sd_wr_ready, sd_rd_valid, sd_rd_ready;
	wire [SDA-1:0] sd_cmd_addr;
	wire [3:0] sd_cmd_len;
	wire [63:0] sd_wr_data, sd_rd_data;
	wire [7:0] sd_wr_be;

	generate
		if (DEVICE == 0) begin : g_echo
			snn_link_echo u_dev (
				.i_clk(i_clk),
				.i_rst(i_rst),
				.i_rx_valid(rx_valid),
				.o_rx_ready(rx_ready),
				.i_rx_data(rx_data),
				.o_tx_valid(tx_valid),
				.i_tx_ready(tx_ready),
				.o_tx_data(tx_data),
				.o_busy(busy),
				.o_error(bad_frame)
			);
			/* verilator lint_off UNUSEDSIGNAL */	// no engine
			wire unused_sd = sd_cmd_ready ^ sd_wr_ready ^ sd_rd_valid ^ ^sd_rd_data;
			/* verilator lint_on UNUSEDSIGNAL */
			assign {sd_cmd_valid, sd_cmd_write, sd_wr_valid, sd_rd_ready} = 4'd0;
			assign sd_cmd_addr = {SDA{1'b0}};
			assign sd_cmd_len = 4'd0;
			assign sd_wr_data = 64'd0;
			assign sd_wr_be = 8'd0;
		end else begin : g_engine
			wire idle;
			snn_top #(
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
				.INPUT_MAX(INPUT_MAX),
				.DECONV(1),	// the profile's every core mode (lib/geometry.c)
				.CHAN_BIAS(1),	// ... and channel biases (docs/geometry.md)
				.CHECK_CONFIG(0),	// the lean command layer: the host validates
				.POOL_SDRAM_LINES(SD_LINES)
			) u_dev (
				.i_clk(i_clk),
				.i_rst(i_rst),
				.i_valid(rx_valid),
				.o_ready(rx_ready),
				.i_data(rx_data),
				.o_valid(tx_valid),
				.i_ready(tx_ready),
				.o_data(tx_data),
				.o_idle(idle),
				.o_error(bad_frame),
				.o_spk_valid(),
				.o_spk_neuron(),
				.o_mon_synop(),
				.o_mon_stall(),
				.o_sd_cmd_valid(sd_cmd_valid),
				.i_sd_cmd_ready(sd_cmd_ready),
				.o_sd_cmd_write(sd_cmd_write),
				.o_sd_cmd_addr(sd_cmd_addr),
				.o_sd_cmd_len(sd_cmd_len),
				.o_sd_wr_valid(sd_wr_valid),
				.i_sd_wr_ready(sd_wr_ready),
				.o_sd_wr_data(sd_wr_data),
				.o_sd_wr_be(sd_wr_be),
				.i_sd_rd_valid(sd_rd_valid),
				.o_sd_rd_ready(sd_rd_ready),
				.i_sd_rd_data(sd_rd_data)
			);
			assign busy = !idle;
		end
	endgenerate

	// The engine's SDRAM lines (below): its line port on snn_sdram's
	// streams, the pool's line a at the part's line a.
	generate
		if (SD_LINES != 0) begin : g_sdram
			wire [SD_AB-1:0] addr = {{(SD_AB-SDA){1'b0}}, sd_cmd_addr};
			/* verilator lint_off PINCONNECTEMPTY */	// the engine waits for the first command's ready
			snn_sdram #(.CLK_KHZ(CLK_KHZ), .CAS(2), .ROW_BITS(13), .COL_BITS(9), .LEN_BITS(4),
				    .RD_DEPTH(4)) u_sdram (
				.i_clk(i_clk), .i_rst(i_rst), .o_init_done(),
			/* verilator lint_on PINCONNECTEMPTY */
				.i_cmd_valid(sd_cmd_valid), .o_cmd_ready(sd_cmd_ready), .i_cmd_write(sd_cmd_write),
				.i_cmd_addr(addr), .i_cmd_len(sd_cmd_len),
				.i_wr_valid(sd_wr_valid), .o_wr_ready(sd_wr_ready), .i_wr_data(sd_wr_data),
				.i_wr_be(sd_wr_be),
				.o_rd_valid(sd_rd_valid), .i_rd_ready(sd_rd_ready), .o_rd_data(sd_rd_data),
				.o_sdram_cke(o_sdram_cke), .o_sdram_cs_n(o_sdram_cs_n), .o_sdram_ras_n(o_sdram_ras_n),
				.o_sdram_cas_n(o_sdram_cas_n), .o_sdram_we_n(o_sdram_we_n), .o_sdram_ba(o_sdram_ba),
				.o_sdram_a(o_sdram_a), .o_sdram_dqm(o_sdram_dqm), .o_sdram_dq(o_sdram_dq),
				.o_sdram_dq_oe(o_sdram_dq_oe), .i_sdram_dq(i_sdram_dq));
		end else begin : g_no_sdram
			/* verilator lint_off UNUSEDSIGNAL */
			wire unused = ^i_sdram_dq ^ sd_cmd_valid ^ sd_cmd_write ^ ^sd_cmd_addr ^ ^sd_cmd_len ^ sd_wr_valid ^
				      ^sd_wr_data ^ ^sd_wr_be ^ sd_rd_ready;
			/* verilator lint_on UNUSEDSIGNAL */
			assign sd_cmd_ready = 1'b0;
			assign sd_wr_ready = 1'b0;
			assign sd_rd_valid = 1'b0;
			assign sd_rd_data = 64'd0;
			assign o_sdram_cke = 1'b0;
			assign {o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} = 4'b1111;
			assign o_sdram_ba = 2'd0;
			assign o_sdram_a = 13'd0;
			assign o_sdram_dqm = 2'b11;
			assign o_sdram_dq = 16'd0;
			assign o_sdram_dq_oe = 1'b0;
		end
	endgenerate

	// LED pulse stretchers
	snn_led_stretch #(.LED_BITS(LED_BITS)) u_led_error (.i_clk(i_clk), .i_rst(i_rst),
		.i_event(frame_err || overrun || bad_frame), .o_led(o_led_error));
	snn_led_stretch #(.LED_BITS(LED_BITS)) u_led_link (.i_clk(i_clk), .i_rst(i_rst),
		.i_event((rx_valid && rx_ready) || (tx_valid && tx_ready)), .o_led(o_led_link));
	snn_led_stretch #(.LED_BITS(LED_BITS)) u_led_run (.i_clk(i_clk), .i_rst(i_rst),
		.i_event(busy), .o_led(o_led_run));

endmodule

`default_nettype wire
