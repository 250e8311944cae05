#!/usr/bin/python3
"""finserve vs ONNX Runtime (npm onnxruntime-node, pinned in package.json) on the project's models.

    /usr/bin/python3 bench/onnx_parity/run.py --build build/release [--min-time-ms 1000] [--rounds 3]

1. setup: `npm ci` in bench/onnx_parity with ONNXRUNTIME_NODE_INSTALL=skip (the CPU binary ships in
   the package; the install script would otherwise try to fetch GPU files), once;
2. models: make_models.py writes the models and their reference outputs into <build>/onnx_parity_models
   (once; --remake to redo);
3. for each scenario, in turn and in the same run: ort_bench.js, then <build>/bench/onnx_parity_bench,
   each on one thread, repeated --rounds times (the best median of each side is kept, which
   filters out the other tenants of a shared machine);
4. parity: every output of finserve against onnxruntime-node's and against the reference written
   at model creation, |difference| <= 1e-5 (labels exactly);
5. prints a markdown table (latencies are medians in microseconds) with the ratios and the targets
   of issue 3: MLP single row <= 1/3 of onnxruntime-node's latency, MLP batch-256 throughput >=
   onnxruntime-node's, every other scenario no slower. Exit status 1 when parity fails, 2 when
   only a speed target is missed.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
from onnx import numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
ATOL = 1e-5


def setup_node():
    if os.path.exists(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        return
    env = dict(os.environ, ONNXRUNTIME_NODE_INSTALL="skip")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, env=env, check=True)


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def read_pb(path):
    t = TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def max_diff(got, want):
    if got.shape != want.shape:
        return float("inf")
    if not np.issubdtype(want.dtype, np.floating):
        return 0.0 if np.array_equal(got, want) else float("inf")
    return float(np.max(np.abs(got.astype(np.float64) - want.astype(np.float64)), initial=0.0))


def parity(models_dir, out_dir, model, scenario):
    """(max |finserve - ort|, max |finserve - reference|) over all outputs."""
    vs_ort = vs_ref = 0.0
    for i, out in enumerate(scenario["outputs"]):
        ours = np.load(os.path.join(out_dir, f"{model}.{scenario['name']}.finserve.output_{i}.npy"))
        ort = np.load(os.path.join(out_dir, f"{model}.{scenario['name']}.ort.output_{i}.npy"))
        vs_ort = max(vs_ort, max_diff(ours, ort))
        vs_ref = max(vs_ref, max_diff(ours, read_pb(os.path.join(models_dir, out["pb"]))))
    return vs_ort, vs_ref


def target(model, scenario):
    if model == "credit_mlp" and scenario == "row":
        return "latency <= 1/3 ORT", lambda ours, ort: ours["median_us"] * 3 <= ort["median_us"]
    if model == "credit_mlp":
        return "throughput >= ORT", lambda ours, ort: ours["median_us"] <= ort["median_us"]
    return "no slower", lambda ours, ort: ours["median_us"] <= ort["median_us"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build/release", help="CMake build directory with bench/onnx_parity_bench")
    parser.add_argument("--min-time-ms", default="1000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", default="1")
    parser.add_argument("--models", help="models directory (default <build>/onnx_parity_models)")
    parser.add_argument("--remake", action="store_true", help="rewrite the models even if present")
    parser.add_argument("--only", nargs="*", default=[], help="<model> or <model>/<scenario>")
    args = parser.parse_args()

    setup_node()
    models_dir = os.path.abspath(args.models or os.path.join(args.build, "onnx_parity_models"))
    if args.remake or not os.path.exists(os.path.join(models_dir, "manifest.json")):
        subprocess.run([sys.executable, os.path.join(HERE, "make_models.py"), "--output", models_dir], check=True)
    out_dir = os.path.join(models_dir, "outputs")
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(models_dir, "manifest.json")) as f:
        manifest = json.load(f)

    common = ["--models", models_dir, "--out", out_dir, "--min-time-ms", args.min_time_ms, "--threads", args.threads]
    bench = os.path.join(os.path.abspath(args.build), "bench", "onnx_parity_bench")
    rows, parity_ok, speed_ok = [], True, True
    for m in manifest["models"]:
        for s in m["scenarios"]:
            key = f"{m['name']}/{s['name']}"
            if args.only and m["name"] not in args.only and key not in args.only:
                continue
            best = {}
            for _ in range(args.rounds):
                for side, cmd in (("ort", ["node", os.path.join(HERE, "ort_bench.js")]), ("finserve", [bench])):
                    result = run_json(cmd + common + ["--only", key])[0]
                    if side not in best or result["median_us"] < best[side]["median_us"]:
                        best[side] = result
            vs_ort, vs_ref = parity(models_dir, out_dir, m["name"], s)
            goal, met = target(m["name"], s["name"])
            ok = met(best["finserve"], best["ort"])
            parity_ok &= vs_ort <= ATOL and vs_ref <= ATOL
            speed_ok &= ok
            rows.append((m["name"], s["name"], s["batch"], best["ort"]["median_us"], best["finserve"]["median_us"],
                         best["ort"]["median_us"] / best["finserve"]["median_us"],
                         s["batch"] * 1e6 / best["ort"]["median_us"], s["batch"] * 1e6 / best["finserve"]["median_us"],
                         vs_ort, vs_ref, goal, ok))

    print("| model | scenario | batch | ORT us | finserve us | ORT/finserve | ORT rows/s | finserve rows/s "
          "| max abs diff vs ORT | vs reference | target | met |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.1f} | {r[4]:.1f} | {r[5]:.2f}x | {r[6]:,.0f} | {r[7]:,.0f} "
              f"| {r[8]:.1e} | {r[9]:.1e} | {r[10]} | {'yes' if r[11] else 'NO'} |")
    print(f"\nparity (<= {ATOL} abs, labels exact): {'PASS' if parity_ok else 'FAIL'}; "
          f"speed targets: {'all met' if speed_ok else 'NOT all met'}")
    return 0 if parity_ok and speed_ok else (1 if not parity_ok else 2)


if __name__ == "__main__":
    sys.exit(main())
