#!/usr/bin/python3
"""Writes Open Inference Protocol v2 request bodies from the held-out German credit rows: body_1row.json, body_32rows.json."""

import csv
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = os.path.join(HERE, "..", "..", "build", "fixtures", "models", "credit_rf_reference.csv")


def main():
    with open(REFERENCE, encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        width = sum(1 for name in header if name.startswith("f"))
        rows = [[float(value) for value in row[:width]] for row in reader]
    for count, name in ((1, "body_1row.json"), (32, "body_32rows.json")):
        body = {"inputs": [{"name": "features", "shape": [count, width], "datatype": "FP32",
                            "data": [value for row in rows[:count] for value in row]}]}
        with open(os.path.join(HERE, name), "w", encoding="utf-8") as handle:
            json.dump(body, handle, separators=(",", ":"))
        print("wrote", name)


if __name__ == "__main__":
    main()
