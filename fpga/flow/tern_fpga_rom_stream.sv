// tern_fpga_rom_stream: a block-RAM ROM read out as a valid/ready stream
// through a two-entry register FIFO, so the consumer sees flops, not the
// RAM's slow output (ECP5 DP16KD: 5.6 ns clock to out), and the RAM's
// address never depends on the consumer's ready in the same cycle.
// start_i (held for a cycle or more) empties the FIFO and restarts the
// stream at base_i; the stream stops at the last ROM word.
module tern_fpga_rom_stream #(
  parameter int unsigned Width   = 8,
  parameter int unsigned Depth   = 16,
  parameter              MemFile = "rom.hex",
  localparam int unsigned AddrW  = (Depth > 1) ? $clog2(Depth) : 1
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             start_i,
  input  logic [AddrW-1:0] base_i,
  output logic             valid_o,
  input  logic             ready_i,
  output logic [Width-1:0] data_o
);
  (* ram_style = "block" *) logic [Width-1:0] rom [Depth];
  initial begin
    $readmemh(MemFile, rom);
  end

  logic [AddrW:0]   raddr_q;     // next word to read
  logic             inflight_q;  // rd_q holds a word read last cycle
  logic [1:0]       cnt_q;       // FIFO entries
  logic [Width-1:0] rd_q, fifo_q [2];
  logic             re, pop;

  assign pop     = valid_o && ready_i;
  // room for one more once the word in flight and the pop are counted
  assign re      = !start_i && (raddr_q < (AddrW + 1)'(Depth)) &&
                   ({1'b0, cnt_q} + {2'b0, inflight_q} < 3'd2 + {2'b0, pop});
  assign valid_o = (cnt_q != 2'd0);
  assign data_o  = fifo_q[rp_q];

  always_ff @(posedge clk_i) begin
    if (re) rd_q <= rom[raddr_q[AddrW-1:0]];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      raddr_q    <= '0;
      inflight_q <= 1'b0;
      cnt_q      <= '0;
    end else if (start_i) begin
      raddr_q    <= {1'b0, base_i};
      inflight_q <= 1'b0;
      cnt_q      <= '0;
    end else begin
      if (re) raddr_q <= raddr_q + 1'b1;
      inflight_q <= re;
      cnt_q      <= cnt_q + {1'b0, inflight_q} - {1'b0, pop};
    end
  end

  // Pointer FIFO: no data bit depends on ready_i (a high-fanout select
  // from the consumer's handshake would be the critical path).
  logic wp_q, rp_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wp_q <= 1'b0;
      rp_q <= 1'b0;
    end else if (start_i) begin
      wp_q <= 1'b0;
      rp_q <= 1'b0;
    end else begin
      if (inflight_q) wp_q <= ~wp_q;
      if (pop) rp_q <= ~rp_q;
    end
  end
  always_ff @(posedge clk_i) begin
    if (inflight_q) fifo_q[wp_q] <= rd_q;
  end
endmodule
