// tern_top: the accelerator as an IP block (docs/architecture.md).
//
// Software fills 128-byte commands (cmodel/tern_cmd.h) into a ring in memory
// and writes RING_TAIL. The top fetches each command over the AXI4 master,
// validates it in the order of cmodel/tern_sys.c, streams activations and
// weights into tern_engine, writes the int32 results back, and reports
// completion, errors and performance counters through the AXI4-Lite
// register block (rtl/regs/tern_regs.rdl). cmodel/tern_sys.c is the golden
// model: after every command memory and registers (but cycle counters)
// must equal it.
//
// Control-path products and quotients use one sequential shift-add unit
// (tern_top_muldiv): the design has no multiplier.
module tern_top #(
  // engine (config/engine/*.cfg)
  parameter int unsigned Lanes          = 4,
  parameter int unsigned WordBytes      = 2,
  parameter int unsigned Batch          = 2,
  parameter int unsigned MaxK           = 256,
  parameter int unsigned AccWidth       = 32,
  parameter int unsigned ActBeatBytes   = WordBytes,
  parameter int unsigned WBeatBytes     = Lanes * WordBytes,
  parameter int unsigned TileRows       = Lanes,
  parameter int unsigned Fmts           = 3,   // weight formats built: bit 0 I2, bit 1 B3
  parameter int unsigned Pipe           = 0,   // engine pipeline registers (tern_engine)
  // system
  parameter int unsigned BusBytes       = 16,  // AXI4 data width / 8: 8, 16, 32 or 64
  parameter int unsigned IdWidth        = 4,
  parameter int unsigned RdBurstBeats   = 16,
  parameter int unsigned RdOutstanding  = 8,
  parameter int unsigned RdFifoBeats    = 128,
  parameter int unsigned WrBurstBeats   = 16,
  parameter int unsigned WrOutstanding  = 8,
  parameter int unsigned WrFifoBeats    = 64,
  localparam int unsigned DataW         = BusBytes * 8,
  localparam int unsigned BatchW        = $clog2(Batch + 1)
) (
  input  logic              clk_i,
  input  logic              rst_ni,
  // AXI4-Lite register slave
  input  logic              s_axil_awvalid_i,
  output logic              s_axil_awready_o,
  input  logic [8:0]        s_axil_awaddr_i,
  input  logic [2:0]        s_axil_awprot_i,
  input  logic              s_axil_wvalid_i,
  output logic              s_axil_wready_o,
  input  logic [31:0]       s_axil_wdata_i,
  input  logic [3:0]        s_axil_wstrb_i,
  output logic              s_axil_bvalid_o,
  input  logic              s_axil_bready_i,
  output logic [1:0]        s_axil_bresp_o,
  input  logic              s_axil_arvalid_i,
  output logic              s_axil_arready_o,
  input  logic [8:0]        s_axil_araddr_i,
  input  logic [2:0]        s_axil_arprot_i,
  output logic              s_axil_rvalid_o,
  input  logic              s_axil_rready_i,
  output logic [31:0]       s_axil_rdata_o,
  output logic [1:0]        s_axil_rresp_o,
  // AXI4 master
  output logic [IdWidth-1:0] m_axi_arid_o,
  output logic [63:0]        m_axi_araddr_o,
  output logic [7:0]         m_axi_arlen_o,
  output logic [2:0]         m_axi_arsize_o,
  output logic [1:0]         m_axi_arburst_o,
  output logic [3:0]         m_axi_arcache_o,
  output logic [2:0]         m_axi_arprot_o,
  output logic               m_axi_arvalid_o,
  input  logic               m_axi_arready_i,
  input  logic [IdWidth-1:0] m_axi_rid_i,
  input  logic [DataW-1:0]   m_axi_rdata_i,
  input  logic [1:0]         m_axi_rresp_i,
  input  logic               m_axi_rlast_i,
  input  logic               m_axi_rvalid_i,
  output logic               m_axi_rready_o,
  output logic [IdWidth-1:0] m_axi_awid_o,
  output logic [63:0]        m_axi_awaddr_o,
  output logic [7:0]         m_axi_awlen_o,
  output logic [2:0]         m_axi_awsize_o,
  output logic [1:0]         m_axi_awburst_o,
  output logic [3:0]         m_axi_awcache_o,
  output logic [2:0]         m_axi_awprot_o,
  output logic               m_axi_awvalid_o,
  input  logic               m_axi_awready_i,
  output logic [DataW-1:0]   m_axi_wdata_o,
  output logic [BusBytes-1:0] m_axi_wstrb_o,
  output logic               m_axi_wlast_o,
  output logic               m_axi_wvalid_o,
  input  logic               m_axi_wready_i,
  input  logic [IdWidth-1:0] m_axi_bid_i,
  input  logic [1:0]         m_axi_bresp_i,
  input  logic               m_axi_bvalid_i,
  output logic               m_axi_bready_o,
  // interrupt: |(IRQ_STATUS & IRQ_ENABLE), registered
  output logic               irq_o
);
  // ---- constants ---------------------------------------------------------
  // gcd of the (power-of-two) bus width and a beat width
  function automatic int unsigned gcd_bus(int unsigned bus, int unsigned b);
    gcd_bus = 1;
    for (int i = 1; i <= 6; i++) begin
      if ((b % (1 << i)) == 0 && (1 << i) <= bus) gcd_bus = 1 << i;
    end
  endfunction

  localparam int unsigned OffW     = $clog2(BusBytes);
  localparam int unsigned CmdBeats = 128 / BusBytes;
  localparam int unsigned CmdBeatW = $clog2(CmdBeats + 1);
  localparam int unsigned AUnit    = gcd_bus(BusBytes, ActBeatBytes);
  localparam int unsigned WUnit    = gcd_bus(BusBytes, WBeatBytes);
  localparam int unsigned AUnitsW  = $clog2(BusBytes / AUnit + 1);
  localparam int unsigned WUnitsW  = $clog2(BusBytes / WUnit + 1);
  localparam int unsigned NzW      = $clog2(5 * BusBytes + 1);

  localparam logic [1:0] TagCmd = 2'd0, TagAct = 2'd1, TagW = 2'd2;

  localparam logic [7:0] ErrNone = 8'd0, ErrOpcode = 8'd1, ErrFormat = 8'd2, ErrDim = 8'd3,
                         ErrAlign = 8'd4, ErrWindow = 8'd5, ErrTrit = 8'd6, ErrAxiRead = 8'd7,
                         ErrAxiWrite = 8'd8, ErrRing = 8'd9, ErrWBytes = 8'd10;

  if (BusBytes != 8 && BusBytes != 16 && BusBytes != 32 && BusBytes != 64)
    $error("BusBytes must be 8, 16, 32 or 64");
  if (AccWidth != 32) $error("AccWidth must be 32");

  // ---- register block ------------------------------------------------------
  tern_regs_pkg::tern_regs__in_t  hwif_in;
  tern_regs_pkg::tern_regs__out_t hwif_out;

  tern_regs u_regs (
    .clk           (clk_i),
    .rst           (!rst_ni),
    .s_axil_awready(s_axil_awready_o),
    .s_axil_awvalid(s_axil_awvalid_i),
    .s_axil_awaddr (s_axil_awaddr_i),
    .s_axil_awprot (s_axil_awprot_i),
    .s_axil_wready (s_axil_wready_o),
    .s_axil_wvalid (s_axil_wvalid_i),
    .s_axil_wdata  (s_axil_wdata_i),
    .s_axil_wstrb  (s_axil_wstrb_i),
    .s_axil_bready (s_axil_bready_i),
    .s_axil_bvalid (s_axil_bvalid_o),
    .s_axil_bresp  (s_axil_bresp_o),
    .s_axil_arready(s_axil_arready_o),
    .s_axil_arvalid(s_axil_arvalid_i),
    .s_axil_araddr (s_axil_araddr_i),
    .s_axil_arprot (s_axil_arprot_i),
    .s_axil_rready (s_axil_rready_i),
    .s_axil_rvalid (s_axil_rvalid_o),
    .s_axil_rdata  (s_axil_rdata_o),
    .s_axil_rresp  (s_axil_rresp_o),
    .hwif_in       (hwif_in),
    .hwif_out      (hwif_out)
  );

  logic        enable, soft_reset, perf_snap, perf_clr;
  logic [63:0] ring_base, win_base, win_size;
  logic [31:0] ring_size, ring_tail;
  logic [2:0]  irq_en, irq_st;

  assign enable     = hwif_out.CTRL.ENABLE.value;
  assign soft_reset = hwif_out.CTRL.SOFT_RESET.value;
  assign perf_snap  = hwif_out.CTRL.PERF_SNAPSHOT.value;
  assign perf_clr   = hwif_out.CTRL.PERF_CLEAR.value;
  assign ring_base  = {hwif_out.RING_BASE_HI.ADDR.value, hwif_out.RING_BASE_LO.ADDR.value};
  assign ring_size  = hwif_out.RING_SIZE.ENTRIES.value;
  assign ring_tail  = hwif_out.RING_TAIL.INDEX.value;
  assign win_base   = {hwif_out.WIN_BASE_HI.ADDR.value, hwif_out.WIN_BASE_LO.ADDR.value};
  assign win_size   = {hwif_out.WIN_SIZE_HI.SIZE.value, hwif_out.WIN_SIZE_LO.SIZE.value};
  assign irq_en     = {hwif_out.IRQ_ENABLE.FENCE.value, hwif_out.IRQ_ENABLE.ERROR.value,
                       hwif_out.IRQ_ENABLE.DONE.value};
  assign irq_st     = {hwif_out.IRQ_STATUS.FENCE.value, hwif_out.IRQ_STATUS.ERROR.value,
                       hwif_out.IRQ_STATUS.DONE.value};

  // [addr, addr+len) inside [base, base+size), without overflow
  function automatic logic in_win(logic [63:0] addr, logic [63:0] len, logic [63:0] base,
                                  logic [63:0] size);
    logic [63:0] d;
    d = addr - base;
    in_win = (addr >= base) && (d <= size) && (len <= size - d);
  endfunction

  // ---- state ----------------------------------------------------------------
  typedef enum logic [2:0] {
    StIdle, StFetchReq, StFetch, StDecode, StCalc, StRun, StFinish, StAbort
  } state_e;
  state_e state_q, state_d;

  logic [31:0] head_q, completed_q, err_idx_q;
  logic [7:0]  err_code_q;
  logic        stopped_q;

  // ---- DMA -----------------------------------------------------------------
  logic             rd_req_valid, rd_req_ready;
  logic [63:0]      rd_req_addr;
  logic [32:0]      rd_req_bytes;
  logic [1:0]       rd_req_tag;
  logic             rd_valid, rd_ready, rd_last, rd_err;
  logic [DataW-1:0] rd_data;
  logic [1:0]       rd_tag;
  logic             rd_abort, rd_idle, err_clear;
  logic             unused_rd_err_valid;
  logic [2:0]       unused_rd_err_code;
  logic [1:0]       unused_rd_err_tag;
  logic [63:0]      unused_rd_err_addr;

  tern_axi_rd #(
    .DataWidth     (DataW),
    .AddrWidth     (64),
    .IdWidth       (IdWidth),
    .AxiId         (0),
    .LenWidth      (33),
    .TagWidth      (2),
    .MaxBurstBeats (RdBurstBeats),
    .MaxOutstanding(RdOutstanding),
    .FifoBeats     (RdFifoBeats)
  ) u_rd (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .req_valid_i    (rd_req_valid),
    .req_ready_o    (rd_req_ready),
    .req_addr_i     (rd_req_addr),
    .req_bytes_i    (rd_req_bytes),
    .req_tag_i      (rd_req_tag),
    .data_valid_o   (rd_valid),
    .data_ready_i   (rd_ready),
    .data_o         (rd_data),
    .data_last_o    (rd_last),
    .data_tag_o     (rd_tag),
    .data_err_o     (rd_err),
    .abort_i        (rd_abort),
    .idle_o         (rd_idle),
    .err_valid_o    (unused_rd_err_valid),
    .err_code_o     (unused_rd_err_code),
    .err_tag_o      (unused_rd_err_tag),
    .err_addr_o     (unused_rd_err_addr),
    .err_clear_i    (err_clear),
    .m_axi_arid_o   (m_axi_arid_o),
    .m_axi_araddr_o (m_axi_araddr_o),
    .m_axi_arlen_o  (m_axi_arlen_o),
    .m_axi_arsize_o (m_axi_arsize_o),
    .m_axi_arburst_o(m_axi_arburst_o),
    .m_axi_arcache_o(m_axi_arcache_o),
    .m_axi_arprot_o (m_axi_arprot_o),
    .m_axi_arvalid_o(m_axi_arvalid_o),
    .m_axi_arready_i(m_axi_arready_i),
    .m_axi_rid_i    (m_axi_rid_i),
    .m_axi_rdata_i  (m_axi_rdata_i),
    .m_axi_rresp_i  (m_axi_rresp_i),
    .m_axi_rlast_i  (m_axi_rlast_i),
    .m_axi_rvalid_i (m_axi_rvalid_i),
    .m_axi_rready_o (m_axi_rready_o)
  );

  logic              wr_req_valid, wr_req_ready, wr_req_fire;
  logic [63:0]       wr_req_addr;
  logic [32:0]       wr_req_bytes;
  logic [26:0]       wr_req_data_bytes;
  logic              wr_dvalid, wr_dready;
  logic [DataW-1:0]  wr_data;
  logic [BusBytes-1:0] wr_strb;
  logic              wr_done, wr_abort, wr_idle;
  logic [1:0]        wr_done_resp;
  logic              unused_wr_err_valid;
  logic [2:0]        unused_wr_err_code;
  logic [1:0]        unused_wr_err_tag, unused_wr_done_tag;
  logic [63:0]       unused_wr_err_addr;
  logic              rw_req_valid, rw_dvalid, rw_idle;

  assign wr_req_valid = rw_req_valid && (state_q == StRun);
  assign wr_dvalid    = rw_dvalid && (state_q == StRun);
  assign wr_req_fire  = wr_req_valid && wr_req_ready;

  tern_axi_wr #(
    .DataWidth     (DataW),
    .AddrWidth     (64),
    .IdWidth       (IdWidth),
    .AxiId         (0),
    .LenWidth      (33),
    .TagWidth      (2),
    .MaxBurstBeats (WrBurstBeats),
    .MaxOutstanding(WrOutstanding),
    .FifoBeats     (WrFifoBeats)
  ) u_wr (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .req_valid_i    (wr_req_valid),
    .req_ready_o    (wr_req_ready),
    .req_addr_i     (wr_req_addr),
    .req_bytes_i    (wr_req_bytes),
    .req_tag_i      (2'd0),
    .data_valid_i   (wr_dvalid),
    .data_ready_o   (wr_dready),
    .data_i         (wr_data),
    .data_strb_i    (wr_strb),
    .done_o         (wr_done),
    .done_tag_o     (unused_wr_done_tag),
    .done_resp_o    (wr_done_resp),
    .abort_i        (wr_abort),
    .idle_o         (wr_idle),
    .err_valid_o    (unused_wr_err_valid),
    .err_code_o     (unused_wr_err_code),
    .err_tag_o      (unused_wr_err_tag),
    .err_addr_o     (unused_wr_err_addr),
    .err_clear_i    (err_clear),
    .m_axi_awid_o   (m_axi_awid_o),
    .m_axi_awaddr_o (m_axi_awaddr_o),
    .m_axi_awlen_o  (m_axi_awlen_o),
    .m_axi_awsize_o (m_axi_awsize_o),
    .m_axi_awburst_o(m_axi_awburst_o),
    .m_axi_awcache_o(m_axi_awcache_o),
    .m_axi_awprot_o (m_axi_awprot_o),
    .m_axi_awvalid_o(m_axi_awvalid_o),
    .m_axi_awready_i(m_axi_awready_i),
    .m_axi_wdata_o  (m_axi_wdata_o),
    .m_axi_wstrb_o  (m_axi_wstrb_o),
    .m_axi_wlast_o  (m_axi_wlast_o),
    .m_axi_wvalid_o (m_axi_wvalid_o),
    .m_axi_wready_i (m_axi_wready_i),
    .m_axi_bid_i    (m_axi_bid_i),
    .m_axi_bresp_i  (m_axi_bresp_i),
    .m_axi_bvalid_i (m_axi_bvalid_i),
    .m_axi_bready_o (m_axi_bready_o)
  );

  // ---- command register and decode -------------------------------------------
  logic [1023:0]       cmd_q;
  logic [CmdBeatW-1:0] fbeat_q;

  logic [7:0]  c_opcode, c_flags, c_fmt, c_nmat;
  logic [15:0] c_batch, c_reserved;
  logic [31:0] c_k, c_act_stride, c_res_stride;
  logic [63:0] c_act_addr;
  logic [63:0] m_w_addr [4];
  logic [63:0] m_res_addr [4];
  logic [31:0] m_rows [4];
  logic [31:0] m_w_bytes [4];

  assign c_opcode     = cmd_q[7:0];
  assign c_flags      = cmd_q[15:8];
  assign c_fmt        = cmd_q[23:16];
  assign c_nmat       = cmd_q[31:24];
  assign c_batch      = cmd_q[47:32];
  assign c_reserved   = cmd_q[63:48];
  assign c_k          = cmd_q[95:64];
  assign c_act_stride = cmd_q[127:96];
  assign c_act_addr   = cmd_q[191:128];
  assign c_res_stride = cmd_q[223:192];
  for (genvar i = 0; i < 4; i++) begin : gen_mat
    assign m_w_addr[i]   = cmd_q[256 + 192*i +: 64];
    assign m_res_addr[i] = cmd_q[320 + 192*i +: 64];
    assign m_rows[i]     = cmd_q[384 + 192*i +: 32];
    assign m_w_bytes[i]  = cmd_q[416 + 192*i +: 32];
  end
  logic [31:0] unused_tag;
  assign unused_tag = cmd_q[255:224];

  logic [2:0] mat_valid_n;  // matrices checked by the per-matrix rules
  assign mat_valid_n = (c_nmat > 8'd4) ? 3'd4 : c_nmat[2:0];

  logic [1:0] fmt_built;
  assign fmt_built = 2'(Fmts);

  logic op_bad, dim_bad, align_bad;
  logic [OffW-1:0] alow;
  always_comb begin
    op_bad = (c_opcode > 8'd2) || ((c_flags & 8'hfe) != 8'd0) || (c_reserved != 16'd0);
    dim_bad = (c_nmat == 8'd0) || (c_nmat > 8'd4) || (c_batch == 16'd0) ||
              (c_batch > 16'(Batch)) || (c_k == 32'd0) || (c_k > 32'(MaxK)) ||
              (c_act_stride < c_k);
    alow = c_act_addr[OffW-1:0] | c_act_stride[OffW-1:0] | c_res_stride[OffW-1:0];
    for (int unsigned i = 0; i < 4; i++) begin
      if (3'(i) < mat_valid_n) begin
        if (m_rows[i] == 32'd0 || m_rows[i] > 32'h00ff_ffff ||
            {2'b00, c_res_stride} < {m_rows[i], 2'b00})
          dim_bad = 1'b1;
        alow = alow | m_w_addr[i][OffW-1:0] | m_res_addr[i][OffW-1:0];
      end
    end
    align_bad = (alow != '0);
  end

  // ---- sequential multiply / divide --------------------------------------
  logic        md_start, md_op, md_busy, md_done, md_started_q;
  logic [63:0] md_a, md_res;
  logic [31:0] md_b;

  tern_top_muldiv #(
    .Steps(32)
  ) u_md (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .start_i(md_start),
    .op_i   (md_op),
    .a_i    (md_a),
    .b_i    (md_b),
    .busy_o (md_busy),
    .done_o (md_done),
    .res_o  (md_res)
  );

  // ---- validation steps (StCalc) and counter scaling (StFinish) -------------
  logic [2:0]  calc_q;
  logic [1:0]  ci_q;
  logic        ci_last;
  logic [63:0] words_q, wbw_q, res_off_q;
  logic [31:0] wt;
  logic [63:0] k_bus;   // k rounded up to the bus
  logic [15:0] batch_m1;

  assign ci_last  = ({1'b0, ci_q} + 3'd1 == c_nmat[2:0]);
  assign wt       = c_fmt[0] ? 32'(5 * WordBytes) : 32'(4 * WordBytes);
  logic [32:0] k_up;
  assign k_up     = 33'(c_k) + 33'(BusBytes - 1);
  assign k_bus    = {31'd0, k_up[32:OffW], {OffW{1'b0}}};
  logic [OffW-1:0] unused_k_up;
  assign unused_k_up = k_up[OffW-1:0];
  assign batch_m1 = c_batch - 16'd1;

  // nonzero / all trits of the command's weight streams
  logic [63:0] nz_q, wsum_q, trits_all;
  logic        fin_q;
  assign trits_all = {wsum_q[61:0], 2'b00} + (c_fmt[0] ? wsum_q : 64'd0);

  always_comb begin
    md_op = 1'b0;
    md_a  = '0;
    md_b  = '0;
    if (state_q == StCalc) begin
      unique case (calc_q)
        3'd0: begin md_op = 1'b1; md_a = 64'(c_k) + 64'(wt) - 64'd1; md_b = wt; end
        3'd1: begin md_a = words_q; md_b = 32'(WBeatBytes); end
        3'd2: begin md_op = 1'b1; md_a = 64'(m_rows[ci_q]) + 64'(Lanes) - 64'd1; md_b = 32'(Lanes); end
        3'd3: begin md_a = md_res; md_b = wbw_q[31:0]; end
        3'd4: begin md_a = 64'(c_act_stride); md_b = 32'(batch_m1); end
        3'd5: begin md_a = 64'(c_res_stride); md_b = 32'(batch_m1); end
        default: ;
      endcase
    end else if (state_q == StFinish) begin
      md_a = fin_q ? trits_all - nz_q : nz_q;
      md_b = 32'(c_batch);
    end
  end

  // wbw_q: bytes of one row group's stream; it can exceed 32 bits only for
  // k far past any build (MaxK < 2^24), so step 3 multiplies by its low half
  // and steps 2-3 flag a wide value as a length mismatch.
  logic calc_op;  // this step uses the unit
  assign calc_op  = (state_q == StCalc && calc_q != 3'd6) || (state_q == StFinish);
  assign md_start = calc_op && !md_started_q && !md_busy;

  // ---- read request sequencer (StRun) ------------------------------------
  logic        rq_done_q, rq_act_q;
  logic [1:0]  rq_mat_q;
  logic [15:0] rq_b_q;
  logic [63:0] rq_addr_q;
  logic        rq_fire, rq_b_last, rq_m_last;
  logic [32:0] w_bus_bytes;

  assign rq_b_last   = (rq_b_q + 16'd1 == c_batch);
  assign rq_m_last   = ({1'b0, rq_mat_q} + 3'd1 == c_nmat[2:0]);
  assign w_bus_bytes = ((33'(m_w_bytes[rq_mat_q]) + 33'(BusBytes - 1)) >> OffW) << OffW;

  always_comb begin
    rd_req_valid = 1'b0;
    rd_req_addr  = '0;
    rd_req_bytes = '0;
    rd_req_tag   = TagCmd;
    if (state_q == StFetchReq) begin
      rd_req_valid = 1'b1;
      rd_req_addr  = ring_base + {25'd0, head_q, 7'd0};
      rd_req_bytes = 33'd128;
    end else if (state_q == StRun && !rq_done_q) begin
      rd_req_valid = 1'b1;
      if (rq_act_q) begin
        rd_req_addr  = rq_addr_q;
        rd_req_bytes = k_bus[32:0];
        rd_req_tag   = TagAct;
      end else begin
        rd_req_addr  = m_w_addr[rq_mat_q];
        rd_req_bytes = w_bus_bytes;
        rd_req_tag   = TagW;
      end
    end
  end
  assign rq_fire = rd_req_valid && rd_req_ready && (state_q == StRun);

  // ---- read data router and stream adapters --------------------------------
  logic              ag_in_valid, ag_in_ready, ag_out_valid, ag_out_ready;
  logic [DataW-1:0]  ag_in_data;
  logic [AUnitsW-1:0] ag_units;
  logic [ActBeatBytes*8-1:0] ag_out_data;
  logic              wg_in_valid, wg_in_ready, wg_out_valid, wg_out_ready;
  logic [DataW-1:0]  wg_in_data;
  logic [WUnitsW-1:0] wg_units;
  logic [WBeatBytes*8-1:0] wg_out_data;
  logic              gb_clear;

  logic        rd_fire, rd_err_now;
  logic [24:0] af_pos_q;                  // bytes of this vector passed on
  logic [24:0] af_rem;
  logic [31:0] af_n;                      // valid bytes in this beat
  logic [1:0]  wf_mat_q;
  logic [OffW-1:0] wf_low;
  logic [OffW:0]   wf_n;

  assign rd_ready   = (rd_tag == TagCmd) || rd_err ||
                      (rd_tag == TagAct && ag_in_ready) || (rd_tag == TagW && wg_in_ready);
  assign rd_fire    = rd_valid && rd_ready;
  assign rd_err_now = rd_valid && rd_err;

  assign af_rem = c_k[24:0] - af_pos_q;
  assign af_n   = (af_rem >= 25'(BusBytes)) ? 32'(BusBytes) : 32'(af_rem);
  always_comb begin
    for (int unsigned j = 0; j < BusBytes; j++) begin
      ag_in_data[j*8 +: 8] = (32'(j) < af_n) ? rd_data[j*8 +: 8] : 8'd0;
    end
  end
  assign ag_units    = AUnitsW'((af_n + 32'(AUnit - 1)) >> $clog2(AUnit));
  assign ag_in_valid = rd_valid && !rd_err && (rd_tag == TagAct) && (state_q == StRun);

  assign wf_low      = m_w_bytes[wf_mat_q][OffW-1:0];
  assign wf_n        = (rd_last && wf_low != '0) ? {1'b0, wf_low} : (OffW+1)'(BusBytes);
  assign wg_units    = WUnitsW'(wf_n >> $clog2(WUnit));
  assign wg_in_data  = rd_data;
  assign wg_in_valid = rd_valid && !rd_err && (rd_tag == TagW) && (state_q == StRun);

  tern_top_gearbox #(
    .InBytes (BusBytes),
    .OutBytes(ActBeatBytes),
    .Unit    (AUnit)
  ) u_act_gb (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clear_i    (gb_clear),
    .in_valid_i (ag_in_valid),
    .in_ready_o (ag_in_ready),
    .in_data_i  (ag_in_data),
    .in_units_i (ag_units),
    .in_flush_i (rd_last),
    .out_valid_o(ag_out_valid),
    .out_ready_i(ag_out_ready),
    .out_data_o (ag_out_data)
  );

  tern_top_gearbox #(
    .InBytes (BusBytes),
    .OutBytes(WBeatBytes),
    .Unit    (WUnit)
  ) u_w_gb (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .clear_i    (gb_clear),
    .in_valid_i (wg_in_valid),
    .in_ready_o (wg_in_ready),
    .in_data_i  (wg_in_data),
    .in_units_i (wg_units),
    .in_flush_i (1'b0),
    .out_valid_o(wg_out_valid),
    .out_ready_i(wg_out_ready),
    .out_data_o (wg_out_data)
  );

  // Nonzero trits of a weight bus beat (bytes below wf_n): I2 codes 0 and 2,
  // B3 digits other than 1 in valid bytes (<= 242); invalid codes count zero.
  function automatic logic [1023:0] b3_nz_table();
    logic [1023:0] t;
    t = '0;
    for (int d4 = 0; d4 < 3; d4++)
      for (int d3 = 0; d3 < 3; d3++)
        for (int d2 = 0; d2 < 3; d2++)
          for (int d1 = 0; d1 < 3; d1++)
            for (int d0 = 0; d0 < 3; d0++)
              t[(d0 + 3*d1 + 9*d2 + 27*d3 + 81*d4)*4 +: 4] =
                  4'(32'(d0 != 1) + 32'(d1 != 1) + 32'(d2 != 1) + 32'(d3 != 1) + 32'(d4 != 1));
    b3_nz_table = t;
  endfunction
  localparam logic [1023:0] NzB3 = b3_nz_table();

  logic [NzW-1:0] nz_beat;
  always_comb begin
    nz_beat = '0;
    for (int unsigned j = 0; j < BusBytes; j++) begin
      if ((OffW+1)'(j) < wf_n) begin
        if (c_fmt[0]) begin
          nz_beat = nz_beat + NzW'(NzB3[{rd_data[j*8 +: 8], 2'b00} +: 4]);
        end else begin
          for (int unsigned t = 0; t < 4; t++) begin
            nz_beat = nz_beat + NzW'(!rd_data[j*8 + 2*t]);
          end
        end
      end
    end
  end

  // ---- engine ----------------------------------------------------------------
  logic              eng_rst_q, eng_rst_n;
  logic              e_cfg_valid, e_cfg_ready;
  logic              e_res_valid, e_res_ready, e_res_err, e_res_last, e_done, e_busy;
  logic [31:0]       e_res_data;
  logic [23:0]       e_res_row;
  logic [BatchW-1:0] e_res_batch;
  logic [3:0]        e_status;
  logic [1:0]        ej_mat_q;
  logic              ej_wait_q, ej_done_q;

  // Abort: the engine is held in reset (registered, so the reset is clean).
  assign eng_rst_n = rst_ni && !eng_rst_q;

  assign e_cfg_valid = (state_q == StRun) && !ej_wait_q && !ej_done_q;

  tern_engine #(
    .Lanes       (Lanes),
    .WordBytes   (WordBytes),
    .Batch       (Batch),
    .MaxK        (MaxK),
    .AccWidth    (AccWidth),
    .ActBeatBytes(ActBeatBytes),
    .WBeatBytes  (WBeatBytes),
    .TileRows    (TileRows),
    .Fmts        (Fmts),
    .Pipe        (Pipe)
  ) u_engine (
    .clk_i      (clk_i),
    .rst_ni     (eng_rst_n),
    .cfg_valid_i(e_cfg_valid),
    .cfg_ready_o(e_cfg_ready),
    .cfg_fmt_i  (c_fmt[0]),
    .cfg_rows_i (m_rows[ej_mat_q][23:0]),
    .cfg_k_i    (c_k[23:0]),
    .cfg_batch_i(BatchW'(c_batch)),
    .cfg_keep_act_i(ej_mat_q != 2'd0),
    .act_valid_i(ag_out_valid),
    .act_ready_o(ag_out_ready),
    .act_data_i (ag_out_data),
    .w_valid_i  (wg_out_valid),
    .w_ready_o  (wg_out_ready),
    .w_data_i   (wg_out_data),
    .res_valid_o(e_res_valid),
    .res_ready_i(e_res_ready),
    .res_data_o (e_res_data),
    .res_row_o  (e_res_row),
    .res_batch_o(e_res_batch),
    .res_err_o  (e_res_err),
    .res_last_o (e_res_last),
    .done_o     (e_done),
    .status_o   (e_status),
    .busy_o     (e_busy)
  );
  logic unused_eng;
  assign unused_eng = e_res_err ^ e_busy;

  // ---- result writer -------------------------------------------------------
  logic [1:0] rw_mat;

  tern_top_reswr #(
    .Lanes   (Lanes),
    .Batch   (Batch),
    .BusBytes(BusBytes),
    .BatchW  (BatchW)
  ) u_reswr (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .clear_i         (gb_clear),
    .mat_o           (rw_mat),
    .rows_i          (m_rows[rw_mat][23:0]),
    .res_addr_i      (m_res_addr[rw_mat]),
    .res_stride_i    (c_res_stride),
    .batch_i         (BatchW'(c_batch)),
    .res_valid_i     (e_res_valid),
    .res_ready_o     (e_res_ready),
    .res_data_i      (e_res_data),
    .res_row_i       (e_res_row),
    .res_batch_i     (e_res_batch),
    .res_last_i      (e_res_last),
    .req_valid_o     (rw_req_valid),
    .req_ready_i     (wr_req_ready),
    .req_addr_o      (wr_req_addr),
    .req_bytes_o     (wr_req_bytes),
    .req_data_bytes_o(wr_req_data_bytes),
    .data_valid_o    (rw_dvalid),
    .data_ready_i    (wr_dready),
    .data_o          (wr_data),
    .strb_o          (wr_strb),
    .idle_o          (rw_idle)
  );

  // ---- control ----------------------------------------------------------------
  logic        ring_ok, run_start, run_end;
  logic [15:0] wr_out_q;            // write requests awaiting B
  logic        trit_err_q;
  logic [7:0]  ab_code_q;
  logic        ab_sr_q;
  logic [1:0]  ab_cnt_q;
  logic        complete, fail;
  logic [7:0]  fail_code;
  logic [2:0]  irq_set;
  logic        wr_bad;

  assign ring_ok = (ring_size >= 32'd2) && (ring_size <= 32'd65536) &&
                   ((ring_size & (ring_size - 32'd1)) == 32'd0) && (ring_base[6:0] == 7'd0) &&
                   (ring_tail < ring_size) &&
                   in_win(ring_base, {25'd0, ring_size, 7'd0}, win_base, win_size);

  assign wr_bad  = wr_done && (wr_done_resp != 2'b00);
  assign run_end = ej_done_q && rw_idle && (wr_out_q == 16'd0);

  // perf event inputs
  logic        ev_rd;
  logic [32:0] ev_rd_bytes, ev_w_bytes;
  logic        ev_adds, ev_zero;

  always_comb begin
    state_d   = state_q;
    complete  = 1'b0;
    fail      = 1'b0;
    fail_code = ErrNone;
    irq_set   = 3'b000;
    run_start = 1'b0;
    unique case (state_q)
      StIdle: begin
        if (enable && !stopped_q && head_q != ring_tail && !soft_reset) begin
          if (!ring_ok) begin
            fail      = 1'b1;
            fail_code = ErrRing;
          end else begin
            state_d = StFetchReq;
          end
        end
      end
      StFetchReq: if (rd_req_ready) state_d = StFetch;
      StFetch: begin
        if (rd_err_now) state_d = StAbort;
        else if (rd_fire && rd_last) state_d = StDecode;
      end
      StDecode: begin
        if (op_bad) begin
          fail = 1'b1; fail_code = ErrOpcode; state_d = StIdle;
        end else if (c_opcode != 8'd1) begin
          complete = 1'b1;
          state_d  = StIdle;
          if (c_flags[0]) irq_set = (c_opcode == 8'd2) ? 3'b100 : 3'b001;
        end else if (c_fmt > 8'd1 || !fmt_built[c_fmt[0]]) begin
          fail = 1'b1; fail_code = ErrFormat; state_d = StIdle;
        end else if (dim_bad) begin
          fail = 1'b1; fail_code = ErrDim; state_d = StIdle;
        end else if (align_bad) begin
          fail = 1'b1; fail_code = ErrAlign; state_d = StIdle;
        end else begin
          state_d = StCalc;
        end
      end
      StCalc: begin
        if (md_done) begin
          unique case (calc_q)
            3'd3: if (md_res != {32'd0, m_w_bytes[ci_q]} || wbw_q[63:32] != 32'd0) begin
              fail = 1'b1; fail_code = ErrWBytes; state_d = StIdle;
            end
            3'd4: if (!in_win(c_act_addr, md_res + k_bus, win_base, win_size)) begin
              fail = 1'b1; fail_code = ErrWindow; state_d = StIdle;
            end
            default: ;
          endcase
        end else if (calc_q == 3'd6) begin
          if (!in_win(m_w_addr[ci_q], {32'd0, m_w_bytes[ci_q]}, win_base, win_size) ||
              !in_win(m_res_addr[ci_q], res_off_q + {30'd0, m_rows[ci_q], 2'b00}, win_base,
                      win_size)) begin
            fail = 1'b1; fail_code = ErrWindow; state_d = StIdle;
          end else if (ci_last) begin
            state_d   = StRun;
            run_start = 1'b1;
          end
        end
      end
      StRun: begin
        if (rd_err_now || wr_bad) state_d = StAbort;
        else if (run_end) state_d = StFinish;
      end
      StFinish: begin
        if (md_done && fin_q) begin
          state_d = StIdle;
          if (trit_err_q) begin
            fail = 1'b1; fail_code = ErrTrit;
          end else begin
            complete = 1'b1;
            if (c_flags[0]) irq_set = 3'b001;
          end
        end
      end
      StAbort: begin
        if (ab_cnt_q == 2'd3 && rd_idle && wr_idle) begin
          state_d = StIdle;
          if (!ab_sr_q) begin
            fail = 1'b1; fail_code = ab_code_q;
          end
        end
      end
      default: state_d = StIdle;
    endcase
    if (soft_reset && state_q != StIdle && state_q != StAbort) state_d = StAbort;
    if (fail) irq_set[1] = 1'b1;
    // a soft reset clears the error state, also one found in this cycle
    if (soft_reset) begin
      fail     = 1'b0;
      complete = 1'b0;
      irq_set  = 3'b000;
    end
  end

  assign gb_clear  = run_start || (state_q == StAbort);
  assign rd_abort  = (state_q == StAbort) && (ab_cnt_q == 2'd0);
  assign wr_abort  = rd_abort;
  assign err_clear = (state_q == StIdle) && (state_d == StFetchReq);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
      head_q       <= '0;
      completed_q  <= '0;
      err_code_q   <= '0;
      err_idx_q    <= '0;
      stopped_q    <= 1'b0;
      fbeat_q      <= '0;
      cmd_q        <= '0;
      calc_q       <= '0;
      ci_q         <= '0;
      md_started_q <= 1'b0;
      words_q      <= '0;
      wbw_q        <= '0;
      res_off_q    <= '0;
      fin_q        <= 1'b0;
      rq_done_q    <= 1'b0;
      rq_act_q     <= 1'b1;
      rq_mat_q     <= '0;
      rq_b_q       <= '0;
      rq_addr_q    <= '0;
      af_pos_q     <= '0;
      wf_mat_q     <= '0;
      nz_q         <= '0;
      wsum_q       <= '0;
      ej_mat_q     <= '0;
      ej_wait_q    <= 1'b0;
      ej_done_q    <= 1'b0;
      wr_out_q     <= '0;
      trit_err_q   <= 1'b0;
      ab_code_q    <= '0;
      ab_sr_q      <= 1'b0;
      ab_cnt_q     <= '0;
      eng_rst_q    <= 1'b0;
    end else begin
      state_q <= state_d;

      // fetch
      if (state_q == StFetchReq) fbeat_q <= '0;
      if (state_q == StFetch && rd_fire && rd_tag == TagCmd) begin
        for (int unsigned j = 0; j < CmdBeats; j++) begin
          if (fbeat_q == CmdBeatW'(j)) cmd_q[j*DataW +: DataW] <= rd_data;
        end
        fbeat_q <= fbeat_q + 1'b1;
      end

      // validation steps
      if (state_q == StDecode) begin
        calc_q       <= '0;
        ci_q         <= '0;
        md_started_q <= 1'b0;
        fin_q        <= 1'b0;
      end
      if (md_start) md_started_q <= 1'b1;
      if (state_q == StCalc) begin
        if (md_done) begin
          md_started_q <= 1'b0;
          unique case (calc_q)
            3'd0: begin words_q <= md_res; calc_q <= 3'd1; end
            3'd1: begin wbw_q <= md_res; calc_q <= 3'd2; end
            3'd2: calc_q <= 3'd3;
            3'd3: begin
              ci_q   <= ci_q + 2'd1;
              calc_q <= ci_last ? 3'd4 : 3'd2;
              if (ci_last) ci_q <= '0;
            end
            3'd4: calc_q <= 3'd5;
            3'd5: begin res_off_q <= md_res; calc_q <= 3'd6; ci_q <= '0; end
            default: ;
          endcase
        end else if (calc_q == 3'd6) begin
          ci_q <= ci_q + 2'd1;
        end
      end
      if (state_q == StFinish && md_done) begin
        md_started_q <= 1'b0;
        fin_q        <= 1'b1;
      end

      // run: request sequencer, feeders, engine jobs, write tracking
      if (run_start) begin
        rq_done_q  <= 1'b0;
        rq_act_q   <= 1'b1;
        rq_mat_q   <= '0;
        rq_b_q     <= '0;
        rq_addr_q  <= c_act_addr;
        af_pos_q   <= '0;
        wf_mat_q   <= '0;
        nz_q       <= '0;
        wsum_q     <= '0;
        ej_mat_q   <= '0;
        ej_wait_q  <= 1'b0;
        ej_done_q  <= 1'b0;
        wr_out_q   <= '0;
        trit_err_q <= 1'b0;
      end
      if (rq_fire) begin
        if (rq_act_q) begin
          if (rq_b_last) begin
            rq_act_q <= 1'b0;
          end else begin
            rq_b_q    <= rq_b_q + 16'd1;
            rq_addr_q <= rq_addr_q + {32'd0, c_act_stride};
          end
        end else begin
          wsum_q <= wsum_q + {32'd0, m_w_bytes[rq_mat_q]};
          if (rq_m_last) begin
            rq_done_q <= 1'b1;
          end else begin
            rq_mat_q  <= rq_mat_q + 2'd1;
            // chained matrices reuse the engine's activation buffer
            rq_act_q  <= 1'b0;
          end
        end
      end
      if (ag_in_valid && ag_in_ready) af_pos_q <= rd_last ? '0 : af_pos_q + 25'(BusBytes);
      if (wg_in_valid && wg_in_ready) begin
        nz_q <= nz_q + 64'(nz_beat);
        if (rd_last) wf_mat_q <= wf_mat_q + 2'd1;
      end
      if (state_q == StRun) begin
        if (e_cfg_valid && e_cfg_ready) ej_wait_q <= 1'b1;
        if (e_done) begin
          ej_wait_q <= 1'b0;
          if (e_status != 4'd0) trit_err_q <= 1'b1;
          if ({1'b0, ej_mat_q} + 3'd1 == c_nmat[2:0]) ej_done_q <= 1'b1;
          else ej_mat_q <= ej_mat_q + 2'd1;
        end
      end
      if (state_q == StRun || state_q == StAbort) begin
        wr_out_q <= wr_out_q + (wr_req_fire ? 16'd1 : 16'd0) - (wr_done ? 16'd1 : 16'd0);
      end

      // abort
      if (state_d == StAbort && state_q != StAbort) begin
        ab_cnt_q  <= '0;
        ab_sr_q   <= soft_reset;
        ab_code_q <= (rd_err_now) ? ErrAxiRead : (wr_bad ? ErrAxiWrite : ErrNone);
        eng_rst_q <= 1'b1;
      end else if (state_q == StAbort) begin
        if (ab_cnt_q != 2'd3) ab_cnt_q <= ab_cnt_q + 2'd1;
        if (soft_reset) ab_sr_q <= 1'b1;
        if (state_d != StAbort) eng_rst_q <= 1'b0;
      end

      // completion, errors, soft reset
      if (complete) begin
        completed_q <= completed_q + 32'd1;
        head_q      <= (head_q + 32'd1) & (ring_size - 32'd1);
      end
      if (fail) begin
        stopped_q  <= 1'b1;
        err_code_q <= fail_code;
        err_idx_q  <= head_q;
      end
      if (soft_reset) begin
        stopped_q  <= 1'b0;
        err_code_q <= '0;
        err_idx_q  <= '0;
        head_q     <= ring_tail;
      end
    end
  end

  // ---- performance counters -------------------------------------------------
  // live counters: busy, stall w, stall a, stall r, bytes rd, bytes wr,
  // weight bytes, adds, zero trits, commands (PERF_* register order)
  logic [63:0] live_q [10];
  logic [63:0] snap_q [10];
  logic [63:0] inc [10];

  assign ev_rd       = (state_q == StFetchReq && rd_req_ready) || rq_fire;
  assign ev_w_bytes  = {1'b0, m_w_bytes[rq_mat_q]};
  assign ev_rd_bytes = (state_q == StFetchReq) ? 33'd128 :
                       (rq_act_q ? k_bus[32:0] : ev_w_bytes);
  assign ev_adds     = (state_q == StFinish) && md_done && !fin_q;
  assign ev_zero     = (state_q == StFinish) && md_done && fin_q;

  always_comb begin
    inc[0] = 64'(state_q != StIdle);
    inc[1] = 64'((state_q == StRun) && wg_out_ready && !wg_out_valid);
    inc[2] = 64'((state_q == StRun) && ag_out_ready && !ag_out_valid);
    inc[3] = 64'(e_res_valid && !e_res_ready);
    inc[4] = ev_rd ? 64'(ev_rd_bytes) : 64'd0;
    inc[5] = wr_req_fire ? 64'(wr_req_data_bytes) : 64'd0;
    inc[6] = (rq_fire && !rq_act_q) ? 64'(ev_w_bytes) : 64'd0;
    inc[7] = ev_adds ? md_res : 64'd0;
    inc[8] = ev_zero ? md_res : 64'd0;
    inc[9] = 64'(complete);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned i = 0; i < 10; i++) begin
        live_q[i] <= '0;
        snap_q[i] <= '0;
      end
    end else begin
      for (int unsigned i = 0; i < 10; i++) begin
        if (perf_snap) snap_q[i] <= live_q[i];
        live_q[i] <= perf_clr ? 64'd0 : live_q[i] + inc[i];
      end
    end
  end

  // ---- register inputs --------------------------------------------------------
  always_comb begin
    hwif_in = '0;
    hwif_in.HWCFG0.LANES.next         = 16'(Lanes);
    hwif_in.HWCFG0.WORD_BYTES.next    = 16'(WordBytes);
    hwif_in.HWCFG1.BATCH.next         = 8'(Batch);
    hwif_in.HWCFG1.BUS_BYTES.next     = 8'(BusBytes);
    hwif_in.HWCFG1.FORMATS.next       = 8'(Fmts);
    hwif_in.HWCFG1.MAX_CHAIN.next     = 8'd4;
    hwif_in.HWCFG2.MAX_K.next         = 32'(MaxK);
    hwif_in.HWCFG3.TILE_ROWS.next     = 32'(TileRows);
    hwif_in.STATUS.BUSY.next          = (state_q != StIdle);
    hwif_in.STATUS.ERROR.next         = stopped_q;
    hwif_in.STATUS.IDLE.next          = enable && !stopped_q && (head_q == ring_tail);
    hwif_in.IRQ_STATUS.DONE.hwset     = irq_set[0];
    hwif_in.IRQ_STATUS.ERROR.hwset    = irq_set[1];
    hwif_in.IRQ_STATUS.FENCE.hwset    = irq_set[2];
    hwif_in.RING_HEAD.INDEX.next      = head_q;
    hwif_in.COMPLETED.COUNT.next      = completed_q;
    hwif_in.ERR_CODE.CODE.next        = err_code_q;
    hwif_in.ERR_CMD_INDEX.INDEX.next  = err_idx_q;
    hwif_in.PERF_BUSY_CYCLES_LO.V.next   = snap_q[0][31:0];
    hwif_in.PERF_BUSY_CYCLES_HI.V.next   = snap_q[0][63:32];
    hwif_in.PERF_STALL_WEIGHTS_LO.V.next = snap_q[1][31:0];
    hwif_in.PERF_STALL_WEIGHTS_HI.V.next = snap_q[1][63:32];
    hwif_in.PERF_STALL_ACTS_LO.V.next    = snap_q[2][31:0];
    hwif_in.PERF_STALL_ACTS_HI.V.next    = snap_q[2][63:32];
    hwif_in.PERF_STALL_RESULTS_LO.V.next = snap_q[3][31:0];
    hwif_in.PERF_STALL_RESULTS_HI.V.next = snap_q[3][63:32];
    hwif_in.PERF_BYTES_READ_LO.V.next    = snap_q[4][31:0];
    hwif_in.PERF_BYTES_READ_HI.V.next    = snap_q[4][63:32];
    hwif_in.PERF_BYTES_WRITTEN_LO.V.next = snap_q[5][31:0];
    hwif_in.PERF_BYTES_WRITTEN_HI.V.next = snap_q[5][63:32];
    hwif_in.PERF_WEIGHT_BYTES_LO.V.next  = snap_q[6][31:0];
    hwif_in.PERF_WEIGHT_BYTES_HI.V.next  = snap_q[6][63:32];
    hwif_in.PERF_ADDS_LO.V.next          = snap_q[7][31:0];
    hwif_in.PERF_ADDS_HI.V.next          = snap_q[7][63:32];
    hwif_in.PERF_ZERO_TRITS_LO.V.next    = snap_q[8][31:0];
    hwif_in.PERF_ZERO_TRITS_HI.V.next    = snap_q[8][63:32];
    hwif_in.PERF_COMMANDS_LO.V.next      = snap_q[9][31:0];
    hwif_in.PERF_COMMANDS_HI.V.next      = snap_q[9][63:32];
  end

  logic irq_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) irq_q <= 1'b0;
    else irq_q <= |(irq_st & irq_en);
  end
  assign irq_o = irq_q;
endmodule
