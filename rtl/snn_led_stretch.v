// An LED pulse stretcher: an event lights the LED for 2^LED_BITS - 1 cycles, a new event starts them again.
//
// Link and error events last one cycle, too short to see; the boards'
// LEDs go through one of these each.
`default_nettype none

module snn_led_stretch #(
	parameter LED_BITS = 22	// the LED stays on 2^LED_BITS - 1 cycles after an event
) (
	input wire i_clk,
	input wire i_rst,
	input wire i_event,
	output wire o_led
);

	reg [LED_BITS-1:0] count;
	// the event a cycle late: it is a link handshake's decode, and no LED
	// needs it sooner than the path from it allows (the iCEBreaker's step
	// device had it on its slowest path)
	reg event_q;

	always @(posedge i_clk)
		event_q <= i_event;

	always @(posedge i_clk)
		if (i_rst)
			count <= {LED_BITS{1'b0}};
		else if (event_q)
			count <= {LED_BITS{1'b1}};
		else if (count != {LED_BITS{1'b0}})
			count <= count - 1'b1;

	assign o_led = count != {LED_BITS{1'b0}};

endmodule

`default_nettype wire
