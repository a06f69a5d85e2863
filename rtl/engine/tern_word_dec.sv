// Word decoder: WordBytes packed bytes -> Trits trit codes (2 bits each,
// code = trit + 1, 1 = zero) for I2 (4 trits a byte) or B3 (5 trits a byte).
// Invalid codes (I2 code 3, B3 bytes 243..255) come out as zero trits and
// raise bad_o. In I2 mode the top WordBytes trits are zero.
module tern_word_dec #(
  parameter int unsigned WordBytes = 2,
  localparam int unsigned Trits = 5 * WordBytes
) (
  input  logic                   fmt_i,   // 0 = I2, 1 = B3
  input  logic [WordBytes*8-1:0] word_i,
  output logic [Trits*2-1:0]     codes_o,
  output logic                   bad_o
);
  logic [WordBytes*10-1:0] b3_codes;
  logic [WordBytes-1:0]    b3_bad;

  for (genvar j = 0; j < WordBytes; j++) begin : gen_b3
    tern_b3_dec u_b3 (
      .byte_i  (word_i[j*8 +: 8]),
      .digits_o(b3_codes[j*10 +: 10]),
      .bad_o   (b3_bad[j])
    );
  end

  logic [WordBytes*8-1:0] i2_codes;
  logic                   i2_bad;
  always_comb begin
    i2_bad = 1'b0;
    for (int i = 0; i < 4 * WordBytes; i++) begin
      if (word_i[2*i +: 2] == 2'd3) begin
        i2_codes[2*i +: 2] = 2'd1;
        i2_bad = 1'b1;
      end else begin
        i2_codes[2*i +: 2] = word_i[2*i +: 2];
      end
    end
  end

  always_comb begin
    if (fmt_i) begin
      codes_o = b3_codes;
      bad_o   = |b3_bad;
    end else begin
      codes_o = {{WordBytes{2'b01}}, i2_codes};
      bad_o   = i2_bad;
    end
  end
endmodule
