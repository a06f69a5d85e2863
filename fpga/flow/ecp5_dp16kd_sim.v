// Behavioural model of the ECP5 DP16KD block RAM for netlist simulation.
//
// Yosys ships DP16KD only as a black box (share/lattice/cells_sim_ecp5.v),
// so a netlist that uses block RAM would simulate with undriven outputs.
// This model covers what Yosys' memory mapping (brams_map_16kd.v) emits:
// DATA_WIDTH 1, 2, 4, 9 or 18 on each port (both ports in the same class:
// 1/2/4 use 16 bits a row, 9/18 all 18), byte enables on AD[1:0] at width
// 18, CE, OCE, RST (SYNC or ASYNC), REGMODE NOREG/OUTREG, WRITEMODE
// NORMAL/WRITETHROUGH/READBEFOREWRITE, chip selects against CSDECODE.
// Same-cycle write and read of one address from two ports reads the old
// data (the hardware leaves it undefined; the designs here never do it).
// INITVAL_* are ignored: the RAM starts as X, which Verilator randomises.
module DP16KD (
  input  DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9,
  input  DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0,
  input  ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4,
  input  ADA3, ADA2, ADA1, ADA0,
  input  CEA, OCEA, CLKA, WEA, RSTA, CSA2, CSA1, CSA0,
  output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9,
  output DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0,
  input  DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9,
  input  DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0,
  input  ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4,
  input  ADB3, ADB2, ADB1, ADB0,
  input  CEB, OCEB, CLKB, WEB, RSTB, CSB2, CSB1, CSB0,
  output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9,
  output DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);
  parameter DATA_WIDTH_A = 18;
  parameter DATA_WIDTH_B = 18;
  parameter REGMODE_A = "NOREG";
  parameter REGMODE_B = "NOREG";
  parameter RESETMODE = "SYNC";
  parameter ASYNC_RESET_RELEASE = "SYNC";
  parameter CSDECODE_A = "0b000";
  parameter CSDECODE_B = "0b000";
  parameter WRITEMODE_A = "NORMAL";
  parameter WRITEMODE_B = "NORMAL";
  parameter CLKAMUX = "CLKA";
  parameter CLKBMUX = "CLKB";
  parameter GSR = "ENABLED";
  // Accepted and ignored (see the header).
  parameter WID = 0;
  parameter INITVAL_00 = 320'h0, INITVAL_01 = 320'h0, INITVAL_02 = 320'h0, INITVAL_03 = 320'h0;
  parameter INITVAL_04 = 320'h0, INITVAL_05 = 320'h0, INITVAL_06 = 320'h0, INITVAL_07 = 320'h0;
  parameter INITVAL_08 = 320'h0, INITVAL_09 = 320'h0, INITVAL_0A = 320'h0, INITVAL_0B = 320'h0;
  parameter INITVAL_0C = 320'h0, INITVAL_0D = 320'h0, INITVAL_0E = 320'h0, INITVAL_0F = 320'h0;
  parameter INITVAL_10 = 320'h0, INITVAL_11 = 320'h0, INITVAL_12 = 320'h0, INITVAL_13 = 320'h0;
  parameter INITVAL_14 = 320'h0, INITVAL_15 = 320'h0, INITVAL_16 = 320'h0, INITVAL_17 = 320'h0;
  parameter INITVAL_18 = 320'h0, INITVAL_19 = 320'h0, INITVAL_1A = 320'h0, INITVAL_1B = 320'h0;
  parameter INITVAL_1C = 320'h0, INITVAL_1D = 320'h0, INITVAL_1E = 320'h0, INITVAL_1F = 320'h0;
  parameter INITVAL_20 = 320'h0, INITVAL_21 = 320'h0, INITVAL_22 = 320'h0, INITVAL_23 = 320'h0;
  parameter INITVAL_24 = 320'h0, INITVAL_25 = 320'h0, INITVAL_26 = 320'h0, INITVAL_27 = 320'h0;
  parameter INITVAL_28 = 320'h0, INITVAL_29 = 320'h0, INITVAL_2A = 320'h0, INITVAL_2B = 320'h0;
  parameter INITVAL_2C = 320'h0, INITVAL_2D = 320'h0, INITVAL_2E = 320'h0, INITVAL_2F = 320'h0;
  parameter INITVAL_30 = 320'h0, INITVAL_31 = 320'h0, INITVAL_32 = 320'h0, INITVAL_33 = 320'h0;
  parameter INITVAL_34 = 320'h0, INITVAL_35 = 320'h0, INITVAL_36 = 320'h0, INITVAL_37 = 320'h0;
  parameter INITVAL_38 = 320'h0, INITVAL_39 = 320'h0, INITVAL_3A = 320'h0, INITVAL_3B = 320'h0;
  parameter INITVAL_3C = 320'h0, INITVAL_3D = 320'h0, INITVAL_3E = 320'h0, INITVAL_3F = 320'h0;

  // DATA_WIDTH_A = 36: pseudo-dual-port mode (Yosys' $__PDPW16KD_): port A
  // writes 36 bits ({DIB, DIA}, byte enables AD[3:0]) at AD[13:5], port B
  // reads 36 ({DOB, DOA}) at AD[13:5] or 9/18 bits (on DOB) as below.
  localparam PDP = (DATA_WIDTH_A == 36);
  localparam WIDE_A = (DATA_WIDTH_A == 9) || (DATA_WIDTH_A == 18) || PDP;
  localparam WIDE_B = (DATA_WIDTH_B == 9) || (DATA_WIDTH_B == 18) || (DATA_WIDTH_B == 36);

  initial begin
    if (!(DATA_WIDTH_A == 1 || DATA_WIDTH_A == 2 || DATA_WIDTH_A == 4 || WIDE_A) ||
        !(DATA_WIDTH_B == 1 || DATA_WIDTH_B == 2 || DATA_WIDTH_B == 4 || WIDE_B) ||
        (WIDE_A != WIDE_B) || (DATA_WIDTH_B == 36 && !PDP)) begin
      $display("DP16KD model: unsupported widths A=%0d B=%0d", DATA_WIDTH_A, DATA_WIDTH_B);
      $finish;
    end
    if (CLKAMUX != "CLKA" || CLKBMUX != "CLKB") begin
      $display("DP16KD model: inverted clocks are not modelled");
      $finish;
    end
  end

  reg [17:0] mem [0:1023];

  wire [17:0] dia = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9,
                     DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
  wire [17:0] dib = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9,
                     DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};
  wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4,
                     ADA3, ADA2, ADA1, ADA0};
  wire [13:0] adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4,
                     ADB3, ADB2, ADB1, ADB0};

  // "0b101" -> 3'b101
  function [2:0] csdec(input [8*5-1:0] s);
    csdec = {s[2*8 +: 8] == "1", s[1*8 +: 8] == "1", s[0 +: 8] == "1"};
  endfunction
  wire sel_a = ({CSA2, CSA1, CSA0} == csdec(CSDECODE_A));
  wire sel_b = ({CSB2, CSB1, CSB0} == csdec(CSDECODE_B));

  // Addresses are in bit units (AD[13:0]); a row is 18 bits (9/18 wide)
  // or 16 (1/2/4 wide): row = AD[13:4], the word's offset within it below.
  function [9:0] row_of(input integer w, input [13:0] ad);
    row_of = (w > 0) ? ad[13:4] : 10'd0;
  endfunction
  function [4:0] off_of(input integer w, input [13:0] ad);
    case (w)
      18: off_of = 5'd0;
      9: off_of = ad[3] ? 5'd9 : 5'd0;
      4: off_of = {1'b0, ad[3:2], 2'b00};
      2: off_of = {1'b0, ad[3:1], 1'b0};
      default: off_of = {1'b0, ad[3:0]};
    endcase
  endfunction
  // Bits of the row the word covers (rmask) and those a write changes
  // (wmask: at width 18, AD[1:0] are the byte enables).
  function [17:0] rmask(input integer w, input [13:0] ad);
    rmask = (w == 18) ? 18'h3ffff : (((18'd1 << w) - 18'd1) << off_of(w, ad));
  endfunction
  function [17:0] wmask(input integer w, input [13:0] ad);
    wmask = (w == 18) ? {{9{ad[1]}}, {9{ad[0]}}} : rmask(w, ad);
  endfunction

  reg [17:0] lat_a, lat_b, reg_a, reg_b;
  reg [17:0] old_a, old_b, new_a, new_b, m_a, m_b, k_a, k_b, old_h, new_h;
  reg [9:0]  r_a, r_b;
  reg [4:0]  o_a, o_b;
  reg        go_a, go_b, rst_a, rst_b;

  // Both ports in one process: both read the rows as they were before
  // either port writes. RESETMODE ASYNC clears the output registers at once.
  always @(posedge CLKA or posedge CLKB or posedge RSTA or posedge RSTB) begin
    go_a = CLKA && CEA && sel_a;
    go_b = CLKB && CEB && sel_b;
    rst_a = RSTA && (RESETMODE == "ASYNC" || CLKA);
    rst_b = RSTB && (RESETMODE == "ASYNC" || CLKB);
    if (PDP) begin
      // rows 2W (DIA, enables AD[1:0]) and 2W+1 (DIB, enables AD[3:2])
      r_a = {ada[13:5], 1'b0};
      o_a = 5'd0;
      m_a = 18'h3ffff;
      k_a = {{9{ada[1]}}, {9{ada[0]}}};
    end else begin
      r_a = row_of(DATA_WIDTH_A, ada);
      o_a = off_of(DATA_WIDTH_A, ada);
      m_a = rmask(DATA_WIDTH_A, ada);
      k_a = wmask(DATA_WIDTH_A, ada);
    end
    if (DATA_WIDTH_B == 36) begin
      r_b = {adb[13:5], 1'b0};
      o_b = 5'd0;
      m_b = 18'h3ffff;
    end else begin
      r_b = row_of(DATA_WIDTH_B, adb);
      o_b = off_of(DATA_WIDTH_B, adb);
      m_b = rmask(DATA_WIDTH_B, adb);
    end
    k_b = wmask(DATA_WIDTH_B, adb);
    old_a = mem[r_a];
    old_b = mem[r_b];
    old_h = mem[r_b | 10'd1];  // port B's upper half at width 36
    new_a = (old_a & ~k_a) | ((dia << o_a) & k_a);
    new_b = (old_b & ~k_b) | ((dib << o_b) & k_b);
    if (PDP) begin
      new_h = mem[r_a | 10'd1];
      new_h = (new_h & ~{{9{ada[3]}}, {9{ada[2]}}}) | (dib & {{9{ada[3]}}, {9{ada[2]}}});
      if (go_a && WEA) begin
        mem[r_a] = new_a;
        mem[r_a | 10'd1] = new_h;
      end
    end else begin
      if (go_a && WEA) mem[r_a] = new_a;
      if (go_b && WEB) mem[r_b] = new_b;
    end
    if (rst_a) begin
      lat_a <= 18'd0;
      reg_a <= 18'd0;
    end else if (PDP) begin
      // port A only writes; at width 36 port B's read drives DOA
      if (go_b && DATA_WIDTH_B == 36) lat_a <= old_b;
      if (CLKB && OCEB && DATA_WIDTH_B == 36) reg_a <= lat_a;
    end else if (go_a) begin
      if (!WEA) lat_a <= (old_a & m_a) >> o_a;
      else if (WRITEMODE_A == "WRITETHROUGH") lat_a <= (new_a & m_a) >> o_a;
      else if (WRITEMODE_A == "READBEFOREWRITE") lat_a <= (old_a & m_a) >> o_a;
      if (OCEA) reg_a <= lat_a;
    end else if (CLKA && OCEA) begin
      reg_a <= lat_a;
    end
    if (rst_b) begin
      lat_b <= 18'd0;
      reg_b <= 18'd0;
    end else if (go_b) begin
      if (DATA_WIDTH_B == 36) lat_b <= old_h;
      else if (!WEB) lat_b <= (old_b & m_b) >> o_b;
      else if (WRITEMODE_B == "WRITETHROUGH") lat_b <= (new_b & m_b) >> o_b;
      else if (WRITEMODE_B == "READBEFOREWRITE") lat_b <= (old_b & m_b) >> o_b;
      if (OCEB) reg_b <= lat_b;
    end else if (CLKB && OCEB) begin
      reg_b <= lat_b;
    end
  end

  wire [17:0] doa = (REGMODE_A == "OUTREG") ? reg_a : lat_a;
  wire [17:0] dob = (REGMODE_B == "OUTREG") ? reg_b : lat_b;
  assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9,
          DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} = doa;
  assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9,
          DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} = dob;
endmodule
