#!/usr/bin/env bash
# rtl vs cmodel: the same model and prompt must give identical text and
# identical integer results (hash of every GEMM result) on both backends.
# usage: backend_parity.sh TERN_BIN WORKDIR
set -u
tern=$1 work=$2
mkdir -p "$work"
pass=0 fail=0
check() { # name, gen-model args..., -- run args...
  local name=$1; shift
  local gen=() run=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do gen+=("$1"); shift; done
  shift
  run=("$@")
  local m="$work/$name"
  if ! "$tern" gen-model "${gen[@]}" --out "$m" > "$work/$name.gen.log" 2>&1; then
    echo "FAIL $name: gen-model"; fail=$((fail + 1)); return
  fi
  local model=$m; [ -d "$m" ] || [ -f "$m" ] || { echo "FAIL $name: no model"; fail=$((fail + 1)); return; }
  for b in cmodel rtl; do
    "$tern" run --model "$model" "${run[@]}" --backend "$b" > "$work/$name.$b.out" 2>&1
    echo "rc=$?" >> "$work/$name.$b.out"
  done
  # text before the statistics, the hash line, and the traffic lines
  local a c
  a=$(sed -n '1,/^---$/p; /^integer results/p; /bytes read/p; /^rc=/p' "$work/$name.cmodel.out")
  c=$(sed -n '1,/^---$/p; /^integer results/p; /bytes read/p; /^rc=/p' "$work/$name.rtl.out")
  if [ "$a" == "$c" ] && grep -q '^rc=0' "$work/$name.rtl.out" && grep -q '^integer results' "$work/$name.rtl.out"; then
    echo "ok   $name: $(grep '^integer results' "$work/$name.rtl.out")"; pass=$((pass + 1))
  else
    echo "FAIL $name: backends differ"; diff <(echo "$a") <(echo "$c") | head -10; fail=$((fail + 1))
  fi
}
check tiny_i2s_b3.gguf --shape tiny --seed 11 -- --prompt "ternary" --max-tokens 6
check tiny_tq2_i2.gguf --shape tiny --seed 12 --ternary tq2_0 -- --prompt "engine" --max-tokens 6 --fmt i2
check tiny_tq1_b3.gguf --shape tiny --seed 13 --ternary tq1_0 -- --prompt "a b c" --max-tokens 4 --batch 3
check tiny_st_i2 --shape tiny --seed 14 --format safetensors -- --ids 1,2,3,4,5 --max-tokens 6 --fmt i2 --temp 0.8 --seed 5
echo "parity: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
