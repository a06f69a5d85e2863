// Splits a (bus-aligned address, byte count) request into AXI4 INCR bursts
// of at most MaxBurstBeats beats that never cross a 4 KiB boundary. One
// request is split at a time; a burst is offered on burst_* until taken.
module tern_axi_split #(
  parameter int unsigned AddrWidth = 64,
  parameter int unsigned LenWidth = 32,
  parameter int unsigned TagWidth = 4,
  parameter int unsigned BusBytes = 16,
  parameter int unsigned MaxBurstBeats = 16,
  localparam int unsigned OffW = $clog2(BusBytes),
  localparam int unsigned BeatsW = LenWidth - OffW + 1
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  input  logic                 flush_i,  // drop the request being split
  input  logic                 req_valid_i,
  output logic                 req_ready_o,
  input  logic [AddrWidth-1:0] req_addr_i,  // low OffW bits ignored
  input  logic [ LenWidth-1:0] req_bytes_i,  // rounded up to whole beats
  input  logic [ TagWidth-1:0] req_tag_i,
  output logic                 burst_valid_o,
  input  logic                 burst_ready_i,
  output logic [AddrWidth-1:0] burst_addr_o,
  output logic [          8:0] burst_beats_o,  // 1..MaxBurstBeats
  output logic [ TagWidth-1:0] burst_tag_o,
  output logic                 burst_last_o,  // last burst of its request
  output logic                 bad_req_o,  // a zero-length request was accepted and dropped
  output logic [AddrWidth-1:0] bad_addr_o,
  output logic [ TagWidth-1:0] bad_tag_o,
  output logic                 busy_o
);

  localparam int unsigned PageW = 12 - OffW + 1;  // beats to a 4 KiB boundary: 1..4096/BusBytes

  logic active_q;
  logic [AddrWidth-OffW-1:0] addr_q;  // in beats
  logic [BeatsW-1:0] left_q;
  logic [TagWidth-1:0] tag_q;
  logic [BeatsW-1:0] req_beats, blen;
  logic [PageW-1:0] page_beats;
  logic req_fire, take;
  logic unused_addr;

  assign unused_addr = ^req_addr_i[OffW-1:0];
  assign req_beats = BeatsW'(req_bytes_i[LenWidth-1:OffW]) + BeatsW'(|req_bytes_i[OffW-1:0]);
  assign req_ready_o = !active_q && !flush_i;
  assign req_fire = req_valid_i && req_ready_o;

  assign page_beats = {1'b0, ~addr_q[12-OffW-1:0]} + PageW'(1);
  always_comb begin
    blen = left_q;
    if (blen > BeatsW'(MaxBurstBeats)) blen = BeatsW'(MaxBurstBeats);
    if (blen > BeatsW'(page_beats)) blen = BeatsW'(page_beats);
  end

  assign burst_valid_o = active_q;
  assign burst_addr_o = {addr_q, {OffW{1'b0}}};
  assign burst_beats_o = 9'(blen);
  assign burst_tag_o = tag_q;
  assign burst_last_o = (blen == left_q);
  assign take = active_q && burst_ready_i && !flush_i;

  assign bad_req_o = req_fire && (req_beats == '0);
  assign bad_addr_o = req_addr_i;
  assign bad_tag_o = req_tag_i;
  assign busy_o = active_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      active_q <= 1'b0;
      addr_q <= '0;
      left_q <= '0;
      tag_q <= '0;
    end else if (flush_i) begin
      active_q <= 1'b0;
    end else if (req_fire) begin
      active_q <= (req_beats != '0);
      addr_q <= req_addr_i[AddrWidth-1:OffW];
      left_q <= req_beats;
      tag_q <= req_tag_i;
    end else if (take) begin
      addr_q <= addr_q + (AddrWidth - OffW)'(blen);
      left_q <= left_q - blen;
      if (blen == left_q) active_q <= 1'b0;
    end
  end

endmodule
