"""Plots for make plots: roofline, tokens/s vs bandwidth, energy per token.
Reads the CSVs tools/perf/tern_perf writes into the given directory."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main(d):
    r = rows(f"{d}/roofline.csv")
    roof = [x for x in r if x["kind"] == "roof"]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog([float(x["intensity"]) for x in roof], [float(x["macs_s"]) for x in roof], "k-",
              label="roof (engine peak, DMA bandwidth)")
    for p in (x for x in r if x["kind"] == "point"):
        ax.loglog(float(p["intensity"]), float(p["macs_s"]), "o", label=p["label"])
    ax.set_xlabel("ternary MACs per DRAM byte")
    ax.set_ylabel("ternary MACs/s")
    ax.set_title("tern roofline")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(f"{d}/roofline.png", dpi=120)

    b = rows(f"{d}/bandwidth.csv")
    fig, ax = plt.subplots(figsize=(6, 4))
    x = [float(v["bw_gbs"]) for v in b]
    ax.loglog(x, [float(v["decode_tok_s"]) for v in b], "-", label="decode (model)")
    ax.loglog(x, [float(v["prefill_tok_s"]) for v in b], "-", label="prefill (model)")
    ax.loglog(x, [float(v["limit_tok_s"]) for v in b], "k--", label="weight-bandwidth limit")
    ax.set_xlabel("memory bandwidth (GB/s)")
    ax.set_ylabel("tokens/s")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(f"{d}/bandwidth.png", dpi=120)

    e = rows(f"{d}/energy.csv")
    # left: every part; right: the parts inside the accelerator (without DRAM
    # and CPU), which are a few percent of the total and vanish on the left
    fig, axs = plt.subplots(1, 2, figsize=(11, 4.5))
    phases = ["decode", "prefill"]
    parts = [v["part"] for v in e if v["phase"] == "decode"]
    colors = {p: plt.cm.tab20(i % 20) for i, p in enumerate(parts)}
    inside = [p for p in parts if not p.startswith("DRAM") and not p.startswith("CPU")]
    for ax, sel, title in ((axs[0], parts, "all parts"), (axs[1], inside, "inside the accelerator")):
        bottom = [0.0, 0.0]
        for part in sel:
            vals = [next(float(v["pj_per_token"]) for v in e
                         if v["phase"] == ph and v["part"] == part) * 1e-6 for ph in phases]
            ax.bar(phases, vals, bottom=bottom, label=part, color=colors[part])
            bottom = [a + b for a, b in zip(bottom, vals)]
        ax.set_ylabel("energy per token (uJ)")
        ax.set_title(title, fontsize=10)
    axs[1].legend(*axs[0].get_legend_handles_labels(), fontsize=7, loc="upper left",
                  bbox_to_anchor=(1.02, 1.0))
    fig.tight_layout()
    fig.savefig(f"{d}/energy.png", dpi=120)
    print(f"plots: {d}/roofline.png {d}/bandwidth.png {d}/energy.png")


if __name__ == "__main__":
    main(sys.argv[1])
