#!/usr/bin/python3
"""Writes the seed corpus of onnx_loader_fuzz (small valid models exercising many kernels).

Run with Debian's interpreter: /usr/bin/python3 fuzz/onnx_loader_corpus.py
"""
import onnx, numpy as np
from onnx import helper, TensorProto, numpy_helper
import os, sys
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "onnx_loader") + "/"
def save(name, nodes, inputs, outputs, inits=(), opset=13):
    g = helper.make_graph(nodes, name, inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="finserve-corpus")
    m.ir_version = 8
    onnx.checker.check_model(m)
    open(out + name + ".onnx", "wb").write(m.SerializeToString())
F = TensorProto.FLOAT
vi = helper.make_tensor_value_info
save("relu", [helper.make_node("Relu", ["x"], ["y"])], [vi("x", F, ["N", 4])], [vi("y", F, ["N", 4])])
w = numpy_helper.from_array(np.random.RandomState(0).randn(4, 3).astype(np.float32), "w")
b = numpy_helper.from_array(np.zeros(3, np.float32), "b")
save("mlp", [helper.make_node("MatMul", ["x", "w"], ["h"]), helper.make_node("Add", ["h", "b"], ["z"]),
             helper.make_node("Relu", ["z"], ["r"]), helper.make_node("Softmax", ["r"], ["p"], axis=-1)],
     [vi("x", F, ["N", 4])], [vi("p", F, ["N", 3])], [w, b])
shape = numpy_helper.from_array(np.array([-1, 2], np.int64), "shape")
save("shapes", [helper.make_node("Reshape", ["x", "shape"], ["r"]), helper.make_node("Transpose", ["r"], ["t"]),
                helper.make_node("ReduceSum", ["t"], ["s"], keepdims=0), helper.make_node("Cast", ["s"], ["c"], to=TensorProto.INT64),
                helper.make_node("TopK", ["c", "k"], ["v", "i"])],
     [vi("x", F, [2, 2]), vi("k", TensorProto.INT64, [1])], [vi("v", TensorProto.INT64, [None]), vi("i", TensorProto.INT64, [None])], [shape])
save("gemm_where", [helper.make_node("Gemm", ["a", "b", "c"], ["g"], transB=1, alpha=0.5),
                    helper.make_node("Greater", ["g", "c"], ["m"]), helper.make_node("Where", ["m", "g", "c"], ["y"]),
                    helper.make_node("Clip", ["y", "lo"], ["z"])],
     [vi("a", F, [2, 3]), vi("b", F, [4, 3]), vi("c", F, [4])], [vi("z", F, [2, 4])],
     [numpy_helper.from_array(np.array(0.0, np.float32), "lo")])
save("concat_slice_gather", [helper.make_node("Concat", ["x", "x"], ["c"], axis=0),
                             helper.make_node("Slice", ["c", "st", "en"], ["s"]),
                             helper.make_node("Gather", ["s", "idx"], ["y"], axis=1)],
     [vi("x", F, [2, 3])], [vi("y", F, [None, 2])],
     [numpy_helper.from_array(np.array([1], np.int64), "st"), numpy_helper.from_array(np.array([3], np.int64), "en"),
      numpy_helper.from_array(np.array([0, 2], np.int64), "idx")])
save("legacy_opset11", [helper.make_node("Squeeze", ["x"], ["s"], axes=[0]), helper.make_node("Unsqueeze", ["s"], ["y"], axes=[1])],
     [vi("x", F, [1, 3])], [vi("y", F, [3, 1])], opset=11)
save("index_ops", [helper.make_node("CumSum", ["x", "ax"], ["c"]), helper.make_node("Trilu", ["c"], ["t"]),
                   helper.make_node("Pad", ["t", "pads"], ["p"], mode="reflect"),
                   helper.make_node("OneHot", ["idx", "depth", "vals"], ["o"])],
     [vi("x", F, [3, 3]), vi("idx", TensorProto.INT64, [2])], [vi("p", F, [None, None]), vi("o", F, [2, None])],
     [numpy_helper.from_array(np.array(1, np.int64), "ax"), numpy_helper.from_array(np.array([1, 1, 1, 1], np.int64), "pads"),
      numpy_helper.from_array(np.array(4, np.int64), "depth"), numpy_helper.from_array(np.array([0, 1], np.float32), "vals")],
     opset=14)
print("ok")
