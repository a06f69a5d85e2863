/* tern_perf: tokens/s, energy per token, plot data and design sweeps from
 * the performance/energy model (cmodel/perf/tern_perf.h).
 *
 *   tern_perf perf     -m MODEL.cfg -w HW.cfg [-p prompt] [-g gen] [-s seqs] [-o csv]
 *   tern_perf energy   ... (pJ per token, breakdown)
 *   tern_perf roofline ... -o csv   (attainable ternary MAC/s vs arithmetic intensity)
 *   tern_perf bwsweep  ... -o csv   (tokens/s vs memory bandwidth)
 *   tern_perf sweep    ... -o csv   (rows, word, batch, clock, bandwidth)
 *   any mode: -D key=value overrides a hardware key (repeatable) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tern_perf.h"

static void usage(void) {
  fprintf(stderr, "usage: tern_perf perf|energy|roofline|bwsweep|sweep -m model.cfg -w hw.cfg "
                  "[-p prompt] [-g gen] [-s seqs] [-D key=value] [-o out.csv]\n");
  exit(2);
}

static int load_node(const tern_perf_hw *hw, const char *hw_path, tern_energy_node *n) {
  char p[700], err[300] = "";
  const char *slash = strrchr(hw_path, '/');
  int dl = slash ? (int)(slash - hw_path) : 1;
  snprintf(p, sizeof p, "%.*s/node_%s.cfg", dl, slash ? hw_path : ".", hw->node);
  int rc = tern_energy_node_load(p, n, err, sizeof err);
  if (rc != TERN_OK) fprintf(stderr, "tern_perf: %s\n", err);
  return rc;
}

static double macs_cycle(const tern_perf_hw *hw) {
  return (double)hw->eng.lanes * hw->eng.word_bytes * (hw->fmt == TERN_FMT_B3 ? 5 : 4) *
         hw->eng.batch;
}

static void print_phase(const char *name, const tern_perf_phase *p, const tern_perf_hw *hw) {
  printf("  %-8s %10.2f tokens/s  bound %-8s  accel %8.3f ms  cpu %8.3f ms  (per %g tokens)\n",
         name, p->tok_s, tern_perf_bound_name(p->bound), p->acc_s * 1e3, p->cpu_s * 1e3, p->tokens);
  printf("           commands %.0f, accel cycles %.4g (memory-stream %.4g, engine %.4g), "
         "weights %.4g B, read %.4g B, written %.4g B\n",
         p->commands, p->acc_cycles, p->acc_mem_cycles, p->acc_compute_cycles, p->weight_bytes,
         p->bytes_read, p->bytes_written);
  printf("           per token: %.4g weight B, %.4g adds, %.4g zero trits skipped; CPU %.4g ops "
         "(attention %.3g, LM head %.3g), %.4g DRAM B\n",
         p->weight_bytes / p->tokens, p->adds / p->tokens, p->zero_trits / p->tokens,
         p->cpu_ops / p->tokens, p->attn_macs / p->tokens, p->lm_macs / p->tokens,
         p->cpu_bytes / p->tokens);
  (void)hw;
}

typedef struct cmd_print {
  const tern_perf_hw *hw;
  double zf;
} cmd_print;

static int print_cmd(void *vctx, const tern_perf_cmd *c, double count) {
  cmd_print *pc = vctx;
  tern_perf_cmd_out o;
  int rc = tern_perf_cmd_predict(pc->hw, c, pc->zf, &o);
  if (rc != TERN_OK) return rc;
  char rows[64];
  if (c->nmat == 1)
    snprintf(rows, sizeof rows, "%u", c->rows[0]);
  else if (c->nmat == 2)
    snprintf(rows, sizeof rows, "%u+%u", c->rows[0], c->rows[1]);
  else
    snprintf(rows, sizeof rows, "%u+%u+%u", c->rows[0], c->rows[1], c->rows[2]);
  printf("    %-16s x %-6u b %-3u x%-5.0f %10.0f cycles %12llu w bytes %8.1f B/cycle  %s\n", rows,
         c->k, c->batch, count, o.cycles, (unsigned long long)o.weight_bytes,
         o.weight_bytes / o.cycles, tern_perf_bound_name(o.bound));
  return TERN_OK;
}

static void energy_print(const char *name, const tern_perf_hw *hw, const tern_perf_model *m,
                         const tern_perf_workload *wl, const tern_perf_phase *ph,
                         const tern_energy_out *e, const tern_energy_node *n, FILE *csv) {
  printf("  %s: %.4g pJ/token = %.4g mJ/token (%s, %s)\n", name, e->total_pj, e->total_pj * 1e-9,
         n->name, hw->mem_type);
  if (hw->design == TERN_PERF_LUT) {
    tern_energy_act a;
    uint32_t vec = !strcmp(name, "decode") ? wl->seqs : wl->prompt * wl->seqs;
    if (tern_energy_layers_act(hw, m, vec, 0, &a) == TERN_OK) {
      double t = ph->tokens;
      printf("    per token: %.4g weight beats, %.4g table builds, %.4g table reads, %.4g table "
             "writes, %.4g adds (byte %.3g, tree %.3g, accumulate %.3g, build %.3g), %.4g "
             "partial-sum rows\n",
             a.beats / t, a.builds / t, a.tab_reads / t, a.tab_writes / t,
             (a.byte_adds + a.tree_adds + a.acc_adds + a.build_adds) / t, a.byte_adds / t,
             a.tree_adds / t, a.acc_adds / t, a.build_adds / t, (a.psum_reads + a.psum_writes) / t);
      printf("    counters ADDS %.4g, ZERO_TRITS %.4g a token: not energy inputs here (a table "
             "lookup costs the same for any trit)\n",
             ph->adds / t, ph->zero_trits / t);
    }
  }
  for (int i = 0; i < TERN_E_N; i++) {
    if (!tern_energy_part_applies(hw, i)) continue;
    printf("    %-26s %12.4g pJ  %5.1f%%\n", tern_energy_part_name(i), e->pj[i],
           100 * e->pj[i] / e->total_pj);
    if (csv) fprintf(csv, "%s,%s,%.6g\n", name, tern_energy_part_name(i), e->pj[i]);
  }
  if (hw->design == TERN_PERF_LUT)
    printf("    of the engine parts, %.4g pJ (%.1f%%) is work for batch vectors the commands "
           "leave unused (%u of %u used)\n",
           e->idle_pj, 100 * e->idle_pj / e->total_pj,
           !strcmp(name, "decode") ? (wl->seqs < hw->eng.batch ? wl->seqs : hw->eng.batch)
                                   : hw->eng.batch,
           hw->eng.batch);
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  const char *mode = argv[1], *mpath = NULL, *hpath = NULL, *out = NULL;
  tern_perf_workload wl = {128, 128, 1};
  const char *defs[32];
  int nd = 0;
  for (int i = 2; i < argc; i++) {
    if (i + 1 >= argc) usage();
    const char *a = argv[i], *v = argv[++i];
    if (!strcmp(a, "-m"))
      mpath = v;
    else if (!strcmp(a, "-w"))
      hpath = v;
    else if (!strcmp(a, "-o"))
      out = v;
    else if (!strcmp(a, "-p"))
      wl.prompt = (uint32_t)strtoul(v, NULL, 0);
    else if (!strcmp(a, "-g"))
      wl.gen = (uint32_t)strtoul(v, NULL, 0);
    else if (!strcmp(a, "-s"))
      wl.seqs = (uint32_t)strtoul(v, NULL, 0);
    else if (!strcmp(a, "-D") && nd < 32)
      defs[nd++] = v;
    else
      usage();
  }
  if (!mpath || !hpath) usage();
  tern_perf_model m;
  tern_perf_hw hw;
  char err[300] = "";
  if (tern_perf_model_load(mpath, &m, err, sizeof err) != TERN_OK ||
      tern_perf_hw_load(hpath, &hw, err, sizeof err) != TERN_OK) {
    fprintf(stderr, "tern_perf: %s\n", err);
    return 1;
  }
  for (int i = 0; i < nd; i++) {
    char kv[256];
    snprintf(kv, sizeof kv, "%s", defs[i]);
    char *eq = strchr(kv, '=');
    char dir[600];
    snprintf(dir, sizeof dir, "%s", hpath);
    char *sl = strrchr(dir, '/');
    if (sl)
      *sl = 0;
    else
      snprintf(dir, sizeof dir, ".");
    if (!eq || (*eq = 0, tern_perf_hw_set(&hw, kv, eq + 1, dir)) != TERN_OK) {
      fprintf(stderr, "tern_perf: bad -D %s\n", defs[i]);
      return 1;
    }
  }
  if (!hw.cpu_bw) hw.cpu_bw = hw.mem_bw;
  FILE *csv = NULL;
  if (out && !(csv = fopen(out, "w"))) {
    fprintf(stderr, "tern_perf: cannot write %s\n", out);
    return 1;
  }
  tern_perf_result r;
  int rc = tern_perf_run(&hw, &m, &wl, &r);
  if (rc != TERN_OK) {
    fprintf(stderr, "tern_perf: model run failed (%d): check the configs\n", rc);
    return 1;
  }
  if (!strcmp(mode, "perf")) {
    printf("tern_perf: %s on %s (%ux%u bytes, batch %u, %s, %.0f MHz, %.3g GB/s, bus %u B, "
           "latency %u); prompt %u, generate %u, %u sequence(s)\n",
           m.name, hw.name, hw.eng.lanes, hw.eng.word_bytes, hw.eng.batch,
           hw.fmt == TERN_FMT_B3 ? "B3" : "I2", hw.clock_hz / 1e6, hw.mem_bw / 1e9, hw.bus_bytes,
           hw.rd_latency, wl.prompt, wl.gen, wl.seqs);
    printf("  ternary weights %.4g MB a pass; weight-bandwidth limit %.2f tokens/s; engine %.0f "
           "ternary MACs/cycle; DMA %.1f B/cycle sustained\n",
           r.weight_bytes_model / 1e6, hw.mem_bw / r.weight_bytes_model, macs_cycle(&hw),
           tern_perf_read_rate(&hw));
    print_phase("prefill", &r.prefill, &hw);
    print_phase("decode", &r.decode, &hw);
    double total = r.prefill.s + wl.gen * r.decode.s / 1.0;
    printf("  end to end: %u + %u tokens in %.3f s\n", wl.prompt, wl.gen, total);
    printf("  commands of one layer (decode):\n");
    cmd_print pc = {&hw, m.zero_frac};
    tern_perf_layer_cmds(&hw, &m, wl.seqs, print_cmd, &pc);
    if (csv)
      fprintf(csv, "phase,tok_s,bound,acc_s,cpu_s\nprefill,%g,%s,%g,%g\ndecode,%g,%s,%g,%g\n",
              r.prefill.tok_s, tern_perf_bound_name(r.prefill.bound), r.prefill.acc_s,
              r.prefill.cpu_s, r.decode.tok_s, tern_perf_bound_name(r.decode.bound), r.decode.acc_s,
              r.decode.cpu_s);
  } else if (!strcmp(mode, "energy")) {
    tern_energy_node n;
    if (load_node(&hw, hpath, &n) != TERN_OK) return 1;
    tern_energy_out ep, ed;
    rc = tern_energy_run(&hw, &n, &m, &wl, &r, &ep, &ed);
    if (rc != TERN_OK) {
      fprintf(stderr,
              "tern_perf: energy failed (%d): memory type '%s' in node '%s'? lutram_* "
              "keys?\n",
              rc, hw.mem_type, n.name);
      return 1;
    }
    printf("tern_energy: %s on %s (%s engine, %ux%u bytes, batch %u, %s), node %s, memory %s; "
           "prompt %u, generate %u, %u sequence(s)\n",
           m.name, hw.name, hw.design == TERN_PERF_LUT ? "table-lookup" : "row-parallel",
           hw.eng.lanes, hw.eng.word_bytes, hw.eng.batch, hw.fmt == TERN_FMT_B3 ? "B3" : "I2",
           n.name, hw.mem_type, wl.prompt, wl.gen, wl.seqs);
    if (csv) fprintf(csv, "phase,part,pj_per_token\n");
    energy_print("decode", &hw, &m, &wl, &r.decode, &ed, &n, csv);
    energy_print("prefill", &hw, &m, &wl, &r.prefill, &ep, &n, csv);
  } else if (!strcmp(mode, "roofline")) {
    /* attainable ternary MACs/s = min(peak, intensity x bandwidth); points:
     * decode and prefill of this model (MACs per DRAM byte of the accelerator) */
    double peak = macs_cycle(&hw) / hw.eng.batch * hw.clock_hz; /* per weight pass */
    double bw = tern_perf_read_rate(&hw) * hw.clock_hz;
    fprintf(csv ? csv : stdout, "kind,intensity,macs_s,label\n");
    for (double x = 0.25; x <= 4096; x *= 1.25)
      fprintf(csv ? csv : stdout, "roof,%g,%g,\n", x, fmin(peak * hw.eng.batch, x * bw));
    const tern_perf_phase *ph[2] = {&r.decode, &r.prefill};
    const char *nm[2] = {"decode", "prefill"};
    for (int i = 0; i < 2; i++) {
      double macs = ph[i]->adds + ph[i]->zero_trits;
      double bytes = ph[i]->bytes_read + ph[i]->bytes_written;
      fprintf(csv ? csv : stdout, "point,%g,%g,%s %s\n", macs / bytes, macs / ph[i]->acc_s, m.name,
              nm[i]);
    }
  } else if (!strcmp(mode, "bwsweep")) {
    fprintf(csv ? csv : stdout, "bw_gbs,decode_tok_s,prefill_tok_s,decode_bound,limit_tok_s\n");
    for (double g = 1; g <= 512; g *= 1.189207) {
      tern_perf_hw h = hw;
      h.mem_bw = g * 1e9;
      h.cpu_bw = fmin(hw.cpu_bw, h.mem_bw);
      tern_perf_result rr;
      if (tern_perf_run(&h, &m, &wl, &rr) != TERN_OK) continue;
      fprintf(csv ? csv : stdout, "%g,%g,%g,%s,%g\n", g, rr.decode.tok_s, rr.prefill.tok_s,
              tern_perf_bound_name(rr.decode.bound), h.mem_bw / rr.weight_bytes_model);
    }
  } else if (!strcmp(mode, "sweep")) {
    tern_energy_node n;
    if (load_node(&hw, hpath, &n) != TERN_OK) return 1;
    FILE *o = csv ? csv : stdout;
    fprintf(o, "lanes,word_bytes,batch,clock_mhz,bw_gbs,macs_cycle,luts,area_mm2,decode_tok_s,"
               "prefill_tok_s,decode_bound,decode_pj_token,prefill_pj_token\n");
    uint32_t lanes[] = {4, 8, 16, 32, 64}, words[] = {2, 4, 8, 16}, batch[] = {1, 4, 8};
    double clk[] = {0.5, 1, 2}, bws[] = {0.5, 1, 2, 4};
    int rows = 0;
    for (unsigned a = 0; a < 5; a++)
      for (unsigned b = 0; b < 4; b++)
        for (unsigned c = 0; c < 3; c++)
          for (unsigned d = 0; d < 3; d++)
            for (unsigned f = 0; f < 4; f++) {
              tern_perf_hw h = hw;
              h.eng.lanes = lanes[a];
              h.eng.word_bytes = words[b];
              h.eng.act_beat_bytes = words[b];
              h.eng.w_beat_bytes = lanes[a] * words[b];
              /* 32 row groups a tile, as kv260/asic7: the table builds stay hidden */
              h.eng.tile_rows = 32 * lanes[a];
              h.eng.batch = batch[c];
              h.clock_hz = hw.clock_hz * clk[d];
              h.mem_bw = hw.mem_bw * bws[f];
              h.bus_bytes =
                  h.eng.w_beat_bytes < 64 ? (h.eng.w_beat_bytes < 8 ? 8 : h.eng.w_beat_bytes) : 64;
              tern_perf_workload w = wl;
              w.seqs = batch[c];
              tern_perf_result rr;
              if (tern_perf_run(&h, &m, &w, &rr) != TERN_OK) continue;
              tern_energy_out ed, ep;
              if (tern_energy_run(&h, &n, &m, &w, &rr, &ep, &ed) != TERN_OK) continue;
              double mc = macs_cycle(&h);
              fprintf(o, "%u,%u,%u,%g,%g,%g,%g,%g,%g,%g,%s,%g,%g\n", lanes[a], words[b], batch[c],
                      h.clock_hz / 1e6, h.mem_bw / 1e9, mc, hw.lut_fixed + hw.lut_per_mac * mc,
                      hw.area_mm2_fixed + hw.area_mm2_per_mac * mc, rr.decode.tok_s,
                      rr.prefill.tok_s, tern_perf_bound_name(rr.decode.bound), ed.total_pj,
                      ep.total_pj);
              rows++;
            }
    fprintf(stderr, "sweep: %d design points%s%s\n", rows, out ? " -> " : "", out ? out : "");
  } else {
    usage();
  }
  if (csv) fclose(csv);
  return 0;
}
