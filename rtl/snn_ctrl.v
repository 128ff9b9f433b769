// The device's control as a program: snn_cpu, its block RAM (program and data, loaded at configuration), and memory-mapped I/O registers for the link's byte streams, a CRC-32 unit and the status outputs.
//
// The memory map (docs/rtl.md, "snn_ctrl"; rtl/fw/snn_ctrl_io.h is the
// program's side of it): RAM from address 0, RAM_BYTES of it (aliased
// above); with address bit 31 set, I/O register i at 0x8000_0000 + 4 i.
// I/O registers are 8 bits wide, read with lbu (the upper 24 bits of a
// word load are the RAM's) and written with sb or sw (bits 7:0 count).
//
//   0 DATA      read: the next byte from the link, waiting for one;
//               write: a byte to the link, waiting until it is taken
//   1 DATA_CRC  the same, and the byte goes into the CRC too
//   2 STATUS    read: bit 0 a byte from the link is waiting;
//               write: bit 0 the busy flag (o_busy, a level), bit 1 a
//               refused frame (a one-cycle pulse on o_error)
//   3 CRC_CLEAR write: start a new CRC
//   4..7 CRC    read: byte 0 .. 3 of the CRC-32 (zlib's) of the bytes fed
//               since the last clear, byte 0 the first on the wire
//   8 CRC_FEED  write: a byte into the CRC alone (a CHECKSUM's words)
//   9 SPI       (POOL_PORT) write: a byte to the flash, its answer
//               taken meanwhile; read: that answer (waits for it)
//  10 SPI_CS    (POOL_PORT) write: bit 0 the flash's chip select, low
//               selects (high after a reset)
//
// With POOL_PORT the block RAM is the boot program (rtl/fw/boot.c), below
// POOL_BYTES, and addresses from POOL_BYTES to twice that go to the
// engine's pool (o_pool_*: the byte address less POOL_BYTES is the
// pool's, a line of 8 bytes; the engine gives the processor its top lines,
// snn_engine's POOL_CPU_LINES, and may leave it the weights and neuron
// state too, its MEM_POOL).
// A pool access is registered on its way out (its enable from the
// request, the rest a copy of the processor's request, held until
// answered), and the word read is registered on its way in: it answers
// three cycles after the request, not one, but no decision of the
// processor's is in front of the SPRAM's inputs or of the engine's hold,
// and no SPRAM output in front of the processor's load extraction.
//
// With EXT_IO, address bit 31 and bit 6 or 7 set reach an outside block's
// registers (o_ext_*, snn_engine_io, snn_step_io): register {bit 7, bits
// 5:2}, 0 .. 15 from 0x8000_0040 and 16 .. 31 from 0x8000_0080, 32 bits
// each way, the request held until i_ext_ready (one cycle high), its word
// registered before the processor has it; o_ext_wdata holds the last word
// written (a read leaves it).
//
// A RAM access answers the cycle after the request, as the memory of the
// processor's fit (tests/rtl/snn_fit_cpu.v); an I/O access is decoded into registers in the request's cycle
// and answers at the earliest the cycle after next, so no I/O decision is
// in front of the memory's paths. Only bits 7:0 of the word read come
// through the I/O's multiplexer: the fetch's paths (the register file's
// read address is bits 19:15 of the RAM's output) stay as they were.
// A DATA read that finds no byte waits: that is the program's idle. A
// write to DATA waits for the transmitter, which always takes. An access
// that touches the CRC waits for snn_crc32 (nine clocks a byte).
`default_nettype none

module snn_ctrl #(
	parameter RAM_BYTES = 4096,	// program and data, a power of two (8 EBR for 4096)
	parameter FIRMWARE = "",	// $readmemh file of the RAM's words (rtl/fw, built by rtl/mk/ctrl.mk)
	parameter EXT_IO = 0,	// 1: registers outside at 0x8000_0040 .. 0x8000_00BF (o_ext_*)
	parameter POOL_PORT = 0,	// 1: program and data in the pool (o_pool_*), the RAM the boot program, SPI
	parameter POOL_BYTES = 131072	// the pool's bytes, a power of two: at POOL_BYTES in the address space
) (
	input wire i_clk,
	input wire i_rst,	// restarts the program at address 0; the RAM keeps its contents
	// bytes from the host
	input wire i_rx_valid,
	output wire o_rx_ready,
	input wire [7:0] i_rx_data,
	// bytes to the host
	output wire o_tx_valid,
	input wire i_tx_ready,
	output wire [7:0] o_tx_data,
	// status, set by the program (STATUS)
	output reg o_busy,
	output reg o_error,	// one-cycle pulse
	// the processor stopped on an instruction it does not run
	output wire o_trap,
	// an outside block's registers (EXT_IO)
	output reg o_ext_valid,
	output reg [4:0] o_ext_reg,
	output reg o_ext_write,
	output reg [31:0] o_ext_wdata,
	/* verilator lint_off UNUSEDSIGNAL */	// without EXT_IO
	input wire i_ext_ready,
	input wire [31:0] i_ext_rdata,
	// the pool (POOL_PORT): a one-cycle access, its line in the next cycle
	input wire [63:0] i_pool_rdata,
	// the board's SPI flash (POOL_PORT)
	input wire i_flash_miso,
	/* verilator lint_on UNUSEDSIGNAL */
	output reg o_pool_en,
	output wire o_pool_we,
	output wire [7:0] o_pool_be,
	output wire [15:0] o_pool_line,
	output wire [63:0] o_pool_wdata,
	output reg o_flash_csn,
	output wire o_flash_sck,
	output wire o_flash_mosi
);

	localparam RAM_WORDS = RAM_BYTES / 4;
	localparam AW = $clog2(RAM_WORDS);

	// I/O registers: the index is address bits REG_BITS+1:2
	localparam REG_BITS = 4;
	localparam [REG_BITS-1:0] IO_DATA = 4'd0;
	localparam [REG_BITS-1:0] IO_DATA_CRC = 4'd1;
	localparam [REG_BITS-1:0] IO_STATUS = 4'd2;
	localparam [REG_BITS-1:0] IO_CRC_CLEAR = 4'd3;
	localparam [REG_BITS-1:0] IO_CRC = 4'd4;	// 4 .. 7: its bytes
	localparam [REG_BITS-1:0] IO_CRC_FEED = 4'd8;
	localparam [REG_BITS-1:0] IO_SPI = 4'd9;
	localparam [REG_BITS-1:0] IO_SPI_CS = 4'd10;
	// STATUS's bits
	localparam [7:0] IO_STATUS_RX = 8'h01;	// read: a byte is waiting
	localparam [7:0] IO_STATUS_BUSY = 8'h01;	// write: o_busy
	localparam [7:0] IO_STATUS_REFUSED = 8'h02;	// write: a pulse on o_error

	// ---- the processor's memory port ----
	wire mem_valid;
	wire [31:0] mem_addr, mem_wdata, mem_rdata;
	wire [3:0] mem_wstrb;
	reg mem_ready;	// a register: the answer to the request of an earlier cycle

	snn_cpu u_cpu (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.o_mem_valid(mem_valid),
		.o_mem_addr(mem_addr),
		.o_mem_wdata(mem_wdata),
		.o_mem_wstrb(mem_wstrb),
		.i_mem_ready(mem_ready),
		.i_mem_rdata(mem_rdata),
		.o_trap(o_trap),
		/* verilator lint_off PINCONNECTEMPTY */	// for waveforms
		.o_pc(),
		.o_ir()
		/* verilator lint_on PINCONNECTEMPTY */
	);

	// A request is new in the cycle its valid is high and neither the RAM
	// nor the I/O answers it yet (a store is followed by the next fetch
	// with valid still high).
	reg io_pend;	// an I/O request waits for its register
	// The request is decoded into its registers the cycle after it came
	// (io_go, ext_go; the processor holds it until answered), so that the
	// handshake's decode is in front of two flip-flops, not of the forty
	// the request loads (the step device's slowest paths at 81 % of the
	// UP5K); io_live is an I/O request of its own registers' in progress.
	reg io_go, ext_go, io_live;
	reg mem_pend;	// a pool or ROM request (POOL_PORT) waits for its word
	wire start = mem_valid && !mem_ready && !io_pend && !mem_pend;
	localparam PB = $clog2(POOL_BYTES);
	wire to_pool = POOL_PORT != 0 && mem_addr[PB];
	wire start_ram = start && !mem_addr[31] && !to_pool;
	wire start_pool = start && !mem_addr[31] && to_pool;
	wire ext = EXT_IO != 0 && (mem_addr[7] || mem_addr[6]);
	wire start_io = start && mem_addr[31] && !ext;
	wire start_ext = start && mem_addr[31] && ext;

	// ---- RAM, or with POOL_PORT the boot program ----
	wire [31:0] ram_rdata;
	wire rom_done;	// with POOL_PORT: the ROM's word is ram_rdata
	generate
		if (POOL_PORT == 0) begin : ram
			snn_ram_sdp_be #(
				.BYTES(4),
				.DEPTH(RAM_WORDS),
				.INIT_FILE(FIRMWARE)
			) u_ram (
				.i_clk(i_clk),
				.i_we(start_ram ? mem_wstrb : 4'd0),
				.i_waddr(mem_addr[AW+1:2]),
				.i_wdata(mem_wdata),
				.i_re(start),
				.i_raddr(mem_addr[AW+1:2]),
				.o_rdata(ram_rdata)
			);
			assign rom_done = 1'b0;
		end else begin : rom
			// 16 bits wide, one EBR for 512 bytes (32 bits would take two):
			// a word is two reads, low half first; stores are dropped
			reg hi;	// the high half is read
			reg done;	// ... and there
			reg [AW-1:0] word;
			reg [15:0] lo;
			wire [15:0] half;
			always @(posedge i_clk) begin
				hi <= !i_rst && start_ram;
				done <= !i_rst && hi;
				if (start_ram)
					word <= mem_addr[AW+1:2];
				if (hi)
					lo <= half;
			end
			snn_ram_sdp_be #(
				.BYTES(2),
				.DEPTH(2 * RAM_WORDS),
				.INIT_FILE(FIRMWARE)
			) u_rom (
				.i_clk(i_clk),
				.i_we(2'd0),
				.i_waddr({AW+1{1'b0}}),
				.i_wdata(16'd0),
				.i_re(start_ram || hi),
				.i_raddr(hi ? {word, 1'b1} : {mem_addr[AW+1:2], 1'b0}),
				.o_rdata(half)
			);
			assign ram_rdata = {half, lo};
			assign rom_done = done;
		end
	endgenerate

	// ---- I/O: the request decoded into registers ----
	reg io_rx, io_tx;	// a DATA or DATA_CRC read, write
	reg io_feed;	// DATA_CRC: the byte goes into the CRC
	reg io_crc_wait;	// CRC bytes or CRC_CLEAR: wait for the CRC unit
	reg io_status_w, io_clear;	// STATUS, CRC_CLEAR written
	reg [1:0] io_crc_byte;	// which CRC byte is read
	reg io_crc_read;
	reg io_feed_only;	// CRC_FEED written
	reg io_spi, io_spi_cs;	// SPI read or written, SPI_CS written
	/* verilator lint_off UNUSEDSIGNAL */	// without POOL_PORT
	reg io_w;	// the I/O request is a write
	/* verilator lint_on UNUSEDSIGNAL */
	// a pool access (POOL_PORT): the request as the processor holds it
	/* verilator lint_off UNUSEDSIGNAL */	// bits past the pool's
	wire [31:0] pool_line32 = {3'd0, mem_addr[31:3]} & ((32'd1 << (PB - 3)) - 32'd1);
	/* verilator lint_on UNUSEDSIGNAL */
	// The access is registered on its way out as its enable is: the
	// processor holds its request until answered, so a copy taken every
	// cycle is the request's in the enable's cycle, and no path runs from
	// the processor's store alignment to the SPRAM's inputs at the die's
	// edge (the step device's slowest, 42 MHz, once the pool was shared)
	reg [15:0] pool_line;
	reg [3:0] pool_wstrb;
	reg pool_hi;	// the line's upper word
	reg [31:0] pool_wdata;
	always @(posedge i_clk) begin
		pool_line <= pool_line32[15:0];
		pool_wstrb <= mem_wstrb;
		pool_hi <= mem_addr[2];
		pool_wdata <= mem_wdata;
	end
	assign o_pool_line = pool_line;
	assign o_pool_we = pool_wstrb != 4'd0;
	assign o_pool_be = pool_hi ? {pool_wstrb, 4'd0} : {4'd0, pool_wstrb};
	assign o_pool_wdata = {pool_wdata, pool_wdata};
	reg pool_read;	// the pool's line is on i_pool_rdata
	reg [31:0] pool_word;	// the word read from the pool or the ROM
	reg [7:0] io_wdata;
	reg io_ack;	// mem_ready answers an I/O read: its byte is io_rdata
	reg [7:0] io_rdata;

	wire crc_ready;
	wire [31:0] crc;
	// Every condition below is of registers (and the other side's valid or
	// ready): the link sees o_rx_ready and o_tx_valid from flip-flops.
	// The CRC takes a byte a cycle after it moved (crc_feed): so that the
	// link's handshake is not in front of the unit's enables. It is busy
	// the cycle after, and a byte in crc_feed counts as busy.
	reg crc_feed;
	reg [7:0] crc_byte;
	wire crc_free = crc_ready && !crc_feed;
	// ... and for the streams a cycle late, from a register: the CRC unit
	// sits apart from the link, and its state in front of the link's
	// handshake was the slowest path. It is free a cycle later than it
	// could be, and busy from the cycle after a byte moved, when no
	// request is pending (the next comes cycles after the answer).
	reg crc_free_q;
	always @(posedge i_clk)
		crc_free_q <= crc_free;
	wire stream_ok = !io_feed || crc_free_q;
	// A byte that moved completes its request a cycle later (rx_done,
	// tx_done), so that the completion is of flip-flops: the link's
	// handshake in front of the request's registers was a slowest path.
	reg rx_done, tx_done;
	assign o_rx_ready = io_live && io_rx && stream_ok && !rx_done;
	assign o_tx_data = io_wdata;
	wire rx_move = i_rx_valid && o_rx_ready;
	// o_tx_valid is a flip-flop, a cycle after the request's decode and
	// low from the cycle after its byte moved: the transmitter takes a
	// byte by enables on twenty flip-flops, and with the decode and the
	// CRC's state in front of them it was the step device's slowest path
	reg tx_valid;
	assign o_tx_valid = tx_valid;
	wire tx_move = tx_valid && i_tx_ready;
	always @(posedge i_clk)
		tx_valid <= !i_rst && io_live && io_tx && stream_ok && !tx_move && !tx_done;
	always @(posedge i_clk) begin
		rx_done <= !i_rst && rx_move;
		tx_done <= !i_rst && tx_move;
	end
	wire spi_busy;
	wire [7:0] spi_data;
	// A request that is no byte of the link's completes once what it waits
	// for (the CRC unit, the flash's byte) is ready: registered, a cycle
	// later and for one cycle (the completion's own decode fed the SPI's
	// and the CRC's enables, a slowest path of the step device)
	reg io_other;
	always @(posedge i_clk)
		io_other <= !i_rst && io_live && !io_rx && !io_tx && (!io_crc_wait || crc_free)
			    && (!io_spi || !spi_busy) && !io_other;
	wire ext_done = o_ext_valid && i_ext_ready;
	wire io_done = rx_done || tx_done || io_other || ext_done;
	reg ext_ack;	// mem_ready answers an outside read: its word is ext_rdata
	reg [31:0] ext_rdata;

	wire [REG_BITS-1:0] io_index = mem_addr[REG_BITS+1:2];
	wire io_write = mem_wstrb != 4'd0;

	always @(posedge i_clk) begin
		if (i_rst) begin
			io_pend <= 1'b0;
			io_go <= 1'b0;
			ext_go <= 1'b0;
			io_live <= 1'b0;
			mem_pend <= 1'b0;
			io_rx <= 1'b0;
			io_tx <= 1'b0;
			io_feed <= 1'b0;
			io_crc_wait <= 1'b0;
			io_status_w <= 1'b0;
			io_clear <= 1'b0;
			io_crc_read <= 1'b0;
			io_feed_only <= 1'b0;
			io_spi <= 1'b0;
			io_spi_cs <= 1'b0;
			o_flash_csn <= 1'b1;
			o_pool_en <= 1'b0;
			pool_read <= 1'b0;
			io_ack <= 1'b0;
			ext_ack <= 1'b0;
			o_ext_valid <= 1'b0;
			mem_ready <= 1'b0;
			o_busy <= 1'b0;
			o_error <= 1'b0;
		end else begin
			mem_ready <= (POOL_PORT == 0 && start_ram) || rom_done || io_done || pool_read;
			o_pool_en <= start_pool;
			mem_pend <= POOL_PORT != 0 && (mem_pend && !pool_read && !rom_done || start_pool || start_ram);
			pool_read <= o_pool_en;
			if (io_spi_cs && io_live)	// nothing to wait for: set while the request lasts
				o_flash_csn <= io_wdata[0];
			io_ack <= io_done && !ext_done;	// a write's answer carries no data: harmless
			ext_ack <= ext_done;
			o_error <= 1'b0;
			io_go <= start_io;
			ext_go <= start_ext;
			if (start_io || start_ext)
				io_pend <= 1'b1;
			else if (ext_done || io_done)
				io_pend <= 1'b0;
			if (ext_go)
				o_ext_valid <= 1'b1;
			else if (ext_done)	// an outside request's own completion
				o_ext_valid <= 1'b0;
			if (io_go) begin
				io_live <= 1'b1;
				io_rx <= !io_write && (io_index == IO_DATA || io_index == IO_DATA_CRC);
				io_tx <= io_write && (io_index == IO_DATA || io_index == IO_DATA_CRC);
				io_feed <= io_index == IO_DATA_CRC;
				io_crc_wait <= io_index[3:2] == IO_CRC[3:2] || io_index == IO_CRC_CLEAR || io_index == IO_CRC_FEED;
				io_status_w <= io_write && io_index == IO_STATUS;
				io_clear <= io_write && io_index == IO_CRC_CLEAR;
				io_crc_read <= !io_write && io_index[3:2] == IO_CRC[3:2];
				io_feed_only <= io_write && io_index == IO_CRC_FEED;
				io_spi <= POOL_PORT != 0 && io_index == IO_SPI;
				io_spi_cs <= POOL_PORT != 0 && io_write && io_index == IO_SPI_CS;
			end else if (io_done && !ext_done) begin
				// the request's kind stays until the next one (what
				// depends on it is gated by io_live): clearing it here
				// put the completion in front of every flag's enable
				io_live <= 1'b0;
				if (io_status_w) begin
					o_busy <= |(io_wdata & IO_STATUS_BUSY);
					o_error <= |(io_wdata & IO_STATUS_REFUSED);
				end
			end
		end
	end

	// Loaded before they are used: no reset.
	always @(posedge i_clk) begin
		if (io_go) begin
			io_wdata <= mem_wdata[7:0];
			io_crc_byte <= io_index[1:0];
			io_w <= io_write;
		end
		if (ext_go) begin
			o_ext_reg <= {mem_addr[7], mem_addr[5:2]};
			o_ext_write <= io_write;
			if (io_write)	// a read leaves the last word written (snn_step_io's MUL)
				o_ext_wdata <= mem_wdata;
		end
		if (ext_done)
			ext_rdata <= i_ext_rdata;
		if (rx_move)	// DATA: the byte as it moves (the link shows the next one after)
			io_rdata <= i_rx_data;
		else if (io_other)	// CRC, SPI, STATUS
			io_rdata <= io_crc_read ? crc[8 * io_crc_byte +: 8] : io_spi ? spi_data : IO_STATUS_RX & {8{i_rx_valid}};
	end

	// With POOL_PORT every word comes from this register (the pool line's
	// half the processor asked for, its address still held; or the ROM's),
	// so no memory's output and no choice of memory is in front of the
	// processor's load extraction.
	always @(posedge i_clk)
		if (pool_read || rom_done)
			pool_word <= !pool_read ? ram_rdata : mem_addr[2] ? i_pool_rdata[63:32] : i_pool_rdata[31:0];
	wire [31:0] word = POOL_PORT != 0 ? pool_word : ram_rdata;
	assign mem_rdata = ext_ack ? ext_rdata : {word[31:8], io_ack ? io_rdata : word[7:0]};

	// ---- the flash: a byte each way (POOL_PORT) ----
	generate
		if (POOL_PORT != 0) begin : spi
			snn_spi_byte u_spi (
				.i_clk(i_clk),
				.i_rst(i_rst),
				.i_start(io_spi && io_w && io_other),
				.i_data(io_wdata),
				.o_busy(spi_busy),
				.o_data(spi_data),
				.o_sck(o_flash_sck),
				.o_mosi(o_flash_mosi),
				.i_miso(i_flash_miso)
			);
		end else begin : no_spi
			assign spi_busy = 1'b0;
			assign spi_data = 8'd0;
			assign o_flash_sck = 1'b0;
			assign o_flash_mosi = 1'b0;
		end
	endgenerate

	// ---- CRC: one unit, for what is received and what is sent ----
	always @(posedge i_clk) begin
		crc_feed <= !i_rst && (io_feed && (rx_move || tx_move) || io_feed_only && io_other);
		crc_byte <= io_rx ? i_rx_data : io_wdata;
	end

	snn_crc32 u_crc (
		.i_clk(i_clk),
		.i_rst(i_rst),
		// held while CRC_CLEAR waits: a clear drops a byte in progress, and
		// the CRC ends cleared either way; gating it with the completion
		// put the I/O decode in front of the unit's enables (47.8 MHz)
		.i_clear(io_clear && io_live),
		.i_valid(crc_feed),
		.o_ready(crc_ready),
		.i_data(crc_byte),
		.o_crc(crc)
	);

endmodule

`default_nettype wire
