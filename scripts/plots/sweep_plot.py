"""make sweep: tokens/s and energy per token against LUTs (or area)."""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(src, dst):
    with open(src, newline="") as f:
        r = list(csv.DictReader(f))
    fig, axs = plt.subplots(1, 2, figsize=(11, 4))
    luts = [float(v["luts"]) for v in r]
    bw = sorted({float(v["bw_gbs"]) for v in r})
    for b in bw:
        sel = [v for v in r if float(v["bw_gbs"]) == b]
        axs[0].scatter([float(v["luts"]) for v in sel], [float(v["decode_tok_s"]) for v in sel],
                       s=8, label=f"{b:g} GB/s")
        axs[1].scatter([float(v["luts"]) for v in sel],
                       [float(v["decode_pj_token"]) * 1e-6 for v in sel], s=8, label=f"{b:g} GB/s")
    axs[0].set_ylabel("decode tokens/s (sequences = engine batch)")
    axs[1].set_ylabel("decode energy per token (uJ)")
    for a in axs:
        a.set_xscale("log")
        a.set_yscale("log")
        a.set_xlabel("LUTs (LUT/MAC coefficient x MACs/cycle + fixed)")
        a.grid(True, which="both", alpha=0.3)
        a.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(dst, dpi=120)
    print(f"sweep: {len(luts)} points -> {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
