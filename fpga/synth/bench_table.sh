#!/usr/bin/env bash
# Prints LUTs per ternary MAC a cycle from synth_engine.sh results.
#   fpga/synth/bench_table.sh OUTDIR "CONFIGS" "FAMILIES" "YOSYS VERSION"
# MACs a cycle = Lanes x trits per lane per cycle (4 or 5 x WordBytes) x
# Batch: every one of them completes every cycle while weights stream.
# LUTs = LUT cells (LUT1-6/INV, SB_LUT4, LUT4 + 2 per CCU2C) + LUTRAM sites.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$1 cfgs=$2 fams=$3 ver=$4
echo "tern_engine area ($ver, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
printf '%-11s %-6s %7s %6s %6s %6s %5s %4s | %-9s %9s | %-9s %9s\n' config family LUTs lutram FF carry bram dsp \
  "I2 MAC/c" "LUT/MAC" "B3 MAC/c" "LUT/MAC"
for c in $cfgs; do
  v() { sed -n "s/^$1=\([0-9]*\).*/\1/p" "config/engine/$c.cfg"; }
  L=$(v Lanes) W=$(v WordBytes) B=$(v Batch) F=$(v Fmts)
  F=${F:-3}
  # A format the config does not support (Fmts bit clear) prints 0 MACs.
  i2=$(( F & 1 ? L * W * 4 * B : 0 )) b3=$(( F & 2 ? L * W * 5 * B : 0 ))
  for f in $fams; do
    r=$(cat "$out/${c}_$f.res")
    g() { echo "$r" | sed -n "s/.*\b$1=\([0-9]*\).*/\1/p"; }
    luts=$(($(g lut) + $(g lutram_luts)))
    printf '%-11s %-6s %7d %6d %6d %6d %5d %4d | %-9d %9s | %-9d %9s\n' "$c" "$f" "$luts" "$(g lutram_luts)" \
      "$(g ff)" "$(g carry)" "$(g bram18)" "$(g dsp)" "$i2" "$(awk "BEGIN{if ($i2) printf \"%.2f\", $luts/$i2; else printf \"-\"}")" \
      "$b3" "$(awk "BEGIN{if ($b3) printf \"%.2f\", $luts/$b3; else printf \"-\"}")"
  done
done
