"""An independent reading of a trained version: encodes the first rows of a raw CSV file with the
`features:` section of the version's config.yaml (its documented semantics, implemented here
from scratch) and scores them with the version's model file: XGBoost JSON through python3-xgboost,
model.linear.json and model.scorecard.json by their formulas. Prints {"probability": [...]}.

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


def encode_feature(spec, raw):
    missing = raw == ""
    if spec["type"] == "numeric":
        value = math.nan if missing else float(raw)
        if missing and spec["missing"] != "keep":
            value = spec["impute"]
        out = [value]
        if spec["missing"] == "indicator":
            out.append(1.0 if missing else 0.0)
        return out
    cats = spec["categories"]
    code = cats.index(raw) if not missing and raw in cats else None
    if code is None and spec["missing"] == "constant":
        code = cats.index(spec["impute"])
    if spec["encoding"] == "ordinal":
        return [math.nan if code is None else float(code)]
    width = len(cats) + (1 if spec["missing"] == "category" else 0)
    if code is None and spec["missing"] == "category":
        code = width - 1
    return [math.nan] * width if code is None else [1.0 if i == code else 0.0 for i in range(width)]


x = np.array([[v for spec in config["features"] for v in encode_feature(spec, r[spec["name"]])] for r in records],
             dtype=np.float32)

if os.path.exists(os.path.join(version_dir, "model.json")):
    import xgboost
    booster = xgboost.Booster(model_file=os.path.join(version_dir, "model.json"))
    names = [c for spec in config["features"] for c in spec["columns"]]
    prob = booster.predict(xgboost.DMatrix(x, missing=np.nan, feature_names=names)).tolist()
elif os.path.exists(os.path.join(version_dir, "model.linear.json")):
    m = json.load(open(os.path.join(version_dir, "model.linear.json")))
    margin = m["intercept"] + x.astype(np.float64) @ np.array(m["coefficients"])
    prob = (1 / (1 + np.exp(-margin))).tolist()
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
print(json.dumps({"probability": prob}))
