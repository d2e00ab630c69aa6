-- wrk script: POST /v1/events with realistic page_view events, unique ids on
-- every request. BATCH (env) events per request, default 1. Counts the
-- events the collector acknowledged ("accepted" of each 200 answer) and
-- prints one JSON line of figures at the end.
--
-- Ids are made as the tag makes them (web/src/ids.ts): UUID version 7, the
-- time in milliseconds then random bits. IDS=v4 (env) sends random version 4
-- ids instead, as a client other than our tag might (the index then takes a
-- random leaf per event). Each request is a new visitor: a new anonymous_id
-- (the tag's first signal id) with its batch of events, and a new rl_id
-- cookie (the anonymous_id's hex digits), so that the store links each pair:
-- one new identities row per request, the work every request without a
-- cookie cost until session 9 (the collector now links only an rl_id the
-- browser presented, so cookieless runs would measure less work).
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

local random_ids = os.getenv("IDS") == "v4"

-- UUID strings of version 7 made at `ms` (or of version 4 with IDS=v4), as
-- a template with "%03x" where the 12 bits that follow the version digit go:
-- the events of one request fill it with their index (a batch has at most 500
-- events) and share the other 62 random bits, so the client's Lua spends its
-- time on requests, not on random numbers. To the collector each id is as
-- unique and as ordered as a browser's.
local function uuid_template(ms)
  local r = math.random
  local tail = string.format("-%04x-%04x%08x", 0x8000 + r(0, 0x3fff), r(0, 0xffff), r(0, 0xffffffff))
  if random_ids then
    return string.format("%08x-%04x-4", r(0, 0xffffffff), r(0, 0xffff)) .. "%03x" .. tail
  end
  return string.format("%08x-%04x-7", math.floor(ms / 65536), ms % 65536) .. "%03x" .. tail
end

local function uuid(ms)
  return string.format(uuid_template(ms), math.random(0, 0xfff))
end

-- wrk's Lua has no millisecond clock. Each thread's clock starts at
-- os.time() and moves one millisecond every 50 events it sent: monotonic,
-- like a browser's clock, so that, as with real visitors, the ids made at one
-- moment sit together at the end of the index. (A clock that went back within
-- each second, as a first version did, spread them over 20 places a second.)
local start_ms = os.time() * 1000
local function now_ms()
  return start_ms + math.floor(counter / 50)
end

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  accepted = 0
  ok = 0
  failed = 0
  math.randomseed(os.time() * 1000 + (tid or 0))
  -- RETURNING=1 (env): each wrk thread is one returning visitor, sending the
  -- rl_id cookie a browser keeps (by default every request is a new visitor
  -- with a new identity).
  if os.getenv("RETURNING") == "1" then
    cookie = string.format("rl_id=%032d", tid or 0)
    anonymous_id = uuid(os.time() * 1000)
  end
end

local function event(id, anonymous_id, now)
  return '{"id":"' .. id .. '","type":"page_view","ts":' .. now ..
    ',"anonymous_id":"' .. anonymous_id .. '","session_id":"' .. anonymous_id .. '",' ..
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
  local now = "1750000000000"
  local parts = {}
  local visitor = anonymous_id or uuid(now_ms())
  headers["Cookie"] = cookie or ("rl_id=" .. (string.gsub(visitor, "-", "")))
  local ids = uuid_template(now_ms())
  for i = 1, batch do
    counter = counter + 1
    -- Version 4 ids share no prefix in a real batch: each is drawn whole.
    parts[i] = event(random_ids and uuid(0) or string.format(ids, i), visitor, now)
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
