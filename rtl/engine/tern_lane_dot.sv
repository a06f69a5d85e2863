// One lane, one batch vector: sum over Trits of trit * activation.
// A trit selects +q, ~q (ones' complement) or 0; the +1 of every negated
// term is gathered into a count of negative trits added once, so no term
// needs its own carry-in.
module tern_lane_dot #(
  parameter int unsigned Trits = 10,
  localparam int unsigned SumW = 9 + $clog2(Trits)
) (
  input  logic [Trits*2-1:0]   codes_i,  // code = trit + 1 (0: -1, 1: 0, 2: +1)
  input  logic [Trits*8-1:0]   act_i,    // int8 activations
  output logic signed [SumW-1:0] sum_o
);
  always_comb begin
    logic signed [SumW-1:0] acc;
    logic [SumW-1:0] nneg;
    acc = '0;
    nneg = '0;
    for (int i = 0; i < Trits; i++) begin
      logic signed [7:0] q, nq;
      q = act_i[8*i +: 8];
      nq = ~q;
      if (codes_i[2*i +: 2] == 2'd2) begin
        acc = acc + SumW'(q);
      end else if (codes_i[2*i +: 2] == 2'd0) begin
        acc = acc + SumW'(nq);
        nneg = nneg + 1'b1;
      end
    end
    sum_o = acc + nneg;
  end
endmodule
