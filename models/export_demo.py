#!/usr/bin/env python3
"""Exports the trained demo model (train_demo.py's qat.pt) for tern and for
transformers, from the same trits and scales:

- OUT.gguf: GGUF v3, architecture "bitnet-b1.58" (bitnet.cpp's), ternary
  matrices in I2_S (bitnet.cpp's layout, docs/numerics.md 8.2), embedding in
  F16 (tied LM head), norms in F32, and the byte-level BPE tokenizer in the
  metadata (tokenizer.ggml.model "gpt2": tokens, token types, merges).
- OUT-hf/: model.safetensors + config.json + tokenizer.json as a
  pre-quantized transformers BitNet checkpoint (transformers' pack_weights,
  linear_class "autobitlinear": weight_scale is the multiplier).

Trits and scale of each matrix follow tern's absmean rule (numerics.md 3);
the scale is then rounded to fp16 so that every format holds it exactly.

    python3 models/export_demo.py --ckpt build/models/qat.pt \
        --tokenizer build/models/tokenizer.json --out models/tern-demo-kjv
"""
import argparse
import json
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ref"))
import bitnet_ref as br  # noqa: E402  (sets the torch environment first)
import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import BitNetConfig  # noqa: E402
from transformers.integrations.bitnet import pack_weights  # noqa: E402

GGUF_TYPES = {"u32": 4, "i32": 5, "f32": 6, "bool": 7, "str": 8, "arr": 9}
GGML_F32, GGML_F16, GGML_I2S = 0, 1, 36
ALIGN = 32


def gguf_str(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def gguf_kv(key, kind, val):
    out = gguf_str(key) + struct.pack("<I", GGUF_TYPES[kind])
    if kind == "u32":
        return out + struct.pack("<I", val)
    if kind == "f32":
        return out + struct.pack("<f", val)
    if kind == "bool":
        return out + struct.pack("<B", 1 if val else 0)
    if kind == "str":
        return out + gguf_str(val)
    etype, items = val  # array
    out += struct.pack("<IQ", GGUF_TYPES[etype], len(items))
    if etype == "str":
        return out + b"".join(gguf_str(s) for s in items)
    if etype == "i32":
        return out + struct.pack(f"<{len(items)}i", *items)
    raise ValueError(etype)


def pack_i2s(trits, scale):
    """bitnet.cpp I2_S: row-major elements in blocks of 128; byte j % 32 of a
    block holds element j at bits 7-2(j/32) .. 6-2(j/32) as code w + 1; then
    the fp32 scale, padded to 32 bytes."""
    flat = trits.astype(np.int16).ravel() + 1
    assert flat.size % 128 == 0, "I2_S needs a multiple of 128 elements"
    blk = flat.reshape(-1, 4, 32)  # [block][j // 32][j % 32]
    b = (blk[:, 0] << 6) | (blk[:, 1] << 4) | (blk[:, 2] << 2) | blk[:, 3]
    return b.astype(np.uint8).tobytes() + struct.pack("<f", float(scale)) + bytes(28)


def write_gguf(path, kvs, tensors):
    """tensors: [(name, ggml_type, ne list (ne0 first), bytes)]"""
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kvs)) + b"".join(kvs)
    infos, off = b"", 0
    for name, typ, ne, data in tensors:
        infos += gguf_str(name) + struct.pack("<I", len(ne)) + struct.pack(f"<{len(ne)}Q", *ne)
        infos += struct.pack("<IQ", typ, off)
        off += (len(data) + ALIGN - 1) // ALIGN * ALIGN
    blob = head + infos
    blob += bytes((-len(blob)) % ALIGN)
    with open(path, "wb") as f:
        f.write(blob)
        for _, _, _, data in tensors:
            f.write(data)
            f.write(bytes((-len(data)) % ALIGN))


def tokenizer_meta(tok_path):
    spec = json.load(open(tok_path, encoding="utf-8"))
    vocab = spec["model"]["vocab"]
    tokens = [None] * len(vocab)
    for t, i in vocab.items():
        tokens[i] = t
    special = {a["id"] for a in spec.get("added_tokens", []) if a.get("special")}
    types = [3 if i in special else 1 for i in range(len(tokens))]
    merges = [m if isinstance(m, str) else " ".join(m) for m in spec["model"]["merges"]]
    return tokens, types, merges, sorted(special)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--out", required=True, help="writes OUT.gguf and OUT-hf/")
    a = ap.parse_args()
    ck = torch.load(a.ckpt, map_location="cpu", weights_only=False)
    sd = {k: v.float() for k, v in ck["model"].items()}
    cfg = BitNetConfig.from_dict(ck["config"])
    L, H = cfg.num_hidden_layers, cfg.hidden_size
    hd = H // cfg.num_attention_heads

    tern = {}
    for layer in range(L):
        for kind in br.KINDS:
            name = f"model.layers.{layer}.{br.KIND_PARENT[kind]}.{kind}.weight"
            t, m = br.absmean_fast(sd[name].numpy())
            tern[name] = (t, np.float32(np.float16(m)))
    emb16 = sd["model.embed_tokens.weight"].numpy().astype(np.float16)

    # ---- GGUF for tern
    tokens, types, merges, special = tokenizer_meta(a.tokenizer)
    A = "bitnet-b1.58"
    kvs = [
        gguf_kv("general.architecture", "str", A),
        gguf_kv("general.name", "str", "tern-demo-kjv"),
        gguf_kv(f"{A}.block_count", "u32", L),
        gguf_kv(f"{A}.context_length", "u32", cfg.max_position_embeddings),
        gguf_kv(f"{A}.embedding_length", "u32", H),
        gguf_kv(f"{A}.feed_forward_length", "u32", cfg.intermediate_size),
        gguf_kv(f"{A}.attention.head_count", "u32", cfg.num_attention_heads),
        gguf_kv(f"{A}.attention.head_count_kv", "u32", cfg.num_key_value_heads),
        gguf_kv(f"{A}.attention.layer_norm_rms_epsilon", "f32", cfg.rms_norm_eps),
        gguf_kv(f"{A}.rope.freq_base", "f32", cfg.rope_theta),
        gguf_kv(f"{A}.rope.dimension_count", "u32", hd),
        gguf_kv(f"{A}.vocab_size", "u32", cfg.vocab_size),
        gguf_kv("tokenizer.ggml.model", "str", "gpt2"),
        gguf_kv("tokenizer.ggml.pre", "str", "llama-bpe"),
        gguf_kv("tokenizer.ggml.tokens", "arr", ("str", tokens)),
        gguf_kv("tokenizer.ggml.token_type", "arr", ("i32", types)),
        gguf_kv("tokenizer.ggml.merges", "arr", ("str", merges)),
        gguf_kv("tokenizer.ggml.eos_token_id", "u32", special[0]),
        gguf_kv("tokenizer.ggml.add_bos_token", "bool", False),
    ]
    f32 = lambda n: sd[n].numpy().astype("<f4").tobytes()  # noqa: E731
    tensors = [("token_embd.weight", GGML_F16, [H, cfg.vocab_size], emb16.astype("<f2").tobytes()),
               ("output_norm.weight", GGML_F32, [H], f32("model.norm.weight"))]
    gg = {"q_proj": "attn_q", "k_proj": "attn_k", "v_proj": "attn_v", "o_proj": "attn_output",
          "gate_proj": "ffn_gate", "up_proj": "ffn_up", "down_proj": "ffn_down"}
    for layer in range(L):
        p = f"model.layers.{layer}."
        tensors.append((f"blk.{layer}.attn_norm.weight", GGML_F32, [H], f32(p + "input_layernorm.weight")))
        tensors.append((f"blk.{layer}.ffn_norm.weight", GGML_F32, [H],
                        f32(p + "post_attention_layernorm.weight")))
        tensors.append((f"blk.{layer}.attn_sub_norm.weight", GGML_F32, [H],
                        f32(p + "self_attn.attn_sub_norm.weight")))
        tensors.append((f"blk.{layer}.ffn_sub_norm.weight", GGML_F32, [cfg.intermediate_size],
                        f32(p + "mlp.ffn_sub_norm.weight")))
        for kind in br.KINDS:
            t, ws = tern[f"{p}{br.KIND_PARENT[kind]}.{kind}.weight"]
            tensors.append((f"blk.{layer}.{gg[kind]}.weight", GGML_I2S, [t.shape[1], t.shape[0]],
                            pack_i2s(t, ws)))
    write_gguf(a.out + ".gguf", kvs, tensors)

    # ---- transformers checkpoint from the same values
    hf = a.out + "-hf"
    os.makedirs(hf, exist_ok=True)
    st = {}
    for name, v in sd.items():
        if name in tern:
            t, ws = tern[name]
            st[name] = pack_weights(torch.from_numpy(t.copy()))
            st[name[: -len("weight")] + "weight_scale"] = torch.tensor([ws], dtype=torch.float32)
        elif name == "model.embed_tokens.weight":
            st[name] = torch.from_numpy(emb16.copy())
        elif name != "lm_head.weight":
            st[name] = v.contiguous()
    save_file(st, os.path.join(hf, "model.safetensors"), metadata={"format": "pt"})
    c = cfg.to_dict()
    c["quantization_config"] = {"quant_method": "bitnet", "linear_class": "autobitlinear",
                                "quantization_mode": "offline", "modules_to_not_convert": None,
                                "use_rms_norm": False}
    c["architectures"] = ["BitNetForCausalLM"]
    c["torch_dtype"] = "float32"
    with open(os.path.join(hf, "config.json"), "w") as f:
        json.dump(c, f, indent=2, sort_keys=True)
    with open(a.tokenizer, encoding="utf-8") as f:
        tj = f.read()
    with open(os.path.join(hf, "tokenizer.json"), "w", encoding="utf-8") as f:
        f.write(tj)
    nz = sum(int(np.count_nonzero(t)) for t, _ in tern.values())
    nt = sum(t.size for t, _ in tern.values())
    print(f"export: {a.out}.gguf ({os.path.getsize(a.out + '.gguf')} bytes), {hf}/ "
          f"({os.path.getsize(os.path.join(hf, 'model.safetensors'))} bytes); "
          f"{nt} trits, {100.0 * (nt - nz) / nt:.1f}% zero")


if __name__ == "__main__":
    main()
