// First-word-fall-through FIFO on a synchronous-read RAM (maps to block RAM),
// for the masters' data buffers. A two-entry output stage keeps a full rate
// of one beat per cycle; an entry becomes visible two cycles after its push.
// Capacity: Depth entries in the RAM plus up to two in the output stage.
module tern_axi_fifo_ram #(
  parameter int unsigned Width = 64,
  parameter int unsigned Depth = 64,
  localparam int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned CntW = $clog2(Depth + 3)
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
  output logic [CntW-1:0]  count_o  // every entry held, RAM and output stage
);

  logic [Width-1:0] mem_q[Depth];
  logic [Width-1:0] rdata_q;
  logic [PtrW-1:0] wptr_q, rptr_q;
  logic [CntW-1:0] ram_cnt_q;  // written, read not yet issued
  logic rd_pend_q;  // a RAM read issued last cycle: rdata_q holds it now
  logic [Width-1:0] ob0_q, ob1_q, ob0_d, ob1_d;  // output stage, ob0 is the head
  logic [1:0] ob_cnt_q, ob_cnt_d, ob_after_pop;
  logic push, pop, rd_en;

  assign in_ready_o = (ram_cnt_q != CntW'(Depth));
  assign out_valid_o = (ob_cnt_q != 2'd0);
  assign out_data_o = ob0_q;
  assign count_o = ram_cnt_q + CntW'(rd_pend_q) + CntW'(ob_cnt_q);
  assign push = in_valid_i && in_ready_o;
  assign pop = out_valid_o && out_ready_i;

  // Issue a read only when the output stage is sure to have room for it.
  assign ob_after_pop = ob_cnt_q - 2'(pop);
  assign rd_en = (ram_cnt_q != '0) && ((ob_after_pop + 2'(rd_pend_q)) < 2'd2);

  always_comb begin
    ob0_d = pop ? ob1_q : ob0_q;
    ob1_d = ob1_q;
    ob_cnt_d = ob_after_pop;
    if (rd_pend_q) begin
      if (ob_after_pop[0]) ob1_d = rdata_q;
      else ob0_d = rdata_q;
      ob_cnt_d = ob_after_pop + 2'd1;
    end
  end

  logic [PtrW-1:0] wptr_inc, rptr_inc;
  assign wptr_inc = (wptr_q == PtrW'(Depth - 1)) ? '0 : wptr_q + 1'b1;
  assign rptr_inc = (rptr_q == PtrW'(Depth - 1)) ? '0 : rptr_q + 1'b1;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wptr_q <= '0;
      rptr_q <= '0;
      ram_cnt_q <= '0;
      rd_pend_q <= 1'b0;
      ob_cnt_q <= '0;
    end else if (flush_i) begin
      wptr_q <= '0;
      rptr_q <= '0;
      ram_cnt_q <= '0;
      rd_pend_q <= 1'b0;
      ob_cnt_q <= '0;
    end else begin
      if (push) wptr_q <= wptr_inc;
      if (rd_en) rptr_q <= rptr_inc;
      ram_cnt_q <= ram_cnt_q + CntW'(push) - CntW'(rd_en);
      rd_pend_q <= rd_en;
      ob_cnt_q <= ob_cnt_d;
    end
  end

  // Data registers carry no reset: validity lives in the counters above.
  always_ff @(posedge clk_i) begin
    if (push) mem_q[wptr_q] <= in_data_i;
    if (rd_en) rdata_q <= mem_q[rptr_q];
    ob0_q <= ob0_d;
    ob1_q <= ob1_d;
  end

endmodule
