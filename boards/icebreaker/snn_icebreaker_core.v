// The iCEBreaker design below the PLL: the UART host link, the device (the link echo, or the engine device), and the two LEDs.
//
// Everything here runs on the one design clock; the board top
// (snn_icebreaker.v) makes that clock and the reset and drives the pins.
// Kept apart from the top so the Verilated tests run the same logic at bit
// level without the PLL. The device sits between the link's two byte
// streams:
//   DEVICE = 0: snn_link_echo, the link-only device the board builds today;
//   DEVICE = 1: snn_top with the geometry below (shared budgets: the frame
//               codec and snn_cmd's lean layer, device kind 3, in front of
//               snn_engine), which runs in simulation and does not fit the
//               UP5K yet (docs/rtl.md);
//   DEVICE = 2: snn_ctrl, the control processor, running CTRL_FIRMWARE
//               (rtl/fw/link_echo.c: the link echo as a program, the first
//               step of the device's control as a program, docs/rtl.md);
//   DEVICE = 3: the engine device with its command layer as a program:
//               snn_ctrl running rtl/fw/cmd_layer.c from the pool's top
//               CMD_POOL_BYTES, copied there from the SPI flash by the
//               boot program in its ROM (BOOT_FIRMWARE, rtl/fw/boot.c); the
//               engine and the rate encoder behind snn_engine_io (step 2);
//   DEVICE = 4: no engine: the same program but its device (rtl/fw/
//               dev_step.c) runs each time step itself over step 3's
//               accelerators and the rate encoder behind snn_step_io,
//               booted the same way (docs/rtl.md, "Step 3's accelerators").
// docs/boards.md.
`default_nettype none

module snn_icebreaker_core #(
	parameter CLKS_PER_BIT = 16,	// design clock cycles per UART bit (16: 3 Mbaud at 48 MHz)
	parameter RX_FIFO_DEPTH = 2048,	// bytes the link holds while the device pauses (snn_uart_link)
	parameter LED_BITS = 22,	// an LED stays on 2^LED_BITS cycles after its event (87 ms at 48 MHz)
	parameter DEVICE = 0,
	// the control processor (DEVICE = 2): its RAM, and the $readmemh file it
	// starts with (rtl/mk/ctrl.mk builds it; the linker reads this default)
	/* verilator lint_off UNUSEDPARAM */	// with the other devices
	parameter CTRL_RAM_BYTES = 4096,
	parameter CTRL_FIRMWARE = "",
	// ... and with the command layer (DEVICE = 3): the boot ROM, one EBR
	// (rtl/mk/ctrl.mk reads these two), and the program's share of the pool
	// above the engine's SYN_TOTAL
	parameter BOOT_BYTES = 512,
	parameter BOOT_FIRMWARE = "",
	parameter CMD_POOL_BYTES = 15360,
	/* verilator lint_on UNUSEDPARAM */
	// the engine device's geometry (DEVICE = 1): the icebreaker profile
	/* verilator lint_off UNUSEDPARAM */	// with the echo
	parameter N_CORES = 16,
	parameter NEURONS = 2048,
	parameter AXONS = 1024,
	parameter SYN_WORDS = 115712,
	parameter WEIGHT_BITS = 8,
	parameter MEMBRANE_BITS = 20,
	parameter BIAS_BITS = 16,
	parameter ROUTES = 8,
	parameter INPUT_ROUTES = 8,
	parameter MAX_PHASES = 16,
	parameter NEURON_TOTAL = 8192,
	parameter SYN_TOTAL = 115712,	// the SPRAM's 131,072 bytes but the program's (DEVICE = 3)
	parameter ROUTE_TOTAL = 64,
	parameter LANES = 8,
	parameter STATE_WORDS = 8,
	parameter ACC_BITS = 20,
	parameter [31:0] BUILD_ID = 32'd0,
	parameter INPUT_MAX = 1024	// inputs the device takes (28 x 28 = 784): 4 EBR of encoder
	/* verilator lint_on UNUSEDPARAM */
) (
	input wire i_clk,
	input wire i_rst,
	// UART lines (the FT2232H's channel B)
	input wire i_rxd,
	output wire o_txd,
	// LEDs, active high
	output wire o_led_error,	// a framing error, an overrun or a refused frame, stretched
	output wire o_led_activity,	// a byte moved either way, stretched
	// for harnesses (the board leaves them open): the LED events as
	// one-cycle pulses, the device's busy flag, and the byte streams
	// between the link and the device (no handshake of their own)
	output wire o_frame_err,	// a received byte had a low stop bit
	output wire o_overrun,	// a received byte found the receive queue full
	output wire o_bad_frame,	// the device refused a frame (bad CRC or length)
	output wire o_busy,
	output wire o_mon_rx_valid,
	output wire o_mon_rx_ready,
	output wire [7:0] o_mon_rx_data,
	output wire o_mon_tx_valid,
	output wire o_mon_tx_ready,
	output wire [7:0] o_mon_tx_data,
	// the SPI flash the FPGA configures from (DEVICE = 3 boots from it;
	// the others leave it deselected)
	output wire o_flash_csn,
	output wire o_flash_sck,
	output wire o_flash_mosi,
	/* verilator lint_off UNUSEDSIGNAL */	// but with DEVICE = 3
	input wire i_flash_miso
	/* verilator lint_on UNUSEDSIGNAL */
);

	wire rx_valid, rx_ready, tx_valid, tx_ready;
	wire [7:0] rx_data, tx_data;

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
		.o_frame_err(o_frame_err),
		.o_overrun(o_overrun)
	);

	generate
		if (DEVICE != 3 && DEVICE != 4) begin : g_no_flash
			assign o_flash_csn = 1'b1;
			assign o_flash_sck = 1'b0;
			assign o_flash_mosi = 1'b0;
		end
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
				.o_busy(o_busy),
				.o_error(o_bad_frame)
			);
		end else if (DEVICE == 2) begin : g_ctrl
			snn_ctrl #(
				.RAM_BYTES(CTRL_RAM_BYTES),
				.FIRMWARE(CTRL_FIRMWARE)
			) u_dev (
				.i_clk(i_clk),
				.i_rst(i_rst),
				.i_rx_valid(rx_valid),
				.o_rx_ready(rx_ready),
				.i_rx_data(rx_data),
				.o_tx_valid(tx_valid),
				.i_tx_ready(tx_ready),
				.o_tx_data(tx_data),
				.o_busy(o_busy),
				.o_error(o_bad_frame),
				/* verilator lint_off PINCONNECTEMPTY */	// a program that stops is seen in a waveform
				.o_trap(),
				.o_ext_valid(),	// no outside registers
				.o_ext_reg(),
				.o_ext_write(),
				.o_ext_wdata(),
				/* verilator lint_on PINCONNECTEMPTY */
				.i_ext_ready(1'b0),
				.i_ext_rdata(32'd0),
				.i_pool_rdata(64'd0),	// its RAM is its memory (POOL_PORT 0)
				.i_flash_miso(1'b0),
				/* verilator lint_off PINCONNECTEMPTY */
				.o_pool_en(),
				.o_pool_we(),
				.o_pool_be(),
				.o_pool_line(),
				.o_pool_wdata(),
				.o_flash_csn(),
				.o_flash_sck(),
				.o_flash_mosi()
				/* verilator lint_on PINCONNECTEMPTY */
			);
		end else if (DEVICE == 3 || DEVICE == 4) begin : g_prog
			// the command layer as a program: snn_ctrl, booted from the flash,
			// with its registers and its share of the pool on the engine
			// (DEVICE = 3) or on snn_step_io (DEVICE = 4)
			wire ext_valid, ext_write, ext_ready;
			/* verilator lint_off UNUSEDSIGNAL */	// DEVICE = 3's registers take bits 3:0
			wire [4:0] ext_reg;
			/* verilator lint_on UNUSEDSIGNAL */
			wire [31:0] ext_wdata, ext_rdata;
			wire cpu_pool_en, cpu_pool_we;
			wire [7:0] cpu_pool_be;
			/* verilator lint_off UNUSEDSIGNAL */	// DEVICE = 4's pool takes 14 bits
			wire [15:0] cpu_pool_line;
			/* verilator lint_on UNUSEDSIGNAL */
			wire [63:0] cpu_pool_wdata, cpu_pool_rdata;
			snn_ctrl #(
				.RAM_BYTES(BOOT_BYTES),
				.FIRMWARE(BOOT_FIRMWARE),
				.EXT_IO(1),
				.POOL_PORT(1),
				.POOL_BYTES(SYN_TOTAL + CMD_POOL_BYTES)
			) u_ctrl (
				.i_clk(i_clk),
				.i_rst(i_rst),
				.i_rx_valid(rx_valid),
				.o_rx_ready(rx_ready),
				.i_rx_data(rx_data),
				.o_tx_valid(tx_valid),
				.i_tx_ready(tx_ready),
				.o_tx_data(tx_data),
				.o_busy(o_busy),
				.o_error(o_bad_frame),
				/* verilator lint_off PINCONNECTEMPTY */
				.o_trap(),
				/* verilator lint_on PINCONNECTEMPTY */
				.o_ext_valid(ext_valid),
				.o_ext_reg(ext_reg),
				.o_ext_write(ext_write),
				.o_ext_wdata(ext_wdata),
				.i_ext_ready(ext_ready),
				.i_ext_rdata(ext_rdata),
				.o_pool_en(cpu_pool_en),
				.o_pool_we(cpu_pool_we),
				.o_pool_be(cpu_pool_be),
				.o_pool_line(cpu_pool_line),
				.o_pool_wdata(cpu_pool_wdata),
				.i_pool_rdata(cpu_pool_rdata),
				.o_flash_csn(o_flash_csn),
				.o_flash_sck(o_flash_sck),
				.o_flash_mosi(o_flash_mosi),
				.i_flash_miso(i_flash_miso)
			);
			if (DEVICE == 4) begin : g_step
				wire pool_en, pool_we;
				wire [7:0] pool_be;
				wire [13:0] pool_line;
				wire [63:0] pool_wdata;
				snn_step_io #(
					.LA(14), .AA(8), .MEMBRANE_BITS(MEMBRANE_BITS), .BIAS_BITS(BIAS_BITS),
					.ACC_BITS(ACC_BITS), .INPUT_MAX(INPUT_MAX), .NET_LINES(SYN_TOTAL / 8)
				) u_step (
					.i_clk(i_clk),
					.i_rst(i_rst),
					.i_valid(ext_valid),
					.i_reg(ext_reg),
					.i_write(ext_write),
					.i_wdata(ext_wdata),
					.o_ready(ext_ready),
					.o_rdata(ext_rdata),
					.i_cpu_pool_en(cpu_pool_en),
					.i_cpu_pool_we(cpu_pool_we),
					.i_cpu_pool_be(cpu_pool_be),
					.i_cpu_pool_line(cpu_pool_line[13:0]),
					.i_cpu_pool_wdata(cpu_pool_wdata),
					.o_pool_en(pool_en),
					.o_pool_we(pool_we),
					.o_pool_be(pool_be),
					.o_pool_line(pool_line),
					.o_pool_wdata(pool_wdata),
					.i_pool_rdata(cpu_pool_rdata),
					/* verilator lint_off PINCONNECTEMPTY */	// for co-simulation
					.o_spk_valid(),
					.o_spk_index()
					/* verilator lint_on PINCONNECTEMPTY */
				);
				snn_spram_pool #(.DEPTH(16384)) u_pool (
					.i_clk(i_clk), .i_en(pool_en), .i_we(pool_we), .i_be(pool_be),
					.i_addr(pool_line), .i_wdata(pool_wdata), .o_rdata(cpu_pool_rdata));
			end else begin : g_engine_io
				wire mem_valid, mem_ready, mem_write, mem_done;
				wire [2:0] mem_region;
				wire [15:0] mem_core;
				wire [31:0] mem_index, mem_wdata, mem_rdata, step;
				wire [1:0] mem_status, cmd;
				wire cmd_valid, cmd_ready, cmd_done, cmd_abort;
				wire in_valid, in_ready, out_valid, out_ready;
				wire [23:0] in_index;
				wire [15:0] out_core, out_neuron;
				wire cnt_clear, cnt_rd, cnt_high, cnt_done;
				wire [2:0] cnt_sel;
				wire [31:0] cnt_value;
				snn_engine_io #(.INPUT_MAX(INPUT_MAX)) u_io (
					.i_clk(i_clk),
					.i_rst(i_rst),
					.i_valid(ext_valid),
					.i_reg(ext_reg[3:0]),	// its 16 registers; 16 .. 31 are them again
					.i_write(ext_write),
					.i_wdata(ext_wdata),
					.o_ready(ext_ready),
					.o_rdata(ext_rdata),
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
					.o_cnt_clear(cnt_clear),
					.o_cnt_rd(cnt_rd),
					.o_cnt_sel(cnt_sel),
					.o_cnt_high(cnt_high),
					.i_cnt_done(cnt_done),
					.i_cnt_value(cnt_value)
				);
				snn_engine #(
					.N_CORES(N_CORES), .NEURONS(NEURONS), .AXONS(AXONS), .SYN_WORDS(SYN_WORDS),
					.WEIGHT_BITS(WEIGHT_BITS), .MEMBRANE_BITS(MEMBRANE_BITS), .BIAS_BITS(BIAS_BITS),
					.ROUTES(ROUTES), .INPUT_ROUTES(INPUT_ROUTES), .MAX_PHASES(MAX_PHASES),
					.NEURON_TOTAL(NEURON_TOTAL), .SYN_TOTAL(SYN_TOTAL), .ROUTE_TOTAL(ROUTE_TOTAL),
					.ACC_BITS(ACC_BITS), .INPUT_MAX(INPUT_MAX), .POOL_SPRAM(1),
					.POOL_CPU_LINES(CMD_POOL_BYTES / 8),
					.MEM_POOL(0),	// the program reads and writes weights and state itself
					// the profile's conv features, as DEVICE = 1 has them
					.STRIDE_ANY(0), .POOL_ANY(0)
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
					/* verilator lint_off PINCONNECTEMPTY */	// for co-simulation and benchmarks
					.o_spk_valid(),
					.o_spk_neuron(),
					.o_mon_synop(),
					.o_mon_stall(),
					.o_sd_cmd_valid(),
					.o_sd_cmd_write(),
					.o_sd_cmd_addr(),
					.o_sd_cmd_len(),
					.o_sd_wr_valid(),
					.o_sd_wr_data(),
					.o_sd_wr_be(),
					.o_sd_rd_ready(),
					/* verilator lint_on PINCONNECTEMPTY */
					.i_sd_cmd_ready(1'b0),	// no SDRAM on this board (POOL_SDRAM_LINES 0)
					.i_sd_wr_ready(1'b0),
					.i_sd_rd_valid(1'b0),
					.i_sd_rd_data(64'd0),
					.i_cpu_en(cpu_pool_en),
					.i_cpu_we(cpu_pool_we),
					.i_cpu_be(cpu_pool_be),
					.i_cpu_line(cpu_pool_line),
					.i_cpu_wdata(cpu_pool_wdata),
					.o_cpu_rdata(cpu_pool_rdata),
					.i_cnt_clear(cnt_clear),
					.i_cnt_rd(cnt_rd),
					.i_cnt_sel(cnt_sel),
					.i_cnt_high(cnt_high),
					.o_cnt_done(cnt_done),
					.o_cnt_value(cnt_value)
				);
			end
		end else begin : g_engine
			wire idle;
			snn_top #(
				.N_CORES(N_CORES), .NEURONS(NEURONS), .AXONS(AXONS), .SYN_WORDS(SYN_WORDS),
				.WEIGHT_BITS(WEIGHT_BITS), .MEMBRANE_BITS(MEMBRANE_BITS), .BIAS_BITS(BIAS_BITS),
				.ROUTES(ROUTES), .INPUT_ROUTES(INPUT_ROUTES), .MAX_PHASES(MAX_PHASES),
				.NEURON_TOTAL(NEURON_TOTAL), .SYN_TOTAL(SYN_TOTAL), .ROUTE_TOTAL(ROUTE_TOTAL),
				.LANES(LANES), .STATE_WORDS(STATE_WORDS), .ACC_BITS(ACC_BITS),
				.BUILD_ID(BUILD_ID), .INPUT_MAX(INPUT_MAX), .POOL_SPRAM(1),
				// the profile's conv features (lib/geometry.c): no deconv
				// (snn_top's default), strides of 1, pools of 1 and 2
				.STRIDE_ANY(0), .POOL_ANY(0),
				.CHECK_CONFIG(0)	// the lean command layer: the host validates
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
				.o_error(o_bad_frame),
				.i_sd_cmd_ready(1'b0),	// no SDRAM on this board (POOL_SDRAM_LINES 0)
				.i_sd_wr_ready(1'b0),
				.i_sd_rd_valid(1'b0),
				.i_sd_rd_data(64'd0),
				/* verilator lint_off PINCONNECTEMPTY */	// for co-simulation and benchmarks
				.o_spk_valid(),
				.o_spk_neuron(),
				.o_mon_synop(),
				.o_mon_stall(),
				.o_sd_cmd_valid(),
				.o_sd_cmd_write(),
				.o_sd_cmd_addr(),
				.o_sd_cmd_len(),
				.o_sd_wr_valid(),
				.o_sd_wr_data(),
				.o_sd_wr_be(),
				.o_sd_rd_ready()
				/* verilator lint_on PINCONNECTEMPTY */
			);
			assign o_busy = !idle;
		end
	endgenerate

	// LED pulse stretchers
	snn_led_stretch #(.LED_BITS(LED_BITS)) u_led_error (.i_clk(i_clk), .i_rst(i_rst),
		.i_event(o_frame_err || o_overrun || o_bad_frame), .o_led(o_led_error));
	snn_led_stretch #(.LED_BITS(LED_BITS)) u_led_activity (.i_clk(i_clk), .i_rst(i_rst),
		.i_event((rx_valid && rx_ready) || (tx_valid && tx_ready)), .o_led(o_led_activity));

	assign o_mon_rx_valid = rx_valid;
	assign o_mon_rx_ready = rx_ready;
	assign o_mon_rx_data = rx_data;
	assign o_mon_tx_valid = tx_valid;
	assign o_mon_tx_ready = tx_ready;
	assign o_mon_tx_data = tx_data;


endmodule

`default_nettype wire
