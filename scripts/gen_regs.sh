#!/usr/bin/env bash
# Generates everything derived from rtl/regs/tern_regs.rdl into OUTDIR:
#   OUTDIR/rtl/regs/gen/tern_regs_pkg.sv, tern_regs.sv   (AXI4-Lite register block)
#   OUTDIR/cmodel/tern_regs.h                              (C header)
#   OUTDIR/docs/registers.md                               (reference)
# usage: scripts/gen_regs.sh OUTDIR   (OUTDIR=. regenerates in the tree)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: gen_regs.sh OUTDIR}
rdl=rtl/regs/tern_regs.rdl
peakrdl=.venv/bin/peakrdl
mkdir -p "$out/rtl/regs/gen" "$out/cmodel" "$out/docs"
$peakrdl regblock "$rdl" -o "$out/rtl/regs/gen" --cpuif axi4-lite-flat --err-if-bad-addr
# Yosys reads only packed structs; every hwif member is a packed type, so
# packing them changes nothing for simulation.
sed -i -E 's/\bstruct \{/struct packed {/' "$out"/rtl/regs/gen/*.sv
$peakrdl c-header "$rdl" -o "$out/cmodel/tern_regs.h"
tmp=$(mktemp --suffix=.md)
$peakrdl markdown "$rdl" -o "$tmp"
{
  echo "<!-- Generated from rtl/regs/tern_regs.rdl by 'make regs'; do not edit. -->"
  echo
  cat "$tmp"
} > "$out/docs/registers.md"
rm -f "$tmp"
