#!/usr/bin/env bash
# Escalation memory: opens BULK (default 199,000) unacknowledged incidents whose next level is 2 h away, then PROBES
# (default 1,000) whose next level is 11 minutes away (beyond the 10-minute horizon when they open), against the
# packaged jar on SQLite under -Xmx512m. Reports:
#   - heap after a full GC (jcmd GC.run, then GC.heap_info) once every incident is open and has paged its first level
#     (the log notifier may still be delivering those pages from the outbox),
#     and the ack timers held in memory (vigil_timers_pending{scheduler="incident"}) against those armed in the store;
#   - every probe's ack timeout against its stored due time (the level-1 page + 11m), read from the store, and the
#     heap after a full GC again once they fired.
#   bench/escalation/run.sh
#   BULK=50000 PROBES=200 JAR=/tmp/vigil.jar OUT=/tmp/esc bench/escalation/run.sh
# Writes $OUT (default bench/escalation/out)/{vigil.log,heap-*.txt,result.txt}. Needs python3 and a JDK (jcmd, jstat).
set -euo pipefail
cd "$(dirname "$0")/../.."
BULK=${BULK:-199000} PROBES=${PROBES:-1000}
OUT=${OUT:-bench/escalation/out}
JAR=${JAR:-target/vigil.jar}
rm -rf "$OUT" && mkdir -p "$OUT/vigil/config" "$OUT/vigil/runbooks"
[ -f "$JAR" ] || mvn -B -q -DskipTests package
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cp bench/escalation/teams.yaml "$OUT/vigil/config/"
cat > "$OUT/vigil/config/vigil.yaml" <<YAML
server: {host: 127.0.0.1, port: $PORT}
store: {url: "sqlite:../data/vigil.db"}
YAML
DB="$OUT/vigil/data/vigil.db"
VIGIL_LOG_LEVEL=WARN java ${JAVA_OPTS:--Xmx512m} -jar "$JAR" serve --config "$OUT/vigil/config/vigil.yaml" > "$OUT/vigil.log" 2>&1 &
VPID=$!
trap 'kill $VPID 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
URL="http://127.0.0.1:$PORT/api/v1/alerts"
metric() { curl -fs "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" 'index($0, m) == 1 {print $2; exit}'; }
sql() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1], timeout=60).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"; }
escalated() { # every incident has paged level 1 and armed its ack timer (the pages may still be in the outbox)
  for _ in $(seq 1 720); do
    [ "$(sql "SELECT COUNT(*) FROM escalations WHERE due_at IS NOT NULL OR step > 0")" -ge "$1" ] && return 0
    sleep 5; done; echo "not all escalated after an hour" >&2; return 1; }
heap() { # full GC, then the heap in use
  echo "$(date -u +%FT%TZ)" >> "$OUT/result.txt"
  jcmd $VPID GC.run >/dev/null; jcmd $VPID GC.heap_info > "$OUT/heap-$1.txt"
  used=$(awk '/garbage-first heap/ {for (i = 1; i <= NF; i++) if ($i == "used") {v = $(i + 1); sub(/K,?/, "", v); printf "%.1f", v / 1024}}' "$OUT/heap-$1.txt")
  echo "$1: heap used after a full GC ${used} MiB; ack timers in memory $(metric 'vigil_timers_pending{scheduler="incident"') of $(sql "SELECT COUNT(*) FROM escalations WHERE due_at IS NOT NULL") armed in the store; pages waiting in the outbox $(sql "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"); RSS $(awk '/VmRSS/{printf "%.0f MiB", $2 / 1024}' /proc/$VPID/status)" | tee -a "$OUT/result.txt"; }

echo "$(date -u +%FT%TZ) opening $BULK incidents (next level in 2h), then $PROBES (next level in 11m)" | tee "$OUT/result.txt"
COUNT=$BULK SEVERITY=warning NAME=Bulk python3 bench/escalation/load.py "$URL" | tee -a "$OUT/result.txt"
COUNT=$PROBES SEVERITY=critical NAME=Probe python3 bench/escalation/load.py "$URL" | tee -a "$OUT/result.txt"
escalated $((BULK + PROBES))
heap "all-open"
# the probes' timers come within the horizon and fire; wait for every one (or 11m + 10m)
probes_due=$(sql "SELECT MAX(at) + 660000 FROM timeline WHERE kind = 'escalated'")
while [ "$(sql "SELECT COUNT(*) FROM timeline WHERE kind = 'ack-timeout'")" -lt "$PROBES" ] \
    && [ $(( $(date +%s%3N) )) -lt $(( probes_due + 600000 )) ]; do sleep 10; done
python3 - "$DB" <<'PY' | tee -a "$OUT/result.txt"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=60)
late = sorted(r[0] for r in db.execute("""SELECT f.at - (p.at + 660000) FROM timeline f JOIN timeline p ON p.incident_id = f.incident_id
    AND p.kind = 'escalated' AND p.id = (SELECT MIN(id) FROM timeline WHERE incident_id = f.incident_id AND kind = 'escalated')
    WHERE f.kind = 'ack-timeout'"""))
probes = db.execute("SELECT COUNT(*) FROM incidents WHERE title LIKE 'Probe%' OR id IN (SELECT incident_id FROM escalations WHERE policy = 'probe')").fetchone()[0]
twice = db.execute("SELECT COUNT(*) FROM (SELECT incident_id FROM timeline WHERE kind = 'ack-timeout' GROUP BY incident_id HAVING COUNT(*) > 1)").fetchone()[0]
level2 = db.execute("SELECT COUNT(*) FROM outbox WHERE idempotency_key LIKE 'page:%:1:%'").fetchone()[0]
bulk_fired = db.execute("SELECT COUNT(*) FROM escalations WHERE policy = 'bulk' AND step > 0").fetchone()[0]
print("probes: %d; ack timeouts fired: %d (twice for one incident: %d); level-2 pages: %d; bulk escalations advanced: %d"
      % (probes, len(late), twice, level2, bulk_fired))
if late:
    print("lateness after the stored due time, ms: min %d, median %d, p99 %d, max %d" % (late[0], late[len(late) // 2],
          late[int(len(late) * 0.99)], late[-1]))
PY
heap "probes-fired"
echo "event-loop blocked warnings: $(grep -c 'has been blocked' "$OUT/vigil.log" || true); errors logged: $(grep -c '"level":"ERROR"' "$OUT/vigil.log" || true)" | tee -a "$OUT/result.txt"
