"""scikit-learn's LogisticRegression on a CSV matrix (last column = 0/1 label), standardised
with the population standard deviation as finserve's trainer does; prints P(y=1) per row.

Usage: logistic_reference.py data.csv l2 l1
The penalties map onto scikit-learn's C: finserve minimises sum(logloss) + l2/2 |w|^2 + l1 |w|_1,
scikit-learn minimises C sum(logloss) + 1/2 |w|^2 (l2) or C sum(logloss) + |w|_1 (l1).
"""
import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

data = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
x, y = data[:, :-1], data[:, -1]
l2, l1 = float(sys.argv[2]), float(sys.argv[3])
mean, std = x.mean(axis=0), x.std(axis=0)
std[std == 0] = 1.0
z = (x - mean) / std
if l1 > 0:
    model = LogisticRegression(penalty="l1", C=1.0 / l1, solver="saga", tol=1e-12, max_iter=200000)
else:
    # newton-cholesky (scikit-learn 1.2) converges to 1e-11; lbfgs stops about 1e-4 short here.
    model = LogisticRegression(penalty="l2", C=1.0 / l2, solver="newton-cholesky", tol=1e-12, max_iter=1000)
model.fit(z, y)
print(json.dumps({"probability": model.predict_proba(z)[:, 1].tolist(),
                  "zero_coefficients": int(np.sum(model.coef_ == 0))}))
