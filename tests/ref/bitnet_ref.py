"""Shared pieces of tern's reference checks against Hugging Face transformers'
BitNet (docs/reference-check.md): writing BitNet checkpoints the way
transformers stores them, loading them back through transformers, running
greedy decoding while recording every BitLinear's int8 input and int32 sums,
and reading the dump of tests/ref/ref_harness.c.

Everything runs in fp32, eagerly (torch.compile is switched off before torch
is imported: the decorators in transformers' integrations/bitnet.py would
otherwise compile the same ops with the C++ inductor).
"""
import json
import os
import struct

os.environ.setdefault("TORCHDYNAMO_DISABLE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import BitNetConfig, BitNetForCausalLM  # noqa: E402
from transformers.cache_utils import DynamicCache  # noqa: E402
from transformers.integrations.bitnet import (  # noqa: E402
    AutoBitLinear,
    BitLinear,
    pack_weights,
    unpack_weights,
)

# tern_wkind order of the seven ternary matrices (firmware/model/tern_model.h)
KINDS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
KIND_PARENT = {"q_proj": "self_attn", "k_proj": "self_attn", "v_proj": "self_attn",
               "o_proj": "self_attn", "gate_proj": "mlp", "up_proj": "mlp", "down_proj": "mlp"}


def absmean(w):
    """tern's absmean rule (docs/numerics.md section 3): the sum of |W| in
    double in index order, one rounding to fp32; trits = clamp(rne(W*s)).
    Returns (trits int8 [out, in], m = mean|W| as fp32)."""
    w32 = np.ascontiguousarray(w, dtype=np.float32)
    total = 0.0
    for v in np.abs(w32.astype(np.float64)).ravel():  # sequential, as the contract says
        total += v
    m = np.float32(max(np.float32(total / w32.size), np.float32(1e-5)))
    s = np.float32(1.0) / m
    t = np.clip(np.rint(w32 * s), -1, 1).astype(np.int8)
    return t, m


def absmean_fast(w):
    """absmean with a float64 sum in numpy's pairwise order: equal to the
    sequential double sum except in the last bits of the double, which the
    rounding to fp32 hides for the sizes used here (checked in the tests)."""
    w32 = np.ascontiguousarray(w, dtype=np.float32)
    m = np.float32(max(np.float32(np.abs(w32.astype(np.float64)).sum() / w32.size), np.float32(1e-5)))
    s = np.float32(1.0) / m
    return np.clip(np.rint(w32 * s), -1, 1).astype(np.int8), m


def make_config(shape):
    """A BitNetConfig from a dict of tern-style names."""
    return BitNetConfig(
        vocab_size=shape["vocab"], hidden_size=shape["hidden"],
        intermediate_size=shape["intermediate"], num_hidden_layers=shape["layers"],
        num_attention_heads=shape["heads"], num_key_value_heads=shape["kv_heads"],
        max_position_embeddings=shape.get("ctx", 256), rms_norm_eps=shape.get("eps", 1e-5),
        rope_theta=shape.get("theta", 500000.0), tie_word_embeddings=shape["tied"],
        bos_token_id=None, eos_token_id=None, torch_dtype="float32")


def random_float_model(shape, seed):
    """A float BitNet model with transformers' own init plus random norm gains
    and a wider embedding / LM head, so logits are well separated."""
    torch.manual_seed(seed)
    cfg = make_config(shape)
    model = BitNetForCausalLM(cfg).to(torch.float32).eval()
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.25 * torch.randn(p.shape, generator=g))
        model.model.embed_tokens.weight.copy_(
            shape.get("emb_std", 1.0) * torch.randn(model.model.embed_tokens.weight.shape, generator=g))
        if not shape["tied"]:
            model.lm_head.weight.copy_(0.5 * torch.randn(model.lm_head.weight.shape, generator=g))
    return model


def ternary_state(model, shape):
    """Float state dict -> {name: (trits int8 [out,in], m fp32)} for every BitLinear."""
    out = {}
    sd = model.state_dict()
    for layer in range(shape["layers"]):
        for kind in KINDS:
            name = f"model.layers.{layer}.{KIND_PARENT[kind]}.{kind}.weight"
            out[name] = absmean_fast(sd[name].numpy())
    return out


def save_checkpoint(model, shape, tern, path, linear_class="bitlinear", scale_dtype=torch.float32):
    """Writes path/model.safetensors + path/config.json as a pre-quantized
    transformers BitNet checkpoint: each BitLinear weight packed with
    transformers' own pack_weights, and weight_scale in the convention of
    linear_class (docs/numerics.md 8.1): "bitlinear" stores the divisor 1/m,
    "autobitlinear" the multiplier m."""
    os.makedirs(path, exist_ok=True)
    tensors = {}
    for name, p in model.state_dict().items():
        if name in tern:
            t, m = tern[name]
            tensors[name] = pack_weights(torch.from_numpy(t.astype(np.int8)).clone())
            sc = np.float32(1.0) / m if linear_class == "bitlinear" else m
            tensors[name[: -len("weight")] + "weight_scale"] = torch.tensor([sc], dtype=scale_dtype)
        elif name == "lm_head.weight" and shape["tied"]:
            continue
        else:
            tensors[name] = p.detach().to(torch.float32).contiguous().clone()
    save_file(tensors, os.path.join(path, "model.safetensors"), metadata={"format": "pt"})
    cfg = model.config.to_dict()
    cfg["quantization_config"] = {"quant_method": "bitnet", "linear_class": linear_class,
                                  "quantization_mode": "offline", "modules_to_not_convert": None,
                                  "use_rms_norm": False}
    cfg["architectures"] = ["BitNetForCausalLM"]
    cfg["torch_dtype"] = "float32"
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)


def load_checkpoint(path, attn="eager"):
    """transformers' own loading path (its BitNet quantizer swaps in BitLinear /
    AutoBitLinear); fails on any missing or unexpected key."""
    model, info = BitNetForCausalLM.from_pretrained(
        path, torch_dtype=torch.float32, attn_implementation=attn, output_loading_info=True)
    bad = {k: v for k, v in info.items() if v and k != "mismatched_keys" or (k == "mismatched_keys" and v)}
    if bad:
        raise RuntimeError(f"transformers loading {path}: {bad}")
    return model.eval()


class Recorder:
    """Records, for every BitLinear of a loaded model and every token
    position, the int8 activations and the int32 sums transformers computed.

    BitLinear: its own activation_quant and post_quant_process are wrapped
    (the values are the ones its forward uses). AutoBitLinear computes no
    integers (ActQuant returns q/s in float); the same rule is applied to its
    input in a pre-hook, and the sums are F.linear of those with the trits."""

    def __init__(self, model):
        self.model = model
        self.x = {}  # (layer, kind, pos) -> int8 [k]
        self.y = {}  # (layer, kind, pos) -> int32 [rows]
        self.v = {}  # (layer, kind, pos) -> fp32 x*s before rounding (to tell ties)
        self.pos0 = 0
        for layer, block in enumerate(model.model.layers):
            for kind in KINDS:
                mod = getattr(getattr(block, KIND_PARENT[kind]), kind)
                self._attach(mod, layer, KINDS.index(kind))

    def _store(self, table, layer, kind, arr):
        a = arr.reshape(-1, arr.shape[-1])
        for i in range(a.shape[0]):
            table[(layer, kind, self.pos0 + i)] = a[i].copy()

    def _attach(self, mod, layer, kind):
        rec = self
        if isinstance(mod, BitLinear):
            aq, pq = mod.activation_quant, mod.post_quant_process

            def activation_quant(inp, num_bits=8):
                q, s = aq(inp, num_bits)
                rec._store(rec.x, layer, kind, q.numpy().astype(np.int8))
                rec._store(rec.v, layer, kind, (inp * s).numpy())  # the product it rounded
                return q, s

            def post_quant_process(y, weight_scale, input_scale):
                yn = y.numpy()
                yi = np.rint(yn).astype(np.int64)
                if not np.array_equal(yi.astype(np.float32), yn):
                    raise AssertionError("transformers' BitLinear sum is not an integer")
                rec._store(rec.y, layer, kind, yi.astype(np.int32))
                return pq(y, weight_scale, input_scale)

            mod.activation_quant = activation_quant
            mod.post_quant_process = post_quant_process
        elif isinstance(mod, AutoBitLinear):
            def pre(m, args):
                inp = args[0].float()
                scale = 127 / inp.abs().max(dim=-1, keepdim=True).values.clamp_(min=1e-5)
                v = inp * scale
                q = v.round().clamp(-128, 127)
                rec._store(rec.x, layer, kind, q.numpy().astype(np.int8))
                rec._store(rec.v, layer, kind, v.numpy())
                y = F.linear(q, m.weight.float())
                rec._store(rec.y, layer, kind, np.rint(y.numpy()).astype(np.int32))

            mod.register_forward_pre_hook(pre)
        else:
            raise TypeError(f"layer {layer} {KINDS[kind]}: {type(mod).__name__} is not a BitLinear")


@torch.no_grad()
def hf_greedy(model, prompt, steps, rec=None):
    """Prompt in one forward, then one token a step with the KV cache.
    Returns (tokens, logits per forward [steps+1, vocab] fp32)."""
    cache = DynamicCache()
    ids = torch.tensor([prompt], dtype=torch.long)
    pos = 0
    toks, logits = [], []
    for s in range(steps + 1):
        if rec:
            rec.pos0 = pos
        out = model(input_ids=ids, past_key_values=cache, use_cache=True)
        lg = out.logits[0, -1].float()
        logits.append(lg.numpy().copy())
        pos += ids.shape[1]
        if s == steps:
            break
        nxt = int(torch.argmax(lg))  # first index of the maximum, as tern_sample
        toks.append(nxt)
        ids = torch.tensor([[nxt]], dtype=torch.long)
    return toks, np.stack(logits)


def ternary_weights(model):
    """{(layer, kind): trits int8 [out, in]} as transformers unpacks them."""
    out = {}
    for layer, block in enumerate(model.model.layers):
        for k, kind in enumerate(KINDS):
            mod = getattr(getattr(block, KIND_PARENT[kind]), kind)
            if isinstance(mod, BitLinear):
                w = unpack_weights(mod.weight, dtype=torch.float32)
            else:
                w = mod.weight.float()
            out[(layer, k)] = w.numpy().astype(np.int8)
    return out


def read_dump(path):
    """ref_harness dump -> (x, y, logits {pos: arr}, tokens [ids])."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"TRD1":
        raise ValueError(f"{path}: not a ref_harness dump")
    off = 4
    x, y, logits, toks = {}, {}, {}, []

    def u32(n):
        nonlocal off
        v = struct.unpack_from(f"<{n}I", data, off)
        off += 4 * n
        return v

    while off < len(data):
        (tag,) = u32(1)
        if tag == ord("G"):
            layer, kind0, nmat, batch, k, pos0 = u32(6)
            xb = np.frombuffer(data, np.int8, batch * k, off).reshape(batch, k)
            off += batch * k
            for b in range(batch):
                for i in range(nmat):
                    x[(layer, kind0 + i, pos0 + b)] = xb[b]
            for i in range(nmat):
                (rows,) = u32(1)
                yb = np.frombuffer(data, np.int32, batch * rows, off).reshape(batch, rows)
                off += 4 * batch * rows
                for b in range(batch):
                    y[(layer, kind0 + i, pos0 + b)] = yb[b]
        elif tag == ord("L"):
            pos, vocab = u32(2)
            logits[pos] = np.frombuffer(data, np.float32, vocab, off)
            off += 4 * vocab
        elif tag == ord("T"):
            _, tid = u32(2)
            toks.append(tid)
        else:
            raise ValueError(f"{path}: bad record tag {tag} at {off - 4}")
    return x, y, logits, toks
