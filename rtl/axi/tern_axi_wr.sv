// AXI4 write master: takes (address, bytes, tag) requests and a stream of
// data beats with byte strobes, writes them in INCR bursts on AW/W/B and
// reports each request's completion on done_o.
//
// An AW is issued only once every beat of its burst is in the data buffer, so
// W never waits on the producer once a burst has started. The request's
// beats arrive on data_* in request order, ceil(bytes / bus bytes) per
// request (data may run ahead of its request). done_o pulses when the B of a
// request's last burst arrives; done_resp_o is the first non-OKAY BRESP among
// its bursts. abort_i stops issuing AWs, sends the W beats still owed for
// every issued AW (with WSTRB all-zero from the first beat not yet on the
// bus), collects their B responses, empties the buffer, then idle_o rises.
module tern_axi_wr
#(
  parameter int unsigned DataWidth = 128,
  parameter int unsigned AddrWidth = 64,
  parameter int unsigned IdWidth = 4,
  parameter int unsigned AxiId = 0,
  parameter int unsigned LenWidth = 32,
  parameter int unsigned TagWidth = 4,
  parameter int unsigned MaxBurstBeats = 16,
  parameter int unsigned MaxOutstanding = 8,
  parameter int unsigned FifoBeats = 64,
  localparam int unsigned StrbWidth = DataWidth / 8
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // requests: bus-aligned address, bytes rounded up to whole beats
  input  logic                 req_valid_i,
  output logic                 req_ready_o,
  input  logic [AddrWidth-1:0] req_addr_i,
  input  logic [ LenWidth-1:0] req_bytes_i,
  input  logic [ TagWidth-1:0] req_tag_i,
  // data in, in request order
  input  logic                 data_valid_i,
  output logic                 data_ready_o,
  input  logic [DataWidth-1:0] data_i,
  input  logic [StrbWidth-1:0] data_strb_i,
  // completion: one pulse per request, in request order
  output logic                 done_o,
  output logic [ TagWidth-1:0] done_tag_o,
  output logic [          1:0] done_resp_o,
  // control and status
  input  logic                 abort_i,
  output logic                 idle_o,
  output logic                 err_valid_o,  // sticky first error
  output logic [          2:0] err_code_o,  // tern_axi_pkg::Err*
  output logic [ TagWidth-1:0] err_tag_o,
  output logic [AddrWidth-1:0] err_addr_o,  // address of the failing burst
  input  logic                 err_clear_i,
  // AXI4 write address, data and response channels
  output logic [  IdWidth-1:0] m_axi_awid_o,
  output logic [AddrWidth-1:0] m_axi_awaddr_o,
  output logic [          7:0] m_axi_awlen_o,
  output logic [          2:0] m_axi_awsize_o,
  output logic [          1:0] m_axi_awburst_o,
  output logic [          3:0] m_axi_awcache_o,
  output logic [          2:0] m_axi_awprot_o,
  output logic                 m_axi_awvalid_o,
  input  logic                 m_axi_awready_i,
  output logic [DataWidth-1:0] m_axi_wdata_o,
  output logic [StrbWidth-1:0] m_axi_wstrb_o,
  output logic                 m_axi_wlast_o,
  output logic                 m_axi_wvalid_o,
  input  logic                 m_axi_wready_i,
  input  logic [  IdWidth-1:0] m_axi_bid_i,
  input  logic [          1:0] m_axi_bresp_i,
  input  logic                 m_axi_bvalid_i,
  output logic                 m_axi_bready_o
);

  localparam int unsigned BusBytes = DataWidth / 8;
  localparam int unsigned OffW = $clog2(BusBytes);
  localparam int unsigned AvW = $clog2(FifoBeats + 3);
  localparam int unsigned BiW = AddrWidth + TagWidth + 1;  // addr, tag, last
  localparam int unsigned DfW = DataWidth + StrbWidth;
  localparam int unsigned BiCntW = $clog2(MaxOutstanding + 1);

  if (DataWidth < 64 || DataWidth > 1024 || (DataWidth & (DataWidth - 1)) != 0)
    $error("DataWidth must be a power of two in 64..1024");
  if (MaxBurstBeats < 1 || MaxBurstBeats > 256) $error("MaxBurstBeats must be 1..256");
  if (FifoBeats < MaxBurstBeats) $error("FifoBeats must hold at least one burst");
  if (MaxOutstanding < 1) $error("MaxOutstanding must be >= 1");

  // ---------------------------------------------------------------- split
  logic abort_q, aborting, abort_done;
  logic burst_valid, burst_ready, burst_last, bad_req;
  logic [AddrWidth-1:0] burst_addr, bad_addr;
  logic [8:0] burst_beats;
  logic [TagWidth-1:0] burst_tag, bad_tag;
  logic split_busy;

  assign aborting = abort_i || abort_q;

  tern_axi_split #(
    .AddrWidth(AddrWidth),
    .LenWidth(LenWidth),
    .TagWidth(TagWidth),
    .BusBytes(BusBytes),
    .MaxBurstBeats(MaxBurstBeats)
  ) u_split (
    .clk_i,
    .rst_ni,
    .flush_i(aborting),
    .req_valid_i,
    .req_ready_o,
    .req_addr_i,
    .req_bytes_i,
    .req_tag_i,
    .burst_valid_o(burst_valid),
    .burst_ready_i(burst_ready),
    .burst_addr_o(burst_addr),
    .burst_beats_o(burst_beats),
    .burst_tag_o(burst_tag),
    .burst_last_o(burst_last),
    .bad_req_o(bad_req),
    .bad_addr_o(bad_addr),
    .bad_tag_o(bad_tag),
    .busy_o(split_busy)
  );

  // ----------------------------------------------------------- data buffer
  logic df_in_ready, df_push, df_out_valid, df_pop;
  logic [DfW-1:0] df_out;
  logic [AvW-1:0] df_count;

  assign data_ready_o = df_in_ready && !aborting;
  assign df_push = data_valid_i && data_ready_o;

  tern_axi_fifo_ram #(
    .Width(DfW),
    .Depth(FifoBeats)
  ) u_data (
    .clk_i,
    .rst_ni,
    .flush_i(abort_done),
    .in_valid_i(df_push),
    .in_ready_o(df_in_ready),
    .in_data_i({data_i, data_strb_i}),
    .out_valid_o(df_out_valid),
    .out_ready_i(df_pop),
    .out_data_o(df_out),
    .count_o(df_count)
  );

  // ------------------------------------------------------------ AW issue
  // avail_q: buffered beats not yet promised to an issued burst.
  logic [AvW-1:0] avail_q;
  logic aw_valid_q;
  logic [AddrWidth-1:0] aw_addr_q;
  logic [7:0] aw_len_q;
  logic bi_in_ready, bi_out_valid, bi_pop;
  logic [BiW-1:0] bi_out;
  logic [BiCntW-1:0] bi_count;
  logic wq_out_valid, wq_pop;
  logic [7:0] wq_len;
  logic load;
  logic [7:0] burst_len_m1;  // AxLEN (256 beats wraps to 8'hff)

  assign burst_len_m1 = burst_beats[7:0] - 8'd1;

  assign burst_ready = !aborting && (!aw_valid_q || m_axi_awready_i) && bi_in_ready &&
                       (32'(avail_q) >= 32'(burst_beats));
  assign load = burst_valid && burst_ready;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aw_valid_q <= 1'b0;
      aw_addr_q <= '0;
      aw_len_q <= '0;
    end else if (load) begin
      aw_valid_q <= 1'b1;
      aw_addr_q <= burst_addr;
      aw_len_q <= burst_len_m1;
    end else if (m_axi_awready_i) begin
      aw_valid_q <= 1'b0;  // never withdrawn before its handshake
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) avail_q <= '0;
    else if (abort_done) avail_q <= '0;
    else avail_q <= avail_q + AvW'(df_push) - (load ? AvW'(burst_beats) : AvW'(0));
  end

  assign m_axi_awid_o = IdWidth'(AxiId);
  assign m_axi_awaddr_o = aw_addr_q;
  assign m_axi_awlen_o = aw_len_q;
  assign m_axi_awsize_o = 3'(OffW);
  assign m_axi_awburst_o = tern_axi_pkg::BurstIncr;
  assign m_axi_awcache_o = 4'b0011;
  assign m_axi_awprot_o = 3'b000;
  assign m_axi_awvalid_o = aw_valid_q;

  // Bursts awaiting B (the outstanding count) ...
  tern_axi_fifo #(
    .Width(BiW),
    .Depth(MaxOutstanding)
  ) u_bursts (
    .clk_i,
    .rst_ni,
    .flush_i(1'b0),
    .in_valid_i(load),
    .in_ready_o(bi_in_ready),
    .in_data_i({burst_addr, burst_tag, burst_last}),
    .out_valid_o(bi_out_valid),
    .out_ready_i(bi_pop),
    .out_data_o(bi_out),
    .count_o(bi_count)
  );

  // ... and bursts still owed W beats (a subset of the above: same depth).
  logic unused_wq_ready;
  logic [BiCntW-1:0] wq_count;

  tern_axi_fifo #(
    .Width(8),
    .Depth(MaxOutstanding)
  ) u_wlens (
    .clk_i,
    .rst_ni,
    .flush_i(1'b0),
    .in_valid_i(load),
    .in_ready_o(unused_wq_ready),
    .in_data_i(burst_len_m1),
    .out_valid_o(wq_out_valid),
    .out_ready_i(wq_pop),
    .out_data_o(wq_len),
    .count_o(wq_count)
  );

  // ------------------------------------------------------------------ W
  logic [7:0] wbeat_q;
  logic w_fire, wmask_q;
  logic [DataWidth-1:0] df_data;
  logic [StrbWidth-1:0] df_strb;

  assign {df_data, df_strb} = df_out;
  // A loaded burst's beats are all buffered, so both are valid together.
  assign m_axi_wvalid_o = wq_out_valid && df_out_valid;
  assign m_axi_wdata_o = df_data;
  assign m_axi_wstrb_o = wmask_q ? '0 : df_strb;
  assign m_axi_wlast_o = (wbeat_q == wq_len);
  assign w_fire = m_axi_wvalid_o && m_axi_wready_i;
  assign df_pop = w_fire;
  assign wq_pop = w_fire && m_axi_wlast_o;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wbeat_q <= '0;
      wmask_q <= 1'b0;
    end else begin
      if (w_fire) wbeat_q <= m_axi_wlast_o ? '0 : wbeat_q + 8'd1;
      // Masking starts at a beat boundary: a beat already shown on W keeps
      // its strobes until its handshake (AXI payload stability).
      if (abort_done) wmask_q <= 1'b0;
      else if (aborting && (!m_axi_wvalid_o || m_axi_wready_i)) wmask_q <= 1'b1;
    end
  end

  // ------------------------------------------------------------------ B
  logic [AddrWidth-1:0] hd_addr;
  logic [TagWidth-1:0] hd_tag;
  logic hd_last, b_known, b_bad, b_err;
  logic [1:0] acc_resp_q;

  assign {hd_addr, hd_tag, hd_last} = bi_out;
  assign m_axi_bready_o = 1'b1;
  assign b_known = m_axi_bvalid_i && bi_out_valid;
  assign bi_pop = b_known;
  assign b_err = (m_axi_bresp_i != tern_axi_pkg::RespOkay);
  // A B for a burst whose W beats are not all sent is a slave bug too.
  assign b_bad = m_axi_bvalid_i && (!bi_out_valid || m_axi_bid_i != IdWidth'(AxiId) ||
                                    bi_count == wq_count);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) acc_resp_q <= tern_axi_pkg::RespOkay;
    else if (abort_done) acc_resp_q <= tern_axi_pkg::RespOkay;  // aborted requests never end
    else if (b_known) acc_resp_q <= hd_last ? tern_axi_pkg::RespOkay : (acc_resp_q != tern_axi_pkg::RespOkay) ?
                                               acc_resp_q : m_axi_bresp_i;
  end

  assign done_o = b_known && hd_last && !aborting;
  assign done_tag_o = hd_tag;
  assign done_resp_o = (acc_resp_q != tern_axi_pkg::RespOkay) ? acc_resp_q : m_axi_bresp_i;

  // ---------------------------------------------------------- abort, idle
  // Every issued burst has its W beats buffered, so draining always ends.
  assign abort_done = abort_q && (bi_count == '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) abort_q <= 1'b0;
    else if (abort_done) abort_q <= 1'b0;
    else if (abort_i) abort_q <= 1'b1;
  end

  assign idle_o = !abort_q && !split_busy && (bi_count == '0) && (df_count == '0);

  // ------------------------------------------------------- sticky error
  logic err_valid_q;
  logic [2:0] err_code_q;
  logic [TagWidth-1:0] err_tag_q;
  logic [AddrWidth-1:0] err_addr_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      err_valid_q <= 1'b0;
      err_code_q <= tern_axi_pkg::ErrNone;
      err_tag_q <= '0;
      err_addr_q <= '0;
    end else if (err_clear_i) begin
      err_valid_q <= 1'b0;
      err_code_q <= tern_axi_pkg::ErrNone;
    end else if (!err_valid_q) begin
      if (b_bad) begin
        err_valid_q <= 1'b1;
        err_code_q <= tern_axi_pkg::ErrProto;
        err_tag_q <= hd_tag;
        err_addr_q <= hd_addr;
      end else if (b_known && b_err) begin
        err_valid_q <= 1'b1;
        err_code_q <= {1'b0, m_axi_bresp_i};
        err_tag_q <= hd_tag;
        err_addr_q <= hd_addr;
      end else if (bad_req) begin
        err_valid_q <= 1'b1;
        err_code_q <= tern_axi_pkg::ErrBadReq;
        err_tag_q <= bad_tag;
        err_addr_q <= bad_addr;
      end
    end
  end

  assign err_valid_o = err_valid_q;
  assign err_code_o = err_code_q;
  assign err_tag_o = err_tag_q;
  assign err_addr_o = err_addr_q;

endmodule
