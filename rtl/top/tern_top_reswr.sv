// Result writer: collects one row group of engine results (up to Lanes rows
// x batch vectors, arriving lane-major then batch), then for each batch
// vector b writes the group's run of rows as one write request:
//   res_addr + b * res_stride + 4 * row   (int32, little-endian)
// The request is widened to whole bus beats; strobes cover the real bytes.
// Matrices of a chain follow one another: after a job's last result the
// matrix index advances and rows restart at 0.
module tern_top_reswr #(
  parameter int unsigned Lanes    = 4,
  parameter int unsigned Batch    = 2,
  parameter int unsigned BusBytes = 16,
  parameter int unsigned BatchW   = $clog2(Batch + 1),
  localparam int unsigned Strb    = BusBytes
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  input  logic                   clear_i,      // new command or abort
  // current matrix (selected by mat_o) and command
  output logic [1:0]             mat_o,
  input  logic [23:0]            rows_i,
  input  logic [63:0]            res_addr_i,
  input  logic [31:0]            res_stride_i,
  input  logic [BatchW-1:0]      batch_i,
  // engine results
  input  logic                   res_valid_i,
  output logic                   res_ready_o,
  input  logic [31:0]            res_data_i,
  input  logic [23:0]            res_row_i,
  input  logic [BatchW-1:0]      res_batch_i,
  input  logic                   res_last_i,
  // write master
  output logic                   req_valid_o,
  input  logic                   req_ready_i,
  output logic [63:0]            req_addr_o,
  output logic [32:0]            req_bytes_o,
  output logic [26:0]            req_data_bytes_o,  // bytes of results in the request
  output logic                   data_valid_o,
  input  logic                   data_ready_i,
  output logic [BusBytes*8-1:0]  data_o,
  output logic [Strb-1:0]        strb_o,
  output logic                   idle_o
);
  localparam int unsigned OffW  = $clog2(BusBytes);
  localparam int unsigned LaneW = (Lanes > 1) ? $clog2(Lanes) : 1;
  localparam int unsigned RowB  = Lanes * 4;                       // bytes of a full run
  localparam int unsigned VB    = RowB + BusBytes;                 // shifted run
  localparam int unsigned NBeat = (VB + BusBytes - 1) / BusBytes;  // beats of a run, max
  localparam int unsigned BeatW = $clog2(NBeat + 1);
  localparam int unsigned WPos  = BusBytes / 4;                    // word offsets in a beat
  localparam int unsigned NRowW = $clog2(Lanes + 1);

  typedef enum logic [1:0] {StCollect, StWrite} state_e;
  state_e state_q;

  logic [31:0]       buf_q [Lanes][Batch];
  logic [23:0]       rbase_q;
  logic [1:0]        mat_q;
  logic              jlast_q;   // the group is the job's last
  logic [NRowW-1:0]  nrows_q;   // rows in the group
  logic [BatchW-1:0] b_q;
  logic [63:0]       addr_q;    // this b's first result byte
  logic              req_done_q;
  logic [BeatW-1:0]  beat_q;

  logic              res_fire, grp_end;
  logic [23:0]       lane_full;
  logic [LaneW-1:0]  lane;

  assign res_ready_o = (state_q == StCollect);
  assign res_fire    = res_valid_i && res_ready_o;
  assign lane_full   = res_row_i - rbase_q;
  assign lane        = lane_full[LaneW-1:0];
  assign grp_end     = (res_batch_i + 1'b1 == batch_i) &&
                       ((lane_full == 24'(Lanes - 1)) || (res_row_i + 24'd1 == rows_i) || res_last_i);

  always_ff @(posedge clk_i) begin
    for (int unsigned l = 0; l < Lanes; l++) begin
      for (int unsigned b = 0; b < Batch; b++) begin
        if (res_fire && lane == LaneW'(l) && res_batch_i == BatchW'(b)) buf_q[l][b] <= res_data_i;
      end
    end
  end

  // ---- one request for vector b_q ----------------------------------------
  logic [OffW-1:0]   off;
  logic [31:0]       span;
  logic [BeatW-1:0]  nbeats;
  logic [RowB*8-1:0] run;
  logic [VB*8-1:0]   vdata;
  logic [VB-1:0]     vstrb;
  logic              last_beat, b_last;

  assign off    = addr_q[OffW-1:0];
  assign span   = 32'(off) + 32'({nrows_q, 2'b00}) + 32'(BusBytes - 1);
  assign nbeats = BeatW'(span >> OffW);

  always_comb begin
    for (int unsigned l = 0; l < Lanes; l++) begin
      run[l*32 +: 32] = '0;
      for (int unsigned b = 0; b < Batch; b++) begin
        if (b_q == BatchW'(b)) run[l*32 +: 32] = buf_q[l][b];
      end
    end
  end

  always_comb begin
    vdata = '0;
    vstrb = '0;
    for (int unsigned w = 0; w < WPos; w++) begin
      if (off[OffW-1:0] == OffW'(w * 4)) begin
        vdata = (VB*8)'(run) << (w * 32);
        for (int unsigned l = 0; l < Lanes; l++) begin
          if (NRowW'(l) < nrows_q) vstrb[w*4 + l*4 +: 4] = 4'hf;
        end
      end
    end
  end

  always_comb begin
    data_o = '0;
    strb_o = '0;
    for (int unsigned j = 0; j < NBeat; j++) begin
      if (beat_q == BeatW'(j)) begin
        data_o = vdata[j*BusBytes*8 +: BusBytes*8];
        strb_o = vstrb[j*BusBytes +: BusBytes];
      end
    end
  end

  assign req_valid_o      = (state_q == StWrite) && !req_done_q;
  assign req_addr_o       = {addr_q[63:OffW], {OffW{1'b0}}};
  assign req_bytes_o      = 33'({nbeats, {OffW{1'b0}}});
  assign req_data_bytes_o = 27'({nrows_q, 2'b00});
  assign data_valid_o     = (state_q == StWrite) && (beat_q != nbeats);
  assign last_beat        = data_valid_o && data_ready_i && (beat_q + 1'b1 == nbeats);
  assign b_last           = (b_q + 1'b1 == batch_i);

  logic req_ok, data_ok;
  assign req_ok  = req_done_q || (req_valid_o && req_ready_i);
  assign data_ok = (beat_q == nbeats) || last_beat;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q    <= StCollect;
      rbase_q    <= '0;
      mat_q      <= '0;
      jlast_q    <= 1'b0;
      nrows_q    <= '0;
      b_q        <= '0;
      addr_q     <= '0;
      req_done_q <= 1'b0;
      beat_q     <= '0;
    end else if (clear_i) begin
      state_q    <= StCollect;
      rbase_q    <= '0;
      mat_q      <= '0;
      jlast_q    <= 1'b0;
      nrows_q    <= '0;
      b_q        <= '0;
      req_done_q <= 1'b0;
      beat_q     <= '0;
    end else begin
      unique case (state_q)
        StCollect: begin
          if (res_fire && grp_end) begin
            state_q    <= StWrite;
            nrows_q    <= NRowW'(lane) + 1'b1;
            jlast_q    <= res_last_i;
            b_q        <= '0;
            addr_q     <= res_addr_i + {38'd0, rbase_q, 2'b00};
            req_done_q <= 1'b0;
            beat_q     <= '0;
          end
        end
        StWrite: begin
          if (req_valid_o && req_ready_i) req_done_q <= 1'b1;
          if (data_valid_o && data_ready_i) beat_q <= beat_q + 1'b1;
          if (req_ok && data_ok) begin
            req_done_q <= 1'b0;
            beat_q     <= '0;
            if (b_last) begin
              state_q <= StCollect;
              if (jlast_q) begin
                rbase_q <= '0;
                mat_q   <= mat_q + 1'b1;
              end else begin
                rbase_q <= rbase_q + 24'(Lanes);
              end
            end else begin
              b_q    <= b_q + 1'b1;
              addr_q <= addr_q + {32'd0, res_stride_i};
            end
          end
        end
        default: state_q <= StCollect;
      endcase
    end
  end

  assign mat_o  = mat_q;
  assign idle_o = (state_q == StCollect);
endmodule
