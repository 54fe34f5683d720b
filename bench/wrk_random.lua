-- wrk script of `make bench` (bench/harness.py, load_random): every request GETs <prefix><id> with an id drawn at
-- random from a file of ids, one a line, so the requests spread over thousands of certificates (no hot set).
--
--   wrk -t1 -c10 -d10s -s bench/wrk_random.lua http://127.0.0.1:8000 -- ids.txt /api/v1/verifications/ application/json
--
-- At the end prints one JSON line: requests, seconds, errors by kind (status counts answers >= 400), latency
-- percentiles in ms.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

local ids, prefix

function init(args)
  ids = {}
  for line in io.lines(args[1]) do
    if #line > 0 then
      ids[#ids + 1] = line
    end
  end
  prefix = args[2]
  wrk.headers["Accept"] = args[3] or "application/json"
  math.randomseed(os.time() * 1000 + (seed or 0))
end

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, '
      .. '"p50_ms": %.2f, "p99_ms": %.2f}\n',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000
  ))
end
