// Partial-sum memory: one write port and two registered read ports (the
// accumulate read and the result drain); block RAM on FPGAs.
module tern_psum_mem #(
  parameter int unsigned Width = 64,
  parameter int unsigned Depth = 4,
  localparam int unsigned AddrW = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             we_i,
  input  logic [AddrW-1:0] waddr_i,
  input  logic [Width-1:0] wdata_i,
  input  logic             re_a_i,
  input  logic [AddrW-1:0] raddr_a_i,
  output logic [Width-1:0] rdata_a_o,
  input  logic             re_b_i,
  input  logic [AddrW-1:0] raddr_b_i,
  output logic [Width-1:0] rdata_b_o
);
  // no_rw_check: the engine never reads an entry in the cycle it writes it
  // (docs/engine.md), so Yosys need not emulate read-old-data on a
  // collision (a bypass mux behind the block RAM's slow output).
  (* ram_style = "block", no_rw_check *) logic [Width-1:0] mem_q [Depth];

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
  end
  always_ff @(posedge clk_i) begin
    if (re_a_i) rdata_a_o <= mem_q[raddr_a_i];
  end
  always_ff @(posedge clk_i) begin
    if (re_b_i) rdata_b_o <= mem_q[raddr_b_i];
  end
endmodule
