#!/usr/bin/python3
"""Makes the project's ONNX models for the parity test and the ONNX Runtime benchmark.

Run with Debian's interpreter (python3-torch 1.13, python3-onnx 1.12, numpy, scikit-learn, XGBoost):

    /usr/bin/python3 bench/onnx_parity/make_models.py --output <dir>

Writes <dir>/<model>/model.onnx, one folder per scenario (<dir>/<model>/<scenario>/) holding the
inputs (input_N.pb and input_N.npy, the same values) and the reference outputs computed at
creation time by the library that made the model (output_N.pb: torch for the neural networks,
scikit-learn / XGBoost for the ONNX-ML models), and <dir>/manifest.json describing all of it.
The models:

  credit_mlp        examples/scripts/train_credit_mlp.py's MLP (imputation + standardisation in
                    the graph, 25-64-32-1) trained on data/credit_data.csv; opset 17
  lstm_forecaster   LSTM(4 -> 32) + linear head predicting the next day's log returns of DAX, SMI,
                    CAC and FTSE from the previous 30 days (data/eu_stock_markets.csv); opset 17
  text_classifier   token embedding + learned positions + 2 torch TransformerEncoderLayers
                    (d=64, 4 heads, ff 128) + mean pooling + 4-way intent head; weights seeded,
                    not trained (the runtime only sees the graph); opset 17
  cnn               2 conv blocks (Conv+BatchNorm+Relu+MaxPool, Conv+Relu+AveragePool) + global
                    average pool + linear, 1x28x28 images, 10 classes; seeded; opset 13
  ml_linear         Imputer -> Scaler -> LinearClassifier (logistic regression of scikit-learn on
                    the credit features), built with onnx.helper; ai.onnx.ml 1
  ml_trees          XGBoost (100 trees, depth 4, missing values) as TreeEnsembleClassifier built
                    with onnx.helper (the conformance suite's builder); ai.onnx.ml 3

Each scenario folder also holds request.json (an Open Inference Protocol infer body, NaN as null)
and expected.json (the reference outputs). <dir>/serving holds what the serving test needs beyond
these: an XGBoost TreeEnsembleClassifier ending in ZipMap, and models refused at load (truncated
protobuf, a cycle, a missing initializer, an unknown op).

Deterministic: fixed seeds, one torch thread. Scenario names say the batch: row = 1, batch256 =
256 rows, and so on. No output is a map (ZipMap): onnxruntime-node returns tensors only.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "examples", "scripts"))
sys.path.insert(0, os.path.join(ROOT, "tests", "conformance", "onnx"))
import credit_features as cf  # noqa: E402
import train_credit_mlp  # noqa: E402

SEED = 7


# ---------------------------------------------------------------- writing


class Writer:
    def __init__(self, output):
        self.output = output
        self.models = []

    def model(self, name, model_proto, description):
        onnx.checker.check_model(model_proto)
        os.makedirs(os.path.join(self.output, name), exist_ok=True)
        with open(os.path.join(self.output, name, "model.onnx"), "wb") as f:
            f.write(model_proto.SerializeToString())
        entry = {"name": name, "file": f"{name}/model.onnx", "description": description, "scenarios": [],
                 "inputs": [i.name for i in model_proto.graph.input],
                 "outputs": [o.name for o in model_proto.graph.output]}
        self.models.append(entry)
        return entry

    def scenario(self, entry, name, inputs, outputs, atol=1e-5, rtol=0.0):
        folder = os.path.join(entry["name"], name)
        os.makedirs(os.path.join(self.output, folder), exist_ok=True)
        files = {"inputs": [], "outputs": []}
        for kind, values, names in (("input", inputs, entry["inputs"]), ("output", outputs, entry["outputs"])):
            for j, value in enumerate(values):
                value = np.ascontiguousarray(value)
                base = os.path.join(folder, f"{kind}_{j}")
                with open(os.path.join(self.output, base + ".pb"), "wb") as f:
                    f.write(numpy_helper.from_array(value, names[j]).SerializeToString())
                if kind == "input":
                    np.save(os.path.join(self.output, base + ".npy"), value)
                files[kind + "s"].append({"name": names[j], "pb": base + ".pb", "npy": base + ".npy",
                                          "dtype": str(value.dtype), "shape": list(value.shape)})
        entry["scenarios"].append({"name": name, "batch": int(np.asarray(inputs[0]).shape[0]), "atol": atol,
                                   "rtol": rtol, **files})
        write_oip(os.path.join(self.output, folder), entry["inputs"], inputs, entry["outputs"], outputs)

    def finish(self):
        with open(os.path.join(self.output, "manifest.json"), "w") as f:
            json.dump({"models": self.models}, f, indent=1)
            f.write("\n")


OIP_TYPES = {"float32": "FP32", "float64": "FP64", "int64": "INT64", "int32": "INT32", "object": "BYTES"}


def oip_tensor(name, value):
    value = np.asarray(value)
    data = [None if isinstance(v, float) and math.isnan(v) else (v.decode() if isinstance(v, bytes) else v)
            for v in value.ravel().tolist()]
    return {"name": name, "datatype": OIP_TYPES[str(value.dtype)], "shape": list(value.shape), "data": data}


def write_oip(folder, in_names, inputs, out_names, outputs):
    """request.json (an OIP v2 infer body; NaN -> null) and expected.json (the reference outputs)."""
    with open(os.path.join(folder, "request.json"), "w") as f:
        json.dump({"id": "parity", "inputs": [oip_tensor(n, v) for n, v in zip(in_names, inputs)]}, f)
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump({"outputs": [oip_tensor(n, v) for n, v in zip(out_names, outputs)]}, f)


def export(module, args, in_names, out_names, dynamic_axes, opset):
    import io
    buf = io.BytesIO()
    torch.onnx.export(module, args, buf, input_names=in_names, output_names=out_names,
                      dynamic_axes=dynamic_axes, opset_version=opset)
    return onnx.load_from_string(buf.getvalue())


def torch_outputs(module, *args):
    with torch.no_grad():
        out = module(*[torch.from_numpy(a) for a in args])
    out = out if isinstance(out, tuple) else (out,)
    return [o.numpy() for o in out]


def tile_rows(x, n):
    return np.ascontiguousarray(np.resize(x, (n,) + x.shape[1:]))


# ---------------------------------------------------------------- torch models


def credit_mlp(w):
    model, x_test, _ = train_credit_mlp.build_model()
    proto = export(model, (torch.zeros(2, 25),), ["features"], ["probability"],
                   {"features": {0: "batch"}, "probability": {0: "batch"}}, 17)
    entry = w.model("credit_mlp", proto, "PyTorch MLP credit model (25-64-32-1) with in-graph imputation")
    for name, rows in (("row", 1), ("batch256", 256)):
        x = tile_rows(x_test, rows)
        w.scenario(entry, name, [x], torch_outputs(model, x))


class LstmForecaster(torch.nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = torch.nn.LSTM(4, hidden, batch_first=True)
        self.head = torch.nn.Linear(hidden, 4)

    def forward(self, returns):
        out, _ = self.lstm(returns)
        return self.head(out[:, -1, :])


def stock_windows(window=30):
    prices = np.loadtxt(os.path.join(ROOT, "data", "eu_stock_markets.csv"), delimiter=",", skiprows=1,
                        usecols=(1, 2, 3, 4), dtype=np.float64)
    returns = (np.diff(np.log(prices), axis=0) * 100).astype(np.float32)  # percent log returns
    x = np.stack([returns[i:i + window] for i in range(len(returns) - window)])
    return x, returns[window:]


def lstm_forecaster(w):
    torch.manual_seed(SEED)
    x, y = stock_windows()
    cut = int(len(x) * 0.8)
    model = LstmForecaster()
    opt = torch.optim.Adam(model.parameters(), lr=0.005)
    xt, yt = torch.from_numpy(x[:cut]), torch.from_numpy(y[:cut])
    for epoch in range(8):
        for i in range(0, cut, 64):
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(xt[i:i + 64]), yt[i:i + 64])
            loss.backward()
            opt.step()
    model.eval()
    proto = export(model, (torch.zeros(2, 30, 4),), ["returns"], ["next_returns"],
                   {"returns": {0: "batch"}, "next_returns": {0: "batch"}}, 17)
    entry = w.model("lstm_forecaster", proto, "PyTorch LSTM(4->32) forecaster of next-day index returns")
    for name, rows in (("row", 1), ("batch64", 64)):
        xs = np.ascontiguousarray(x[cut:cut + rows])
        w.scenario(entry, name, [xs], torch_outputs(model, xs))


class TextClassifier(torch.nn.Module):
    def __init__(self, vocab=2000, seq=32, d=64, heads=4, ff=128, layers=2, classes=4):
        super().__init__()
        self.embed = torch.nn.Embedding(vocab, d)
        self.position = torch.nn.Parameter(torch.randn(1, seq, d) * 0.1)
        layer = torch.nn.TransformerEncoderLayer(d, heads, ff, dropout=0.0, batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = torch.nn.Linear(d, classes)

    def forward(self, tokens):
        h = self.encoder(self.embed(tokens) + self.position)
        return torch.softmax(self.head(h.mean(dim=1)), dim=-1)


def text_classifier(w):
    torch.manual_seed(SEED)
    model = TextClassifier().eval()
    proto = export(model, (torch.zeros(2, 32, dtype=torch.int64),), ["tokens"], ["intent_probabilities"],
                   {"tokens": {0: "batch"}, "intent_probabilities": {0: "batch"}}, 17)
    entry = w.model("text_classifier", proto, "PyTorch transformer encoder (2 layers, d=64) intent classifier")
    rng = np.random.RandomState(SEED)
    for name, rows in (("row", 1), ("batch16", 16)):
        tokens = rng.randint(0, 2000, size=(rows, 32)).astype(np.int64)
        w.scenario(entry, name, [tokens], torch_outputs(model, tokens))


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.bn1 = torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16)
        self.c2 = torch.nn.Conv2d(16, 32, 3, padding=1)
        self.fc = torch.nn.Linear(32, 10)

    def forward(self, image):
        h = torch.nn.functional.max_pool2d(torch.relu(self.bn1(self.c1(image))), 2)
        h = torch.nn.functional.avg_pool2d(torch.relu(self.c2(h)), 2)
        return self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(h, 1), 1))


def cnn(w):
    torch.manual_seed(SEED)
    model = SmallCnn()
    with torch.no_grad():  # non-trivial running statistics, so BatchNorm is not an identity
        model.bn1.running_mean.uniform_(-0.5, 0.5)
        model.bn1.running_var.uniform_(0.5, 2.0)
    model.eval()
    proto = export(model, (torch.zeros(2, 1, 28, 28),), ["image"], ["logits"],
                   {"image": {0: "batch"}, "logits": {0: "batch"}}, 13)
    entry = w.model("cnn", proto, "PyTorch CNN (2 conv blocks, 16/32 channels) on 1x28x28 images")
    rng = np.random.RandomState(SEED)
    for name, rows in (("row", 1), ("batch32", 32)):
        image = rng.rand(rows, 1, 28, 28).astype(np.float32)
        w.scenario(entry, name, [image], torch_outputs(model, image))


# ---------------------------------------------------------------- ONNX-ML models


def credit_split():
    _, x, y = cf.load(os.path.join(ROOT, "data", "credit_data.csv"))
    x, y = np.array(x, dtype=np.float32), np.array(y, dtype=np.int64)
    order = np.random.RandomState(42).permutation(len(x))
    cut = int(len(x) * 0.8)
    return x[order[:cut]], y[order[:cut]], x[order[cut:]]


def ml_model(nodes, inputs, outputs, ml_opset):
    graph = helper.make_graph(nodes, "credit", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 15),
                                                    helper.make_opsetid("ai.onnx.ml", ml_opset)])
    model.ir_version = 8
    return model


def ml_linear(w):
    from sklearn.linear_model import LogisticRegression
    x, y, x_test = credit_split()
    medians = np.nanmedian(x, axis=0)
    filled = np.where(np.isnan(x), medians, x)
    means, scales = filled.mean(axis=0), filled.std(axis=0) + 1e-6
    lr = LogisticRegression(max_iter=2000).fit((filled - means) / scales, y)
    coef, b = lr.coef_.ravel(), float(lr.intercept_[0])
    f = x.shape[1]
    nodes = [
        helper.make_node("Imputer", ["features"], ["imputed"], domain="ai.onnx.ml",
                         imputed_value_floats=[float(v) for v in medians], replaced_value_float=math.nan),
        helper.make_node("Scaler", ["imputed"], ["scaled"], domain="ai.onnx.ml",
                         offset=[float(v) for v in means], scale=[float(1 / s) for s in scales]),
        helper.make_node("LinearClassifier", ["scaled"], ["label", "probabilities"], domain="ai.onnx.ml",
                         coefficients=[float(v) for v in np.concatenate([-coef, coef])], intercepts=[-b, b],
                         classlabels_ints=[0, 1], post_transform="LOGISTIC"),
    ]
    proto = ml_model(nodes, [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, f])],
                     [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                      helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])], 1)
    entry = w.model("ml_linear", proto, "ONNX-ML Imputer + Scaler + LinearClassifier (scikit-learn logistic)")
    for name, rows in (("row", 1), ("batch256", 256)):
        xs = tile_rows(x_test, rows)
        z = (np.where(np.isnan(xs), medians, xs) - means) / scales
        w.scenario(entry, name, [xs], [lr.predict(z).astype(np.int64), lr.predict_proba(z).astype(np.float32)])


def ml_trees(w):
    import xgboost as xgb
    import ml_cases
    x, y, x_test = credit_split()
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 4, "eta": 0.1, "tree_method": "hist",
                         "seed": SEED, "nthread": 1}, xgb.DMatrix(x, label=y), 100)
    attrs = ml_cases.TreeAttrs("class")
    ml_cases.add_xgboost_trees(attrs, booster)
    base = ml_cases.base_score(booster)
    node = helper.make_node("TreeEnsembleClassifier", ["features"], ["label", "probabilities"], domain="ai.onnx.ml",
                            classlabels_int64s=[0, 1], post_transform="LOGISTIC",
                            base_values=[float(np.log(base / (1 - base)))], **attrs.attributes())
    proto = ml_model([node], [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, x.shape[1]])],
                     [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                      helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])], 3)
    entry = w.model("ml_trees", proto, "ONNX-ML TreeEnsembleClassifier (XGBoost, 100 trees, depth 4)")
    for name, rows in (("row", 1), ("batch256", 256)):
        xs = tile_rows(x_test, rows)
        p = booster.predict(xgb.DMatrix(xs))
        w.scenario(entry, name, [xs], [(p > 0.5).astype(np.int64), np.stack([1 - p, p], axis=1).astype(np.float32)])


def serving_fixtures(output):
    """<output>/serving: a tree classifier ending in ZipMap (what scikit-learn converters write) and
    models that must be refused at load, for tests/integration/onnx_serving_test.cc."""
    import xgboost as xgb
    import ml_cases
    x, y, x_test = credit_split()
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 3, "eta": 0.3, "tree_method": "hist",
                         "seed": SEED, "nthread": 1}, xgb.DMatrix(x, label=y), 10)
    attrs = ml_cases.TreeAttrs("class")
    ml_cases.add_xgboost_trees(attrs, booster)
    base = ml_cases.base_score(booster)
    nodes = [helper.make_node("TreeEnsembleClassifier", ["features"], ["label", "scores"], domain="ai.onnx.ml",
                              classlabels_strings=["good", "bad"], post_transform="LOGISTIC",
                              base_values=[float(np.log(base / (1 - base)))], **attrs.attributes()),
             helper.make_node("ZipMap", ["scores"], ["probabilities"], domain="ai.onnx.ml",
                              classlabels_strings=["good", "bad"])]
    map_type = onnx.TypeProto()
    map_type.sequence_type.elem_type.map_type.key_type = TensorProto.STRING
    map_type.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    zipmap = ml_model(nodes, [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, x.shape[1]])],
                      [helper.make_tensor_value_info("label", TensorProto.STRING, [None]),
                       helper.make_value_info("probabilities", map_type)], 3)
    onnx.checker.check_model(zipmap)
    folder = os.path.join(output, "serving", "ml_trees_zipmap")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "model.onnx"), "wb") as f:
        f.write(zipmap.SerializeToString())
    xs = x_test[:3]
    p = booster.predict(xgb.DMatrix(xs))
    labels = np.array(["good", "bad"], dtype=object)[(p > 0.5).astype(int)]
    write_oip(folder, ["features"], [xs], ["label", "probabilities", "probabilities_labels"],
              [labels, np.stack([1 - p, p], axis=1).astype(np.float32),
               np.array([["good", "bad"]] * len(xs), dtype=object)])

    # Refused at load: each names what is wrong.
    bad = os.path.join(output, "serving", "bad")
    x_vi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4])
    y_vi = helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])

    def plain(nodes, initializers=()):
        model = helper.make_model(helper.make_graph(nodes, "bad", [x_vi], [y_vi], initializer=list(initializers)),
                                  opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        return model.SerializeToString()

    good = plain([helper.make_node("Add", ["x", "w"], ["y"], name="add")],
                 [numpy_helper.from_array(np.ones(4, dtype=np.float32), "w")])
    cases = {
        "truncated": good[: len(good) // 2],
        "cycle": plain([helper.make_node("Add", ["x", "c"], ["a"], name="first"),  # a -> b -> c -> a
                        helper.make_node("Relu", ["a"], ["b"], name="second"),
                        helper.make_node("Relu", ["b"], ["c"], name="third"),
                        helper.make_node("Identity", ["b"], ["y"], name="out")]),
        "missing_initializer": plain([helper.make_node("Add", ["x", "weights"], ["y"], name="add_weights")]),
        "unknown_op": plain([helper.make_node("FancyActivation", ["x"], ["y"], name="fancy")]),
    }
    for name, data in cases.items():
        os.makedirs(os.path.join(bad, name), exist_ok=True)
        with open(os.path.join(bad, name, "model.onnx"), "wb") as f:
            f.write(data)


MODELS = {"credit_mlp": credit_mlp, "lstm_forecaster": lstm_forecaster, "text_classifier": text_classifier,
          "cnn": cnn, "ml_linear": ml_linear, "ml_trees": ml_trees}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="directory to write (created if missing)")
    parser.add_argument("--only", nargs="*", default=list(MODELS), help="model names (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    os.makedirs(args.output, exist_ok=True)
    w = Writer(args.output)
    for name in args.only:
        MODELS[name](w)
    w.finish()
    serving_fixtures(args.output)
    print(f"make_models: wrote {len(w.models)} models to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
