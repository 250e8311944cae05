#!/usr/bin/python3
"""Writes ONNX's own node test cases in the standard layout, plus a manifest for our driver.

Run with Debian's interpreter (/usr/bin/python3, which sees python3-onnx and numpy):

    /usr/bin/python3 generate_cases.py --output <build>/onnx_conformance

Each case becomes <output>/<name>/model.onnx and <output>/<name>/test_data_set_0/{input,output}_N.pb,
exactly as onnx's `backend-test-tools generate-data` would write them. Whole models exported
from PyTorch (python3-torch) are added in the same layout, op "(torch)", with torch's own outputs
as the expected values, and so are the ai.onnx.ml cases of ml_cases.py (onnx 1.12 has none of its
own), with scikit-learn's and XGBoost's predictions as the expected values. <output>/manifest.tsv has one line per case: name, the op under test, its
domain, the opset the model imports for that domain, every distinct (domain:)op in the graph,
rtol, atol, and a skip reason when the case could not be made. Generated files are build
products: never commit them.
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


def torch_models():
    """(name, torch module, example inputs, dynamic axes, opsets) for the whole-model cases."""
    import torch

    torch.manual_seed(0)

    class CreditMlp(torch.nn.Module):  # Gemm, Relu, Sigmoid, Tanh, Mul, Clip, Add, Softmax, ArgMax
        def __init__(self):
            super().__init__()
            self.l1, self.l2, self.l3 = torch.nn.Linear(12, 32), torch.nn.Linear(32, 16), torch.nn.Linear(16, 2)

        def forward(self, x):
            h = torch.sigmoid(self.l2(torch.relu(self.l1(x))))
            h = torch.tanh(h) * 0.5 + torch.clamp(h, 0.1, 0.9)
            z = self.l3(h)
            return torch.softmax(z, dim=-1), torch.argmax(z, dim=-1)

    class Attention(torch.nn.Module):  # batched MatMul, Transpose, Div, Softmax, ReduceMean
        def __init__(self):
            super().__init__()
            self.q, self.k, self.v = (torch.nn.Linear(8, 8, bias=False) for _ in range(3))
            self.out = torch.nn.Linear(8, 3)

        def forward(self, x):
            q, k, v = self.q(x), self.k(x), self.v(x)
            w = torch.softmax(q @ k.transpose(-1, -2) / 8 ** 0.5, dim=-1)
            return torch.log_softmax(self.out((w @ v).mean(dim=1)), dim=-1)

    class Embedding(torch.nn.Module):  # Gather, Reshape/Flatten, Concat, LeakyRelu, Where, Pow
        def __init__(self):
            super().__init__()
            self.e = torch.nn.Embedding(10, 4)
            self.l = torch.nn.Linear(4 * 3 + 5, 1)

        def forward(self, codes, x):
            h = torch.cat([self.e(codes).flatten(1), torch.where(x > 0, x, x.pow(2))], dim=1)
            return torch.nn.functional.leaky_relu(self.l(h), 0.1).squeeze(1)

    batch = {"x": {0: "batch"}, "y": {0: "batch"}}
    return [
        ("credit_mlp", CreditMlp(), (torch.randn(5, 12),), ["x"], ["proba", "label"],
         {"x": {0: "batch"}, "proba": {0: "batch"}, "label": {0: "batch"}}, (11, 13, 17)),
        ("attention", Attention(), (torch.randn(2, 6, 8),), ["x"], ["y"], batch, (13, 17)),
        ("embedding", Embedding(), (torch.randint(0, 10, (4, 3)), torch.randn(4, 5)), ["codes", "x"], ["y"],
         {"codes": {0: "batch"}, "x": {0: "batch"}, "y": {0: "batch"}}, (11, 13, 17)),
    ]


def write_torch_cases(output, manifest):
    try:
        import io
        import torch
        models = torch_models()
    except Exception as e:  # python3-torch missing or broken: say so in the manifest
        manifest["test_torch_models"] = "\t".join(["test_torch_models", "(torch)", "ai.onnx", "0", "", "0.001",
                                                    "1e-07", f"PyTorch unavailable: {e}"[:200]])
        return
    for name, module, args, in_names, out_names, axes, opsets in models:
        module.eval()
        with torch.no_grad():
            expected = module(*args)
        expected = expected if isinstance(expected, tuple) else (expected,)
        for opset in opsets:
            case = f"test_torch_{name}_opset{opset}"
            buf = io.BytesIO()
            torch.onnx.export(module, args, buf, input_names=in_names, output_names=out_names,
                              dynamic_axes=axes, opset_version=opset)
            model = onnx.load_from_string(buf.getvalue())
            case_dir = os.path.join(output, case)
            data_dir = os.path.join(case_dir, "test_data_set_0")
            os.makedirs(data_dir)
            with open(os.path.join(case_dir, "model.onnx"), "wb") as f:
                f.write(model.SerializeToString())
            for j, value in enumerate(args):
                write_value(os.path.join(data_dir, f"input_{j}.pb"), value.numpy(), model.graph.input[j])
            for j, value in enumerate(expected):
                write_value(os.path.join(data_dir, f"output_{j}.pb"), value.numpy(), model.graph.output[j])
            ops = sorted({n.op_type for n in model.graph.node})
            manifest[case] = "\t".join([case, "(torch)", "ai.onnx", str(opset), ",".join(ops), "0.001", "1e-06"])


def write_ml_cases(output, manifest):
    """ai.onnx.ml cases (ml_cases.py) with scikit-learn's and XGBoost's predictions as expected values."""
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import ml_cases
        ml_cases.write_ml_cases(output, manifest)
    except ImportError as e:  # python3-sklearn / python3-xgboost missing: say so in the manifest
        manifest["test_ml_models"] = "\t".join(["test_ml_models", "(ml)", "ai.onnx.ml", "0", "", "1e-05", "1e-06",
                                                f"scikit-learn or XGBoost unavailable: {e}"[:200]])


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

    write_torch_cases(args.output, manifest)
    write_ml_cases(args.output, manifest)
    with open(os.path.join(args.output, "manifest.tsv"), "w") as f:
        f.write("# name\top\tdomain\topset\tgraph_ops\trtol\tatol\tskip_reason\n")
        f.write("\n".join(manifest[name] for name in sorted(manifest)) + "\n")
    print(f"generate_cases: wrote {len(manifest)} cases to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
