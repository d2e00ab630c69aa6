-- wrk script for the nginx ceiling: the same single-event POST, answered 204.
local body = '{"events":[{"id":"ceiling","type":"page_view","ts":1750000000000,' ..
  '"anonymous_id":"a4b1c2d3-e5f6-4711-8899-aabbccddeeff","context":{"page":{"url":"https://shop.example/"}}}]}'
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format('RESULT {"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
