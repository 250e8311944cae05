#!/usr/bin/python3
"""Writes ONNX's own node test cases in the standard layout, plus a manifest for our driver.

Run with Debian's interpreter (/usr/bin/python3, which sees python3-onnx and numpy):

    /usr/bin/python3 generate_cases.py --output <build>/onnx_conformance

Each case becomes <output>/<name>/model.onnx and <output>/<name>/test_data_set_0/{input,output}_N.pb,
exactly as onnx's `backend-test-tools generate-data` would write them. <output>/manifest.tsv has one
line per case: name, the op under test, its domain, the opset the model imports for that domain,
every distinct (domain:)op in the graph, rtol and atol. Generated files are build products: never
commit them.
"""
import argparse
import os
import shutil
import sys

import numpy as np

# onnx 1.12's generators still use aliases that numpy 1.24 removed; restore them before import.
for _alias, _target in (("bool", bool), ("object", object), ("int", int), ("float", float),
                        ("str", str), ("complex", complex)):
    if _alias not in np.__dict__:  # hasattr() would print a FutureWarning per alias
        setattr(np, _alias, _target)

import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402
import onnx.backend.test.case.node as node_test  # noqa: E402


def write_value(path, value, value_info):
    kind = value_info.type.WhichOneof("value")
    if kind == "tensor_type":
        proto = numpy_helper.from_array(value, value_info.name)
    elif kind == "sequence_type":
        proto = numpy_helper.from_list(value, value_info.name)
    elif kind == "map_type":
        proto = numpy_helper.from_dict(value, value_info.name)
    elif kind == "optional_type":
        proto = numpy_helper.from_optional(value, value_info.name)
    else:
        raise ValueError(f"{value_info.name}: unknown value kind {kind}")
    with open(path, "wb") as f:
        f.write(proto.SerializeToString())


def opset_for(model, domain):
    for imp in model.opset_import:
        if imp.domain == domain or (domain in ("", "ai.onnx") and imp.domain in ("", "ai.onnx")):
            return imp.version
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="directory to (re)create")
    args = parser.parse_args()

    if os.path.exists(args.output):
        shutil.rmtree(args.output)
    os.makedirs(args.output)

    cases = node_test.collect_testcases(None)
    tested_op = {}  # base case name -> (op, domain) of the node under test
    for case in cases:
        if not case.name.endswith("_expanded") and len(case.model.graph.node) == 1:
            node = case.model.graph.node[0]
            tested_op[case.name] = (node.op_type, node.domain)

    manifest = {}  # by name: onnx 1.12 defines a few names twice; like its own tool, the last wins
    for case in cases:
        base = case.name[: -len("_expanded")] if case.name.endswith("_expanded") else case.name
        graph = case.model.graph
        op, domain = tested_op.get(base, (graph.node[0].op_type if graph.node else "", ""))
        case_dir = os.path.join(args.output, case.name)
        if os.path.exists(case_dir):
            shutil.rmtree(case_dir)
        os.makedirs(case_dir)
        with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        for i, (inputs, outputs) in enumerate(case.data_sets):
            data_dir = os.path.join(case_dir, f"test_data_set_{i}")
            os.makedirs(data_dir)
            for j, value in enumerate(inputs):
                write_value(os.path.join(data_dir, f"input_{j}.pb"), value, graph.input[j])
            for j, value in enumerate(outputs):
                write_value(os.path.join(data_dir, f"output_{j}.pb"), value, graph.output[j])
        graph_ops = sorted({(n.domain + ":" if n.domain else "") + n.op_type for n in graph.node})
        manifest[case.name] = ("\t".join([case.name, op, domain or "ai.onnx", str(opset_for(case.model, domain)),
                                   ",".join(graph_ops), repr(case.rtol), repr(case.atol)]))

    with open(os.path.join(args.output, "manifest.tsv"), "w") as f:
        f.write("# name\top\tdomain\topset\tgraph_ops\trtol\tatol\n")
        f.write("\n".join(manifest[name] for name in sorted(manifest)) + "\n")
    print(f"generate_cases: wrote {len(manifest)} cases to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
