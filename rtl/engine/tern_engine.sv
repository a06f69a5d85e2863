// tern_engine: ternary matmul engine (docs/engine.md).
//
// Row-parallel: Lanes rows at a time, each consuming WordBytes packed bytes
// (4*WordBytes I2 or 5*WordBytes B3 trits) a cycle against the same K word
// of every batch vector held in the activation buffer. Per job:
//   1. config beat (accepted only when idle; bad config -> done, status 1)
//   2. all activation beats (batch vectors, each ceil(K/ActBeatBytes) beats)
//   3. weight beats in cmodel/tern_engine.c order (tile_rows = Lanes):
//      [row group][K word][lane]; results of a row group drain while the
//      next group computes, lane-major then batch: (row, b=0..batch-1).
//   4. done_o pulse with status_o after the last result beat.
module tern_engine #(
  parameter int unsigned Lanes        = 4,
  parameter int unsigned WordBytes    = 2,
  parameter int unsigned Batch        = 2,
  parameter int unsigned MaxK         = 256,
  parameter int unsigned AccWidth     = 32,
  parameter int unsigned ActBeatBytes = WordBytes,  // must equal WordBytes
  parameter int unsigned WBeatBytes   = Lanes * WordBytes,
  /* verilator lint_off UNUSEDPARAM */
  parameter int unsigned TileRows     = Lanes,      // this engine: Lanes
  /* verilator lint_on UNUSEDPARAM */
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
  localparam int unsigned Trits    = 5 * WordBytes;       // per lane per cycle, max
  localparam int unsigned SumW     = 9 + $clog2(Trits);
  localparam int unsigned MaxWords = (MaxK + 4 * WordBytes - 1) / (4 * WordBytes);
  localparam int unsigned Depth    = (MaxWords > 1) ? MaxWords : 2;
  localparam int unsigned AddrW    = $clog2(Depth);
  localparam int unsigned LaneW    = (Lanes > 1) ? $clog2(Lanes) : 1;

  localparam logic [3:0] StatusOk     = 4'd0;
  localparam logic [3:0] StatusBadCfg = 4'd1;
  localparam logic [3:0] StatusBadCode = 4'd2;

  typedef enum logic [1:0] {StIdle, StLoad, StRun, StDone} state_e;
  state_e state_q, state_d;

  // ---- job registers --------------------------------------------------------
  logic              fmt_q;
  logic [23:0]       rows_q, k_q;
  logic [BatchW-1:0] batch_q;
  logic              any_bad_q, any_bad_d;
  logic [3:0]        status_q, status_d;

  logic cfg_fire, cfg_ok;
  assign cfg_ready_o = (state_q == StIdle);
  assign cfg_fire    = cfg_valid_i && cfg_ready_o;
  // Constant for some Batch values (e.g. Batch = 1).
  /* verilator lint_off CMPCONST */ /* verilator lint_off UNSIGNED */
  assign cfg_ok      = (cfg_rows_i != '0) && (cfg_k_i != '0) && (cfg_k_i <= 24'(MaxK)) &&
                       (cfg_batch_i != '0) && ({1'b0, cfg_batch_i} <= (BatchW + 1)'(Batch));
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

  // ---- activation load ------------------------------------------------------
  logic              act_fire;
  logic [BatchW-1:0] ld_b_q;
  logic [2:0]        ld_pos_q;   // bank within a word
  logic [AddrW-1:0]  ld_word_q;
  logic [24:0]       ld_elem_q;  // elements of this vector already loaded
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

  // ---- weight stream position ----------------------------------------------
  logic             w_fire;
  logic [AddrW-1:0] rd_word_q;
  logic [24:0]      kpos_q;     // trits before the current word
  logic [24:0]      rbase_q;    // first row of the current group
  logic             w_word_last, w_grp_last;

  assign w_word_last = (kpos_q + {14'd0, word_trits}) >= {1'b0, k_q};
  assign w_grp_last  = (rbase_q + 25'(Lanes)) >= {1'b0, rows_q};

  // ---- activation buffer: Batch x 5 banks of WordBytes bytes ---------------
  logic [Batch*Trits*8-1:0] act_rd;
  for (genvar b = 0; b < Batch; b++) begin : gen_buf_b
    for (genvar k = 0; k < 5; k++) begin : gen_buf_bank
      tern_act_mem #(
        .Width(WordBytes * 8),
        .Depth(Depth)
      ) u_mem (
        .clk_i  (clk_i),
        .we_i   (act_fire && (ld_b_q == BatchW'(b)) && (ld_pos_q == 3'(k))),
        .waddr_i(ld_word_q),
        .wdata_i(act_data_i),
        .re_i   (w_fire),
        .raddr_i(rd_word_q),
        .rdata_o(act_rd[(b*Trits + k*WordBytes)*8 +: WordBytes*8])
      );
    end
  end

  // ---- stage 1: weights registered, activations read ------------------------
  logic                    s1_valid_q, s1_first_q, s1_last_q, s1_jlast_q;
  logic [WBeatBytes*8-1:0] s1_w_q;
  logic [24:0]             s1_rbase_q;
  logic                    s1_adv;
  logic                    res_pend_q;

  // Stage 1 retires into the accumulators; a group's last word also needs
  // the result buffer to be free.
  assign s1_adv    = s1_valid_q && (!s1_last_q || !res_pend_q);
  assign w_ready_o = (state_q == StRun) && (!s1_valid_q || s1_adv) && !w_done_q;
  assign w_fire    = w_valid_i && w_ready_o;

  logic w_done_q;  // every weight beat of the job taken
  logic first_q;   // next beat is word 0 of its group

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_word_q <= '0;
      kpos_q    <= '0;
      rbase_q   <= '0;
      first_q   <= 1'b1;
      w_done_q  <= 1'b0;
    end else if (cfg_fire) begin
      rd_word_q <= '0;
      kpos_q    <= '0;
      rbase_q   <= '0;
      first_q   <= 1'b1;
      w_done_q  <= 1'b0;
    end else if (w_fire) begin
      first_q <= w_word_last;
      if (w_word_last) begin
        rd_word_q <= '0;
        kpos_q    <= '0;
        rbase_q   <= rbase_q + 25'(Lanes);
        if (w_grp_last) w_done_q <= 1'b1;
      end else begin
        rd_word_q <= rd_word_q + 1'b1;
        kpos_q    <= kpos_q + {14'd0, word_trits};
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_first_q <= 1'b0;
      s1_last_q  <= 1'b0;
      s1_jlast_q <= 1'b0;
      s1_rbase_q <= '0;
    end else if (w_fire) begin
      s1_valid_q <= 1'b1;
      s1_first_q <= first_q;
      s1_last_q  <= w_word_last;
      s1_jlast_q <= w_word_last && w_grp_last;
      s1_rbase_q <= rbase_q;
    end else if (s1_adv) begin
      s1_valid_q <= 1'b0;
    end
  end
  always_ff @(posedge clk_i) begin
    if (w_fire) s1_w_q <= w_data_i;
  end

  // ---- datapath: decode, dot, accumulate ------------------------------------
  logic [Lanes*Trits*2-1:0]       codes;
  logic [Lanes-1:0]               lane_bad;
  logic [Lanes*Batch*AccWidth-1:0] acc_q, acc_d;
  logic [Lanes-1:0]               err_q, err_d;

  for (genvar l = 0; l < Lanes; l++) begin : gen_lane
    tern_word_dec #(
      .WordBytes(WordBytes)
    ) u_dec (
      .fmt_i  (fmt_q),
      .word_i (s1_w_q[l*WordBytes*8 +: WordBytes*8]),
      .codes_o(codes[l*Trits*2 +: Trits*2]),
      .bad_o  (lane_bad[l])
    );
    for (genvar b = 0; b < Batch; b++) begin : gen_b
      logic signed [SumW-1:0] dot;
      logic signed [AccWidth-1:0] acc_old;
      tern_lane_dot #(
        .Trits(Trits)
      ) u_dot (
        .codes_i(codes[l*Trits*2 +: Trits*2]),
        .act_i  (act_rd[b*Trits*8 +: Trits*8]),
        .sum_o  (dot)
      );
      assign acc_old = s1_first_q ? '0 : acc_q[(l*Batch+b)*AccWidth +: AccWidth];
      assign acc_d[(l*Batch+b)*AccWidth +: AccWidth] = acc_old + AccWidth'(dot);
    end
    assign err_d[l] = (s1_first_q ? 1'b0 : err_q[l]) | lane_bad[l];
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      acc_q <= '0;
      err_q <= '0;
    end else if (s1_adv) begin
      acc_q <= acc_d;
      err_q <= err_d;
    end
  end

  // ---- result buffer and drain ---------------------------------------------
  logic [Lanes*Batch*AccWidth-1:0] res_q;
  logic [Lanes-1:0]                res_err_q;
  logic [24:0]                     res_rbase_q;
  logic                            res_jlast_q;
  logic [LaneW-1:0]                res_l_q, res_nl_q;
  logic [BatchW-1:0]               res_b_q;
  logic                            res_fire, res_idx_last;

  assign res_fire     = res_valid_o && res_ready_i;
  assign res_idx_last = (res_l_q == res_nl_q) && ({1'b0, res_b_q} + 1'b1 == {1'b0, batch_q});

  // Lanes of this group that hold real rows, minus one.
  logic [24:0] rows_left;
  assign rows_left = {1'b0, rows_q} - s1_rbase_q - 25'd1;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      res_pend_q  <= 1'b0;
      res_rbase_q <= '0;
      res_jlast_q <= 1'b0;
      res_l_q     <= '0;
      res_nl_q    <= '0;
      res_b_q     <= '0;
      res_err_q   <= '0;
    end else if (s1_adv && s1_last_q) begin
      res_pend_q  <= 1'b1;
      res_rbase_q <= s1_rbase_q;
      res_jlast_q <= s1_jlast_q;
      res_l_q     <= '0;
      res_b_q     <= '0;
      /* verilator lint_off CMPCONST */ /* verilator lint_off UNSIGNED */
      res_nl_q    <= (rows_left >= 25'(Lanes - 1)) ? LaneW'(Lanes - 1) : LaneW'(rows_left);
      /* verilator lint_on CMPCONST */ /* verilator lint_on UNSIGNED */
      res_err_q   <= err_d;
    end else if (res_fire) begin
      if (res_idx_last) begin
        res_pend_q <= 1'b0;
      end else if ({1'b0, res_b_q} + 1'b1 == {1'b0, batch_q}) begin
        res_b_q <= '0;
        res_l_q <= res_l_q + 1'b1;
      end else begin
        res_b_q <= res_b_q + 1'b1;
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (s1_adv && s1_last_q) res_q <= acc_d;
  end

  assign res_valid_o = res_pend_q;
  assign res_data_o  = res_q[({{(32-LaneW){1'b0}}, res_l_q} * Batch + {{(32-BatchW){1'b0}}, res_b_q}) * AccWidth +: AccWidth];
  assign res_row_o   = 24'(res_rbase_q + {{(25-LaneW){1'b0}}, res_l_q});
  assign res_batch_o = res_b_q;
  assign res_err_o   = res_err_q[res_l_q];
  assign res_last_o  = res_jlast_q && res_idx_last;

  // ---- job state -------------------------------------------------------------
  always_comb begin
    state_d   = state_q;
    status_d  = status_q;
    any_bad_d = any_bad_q;
    if (s1_adv) any_bad_d = any_bad_q | (|lane_bad);
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
      state_q   <= StIdle;
      status_q  <= StatusOk;
      any_bad_q <= 1'b0;
      fmt_q     <= 1'b0;
      rows_q    <= '0;
      k_q       <= '0;
      batch_q   <= '0;
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
