"""The same work as bench/pipelines/flights.yaml in pandas (Debian python3-pandas; reads the CSV copy, as Debian's pandas
has no Parquet reader, and writes CSV for the same reason): trim and upper-case the airport codes, quarantine rows without
both codes or with a non-positive distance, drop exact duplicates, write snapshot and quarantine, and profile every column
(count, nulls, distinct, min/max, mean, quantiles, 10-bin histogram, top values)."""
import sys
import time

import numpy as np
import pandas as pd

start = time.perf_counter()
source, out = sys.argv[1], sys.argv[2]
frame = pd.read_csv(source, parse_dates=["date"], dtype={"origin": "string", "destination": "string"})
rows_in = len(frame)
for column in ("origin", "destination"):
    cleaned = frame[column].str.strip().str.upper()
    frame[column] = cleaned.mask(cleaned == "")
bad = frame["origin"].isna() | frame["destination"].isna() | (frame["distance"] < 1)
quarantine = frame[bad]
quarantine.to_csv(f"{out}/quarantine.csv", index=False)
flights = frame[~bad].drop_duplicates(keep="first")
flights.to_csv(f"{out}/flights.csv", index=False)

levels = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
profile = {}
for column in flights.columns:
    values = flights[column]
    present = values.dropna()
    stats = {"count": int(present.size), "nulls": int(values.isna().sum()), "distinct": int(present.nunique()),
             "min": str(present.min()), "max": str(present.max())}
    if pd.api.types.is_numeric_dtype(values):
        stats["mean"] = float(present.mean())
        stats["quantiles"] = present.quantile(levels).tolist()
        stats["histogram"] = np.histogram(present, bins=10)[0].tolist()
    stats["top"] = present.astype(str).value_counts().head(10).to_dict()
    profile[column] = stats

rows_out = len(flights)
quarantined = len(quarantine)
print(f"pandas in={rows_in} out={rows_out} quarantined={quarantined} merged={rows_in - rows_out - quarantined} "
      f"seconds_in_process={time.perf_counter() - start:.2f}")
