#!/usr/bin/env bash
# The cost of forwarding on the acknowledged path: the collector under wrk
# (single page_view events, as bench:collector) in three modes, alternated in
# ROUNDS rounds, each on a fresh database:
#   none     no --destinations
#   skip     one destination with the default (marketing) types: its lane
#            passes over every page_view
#   all      one destination with "events": ["*"], posting every event in
#            batches of 100 to an nginx answering 204 on loopback
# Prints requests/s and p99 per run and the median per mode; for "all", the
# events delivered during the run and the seconds the lane took to catch up
# after it. Bounded: DURATION seconds per run (default 5), 60 s of catch-up.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN="${RELANCE_COLLECTOR_BIN:-build/bin/relance-collector}"
DURATION="${DURATION:-5}"
ROUNDS="${ROUNDS:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
WORK="$(mktemp -d /tmp/relance-bench-dest.XXXXXX)"
COLLECTOR_PID=""
NGINX_PID=""
cleanup() {
  [ -n "$COLLECTOR_PID" ] && kill "$COLLECTOR_PID" 2>/dev/null && wait "$COLLECTOR_PID" 2>/dev/null || true
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
command -v wrk >/dev/null || { echo "bench: wrk is missing"; exit 1; }

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
metric() {  # port name: the value of the destination's series
  curl -s "http://127.0.0.1:$1/metrics" | awk -v name="$2" '$1 ~ name {print $2; exit}'
}

NPORT=$(free_port)
mkdir -p "$WORK/nginx"
sed -e "s#@DIR@#$WORK/nginx#g" -e "s#@PORT@#$NPORT#g" bench/collector/nginx.conf.in >"$WORK/nginx/nginx.conf"
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" 2>"$WORK/nginx/start.log" &
NGINX_PID=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$NPORT") 2>/dev/null && break; sleep 0.1; done

export RELANCE_BENCH_SECRET=whsec_bench_0123456789abcdef
echo "{\"destinations\":[{\"id\":\"crm\",\"url\":\"http://127.0.0.1:$NPORT/hook\",\"secret_env\":\"RELANCE_BENCH_SECRET\"}]}" >"$WORK/skip.json"
echo "{\"destinations\":[{\"id\":\"crm\",\"url\":\"http://127.0.0.1:$NPORT/hook\",\"secret_env\":\"RELANCE_BENCH_SECRET\",\"events\":[\"*\"],\"batch_size\":100}]}" >"$WORK/all.json"

run() {  # mode
  local mode="$1" args=()
  [ "$mode" != none ] && args=(--destinations "$WORK/$mode.json")
  rm -f "$WORK"/bench.db*
  "$BIN" serve --listen 127.0.0.1:0 --db "$WORK/bench.db" --rate-limit 0 --queue-limit 200000 "${args[@]}" \
    >"$WORK/collector.log" 2>&1 &
  COLLECTOR_PID=$!
  for _ in $(seq 200); do grep -q '"listening"' "$WORK/collector.log" 2>/dev/null && break; sleep 0.1; done
  local port
  port=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$WORK/collector.log")
  if [ -z "$port" ]; then
    echo "bench: the collector did not start ($mode): $(cat "$WORK/collector.log")" >&2
    kill "$COLLECTOR_PID"; wait "$COLLECTOR_PID" 2>/dev/null || true; COLLECTOR_PID=""
    return 1
  fi
  local result
  result=$(BATCH=1 wrk -t 2 -c "$CONNECTIONS" -d "${DURATION}s" --latency -s bench/collector/events.lua \
    "http://127.0.0.1:$port" | sed -n 's/^RESULT //p')
  if [ -z "$result" ]; then
    echo "bench: wrk gave no result ($mode)" >&2
    kill "$COLLECTOR_PID"; wait "$COLLECTOR_PID" 2>/dev/null || true; COLLECTOR_PID=""
    return 1
  fi
  local extra=""
  if [ "$mode" = all ]; then
    local during started lag
    during=$(metric "$port" 'stream="events",outcome="delivered"')
    started=$(date +%s.%N)
    for _ in $(seq 600); do
      lag=$(metric "$port" 'relance_destination_lag_events.*stream="events"')
      [ "$lag" = 0 ] && break
      sleep 0.1
    done
    extra=$(node -e 'console.log(`, "delivered_during_run": ${process.argv[1]}, "catch_up_s": ${(process.argv[3] - process.argv[2]).toFixed(2)}, "lag_left": ${process.argv[4]}`)' \
      "${during:--1}" "$started" "$(date +%s.%N)" "${lag:--1}")
  fi
  # The collector's CPU time (user + system, all threads) per accepted
  # event, catch-up included: steadier than requests/s on a shared machine.
  local ticks lane_ticks=0 task
  ticks=$(awk '{print $14 + $15}' "/proc/$COLLECTOR_PID/stat")
  # The lane's own thread ("dest:crm"): the forwarding's direct cost.
  for task in /proc/"$COLLECTOR_PID"/task/*; do
    if [ "$(cat "$task/comm")" = "dest:crm" ]; then lane_ticks=$(awk '{print $14 + $15}' "$task/stat"); fi
  done
  kill "$COLLECTOR_PID"; wait "$COLLECTOR_PID" 2>/dev/null || true; COLLECTOR_PID=""
  local accepted hz
  accepted=$(node -e 'console.log(JSON.parse(process.argv[1]).accepted)' "$result")
  hz=$(getconf CLK_TCK)
  extra="$extra$(node -e 'const [t, l, hz, a] = process.argv.slice(1).map(Number);
    console.log(`, "cpu_us_per_event": ${(t / hz * 1e6 / a).toFixed(2)}, "lane_cpu_us_per_event": ${(l / hz * 1e6 / a).toFixed(2)}`)' \
    "$ticks" "$lane_ticks" "$hz" "$accepted")"
  echo "${result%\}}, \"mode\": \"$mode\"$extra}"
}

echo "bench: destinations, $ROUNDS rounds of none / skip / all, $DURATION s each, load: $(cut -d' ' -f1-3 /proc/loadavg)"
results=()
for round in $(seq "$ROUNDS"); do
  modes=(none skip all)
  [ $((round % 2)) = 0 ] && modes=(all skip none)
  for mode in "${modes[@]}"; do
    line=$(run "$mode") || continue
    [ -n "$line" ] || continue
    echo "$line"
    results+=("$line")
  done
done
node -e 'const rs = process.argv.slice(1).map((t) => JSON.parse(t));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const mode of ["none", "skip", "all"]) {
    const mine = rs.filter((r) => r.mode === mode);
    console.log(`${mode}: median ${median(mine.map((r) => r.rps)).toFixed(0)} requests/s, p99 median ${median(mine.map((r) => r.p99_ms)).toFixed(2)} ms, CPU median ${median(mine.map((r) => r.cpu_us_per_event)).toFixed(2)} us/event (lane thread ${median(mine.map((r) => r.lane_cpu_us_per_event)).toFixed(2)}); rounds ${mine.map((r) => r.rps.toFixed(0)).join(" ")} requests/s, ${mine.map((r) => r.cpu_us_per_event).join(" ")} us/event`);
  }' "${results[@]}"
