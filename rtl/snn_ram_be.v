// Single-port RAM with byte write enables and a registered read: the shape of the UP5K's SPRAM blocks side by side, as a behavioural model.
//
// One access a cycle: a write of the bytes selected by i_be, or a read
// whose word is on o_rdata after the edge (and held until the next read).
// The engine's pool (docs/rtl.md, "The time-multiplexed device") is one of
// these; a board build swaps in the SB_SPRAM256KA primitives.
`default_nettype none

`ifdef SNN_POOL_BLACKBOX
(* blackbox *)
`endif
module snn_ram_be #(
	parameter BYTES = 8,	// bytes per word
	parameter DEPTH = 1024	// words
) (
	input wire i_clk,
	input wire i_en,
	input wire i_we,
	input wire [BYTES-1:0] i_be,
	input wire [$clog2(DEPTH)-1:0] i_addr,
	input wire [8*BYTES-1:0] i_wdata,
	output reg [8*BYTES-1:0] o_rdata
);

`ifndef SNN_POOL_BLACKBOX
	reg [8*BYTES-1:0] mem [0:DEPTH-1];

	integer b;
	always @(posedge i_clk) begin
		if (i_en && i_we) begin
			for (b = 0; b < BYTES; b = b + 1)
				if (i_be[b])
					mem[i_addr][8*b +: 8] <= i_wdata[8*b +: 8];
		end else if (i_en) begin
			o_rdata <= mem[i_addr];
		end
	end
`endif

endmodule

`default_nettype wire
