-- wrk script for `make loadtest`: cycles through the URL list written by loadtest/urls.py and
-- reports requests per second, p50/p95/p99 latency and errors. wrk counts answers >= 400 as
-- errors; run.sh's warm-up has already checked that every URL answers exactly 200 (no redirect),
-- and a body callback here would copy every 13 MB matrix into Lua.
-- Usage: wrk ... -s loadtest/mix.lua http://127.0.0.1:PORT -- /path/to/urls.txt

local paths = {}
local position = 0
-- Browsers ask for compressed pages; citegrid serves its cached pages gzipped.
wrk.headers["Accept-Encoding"] = "gzip"

function init(args)
  local file = args[1]
  if not file then
    error("give the URL list file after --")
  end
  for line in io.lines(file) do
    if #line > 0 then
      table.insert(paths, line)
    end
  end
  if #paths == 0 then
    error("the URL list " .. file .. " is empty")
  end
  -- Threads start at different places so they do not walk the list in step.
  position = math.random(#paths)
end

function request()
  position = position % #paths + 1
  return wrk.format("GET", paths[position])
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  local errors = e.connect + e.read + e.write + e.timeout + e.status
  io.write("\n== citegrid load test\n")
  io.write(string.format("requests          %d in %.1f s\n", summary.requests, seconds))
  io.write(string.format("requests/second   %.1f\n", summary.requests / seconds))
  io.write(string.format("latency p50       %.1f ms\n", latency:percentile(50) / 1000))
  io.write(string.format("latency p95       %.1f ms\n", latency:percentile(95) / 1000))
  io.write(string.format("latency p99       %.1f ms\n", latency:percentile(99) / 1000))
  io.write(string.format("latency max       %.1f ms\n", latency.max / 1000))
  io.write(string.format(
    "errors            %d (connect %d, read %d, write %d, timeout %d, status >= 400 %d)\n",
    errors, e.connect, e.read, e.write, e.timeout, e.status))
end
