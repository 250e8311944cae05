#!/usr/bin/python3
"""finserve's trainers against scikit-learn and python3-xgboost on the project's data sets.

For each data set: one stratified 70/30 train/test split (numpy, seed 42) written to CSV files;
finserve trains on train.csv (`finserve train`, no internal validation split, so every model fits
exactly the same rows) and is scored on test.csv (`finserve evaluate`); the Python peers fit the
same train.csv with the same preprocessing rules (median imputation and one-hot categories with a
"(missing)" category for the linear models; NaN and one-hot for the trees) and the same
hyper-parameters, and are scored on the same test.csv. Training time is the wall time from CSV
file to fitted model in both cases (finserve: the whole `finserve train` process, including
writing the version; Python: reading, encoding and fitting in-process).

Usage: scripts/compare_training.py [--finserve build/release/src/cli/finserve] [--threads 2] [--repeat 3]
Prints the Markdown table that docs/training.md shows.
"""
import argparse
import csv
import json
import os
import subprocess
import tempfile
import time

import numpy as np
import xgboost
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, roc_curve

DATASETS = [("credit_data.csv", "Status", "bad"), ("lending_club.csv", "Class", "bad")]
GBDT = {"rounds": 300, "max_depth": 4, "learning_rate": 0.05, "subsample": 0.8, "colsample_bytree": 0.8}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_csv(path):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(reader)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        w.writerows(rows)


def split(rows, labels, seed=42, test_fraction=0.3):
    rng = np.random.default_rng(seed)
    train, test = [], []
    for cls in (0, 1):
        idx = np.flatnonzero(labels == cls)
        rng.shuffle(idx)
        n_test = int(round(len(idx) * test_fraction))
        test += idx[:n_test].tolist()
        train += idx[n_test:].tolist()
    return sorted(train), sorted(test)


def is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


class Encoder:
    """The preprocessing finserve documents, fitted on the training rows."""

    def __init__(self, header, rows, target, impute):
        self.columns = []
        self.impute = impute
        for c, name in enumerate(header):
            if name == target:
                continue
            values = [r[c] for r in rows if r[c] != ""]
            if all(is_number(v) for v in values):
                nums = np.array([float(v) for v in values])
                has_missing = len(values) < len(rows)
                self.columns.append((c, "num", float(np.median(nums)), has_missing))
            else:
                counts = {}
                for v in values:
                    counts[v] = counts.get(v, 0) + 1
                cats = sorted(counts, key=lambda k: (-counts[k], k))
                self.columns.append((c, "cat", cats, len(values) < len(rows)))

    def transform(self, rows):
        out = []
        for r in rows:
            x = []
            for c, kind, info, has_missing in self.columns:
                v = r[c]
                if kind == "num":
                    if v == "":
                        x.append(info if self.impute else np.nan)
                    else:
                        x.append(float(v))
                else:
                    if v == "" and not self.impute:
                        x += [np.nan] * len(info)
                        continue
                    if v == "" and not has_missing:
                        v = info[0]  # imputed: the most frequent category
                    x += [1.0 if v == k else 0.0 for k in info]
                    if self.impute and has_missing:
                        x.append(1.0 if v == "" else 0.0)  # the "(missing)" category
            out.append(x)
        return np.array(out, dtype=np.float64)


def ks(y, p):
    fpr, tpr, _ = roc_curve(y, p)
    return float(np.max(tpr - fpr))


def peer_logistic(train_path, test_rows, test_y, target, positive):
    start = time.perf_counter()
    header, rows = read_csv(train_path)
    y = np.array([1 if r[header.index(target)] == positive else 0 for r in rows])
    enc = Encoder(header, rows, target, impute=True)
    x = enc.transform(rows)
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1
    model = LogisticRegression(C=1.0, solver="newton-cholesky", max_iter=1000).fit((x - mean) / std, y)
    seconds = time.perf_counter() - start
    p = model.predict_proba((enc.transform(test_rows) - mean) / std)[:, 1]
    return roc_auc_score(test_y, p), ks(test_y, p), seconds


def peer_xgboost(train_path, test_rows, test_y, target, positive, threads):
    start = time.perf_counter()
    header, rows = read_csv(train_path)
    y = np.array([1 if r[header.index(target)] == positive else 0 for r in rows])
    enc = Encoder(header, rows, target, impute=False)
    model = xgboost.XGBClassifier(n_estimators=GBDT["rounds"], max_depth=GBDT["max_depth"],
                                  learning_rate=GBDT["learning_rate"], subsample=GBDT["subsample"],
                                  colsample_bytree=GBDT["colsample_bytree"], tree_method="hist", n_jobs=threads,
                                  random_state=42)
    model.fit(enc.transform(rows), y)
    seconds = time.perf_counter() - start
    p = model.predict_proba(enc.transform(test_rows))[:, 1]
    return roc_auc_score(test_y, p), ks(test_y, p), seconds


def ours(binary, algorithm, train_path, test_path, target, positive, repo, params, threads):
    model = "cmp_" + algorithm
    start = time.perf_counter()
    subprocess.run([binary, "train", "--data", train_path, "--target", target, "--positive", positive, "--algorithm",
                    algorithm, "--model-repository", repo, "--model", model, "--params", params, "--seed", "42",
                    "--threads", str(threads), "--quiet"], check=True, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    out = subprocess.run([binary, "evaluate", "--model-repository", repo, "--model", model, "--data", test_path,
                          "--target", target, "--positive", positive], check=True, capture_output=True, text=True)
    metrics = json.loads(out.stdout)
    return metrics["auc"], metrics["ks"], seconds


def best_of(repeat, run):
    """Runs `run` (returning auc, ks, seconds) `repeat` times; same metrics, fastest time."""
    results = [run() for _ in range(repeat)]
    return results[0][0], results[0][1], min(r[2] for r in results)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--finserve", default=os.path.join(ROOT, "build/release/src/cli/finserve"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="fits per model; the fastest time is reported")
    args = parser.parse_args()
    print("| data (train/test rows) | finserve model | AUC | KS | peer | peer AUC | peer KS | train time finserve / peer |")
    print("|---|---|---|---|---|---|---|---|")
    for name, target, positive in DATASETS:
        header, rows = read_csv(os.path.join(ROOT, "data", name))
        labels = np.array([1 if r[header.index(target)] == positive else 0 for r in rows])
        train_idx, test_idx = split(rows, labels)
        with tempfile.TemporaryDirectory() as tmp:
            train_path, test_path = os.path.join(tmp, "train.csv"), os.path.join(tmp, "test.csv")
            write_csv(train_path, header, [rows[i] for i in train_idx])
            write_csv(test_path, header, [rows[i] for i in test_idx])
            params = os.path.join(tmp, "params.yaml")
            with open(params, "w") as f:
                f.write("split: {validation_fraction: 0}\n")
                f.write("gbdt: {rounds: %d, max_depth: %d, learning_rate: %g, subsample: %g, colsample_bytree: %g, "
                        "early_stopping_rounds: 0}\n" % (GBDT["rounds"], GBDT["max_depth"], GBDT["learning_rate"],
                                                       GBDT["subsample"], GBDT["colsample_bytree"]))
            test_rows = [rows[i] for i in test_idx]
            test_y = labels[test_idx]
            lr = best_of(args.repeat, lambda: peer_logistic(train_path, test_rows, test_y, target, positive))
            xgb = best_of(args.repeat, lambda: peer_xgboost(train_path, test_rows, test_y, target, positive, args.threads))
            repo = os.path.join(tmp, "repo")
            data = "%s (%d/%d)" % (name, len(train_idx), len(test_idx))
            for algorithm, peer_name, peer in (("logistic", "scikit-learn LogisticRegression", lr),
                                               ("scorecard", "scikit-learn LogisticRegression", lr),
                                               ("gbdt", "python3-xgboost XGBClassifier", xgb)):
                auc, k, seconds = best_of(args.repeat, lambda: ours(args.finserve, algorithm, train_path, test_path, target,
                                                                    positive, repo, params, args.threads))
                print("| %s | %s | %.4f | %.4f | %s | %.4f | %.4f | %.2f s / %.2f s = %.2f |" % (
                    data, algorithm, auc, k, peer_name, peer[0], peer[1], seconds, peer[2], seconds / peer[2]))


if __name__ == "__main__":
    main()
