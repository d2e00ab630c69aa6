-- wrk script: POST /v1/events with realistic page_view events, unique ids on
-- every request. BATCH (env) events per request, default 1. Counts the
-- events the collector acknowledged ("accepted" of each 200 answer) and
-- prints one JSON line of figures at the end.
local batch = tonumber(os.getenv("BATCH") or "1")
-- DELAY_MS (env): each connection waits this long between an answer and its
-- next request, so C connections offer about C * 1000 / DELAY_MS requests/s
-- (wrk has no fixed-rate mode; see bench/collector.sh).
local pause = tonumber(os.getenv("DELAY_MS") or "0")
if pause > 0 then
  function delay()
    return pause
  end
end
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  accepted = 0
  ok = 0
  failed = 0
  prefix = string.format("%d-%d-%d", os.time(), tid or 0, math.random(1, 1e9))
  -- RETURNING=1 (env): each wrk thread is one returning visitor, sending the
  -- rl_id cookie a browser keeps (without it every request is a new visitor
  -- with a new identity, as in the default runs).
  if os.getenv("RETURNING") == "1" then
    cookie = string.format("rl_id=%032d", tid or 0)
  end
end

local function event(id, now)
  return '{"id":"' .. id .. '","type":"page_view","ts":' .. now ..
    ',"anonymous_id":"a4b1c2d3-e5f6-4711-8899-aabbccddeeff","session_id":"s-0b1c2d3e4f",' ..
    '"consent":{"analytics":true,"marketing":false},' ..
    '"context":{"page":{"url":"https://shop.example/c/shoes/trail-runner-42?color=blue",' ..
    '"path":"/c/shoes/trail-runner-42","title":"Trail Runner 42 - Demo shop",' ..
    '"referrer":"https://www.google.com/"},' ..
    '"utm":{"source":"newsletter","medium":"email","campaign":"spring"},' ..
    '"locale":"fr-FR"},"properties":{}}'
end

local headers = {["Content-Type"] = "application/json",
                 ["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"}

function request()
  if cookie then headers["Cookie"] = cookie end
  local now = "1750000000000"
  local parts = {}
  for i = 1, batch do
    counter = counter + 1
    parts[i] = event(prefix .. "-" .. counter, now)
  end
  return wrk.format("POST", "/v1/events", headers, '{"events":[' .. table.concat(parts, ",") .. ']}')
end

-- The nginx ceiling runs this same script (its 204 counts as ok, with no
-- "accepted"), so wrk does the same Lua work per request for both servers.
function response(status, headers, body)
  if status == 200 or status == 204 then
    ok = ok + 1
    local n = string.match(body, '"accepted":(%d+)')
    accepted = accepted + (tonumber(n) or 0)
  else
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local acc, oks, fails = 0, 0, 0
  for _, t in ipairs(threads) do
    acc = acc + t:get("accepted")
    oks = oks + t:get("ok")
    fails = fails + t:get("failed")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"events_per_s":%.1f,"accepted":%d,"ok":%d,"non_200":%d,' ..
    '"socket_errors":%d,"p50_ms":%.3f,"p99_ms":%.3f}\n',
    summary.requests, seconds, summary.requests / seconds, acc / seconds, acc, oks, fails,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
