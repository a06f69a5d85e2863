#!/usr/bin/env bash
# One FPGA build: fpga/flow/build.sh TARGET (called by make fpga TARGET=...).
#
# Reads fpga/TARGET/target.sh (FAMILY, TOP, BOARD_RTL, CONSTR, JOB, FREQ,
# MIN_FREQ, ENGINE_CFG) and the parameters of TOP from ENGINE_CFG (default
# fpga/TARGET/engine.cfg; Key=Value lines, config/engine format). Stages: self-test job from the golden model, Yosys (with a check
# that no multiplier/divider survives coarse synthesis), place and route,
# bitstream, timing. Prints a line per stage with the elapsed time; every log
# and output goes to fpga/build/TARGET/; the summary is
# fpga/build/TARGET/result.txt (Key=Value lines, read by report.sh).
#
# Tools come from the environment (mk/fpga.mk sets them): YOSYS NEXTPNR_ICE40
# ICEPACK ICETIME NEXTPNR_ECP5 ECPPACK JOBGEN, and the RTL lists ENGINE_RTL
# (and TOP_RTL for the kv260 target). The YoWASP tools run in a WASI sandbox:
# every path handed to them is relative to the repository root.
set -euo pipefail
# one compound command: bash reads it whole, so editing this file during a
# long build cannot change the running one
{
cd "$(dirname "$0")/../.."
target=${1:?usage: build.sh TARGET}
tdir=fpga/$target
[ -f "$tdir/target.sh" ] || { echo "fpga: no target $tdir/target.sh" >&2; exit 2; }
FREQ=100 MIN_FREQ=0 BOARD_PARAMS="" JOB="" BOARD_RTL="" CONSTR="" ENGINE_CFG="" PNR_ARGS=""
# shellcheck source=/dev/null
. "$tdir/target.sh"
out=fpga/build/$target
mkdir -p "$out"
# build outputs never belong in git
[ -f fpga/build/.gitignore ] || echo '*' >fpga/build/.gitignore
rm -f "$out/result.txt" "$out"/*.json "$out"/*.bit "$out"/*.asc "$out"/*.config

t0=$(date +%s)
say() { printf '[fpga %s %4ds] %s\n' "$target" $(($(date +%s) - t0)) "$*"; }
die() { say "FAIL: $*"; exit 1; }
cfgv() { sed -n "s/^$2=\([0-9]*\).*/\1/p" "$1" | head -n1; }
# -set Key Value for every numeric Key=Value line of a config file
chparams() { sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9][0-9]*\).*$/-set \1 \2/p' "$1" | tr '\n' ' '; }

ecfg=${ENGINE_CFG:-$tdir/engine.cfg}
lanes=$(cfgv "$ecfg" Lanes) wbytes=$(cfgv "$ecfg" WordBytes) batch=$(cfgv "$ecfg" Batch)
mac_i2=$((lanes * wbytes * 4 * batch)) mac_b3=$((lanes * wbytes * 5 * batch))
say "engine $(grep -E '^[A-Za-z]+=' "$ecfg" | tr '\n' ' ')-> $mac_i2 I2 / $mac_b3 B3 ternary MACs a cycle"

# ---- 1. the self-test job (golden model) -------------------------------------
# Parameters the board top does not declare (a new engine knob) are left to
# the engine's defaults, with a note.
params=""
for kv in $(sed -n 's/^\([A-Za-z][A-Za-z0-9]*\)=\([0-9][0-9]*\).*$/\1=\2/p' "$ecfg"); do
  k=${kv%%=*}
  # shellcheck disable=SC2086
  if grep -qE "parameter[^=;]*\b$k\b" $BOARD_RTL; then params="$params -set $k ${kv#*=}"
  else say "note: $k (in $ecfg) is not a parameter of $TOP: engine default used"; fi
done
for kv in ${BOARD_PARAMS:-}; do params="$params -set ${kv%%=*} ${kv#*=}"; done
if [ -n "$JOB" ]; then
  # shellcheck disable=SC2086
  "$JOBGEN" "$ecfg" $JOB "$out" >"$out/job.log" 2>&1 || { cat "$out/job.log"; die "job generator"; }
  say "$(cat "$out/job.log")"
  params="$params $(chparams "$out/job.params") -set WHex \"$out/w.hex\" -set AHex \"$out/a.hex\""
fi

# ---- 2. synthesis ----------------------------------------------------------------
prep_extra=""
case $FAMILY in
  # no LUT RAM on iCE40: memories asking for it are left to Yosys (flops)
  ice40) cells="read_verilog -lib -specify +/ice40/cells_sim.v"
    prep_extra="setattr -unset ram_style a:ram_style=distributed" ;;
  ecp5) cells="read_verilog -lib -specify +/ecp5/cells_bb.v" ;;
  *) cells="" ;;
esac
case $FAMILY in
  ice40) synth="synth_ice40 -top $TOP -flatten; delete t:\$scopeinfo; write_json $out/$TOP.json" ;;
  ecp5) synth="synth_ecp5 -top $TOP -flatten; delete t:\$scopeinfo; write_json $out/$TOP.json" ;;
  xcup) synth="synth_xilinx -family xcup -flatten -noiopad -top $TOP; write_verilog -noattr $out/${TOP}_xcup.v" ;;
  *) die "unknown FAMILY $FAMILY" ;;
esac
# shellcheck disable=SC2086
rtl="${TOP_RTL:-$ENGINE_RTL} $BOARD_RTL"
say "yosys: $FAMILY synthesis of $TOP (log $out/yosys.log) ..."
ts=$(date +%s)
cat >"$out/synth.ys" <<EOF
$cells
read_verilog -defer -sv $rtl
chparam $params $TOP
hierarchy -top $TOP
$prep_extra
prep -top $TOP -flatten
tee -q -o $out/coarse.stat stat
tee -q -o $out/coarse_arith.il dump t:\$mul t:\$macc t:\$div t:\$mod t:\$divfloor t:\$modfloor t:\$pow
$synth
tee -q -o $out/synth.stat stat
EOF
nice -n 10 "$YOSYS" -q -l "$out/yosys.log" -s "$out/synth.ys" >/dev/null 2>&1 || {
  grep -E 'ERROR' "$out/yosys.log" | head -5
  die "yosys"
}
synth_s=$(($(date +%s) - ts))
# A $mul with a constant operand (an index times a parameter) becomes shifts
# and adds and is reported; any other multiplier, divider, modulo or power
# cell fails the build.
read -r const_mul bad_arith < <(awk -f fpga/synth/arith_check.awk "$out/coarse_arith.il")
if [ "$bad_arith" != 0 ]; then
  grep -E '^ *cell ' "$out/coarse_arith.il" | head -5
  die "$bad_arith multiplier/divider cells with variable operands in the coarse netlist ($out/coarse_arith.il)"
fi
[ "$const_mul" = 0 ] || say "note: $const_mul \$mul cells by a constant (index arithmetic, shift-add), $out/coarse_arith.il"
res=$(awk -f fpga/synth/stat.awk "$out/synth.stat")
say "yosys done in ${synth_s}s: $res"
g() { echo "$res" | sed -n "s/.*\b$1=\([0-9]*\).*/\1/p"; }
dsp=$(g dsp)
[ "$dsp" = 0 ] || die "$dsp DSP/multiplier cells in the netlist: the datapath must have none"
luts=$(($(g lut) + $(g lutram_luts)))

# ---- 3. place and route, bitstream, timing ---------------------------------------
fmax="" util="" pnr_s=0 pack="" timing=""
pnr_log=$out/nextpnr.log
fmax_of() {  # lowest final Fmax over the clocks in a nextpnr log
  awk '/Routing complete|Router2 time/{n=0; split("", f)}
       /Max frequency for clock/{v=$0; sub(/.*: /, "", v); sub(/ MHz.*/, "", v); f[++n]=v}
       END{m=""; for (i in f) if (m == "" || f[i] + 0 < m + 0) m = f[i]; print m}' "$1"
}
case $FAMILY in
  ice40)
    say "nextpnr-ice40: place and route at $FREQ MHz (log $pnr_log) ..."
    ts=$(date +%s)
    nice -n 10 "$NEXTPNR_ICE40" --up5k --package sg48 --pcf "$CONSTR" --json "$out/$TOP.json" \
      --asc "$out/$TOP.asc" --freq "$FREQ" --seed 1 --timing-allow-fail >"$pnr_log" 2>&1 || {
      tail -n 20 "$pnr_log"; die "nextpnr-ice40"; }
    pnr_s=$(($(date +%s) - ts))
    fmax=$(fmax_of "$pnr_log")
    say "nextpnr done in ${pnr_s}s: Fmax $fmax MHz"
    "$ICEPACK" "$out/$TOP.asc" "$out/$TOP.bin" >"$out/icepack.log" 2>&1 || die "icepack"
    pack=$out/$TOP.bin
    say "icepack: $pack ($(stat -c %s "$pack") bytes)"
    nice -n 10 "$ICETIME" -d up5k -P sg48 -p "$CONSTR" -t -r "$out/icetime.txt" "$out/$TOP.asc" \
      >"$out/icetime.log" 2>&1 || die "icetime"
    timing=$(sed -n 's/^Total path delay: *\(.*\)$/\1/p' "$out/icetime.txt" | head -n1)
    say "icetime: $timing ($out/icetime.txt)"
    ;;
  ecp5)
    say "nextpnr-ecp5: place and route at $FREQ MHz (log $pnr_log) ..."
    ts=$(date +%s)
    nice -n 10 "$NEXTPNR_ECP5" --85k --package CABGA381 --speed 6 --lpf "$CONSTR" \
      --json "$out/$TOP.json" --textcfg "$out/$TOP.config" --freq "$FREQ" --seed 1 \
      ${PNR_ARGS:-} --timing-allow-fail --report "$out/nextpnr_report.json" >"$pnr_log" 2>&1 || {
      tail -n 20 "$pnr_log"; die "nextpnr-ecp5"; }
    pnr_s=$(($(date +%s) - ts))
    fmax=$(fmax_of "$pnr_log")
    say "nextpnr done in ${pnr_s}s: Fmax $fmax MHz"
    nice -n 10 "$ECPPACK" --compress "$out/$TOP.config" "$out/$TOP.bit" >"$out/ecppack.log" 2>&1 ||
      die "ecppack"
    pack=$out/$TOP.bit
    say "ecppack: $pack ($(stat -c %s "$pack") bytes)"
    timing="nextpnr-ecp5 timing report in $pnr_log and $out/nextpnr_report.json"
    ;;
esac
if [ -f "$pnr_log" ]; then
  # "Info:  ICESTORM_LC:  1234/  5280    23%" -> ICESTORM_LC=1234/5280
  util=$(awk '/Device utilisation/{u=1; s=""; next}
              u && $3 ~ /^[0-9]+\/$/{n=$2; sub(/:$/, "", n); v=$3; sub(/\/$/, "", v);
                 if (v != "0") s = s n "=" v "/" $4 " "; next}
              u{u=0} END{sub(/ $/, "", s); print s}' "$pnr_log")
  say "placed: $util"
fi

cmd="make fpga TARGET=$target"
{
  echo "target=$target"
  echo "family=$FAMILY"
  echo "top=$TOP"
  # which engine design: its first comment line, and a hash of the RTL read
  echo "engine_design=$(head -n1 rtl/engine/tern_engine.sv | sed 's|^// *||')"
  # shellcheck disable=SC2086
  echo "rtl_sha=$(cat $rtl | sha256sum | cut -c1-12)"
  echo "engine=$(grep -E '^[A-Za-z]+=' "$ecfg" | tr '\n' ' ' | sed 's/ $//')"
  echo "mac_i2=$mac_i2"
  echo "mac_b3=$mac_b3"
  echo "luts=$luts"
  echo "const_mul=$const_mul"
  echo "$res" | tr ' ' '\n' | sed 's/^/yosys_/'
  echo "fmax=$fmax"
  echo "freq=$FREQ"
  echo "min_freq=$MIN_FREQ"
  echo "placed=$util"
  echo "bitstream=$pack"
  echo "timing=$timing"
  echo "synth_s=$synth_s"
  echo "pnr_s=$pnr_s"
  echo "total_s=$(($(date +%s) - t0))"
  echo "yosys=$("$YOSYS" -V 2>/dev/null | cut -d' ' -f1-2)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "date=$(date -u +%Y-%m-%d)"
  echo "command=$cmd"
} >"$out/result.txt"

if [ -n "$fmax" ] && awk -v f="$fmax" -v m="$MIN_FREQ" 'BEGIN{exit !(f + 0 < m + 0)}'; then
  die "Fmax $fmax MHz is below the required $MIN_FREQ MHz"
fi
if [ -n "$fmax" ]; then
  say "done: $luts LUTs, Fmax $fmax MHz (required $MIN_FREQ), $mac_i2 I2 MACs/cycle =" \
    "$(awk -v f="$fmax" -v m="$mac_i2" 'BEGIN{printf "%.1f", f * m / 1000}') G ternary MACs/s; $pack"
else
  say "done: $luts LUTs (utilization only); $out/result.txt"
fi
exit 0
}
