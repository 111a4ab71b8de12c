"""The same random forest outside Keel: scikit-learn on the rows of the June pipeline run (exported by MonthFiles.java).

Fits RandomForestClassifier(n_estimators=60, max_depth=8, min_samples_leaf=5, max_features=0.5, random_state=1), Keel's
random-forest parameters, and reports the bare fit's wall time and the model's log loss and AUC on a seeded stratified 25 %
holdout. Like Keel's run it holds out 25 % (seed 7) and then fits on 80 % of the rest (Keel's in-JVM trainers keep 20 % of
their training rows for the metrics they claim), so both fit the same number of rows; the splits are scikit-learn's own,
not Keel's, so the rows differ.
Usage: /usr/bin/python3 sklearn_forest.py JUNE_ROWS_CSV [n_jobs]   -> one line: fitted_rows fit_seconds logloss auc
"""
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

FEATURES = ["dep_hour", "distance", "day_of_week", "from_ord", "from_dfw", "from_atl", "from_lax", "from_phx",
            "from_stl", "from_dtw", "from_msp", "from_las", "from_den"]


def main():
    path = sys.argv[1]
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    with open(path) as handle:
        header = handle.readline().strip().split(",")
    columns = [header.index(name) for name in FEATURES] + [header.index("delayed")]
    data = np.loadtxt(path, delimiter=",", skiprows=1, usecols=columns)
    features, labels = data[:, :-1], data[:, -1].astype(int)
    train_x, test_x, train_y, test_y = train_test_split(features, labels, test_size=0.25, random_state=7, stratify=labels)
    train_x, _, train_y, _ = train_test_split(train_x, train_y, test_size=0.2, random_state=7, stratify=train_y)
    forest = RandomForestClassifier(n_estimators=60, max_depth=8, min_samples_leaf=5, max_features=0.5, random_state=1, n_jobs=jobs)
    started = time.perf_counter()
    forest.fit(train_x, train_y)
    seconds = time.perf_counter() - started
    probabilities = forest.predict_proba(test_x)[:, 1]
    print(f"{len(train_y)} {seconds:.3f} {log_loss(test_y, probabilities):.5f} {roc_auc_score(test_y, probabilities):.5f}")


if __name__ == "__main__":
    main()
