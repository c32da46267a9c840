#!/usr/bin/env bash
# Soak: Vigil (packaged jar, SQLite, the shipped teams.yaml and runbooks, no classification.yaml so no Watchdog heartbeat) under a
# steady webhook rate for DURATION seconds (default 1800), reporting per minute the latency percentiles
# (bench/soak/load.py) and, every 10 s, heap used after the last GC, committed heap and RSS.
#   bench/soak/run.sh                      # 30 min at 50 requests/s
#   RATE=200 DURATION=600 bench/soak/run.sh
# Writes bench/soak/out/{latency.jsonl,memory.csv,vigil.log} and prints a summary. Needs python3 and a JDK (jstat).
set -euo pipefail
cd "$(dirname "$0")/../.."
export RATE=${RATE:-50} DURATION=${DURATION:-1800}
OUT=bench/soak/out
rm -rf "$OUT" && mkdir -p "$OUT/vigil/config" "$OUT/vigil/runbooks"
[ -f target/vigil.jar ] || mvn -B -q -DskipTests package
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cp config/teams.yaml "$OUT/vigil/config/"
cp runbooks/*.yaml "$OUT/vigil/runbooks/"
cat > "$OUT/vigil/config/vigil.yaml" <<YAML
server: {host: 127.0.0.1, port: $PORT}
store: {url: "sqlite:../data/vigil.db"}
YAML
VIGIL_LOG_LEVEL=WARN java ${JAVA_OPTS:--Xmx512m} -jar target/vigil.jar serve --config "$OUT/vigil/config/vigil.yaml" > "$OUT/vigil.log" 2>&1 &
VPID=$!
trap 'kill $VPID 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

echo "seconds,heap_used_mib,heap_committed_mib,old_used_mib,rss_mib" > "$OUT/memory.csv"
( t0=$(date +%s); while kill -0 $VPID 2>/dev/null; do
    # jstat -gc: S0U S1U EU OU are the used parts (KiB); S0C S1C EC OC committed
    read -r s0c s1c s0u s1u ec eu oc ou _ < <(jstat -gc $VPID 2>/dev/null | tail -1 | awk '{print $1,$2,$3,$4,$5,$6,$7,$8}')
    rss=$(awk '/VmRSS/{print $2}' /proc/$VPID/status)
    awk -v t=$(( $(date +%s) - t0 )) -v s0u="$s0u" -v s1u="$s1u" -v eu="$eu" -v ou="$ou" -v s0c="$s0c" -v s1c="$s1c" -v ec="$ec" \
        -v oc="$oc" -v rss="$rss" 'BEGIN { printf "%d,%.1f,%.1f,%.1f,%.1f\n", t, (s0u+s1u+eu+ou)/1024, (s0c+s1c+ec+oc)/1024, ou/1024, rss/1024 }' \
        >> "$OUT/memory.csv"
    sleep 10; done ) &
python3 bench/soak/load.py "http://127.0.0.1:$PORT/api/v1/alerts/alertmanager" | tee "$OUT/latency.jsonl"
python3 - "$OUT" <<'PY'
import csv, json, sys
out = sys.argv[1]
rows = [json.loads(l) for l in open(out + "/latency.jsonl") if l.strip()]
mem = list(csv.DictReader(open(out + "/memory.csv")))
def third(xs, i): n = len(xs); return xs[i * n // 3:(i + 1) * n // 3] or xs
print("\n| part of the run | answered | non-202 | p50 ms | p99 ms (worst minute) | old gen used MiB (min–max) | RSS MiB (min–max) |")
print("|---|---|---|---|---|---|---|")
for i, name in enumerate(["first third", "middle third", "last third"]):
    r = third(rows, i); m = third(mem, i)
    bad = sum(v for row in r for k, v in row["status"].items() if k != "202")
    old = [float(x["old_used_mib"]) for x in m]; rss = [float(x["rss_mib"]) for x in m]
    print("| %s | %d | %d | %.1f | %.1f | %.0f–%.0f | %.0f–%.0f |" % (name, sum(x["answered"] for x in r), bad,
          sorted(x["p50"] for x in r)[len(r) // 2], max(x["p99"] for x in r), min(old), max(old), min(rss), max(rss)))
PY
