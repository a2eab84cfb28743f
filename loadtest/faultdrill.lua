-- wrk script for `make faultdrill` (loadtest/faultdrill.py): requests the paths listed in
-- FAULTDRILL_PATHS in turn (with a messages cookie when FAULTDRILL_UNIQUE=1, so that it skips
-- the page cache and needs the database: a junk query parameter would only be redirected to
-- the canonical URL), counts responses per second and status, and prints them with the
-- latency percentiles when done.
local threads = {}
local next_id = 0

function setup(thread)
    next_id = next_id + 1
    thread:set("id", next_id)
    table.insert(threads, thread)
end

function init(args)
    paths = {}
    for path in string.gmatch(os.getenv("FAULTDRILL_PATHS") or "/", "[^,]+") do
        table.insert(paths, path)
    end
    unique = os.getenv("FAULTDRILL_UNIQUE") == "1"
    counter = 0
    buckets = {}
end

function request()
    counter = counter + 1
    local path = paths[(counter % #paths) + 1]
    if unique then
        return wrk.format("GET", path, {["Cookie"] = "messages=drill-" .. id .. "-" .. counter})
    end
    return wrk.format("GET", path)
end

function response(status, headers, body)
    local key = os.time() .. " " .. status
    buckets[key] = (buckets[key] or 0) + 1
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format("summary requests %d p99_us %d max_us %d\n",
        summary.requests, latency:percentile(99), latency.max))
    io.write(string.format("errors connect %d read %d write %d timeout %d\n",
        e.connect, e.read, e.write, e.timeout))
    for _, thread in ipairs(threads) do
        for key, count in pairs(thread:get("buckets")) do
            io.write("bucket " .. key .. " " .. count .. "\n")
        end
    end
end
