// AXI4 read master: turns (address, bytes, tag) requests into INCR bursts on
// AR/R and returns the data in request order on a valid/ready stream.
//
// An AR is issued only when the data buffer has room reserved for every beat
// of its burst, so RREADY is always high: a stalled consumer never stalls the
// bus and can never deadlock it. Errors never stop the data: a beat whose
// RRESP was not OKAY comes out with data_err_o set, and the first error is
// held in err_* until err_clear_i. abort_i stops issuing, drains every
// outstanding R beat (dropping them), empties the buffer, then idle_o rises.
module tern_axi_rd
#(
  parameter int unsigned DataWidth = 128,
  parameter int unsigned AddrWidth = 64,
  parameter int unsigned IdWidth = 4,
  parameter int unsigned AxiId = 0,
  parameter int unsigned LenWidth = 32,
  parameter int unsigned TagWidth = 4,
  parameter int unsigned MaxBurstBeats = 16,
  parameter int unsigned MaxOutstanding = 8,
  parameter int unsigned FifoBeats = 128
) (
  input  logic                 clk_i,
  input  logic                 rst_ni,
  // requests: bus-aligned address, bytes rounded up to whole beats
  input  logic                 req_valid_i,
  output logic                 req_ready_o,
  input  logic [AddrWidth-1:0] req_addr_i,
  input  logic [ LenWidth-1:0] req_bytes_i,
  input  logic [ TagWidth-1:0] req_tag_i,
  // data out, in request order
  output logic                 data_valid_o,
  input  logic                 data_ready_i,
  output logic [DataWidth-1:0] data_o,
  output logic                 data_last_o,  // last beat of its request
  output logic [ TagWidth-1:0] data_tag_o,
  output logic                 data_err_o,  // RRESP of this beat was not OKAY
  // control and status
  input  logic                 abort_i,
  output logic                 idle_o,
  output logic                 err_valid_o,  // sticky first error
  output logic [          2:0] err_code_o,  // tern_axi_pkg::Err*
  output logic [ TagWidth-1:0] err_tag_o,
  output logic [AddrWidth-1:0] err_addr_o,  // address of the failing beat
  input  logic                 err_clear_i,
  // AXI4 read address and data channels
  output logic [  IdWidth-1:0] m_axi_arid_o,
  output logic [AddrWidth-1:0] m_axi_araddr_o,
  output logic [          7:0] m_axi_arlen_o,
  output logic [          2:0] m_axi_arsize_o,
  output logic [          1:0] m_axi_arburst_o,
  output logic [          3:0] m_axi_arcache_o,
  output logic [          2:0] m_axi_arprot_o,
  output logic                 m_axi_arvalid_o,
  input  logic                 m_axi_arready_i,
  input  logic [  IdWidth-1:0] m_axi_rid_i,
  input  logic [DataWidth-1:0] m_axi_rdata_i,
  input  logic [          1:0] m_axi_rresp_i,
  input  logic                 m_axi_rlast_i,
  input  logic                 m_axi_rvalid_i,
  output logic                 m_axi_rready_o
);

  localparam int unsigned BusBytes = DataWidth / 8;
  localparam int unsigned OffW = $clog2(BusBytes);
  localparam int unsigned CredW = $clog2(FifoBeats + 1);
  localparam int unsigned BiW = AddrWidth + 8 + TagWidth + 1;  // addr, len-1, tag, last
  localparam int unsigned DfW = DataWidth + TagWidth + 2;  // data, tag, last, err
  localparam int unsigned DfCntW = $clog2(FifoBeats + 3);
  localparam int unsigned BiCntW = $clog2(MaxOutstanding + 1);

  // Parameter checks (elaboration fails on a bad configuration).
  if (DataWidth < 64 || DataWidth > 1024 || (DataWidth & (DataWidth - 1)) != 0)
    $error("DataWidth must be a power of two in 64..1024");
  if (MaxBurstBeats < 1 || MaxBurstBeats > 256) $error("MaxBurstBeats must be 1..256");
  if (FifoBeats < MaxBurstBeats) $error("FifoBeats must hold at least one burst");
  if (MaxOutstanding < 1) $error("MaxOutstanding must be >= 1");

  // ---------------------------------------------------------------- split
  logic abort_q, aborting;
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

  // ------------------------------------------------------------ AR issue
  // credit_q: data-buffer slots neither holding a beat nor reserved for one.
  logic [CredW-1:0] credit_q, credit_d;
  logic ar_valid_q;
  logic [AddrWidth-1:0] ar_addr_q;
  logic [7:0] ar_len_q;
  logic bi_in_ready, bi_out_valid, bi_pop;
  logic [BiW-1:0] bi_out;
  logic [BiCntW-1:0] bi_count;
  logic load;
  logic [7:0] burst_len_m1;  // AxLEN (256 beats wraps to 8'hff)

  assign burst_len_m1 = burst_beats[7:0] - 8'd1;

  assign burst_ready = !aborting && (!ar_valid_q || m_axi_arready_i) && bi_in_ready &&
                       (32'(credit_q) >= 32'(burst_beats));
  assign load = burst_valid && burst_ready;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ar_valid_q <= 1'b0;
      ar_addr_q <= '0;
      ar_len_q <= '0;
    end else if (load) begin
      ar_valid_q <= 1'b1;
      ar_addr_q <= burst_addr;
      ar_len_q <= burst_len_m1;
    end else if (m_axi_arready_i) begin
      // an AR on the bus is never withdrawn, abort or not
      ar_valid_q <= 1'b0;
    end
  end

  assign m_axi_arid_o = IdWidth'(AxiId);
  assign m_axi_araddr_o = ar_addr_q;
  assign m_axi_arlen_o = ar_len_q;
  assign m_axi_arsize_o = 3'(OffW);
  assign m_axi_arburst_o = tern_axi_pkg::BurstIncr;
  assign m_axi_arcache_o = 4'b0011;  // normal, non-cacheable, bufferable
  assign m_axi_arprot_o = 3'b000;
  assign m_axi_arvalid_o = ar_valid_q;

  // One entry per burst from load until its last R beat: the outstanding count.
  tern_axi_fifo #(
    .Width(BiW),
    .Depth(MaxOutstanding)
  ) u_bursts (
    .clk_i,
    .rst_ni,
    .flush_i(1'b0),
    .in_valid_i(load),
    .in_ready_o(bi_in_ready),
    .in_data_i({burst_addr, burst_len_m1, burst_tag, burst_last}),
    .out_valid_o(bi_out_valid),
    .out_ready_i(bi_pop),
    .out_data_o(bi_out),
    .count_o(bi_count)
  );

  // ------------------------------------------------------------- R accept
  logic [AddrWidth-1:0] hd_addr;
  logic [7:0] hd_len;
  logic [TagWidth-1:0] hd_tag;
  logic hd_last;
  logic [7:0] rbeat_q;
  logic r_fire, r_known, beat_last, r_bad, r_err;
  logic df_in_valid, df_out_valid, df_pop;
  logic [DfW-1:0] df_out;
  logic [DfCntW-1:0] df_count;
  logic unused_df_ready;

  assign {hd_addr, hd_len, hd_tag, hd_last} = bi_out;
  assign m_axi_rready_o = 1'b1;  // room was reserved at AR time
  assign r_fire = m_axi_rvalid_i;
  assign r_known = r_fire && bi_out_valid;
  assign beat_last = (rbeat_q == hd_len);
  assign bi_pop = r_known && beat_last;
  assign r_err = (m_axi_rresp_i != tern_axi_pkg::RespOkay);
  assign r_bad = r_fire && (!bi_out_valid || m_axi_rid_i != IdWidth'(AxiId) ||
                            m_axi_rlast_i != beat_last);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) rbeat_q <= '0;
    else if (r_known) rbeat_q <= beat_last ? '0 : rbeat_q + 8'd1;
  end

  // While aborting, beats are drained from the bus and dropped.
  assign df_in_valid = r_known && !aborting;

  tern_axi_fifo_ram #(
    .Width(DfW),
    .Depth(FifoBeats)
  ) u_data (
    .clk_i,
    .rst_ni,
    .flush_i(aborting),
    .in_valid_i(df_in_valid),
    .in_ready_o(unused_df_ready),  // never full: credits
    .in_data_i({m_axi_rdata_i, hd_tag, hd_last && beat_last, r_err}),
    .out_valid_o(df_out_valid),
    .out_ready_i(df_pop),
    .out_data_o(df_out),
    .count_o(df_count)
  );

  assign data_valid_o = df_out_valid && !aborting;
  assign df_pop = data_valid_o && data_ready_i;
  assign {data_o, data_tag_o, data_last_o, data_err_o} = df_out;

  always_comb begin
    credit_d = credit_q;
    if (load) credit_d = credit_d - CredW'(burst_beats);
    if (df_pop) credit_d = credit_d + CredW'(1);
  end

  // ---------------------------------------------------------- abort, idle
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      abort_q  <= 1'b0;
      credit_q <= CredW'(FifoBeats);
    end else if (aborting) begin
      // done once every loaded burst (incl. one still on AR) has drained
      abort_q  <= (bi_count != '0) && !(bi_count == BiCntW'(1) && bi_pop);
      credit_q <= CredW'(FifoBeats);
    end else begin
      credit_q <= credit_d;
    end
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
      if (r_bad) begin
        err_valid_q <= 1'b1;
        err_code_q <= tern_axi_pkg::ErrProto;
        err_tag_q <= hd_tag;
        err_addr_q <= hd_addr + AddrWidth'({rbeat_q, {OffW{1'b0}}});
      end else if (r_known && r_err) begin
        err_valid_q <= 1'b1;
        err_code_q <= {1'b0, m_axi_rresp_i};
        err_tag_q <= hd_tag;
        err_addr_q <= hd_addr + AddrWidth'({rbeat_q, {OffW{1'b0}}});
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
