#!/bin/bash
# CPU time of the finserve process per request under wrk (keep-alive OIP infer, bench/load/post.lua):
# starts `finserve serve` on the bundled repository, warms up 2 s, measures 5 s (DURATION=seconds to
# change), and prints requests/s, p99 and p99.9 (µs) and the server's user and system CPU µs per
# request (from /proc/PID/stat).
# usage: [DURATION=30] bench/load/cpu_per_request.sh FINSERVE_BINARY CONNECTIONS [extra serve flags...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BIN=$1 CONNS=$2 DUR=${DURATION:-5}
shift 2
TMP=$(mktemp -d /tmp/finserve-cpu.XXXXXX)
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
"$BIN" serve --model-repository "$ROOT/examples/model-repository" --insecure-no-auth --http-port 0 --threads 2 \
  --log-level warn --state-dir "$TMP/state" "$@" > "$TMP/out" 2> "$TMP/err" &
PID=$!
for _ in $(seq 300); do grep -q ':[0-9]*$' "$TMP/out" 2>/dev/null && break; sleep 0.1; done
PORT=$(grep -o ':[0-9]*$' "$TMP/out" | head -1 | tr -d :)
URL=http://127.0.0.1:$PORT/v2/models/credit_gbdt/infer
# The request of run_load.py: the first applicant of the bundled example request.
/usr/bin/python3 -c "
import json, sys
row = json.load(open('$ROOT/examples/requests/credit_gbdt_infer.json'))['inputs'][0]['data'][0]
json.dump({'inputs': [{'name': 'features', 'datatype': 'FP32', 'shape': [1, len(row)], 'data': row}]}, sys.stdout)
" > "$TMP/body.json"
curl -sf -H 'Content-Type: application/json' --data-binary @"$TMP/body.json" "$URL" > /dev/null
BODY=$TMP/body.json wrk -t2 -c"$CONNS" -d2s -s "$HERE/post.lua" "$URL" > /dev/null
read -r -a A < "/proc/$PID/stat"
OUT=$(BODY=$TMP/body.json wrk -t2 -c"$CONNS" -d"$DUR"s --latency -s "$HERE/post.lua" "$URL")
read -r -a B < "/proc/$PID/stat"
R=$(echo "$OUT" | grep ^REQUESTS | cut -d' ' -f2)
P99=$(echo "$OUT" | grep "^P99 " | cut -d' ' -f2)
P999=$(echo "$OUT" | grep "^P99.9 " | cut -d' ' -f2)
TICK=$(getconf CLK_TCK)
echo "requests/s=$((R / DUR)) p99_us=$P99 p999_us=$P999 user_us/req=$(((B[13] - A[13]) * 1000000 / TICK / R))" \
     "sys_us/req=$(((B[14] - A[14]) * 1000000 / TICK / R))"
