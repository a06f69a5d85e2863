// Unsigned adder tree: N values of InW bits -> their exact sum.
// Balanced, one two-input adder per node with widths growing one bit a
// level; unsigned, so each adder's top bit is its carry out (no
// sign-extension LUT). The keep attributes stop Yosys from merging the tree into one
// multi-operand sum (which it builds from 3:2 full-adder LUTs, about 40%
// larger on FPGAs than carry-chain adders of two operands).
module tern_add_tree #(
  parameter int unsigned N    = 4,
  parameter int unsigned InW  = 10,
  localparam int unsigned OutW = InW + $clog2(N)
) (
  input  logic [N*InW-1:0] x_i,
  output logic [OutW-1:0]       s_o
);
  if (N == 1) begin : gen_leaf
    assign s_o = x_i;
  end else begin : gen_node
    localparam int unsigned NL = N / 2;
    localparam int unsigned NH = N - NL;
    localparam int unsigned WL = InW + $clog2(NL);
    localparam int unsigned WH = InW + $clog2(NH);
    (* keep *) logic [WL-1:0] lo;
    (* keep *) logic [WH-1:0] hi;
    tern_add_tree #(.N(NL), .InW(InW)) u_lo (.x_i(x_i[NL*InW-1:0]), .s_o(lo));
    tern_add_tree #(.N(NH), .InW(InW)) u_hi (.x_i(x_i[N*InW-1:NL*InW]), .s_o(hi));
    assign s_o = OutW'(hi) + OutW'(lo);
  end
endmodule
