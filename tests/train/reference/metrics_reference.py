"""scikit-learn's (and numpy's) answers for the scores in a CSV file of score,label rows.

Usage: metrics_reference.py scores.csv threshold [expected_scores.csv]
Prints one JSON object. PSI has no scikit-learn function: it is computed here from its
definition (bins cut at the expected scores' deciles, empty bins floored at 1e-4).
"""
import json
import sys

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, brier_score_loss, confusion_matrix, f1_score, log_loss,
                             mean_absolute_error, mean_squared_error, precision_score, r2_score, recall_score,
                             roc_auc_score, roc_curve)


def load(path):
    data = np.loadtxt(path, delimiter=",", ndmin=2)
    return data[:, 0], data[:, 1]


def psi(expected, actual):
    qs = np.percentile(expected, np.arange(1, 10) * 10)
    edges = []
    for q in qs:
        if not edges or q > edges[-1]:
            edges.append(q)
    e = np.bincount(np.searchsorted(edges, expected, side="right"), minlength=len(edges) + 1) / len(expected)
    a = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=len(edges) + 1) / len(actual)
    e, a = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    return float(np.sum((a - e) * np.log(a / e)))


scores, labels = load(sys.argv[1])
threshold = float(sys.argv[2])
predicted = (scores >= threshold).astype(int)
fpr, tpr, _ = roc_curve(labels, scores)
prob_true, prob_pred = calibration_curve(labels, scores, n_bins=10, strategy="quantile")
tn, fp, fn, tp = confusion_matrix(labels, predicted, labels=[0, 1]).ravel()
out = {
    "auc": roc_auc_score(labels, scores),
    "ks": float(np.max(tpr - fpr)),
    "log_loss": log_loss(labels, scores, eps=1e-15),
    "brier": brier_score_loss(labels, scores),
    "accuracy": accuracy_score(labels, predicted),
    "precision": precision_score(labels, predicted, zero_division=0),
    "recall": recall_score(labels, predicted, zero_division=0),
    "f1": f1_score(labels, predicted, zero_division=0),
    "confusion": [int(tn), int(fp), int(fn), int(tp)],
    "calibration_observed": prob_true.tolist(),
    "calibration_predicted": prob_pred.tolist(),
    "rmse": float(np.sqrt(mean_squared_error(labels, scores))),
    "mae": mean_absolute_error(labels, scores),
    "r2": r2_score(labels, scores),
}
if len(sys.argv) > 3:
    expected, _ = load(sys.argv[3])
    out["psi"] = psi(expected, scores)
print(json.dumps(out))
