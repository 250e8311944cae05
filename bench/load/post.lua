-- wrk script: POSTs the body in the file named by the BODY environment variable, with the
-- Content-Type in CONTENT_TYPE (default application/json). wrk itself counts answers with a status
-- of 400 or more (the NON200 line). There is deliberately no per-response Lua callback: it made wrk
-- the bottleneck (with it, one wrk thread saturated its core at ~160k requests/s against nginx on
-- one core; without it, nginx reaches ~185k).
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("CONTENT_TYPE") or "application/json"

function done(summary, latency, requests)
  io.write(string.format("NON200 %d\n", summary.errors.status))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("P%s %d\n", tostring(p), latency:percentile(p)))
  end
  io.write(string.format("REQUESTS %d\n", summary.requests))
  io.write(string.format("DURATION_US %d\n", summary.duration))
end
