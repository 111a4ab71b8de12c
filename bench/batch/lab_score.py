"""Batch scoring as a lab would write it: pandas reads the Parquet file, scikit-learn's predict_proba scores every row, pandas'
to_sql writes the scores into PostgreSQL through SQLAlchemy and psycopg2.

    lab_score.py INPUT.parquet TRAIN.parquet REFERENCE.csv POSTGRES_URL TABLE METHOD CHUNKSIZE

The forest is trained as build/fixtures/models/make_models.py trains credit_rf.onnx (same rows, split, parameters and seed), and
checked against that script's reference answers before anything is timed. METHOD is 'default' (one INSERT per row, executemany)
or 'multi' (multi-row INSERTs); CHUNKSIZE 0 means pandas' default (every row in one go). Prints one tab-separated line:
rows, read s, predict s, to_sql s, total s (read + predict + to_sql), rows/s, max |p1 - reference|.
"""

import sys
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sqlalchemy import create_engine, text


def main():
    input_path, train_path, reference_path, url, table, method, chunksize = sys.argv[1:8]
    chunksize = int(chunksize) or None
    method = None if method == "default" else method

    encoded = pd.read_parquet(train_path)
    features = [c for c in encoded.columns if c != "truth"]
    x = encoded[features].to_numpy(dtype=np.float32)
    y = encoded["truth"].to_numpy(dtype=np.int64)
    x_train, _, y_train, _ = train_test_split(x, y, test_size=0.3, random_state=42, stratify=y)
    forest = RandomForestClassifier(n_estimators=100, max_depth=8, min_samples_leaf=2, random_state=42, n_jobs=1)
    forest.fit(x_train, y_train)
    reference = pd.read_csv(reference_path)
    reference_x = reference[["f%d" % i for i in range(len(features))]].to_numpy(dtype=np.float32)
    difference = float(np.abs(forest.predict_proba(reference_x)[:, 1] - reference["p1"].to_numpy()).max())
    if difference > 1e-9:
        raise SystemExit("the forest differs from make_models.py's: max |p1 - reference| = %g" % difference)

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text('DROP TABLE IF EXISTS "%s"' % table))

    started = time.perf_counter()
    frame = pd.read_parquet(input_path)
    read = time.perf_counter()
    probabilities = forest.predict_proba(frame[features].to_numpy(dtype=np.float32))
    scores = pd.DataFrame({
        "id": frame["id"],
        "p_0": probabilities[:, 0],
        "p_1": probabilities[:, 1],
        "label": forest.classes_[probabilities.argmax(axis=1)].astype(str),
    })
    predicted = time.perf_counter()
    scores.to_sql(table, engine, if_exists="append", index=False, method=method, chunksize=chunksize)
    written = time.perf_counter()

    with engine.connect() as connection:
        count = connection.execute(text('SELECT count(*) FROM "%s"' % table)).scalar()
    if count != len(frame):
        raise SystemExit("expected %d rows in %s, found %d" % (len(frame), table, count))
    print("\t".join(str(v) for v in (len(frame), "%.2f" % (read - started), "%.2f" % (predicted - read), "%.2f" % (written - predicted),
                                     "%.2f" % (written - started), "%.0f" % (len(frame) / (written - started)), "%.1e" % difference)))


if __name__ == "__main__":
    main()
