// tern_engine: ternary matmul engine, table-lookup design (docs/engine.md).
//
// Loop order: tiles of TileRows rows, K words, row groups of Lanes rows.
// For each K word, every pair of trits of the word gets a 16-entry table of
// all signed sums t0*q0 + t1*q1 (per batch vector), in LUT RAM indexed by
// the two raw 2-bit codes; every lane reads its row's pair codes as
// addresses, an adder tree sums the table values, and the row's partial sum
// (in a block RAM, per row of the tile) accumulates across the K words.
// Tables are double-buffered (address bit 4): the builder writes the next
// word's tables (17 cycles) while the lanes read the current ones, so no
// cycle is lost when a tile has >= 17 row groups. Per job:
//   1. config beat (accepted only when idle; bad config -> done, status 1)
//   2. all activation beats (batch vectors, each ceil(K/ActBeatBytes) beats),
//      unless cfg_keep_act_i reuses the previous job's
//   3. weight beats in cmodel/tern_engine.c order: [tile][K word][row group
//      in tile][lane], WordBytes bytes each; a tile's results drain (rows in
//      order, batch vectors inner) while the next tile computes
//   4. done_o pulse with status_o after the last result beat.
module tern_engine #(
  parameter int unsigned Lanes        = 4,
  parameter int unsigned WordBytes    = 2,
  parameter int unsigned Batch        = 2,
  parameter int unsigned MaxK         = 256,
  parameter int unsigned AccWidth     = 32,
  parameter int unsigned ActBeatBytes = WordBytes,  // must equal WordBytes
  parameter int unsigned WBeatBytes   = Lanes * WordBytes,
  parameter int unsigned TileRows     = 8 * Lanes,  // multiple of Lanes
  parameter int unsigned Fmts         = 3,          // bit 0: I2, bit 1: B3
  parameter int unsigned BatchW       = $clog2(Batch + 1)  // do not override
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  // job config
  input  logic                      cfg_valid_i,
  output logic                      cfg_ready_o,
  input  logic                      cfg_fmt_i,
  input  logic [23:0]               cfg_rows_i,
  input  logic [23:0]               cfg_k_i,
  input  logic [BatchW-1:0]         cfg_batch_i,
  // 1: reuse the activations the previous job loaded (chained matrices that
  // share one input); only accepted when fmt, K and batch equal that load's.
  input  logic                      cfg_keep_act_i,
  // activations
  input  logic                      act_valid_i,
  output logic                      act_ready_o,
  input  logic [ActBeatBytes*8-1:0] act_data_i,
  // weights
  input  logic                      w_valid_i,
  output logic                      w_ready_o,
  input  logic [WBeatBytes*8-1:0]   w_data_i,
  // results
  output logic                      res_valid_o,
  input  logic                      res_ready_i,
  output logic [AccWidth-1:0]       res_data_o,
  output logic [23:0]               res_row_o,
  output logic [BatchW-1:0]         res_batch_o,
  output logic                      res_err_o,
  output logic                      res_last_o,
  // job end
  output logic                      done_o,
  output logic [3:0]                status_o,
  output logic                      busy_o
);
  localparam int unsigned TpB      = ((Fmts & 2) != 0) ? 5 : 4;  // trits a byte, max
  localparam int unsigned Trits    = TpB * WordBytes;              // per lane per cycle
  localparam int unsigned Pairs    = (Trits + 1) / 2;              // tables per batch vector
  localparam int unsigned TabW     = 10;                           // |t0 q0 + t1 q1| <= 256
  localparam int unsigned SumW     = TabW + $clog2(Pairs);
  localparam int unsigned PsumW    = $clog2(MaxK) + 9;             // -128 K <= sum <= 128 K
  localparam int unsigned MaxWords = (MaxK + 4 * WordBytes - 1) / (4 * WordBytes);
  localparam int unsigned Depth    = (MaxWords > 1) ? MaxWords : 2;
  localparam int unsigned AddrW    = $clog2(Depth);
  localparam int unsigned Groups   = TileRows / Lanes;             // row groups a tile
  localparam int unsigned GW       = (Groups > 1) ? $clog2(Groups) : 1;
  localparam int unsigned LaneW    = (Lanes > 1) ? $clog2(Lanes) : 1;
  localparam int unsigned BW       = (Batch > 1) ? $clog2(Batch) : 1;

  localparam logic [3:0] StatusOk      = 4'd0;
  localparam logic [3:0] StatusBadCfg  = 4'd1;
  localparam logic [3:0] StatusBadCode = 4'd2;

  // Table build walk: 16 steps through all (c0, c1) code pairs starting at
  // (1, 1) = 0, each step moving one trit by +-1 (codes 1 and 3 are both
  // zero), so every entry is the previous one +- q0 or +- q1.
  localparam logic [63:0] WalkAddr = {
    4'b10_01, 4'b10_00, 4'b10_11, 4'b10_10,   // steps 15..12: c1 = 2, c0 = 2 3 0 1
    4'b11_10, 4'b11_11, 4'b11_00, 4'b11_01,   // steps 11..8:  c1 = 3, c0 = 1 0 3 2
    4'b00_01, 4'b00_00, 4'b00_11, 4'b00_10,   // steps 7..4:   c1 = 0, c0 = 2 3 0 1
    4'b01_10, 4'b01_11, 4'b01_00, 4'b01_01};  // steps 3..0:   c1 = 1, c0 = 1 0 3 2
  localparam logic [15:0] WalkSelQ1 = 16'b0000_1000_1000_1000;  // steps 3, 7, 11
  localparam logic [15:0] WalkNeg   = 16'b0011_0001_0011_1001;  // steps 0 3 4 5 8 12 13

  typedef enum logic [1:0] {StIdle, StLoad, StRun, StDone} state_e;
  state_e state_q, state_d;

  // ---- job registers --------------------------------------------------------
  logic              fmt_q;
  logic [23:0]       rows_q, k_q;
  logic [BatchW-1:0] batch_q;
  logic              any_bad_q, any_bad_d;
  logic [3:0]        status_q, status_d;

  logic cfg_fire, cfg_ok, fmt_ok;
  assign cfg_ready_o = (state_q == StIdle);
  assign cfg_fire    = cfg_valid_i && cfg_ready_o;
  assign fmt_ok      = cfg_fmt_i ? ((Fmts & 2) != 0) : ((Fmts & 1) != 0);
  // Constant for some Batch values (e.g. Batch = 1).
  /* verilator lint_off CMPCONST */ /* verilator lint_off UNSIGNED */
  assign cfg_ok      = (cfg_rows_i != '0) && (cfg_k_i != '0) && (cfg_k_i <= 24'(MaxK)) &&
                       (cfg_batch_i != '0) && ({1'b0, cfg_batch_i} <= (BatchW + 1)'(Batch)) &&
                       fmt_ok;
  /* verilator lint_on CMPCONST */ /* verilator lint_on UNSIGNED */

  // What the activation buffer holds, for cfg_keep_act_i.
  logic              held_q, held_fmt_q;
  logic [23:0]       held_k_q;
  logic [BatchW-1:0] held_batch_q;
  logic              keep_ok;
  assign keep_ok = held_q && (held_fmt_q == cfg_fmt_i) && (held_k_q == cfg_k_i) &&
                   (held_batch_q == cfg_batch_i);

  // Trits per word for the job's format.
  logic [10:0] word_trits;
  assign word_trits = fmt_q ? 11'(5 * WordBytes) : 11'(4 * WordBytes);

  // ---- activation load (as design A: bank = beat mod 4|5) -------------------
  logic              act_fire;
  logic [BatchW-1:0] ld_b_q;
  logic [2:0]        ld_pos_q;
  logic [AddrW-1:0]  ld_word_q;
  logic [24:0]       ld_elem_q;
  logic              ld_vec_last, ld_all_last;

  assign act_ready_o = (state_q == StLoad);
  assign act_fire    = act_valid_i && act_ready_o;
  assign ld_vec_last = (ld_elem_q + 25'(ActBeatBytes)) >= {1'b0, k_q};
  assign ld_all_last = ld_vec_last && ({1'b0, ld_b_q} + 1'b1 == {1'b0, batch_q});

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ld_b_q    <= '0;
      ld_pos_q  <= '0;
      ld_word_q <= '0;
      ld_elem_q <= '0;
    end else if (cfg_fire) begin
      ld_b_q    <= '0;
      ld_pos_q  <= '0;
      ld_word_q <= '0;
      ld_elem_q <= '0;
    end else if (act_fire) begin
      if (ld_vec_last) begin
        ld_b_q    <= ld_b_q + 1'b1;
        ld_pos_q  <= '0;
        ld_word_q <= '0;
        ld_elem_q <= '0;
      end else begin
        ld_elem_q <= ld_elem_q + 25'(ActBeatBytes);
        if (ld_pos_q == (fmt_q ? 3'd4 : 3'd3)) begin
          ld_pos_q  <= '0;
          ld_word_q <= ld_word_q + 1'b1;
        end else begin
          ld_pos_q <= ld_pos_q + 1'b1;
        end
      end
    end
  end

  // ---- table builder --------------------------------------------------------
  logic             bld_start, building_q, tab_pend_q, bbank_q;
  logic [3:0]       bstep_q;
  logic [AddrW-1:0] bword_q;
  logic [24:0]      bkpos_q;
  logic             step_start;  // compute takes the pending tables

  assign bld_start = (state_q == StRun) && !building_q && !tab_pend_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      building_q <= 1'b0;
      tab_pend_q <= 1'b0;
      bbank_q    <= 1'b0;
      bstep_q    <= '0;
      bword_q    <= '0;
      bkpos_q    <= '0;
    end else if (cfg_fire) begin
      building_q <= 1'b0;
      tab_pend_q <= 1'b0;
      bbank_q    <= 1'b0;
      bstep_q    <= '0;
      bword_q    <= '0;
      bkpos_q    <= '0;
    end else begin
      if (bld_start) begin
        building_q <= 1'b1;
        tab_pend_q <= 1'b1;
        bstep_q    <= '0;
        if (bkpos_q + {14'd0, word_trits} >= {1'b0, k_q}) begin
          bword_q <= '0;
          bkpos_q <= '0;
        end else begin
          bword_q <= bword_q + 1'b1;
          bkpos_q <= bkpos_q + {14'd0, word_trits};
        end
      end else if (building_q) begin
        bstep_q <= bstep_q + 1'b1;
        if (bstep_q == 4'd15) begin
          building_q <= 1'b0;
          bbank_q    <= ~bbank_q;
        end
      end
      if (step_start) tab_pend_q <= 1'b0;
    end
  end

  // Activation buffer: Batch x TpB banks of WordBytes bytes; the builder
  // reads a whole word (all banks) when it starts and holds it.
  logic [Batch*Trits*8-1:0] act_rd;
  for (genvar b = 0; b < Batch; b++) begin : gen_buf_b
    for (genvar k = 0; k < TpB; k++) begin : gen_buf_bank
      tern_act_mem #(
        .Width(WordBytes * 8),
        .Depth(Depth)
      ) u_mem (
        .clk_i  (clk_i),
        .we_i   (act_fire && (ld_b_q == BatchW'(b)) && (ld_pos_q == 3'(k))),
        .waddr_i(ld_word_q),
        .wdata_i(act_data_i),
        .re_i   (bld_start),
        .raddr_i(bword_q),
        .rdata_o(act_rd[(b*Trits + k*WordBytes)*8 +: WordBytes*8])
      );
    end
  end

  logic [4:0] tab_waddr;
  logic       sel_q1, neg;
  assign tab_waddr = {bbank_q, WalkAddr[{bstep_q, 2'b00} +: 4]};
  assign sel_q1    = WalkSelQ1[bstep_q];
  assign neg       = WalkNeg[bstep_q];

  // ---- stream position --------------------------------------------------------
  logic             w_fire;
  logic [GW-1:0]    g_q;        // row group within the tile
  logic [24:0]      grow_q;     // first row of the current group
  logic [24:0]      tbase_q;    // first row of the current tile
  logic [AddrW-1:0] word_q;
  logic [24:0]      kpos_q;     // trits before the current word
  logic             tpar_q;     // partial-sum half of the current tile
  logic             cbank_q;    // table bank of the next step
  logic             w_done_q;
  logic             g_last, w_last, rows_end;
  logic [1:0]       half_busy_q;

  /* verilator lint_off CMPCONST */ /* verilator lint_off UNSIGNED */
  assign rows_end = (grow_q + 25'(Lanes)) >= {1'b0, rows_q};
  assign g_last   = (g_q == GW'(Groups - 1)) || rows_end;
  /* verilator lint_on CMPCONST */ /* verilator lint_on UNSIGNED */
  assign w_last   = (kpos_q + {14'd0, word_trits}) >= {1'b0, k_q};

  // A step (one K word of a tile) starts once its tables are built; a tile
  // starts once its partial-sum half has drained.
  assign w_ready_o  = (state_q == StRun) && !w_done_q &&
                      ((g_q != '0) || (tab_pend_q && !building_q &&
                                       ((word_q != '0) || !half_busy_q[tpar_q])));
  assign w_fire     = w_valid_i && w_ready_o;
  assign step_start = w_fire && (g_q == '0);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      g_q      <= '0;
      grow_q   <= '0;
      tbase_q  <= '0;
      word_q   <= '0;
      kpos_q   <= '0;
      tpar_q   <= 1'b0;
      cbank_q  <= 1'b0;
      w_done_q <= 1'b0;
    end else if (cfg_fire) begin
      g_q      <= '0;
      grow_q   <= '0;
      tbase_q  <= '0;
      word_q   <= '0;
      kpos_q   <= '0;
      tpar_q   <= 1'b0;
      cbank_q  <= 1'b0;
      w_done_q <= 1'b0;
    end else if (w_fire) begin
      if (step_start) cbank_q <= ~cbank_q;
      if (!g_last) begin
        g_q    <= g_q + 1'b1;
        grow_q <= grow_q + 25'(Lanes);
      end else begin
        g_q <= '0;
        if (!w_last) begin
          word_q <= word_q + 1'b1;
          kpos_q <= kpos_q + {14'd0, word_trits};
          grow_q <= tbase_q;
        end else begin
          word_q  <= '0;
          kpos_q  <= '0;
          tbase_q <= grow_q + 25'(Lanes);
          grow_q  <= grow_q + 25'(Lanes);
          tpar_q  <= ~tpar_q;
          if (rows_end) w_done_q <= 1'b1;
        end
      end
    end
  end

  // ---- stage 1: weights registered, old partial sums read --------------------
  logic                    s1_valid_q, s1_first_q, s1_bank_q, s1_half_q, s1_tlast_q, s1_jlast_q;
  logic [GW-1:0]           s1_g_q;
  logic [24:0]             s1_tbase_q;
  logic [WBeatBytes*8-1:0] s1_w_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
    end else begin
      s1_valid_q <= w_fire;
    end
  end
  always_ff @(posedge clk_i) begin
    if (w_fire) begin
      s1_w_q     <= w_data_i;
      s1_first_q <= (word_q == '0);
      s1_bank_q  <= step_start ? cbank_q : ~cbank_q;
      s1_half_q  <= tpar_q;
      s1_g_q     <= g_q;
      s1_tlast_q <= g_last && w_last;
      s1_jlast_q <= g_last && w_last && rows_end;
      s1_tbase_q <= tbase_q;
    end
  end

  // Partial sums and row error flags of two tiles (halves), one entry a group.
  // Entry layout: sum of lane l, vector b at [(l*Batch+b)*PsumW +: PsumW],
  // then one error flag a lane.
  localparam int unsigned SumBits = Lanes * Batch * PsumW;
  localparam int unsigned PsBits  = SumBits + Lanes;

  logic [PsBits-1:0] ps_old, ps_new, ps_drain;
  logic             dr_re;
  logic [GW:0]      dr_addr;
  tern_psum_mem #(
    .Width(PsBits),
    .Depth(2 << GW)
  ) u_psum (
    .clk_i    (clk_i),
    .we_i     (s1_valid_q),
    .waddr_i  ({s1_half_q, s1_g_q}),
    .wdata_i  (ps_new),
    .re_a_i   (w_fire),
    .raddr_a_i({tpar_q, g_q}),
    .rdata_a_o(ps_old),
    .re_b_i   (dr_re),
    .raddr_b_i(dr_addr),
    .rdata_b_o(ps_drain)
  );

  // ---- tables, lanes, trees --------------------------------------------------
  logic [Lanes*Pairs*4-1:0] codes;
  logic [Lanes-1:0]                   lane_bad;

  for (genvar l = 0; l < Lanes; l++) begin : gen_dec
    tern_tab_dec #(
      .WordBytes(WordBytes),
      .Fmts     (Fmts),
      .Codes    (2 * Pairs)
    ) u_dec (
      .fmt_i  (fmt_q),
      .word_i (s1_w_q[l*WordBytes*8 +: WordBytes*8]),
      .codes_o(codes[l*Pairs*4 +: Pairs*4]),
      .bad_o  (lane_bad[l])
    );
  end

  for (genvar b = 0; b < Batch; b++) begin : gen_b
    logic [Lanes*Pairs*TabW-1:0] val;
    for (genvar p = 0; p < Pairs; p++) begin : gen_tab
      logic [7:0]                  q0, q1;
      logic [Lanes*5-1:0]          raddr;
      logic [Lanes*TabW-1:0]       rdata;
      logic [TabW-1:0]             acc_q, step;
      logic [TabW:0]               acc_nx;
      assign q0 = act_rd[(b*Trits + 2*p)*8 +: 8];
      if (2 * p + 1 < Trits) begin : gen_q1
        assign q1 = act_rd[(b*Trits + 2*p + 1)*8 +: 8];
      end else begin : gen_q1_zero
        assign q1 = '0;
      end
      // One step of the walk: +-q0 or +-q1 (ones' complement + carry in).
      // The +1 rides in the carry of an extra low bit: a two-operand add
      // (three operands would become a 3:2 full-adder layer in Yosys).
      assign step   = (sel_q1 ? TabW'($signed(q1)) : TabW'($signed(q0))) ^ {TabW{neg}};
      assign acc_nx = {acc_q, 1'b1} + {step, neg};
      always_ff @(posedge clk_i) begin
        if (bld_start) acc_q <= '0;
        else if (building_q) acc_q <= acc_nx[TabW:1];
      end
      logic unused_nx;
      assign unused_nx = acc_nx[0];
      for (genvar l = 0; l < Lanes; l++) begin : gen_ra
        assign raddr[l*5 +: 5] = {s1_bank_q, codes[(l*Pairs + p)*4 +: 4]};
        assign val[(l*Pairs + p)*TabW +: TabW] = rdata[l*TabW +: TabW];
      end
      tern_tab #(
        .Reads(Lanes),
        .Width(TabW)
      ) u_tab (
        .clk_i  (clk_i),
        .we_i   (building_q),
        .waddr_i(tab_waddr),
        .wdata_i(acc_q),
        .raddr_i(raddr),
        .rdata_o(rdata)
      );
    end
    for (genvar l = 0; l < Lanes; l++) begin : gen_lane
      logic [SumW-1:0] sum;
      tern_add_tree #(
        .N  (Pairs),
        .InW(TabW)
      ) u_tree (
        .x_i(val[l*Pairs*TabW +: Pairs*TabW]),
        .s_o(sum)
      );
      // The tree sum is the adder's plain operand; the cleared old sum is
      // the one with logic in front (it folds into the carry-chain LUTs).
      assign ps_new[(l*Batch + b)*PsumW +: PsumW] =
          PsumW'($signed(sum)) + (s1_first_q ? '0 : ps_old[(l*Batch + b)*PsumW +: PsumW]);
    end
  end
  for (genvar l = 0; l < Lanes; l++) begin : gen_err
    assign ps_new[SumBits + l] = lane_bad[l] | (!s1_first_q && ps_old[SumBits + l]);
  end

  // ---- tile bookkeeping: halves awaiting the drain ----------------------------
  logic [24:0]      hb_base_q [2];
  logic [1:0]       hb_jlast_q;
  logic             dr_half_q, dr_done;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      half_busy_q  <= '0;
      hb_base_q[0] <= '0;
      hb_base_q[1] <= '0;
      hb_jlast_q   <= '0;
    end else if (cfg_fire) begin
      half_busy_q <= '0;
    end else begin
      if (dr_done) half_busy_q[dr_half_q] <= 1'b0;
      if (s1_valid_q && s1_tlast_q) begin
        half_busy_q[s1_half_q] <= 1'b1;
        hb_base_q[s1_half_q]   <= s1_tbase_q;
        hb_jlast_q[s1_half_q]  <= s1_jlast_q;
      end
    end
  end

  // ---- drain: one result a beat ----------------------------------------------
  logic              dr_on_q;       // ps_drain holds the current group
  logic [GW-1:0]     dr_g_q;
  logic [LaneW-1:0]  dr_l_q;
  logic [BW-1:0]     dr_b_q;
  logic [24:0]       dr_row_q;
  logic              res_fire, b_last, l_last, g_more;

  assign res_fire = res_valid_o && res_ready_i;
  assign b_last   = ({1'b0, dr_b_q} + 1'b1) == (BW + 1)'(batch_q);
  /* verilator lint_off CMPCONST */ /* verilator lint_off UNSIGNED */
  assign l_last   = (dr_l_q == LaneW'(Lanes - 1)) || ((dr_row_q + 25'd1) >= {1'b0, rows_q});
  assign g_more   = (dr_g_q != GW'(Groups - 1)) && ((dr_row_q + 25'd1) < {1'b0, rows_q});
  /* verilator lint_on CMPCONST */ /* verilator lint_on UNSIGNED */
  assign dr_done  = res_fire && b_last && l_last && !g_more;
  assign dr_re    = (!dr_on_q && half_busy_q[dr_half_q]) || (res_fire && b_last && l_last && g_more);
  assign dr_addr  = dr_on_q ? {dr_half_q, dr_g_q + 1'b1} : {dr_half_q, GW'(0)};

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dr_on_q   <= 1'b0;
      dr_half_q <= 1'b0;
      dr_g_q    <= '0;
      dr_l_q    <= '0;
      dr_b_q    <= '0;
      dr_row_q  <= '0;
    end else if (cfg_fire) begin
      dr_on_q   <= 1'b0;
      dr_half_q <= 1'b0;
    end else if (!dr_on_q) begin
      if (half_busy_q[dr_half_q]) begin
        dr_on_q  <= 1'b1;
        dr_g_q   <= '0;
        dr_l_q   <= '0;
        dr_b_q   <= '0;
        dr_row_q <= hb_base_q[dr_half_q];
      end
    end else if (res_fire) begin
      if (!b_last) begin
        dr_b_q <= dr_b_q + 1'b1;
      end else begin
        dr_b_q   <= '0;
        dr_row_q <= dr_row_q + 25'd1;
        if (!l_last) begin
          dr_l_q <= dr_l_q + 1'b1;
        end else begin
          dr_l_q <= '0;
          if (g_more) begin
            dr_g_q <= dr_g_q + 1'b1;
          end else begin
            dr_on_q   <= 1'b0;
            dr_half_q <= ~dr_half_q;
          end
        end
      end
    end
  end

  assign res_valid_o = dr_on_q;
  // Result select: a compare per (lane, vector), no index arithmetic.
  always_comb begin
    res_data_o = '0;
    res_err_o  = 1'b0;
    for (int l = 0; l < Lanes; l++) begin
      if (dr_l_q == LaneW'(l)) res_err_o = ps_drain[SumBits + l];
      for (int b = 0; b < Batch; b++) begin
        if (dr_l_q == LaneW'(l) && dr_b_q == BW'(b)) begin
          res_data_o = AccWidth'($signed(ps_drain[(l*Batch + b)*PsumW +: PsumW]));
        end
      end
    end
  end
  assign res_row_o   = dr_row_q[23:0];
  assign res_batch_o = BatchW'(dr_b_q);
  assign res_last_o  = b_last && l_last && !g_more && hb_jlast_q[dr_half_q];

  // ---- job state -------------------------------------------------------------
  always_comb begin
    state_d   = state_q;
    status_d  = status_q;
    any_bad_d = any_bad_q;
    if (s1_valid_q) any_bad_d = any_bad_q | (|lane_bad);
    unique case (state_q)
      StIdle: if (cfg_fire) begin
        any_bad_d = 1'b0;
        if (cfg_ok && (!cfg_keep_act_i || keep_ok)) begin
          state_d = cfg_keep_act_i ? StRun : StLoad;
        end else begin
          state_d  = StDone;
          status_d = StatusBadCfg;
        end
      end
      StLoad: if (act_fire && ld_all_last) state_d = StRun;
      StRun: if (res_fire && res_last_o) begin
        state_d  = StDone;
        status_d = any_bad_d ? StatusBadCode : StatusOk;
      end
      StDone: state_d = StIdle;
      default: state_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q      <= StIdle;
      status_q     <= StatusOk;
      any_bad_q    <= 1'b0;
      fmt_q        <= 1'b0;
      rows_q       <= '0;
      k_q          <= '0;
      batch_q      <= '0;
      held_q       <= 1'b0;
      held_fmt_q   <= 1'b0;
      held_k_q     <= '0;
      held_batch_q <= '0;
    end else begin
      state_q   <= state_d;
      status_q  <= status_d;
      any_bad_q <= any_bad_d;
      // A new load invalidates the buffer until its last beat is in.
      if (cfg_fire && !cfg_keep_act_i) held_q <= 1'b0;
      if (act_fire && ld_all_last) begin
        held_q       <= 1'b1;
        held_fmt_q   <= fmt_q;
        held_k_q     <= k_q;
        held_batch_q <= batch_q;
      end
      if (cfg_fire) begin
        fmt_q   <= cfg_fmt_i;
        rows_q  <= cfg_rows_i;
        k_q     <= cfg_k_i;
        batch_q <= cfg_batch_i;
      end
    end
  end

  assign done_o   = (state_q == StDone);
  assign status_o = status_q;
  assign busy_o   = (state_q != StIdle);
endmodule
