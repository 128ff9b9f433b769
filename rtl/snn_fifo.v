// First-in first-out queue in block RAM, with a registered read: a pop shows its word one cycle later.
`default_nettype none

module snn_fifo #(
	parameter WIDTH = 8,
	parameter DEPTH = 16	// a power of two, at least 2
) (
	input wire i_clk,
	input wire i_rst,	// empties the queue (the RAM keeps stale words)
	// push: ignored when full
	input wire i_push,
	input wire [WIDTH-1:0] i_data,
	output wire o_full,
	// pop: ignored when empty; o_data is the popped word from the next cycle on
	input wire i_pop,
	output wire o_empty,
	output wire [WIDTH-1:0] o_data
);

	localparam AW = $clog2(DEPTH);

	reg [AW:0] wr, rd;	// one extra bit tells full from empty

	assign o_empty = wr == rd;
	assign o_full = wr == {~rd[AW], rd[AW-1:0]};

	wire push = i_push && !o_full;
	wire pop = i_pop && !o_empty;

	always @(posedge i_clk) begin
		if (i_rst) begin
			wr <= {(AW+1){1'b0}};
			rd <= {(AW+1){1'b0}};
		end else begin
			if (push)
				wr <= wr + 1'b1;
			if (pop)
				rd <= rd + 1'b1;
		end
	end

	snn_ram_sdp #(.WIDTH(WIDTH), .DEPTH(DEPTH)) ram (
		.i_clk(i_clk),
		.i_we(push), .i_waddr(wr[AW-1:0]), .i_wdata(i_data),
		.i_re(pop), .i_raddr(rd[AW-1:0]), .o_rdata(o_data)
	);

endmodule

`default_nettype wire
