// B3 byte decoder: one byte -> five base-3 digits (code = trit + 1), lowest
// power first. No multiplier or divider: a chain of compare-and-subtract
// steps (digit j is 2 if r >= 2*3^j, 1 if r >= 3^j). Bytes 243..255 are
// invalid: bad_o is set and every digit reads as 1 (a zero trit).
module tern_b3_dec (
  input  logic [7:0] byte_i,
  output logic [9:0] digits_o,
  output logic       bad_o
);
  logic [7:0] r4, r3, r2, r1;
  logic [1:0] d4, d3, d2, d1, d0;

  always_comb begin
    // Each step removes the top power: 81, 27, 9, 3.
    if (byte_i >= 8'd162) begin d4 = 2'd2; r4 = byte_i - 8'd162; end
    else if (byte_i >= 8'd81) begin d4 = 2'd1; r4 = byte_i - 8'd81; end
    else begin d4 = 2'd0; r4 = byte_i; end
    if (r4 >= 8'd54) begin d3 = 2'd2; r3 = r4 - 8'd54; end
    else if (r4 >= 8'd27) begin d3 = 2'd1; r3 = r4 - 8'd27; end
    else begin d3 = 2'd0; r3 = r4; end
    if (r3 >= 8'd18) begin d2 = 2'd2; r2 = r3 - 8'd18; end
    else if (r3 >= 8'd9) begin d2 = 2'd1; r2 = r3 - 8'd9; end
    else begin d2 = 2'd0; r2 = r3; end
    if (r2 >= 8'd6) begin d1 = 2'd2; r1 = r2 - 8'd6; end
    else if (r2 >= 8'd3) begin d1 = 2'd1; r1 = r2 - 8'd3; end
    else begin d1 = 2'd0; r1 = r2; end
    d0 = r1[1:0];
    bad_o = (byte_i > 8'd242);
    digits_o = bad_o ? 10'b01_01_01_01_01 : {d4, d3, d2, d1, d0};
  end

  logic unused_r1;
  assign unused_r1 = ^r1[7:2];
endmodule
