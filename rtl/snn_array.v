// The core array: cores, the input routes, the event bus between them, and the controller that runs a time step phase by phase.
//
// docs/rtl.md, "snn_array", lists the ports; docs/neuron-model.md, "The
// time step of the whole array", is what STEP does:
// 1. Input events are routed as they arrive (before the step), into the
//    accumulator bank of the step about to run.
// 2. For each phase p = 0 .. MAX_PHASES-1, the cores of phase p sweep their
//    neurons; spikes travel over the bus into the bank of this step (target
//    of a higher phase) or of the next (same or lower phase), or to the
//    host. Phase p + 1 starts once every core, queue and the bus are idle.
// 3. The banks swap (the parity bit) and the step index advances.
`default_nettype none

module snn_array #(
	parameter N_CORES = 16,
	parameter NEURONS = 256,
	parameter AXONS = 256,
	parameter SYN_WORDS = 8192,
	parameter WEIGHT_BITS = 8,
	parameter MEMBRANE_BITS = 16,
	parameter BIAS_BITS = 12,
	parameter ROUTES = 8,
	parameter INPUT_ROUTES = 8,
	parameter MAX_PHASES = 8
) (
	input wire i_clk,
	input wire i_rst,
	// memory port
	input wire i_mem_valid,
	output wire o_mem_ready,
	input wire i_mem_write,
	input wire [2:0] i_mem_region,
	input wire [15:0] i_mem_core,
	input wire [31:0] i_mem_index,
	input wire [31:0] i_mem_wdata,
	output reg o_mem_done,
	output reg [1:0] o_mem_status,
	output reg [31:0] o_mem_rdata,
	// commands
	input wire i_cmd_valid,
	output wire o_cmd_ready,
	input wire [1:0] i_cmd,
	output reg o_cmd_done,
	output reg [31:0] o_step,
	// input events
	input wire i_in_valid,
	output wire o_in_ready,
	input wire [23:0] i_in_index,
	// output events
	output wire o_out_valid,
	input wire i_out_ready,
	output wire [15:0] o_out_core,
	output wire [15:0] o_out_neuron,
	// spike monitor
	output wire [N_CORES-1:0] o_spk_valid,
	output wire [16*N_CORES-1:0] o_spk_neuron,
	// per-core activity monitors, for benchmarks: a synaptic operation this
	// cycle; a routed event waiting for the bus this cycle
	output wire [N_CORES-1:0] o_mon_synop,
	output wire [N_CORES-1:0] o_mon_stall,
	// counters
	input wire i_cnt_clear,
	output reg [63:0] o_cnt_steps,
	output reg [63:0] o_cnt_cycles,
	output reg [63:0] o_cnt_synops,
	output reg [63:0] o_cnt_spikes,
	output reg [63:0] o_cnt_events_in,
	output reg [63:0] o_cnt_events_out
);

	localparam CB = N_CORES < 2 ? 1 : $clog2(N_CORES);
	localparam PB = MAX_PHASES < 2 ? 1 : $clog2(MAX_PHASES);
	localparam [2:0] R_GLOBAL = 3'd0, R_INPUT_ROUTE = 3'd5;
	localparam [1:0] CMD_CLEAR = 2'd0, CMD_STEP = 2'd1, CMD_ZERO = 2'd2;

	// ---- global registers ---------------------------------------------------

	reg [31:0] n_cores_reg, input_c, input_h, input_w, input_routes;

	// ---- controller ----------------------------------------------------------

	localparam C_IDLE = 3'd0;
	localparam C_WAIT = 3'd1;	// CLEAR or ZERO: until every core is idle
	localparam C_PHASE = 3'd2;	// STEP: start phase p
	localparam C_PWAIT = 3'd3;	// STEP: until phase p has settled
	localparam C_QUIET = 3'd4;	// a command waits for earlier input events to settle
	reg [2:0] cstate;
	reg [1:0] cmd;
	reg [PB-1:0] phase;
	reg parity;
	reg clear_pulse, zero_pulse, sweep_pulse;
	reg [31:0] zi;	// ZERO: input route word being cleared

	// ---- memory port state ------------------------------------------------------

	localparam M_IDLE = 2'd0;
	localparam M_ACCESS = 2'd1;	// the request drives the memories
	localparam M_READ = 2'd2;	// read data on the memory outputs
	reg [1:0] mstate;
	reg q_write;
	reg [2:0] q_region;
	reg [15:0] q_core;
	reg [31:0] q_index, q_wdata;
	reg [1:0] q_status;

	// ---- input engine -----------------------------------------------------------

	localparam I_IDLE = 3'd0;
	localparam I_DIVC = 3'd1;	// c = q / (H * W)
	localparam I_DIVY = 3'd2;	// y = rem / W, x = rem % W
	localparam I_ROUTE = 3'd3;
	localparam I_WAIT = 3'd4;
	reg [2:0] istate, inext;
	reg [23:0] in_q;
	reg [31:0] in_c, in_y, in_x;
	reg div_start;
	reg [31:0] div_num, div_den;
	wire div_busy_unused, div_done;
	wire [31:0] div_quo, div_rem;
	snn_divu #(.WIDTH(32)) div (
		.i_clk(i_clk), .i_rst(i_rst), .i_start(div_start), .i_num(div_num), .i_den(div_den),
		.o_busy(div_busy_unused), .o_done(div_done), .o_quo(div_quo), .o_rem(div_rem));

	wire iscan_busy, iscan_valid, iscan_host_unused;
	wire [15:0] iscan_dest;
	wire signed [31:0] iscan_c, iscan_y, iscan_x;
	wire [31:0] iscan_src_unused, iscan_cfg_rdata;
	reg iscan_ready;
	// Input events may arrive while earlier ones still spread through the
	// cores; memory requests and commands wait until everything is quiet.
	wire idle = cstate == C_IDLE && mstate == M_IDLE && istate == I_IDLE && !iscan_busy;
	wire quiet;

	wire iroute_access = mstate == M_ACCESS && q_region == R_INPUT_ROUTE && q_status == 2'd0;
	snn_route_scan #(.ROUTES(INPUT_ROUTES)) iscan (
		.i_clk(i_clk), .i_rst(i_rst),
		.i_cfg_we(iroute_access && q_write || cstate == C_WAIT && zi < 4 * INPUT_ROUTES),
		.i_cfg_re(iroute_access && !q_write),
		.i_cfg_index(cstate == C_WAIT ? zi : q_index),
		.i_cfg_wdata(cstate == C_WAIT ? 32'd0 : q_wdata),
		.o_cfg_rdata(iscan_cfg_rdata),
		.i_start(istate == I_ROUTE), .i_count(input_routes), .i_src({8'd0, in_q}),
		.i_c(in_c), .i_y(in_y), .i_x(in_x),
		.o_busy(iscan_busy),
		.o_valid(iscan_valid), .i_ready(iscan_ready), .o_host(iscan_host_unused),
		.o_dest(iscan_dest), .o_c(iscan_c), .o_y(iscan_y), .o_x(iscan_x),
		.o_src(iscan_src_unused));

	// ---- cores --------------------------------------------------------------------

	wire [N_CORES-1:0] core_busy, core_ev_ready, core_rt_valid, core_rt_host;
	wire [N_CORES-1:0] core_synop, core_synop_next, core_bad_addr, core_bad_arg;
	reg [N_CORES-1:0] core_ev_valid, core_rt_ready;
	wire [8*N_CORES-1:0] core_phase;
	wire [16*N_CORES-1:0] core_rt_dest, core_rt_neuron;
	wire [32*N_CORES-1:0] core_rt_c, core_rt_y, core_rt_x, core_cfg_rdata;
	reg bus_bank;
	reg signed [31:0] bus_c, bus_y, bus_x;
	wire core_access = mstate == M_ACCESS && q_region != R_GLOBAL &&
			   q_region != R_INPUT_ROUTE && {16'd0, q_core} < N_CORES;

	genvar g;
	generate
		for (g = 0; g < N_CORES; g = g + 1) begin : core
			wire me = core_access && q_core[CB-1:0] == g;
			snn_core #(
				.NEURONS(NEURONS), .SYN_WORDS(SYN_WORDS),
				.WEIGHT_BITS(WEIGHT_BITS), .MEMBRANE_BITS(MEMBRANE_BITS),
				.BIAS_BITS(BIAS_BITS), .ROUTES(ROUTES)
			) c (
				.i_clk(i_clk), .i_rst(i_rst),
				.i_cfg_we(me && q_write), .i_cfg_re(me && !q_write),
				.i_cfg_region(q_region), .i_cfg_index(q_index), .i_cfg_wdata(q_wdata),
				.o_cfg_rdata(core_cfg_rdata[32*g +: 32]),
				.o_cfg_bad_addr(core_bad_addr[g]), .o_cfg_bad_arg(core_bad_arg[g]),
				.i_clear(clear_pulse), .i_zero(zero_pulse),
				.i_sweep(sweep_pulse && core_phase[8*g +: 8] == {{(8-PB){1'b0}}, phase}),
				.i_parity(parity), .o_busy(core_busy[g]), .o_phase(core_phase[8*g +: 8]),
				.i_ev_valid(core_ev_valid[g]), .o_ev_ready(core_ev_ready[g]),
				.i_ev_bank(bus_bank), .i_ev_c(bus_c), .i_ev_y(bus_y), .i_ev_x(bus_x),
				.o_rt_valid(core_rt_valid[g]), .i_rt_ready(core_rt_ready[g]),
				.o_rt_host(core_rt_host[g]), .o_rt_dest(core_rt_dest[16*g +: 16]),
				.o_rt_c(core_rt_c[32*g +: 32]), .o_rt_y(core_rt_y[32*g +: 32]),
				.o_rt_x(core_rt_x[32*g +: 32]), .o_rt_neuron(core_rt_neuron[16*g +: 16]),
				.o_spk_valid(o_spk_valid[g]), .o_spk_neuron(o_spk_neuron[16*g +: 16]),
				.o_synop(core_synop[g]), .o_synop_next(core_synop_next[g]));
		end
	endgenerate

	// ---- the event bus: one event a cycle, input engine first, then cores by index --

	reg bus_valid, bus_host, bus_from_input;
	reg [CB-1:0] bus_src;
	reg [15:0] bus_dest, bus_neuron;
	reg bus_ready;
	integer i, j;	// loop indices of the bus and of the counters
	always @* begin
		i = 0;	// assigned on every path, so no latch
		bus_valid = 1'b0;
		bus_host = 1'b0;
		bus_from_input = 1'b0;
		bus_src = {CB{1'b0}};
		bus_dest = 16'd0;
		bus_neuron = 16'd0;
		bus_c = 32'sd0;
		bus_y = 32'sd0;
		bus_x = 32'sd0;
		if (iscan_valid) begin
			bus_valid = 1'b1;
			bus_from_input = 1'b1;
			bus_dest = iscan_dest;
			bus_c = iscan_c;
			bus_y = iscan_y;
			bus_x = iscan_x;
		end else begin
			for (i = N_CORES - 1; i >= 0; i = i - 1)
				if (core_rt_valid[i]) begin
					bus_valid = 1'b1;
					bus_src = i[CB-1:0];
					bus_host = core_rt_host[i];
					bus_dest = core_rt_dest[16*i +: 16];
					bus_neuron = core_rt_neuron[16*i +: 16];
					bus_c = core_rt_c[32*i +: 32];
					bus_y = core_rt_y[32*i +: 32];
					bus_x = core_rt_x[32*i +: 32];
				end
		end
		// This step's bank for input and for a target of a higher phase.
		bus_bank = parity;
		if (!bus_from_input && {16'd0, bus_dest} < N_CORES &&
		    core_phase[8*bus_dest[CB-1:0] +: 8] <= core_phase[8*bus_src +: 8])
			bus_bank = !parity;
		core_ev_valid = {N_CORES{1'b0}};
		bus_ready = 1'b0;
		if (bus_valid) begin
			if (bus_host)
				bus_ready = i_out_ready;
			else if ({16'd0, bus_dest} < N_CORES) begin
				core_ev_valid[bus_dest[CB-1:0]] = 1'b1;
				bus_ready = core_ev_ready[bus_dest[CB-1:0]];
			end else
				bus_ready = 1'b1;	// no such core: validation forbids it; drop
		end
		iscan_ready = bus_from_input && bus_ready;
		core_rt_ready = {N_CORES{1'b0}};
		if (!bus_from_input)
			core_rt_ready[bus_src] = bus_valid && bus_ready;
	end

	assign o_mon_synop = core_synop;
	assign o_mon_stall = core_rt_valid & ~core_rt_ready;

	assign o_out_valid = bus_valid && bus_host;
	assign o_out_core = {{(16-CB){1'b0}}, bus_src};
	assign o_out_neuron = bus_neuron;

	// ---- controller and counters ------------------------------------------------

	assign o_cmd_ready = idle;
	wire all_quiet = !(|core_busy) && !bus_valid && !iscan_busy;
	assign quiet = all_quiet;

	// Synaptic operations count in the step that consumes them
	// (docs/host-protocol.md, "Counters"): those into the next step's bank
	// wait in synop_pend until that step starts; a CLEAR drops them.
	reg [CB:0] synop_count, synop_next_count, spike_count;
	reg [63:0] synop_pend;
	always @* begin
		synop_count = {(CB+1){1'b0}};
		synop_next_count = {(CB+1){1'b0}};
		spike_count = {(CB+1){1'b0}};
		for (j = 0; j < N_CORES; j = j + 1) begin
			synop_count = synop_count + {{CB{1'b0}}, core_synop[j] && !core_synop_next[j]};
			synop_next_count = synop_next_count + {{CB{1'b0}}, core_synop_next[j]};
			spike_count = spike_count + {{CB{1'b0}}, o_spk_valid[j]};
		end
	end
	wire step_start = cstate == C_QUIET && all_quiet && cmd == CMD_STEP;
	always @(posedge i_clk)
		if (i_rst || clear_pulse)
			synop_pend <= 64'd0;
		else
			synop_pend <= (step_start ? 64'd0 : synop_pend) + {{(63-CB){1'b0}}, synop_next_count};

	always @(posedge i_clk) begin
		o_cmd_done <= 1'b0;
		clear_pulse <= 1'b0;
		zero_pulse <= 1'b0;
		sweep_pulse <= 1'b0;
		if (i_rst || i_cnt_clear) begin
			o_cnt_steps <= 64'd0;
			o_cnt_cycles <= 64'd0;
			o_cnt_synops <= 64'd0;
			o_cnt_spikes <= 64'd0;
			o_cnt_events_in <= 64'd0;
			o_cnt_events_out <= 64'd0;
		end else begin
			o_cnt_synops <= o_cnt_synops + {{(63-CB){1'b0}}, synop_count} +
					(step_start ? synop_pend : 64'd0);
			o_cnt_spikes <= o_cnt_spikes + {{(63-CB){1'b0}}, spike_count};
			if (i_in_valid && o_in_ready)
				o_cnt_events_in <= o_cnt_events_in + 1;
			if (o_out_valid && i_out_ready)
				o_cnt_events_out <= o_cnt_events_out + 1;
			// A step's cycles include routing its input events, which
			// happens as they arrive, before the STEP command.
			if (cstate == C_PHASE || cstate == C_PWAIT ||
			    cstate == C_QUIET && cmd == CMD_STEP ||
			    cstate == C_IDLE && (!all_quiet || istate != I_IDLE))
				o_cnt_cycles <= o_cnt_cycles + 1;
			if (cstate == C_PWAIT && !sweep_pulse && all_quiet &&
			    {{(32-PB){1'b0}}, phase} == MAX_PHASES - 1)
				o_cnt_steps <= o_cnt_steps + 1;
		end
		if (i_rst) begin
			cstate <= C_IDLE;
			parity <= 1'b0;
			o_step <= 32'd0;
			n_cores_reg <= 32'd0;
			input_c <= 32'd0;
			input_h <= 32'd0;
			input_w <= 32'd0;
			input_routes <= 32'd0;
		end else begin
			if (mstate == M_ACCESS && q_write && q_region == R_GLOBAL && q_status == 2'd0)
				case (q_index[2:0])
				3'd0: n_cores_reg <= q_wdata;
				3'd1: input_c <= q_wdata;
				3'd2: input_h <= q_wdata;
				3'd3: input_w <= q_wdata;
				default: input_routes <= q_wdata;
				endcase
			case (cstate)
			C_IDLE:
				if (i_cmd_valid && idle) begin
					cmd <= i_cmd;
					cstate <= C_QUIET;
				end
			C_QUIET:
				if (all_quiet)
					case (cmd)
					CMD_CLEAR: begin
						clear_pulse <= 1'b1;
						parity <= 1'b0;
						o_step <= 32'd0;
						zi <= 32'hFFFFFFFF;
						cstate <= C_WAIT;
					end
					CMD_STEP: begin
						phase <= {PB{1'b0}};
						cstate <= C_PHASE;
					end
					CMD_ZERO: begin
						zero_pulse <= 1'b1;
						n_cores_reg <= 32'd0;
						input_c <= 32'd0;
						input_h <= 32'd0;
						input_w <= 32'd0;
						input_routes <= 32'd0;
						zi <= 32'd0;
						cstate <= C_WAIT;
					end
					default: begin	// no such command: nothing to do
						o_cmd_done <= 1'b1;
						cstate <= C_IDLE;
					end
					endcase
			C_WAIT:
				if (zi < 4 * INPUT_ROUTES)
					zi <= zi + 1;
				else if (!clear_pulse && !zero_pulse && all_quiet) begin
					o_cmd_done <= 1'b1;
					cstate <= C_IDLE;
				end
			C_PHASE: begin
				sweep_pulse <= 1'b1;
				cstate <= C_PWAIT;
			end
			C_PWAIT:
				// The cores of this phase are busy from the cycle after the pulse.
				if (!sweep_pulse && all_quiet) begin
					if ({{(32-PB){1'b0}}, phase} == MAX_PHASES - 1) begin
						parity <= !parity;
						o_step <= o_step + 1;
						o_cmd_done <= 1'b1;
						cstate <= C_IDLE;
					end else begin
						phase <= phase + 1'b1;
						cstate <= C_PHASE;
					end
				end
			default:
				cstate <= C_IDLE;
			endcase
		end
	end

	// ---- memory port ------------------------------------------------------------

	assign o_mem_ready = idle && quiet;
	reg [1:0] status;
	always @* begin
		case (i_mem_region)
		R_GLOBAL: status = i_mem_index < 5 ? 2'd0 : 2'd1;
		R_INPUT_ROUTE: status = i_mem_index < 4 * INPUT_ROUTES ? 2'd0 : 2'd1;
		default: status = {16'd0, i_mem_core} < N_CORES && i_mem_region < 3'd7 &&
				  i_mem_region != 3'd5 ? 2'd0 : 2'd1;
		endcase
	end

	reg [31:0] global_rdata;
	always @* begin
		case (q_index[2:0])
		3'd0: global_rdata = n_cores_reg;
		3'd1: global_rdata = input_c;
		3'd2: global_rdata = input_h;
		3'd3: global_rdata = input_w;
		default: global_rdata = input_routes;
		endcase
	end

	always @(posedge i_clk) begin
		o_mem_done <= 1'b0;
		if (i_rst)
			mstate <= M_IDLE;
		else
			case (mstate)
			M_IDLE:
				if (i_mem_valid && idle && quiet) begin
					q_write <= i_mem_write;
					q_region <= i_mem_region;
					q_core <= i_mem_core;
					q_index <= i_mem_index;
					q_wdata <= i_mem_wdata;
					q_status <= status;
					mstate <= M_ACCESS;
				end
			M_ACCESS: begin
				// The core judges its own regions now that it sees the
				// address; a write is done in this cycle.
				if (core_access && q_status == 2'd0)
					q_status <= core_bad_addr[q_core[CB-1:0]] ? 2'd1 :
						    core_bad_arg[q_core[CB-1:0]] && q_write ? 2'd2 : 2'd0;
				if (q_write) begin
					o_mem_done <= 1'b1;
					o_mem_status <= core_access && q_status == 2'd0 ?
						(core_bad_addr[q_core[CB-1:0]] ? 2'd1 :
						 core_bad_arg[q_core[CB-1:0]] ? 2'd2 : 2'd0) : q_status;
					o_mem_rdata <= 32'd0;
					mstate <= M_IDLE;
				end else
					mstate <= M_READ;
			end
			default: begin	// M_READ
				o_mem_done <= 1'b1;
				o_mem_status <= q_status;
				o_mem_rdata <= q_status != 2'd0 || q_write ? 32'd0 :
					       q_region == R_GLOBAL ? global_rdata :
					       q_region == R_INPUT_ROUTE ? iscan_cfg_rdata :
					       core_cfg_rdata[32*q_core[CB-1:0] +: 32];
				mstate <= M_IDLE;
			end
			endcase
	end

	// ---- input engine -------------------------------------------------------------

	assign o_in_ready = idle;

	always @(posedge i_clk) begin
		div_start <= 1'b0;
		if (i_rst)
			istate <= I_IDLE;
		else
			case (istate)
			I_IDLE:
				if (i_in_valid && idle) begin
					in_q <= i_in_index;
					div_num <= {8'd0, i_in_index};
					div_den <= input_h * input_w;
					div_start <= 1'b1;
					inext <= I_DIVC;
					istate <= I_WAIT;
				end
			I_WAIT:
				if (div_done)
					istate <= inext;
			I_DIVC: begin
				in_c <= div_quo;
				div_num <= div_rem;
				div_den <= input_w;
				div_start <= 1'b1;
				inext <= I_DIVY;
				istate <= I_WAIT;
			end
			I_DIVY: begin
				in_y <= div_quo;
				in_x <= div_rem;
				istate <= I_ROUTE;
			end
			default:	// I_ROUTE: the scan takes it this cycle
				istate <= I_IDLE;
			endcase
	end

endmodule

`default_nettype wire
