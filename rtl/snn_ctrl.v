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
	parameter FIRMWARE = ""	// $readmemh file of the RAM's words (rtl/fw, built by rtl/mk/ctrl.mk)
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
	output wire o_trap
);

	localparam RAM_WORDS = RAM_BYTES / 4;
	localparam AW = $clog2(RAM_WORDS);

	// I/O registers: the index is address bits REG_BITS+1:2
	localparam REG_BITS = 3;
	localparam [REG_BITS-1:0] IO_DATA = 3'd0;
	localparam [REG_BITS-1:0] IO_DATA_CRC = 3'd1;
	localparam [REG_BITS-1:0] IO_STATUS = 3'd2;
	localparam [REG_BITS-1:0] IO_CRC_CLEAR = 3'd3;
	localparam [REG_BITS-1:0] IO_CRC = 3'd4;	// 4 .. 7: its bytes
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
	wire start = mem_valid && !mem_ready && !io_pend;
	wire start_ram = start && !mem_addr[31];
	wire start_io = start && mem_addr[31];

	// ---- RAM ----
	wire [31:0] ram_rdata;
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

	// ---- I/O: the request decoded into registers ----
	reg io_rx, io_tx;	// a DATA or DATA_CRC read, write
	reg io_feed;	// DATA_CRC: the byte goes into the CRC
	reg io_crc_wait;	// CRC bytes or CRC_CLEAR: wait for the CRC unit
	reg io_status_w, io_clear;	// STATUS, CRC_CLEAR written
	reg [1:0] io_crc_byte;	// which CRC byte is read
	reg io_crc_read;
	reg [7:0] io_wdata;
	reg io_ack;	// mem_ready answers an I/O read: its byte is io_rdata
	reg [7:0] io_rdata;

	wire crc_ready;
	wire [31:0] crc;
	// Every condition below is of registers (and the other side's valid or
	// ready): the link sees o_rx_ready and o_tx_valid from flip-flops.
	wire stream_ok = !io_feed || crc_ready;
	assign o_rx_ready = io_rx && stream_ok;
	assign o_tx_valid = io_tx && stream_ok;
	assign o_tx_data = io_wdata;
	wire rx_move = i_rx_valid && o_rx_ready;
	wire tx_move = o_tx_valid && i_tx_ready;
	wire io_other = io_pend && !io_rx && !io_tx && (!io_crc_wait || crc_ready);
	wire io_done = rx_move || tx_move || io_other;

	wire [REG_BITS-1:0] io_index = mem_addr[REG_BITS+1:2];
	wire io_write = mem_wstrb != 4'd0;

	always @(posedge i_clk) begin
		if (i_rst) begin
			io_pend <= 1'b0;
			io_rx <= 1'b0;
			io_tx <= 1'b0;
			io_feed <= 1'b0;
			io_crc_wait <= 1'b0;
			io_status_w <= 1'b0;
			io_clear <= 1'b0;
			io_crc_read <= 1'b0;
			io_ack <= 1'b0;
			mem_ready <= 1'b0;
			o_busy <= 1'b0;
			o_error <= 1'b0;
		end else begin
			mem_ready <= start_ram || io_done;
			io_ack <= io_done;	// a write's answer carries no data: harmless
			o_error <= 1'b0;
			if (start_io) begin
				io_pend <= 1'b1;
				io_rx <= !io_write && (io_index == IO_DATA || io_index == IO_DATA_CRC);
				io_tx <= io_write && (io_index == IO_DATA || io_index == IO_DATA_CRC);
				io_feed <= io_index == IO_DATA_CRC;
				io_crc_wait <= io_index >= IO_CRC || io_index == IO_CRC_CLEAR;
				io_status_w <= io_write && io_index == IO_STATUS;
				io_clear <= io_write && io_index == IO_CRC_CLEAR;
				io_crc_read <= !io_write && io_index >= IO_CRC;
			end else if (io_done) begin
				io_pend <= 1'b0;
				io_rx <= 1'b0;
				io_tx <= 1'b0;
				io_feed <= 1'b0;
				io_crc_wait <= 1'b0;
				io_status_w <= 1'b0;
				io_clear <= 1'b0;
				io_crc_read <= 1'b0;
				if (io_status_w) begin
					o_busy <= |(io_wdata & IO_STATUS_BUSY);
					o_error <= |(io_wdata & IO_STATUS_REFUSED);
				end
			end
		end
	end

	// Loaded before they are used: no reset.
	always @(posedge i_clk) begin
		if (start_io) begin
			io_wdata <= mem_wdata[7:0];
			io_crc_byte <= io_index[1:0];
		end
		if (io_done)
			io_rdata <= io_crc_read ? crc[8 * io_crc_byte +: 8]
				  : io_rx ? i_rx_data : IO_STATUS_RX & {8{i_rx_valid}};	// DATA, or STATUS
	end

	assign mem_rdata = {ram_rdata[31:8], io_ack ? io_rdata : ram_rdata[7:0]};

	// ---- CRC: one unit, for what is received and what is sent ----
	snn_crc32 u_crc (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_clear(io_clear && io_other),
		.i_valid(io_feed && (rx_move || tx_move)),
		.o_ready(crc_ready),
		.i_data(io_rx ? i_rx_data : io_wdata),
		.o_crc(crc)
	);

endmodule

`default_nettype wire
