#!/usr/bin/env bash
# The SQLite writer thread's CPU time per alert of a new group (ThreadMXBean: Java and SQLite's
# native code on that thread), through the real SqlIncidentStore / SqliteWriter / SqliteIngest,
# one commit at a time into a fresh file per round. CPU time, not throughput: it holds on a loaded
# machine where wall-clock benchmarks do not.
#   bench/ingest/writer-cpu.sh [requests-per-commit=10] [alerts-per-request=10] [commits=2000] [rounds=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP=$(cat target/bench.classpath)
exec java ${JAVA_OPTS:-} -Xms256m -Xmx256m -XX:+UseSerialGC -cp "target/classes:target/test-classes:$CP" \
  -Dvigil.log.level=WARN dev.vigil.bench.WriterCpuBench "$@"
