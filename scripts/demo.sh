#!/usr/bin/env bash
# make demo: tern's trained BitNet b1.58 demo model (models/README.md) writes
# English on the RTL accelerator (Verilated tern_top, driver "rtl" backend),
# then the same run on the golden model (driver "cmodel" backend) must give
# the same text and the same integer result of every GEMM.
# usage: scripts/demo.sh TERN_BIN [PROMPT] [TOKENS]
set -euo pipefail
tern=$1
prompt=${2:-And God said}
tokens=${3:-96}
# sampled with a fixed seed: both backends must draw the same tokens
sample=(--temp 0.7 --top-p 0.9 --seed 3)
model=models/tern-demo-kjv.gguf
out=build/demo
mkdir -p "$out"

echo "== tern demo: $model on the RTL (Verilated tern_top, engine config demo, 128-bit AXI) =="
echo "prompt: \"$prompt\" (temperature 0.7, top-p 0.9, seed 3)"
echo
"$tern" run --model "$model" --prompt "$prompt" --max-tokens "$tokens" "${sample[@]}" --backend rtl | tee "$out/rtl.out"
echo
echo "== the same run on the golden model (cmodel backend) =="
"$tern" run --model "$model" --prompt "$prompt" --max-tokens "$tokens" "${sample[@]}" --backend cmodel > "$out/cmodel.out"
pick() { sed -n '1,/^---$/p; /^integer results/p' "$1"; }
if [ "$(pick "$out/rtl.out")" == "$(pick "$out/cmodel.out")" ]; then
  echo "RTL and golden model agree: identical text and $(grep '^integer results' "$out/rtl.out" | sed 's/^integer results: //')"
else
  echo "MISMATCH between the RTL and the golden model:" >&2
  diff <(pick "$out/rtl.out") <(pick "$out/cmodel.out") >&2 || true
  exit 1
fi
