// tern_engine: ternary matmul engine, table-lookup design (docs/engine.md).
//
// Loop order: tiles of TileRows rows, K words, row groups of Lanes rows.
// For each K word, every weight byte position and batch vector gets two
// tables in LUT RAM of the byte's partial dot products (I2: two trit pairs
// by raw codes; B3: trits 3-4 by byte div 27 and trits 0-2 by folded byte
// mod 27, see tern_b3_split); every lane reads them at its row's addresses,
// adds the two per byte and the bytes in a tree, and the row's partial sum
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
  localparam bit          HasI2    = (Fmts & 1) != 0;
  localparam bit          HasB3    = (Fmts & 2) != 0;
  localparam int unsigned TpB      = HasB3 ? 5 : 4;                // trits a byte, max
  localparam int unsigned Trits    = TpB * WordBytes;              // per lane per cycle
  // Two tables per weight byte and batch vector (docs/engine.md): A (I2
  // trits 4j+2, 4j+3 | B3 trits 3, 4 of the byte: 2 trits) and B (I2 trits
  // 4j, 4j+1 | B3 trits 0..2, folded to 14 entries: 3 trits). Entries are
  // biased so the lanes add unsigned numbers: A = value + 256 (0..512),
  // B = value + 512 (128..896; ~B + 1 is then -value + 512, the negation
  // of a folded B3 entry). A byte adds 768 of bias per row and vector; the
  // first word of a tile starts from -(words * WordBias) (bias_q).
  localparam int unsigned TabW     = 10;
  localparam int unsigned ByteW    = 11;                           // A + B <= 1408
  localparam int unsigned SumW     = ByteW + $clog2(WordBytes);
  localparam int unsigned PsumW    = $clog2(MaxK) + 9;             // -128 K <= sum <= 128 K
  localparam int unsigned WordBias = WordBytes * 768;
  localparam int unsigned MaxWords = (MaxK + 4 * WordBytes - 1) / (4 * WordBytes);
  localparam int unsigned Depth    = (MaxWords > 1) ? MaxWords : 2;
  localparam int unsigned AddrW    = $clog2(Depth);
  localparam int unsigned Groups   = TileRows / Lanes;             // row groups a tile
  localparam int unsigned GW       = (Groups > 1) ? $clog2(Groups) : 1;
  localparam int unsigned LaneW    = (Lanes > 1) ? $clog2(Lanes) : 1;
  localparam int unsigned BW       = (Batch > 1) ? $clog2(Batch) : 1;
  // Narrow per-job counters: K and its remainders need KW bits (K <= MaxK),
  // rows within a tile TRW bits; only the row number itself needs 24.
  localparam int unsigned KW       = $clog2(MaxK + ActBeatBytes + 1);
  localparam int unsigned TRW      = $clog2(TileRows + Lanes + 1);

  localparam logic [3:0] StatusOk      = 4'd0;
  localparam logic [3:0] StatusBadCfg  = 4'd1;
  localparam logic [3:0] StatusBadCode = 4'd2;

  // Table build walks: each step writes one entry and moves one trit by +-1,
  // so the next entry is this one +- one activation (one adder a table).
  // I2 (both tables): 16 steps through all (c0, c1) code pairs from (1, 1)
  // = 0 (codes 1 and 3 are both zero). Address {c1, c0}; +-q1 at steps 3, 7,
  // 11, else +-q0.
  localparam logic [63:0] WalkAddr = {
    4'b10_01, 4'b10_00, 4'b10_11, 4'b10_10,   // steps 15..12: c1 = 2, c0 = 2 3 0 1
    4'b11_10, 4'b11_11, 4'b11_00, 4'b11_01,   // steps 11..8:  c1 = 3, c0 = 1 0 3 2
    4'b00_01, 4'b00_00, 4'b00_11, 4'b00_10,   // steps 7..4:   c1 = 0, c0 = 2 3 0 1
    4'b01_10, 4'b01_11, 4'b01_00, 4'b01_01};  // steps 3..0:   c1 = 1, c0 = 1 0 3 2
  localparam logic [15:0] WalkSelQ1 = 16'b0000_1000_1000_1000;  // steps 3, 7, 11
  localparam logic [15:0] WalkNeg   = 16'b0011_0001_0011_1001;  // steps 0 3 4 5 8 12 13
  // B3 table B: folded index lo = 13 12 9 10 11 2 1 0 3 4 5 8 7 6 (then two
  // unused addresses), trits (t2, t1, t0) from (0, 0, 0); select q0/q1/q2.
  localparam logic [63:0] WalkB3BAddr = 64'hfe678543012ba9cd;
  localparam logic [31:0] WalkB3BSel  = 32'h00104204;   // 2 bits a step
  localparam logic [15:0] WalkB3BNeg  = 16'h1873;
  // B3 table A: hi = 4 3 0 1 2 5 8 7 6 (then unused), trits (t4, t3) from
  // (0, 0); select q3/q4.
  localparam logic [63:0] WalkB3AAddr = 64'hfedcba9678521034;
  localparam logic [15:0] WalkB3ASel  = 16'h0032;
  localparam logic [15:0] WalkB3ANeg  = 16'h00c3;

  typedef enum logic [1:0] {StIdle, StLoad, StRun, StDone} state_e;
  state_e state_q, state_d;

  // ---- job registers --------------------------------------------------------
  logic              fmt_q;
  logic [KW-1:0]     k_q;
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
  logic [KW-1:0]     held_k_q;
  logic [BatchW-1:0] held_batch_q;
  logic              keep_ok;
  // cfg_ok (K <= MaxK) covers cfg_k_i's upper bits.
  assign keep_ok = held_q && (held_fmt_q == cfg_fmt_i) && (held_k_q == cfg_k_i[KW-1:0]) &&
                   (held_batch_q == cfg_batch_i);

  // ---- activation load (as design A: bank = beat mod 4|5) -------------------
  logic              act_fire;
  logic [BatchW-1:0] ld_b_q;
  logic [2:0]        ld_pos_q;
  logic [AddrW-1:0]  ld_word_q;
  logic [KW-1:0]     ld_rem_q;    // elements of the vector from this beat on
  logic [AddrW-1:0]  lastw_q;     // last word of a vector (held with the buffer)
  logic              ld_vec_last, ld_all_last;

  assign act_ready_o = (state_q == StLoad);
  assign act_fire    = act_valid_i && act_ready_o;
  assign ld_vec_last = (ld_rem_q <= KW'(ActBeatBytes));
  assign ld_all_last = ld_vec_last && ({1'b0, ld_b_q} + 1'b1 == {1'b0, batch_q});

  // -(words a vector) * WordBias mod 2^PsumW: counted while vector 0 loads
  // (a word starts at bank 0); kept with the activations for cfg_keep_act_i.
  logic [PsumW-1:0] bias_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      bias_q <= '0;
    end else if (cfg_fire && !cfg_keep_act_i) begin
      bias_q <= '0;
    end else if (act_fire && (ld_b_q == '0) && (ld_pos_q == '0)) begin
      bias_q <= bias_q - PsumW'(WordBias);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ld_b_q    <= '0;
      ld_pos_q  <= '0;
      ld_word_q <= '0;
      ld_rem_q  <= '0;
      lastw_q   <= '0;
    end else if (cfg_fire) begin
      ld_b_q    <= '0;
      ld_pos_q  <= '0;
      ld_word_q <= '0;
      ld_rem_q  <= cfg_k_i[KW-1:0];
    end else if (act_fire) begin
      if (ld_vec_last) begin
        if (ld_b_q == '0) lastw_q <= ld_word_q;
        ld_b_q    <= ld_b_q + 1'b1;
        ld_pos_q  <= '0;
        ld_word_q <= '0;
        ld_rem_q  <= k_q;
      end else begin
        ld_rem_q  <= ld_rem_q - KW'(ActBeatBytes);
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
  logic             step_start;  // compute takes the pending tables

  assign bld_start = (state_q == StRun) && !building_q && !tab_pend_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      building_q <= 1'b0;
      tab_pend_q <= 1'b0;
      bbank_q    <= 1'b0;
      bstep_q    <= '0;
      bword_q    <= '0;
    end else if (cfg_fire) begin
      building_q <= 1'b0;
      tab_pend_q <= 1'b0;
      bbank_q    <= 1'b0;
      bstep_q    <= '0;
      bword_q    <= '0;
    end else begin
      if (bld_start) begin
        building_q <= 1'b1;
        tab_pend_q <= 1'b1;
        bstep_q    <= '0;
        bword_q <= (bword_q == lastw_q) ? '0 : bword_q + 1'b1;
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

  // The current step of both walks (the job's format).
  logic       walk_b3;
  logic [3:0] wa_a, wa_b;
  logic [1:0] sel_b;
  logic       sel_a, neg_a, neg_b;
  assign walk_b3 = HasB3 && (!HasI2 || fmt_q);
  always_comb begin
    if (walk_b3) begin
      wa_a  = WalkB3AAddr[{bstep_q, 2'b00} +: 4];
      sel_a = WalkB3ASel[bstep_q];
      neg_a = WalkB3ANeg[bstep_q];
      wa_b  = WalkB3BAddr[{bstep_q, 2'b00} +: 4];
      sel_b = WalkB3BSel[{bstep_q, 1'b0} +: 2];
      neg_b = WalkB3BNeg[bstep_q];
    end else begin
      wa_a  = WalkAddr[{bstep_q, 2'b00} +: 4];
      sel_a = WalkSelQ1[bstep_q];
      neg_a = WalkNeg[bstep_q];
      wa_b  = wa_a;
      sel_b = {1'b0, sel_a};
      neg_b = neg_a;
    end
  end

  // ---- stream position --------------------------------------------------------
  logic             w_fire;
  logic [GW-1:0]    g_q;        // row group within the tile
  logic [TRW-1:0]   rit_q;      // first row of the group within the tile
  logic [23:0]      trem_q;     // rows from the current tile's first on
  logic [AddrW-1:0] word_q;
  logic [TRW-1:0]   tn;         // rows of the current tile
  logic             tpar_q;     // partial-sum half of the current tile
  logic             cbank_q;    // table bank of the next step
  logic             w_done_q;
  logic             g_last, w_last, rows_end;
  logic [1:0]       half_busy_q;

  /* verilator lint_off CMPCONST */ /* verilator lint_off UNSIGNED */
  assign rows_end = (trem_q[23:TRW] == '0) && ((rit_q + TRW'(Lanes)) >= trem_q[TRW-1:0]);
  assign g_last   = (g_q == GW'(Groups - 1)) || rows_end;
  assign tn       = (trem_q > 24'(TileRows)) ? TRW'(TileRows) : trem_q[TRW-1:0];
  /* verilator lint_on CMPCONST */ /* verilator lint_on UNSIGNED */
  assign w_last   = (word_q == lastw_q);

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
      rit_q    <= '0;
      trem_q   <= '0;
      word_q   <= '0;
      tpar_q   <= 1'b0;
      cbank_q  <= 1'b0;
      w_done_q <= 1'b0;
    end else if (cfg_fire) begin
      g_q      <= '0;
      rit_q    <= '0;
      trem_q   <= cfg_rows_i;
      word_q   <= '0;
      tpar_q   <= 1'b0;
      cbank_q  <= 1'b0;
      w_done_q <= 1'b0;
    end else if (w_fire) begin
      if (step_start) cbank_q <= ~cbank_q;
      if (!g_last) begin
        g_q   <= g_q + 1'b1;
        rit_q <= rit_q + TRW'(Lanes);
      end else begin
        g_q   <= '0;
        rit_q <= '0;
        if (!w_last) begin
          word_q <= word_q + 1'b1;
        end else begin
          word_q <= '0;
          trem_q <= trem_q - 24'(TileRows);
          tpar_q <= ~tpar_q;
          if (rows_end) w_done_q <= 1'b1;
        end
      end
    end
  end

  // ---- stage 1: weights registered, old partial sums read --------------------
  logic                    s1_valid_q, s1_first_q, s1_bank_q, s1_half_q, s1_tlast_q, s1_jlast_q;
  logic [GW-1:0]           s1_g_q;
  logic [TRW-1:0]          s1_tn_q;
  logic [WBeatBytes*8-1:0] s1_w_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
    end else begin
      s1_valid_q <= w_fire;
    end
  end
  // The weights load every cycle (used only when s1_valid_q): a load enable
  // would be a LUT per weight bit once Yosys moves the register into the
  // tables' read ports.
  always_ff @(posedge clk_i) begin
    s1_w_q <= w_data_i;
  end
  always_ff @(posedge clk_i) begin
    if (w_fire) begin
      s1_first_q <= (word_q == '0);
      s1_bank_q  <= step_start ? cbank_q : ~cbank_q;
      s1_half_q  <= tpar_q;
      s1_g_q     <= g_q;
      s1_tlast_q <= g_last && w_last;
      s1_jlast_q <= g_last && w_last && rows_end;
      s1_tn_q    <= tn;
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
  logic [Lanes*WordBytes*4-1:0] addr_a, addr_b;
  logic [Lanes*WordBytes-1:0]   lane_neg;
  logic [Lanes-1:0]             lane_bad;

  for (genvar l = 0; l < Lanes; l++) begin : gen_dec
    tern_tab_dec #(
      .WordBytes(WordBytes),
      .Fmts     (Fmts)
    ) u_dec (
      .fmt_i (fmt_q),
      .word_i(s1_w_q[l*WordBytes*8 +: WordBytes*8]),
      .a_o   (addr_a[l*WordBytes*4 +: WordBytes*4]),
      .b_o   (addr_b[l*WordBytes*4 +: WordBytes*4]),
      .neg_o (lane_neg[l*WordBytes +: WordBytes]),
      .bad_o (lane_bad[l])
    );
  end

  for (genvar b = 0; b < Batch; b++) begin : gen_b
    logic [Lanes*WordBytes*ByteW-1:0] bsum;   // per lane and byte: A + B
    for (genvar j = 0; j < WordBytes; j++) begin : gen_byte
      // Activations of the byte's trits for the job's format.
      logic [7:0] qa0, qa1, qb0, qb1, qb2;
      if (HasB3) begin : gen_q_b3
        if (HasI2) begin : gen_q_both
          assign qb0 = fmt_q ? act_rd[(b*Trits + 5*j)*8 +: 8] : act_rd[(b*Trits + 4*j)*8 +: 8];
          assign qb1 = fmt_q ? act_rd[(b*Trits + 5*j + 1)*8 +: 8]
                             : act_rd[(b*Trits + 4*j + 1)*8 +: 8];
          assign qa0 = fmt_q ? act_rd[(b*Trits + 5*j + 3)*8 +: 8]
                             : act_rd[(b*Trits + 4*j + 2)*8 +: 8];
          assign qa1 = fmt_q ? act_rd[(b*Trits + 5*j + 4)*8 +: 8]
                             : act_rd[(b*Trits + 4*j + 3)*8 +: 8];
        end else begin : gen_q_only
          assign qb0 = act_rd[(b*Trits + 5*j)*8 +: 8];
          assign qb1 = act_rd[(b*Trits + 5*j + 1)*8 +: 8];
          assign qa0 = act_rd[(b*Trits + 5*j + 3)*8 +: 8];
          assign qa1 = act_rd[(b*Trits + 5*j + 4)*8 +: 8];
        end
        assign qb2 = act_rd[(b*Trits + 5*j + 2)*8 +: 8];
      end else begin : gen_q_i2
        assign qb0 = act_rd[(b*Trits + 4*j)*8 +: 8];
        assign qb1 = act_rd[(b*Trits + 4*j + 1)*8 +: 8];
        assign qa0 = act_rd[(b*Trits + 4*j + 2)*8 +: 8];
        assign qa1 = act_rd[(b*Trits + 4*j + 3)*8 +: 8];
        assign qb2 = '0;
      end

      // Builders: one step of each walk: +-q (ones' complement + carry in;
      // the +1 rides in the carry of an extra low bit: a two-operand add,
      // three operands would become a 3:2 full-adder layer in Yosys).
      logic [TabW-1:0] acc_a_q, acc_b_q, step_a, step_b;
      logic [TabW:0]   nx_a, nx_b;
      logic [7:0]      qb;
      assign qb     = (sel_b == 2'd2) ? qb2 : (sel_b[0] ? qb1 : qb0);
      assign step_a = (sel_a ? TabW'($signed(qa1)) : TabW'($signed(qa0))) ^ {TabW{neg_a}};
      assign step_b = TabW'($signed(qb)) ^ {TabW{neg_b}};
      assign nx_a   = {acc_a_q, 1'b1} + {step_a, neg_a};
      assign nx_b   = {acc_b_q, 1'b1} + {step_b, neg_b};
      always_ff @(posedge clk_i) begin
        if (bld_start) begin
          acc_a_q <= TabW'(256);  // zero trits, biased
          acc_b_q <= TabW'(512);
        end else if (building_q) begin
          acc_a_q <= nx_a[TabW:1];
          acc_b_q <= nx_b[TabW:1];
        end
      end
      logic unused_nx;
      assign unused_nx = nx_a[0] ^ nx_b[0];

      logic [Lanes*5-1:0]    ra_a, ra_b;
      logic [Lanes*TabW-1:0] rd_a, rd_b;
      for (genvar l = 0; l < Lanes; l++) begin : gen_ra
        assign ra_a[l*5 +: 5] = {s1_bank_q, addr_a[(l*WordBytes + j)*4 +: 4]};
        assign ra_b[l*5 +: 5] = {s1_bank_q, addr_b[(l*WordBytes + j)*4 +: 4]};
      end
      tern_tab #(
        .Reads(Lanes),
        .Width(TabW)
      ) u_tab_a (
        .clk_i  (clk_i),
        .we_i   (building_q),
        .waddr_i({bbank_q, wa_a}),
        .wdata_i(acc_a_q),
        .raddr_i(ra_a),
        .rdata_o(rd_a)
      );
      tern_tab #(
        .Reads(Lanes),
        .Width(TabW)
      ) u_tab_b (
        .clk_i  (clk_i),
        .we_i   (building_q),
        .waddr_i({bbank_q, wa_b}),
        .wdata_i(acc_b_q),
        .raddr_i(ra_b),
        .rdata_o(rd_b)
      );

      // Byte sums: A + B, or A + (-B) for a folded B3 index (~B + 1).
      for (genvar l = 0; l < Lanes; l++) begin : gen_bs
        logic [TabW-1:0] ya, yb;
        assign ya = rd_a[l*TabW +: TabW];
        assign yb = rd_b[l*TabW +: TabW];
        if (HasB3) begin : gen_neg
          logic       n;
          (* keep *) logic [ByteW:0] s;
          assign n = lane_neg[l*WordBytes + j];
          assign s = {1'b0, ya, 1'b1} + {1'b0, yb ^ {TabW{n}}, n};
          assign bsum[(l*WordBytes + j)*ByteW +: ByteW] = s[ByteW:1];
          logic unused_s;
          assign unused_s = s[0];
        end else begin : gen_pos
          (* keep *) logic [ByteW-1:0] s;
          logic unused_n;
          assign unused_n = lane_neg[l*WordBytes + j];
          assign s = ByteW'(ya) + ByteW'(yb);
          assign bsum[(l*WordBytes + j)*ByteW +: ByteW] = s;
        end
      end
    end

    for (genvar l = 0; l < Lanes; l++) begin : gen_lane
      (* keep *) logic [SumW-1:0] sum;  // not merged with the accumulate add
      tern_add_tree #(
        .N  (WordBytes),
        .InW(ByteW)
      ) u_tree (
        .x_i(bsum[l*WordBytes*ByteW +: WordBytes*ByteW]),
        .s_o(sum)
      );
      // The tree sum is the adder's plain operand; the old sum (or, for a
      // tile's first word, the bias correction) is the one with logic in
      // front (it folds into the carry-chain LUTs). Modulo 2^PsumW, exact.
      assign ps_new[(l*Batch + b)*PsumW +: PsumW] =
          PsumW'(sum) + (s1_first_q ? bias_q : ps_old[(l*Batch + b)*PsumW +: PsumW]);
    end
  end
  for (genvar l = 0; l < Lanes; l++) begin : gen_err
    assign ps_new[SumBits + l] = lane_bad[l] | (!s1_first_q && ps_old[SumBits + l]);
  end

  // ---- tile bookkeeping: halves awaiting the drain ----------------------------
  logic [TRW-1:0]   hb_n_q [2];      // rows of the tile in each half
  logic [1:0]       hb_jlast_q;
  logic             dr_half_q, dr_done;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      half_busy_q  <= '0;
      hb_n_q[0]    <= '0;
      hb_n_q[1]    <= '0;
      hb_jlast_q   <= '0;
    end else if (cfg_fire) begin
      half_busy_q <= '0;
    end else begin
      if (dr_done) half_busy_q[dr_half_q] <= 1'b0;
      if (s1_valid_q && s1_tlast_q) begin
        half_busy_q[s1_half_q] <= 1'b1;
        hb_n_q[s1_half_q]      <= s1_tn_q;
        hb_jlast_q[s1_half_q]  <= s1_jlast_q;
      end
    end
  end

  // ---- drain: one result a beat ----------------------------------------------
  logic              dr_on_q;       // ps_drain holds the current group
  logic [GW-1:0]     dr_g_q;
  logic [LaneW-1:0]  dr_l_q;
  logic [BW-1:0]     dr_b_q;
  logic [23:0]       dr_row_q;      // rows drain in order: no base needed
  logic [TRW-1:0]    dr_left_q;     // rows of the tile from this one on
  logic              res_fire, b_last, l_last, g_more;

  assign res_fire = res_valid_o && res_ready_i;
  assign b_last   = ({1'b0, dr_b_q} + 1'b1) == (BW + 1)'(batch_q);
  // More rows in the tile means more groups.
  assign g_more   = (dr_left_q != TRW'(1));
  /* verilator lint_off CMPCONST */
  assign l_last   = (dr_l_q == LaneW'(Lanes - 1)) || !g_more;
  /* verilator lint_on CMPCONST */
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
      dr_left_q <= '0;
    end else if (cfg_fire) begin
      dr_on_q   <= 1'b0;
      dr_half_q <= 1'b0;
      dr_row_q  <= '0;
    end else if (!dr_on_q) begin
      if (half_busy_q[dr_half_q]) begin
        dr_on_q   <= 1'b1;
        dr_g_q    <= '0;
        dr_l_q    <= '0;
        dr_b_q    <= '0;
        dr_left_q <= hb_n_q[dr_half_q];
      end
    end else if (res_fire) begin
      if (!b_last) begin
        dr_b_q <= dr_b_q + 1'b1;
      end else begin
        dr_b_q    <= '0;
        dr_row_q  <= dr_row_q + 1'b1;
        dr_left_q <= dr_left_q - 1'b1;
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
  assign res_row_o   = dr_row_q;
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
        k_q     <= cfg_k_i[KW-1:0];
        batch_q <= cfg_batch_i;
      end
    end
  end

  assign done_o   = (state_q == StDone);
  assign status_o = status_q;
  assign busy_o   = (state_q != StIdle);
endmodule
