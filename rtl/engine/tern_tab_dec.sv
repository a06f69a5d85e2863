// One lane's packed word -> 2-bit trit codes for the pair tables.
// I2: the raw codes (3 = invalid reads the tables' zero-trit entries, so no
// recode logic). B3: base-3 digits from tern_b3_dec (never 3). Trits past
// the format's word read as code 1 (zero). bad_o: an invalid code or byte.
// Fmts: bit 0 = I2 supported, bit 1 = B3 supported.
module tern_tab_dec #(
  parameter int unsigned WordBytes = 2,
  parameter int unsigned Fmts      = 3,
  parameter int unsigned Codes     = 10   // output codes (even, >= trits of the word)
) (
  input  logic                   fmt_i,   // 0 = I2, 1 = B3
  input  logic [WordBytes*8-1:0] word_i,
  output logic [Codes*2-1:0]     codes_o,
  output logic                   bad_o
);
  localparam int unsigned I2T = 4 * WordBytes;
  localparam int unsigned B3T = 5 * WordBytes;

  logic [Codes*2-1:0] i2_codes, b3_codes;
  logic                  i2_bad, b3_bad;

  if ((Fmts & 1) != 0) begin : gen_i2
    logic [I2T-1:0] bad_t;
    for (genvar t = 0; t < Codes; t++) begin : gen_t
      if (t < I2T) begin : gen_in
        assign i2_codes[2*t +: 2] = word_i[2*t +: 2];
        assign bad_t[t]    = &word_i[2*t +: 2];
      end else begin : gen_pad
        assign i2_codes[2*t +: 2] = 2'd1;
      end
    end
    assign i2_bad = |bad_t;
  end else begin : gen_no_i2
    assign i2_codes = '0;
    assign i2_bad   = 1'b0;
  end

  if ((Fmts & 2) != 0) begin : gen_b3
    logic [WordBytes*10-1:0] dig;
    logic [WordBytes-1:0]      bad_b;
    for (genvar j = 0; j < WordBytes; j++) begin : gen_byte
      tern_b3_dec u_b3 (
        .byte_i  (word_i[j*8 +: 8]),
        .digits_o(dig[j*10 +: 10]),
        .bad_o   (bad_b[j])
      );
    end
    for (genvar t = 0; t < Codes; t++) begin : gen_t
      if (t < B3T) begin : gen_in
        assign b3_codes[2*t +: 2] = dig[(t/5)*10 + 2*(t%5) +: 2];
      end else begin : gen_pad
        assign b3_codes[2*t +: 2] = 2'd1;
      end
    end
    assign b3_bad = |bad_b;
  end else begin : gen_no_b3
    assign b3_codes = '0;
    assign b3_bad   = 1'b0;
  end

  if (Fmts == 1) begin : gen_only_i2
    assign codes_o = i2_codes;
    assign bad_o   = i2_bad;
    logic unused;
    assign unused = fmt_i ^ (|b3_codes) ^ b3_bad;
  end else if (Fmts == 2) begin : gen_only_b3
    assign codes_o = b3_codes;
    assign bad_o   = b3_bad;
    logic unused;
    assign unused = fmt_i ^ (|i2_codes) ^ i2_bad;
  end else begin : gen_both
    assign codes_o = fmt_i ? b3_codes : i2_codes;
    assign bad_o   = fmt_i ? b3_bad : i2_bad;
  end
endmodule
