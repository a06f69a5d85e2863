// iCEBreaker (iCE40 UP5K, SG48) board top: tern_fpga_selftest clocked by
// the UP5K's internal oscillator at 48 MHz / 2^ClkDiv (default 6 MHz: the
// single-cycle decode-reduce-accumulate path of this engine closes at about
// 10 MHz on the UP5K). Green LED: every job so far matched the golden model; red LED:
// a mismatch; LED1 blinks with the finished-job count. BTN_N resets.
module tern_up5k_top #(
  parameter int unsigned Lanes       = 1,
  parameter int unsigned WordBytes   = 1,
  parameter int unsigned Batch       = 1,
  parameter int unsigned MaxK        = 64,
  parameter int unsigned AccWidth    = 32,
  parameter int unsigned TileRows    = Lanes,
  parameter int unsigned Pipe        = 0,
  parameter int unsigned Jobs        = 1,
  parameter int unsigned JobFmt0     = 0,
  parameter int unsigned JobFmt1     = 0,
  parameter int unsigned JobRows     = 2,
  parameter int unsigned JobK        = 16,
  parameter int unsigned JobBatch    = 1,
  parameter int unsigned WBeats0     = 8,
  parameter int unsigned WBeats1     = 8,
  parameter int unsigned ABeats      = 16,
  parameter int unsigned ExpectCount = 2,
  parameter int unsigned ExpectSum0  = 0,
  parameter int unsigned ExpectSum1  = 0,
  parameter              WHex        = "w.hex",
  parameter              AHex        = "a.hex",
  parameter int unsigned ClkDiv      = 3  // 0..3: 48, 24, 12, 6 MHz
) (
  input  logic BTN_N,
  output logic LEDR_N,
  output logic LEDG_N,
  output logic LED1
);
  logic CLK;
  SB_HFOSC #(
    .CLKHF_DIV(ClkDiv == 0 ? "0b00" : ClkDiv == 1 ? "0b01" : ClkDiv == 2 ? "0b10" : "0b11")
  ) u_osc (
    .CLKHFPU(1'b1),
    .CLKHFEN(1'b1),
    .CLKHF  (CLK)
  );

  // power-on reset: iCE40 flops start at 0
  logic [3:0] por_q = '0;
  logic       rst_n;
  always_ff @(posedge CLK) begin
    if (!BTN_N) por_q <= '0;
    else if (!por_q[3]) por_q <= por_q + 1'b1;
  end
  assign rst_n = por_q[3];

  logic        pass, fail, busy;
  logic [15:0] jobs;

  tern_fpga_selftest #(
    .Lanes(Lanes), .WordBytes(WordBytes), .Batch(Batch), .MaxK(MaxK), .AccWidth(AccWidth),
    .TileRows(TileRows), .Pipe(Pipe), .Jobs(Jobs), .JobFmt0(JobFmt0), .JobFmt1(JobFmt1), .JobRows(JobRows),
    .JobK(JobK), .JobBatch(JobBatch), .WBeats0(WBeats0), .WBeats1(WBeats1), .ABeats(ABeats),
    .ExpectCount(ExpectCount), .ExpectSum0(ExpectSum0), .ExpectSum1(ExpectSum1),
    .WHex(WHex), .AHex(AHex)
  ) u_selftest (
    .clk_i (CLK),
    .rst_ni(rst_n),
    .pass_o(pass),
    .fail_o(fail),
    .busy_o(busy),
    .jobs_o(jobs)
  );

  assign LEDG_N = !pass;
  assign LEDR_N = !fail;
  assign LED1   = jobs[15] ^ busy;
endmodule
