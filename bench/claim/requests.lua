-- wrk script of the claim benchmark (driven by bench/claim/claim_bench.py; not meant to be run by hand).
--
--   wrk -t T -c C -d 600s --timeout 10s -s requests.lua http://127.0.0.1:PORT \
--       -- REQUESTS_FILE T METHOD PATH MARKER
--
-- REQUESTS_FILE has one request a line: "<raw token>\t<idempotency key>". Thread i of T sends
-- lines i, i+T, i+2T, … in file order, each exactly once, with the token as a bearer token and
-- the key as the Idempotency-Key header (POST bodies are "{}"). wrk has no "stop after N
-- requests" and its connections always send again once answered, so when a thread has handed out
-- its last line, a connection that is answered sends a filler: GET /api/v1/me without a token,
-- which the app answers 401 at once (and the file's requests never get). Fillers are only sent in
-- the last tens of milliseconds, while the thread's last requests are in flight; their number is
-- reported ("fillers") and they are left out of the status counts. Once a thread has every
-- response to its lines it writes MARKER.<i>, and claim_bench.py stops wrk with SIGINT when all markers
-- are there. (wrk's delay() hook would let connections idle instead, but it costs a timer per
-- request and cut the rate of the trivial endpoint from about 550 to 70 requests/s.)
--
-- done() prints one JSON line: latency percentiles (µs; fillers included, a few per mille at most),
-- status counts, socket errors, and the time from the first request sent to the last response to
-- a line (µs, CLOCK_MONOTONIC, across threads), which claim_bench.py divides the count by: wrk's own
-- requests/s would divide by the whole -d duration.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]])
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC: the same clock in every thread
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  local path_file, nthreads, method, path, marker = args[1], tonumber(args[2]), args[3], args[4], args[5]
  reqs = {}
  local i = 0
  for line in io.lines(path_file) do
    if i % nthreads == tid then
      local token, key = line:match("^([^\t]+)\t([^\t]+)")
      local headers = { ["Authorization"] = "Bearer " .. token, ["Idempotency-Key"] = key }
      local body = nil
      if method == "POST" then
        headers["Content-Type"] = "application/json"
        body = "{}"
      end
      reqs[#reqs + 1] = wrk.format(method, path, headers, body)
    end
    i = i + 1
  end
  total = #reqs
  filler = wrk.format("GET", "/api/v1/me", { ["X-Bench"] = "filler" }, nil)
  fillers = 0
  sent = 0
  received = 0
  first_sent = 0
  last_received = 0
  statuses = {}
  marker_file = marker .. "." .. tid
end

function request()
  if tid == 0 and not verified then
    -- wrk calls request() once on the first thread before starting, to check the request.
    verified = true
    return filler
  end
  if sent >= total then
    fillers = fillers + 1
    return filler
  end
  sent = sent + 1
  if sent == 1 then
    first_sent = now_us()
  end
  return reqs[sent]
end

function response(status, headers, body)
  if status == 401 and sent >= total and fillers > 0 then
    fillers_answered = (fillers_answered or 0) + 1
    if fillers_answered <= fillers then
      return
    end
  end
  received = received + 1
  statuses[status] = (statuses[status] or 0) + 1
  if received == total then
    last_received = now_us()
    local f = io.open(marker_file, "w")
    f:write(tostring(received))
    f:close()
    wrk.thread:stop() -- no more fillers from this thread
  end
end

function done(summary, latency, requests)
  local counts = {}
  local first, last, extras = nil, 0, 0
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do
      counts[code] = (counts[code] or 0) + n
    end
    local f, l = thread:get("first_sent"), thread:get("last_received")
    if f > 0 and (first == nil or f < first) then
      first = f
    end
    if l > last then
      last = l
    end
    extras = extras + thread:get("fillers")
  end
  local parts = {}
  for code, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d": %d', code, n)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.0f, '
      .. '"statuses": {%s}, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"span_us": %d, "fillers": %d}\n',
    summary.requests, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, table.concat(parts, ", "), e.connect, e.read, e.write, e.status,
    e.timeout, last - (first or last), extras
  ))
end
