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
# Characteristics the data leaves empty for some applicants: the model was trained with them
# missing (NaN), so a missing value is sent to it as NaN; the others must be given.
MAY_BE_MISSING = {"Home", "Marital", "Job", "Income", "Assets", "Debt"}

# The adverse-action reason table: one reason per characteristic (the one-hot columns of Home,
# Marital and Job form one reason each), the direction in which it counts against the applicant,
# and the statement given to the consumer (wording after Regulation B's sample notice); MISSING_TEXT
# is the statement when the characteristic counted against the applicant because it was not given.
REASONS = [
    ("R01", "Seniority", "low", "Length of employment"),
    ("R02", "Home", "any", "Type of residence"),
    ("R03", "Time", "high", "Repayment term requested"),
    ("R04", "Age", "any", "Age of applicant"),
    ("R05", "Marital", "any", "Marital status"),
    ("R06", "Records", "high", "Delinquent past or present credit obligations"),
    ("R07", "Job", "any", "Type of employment"),
    ("R08", "Expenses", "high", "Level of regular expenses"),
    ("R09", "Income", "low", "Income insufficient for amount of credit requested"),
    ("R10", "Assets", "low", "Insufficient assets"),
    ("R11", "Debt", "high", "Excessive obligations in relation to income"),
    ("R12", "Amount", "high", "Amount of credit requested"),
    ("R13", "Price", "any", "Value of the goods being financed"),
]
MISSING_TEXT = {
    "Home": "Type of residence not provided",
    "Marital": "Marital status not provided",
    "Job": "Type of employment not provided",
    "Income": "Income information not provided",
    "Assets": "Information on assets not provided",
    "Debt": "Information on obligations not provided",
}


def feature_names():
    names = []
    for column in ORDER:
        if column in ONE_HOT:
            names += [f"{column}={value}" for value in ONE_HOT[column]]
        else:
            names.append(column)
    return names


def features_config_lines():
    """The model config's `features:` section (docs/explanations.md), as YAML lines."""
    lines = ["features:"]
    for column in ORDER:
        missing = "nan" if column in MAY_BE_MISSING else "refuse"
        if column in ONE_HOT:
            categories = ", ".join(f'{v}: "{column}={v}"' for v in ONE_HOT[column])
            lines += [f"  {column}:", "    type: categorical", "    encoding: one_hot",
                      f"    categories: {{{categories}}}", f"    missing: {missing}"]
        elif column in BINARY:
            categories = ", ".join(f'"{k}": {int(v)}' for k, v in BINARY[column].items())
            lines.append(f"  {column}: {{type: categorical, encoding: ordinal, categories: {{{categories}}}, "
                         f"missing: {missing}}}")
        else:
            lines.append(f"  {column}: {{type: numeric, missing: {missing}}}")
    return lines


def reason_table_lines(default_k=4):
    """The `reason_codes:` part of the `explanation:` section, as YAML lines (indented by 2)."""
    lines = ["  reason_codes:", f"    default_k: {default_k}", "    table:"]
    for code, feature, adverse, text in REASONS:
        missing = f', missing_text: "{MISSING_TEXT[feature]}"' if feature in MISSING_TEXT else ""
        lines.append(f'      - {{code: {code}, features: [{feature}], adverse: {adverse}, text: "{text}"{missing}}}')
    return lines


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
