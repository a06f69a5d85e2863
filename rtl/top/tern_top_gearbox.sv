// Byte-stream width converter: InBytes-wide beats with a count of valid
// units in, OutBytes-wide beats out, in order. Unit = gcd(InBytes, OutBytes)
// bytes is the placement granularity. Invariant: buffer bytes past the fill
// level are zero, so a beat with in_flush_i set ends a segment: its last
// partial output beat is padded with zero bytes and emitted on its own.
// Full rate both ways: an input beat is taken whenever the fill level is at
// most OutBytes.
module tern_top_gearbox #(
  parameter int unsigned InBytes  = 16,
  parameter int unsigned OutBytes = 8,
  parameter int unsigned Unit     = 8,
  localparam int unsigned InU     = InBytes / Unit,
  localparam int unsigned UnitsW  = $clog2(InU + 1)
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   clear_i,
  input  logic                   in_valid_i,
  output logic                   in_ready_o,
  input  logic [InBytes*8-1:0]   in_data_i,
  input  logic [UnitsW-1:0]      in_units_i,  // 1..InU
  input  logic                   in_flush_i,
  output logic                   out_valid_o,
  input  logic                   out_ready_i,
  output logic [OutBytes*8-1:0]  out_data_o
);
  localparam int unsigned OutU = OutBytes / Unit;
  localparam int unsigned CapU = InU + OutU;
  localparam int unsigned CntW = $clog2(CapU + 1);
  localparam int unsigned UB   = Unit * 8;  // bits per unit

  if (InBytes % Unit != 0 || OutBytes % Unit != 0) $error("Unit must divide both widths");

  logic [CapU*UB-1:0] buf_q, buf_d, base, ins;
  logic [CntW-1:0]    cnt_q, cnt_d, cnt_pop;
  logic               flush_q, flush_d;
  logic               push, pop;
  logic [InBytes*8-1:0] masked;

  assign in_ready_o  = !flush_q && (cnt_q <= CntW'(OutU));
  assign out_valid_o = cnt_q >= CntW'(OutU);
  assign out_data_o  = buf_q[OutBytes*8-1:0];
  assign push = in_valid_i && in_ready_o;
  assign pop  = out_valid_o && out_ready_i;

  always_comb begin
    for (int unsigned u = 0; u < InU; u++) begin
      masked[u*UB +: UB] = (UnitsW'(u) < in_units_i) ? in_data_i[u*UB +: UB] : '0;
    end
  end

  assign base    = pop ? (buf_q >> (OutBytes * 8)) : buf_q;
  assign cnt_pop = pop ? cnt_q - CntW'(OutU) : cnt_q;

  // Place the input at the fill level (at most OutU when pushing).
  always_comb begin
    ins = '0;
    for (int unsigned p = 0; p <= OutU; p++) begin
      if (cnt_pop == CntW'(p)) ins = ins | ((CapU*UB)'(masked) << (p * UB));
    end
  end

  always_comb begin
    buf_d   = push ? (base | ins) : base;
    cnt_d   = push ? cnt_pop + CntW'(in_units_i) : cnt_pop;
    flush_d = flush_q;
    if (push && in_flush_i) flush_d = 1'b1;
    if (flush_q && cnt_pop < CntW'(OutU)) begin
      // the zero bytes past the fill level complete the last beat
      cnt_d   = (cnt_pop != '0) ? CntW'(OutU) : '0;
      flush_d = 1'b0;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      buf_q   <= '0;
      cnt_q   <= '0;
      flush_q <= 1'b0;
    end else if (clear_i) begin
      buf_q   <= '0;
      cnt_q   <= '0;
      flush_q <= 1'b0;
    end else begin
      buf_q   <= buf_d;
      cnt_q   <= cnt_d;
      flush_q <= flush_d;
    end
  end
endmodule
