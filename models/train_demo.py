#!/usr/bin/env python3
"""Trains tern's demo model: a small BitNet b1.58 model on the King James
Bible (models/README.md), with quantization-aware training in transformers'
own BitNet classes, and exports it for tern.

- Tokenizer: byte-level BPE trained here (HF tokenizers), with the Llama-3
  pre-tokenizer split that tern's tokenizer implements, `ignore_merges` as in
  Llama 3, and one control token <|endoftext|>.
- Model: transformers' BitNetForCausalLM (RMSNorm, attn/ffn sub-norms,
  relu^2 FFN, GQA, NeoX RoPE, tied embeddings) with every q/k/v/o/gate/up/
  down projection an AutoBitLinear in "online" mode: absmean ternary weights
  and per-token absmax int8 activations, each with a straight-through
  estimator (transformers' WeightQuant / ActQuant), i.e. the b1.58 recipe.
- Export (export_demo.py): trits and scales by tern's absmean rule.

    bible Gen1:1-Rev22:21 | python3 models/prep_corpus.py > build/models/kjv.txt
    python3 models/train_demo.py --corpus build/models/kjv.txt --out build/models
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("TORCHDYNAMO_DISABLE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402
from torch import nn  # noqa: E402
from transformers import BitNetConfig, BitNetForCausalLM  # noqa: E402
from transformers.integrations.bitnet import AutoBitLinear  # noqa: E402

LLAMA3_SPLIT = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|"
                r" ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
EOT = "<|endoftext|>"


def train_tokenizer(text_path, vocab, out_path):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    tr = trainers.BpeTrainer(vocab_size=vocab, special_tokens=[EOT], show_progress=False,
                             initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train([text_path], tr)
    # Llama 3 (and tern) emit a piece that is a whole token without merging
    spec = json.loads(tok.to_str())
    spec["model"]["ignore_merges"] = True
    tok = Tokenizer.from_str(json.dumps(spec))
    tok.save(out_path)
    return tok


def make_config(a, vocab):
    return BitNetConfig(
        vocab_size=vocab, hidden_size=a.hidden, intermediate_size=a.intermediate,
        num_hidden_layers=a.layers, num_attention_heads=a.heads, num_key_value_heads=a.kv_heads,
        max_position_embeddings=a.ctx, rms_norm_eps=1e-5, rope_theta=a.theta,
        tie_word_embeddings=True, bos_token_id=None, eos_token_id=0, torch_dtype="float32")


def qat_model(cfg):
    """BitNetForCausalLM with every projection in the blocks an online
    AutoBitLinear (the LM head / embedding stay float, as in BitNet)."""
    model = BitNetForCausalLM(cfg)
    for block in model.model.layers:
        for parent in (block.self_attn, block.mlp):
            for name, mod in list(parent.named_children()):
                if isinstance(mod, nn.Linear):
                    q = AutoBitLinear(mod.in_features, mod.out_features, bias=False, online_quant=True)
                    with torch.no_grad():
                        q.weight.copy_(mod.weight)
                    setattr(parent, name, q)
    return model


def batches(data, seq, bsz, rng):
    starts = rng.integers(0, len(data) - seq - 1, bsz)
    x = np.stack([data[s: s + seq + 1] for s in starts]).astype(np.int64)
    return torch.from_numpy(x[:, :-1]), torch.from_numpy(x[:, 1:])


@torch.no_grad()
def evaluate(model, data, seq, n, seed):
    model.eval()
    rng = np.random.default_rng(seed)
    tot = 0.0
    for _ in range(n):
        x, y = batches(data, seq, 16, rng)
        lg = model(input_ids=x).logits
        tot += float(nn.functional.cross_entropy(lg.reshape(-1, lg.shape[-1]), y.reshape(-1)))
    model.train()
    return tot / n


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", type=int, default=1024)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--intermediate", type=int, default=768)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=256)
    ap.add_argument("--theta", type=float, default=10000.0)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--wd", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--eval-every", type=int, default=250)
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    log = open(os.path.join(a.out, "train.log"), "w")

    def say(msg):
        print(msg, flush=True)
        log.write(msg + "\n")
        log.flush()

    say("command: python3 " + " ".join(sys.argv))
    say(f"torch {torch.__version__}, threads {a.threads}")
    t0 = time.time()
    tok = train_tokenizer(a.corpus, a.vocab, os.path.join(a.out, "tokenizer.json"))
    with open(a.corpus, encoding="utf-8") as f:
        text = f.read()
    # the last 1000 verses are held out for validation
    lines = text.splitlines(keepends=True)
    train_text, val_text = "".join(lines[:-1000]), "".join(lines[-1000:])
    train = np.array(tok.encode(train_text).ids, dtype=np.uint16)
    val = np.array(tok.encode(val_text).ids, dtype=np.uint16)
    say(f"tokenizer: vocab {tok.get_vocab_size()}, train {len(train)} tokens "
        f"({len(train_text.encode()) / len(train):.2f} bytes/token), val {len(val)}, "
        f"{time.time() - t0:.1f} s")

    cfg = make_config(a, tok.get_vocab_size())
    model = qat_model(cfg)
    model.train()
    n_tern = sum(p.numel() for n, p in model.named_parameters() if "proj" in n)
    n_all = sum(p.numel() for p in model.parameters())
    say(f"model: hidden {a.hidden}, intermediate {a.intermediate}, layers {a.layers}, heads "
        f"{a.heads}/{a.kv_heads}, ctx {a.ctx}; {n_tern} ternary weights, {n_all} parameters")

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.wd},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95), eps=1e-8)

    def lr_at(step):
        if step < a.warmup:
            return a.lr * (step + 1) / a.warmup
        p = (step - a.warmup) / max(1, a.steps - a.warmup)
        return a.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))

    rng = np.random.default_rng(a.seed)
    t0 = time.time()
    run = 0.0
    for step in range(a.steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        x, y = batches(train, a.seq, a.batch, rng)
        lg = model(input_ids=x).logits
        loss = nn.functional.cross_entropy(lg.reshape(-1, lg.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run += loss.item()
        if (step + 1) % a.log_every == 0:
            el = time.time() - t0
            say(f"step {step + 1} tokens {(step + 1) * a.batch * a.seq} train_loss "
                f"{run / a.log_every:.4f} lr {lr_at(step):.2e} elapsed {el:.0f} s "
                f"({(step + 1) * a.batch * a.seq / el:.0f} tok/s)")
            run = 0.0
        if (step + 1) % a.eval_every == 0 or step + 1 == a.steps:
            say(f"step {step + 1} val_loss {evaluate(model, val, a.seq, 8, 7):.4f}")
            torch.save({"model": model.state_dict(), "config": cfg.to_dict(), "args": vars(a),
                        "step": step + 1}, os.path.join(a.out, "qat.pt"))
    say(f"done: {a.steps} steps in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
