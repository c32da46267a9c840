#!/usr/bin/env bash
# Builds of Vigil and Alertmanager taken in turn, several rounds, on one machine. A single run moves
# by a quarter on a shared 2-core machine (bench/RESULTS.md), so compare medians of runs made side by
# side, never two single runs. Each run is bench/ingest/run.sh with one server; the order is
# reversed every other round so that no server always runs first.
#   bench/ingest/rounds.sh                                   # target/vigil.jar against Alertmanager, 3 rounds
#   ROUNDS=5 ALERT_COUNTS="10" bench/ingest/rounds.sh /tmp/before.jar target/vigil.jar
#   SKIP_AM=1 bench/ingest/rounds.sh /tmp/before.jar target/vigil.jar   # builds only
# Takes run.sh's settings too (DURATION, WARMUP, CONNECTIONS, THREADS, SYNC, PGURL).
# Writes bench/ingest/rounds-out/runs.tsv (round, server, alerts/request, alerts/s, p99 ms, server CPU µs
# per alert) and prints the medians, each build's as a ratio to Alertmanager's. CPU per alert moves far
# less than alerts/s on a shared machine (a stolen core slows a run but is not counted as its CPU), so a
# change that saves work shows there first.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
export WARMUP=${WARMUP:-30}
OUT=bench/ingest/rounds-out
rm -rf "$OUT" && mkdir -p "$OUT"
[ $# -gt 0 ] || set -- target/vigil.jar
[ -f target/vigil.jar ] || mvn -B -q -DskipTests package
servers=("$@")
[ -n "${SKIP_AM:-}" ] || servers+=(alertmanager)
printf 'round\tserver\talerts_per_request\talerts_per_s\tp99_ms\tcpu_us_per_alert\n' > "$OUT/runs.tsv"
for round in $(seq 1 "$ROUNDS"); do
  order=("${servers[@]}")
  if [ $((round % 2)) = 0 ]; then
    order=(); for ((i = ${#servers[@]} - 1; i >= 0; i--)); do order+=("${servers[$i]}"); done
  fi
  for server in "${order[@]}"; do
    if [ "$server" = alertmanager ]; then
      env SKIP_VIGIL=1 bash bench/ingest/run.sh > "$OUT/last.txt" 2>&1 || failed=1
    else
      env SKIP_AM=1 JAR="$server" bash bench/ingest/run.sh > "$OUT/last.txt" 2>&1 || failed=1
    fi
    if [ -n "${failed:-}" ]; then echo "run.sh failed for $server in round $round:" >&2; cat "$OUT/last.txt" >&2; exit 1; fi
    # table rows: | case | alerts/request | requests/s | alerts/s | p50 ms | p99 ms | CPU (of 1 core) | ...
    grep -E '^\| (vigil|alertmanager)-[0-9]+ ' bench/ingest/out/table.md \
      | awk -F'|' -v r="$round" -v s="$server" '{gsub(/ /, "", $3); gsub(/ /, "", $5); gsub(/ /, "", $7); gsub(/[ %]/, "", $8);
          printf "%s\t%s\t%s\t%s\t%s\t%.1f\n", r, s, $3, $5, $7, ($5 > 0 ? $8 * 1e4 / $5 : 0)}' | tee -a "$OUT/runs.tsv"
  done
done
python3 - "$OUT/runs.tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def median(server, n, key):
    v = [float(r[key]) for r in rows if r["server"] == server and r["alerts_per_request"] == n]
    return statistics.median(v) if v else None
servers = list(dict.fromkeys(r["server"] for r in rows))
print("\n| server | alerts/request | median alerts/s | median p99 ms | ÷ Alertmanager | median CPU µs/alert | runs (alerts/s) | runs (CPU µs/alert) |")
print("|---|---|---|---|---|---|---|---|")
for n in sorted({r["alerts_per_request"] for r in rows}, key=int):
    am = median("alertmanager", n, "alerts_per_s")
    for s in servers:
        m = median(s, n, "alerts_per_s")
        if m is None:
            continue
        mine = [r for r in rows if r["server"] == s and r["alerts_per_request"] == n]
        runs = ", ".join(r["alerts_per_s"] for r in mine)
        cpu = ", ".join(r["cpu_us_per_alert"] for r in mine)
        ratio = f"{m / am:.2f}×" if am and s != "alertmanager" else ""
        print(f"| {s} | {n} | {m:.0f} | {median(s, n, 'p99_ms'):.1f} | {ratio} | {median(s, n, 'cpu_us_per_alert'):.1f} | {runs} | {cpu} |")
PY
