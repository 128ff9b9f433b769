// RESET's check of a configuration written since the last RESET, read back through the memory port: the GLOBAL words, which size the input queue, and with CHECK_CONFIG every core's registers and routes (docs/rtl.md, "What RESET checks").
//
// C*H*W is multiplied bit-serially (two passes of IB cycles, saturating
// above INPUT_MAX), so the check needs no multiplier. Without
// CHECK_CONFIG (the lean layer of the board builds) only the GLOBAL words
// are read; the core and route states and their registers are then never
// reached and synthesis drops them.
`default_nettype none

module snn_cmd_check #(
	parameter N_CORES = 4,
	parameter NEURONS = 256,
	parameter AXONS = 256,
	parameter SYN_WORDS = 4096,
	parameter MEMBRANE_BITS = 16,
	parameter ROUTES = 4,
	parameter INPUT_ROUTES = 4,
	parameter MAX_PHASES = 4,
	parameter NEURON_TOTAL = 0,
	parameter SYN_TOTAL = 0,
	parameter ROUTE_TOTAL = 0,
	parameter CHECK_CONFIG = 1,
	parameter INPUT_MAX = 4096
) (
	input wire i_clk,
	input wire i_rst,
	input wire i_start,	// check the configuration (while idle)
	output wire o_busy,
	output reg o_bad,	// the last check failed
	output reg [IB-1:0] o_in_size,	// its C*H*W (0 without input routes)
	// reads through the array's memory port
	output wire o_mem_valid,
	input wire i_mem_ready,
	output reg [2:0] o_mem_region,
	output reg [15:0] o_mem_core,
	output reg [15:0] o_mem_index,
	input wire i_mem_done,
	input wire [31:0] i_mem_rdata
);

	localparam IB = $clog2(INPUT_MAX + 1);	// bits of a tensor dimension we accept
	localparam NCB = $clog2(N_CORES + 1), IRB = $clog2(INPUT_ROUTES + 1);
	localparam [31:0] N_CORES_W = N_CORES, INPUT_ROUTES_W = INPUT_ROUTES, INPUT_MAX_W = INPUT_MAX;
	localparam signed [31:0] VMAX = (32'sd1 <<< (MEMBRANE_BITS - 1)) - 32'sd1;
	localparam signed [31:0] VMIN = -(32'sd1 <<< (MEMBRANE_BITS - 1));
	localparam [31:0] NEURON_TOTAL_W = NEURON_TOTAL, SYN_TOTAL_W = SYN_TOTAL,
		ROUTE_TOTAL_W = ROUTE_TOTAL;

	localparam [2:0] REGION_GLOBAL = 3'd0;
	localparam [2:0] REGION_CORE = 3'd1;
	localparam [2:0] REGION_ROUTE = 3'd4;
	localparam [2:0] REGION_INPUT_ROUTE = 3'd5;

	localparam [3:0] K_IDLE = 4'd0;
	localparam [3:0] K_REQ = 4'd1;	// a read (returns to ret)
	localparam [3:0] K_WAIT = 4'd2;
	localparam [3:0] K_G = 4'd3;	// GLOBAL word o_mem_index taken
	localparam [3:0] K_MUL = 4'd4;	// C*H*W
	localparam [3:0] K_GCHK = 4'd5;
	localparam [3:0] K_R = 4'd6;	// core registers
	localparam [3:0] K_RCHK = 4'd7;
	localparam [3:0] K_P2 = 4'd8;	// every core's routes: N_NEURONS,
	localparam [3:0] K_RN = 4'd9;	// ... ROUTE_COUNT,
	localparam [3:0] K_RC = 4'd10;	// ... the route words
	localparam [3:0] K_RW = 4'd11;
	localparam [3:0] K_IR = 4'd12;	// then the input routes
	localparam [3:0] K_RB = 4'd13;	// ... ROUTE_BASE (shared budgets: the routes' place)

	reg [3:0] state, ret;
	reg [31:0] x;	// the word read

	// GLOBAL at the widths a valid one needs; g_bad: a word beyond them
	reg [NCB-1:0] g_ncores;
	reg [IB-1:0] g_c;
	reg [IRB-1:0] g_iroutes;
	reg g_bad, g_dims_bad;
	// C*H*W: m_acc += m_a for each set bit of m_b; m_over once above INPUT_MAX
	reg [IB:0] m_a;
	reg [IB-1:0] m_b;
	reg [IB-1:0] m_acc;
	reg m_over, m_pass;
	wire [IB:0] m_sum = {1'b0, m_acc} + {1'b0, m_a[IB-1:0]};

	// core and route checks
	reg [15:0] v_core;
	reg [4:0] v_reg;
	reg [1:0] v_mode;
	reg [31:0] v_inh, v_inw, v_kh, v_kw;
	reg [N_CORES-1:0] core_on;	// cores below N_CORES with MODE != 0
	reg v_input;	// checking the input routes
	reg [15:0] v_k;	// route word
	reg [31:0] v_rcount, v_rlim, v_srclo;	// entries in use, src_hi limit, src_lo
	// With shared budgets a core's route words sit at 4 x ROUTE_BASE in the
	// route table (protocol 3's index, docs/host-protocol.md, "Address")
	reg [15:0] v_rword0;

	// a GLOBAL word as it arrives: beyond its limit, a dimension's bounds
	// (compared at the limit's width: no carry chain of 32)
	/* verilator lint_off CMPCONST */	// constant where a limit is 2^k - 1
	wire gw_over_nc = i_mem_rdata[31:NCB] != {(32-NCB){1'b0}}
		|| i_mem_rdata[NCB-1:0] > N_CORES_W[NCB-1:0];
	wire gw_over_ir = i_mem_rdata[31:IRB] != {(32-IRB){1'b0}}
		|| i_mem_rdata[IRB-1:0] > INPUT_ROUTES_W[IRB-1:0];
	wire gw_dim_bad = i_mem_rdata == 32'd0 || i_mem_rdata[31:IB] != {(32-IB){1'b0}}
		|| i_mem_rdata[IB-1:0] > INPUT_MAX_W[IB-1:0];
	wire m_sum_over = m_sum > {1'b0, INPUT_MAX_W[IB-1:0]};
	/* verilator lint_on CMPCONST */
	wire g_ok = !g_bad && (g_iroutes == {IRB{1'b0}} || !g_dims_bad && !m_over);

	// ---- one core register (docs/rtl.md lists the checks) ----
	wire v_active = {16'd0, v_core} < {{(32-NCB){1'b0}}, g_ncores};
	wire x_nz = x != 32'd0;
	wire x_small = x < 32'd65536;
	reg reg_ok;
	always @* begin
		reg_ok = 1'b1;
		if (v_reg == 5'd0)
			reg_ok = v_active ? x <= 32'd2 : !x_nz;
		else if (!v_active || v_mode == 2'd0)
			reg_ok = !x_nz;
		else begin
			case (v_reg)
			5'd1: reg_ok = x < MAX_PHASES;
			5'd2: reg_ok = x_nz && x <= NEURONS;
			5'd3: reg_ok = v_mode == 2'd1 ? x_nz && x <= AXONS : !x_nz;
			5'd4: reg_ok = x_nz && x <= VMAX;
			5'd5: reg_ok = x <= 32'd255;
			5'd6: reg_ok = x <= 32'd1;
			5'd7: reg_ok = x <= 32'd15;
			5'd8: reg_ok = $signed(x) >= VMIN && $signed(x) <= VMAX;
			5'd9: reg_ok = x <= 32'd1;
			5'd10, 5'd11, 5'd12: reg_ok = x_nz && (v_mode == 2'd1 || x_small);
			5'd13: reg_ok = v_mode == 2'd1 ? !x_nz : x_nz && x <= v_inh && x <= v_inw;
			5'd14, 5'd15, 5'd16: reg_ok = v_mode == 2'd1 ? !x_nz : x_nz && x_small;
			5'd17: reg_ok = v_mode == 2'd1 ? !x_nz : x < v_kh;
			5'd18: reg_ok = v_mode == 2'd1 ? !x_nz : x < v_kw;
			5'd19, 5'd20, 5'd21, 5'd22, 5'd23, 5'd24:
				reg_ok = v_mode == 2'd1 ? !x_nz : x_small;
			5'd25: reg_ok = x <= SYN_WORDS;
			5'd26: reg_ok = x <= ROUTES;
			// the bases, with shared budgets (else reserved)
			5'd27, 5'd28: reg_ok = SYN_TOTAL == 0 ? !x_nz : x <= SYN_TOTAL_W;
			5'd29: reg_ok = SYN_TOTAL == 0 ? !x_nz : x <= NEURON_TOTAL_W;
			5'd30: reg_ok = SYN_TOTAL == 0 ? !x_nz : x <= ROUTE_TOTAL_W;
			// DERIVED, with shared budgets a conv or deconv core's (the host
			// checks its value; a wrong one cannot hang the engine)
			default: reg_ok = SYN_TOTAL == 0 || v_mode == 2'd1 ? !x_nz : 1'b1;
			endcase
		end
	end

	// Route word v_k (entry v_k / 4): unused entries are zero; a used one
	// goes to a core in use (or, from a core, to the host 0xFFFF) and has
	// src_lo < src_hi <= N_NEURONS of its core (input routes: C*H*W).
	localparam [N_CORES-1:0] CORE_ONE = 1;
	localparam [31:0] ROUTE_LAST32 = 4 * ROUTES - 1, IROUTE_LAST32 = 4 * INPUT_ROUTES - 1;
	localparam [15:0] ROUTE_LAST = ROUTE_LAST32[15:0], IROUTE_LAST = IROUTE_LAST32[15:0];
	wire dest_on = |(core_on & CORE_ONE << x[15:0]);
	wire rt_use = {18'd0, v_k[15:2]} < v_rcount;
	reg route_ok;
	always @* begin
		if (!rt_use)	// with shared budgets a core's unused entries are the next core's
			route_ok = SYN_TOTAL != 0 && !v_input || !x_nz;
		else if (v_k[1:0] == 2'd0)
			route_ok = dest_on || !v_input && x[15:0] == 16'hFFFF;
		else if (v_k[1:0] == 2'd2)
			route_ok = v_srclo < x && x <= v_rlim;
		else
			route_ok = 1'b1;
	end

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= K_IDLE;
			ret <= K_IDLE;
			x <= 32'd0;
			o_bad <= 1'b0;
			o_in_size <= {IB{1'b0}};
			o_mem_region <= REGION_GLOBAL;
			o_mem_core <= 16'd0;
			o_mem_index <= 16'd0;
			g_ncores <= {NCB{1'b0}};
			g_c <= {IB{1'b0}};
			g_iroutes <= {IRB{1'b0}};
			g_bad <= 1'b0;
			g_dims_bad <= 1'b0;
			m_a <= {(IB+1){1'b0}};
			m_b <= {IB{1'b0}};
			m_acc <= {IB{1'b0}};
			m_over <= 1'b0;
			m_pass <= 1'b0;
			v_core <= 16'd0;
			v_reg <= 5'd0;
			v_mode <= 2'd0;
			v_inh <= 32'd0;
			v_inw <= 32'd0;
			v_kh <= 32'd0;
			v_kw <= 32'd0;
			core_on <= {N_CORES{1'b0}};
			v_input <= 1'b0;
			v_k <= 16'd0;
			v_rcount <= 32'd0;
			v_rlim <= 32'd0;
			v_srclo <= 32'd0;
		end else case (state)
		K_IDLE:
			if (i_start) begin
				o_bad <= 1'b0;
				o_mem_region <= REGION_GLOBAL;
				o_mem_core <= 16'd0;
				o_mem_index <= 16'd0;
				ret <= K_G;
				state <= K_REQ;
			end
		K_REQ:
			if (i_mem_ready)
				state <= K_WAIT;
		K_WAIT:
			if (i_mem_done) begin
				x <= i_mem_rdata;
				state <= ret;
				if (ret == K_G)	// a GLOBAL word's limits, as it arrives
					case (o_mem_index[2:0])
					3'd0: begin
						g_bad <= gw_over_nc;
						g_dims_bad <= 1'b0;
					end
					3'd1, 3'd2, 3'd3: g_dims_bad <= g_dims_bad | gw_dim_bad;
					default: g_bad <= g_bad | gw_over_ir;
					endcase
			end

		// ---- GLOBAL (the word's checks were made as it arrived) ----
		K_G: begin
			case (o_mem_index[2:0])
			3'd0: g_ncores <= x[NCB-1:0];
			3'd1: g_c <= x[IB-1:0];
			3'd2: m_a <= {1'b0, x[IB-1:0]};	// H
			3'd3: m_b <= x[IB-1:0];	// W
			default: g_iroutes <= x[IRB-1:0];
			endcase
			if (o_mem_index[2:0] == 3'd4) begin
				m_acc <= {IB{1'b0}};
				m_over <= 1'b0;
				m_pass <= 1'b0;
				state <= K_MUL;
			end else begin
				o_mem_index <= {13'd0, o_mem_index[2:0] + 3'd1};	// words 0 .. 4: no wider adder
				state <= K_REQ;
			end
		end
		K_MUL:
			if (m_b == {IB{1'b0}}) begin
				// H*W done: times C; then C*H*W done
				m_pass <= 1'b1;
				m_a <= {1'b0, m_acc};
				m_b <= g_c;
				m_acc <= {IB{1'b0}};
				if (m_pass)
					state <= K_GCHK;
			end else begin
				if (m_b[0]) begin
					m_acc <= m_sum[IB-1:0];
					if (m_a[IB] || m_sum_over)
						m_over <= 1'b1;
				end
				m_b <= m_b >> 1;
				m_a <= {m_a[IB] | m_a[IB-1], m_a[IB-2:0], 1'b0};	// bit IB sticks: too large
			end
		K_GCHK: begin
			o_bad <= !g_ok;
			o_in_size <= g_iroutes == {IRB{1'b0}} ? {IB{1'b0}} : m_a[IB-1:0];	// m_a: the product
			v_core <= 16'd0;
			v_reg <= 5'd0;
			core_on <= {N_CORES{1'b0}};
			o_mem_region <= REGION_CORE;
			o_mem_core <= 16'd0;
			o_mem_index <= 16'd0;
			ret <= K_RCHK;
			state <= g_ok && CHECK_CONFIG != 0 ? K_REQ : K_IDLE;
		end

		// ---- the core and route checks (CHECK_CONFIG only) ----
		default:
			if (CHECK_CONFIG != 0) case (state)
			K_R: begin
				o_mem_core <= v_core;
				o_mem_index <= {11'd0, v_reg};
				state <= K_REQ;
			end
			K_RCHK: begin
				case (v_reg)
				5'd0: begin
					v_mode <= x[1:0];
					if (v_active && x_nz)
						core_on <= core_on | CORE_ONE << v_core;
				end
				5'd11: v_inh <= x;
				5'd12: v_inw <= x;
				5'd14: v_kh <= x;
				5'd15: v_kw <= x;
				default: ;
				endcase
				v_reg <= v_reg + 5'd1;
				if (!reg_ok) begin
					o_bad <= 1'b1;
					state <= K_IDLE;
				end else if (v_reg != 5'd31) begin
					state <= K_R;
				end else if ({16'd0, v_core} == N_CORES - 1) begin
					v_core <= 16'd0;
					state <= K_P2;
				end else begin
					v_core <= v_core + 16'd1;
					state <= K_R;
				end
			end
			K_P2: begin	// N_NEURONS, ROUTE_COUNT, then the routes of v_core
				o_mem_region <= REGION_CORE;
				o_mem_core <= v_core;
				o_mem_index <= 16'd2;
				ret <= K_RN;
				state <= K_REQ;
			end
			K_RN: begin
				v_rlim <= x;
				o_mem_index <= 16'd26;
				ret <= K_RC;
				state <= K_REQ;
			end
			K_RC: begin
				v_rcount <= x;
				o_mem_index <= 16'd30;
				ret <= K_RB;
				state <= K_REQ;
			end
			K_RB: begin
				v_rword0 <= SYN_TOTAL == 0 ? 16'd0 : {x[13:0], 2'b00};
				v_input <= 1'b0;
				v_k <= 16'd0;
				o_mem_region <= REGION_ROUTE;
				o_mem_index <= SYN_TOTAL == 0 ? 16'd0 : {x[13:0], 2'b00};
				ret <= K_RW;
				state <= K_REQ;
			end
			K_RW: begin
				if (v_k[1:0] == 2'd1)
					v_srclo <= x;
				v_k <= v_k + 16'd1;
				o_mem_index <= (v_input ? 16'd0 : v_rword0) + v_k + 16'd1;
				state <= K_REQ;
				if (!route_ok) begin
					o_bad <= 1'b1;
					state <= K_IDLE;
				end else if (v_input && v_k == IROUTE_LAST) begin
					state <= K_IDLE;
				end else if (!v_input && v_k == ROUTE_LAST) begin
					v_core <= v_core + 16'd1;
					state <= {16'd0, v_core} == N_CORES - 1 ? K_IR : K_P2;
				end
			end
			K_IR: begin
				v_input <= 1'b1;
				v_rlim <= {{(32-IB){1'b0}}, o_in_size};
				v_rcount <= {{(32-IRB){1'b0}}, g_iroutes};
				v_k <= 16'd0;
				o_mem_region <= REGION_INPUT_ROUTE;
				o_mem_index <= 16'd0;
				state <= K_REQ;	// ret is still K_RW
			end
			default:
				state <= K_IDLE;
			endcase else
				state <= K_IDLE;
		endcase
	end

	assign o_busy = state != K_IDLE;
	assign o_mem_valid = state == K_REQ;

`ifndef SYNTHESIS
	// State names for waveform viewers (simulation only).
	reg [8*6-1:0] state_ascii;
	always @* begin
		case (state)
		K_IDLE: state_ascii = "idle";
		K_REQ: state_ascii = "req";
		K_WAIT: state_ascii = "wait";
		K_G: state_ascii = "global";
		K_MUL: state_ascii = "mul";
		K_GCHK: state_ascii = "gchk";
		K_R: state_ascii = "reg";
		K_RCHK: state_ascii = "regchk";
		K_P2: state_ascii = "routes";
		K_RN: state_ascii = "r_n";
		K_RC: state_ascii = "r_cnt";
		K_RW: state_ascii = "r_word";
		K_RB: state_ascii = "r_base";
		K_IR: state_ascii = "iroute";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
