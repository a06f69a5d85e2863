// Runs tern_fpga_selftest (RTL or a post-synthesis netlist) until it has
// finished N jobs and checks that every one matched the golden model's
// checksum (docs/fpga.md).  tb_selftest [JOBS] [MAX_CYCLES]
#include <cstdio>
#include <cstdlib>

#include "Vtern_fpga_selftest.h"
#include "verilated.h"

int main(int argc, char **argv) {
  VerilatedContext ctx;
  ctx.commandArgs(argc, argv);
  unsigned jobs = argc > 1 ? (unsigned)strtoul(argv[1], nullptr, 0) : 3;
  unsigned long max_cycles = argc > 2 ? strtoul(argv[2], nullptr, 0) : 2000000;
  Vtern_fpga_selftest top{&ctx};
  top.clk_i = 0;
  top.rst_ni = 0;
  for (int i = 0; i < 4; i++) {
    top.clk_i = !top.clk_i;
    top.eval();
  }
  top.rst_ni = 1;
  unsigned long cyc = 0;
  unsigned last = 0;
  int passed = 0, failed = 0;
  while (cyc < max_cycles && top.jobs_o < jobs && !top.fail_o) {
    top.clk_i = 1;
    top.eval();
    top.clk_i = 0;
    top.eval();
    cyc++;
    if (top.jobs_o != last) {
      last = top.jobs_o;
      if (top.pass_o) passed++;
      else failed++;
    }
  }
  if (top.fail_o && failed == 0) failed = 1;
  if (top.jobs_o < jobs && !top.fail_o) {
    printf("selftest: only %u of %u jobs finished in %lu cycles\n", (unsigned)top.jobs_o, jobs,
           cyc);
    failed++;
  }
  printf("selftest: %u jobs in %lu cycles, pass=%d fail=%d\n", (unsigned)top.jobs_o, cyc,
         (int)top.pass_o, (int)top.fail_o);
  printf("%d passed, %d failed\n", passed, failed);
  top.final();
  return failed ? 1 : 0;
}
