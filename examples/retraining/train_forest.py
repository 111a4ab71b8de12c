#!/usr/bin/python3
"""Trains a scikit-learn random forest for Keel's external-command trainer and writes it as ONNX.

Keel runs this script in a fresh run directory with these environment variables (see README.md next to it):

  KEEL_INPUT        input.json: feature names, class labels, parameters, seed, test fraction, file names
  KEEL_TRAIN_CSV    train.csv: one column per feature (in input.json's order) and a "label" column
  KEEL_MODEL_OUT    where to write the ONNX model
  KEEL_METRICS_OUT  where to write the held-out metrics, a JSON object of names to numbers

The model is an ai.onnx.ml TreeEnsembleClassifier converted by hand with onnx.helper (no skl2onnx needed): input
"features" float [N, F], outputs "label" int64 [N] (an index into input.json's labels) and "probabilities" float [N, C]
with one column per label in input.json's order.

Parameters (all optional, from input.json's "parameters"): n_estimators (1..2000, default 100), max_depth (1..100,
default unlimited), min_samples_leaf (1..10000, default 1).

Needs Debian's Python with python3-sklearn and python3-onnx (/usr/bin/python3), or any Python with scikit-learn, numpy
and onnx installed.
"""

import csv
import json
import math
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

ONNX_IR_VERSION = 8
OPSETS = [helper.make_opsetid("", 13), helper.make_opsetid("ai.onnx.ml", 1)]


def fail(message, code=2):
    print("train_forest.py: " + message, file=sys.stderr)
    sys.exit(code)


def integer_parameter(parameters, name, default, low, high):
    text = parameters.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        fail("parameter %s must be an integer, got %r" % (name, text))
    if not low <= value <= high:
        fail("parameter %s must be in [%d, %d], got %d" % (name, low, high, value))
    return value


def read_rows(path, features, target, labels):
    """Returns x (float32 [N, F]) and y (int64 [N], the index of each row's label in labels)."""
    index_of = {label: i for i, label in enumerate(labels)}
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        if header != features + [target]:
            fail("train.csv's header does not match input.json's features and target")
        x, y = [], []
        for number, row in enumerate(reader, start=2):
            if len(row) != len(header):
                fail("train.csv line %d has %d fields; expected %d" % (number, len(row), len(header)))
            x.append([float(value) for value in row[:-1]])
            if row[-1] not in index_of:
                fail("train.csv line %d has label %r, which input.json does not list" % (number, row[-1]))
            y.append(index_of[row[-1]])
    return np.asarray(x, dtype=np.float32).reshape(len(x), len(features)), np.asarray(y, dtype=np.int64)


def split(x, y, test_fraction, seed):
    if test_fraction <= 0:
        return x, None, y, None
    counts = np.bincount(y)
    stratify = y if counts[counts > 0].min() >= 2 else None
    return train_test_split(x, y, test_size=test_fraction, random_state=seed, stratify=stratify)


def held_out_metrics(forest_probabilities, y_test, class_count):
    metrics = {}
    if y_test is None or len(y_test) == 0:
        return metrics
    predicted = forest_probabilities.argmax(axis=1)
    metrics["accuracy"] = float(accuracy_score(y_test, predicted))
    clipped = np.clip(forest_probabilities, 1e-15, 1.0)
    metrics["logloss"] = float(log_loss(y_test, clipped / clipped.sum(axis=1, keepdims=True), labels=list(range(class_count))))
    if class_count == 2 and len(set(y_test.tolist())) == 2:
        metrics["auc"] = float(roc_auc_score(y_test, forest_probabilities[:, 1]))
    return {name: value for name, value in metrics.items() if math.isfinite(value)}


def probabilities(forest, x, class_count):
    """The forest's class probabilities with one column per input.json label (a label absent from training gets 0)."""
    full = np.zeros((len(x), class_count))
    full[:, forest.classes_.astype(np.int64)] = forest.predict_proba(x)
    return full


def floor_float32(value):
    """The largest float32 not above value, so that float32(x) <= t32 exactly when float32(x) <= value."""
    rounded = np.float32(value)
    if float(rounded) > value:
        rounded = np.nextafter(rounded, np.float32(-np.inf), dtype=np.float32)
    return float(rounded)


def to_onnx(forest, feature_count, class_count):
    """A TreeEnsembleClassifier whose probabilities are the mean over trees of each leaf's class fractions, as in
    scikit-learn's predict_proba."""
    attributes = {name: [] for name in (
        "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
        "nodes_truenodeids", "nodes_falsenodeids", "class_treeids", "class_nodeids", "class_ids", "class_weights")}
    trees = len(forest.estimators_)
    class_ids = [int(c) for c in forest.classes_]
    for tree_id, estimator in enumerate(forest.estimators_):
        tree = estimator.tree_
        for node in range(tree.node_count):
            leaf = tree.children_left[node] == -1
            attributes["nodes_treeids"].append(tree_id)
            attributes["nodes_nodeids"].append(node)
            attributes["nodes_featureids"].append(0 if leaf else int(tree.feature[node]))
            attributes["nodes_values"].append(0.0 if leaf else floor_float32(tree.threshold[node]))
            attributes["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            attributes["nodes_truenodeids"].append(0 if leaf else int(tree.children_left[node]))
            attributes["nodes_falsenodeids"].append(0 if leaf else int(tree.children_right[node]))
            if leaf:
                fractions = tree.value[node][0] / tree.value[node][0].sum()
                if class_count == 2:
                    # Two classes as skl2onnx writes them: one weight per leaf, under class id 0, holding the tree's
                    # share of P(class 1). ONNX Runtime then returns [1 - p, p] and labels 1 when p > 0.5; with a
                    # weight per class it would return the right probabilities but label 1 whenever p > 0.
                    positive = class_ids.index(1) if 1 in class_ids else None
                    weights = [(0, 0.0 if positive is None else float(fractions[positive]))]
                else:
                    weights = [(class_id, float(fractions[column])) for column, class_id in enumerate(class_ids)]
                for class_id, weight in weights:
                    attributes["class_treeids"].append(tree_id)
                    attributes["class_nodeids"].append(node)
                    attributes["class_ids"].append(class_id)
                    attributes["class_weights"].append(weight / trees)
    node = helper.make_node(
        "TreeEnsembleClassifier", ["features"], ["label", "probabilities"], domain="ai.onnx.ml",
        classlabels_int64s=list(range(class_count)), post_transform="NONE", **attributes)
    graph = helper.make_graph(
        [node], "random_forest",
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, feature_count])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, class_count])])
    model = helper.make_model(graph, opset_imports=OPSETS, producer_name="keel-examples-train-forest")
    model.ir_version = ONNX_IR_VERSION
    onnx.checker.check_model(model)
    return model


def main():
    input_path = os.environ.get("KEEL_INPUT", "input.json")
    with open(input_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    features, labels, target = spec["features"], spec["labels"], spec["target"]
    if not labels:
        fail("this script trains classifiers; input.json lists no labels (task=regression)")
    if len(labels) < 2:
        fail("a classifier needs at least two classes; the data has only %r" % labels)
    parameters = spec.get("parameters", {})
    seed = int(spec["seed"]) % (2 ** 32)
    trees = integer_parameter(parameters, "n_estimators", 100, 1, 2000)
    max_depth = integer_parameter(parameters, "max_depth", None, 1, 100)
    min_samples_leaf = integer_parameter(parameters, "min_samples_leaf", 1, 1, 10000)

    x, y = read_rows(os.environ.get("KEEL_TRAIN_CSV", spec["train_csv"]), features, target, labels)
    if len(y) == 0:
        fail("train.csv has no rows")
    x_train, x_test, y_train, y_test = split(x, y, float(spec["test_fraction"]), seed)
    print("training %d trees on %d rows, %d features, %d classes; %d rows held out"
          % (trees, len(y_train), len(features), len(labels), 0 if y_test is None else len(y_test)))
    forest = RandomForestClassifier(n_estimators=trees, max_depth=max_depth, min_samples_leaf=min_samples_leaf,
                                    random_state=seed, n_jobs=1)
    forest.fit(x_train, y_train)
    metrics = {}
    if y_test is not None:
        metrics = held_out_metrics(probabilities(forest, x_test, len(labels)), y_test, len(labels))
    print("held-out metrics: " + json.dumps(metrics, sort_keys=True))

    model = to_onnx(forest, len(features), len(labels))
    with open(os.environ.get("KEEL_MODEL_OUT", spec["model_out"]), "wb") as handle:
        handle.write(model.SerializeToString())
    with open(os.environ.get("KEEL_METRICS_OUT", spec["metrics_out"]), "w", encoding="utf-8") as handle:
        json.dump(metrics, handle, allow_nan=False, sort_keys=True)


if __name__ == "__main__":
    main()
