"""A small numpy interpreter of the ONNX operators finserve's MLP export uses (Gemm, Relu,
Reshape, Sigmoid), walking the graph as written and following the operator specs. onnx 1.12 has
no onnx.reference evaluator, so the tests use this independent reading instead.
"""
import numpy as np
import onnx
from onnx import numpy_helper


def _attr(node, name, default):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def run(model, rows):
    """Checks `model` with onnx.checker and returns {output name: numpy array} for `rows`."""
    onnx.checker.check_model(model)
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values[model.graph.input[0].name] = np.asarray(rows, dtype=np.float32)
    for node in model.graph.node:
        ins = [values[i] for i in node.input]
        if node.op_type == "Gemm":
            a, b = ins[0], ins[1]
            if _attr(node, "transA", 0):
                a = a.T
            if _attr(node, "transB", 0):
                b = b.T
            out = _attr(node, "alpha", 1.0) * (a @ b)
            if len(ins) > 2:
                out = out + _attr(node, "beta", 1.0) * ins[2]
        elif node.op_type == "Relu":
            out = np.maximum(ins[0], 0)
        elif node.op_type == "Reshape":
            out = ins[0].reshape(ins[1])
        elif node.op_type == "Sigmoid":
            out = 1.0 / (1.0 + np.exp(-ins[0]))
        else:
            raise SystemExit("unexpected operator " + node.op_type)
        values[node.output[0]] = out.astype(np.float32)
    return {o.name: values[o.name] for o in model.graph.output}
