// Shared constants of the tern AXI4 masters (tern_axi_rd, tern_axi_wr).
package tern_axi_pkg;

  // AXI4 encodings the masters drive or check.
  localparam logic [1:0] BurstIncr = 2'b01;
  localparam logic [1:0] RespOkay = 2'b00;

  // err_code_o of both masters: 1..3 are the RRESP/BRESP value that was seen
  // (EXOKAY is an error too: the masters never issue exclusive accesses).
  localparam logic [2:0] ErrNone = 3'd0;
  // 3'd1 EXOKAY, 3'd2 SLVERR, 3'd3 DECERR: {1'b0, resp}
  localparam logic [2:0] ErrBadReq = 3'd4;  // zero-length request (dropped)
  localparam logic [2:0] ErrProto = 3'd5;  // R/B with no burst outstanding, wrong ID or RLAST

endpackage
