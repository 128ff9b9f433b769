// A small RV32I processor, one instruction at a time, for the device's control (docs/rtl.md, "The iCEBreaker device, packed").
//
// Narrow and registered at every step, for 48 MHz on the iCE40UP5K: the
// registers are one block RAM read a port at a time (rs1, then rs2); the
// instruction is decoded into flip-flops while rs2 is read; the one 32-bit
// adder takes its operands from flip-flops (the subtrahend inverted on the
// way in) and puts its sum straight into flip-flops, a branch worked out
// meanwhile for either sign of the difference and its equality in four
// parts; a second adder makes pc plus the immediate (jump and branch
// targets) beside it; a load's bytes are picked by selects made before its
// word comes; shifts go a bit a cycle. An instruction takes 6 cycles with
// a memory that answers in one (fetch 2, decode, operands, execute, write
// back), a load 8, a store 7, a shift 5 plus its amount. The whole base
// integer set but the CSR and environment instructions: an opcode the set
// does not have (SYSTEM's ECALL, EBREAK and CSR accesses among them) and a
// misaligned load or store stop the processor with o_trap (its pc and the
// instruction stay in o_pc, o_ir); a jump to a misaligned target stops it
// at the fetch there (o_pc the target, rd written). Only the opcode is
// checked: funct3 and funct7 values the set leaves unused, which a
// compiler never emits, run as their neighbours. FENCE does nothing (one
// memory, no caches).
`default_nettype none

module snn_cpu #(
	parameter [31:0] RESET_PC = 32'h0000_0000
) (
	input wire i_clk,
	input wire i_rst,
	// memory: a request is held until i_mem_ready; o_mem_wstrb 0 is a
	// read, whose word comes with ready
	output reg o_mem_valid,
	output reg [31:0] o_mem_addr,	// pc, or a load's or store's word (bits 1:0 zero)
	output reg [31:0] o_mem_wdata,	// a store's byte or halfword in every lane it can take
	output reg [3:0] o_mem_wstrb,
	input wire i_mem_ready,
	input wire [31:0] i_mem_rdata,
	// stopped on an instruction it does not run
	output reg o_trap,
	output reg [31:0] o_pc,
	output reg [31:0] o_ir
);

	// RV32I opcodes (the ISA manual's, not the host protocol's)
	localparam [6:0] RV_LUI = 7'b0110111, RV_AUIPC = 7'b0010111, RV_JAL = 7'b1101111,
			 RV_JALR = 7'b1100111, RV_BRANCH = 7'b1100011, RV_LOAD = 7'b0000011,
			 RV_STORE = 7'b0100011, RV_IMM = 7'b0010011, RV_REG = 7'b0110011,
			 RV_FENCE = 7'b0001111;

	localparam [2:0] S_FETCH = 3'd0, S_DECODE = 3'd1, S_OPER = 3'd2, S_EXEC = 3'd3,
			 S_WB = 3'd4, S_SHIFT = 3'd5, S_MEM = 3'd6, S_TRAP = 3'd7;
	reg [2:0] state;

	wire [31:0] ir = o_ir;
	wire [31:0] pc = o_pc;
	wire [6:0] opcode = ir[6:0];
	wire [2:0] f3 = ir[14:12];
	wire [4:0] rd = ir[11:7];

	// ---- registers: one block RAM, x0 read as 0 ------------------------------
	reg [31:0] rf [0:31];
	reg [31:0] rf_q;
	reg rf_q_x0;	// rf_q stands for x0
	reg rf_we;
	reg [31:0] rf_wdata;
	wire rf_re = (state == S_FETCH && i_mem_ready) || state == S_DECODE;
	wire [4:0] rf_raddr = state == S_FETCH ? i_mem_rdata[19:15] : ir[24:20];
	always @(posedge i_clk) begin
		if (rf_we && rd != 5'd0)
			rf[rd] <= rf_wdata;
		if (rf_re) begin
			rf_q <= rf[rf_raddr];
			rf_q_x0 <= rf_raddr == 5'd0;
		end
	end
	wire [31:0] rf_val = rf_q_x0 ? 32'd0 : rf_q;

	// ---- decode (S_DECODE): what the instruction is, into flip-flops -------
	localparam K_ALU = 0, K_SHIFT = 1, K_UPPER = 2, K_JAL = 3, K_JALR = 4, K_BRANCH = 5, K_LOAD = 6,
		   K_STORE = 7, K_NOP = 8, K_BAD = 9;
	reg [9:0] kind;	// one-hot
	wire is_reg = opcode == RV_REG, is_imm = opcode == RV_IMM;
	wire shift_op = (is_reg || is_imm) && f3[1:0] == 2'b01;
	reg [9:0] kind_d;
	always @* begin
		kind_d = 10'd0;
		case (opcode)
		RV_IMM, RV_REG: kind_d[shift_op ? K_SHIFT : K_ALU] = 1'b1;
		RV_LUI, RV_AUIPC: kind_d[K_UPPER] = 1'b1;
		RV_JAL: kind_d[K_JAL] = 1'b1;
		RV_JALR: kind_d[K_JALR] = 1'b1;
		RV_BRANCH: kind_d[K_BRANCH] = 1'b1;
		RV_LOAD: kind_d[K_LOAD] = 1'b1;
		RV_STORE: kind_d[K_STORE] = 1'b1;
		RV_FENCE: kind_d[K_NOP] = 1'b1;
		default: kind_d[K_BAD] = 1'b1;	// SYSTEM, and every opcode the set does not have
		endcase
	end
	// the adder: subtract for SUB, SLT(I), SLTU(I) and the branches' compares
	reg c_sub, c_use_b, c_use_pc, c_zero_x;
	// the immediate, one decoder for every format
	wire fmt_u = opcode == RV_LUI || opcode == RV_AUIPC;
	wire fmt_j = opcode == RV_JAL;
	wire fmt_b = opcode == RV_BRANCH;
	wire fmt_s = opcode == RV_STORE;
	reg [31:0] imm;

	reg [31:0] a, b;	// rs1, rs2
	reg [31:0] x, y;	// the adder's operands, y inverted when subtracting
	reg [31:0] res;	// S_EXEC's sum: a result, a load's, store's or JALR's address
	reg [31:0] pc4, target;	// pc + 4, pc + imm
	reg shift_last;	// S_SHIFT: the amount is used up

	// ---- execute (S_EXEC): from flip-flops into flip-flops -----------------
	// The carry chain is the longest path: its carry in is c_sub copied a
	// cycle later, a flip-flop free to sit at the chain's start (set in
	// S_DECODE beside c_sub, it shared c_sub's LUT, placed far from the
	// chain), each sum bit goes into the flip-flop beside its LUT, and the
	// compares, finished in S_WB, need no carry out.
	(* keep *) reg c_cin;
	always @(posedge i_clk)
		c_cin <= c_sub;
	wire [31:0] sum = x + y + {31'd0, c_cin};
	// XOR, OR, AND: made in S_OPER beside the adder's operands
	reg [31:0] logic_r;
	wire [31:0] y_in = c_use_b ? rf_val : imm;	// S_OPER: rs2 or the immediate
	reg [31:0] logic_op;
	always @*
		case (f3[1:0])
		2'b00: logic_op = a ^ y_in;
		2'b10: logic_op = a | y_in;
		default: logic_op = a & y_in;
		endcase
	// a < b from S_EXEC's difference (y is ~rs2 or ~imm when comparing): where
	// the signs differ the negative one is less, the larger unsigned; else
	// the difference cannot overflow and its sign says (no carry out needed)
	wire signs_differ = x[31] == y[31];
	wire lt = signs_differ ? x[31] : res[31];
	wire ltu = signs_differ ? !y[31] : res[31];

	// ---- loads and stores: the address waits in res -------------------------
	// S_OPER: the address's low bits (rs1 plus the immediate) ahead of the
	// adder, so that S_EXEC acts on a flip-flop
	wire [1:0] addr_lo = {a[1] ^ imm[1] ^ (a[0] & imm[0]), a[0] ^ imm[0]};
	wire misaligned = (f3[1:0] == 2'b01 && addr_lo[0]) || (f3[1:0] == 2'b10 && addr_lo != 2'b00);
	reg to_trap, to_mem;	// where S_EXEC goes, decided in S_OPER: its state logic stays short
	// A load's word is cut out of the memory's by AND-ORs of one-hot lane
	// selects set in S_OPER from the address's low bits, at most three LUTs
	// (it was five, through the address's bits and the sign). ld takes it
	// every cycle; S_WB has the one that came with ready.
	wire ld_word = f3[1], ld_half = !f3[1] && f3[0], ld_byte = !f3[1] && !f3[0];
	reg [3:0] sel_lo;	// the byte lane that is bits 7:0
	reg sel_15, sel_31;	// bits 15:8 from lane 1, lane 3
	reg [3:0] sgn_b, sgn_h;	// the lane whose bit 7 is the sign, for bits 15:8 (a byte), 31:16
	wire [3:0] lane_lo = 4'd1 << (ld_word ? 2'd0 : ld_half ? {addr_lo[1], 1'b0} : addr_lo);
	wire [3:0] lane_top = 4'd1 << (ld_half ? {addr_lo[1], 1'b1} : addr_lo);	// a byte's or halfword's sign
	wire [3:0] rd_b7 = {i_mem_rdata[31], i_mem_rdata[23], i_mem_rdata[15], i_mem_rdata[7]};
	wire sign_b = |(sgn_b & rd_b7), sign_h = |(sgn_h & rd_b7);
	reg [31:0] ld;
	wire [31:0] load = {({16{ld_word}} & i_mem_rdata[31:16]) | {16{sign_h}},
			    ({8{sel_15}} & i_mem_rdata[15:8]) | ({8{sel_31}} & i_mem_rdata[31:24]) | {8{sign_b}},
			    ({8{sel_lo[0]}} & i_mem_rdata[7:0]) | ({8{sel_lo[1]}} & i_mem_rdata[15:8]) |
			    ({8{sel_lo[2]}} & i_mem_rdata[23:16]) | ({8{sel_lo[3]}} & i_mem_rdata[31:24])};
	always @(posedge i_clk)
		ld <= load;

	always @* begin
		o_mem_addr = {state == S_MEM ? res[31:2] : pc[31:2], 2'b00};
		o_mem_wdata = f3[1] ? b : f3[0] ? {2{b[15:0]}} : {4{b[7:0]}};
		o_mem_wstrb = 4'd0;
		if (state == S_MEM && kind[K_STORE])
			o_mem_wstrb = f3[1] ? 4'b1111 : f3[0] ? {res[1], res[1], !res[1], !res[1]} :
				      {res[1] & res[0], res[1] & !res[0], !res[1] & res[0], !res[1] & !res[0]};
	end

	// ---- write back (S_WB): the branch decided -------------------------------
	// S_EXEC works out whether the jump is taken for either sign of the
	// difference it is making (the sign comes last out of the carry chain);
	// S_WB picks one by the sign.
	function branch_taken(input [2:0] f, input equal, input sign, input sdiff, input x31, input y31);
		reg less, less_u;
		begin
			less = sdiff ? x31 : sign;
			less_u = sdiff ? !y31 : sign;
			case (f)
			3'b000: branch_taken = equal;
			3'b001: branch_taken = !equal;
			3'b100: branch_taken = less;
			3'b101: branch_taken = !less;
			3'b110: branch_taken = less_u;
			default: branch_taken = !less_u;
			endcase
		end
	endfunction
	// The equality is four byte compares in S_EXEC (y is ~rs2), ANDed in
	// S_WB (in one cycle it was five LUTs); an equal difference is zero,
	// its sign 0, so jump_eq is the branch's answer for it.
	reg [3:0] eq_part;
	reg jump_eq, jump_pos, jump_neg;	// the jump taken if the difference is 0, > 0, < 0
	wire jump = &eq_part ? jump_eq : res[31] ? jump_neg : jump_pos;

	// What a write back takes, one-hot, set on the way into the state that
	// writes: an AND-OR of registered selects, two LUTs deep.
	localparam W_RES = 0, W_PC4 = 1, W_LOGIC = 2, W_SLT = 3, W_LOAD = 4, W_SHIFT = 5;
	reg [5:0] wsel;
	wire slt = f3[0] ? ltu : lt;
	always @* begin
		rf_wdata = ({32{wsel[W_RES]}} & res) | ({32{wsel[W_PC4]}} & pc4) | ({32{wsel[W_LOGIC]}} & logic_r) |
			   {31'd0, wsel[W_SLT] & slt} | ({32{wsel[W_LOAD]}} & ld) | ({32{wsel[W_SHIFT]}} & a);
		case (state)
		S_WB: rf_we = !kind[K_BRANCH] && !kind[K_NOP];
		S_SHIFT: rf_we = shift_last;
		default: rf_we = 1'b0;
		endcase
	end

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= S_FETCH;
			o_pc <= RESET_PC;
			o_ir <= 32'd0;
			o_mem_valid <= 1'b1;
			o_trap <= 1'b0;
		end else case (state)
		S_FETCH:
			if (i_mem_ready) begin
				o_mem_valid <= 1'b0;
				o_ir <= i_mem_rdata;
				state <= pc[1] ? S_TRAP : S_DECODE;
			end
		S_DECODE: begin
			a <= rf_val;
			kind <= kind_d;
			c_sub <= opcode == RV_BRANCH || ((is_reg || is_imm) && (f3 == 3'b010 || f3 == 3'b011)) ||
				 (is_reg && f3 == 3'b000 && ir[30]);
			c_use_b <= is_reg || opcode == RV_BRANCH;
			c_use_pc <= opcode == RV_AUIPC;
			c_zero_x <= opcode == RV_LUI;
			imm <= {ir[31],
				fmt_u ? ir[30:20] : {11{ir[31]}},
				fmt_u || fmt_j ? ir[19:12] : {8{ir[31]}},
				fmt_u ? 1'b0 : fmt_j ? ir[20] : fmt_b ? ir[7] : ir[31],
				fmt_u ? 6'd0 : ir[30:25],
				fmt_u ? 4'd0 : fmt_s || fmt_b ? ir[11:8] : ir[24:21],
				fmt_u || fmt_j || fmt_b ? 1'b0 : fmt_s ? ir[7] : ir[20]};
			pc4 <= pc + 32'd4;
			state <= S_OPER;
		end
		S_OPER: begin
			b <= rf_val;
			x <= c_use_pc ? pc : c_zero_x ? 32'd0 : a;
			y <= (c_use_b ? rf_val : imm) ^ {32{c_sub}};
			target <= pc + imm;
			logic_r <= logic_op;
			to_trap <= kind[K_BAD] || ((kind[K_LOAD] || kind[K_STORE]) && misaligned);
			to_mem <= (kind[K_LOAD] || kind[K_STORE]) && !misaligned;
			sel_lo <= lane_lo;
			sel_15 <= ld_word || (ld_half && !addr_lo[1]);
			sel_31 <= ld_half && addr_lo[1];
			sgn_b <= {4{ld_byte && !f3[2]}} & lane_top;
			sgn_h <= {4{!ld_word && !f3[2]}} & lane_top;
			state <= S_EXEC;
		end
		S_EXEC: begin
			res <= sum;	// straight into flip-flops beside the chain's LUTs
			eq_part <= {&(x[31:24] ^ y[31:24]), &(x[23:16] ^ y[23:16]), &(x[15:8] ^ y[15:8]), &(x[7:0] ^ y[7:0])};
			jump_eq <= kind[K_JAL] || (kind[K_BRANCH] && branch_taken(f3, 1'b1, 1'b0, 1'b0, x[31], y[31]));
			jump_pos <= kind[K_JAL] || (kind[K_BRANCH] && branch_taken(f3, 1'b0, 1'b0, x[31] == y[31], x[31], y[31]));
			jump_neg <= kind[K_JAL] || (kind[K_BRANCH] && branch_taken(f3, 1'b0, 1'b1, x[31] == y[31], x[31], y[31]));
			wsel <= 6'd0;
			if (kind[K_SHIFT])
				wsel[W_SHIFT] <= 1'b1;
			else if (kind[K_LOAD])
				wsel[W_LOAD] <= 1'b1;
			else if (kind[K_JAL] || kind[K_JALR])
				wsel[W_PC4] <= 1'b1;
			else if (kind[K_ALU] && f3[2])
				wsel[W_LOGIC] <= 1'b1;
			else if (kind[K_ALU] && f3[1])
				wsel[W_SLT] <= 1'b1;
			else
				wsel[W_RES] <= 1'b1;
			if (kind[K_SHIFT]) begin
				b[4:0] <= y[4:0];	// the amount, counted down
				shift_last <= y[4:0] == 5'd0;
			end
			if (to_trap)
				state <= S_TRAP;
			else if (kind[K_SHIFT])
				state <= S_SHIFT;
			else if (to_mem) begin
				state <= S_MEM;
				o_mem_valid <= 1'b1;
			end else
				state <= S_WB;
		end
		S_WB: begin	// a misaligned target stops the fetch (S_FETCH)
			state <= S_FETCH;
			o_mem_valid <= 1'b1;
			o_pc <= kind[K_JALR] ? {res[31:1], 1'b0} : jump ? target : pc4;
		end
		S_SHIFT:
			if (shift_last) begin
				state <= S_FETCH;
				o_mem_valid <= 1'b1;
				o_pc <= pc4;
			end else begin
				b[4:0] <= b[4:0] - 5'd1;
				shift_last <= b[4:0] == 5'd1;
				a <= f3 == 3'b001 ? {a[30:0], 1'b0} : {ir[30] & a[31], a[31:1]};
			end
		S_MEM:	// a load's word waits in ld for S_WB (the block RAMs' paths are long)
			if (i_mem_ready) begin
				if (kind[K_LOAD]) begin
					state <= S_WB;
					o_mem_valid <= 1'b0;
				end else begin
					state <= S_FETCH;
					o_pc <= pc4;
				end
			end
		default:	// S_TRAP: stays
			o_trap <= 1'b1;
		endcase
	end

endmodule

`default_nettype wire
