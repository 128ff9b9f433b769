// 8N1 UART receiver: the serial line in, a stream of bytes out, with a pulse for each byte whose stop bit was low or that found the output still full.
//
// The line goes through a two-flop synchroniser. A falling edge starts a
// byte; the start bit is checked again at its middle (a shorter low pulse is
// ignored), then each data bit and the stop bit are sampled at their
// centres, CLKS_PER_BIT cycles apart. A byte is offered on o_valid/o_data
// once its stop bit has been sampled high; the receiver is ready for the
// next start bit straight away, half a bit before the stop bit ends, so a
// sender whose clock runs a few percent fast is still followed. A low stop
// bit drops the byte, pulses o_frame_err, and the receiver waits for the
// line to go high before it looks for a start bit again. A byte that
// completes while the last one has not been taken is dropped with a pulse
// on o_overrun (the byte on offer stays, as the valid/ready rule requires).
// docs/boards.md, "The UART link".
`default_nettype none

module snn_uart_rx #(
	parameter CLKS_PER_BIT = 16	// i_clk cycles per bit, at least 4 (16: 3 Mbaud at 48 MHz)
) (
	input wire i_clk,
	input wire i_rst,
	// the line, asynchronous to i_clk; idle high
	input wire i_rxd,
	// received bytes
	output wire o_valid,
	input wire i_ready,
	output wire [7:0] o_data,
	// one-cycle pulses
	output wire o_frame_err,	// a stop bit was low: that byte is dropped
	output wire o_overrun	// a byte completed while o_valid was held: that byte is dropped
);

	// A parameter below 4 leaves too few cycles to find the bit centres:
	// elaboration fails on this missing module's name.
	generate
		if (CLKS_PER_BIT < 4) begin : g_check
			snn_uart_rx_CLKS_PER_BIT_must_be_at_least_4 u_bad ();
		end
	endgenerate

	localparam CW = $clog2(CLKS_PER_BIT);
	// The falling edge is seen 0 .. 1 cycle after it happened (plus the
	// synchroniser's delay, which every bit shares). The start bit is
	// checked HALF + 1 = (CLKS_PER_BIT - 1) / 2 cycles after the edge is
	// seen, and every later bit a whole bit after that: within half a cycle
	// of the centre for an odd CLKS_PER_BIT, up to a cycle early for an even.
	localparam HALF = (CLKS_PER_BIT - 1) / 2 - 1;
	localparam LAST = CLKS_PER_BIT - 1;

	localparam [2:0] S_IDLE = 3'd0;	// line high, waiting for a falling edge
	localparam [2:0] S_START = 3'd1;	// to the middle of the start bit
	localparam [2:0] S_DATA = 3'd2;	// eight data bits, least significant first
	localparam [2:0] S_STOP = 3'd3;	// to the middle of the stop bit
	localparam [2:0] S_BREAK = 3'd4;	// after a framing error: wait for the line to go high

	// Two-flop synchroniser; both flops reset to the idle level.
	reg rx_meta, rx_sync;

	reg [2:0] state;
	reg [CW-1:0] count;	// cycles into the current bit
	reg [2:0] nbit;	// data bits received
	reg [7:0] shift;
	reg out_valid;
	reg [7:0] out_data;
	reg frame_err, overrun;

	always @(posedge i_clk) begin
		if (i_rst) begin
			rx_meta <= 1'b1;
			rx_sync <= 1'b1;
			state <= S_IDLE;
			count <= {CW{1'b0}};
			nbit <= 3'd0;
			shift <= 8'd0;
			out_valid <= 1'b0;
			out_data <= 8'd0;
			frame_err <= 1'b0;
			overrun <= 1'b0;
		end else begin
			rx_meta <= i_rxd;
			rx_sync <= rx_meta;
			frame_err <= 1'b0;
			overrun <= 1'b0;
			if (out_valid && i_ready)
				out_valid <= 1'b0;
			count <= count + 1'b1;
			case (state)
			S_IDLE: begin
				count <= {CW{1'b0}};
				if (!rx_sync)
					state <= S_START;
			end
			S_START:
				if (count == HALF[CW-1:0]) begin
					count <= {CW{1'b0}};
					nbit <= 3'd0;
					// still low at the middle: a start bit; high: a glitch
					state <= rx_sync ? S_IDLE : S_DATA;
				end
			S_DATA:
				if (count == LAST[CW-1:0]) begin
					count <= {CW{1'b0}};
					shift <= {rx_sync, shift[7:1]};
					nbit <= nbit + 1'b1;
					if (nbit == 3'd7)
						state <= S_STOP;
				end
			S_STOP:
				if (count == LAST[CW-1:0]) begin
					count <= {CW{1'b0}};
					if (!rx_sync) begin
						frame_err <= 1'b1;
						state <= S_BREAK;
					end else begin
						state <= S_IDLE;
						if (!out_valid || i_ready) begin
							out_valid <= 1'b1;
							out_data <= shift;
						end else begin
							overrun <= 1'b1;
						end
					end
				end
			S_BREAK: begin
				count <= {CW{1'b0}};
				if (rx_sync)
					state <= S_IDLE;
			end
			default:
				state <= S_IDLE;
			endcase
		end
	end

	assign o_valid = out_valid;
	assign o_data = out_data;
	assign o_frame_err = frame_err;
	assign o_overrun = overrun;

`ifndef SYNTHESIS
	// State names for waveform viewers (simulation only).
	reg [8*8-1:0] state_ascii;
	always @* begin
		case (state)
		S_IDLE: state_ascii = "idle";
		S_START: state_ascii = "start";
		S_DATA: state_ascii = "data";
		S_STOP: state_ascii = "stop";
		S_BREAK: state_ascii = "break";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
