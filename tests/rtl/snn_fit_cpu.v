// Test top for rtl-fit-cpu (rtl/mk/cpu.mk): snn_cpu with 2 KiB of block RAM as its memory, answering the cycle after a request, and a shift register for the reset and the outputs.
`default_nettype none
module snn_fit_cpu (input wire i_clk, input wire i_din, output wire o_dout);
	wire valid, trap;
	wire [31:0] addr, wdata, rdata, pc, ir;
	wire [3:0] wstrb;
	reg ready;
	reg [7:0] sr;
	always @(posedge i_clk) begin
		ready <= valid && !ready;
		sr <= {sr[6:0], i_din} ^ {7'd0, trap ^ (^pc) ^ (^ir) ^ (^addr[31:11]) ^ (^addr[1:0])};
	end
	assign o_dout = sr[7];
	snn_ram_sdp_be #(.BYTES(4), .DEPTH(512)) u_mem (
		.i_clk(i_clk), .i_we(valid && !ready ? wstrb : 4'd0), .i_waddr(addr[10:2]), .i_wdata(wdata),
		.i_re(valid && !ready), .i_raddr(addr[10:2]), .o_rdata(rdata));
	snn_cpu dut (.i_clk(i_clk), .i_rst(sr[0]), .o_mem_valid(valid), .o_mem_addr(addr), .o_mem_wdata(wdata),
		.o_mem_wstrb(wstrb), .i_mem_ready(ready), .i_mem_rdata(rdata), .o_trap(trap), .o_pc(pc), .o_ir(ir));
endmodule
`default_nettype wire
