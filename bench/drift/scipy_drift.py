#!/usr/bin/python3
"""SciPy side of the drift benchmark: writes the seeded data set (1M reference x 1M current rows x 20 numeric
features, raw little-endian float64, one file per column and side) unless present, then times the same drift report
as DriftBenchmark.java: Evidently's default for this size (Wasserstein distance / reference std) and the full set
(KS two-sample test, Wasserstein, PSI on 10 reference-quantile bins, Jensen-Shannon on Sturges bins).

Run: /usr/bin/python3 bench/drift/scipy_drift.py /tmp/keel-drift-bench
"""
import os
import sys
import time

import numpy as np
from scipy import stats
from scipy.spatial import distance

ROWS = 1_000_000
FEATURES = 20


def generate(folder):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(42)
    for j in range(FEATURES):
        if os.path.exists(os.path.join(folder, f"cur_{j}.f64")):
            continue
        kind = j % 4
        if kind == 0:
            ref, cur = rng.normal(0, 1, ROWS), rng.normal(0.02 * j, 1, ROWS)
        elif kind == 1:
            ref, cur = rng.lognormal(0, 0.5, ROWS), rng.lognormal(0.01 * j, 0.5, ROWS)
        elif kind == 2:
            ref, cur = rng.exponential(1.0, ROWS), rng.exponential(1.0 + 0.01 * j, ROWS)
        else:
            ref, cur = np.round(rng.normal(50, 10, ROWS), 1), np.round(rng.normal(50, 10 + 0.1 * j, ROWS), 1)
        ref.astype("<f8").tofile(os.path.join(folder, f"ref_{j}.f64"))
        cur.astype("<f8").tofile(os.path.join(folder, f"cur_{j}.f64"))


def psi(ref, cur, bins=10):
    edges = np.unique(np.quantile(ref, np.arange(1, bins) / bins))
    r = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1) / len(ref)
    c = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1) / len(cur)
    for p in (r, c):
        m = p[p != 0].min()
        np.place(p, p == 0, m / 10 ** 6 if m <= 0.0001 else 0.0001)
    return np.sum((r - c) * np.log(r / c))


def jensenshannon(ref, cur):
    bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
    return distance.jensenshannon(np.histogram(ref, bins)[0] / len(ref), np.histogram(cur, bins)[0] / len(cur))


def wasserstein(ref, cur):
    return stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/keel-drift-bench"
    generate(folder)
    data = [(np.fromfile(os.path.join(folder, f"ref_{j}.f64"), "<f8"), np.fromfile(os.path.join(folder, f"cur_{j}.f64"), "<f8"))
            for j in range(FEATURES)]
    start = time.perf_counter()
    default = [wasserstein(r, c) for r, c in data]
    default_seconds = time.perf_counter() - start
    start = time.perf_counter()
    full = [(stats.ks_2samp(r, c), wasserstein(r, c), psi(r, c), jensenshannon(r, c)) for r, c in data]
    full_seconds = time.perf_counter() - start
    drifted = sum(1 for w in default if w >= 0.1)
    print(f"scipy default report (wasserstein): {default_seconds:.2f} s, drifted columns {drifted}/{FEATURES}")
    print(f"scipy full report (ks, wasserstein, psi, jensenshannon): {full_seconds:.2f} s")
    for j, (ks, w, p, js) in enumerate(full):
        print(f"  f{j}: ks={ks.statistic:.6g} p={ks.pvalue:.6g} wasserstein={w:.6g} psi={p:.6g} js={js:.6g}")


if __name__ == "__main__":
    main()
