// Simple dual-port RAM (one write port, one registered read port) written so Yosys infers iCE40 EBR (SB_RAM40_4K).
//
// The behavioural model is the only one: synthesis maps it onto block RAM,
// and a board wrapper may swap in a vendor primitive with the same ports.
// Contents are not reset and start undefined, as in block RAM.
`default_nettype none

module snn_ram_sdp #(
	parameter WIDTH = 8,	// bits per word
	parameter DEPTH = 1024	// words
) (
	input wire i_clk,
	// write port
	input wire i_we,
	input wire [$clog2(DEPTH)-1:0] i_waddr,
	input wire [WIDTH-1:0] i_wdata,
	// read port: o_rdata is mem[i_raddr] from the last edge with i_re set,
	// and holds while i_re is clear
	input wire i_re,
	input wire [$clog2(DEPTH)-1:0] i_raddr,
	output reg [WIDTH-1:0] o_rdata
);

	reg [WIDTH-1:0] mem [0:DEPTH-1];

	always @(posedge i_clk) begin
		if (i_we)
			mem[i_waddr] <= i_wdata;
		if (i_re)
			o_rdata <= mem[i_raddr];
	end

endmodule

`default_nettype wire
