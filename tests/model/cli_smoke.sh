#!/usr/bin/env bash
# tern CLI smoke test: gen-model -> run on every file format, and clear
# errors (exit 1, one line on stderr) on bad files. Usage: cli_smoke.sh TERN DIR
set -u
TERN=$1 DIR=$2
pass=0 fail=0
ok() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $*" >&2; fi; }
mkdir -p "$DIR"
for t in i2_s tq2_0 tq1_0; do
  ok "$TERN" gen-model --out "$DIR/m_$t.gguf" --shape tiny --layers 1 --seed 4 --ternary $t
done
ok "$TERN" gen-model --out "$DIR/m_st" --shape tiny --layers 1 --seed 4
# greedy output is the same text from every format and both stream formats
ref=$("$TERN" run --model "$DIR/m_i2_s.gguf" --prompt "Hello there" --max-tokens 6 --no-stats)
ok test -n "$ref"
for m in m_tq2_0.gguf m_tq1_0.gguf; do
  for f in i2 b3; do
    out=$("$TERN" run --model "$DIR/$m" --prompt "Hello there" --max-tokens 6 --fmt $f --no-stats)
    ok test "$out" = "$ref"
  done
done
out=$("$TERN" run --model "$DIR/m_st" --tokenizer "$DIR/m_i2_s.gguf" --prompt "Hello there" --max-tokens 6 --no-stats)
ok test "$out" = "$ref"
ok bash -c "'$TERN' run --model '$DIR/m_i2_s.gguf' --prompt hi --max-tokens 3 | grep -q 'modeled KV260'"
# errors: exit status 1 and a message, never a crash
head -c 5000 "$DIR/m_i2_s.gguf" > "$DIR/trunc.gguf"
printf 'GGUF\003\000\000\000' > "$DIR/short.gguf"
printf 'NOPE0000000000000000' > "$DIR/bad.gguf"
for bad in trunc short bad; do
  "$TERN" run --model "$DIR/$bad.gguf" --prompt hi > /dev/null 2> "$DIR/err.txt"
  ok test $? -eq 1
  ok grep -q "^tern: " "$DIR/err.txt"
done
"$TERN" run --model "$DIR/m_i2_s.gguf" --prompt hi --backend nosuch > /dev/null 2>&1
ok test $? -eq 1
"$TERN" run --model "$DIR/m_i2_s.gguf" > /dev/null 2>&1
ok test $? -eq 2
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
