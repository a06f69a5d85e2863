// Small first-word-fall-through FIFO in flops (combinational read), for
// burst bookkeeping where an entry must be visible the cycle after it is
// pushed. Any Depth >= 1.
module tern_axi_fifo #(
  parameter int unsigned Width = 8,
  parameter int unsigned Depth = 4,
  localparam int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned CntW = $clog2(Depth + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             flush_i,  // drop every entry (wins over push/pop)
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [Width-1:0] in_data_i,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [Width-1:0] out_data_o,
  output logic [CntW-1:0]  count_o
);

  logic [Width-1:0] mem_q[Depth];
  logic [PtrW-1:0] wptr_q, rptr_q;
  logic [CntW-1:0] cnt_q;
  logic push, pop;

  assign in_ready_o = (cnt_q != CntW'(Depth));
  assign out_valid_o = (cnt_q != '0);
  assign out_data_o = mem_q[rptr_q];
  assign count_o = cnt_q;
  assign push = in_valid_i && in_ready_o;
  assign pop = out_valid_o && out_ready_i;

  logic [PtrW-1:0] wptr_inc, rptr_inc;
  assign wptr_inc = (wptr_q == PtrW'(Depth - 1)) ? '0 : wptr_q + 1'b1;
  assign rptr_inc = (rptr_q == PtrW'(Depth - 1)) ? '0 : rptr_q + 1'b1;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q <= '0;
      rptr_q <= '0;
      cnt_q  <= '0;
    end else if (flush_i) begin
      wptr_q <= '0;
      rptr_q <= '0;
      cnt_q  <= '0;
    end else begin
      if (push) wptr_q <= wptr_inc;
      if (pop) rptr_q <= rptr_inc;
      cnt_q <= cnt_q + CntW'(push) - CntW'(pop);
    end
  end

  // No reset on the storage: only entries below cnt_q are ever read.
  always_ff @(posedge clk_i) begin
    if (push) mem_q[wptr_q] <= in_data_i;
  end

endmodule
