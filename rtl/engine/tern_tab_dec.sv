// One lane's packed word -> per byte the two table addresses and the
// negate flag of the split engine (docs/engine.md). Byte j of the word:
//   I2: a = bits [7:4] (codes of trits 4j+2, 4j+3), b = bits [3:0] (trits
//       4j, 4j+1), raw: code 3 (invalid) reads the tables' zero-trit
//       entries, so no recode logic; neg = 0.
//   B3: a = hi, b = folded lo index, neg from tern_b3_split.
// bad_o: an invalid code or byte anywhere in the word.
// Fmts: bit 0 = I2 supported, bit 1 = B3 supported. Split = 1 registers
// the decode half way (the B3 split after its add, I2's word and invalid
// pairs): a cycle of latency, half the logic a cycle.
module tern_tab_dec #(
  parameter int unsigned WordBytes = 2,
  parameter int unsigned Fmts      = 3,
  parameter bit          Split     = 1'b0
) (
  input  logic                   clk_i,
  input  logic                   fmt_i,   // 0 = I2, 1 = B3 (a job constant)
  input  logic [WordBytes*8-1:0] word_i,
  output logic [WordBytes*4-1:0] a_o,
  output logic [WordBytes*4-1:0] b_o,
  output logic [WordBytes-1:0]   neg_o,
  output logic                   bad_o
);
  logic [WordBytes*4-1:0] i2_a, i2_b, b3_a, b3_b;
  logic [WordBytes-1:0]   b3_neg;
  logic                   i2_bad, b3_bad;
  logic                   unused_clk;  // when nothing is registered
  assign unused_clk = clk_i;

  if ((Fmts & 1) != 0) begin : gen_i2
    logic [WordBytes*4-1:0] bad_t, bad_t2;
    logic [WordBytes*8-1:0] word2;
    for (genvar t = 0; t < WordBytes * 4; t++) begin : gen_t
      assign bad_t[t] = &word_i[2*t +: 2];
    end
    if (Split) begin : gen_reg
      always_ff @(posedge clk_i) begin
        word2  <= word_i;
        bad_t2 <= bad_t;
      end
    end else begin : gen_comb
      assign word2  = word_i;
      assign bad_t2 = bad_t;
    end
    for (genvar j = 0; j < WordBytes; j++) begin : gen_byte
      assign i2_b[j*4 +: 4] = word2[j*8 +: 4];
      assign i2_a[j*4 +: 4] = word2[j*8+4 +: 4];
    end
    assign i2_bad = |bad_t2;
  end else begin : gen_no_i2
    assign i2_a   = '0;
    assign i2_b   = '0;
    assign i2_bad = 1'b0;
  end

  if ((Fmts & 2) != 0) begin : gen_b3
    logic [WordBytes-1:0] bad_b;
    for (genvar j = 0; j < WordBytes; j++) begin : gen_byte
      tern_b3_split #(
        .Reg(Split)
      ) u_b3 (
        .clk_i (clk_i),
        .byte_i(word_i[j*8 +: 8]),
        .hi_o  (b3_a[j*4 +: 4]),
        .idx_o (b3_b[j*4 +: 4]),
        .neg_o (b3_neg[j]),
        .bad_o (bad_b[j])
      );
    end
    assign b3_bad = |bad_b;
  end else begin : gen_no_b3
    assign b3_a   = '0;
    assign b3_b   = '0;
    assign b3_neg = '0;
    assign b3_bad = 1'b0;
  end

  if (Fmts == 1) begin : gen_only_i2
    assign a_o   = i2_a;
    assign b_o   = i2_b;
    assign neg_o = '0;
    assign bad_o = i2_bad;
    logic unused;
    assign unused = fmt_i ^ (|b3_a) ^ (|b3_b) ^ (|b3_neg) ^ b3_bad;
  end else if (Fmts == 2) begin : gen_only_b3
    assign a_o   = b3_a;
    assign b_o   = b3_b;
    assign neg_o = b3_neg;
    assign bad_o = b3_bad;
    logic unused;
    assign unused = fmt_i ^ (|i2_a) ^ (|i2_b) ^ i2_bad;
  end else begin : gen_both
    assign a_o   = fmt_i ? b3_a : i2_a;
    assign b_o   = fmt_i ? b3_b : i2_b;
    assign neg_o = fmt_i ? b3_neg : '0;
    assign bad_o = fmt_i ? b3_bad : i2_bad;
  end
endmodule
