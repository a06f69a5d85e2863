#!/usr/bin/env bash
# Line / toggle / branch coverage percentages from a Verilator coverage.dat
# (points with a nonzero count over all points, per coverage type).
set -euo pipefail
dat=${1:?usage: cov_summary.sh coverage.dat}
LC_ALL=C awk '
  /^C / {
    n = $NF
    page = $0
    sub(/.*\001page\002/, "", page)
    sub(/[\001\047].*/, "", page)
    split(page, p, "/")
    t = p[1]; sub(/^v_/, "", t)
    tot[t]++; if (n + 0 > 0) hit[t]++
  }
  END {
    for (t in tot) {
      printf "%-8s coverage: %6.2f%%  (%d of %d points)\n", t, 100.0 * hit[t] / tot[t], hit[t], tot[t]
      all += tot[t]; allhit += hit[t]
    }
    if (all) printf "%-8s coverage: %6.2f%%  (%d of %d points)\n", "total", 100.0 * allhit / all, allhit, all
  }' "$dat" | sort
