#!/usr/bin/env python3
"""make demo-check: the committed demo model (models/) in transformers and in
tern. transformers loads MODEL-hf/ (its own BitNet loader, AutoBitLinear);
tern runs MODEL.gguf (I2_S + tokenizer metadata) and MODEL-hf/ (packed
safetensors) through tests/ref/ref_harness. Checks:

  tokenizer   tern's encoder (from the GGUF metadata) gives the same ids as
              HF tokenizers with MODEL-hf/tokenizer.json, on sample texts
  per prompt  the same checks as test_ref.py (BitLinear int8/int32, greedy
              tokens, logits within 1e-4), and tern's GGUF and safetensors
              runs give bit-identical logits

    python3 tests/ref/demo_check.py --harness build/ref/ref_harness --model models/tern-demo-kjv
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bitnet_ref as br  # noqa: E402
import numpy as np  # noqa: E402
import test_ref  # noqa: E402

PROMPTS = ["And God said", "In the beginning", "The LORD is my shepherd"]
STEPS = 48
TOKENIZER_TEXTS = [
    "And the LORD spake unto Moses, saying,\nSpeak unto the children of Israel.\n",
    "Let's see: it's 1611, isn't it? We'll go -- 3 shekels, 40 days & 40 nights!!\n\n  indented\tTab",
    "Ünïcödé text, emoji \U0001F600 and CJK \u4e2d\u6587; trailing spaces   \r\nCRLF",
]


def tern_run(harness, model, ids, steps, dump, backend, fmt="b3", batch=16):
    cmd = [harness, "--model", model, "--ids", ",".join(map(str, ids)), "--steps", str(steps),
           "--dump", dump, "--backend", backend, "--fmt", fmt, "--batch", str(batch)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode:
        raise RuntimeError(f"ref_harness failed: {p.stderr.strip()}")
    return br.read_dump(dump)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--harness", required=True)
    ap.add_argument("--model", required=True, help="path prefix: MODEL.gguf and MODEL-hf/")
    ap.add_argument("--backend", default="cmodel")
    ap.add_argument("--steps", type=int, default=STEPS)
    a = ap.parse_args()
    import torch
    from tokenizers import Tokenizer

    torch.set_num_threads(1)
    gguf, hfdir = a.model + ".gguf", a.model + "-hf"
    res = test_ref.Results()
    test_ref.STEPS = a.steps
    tok = Tokenizer.from_file(os.path.join(hfdir, "tokenizer.json"))
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(TOKENIZER_TEXTS):
            path = os.path.join(tmp, f"t{i}.txt")
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            p = subprocess.run([a.harness, "--model", gguf, "--encode", path], capture_output=True, text=True)
            got = [int(v) for v in p.stdout.strip().split(",")] if p.returncode == 0 else None
            want = tok.encode(text).ids
            res.check(got == want, f"tokenizer: sample {i} ({len(want)} tokens)",
                      "" if got == want else f"tern {got} vs hf {want}")
        model = br.load_checkpoint(hfdir)
        trits = br.ternary_weights(model)
        for prompt in PROMPTS:
            ids = tok.encode(prompt).ids
            rec = br.Recorder(model)
            htoks, hlog = br.hf_greedy(model, ids, a.steps, rec)
            name = f"'{prompt}'"
            tg = tern_run(a.harness, gguf, ids, a.steps, os.path.join(tmp, "g.dump"), a.backend)
            test_ref.compare(res, name + " GGUF", (rec.x, rec.y, rec.v, htoks, hlog), tg, trits)
            ts = tern_run(a.harness, hfdir, ids, a.steps, os.path.join(tmp, "s.dump"), a.backend,
                          fmt="i2", batch=3)
            same = ts[3] == tg[3] and all(np.array_equal(ts[2][p], tg[2][p]) for p in tg[2])
            res.check(same, f"{name}: tern GGUF (b3) and safetensors (i2, batch 3) bit-identical")
            print(f"    hf:   {prompt}|{tok.decode(htoks)!r}")
            print(f"    tern: {prompt}|{tok.decode(tg[3])!r}")
    print(f"{res.passed} passed, {res.failed} failed")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
