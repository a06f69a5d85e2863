// tern_fpga_selftest: tern_engine plus a self-checking job, for boards
// without a host bus (docs/fpga.md).
//
// Two ROMs (block RAM behind register FIFOs, fpga/flow/tern_fpga_rom_stream;
// contents from fpga/flow/tern_fpga_job.c: the golden
// model's weight and activation streams) feed Jobs (1 or 2) jobs to the
// engine, alternating, over and over: config beat, ABeats activation beats,
// WBeats0|1 weight beats (job 1's stream follows job 0's in the weight ROM).
// Two jobs (I2 then B3) keep the format a register, so synthesis cannot
// prune either decoder. The results are folded into a checksum (chk =
// rotl(chk, 1) ^ result, in drain order) and compared with ExpectSum0|1 at
// the end of every job. pass_o stays
// high while every job so far matched; fail_o latches the first mismatch
// (checksum, result count, status or error flag).
module tern_fpga_selftest #(
  parameter int unsigned Lanes        = 1,
  parameter int unsigned WordBytes    = 1,
  parameter int unsigned Batch        = 1,
  parameter int unsigned MaxK         = 64,
  parameter int unsigned AccWidth     = 32,
  parameter int unsigned TileRows     = Lanes,
  parameter int unsigned Pipe         = 0,
  // the job (fpga/flow/tern_fpga_job.c writes these)
  parameter int unsigned Jobs         = 1,
  parameter int unsigned JobFmt0      = 0,
  parameter int unsigned JobFmt1      = 0,
  parameter int unsigned JobRows      = 2,
  parameter int unsigned JobK         = 16,
  parameter int unsigned JobBatch     = 1,
  parameter int unsigned WBeats0      = 8,
  parameter int unsigned WBeats1      = 8,
  parameter int unsigned ABeats       = 16,
  parameter int unsigned ExpectCount  = 2,
  parameter int unsigned ExpectSum0   = 0,
  parameter int unsigned ExpectSum1   = 0,
  parameter              WHex         = "w.hex",
  parameter              AHex         = "a.hex",
  localparam int unsigned WBits       = Lanes * WordBytes * 8,
  localparam int unsigned ABits       = WordBytes * 8,
  localparam int unsigned BatchW      = $clog2(Batch + 1)
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  output logic        pass_o,   // every finished job matched (and at least one finished)
  output logic        fail_o,   // some job did not match
  output logic        busy_o,   // engine busy
  output logic [15:0] jobs_o    // finished jobs (wraps)
);
  localparam int unsigned WBeats = (Jobs > 1) ? WBeats0 + WBeats1 : WBeats0;
  localparam int unsigned WAddrW = (WBeats > 1) ? $clog2(WBeats) : 1;
  localparam int unsigned AAddrW = (ABeats > 1) ? $clog2(ABeats) : 1;

  // After done: StSum (the last result reaches the checksum through its
  // register), then StChk (the registered checks are read).
  typedef enum logic [2:0] {StCfg, StAct, StW, StWait, StSum, StChk} state_e;
  state_e state_q, state_d;

  // ---- job ROMs: block RAM read out through register FIFOs ----------------
  logic              cfg_ready, act_ready, w_ready;
  logic              act_fire, w_fire, a_valid, w_valid;
  logic [AAddrW-1:0] a_addr_q, a_addr_d;  // beats sent in this job
  logic [WAddrW-1:0] w_addr_q, w_addr_d;  // weight ROM word of the next beat
  logic [ABits-1:0]  a_data;
  logic [WBits-1:0]  w_data;
  logic              job_q;  // which job: 0, or 1 when Jobs = 2
  logic [WAddrW-1:0] w_last;

  assign act_fire = (state_q == StAct) && a_valid && act_ready;
  assign w_fire   = (state_q == StW) && w_valid && w_ready;
  assign w_last   = job_q ? WAddrW'(WBeats - 1) : WAddrW'(WBeats0 - 1);

  tern_fpga_rom_stream #(
    .Width  (ABits),
    .Depth  (ABeats),
    .MemFile(AHex)
  ) u_arom (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .start_i(state_q == StCfg),
    .base_i ('0),
    .valid_o(a_valid),
    .ready_i(act_fire),
    .data_o (a_data)
  );
  tern_fpga_rom_stream #(
    .Width  (WBits),
    .Depth  (WBeats),
    .MemFile(WHex)
  ) u_wrom (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .start_i(state_q == StCfg),
    .base_i (job_q ? WAddrW'(WBeats0) : '0),
    .valid_o(w_valid),
    .ready_i(w_fire),
    .data_o (w_data)
  );

  always_comb begin
    a_addr_d = a_addr_q;
    w_addr_d = w_addr_q;
    if (state_q == StCfg) begin
      a_addr_d = '0;
      w_addr_d = job_q ? WAddrW'(WBeats0) : '0;
    end
    if (act_fire) a_addr_d = a_addr_q + 1'b1;
    if (w_fire) w_addr_d = w_addr_q + 1'b1;
  end

  logic done;
  logic [3:0] status;

  always_comb begin
    state_d = state_q;
    case (state_q)
      StCfg:  if (cfg_ready) state_d = StAct;
      StAct:  if (act_fire && a_addr_q == AAddrW'(ABeats - 1)) state_d = StW;
      StW:    if (w_fire && w_addr_q == w_last) state_d = StWait;
      StWait: if (done) state_d = StSum;
      StSum:  state_d = StChk;
      StChk:  state_d = StCfg;
      default: state_d = StCfg;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q  <= StCfg;
      a_addr_q <= '0;
      w_addr_q <= '0;
    end else begin
      state_q  <= state_d;
      a_addr_q <= a_addr_d;
      w_addr_q <= w_addr_d;
    end
  end

  // ---- engine ------------------------------------------------------------------
  logic                res_valid, res_err, res_last;
  logic [AccWidth-1:0] res_data;
  logic [23:0]         res_row;
  logic [BatchW-1:0]   res_batch;

  tern_engine #(
    .Lanes    (Lanes),
    .WordBytes(WordBytes),
    .Batch    (Batch),
    .MaxK     (MaxK),
    .AccWidth (AccWidth),
    .TileRows (TileRows),
    .Pipe     (Pipe)
  ) u_engine (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .cfg_valid_i   (state_q == StCfg),
    .cfg_ready_o   (cfg_ready),
    .cfg_fmt_i     (job_q ? JobFmt1[0] : JobFmt0[0]),
    .cfg_rows_i    (24'(JobRows)),
    .cfg_k_i       (24'(JobK)),
    .cfg_batch_i   (BatchW'(JobBatch)),
    .cfg_keep_act_i(1'b0),
    .act_valid_i   ((state_q == StAct) && a_valid),
    .act_ready_o   (act_ready),
    .act_data_i    (a_data),
    .w_valid_i     ((state_q == StW) && w_valid),
    .w_ready_o     (w_ready),
    .w_data_i      (w_data),
    .res_valid_o   (res_valid),
    .res_ready_i   (1'b1),
    .res_data_o    (res_data),
    .res_row_o     (res_row),
    .res_batch_o   (res_batch),
    .res_err_o     (res_err),
    .res_last_o    (res_last),
    .done_o        (done),
    .status_o      (status),
    .busy_o        (busy_o)
  );

  // ---- checksum ------------------------------------------------------------------
  logic [31:0] chk_q, chk_d;
  logic [31:0] cnt_q;
  logic [23:0] exp_row_q;  // expected index of the next result
  logic [BatchW-1:0] exp_b_q;
  logic        bad_q;  // error flag or an out-of-order index seen in this job
  logic        pass_q, fail_q, seen_q;
  logic [15:0] jobs_q;
  logic        job_ok_q;  // the checks, a cycle late: read in StChk

  // The results are registered before they are checked (the engine's
  // result select is already most of a cycle on ECP5).
  logic                rv_q, rerr_q, rlast_q;
  logic [31:0]         rdata_q;
  logic [23:0]         rrow_q;
  logic [BatchW-1:0]   rbatch_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rv_q <= 1'b0;
    end else begin
      rv_q <= res_valid;
    end
  end
  always_ff @(posedge clk_i) begin
    rdata_q  <= res_data[31:0];
    rrow_q   <= res_row;
    rbatch_q <= res_batch;
    rerr_q   <= res_err;
    rlast_q  <= res_last;
  end

  assign chk_d = {chk_q[30:0], chk_q[31]} ^ rdata_q;
  always_ff @(posedge clk_i) begin
    job_ok_q <= (chk_q == (job_q ? 32'(ExpectSum1) : 32'(ExpectSum0))) &&
                (cnt_q == 32'(ExpectCount)) && !bad_q && (status == 4'd0);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      chk_q  <= '0;
      cnt_q  <= '0;
      exp_row_q <= '0;
      exp_b_q   <= '0;
      bad_q  <= 1'b0;
      pass_q <= 1'b0;
      fail_q <= 1'b0;
      seen_q <= 1'b0;
      jobs_q <= '0;
      job_q  <= 1'b0;
    end else if (state_q == StChk) begin
      job_q  <= (Jobs > 1) ? !job_q : 1'b0;
      chk_q  <= '0;
      cnt_q  <= '0;
      exp_row_q <= '0;
      exp_b_q   <= '0;
      bad_q  <= 1'b0;
      seen_q <= 1'b1;
      jobs_q <= jobs_q + 1'b1;
      pass_q <= job_ok_q && (pass_q || !seen_q);
      if (!job_ok_q) fail_q <= 1'b1;
    end else if (rv_q) begin
      chk_q <= chk_d;
      cnt_q <= cnt_q + 1'b1;
      // drain order: rows ascending, batch vector inner
      if (exp_b_q == BatchW'(JobBatch - 1)) begin
        exp_b_q   <= '0;
        exp_row_q <= exp_row_q + 1'b1;
      end else begin
        exp_b_q <= exp_b_q + 1'b1;
      end
      if (rerr_q || rbatch_q != exp_b_q || rrow_q != exp_row_q ||
          rlast_q != (cnt_q == 32'(ExpectCount - 1)))
        bad_q <= 1'b1;
    end
  end

  assign pass_o = pass_q;
  assign fail_o = fail_q;
  assign jobs_o = jobs_q;
endmodule
