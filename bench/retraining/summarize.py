"""Medians and spreads of bench/retraining/run.sh's results, per data size, as Markdown tables."""
import statistics
import sys

COLUMNS = ["size", "repeat", "train_rows", "holdout_rows", "total", "to_start", "read", "train", "evaluate", "register", "rollout",
           "champion_logloss", "challenger_logloss", "champion_auc", "challenger_auc", "first_train", "run", "calls"]


def spread(values, unit=1000.0, digits=1):
    values = sorted(values)
    median = statistics.median(values) / unit
    return f"{median:.{digits}f} ({values[0] / unit:.{digits}f}-{values[-1] / unit:.{digits}f})"


def main():
    rows = [dict(zip(COLUMNS, line.rstrip("\n").split("\t"))) for line in open(sys.argv[1]) if line.strip()]
    fits = {}
    for line in open(sys.argv[2]):
        _, size, _, jobs, fitted, seconds, logloss, auc = line.split()
        fits.setdefault((size, int(jobs)), []).append((int(fitted), float(seconds), float(logloss), float(auc)))
    sizes = list(dict.fromkeys(row["size"] for row in rows))
    print("| size | June rows (train/holdout) | runs | breach to promoted, s | to run start | read | train | evaluate + gate |"
          " register + rollout start | rollout (canary) | whole run |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        group = [row for row in rows if row["size"] == size]
        cells = [spread([float(row[key]) for row in group], digits=2 if key in ("to_start", "register") else 1)
                 for key in ("total", "to_start", "read", "train", "evaluate", "register", "rollout", "run")]
        print(f"| {size} | {group[0]['train_rows']}/{group[0]['holdout_rows']} | {len(group)} | " + " | ".join(cells) + " |")
    print()
    print("| size | champion logloss | challenger logloss | change | champion AUC | challenger AUC | change |")
    print("|---|---|---|---|---|---|---|")
    for size in sizes:
        group = [row for row in rows if row["size"] == size]
        metrics = {key: statistics.median(float(row[key]) for row in group)
                   for key in ("champion_logloss", "challenger_logloss", "champion_auc", "challenger_auc")}
        distinct = {(row["champion_logloss"], row["challenger_logloss"]) for row in group}
        note = "" if len(distinct) == 1 else " (varies)"
        ll = metrics["challenger_logloss"] - metrics["champion_logloss"]
        auc = metrics["challenger_auc"] - metrics["champion_auc"]
        print(f"| {size} | {metrics['champion_logloss']:.4f} | {metrics['challenger_logloss']:.4f}{note} | {ll:+.4f}"
              f" ({100 * ll / metrics['champion_logloss']:+.1f} %) | {metrics['champion_auc']:.4f} | {metrics['challenger_auc']:.4f}"
              f" | {auc:+.4f} ({100 * auc / metrics['champion_auc']:+.1f} %) |")
    print()
    print("| size | Keel whole run, s | Keel train step, s | sklearn fit 1 thread, s (rows) | sklearn fit 2 threads, s |"
          " run / sklearn 1 thread | train / sklearn 1 thread | sklearn logloss / AUC (own split) |")
    print("|---|---|---|---|---|---|---|---|")
    for size in sizes:
        group = [row for row in rows if row["size"] == size]
        run = statistics.median(float(row["run"]) for row in group) / 1000
        train = statistics.median(float(row["train"]) for row in group) / 1000
        one = fits.get((size, 1), [])
        two = fits.get((size, 2), [])
        if not one:
            continue
        fit = statistics.median(f[1] for f in one)
        fit2 = statistics.median(f[1] for f in two) if two else float("nan")
        print(f"| {size} | {run:.1f} | {train:.1f} | {fit:.2f} ({one[0][0]}) | {fit2:.2f} | {run / fit:.1f}x | {train / fit:.1f}x"
              f" | {one[0][2]:.4f} / {one[0][3]:.4f} |")


if __name__ == "__main__":
    main()
