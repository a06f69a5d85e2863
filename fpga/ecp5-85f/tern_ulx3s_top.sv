// ULX3S (ECP5 LFE5U-85F, CABGA381) board top: tern_fpga_selftest on a
// ClkMHz clock from the ECP5 PLL (25 MHz oscillator, VCO 600 MHz).
// led[0]: every job so far matched the golden model; led[1]: a mismatch;
// led[2]: PLL locked; led[7:3]: finished-job count (top bits). btn[0]
// (PWR, active low) resets.
module tern_ulx3s_top #(
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
  parameter int unsigned ClkMHz      = 100  // 25, 50, 75, 100 or 150
) (
  input  logic       clk_25mhz,
  input  logic [0:0] btn,
  output logic [7:0] led,
  output logic       wifi_gpio0  // high: keep the ESP32 from resetting the FPGA
);
  logic clk, locked;

  // VCO = 25 MHz x CLKFB_DIV x CLKOP_DIV = 600 MHz; CLKOP = 25 x CLKFB_DIV
  localparam int unsigned FbDiv = ClkMHz / 25;
  localparam int unsigned OpDiv = 600 / ClkMHz;
  if (ClkMHz % 25 != 0 || 600 % ClkMHz != 0 || ClkMHz > 150) $error("ClkMHz: 25, 50, 75, 100 or 150");

  (* FREQUENCY_PIN_CLKI = "25" *)
  (* ICP_CURRENT = "12" *) (* LPF_RESISTOR = "8" *) (* MFG_ENABLE_FILTEROPAMP = "1" *)
  (* MFG_GMCREF_SEL = "2" *)
  EHXPLLL #(
    .PLLRST_ENA     ("DISABLED"),
    .INTFB_WAKE     ("DISABLED"),
    .STDBY_ENABLE   ("DISABLED"),
    .DPHASE_SOURCE  ("DISABLED"),
    .OUTDIVIDER_MUXA("DIVA"),
    .OUTDIVIDER_MUXB("DIVB"),
    .OUTDIVIDER_MUXC("DIVC"),
    .OUTDIVIDER_MUXD("DIVD"),
    .CLKI_DIV       (1),
    .CLKOP_ENABLE   ("ENABLED"),
    .CLKOP_DIV      (OpDiv),
    .CLKOP_CPHASE   (OpDiv / 2 - 1),
    .CLKOP_FPHASE   (0),
    .FEEDBK_PATH    ("CLKOP"),
    .CLKFB_DIV      (FbDiv)
  ) u_pll (
    .RST         (1'b0),
    .STDBY       (1'b0),
    .CLKI        (clk_25mhz),
    .CLKOP       (clk),
    .CLKFB       (clk),
    .CLKINTFB    (),
    .PHASESEL0   (1'b0),
    .PHASESEL1   (1'b0),
    .PHASEDIR    (1'b1),
    .PHASESTEP   (1'b1),
    .PHASELOADREG(1'b1),
    .PLLWAKESYNC (1'b0),
    .ENCLKOP     (1'b0),
    .LOCK        (locked)
  );

  // reset until the PLL locked and the button is released, then 16 cycles
  logic [4:0] por_q = '0;
  always_ff @(posedge clk) begin
    if (!locked || !btn[0]) por_q <= '0;
    else if (!por_q[4]) por_q <= por_q + 1'b1;
  end

  // The reset reaches every flop of the design: on a global network (DCCA)
  // it arrives in time, through fabric routing it was the critical path. It
  // goes in active high, so the flops' LSR inputs need no inverter.
  logic rst_q, rst_glb;
  always_ff @(posedge clk) begin
    rst_q <= !por_q[4];
  end
  DCCA u_rst_glb (
    .CLKI(rst_q),
    .CE  (1'b1),
    .CLKO(rst_glb)
  );

  logic        pass, fail, busy;
  logic [15:0] jobs;

  tern_fpga_selftest #(
    .Lanes(Lanes), .WordBytes(WordBytes), .Batch(Batch), .MaxK(MaxK), .AccWidth(AccWidth),
    .TileRows(TileRows), .Pipe(Pipe), .Jobs(Jobs), .JobFmt0(JobFmt0), .JobFmt1(JobFmt1), .JobRows(JobRows),
    .JobK(JobK), .JobBatch(JobBatch), .WBeats0(WBeats0), .WBeats1(WBeats1), .ABeats(ABeats),
    .ExpectCount(ExpectCount), .ExpectSum0(ExpectSum0), .ExpectSum1(ExpectSum1),
    .WHex(WHex), .AHex(AHex)
  ) u_selftest (
    .clk_i (clk),
    .rst_ni(!rst_glb),
    .pass_o(pass),
    .fail_o(fail),
    .busy_o(busy),
    .jobs_o(jobs)
  );

  assign led        = {jobs[15:11], locked, fail, pass ^ (busy & jobs[10])};
  assign wifi_gpio0 = 1'b1;
endmodule
