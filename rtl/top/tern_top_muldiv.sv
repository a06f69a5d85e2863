// Sequential shift-add multiplier / shift-subtract divider for the control
// path (command validation, counter scaling): no multiplier cells anywhere.
// One operation at a time, Steps cycles each; start_i is taken when idle.
//   op_i = 0: res_o = a_i * b_i (low 64 bits)
//   op_i = 1: res_o = a_i / b_i (a_i < 2^Steps; b_i != 0)
module tern_top_muldiv #(
  parameter int unsigned Steps = 32  // bits of b_i (mul) / of the dividend (div)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        start_i,
  input  logic        op_i,
  input  logic [63:0] a_i,
  input  logic [31:0] b_i,
  output logic        busy_o,
  output logic        done_o,  // one cycle, res_o valid until the next start
  output logic [63:0] res_o
);
  localparam int unsigned CntW = $clog2(Steps + 1);

  logic             busy_q, done_q, op_q;
  logic [CntW-1:0]  cnt_q;
  logic [63:0]      acc_q;   // mul: product so far; div: quotient bits
  logic [63:0]      a_q;     // mul: shifted multiplicand; div: dividend bits left
  logic [31:0]      b_q;     // mul: multiplier bits left; div: divisor
  logic [32:0]      rem_q;   // div: partial remainder

  logic [32:0] rem_sh;
  logic        unused_rem;
  assign rem_sh     = {rem_q[31:0], a_q[Steps-1]};
  assign unused_rem = rem_q[32];

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      done_q <= 1'b0;
      op_q   <= 1'b0;
      cnt_q  <= '0;
      acc_q  <= '0;
      a_q    <= '0;
      b_q    <= '0;
      rem_q  <= '0;
    end else begin
      done_q <= 1'b0;
      if (!busy_q) begin
        if (start_i) begin
          busy_q <= 1'b1;
          op_q   <= op_i;
          cnt_q  <= CntW'(Steps);
          acc_q  <= '0;
          a_q    <= a_i;
          b_q    <= b_i;
          rem_q  <= '0;
        end
      end else begin
        if (!op_q) begin
          if (b_q[0]) acc_q <= acc_q + a_q;
          a_q <= {a_q[62:0], 1'b0};
          b_q <= {1'b0, b_q[31:1]};
        end else begin
          a_q <= {a_q[62:0], 1'b0};
          if (rem_sh >= {1'b0, b_q}) begin
            rem_q <= rem_sh - {1'b0, b_q};
            acc_q <= {acc_q[62:0], 1'b1};
          end else begin
            rem_q <= rem_sh;
            acc_q <= {acc_q[62:0], 1'b0};
          end
        end
        cnt_q <= cnt_q - 1'b1;
        if (cnt_q == CntW'(1)) begin
          busy_q <= 1'b0;
          done_q <= 1'b1;
        end
      end
    end
  end

  assign busy_o = busy_q;
  assign done_o = done_q;
  assign res_o  = acc_q;
endmodule
