// The engine and the rate encoder behind I/O registers, for the control processor (step 2 of docs/rtl.md, "The iCEBreaker device, packed").
//
// Each of the engine's ports (memory, commands, input events, output
// events, counters) and the encoder's becomes a register the program reads
// or writes; an access that has to wait for the engine holds the bus
// (o_ready late) instead of making the program poll, so a word written to
// the memory or an output event read is one load or store. A request is
// held until o_ready, which is high for one cycle (snn_cpu's memory port):
// a request still offered in that cycle is the same one, not a new one.
// Registers (i_reg; docs/rtl.md, "snn_engine_io"):
//    0 MEM_SEL    w: region = bits 2:0, core = bits 31:16
//    1 MEM_INDEX  r/w: the word index of the next memory access
//    2 MEM_DATA   w: write the word at MEM_INDEX; r: read it; either waits
//                 for the engine's answer, then MEM_INDEX counts up
//    3 MEM_STATUS r: the engine's status of the last access (0 done, 1
//                 outside the memory, 2 a STATE value out of range)
//    4 CMD        w: 0 CLEAR, 1 STEP, 2 ZERO, once the engine takes it
//    5 EVENT      r: the next output event of the command, {0, core[14:0],
//                 neuron}, or once the command is done 0x8000_0000 (| 1
//                 if the watchdog cut it short); waits for either
//    6 STEP       r: the engine's step index
//    7 INPUT      w: an input event for the next step, once taken
//    8 CNT_SEL    w: counter = bits 2:0, its high half = bit 3; bit 4
//                 clears every counter instead
//    9 CNT        r: the selected counter half, read through the engine's port
//   10 PIX_INDEX  w: the input index of the next PIXELS value
//   11 PIX_VALUE  w: store a value there (the encoder idle), count up
//   12 ENCODE     w: encode one step over inputs 0 .. bits 15:0 - 1, the
//                 sample's first if bit 16; bit 17 zeroes every value
//                 instead; the step's spikes go to the engine's inputs;
//                 r: waits until the encoder is idle
// Output events offered while no command is under way (an unchecked
// configuration could make some) are taken and dropped, so that they
// cannot stall the engine.
`default_nettype none

module snn_engine_io #(
	parameter INPUT_MAX = 1024	// inputs the encoder holds (a power of two)
) (
	input wire i_clk,
	input wire i_rst,
	// the processor's side
	input wire i_valid,
	input wire [3:0] i_reg,
	input wire i_write,
	input wire [31:0] i_wdata,
	output reg o_ready,
	output reg [31:0] o_rdata,
	// the engine's memory port
	output reg o_mem_valid,
	input wire i_mem_ready,
	output reg o_mem_write,
	output reg [2:0] o_mem_region,
	output reg [15:0] o_mem_core,
	output reg [31:0] o_mem_index,
	output reg [31:0] o_mem_wdata,
	input wire i_mem_done,
	input wire [1:0] i_mem_status,
	input wire [31:0] i_mem_rdata,
	// commands
	output reg o_cmd_valid,
	input wire i_cmd_ready,
	output reg [1:0] o_cmd,
	input wire i_cmd_done,
	input wire i_cmd_abort,
	input wire [31:0] i_step,
	// input events
	output wire o_in_valid,
	input wire i_in_ready,
	output wire [23:0] o_in_index,
	// output events
	input wire i_out_valid,
	output wire o_out_ready,
	/* verilator lint_off UNUSEDSIGNAL */	// bit 15: no board has 32,768 cores
	input wire [15:0] i_out_core,
	/* verilator lint_on UNUSEDSIGNAL */
	input wire [15:0] i_out_neuron,
	// counters
	output reg o_cnt_clear,
	output reg o_cnt_rd,
	output reg [2:0] o_cnt_sel,
	output reg o_cnt_high,
	input wire i_cnt_done,
	input wire [31:0] i_cnt_value
);

	localparam EA = $clog2(INPUT_MAX);

	// the registers (rtl/fw/snn_engine_io.h; test_rtl_constants compares them)
	localparam [3:0] EIO_MEM_SEL = 4'd0;
	localparam [3:0] EIO_MEM_INDEX = 4'd1;
	localparam [3:0] EIO_MEM_DATA = 4'd2;
	localparam [3:0] EIO_MEM_STATUS = 4'd3;
	localparam [3:0] EIO_CMD = 4'd4;
	localparam [3:0] EIO_EVENT = 4'd5;
	localparam [3:0] EIO_STEP = 4'd6;
	localparam [3:0] EIO_INPUT = 4'd7;
	localparam [3:0] EIO_CNT_SEL = 4'd8;
	localparam [3:0] EIO_CNT = 4'd9;
	localparam [3:0] EIO_PIX_INDEX = 4'd10;
	localparam [3:0] EIO_PIX_VALUE = 4'd11;
	localparam [3:0] EIO_ENCODE = 4'd12;

	// what the request in hand waits for
	localparam [2:0] W_NONE = 3'd0, W_MEM = 3'd1, W_CMD = 3'd2, W_EVENT = 3'd3, W_INPUT = 3'd4,
			 W_CNT = 3'd5, W_ENC = 3'd6;
	reg [2:0] wait_for;
	reg mem_taken;	// the memory request was taken, its done to come
	reg [1:0] mem_status;
	reg busy_cmd;	// a command is under way: its events are the program's
	reg done_seen, abort_seen;	// ... and it is done
	reg in_valid;
	reg [23:0] in_index;
	reg [EA-1:0] pix_index;
	reg enc_store, enc_clear, enc_step, enc_first;
	reg [EA:0] enc_count;
	reg enc_on;	// the encoder's spikes go to the engine

	wire start = i_valid && !o_ready && wait_for == W_NONE;
	wire event_take = wait_for == W_EVENT && i_out_valid;

	wire enc_busy, enc_ev_valid;
	wire [EA-1:0] enc_ev_index;
	snn_rate_encoder #(.DEPTH(INPUT_MAX)) u_encoder (
		.i_clk(i_clk),
		.i_rst(i_rst),
		.i_store(enc_store),
		.i_index(pix_index),
		.i_value(i_wdata[7:0]),
		.i_clear(enc_clear),
		.i_step(enc_step),
		.i_first(enc_first),
		.i_count(enc_count),
		.o_busy(enc_busy),
		.o_ev_valid(enc_ev_valid),
		.i_ev_ready(enc_on && i_in_ready),
		.o_ev_index(enc_ev_index)
	);
	assign o_in_valid = in_valid || enc_on && enc_ev_valid;
	assign o_in_index = enc_on ? {{(24-EA){1'b0}}, enc_ev_index} : in_index;
	assign o_out_ready = event_take || !busy_cmd;

	always @(posedge i_clk) begin
		o_ready <= 1'b0;
		o_cnt_clear <= 1'b0;
		enc_store <= 1'b0;
		enc_clear <= 1'b0;
		enc_step <= 1'b0;
		if (i_cmd_done) begin
			done_seen <= 1'b1;
			abort_seen <= i_cmd_abort;
		end
		if (enc_on && !enc_busy && !enc_step)
			enc_on <= 1'b0;
		if (enc_store)	// the encoder takes the value at this edge
			pix_index <= pix_index + 1'b1;
		if (start) begin
			if (i_write) case (i_reg)
				EIO_MEM_SEL: begin
					o_mem_region <= i_wdata[2:0];
					o_mem_core <= i_wdata[31:16];
					o_ready <= 1'b1;
				end
				EIO_MEM_INDEX: begin
					o_mem_index <= i_wdata;
					o_ready <= 1'b1;
				end
				EIO_MEM_DATA: begin
					o_mem_write <= 1'b1;
					o_mem_wdata <= i_wdata;
					o_mem_valid <= 1'b1;
					wait_for <= W_MEM;
				end
				EIO_CMD: begin
					o_cmd <= i_wdata[1:0];
					o_cmd_valid <= 1'b1;
					wait_for <= W_CMD;
				end
				EIO_INPUT: begin
					in_index <= i_wdata[23:0];
					in_valid <= 1'b1;
					wait_for <= W_INPUT;
				end
				EIO_CNT_SEL: begin
					o_cnt_sel <= i_wdata[2:0];
					o_cnt_high <= i_wdata[3];
					o_cnt_clear <= i_wdata[4];
					o_ready <= 1'b1;
				end
				EIO_PIX_INDEX: begin
					pix_index <= i_wdata[EA-1:0];
					o_ready <= 1'b1;
				end
				EIO_PIX_VALUE: begin
					enc_store <= 1'b1;
					wait_for <= W_ENC;	// the store is taken at once; the
								// next request waits for the encoder
				end
				EIO_ENCODE: begin
					enc_count <= i_wdata[EA:0];
					enc_first <= i_wdata[16];
					enc_clear <= i_wdata[17];
					enc_step <= !i_wdata[17];
					enc_on <= !i_wdata[17];
					wait_for <= W_ENC;
				end
				default: o_ready <= 1'b1;
			endcase else case (i_reg)
				EIO_MEM_INDEX: begin
					o_rdata <= o_mem_index;
					o_ready <= 1'b1;
				end
				EIO_MEM_DATA: begin
					o_mem_write <= 1'b0;
					o_mem_valid <= 1'b1;
					wait_for <= W_MEM;
				end
				EIO_MEM_STATUS: begin
					o_rdata <= {30'd0, mem_status};
					o_ready <= 1'b1;
				end
				EIO_EVENT: wait_for <= W_EVENT;
				EIO_STEP: begin
					o_rdata <= i_step;
					o_ready <= 1'b1;
				end
				EIO_CNT: begin
					o_cnt_rd <= 1'b1;
					wait_for <= W_CNT;
				end
				EIO_ENCODE: wait_for <= W_ENC;
				default: begin
					o_rdata <= 32'd0;
					o_ready <= 1'b1;
				end
			endcase
		end
		case (wait_for)
			W_MEM: begin
				if (i_mem_ready)
					o_mem_valid <= 1'b0;
				if (i_mem_ready || mem_taken)
					mem_taken <= 1'b1;
				if (mem_taken && i_mem_done) begin
					mem_taken <= 1'b0;
					mem_status <= i_mem_status;
					o_rdata <= i_mem_rdata;
					o_mem_index <= o_mem_index + 32'd1;
					o_ready <= 1'b1;
					wait_for <= W_NONE;
				end
			end
			W_CMD: if (i_cmd_ready) begin
				o_cmd_valid <= 1'b0;
				busy_cmd <= 1'b1;
				done_seen <= 1'b0;
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end
			W_EVENT: if (i_out_valid) begin
				o_rdata <= {1'b0, i_out_core[14:0], i_out_neuron};
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end else if (done_seen) begin
				o_rdata <= {31'h4000_0000, abort_seen};
				busy_cmd <= 1'b0;
				done_seen <= 1'b0;
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end
			W_INPUT: if (i_in_ready) begin
				in_valid <= 1'b0;
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end
			W_CNT: if (i_cnt_done) begin
				o_cnt_rd <= 1'b0;
				o_rdata <= i_cnt_value;
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end
			W_ENC: if (!enc_busy && !enc_step && !enc_clear && !enc_store) begin
				o_rdata <= 32'd0;
				o_ready <= 1'b1;
				wait_for <= W_NONE;
			end
			default: ;
		endcase
		if (i_rst) begin
			o_ready <= 1'b0;
			o_mem_valid <= 1'b0;
			o_cmd_valid <= 1'b0;
			o_cnt_rd <= 1'b0;
			o_cnt_clear <= 1'b0;
			in_valid <= 1'b0;
			enc_store <= 1'b0;
			enc_clear <= 1'b0;
			enc_step <= 1'b0;
			enc_on <= 1'b0;
			wait_for <= W_NONE;
			mem_taken <= 1'b0;
			busy_cmd <= 1'b0;
			done_seen <= 1'b0;
			abort_seen <= 1'b0;
		end
	end

endmodule
`default_nettype wire
