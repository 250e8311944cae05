#!/usr/bin/python3
"""Load benchmark: finserve vs nginx (fixed body of the same size) vs a seed-style Flask server.

All three answer one-applicant scoring requests for the bundled credit model (examples/); wrk
(closed loop, keep-alive) drives each at 1, 16 and 64 connections for --duration seconds, one
server at a time, in one run; with --rounds N the whole sequence repeats N times and the table
shows medians (ratios to nginx are taken within each round). finserve runs once per --variants entry (extra serve flags; by
default its defaults, where every decision waits for its audit record's fdatasync, then
--audit-fsync interval, then --audit-log off), so the table shows what the audit trail costs.
With --pin the load generator and the servers stop competing for the same cores: every server runs
on the last CPU with one worker (nginx worker_processes 1, finserve --threads 1), wrk on the other
CPUs, as a separate client machine would. With --open-loop-rates, nginx and finserve are also
driven open-loop (bench/load/open_loop.cc: requests due at a fixed rate whatever the server does,
latency counted from the due time) at each rate, for latency at a given load rather than at
saturation. Prints Markdown tables for docs/performance.md and the load average before and after.
Run from the project root after a release build:

    /usr/bin/python3 bench/load/run_load.py --finserve build/release/src/cli/finserve
"""
import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REPOSITORY = os.path.join(ROOT, "examples", "model-repository")
MODEL_JSON = os.path.join(REPOSITORY, "credit_gbdt", "1", "model.json")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, deadline_s=30):
    end = time.time() + deadline_s
    while time.time() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {deadline_s} s")


def post(url, body, content_type="application/json"):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()


def one_applicant():
    with open(os.path.join(ROOT, "examples", "requests", "credit_gbdt_infer.json")) as f:
        example = json.load(f)
    row = example["inputs"][0]["data"][0]
    oip = {"inputs": [{"name": "features", "datatype": "FP32", "shape": [1, len(row)], "data": row}]}
    return json.dumps(oip).encode(), json.dumps({"instances": [row]}).encode()


class Placement:
    """Which CPUs the servers and wrk run on, and how many workers a server starts."""

    def __init__(self, pin):
        cpus = os.cpu_count() or 1
        self.pinned = pin and cpus >= 2
        if pin and not self.pinned:
            raise SystemExit("--pin needs at least 2 CPUs")
        self.workers = 1 if self.pinned else min(2, cpus)
        self.client_threads = max(1, cpus - 1) if self.pinned else 2
        self.server_prefix = ["taskset", "-c", str(cpus - 1)] if self.pinned else []
        self.client_prefix = ["taskset", "-c", f"0-{cpus - 2}"] if self.pinned else []


def start_finserve(binary, tmp, extra, place):
    state = tempfile.mkdtemp(prefix="state-", dir=tmp)
    cmd = place.server_prefix + [
        binary, "serve", "--model-repository", REPOSITORY, "--insecure-no-auth", "--http-port", "0",
        "--threads", str(place.workers), "--log-level", "warn", "--state-dir", state] + extra.split()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    m = re.search(r":(\d+)\s*$", line)
    if not m:
        raise RuntimeError(f"finserve did not start: {line!r}")
    return proc, int(m.group(1)), cmd


def start_nginx(tmp, body, place):
    port = free_port()
    conf = os.path.join(tmp, "nginx.conf")
    literal = body.decode().replace("\\", "\\\\").replace("'", "\\'")
    with open(conf, "w") as f:
        f.write(f"""daemon off; worker_processes {place.workers}; pid {tmp}/nginx.pid; error_log {tmp}/nginx.err;
events {{ worker_connections 4096; }}
http {{
  access_log off; client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  client_body_buffer_size 16k; keepalive_requests 100000000;
  server {{ listen 127.0.0.1:{port}; location / {{ default_type application/json; return 200 '{literal}'; }} }}
}}
""")
    proc = subprocess.Popen(place.server_prefix + ["nginx", "-c", conf, "-p", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return proc, port


def start_flask(tmp, place):
    port = free_port()
    proc = subprocess.Popen(place.server_prefix + ["/usr/bin/python3", os.path.join(HERE, "flask_predict.py"), MODEL_JSON, str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port)
    return proc, port


def run_wrk(url, body_file, connections, duration, place):
    threads = min(place.client_threads, connections)
    cmd = place.client_prefix + ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "-s",
           os.path.join(HERE, "post.lua"), url]
    out = subprocess.run(cmd, env=dict(os.environ, BODY=body_file), capture_output=True, text=True, check=True).stdout
    values = dict(re.findall(r"^(NON200|P50|P90|P99|P99\.9|REQUESTS|DURATION_US) (\d+)$", out, re.M))
    rps = int(values["REQUESTS"]) / (int(values["DURATION_US"]) / 1e6)
    return {"rps": rps, "p50": int(values["P50"]), "p90": int(values["P90"]), "p99": int(values["P99"]),
            "non200": int(values["NON200"])}


def run_open_loop(binary, url, body_file, rate, connections, duration, place):
    cmd = place.client_prefix + [binary, "--url", url, "--body", body_file, "--rate", str(rate),
                                 "--connections", str(connections), "--duration", str(duration)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    values = {k: float(v) for k, v in re.findall(r"^([A-Z0-9_.]+) ([\d.]+)$", out, re.M)}
    return {"rps": values["REQUESTS"] / (values["DURATION_US"] / 1e6), "p50": values["P50"], "p90": values["P90"],
            "p99": values["P99"], "p999": values["P99.9"], "queued": values["MAX_QUEUED"],
            "failed": values["NON200"] + values["ERRORS"]}


def print_open_loop(results, rates):
    print("\nOpen loop (latency from each request's due time, 64 connections):\n")
    print("| server | offered req/s | answered req/s | p50 µs | p90 µs | p99 µs | p99.9 µs | most queued | failed |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for (name, rate), r in results.items():
        print(f"| {name} | {rate:,} | {r['rps']:,.0f} | {r['p50']:.0f} | {r['p90']:.0f} | {r['p99']:.0f} | "
              f"{r['p999']:.0f} | {r['queued']:.0f} | {r['failed']:.0f} |")


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--finserve", default=os.path.join(ROOT, "build", "release", "src", "cli", "finserve"))
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", default="1,16,64")
    ap.add_argument("--keep-files", action="store_true",
                    help="keep the run's directory (request bodies, server state with the audit logs) instead of removing it")
    ap.add_argument("--variants", default=";--audit-fsync interval;--audit-log off",
                    help="';'-separated extra `finserve serve` flags, one finserve run each")
    ap.add_argument("--rounds", type=int, default=1,
                    help="repeat every server in turn this many times; the table shows medians and the "
                         "ratios are medians of per-round ratios (a shared machine's load drifts between minutes)")
    ap.add_argument("--open-loop-rates", default="",
                    help="comma-separated offered rates (req/s) for an open-loop run of nginx and finserve")
    ap.add_argument("--open-loop", default=os.path.join(ROOT, "build", "release", "bench", "open_loop"),
                    help="the open_loop binary (bench/load/open_loop.cc)")
    ap.add_argument("--pin", action="store_true",
                    help="servers on the last CPU with one worker each, wrk on the other CPUs (taskset)")
    args = ap.parse_args()
    place = Placement(args.pin)
    conns = [int(c) for c in args.connections.split(",")]
    rates = [int(r) for r in args.open_loop_rates.split(",") if r]
    tmp = tempfile.mkdtemp(prefix="finserve-load-")
    oip_body, flask_body = one_applicant()
    for name, body in (("oip.json", oip_body), ("flask.json", flask_body)):
        with open(os.path.join(tmp, name), "wb") as f:
            f.write(body)
    procs = []
    try:
        variants = args.variants.split(";")
        finserves = []
        for extra in variants:
            fin, fin_port, fin_cmd = start_finserve(args.finserve, tmp, extra, place)
            procs.append(fin)
            name = "finserve" + (f" ({extra})" if extra else " (defaults)")
            finserves.append((name, f"http://127.0.0.1:{fin_port}/v2/models/credit_gbdt/infer", fin_cmd))
        answer = post(finserves[0][1], oip_body)
        ngx, ngx_port = start_nginx(tmp, answer, place)
        procs.append(ngx)
        ngx_answer = post(f"http://127.0.0.1:{ngx_port}/", oip_body)
        assert len(ngx_answer) == len(answer), (len(ngx_answer), len(answer))
        fl, fl_port = start_flask(tmp, place)
        procs.append(fl)
        flask_answer = json.loads(post(f"http://127.0.0.1:{fl_port}/predict", flask_body))
        ours = json.loads(answer)["outputs"][0]["data"][0]
        assert abs(flask_answer["predictions"][0] - ours) < 1e-6, (flask_answer, ours)
        targets = [("nginx (fixed body)", f"http://127.0.0.1:{ngx_port}/", "oip.json")]
        targets += [(name, url, "oip.json") for name, url, _ in finserves]
        targets += [("Flask + xgboost", f"http://127.0.0.1:{fl_port}/predict", "flask.json")]
        print(f"load average before: {load_average()}", file=sys.stderr)
        if place.pinned:
            print(f"pinned: servers {' '.join(place.server_prefix)}, wrk {' '.join(place.client_prefix)}", file=sys.stderr)
        for name, _, cmd in finserves:
            print(f"{name}: {' '.join(cmd)}", file=sys.stderr)
        print(f"answer: {len(answer)} bytes (finserve and nginx); request {len(oip_body)} bytes", file=sys.stderr)
        runs = {}  # (name, connections) -> one result per round
        open_runs = {}  # (name, offered rate) -> one result per round
        for round_index in range(args.rounds):
            for name, url, body in targets:
                for c in conns:
                    r = run_wrk(url, os.path.join(tmp, body), c, args.duration, place)
                    runs.setdefault((name, c), []).append(r)
                    print(f"round {round_index + 1} {name} c={c}: {r['rps']:.0f} req/s p99 {r['p99']} us "
                          f"non-200 {r['non200']}", file=sys.stderr)
                # Flask answers ~600 req/s: offered thousands, its queue only grows.
                for rate in rates if not name.startswith("Flask") else []:
                    r = run_open_loop(args.open_loop, url, os.path.join(tmp, body), rate, 64, args.duration, place)
                    open_runs.setdefault((name, rate), []).append(r)
                    print(f"round {round_index + 1} {name} open loop {rate}/s: {r['rps']:.0f} req/s p99 "
                          f"{r['p99']:.0f} us", file=sys.stderr)
        print(f"load average after: {load_average()}", file=sys.stderr)
        results = {key: {field: statistics.median(r[field] for r in rs) for field in rs[0]} for key, rs in runs.items()}
        if args.rounds > 1:
            print(f"Medians of {args.rounds} rounds.\n")
        print("| server | connections | requests/s | p50 µs | p90 µs | p99 µs | non-200 |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for (name, c), r in results.items():
            print(f"| {name} | {c} | {r['rps']:,.0f} | {r['p50']:.0f} | {r['p90']:.0f} | {r['p99']:.0f} | {r['non200']:.0f} |")
        nginx, flask = "nginx (fixed body)", "Flask + xgboost"
        for name, _, _ in finserves:
            print(f"\n{name}:", end="")
            for c in conns:
                per_round = [f["rps"] / n["rps"] for f, n in zip(runs[(name, c)], runs[(nginx, c)])]
                flask_x = [f["rps"] / k["rps"] for f, k in zip(runs[(name, c)], runs[(flask, c)])]
                rounds = ", ".join(f"{x:.2f}" for x in per_round)
                print(f"\n  c={c}: finserve/nginx {statistics.median(per_round):.2f} (rounds: {rounds}), "
                      f"finserve/Flask {statistics.median(flask_x):.1f}x", end="")
        print()
        if rates:
            print_open_loop({key: {f: statistics.median(r[f] for r in rs) for f in rs[0]}
                             for key, rs in open_runs.items()}, rates)
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        # The servers' state directories hold every audited decision of the run: gigabytes.
        if args.keep_files:
            print(f"kept: {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
