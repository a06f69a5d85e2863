// One lookup table: 32 entries of Width bits in LUT RAM, one write port and
// Reads asynchronous read ports (Yosys maps it to RAM32M16, 7 reads each).
module tern_tab #(
  parameter int unsigned Reads = 4,
  parameter int unsigned Width = 10
) (
  input  logic                        clk_i,
  input  logic                        we_i,
  input  logic [4:0]                  waddr_i,
  input  logic [Width-1:0]            wdata_i,
  input  logic [Reads*5-1:0]          raddr_i,
  output logic [Reads*Width-1:0]      rdata_o
);
  // LUT RAM (ECP5 would otherwise build wide-read tables from logic);
  // fpga/synth/ice40.ys drops the attribute (iCE40 has no LUT RAM).
  (* ram_style = "distributed" *) logic [Width-1:0] mem_q [32];

  always_ff @(posedge clk_i) begin
    if (we_i) mem_q[waddr_i] <= wdata_i;
  end
  for (genvar r = 0; r < Reads; r++) begin : gen_rd
    assign rdata_o[r*Width +: Width] = mem_q[raddr_i[r*5 +: 5]];
  end
endmodule
