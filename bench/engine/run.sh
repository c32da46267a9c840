#!/usr/bin/env bash
# Engine benchmark: (a) engine overhead per step with steps that do no I/O, (b) 10,000 concurrent
# runs of a 5-step runbook (http, wait 5s, two parallel http, http) against a local server.
# The run store is SQLite (WAL, synchronous=FULL) in a temp dir; the JVM gets a 512 MiB heap.
#   bench/engine/run.sh
#   RUNS=20000 NOIO_RUNS=5000 bench/engine/run.sh
# Prints one RESULT line per case (also in target/engine-bench.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-10000}
NOIO_RUNS=${NOIO_RUNS:-2000}
HEAP=${HEAP:-512m}
rm -f target/engine-bench.txt
mvn -o -q test -Dtest=EngineBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dvigil.bench=true \
  -Dbench.concurrent.runs="$RUNS" -Dbench.noio.runs="$NOIO_RUNS" -DargLine="-Xmx$HEAP -Xms$HEAP" \
  -Dvigil.log.level=WARN
cat target/engine-bench.txt
