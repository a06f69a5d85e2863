// B3 byte -> the two table addresses of the split engine (docs/engine.md):
// byte = lo + 27 * hi (lo: trits 0..2, hi: trits 3..4, digits lowest power
// first). hi (0..8) addresses the 2-trit table as is; lo is folded about 13
// (all-zero trits): the digits of 26 - lo are 2 - d, so value(lo) =
// -value(26 - lo), and the 3-trit table holds idx 0..13 only, neg_o telling
// the lane to negate. Bytes 243..255 are invalid: bad_o, and they read as
// five zero trits (hi 4, idx 13).
// No multiplier or divider: with byte = 16 a + b, 16 a = 27 h(a) + m(a) is
// a 16-entry case table, lt = m(a) + b (0..41) one 5-bit add, and what
// follows from lt (lt >= 27 carries into hi, lo = lt mod 27 and its fold)
// a 6-input table: two LUT levels instead of a chain of compares and
// subtracts (ECP5 at 100 MHz; fewer LUTs on xcup too). Reg = 1 registers
// {h, lt, bad} between the add and the table (a cycle of latency).
module tern_b3_split #(
  parameter bit Reg = 1'b0
) (
  input  logic       clk_i,
  input  logic [7:0] byte_i,
  output logic [3:0] hi_o,
  output logic [3:0] idx_o,
  output logic       neg_o,
  output logic       bad_o
);
  function automatic logic [6*64-1:0] lo_tab(input int n);
    int lo;
    lo_tab = '0;
    for (int v = 0; v < n; v++) begin
      lo = (v >= 27) ? v - 27 : v;
      lo_tab[v*6 +: 6] = {(v >= 27) ? 1'b1 : 1'b0, (lo > 13) ? 1'b1 : 1'b0,
                          4'((lo > 13) ? 26 - lo : lo)};
    end
  endfunction
  localparam logic [6*64-1:0] LoTab = lo_tab(64);  // lt -> {ge, neg, idx}

  logic [3:0] ha, idx;
  logic [4:0] ma;
  logic [5:0] lt;
  logic       ge, neg;
  always_comb begin
    unique case (byte_i[7:4])  // {h, m}: 16 a = 27 h + m
      4'd0:  {ha, ma} = {4'd0, 5'd0};
      4'd1:  {ha, ma} = {4'd0, 5'd16};
      4'd2:  {ha, ma} = {4'd1, 5'd5};
      4'd3:  {ha, ma} = {4'd1, 5'd21};
      4'd4:  {ha, ma} = {4'd2, 5'd10};
      4'd5:  {ha, ma} = {4'd2, 5'd26};
      4'd6:  {ha, ma} = {4'd3, 5'd15};
      4'd7:  {ha, ma} = {4'd4, 5'd4};
      4'd8:  {ha, ma} = {4'd4, 5'd20};
      4'd9:  {ha, ma} = {4'd5, 5'd9};
      4'd10: {ha, ma} = {4'd5, 5'd25};
      4'd11: {ha, ma} = {4'd6, 5'd14};
      4'd12: {ha, ma} = {4'd7, 5'd3};
      4'd13: {ha, ma} = {4'd7, 5'd19};
      4'd14: {ha, ma} = {4'd8, 5'd8};
      4'd15: {ha, ma} = {4'd8, 5'd24};
      default: {ha, ma} = '0;
    endcase
  end
  logic [3:0] ha2;
  logic [5:0] lt2;
  logic       bad, bad2;
  assign lt  = {1'b0, ma} + {2'b0, byte_i[3:0]};   // <= 26 + 15
  assign bad = (byte_i > 8'd242);
  if (Reg) begin : gen_reg
    always_ff @(posedge clk_i) begin
      ha2  <= ha;
      lt2  <= lt;
      bad2 <= bad;
    end
  end else begin : gen_comb
    assign ha2  = ha;
    assign lt2  = lt;
    assign bad2 = bad;
    logic unused_clk;
    assign unused_clk = clk_i;
  end
  assign {ge, neg, idx} = LoTab[lt2*6 +: 6];
  assign bad_o          = bad2;
  assign hi_o           = bad2 ? 4'd4 : ha2 + {3'b0, ge};
  assign neg_o          = !bad2 && neg;
  assign idx_o          = bad2 ? 4'd13 : idx;
endmodule
