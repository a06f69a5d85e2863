#!/usr/bin/env python3
"""Bar chart of bench_cmodel's CSV: G ternary MACs/s per shape, format and mode.

usage: plot_bench_cmodel.py results.csv out.png
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

MODES = [
    ("ref", "reference"),
    ("fast_1t", "fast, 1 thread"),
    ("fast_all", "fast, all threads"),
    ("gemm8_1t", "GEMM batch 8, 1 thread"),
    ("gemm8_all", "GEMM batch 8, all threads"),
]


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        lines = f.read().splitlines()
    meta = lines[0].lstrip("# ") if lines and lines[0].startswith("#") else ""
    rows = list(csv.DictReader(l for l in lines if not l.startswith("#")))
    if not rows:
        sys.exit("plot_bench_cmodel: no rows in " + argv[1])
    labels = [f"{r['shape'].replace(' ', chr(10))}\n{r['fmt'].upper()}" for r in rows]
    x = np.arange(len(rows))
    width = 0.8 / len(MODES)
    fig, ax = plt.subplots(figsize=(max(8, 1.3 * len(rows)), 5))
    for i, (key, name) in enumerate(MODES):
        vals = [float(r[key]) for r in rows]
        bars = ax.bar(x + (i - (len(MODES) - 1) / 2) * width, vals, width, label=name)
        if key in ("ref", "fast_1t"):
            ax.bar_label(bars, fmt="%.2g" if key == "ref" else "%.0f", fontsize=7)
    ax.set_xticks(x, labels, fontsize=8)
    ax.set_yscale("log")  # the reference is ~1000x slower than the fast path
    ax.set_ylabel("G ternary MACs/s (log scale)")
    ax.set_title("tern golden model matmul (BitNet b1.58 2B4T shapes, rows x K)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8)
    if meta:
        fig.text(0.01, 0.01, meta, fontsize=7, color="gray")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    fig.savefig(argv[2], dpi=120)
    print(f"wrote {argv[2]}")


if __name__ == "__main__":
    main(sys.argv)
