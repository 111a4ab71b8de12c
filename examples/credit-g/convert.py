#!/usr/bin/python3
"""Converts Weka's credit-g.arff (UCI Statlog German credit) into credit-g.csv.

Usage: convert.py credit-g.arff credit-g.csv

The header keeps the arff attribute names; nominal values keep their text, unquoted
unless a value needs CSV quoting; numbers written as whole numbers stay whole.
"""
import csv
import sys


def parse_arff(path):
    names, rows, in_data = [], [], False
    with open(path, encoding="utf-8") as arff:
        for line in arff:
            line = line.strip()
            if not line or line.startswith("%"):
                continue
            lower = line.lower()
            if not in_data and lower.startswith("@attribute"):
                names.append(line.split(None, 2)[1])
            elif not in_data and lower.startswith("@data"):
                in_data = True
            elif in_data:
                row = next(csv.reader([line], quotechar="'", skipinitialspace=True))
                if len(row) != len(names):
                    raise ValueError(f"row {len(rows) + 1} has {len(row)} values, expected {len(names)}: {line}")
                rows.append([normalise(value) for value in row])
    return names, rows


def normalise(value):
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if number.is_integer() else value


def main(source, target):
    names, rows = parse_arff(source)
    with open(target, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
    print(f"{target}: {len(rows)} rows x {len(names)} columns")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: convert.py credit-g.arff credit-g.csv")
    main(sys.argv[1], sys.argv[2])
