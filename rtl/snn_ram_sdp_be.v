// Simple dual-port RAM with a write enable per byte (one write port, one registered read port), written so Yosys infers iCE40 EBR with its bit masks.
//
// As snn_ram_sdp, with i_we one bit a byte lane: a 256 x 32 buffer that
// takes bytes one at a time and gives words whole is two SB_RAM40_4K.
// Contents start undefined, or as INIT_FILE says ($readmemh: one word a
// line, in hex; at elaboration, so Yosys puts it in the EBR's initial
// contents); a read of a word written in the same cycle is undefined (the
// simulation returns it inverted, as snn_ram_sdp does).
`default_nettype none

module snn_ram_sdp_be #(
	parameter BYTES = 4,	// bytes per word
	parameter DEPTH = 256,	// words
	parameter INIT_FILE = ""	// words to start with, or none
) (
	input wire i_clk,
	// write port: the bytes whose i_we bit is set
	input wire [BYTES-1:0] i_we,
	input wire [$clog2(DEPTH)-1:0] i_waddr,
	input wire [8*BYTES-1:0] i_wdata,
	// read port: o_rdata is mem[i_raddr] from the last edge with i_re set,
	// and holds while i_re is clear
	input wire i_re,
	input wire [$clog2(DEPTH)-1:0] i_raddr,
	output reg [8*BYTES-1:0] o_rdata
);

	(* no_rw_check *) reg [8*BYTES-1:0] mem [0:DEPTH-1];

	generate
		if (INIT_FILE != "") begin : g_init
			initial $readmemh(INIT_FILE, mem);
		end
	endgenerate

	integer b;
	always @(posedge i_clk) begin
		for (b = 0; b < BYTES; b = b + 1)
			if (i_we[b])
				mem[i_waddr][8*b +: 8] <= i_wdata[8*b +: 8];
		if (i_re)
`ifdef SYNTHESIS
			o_rdata <= mem[i_raddr];
`else
			o_rdata <= |i_we && i_waddr == i_raddr ? ~mem[i_raddr] : mem[i_raddr];
`endif
	end

endmodule

`default_nettype wire
