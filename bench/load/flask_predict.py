"""The naive baseline: a seed-style Flask + XGBoost `/predict` server for the bundled credit model.

Written the way the seeds' own serving code is: Flask's built-in threaded server, the model loaded
with xgboost.Booster, each request turned into a DMatrix. POST {"instances": [[25 floats], ...]}
-> {"predictions": [p, ...]}. Run with Debian's /usr/bin/python3 (python3-flask, python3-xgboost).
"""
import sys

import numpy as np
import xgboost as xgb
from flask import Flask, jsonify, request

app = Flask(__name__)
booster = xgb.Booster()
booster.load_model(sys.argv[1])


@app.route("/predict", methods=["POST"])
def predict():
    rows = np.array(request.get_json()["instances"], dtype=np.float32)
    matrix = xgb.DMatrix(rows, missing=np.nan, feature_names=booster.feature_names)
    return jsonify({"predictions": booster.predict(matrix).tolist()})


if __name__ == "__main__":
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app.run(host="127.0.0.1", port=int(sys.argv[2]), threaded=True)
