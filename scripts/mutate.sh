#!/usr/bin/env bash
# Mutation check of the golden model: apply one small arithmetic change at a
# time to a scratch copy of cmodel/ (never the real sources), rebuild the unit
# runner against it and require some test to fail. Prints "N killed, N
# survived" and exits non-zero if any mutant survived or could not be applied.
#
# Usage: scripts/mutate.sh [FILTER]   (FILTER: run only mutants whose label
#                                      contains it)
# A mutant counts as killed when a test fails that passes on the unmutated
# copy, or the runner crashes or hangs; so tests that are already red (work
# in progress elsewhere) neither kill nor hide anything.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${MUTATE_DIR:-$ROOT/build/mutate}
TREE=$WORK/tree
FILTER=${1:-}
TIMEOUT=${MUTATE_TIMEOUT:-120}

# file @@ exact text (must occur once) @@ replacement @@ label
MUTANTS=$(cat <<'EOF'
cmodel/tern_pack.c @@ : 1u; /* pad: zero */ @@ : 0u; /* pad: zero */ @@ pack: pad trits get code 0
cmodel/tern_pack.c @@ (unsigned)(trits[j] + 1) @@ (unsigned)(1 - trits[j]) @@ pack: sign flip in encode
cmodel/tern_pack.c @@ trits[j] = bad ? 0 : (int8_t)((int)code - 1); @@ trits[j] = bad ? 0 : (int8_t)(1 - (int)code); @@ unpack: sign flip in decode
cmodel/tern_pack.c @@ byte > TERN_B3_MAX_VALID; @@ byte > TERN_B3_MAX_VALID + 1u; @@ unpack: B3 >242 becomes >243
cmodel/tern_pack.c @@ int bad = byte_bad || code == 3u; @@ int bad = byte_bad; @@ unpack: I2 code 3 accepted
cmodel/tern_pack.c @@ return ((size_t)k + 4u) / 5u; @@ return ((size_t)k + 3u) / 5u; @@ row_bytes: B3 off by one
cmodel/tern_pack.c @@ return ((size_t)k + 3u) / 4u; @@ return (size_t)k / 4u + 1u; @@ row_bytes: I2 off by one
cmodel/tern_pack.c @@ byte |= code << (2u * t); @@ byte |= code << (2u * (3u - t)); @@ pack: I2 trit order reversed
cmodel/tern_pack.c @@ weight *= 3u; @@ weight *= 4u; @@ pack: B3 base 4
cmodel/tern_pack.c @@ if (w->len < (size_t)w->rows * w->row_stride) @@ if (w->len + 1u < (size_t)w->rows * w->row_stride) @@ wmat_check: length off by one
cmodel/tern_gemm_ref.c @@ return (int)code - 1; @@ return 1 - (int)code; @@ gemm_ref: sign flip in trit decode
cmodel/tern_gemm_ref.c @@ if (byte > TERN_B3_MAX_VALID) { @@ if (byte > TERN_B3_MAX_VALID + 1u) { @@ gemm_ref: B3 >242 becomes >243
cmodel/tern_gemm_ref.c @@ if (code == 3u) { @@ if (code == 4u) { @@ gemm_ref: I2 code 3 accepted
cmodel/tern_gemm_ref.c @@ j < stride * per; j++ @@ j + 1 < stride * per; j++ @@ gemm_ref: last pad trit unchecked
cmodel/tern_gemm_ref.c @@ else if (t == -1) acc -= xb[j]; @@ else if (t == -1) acc += xb[j]; @@ gemm_ref: -1 adds
cmodel/tern_gemm_ref.c @@ >> (2u * (j % 4u))) & 3u; @@ >> (6u - 2u * (j % 4u))) & 3u; @@ gemm_ref: I2 bits MSB first
cmodel/tern_gemm_ref.c @@ t < j % 5u; t++ @@ t <= j % 5u; t++ @@ gemm_ref: B3 digit off by one
cmodel/tern_gemm_ref.c @@ if (x_len < (size_t)(batch - 1) * x_stride + w->k) @@ if (x_len + 1u < (size_t)(batch - 1) * x_stride + w->k) @@ gemm args: x length off by one
cmodel/tern.h @@ #define TERN_I2_ZERO_BYTE 0x55u @@ #define TERN_I2_ZERO_BYTE 0x54u @@ header: I2 zero byte 0x55 -> 0x54
cmodel/tern.h @@ #define TERN_B3_ZERO_BYTE 121u @@ #define TERN_B3_ZERO_BYTE 120u @@ header: B3 zero byte 121 -> 120
cmodel/tern.h @@ #define TERN_B3_MAX_VALID 242u @@ #define TERN_B3_MAX_VALID 243u @@ header: B3 max valid 242 -> 243
cmodel/tern.h @@ #define TERN_MAX_K ((1u << 24) - 1u) @@ #define TERN_MAX_K (1u << 24) @@ header: K limit 2^24
cmodel/tern_quant.c @@ float s = 127.0f / fmaxf(amax, 1e-5f); @@ float s = 126.0f / fmaxf(amax, 1e-5f); @@ act: 127 -> 126
cmodel/tern_quant.c @@ float s = 127.0f / fmaxf(amax, 1e-5f); @@ float s = 127.0f / fmaxf(amax, 1e-4f); @@ act: floor 1e-5 -> 1e-4
cmodel/tern_quant.c @@ float s = 127.0f / fmaxf(amax, 1e-5f); @@ float s = 1.0f / (fmaxf(amax, 1e-5f) / 127.0f); @@ act: scale as 1/(max/127)
cmodel/tern_quant.c @@ (d == 0.5f && fmodf(r, 2.0f) != 0.0f) @@ (d == 0.5f) @@ round: half up instead of even
cmodel/tern_quant.c @@ return copysignf(r, v); @@ return r; @@ round: -0.3 gives +0
cmodel/tern_quant.c @@ q[i] = (int8_t)clamp_int(tern_round_half_even(v), -128, 127); @@ q[i] = (int8_t)clamp_int(tern_round_half_even(v), -128, 126); @@ act: clamp at 126
cmodel/tern_quant.c @@ if (!isfinite(x[i])) return TERN_ERR_VALUE; @@ if (isnan(x[i])) return TERN_ERR_VALUE; @@ act: inf accepted
cmodel/tern_quant.c @@ clamp_int(tern_round_half_even(w[i] * s), -1, 1) @@ clamp_int(tern_round_half_even(w[i] * s), -1, 0) @@ absmean: clamp +1 to 0
cmodel/tern_quant.c @@ sum / (double)n @@ sum / (double)(n + 1u) @@ absmean: mean over n+1
cmodel/tern_quant.c @@ float a = (float)acc[i] / act_scale; @@ float a = (float)acc[i] * (1.0f / act_scale); @@ dequant: multiply by 1/s
cmodel/tern_quant.c @@ y[i] = a * wscale; @@ y[i] = (float)acc[i] * (wscale / act_scale); (void)a; @@ dequant: acc*(ws/s)
cmodel/tern_half.c @@ (exp + 112u) @@ (exp + 111u) @@ f16: exponent bias
cmodel/tern_half.c @@ bits_to_f32(0x33800000u) @@ bits_to_f32(0x34000000u) @@ f16: subnormal scale
cmodel/tern_half.c @@ if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) half++; @@ if (rem >= 0x1000u) half++; @@ f16: ties away from zero
cmodel/tern_half.c @@ if (rem > mid || (rem == mid && (half & 1u))) half++; @@ if (rem >= mid) half++; @@ f16: subnormal ties away
cmodel/tern_half.c @@ return bits_to_f32((uint32_t)h << 16); @@ return bits_to_f32((uint32_t)h << 15); @@ bf16: shift
cmodel/tern_import.c @@ unsigned shift = 2u * (unsigned)(r / planes); @@ unsigned shift = 2u * (unsigned)(r % 4u); @@ hf: row interleave
cmodel/tern_import.c @@ size_t planes = ((size_t)out_features + 3u) / 4u; @@ size_t planes = ((size_t)out_features + 4u) / 4u; @@ hf: ceil(out/4) off by one
cmodel/tern_import.c @@ (byte >> (6u - 2u * (w / 32u))) @@ (byte >> (2u * (w / 32u))) @@ i2s: bit order
cmodel/tern_import.c @@ data[blk * I2S_BLOCK_BYTES + w % 32u] @@ data[blk * I2S_BLOCK_BYTES + w / 4u] @@ i2s: byte index
cmodel/tern_import.c @@ if (!isfinite(s) || s < 0.0f) return TERN_ERR_VALUE; @@ if (!isfinite(s)) return TERN_ERR_VALUE; @@ i2s: negative scale accepted
cmodel/tern_import.c @@ len - nbytes < 4u @@ len - nbytes < 3u @@ i2s: scale length
cmodel/tern_import.c @@ (blk[32u * c + m] >> (2u * l)) & 3u @@ (blk[32u * c + m] >> (6u - 2u * l)) & 3u @@ tq2_0: bit order
cmodel/tern_import.c @@ if (code == 3u) { /* ggml would read +2 here */ @@ if (code == 4u) { /* ggml would read +2 here */ @@ tq2_0: code 3 accepted
cmodel/tern_import.c @@ load_le16(blk + 64) @@ load_le16(blk + 62) @@ tq2_0: scale offset
cmodel/tern_import.c @@ dst[e] = (int8_t)((int)((q * 3u) >> 8) - 1); @@ dst[e] = (int8_t)((int)((q * 3u + 1u) >> 8) - 1); @@ tq1_0: digit rounding
cmodel/tern_import.c @@ {1, 3, 9, 27, 81} @@ {1, 3, 9, 27, 80} @@ tq1_0: power of 3
cmodel/tern_import.c @@ byte = blk[48u + (e - 240u) % 4u]; @@ byte = blk[47u + (e - 240u) % 4u]; @@ tq1_0: qh offset
EOF
)

log() { printf '%s\n' "$*"; }

mkdir -p "$WORK"
rm -rf "$TREE"
mkdir -p "$TREE/mk"
cp -r "$ROOT/cmodel" "$ROOT/tests" "$TREE/"
cp "$ROOT/mk/common.mk" "$ROOT/mk/cmodel.mk" "$TREE/mk/"
# Only the golden-model rules (other areas' makefiles are not needed), plus a
# runner built from per-file objects so a mutant recompiles one library file
# and relinks instead of recompiling every test.
cat >"$TREE/Makefile" <<'MK'
include mk/common.mk
include mk/cmodel.mk
MUT_OBJ := $(patsubst tests/unit/%.c,$(BUILD)/mut/%.o,$(UNIT_SRC))
$(BUILD)/mut/%.o: tests/unit/%.c $(UNIT_HDR) $(CMODEL_HDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_TERN) $(UNIT_DEFS) -Icmodel -c $< -o $@
$(BUILD)/mut/unit_tests: $(MUT_OBJ) $(LIBTERN)
	$(CC) $(CFLAGS_TERN) $^ -lm -lpthread -o $@
MK
rm -rf "$WORK/orig"
cp -r "$TREE/cmodel" "$WORK/orig"

build() { make -s -j"$(nproc)" -C "$TREE" BUILD=build build/mut/unit_tests >"$WORK/build.log" 2>&1; }
# Runs the unit tests; prints the names of failing tests, returns the runner's status.
run_tests() {
  local rc=0
  (cd "$TREE" && timeout "$TIMEOUT" build/mut/unit_tests >"$WORK/run.log" 2>&1) || rc=$?
  sed -n 's/^FAIL \([^ ]*\) (.*/\1/p' "$WORK/run.log" | sort -u >"$WORK/failed.txt"
  return $rc
}

log "mutate: baseline build in $TREE"
if ! build; then
  cat "$WORK/build.log"
  log "mutate: the unmutated copy does not build"
  exit 2
fi
base_rc=0
run_tests || base_rc=$?
if [ "$base_rc" -gt 1 ]; then
  tail -20 "$WORK/run.log"
  log "mutate: the unmutated unit runner crashed (status $base_rc)"
  exit 2
fi
cp "$WORK/failed.txt" "$WORK/baseline_failed.txt"
if [ -s "$WORK/baseline_failed.txt" ]; then
  log "mutate: warning: already failing before mutation (ignored): $(tr '\n' ' ' <"$WORK/baseline_failed.txt")"
fi

killed=0 survived=0 broken=0 n=0
while IFS= read -r line; do
  [ -z "$line" ] && continue
  file=$(awk -F' @@ ' '{print $1}' <<<"$line")
  from=$(awk -F' @@ ' '{print $2}' <<<"$line")
  to=$(awk -F' @@ ' '{print $3}' <<<"$line")
  label=$(awk -F' @@ ' '{print $4}' <<<"$line")
  if [ -n "$FILTER" ] && [[ "$label" != *"$FILTER"* ]]; then continue; fi
  n=$((n + 1))
  rel=${file#cmodel/}
  cp "$WORK/orig/$rel" "$TREE/$file"
  count=$(FROM="$from" perl -0ne 'my $n = () = /\Q$ENV{FROM}\E/g; print $n' "$TREE/$file")
  if [ "$count" != 1 ]; then
    log "BROKEN   $label: pattern found $count times in $file (update the mutant list)"
    broken=$((broken + 1))
    continue
  fi
  FROM="$from" TO="$to" perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' "$TREE/$file"
  if ! build; then
    log "BROKEN   $label: does not compile"
    broken=$((broken + 1))
    cp "$WORK/orig/$rel" "$TREE/$file"
    continue
  fi
  rc=0
  run_tests || rc=$?
  new=$(comm -23 "$WORK/failed.txt" "$WORK/baseline_failed.txt" | tr '\n' ' ')
  if [ "$rc" -gt 1 ]; then
    log "killed   $label (runner status $rc)"
    killed=$((killed + 1))
  elif [ -n "$new" ]; then
    log "killed   $label by: $new"
    killed=$((killed + 1))
  else
    log "SURVIVED $label ($file)"
    survived=$((survived + 1))
  fi
  cp "$WORK/orig/$rel" "$TREE/$file"
done <<<"$MUTANTS"

log "mutate: $n mutants, $broken not applicable"
log "$killed killed, $survived survived"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ] && [ "$n" -gt 0 ]
