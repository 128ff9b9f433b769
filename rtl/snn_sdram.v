// SDR SDRAM controller for the ULX3S's 16-bit part: streams of 64-bit lines (one burst of four words each), open-page with one row open, auto-refresh in time whatever the traffic.
//
// docs/rtl.md, "snn_sdram", has the interface, the address map, the
// timing and why the policy is what it is. In short: a command asks for
// i_cmd_len + 1 lines from i_cmd_addr on, in address order; a write takes
// one line (and its byte enables) from the write stream per WRITE burst,
// a read delivers lines on the read stream in the order asked. The row
// stays open after a command, so a sweep that comes as many short commands
// in address order pays for ACTIVATE once per row; a miss, a refresh or the
// end of a row closes it. Every timing rule is counted in clocks from the
// datasheet's nanoseconds and CLK_KHZ, rounded up; the refresh timer
// restarts at every AUTO REFRESH and asks for the next one early enough
// (REF_SLACK) that the longest wait for the bank to close still keeps the
// interval under tREFI.
//
// Pins: every output is a register. The board clocks the SDRAM with the
// inverted design clock (it takes a command half a cycle after this module
// registers it) and this module samples DQ at the CASth edge after the
// READ: word i of a READ registered at edge c is in the input register
// after edge c + CAS + i.
`default_nettype none

module snn_sdram #(
	parameter CLK_KHZ = 30000,	// design clock, kHz (at most 250,000)
	parameter CAS = 2,	// CAS latency, 2 or 3 (3 above 100 MHz for -7 parts)
	parameter ROW_BITS = 13,	// 8,192 rows
	parameter COL_BITS = 9,	// 512 columns (IS42S16160 / MT48LC16M16, 32 MB); 10 for AS4C32M16SB (64 MB); at most 10
	parameter LEN_BITS = 8,	// i_cmd_len width: up to 2^LEN_BITS lines a command
	parameter RD_DEPTH = 8,	// read lines buffered (a power of two, at least 4)
	// datasheet timing, ns: the slower of AS4C32M16SB-7 and MT48LC16M16A2-75
	parameter TRCD_NS = 21,
	parameter TRP_NS = 21,
	parameter TRAS_NS = 44,
	parameter TRC_NS = 66,
	parameter TRFC_NS = 66,
	parameter TWR_NS = 15,
	parameter TMRD_NS = 14,
	parameter TREFI_NS = 7800,	// 8,192 refreshes in 64 ms (multiple of 10)
	parameter POWERUP_US = 200,
	parameter INIT_REFRESHES = 8
) (
	input wire i_clk,
	input wire i_rst,	// restarts the initialisation (contents are lost)
	output wire o_init_done,
	// commands: {write, first line, lines - 1}
	input wire i_cmd_valid,
	output wire o_cmd_ready,
	input wire i_cmd_write,
	input wire [ADDR_BITS-1:0] i_cmd_addr,
	input wire [LEN_BITS-1:0] i_cmd_len,
	// lines to write, one per line of a write command, in order
	input wire i_wr_valid,
	output wire o_wr_ready,
	input wire [63:0] i_wr_data,	// word i (bytes 2i, 2i+1) goes to column 4 x line + i
	input wire [7:0] i_wr_be,	// bytes written
	// lines read, in the order asked
	output wire o_rd_valid,
	input wire i_rd_ready,
	output wire [63:0] o_rd_data,
	// the SDRAM's pins (DQ's tristate is the board's: o_sdram_dq_oe)
	output reg o_sdram_cke,
	output reg o_sdram_cs_n,
	output reg o_sdram_ras_n,
	output reg o_sdram_cas_n,
	output reg o_sdram_we_n,
	output reg [1:0] o_sdram_ba,
	output reg [12:0] o_sdram_a,
	output reg [1:0] o_sdram_dqm,
	output reg [15:0] o_sdram_dq,
	output reg o_sdram_dq_oe,
	input wire [15:0] i_sdram_dq
);

	localparam LINE_BITS = COL_BITS - 2;	// lines in a row: four columns each
	localparam ADDR_BITS = ROW_BITS + 2 + LINE_BITS;	// {row, bank, line in row}

	// nanoseconds to clocks, rounded up, at least 1
	function integer clocks(input integer ns);
		integer c;
		begin
			c = (ns * (CLK_KHZ / 1000) + ns * (CLK_KHZ % 1000) / 1000 + 999) / 1000;
			clocks = c < 1 ? 1 : c;
		end
	endfunction
	function integer max2(input integer a, input integer b);
		max2 = a > b ? a : b;
	endfunction

	localparam T_RCD = clocks(TRCD_NS);
	localparam T_RP = clocks(TRP_NS);
	localparam T_RAS = clocks(TRAS_NS);
	localparam T_RC = clocks(TRC_NS);
	localparam T_RFC = clocks(TRFC_NS);
	localparam T_WR = max2(2, clocks(TWR_NS));	// 2 clocks at least (MT48LC: 1 clock + 7 ns)
	localparam T_MRD = max2(2, clocks(TMRD_NS));	// 2 clocks at least (MT48LC)
	localparam BURST = 4;	// words a line, the mode register's burst length
	// tREFI in clocks, rounded down: TREFI_NS / 10 x CLK_KHZ / 100,000
	localparam T_REFI = (TREFI_NS / 10) * CLK_KHZ / 100000;
	// the longest the refresh can wait once asked for: a burst and tWR, or
	// tRAS from a fresh ACTIVATE, then tRP (and tRC to spare)
	localparam REF_SLACK = T_RAS + BURST + T_WR + T_RP + T_RC + 8;
	localparam REF_PERIOD = T_REFI - REF_SLACK;
	localparam POWERUP = POWERUP_US * (CLK_KHZ / 1000) + 1;
	localparam CW = 8;	// timing counters (every gap above fits in 255 clocks)
	localparam RW = $clog2(T_REFI + 1);
	localparam PW = $clog2(POWERUP + 1);
	localparam DW = $clog2(RD_DEPTH);
	localparam [PW-1:0] POWERUP_N = POWERUP[PW-1:0];
	localparam [DW:0] RD_ROOM = RD_DEPTH[DW:0];
	localparam [RW-1:0] REF_AT = REF_PERIOD[RW-1:0];
	// each gap minus one, as the counters take it
	localparam integer G_RP = T_RP - 1, G_RFC = T_RFC - 1, G_RC = T_RC - 1, G_RCD = T_RCD - 1,
		G_RAS = T_RAS - 1, G_MRD = T_MRD - 1, G_BURST = BURST - 1,
		G_WR_PRE = BURST - 1 + T_WR - 1, G_RD_WR = CAS + BURST - 1;
	localparam [CW-1:0] N_RP = G_RP[CW-1:0], N_RFC = G_RFC[CW-1:0], N_RC = G_RC[CW-1:0],
		N_RCD = G_RCD[CW-1:0], N_RAS = G_RAS[CW-1:0], N_MRD = G_MRD[CW-1:0],
		N_BURST = G_BURST[CW-1:0], N_WR_PRE = G_WR_PRE[CW-1:0], N_RD_WR = G_RD_WR[CW-1:0];

	// SDRAM commands {cs_n, ras_n, cas_n, we_n}
	localparam [3:0] C_NOP = 4'b0111;
	localparam [3:0] C_INHIBIT = 4'b1111;
	localparam [3:0] C_ACT = 4'b0011;
	localparam [3:0] C_READ = 4'b0101;
	localparam [3:0] C_WRITE = 4'b0100;
	localparam [3:0] C_PRE = 4'b0010;
	localparam [3:0] C_REF = 4'b0001;
	localparam [3:0] C_MRS = 4'b0000;
	// mode register: burst write, standard mode, CAS, sequential, burst of 4
	localparam integer CAS_I = CAS;
	localparam [2:0] CAS3 = CAS_I[2:0];
	localparam [12:0] MODE = {3'b000, 1'b0, 2'b00, CAS3, 1'b0, 3'b010};

	localparam [1:0] S_POWERUP = 2'd0, S_INIT_PRE = 2'd1, S_INIT_REF = 2'd2, S_RUN = 2'd3;
	reg [1:0] state;

	// ---- timing counters: n means n more clocks before that command ----
	reg [CW-1:0] act_cnt;	// ACTIVATE, REFRESH, MODE (tRP, tRC, tRFC, tMRD)
	reg [CW-1:0] col_cnt;	// READ, WRITE (tRCD, one burst after the last)
	reg [CW-1:0] pre_cnt;	// PRECHARGE (tRAS, burst end, tWR)
	reg [CW-1:0] wr_cnt;	// WRITE after a READ (the SDRAM has let go of DQ)
	function [CW-1:0] dec(input [CW-1:0] n);
		dec = n == 0 ? n : n - 1'b1;
	endfunction
	// the count after a command that needs m + 1 clocks before the next
	function [CW-1:0] at_least(input [CW-1:0] cnt, input [CW-1:0] m);
		at_least = dec(cnt) > m ? dec(cnt) : m;
	endfunction

	reg [PW-1:0] powerup;
	reg [3:0] init_refs;
	reg [RW-1:0] ref_timer;	// clocks since the last REFRESH
	wire ref_due = ref_timer >= REF_AT;

	// ---- the command being carried out, a line at a time ----
	reg cur_valid, cur_write;
	reg [ADDR_BITS-1:0] cur_addr;
	reg [LEN_BITS-1:0] cur_left;	// lines after this one
	wire [ROW_BITS-1:0] cur_row = cur_addr[ADDR_BITS-1 -: ROW_BITS];
	wire [1:0] cur_bank = cur_addr[LINE_BITS +: 2];
	wire [LINE_BITS-1:0] cur_line = cur_addr[LINE_BITS-1:0];

	reg row_open;
	reg [1:0] open_bank;
	reg [ROW_BITS-1:0] open_row;
	wire hit = row_open && open_bank == cur_bank && open_row == cur_row;

	// the row and the column on the 13 address pins (no zero-width
	// replication when ROW_BITS is 13)
	reg [12:0] a_row, a_col;
	always @* begin
		a_row = 13'd0;
		a_row[ROW_BITS-1:0] = cur_row;
		a_col = 13'd0;	// A10 low: no auto precharge
		a_col[COL_BITS-1:0] = {cur_line, 2'b00};
	end

	// read buffer room not yet promised to a READ in flight
	reg [DW:0] rd_room;

	// one command a clock, in this order of need
	wire run = state == S_RUN;
	wire do_pre = run && row_open && pre_cnt == 0 && (ref_due || (cur_valid && !hit));
	wire do_ref = run && ref_due && !row_open && act_cnt == 0;
	wire do_act = run && !ref_due && cur_valid && !row_open && act_cnt == 0;
	wire col_ok = run && !ref_due && cur_valid && hit && col_cnt == 0;
	wire do_read = col_ok && !cur_write && rd_room != 0;
	assign o_wr_ready = col_ok && cur_write && wr_cnt == 0;
	wire do_write = o_wr_ready && i_wr_valid;
	wire do_col = do_read || do_write;

	assign o_cmd_ready = run && !cur_valid;
	assign o_init_done = run;

	// ---- write data: the three words after the WRITE's own ----
	reg [47:0] wr_rest;
	reg [5:0] wr_rest_be;
	reg [2:0] wr_words;	// words still to drive

	// ---- read data: which edges carry words, the line being assembled ----
	reg [CAS+3:0] rd_shift;	// bit j: a READ was registered j edges ago
	reg [15:0] dq_in;
	reg [47:0] rd_line;
	reg [63:0] rd_buf [0:RD_DEPTH-1];
	reg [DW:0] rd_wr, rd_rd;
	wire rd_push = rd_shift[CAS+3];
	wire rd_pop = o_rd_valid && i_rd_ready;
	assign o_rd_valid = rd_wr != rd_rd;
	assign o_rd_data = rd_buf[rd_rd[DW-1:0]];

	always @(posedge i_clk) begin
		dq_in <= i_sdram_dq;
		rd_shift <= {rd_shift[CAS+2:0], do_read};
		if (i_rst)	// no READ from before a reset may reach the buffer
			rd_shift <= {(CAS+4){1'b0}};
		if (rd_shift[CAS])
			rd_line[15:0] <= dq_in;
		if (rd_shift[CAS+1])
			rd_line[31:16] <= dq_in;
		if (rd_shift[CAS+2])
			rd_line[47:32] <= dq_in;
		if (rd_push)
			rd_buf[rd_wr[DW-1:0]] <= {dq_in, rd_line};
		if (do_write) begin
			wr_rest <= i_wr_data[63:16];
			wr_rest_be <= i_wr_be[7:2];
		end else if (wr_words != 0) begin
			wr_rest <= {16'd0, wr_rest[47:16]};
			wr_rest_be <= {2'b00, wr_rest_be[5:2]};
		end
	end

	always @(posedge i_clk) begin
		// pins: a NOP with DQ let go unless something below says otherwise
		{o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} <= C_NOP;
		o_sdram_cke <= 1'b1;
		o_sdram_dqm <= 2'b00;
		o_sdram_dq_oe <= 1'b0;
		o_sdram_dq <= wr_rest[15:0];

		act_cnt <= dec(act_cnt);
		col_cnt <= dec(col_cnt);
		pre_cnt <= dec(pre_cnt);
		wr_cnt <= dec(wr_cnt);
		if (ref_timer != {RW{1'b1}})
			ref_timer <= ref_timer + 1'b1;

		if (wr_words != 0) begin
			o_sdram_dq_oe <= 1'b1;
			o_sdram_dqm <= ~wr_rest_be[1:0];
			wr_words <= wr_words - 1'b1;
		end
		if (rd_push)
			rd_wr <= rd_wr + 1'b1;
		if (rd_pop)
			rd_rd <= rd_rd + 1'b1;
		rd_room <= rd_room - {{DW{1'b0}}, do_read} + {{DW{1'b0}}, rd_pop};

		case (state)
		S_POWERUP: begin	// tens of microseconds of NOP with the clock running
			{o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} <= C_INHIBIT;
			powerup <= powerup - 1'b1;
			if (powerup == 0)
				state <= S_INIT_PRE;
		end
		S_INIT_PRE: begin	// PRECHARGE ALL
			{o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} <= C_PRE;
			o_sdram_a <= 13'h400;
			act_cnt <= N_RP;
			state <= S_INIT_REF;
		end
		S_INIT_REF: if (act_cnt == 0) begin	// the refreshes, then the mode register
			if (init_refs != INIT_REFRESHES) begin
				{o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} <= C_REF;
				act_cnt <= N_RFC;
				init_refs <= init_refs + 1'b1;
				ref_timer <= {RW{1'b0}};
			end else begin
				{o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} <= C_MRS;
				o_sdram_ba <= 2'b00;
				o_sdram_a <= MODE;
				act_cnt <= N_MRD;
				state <= S_RUN;
			end
		end
		default: ;
		endcase

		if (do_pre) begin
			{o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} <= C_PRE;
			o_sdram_ba <= open_bank;
			o_sdram_a <= 13'h000;	// A10 low: this bank only
			act_cnt <= at_least(act_cnt, N_RP);
			row_open <= 1'b0;
		end
		if (do_ref) begin
			{o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} <= C_REF;
			act_cnt <= at_least(act_cnt, N_RFC);
			ref_timer <= {RW{1'b0}};
		end
		if (do_act) begin
			{o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} <= C_ACT;
			o_sdram_ba <= cur_bank;
			o_sdram_a <= a_row;
			act_cnt <= at_least(act_cnt, N_RC);
			col_cnt <= at_least(col_cnt, N_RCD);
			pre_cnt <= at_least(pre_cnt, N_RAS);
			row_open <= 1'b1;
			open_bank <= cur_bank;
			open_row <= cur_row;
		end
		if (do_col) begin
			{o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} <= do_write ? C_WRITE : C_READ;
			o_sdram_ba <= cur_bank;
			o_sdram_a <= a_col;
			col_cnt <= N_BURST;
			// a read's burst must end before PRECHARGE; a write's last word
			// needs tWR before it
			pre_cnt <= at_least(pre_cnt, do_write ? N_WR_PRE : N_BURST);
			if (do_read)	// DQ free: the last word, and a clock to let go
				wr_cnt <= N_RD_WR;
			if (do_write) begin
				o_sdram_dq <= i_wr_data[15:0];
				o_sdram_dqm <= ~i_wr_be[1:0];
				o_sdram_dq_oe <= 1'b1;
				wr_words <= 3'd3;
			end
			// the next line; the row ends where the line index wraps
			cur_addr <= cur_addr + 1'b1;
			cur_left <= cur_left - 1'b1;
			if (cur_left == 0)
				cur_valid <= 1'b0;
		end
		if (i_cmd_valid && o_cmd_ready) begin
			cur_valid <= 1'b1;
			cur_write <= i_cmd_write;
			cur_addr <= i_cmd_addr;
			cur_left <= i_cmd_len;
		end

		if (i_rst) begin
			state <= S_POWERUP;
			powerup <= POWERUP_N;
			init_refs <= 4'd0;
			ref_timer <= {RW{1'b0}};
			act_cnt <= {CW{1'b0}};
			col_cnt <= {CW{1'b0}};
			pre_cnt <= {CW{1'b0}};
			wr_cnt <= {CW{1'b0}};
			cur_valid <= 1'b0;
			row_open <= 1'b0;
			wr_words <= 3'd0;
			rd_wr <= {(DW+1){1'b0}};
			rd_rd <= {(DW+1){1'b0}};
			rd_room <= RD_ROOM;
			o_sdram_cke <= 1'b0;
			{o_sdram_cs_n, o_sdram_ras_n, o_sdram_cas_n, o_sdram_we_n} <= C_INHIBIT;
			o_sdram_dq_oe <= 1'b0;
		end
	end

`ifndef SYNTHESIS
	reg [8*8-1:0] state_ascii;
	always @* begin
		case (state)
		S_POWERUP: state_ascii = "powerup";
		S_INIT_PRE: state_ascii = "init_pre";
		S_INIT_REF: state_ascii = "init_ref";
		default: state_ascii = "run";
		endcase
	end
`endif

endmodule

`default_nettype wire
