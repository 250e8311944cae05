"""Checks an ONNX model with onnx.checker and evaluates it with a small numpy interpreter of the
operators finserve's MLP export uses (Gemm, Relu, Reshape, Sigmoid), walking the graph as
written. Prints {"probability": [...], "margin": [...]} for the rows of a CSV matrix.

Usage: onnx_reference.py model.onnx rows.csv
(onnx 1.12 has no onnx.reference evaluator; this interpreter follows the operator specs.)
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model)
rows = np.loadtxt(sys.argv[2], delimiter=",", ndmin=2).astype(np.float32)
values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
values[model.graph.input[0].name] = rows


def attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


for node in model.graph.node:
    ins = [values[i] for i in node.input]
    if node.op_type == "Gemm":
        a, b = ins[0], ins[1]
        if attr(node, "transA", 0):
            a = a.T
        if attr(node, "transB", 0):
            b = b.T
        out = attr(node, "alpha", 1.0) * (a @ b)
        if len(ins) > 2:
            out = out + attr(node, "beta", 1.0) * ins[2]
    elif node.op_type == "Relu":
        out = np.maximum(ins[0], 0)
    elif node.op_type == "Reshape":
        out = ins[0].reshape(ins[1])
    elif node.op_type == "Sigmoid":
        out = 1.0 / (1.0 + np.exp(-ins[0]))
    else:
        raise SystemExit("unexpected operator " + node.op_type)
    values[node.output[0]] = out.astype(np.float32)

print(json.dumps({o.name: values[o.name].astype(float).tolist() for o in model.graph.output}))
