"""The baseline a team would otherwise write by hand: Flask + scikit-learn serving the German credit forest.

Trains the very forest that build/fixtures/models/make_models.py converts to credit_rf.onnx (same data, split, seed and
hyper-parameters), then answers Open Inference Protocol v2 requests:

    POST /v2/models/credit/infer   {"inputs": [{"name": "features", "shape": [N, 63], "datatype": "FP32", "data": [...]}]}
    GET  /v2/health/ready

Run under gunicorn with sync workers, one per core (see run_flask.sh).
"""

import os
import sys

import numpy as np
from flask import Flask, jsonify, request
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "fixtures", "models"))
import make_models  # noqa: E402


def train():
    attributes, rows = make_models.read_credit_arff()
    _, x, y = make_models.encode_credit(attributes, rows)
    x_train, _, y_train, _ = train_test_split(x, y, test_size=0.3, random_state=make_models.SEED, stratify=y)
    forest = RandomForestClassifier(n_estimators=make_models.TREES, max_depth=8, min_samples_leaf=2,
                                    random_state=make_models.SEED, n_jobs=1)
    return forest.fit(x_train, y_train)


FOREST = train()
WIDTH = FOREST.n_features_in_
app = Flask(__name__)


@app.get("/v2/health/ready")
def ready():
    return jsonify({"ready": True})


@app.post("/v2/models/credit/infer")
def infer():
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict) or not body.get("inputs"):
        return jsonify({"error": "body must be a JSON object with 'inputs'"}), 400
    tensor = next((t for t in body["inputs"] if t.get("name") == "features"), None)
    if tensor is None:
        return jsonify({"error": "input 'features' is missing"}), 400
    try:
        features = np.asarray(tensor["data"], dtype=np.float32).reshape(-1, WIDTH)
    except (KeyError, TypeError, ValueError) as error:
        return jsonify({"error": "input 'features' must hold N x %d numbers: %s" % (WIDTH, error)}), 400
    probabilities = FOREST.predict_proba(features)
    labels = FOREST.classes_[probabilities.argmax(axis=1)]
    rows = len(features)
    return jsonify({
        "model_name": "credit",
        "outputs": [
            {"name": "label", "shape": [rows], "datatype": "INT64", "data": labels.tolist()},
            {"name": "probabilities", "shape": [rows, 2], "datatype": "FP32", "data": probabilities.ravel().tolist()},
        ],
    })
