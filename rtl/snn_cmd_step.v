// The command layer's STEP and RUN sequencer: n time steps of the array, each step's output events gathered in the word buffer and sent as OUTPUT frames, and the words of the reply that follows.
//
// Started by the dispatcher with a checked request (i_steps >= 1 for
// RUN; STEP 0 is an empty loop). For each step: remember the array's step
// index, with RUN let the rate encoder hand this step's input spikes to
// the array, start the array's STEP, and take its events into the buffer
// at words 1 .. 255 (the frame's word wi is buffer word wi; ev_w counts the
// frame's words, the step index first); at 255 events, or when the step is
// done, the frame goes out (o_tx_start, then the array waits: o_out_ready
// is low until i_tx_last). After a step that used queued inputs the bitmap
// is cleared. RUN starts with the array's CLEAR (each step then adds one
// to i_step from 0); with i_drop its events are taken and dropped. The
// array's watchdog (i_cmd_abort_seen) ends the loop with o_abort.
// docs/rtl.md, "snn_cmd".
`default_nettype none

module snn_cmd_step (
	input wire i_clk,
	input wire i_rst,
	// the request (while idle)
	input wire i_start,
	input wire i_run,	// RUN: CLEAR first, each step's inputs from the encoder
	input wire i_drop,	// ... and its output events dropped
	input wire [15:0] i_steps,	// held until o_done
	output wire o_done,	// one cycle: the loop is over ...
	output reg o_abort,	// ... cut short by the array's watchdog
	// the reply's words: the steps, the first step, the events sent; while
	// an OUTPUT frame goes out, its step index
	input wire [1:0] i_wi,
	output wire [31:0] o_word,
	// OUTPUT frames to the reply sender
	output wire o_tx_start,
	output wire o_tx_output,	// an OUTPUT frame is going out
	output wire [8:0] o_tx_words,	// ... of this many words
	input wire i_tx_last,
	// the array's command port (the dispatcher tracks its done pulses)
	output wire o_cmd_valid,
	input wire i_cmd_ready,
	output wire o_cmd_step,	// STEP, else CLEAR
	input wire i_cmd_done_seen,	// the last command taken is done ...
	input wire i_cmd_abort_seen,	// ... by the watchdog
	input wire [31:0] i_step,	// the array's step index
	// the rate encoder and the bitmap
	output wire o_enc_step,	// one cycle: encode this step's inputs
	output wire o_enc_first,	// ... the sample's first step
	output wire o_enc_on,	// the encoder's input events go to the array
	input wire i_enc_busy,
	output wire o_sweep,	// clear the bitmap
	input wire i_in_dirty,
	input wire i_in_busy,
	// the array's output events, into the word buffer
	input wire i_out_valid,
	output wire o_out_ready,
	input wire [15:0] i_out_core,
	input wire [15:0] i_out_neuron,
	output wire o_buf_we,
	output wire [7:0] o_buf_waddr,
	output wire [31:0] o_buf_wdata
);

	localparam [8:0] FRAME_FULL = 9'd256;	// an OUTPUT frame's words: the step and 255 events

	localparam [3:0] T_IDLE = 4'd0;
	localparam [3:0] T_CLEAR = 4'd1;	// RUN: CLEAR to the array
	localparam [3:0] T_CLEAR_WAIT = 4'd2;
	localparam [3:0] T_RUN_BM = 4'd3;	// ... the bitmap swept if it must be
	localparam [3:0] T_LOOP = 4'd4;	// next step, or the end
	localparam [3:0] T_RUN_GO = 4'd5;	// RUN: the step's encoding started
	localparam [3:0] T_RUN_ENC = 4'd6;	// ... its input spikes to the array
	localparam [3:0] T_STEP = 4'd7;	// STEP to the array
	localparam [3:0] T_WAIT = 4'd8;	// gather its output events
	localparam [3:0] T_TX = 4'd9;	// an OUTPUT frame going out
	localparam [3:0] T_END = 4'd10;	// the step done: the bitmap, or the watchdog's end
	localparam [3:0] T_SWEEP = 4'd11;	// the bitmap being cleared
	localparam [3:0] T_DONE = 4'd12;

	(* fsm_encoding = "one-hot" *) reg [3:0] state;
	reg run, drop;
	reg in_step;	// output events are this request's (else dropped)
	reg [15:0] ctr;	// steps done
	reg [31:0] st_cur, st_events;
	reg [8:0] ev_w;	// words of the OUTPUT frame so far

	wire take_ev = i_out_valid && o_out_ready;
	wire step_done = i_cmd_done_seen && !i_out_valid;
	wire out_go = state == T_WAIT && (ev_w == FRAME_FULL || step_done && ev_w != 9'd1);
	wire sweep_go = (state == T_END || state == T_RUN_BM) && i_in_dirty;

	always @(posedge i_clk) begin
		if (i_rst) begin
			state <= T_IDLE;
			run <= 1'b0;
			drop <= 1'b0;
			in_step <= 1'b0;
			o_abort <= 1'b0;
			ctr <= 16'd0;
			st_cur <= 32'd0;
			st_events <= 32'd0;
			ev_w <= 9'd1;
		end else case (state)
		T_IDLE:
			if (i_start) begin
				run <= i_run;
				drop <= i_run && i_drop;
				o_abort <= 1'b0;
				ctr <= 16'd0;
				st_events <= 32'd0;
				ev_w <= 9'd1;
				in_step <= !i_run;
				state <= i_run ? T_CLEAR : T_LOOP;
			end
		T_CLEAR:
			if (i_cmd_ready)
				state <= T_CLEAR_WAIT;
		T_CLEAR_WAIT:
			if (i_cmd_done_seen)
				state <= T_RUN_BM;
		T_RUN_BM: begin
			in_step <= 1'b1;
			state <= sweep_go ? T_SWEEP : T_LOOP;
		end
		T_LOOP:
			if (ctr == i_steps) begin
				in_step <= 1'b0;
				state <= T_DONE;
			end else begin
				st_cur <= i_step;
				state <= run ? T_RUN_GO : T_STEP;
			end
		T_RUN_GO: state <= T_RUN_ENC;
		T_RUN_ENC:
			if (!i_enc_busy)
				state <= T_STEP;
		T_STEP:
			if (i_cmd_ready)
				state <= T_WAIT;
		T_WAIT: begin
			if (take_ev && !drop) begin	// (never with out_go)
				ev_w <= ev_w + 9'd1;
				st_events <= st_events + 1'b1;
			end
			if (out_go) begin
				ev_w <= 9'd1;
				state <= T_TX;	// the reply sender started at this edge
			end else if (step_done) begin
				state <= T_END;
			end
		end
		T_TX:
			if (i_tx_last)
				state <= T_WAIT;
		T_END: begin
			if (i_cmd_abort_seen) begin
				// the watchdog: the dispatcher answers with an ERROR
				o_abort <= 1'b1;
				in_step <= 1'b0;
			end else begin
				ctr <= ctr + 1'b1;
			end
			state <= sweep_go ? T_SWEEP : i_cmd_abort_seen ? T_DONE : T_LOOP;
		end
		T_SWEEP:
			if (!i_in_busy)
				state <= o_abort ? T_DONE : T_LOOP;
		default:	// T_DONE
			state <= T_IDLE;
		endcase
	end

	assign o_done = state == T_DONE;
	// the first step: each step added one to i_step
	wire [31:0] first = i_step - {16'd0, i_steps};
	assign o_word = state == T_TX ? st_cur : i_wi[1] ? st_events : i_wi[0] ? first : {16'd0, i_steps};
	assign o_tx_start = out_go;
	assign o_tx_output = state == T_TX;
	assign o_tx_words = ev_w;
	assign o_cmd_valid = state == T_CLEAR || state == T_STEP;
	assign o_cmd_step = state == T_STEP;
	assign o_enc_step = state == T_RUN_GO;
	assign o_enc_first = ctr == 16'd0;
	assign o_enc_on = state == T_RUN_ENC;
	assign o_sweep = sweep_go;
	// Outside a STEP nothing should reach the host; if an invalid
	// configuration that RESET let through sends something anyway, it is
	// dropped rather than left to block the array.
	assign o_out_ready = in_step ? state == T_WAIT && (drop || ev_w != FRAME_FULL) : 1'b1;
	assign o_buf_we = state == T_WAIT && take_ev && !drop;
	assign o_buf_waddr = ev_w[7:0];
	assign o_buf_wdata = {i_out_neuron, i_out_core};

`ifndef SYNTHESIS
	// State names for waveform viewers (simulation only).
	reg [8*8-1:0] state_ascii;
	always @* begin
		case (state)
		T_IDLE: state_ascii = "idle";
		T_CLEAR: state_ascii = "clear";
		T_CLEAR_WAIT: state_ascii = "clr_wait";
		T_RUN_BM: state_ascii = "run_bm";
		T_LOOP: state_ascii = "loop";
		T_RUN_GO: state_ascii = "run_go";
		T_RUN_ENC: state_ascii = "run_enc";
		T_STEP: state_ascii = "step";
		T_WAIT: state_ascii = "wait";
		T_TX: state_ascii = "tx";
		T_END: state_ascii = "end";
		T_SWEEP: state_ascii = "sweep";
		T_DONE: state_ascii = "done";
		default: state_ascii = "?";
		endcase
	end
`endif

endmodule

`default_nettype wire
