#!/usr/bin/env bash
# Backup benchmark: `vigil backup` of a SQLite store of ALERTS alerts (default 100,000, 5 per webhook,
# one incident per webhook) while 2 clients keep posting new webhooks; ingest requests and latency in
# a window before, during and after the backup. The daemon and the backup share one JVM.
#   bench/backup/run.sh
#   ALERTS=500000 WINDOW=10 bench/backup/run.sh
# Prints RESULT lines (also in target/backup-bench.txt).
set -euo pipefail
cd "$(dirname "$0")/../.."
ALERTS=${ALERTS:-100000}
WINDOW=${WINDOW:-5}
rm -f target/backup-bench.txt
mvn -o -q test -Dtest=BackupBenchmark -Dsurefire.failIfNoSpecifiedTests=false -Dvigil.bench=true -DskipPostgresTests=true \
  -Dbench.backup.alerts="$ALERTS" -Dbench.backup.window.seconds="$WINDOW" -Dvigil.log.level=WARN
cat target/backup-bench.txt
