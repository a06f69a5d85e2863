#!/usr/bin/env python3
"""Text from the exported demo model in transformers (torch): greedy, and
sampled with temperature / top-p (torch's generator: not comparable token for
token with tern's sampler; the greedy text is, see make demo-check).

    python3 models/sample_demo.py --model models/tern-demo-kjv [--prompt TEXT] [--tokens N]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ref"))
import bitnet_ref as br  # noqa: E402
import torch  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="path prefix: MODEL-hf/ is read")
    ap.add_argument("--prompt", action="append")
    ap.add_argument("--tokens", type=int, default=60)
    ap.add_argument("--temp", type=float, default=0.8)
    ap.add_argument("--top-p", type=float, default=0.9)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(1)
    hf = a.model + "-hf"
    tok = Tokenizer.from_file(os.path.join(hf, "tokenizer.json"))
    model = br.load_checkpoint(hf)
    torch.manual_seed(a.seed)
    for prompt in a.prompt or ["And God said", "In the beginning", "The LORD is my shepherd"]:
        ids = tok.encode(prompt).ids
        greedy, _ = br.hf_greedy(model, ids, a.tokens)
        print(f"greedy  | {prompt}{tok.decode(greedy)}")
        with torch.no_grad():
            out = model.generate(torch.tensor([ids]), max_new_tokens=a.tokens, do_sample=True,
                                 temperature=a.temp, top_p=a.top_p, top_k=0, pad_token_id=0)
        print(f"sampled | {prompt}{tok.decode(out[0, len(ids):].tolist())}")


if __name__ == "__main__":
    main()
