#!/usr/bin/python3
"""Rewrites the generated tables of docs/onnx-support.md from a conformance run.

    cmake --build build/release --target onnx_conformance_test
    (cd build/release && ctest -L conformance)
    /usr/bin/python3 tests/conformance/onnx/make_support_table.py \\
        --report build/release/tests/runtime/onnx/onnx_conformance_report.tsv \\
        --kernels build/release/tests/runtime/onnx/onnx_kernel_table.tsv \\
        --doc docs/onnx-support.md

Only the text between the '<!-- generated:... -->' markers is replaced; the rest of the document
is written by hand.
"""
import argparse
import collections
import re

# Ops served by a load-time rewrite instead of a kernel-table row (src/runtime/onnx/zipmap_rewrite.h).
REWRITTEN_OPS = {"ZipMap"}


def read_tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip() and not line.startswith("#")]


def replace_section(doc, name, body):
    begin, end = f"<!-- generated:{name}:begin -->", f"<!-- generated:{name}:end -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(doc):
        raise SystemExit(f"marker {begin} missing from the document")
    return pattern.sub(lambda _: begin + "\n" + body + "\n" + end, doc)


def kernel_section(rows):
    by_op = collections.OrderedDict()
    for op, domain, since, until, types in rows:
        by_op.setdefault((domain, op), []).append(f"{since}-{until}" + (f" ({types})" if types else ""))
    lines = ["| domain | op | opset ranges (element types) |", "| --- | --- | --- |"]
    for (domain, op), ranges in sorted(by_op.items()):
        lines.append(f"| {domain} | {op} | {'; '.join(ranges)} |")
    return "\n".join(lines)


def conformance_section(rows, kernel_ops):
    per_op = collections.OrderedDict()
    for name, op, opset, result, reason in (r + [""] * (5 - len(r)) for r in rows):
        entry = per_op.setdefault(op, {"run": 0, "passed": 0, "skipped": [], "failed": []})
        if result == "skipped":
            entry["skipped"].append((name, reason))
        else:
            entry["run"] += 1
            entry["passed"] += result == "passed"
            if result == "failed":
                entry["failed"].append((name, reason))
    totals = collections.Counter(r[3] for r in rows)
    lines = [f"Totals: {len(rows)} cases; {totals['passed']} passed, {totals['failed']} failed, "
             f"{totals['skipped']} skipped (each with its reason below).", "",
             "Ops with a kernel (ZipMap: a load-time rewrite, see \"ZipMap over OIP\"):", "",
             "| op | cases run | passed | skipped (reason) |", "| --- | --- | --- | --- |"]
    for op in sorted(per_op):
        if op not in kernel_ops or op.startswith("("):
            continue
        e = per_op[op]
        skipped = "; ".join(f"`{n}`: {r}" for n, r in e["skipped"]) or "-"
        lines.append(f"| {op} | {e['run']} | {e['passed']} | {skipped} |")
    for op in sorted(kernel_ops - set(per_op)):
        lines.append(f"| {op} | 0 | 0 | ONNX 1.12 ships no node test case for it; covered by tests/runtime/onnx |")
    models = [(n, res, reason) for n, op, _, res, reason in (r + [""] * (5 - len(r)) for r in rows) if op.startswith("(")]
    if models:
        lines += ["", "Whole models exported from PyTorch (expected values are torch's own outputs):", "",
                  "| case | result |", "| --- | --- |"]
        lines += [f"| {n} | {res}{(': ' + reason) if reason else ''} |" for n, res, reason in models]
    lines += ["", "Ops without a kernel yet: cases skipped for that reason; where ONNX also ships the op's",
              "function expansion (`_expanded` cases, built from ops we do have), those run and their",
              "count follows as 'expanded passed/run':", ""]
    missing = sorted(op for op in per_op if op not in kernel_ops and not op.startswith("("))

    def describe(op):
        e = per_op[op]
        text = f"{op} (skipped {len(e['skipped'])}"
        if e["run"]:
            text += f", expanded passed {e['passed']}/{e['run']}"
        return text + ")"

    lines.append(", ".join(describe(op) for op in missing))
    failed = [(n, r) for e in per_op.values() for n, r in e["failed"]]
    if failed:
        lines += ["", "Failing cases:", ""] + [f"- `{n}`: {r}" for n, r in failed]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", required=True)
    parser.add_argument("--kernels", required=True)
    parser.add_argument("--doc", required=True)
    args = parser.parse_args()
    kernels = read_tsv(args.kernels)
    kernel_ops = {row[0] for row in kernels} | REWRITTEN_OPS
    with open(args.doc) as f:
        doc = f.read()
    doc = replace_section(doc, "kernels", kernel_section(kernels))
    doc = replace_section(doc, "conformance", conformance_section(read_tsv(args.report), kernel_ops))
    with open(args.doc, "w") as f:
        f.write(doc)


if __name__ == "__main__":
    main()
