#!/usr/bin/env bash
# HA ingest benchmark ([F7]): webhook throughput of 1 and of 3 Vigil replicas sharing one PostgreSQL
# database, same machine, same total wrk load (spread evenly over the replicas). Writes bench/ha/out/
# and prints a Markdown table.
#   bench/ha/run.sh                         # 20 s per case after 5 s warm-up, 48 connections in total
#   PGURL=postgresql://postgres@127.0.0.1:5432 DURATION=60 bench/ha/run.sh
# Needs: wrk, psql, a PostgreSQL server (PGURL, default postgresql://postgres@127.0.0.1:5432, trust auth),
# a built target/vigil.jar. Each case gets a fresh database, dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
CONNECTIONS=${CONNECTIONS:-48}
ALERTS=${ALERTS:-1}
PGURL=${PGURL:-postgresql://postgres@127.0.0.1:5432}
OUT=bench/ha/out
rm -rf "$OUT" && mkdir -p "$OUT"
[ -f target/vigil.jar ] || mvn -B -q -DskipTests package

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

run_case() { # replicas
  local n=$1 db="vigil_bench_ha_$1_$$" ports=() pids=()
  psql "$PGURL/postgres" -qc "CREATE DATABASE $db"
  for i in $(seq 1 "$n"); do
    local port; port=$(free_port)
    mkdir -p "$OUT/r$n-$i/config"
    cat > "$OUT/r$n-$i/config/vigil.yaml" <<YAML
server: {host: 127.0.0.1, port: $port}
store: {url: "$PGURL/$db", poolSize: 8}
ha: {replicaId: bench-$i}
YAML
    VIGIL_LOG_LEVEL=WARN java ${JAVA_OPTS:-} -jar target/vigil.jar serve --config "$OUT/r$n-$i/config/vigil.yaml" > "$OUT/r$n-$i.log" 2>&1 &
    pids+=($!); PIDS+=($!); ports+=("$port")
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  done
  local per=$((CONNECTIONS / n))
  local wrks=()
  for port in "${ports[@]}"; do   # warm-up, all replicas at once
    SEED=$port ALERTS=$ALERTS wrk -t1 -c"$per" -d"${WARMUP}s" -s bench/ingest/vigil-webhook.lua "http://127.0.0.1:$port/api/v1/alerts/alertmanager" > /dev/null &
    wrks+=($!)
  done
  for w in "${wrks[@]}"; do wait "$w"; done
  wrks=()
  for port in "${ports[@]}"; do
    SEED=$port ALERTS=$ALERTS wrk -t1 -c"$per" -d"${DURATION}s" --latency -s bench/ingest/vigil-webhook.lua \
      "http://127.0.0.1:$port/api/v1/alerts/alertmanager" > "$OUT/wrk-$n-$port.txt" &
    wrks+=($!)
  done
  for w in "${wrks[@]}"; do wait "$w"; done
  # sum requests and errors over the replicas; latency: the worst replica's percentiles
  grep -h '^RESULT' "$OUT"/wrk-"$n"-*.txt | awk -v n="$n" -v a="$ALERTS" '
    { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      req += v["requests"]; err += v["errors_status"] + v["errors_connect"] + v["errors_timeout"]
      if (v["duration_us"] > d) d = v["duration_us"]; if (v["p50_us"] > p50) p50 = v["p50_us"]; if (v["p99_us"] > p99) p99 = v["p99_us"] }
    END { s = d / 1e6; printf "| %d | %d | %.0f | %.0f | %.1f | %.1f | %d |\n", n, a, req / s, req * a / s, p50 / 1000, p99 / 1000, err }' \
    | tee -a "$OUT/table.md"
  psql "$PGURL/$db" -Atc "SELECT count(*) FROM alerts" > "$OUT/stored-$n.txt"
  for p in "${pids[@]}"; do kill -TERM "$p"; wait "$p" || true; done
  psql "$PGURL/postgres" -qc "DROP DATABASE $db WITH (FORCE)"
}

echo "| replicas | alerts/request | requests/s | alerts/s | p50 ms (worst replica) | p99 ms (worst replica) | errors |" > "$OUT/table.md"
echo "|---|---|---|---|---|---|---|" >> "$OUT/table.md"
run_case 1
run_case 3
echo
cat "$OUT/table.md"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
