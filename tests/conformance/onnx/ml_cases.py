"""ai.onnx.ml cases whose expected outputs come from the libraries that trained the models.

onnx 1.12 ships no node cases for the ai.onnx.ml domain, so these are ours, written in the same
layout as ONNX's (model.onnx + test_data_set_0/{input,output}_N.pb) and run by the same driver.
Each model is built with onnx.helper from a fitted scikit-learn or XGBoost model (the way
skl2onnx / onnxmltools lay the attributes out), and the expected outputs are that library's own
predictions on the same rows:

  trees      XGBoost (binary:logistic, multi:softprob, reg:squarederror, with missing values),
             scikit-learn forests and boosting (BRANCH_LEQ on double thresholds through the
             *_as_tensor attributes; every other split mode as an equivalent rewrite of the same
             trees; AVERAGE, MIN, MAX aggregation against the per-tree predictions)
  linear     LogisticRegression (binary and multinomial), LinearSVC, LinearRegression, Ridge
  preprocess StandardScaler, Normalizer, SimpleImputer, Binarizer, OneHotEncoder, LabelEncoder
  transforms PROBIT and SOFTMAX_ZERO against scipy's ndtri and softmax
  ZipMap     written as finserve serves it: the probability tensor and the labels tensor

BRANCH_EQ / BRANCH_NEQ have no trainer that emits them; their expected values come from the same
decision written with numpy (np.where), the one place where the reference is a formula.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ML = "ai.onnx.ml"
SEED = 7


def _model(nodes, inputs, outputs, ml_opset=3, onnx_opset=15, initializers=()):
    graph = helper.make_graph(nodes, "ml_case", inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", onnx_opset),
                                                    helper.make_opsetid(ML, ml_opset)])
    model.ir_version = 8
    return model


def _vi(name, elem, dims):
    return helper.make_tensor_value_info(name, elem, dims)


def _seq_map_vi(name, key_type):
    tp = onnx.TypeProto()
    tp.sequence_type.elem_type.map_type.key_type = key_type
    tp.sequence_type.elem_type.map_type.value_type.tensor_type.elem_type = TensorProto.FLOAT
    return helper.make_value_info(name, tp)


class Writer:
    def __init__(self, output, manifest):
        self.output, self.manifest = output, manifest

    def case(self, name, model, inputs, outputs, op, rtol=1e-5, atol=1e-6):
        name = "test_ml_" + name
        onnx.checker.check_model(model)
        case_dir = os.path.join(self.output, name)
        data_dir = os.path.join(case_dir, "test_data_set_0")
        os.makedirs(data_dir)
        with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
            f.write(model.SerializeToString())
        for kind, values in (("input", inputs), ("output", outputs)):
            for j, value in enumerate(values):
                with open(os.path.join(data_dir, f"{kind}_{j}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(np.asarray(value), f"{kind}_{j}").SerializeToString())
        ops = sorted({(n.domain + ":" if n.domain else "") + n.op_type for n in model.graph.node})
        opset = [i.version for i in model.opset_import if i.domain == ML][0]
        self.manifest[name] = "\t".join([name, op, ML, str(opset), ",".join(ops), repr(rtol), repr(atol)])


# ---------------------------------------------------------------- data


def credit_like(n=400, features=8, classes=2, seed=SEED):
    from sklearn.datasets import make_classification
    x, y = make_classification(n_samples=n, n_features=features, n_informative=5, n_classes=classes,
                               n_clusters_per_class=1, random_state=seed)
    return x.astype(np.float32), y


def with_missing(x, fraction=0.1, seed=SEED):
    x = x.copy()
    mask = np.random.RandomState(seed).rand(*x.shape) < fraction
    x[mask] = np.nan
    return x


# ---------------------------------------------------------------- tree attribute builders


class TreeAttrs:
    """The nodes_* / class_* (or target_*) attribute lists, appended tree by tree."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.nodes = {k: [] for k in ("treeids", "nodeids", "featureids", "modes", "values", "truenodeids",
                                      "falsenodeids", "missing_value_tracks_true")}
        self.votes = {k: [] for k in ("treeids", "nodeids", "ids", "weights")}

    def node(self, tree, node, feature, mode, value, true_id, false_id, missing_true=0):
        for k, v in zip(self.nodes, (tree, node, feature, mode, value, true_id, false_id, missing_true)):
            self.nodes[k].append(v)

    def vote(self, tree, node, output, weight):
        for k, v in zip(self.votes, (tree, node, output, weight)):
            self.votes[k].append(v)

    def attributes(self, double_values=False):
        attrs = {}
        for k, v in self.nodes.items():
            if k == "values" and double_values:
                attrs["nodes_values_as_tensor"] = numpy_helper.from_array(np.array(v, dtype=np.float64), "t")
            else:
                attrs["nodes_" + k] = v
        for k, v in self.votes.items():
            attrs[f"{self.prefix}_{k}"] = [float(w) for w in v] if k == "weights" else v
        return attrs


def add_xgboost_trees(attrs, booster, outputs_per_round=1):
    """XGBoost's dump: x < split_condition goes to `yes`; NaN goes to `missing`."""
    for t, text in enumerate(booster.get_dump(dump_format="json")):
        output = t % outputs_per_round

        def walk(n):
            if "leaf" in n:
                attrs.node(t, n["nodeid"], 0, "LEAF", 0.0, 0, 0)
                attrs.vote(t, n["nodeid"], output, np.float32(n["leaf"]))
                return
            attrs.node(t, n["nodeid"], int(n["split"][1:]), "BRANCH_LT", float(np.float32(n["split_condition"])),
                       n["yes"], n["no"], 1 if n["missing"] == n["yes"] else 0)
            for c in n["children"]:
                walk(c)

        walk(json.loads(text))


def base_score(booster):
    return float(json.loads(booster.save_config())["learner"]["learner_model_param"]["base_score"])


# sklearn routes x <= threshold to the left child. Every other mode is the same tree rewritten with
# an equivalent test on doubles (float inputs convert to double exactly):
#   x <= t  <=>  x < next(t)  <=>  !(x > t)  <=>  !(x >= next(t))
def _mode_rewrite(mode, t, left, right):
    up = float(np.nextafter(t, np.inf))
    return {"BRANCH_LEQ": (t, left, right), "BRANCH_LT": (up, left, right),
            "BRANCH_GT": (t, right, left), "BRANCH_GTE": (up, right, left)}[mode]


def add_sklearn_tree(attrs, tree_id, tree, leaf_votes, mode="BRANCH_LEQ"):
    """leaf_votes(node) -> [(output, weight)] for a leaf of sklearn's tree_."""
    t = tree.tree_
    for i in range(t.node_count):
        left, right = int(t.children_left[i]), int(t.children_right[i])
        if left < 0:
            attrs.node(tree_id, i, 0, "LEAF", 0.0, 0, 0)
            for output, weight in leaf_votes(i):
                attrs.vote(tree_id, i, output, weight)
        else:
            value, true_id, false_id = _mode_rewrite(mode, float(t.threshold[i]), left, right)
            attrs.node(tree_id, i, int(t.feature[i]), mode, value, true_id, false_id)


def proba_of(tree, node):
    v = tree.tree_.value[node][0]
    return v / v.sum()


# ---------------------------------------------------------------- tree cases


def xgboost_cases(w):
    import xgboost as xgb
    x, y = credit_like()
    xm = with_missing(x)
    params = {"max_depth": 3, "eta": 0.3, "tree_method": "hist", "seed": SEED}

    booster = xgb.train({**params, "objective": "binary:logistic"}, xgb.DMatrix(xm, label=y), 20)
    attrs = TreeAttrs("class")
    add_xgboost_trees(attrs, booster)
    p = booster.predict(xgb.DMatrix(xm))
    margin0 = float(np.log(base_score(booster) / (1 - base_score(booster))))
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"], domain=ML,
                            classlabels_int64s=[0, 1], post_transform="LOGISTIC", base_values=[margin0],
                            **attrs.attributes())
    model = _model([node], [_vi("X", TensorProto.FLOAT, [None, x.shape[1]])],
                   [_vi("label", TensorProto.INT64, [None]), _vi("probabilities", TensorProto.FLOAT, [None, 2])],
                   ml_opset=1)
    w.case("tree_xgboost_binary_logistic", model, [xm],
           [(p > 0.5).astype(np.int64), np.stack([1 - p, p], axis=1).astype(np.float32)], "TreeEnsembleClassifier")

    x3, y3 = credit_like(classes=3)
    x3m = with_missing(x3)
    booster = xgb.train({**params, "objective": "multi:softprob", "num_class": 3}, xgb.DMatrix(x3m, label=y3), 10)
    attrs = TreeAttrs("class")
    add_xgboost_trees(attrs, booster, outputs_per_round=3)
    p = booster.predict(xgb.DMatrix(x3m))
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"], domain=ML,
                            classlabels_strings=["low", "medium", "high"], post_transform="SOFTMAX",
                            base_values=[base_score(booster)] * 3, **attrs.attributes())
    model = _model([node], [_vi("X", TensorProto.FLOAT, [None, x3.shape[1]])],
                   [_vi("label", TensorProto.STRING, [None]), _vi("probabilities", TensorProto.FLOAT, [None, 3])])
    labels = np.array(["low", "medium", "high"], dtype=object)[p.argmax(axis=1)]
    w.case("tree_xgboost_multiclass_softmax", model, [x3m], [labels, p.astype(np.float32)], "TreeEnsembleClassifier")

    target = (x[:, 0] * 2 + x[:, 1] ** 2).astype(np.float32)
    booster = xgb.train({**params, "objective": "reg:squarederror"}, xgb.DMatrix(xm, label=target), 30)
    attrs = TreeAttrs("target")
    add_xgboost_trees(attrs, booster)
    pred = booster.predict(xgb.DMatrix(xm)).reshape(-1, 1)
    for elem, dtype, name in ((TensorProto.FLOAT, np.float32, "float"), (TensorProto.DOUBLE, np.float64, "double")):
        node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=1,
                                base_values=[base_score(booster)], **attrs.attributes(double_values=name == "double"))
        model = _model([node], [_vi("X", elem, [None, x.shape[1]])], [_vi("Y", TensorProto.FLOAT, [None, 1])])
        # Double inputs hold the same (float-representable) values XGBoost saw.
        w.case(f"tree_xgboost_regression_{name}_input", model, [xm.astype(dtype)], [pred], "TreeEnsembleRegressor",
               rtol=1e-5, atol=1e-5)


def sklearn_forest_cases(w):
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor
    x, y = credit_like()

    # Binary forest as skl2onnx writes it: one vote per leaf for class 1's probability / trees.
    rf = RandomForestClassifier(n_estimators=7, max_depth=None, random_state=SEED).fit(x, y)
    attrs = TreeAttrs("class")
    for t, est in enumerate(rf.estimators_):
        add_sklearn_tree(attrs, t, est, lambda i, e=est: [(0, proba_of(e, i)[1] / len(rf.estimators_))])
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"], domain=ML,
                            classlabels_int64s=[0, 1], **attrs.attributes(double_values=True))
    model = _model([node], [_vi("X", TensorProto.FLOAT, [None, x.shape[1]])],
                   [_vi("label", TensorProto.INT64, [None]), _vi("probabilities", TensorProto.FLOAT, [None, 2])])
    w.case("tree_sklearn_forest_binary", model, [x], [rf.predict(x).astype(np.int64),
                                                       rf.predict_proba(x).astype(np.float32)], "TreeEnsembleClassifier")

    # The same forest behind ZipMap, as skl2onnx exports it by default: finserve serves the maps as
    # the probability tensor plus the labels tensor (docs/onnx-support.md).
    zipmap = helper.make_node("ZipMap", ["probabilities"], ["output_probability"], domain=ML, classlabels_int64s=[0, 1])
    model = _model([node, zipmap], [_vi("X", TensorProto.FLOAT, [None, x.shape[1]])],
                   [_vi("label", TensorProto.INT64, [None]), _seq_map_vi("output_probability", TensorProto.INT64)])
    w.case("zipmap_after_forest", model, [x],
           [rf.predict(x).astype(np.int64), rf.predict_proba(x).astype(np.float32),
            np.tile(np.array([[0, 1]], dtype=np.int64), (len(x), 1))], "ZipMap")

    x3, y3 = credit_like(classes=3)
    rf3 = RandomForestClassifier(n_estimators=7, max_depth=6, random_state=SEED).fit(x3, y3)
    attrs = TreeAttrs("class")
    for t, est in enumerate(rf3.estimators_):
        add_sklearn_tree(attrs, t, est, lambda i, e=est: [(k, p / 7) for k, p in enumerate(proba_of(e, i))])
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "probabilities"], domain=ML,
                            classlabels_int64s=[10, 20, 30], **attrs.attributes(double_values=True))
    model = _model([node], [_vi("X", TensorProto.FLOAT, [None, x.shape[1]])],
                   [_vi("label", TensorProto.INT64, [None]), _vi("probabilities", TensorProto.FLOAT, [None, 3])])
    w.case("tree_sklearn_forest_multiclass", model, [x3],
           [np.array([10, 20, 30])[rf3.predict(x3)].astype(np.int64), rf3.predict_proba(x3).astype(np.float32)],
           "TreeEnsembleClassifier")

    target = (x[:, 0] - x[:, 2] * x[:, 3]).astype(np.float64)
    gb = GradientBoostingRegressor(n_estimators=25, max_depth=3, random_state=SEED).fit(x, target)
    attrs = TreeAttrs("target")
    for t, est in enumerate(gb.estimators_[:, 0]):
        add_sklearn_tree(attrs, t, est, lambda i, e=est: [(0, e.tree_.value[i][0][0] * gb.learning_rate)])
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=1,
                            base_values=[float(gb.init_.constant_[0][0])], **attrs.attributes(double_values=True))
    model = _model([node], [_vi("X", TensorProto.FLOAT, [None, x.shape[1]])], [_vi("Y", TensorProto.FLOAT, [None, 1])])
    w.case("tree_sklearn_gradient_boosting", model, [x], [gb.predict(x).reshape(-1, 1).astype(np.float32)],
           "TreeEnsembleRegressor", rtol=1e-5, atol=1e-5)

    # One regression forest in every split mode, and with every aggregate function.
    rfr = RandomForestRegressor(n_estimators=5, max_depth=5, random_state=SEED).fit(x, target)
    per_tree = np.stack([e.predict(x) for e in rfr.estimators_], axis=1)
    for mode in ("BRANCH_LEQ", "BRANCH_LT", "BRANCH_GT", "BRANCH_GTE"):
        attrs = TreeAttrs("target")
        for t, est in enumerate(rfr.estimators_):
            add_sklearn_tree(attrs, t, est, lambda i, e=est: [(0, e.tree_.value[i][0][0])], mode=mode)
        for agg, want in (("AVERAGE", rfr.predict(x)), ("MIN", per_tree.min(axis=1)), ("MAX", per_tree.max(axis=1))):
            if mode != "BRANCH_LEQ" and agg != "AVERAGE":
                continue
            node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=1,
                                    aggregate_function=agg, **attrs.attributes(double_values=True))
            model = _model([node], [_vi("X", TensorProto.FLOAT, [None, x.shape[1]])],
                           [_vi("Y", TensorProto.FLOAT, [None, 1])])
            w.case(f"tree_sklearn_forest_{mode.lower()}_{agg.lower()}", model, [x],
                   [want.reshape(-1, 1).astype(np.float32)], "TreeEnsembleRegressor", rtol=1e-5, atol=1e-5)

    # Two targets: every leaf votes for both (vector leaves), MIN per target.
    targets2 = np.stack([target, x[:, 1] * 3.0], axis=1)
    rf2 = RandomForestRegressor(n_estimators=4, max_depth=4, random_state=SEED).fit(x, targets2)
    attrs = TreeAttrs("target")
    for t, est in enumerate(rf2.estimators_):
        add_sklearn_tree(attrs, t, est, lambda i, e=est: [(k, e.tree_.value[i][k][0]) for k in range(2)])
    per_tree2 = np.stack([e.predict(x) for e in rf2.estimators_], axis=0)
    for agg, want in (("AVERAGE", rf2.predict(x)), ("MIN", per_tree2.min(axis=0)), ("SUM", per_tree2.sum(axis=0))):
        node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=2, aggregate_function=agg,
                                base_values=[0.5, -0.5], **attrs.attributes(double_values=True))
        model = _model([node], [_vi("X", TensorProto.FLOAT, [None, x.shape[1]])], [_vi("Y", TensorProto.FLOAT, [None, 2])])
        w.case(f"tree_sklearn_two_targets_{agg.lower()}", model, [x], [(want + [0.5, -0.5]).astype(np.float32)],
               "TreeEnsembleRegressor", rtol=1e-5, atol=1e-5)


def equality_split_cases(w):
    """BRANCH_EQ / BRANCH_NEQ on coded categories: no trainer emits them, numpy states the rule."""
    rng = np.random.RandomState(SEED)
    x = rng.randint(0, 4, size=(64, 2)).astype(np.float32)
    x[::9, 0] = np.nan
    x[::7, 1] = np.nan
    attrs = TreeAttrs("target")
    # x0 == 2 ? 10 : (x1 != 3 ? 20 : 30); NaN: x0 NaN tracks true (10); NEQ with NaN holds (20).
    attrs.node(0, 0, 0, "BRANCH_EQ", 2.0, 1, 2, 1)
    attrs.node(0, 1, 0, "LEAF", 0.0, 0, 0)
    attrs.node(0, 2, 1, "BRANCH_NEQ", 3.0, 3, 4, 0)
    attrs.node(0, 3, 0, "LEAF", 0.0, 0, 0)
    attrs.node(0, 4, 0, "LEAF", 0.0, 0, 0)
    for node, value in ((1, 10.0), (3, 20.0), (4, 30.0)):
        attrs.vote(0, node, 0, value)
    want = np.where(np.isnan(x[:, 0]) | (x[:, 0] == 2), 10.0, np.where(~(x[:, 1] == 3), 20.0, 30.0))
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["Y"], domain=ML, n_targets=1, **attrs.attributes())
    model = _model([node], [_vi("X", TensorProto.FLOAT, [None, 2])], [_vi("Y", TensorProto.FLOAT, [None, 1])])
    w.case("tree_equality_splits", model, [x], [want.reshape(-1, 1).astype(np.float32)], "TreeEnsembleRegressor")


def transform_cases(w):
    """PROBIT against scipy's exact ndtri (ONNX computes erfinv with Winitzki's approximation, whose
    relative error stays under 2e-3), SOFTMAX_ZERO against scipy's softmax over the non-zero scores."""
    from scipy.special import ndtri, softmax
    p = np.linspace(0.02, 0.98, 49, dtype=np.float32).reshape(-1, 1)
    node = helper.make_node("LinearRegressor", ["X"], ["Y"], domain=ML, coefficients=[1.0], intercepts=[0.0],
                            targets=1, post_transform="PROBIT")
    model = _model([node], [_vi("X", TensorProto.FLOAT, [None, 1])], [_vi("Y", TensorProto.FLOAT, [None, 1])])
    w.case("transform_probit", model, [p], [ndtri(p.astype(np.float64)).astype(np.float32)], "LinearRegressor",
           rtol=3e-3, atol=1e-3)

    x = np.array([[0.0, 1.0, 2.0], [0.5, 0.0, -1.0], [0.0, 0.0, 0.0], [3.0, -2.0, 0.25]], dtype=np.float32)
    want = np.zeros_like(x)
    for i, row in enumerate(x):
        nz = row != 0
        if nz.any():
            want[i, nz] = softmax(row[nz].astype(np.float64))
        else:
            want[i] = 0.5
    node = helper.make_node("LinearRegressor", ["X"], ["Y"], domain=ML, coefficients=list(np.eye(3).ravel()),
                            intercepts=[0.0] * 3, targets=3, post_transform="SOFTMAX_ZERO")
    model = _model([node], [_vi("X", TensorProto.FLOAT, [None, 3])], [_vi("Y", TensorProto.FLOAT, [None, 3])])
    w.case("transform_softmax_zero", model, [x], [want.astype(np.float32)], "LinearRegressor")


# ---------------------------------------------------------------- linear models


def linear_cases(w):
    from scipy.special import expit, softmax
    from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
    from sklearn.svm import LinearSVC
    x, y = credit_like()
    f = x.shape[1]
    xin = [_vi("X", TensorProto.FLOAT, [None, f])]

    lr = LogisticRegression(max_iter=1000).fit(x, y)
    coef, b = lr.coef_.ravel(), float(lr.intercept_[0])
    # skl2onnx's binary form: two rows [-w, w], LOGISTIC.
    node = helper.make_node("LinearClassifier", ["X"], ["label", "probabilities"], domain=ML,
                            coefficients=list(-coef) + list(coef), intercepts=[-b, b], classlabels_ints=[0, 1],
                            post_transform="LOGISTIC")
    model = _model([node], xin, [_vi("label", TensorProto.INT64, [None]), _vi("probabilities", TensorProto.FLOAT, [None, 2])],
                   ml_opset=1)
    w.case("linear_logistic_binary_two_rows", model, [x],
           [lr.predict(x).astype(np.int64), lr.predict_proba(x).astype(np.float32)], "LinearClassifier")
    # One row for two labels: scores [-s, s] (ONNX's reference), transformed.
    for transform, want in (("NONE", np.stack([-lr.decision_function(x), lr.decision_function(x)], axis=1)),
                            ("LOGISTIC", lr.predict_proba(x))):
        node = helper.make_node("LinearClassifier", ["X"], ["label", "scores"], domain=ML, coefficients=list(coef),
                                intercepts=[b], classlabels_strings=["good", "bad"], post_transform=transform)
        model = _model([node], xin, [_vi("label", TensorProto.STRING, [None]), _vi("scores", TensorProto.FLOAT, [None, 2])])
        labels = np.array(["good", "bad"], dtype=object)[lr.predict(x)]
        w.case(f"linear_one_row_binary_{transform.lower()}", model, [x], [labels, want.astype(np.float32)],
               "LinearClassifier", atol=1e-5)

    x3, y3 = credit_like(classes=3)
    mlr = LogisticRegression(max_iter=2000).fit(x3, y3)
    node = helper.make_node("LinearClassifier", ["X"], ["label", "probabilities"], domain=ML,
                            coefficients=list(mlr.coef_.ravel()), intercepts=list(mlr.intercept_), multi_class=1,
                            classlabels_ints=[0, 1, 2], post_transform="SOFTMAX")
    model = _model([node], xin, [_vi("label", TensorProto.INT64, [None]), _vi("probabilities", TensorProto.FLOAT, [None, 3])])
    w.case("linear_logistic_multinomial", model, [x3],
           [mlr.predict(x3).astype(np.int64), mlr.predict_proba(x3).astype(np.float32)], "LinearClassifier", atol=1e-5)

    svc = LinearSVC(max_iter=20000, random_state=SEED).fit(x3, y3)
    node = helper.make_node("LinearClassifier", ["X"], ["label", "scores"], domain=ML,
                            coefficients=list(svc.coef_.ravel()), intercepts=list(svc.intercept_),
                            classlabels_ints=[0, 1, 2])
    model = _model([node], xin, [_vi("label", TensorProto.INT64, [None]), _vi("scores", TensorProto.FLOAT, [None, 3])])
    w.case("linear_svc_scores", model, [x3], [svc.predict(x3).astype(np.int64),
                                               svc.decision_function(x3).astype(np.float32)], "LinearClassifier",
           atol=1e-5)

    targets = np.stack([x[:, 0] * 3 - x[:, 1], x[:, 2] + 0.5], axis=1)
    reg = LinearRegression().fit(x, targets)
    node = helper.make_node("LinearRegressor", ["X"], ["Y"], domain=ML, coefficients=list(reg.coef_.ravel()),
                            intercepts=list(reg.intercept_), targets=2)
    model = _model([node], xin, [_vi("Y", TensorProto.FLOAT, [None, 2])])
    w.case("linear_regression_two_targets", model, [x], [reg.predict(x).astype(np.float32)], "LinearRegressor",
           atol=1e-5)
    # Post transforms on a regressor's row: LOGISTIC element-wise, SOFTMAX across the targets.
    for transform, fn in (("LOGISTIC", expit), ("SOFTMAX", lambda v: softmax(v, axis=1))):
        node = helper.make_node("LinearRegressor", ["X"], ["Y"], domain=ML, coefficients=list(reg.coef_.ravel()),
                                intercepts=list(reg.intercept_), targets=2, post_transform=transform)
        model = _model([node], xin, [_vi("Y", TensorProto.FLOAT, [None, 2])])
        w.case(f"linear_regression_{transform.lower()}", model, [x], [fn(reg.predict(x)).astype(np.float32)],
               "LinearRegressor", atol=1e-5)

    ridge = Ridge(alpha=2.0).fit(x, targets[:, 0])
    node = helper.make_node("LinearRegressor", ["X"], ["Y"], domain=ML, coefficients=list(ridge.coef_),
                            intercepts=[float(ridge.intercept_)])
    model = _model([node], [_vi("X", TensorProto.DOUBLE, [None, f])], [_vi("Y", TensorProto.FLOAT, [None, 1])])
    w.case("linear_ridge_double_input", model, [x.astype(np.float64)], [ridge.predict(x).reshape(-1, 1).astype(np.float32)],
           "LinearRegressor", atol=1e-5)


# ---------------------------------------------------------------- preprocessing and encoders


def preprocess_cases(w):
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import Binarizer, Normalizer, StandardScaler
    x, _ = credit_like()
    f = x.shape[1]
    xin = [_vi("X", TensorProto.FLOAT, [None, f])]
    yout = [_vi("Y", TensorProto.FLOAT, [None, f])]

    sc = StandardScaler().fit(x)
    node = helper.make_node("Scaler", ["X"], ["Y"], domain=ML, offset=list(sc.mean_), scale=list(1.0 / sc.scale_))
    w.case("scaler_standard", _model([node], xin, yout), [x], [sc.transform(x).astype(np.float32)], "Scaler")
    node = helper.make_node("Scaler", ["X"], ["Y"], domain=ML, offset=[0.5], scale=[2.0])
    w.case("scaler_single_value_int64", _model([node], [_vi("X", TensorProto.INT64, [None, 3])],
                                               [_vi("Y", TensorProto.FLOAT, [None, 3])]),
           [np.arange(12, dtype=np.int64).reshape(4, 3)], [((np.arange(12).reshape(4, 3) - 0.5) * 2).astype(np.float32)],
           "Scaler")

    positive = np.abs(x) + 0.1
    for norm in ("l1", "l2", "max"):
        node = helper.make_node("Normalizer", ["X"], ["Y"], domain=ML, norm=norm.upper())
        w.case(f"normalizer_{norm}", _model([node], xin, yout), [positive],
               [Normalizer(norm=norm).fit_transform(positive).astype(np.float32)], "Normalizer")

    xm = with_missing(x, 0.2)
    imp = SimpleImputer(strategy="mean").fit(xm)
    node = helper.make_node("Imputer", ["X"], ["Y"], domain=ML, imputed_value_floats=list(imp.statistics_),
                            replaced_value_float=float("nan"))
    w.case("imputer_mean_nan", _model([node], xin, yout), [xm], [imp.transform(xm).astype(np.float32)], "Imputer")
    codes = np.random.RandomState(SEED).randint(-1, 5, size=(30, 3)).astype(np.int64)
    imp = SimpleImputer(strategy="most_frequent", missing_values=-1).fit(codes)
    node = helper.make_node("Imputer", ["X"], ["Y"], domain=ML, imputed_value_int64s=[int(v) for v in imp.statistics_],
                            replaced_value_int64=-1)
    w.case("imputer_most_frequent_int64", _model([node], [_vi("X", TensorProto.INT64, [None, 3])],
                                                 [_vi("Y", TensorProto.INT64, [None, 3])]),
           [codes], [imp.transform(codes).astype(np.int64)], "Imputer")

    node = helper.make_node("Binarizer", ["X"], ["Y"], domain=ML, threshold=0.25)
    w.case("binarizer", _model([node], xin, yout), [x], [Binarizer(threshold=0.25).transform(x).astype(np.float32)],
           "Binarizer")


def encoder_cases(w):
    from sklearn.preprocessing import LabelEncoder, OneHotEncoder
    rng = np.random.RandomState(SEED)
    homes = np.array(["rent", "owner", "parents", "other"], dtype=object)
    train = homes[rng.randint(0, 4, size=50)].reshape(-1, 1)
    test = np.concatenate([train[:10], np.array([["castle"]], dtype=object)])
    ohe = OneHotEncoder(handle_unknown="ignore").fit(train)
    node = helper.make_node("OneHotEncoder", ["X"], ["Y"], domain=ML, cats_strings=[str(c) for c in ohe.categories_[0]],
                            zeros=1)
    model = _model([node], [_vi("X", TensorProto.STRING, [None, 1])], [_vi("Y", TensorProto.FLOAT, [None, 1, 4])])
    w.case("onehot_strings_unknown_is_zeros", model, [test],
           [ohe.transform(test).toarray().reshape(-1, 1, 4).astype(np.float32)], "OneHotEncoder")
    codes = rng.randint(0, 6, size=(20, 1)).astype(np.int64)
    ohe = OneHotEncoder().fit(codes)
    node = helper.make_node("OneHotEncoder", ["X"], ["Y"], domain=ML, cats_int64s=[int(c) for c in ohe.categories_[0]])
    k = len(ohe.categories_[0])
    model = _model([node], [_vi("X", TensorProto.INT64, [None, 1])], [_vi("Y", TensorProto.FLOAT, [None, 1, k])])
    w.case("onehot_int64", model, [codes], [ohe.transform(codes).toarray().reshape(-1, 1, k).astype(np.float32)],
           "OneHotEncoder")

    le = LabelEncoder().fit(homes)
    known = homes[rng.randint(0, 4, size=12)]
    strings = np.concatenate([known, np.array(["castle"], dtype=object)])
    node = helper.make_node("LabelEncoder", ["X"], ["Y"], domain=ML, classes_strings=[str(c) for c in le.classes_],
                            default_int64=-1)
    model = _model([node], [_vi("X", TensorProto.STRING, [None])], [_vi("Y", TensorProto.INT64, [None])], ml_opset=1)
    w.case("label_encoder_v1_strings_to_ints", model, [strings],
           [np.concatenate([le.transform(known), [-1]]).astype(np.int64)], "LabelEncoder")
    ints = np.array([0, 3, 1, 2, 7], dtype=np.int64)
    node = helper.make_node("LabelEncoder", ["X"], ["Y"], domain=ML, classes_strings=[str(c) for c in le.classes_],
                            default_string="unknown")
    model = _model([node], [_vi("X", TensorProto.INT64, [None])], [_vi("Y", TensorProto.STRING, [None])], ml_opset=1)
    w.case("label_encoder_v1_ints_to_strings", model, [ints],
           [np.concatenate([le.inverse_transform(ints[:4]), ["unknown"]]).astype(object)], "LabelEncoder")

    # Opset 2: a target encoding (category -> mean default rate), as a lookup table.
    rates = {str(h): float(np.float32(0.1 * (i + 1))) for i, h in enumerate(homes)}
    node = helper.make_node("LabelEncoder", ["X"], ["Y"], domain=ML, keys_strings=list(rates),
                            values_floats=list(rates.values()), default_float=0.5)
    model = _model([node], [_vi("X", TensorProto.STRING, [None])], [_vi("Y", TensorProto.FLOAT, [None])], ml_opset=2)
    w.case("label_encoder_v2_target_encoding", model, [strings],
           [np.array([rates.get(s, 0.5) for s in strings], dtype=np.float32)], "LabelEncoder")

    x, _ = credit_like()
    idx = np.array([5, 0, 2], dtype=np.int64)
    node = helper.make_node("ArrayFeatureExtractor", ["X", "idx"], ["Y"], domain=ML)
    model = _model([node], [_vi("X", TensorProto.FLOAT, [None, x.shape[1]])], [_vi("Y", TensorProto.FLOAT, [None, 3])],
                   initializers=[numpy_helper.from_array(idx, "idx")])
    w.case("array_feature_extractor", model, [x], [np.take(x, idx, axis=1)], "ArrayFeatureExtractor")


def pipeline_cases(w):
    """A credit-scoring pipeline as skl2onnx lays it out: Imputer -> Scaler -> LinearClassifier -> ZipMap."""
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    x, y = credit_like()
    xm = with_missing(x)
    pipe = make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), LogisticRegression(max_iter=1000)).fit(xm, y)
    imp, sc, lr = pipe.steps[0][1], pipe.steps[1][1], pipe.steps[2][1]
    coef, b = lr.coef_.ravel(), float(lr.intercept_[0])
    nodes = [
        helper.make_node("Imputer", ["X"], ["imputed"], domain=ML, imputed_value_floats=list(imp.statistics_),
                         replaced_value_float=float("nan")),
        helper.make_node("Scaler", ["imputed"], ["scaled"], domain=ML, offset=list(sc.mean_), scale=list(1 / sc.scale_)),
        helper.make_node("LinearClassifier", ["scaled"], ["label", "probabilities"], domain=ML,
                         coefficients=list(-coef) + list(coef), intercepts=[-b, b], classlabels_strings=["good", "bad"],
                         post_transform="LOGISTIC"),
        helper.make_node("ZipMap", ["probabilities"], ["output_probability"], domain=ML,
                         classlabels_strings=["good", "bad"]),
    ]
    model = _model(nodes, [_vi("X", TensorProto.FLOAT, [None, x.shape[1]])],
                   [_vi("label", TensorProto.STRING, [None]), _seq_map_vi("output_probability", TensorProto.STRING)])
    labels = np.array(["good", "bad"], dtype=object)
    w.case("pipeline_imputer_scaler_logistic_zipmap", model, [xm],
           [labels[pipe.predict(xm)], pipe.predict_proba(xm).astype(np.float32), np.tile(labels, (len(xm), 1))],
           "ZipMap", atol=1e-5)


def write_ml_cases(output, manifest):
    w = Writer(output, manifest)
    for make in (xgboost_cases, sklearn_forest_cases, equality_split_cases, transform_cases, linear_cases,
                 preprocess_cases, encoder_cases, pipeline_cases):
        make(w)
