#!/usr/bin/env bash
# Soak: Vigil (packaged jar, SQLite, the shipped teams.yaml and runbooks, no classification.yaml so no Watchdog heartbeat) under a
# steady webhook rate for DURATION seconds (default 1800), reporting per minute the latency percentiles
# (bench/soak/load.py) and, every 10 s, heap used after the last GC, committed heap, RSS and the in-memory ack timers
# (vigil_timers_pending{scheduler="incident"}). At the end it reads the store: every ack timer that fired, against the
# due time stored for it (the page before + 30m, policy low), and the timers still armed.
#   bench/soak/run.sh                      # 30 min at 50 requests/s
#   RATE=200 DURATION=600 bench/soak/run.sh
#   JAR=/tmp/vigil-soak.jar OUT=/tmp/soak DURATION=3600 bench/soak/run.sh   # a copy of the jar: rebuilds do not disturb it
# Writes $OUT (default bench/soak/out)/{latency.jsonl,memory.csv,vigil.log,escalations.txt} and prints a summary.
# Needs python3 and a JDK (jstat).
set -euo pipefail
cd "$(dirname "$0")/../.."
export RATE=${RATE:-50} DURATION=${DURATION:-1800}
OUT=${OUT:-bench/soak/out}
JAR=${JAR:-target/vigil.jar}
rm -rf "$OUT" && mkdir -p "$OUT/vigil/config" "$OUT/vigil/runbooks"
[ -f "$JAR" ] || mvn -B -q -DskipTests package
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cp config/teams.yaml "$OUT/vigil/config/"
cp runbooks/*.yaml "$OUT/vigil/runbooks/"
cat > "$OUT/vigil/config/vigil.yaml" <<YAML
server: {host: 127.0.0.1, port: $PORT}
store: {url: "sqlite:../data/vigil.db"}
YAML
VIGIL_LOG_LEVEL=WARN java ${JAVA_OPTS:--Xmx512m} -jar "$JAR" serve --config "$OUT/vigil/config/vigil.yaml" > "$OUT/vigil.log" 2>&1 &
VPID=$!
trap 'kill $VPID 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

echo "seconds,heap_used_mib,heap_committed_mib,old_used_mib,rss_mib,timers_in_memory" > "$OUT/memory.csv"
( t0=$(date +%s); while kill -0 $VPID 2>/dev/null; do
    # jstat -gc: S0U S1U EU OU are the used parts (KiB); S0C S1C EC OC committed
    read -r s0c s1c s0u s1u ec eu oc ou _ < <(jstat -gc $VPID 2>/dev/null | tail -1 | awk '{print $1,$2,$3,$4,$5,$6,$7,$8}')
    rss=$(awk '/VmRSS/{print $2}' /proc/$VPID/status)
    timers=$(curl -fs "http://127.0.0.1:$PORT/metrics" | awk '/^vigil_timers_pending\{scheduler="incident"/{print $2}')
    awk -v t=$(( $(date +%s) - t0 )) -v s0u="$s0u" -v s1u="$s1u" -v eu="$eu" -v ou="$ou" -v s0c="$s0c" -v s1c="$s1c" -v ec="$ec" \
        -v oc="$oc" -v rss="$rss" -v timers="${timers:-0}" \
        'BEGIN { printf "%d,%.1f,%.1f,%.1f,%.1f,%d\n", t, (s0u+s1u+eu+ou)/1024, (s0c+s1c+ec+oc)/1024, ou/1024, rss/1024, timers }' \
        >> "$OUT/memory.csv"
    sleep 10; done ) &
python3 bench/soak/load.py "http://127.0.0.1:$PORT/api/v1/alerts/alertmanager" | tee "$OUT/latency.jsonl"
# every ack timeout that fired against its stored due time: the level-1 page (policy low: one level, ack 30m, repeated once)
python3 - "$OUT/vigil/data/vigil.db" <<'PY' | tee "$OUT/escalations.txt"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
late = [r[0] for r in db.execute("""SELECT f.at - (p.at + 1800000) FROM timeline f JOIN timeline p ON p.incident_id = f.incident_id
    AND p.kind = 'escalated' AND p.id = (SELECT MIN(id) FROM timeline WHERE incident_id = f.incident_id AND kind = 'escalated')
    WHERE f.kind = 'ack-timeout'""")]
late.sort()
pages = db.execute("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'page:%'").fetchone()[0]
twice = db.execute("SELECT COUNT(*) FROM (SELECT incident_id FROM timeline WHERE kind = 'ack-timeout' GROUP BY incident_id HAVING COUNT(*) > 1)").fetchone()[0]
armed = db.execute("SELECT COUNT(*) FROM escalations WHERE state IN ('active', 'snoozed') AND due_at IS NOT NULL").fetchone()[0]
print("ack timeouts fired: %d; pages in the outbox: %d; incidents whose timeout fired twice: %d; still armed in the store: %d"
      % (len(late), pages, twice, armed))
if late:
    print("lateness after the stored due time, ms: min %d, median %d, p99 %d, max %d" % (late[0], late[len(late) // 2],
          late[int(len(late) * 0.99)], late[-1]))
PY
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
