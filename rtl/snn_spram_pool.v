// The weight and state pool: the UP5K's four SPRAM blocks side by side as DEPTH lines of 64 bits, one access a cycle, byte write enables, registered read.
//
// Synthesis (SYNTHESIS defined, as Yosys does) instantiates four
// SB_SPRAM256KA, block k holding bytes 2k and 2k+1 of every line; its
// nibble mask MASKWREN takes each byte enable twice. Otherwise a
// behavioural model of the same cycle behaviour stands in, so Verilator
// runs without the Lattice primitive, at any DEPTH.
//
// A cycle with i_en high is a read, or with i_we a write of the bytes
// whose i_be bit is set. After a read, o_rdata is the line from the next
// edge on, and holds while i_en is low. After a write o_rdata is undefined
// (the SPRAM's DATAOUT; the model makes it X, random under Verilator).
// Contents start undefined and are never reset.
`default_nettype none

module snn_spram_pool #(
	parameter DEPTH = 16384	// lines, 2 .. 16384 (the SPRAM's); simulation may use fewer
) (
	input wire i_clk,
	input wire i_en,	// access this cycle
	input wire i_we,	// the access is a write
	input wire [7:0] i_be,	// bytes written
	input wire [$clog2(DEPTH)-1:0] i_addr,
	input wire [63:0] i_wdata,
	output wire [63:0] o_rdata
);

`ifdef SYNTHESIS
	localparam AW = $clog2(DEPTH);
	wire [13:0] addr;
	generate
		if (AW < 14) begin : narrow
			assign addr = {{(14 - AW){1'b0}}, i_addr};
		end else begin : full
			assign addr = i_addr;
		end
	endgenerate

	genvar k;
	generate
		for (k = 0; k < 4; k = k + 1) begin : block
			SB_SPRAM256KA spram (
				.ADDRESS(addr),
				.DATAIN(i_wdata[16*k +: 16]),
				.MASKWREN({i_be[2*k+1], i_be[2*k+1], i_be[2*k], i_be[2*k]}),
				.WREN(i_we),
				.CHIPSELECT(i_en),
				.CLOCK(i_clk),
				.STANDBY(1'b0),
				.SLEEP(1'b0),
				.POWEROFF(1'b1),
				.DATAOUT(o_rdata[16*k +: 16])
			);
		end
	endgenerate
`else
	reg [63:0] mem [0:DEPTH-1];
	reg [63:0] rdata;

	integer b;
	always @(posedge i_clk) begin
		if (i_en && i_we) begin
			for (b = 0; b < 8; b = b + 1)
				if (i_be[b])
					mem[i_addr][8*b +: 8] <= i_wdata[8*b +: 8];
			rdata <= {64{1'bx}};
		end else if (i_en) begin
			rdata <= mem[i_addr];
		end
	end
	assign o_rdata = rdata;
`endif

endmodule

`default_nettype wire
