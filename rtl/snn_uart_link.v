// A UART host link: the two serial lines on one side, a byte stream each way on the other, with a receive queue so the device may pause its input.
//
// A UART has no flow control here (the iCEBreaker wires only RX and TX), so
// bytes that arrive while the device is not taking any wait in a queue of
// RX_FIFO_DEPTH bytes in block RAM. The device pauses its input while it
// answers a request, and a reply goes out no faster than a request comes
// in, so with a host that sends the next frame while the last reply is
// still coming back (docs/host-protocol.md allows pipelining) the queue
// must hold a whole frame (1033 bytes) and then some: 2048 by default, four
// EBR. A host may be up to RX_FIFO_DEPTH bytes ahead of the replies; a
// byte that finds the queue full is dropped with a pulse on o_overrun.
// docs/boards.md, "The UART link".
`default_nettype none

module snn_uart_link #(
	parameter CLKS_PER_BIT = 16,	// i_clk cycles per bit, at least 4 (16: 3 Mbaud at 48 MHz)
	parameter RX_FIFO_DEPTH = 2048	// receive queue in bytes, a power of two, at least 2
) (
	input wire i_clk,
	input wire i_rst,
	// the serial lines
	input wire i_rxd,
	output wire o_txd,
	// received bytes, to the device
	output wire o_rx_valid,
	input wire i_rx_ready,
	output wire [7:0] o_rx_data,
	// bytes from the device, to send
	input wire i_tx_valid,
	output wire o_tx_ready,
	input wire [7:0] i_tx_data,
	// one-cycle pulses
	output wire o_frame_err,	// a received byte had a low stop bit and was dropped
	output wire o_overrun	// a received byte found the queue full and was dropped
);

	localparam AW = $clog2(RX_FIFO_DEPTH);

	// ---- receiver ----

	wire rx_valid, rx_ready;
	wire [7:0] rx_data;

	snn_uart_rx #(
		.CLKS_PER_BIT(CLKS_PER_BIT)
	) u_rx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_rxd(i_rxd),
		.o_valid(rx_valid),
		.i_ready(rx_ready),
		.o_data(rx_data),
		.o_frame_err(o_frame_err),
		.o_overrun(o_overrun)
	);

	// ---- receive queue ----
	// Pointers one bit wider than the address tell full from empty. The
	// RAM's read register is the output: a word is read when the output is
	// empty or being taken, and shown from the next cycle on.

	reg [AW:0] wr, rd;
	reg out_valid;
	// Empty and full are registers, set as the pointers move: a pointer
	// compare in front of the RAM's write enable was the link's longest
	// path at 48 MHz (docs/boards.md).
	reg fifo_empty, fifo_full;
	// ... and so are the pointers' next values, counted beside them: the
	// increment's carry chain in front of the compare was the step
	// device's slowest path at 81 % of the UP5K
	reg [AW:0] wr_inc, rd_inc;

	assign rx_ready = !fifo_full;
	wire push = rx_valid && rx_ready;
	wire pop = !fifo_empty && (!out_valid || i_rx_ready);

	always @(posedge i_clk) begin
		if (i_rst) begin
			wr <= {(AW+1){1'b0}};
			rd <= {(AW+1){1'b0}};
			wr_inc <= {{AW{1'b0}}, 1'b1};
			rd_inc <= {{AW{1'b0}}, 1'b1};
			out_valid <= 1'b0;
			fifo_empty <= 1'b1;
			fifo_full <= 1'b0;
		end else begin
			if (push) begin
				wr <= wr_inc;
				wr_inc <= wr_inc + 1'b1;
			end
			if (pop) begin
				rd <= rd_inc;
				rd_inc <= rd_inc + 1'b1;
				out_valid <= 1'b1;
			end else if (i_rx_ready) begin
				out_valid <= 1'b0;
			end
			// a push and a pop together leave both as they are
			if (push && !pop) begin
				fifo_empty <= 1'b0;
				fifo_full <= wr_inc == {~rd[AW], rd[AW-1:0]};
			end else if (pop && !push) begin
				fifo_full <= 1'b0;
				fifo_empty <= rd_inc == wr;
			end
		end
	end

	snn_ram_sdp #(
		.WIDTH(8),
		.DEPTH(RX_FIFO_DEPTH)
	) u_fifo (
		.i_clk(i_clk),
		.i_we(push),
		.i_waddr(wr[AW-1:0]),
		.i_wdata(rx_data),
		.i_re(pop),
		.i_raddr(rd[AW-1:0]),
		.o_rdata(o_rx_data)
	);

	assign o_rx_valid = out_valid;

	// ---- transmitter ----

	snn_uart_tx #(
		.CLKS_PER_BIT(CLKS_PER_BIT)
	) u_tx (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_valid(i_tx_valid),
		.o_ready(o_tx_ready),
		.i_data(i_tx_data),
		.o_txd(o_txd)
	);

endmodule

`default_nettype wire
