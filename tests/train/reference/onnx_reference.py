"""Checks an ONNX model with onnx.checker and evaluates it with the numpy interpreter in
onnx_numpy.py. Prints {"probability": [...], "margin": [...]} for the rows of a CSV matrix.

Usage: onnx_reference.py model.onnx rows.csv
"""
import json
import sys

import numpy as np
import onnx

import onnx_numpy

outputs = onnx_numpy.run(onnx.load(sys.argv[1]), np.loadtxt(sys.argv[2], delimiter=",", ndmin=2))
print(json.dumps({name: value.astype(float).tolist() for name, value in outputs.items()}))
