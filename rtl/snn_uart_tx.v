// 8N1 UART transmitter: a stream of bytes in, the serial line out (start bit, eight data bits least significant first, stop bit).
//
// A byte is taken while the line is idle or in the last cycle of the
// previous stop bit, so bytes offered back to back go out with no gap: ten
// bits of CLKS_PER_BIT cycles each. The line comes from a flip-flop (high
// after reset). docs/boards.md, "The UART link".
`default_nettype none

module snn_uart_tx #(
	parameter CLKS_PER_BIT = 16	// i_clk cycles per bit, at least 4 (16: 3 Mbaud at 48 MHz)
) (
	input wire i_clk,
	input wire i_rst,
	// bytes to send
	input wire i_valid,
	output wire o_ready,
	input wire [7:0] i_data,
	// the line; idle high
	output wire o_txd
);

	// Matches snn_uart_rx, so the two ends of a link agree on what they accept.
	generate
		if (CLKS_PER_BIT < 4) begin : g_check
			snn_uart_tx_CLKS_PER_BIT_must_be_at_least_4 u_bad ();
		end
	endgenerate

	localparam CW = $clog2(CLKS_PER_BIT);
	localparam LAST2 = CLKS_PER_BIT - 2;

	reg busy;	// a bit is on the line
	reg [CW-1:0] count;	// cycles into the current bit
	reg [3:0] left;	// bits still to send after the current one
	reg [8:0] shift;	// those bits, the next one in bit 0 (the stop bit last)
	reg txd;
	// o_ready, a flip-flop so the sender's logic starts from a register:
	// high while idle and in the last cycle of a stop bit.
	reg ready;

	// the bit's last cycle (count == CLKS_PER_BIT - 1), a register set the cycle
	// before: the compare in front of the enables was a slowest path of
	// the iCEBreaker's step device
	reg bit_end;
	wire take = i_valid && ready;

	always @(posedge i_clk) begin
		if (i_rst) begin
			busy <= 1'b0;
			count <= {CW{1'b0}};
			left <= 4'd0;
			shift <= 9'h1FF;
			txd <= 1'b1;
			ready <= 1'b1;
			bit_end <= 1'b0;
		end else if (take) begin
			bit_end <= 1'b0;
			// the start bit
			busy <= 1'b1;
			count <= {CW{1'b0}};
			left <= 4'd9;
			shift <= {1'b1, i_data};
			txd <= 1'b0;
			ready <= 1'b0;	// CLKS_PER_BIT >= 4: the start bit is longer than a cycle
		end else if (busy) begin
			count <= count + 1'b1;
			bit_end <= !bit_end && count == LAST2[CW-1:0];
			// ready in the stop bit's last cycle, and idle after it
			ready <= left == 4'd0 && (count == LAST2[CW-1:0] || bit_end);
			if (bit_end) begin
				count <= {CW{1'b0}};
				if (left == 4'd0) begin
					busy <= 1'b0;	// the stop bit has ended
				end else begin
					txd <= shift[0];
					shift <= {1'b1, shift[8:1]};
					left <= left - 1'b1;
				end
			end
		end
	end

	assign o_ready = ready;
	assign o_txd = txd;

endmodule

`default_nettype wire
