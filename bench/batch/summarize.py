"""Prints run.sh's results as a Markdown table: rows/s of each path, its ratio to raw ONNX Runtime at the same size, where its
time went, and its peak RSS. Usage: summarize.py results.tsv"""

import sys
from collections import defaultdict


def main():
    rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    by_size = defaultdict(list)
    for row in rows:
        by_size[int(row[0])].append(row)
    print("| rows | path | chunk / batch | rows/s | of raw | seconds | where the time went (s) | load | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for size in sorted(by_size):
        raw = [float(r[6]) for r in by_size[size] if r[1] == "raw"]
        limit = max(raw) if raw else None
        for r in by_size[size]:
            path, fields, load, peak = r[1], r[2:-2], r[-2], r[-1]
            if path.startswith("raw"):
                what, batch, n, seconds, rate, read, model, write = fields[:8]
                stages = "read %s, model %s%s" % (read, model, ", write %s" % write if path != "raw" else "")
                param = batch
            elif path.startswith("keel"):
                destination, param, n, seconds, rate, read, model, scoring, write, rest, heap = fields[:11]
                # The write runs on its own thread, overlapping reading and scoring: the stages add up to more than the run.
                rest_text = "rest %s" % rest if float(rest) >= 0 else "the write overlapped the rest"
                stages = "read %s, model %s, Keel's scoring around it %s, write %s (on the writer thread), %s; heap peak %s MiB" % (
                    read, model, scoring, write, rest_text, heap)
            else:
                n, read, predict, to_sql, seconds, rate, _ = fields[:7]
                param = path.split("-", 2)[2]
                param = "to_sql " + path.split("-")[1] + (", chunksize " + param if param != "0" else "")
                stages = "read_parquet %s, predict_proba %s, to_sql %s" % (read, predict, to_sql)
            ratio = "%.0f %%" % (100 * float(rate) / limit) if limit else ""
            print("| {:,} | {} | {} | {:,.0f} | {} | {} | {} | {} | {} |".format(size, path, param, float(rate), ratio, seconds, stages, load, peak))


if __name__ == "__main__":
    main()
