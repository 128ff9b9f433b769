// One core of the array: its registers, neuron state, biases, synapses, two accumulator banks, the event engine (dense and conv), the neuron sweep and its routing table.
//
// docs/core-array.md defines what a core computes, docs/rtl.md how this
// one is built. In short:
// - Events wait in a small queue; the event engine turns each into a run of
//   read-modify-writes of the accumulators, one synaptic operation a cycle.
// - When the array starts the core's phase (i_sweep), the sweep runs every
//   neuron in use through snn_neuron, one a cycle, with this step's bank,
//   and queues the spikes; the routing table turns each spike into events.
// - The sweep never waits (the spike queue holds a whole core), so the
//   array cannot deadlock; events that arrive during a sweep wait for it.
`default_nettype none

module snn_core #(
	parameter NEURONS = 256,
	parameter SYN_WORDS = 8192,
	parameter WEIGHT_BITS = 8,
	parameter MEMBRANE_BITS = 16,
	parameter BIAS_BITS = 12,
	parameter ROUTES = 8
) (
	input wire i_clk,
	input wire i_rst,
	// configuration and state access from the array's memory port, only
	// while the core is idle; read data one cycle after i_cfg_re
	input wire i_cfg_we,
	input wire i_cfg_re,
	input wire [2:0] i_cfg_region,
	input wire [31:0] i_cfg_index,
	input wire [31:0] i_cfg_wdata,
	output reg [31:0] o_cfg_rdata,
	output wire o_cfg_bad_addr,	// the (region, index) is outside this core's memory
	output wire o_cfg_bad_arg,	// a STATE word out of range
	// commands from the array's controller, only while idle
	input wire i_clear,	// neurons to V_INIT, refractory 0, accumulators 0
	input wire i_zero,	// every configuration word to 0
	input wire i_sweep,	// run this core's phase now
	input wire i_parity,	// accumulator bank of the current step
	output wire o_busy,
	output wire [7:0] o_phase,
	// events into this core's accumulators
	input wire i_ev_valid,
	output wire o_ev_ready,
	input wire i_ev_bank,
	input wire signed [31:0] i_ev_c,
	input wire signed [31:0] i_ev_y,
	input wire signed [31:0] i_ev_x,
	// routed events out of this core's spikes
	output wire o_rt_valid,
	input wire i_rt_ready,
	output wire o_rt_host,
	output wire [15:0] o_rt_dest,
	output wire signed [31:0] o_rt_c,
	output wire signed [31:0] o_rt_y,
	output wire signed [31:0] o_rt_x,
	output wire [15:0] o_rt_neuron,
	// monitor and counters
	output reg o_spk_valid,
	output reg [15:0] o_spk_neuron,
	output reg o_synop,
	output reg o_synop_next	// that operation went into the next step's bank
);

	localparam M = MEMBRANE_BITS;
	localparam NB = NEURONS < 2 ? 1 : $clog2(NEURONS);
	localparam SB = SYN_WORDS < 2 ? 1 : $clog2(SYN_WORDS);
	localparam SYN_DEPTH = SYN_WORDS < 2 ? 2 : SYN_WORDS;
	localparam N_DEPTH = NEURONS < 2 ? 2 : NEURONS;
	localparam EV_W = 1 + 3 * 32;
	localparam SPK_W = 4 * NB;

	localparam [2:0] R_CORE = 3'd1, R_BIAS = 3'd2, R_SYNAPSE = 3'd3, R_ROUTE = 3'd4,
			 R_STATE = 3'd6;

	// ---- registers (docs/config-format.md, "Core registers") -------------

	reg [31:0] regs [0:31];
	wire [31:0] MODE = regs[0], PHASE = regs[1], N_NEURONS = regs[2], N_AXONS = regs[3],
		    THRESHOLD = regs[4], LEAK = regs[5], RESET = regs[6], REFRACTORY = regs[7],
		    V_INIT = regs[8], FLAGS = regs[9], IN_C = regs[10], IN_H = regs[11],
		    IN_W = regs[12], POOL = regs[13], KH = regs[14], KW = regs[15],
		    STRIDE = regs[16], PAD_Y = regs[17], PAD_X = regs[18], OUT_NC = regs[20],
		    OUT_Y0 = regs[21], OUT_H = regs[22], OUT_X0 = regs[23], OUT_W = regs[24],
		    ROUTE_COUNT = regs[26];
	wire dense = MODE == 32'd1;
	assign o_phase = PHASE[7:0];
	wire o_active = MODE != 32'd0;

	// ---- configuration address decode -------------------------------------

	wire [31:0] ci = i_cfg_index;
	wire state_word_ok = o_active && {1'b0, ci} < {N_NEURONS, 1'b0};
	assign o_cfg_bad_addr =
		i_cfg_region == R_CORE ? ci >= 32 :
		i_cfg_region == R_BIAS ? ci >= NEURONS :
		i_cfg_region == R_SYNAPSE ? ci >= SYN_WORDS :
		i_cfg_region == R_ROUTE ? ci >= 4 * ROUTES :
		i_cfg_region == R_STATE ? !state_word_ok : 1'b1;
	// A membrane must fit M bits signed; a refractory counter 0 .. 15.
	wire [31:0] wd = i_cfg_wdata;
	wire v_fits = wd[31:M-1] == {(33-M){1'b0}} || wd[31:M-1] == {(33-M){1'b1}};
	assign o_cfg_bad_arg = i_cfg_region == R_STATE && (ci[0] ? wd > 32'd15 : !v_fits);
	wire cfg_ok = !o_cfg_bad_addr && !o_cfg_bad_arg;
	wire cfg_we = i_cfg_we && cfg_ok;

	// ---- memories -----------------------------------------------------------

	// bias[n]
	reg bias_re;
	reg [NB-1:0] bias_raddr;
	wire [BIAS_BITS-1:0] bias_rdata;
	reg bias_we;
	reg [NB-1:0] bias_waddr;
	reg [BIAS_BITS-1:0] bias_wdata;
	snn_ram_sdp #(.WIDTH(BIAS_BITS), .DEPTH(N_DEPTH)) bias_ram (
		.i_clk(i_clk), .i_we(bias_we), .i_waddr(bias_waddr), .i_wdata(bias_wdata),
		.i_re(bias_re), .i_raddr(bias_raddr), .o_rdata(bias_rdata));

	// synapse words
	reg syn_re;
	reg [SB-1:0] syn_raddr;
	wire [WEIGHT_BITS-1:0] syn_rdata;
	reg syn_we;
	reg [SB-1:0] syn_waddr;
	reg [WEIGHT_BITS-1:0] syn_wdata;
	snn_ram_sdp #(.WIDTH(WEIGHT_BITS), .DEPTH(SYN_DEPTH)) syn_ram (
		.i_clk(i_clk), .i_we(syn_we), .i_waddr(syn_waddr), .i_wdata(syn_wdata),
		.i_re(syn_re), .i_raddr(syn_raddr), .o_rdata(syn_rdata));

	// membrane v[n] and refractory counter r[n]
	reg st_re;
	reg [NB-1:0] st_raddr;
	wire [M-1:0] v_rdata;
	wire [3:0] r_rdata;
	reg v_we, r_we;
	reg [NB-1:0] st_waddr;
	reg [M-1:0] v_wdata;
	reg [3:0] r_wdata;
	snn_ram_sdp #(.WIDTH(M), .DEPTH(N_DEPTH)) v_ram (
		.i_clk(i_clk), .i_we(v_we), .i_waddr(st_waddr), .i_wdata(v_wdata),
		.i_re(st_re), .i_raddr(st_raddr), .o_rdata(v_rdata));
	snn_ram_sdp #(.WIDTH(4), .DEPTH(N_DEPTH)) r_ram (
		.i_clk(i_clk), .i_we(r_we), .i_waddr(st_waddr), .i_wdata(r_wdata),
		.i_re(st_re), .i_raddr(st_raddr), .o_rdata(r_rdata));

	// accumulators: address {bank, n}
	reg acc_re;
	reg [NB:0] acc_raddr;
	wire [31:0] acc_rdata;
	reg acc_we;
	reg [NB:0] acc_waddr;
	reg [31:0] acc_wdata;
	snn_ram_sdp #(.WIDTH(32), .DEPTH(2 << NB)) acc_ram (
		.i_clk(i_clk), .i_we(acc_we), .i_waddr(acc_waddr), .i_wdata(acc_wdata),
		.i_re(acc_re), .i_raddr(acc_raddr), .o_rdata(acc_rdata));

	// ---- neuron arithmetic ----------------------------------------------------

	wire [M-1:0] nv;
	wire [3:0] nr;
	wire nspike;
	wire nlive_unused;
	snn_neuron #(.MEMBRANE_BITS(M), .ACC_BITS(32), .BIAS_BITS(BIAS_BITS)) neuron (
		.i_v(v_rdata), .i_ref(r_rdata), .i_acc(acc_rdata), .i_bias(bias_rdata),
		.i_threshold(THRESHOLD[M-1:0]), .i_leak(LEAK[7:0]), .i_reset_mode(RESET[0]),
		.i_refractory(REFRACTORY[3:0]), .i_spiking(FLAGS[0]),
		.o_v(nv), .o_ref(nr), .o_spike(nspike), .o_live(nlive_unused));

	// ---- sweep, clear and zero: one pass over the neurons or the words --------

	localparam W_IDLE = 2'd0;
	localparam W_SWEEP = 2'd1;	// update neuron n, one a cycle
	localparam W_CLEAR = 2'd2;	// acc[i] := 0, and v, r of neuron i
	localparam W_ZERO = 2'd3;	// every memory word i := 0
	reg [1:0] wstate;
	reg [31:0] wi;	// index of the pass
	reg [31:0] wlast;	// its last index
	reg [NB-1:0] ck, cy, cx;	// coordinate of neuron wi (conv: channel, row, column)
	// the sweep's second stage: the neuron read last cycle
	reg s2_valid;
	reg [NB-1:0] s2_n, s2_c, s2_y, s2_x;

	// ---- spike queue and routing table -----------------------------------

	wire spk_full_unused, spk_empty;
	wire [SPK_W-1:0] spk_q;
	reg spk_pop;
	snn_fifo #(.WIDTH(SPK_W), .DEPTH(1 << NB)) spikes (
		.i_clk(i_clk), .i_rst(i_rst || i_clear || i_zero),
		.i_push(s2_valid && nspike && FLAGS[0]), .i_data({s2_n, s2_c, s2_y, s2_x}),
		.o_full(spk_full_unused), .i_pop(spk_pop), .o_empty(spk_empty), .o_data(spk_q));
	reg spk_loaded;	// spk_q holds a popped spike to route

	wire rt_busy;
	wire [31:0] rt_cfg_rdata, rt_src;
	snn_route_scan #(.ROUTES(ROUTES)) routes (
		.i_clk(i_clk), .i_rst(i_rst),
		.i_cfg_we(cfg_we && i_cfg_region == R_ROUTE || wstate == W_ZERO && wi < 4 * ROUTES),
		.i_cfg_re(i_cfg_re && i_cfg_region == R_ROUTE),
		.i_cfg_index(wstate == W_ZERO ? wi : ci),
		.i_cfg_wdata(wstate == W_ZERO ? 32'd0 : wd),
		.o_cfg_rdata(rt_cfg_rdata),
		.i_start(spk_loaded), .i_count(ROUTE_COUNT),
		.i_src({{(32-NB){1'b0}}, spk_q[4*NB-1:3*NB]}),
		.i_c({{(32-NB){1'b0}}, spk_q[3*NB-1:2*NB]}),
		.i_y({{(32-NB){1'b0}}, spk_q[2*NB-1:NB]}),
		.i_x({{(32-NB){1'b0}}, spk_q[NB-1:0]}),
		.o_busy(rt_busy),
		.o_valid(o_rt_valid), .i_ready(i_rt_ready), .o_host(o_rt_host), .o_dest(o_rt_dest),
		.o_c(o_rt_c), .o_y(o_rt_y), .o_x(o_rt_x), .o_src(rt_src));
	assign o_rt_neuron = rt_src[15:0];

	always @(posedge i_clk) begin
		spk_pop <= 1'b0;
		if (i_rst || i_clear || i_zero)
			spk_loaded <= 1'b0;
		else if (spk_loaded)
			spk_loaded <= 1'b0;	// the scan took it this cycle (it was idle)
		else if (spk_pop)
			spk_loaded <= 1'b1;
		else if (!spk_empty && !rt_busy)
			spk_pop <= 1'b1;
	end

	// ---- event queue and engine -----------------------------------------------

	wire ev_full, ev_empty;
	wire [EV_W-1:0] ev_q;
	reg ev_pop;
	assign o_ev_ready = !ev_full;
	snn_fifo #(.WIDTH(EV_W), .DEPTH(8)) events (
		.i_clk(i_clk), .i_rst(i_rst || i_clear || i_zero),
		.i_push(i_ev_valid), .i_data({i_ev_bank, i_ev_c, i_ev_y, i_ev_x}),
		.o_full(ev_full), .i_pop(ev_pop), .o_empty(ev_empty), .o_data(ev_q));

	localparam E_IDLE = 4'd0;
	localparam E_LOAD = 4'd1;	// the popped event is on ev_q
	localparam E_D1 = 4'd2;	// dense: (c * IN_H + y)
	localparam E_D2 = 4'd3;	// dense: axon = ... * IN_W + x
	localparam E_D3 = 4'd4;	// dense: first weight = axon * N_NEURONS
	localparam E_RMW = 4'd5;	// acc[n] += w[i], one a cycle
	localparam E_DRAIN = 4'd6;	// the last write lands
	localparam E_PY = 4'd7;	// conv: py = y / POOL
	localparam E_PX = 4'd8;	// conv: px = x / POOL
	localparam E_TY = 4'd9;	// conv: (py + PAD_Y) divided by STRIDE
	localparam E_TX = 4'd10;	// conv: (px + PAD_X) divided by STRIDE
	localparam E_KY = 4'd11;	// conv: kernel row ky
	localparam E_KX = 4'd12;	// conv: kernel column kx
	localparam E_TAP = 4'd13;	// conv: first neuron and weight of a tap
	localparam E_WAIT = 4'd14;	// conv: waiting for the divider
	reg [3:0] estate, enext;	// enext: where E_WAIT goes

	reg ebank;
	reg signed [31:0] ec, ey, ex;
	reg [63:0] et;	// dense partial axon index
	// the read-modify-write run: count words, neuron and weight strides
	reg [31:0] rn, rw, rn_step, rw_step, rcount;
	reg r2_valid;
	reg [NB-1:0] r2_n;
	reg r2_bank;
	// conv tap walk
	reg [31:0] py, ty0, tx0;
	reg signed [31:0] ty, tx;	// py + PAD_Y - ky, px + PAD_X - kx
	reg [31:0] qy, qx;	// ty / STRIDE, tx / STRIDE (floor)
	reg [31:0] ry, rx;	// ty mod STRIDE, tx mod STRIDE
	reg [31:0] qx0, rx0;
	reg [31:0] ky, kx, ckh, plane, ckk;

	reg div_start;
	reg [31:0] div_num, div_den;
	wire div_busy_unused, div_done;
	wire [31:0] div_quo, div_rem;
	snn_divu #(.WIDTH(32)) div (
		.i_clk(i_clk), .i_rst(i_rst), .i_start(div_start), .i_num(div_num), .i_den(div_den),
		.o_busy(div_busy_unused), .o_done(div_done), .o_quo(div_quo), .o_rem(div_rem));

	// Negative values fail the sign test first, so the rest compare unsigned.
	wire in_range = !ec[31] && !ey[31] && !ex[31] && ec < IN_C && ey < IN_H && ex < IN_W;
	// qy is not negative while ty is not.
	wire oy_ok = !ty[31] && ry == 0 && qy >= OUT_Y0 && qy - OUT_Y0 < OUT_H;
	wire ox_ok = !tx[31] && rx == 0 && qx >= OUT_X0 && qx - OUT_X0 < OUT_W;

	// Stepping ky (kx) down one row (column) of the pooled input: the
	// quotient and remainder of ty (tx) by STRIDE, without dividing.
	wire [31:0] qy_next = ry == 0 ? qy - 1 : qy;
	wire [31:0] ry_next = ry == 0 ? STRIDE - 1 : ry - 1;
	wire [31:0] qx_next = rx == 0 ? qx - 1 : qx;
	wire [31:0] rx_next = rx == 0 ? STRIDE - 1 : rx - 1;

	// ---- the core is busy while anything is queued or running ----------------

	assign o_busy = wstate != W_IDLE || s2_valid || estate != E_IDLE || r2_valid ||
			!ev_empty || !spk_empty || spk_pop || spk_loaded || rt_busy;

	// ---- memory port muxes ------------------------------------------------------

	wire sweeping = wstate == W_SWEEP;
	wire rmw = estate == E_RMW;
	always @* begin
		// reads
		bias_re = sweeping || i_cfg_re && i_cfg_region == R_BIAS;
		bias_raddr = sweeping ? wi[NB-1:0] : ci[NB-1:0];
		syn_re = rmw || i_cfg_re && i_cfg_region == R_SYNAPSE;
		syn_raddr = rmw ? rw[SB-1:0] : ci[SB-1:0];
		st_re = sweeping || i_cfg_re && i_cfg_region == R_STATE;
		st_raddr = sweeping ? wi[NB-1:0] : ci[NB:1];
		acc_re = sweeping || rmw;
		acc_raddr = sweeping ? {i_parity, wi[NB-1:0]} : {ebank, rn[NB-1:0]};
		// writes
		bias_we = cfg_we && i_cfg_region == R_BIAS || wstate == W_ZERO && wi < NEURONS;
		bias_waddr = wstate == W_ZERO ? wi[NB-1:0] : ci[NB-1:0];
		bias_wdata = wstate == W_ZERO ? {BIAS_BITS{1'b0}} : wd[BIAS_BITS-1:0];
		syn_we = cfg_we && i_cfg_region == R_SYNAPSE || wstate == W_ZERO && wi < SYN_WORDS;
		syn_waddr = wstate == W_ZERO ? wi[SB-1:0] : ci[SB-1:0];
		syn_wdata = wstate == W_ZERO ? {WEIGHT_BITS{1'b0}} : wd[WEIGHT_BITS-1:0];
		v_we = 1'b0;
		r_we = 1'b0;
		st_waddr = ci[NB:1];
		v_wdata = wd[M-1:0];
		r_wdata = wd[3:0];
		if (s2_valid) begin
			v_we = 1'b1;
			r_we = 1'b1;
			st_waddr = s2_n;
			v_wdata = nv;
			r_wdata = nr;
		end else if (wstate == W_CLEAR || wstate == W_ZERO) begin
			v_we = wi < NEURONS;
			r_we = wi < NEURONS;
			st_waddr = wi[NB-1:0];
			v_wdata = wstate == W_CLEAR ? V_INIT[M-1:0] : {M{1'b0}};
			r_wdata = 4'd0;
		end else if (cfg_we && i_cfg_region == R_STATE) begin
			v_we = !ci[0];
			r_we = ci[0];
		end
		acc_we = 1'b0;
		acc_waddr = {r2_bank, r2_n};
		acc_wdata = acc_rdata + {{(32-WEIGHT_BITS){syn_rdata[WEIGHT_BITS-1]}}, syn_rdata};
		if (s2_valid) begin
			acc_we = 1'b1;
			acc_waddr = {i_parity, s2_n};
			acc_wdata = 32'd0;
		end else if (r2_valid) begin
			acc_we = 1'b1;
		end else if (wstate == W_CLEAR || wstate == W_ZERO) begin
			// wi = 2n + bank: both banks of neurons 0 .. wi/2
			acc_we = wi < 2 * NEURONS;
			acc_waddr = {wi[0], wi[NB:1]};
			acc_wdata = 32'd0;
		end
	end

	// configuration read data, one cycle after i_cfg_re
	reg [2:0] rd_region;
	reg rd_odd;
	always @(posedge i_clk)
		if (i_cfg_re) begin
			rd_region <= i_cfg_region;
			rd_odd <= ci[0];
		end
	reg [31:0] reg_rdata;
	always @(posedge i_clk)
		if (i_cfg_re)
			reg_rdata <= regs[ci[4:0]];
	always @* begin
		case (rd_region)
		R_CORE: o_cfg_rdata = reg_rdata;
		R_BIAS: o_cfg_rdata = {{(32-BIAS_BITS){bias_rdata[BIAS_BITS-1]}}, bias_rdata};
		R_SYNAPSE: o_cfg_rdata = {{(32-WEIGHT_BITS){syn_rdata[WEIGHT_BITS-1]}}, syn_rdata};
		R_ROUTE: o_cfg_rdata = rt_cfg_rdata;
		R_STATE: o_cfg_rdata = rd_odd ? {28'd0, r_rdata} : {{(32-M){v_rdata[M-1]}}, v_rdata};
		default: o_cfg_rdata = 32'd0;
		endcase
	end

	// ---- registers, sweep, clear, zero ------------------------------------------

	integer k;
	always @(posedge i_clk) begin
		o_spk_valid <= 1'b0;
		s2_valid <= 1'b0;
		if (i_rst) begin
			for (k = 0; k < 32; k = k + 1)
				regs[k] <= 32'd0;
			wstate <= W_IDLE;
		end else begin
			if (cfg_we && i_cfg_region == R_CORE)
				regs[ci[4:0]] <= wd;
			if (s2_valid && nspike) begin
				o_spk_valid <= 1'b1;
				o_spk_neuron <= {{(16-NB){1'b0}}, s2_n};
			end
			case (wstate)
			W_IDLE:
				if (i_zero) begin
					for (k = 0; k < 32; k = k + 1)
						regs[k] <= 32'd0;
					wi <= 32'd0;
					wlast <= (SYN_WORDS > 2 * NEURONS ? SYN_WORDS : 2 * NEURONS) - 1;
					wstate <= W_ZERO;
				// N_NEURONS 0 is invalid; skipping it keeps a bad
				// configuration from sweeping 2^32 indices.
				end else if (i_clear && o_active && N_NEURONS != 0) begin
					wi <= 32'd0;
					wlast <= {N_NEURONS[30:0], 1'b0} - 1;
					wstate <= W_CLEAR;
				end else if (i_sweep && o_active && N_NEURONS != 0) begin
					wi <= 32'd0;
					wlast <= N_NEURONS - 1;
					ck <= {NB{1'b0}};
					cy <= {NB{1'b0}};
					cx <= {NB{1'b0}};
					wstate <= W_SWEEP;
				end
			W_SWEEP: begin
				s2_valid <= 1'b1;
				s2_n <= wi[NB-1:0];
				s2_c <= dense ? wi[NB-1:0] : ck;
				s2_y <= dense ? {NB{1'b0}} : cy;
				s2_x <= dense ? {NB{1'b0}} : cx;
				if ({{(32-NB){1'b0}}, cx} + 1 == OUT_W) begin
					cx <= {NB{1'b0}};
					if ({{(32-NB){1'b0}}, cy} + 1 == OUT_H) begin
						cy <= {NB{1'b0}};
						ck <= ck + 1'b1;
					end else
						cy <= cy + 1'b1;
				end else
					cx <= cx + 1'b1;
				wi <= wi + 1;
				if (wi == wlast)
					wstate <= W_IDLE;
			end
			default: begin	// W_CLEAR, W_ZERO
				wi <= wi + 1;
				if (wi == wlast)
					wstate <= W_IDLE;
			end
			endcase
		end
	end

	// ---- event engine ---------------------------------------------------------

	always @(posedge i_clk) begin
		ev_pop <= 1'b0;
		div_start <= 1'b0;
		o_synop <= 1'b0;
		o_synop_next <= 1'b0;
		r2_valid <= 1'b0;
		if (i_rst || i_clear || i_zero) begin
			estate <= E_IDLE;
		end else begin
			if (r2_valid) begin
				o_synop <= 1'b1;
				o_synop_next <= r2_bank != i_parity;
			end
			case (estate)
			E_IDLE:
				// Events wait while the sweep owns the accumulators.
				if (!ev_empty && !ev_pop && wstate == W_IDLE && !s2_valid && !i_sweep) begin
					ev_pop <= 1'b1;
					estate <= E_LOAD;
				end
			E_LOAD:
				if (!ev_pop) begin	// ev_q shows the popped event from now
					ebank <= ev_q[EV_W-1];
					ec <= ev_q[95:64];
					ey <= ev_q[63:32];
					ex <= ev_q[31:0];
					estate <= E_D1;	// E_D1 checks the range and forks
				end
			E_D1:
				if (!in_range)
					estate <= E_IDLE;
				else if (dense) begin
					et <= {32'd0, ec} * {32'd0, IN_H} + {32'd0, ey};
					estate <= E_D2;
				end else begin
					div_num <= ey;
					div_den <= POOL;
					div_start <= 1'b1;
					enext <= E_PY;
					estate <= E_WAIT;
				end
			E_D2:
				if (et >= {32'd0, N_AXONS})
					estate <= E_IDLE;
				else begin
					et <= et * {32'd0, IN_W} + {32'd0, ex};
					estate <= E_D3;
				end
			E_D3:
				if (et >= {32'd0, N_AXONS})
					estate <= E_IDLE;
				else begin
					rn <= 32'd0;
					rw <= et[31:0] * N_NEURONS;
					rn_step <= 32'd1;
					rw_step <= 32'd1;
					rcount <= N_NEURONS;
					enext <= E_DRAIN;
					estate <= E_RMW;
				end
			E_RMW: begin
				r2_valid <= 1'b1;
				r2_n <= rn[NB-1:0];
				r2_bank <= ebank;
				rn <= rn + rn_step;
				rw <= rw + rw_step;
				rcount <= rcount - 1;
				if (rcount == 32'd1)
					estate <= enext;
			end
			E_DRAIN:
				estate <= E_IDLE;
			E_WAIT:
				if (div_done)
					estate <= enext;
			E_PY: begin
				py <= div_quo;
				div_num <= ex;
				div_den <= POOL;
				div_start <= 1'b1;
				enext <= E_PX;
				estate <= E_WAIT;
			end
			E_PX: begin
				// py < floor(IN_H / POOL) is (py + 1) * POOL <= IN_H
				if (({32'd0, py} + 1) * {32'd0, POOL} > {32'd0, IN_H} ||
				    ({32'd0, div_quo} + 1) * {32'd0, POOL} > {32'd0, IN_W})
					estate <= E_IDLE;
				else begin
					ty0 <= py + PAD_Y;
					tx0 <= div_quo + PAD_X;
					div_num <= py + PAD_Y;
					div_den <= STRIDE;
					div_start <= 1'b1;
					enext <= E_TY;
					estate <= E_WAIT;
				end
			end
			E_TY: begin
				qy <= div_quo;
				ry <= div_rem;
				ty <= ty0;
				ky <= 32'd0;
				div_num <= tx0;
				div_den <= STRIDE;
				div_start <= 1'b1;
				enext <= E_TX;
				estate <= E_WAIT;
				ckh <= ec * KH;
				plane <= OUT_H * OUT_W;
				ckk <= IN_C * KH * KW;
			end
			E_TX: begin
				qx0 <= div_quo;
				rx0 <= div_rem;
				qx <= div_quo;
				rx <= div_rem;
				tx <= tx0;
				kx <= 32'd0;
				estate <= E_KY;
			end
			E_KY:
				if (ky == KH)
					estate <= E_DRAIN;
				else if (oy_ok) begin
					qx <= qx0;
					rx <= rx0;
					tx <= tx0;
					kx <= 32'd0;
					estate <= E_KX;
				end else begin
					ky <= ky + 1;
					ty <= ty - 1;
					qy <= qy_next;
					ry <= ry_next;
				end
			E_KX:
				if (kx == KW) begin
					ky <= ky + 1;
					ty <= ty - 1;
					qy <= qy_next;
					ry <= ry_next;
					estate <= E_KY;
				end else if (ox_ok)
					estate <= E_TAP;
				else begin
					kx <= kx + 1;
					tx <= tx - 1;
					qx <= qx_next;
					rx <= rx_next;
				end
			E_TAP: begin
				rn <= (qy - OUT_Y0) * OUT_W + (qx - OUT_X0);
				rw <= (ckh + ky) * KW + kx;
				rn_step <= plane;
				rw_step <= ckk;
				rcount <= OUT_NC;
				// after the run, the next column
				kx <= kx + 1;
				tx <= tx - 1;
				qx <= qx_next;
				rx <= rx_next;
				enext <= E_KX;
				estate <= E_RMW;
			end
			default:
				estate <= E_IDLE;
			endcase
		end
	end

`ifndef SYNTHESIS
	reg [8*5-1:0] state_ascii;
	always @* begin
		case (estate)
		E_IDLE: state_ascii = "IDLE";
		E_LOAD: state_ascii = "LOAD";
		E_D1: state_ascii = "D1";
		E_D2: state_ascii = "D2";
		E_D3: state_ascii = "D3";
		E_RMW: state_ascii = "RMW";
		E_DRAIN: state_ascii = "DRAIN";
		E_PY: state_ascii = "PY";
		E_PX: state_ascii = "PX";
		E_TY: state_ascii = "TY";
		E_TX: state_ascii = "TX";
		E_KY: state_ascii = "KY";
		E_KX: state_ascii = "KX";
		E_TAP: state_ascii = "TAP";
		default: state_ascii = "WAIT";
		endcase
	end
`endif

endmodule

`default_nettype wire
