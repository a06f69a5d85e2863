#!/usr/bin/env bash
# Synthesizes tern_engine for one config and a list of families with Yosys,
# prints resources per family and fails if a multiplier or DSP appears.
#   fpga/synth/synth_engine.sh YOSYS CONFIG OUTDIR FAMILY...
# CONFIG names config/engine/<CONFIG>.cfg; families: ice40 ecp5 xc7 xcup.
# Logs: OUTDIR/<CONFIG>_<family>.log, stats: .stat, summary: .res
set -euo pipefail
cd "$(dirname "$0")/../.."
yosys=$1 cfg=$2 out=$3
shift 3
cfgfile=config/engine/$cfg.cfg
[ -f "$cfgfile" ] || { echo "synth: no such config $cfgfile" >&2; exit 2; }
mkdir -p "$out"
params=$(sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9]*\).*$/-set \1 \2/p' "$cfgfile" | tr '\n' ' ')
rtl=$(ls rtl/engine/*.sv | tr '\n' ' ')
t0=$(date +%s)
say() { printf '[%4ds] %s\n' $(($(date +%s) - t0)) "$*"; }

# Multiplier check on the coarse netlist, before any tech mapping: only a
# $mul by a constant (index arithmetic) may appear (fpga/synth/arith_check.awk).
say "$cfg: coarse netlist check (no \$mul/\$div/\$mod/\$pow/\$macc with variable operands)"
"$yosys" -q -l "$out/${cfg}_coarse.log" -p "read_verilog -sv $rtl; chparam $params tern_engine; \
  hierarchy -top tern_engine; proc; flatten; opt -fast; tee -q -o $out/${cfg}_coarse.stat stat; \
  tee -q -o $out/${cfg}_coarse_arith.il dump t:\$mul t:\$macc t:\$div t:\$mod t:\$divfloor t:\$modfloor t:\$pow" >/dev/null
read -r const_mul bad_arith < <(awk -f fpga/synth/arith_check.awk "$out/${cfg}_coarse_arith.il")
if [ "$bad_arith" != 0 ]; then
  echo "synth: FAIL: $bad_arith multiplier/divider cells with variable operands in the coarse netlist ($out/${cfg}_coarse_arith.il)" >&2
  exit 1
fi
[ "$const_mul" = 0 ] || say "$cfg: note: $const_mul \$mul cells by a constant (index arithmetic, shift-add)"

fail=0
for fam in "$@"; do
  say "$cfg: synth $fam ..."
  "$yosys" -q -l "$out/${cfg}_$fam.log" -p "read_verilog -sv $rtl; chparam $params tern_engine; \
    script fpga/synth/$fam.ys; tee -q -o $out/${cfg}_$fam.stat stat" >/dev/null || {
    echo "synth: FAIL: yosys $fam (log $out/${cfg}_$fam.log)" >&2; exit 1; }
  res=$(awk -f fpga/synth/stat.awk "$out/${cfg}_$fam.stat")
  echo "$res" >"$out/${cfg}_$fam.res"
  say "$cfg: $fam done: $res"
  if ! echo "$res" | grep -q ' dsp=0 '; then
    echo "synth: FAIL: $fam uses DSP/multiplier cells" >&2
    fail=1
  fi
done
exit $fail
