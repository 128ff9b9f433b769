// Simple dual-port RAM (one write port, one registered read port) written so Yosys infers iCE40 EBR (SB_RAM40_4K).
//
// The behavioural model is the only one: synthesis maps it onto block RAM,
// and a board wrapper may swap in a vendor primitive with the same ports.
// Contents are not reset and start undefined, as in block RAM; so is a
// read of the word written in the same cycle (below).
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

	// A read of the word being written in the same cycle is not defined:
	// no design here does one, so synthesis need not keep the old word
	// (no_rw_check spares the bypass Yosys would otherwise build, two
	// flip-flops and a LUT a bit). The simulation returns the old word
	// inverted then, so a design that came to rely on it fails its tests.
	(* no_rw_check *) reg [WIDTH-1:0] mem [0:DEPTH-1];

	always @(posedge i_clk) begin
		if (i_we)
			mem[i_waddr] <= i_wdata;
		if (i_re)
`ifdef SYNTHESIS
			o_rdata <= mem[i_raddr];
`else
			o_rdata <= i_we && i_waddr == i_raddr ? ~mem[i_raddr] : mem[i_raddr];
`endif
	end

endmodule

`default_nettype wire
