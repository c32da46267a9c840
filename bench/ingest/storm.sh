#!/usr/bin/env bash
# Storm with a real Alertmanager as the client: new alerts are posted to Alertmanager as fast as it
# takes them, over STORM_GROUPS alert names (group_by alertname, group_wait 0s, group_interval 1s), for
# DURATION seconds; Alertmanager re-sends each whole group every second to the receiver. Run once with
# Vigil as the receiver and once with a bare Vert.x receiver (reads the body, answers 200), each with
# a fresh Alertmanager. Results come from Alertmanager's own metrics, plus what Vigil stored.
#   bench/ingest/storm.sh                 # STORM_GROUPS=20, DURATION=30
#   STORM_GROUPS=1000 bench/ingest/storm.sh
#   JAR=/path/to/other/vigil.jar bench/ingest/storm.sh   # another build (before/after)
#   WRK_NICE=19 bench/ingest/storm.sh   # the load generator yields the CPU to Alertmanager and the receiver
# Where a failure comes from: a notification has max(group_interval, 10 s) from its flush
# (Alertmanager's notify.MinTimeout).
# - "failed requests": webhook calls that failed; a failed notification without one never reached
#   the receiver.
# - "expired before sending": notifications whose time ran out inside Alertmanager before their
#   request (an unwrapped "context deadline exceeded" in its log, reported by the stage before dedup;
#   not in its notifications_total at all). A lower bound.
# - "requests > 1 s / > 5 s": Alertmanager's latency histogram, which times the whole webhook call,
#   its own template and JSON encoding included.
# - How long Vigil held the requests it answered: its own metrics.
# - notifications/s: over the window from wrk's start to the middle of the final scrape
#   (Alertmanager goes on sending after the load stops, and a busy one takes seconds to scrape).
# Needs: wrk, prometheus-alertmanager, python3, a built target/vigil.jar and test classes (mvn -q -DskipTests package test-compile).
set -euo pipefail
cd "$(dirname "$0")/../.."
STORM_GROUPS=${STORM_GROUPS:-20}
DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-16}
ALERTS=${ALERTS:-10}
JAR=${JAR:-target/vigil.jar}
OUT=bench/ingest/out/storm-$STORM_GROUPS
rm -rf "$OUT" && mkdir -p "$OUT"
[ -f "$JAR" ] || mvn -B -q -DskipTests package
[ -f target/bench.classpath ] || { mvn -B -q test-compile; mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
metric() { # file name-regex: sum of matching samples
  awk -v re="$2" '$0 !~ /^#/ && $1 ~ re {s += $2} END {printf "%.0f", s}' "$1"; }
metricf() { awk -v re="$2" '$0 !~ /^#/ && $1 ~ re {s += $2} END {printf "%.3f", s}' "$1"; }
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done' EXIT

storm() { # name receiver-url
  local name=$1 url=$2 aport; aport=$(free_port)
  cat > "$OUT/am-$name.yml" <<YAML
route: {receiver: r, group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 1h}
receivers: [{name: r, webhook_configs: [{url: "$url", send_resolved: true}]}]
YAML
  prometheus-alertmanager --config.file="$OUT/am-$name.yml" --storage.path="$OUT/am-data-$name" \
    --web.listen-address="127.0.0.1:$aport" --cluster.listen-address= --log.level=warn > "$OUT/am-$name.log" 2>&1 &
  local apid=$!; PIDS+=($apid)
  for i in $(seq 1 100); do curl -fs "http://127.0.0.1:$aport/-/ready" >/dev/null && break; sleep 0.2; done
  local t0 t1 t2 upto; t0=$(date +%s.%N)
  STORM_GROUPS=$STORM_GROUPS ALERTS=$ALERTS ${WRK_NICE:+nice -n "$WRK_NICE"} wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s bench/ingest/storm-alerts.lua \
    "http://127.0.0.1:$aport/api/v2/alerts" > "$OUT/wrk-$name.txt"
  sleep 5 # the last group_interval's notifications (and their retries) go out
  # a busy Alertmanager takes seconds to answer a scrape: the run's window ends at its middle, and
  # the log is counted up to its end
  t1=$(date +%s.%N)
  curl -s "http://127.0.0.1:$aport/metrics" > "$OUT/am-$name.prom"
  t2=$(date +%s.%N); upto=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  local m="$OUT/am-$name.prom"
  local sent failed freq lat_sum lat_n received le1 le5 expired reqs
  sent=$(metric "$m" '^alertmanager_notifications_total[{]integration="webhook"')
  failed=$(metric "$m" '^alertmanager_notifications_failed_total[{]integration="webhook"')
  freq=$(metric "$m" '^alertmanager_notification_requests_failed_total[{]integration="webhook"')
  lat_sum=$(metricf "$m" '^alertmanager_notification_latency_seconds_sum[{]integration="webhook"')
  lat_n=$(metric "$m" '^alertmanager_notification_latency_seconds_count[{]integration="webhook"')
  received=$(metric "$m" '^alertmanager_alerts_received_total')
  le1=$(metric "$m" '^alertmanager_notification_latency_seconds_bucket[{]integration="webhook",le="1"')
  le5=$(metric "$m" '^alertmanager_notification_latency_seconds_bucket[{]integration="webhook",le="5"')
  reqs=$(metric "$m" '^alertmanager_notification_requests_total[{]integration="webhook"')
  expired=$(awk -v upto="ts=$upto" '$1 <= upto && /Notify for alerts failed.* err="context deadline exceeded"/ {n++} END {print n + 0}' "$OUT/am-$name.log")
  [ "$reqs" = "$lat_n" ] || echo "note: $name's scrape was not one moment: $reqs webhook requests counted, $lat_n timed"
  kill -9 $apid; wait $apid 2>/dev/null || true # metrics are read; a busy Alertmanager takes long to stop
  awk -v n="$name" -v s="$sent" -v f="$failed" -v ls="$lat_sum" -v ln="$lat_n" -v r="$received" \
    -v t0="$t0" -v t1="$t1" -v t2="$t2" -v e="$expired" -v fr="$freq" -v o1="$((lat_n - le1))" -v o5="$((lat_n - le5))" 'BEGIN {
    d = (t1 + t2) / 2 - t0 # the window: from the start of wrk to the middle of the final scrape
    printf "| %s | %d | %.1f | %d (%d) | %d | %d / %d | %.0f | %d |\n", n, s, s / d, f, fr, e, o1, o5, (ln > 0 ? ls / ln * 1000 : 0), r }' \
    | tee -a "$OUT/table.md"
}

echo "| receiver | notifications | notifications/s | failed (failed requests) | expired before sending | requests > 1 s / > 5 s | mean latency ms | alerts received by Alertmanager |" > "$OUT/table.md"
echo "|---|---|---|---|---|---|---|---|" >> "$OUT/table.md"

# --- Vigil ---
VPORT=$(free_port)
mkdir -p "$OUT/vigil/config"
cat > "$OUT/vigil/config/vigil.yaml" <<YAML
server: {host: 127.0.0.1, port: $VPORT}
store: {url: "sqlite:../data/vigil.db", synchronous: FULL}
YAML
VIGIL_LOG_LEVEL=WARN java ${JAVA_OPTS:-} -jar "$JAR" serve --config "$OUT/vigil/config/vigil.yaml" > "$OUT/vigil.log" 2>&1 &
VPID=$!; PIDS+=($VPID)
for i in $(seq 1 100); do curl -fs "http://127.0.0.1:$VPORT/healthz" >/dev/null && break; sleep 0.2; done
storm vigil "http://127.0.0.1:$VPORT/api/v1/alerts/alertmanager"
curl -s "http://127.0.0.1:$VPORT/metrics" > "$OUT/vigil.prom"
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / t}' "/proc/$1/stat"; } # user + system
VCPU=$(cpu_s $VPID)
kill -TERM $VPID; wait $VPID || true
STORED=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from alerts').fetchone()[0])" "$OUT/vigil/data/vigil.db")
REJ=$(metric "$OUT/vigil.prom" '^vigil_alerts_rejected_total')
REJ503=$(metric "$OUT/vigil.prom" '^vigil_alerts_rejected_total[{]reason="(overloaded|store_unavailable)"')
REPEATS=$(metric "$OUT/vigil.prom" '^vigil_alerts_repeated_total')
ROUTE='route="/api/v1/alerts/alertmanager"'
HELD_SUM=$(metricf "$OUT/vigil.prom" "^vertx_http_server_response_time_seconds_sum[{].*$ROUTE")
HELD_N=$(metric "$OUT/vigil.prom" "^vertx_http_server_response_time_seconds_count[{].*$ROUTE")
HELD_MAX=$(awk -v re="^vertx_http_server_response_time_seconds_max[{].*$ROUTE" '$1 ~ re && $2 > m {m = $2} END {printf "%.0f", m * 1000}' "$OUT/vigil.prom")

# --- bare receiver ---
CP=$(cat target/bench.classpath)
java -cp "target/test-classes:target/classes:$CP" dev.vigil.bench.BareReceiver > "$OUT/bare.log" 2>&1 &
BPID=$!; PIDS+=($BPID)
for i in $(seq 1 100); do grep -q '^PORT' "$OUT/bare.log" 2>/dev/null && break; sleep 0.2; done
BPORT=$(awk '/^PORT/{print $2}' "$OUT/bare.log")
storm bare "http://127.0.0.1:$BPORT/"
BCPU=$(cpu_s $BPID)
kill $BPID

echo
echo "STORM_GROUPS=$STORM_GROUPS DURATION=${DURATION}s: alerts stored by Vigil: $STORED; alerts Vigil refused: $REJ (503: $REJ503); answered from memory as repeats: $REPEATS"
awk -v s="$HELD_SUM" -v n="$HELD_N" -v m="$HELD_MAX" 'BEGIN {
  printf "Vigil held a notification it answered %.0f ms on average, %d ms at most (from headers to answer; its metrics, the most over their last 2 minutes or so)\n", (n > 0 ? s / n * 1000 : 0), m }'
echo "CPU seconds the receiver used, start to end: Vigil $VCPU, bare $BCPU"
echo
cat "$OUT/table.md"
