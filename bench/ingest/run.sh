#!/usr/bin/env bash
# Ingest benchmark: Vigil (durable, SQLite WAL synchronous=FULL) against a bare Alertmanager
# (in memory), same machine, same wrk load. Writes bench/ingest/out/ and prints a Markdown table.
#   bench/ingest/run.sh            # 20 s per case after 5 s warm-up, 64 connections
#   DURATION=60 CONNECTIONS=128 bench/ingest/run.sh
#   JAR=/tmp/before/vigil.jar SKIP_AM=1 ALERT_COUNTS="10" bench/ingest/run.sh   # another build, Vigil only, one case
#   SKIP_VIGIL=1 bench/ingest/run.sh                                              # Alertmanager only
#   bench/ingest/rounds.sh takes builds and Alertmanager in turn several times: use it to compare
#   PGURL=postgresql://postgres@127.0.0.1:5432 bench/ingest/run.sh                 # Vigil on a fresh PostgreSQL database (needs psql)
# Needs: wrk, prometheus-alertmanager (apt-get install -y wrk prometheus-alertmanager), a built target/vigil.jar.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SYNC=${SYNC:-FULL}
JAR=${JAR:-target/vigil.jar}
ALERT_COUNTS=${ALERT_COUNTS:-1 10}
OUT=bench/ingest/out
# PIN=1: the server (Vigil or Alertmanager) on CPU 1 alone, wrk on CPU 0, so that the server's
# alerts/s is what one core of it does, without sharing that core with the load generator
if [ "${PIN:-0}" = 1 ]; then SERVER_PIN="taskset -c 1"; WRK_PIN="taskset -c 0"; else SERVER_PIN=""; WRK_PIN=""; fi
rm -rf "$OUT" && mkdir -p "$OUT"
[ -f "$JAR" ] || mvn -B -q -DskipTests package

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Samples a process: CPU seconds used during the run, peak RSS.
cpu_seconds() { awk '{print ($14+$15)/100}' "/proc/$1/stat"; }
watch_rss() { local pid=$1 peak=0; while kill -0 "$pid" 2>/dev/null; do
    r=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0); [ "${r:-0}" -gt "$peak" ] && peak=$r
    echo "$peak" > "$OUT/rss.$pid"; sleep 0.5; done; }

# CPU ticks of each of a process's threads, by thread name: "name ticks" lines. A thread that ends
# between the listing and the read (a short-lived one, such as the key filter's reader) is skipped:
# under pipefail its failed read would end the whole run.
thread_ticks() { for t in /proc/"$1"/task/*; do
    sed -E 's/^[0-9]+ \((.*)\) . (([^ ]+ ){10})([0-9]+) ([0-9]+).*/\1\t\4 \5/' "$t/stat" 2>/dev/null || true; done \
  | awk -F'\t' '{split($2, c, " "); print $1 "\t" c[1] + c[2]}'; }
# Where a run's CPU went: microseconds per alert by thread (digits folded: one line per pool).
thread_report() { # before after alerts
  python3 - "$1" "$2" "$3" <<'PY'
import re, sys, collections
def load(f):
    d = collections.Counter()
    for line in open(f):
        name, ticks = line.rstrip("\n").rsplit("\t", 1)
        d[re.sub(r"\d+", "N", name)] += int(ticks)
    return d
a, b, alerts = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
d = {k: b[k] - a.get(k, 0) for k in b}
total = sum(d.values())
for k, v in sorted(d.items(), key=lambda kv: -kv[1]):
    if v > 0:
        print(f"{v * 10000 / alerts:8.1f} us/alert  {v * 100 / total:5.1f} %  {k}")
print(f"{total * 10000 / alerts:8.1f} us/alert  total")
PY
}

run_case() { # name pid url script alerts
  local name=$1 pid=$2 url=$3 script=$4 alerts=$5
  ALERTS=$alerts $WRK_PIN wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$script" "$url" > /dev/null
  watch_rss "$pid" & local watcher=$!
  local cpu0; cpu0=$(cpu_seconds "$pid")
  thread_ticks "$pid" > "$OUT/$name.ticks0"
  ALERTS=$alerts $WRK_PIN wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$script" "$url" > "$OUT/$name.txt"
  local cpu1; cpu1=$(cpu_seconds "$pid")
  thread_ticks "$pid" > "$OUT/$name.ticks1"
  kill "$watcher" 2>/dev/null || true
  local line; line=$(grep '^RESULT' "$OUT/$name.txt")
  local requests duration p50 p99 errs
  requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<<"$line")
  errs=$(sed -E 's/.*errors_status=([0-9]+).*/\1/' <<<"$line")
  duration=$(sed -E 's/.*duration_us=([0-9]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.*p50_us=([0-9]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.*p99_us=([0-9]+).*/\1/' <<<"$line")
  local rss; rss=$(cat "$OUT/rss.$pid" 2>/dev/null || echo 0)
  thread_report "$OUT/$name.ticks0" "$OUT/$name.ticks1" "$((requests * alerts))" > "$OUT/$name.threads.txt"
  awk -v n="$name" -v r="$requests" -v e="$errs" -v d="$duration" -v a="$alerts" -v p50="$p50" -v p99="$p99" \
      -v c0="$cpu0" -v c1="$cpu1" -v rss="$rss" 'BEGIN {
    s = d / 1e6; printf "| %s | %d | %.0f | %.0f | %.1f | %.1f | %.0f%% | %.0f | %d |\n",
      n, a, r / s, r * a / s, p50 / 1000, p99 / 1000, (c1 - c0) / s * 100, rss / 1024, e }' | tee -a "$OUT/table.md"
}

echo "| case | alerts/request | requests/s | alerts/s | p50 ms | p99 ms | CPU (of 1 core) | peak RSS MiB | non-2xx |" > "$OUT/table.md"
echo "|---|---|---|---|---|---|---|---|---|" >> "$OUT/table.md"

# whichever servers were started stop with the script, however it ends
trap 'for p in ${VPID:-} ${APID:-}; do kill "$p" 2>/dev/null || true; done' EXIT
# --- Vigil ---
if [ -z "${SKIP_VIGIL:-}" ]; then
VPORT=$(free_port)
mkdir -p "$OUT/vigil/config"
STORE="{url: \"sqlite:../data/vigil.db\", synchronous: $SYNC}"
if [ -n "${PGURL:-}" ]; then
  DB="vigil_bench_$$"
  psql "$PGURL/postgres" -qc "CREATE DATABASE $DB"
  STORE="{url: \"$PGURL/$DB\", poolSize: 8}"
fi
cat > "$OUT/vigil/config/vigil.yaml" <<YAML
server: {host: 127.0.0.1, port: $VPORT}
store: $STORE
YAML
VIGIL_LOG_LEVEL=WARN $SERVER_PIN java ${JAVA_OPTS:-} -jar "$JAR" serve --config "$OUT/vigil/config/vigil.yaml" > "$OUT/vigil.log" 2>&1 &
VPID=$!
for i in $(seq 1 100); do curl -fs "http://127.0.0.1:$VPORT/healthz" >/dev/null && break; sleep 0.2; done
# the SQLite log's size through the run, every half second ("epoch-seconds bytes")
[ -z "${PGURL:-}" ] && ( while kill -0 $VPID 2>/dev/null; do
  echo "$(date +%s.%N) $(stat -c %s "$OUT/vigil/data/vigil.db-wal" 2>/dev/null || echo 0)"; sleep 0.5; done > "$OUT/vigil-wal.txt" ) &
for n in $ALERT_COUNTS; do
  run_case "vigil-$n" "$VPID" "http://127.0.0.1:$VPORT/api/v1/alerts/alertmanager" bench/ingest/vigil-webhook.lua "$n"
done
curl -s "http://127.0.0.1:$VPORT/metrics" > "$OUT/vigil.prom" || true
grep -E '^vigil_commit_(batch_alerts|duration_seconds)_(sum|count)' "$OUT/vigil.prom" > "$OUT/vigil-commit-metrics.txt" || true
kill -TERM $VPID; wait $VPID || true
# the database made for this run goes with it
[ -n "${PGURL:-}" ] && psql "$PGURL/postgres" -qc "DROP DATABASE $DB"
fi

if [ -n "${SKIP_AM:-}" ]; then cat "$OUT/table.md"; exit 0; fi
# --- Alertmanager (in memory, no persistence of alerts) ---
APORT=$(free_port)
cat > "$OUT/am.yml" <<YAML
route: {receiver: none, group_by: [alertname], group_wait: 1h, group_interval: 1h, repeat_interval: 24h}
receivers: [{name: none}]
YAML
$SERVER_PIN prometheus-alertmanager --config.file="$OUT/am.yml" --storage.path="$OUT/am-data" --web.listen-address="127.0.0.1:$APORT" \
  --cluster.listen-address= --log.level=warn > "$OUT/am.log" 2>&1 &
APID=$!
for i in $(seq 1 100); do curl -fs "http://127.0.0.1:$APORT/-/ready" >/dev/null && break; sleep 0.2; done
for n in $ALERT_COUNTS; do
  run_case "alertmanager-$n" "$APID" "http://127.0.0.1:$APORT/api/v2/alerts" bench/ingest/alertmanager-api.lua "$n"
done
kill $APID; wait $APID 2>/dev/null || true

echo
cat "$OUT/table.md"
echo
if [ -z "${SKIP_VIGIL:-}" ]; then cat "$OUT/vigil-commit-metrics.txt"; fi
