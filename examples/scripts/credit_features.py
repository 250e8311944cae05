"""How the credit_data.csv applicant columns become model features (shared by the example scripts).

Numeric characteristics are used as they are (empty cells become NaN, i.e. missing). Records is
yes=1/no=0. Home, Marital and Job are one-hot encoded; when the value is missing every column of
the group is NaN, so the trees route the applicant by each node's default (missing) direction.
"""
import csv
import math

TARGET = "Status"
POSITIVE = "bad"
NUMERIC = ["Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price"]
BINARY = {"Records": {"no": 0.0, "yes": 1.0}}
ONE_HOT = {
    "Home": ["rent", "owner", "parents", "priv", "other", "ignore"],
    "Marital": ["married", "widow", "single", "separated", "divorced"],
    "Job": ["fixed", "freelance", "partime", "others"],
}
ORDER = ["Seniority", "Home", "Time", "Age", "Marital", "Records", "Job", "Expenses", "Income", "Assets",
         "Debt", "Amount", "Price"]


def feature_names():
    names = []
    for column in ORDER:
        if column in ONE_HOT:
            names += [f"{column}={value}" for value in ONE_HOT[column]]
        else:
            names.append(column)
    return names


def encode(row):
    """One applicant (dict of raw CSV strings) -> list of floats in feature_names() order."""
    out = []
    for column in ORDER:
        raw = row.get(column, "")
        if column in ONE_HOT:
            values = ONE_HOT[column]
            if raw == "":
                out += [math.nan] * len(values)
            else:
                if raw not in values:
                    raise ValueError(f"{column}: unknown category {raw!r}")
                out += [1.0 if raw == v else 0.0 for v in values]
        elif column in BINARY:
            out.append(math.nan if raw == "" else BINARY[column][raw])
        else:
            out.append(math.nan if raw == "" else float(raw))
    return out


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    features = [encode(r) for r in rows]
    labels = [1.0 if r[TARGET] == POSITIVE else 0.0 for r in rows]
    return rows, features, labels
