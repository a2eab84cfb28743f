-- wrk script of the benchmark's HTTP figures (devtools/benchmark_http.py): asks for the paths
-- in BENCH_PATHS (comma-separated) in turn, with Accept-Encoding: gzip as browsers send; with
-- BENCH_JUNK=1 each request adds a query parameter never asked before (a crawler); with
-- BENCH_ADDRESS every request says it comes from that address (X-Forwarded-For); with
-- BENCH_DELAY_MS each connection waits that long between requests (a paced client). Prints one
-- line: BENCH <requests> <microseconds> <errors> <p50 us> <p99 us>. No response() callback:
-- it would copy every body into Lua.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  paths = {}
  for path in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^,]+") do
    table.insert(paths, path)
  end
  junk = os.getenv("BENCH_JUNK") == "1"
  headers = { ["Accept-Encoding"] = "gzip" }
  local address = os.getenv("BENCH_ADDRESS") or ""
  if address ~= "" then
    headers["X-Forwarded-For"] = address
  end
  counter = 0
  pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
end

function delay()
  return pause
end

function request()
  counter = counter + 1
  local path = paths[counter % #paths + 1]
  if junk then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "utm_junk=" .. id .. "-" .. counter
  end
  return wrk.format("GET", path, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write(string.format("BENCH %d %d %d %d %d\n", summary.requests, summary.duration, errors,
    latency:percentile(50), latency:percentile(99)))
end
