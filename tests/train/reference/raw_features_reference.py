"""An independent reading of a trained version: encodes the first rows of a raw CSV file with the
`features:` section of the version's config.yaml (its documented semantics, implemented here
from scratch: column order from the input's `features`, missing: refuse | nan | impute) and scores them with the version's model file: XGBoost JSON through python3-xgboost,
model.linear.json and model.scorecard.json by their formulas, model.onnx with onnx_numpy.py. Prints
{"probability": [...], "encoded": [[...], ...]} (the encoded rows; null = missing).

Usage: raw_features_reference.py version_dir data.csv rows
"""
import csv
import json
import math
import os
import sys

import numpy as np
import yaml

version_dir, data_path, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
config = yaml.safe_load(open(os.path.join(version_dir, "config.yaml")))
with open(data_path, newline="") as f:
    records = list(csv.DictReader(f))[:rows]


columns = config["inputs"][0]["features"]


def encode(record):
    row = [math.nan] * len(columns)
    for name, spec in config["features"].items():
        raw = record[name]
        missing = raw == ""
        if missing and spec.get("missing", "refuse") == "refuse":
            raise SystemExit("feature %s is missing" % name)
        if "indicator" in spec:
            row[columns.index(spec["indicator"])] = 1.0 if missing else 0.0
        if missing and spec["missing"] == "impute":
            raw, missing = str(spec["impute"]), False
        if spec["type"] == "numeric":
            row[columns.index(spec.get("column", name))] = math.nan if missing else float(raw)
        elif spec["encoding"] == "ordinal":
            row[columns.index(spec.get("column", name))] = math.nan if missing else float(spec["categories"][raw])
        else:
            for category, column in spec["categories"].items():
                row[columns.index(column)] = math.nan if missing else (1.0 if category == raw else 0.0)
    return row


x = np.array([encode(r) for r in records], dtype=np.float32)

if os.path.exists(os.path.join(version_dir, "model.json")):
    import xgboost
    booster = xgboost.Booster(model_file=os.path.join(version_dir, "model.json"))
    prob = booster.predict(xgboost.DMatrix(x, missing=np.nan, feature_names=columns)).tolist()
elif os.path.exists(os.path.join(version_dir, "model.linear.json")):
    m = json.load(open(os.path.join(version_dir, "model.linear.json")))
    margin = m["intercept"] + x.astype(np.float64) @ np.array(m["coefficients"])
    prob = (1 / (1 + np.exp(-margin))).tolist()
elif os.path.exists(os.path.join(version_dir, "model.onnx")):
    import onnx
    import onnx_numpy
    prob = onnx_numpy.run(onnx.load(os.path.join(version_dir, "model.onnx")), x)["probability"].astype(float).tolist()
else:
    m = json.load(open(os.path.join(version_dir, "model.scorecard.json")))
    scaling = m["scaling"]
    prob = []
    for row in x:
        score = 0.0
        for value, ch in zip(row, m["characteristics"]):
            if math.isnan(value):
                score += ch["missing"]["points"]
            elif ch["type"] == "categorical":
                score += next(b["points"] for b in ch["bins"] if int(value) in b["codes"])
            else:
                score += next(b["points"] for b in ch["bins"] if b["upper"] is None or value <= b["upper"])
        prob.append(1 / (1 + math.exp((score - scaling["offset"]) / scaling["factor"])))
encoded = [[None if math.isnan(v) else float(v) for v in row] for row in x]
print(json.dumps({"probability": prob, "encoded": encoded}))
