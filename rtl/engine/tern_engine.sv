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
  // Pipeline registers, throughput unchanged. Bits 0-2 sit between a weight
  // beat and its partial-sum write (a cycle of result latency each): after
  // the weight decode, after the per-byte table sums, after the lane adder
  // trees. Bit 3 registers both partial-sum RAM outputs: the result drain
  // (its reads run a group ahead) and the old sum of the accumulate (read a
  // cycle earlier; only when one of bits 0-2 or 5 is set). Bit 4 registers the
  // table builder's activation operands (prefetched while the previous
  // build runs; a cycle more a job). Bit 5 splits the weight decode in two
  // (a cycle of result latency, like bits 0-2). Slow block-RAM outputs
  // (ECP5: 5.6 ns clock to out) need bits 3 and 4; the ECP5 build at
  // 100 MHz sets all six (fpga/ecp5-85f/engine.cfg).
  parameter int unsigned Pipe         = 0,
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
  // Pipeline: stage 0 is the registered weight beat (decode), then the
  // table read (StTab), the adder trees (StTree), the accumulate (StAcc).
  // The old partial sum is read PsRd stages before StAcc. Every access to a
  // (tile half, row group) entry is >= 18 cycles after the previous one (a
  // K word waits for its table build), and the builder's first write to a
  // table bank lands 4 cycles after the last beat that reads it was taken,
  // a cycle after that beat's read even at StTab = 2: no stage needs
  // forwarding.
  localparam int unsigned PDec     = Pipe & 1;
  localparam int unsigned PByte    = (Pipe >> 1) & 1;
  localparam int unsigned PTree    = (Pipe >> 2) & 1;
  localparam int unsigned PPs      = (Pipe >> 3) & 1;
  localparam int unsigned PDec2    = (Pipe >> 5) & 1;
  localparam int unsigned PPsAcc   = (PPs != 0 && (Pipe & 39) != 0) ? 1 : 0;
  localparam int unsigned StTab    = PDec2 + PDec;
  localparam int unsigned StTree   = StTab + PByte;
  localparam int unsigned StAcc    = StTree + PTree;
  localparam int unsigned PsRd     = 1 + PPsAcc;
  localparam int unsigned PAct     = (Pipe >> 4) & 1;

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
  logic             act_re, act_ok;

  assign bld_start = (state_q == StRun) && !building_q && !tab_pend_q && act_ok;

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
  // reads a whole word (all banks) when it starts and holds it. With PAct
  // the read runs ahead (bword_q already names the next build's word once a
  // build starts) and a register takes it when the build starts.
  logic [Batch*Trits*8-1:0] act_rd, act_op;
  if (PAct != 0) begin : gen_act_pf
    logic                     pf_q;  // act_rd holds word bword_q
    logic [Batch*Trits*8-1:0] act_op_q;
    assign act_re = (state_q == StRun) && !pf_q;
    assign act_ok = pf_q;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        pf_q <= 1'b0;
      end else if (cfg_fire || bld_start) begin
        pf_q <= 1'b0;
      end else if (act_re) begin
        pf_q <= 1'b1;
      end
    end
    // Loads whenever no build runs (so at bld_start): the enable is a flop,
    // not bld_start's logic, on a net this wide.
    always_ff @(posedge clk_i) begin
      if (!building_q) act_op_q <= act_rd;
    end
    assign act_op = act_op_q;
  end else begin : gen_act_rd
    assign act_re = bld_start;
    assign act_ok = 1'b1;
    assign act_op = act_rd;
  end
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
        .re_i   (act_re),
        .raddr_i(bword_q),
        .rdata_o(act_rd[(b*Trits + k*WordBytes)*8 +: WordBytes*8])
      );
    end
  end

  // The current step of both walks (the job's format), registered: looked
  // up for the next step a cycle ahead, so the wide net to every builder
  // starts at a flop (the format and step decode were the critical path).
  logic       walk_b3;
  logic [3:0] wa_a, wa_b, wa_a_d, wa_b_d, wstep;
  logic [1:0] sel_b, sel_b_d;
  logic       sel_a, neg_a, neg_b, sel_a_d, neg_a_d, neg_b_d;
  assign walk_b3 = HasB3 && (!HasI2 || fmt_q);
  assign wstep   = bld_start ? 4'd0 : (building_q ? bstep_q + 1'b1 : bstep_q);
  always_comb begin
    if (walk_b3) begin
      wa_a_d  = WalkB3AAddr[{wstep, 2'b00} +: 4];
      sel_a_d = WalkB3ASel[wstep];
      neg_a_d = WalkB3ANeg[wstep];
      wa_b_d  = WalkB3BAddr[{wstep, 2'b00} +: 4];
      sel_b_d = WalkB3BSel[{wstep, 1'b0} +: 2];
      neg_b_d = WalkB3BNeg[wstep];
    end else begin
      wa_a_d  = WalkAddr[{wstep, 2'b00} +: 4];
      sel_a_d = WalkSelQ1[wstep];
      neg_a_d = WalkNeg[wstep];
      wa_b_d  = wa_a_d;
      sel_b_d = {1'b0, sel_a_d};
      neg_b_d = neg_a_d;
    end
  end
  always_ff @(posedge clk_i) begin
    wa_a  <= wa_a_d;
    sel_a <= sel_a_d;
    neg_a <= neg_a_d;
    wa_b  <= wa_b_d;
    sel_b <= sel_b_d;
    neg_b <= neg_b_d;
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

  // ---- stage 0: weights registered; the control fields follow each beat --
  // Control of a beat, CtlW bits {first word of the tile, table bank, tile
  // half, last beat of the tile, of the job, row group, rows of the tile};
  // stage i at ctl_q[i*CtlW +: CtlW] (one flat vector: Yosys does not take
  // unpacked arrays of structs); pv_q[i]: stage i holds a beat.
  localparam int unsigned CtlW = 5 + GW + TRW;
  localparam int unsigned CFirst = CtlW - 1, CBank = CtlW - 2, CHalf = CtlW - 3;
  localparam int unsigned CTlast = CtlW - 4, CJlast = CtlW - 5;
  logic [(StAcc+1)*CtlW-1:0] ctl_q;
  logic [CtlW-1:0]           ctl_d, ctl_tab, acc_c;
  logic [StAcc:0]            pv_q;
  logic [WBeatBytes*8-1:0]   s1_w_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      pv_q <= '0;
    end else begin
      pv_q <= (StAcc + 1)'({pv_q, w_fire});
    end
  end
  // The weights load every cycle (used only when valid): a load enable
  // would be a LUT per weight bit once Yosys moves the register into the
  // tables' read ports.
  always_ff @(posedge clk_i) begin
    s1_w_q <= w_data_i;
  end
  assign ctl_d = {word_q == '0, step_start ? cbank_q : ~cbank_q, tpar_q, g_last && w_last,
                  g_last && w_last && rows_end, g_q, tn};
  always_ff @(posedge clk_i) begin
    if (w_fire) ctl_q[CtlW-1:0] <= ctl_d;
    for (int i = 1; i <= StAcc; i++) ctl_q[i*CtlW +: CtlW] <= ctl_q[(i-1)*CtlW +: CtlW];
  end
  // the beat at the table read, the beat being accumulated
  assign ctl_tab = ctl_q[StTab*CtlW +: CtlW];
  assign acc_c   = ctl_q[StAcc*CtlW +: CtlW];
  logic           acc_valid, acc_first, acc_half, acc_tlast, acc_jlast;
  logic [GW-1:0]  acc_g;
  logic [TRW-1:0] acc_tn;
  assign acc_valid = pv_q[StAcc];
  assign acc_first = acc_c[CFirst];
  assign acc_half  = acc_c[CHalf];
  assign acc_tlast = acc_c[CTlast];
  assign acc_jlast = acc_c[CJlast];
  assign acc_g     = acc_c[TRW +: GW];
  assign acc_tn    = acc_c[0 +: TRW];

  // Partial sums and row error flags of two tiles (halves), one entry a group.
  // Entry layout: sum of lane l, vector b at [(l*Batch+b)*PsumW +: PsumW],
  // then one error flag a lane.
  localparam int unsigned SumBits = Lanes * Batch * PsumW;
  localparam int unsigned PsBits  = SumBits + Lanes;

  logic [PsBits-1:0] ps_old, ps_rd, ps_new, ps_drain;
  logic             dr_re;
  logic [GW:0]      dr_addr;
  logic             ps_re;
  logic [GW:0]      ps_raddr;
  // The read is issued PsRd cycles before the beat's accumulate: at w_fire
  // from the live position, else from the control pipeline.
  if (StAcc >= PsRd) begin : gen_ps_rd_pipe
    assign ps_re    = pv_q[StAcc-PsRd];
    assign ps_raddr = {ctl_q[(StAcc-PsRd)*CtlW + CHalf], ctl_q[(StAcc-PsRd)*CtlW + TRW +: GW]};
  end else begin : gen_ps_rd_fire
    assign ps_re    = w_fire;
    assign ps_raddr = {tpar_q, g_q};
  end
  if (PPsAcc != 0) begin : gen_ps_q
    logic [PsBits-1:0] ps_rd_q;
    always_ff @(posedge clk_i) begin
      ps_rd_q <= ps_rd;
    end
    assign ps_old = ps_rd_q;
  end else begin : gen_ps_d
    assign ps_old = ps_rd;
  end
  tern_psum_mem #(
    .Width(PsBits),
    .Depth(2 << GW)
  ) u_psum (
    .clk_i    (clk_i),
    .we_i     (acc_valid),
    .waddr_i  ({acc_half, acc_g}),
    .wdata_i  (ps_new),
    .re_a_i   (ps_re),
    .raddr_a_i(ps_raddr),
    .rdata_a_o(ps_rd),
    .re_b_i   (dr_re),
    .raddr_b_i(dr_addr),
    .rdata_b_o(ps_drain)
  );

  // ---- tables, lanes, trees --------------------------------------------------
  logic [Lanes*WordBytes*4-1:0] dec_a, dec_b, addr_a, addr_b;
  logic [Lanes*WordBytes-1:0]   dec_neg, lane_neg;
  logic [Lanes-1:0]             dec_bad, tab_bad, lane_bad;  // lane_bad: at StAcc

  for (genvar l = 0; l < Lanes; l++) begin : gen_dec
    tern_tab_dec #(
      .WordBytes(WordBytes),
      .Fmts     (Fmts),
      .Split    (PDec2 != 0)
    ) u_dec (
      .clk_i (clk_i),
      .fmt_i (fmt_q),
      .word_i(s1_w_q[l*WordBytes*8 +: WordBytes*8]),
      .a_o   (dec_a[l*WordBytes*4 +: WordBytes*4]),
      .b_o   (dec_b[l*WordBytes*4 +: WordBytes*4]),
      .neg_o (dec_neg[l*WordBytes +: WordBytes]),
      .bad_o (dec_bad[l])
    );
  end
  if (PDec != 0) begin : gen_dec_q
    always_ff @(posedge clk_i) begin
      addr_a   <= dec_a;
      addr_b   <= dec_b;
      lane_neg <= dec_neg;
      tab_bad  <= dec_bad;
    end
  end else begin : gen_dec_d
    assign addr_a   = dec_a;
    assign addr_b   = dec_b;
    assign lane_neg = dec_neg;
    assign tab_bad  = dec_bad;
  end
  // The bad-code flags ride along to the accumulate.
  if (StAcc > StTab) begin : gen_bad_q
    logic [Lanes-1:0] bad_q [StAcc - StTab];
    always_ff @(posedge clk_i) begin
      bad_q[0] <= tab_bad;
      for (int i = 1; i < StAcc - StTab; i++) bad_q[i] <= bad_q[i-1];
    end
    assign lane_bad = bad_q[StAcc-StTab-1];
  end else begin : gen_bad_d
    assign lane_bad = tab_bad;
  end

  for (genvar b = 0; b < Batch; b++) begin : gen_b
    logic [Lanes*WordBytes*ByteW-1:0] bsum, tsum;  // per lane and byte: A + B
    if (PByte != 0) begin : gen_bsum_q
      always_ff @(posedge clk_i) begin
        tsum <= bsum;
      end
    end else begin : gen_bsum_d
      assign tsum = bsum;
    end
    for (genvar j = 0; j < WordBytes; j++) begin : gen_byte
      // Activations of the byte's trits for the job's format.
      logic [7:0] qa0, qa1, qb0, qb1, qb2;
      if (HasB3) begin : gen_q_b3
        if (HasI2) begin : gen_q_both
          assign qb0 = fmt_q ? act_op[(b*Trits + 5*j)*8 +: 8] : act_op[(b*Trits + 4*j)*8 +: 8];
          assign qb1 = fmt_q ? act_op[(b*Trits + 5*j + 1)*8 +: 8]
                             : act_op[(b*Trits + 4*j + 1)*8 +: 8];
          assign qa0 = fmt_q ? act_op[(b*Trits + 5*j + 3)*8 +: 8]
                             : act_op[(b*Trits + 4*j + 2)*8 +: 8];
          assign qa1 = fmt_q ? act_op[(b*Trits + 5*j + 4)*8 +: 8]
                             : act_op[(b*Trits + 4*j + 3)*8 +: 8];
        end else begin : gen_q_only
          assign qb0 = act_op[(b*Trits + 5*j)*8 +: 8];
          assign qb1 = act_op[(b*Trits + 5*j + 1)*8 +: 8];
          assign qa0 = act_op[(b*Trits + 5*j + 3)*8 +: 8];
          assign qa1 = act_op[(b*Trits + 5*j + 4)*8 +: 8];
        end
        assign qb2 = act_op[(b*Trits + 5*j + 2)*8 +: 8];
      end else begin : gen_q_i2
        assign qb0 = act_op[(b*Trits + 4*j)*8 +: 8];
        assign qb1 = act_op[(b*Trits + 4*j + 1)*8 +: 8];
        assign qa0 = act_op[(b*Trits + 4*j + 2)*8 +: 8];
        assign qa1 = act_op[(b*Trits + 4*j + 3)*8 +: 8];
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
      // Idle walks sit at the start value (zero trits, biased), so a build
      // starts from it: no bld_start logic on these enables.
      always_ff @(posedge clk_i) begin
        if (!building_q) begin
          acc_a_q <= TabW'(256);
          acc_b_q <= TabW'(512);
        end else begin
          acc_a_q <= nx_a[TabW:1];
          acc_b_q <= nx_b[TabW:1];
        end
      end
      logic unused_nx;
      assign unused_nx = nx_a[0] ^ nx_b[0];

      // The table writes lag the walk by a cycle, from this byte's own
      // registers: write address, enable and data reach every copy of the
      // table (a copy per read port), a net too wide to follow the walk's
      // address logic in the same cycle. A build is still done before its
      // first read (>= 1 cycle after building_q falls).
      logic            twe_q;
      logic [4:0]      twa_a_q, twa_b_q;
      logic [TabW-1:0] twd_a_q, twd_b_q;
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) begin
          twe_q <= 1'b0;
        end else begin
          twe_q <= building_q;
        end
      end
      always_ff @(posedge clk_i) begin
        twa_a_q <= {bbank_q, wa_a};
        twa_b_q <= {bbank_q, wa_b};
        twd_a_q <= acc_a_q;
        twd_b_q <= acc_b_q;
      end

      logic [Lanes*5-1:0]    ra_a, ra_b;
      logic [Lanes*TabW-1:0] rd_a, rd_b;
      for (genvar l = 0; l < Lanes; l++) begin : gen_ra
        assign ra_a[l*5 +: 5] = {ctl_tab[CBank], addr_a[(l*WordBytes + j)*4 +: 4]};
        assign ra_b[l*5 +: 5] = {ctl_tab[CBank], addr_b[(l*WordBytes + j)*4 +: 4]};
      end
      tern_tab #(
        .Reads(Lanes),
        .Width(TabW)
      ) u_tab_a (
        .clk_i  (clk_i),
        .we_i   (twe_q),
        .waddr_i(twa_a_q),
        .wdata_i(twd_a_q),
        .raddr_i(ra_a),
        .rdata_o(rd_a)
      );
      tern_tab #(
        .Reads(Lanes),
        .Width(TabW)
      ) u_tab_b (
        .clk_i  (clk_i),
        .we_i   (twe_q),
        .waddr_i(twa_b_q),
        .wdata_i(twd_b_q),
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
      (* keep *) logic [SumW-1:0] tree;  // not merged with the accumulate add
      logic [SumW-1:0] sum;
      tern_add_tree #(
        .N  (WordBytes),
        .InW(ByteW)
      ) u_tree (
        .x_i(tsum[l*WordBytes*ByteW +: WordBytes*ByteW]),
        .s_o(tree)
      );
      if (PTree != 0) begin : gen_sum_q
        always_ff @(posedge clk_i) begin
          sum <= tree;
        end
      end else begin : gen_sum_d
        assign sum = tree;
      end
      // The tree sum is the adder's plain operand; the old sum (or, for a
      // tile's first word, the bias correction) is the one with logic in
      // front (it folds into the carry-chain LUTs). Modulo 2^PsumW, exact.
      assign ps_new[(l*Batch + b)*PsumW +: PsumW] =
          PsumW'(sum) + (acc_first ? bias_q : ps_old[(l*Batch + b)*PsumW +: PsumW]);
    end
  end
  for (genvar l = 0; l < Lanes; l++) begin : gen_err
    assign ps_new[SumBits + l] = lane_bad[l] | (!acc_first && ps_old[SumBits + l]);
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
      if (acc_valid && acc_tlast) begin
        half_busy_q[acc_half] <= 1'b1;
        hb_n_q[acc_half]      <= acc_tn;
        hb_jlast_q[acc_half]  <= acc_jlast;
      end
    end
  end

  // ---- drain: one result a beat ----------------------------------------------
  // The output side walks rows and vectors of the tile in half dr_half_q
  // over dr_data, the current group's entry; without PPs that is the RAM's
  // read register, with PPs a two-entry ring behind it, filled by a fetch
  // side that runs up to three groups ahead.
  logic              dr_on_q;       // the output side is in a tile
  logic [GW-1:0]     dr_g_q;
  logic [LaneW-1:0]  dr_l_q;
  logic [BW-1:0]     dr_b_q;
  logic [23:0]       dr_row_q;      // rows drain in order: no base needed
  logic [TRW-1:0]    dr_left_q;     // rows of the tile from this one on
  logic              res_fire, b_last, l_last, g_more, g_done;
  // b_last, l_last, g_more of the current beat, registered: they gate the
  // drain's wide registers (a long compare chain into a high-fanout enable)
  logic              b_last_q, l_last_q, g_more_q;
  logic [PsumW-1:0]  dr_sum;        // the beat's partial sum and row error flag
  logic              dr_err;
  logic              dr_have;       // the output side's group is there

  assign res_fire = res_valid_o && res_ready_i;
  assign b_last   = b_last_q;   // dr_b_q + 1 == batch_q
  assign g_more   = g_more_q;   // dr_left_q != 1: more rows, so more groups
  assign l_last   = l_last_q;   // dr_l_q == Lanes - 1 || !g_more
  assign g_done   = res_fire && b_last && l_last;
  assign dr_done  = g_done && !g_more;

  if (PPs != 0) begin : gen_dr_fetch
    // Fetch side: tile half f_half_q from group f_g_q on (f_left_q rows
    // left); fetched_q marks a half fetched but not yet drained. A fetched
    // group (bv_q: in the RAM's read register) moves into a two-entry ring
    // (dq_q) that the output side reads at rp_q. The ring's write enables
    // and the RAM read depend on flops only (full_q), not on the result
    // handshake: they gate ~PsBits registers and the RAM clock enables.
    logic              f_on_q, f_half_q, f_go;
    logic [GW-1:0]     f_g_q;
    logic [TRW-1:0]    f_left_q;
    logic [1:0]        fetched_q;
    logic              bv_q, capture;
    logic              wp_q, rp_q;            // ring write / read entry
    logic [1:0]        cnt_q;                 // groups in the ring
    logic              full_q;                // cnt_q == 2
    logic [PsBits-1:0] dq_q [2];
    logic [GW-1:0]     unused_dr_g;

    assign capture = bv_q && !full_q;
    assign f_go    = f_on_q && (!bv_q || !full_q);
    assign dr_re   = f_go;
    assign dr_addr = {f_half_q, f_g_q};
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        f_on_q    <= 1'b0;
        f_half_q  <= 1'b0;
        f_g_q     <= '0;
        f_left_q  <= '0;
        fetched_q <= '0;
        bv_q      <= 1'b0;
        wp_q      <= 1'b0;
        rp_q      <= 1'b0;
        cnt_q     <= '0;
        full_q    <= 1'b0;
      end else if (cfg_fire) begin
        f_on_q    <= 1'b0;
        f_half_q  <= 1'b0;
        fetched_q <= '0;
        bv_q      <= 1'b0;
        wp_q      <= 1'b0;
        rp_q      <= 1'b0;
        cnt_q     <= '0;
        full_q    <= 1'b0;
      end else begin
        if (!f_on_q) begin
          if (half_busy_q[f_half_q] && !fetched_q[f_half_q]) begin
            f_on_q   <= 1'b1;
            f_g_q    <= '0;
            f_left_q <= hb_n_q[f_half_q];
          end
        end else if (f_go) begin
          /* verilator lint_off CMPCONST */ /* verilator lint_off UNSIGNED */
          if (f_left_q > TRW'(Lanes)) begin
          /* verilator lint_on CMPCONST */ /* verilator lint_on UNSIGNED */
            f_g_q    <= f_g_q + 1'b1;
            f_left_q <= f_left_q - TRW'(Lanes);
          end else begin
            f_on_q              <= 1'b0;
            fetched_q[f_half_q] <= 1'b1;
            f_half_q            <= ~f_half_q;
          end
        end
        if (dr_done) fetched_q[dr_half_q] <= 1'b0;
        if (f_go) bv_q <= 1'b1;
        else if (capture) bv_q <= 1'b0;
        if (capture) wp_q <= ~wp_q;
        if (g_done) rp_q <= ~rp_q;
        unique case ({capture, g_done})
          2'b10: begin
            cnt_q  <= cnt_q + 1'b1;
            full_q <= (cnt_q == 2'd1);
          end
          2'b01: begin
            cnt_q  <= cnt_q - 1'b1;
            full_q <= 1'b0;
          end
          default: ;
        endcase
      end
    end
    always_ff @(posedge clk_i) begin
      if (capture && !wp_q) dq_q[0] <= ps_drain;
      if (capture && wp_q) dq_q[1] <= ps_drain;
    end
    assign dr_have     = (cnt_q != '0);

    // The result select: one-hot over {ring entry, lane, vector} (always
    // the position rp_q, dr_l_q, dr_b_q): a flop a result, each gating
    // only its own bits, where encoded selects fan out to the whole ring.
    localparam int unsigned LB = Lanes * Batch;
    (* fsm_encoding = "none" *) logic [2*LB-1:0] sel_q;
    logic [2*LB-1:0] sel_lane;  // the next lane's first vector
    always_comb begin
      sel_lane = '0;
      for (int e = 0; e < 2; e++) begin
        for (int l = 0; l + 1 < Lanes; l++) begin
          sel_lane[e*LB + (l+1)*Batch] = |sel_q[e*LB + l*Batch +: Batch];
        end
      end
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        sel_q <= (2 * LB)'(1);
      end else if (cfg_fire) begin
        sel_q <= (2 * LB)'(1);
      end else if (res_fire) begin
        if (!b_last) sel_q <= sel_q << 1;
        else if (!l_last) sel_q <= sel_lane;
        else sel_q <= rp_q ? (2 * LB)'(1) : (2 * LB)'(1) << LB;
      end
    end
    always_comb begin
      dr_sum = '0;
      dr_err = 1'b0;
      for (int e = 0; e < 2; e++) begin
        for (int l = 0; l < Lanes; l++) begin
          for (int b = 0; b < Batch; b++) begin
            dr_sum = dr_sum | ({PsumW{sel_q[e*LB + l*Batch + b]}} &
                               dq_q[e][(l*Batch + b)*PsumW +: PsumW]);
            dr_err = dr_err | (sel_q[e*LB + l*Batch + b] && dq_q[e][SumBits + l]);
          end
        end
      end
    end
    assign unused_dr_g = dr_g_q;
  end else begin : gen_dr_direct
    assign dr_re   = (!dr_on_q && half_busy_q[dr_half_q]) || (g_done && g_more);
    assign dr_addr = dr_on_q ? {dr_half_q, dr_g_q + 1'b1} : {dr_half_q, GW'(0)};
    assign dr_have = 1'b1;
    // Result select: a compare per (lane, vector), no index arithmetic.
    always_comb begin
      dr_sum = '0;
      dr_err = 1'b0;
      for (int l = 0; l < Lanes; l++) begin
        if (dr_l_q == LaneW'(l)) dr_err = ps_drain[SumBits + l];
        for (int b = 0; b < Batch; b++) begin
          if (dr_l_q == LaneW'(l) && dr_b_q == BW'(b)) begin
            dr_sum = ps_drain[(l*Batch + b)*PsumW +: PsumW];
          end
        end
      end
    end
  end

  /* verilator lint_off CMPCONST */ /* verilator lint_off UNSIGNED */
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dr_on_q   <= 1'b0;
      dr_half_q <= 1'b0;
      dr_g_q    <= '0;
      dr_l_q    <= '0;
      dr_b_q    <= '0;
      dr_row_q  <= '0;
      dr_left_q <= '0;
      b_last_q  <= 1'b0;
      l_last_q  <= 1'b0;
      g_more_q  <= 1'b0;
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
        b_last_q  <= (batch_q == BatchW'(1));
        g_more_q  <= (hb_n_q[dr_half_q] != TRW'(1));
        l_last_q  <= (Lanes == 1) || (hb_n_q[dr_half_q] == TRW'(1));
      end
    end else if (res_fire) begin
      if (!b_last) begin
        dr_b_q   <= dr_b_q + 1'b1;
        b_last_q <= ({1'b0, dr_b_q} + 2'd2) == (BW + 1)'(batch_q);
      end else begin
        dr_b_q    <= '0;
        b_last_q  <= (batch_q == BatchW'(1));
        dr_row_q  <= dr_row_q + 1'b1;
        dr_left_q <= dr_left_q - 1'b1;
        g_more_q  <= (dr_left_q != TRW'(2));
        if (!l_last) begin
          dr_l_q   <= dr_l_q + 1'b1;
          l_last_q <= (dr_l_q == LaneW'(Lanes - 2)) || (dr_left_q == TRW'(2));
        end else begin
          dr_l_q   <= '0;
          l_last_q <= (Lanes == 1) || (dr_left_q == TRW'(2));
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
  /* verilator lint_on CMPCONST */ /* verilator lint_on UNSIGNED */

  assign res_valid_o = dr_on_q && dr_have;
  assign res_data_o  = AccWidth'($signed(dr_sum));
  assign res_err_o   = dr_err;
  assign res_row_o   = dr_row_q;
  assign res_batch_o = BatchW'(dr_b_q);
  assign res_last_o  = b_last && l_last && !g_more && hb_jlast_q[dr_half_q];

  // ---- job state -------------------------------------------------------------
  always_comb begin
    state_d   = state_q;
    status_d  = status_q;
    any_bad_d = any_bad_q;
    if (acc_valid) any_bad_d = any_bad_q | (|lane_bad);
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
